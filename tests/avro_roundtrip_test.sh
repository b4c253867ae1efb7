#!/usr/bin/env bash
# Registry Avro through kproduce and kconsume against the schema-registry test server
# (tests/lib/schema_registry.py): --schema registers under TOPIC-value, records are
# Confluent-framed (0x00 + big-endian id), records the schema refuses are rejected with
# field path and reason and never sent, kconsume decodes to the same JSON (-s value=avro
# and --value-format avro, envelope with schema ids, tagged unions), Avro keys, the
# subject's latest schema, a fixed --schema-id, undecodable messages rejected with topic/partition/offset,
# registry faults (503 retried then 75; unknown id; slow answers; basic auth),
# --binary base64 keeping undecodable messages in the envelope as raw bytes with the
# reason, the password from --registry-password-file, and an https:// registry whose
# certificate --registry-ca makes trusted (both also as --config keys; unverified: 69).
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/kafka.sh"
source "$AIRSTREAM_SRC/tests/lib/registry.sh"
kafka_test_setup
run() { RC=0; "$@" || RC=$?; }
t=avro_rt_$$ tk=avro_key_$$
kafka_start "$t:2" "$tk:1"
registry_start --auth tester:s3cret
export SCHEMA_REGISTRY_USER=tester SCHEMA_REGISTRY_PASSWORD=s3cret
schema="$AIRSTREAM_SRC/tests/avro/users.avsc"

good1='{"id":"0e5a2f6e-4d0b-4c8e-9a51-2a4c9d1f7b3e","age":31,"gender":"female","email":"a@example.com","score":2.5,"born":"1993-07-20","registered":"2015-03-01T10:20:30.123Z","seen_us":"2015-03-01T10:20:30.123456Z","wake":"06:30:00.000","wake_us":"06:30:00.000001","balance":"1234.50","tags":["x","é"],"location":{"city":"Aalborg","postcode":9000}}'
good2='{"id":"7c9d1f7b-3e0e-4a2f-8d0b-4c8e9a512a4c","age":-5,"gender":"male","born":"1970-01-01","registered":0,"balance":-0.01,"location":{"city":"Oslo","postcode":"N-0150"}}'
cat >"$work/in" <<IN
$good1
{"id":"0e5a2f6e-4d0b-4c8e-9a51-2a4c9d1f7b3e","gender":"female","born":"1993-07-20","registered":0,"balance":"1","location":{"city":"A","postcode":null}}
{"id":"0e5a2f6e-4d0b-4c8e-9a51-2a4c9d1f7b3e","age":"31","gender":"female","born":"1993-07-20","registered":0,"balance":"1","location":{"city":"A","postcode":null}}
{"id":"0e5a2f6e-4d0b-4c8e-9a51-2a4c9d1f7b3e","age":2147483648,"gender":"female","born":"1993-07-20","registered":0,"balance":"1","location":{"city":"A","postcode":null}}
{"id":"0e5a2f6e-4d0b-4c8e-9a51-2a4c9d1f7b3e","age":1,"gender":"other","born":"1993-07-20","registered":0,"balance":"1","location":{"city":"A","postcode":null}}
{"id":"0e5a2f6e-4d0b-4c8e-9a51-2a4c9d1f7b3e","age":1,"gender":"male","born":"1993-07-20","registered":0,"balance":"1","location":{"city":5,"postcode":null}}
{"id":"0e5a2f6e-4d0b-4c8e-9a51-2a4c9d1f7b3e","age":1,"gender":"male","born":"1993-07-20","registered":0,"balance":"0.001","location":{"city":"A","postcode":null}}
$good2
IN
run kproduce -t "$t" -p 0 --value-format avro --schema "$schema" --registry "$REGISTRY_URL" --reject-file "$work/rej" <"$work/in"
[[ $RC == 1 ]] || fail "kproduce with rejects: exit $RC, want 1"
/usr/bin/python3 - "$work/rej" <<'PY' || fail "reject reasons: $(cat "$work/rej")"
import json, sys
got = [(r["line"], r["error"]) for r in map(json.loads, open(sys.argv[1]))]
want = [(2, "Avro: age: missing field (the schema gives no default)"),
        (3, "Avro: age: expected int, got string"),
        (4, "Avro: age: out of range for Avro int"),
        (5, 'Avro: gender: "other" is not a symbol of enum airstream.test.Gender'),
        (6, "Avro: location.city: expected string, got integer"),
        (7, "Avro: balance: \"0.001\" has more fraction digits than the decimal's scale 2")]
assert got == want, got
PY
# The subject and the framing: 0x00, id 1 big-endian.
curl -fsS -u tester:s3cret "$REGISTRY_URL/subjects/$t-value/versions/latest" | grep -q '"id": 1' || fail "subject $t-value not registered"
kcat -b "$KAFKA_BROKERS" -t "$t" -p 0 -C -e -q -f '%s' -c 1 | head -c 5 | od -An -tx1 | tr -d ' \n' >"$work/hdr"
[[ $(cat "$work/hdr") == 0000000001 ]] || fail "frame header: $(cat "$work/hdr")"

want1='{"id":"0e5a2f6e-4d0b-4c8e-9a51-2a4c9d1f7b3e","age":31,"gender":"female","email":"a@example.com","score":2.5,"born":"1993-07-20","registered":"2015-03-01T10:20:30.123Z","seen_us":"2015-03-01T10:20:30.123456Z","wake":"06:30:00.000","wake_us":"06:30:00.000001","balance":"1234.50","tags":["x","é"],"location":{"city":"Aalborg","postcode":9000}}'
want2='{"id":"7c9d1f7b-3e0e-4a2f-8d0b-4c8e9a512a4c","age":-5,"gender":"male","email":null,"score":0,"born":"1970-01-01","registered":"1970-01-01T00:00:00.000Z","seen_us":"1970-01-01T00:00:00.000000Z","wake":"00:00:00.000","wake_us":"00:00:00.000000","balance":"-0.01","tags":[],"location":{"city":"Oslo","postcode":"N-0150"}}'
kconsume -t "$t" -p 0 -e -s value=avro -r "$REGISTRY_URL" >"$work/out"
expect_out=$(printf '%s\n%s' "$want1" "$want2")
[[ $(cat "$work/out") == "$expect_out" ]] || fail "kconsume -s value=avro: $(cat "$work/out")"
# The schema is fetched once per id: two messages of id 1, one GET /schemas/ids/1.
before=$(registry_stat by_id)
kconsume -t "$t" -p 0 -e -c 2 -s value=avro -r "$REGISTRY_URL" >/dev/null
[[ $(($(registry_stat by_id) - before)) == 1 ]] || fail "schema fetched $(($(registry_stat by_id) - before)) times, want once"
# Round trip: what kconsume wrote encodes again to the same bytes.
kproduce -t "$t" -p 1 --value-format avro --schema "$schema" --registry "$REGISTRY_URL" <"$work/out"
diff <(kcat -b "$KAFKA_BROKERS" -t "$t" -p 0 -C -e -q -f '%s' | od -c) <(kcat -b "$KAFKA_BROKERS" -t "$t" -p 1 -C -e -q -f '%s' | od -c) >/dev/null ||
  fail "re-encoding kconsume's output gave other bytes"
# Envelope with schema ids; tagged unions.
kconsume -t "$t" -p 0 -e --value-format avro --registry "$REGISTRY_URL" -J -c 1 >"$work/env"
grep -q '"value_schema_id":1,"value":{"id":"0e5a2f6e' "$work/env" || fail "envelope: $(cat "$work/env")"
kconsume -t "$t" -p 0 -e -s value=avro -r "$REGISTRY_URL" --avro-unions tagged -c 1 >"$work/tagged"
grep -q '"email":{"string":"a@example.com"}' "$work/tagged" && grep -q '"postcode":{"long":9000}' "$work/tagged" ||
  fail "tagged unions: $(cat "$work/tagged")"

# The subject's latest schema (no --schema), Avro keys from -k.
echo '"string"' | /usr/bin/python3 -c 'import json,sys; print(json.dumps({"schema": sys.stdin.read().strip()}))' |
  curl -fsS -u tester:s3cret -H 'Content-Type: application/vnd.schemaregistry.v1+json' -d @- "$REGISTRY_URL/subjects/$tk-key/versions" >/dev/null
echo "$good2" | kproduce -t "$tk" --value-format avro --subject "$t-value" --key-format avro -k location.city --registry "$REGISTRY_URL"
kconsume -t "$tk" -e -s avro -r "$REGISTRY_URL" -f '%k|%s\n' >"$work/keyed"
[[ $(cat "$work/keyed") == "\"Oslo\"|$want2" ]] || fail "Avro key: $(cat "$work/keyed")"
# A fixed schema id (--schema-id): no subject is asked; an id the registry lacks is 78.
echo "$good2" | kproduce -t "$tk" --value-format avro --schema-id 1 --registry "$REGISTRY_URL"
kconsume -t "$tk" -o 1 -e -s value=avro -r "$REGISTRY_URL" -J >"$work/fixed"
grep -q '"value_schema_id":1,"value":{"id":"7c9d1f7b' "$work/fixed" || fail "--schema-id 1: $(cat "$work/fixed")"
run kproduce -t "$tk" --value-format avro --schema-id 77 --registry "$REGISTRY_URL" <<<"$good2" 2>"$work/err"
[[ $RC == 78 ]] || fail "--schema-id 77 (unknown): exit $RC, want 78: $(cat "$work/err")"

# Undecodable messages: rejected with topic, partition, offset and reason; good ones go on.
printf 'plain json\n' | kcat -b "$KAFKA_BROKERS" -t "$t" -p 0 -P
printf '\0\0\0\0\1\377\377' | kcat -b "$KAFKA_BROKERS" -t "$t" -p 0 -P
run kconsume -t "$t" -p 0 -e -s value=avro -r "$REGISTRY_URL" --reject-file "$work/crej" >"$work/out2"
[[ $RC == 1 && $(wc -l <"$work/out2") == 2 ]] || fail "undecodable: exit $RC, $(wc -l <"$work/out2") records"
/usr/bin/python3 - "$work/crej" "$t" <<'PY' || fail "kconsume rejects: $(cat "$work/crej")"
import json, sys
rej = [json.loads(l) for l in open(sys.argv[1])]
assert [(r["topic"], r["partition"], r["offset"]) for r in rej] == [(sys.argv[2], 0, 2), (sys.argv[2], 0, 3)], rej
assert "not schema-registry Avro" in rej[0]["error"], rej[0]
assert "Avro schema id 1: truncated" in rej[1]["error"], rej[1]
assert "record_base64" in rej[1], rej[1]
PY
# --binary base64 with the envelope keeps them: their raw bytes and the reason.
kconsume -t "$t" -p 0 -o 2 -c 2 -e -s value=avro -r "$REGISTRY_URL" -J --binary base64 >"$work/kept"
/usr/bin/python3 - "$work/kept" <<'PY' || fail "--binary base64: $(cat "$work/kept")"
import base64, json, sys
got = [json.loads(l) for l in open(sys.argv[1])]
assert [base64.b64decode(g["value_base64"]) for g in got] == [b"plain json", b"\0\0\0\0\1\377\377"], got
assert "not schema-registry Avro" in got[0]["value_error"] and "truncated" in got[1]["value_error"], got
assert all("value" not in g and g["offset"] == 2 + i for i, g in enumerate(got)), got
PY

# Registry faults: unknown id (a reject), 503 twice (retried), 503 always (exit 75),
# slow answers beyond --registry-timeout (retried, then 75), wrong password (78).
registry_fault unknown
run kconsume -t "$t" -p 0 -e -c 1 -s value=avro -r "$REGISTRY_URL" 2>"$work/err"
[[ $RC == 1 ]] && grep -q "schema id 1 is not in the registry" "$work/err" || fail "unknown id: exit $RC: $(cat "$work/err")"
registry_fault none
registry_fault 503 2
run kconsume -t "$t" -p 0 -e -c 1 -s value=avro -r "$REGISTRY_URL" >"$work/o503"
[[ $RC == 0 && $(cat "$work/o503") == "$want1" ]] || fail "503 twice: exit $RC"
registry_fault 503
run kconsume -t "$t" -p 0 -e -c 1 -s value=avro -r "$REGISTRY_URL" --registry-timeout 1s 2>"$work/err" >"$work/o503b"
[[ $RC == 75 && ! -s "$work/o503b" ]] || fail "503 always: exit $RC, want 75: $(cat "$work/err")"
registry_fault none
registry_fault slow 2 1
run kconsume -t "$t" -p 0 -e -c 1 -s value=avro -r "$REGISTRY_URL" --registry-timeout 500ms >"$work/oslow"
[[ $RC == 0 && $(cat "$work/oslow") == "$want1" ]] || fail "one slow answer: exit $RC"
registry_fault none
SCHEMA_REGISTRY_PASSWORD=wrong run kproduce -t "$t" --value-format avro --registry "$REGISTRY_URL" </dev/null 2>"$work/err"
[[ $RC == 78 ]] || fail "wrong registry password: exit $RC, want 78: $(cat "$work/err")"
SCHEMA_REGISTRY_URL= run kproduce -t "$t" --value-format avro </dev/null 2>"$work/err"
[[ $RC == 64 ]] || fail "no registry: exit $RC, want 64"

# The password from a file, never the command line; an https:// registry trusted
# through --registry-ca; both as --config keys too.
if command -v openssl >/dev/null; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=registry" -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$work/tls.key" -out "$work/tls.pem" 2>/dev/null
  registry_start --auth tester:s3cret --tls-cert "$work/tls.pem" --tls-key "$work/tls.key"
  [[ $REGISTRY_URL == https://* ]] || fail "registry_start --tls-cert: $REGISTRY_URL"
  /usr/bin/python3 -c 'import json,sys; print(json.dumps({"schema": open(sys.argv[1]).read()}))' "$schema" |
    curl -fsS --cacert "$work/tls.pem" -u tester:s3cret -d @- "$REGISTRY_URL/subjects/$t-value/versions" >/dev/null
  printf 's3cret\n' >"$work/password"
  unset SCHEMA_REGISTRY_PASSWORD
  run kconsume -t "$t" -p 0 -e -c 1 -s value=avro -r "$REGISTRY_URL" --registry-ca "$work/tls.pem" \
    --registry-password-file "$work/password" >"$work/otls" 2>"$work/err"
  [[ $RC == 0 && $(cat "$work/otls") == "$want1" ]] || fail "https registry with --registry-ca: exit $RC: $(cat "$work/err")"
  printf '[airstream]\nregistry = "%s"\nregistry-ca = "%s"\nregistry-password-file = "%s"\n' \
    "$REGISTRY_URL" "$work/tls.pem" "$work/password" >"$work/conf"
  run kconsume --config "$work/conf" -t "$t" -p 0 -e -c 1 -s value=avro >"$work/oconf" 2>"$work/err"
  [[ $RC == 0 && $(cat "$work/oconf") == "$want1" ]] || fail "registry options from --config: exit $RC: $(cat "$work/err")"
  run kconsume -t "$t" -p 0 -e -c 1 -s value=avro -r "$REGISTRY_URL" >/dev/null 2>"$work/err"
  [[ $RC == 69 ]] && grep -q "registry-ca" "$work/err" || fail "unverified certificate: exit $RC, want 69: $(cat "$work/err")"
  run kconsume -t "$t" -p 0 -e -c 1 -s value=avro -r "$REGISTRY_URL" --registry-ca "$work/tls.pem" 2>"$work/err"
  [[ $RC == 78 ]] || fail "no password: exit $RC, want 78: $(cat "$work/err")"
fi
echo "all checks passed"
