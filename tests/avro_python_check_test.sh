#!/usr/bin/env bash
# Independent check with Apache Avro's Python library (Debian python3-avro, not our
# code): it decodes what kproduce wrote (after the 5-byte header) to the values of the
# input, and encodes records (every logical type, unions, unicode) that kconsume must
# decode to the same JSON. Schema evolution: records written with the first version of
# the subject and with a second one (a field added with a default) both decode, with
# their writer's schema (kconsume's default, as kcat) or as the subject's latest
# version (--reader-schema latest: the first version's records get the added field's
# default, as python3-avro's own schema resolution reads them; the latest version is
# fetched again when a new schema id appears), and a reader schema that cannot read
# them rejects each message with the reason.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/kafka.sh"
source "$AIRSTREAM_SRC/tests/lib/registry.sh"
kafka_test_setup
registry_require_avro
t=avro_py_$$ tc=avro_pyc_$$ tr=avro_pyr_$$
kafka_start "$t:1" "$tc:1" "$tr:1"
registry_start
check="$AIRSTREAM_SRC/tests/avro/python_check.py"
v1="$AIRSTREAM_SRC/tests/avro/users.avsc" v2="$AIRSTREAM_SRC/tests/avro/users_v2.avsc"

# kproduce -> python3-avro
cat >"$work/in" <<'IN'
{"id":"0e5a2f6e-4d0b-4c8e-9a51-2a4c9d1f7b3e","age":31,"gender":"female","email":"a@example.com","score":2.5,"born":"1993-07-20","registered":"2015-03-01T10:20:30.123Z","seen_us":"2015-03-01T12:20:30.123456+02:00","wake":"06:30:00.5","wake_us":"06:30:00.000001","balance":"1234.50","tags":["x","é","😀"],"location":{"city":"Aalborg","postcode":9000}}
{"id":"7C9D1F7B-3E0E-4A2F-8D0B-4C8E9A512A4C","age":-2147483648,"gender":"male","born":-1,"registered":-1,"balance":-0.01,"location":{"city":"Oslo","postcode":"N-0150"}}
{"id":"7c9d1f7b-3e0e-4a2f-8d0b-4c8e9a512a4c","age":2147483647,"gender":"male","email":null,"score":1e300,"born":"2038-01-19","registered":253402300799999,"seen_us":-62135596800000000,"wake":86399999,"wake_us":0,"balance":9999999999.99,"tags":[],"location":{"city":"","postcode":null}}
IN
kproduce -t "$t" --value-format avro --schema "$v1" --registry "$REGISTRY_URL"  <"$work/in"
kcat -b "$KAFKA_BROKERS" -t "$t" -C -e -q -f '%R%s' >"$work/raw"
/usr/bin/python3 "$check" decode "$v1" 1 "$work/in" "$work/raw" || fail "python3-avro disagrees with kproduce"

# python3-avro -> kconsume, with the first schema version and an evolved one.
register() {  # register SUBJECT FILE -> id
  /usr/bin/python3 -c 'import json,sys; print(json.dumps({"schema": open(sys.argv[1]).read()}))' "$2" |
    curl -fsS -H 'Content-Type: application/vnd.schemaregistry.v1+json' -d @- "$REGISTRY_URL/subjects/$1/versions" |
    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
id1=$(register "$tc-value" "$v1")
id2=$(register "$tc-value" "$v2")
[[ $id1 == 1 && $id2 == 2 ]] || fail "registry ids $id1 $id2"
mkdir "$work/m1" "$work/m2"
/usr/bin/python3 "$check" encode "$v1" "$id1" "$work/m1" "$work/want1"
/usr/bin/python3 "$check" encode "$v2" "$id2" "$work/m2" "$work/want2"
kcat -b "$KAFKA_BROKERS" -t "$tc" -P "$work"/m1/* "$work"/m2/*
kconsume -t "$tc" -e -s value=avro -r "$REGISTRY_URL" >"$work/got"
diff <(cat "$work/want1" "$work/want2") "$work/got" || fail "kconsume's JSON differs from what python3-avro encoded"
# Read as the subject's latest version (v2): v1's records take v2's default, the values
# python3-avro's schema resolution reads from the same bytes.
kconsume -t "$tc" -e -c 4 -s value=avro -r "$REGISTRY_URL" --reader-schema latest >"$work/latest"
diff <(jq -c '. + {nickname: ""}' "$work/want1"; cat "$work/want2") "$work/latest" ||
  fail "--reader-schema latest: v1 records not read as v2"
kcat -b "$KAFKA_BROKERS" -t "$tc" -C -e -q -c 2 -f '%R%s' >"$work/raw1"
/usr/bin/python3 "$check" resolve "$v1" "$v2" "$id1" <(head -n 2 "$work/latest") "$work/raw1" ||
  fail "python3-avro's schema resolution disagrees with kconsume --reader-schema latest"
# The same with v2 as a fixed reader schema (a file, then its id).
kconsume -t "$tc" -e -c 4 -s value=avro -r "$REGISTRY_URL" --reader-schema "$v2" | cmp - "$work/latest" ||
  fail "--reader-schema FILE"
kconsume -t "$tc" -e -c 4 -s value=avro -r "$REGISTRY_URL" --reader-schema "$id2" | cmp - "$work/latest" ||
  fail "--reader-schema ID"
# A reader schema that cannot read them (a field without default): each message is
# rejected with the reason, nothing printed.
jq -c '.fields += [{"name": "extra", "type": "int"}]' "$v2" >"$work/v3.avsc"
run() { RC=0; "$@" || RC=$?; }
run kconsume -t "$tc" -e -c 4 -s value=avro -r "$REGISTRY_URL" --reader-schema "$work/v3.avsc" \
  --reject-file "$work/rej" >"$work/none"
[[ $RC == 1 && ! -s "$work/none" && $(wc -l <"$work/rej") == 4 ]] || fail "incompatible reader: exit $RC, $(cat "$work/rej")"
grep -q "cannot be read as $work/v3.avsc: field extra: not in the writer's schema, and the reader's gives no default" \
  "$work/rej" || fail "incompatible reader: $(head -n 1 "$work/rej")"

# The latest version is fetched again when a message brings a new schema id: a v1
# record read as v1 while v1 is the latest, then v2 registered and one record of each.
register "$tr-value" "$v1" >/dev/null
kcat -b "$KAFKA_BROKERS" -t "$tr" -P "$work/m1/000"
kconsume -t "$tr" -c 3 -s value=avro -r "$REGISTRY_URL" --reader-schema latest >"$work/follow" 2>"$work/follow.err" &
follower=$!
for ((i = 0; i < 300; i++)); do [[ -s "$work/follow" ]] && break; sleep 0.1; done
register "$tr-value" "$v2" >/dev/null
kcat -b "$KAFKA_BROKERS" -t "$tr" -P "$work/m2/000"
kcat -b "$KAFKA_BROKERS" -t "$tr" -P "$work/m1/001"
for ((i = 0; i < 300; i++)); do kill -0 "$follower" 2>/dev/null || break; sleep 0.1; done
kill "$follower" 2>/dev/null && fail "kconsume -c 3 did not end: $(cat "$work/follow.err")"
diff <(head -n 1 "$work/want1"; head -n 1 "$work/want2"; tail -n 1 "$work/want1" | jq -c '. + {nickname: ""}') \
  "$work/follow" || fail "the latest version was not fetched again"

# kproduce with the subject's latest version (v2) encodes v1-shaped input with the default.
head -n 1 "$work/want1" | kproduce -t "$tc" --value-format avro --registry "$REGISTRY_URL"
kconsume -t "$tc" -o 4 -e -s value=avro -r "$REGISTRY_URL" -J >"$work/evolved"
grep -q '"value_schema_id":2,.*"nickname":""}}$' "$work/evolved" || fail "latest schema with a default: $(cat "$work/evolved")"

# The shipped created_users.avsc takes uxform's preset output as it is, and python3-avro
# reads it back to the same values.
tu=avro_cu_$$
kafka_create_topic "$tu" 1
rufetch --synthetic --count 300 --seed 7 | uxform -p created_users >"$work/cu"
run kproduce -t "$tu" --value-format avro --schema "$AIRSTREAM_SRC/schemas/created_users.avsc" --registry "$REGISTRY_URL" <"$work/cu"
[[ $RC == 0 ]] || fail "created_users.avsc refused uxform -p created_users output (exit $RC)"
id=$(curl -fsS "$REGISTRY_URL/subjects/$tu-value/versions/latest" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
kcat -b "$KAFKA_BROKERS" -t "$tu" -C -e -q -f '%R%s' >"$work/curaw"
/usr/bin/python3 "$check" decode "$AIRSTREAM_SRC/schemas/created_users.avsc" "$id" "$work/cu" "$work/curaw" ||
  fail "python3-avro disagrees on created_users"
echo "all checks passed"
