#!/usr/bin/env bash
# Independent check with Apache Avro's Python library (Debian python3-avro, not our
# code): it decodes what kproduce wrote (after the 5-byte header) to the values of the
# input, and encodes records (every logical type, unions, unicode) that kconsume must
# decode to the same JSON. Schema evolution: records written with the first version of
# the subject and with a second one (a field added with a default) both decode.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/kafka.sh"
source "$AIRSTREAM_SRC/tests/lib/registry.sh"
kafka_test_setup
registry_require_avro
t=avro_py_$$ tc=avro_pyc_$$
kafka_start "$t:1" "$tc:1"
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
# kproduce with the subject's latest version (v2) encodes v1-shaped input with the default.
head -n 1 "$work/want1" | kproduce -t "$tc" --value-format avro --registry "$REGISTRY_URL"
kconsume -t "$tc" -o 4 -e -s value=avro -r "$REGISTRY_URL" -J >"$work/evolved"
grep -q '"value_schema_id":2,.*"nickname":""}}$' "$work/evolved" || fail "latest schema with a default: $(cat "$work/evolved")"

# The shipped created_users.avsc takes uxform's preset output as it is, and python3-avro
# reads it back to the same values.
tu=avro_cu_$$
kafka_create_topic "$tu" 1
rufetch --synthetic --count 300 --seed 7 | uxform -p created_users >"$work/cu"
run() { RC=0; "$@" || RC=$?; }
run kproduce -t "$tu" --value-format avro --schema "$AIRSTREAM_SRC/schemas/created_users.avsc" --registry "$REGISTRY_URL" <"$work/cu"
[[ $RC == 0 ]] || fail "created_users.avsc refused uxform -p created_users output (exit $RC)"
id=$(curl -fsS "$REGISTRY_URL/subjects/$tu-value/versions/latest" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
kcat -b "$KAFKA_BROKERS" -t "$tu" -C -e -q -f '%R%s' >"$work/curaw"
/usr/bin/python3 "$check" decode "$AIRSTREAM_SRC/schemas/created_users.avsc" "$id" "$work/cu" "$work/curaw" ||
  fail "python3-avro disagrees on created_users"
echo "all checks passed"
