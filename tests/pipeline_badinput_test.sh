#!/usr/bin/env bash
# A bad-input corpus mixed into the topic with kcat -P (non-JSON, a JSON array,
# wrong types for the table, invalid UTF-8, a missing primary key, a record longer
# than --max-line), between 1000 good users produced by kproduce.
# `cqlwrite --from-kafka -e` stores every good record, puts every bad one in the
# reject file with its reason, topic, partition and Kafka offset, and exits 1.
source "$(dirname "$0")/pipeline_lib.sh"
kafka_require_kcat
N=1000
cql_start
kafka_start --dev users:4
create_table
users "$N" 5 "$T/users.ndjson"
head -n 500 "$T/users.ndjson" >"$T/a.ndjson"
tail -n +501 "$T/users.ndjson" >"$T/b.ndjson"

U=00000000-0000-4000-8000-0000000000
{
  echo 'this is not json'
  echo '{"id":"'$U'01","first_name":'
  echo '["an","array"]'
  echo '{"id":"not-a-uuid","first_name":"x"}'
  echo '{"id":"'$U'02","first_name":{"an":"object"}}'
  echo '{"id":12345,"first_name":"x"}'
  echo '{"first_name":"no primary key"}'
  printf '{"id":"'$U'03","first_name":"\xff\xfe"}\n'
  printf '{"id":"'$U'04","first_name":"%s"}\n' "$(head -c 200000 /dev/zero | tr '\0' a)"
} >"$T/bad.ndjson"
BAD=$(wc -l <"$T/bad.ndjson")

produce users "$T/a.ndjson"
timeout 120 kcat -P -b "$KAFKA_BROKERS" -t users -X message.max.bytes=1000000 <"$T/bad.ndjson" ||
  fail "kcat -P: exit $?"
produce users "$T/b.ndjson"

rc=0
timeout 300 cqlwrite -H "$CQL_HOSTS" -k "$KS" -t created_users -b "$KAFKA_BROKERS" "${KX[@]}" \
  --from-kafka users -g bad -e --max-line 100KiB --reject-file "$T/rej.ndjson" 2>"$T/err" || rc=$?
((rc == 1)) || fail "exit $rc, want 1: $(tail -n 5 "$T/err")"
[[ $(wc -l <"$T/rej.ndjson") -eq $BAD ]] ||
  fail "$(wc -l <"$T/rej.ndjson") rejects, want $BAD: $(cat "$T/rej.ndjson" | cut -c1-300)"
# Every reject names its topic, partition and offset, and its reason.
jq -e -s 'all(.[]; .topic == "users" and (.partition | type) == "number" and (.offset | type) == "number"
  and (.error | length) > 0)' "$T/rej.ndjson" >/dev/null || fail "reject records lack topic/partition/offset"
jq -e -s '[.[] | [.partition, .offset]] | unique | length == '"$BAD" "$T/rej.ndjson" >/dev/null ||
  fail "reject records do not have distinct partition/offset"
jq -r .error "$T/rej.ndjson" >"$T/reasons"
for reason in 'invalid JSON' 'not a JSON object' 'id: expected uuid' '^first_name: ' 'id: missing' \
  'invalid UTF-8' 'too long'; do
  grep -q "$reason" "$T/reasons" || fail "no reject with '$reason': $(cat "$T/reasons")"
done
# The record that is not UTF-8 is kept byte for byte (base64).
jq -r 'select(.error == "invalid UTF-8") | .record_base64' "$T/rej.ndjson" | base64 -d | cmp - <(sed -n 8p "$T/bad.ndjson" | tr -d '\n') ||
  fail "the invalid UTF-8 record is not kept as it was"
check_ids "$T/users.ndjson.ids" || fail "the table does not hold exactly the good ids"
echo "ok: $N good records stored, $BAD bad ones rejected with their reason and offset"
