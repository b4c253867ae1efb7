#!/usr/bin/env bash
# kproduce --envelope with registry Avro (issue 20): kconsume -J -s avro writes
# envelopes whose value (and key) are the decoded JSON; kproduce --envelope
# --value-format/--key-format avro encodes them again, so a topic copied through the
# pair has the same bytes (schema ids included). A value the schema refuses is
# rejected with its field path, raw bytes (value_base64) are refused rather than sent
# unencoded, a tombstone stays a tombstone, and options that cannot work are usage
# errors.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/kafka.sh"
source "$AIRSTREAM_SRC/tests/lib/registry.sh"
kafka_test_setup
run() { RC=0; "$@" || RC=$?; }
a=avro_env_a_$$ b=avro_env_b_$$
kafka_start "$a:1" "$b:1"
registry_start
schema="$AIRSTREAM_SRC/tests/avro/users.avsc"
echo '"string"' >"$work/key.avsc"
cat >"$work/in" <<'IN'
{"id":"0e5a2f6e-4d0b-4c8e-9a51-2a4c9d1f7b3e","age":31,"gender":"female","email":"a@example.com","score":2.5,"born":"1993-07-20","registered":"2015-03-01T10:20:30.123Z","balance":"1234.50","tags":["x","é"],"location":{"city":"Aalborg","postcode":9000}}
{"id":"7c9d1f7b-3e0e-4a2f-8d0b-4c8e9a512a4c","age":-5,"gender":"male","born":"1970-01-01","registered":0,"balance":-0.01,"location":{"city":"Oslo","postcode":"N-0150"}}
IN
kproduce -t "$a" --value-format avro --schema "$schema" --key-format avro -k location.city --key-schema "$work/key.avsc" \
  --registry "$REGISTRY_URL" <"$work/in"
kconsume -t "$a" -e -J -s avro -r "$REGISTRY_URL" >"$work/env"
[[ $(wc -l <"$work/env") == 2 ]] || fail "kconsume -J: $(cat "$work/env")"
grep -q '"key":"Aalborg"' "$work/env" && grep -q '"value":{"id":"0e5a2f6e' "$work/env" || fail "envelope: $(cat "$work/env")"

# The copy: the same key and value bytes on the other topic (-t overrides the envelope's).
kproduce --envelope -t "$b" --value-format avro --subject "$a-value" --key-format avro --key-subject "$a-key" \
  --registry "$REGISTRY_URL" <"$work/env"
dump() { kcat -b "$KAFKA_BROKERS" -t "$1" -C -e -q -f 'key %K %k\nvalue %S %s\n' | od -c; }
dump "$a" >"$work/a.bytes"
dump "$b" >"$work/b.bytes"
cmp -s "$work/a.bytes" "$work/b.bytes" || fail "the copy differs: $(diff "$work/a.bytes" "$work/b.bytes" | head -5)"

# Refusals: a value the schema refuses, raw bytes; a tombstone goes through as one.
bad='{"topic":"x","value":{"id":"0e5a2f6e-4d0b-4c8e-9a51-2a4c9d1f7b3e","age":"31","gender":"male","born":0,"registered":0,"balance":"1","location":{"city":"A","postcode":null}}}'
raw='{"topic":"x","value_base64":"AAAAAAE="}'
tomb="{\"topic\":\"x\",\"key\":\"Oslo\"}"
printf '%s\n%s\n%s\n' "$bad" "$raw" "$tomb" >"$work/in2"
run kproduce --envelope -t "$b" --value-format avro --subject "$a-value" --key-format avro --key-subject "$a-key" \
  --registry "$REGISTRY_URL" --reject-file "$work/rej" <"$work/in2"
[[ $RC == 1 ]] || fail "rejects: exit $RC, want 1"
/usr/bin/python3 - "$work/rej" <<'PY' || fail "reject reasons: $(cat "$work/rej")"
import json, sys
got = [(r["line"], r["error"]) for r in map(json.loads, open(sys.argv[1]))]
assert got[0] == (1, "Avro: age: expected int, got string"), got
assert got[1][0] == 2 and "value_base64 holds raw bytes" in got[1][1], got
assert len(got) == 2, got
PY
# The tombstone: a null value (size -1) under the Avro key "Oslo" (0x00, key schema id 2, "Oslo").
kcat -b "$KAFKA_BROKERS" -t "$b" -C -e -q -Z -f '%K %S\n' | tail -n 1 >"$work/tomb"
kcat -b "$KAFKA_BROKERS" -t "$b" -C -e -q -o -1 -f '%k' | od -An -tx1 | tr -d ' \n' >"$work/tombkey"
[[ $(cat "$work/tomb") == "10 -1" && $(cat "$work/tombkey") == 0000000002084f736c6f ]] ||
  fail "tombstone with an Avro key: $(cat "$work/tomb") key $(cat "$work/tombkey")"

# Usage errors: no topic nor subject for the schema; -K with an Avro key.
run kproduce --envelope --value-format avro --registry "$REGISTRY_URL" </dev/null 2>"$work/err"
[[ $RC == 64 ]] || fail "--envelope avro without -t: exit $RC: $(cat "$work/err")"
run kproduce -t "$b" --key-format avro -K k --registry "$REGISTRY_URL" </dev/null 2>"$work/err"
[[ $RC == 64 ]] || fail "-K with --key-format avro: exit $RC: $(cat "$work/err")"
echo "all checks passed"
