# Shared setup of the sinks' registry-Avro tests (avro_cqlwrite_test.sh and
# avro_pgload_test.sh; sourced, not a test itself): the development Kafka cluster, the
# schema-registry test server and two topics the sink reads with --from-kafka:
#   $TOPIC  N created_users records (uxform's preset output) that kproduce encoded with
#           schemas/created_users.avsc, on 2 partitions, and in the middle three
#           messages on partition 0 that cannot be decoded: plain JSON (no magic byte),
#           an id the registry does not know (999), a body cut short (id 1);
#   $EVO    accounts encoded by Apache Avro's Python library (python3-avro, framed by
#           tests/avro/python_check.py): 3 with the subject's first version, then 2
#           with the second, which adds a field with a default (a compatible change).
#           The sinks read them as the subject's latest version (the second): the
#           first three must be stored with the added field's default
#           ($T/accounts_v1_as_v2).
source "$(dirname "${BASH_SOURCE[0]}")/pipeline_lib.sh"
source "$AIRSTREAM_SRC/tests/lib/registry.sh"
registry_require_avro
kafka_require_kcat
N=400
TOPIC=avro_users EVO=avro_accounts
AV="$AIRSTREAM_SRC/tests/avro"
USER_COLS=id,first_name,last_name,gender,address,post_code,email,username,dob,registered_date,phone,picture
ACCOUNT_COLS=id,name,age:int,born,registered:ts,balance:dec,score:float,country
run() { RC=0; "$@" || RC=$?; }

avro_topics() {
  kafka_start --dev "$TOPIC:2" "$EVO:1"
  registry_start
  users "$N" 11 "$T/cu"
  local half=$((N / 2)) p=(-q -b "$KAFKA_BROKERS" -t "$TOPIC" -k id --value-format avro --registry "$REGISTRY_URL"
    --schema "$AIRSTREAM_SRC/schemas/created_users.avsc")
  head -n "$half" "$T/cu" | timeout 60 kproduce "${p[@]}" || fail "kproduce (Avro): exit $?"
  printf '{"id":"plain json"}' | kcat -b "$KAFKA_BROKERS" -t "$TOPIC" -p 0 -P
  printf '\0\0\0\3\347\2\0' | kcat -b "$KAFKA_BROKERS" -t "$TOPIC" -p 0 -P
  printf '\0\0\0\0\1\110ab' | kcat -b "$KAFKA_BROKERS" -t "$TOPIC" -p 0 -P
  tail -n +$((half + 1)) "$T/cu" | timeout 60 kproduce "${p[@]}" || fail "kproduce (Avro): exit $?"

  local id1 id2
  id1=$(register "$EVO-value" "$AV/accounts.avsc")
  id2=$(register "$EVO-value" "$AV/accounts_v2.avsc")
  mkdir "$T/m1" "$T/m2"
  /usr/bin/python3 "$AV/python_check.py" frame "$AV/accounts.avsc" "$id1" "$AV/accounts_v1.ndjson" "$T/m1"
  /usr/bin/python3 "$AV/python_check.py" frame "$AV/accounts_v2.avsc" "$id2" "$AV/accounts_v2.ndjson" "$T/m2"
  kcat -b "$KAFKA_BROKERS" -t "$EVO" -P "$T"/m1/* "$T"/m2/*
  jq -c '. + {country: "unknown"}' "$AV/accounts_v1.ndjson" >"$T/accounts_v1_as_v2"
}

# register SUBJECT FILE: registers the schema, prints its id.
register() {
  /usr/bin/python3 -c 'import json,sys; print(json.dumps({"schema": open(sys.argv[1]).read()}))' "$2" |
    curl -fsS -H 'Content-Type: application/vnd.schemaregistry.v1+json' -d @- "$REGISTRY_URL/subjects/$1/versions" |
    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}

# committed TOPIC GROUP: offsets the group committed, summed over the partitions.
committed() {
  kconsume -q -b "$KAFKA_BROKERS" -t "$1" -g "$2" --lag 2>/dev/null | jq -s 'map(.committed // 0) | add // 0'
}

# same_rows WHAT WANT HAVE: the canonical rows (tests/avro/sink_rows.py) are equal.
same_rows() {
  [[ $(wc -l <"$2") -gt 0 ]] || fail "$1: nothing to compare"
  diff "$2" "$3" >"$T/diff" || fail "$1: stored values differ from the input: $(head -c 2000 "$T/diff")"
}

# check_rejects FILE: the three undecodable messages of $TOPIC, with topic, partition,
# offset (consecutive, the first one the plain JSON message) and reason, in order.
check_rejects() {
  /usr/bin/python3 - "$1" "$TOPIC" >"$T/first_offset" <<'PY' || fail "rejects: $(cat "$1")"
import json, sys
rej = [json.loads(l) for l in open(sys.argv[1])]
assert len(rej) == 3, rej
assert [(r["topic"], r["partition"]) for r in rej] == [(sys.argv[2], 0)] * 3, rej
o = rej[0]["offset"]
assert [r["offset"] for r in rej] == [o, o + 1, o + 2], rej
assert "not schema-registry Avro (first byte is not the schema-registry magic byte 0)" in rej[0]["error"], rej[0]
assert "schema id 999 is not in the registry" in rej[1]["error"], rej[1]
assert "Avro schema id 1: truncated" in rej[2]["error"], rej[2]
print(o)
PY
  local o
  o=$(cat "$T/first_offset")
  [[ $(kcat -b "$KAFKA_BROKERS" -t "$TOPIC" -p 0 -o "$o" -c 1 -e -q -C) == '{"id":"plain json"}' ]] ||
    fail "the first reject's offset $o is not the plain JSON message"
}
