#!/usr/bin/env bash
# A bad-input corpus mixed into the stream of the pipe pipeline, including a 20 MiB
# line. Raw users with the corpus between them go through
#   kproduce -k login.uuid -> Kafka -> kconsume -g | uxform --preset created_users | cqlwrite
# and, for the batch copy, through  uxform --preset created_users | pgload --mode upsert.
# Every bad record lands in exactly one reject file with its reason, every good user
# is stored (Cassandra and PostgreSQL: exactly the good ids), and memory stays bounded.
# Where each kind is stopped:
#   kproduce: not JSON, truncated JSON, invalid UTF-8, no key (object or array), the
#     20 MiB line and a 2 MiB line. Neither can go through Kafka with default limits
#     (message.max.bytes 1 MB): kproduce reads lines at most as long as that limit
#     allows, so both stop at the producer with their line numbers and the setting to
#     raise ("larger than a Kafka message may be"), and neither is ever buffered whole.
#   records from another producer (kcat -P, unchecked): kconsume rejects non-JSON and
#     invalid UTF-8 with topic, partition and offset; uxform rejects an array, a
#     missing primary key and a 300 KB record (--max-line 256KiB).
#   uxform: wrong types (an object, an array where the table wants text) and an id
#     that is not a UUID.
# The pgload leg reads the same mixed source without Kafka: uxform (--max-line 1MiB)
# rejects all the corpus kinds itself, with source line numbers, and its peak RSS grows
# by less than the size of the 20 MiB line.
source "$(dirname "$0")/pipeline_lib.sh"
source "$AIRSTREAM_SRC/tests/lib/pg.sh"
kafka_require_kcat
N=2000
pg_start
cql_start
kafka_start --dev users:4
create_table

raw_users "$N" 5 "$T/good.ndjson"
# Users for the wrong-type records (other ids than the good ones).
rufetch --synthetic --seed 6 --count 3 >"$T/other.ndjson"
other() { sed -n "${1}p" "$T/other.ndjson"; }
U=00000000-0000-4000-8000-0000000000
pad() { head -c "$1" /dev/zero | tr '\0' a; }

# Corpus in the source, stopped by kproduce (7 records).
{
  echo 'this is not json'
  echo '{"login":{"uuid":"'$U'01"},"name":{"first":'
  printf '{"login":{"uuid":"%s02"},"email":"\xff\xfe"}\n' "$U"
  printf '{"login":{"uuid":"%s03"},"pad":"' "$U"
  pad $((20 << 20))
  echo '"}'
  printf '{"login":{"uuid":"%s04"},"pad":"%s"}\n' "$U" "$(pad $((2 << 20)))"
  echo '{"name":{"first":"no key"}}'
  echo '["an","array"]'
} >"$T/k1.ndjson"
# Corpus in the source that passes kproduce and is stopped by uxform (3 records).
{
  other 1 | jq -c '.location.postcode = {"a":1}'
  other 2 | jq -c '.name.first = ["x"]'
  other 3 | jq -c '.login.uuid = "not-a-uuid"'
} >"$T/k2.ndjson"
# Records another producer (kcat -P) puts into the topic (5 records).
{
  echo 'not json from another producer'
  printf '{"login":{"uuid":"%s05"},"email":"\xc3\x28"}\n' "$U"
  echo '["another","array"]'
  echo '{"name":{"first":"no primary key"}}'
  printf '{"login":{"uuid":"%s06"},"pad":"%s"}\n' "$U" "$(pad 300000)"
} >"$T/k3.ndjson"
K1=$(wc -l <"$T/k1.ndjson") K2=$(wc -l <"$T/k2.ndjson") K3=$(wc -l <"$T/k3.ndjson")
{
  head -n $((N / 2)) "$T/good.ndjson"
  cat "$T/k1.ndjson" "$T/k2.ndjson"
  tail -n +$((N / 2 + 1)) "$T/good.ndjson"
} >"$T/source.ndjson"
((K1 == 7 && K2 == 3 && K3 == 5)) || fail "corpus: $K1 + $K2 + $K3 records"
echo "source: $N good users and $((K1 + K2)) bad records, $(($(stat -c %s "$T/source.ndjson") >> 20)) MiB"

# rejects FILE: the number of records in a reject file (0 if it does not exist).
rejects() { if [[ -f $1 ]]; then wc -l <"$1"; else echo 0; fi; }
# has_reject FILE REASON: FILE has a reject whose error contains REASON.
has_reject() { jq -e -s --arg r "$2" 'any(.[]; .error | contains($r))' "$1" >/dev/null 2>&1 || fail "no reject '$2' in $(basename "$1"): $(jq -c .error "$1" 2>/dev/null | tr '\n' ' ')"; }

# Kafka leg.
rc=0
/usr/bin/time -v -o "$T/kproduce.time" timeout 300 kproduce -q -b "$KAFKA_BROKERS" -t users -k login.uuid \
  --reject-file "$T/kproduce.rej" <"$T/source.ndjson" 2>"$T/kproduce.err" || rc=$?
((rc == 1)) || fail "kproduce: exit $rc, want 1: $(tail -n 3 "$T/kproduce.err")"
timeout 120 kcat -P -b "$KAFKA_BROKERS" -t users <"$T/k3.ndjson" || fail "kcat -P: exit $?"
timeout 300 bash -c 'set -o pipefail
  kconsume -q -b "$KAFKA_BROKERS" "${@:3}" -g pipe -t users -e --reject-file "$1/kconsume.rej" 2>"$1/kconsume.err" |
    uxform --preset created_users --max-line 256KiB --reject-file "$1/uxform.rej" 2>"$1/uxform.err" |
    cqlwrite -q -H "$CQL_HOSTS" -k "$2" -t created_users --reject-file "$1/cqlwrite.rej" 2>"$1/cqlwrite.err"
  echo "${PIPESTATUS[*]}" >"$1/status"' _ "$T" "$KS" "${KX[@]}" || true
read -r kc ux cw <"$T/status" || fail "the pipe did not finish"
expect() { [[ $2 == "$3" ]] || fail "$1: exit $2, want $3: $(tail -n 3 "$T/$1.err")"; }
expect kconsume "$kc" 1
expect uxform "$ux" 1
expect cqlwrite "$cw" 0
kp_rss=$(awk -F: '/Maximum resident set size/ { printf "%d", $2 / 1024 }' "$T/kproduce.time")
echo "kafka leg rejects: kproduce $(rejects "$T/kproduce.rej"), kconsume $(rejects "$T/kconsume.rej")," \
  "uxform $(rejects "$T/uxform.rej"), cqlwrite $(rejects "$T/cqlwrite.rej"); kproduce peak RSS $kp_rss MB"
[[ $(rejects "$T/kproduce.rej") -eq $K1 ]] || fail "kproduce rejected $(rejects "$T/kproduce.rej"), want $K1"
[[ $(rejects "$T/kconsume.rej") -eq 2 ]] || fail "kconsume rejected $(rejects "$T/kconsume.rej"), want 2"
[[ $(rejects "$T/uxform.rej") -eq $((K2 + K3 - 2)) ]] || fail "uxform rejected $(rejects "$T/uxform.rej"), want $((K2 + K3 - 2))"
[[ $(rejects "$T/cqlwrite.rej") -eq 0 ]] || fail "cqlwrite rejected records: $(cut -c1-300 "$T/cqlwrite.rej")"
# kproduce names the source line of each, the 20 MiB line (N/2 + 4) and the 2 MiB line
# (N/2 + 5) included.
for l in $((N / 2 + 4)) $((N / 2 + 5)); do
  jq -e -s --argjson l "$l" 'map(select(.line == $l and (.error | contains("larger than a Kafka message may be (message.max.bytes=")))) | length == 1' \
    "$T/kproduce.rej" >/dev/null || fail "the line $l is not rejected as larger than a Kafka message: $(jq -c 'select(.line == '"$l"') | .error' "$T/kproduce.rej")"
done
jq -e -s '(map(.line) | unique | length) == length and all(.[]; .line > 0)' "$T/kproduce.rej" >/dev/null ||
  fail "kproduce rejects lack distinct line numbers"
for r in 'invalid JSON' 'UTF-8' 'larger than a Kafka message' 'key field missing'; do
  has_reject "$T/kproduce.rej" "$r"
done
jq -e -s 'all(.[]; .topic == "users" and (.partition | type) == "number" and (.offset | type) == "number")' \
  "$T/kconsume.rej" >/dev/null || fail "kconsume rejects lack topic/partition/offset: $(cut -c1-300 "$T/kconsume.rej")"
has_reject "$T/kconsume.rej" 'JSON'
has_reject "$T/kconsume.rej" 'UTF-8'
# The record that is not UTF-8 is kept byte for byte (base64).
jq -r 'select(.record_base64) | .record_base64' "$T/kconsume.rej" | base64 -d |
  cmp - <(sed -n 2p "$T/k3.ndjson" | tr -d '\n') || fail "the invalid UTF-8 record is not kept as it was"
for r in 'post_code: expected string or number, got object' 'first_name: expected string or number, got array' \
  'id: not a UUID' 'expected a JSON object, got array' 'id: required field is missing' 'line too long'; do
  has_reject "$T/uxform.rej" "$r"
done
check_ids "$T/good.ndjson.ids" || fail "Cassandra does not hold exactly the good ids"

# PostgreSQL leg: the same source through uxform | pgload, no Kafka.
timeout 300 bash -c 'set -o pipefail
  /usr/bin/time -v -o "$1/uxform.time" uxform --preset created_users --max-line 1MiB --reject-file "$1/uxform2.rej" \
    <"$1/source.ndjson" 2>"$1/uxform2.err" |
    pgload -t created_users --create --mode upsert --key id --reject-file "$1/pgload.rej" 2>"$1/pgload.err"
  echo "${PIPESTATUS[*]}" >"$1/status2"' _ "$T" || true
read -r ux pl <"$T/status2" || fail "the pgload pipe did not finish"
expect uxform2 "$ux" 1
expect pgload "$pl" 0
ux_rss=$(awk -F: '/Maximum resident set size/ { print $2 + 0 }' "$T/uxform.time")
echo "pgload leg rejects: uxform $(rejects "$T/uxform2.rej"), pgload $(rejects "$T/pgload.rej"); uxform peak RSS $((ux_rss / 1024)) MB"
[[ $(rejects "$T/uxform2.rej") -eq $((K1 + K2)) ]] || fail "uxform rejected $(rejects "$T/uxform2.rej"), want $((K1 + K2))"
[[ $(rejects "$T/pgload.rej") -eq 0 ]] || fail "pgload rejected records: $(cut -c1-300 "$T/pgload.rej")"
jq -e -s --argjson l $((N / 2 + 4)) 'map(select(.line == $l and .error == "line too long")) | length == 1' \
  "$T/uxform2.rej" >/dev/null || fail "uxform: the 20 MiB line is not rejected as too long at line $((N / 2 + 4))"
for r in 'invalid JSON' 'UTF-8' 'expected a JSON object, got array' 'id: required field is missing' \
  'post_code: expected string or number, got object' 'id: not a UUID'; do
  has_reject "$T/uxform2.rej" "$r"
done
# The 20 MiB line (and the 2 MiB one) were never held whole: uxform's peak RSS grows
# by less than the line's size over the good records alone (the same build, so a
# sanitizer build's larger baseline does not count).
/usr/bin/time -v -o "$T/uxform-base.time" uxform --preset created_users --max-line 1MiB <"$T/good.ndjson" >/dev/null
base_rss=$(awk -F: '/Maximum resident set size/ { print $2 + 0 }' "$T/uxform-base.time")
((ux_rss - base_rss < 20 << 10)) ||
  fail "uxform peak RSS $ux_rss KB grew by $((ux_rss - base_rss)) KB over the good records alone, not less than the 20 MiB line's size"
pg_psql -c 'select id from created_users' | sort >"$T/pg.ids"
cmp -s "$T/good.ndjson.ids" "$T/pg.ids" ||
  fail "PostgreSQL holds $(wc -l <"$T/pg.ids") ids; missing $(comm -23 "$T/good.ndjson.ids" "$T/pg.ids" | wc -l), extra $(comm -13 "$T/good.ndjson.ids" "$T/pg.ids" | wc -l)"
echo "ok: $N good users stored in Cassandra and PostgreSQL; $((K1 + K2 + K3)) bad records (a 20 MiB line among them) rejected with their reasons"
