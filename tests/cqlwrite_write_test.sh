#!/usr/bin/env bash
# cqlwrite end to end: --create of the created_users layout, 2000 synthetic users
# read back with the Python driver field by field; every CQL type converted from JSON
# and read back; conversion and server rejects with line numbers; unset vs null;
# --map/--strict; same-partition unlogged batches (a refused batch is split so only
# the bad row is rejected); usage/config exit codes. Runs against $CQL_HOSTS when it
# names a real cluster, else against the in-memory test server.
source "$(dirname "$0")/cqlwrite_lib.sh"
if [[ -n $REAL_CQL_HOSTS ]]; then
  export CQL_HOSTS=$REAL_CQL_HOSTS
else
  cql_start --nodes 1
fi
KS=cqlwrite_t$$
W=(cqlwrite -H "$CQL_HOSTS" -k "$KS" --consistency ONE)

# 1. created_users: --create, write, read back.
users 2000 7 "$T/users.ndjson"
"${W[@]}" -t created_users --create "$T/users.ndjson" 2>"$T/err" || fail "write: $(cat "$T/err")"
grep -q "2000 rows written" "$T/err" || fail "summary: $(cat "$T/err")"
same_rows "$KS.created_users" "$T/users.ndjson" || fail "read-back differs"
# Writing the same input again is an idempotent upsert.
"${W[@]}" -t created_users "$T/users.ndjson" 2>/dev/null || fail "rewrite"
[[ $(count "$KS.created_users") == 2000 ]] || fail "rewrite changed the row count"

# 2. Every type, and rejects with line numbers.
schema='id uuid, ck int, a ascii, bi bigint, bl blob, bo boolean, da date, de decimal, do double, fl float,
  ine inet, si smallint, te text, ti time, ts timestamp, tu timeuuid, tiny tinyint, vi varint,
  li list<int>, se set<text>, ma map<text, int>, tu2 frozen<tuple<int, text>>, PRIMARY KEY ((id), ck)'
cat >"$T/types.ndjson" <<'EOF2'
{"id":"11111111-1111-4111-8111-111111111111","ck":1,"a":"ascii","bi":-9000000000,"bl":"0xcafe","bo":true,"da":"2024-02-29","de":"-12.50","do":2.5,"fl":1.25,"ine":"10.1.2.3","si":-300,"te":"héllo","ti":"12:34:56.789","ts":"2024-01-02T03:04:05.678Z","tu":"5c3a1f4e-9b1e-11ee-8c90-0242ac120002","tiny":7,"vi":"123456789012345678901234567890","li":[3,1,2],"se":["b","a"],"ma":{"k":1},"tu2":[5,"five"]}
{"id":"not-a-uuid","ck":2}
{"id":"22222222-2222-4222-8222-222222222222","ck":3,"si":70000}
this is not json
{"id":"33333333-3333-4333-8333-333333333333","te":"no clustering key"}
{"ck":6,"te":"no partition key"}
{"id":"44444444-4444-4444-8444-444444444444","ck":7,"ts":1700000000123,"bl":"aGVsbG8=","ine":"::1","da":0}
{"id":"55555555-5555-4555-8555-555555555555","ck":8,"li":[1,null]}
{"id":"66666666-6666-4666-8666-666666666666","ck":9,"ts":"2024-01-02T03:04:05.6781Z"}
{"id":"66666666-6666-4666-8666-666666666666","ck":10,"ti":"12:34:56.1234567891"}
{"id":"66666666-6666-4666-8666-666666666666","ck":11,"ts":"2024-01-02T03:04:05.678000Z","ti":"12:34:56.1234567890"}
EOF2
set +e
"${W[@]}" -t types --create --schema "$schema" --reject-file "$T/rej.ndjson" "$T/types.ndjson" 2>"$T/err"
rc=$?
set -e
[[ $rc == 1 ]] || fail "types: exit $rc, want 1: $(cat "$T/err")"
[[ $(wc -l <"$T/rej.ndjson") == 8 ]] || fail "want 8 rejects: $(cat "$T/rej.ndjson")"
rej_has() { grep "\"line\":$1," "$T/rej.ndjson" | grep -q -- "$2" || fail "line $1: want '$2' in $(cat "$T/rej.ndjson")"; }
rej_has 2 'id: expected uuid, got \\"not-a-uuid\\"'
rej_has 3 'si: expected smallint, got 70000 (out of range)'
rej_has 4 'invalid JSON'
rej_has 5 'server: Invalid'
rej_has 6 'id: missing (partition key column)'
rej_has 8 'li: null element in list<int>'
# Finer than the type keeps: rejected, not truncated (trailing zeros are not finer).
rej_has 9 'ts: expected timestamp, got \\"2024-01-02T03:04:05.6781Z\\" (finer than the millisecond a timestamp keeps'
rej_has 10 'ti: expected time, got \\"12:34:56.1234567891\\"'
cqlq "SELECT * FROM $KS.types WHERE id = 11111111-1111-4111-8111-111111111111 AND ck = 1" >"$T/row1"
/usr/bin/python3 - "$T/row1" <<'PY' || fail "type read-back: $(cat "$T/row1")"
import json, sys
r = json.loads(open(sys.argv[1]).read())
want = {"a": "ascii", "bi": -9000000000, "bl": "b'\\xca\\xfe'", "bo": True, "da": "2024-02-29",
        "de": "-12.50", "do": 2.5, "fl": 1.25, "ine": "10.1.2.3", "si": -300, "te": "héllo",
        "ti": "12:34:56.789000000", "ts": "2024-01-02 03:04:05.678000", "tu": "5c3a1f4e-9b1e-11ee-8c90-0242ac120002",
        "tiny": 7, "vi": 123456789012345678901234567890, "li": [3, 1, 2], "se": "SortedSet(['a', 'b'])",
        "ma": "{'k': 1}", "tu2": [5, "five"]}
bad = [(k, v, r.get(k)) for k, v in want.items() if r.get(k) != v]
for b in bad: print("column %s: want %r got %r" % b)
sys.exit(1 if bad else 0)
PY
cqlq "SELECT ts, ti FROM $KS.types WHERE id = 66666666-6666-4666-8666-666666666666 AND ck = 11" | grep -q \
  '"ti": "12:34:56.123456789", "ts": "2024-01-02 03:04:05.678000"' ||
  fail "trailing zeros read-back: $(cqlq "SELECT ts, ti FROM $KS.types WHERE id = 66666666-6666-4666-8666-666666666666 AND ck = 11")"
cqlq "SELECT ts, bl, ine, da FROM $KS.types WHERE id = 44444444-4444-4444-8444-444444444444 AND ck = 7" | grep -q \
  '"bl": "b'"'"'hello'"'"'", "da": "1970-01-01", "ine": "::1", "ts": "2023-11-14 22:13:20.123000"' ||
  fail "epoch/base64/ipv6 read-back: $(cqlq "SELECT ts, bl, ine, da FROM $KS.types WHERE id = 44444444-4444-4444-8444-444444444444 AND ck = 7")"

# 3. A missing field is unset (keeps the stored value), JSON null writes null.
printf '%s\n' '{"id":"66666666-6666-4666-8666-666666666666","ck":1,"te":"first","bi":5}' |
  "${W[@]}" -t types 2>/dev/null || fail "unset setup"
printf '%s\n' '{"id":"66666666-6666-4666-8666-666666666666","ck":1,"te":null}' |
  "${W[@]}" -t types 2>/dev/null || fail "unset write"
got=$(cqlq "SELECT te, bi FROM $KS.types WHERE id = 66666666-6666-4666-8666-666666666666 AND ck = 1")
[[ $got == '{"bi": 5, "te": null}' ]] || fail "unset/null: got $got"

# 4. --map and --strict.
printf '%s\n' '{"uuid":"77777777-7777-4777-8777-777777777777","fname":"Ann","extra":1}' >"$T/map.ndjson"
"${W[@]}" -t created_users --map id=uuid --map first_name=fname "$T/map.ndjson" 2>/dev/null || fail "--map"
got=$(cqlq "SELECT first_name FROM $KS.created_users WHERE id = 77777777-7777-4777-8777-777777777777")
[[ $got == '{"first_name": "Ann"}' ]] || fail "--map read-back: $got"
set +e
"${W[@]}" -t created_users --map id=uuid --strict "$T/map.ndjson" 2>"$T/err"
rc=$?
set -e
[[ $rc == 1 ]] && grep -q 'line 1' "$T/err" && grep -q 'fname: no column for this field' "$T/err" ||
  fail "--strict: exit $rc $(cat "$T/err")"

# 5. Unlogged batches of one partition; a bad row in a batch is the only reject.
"${W[@]}" -t events --create --schema 'p text, c int, v text, PRIMARY KEY (p, c)' </dev/null 2>/dev/null ||
  fail "create events"
for i in $(seq 1 600); do
  if [[ $i == 300 ]]; then echo '{"p":"p3","v":"no clustering key"}'; else printf '{"p":"p%d","c":%d,"v":"x%d"}\n' $((i % 10)) "$i" "$i"; fi
done >"$T/events.ndjson"
set +e
"${W[@]}" -t events --batch-rows 25 --reject-file "$T/rej2.ndjson" "$T/events.ndjson" 2>"$T/err"
rc=$?
set -e
[[ $rc == 1 ]] || fail "batch: exit $rc $(cat "$T/err")"
[[ $(wc -l <"$T/rej2.ndjson") == 1 ]] && grep -q '"line":300,' "$T/rej2.ndjson" || fail "batch rejects: $(cat "$T/rej2.ndjson")"
[[ $(count "$KS.events") == 599 ]] || fail "batch rows: $(count "$KS.events")"
[[ $(cqlq "SELECT count(*) FROM $KS.events WHERE p = 'p7'") == '{"count": 60}' ]] || fail "partition p7"

# 6. --ttl is accepted; exit codes for usage and configuration errors.
printf '%s\n' '{"p":"ttl","c":1,"v":"x"}' | "${W[@]}" -t events --ttl 3600 2>/dev/null || fail "--ttl"
set +e
cqlwrite -H "$CQL_HOSTS" -t x </dev/null 2>/dev/null
[[ $? == 64 ]] || fail "missing -k: want 64"
"${W[@]}" -t created_users --map nosuch=x </dev/null 2>/dev/null
[[ $? == 64 ]] || fail "--map unknown column: want 64"
"${W[@]}" -t no_such_table </dev/null 2>/dev/null
[[ $? == 78 ]] || fail "missing table: want 78"
set -e
cqlq "DROP KEYSPACE $KS" >/dev/null || true
echo "cqlwrite_write_test: ok"
