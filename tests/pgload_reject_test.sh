#!/usr/bin/env bash
# pgload rejects: records refused on the client (type conversion, NUL characters,
# broken JSON, --strict) and rows refused by the server (length limit, CHECK and
# primary key violations, isolated by bisection) land in the reject file with their
# line numbers and reasons; every other row is loaded. Hostile identifiers and values
# are just names and data. --max-errors stops with exit 65.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/pg.sh"
pg_test_setup

pg_psql -c 'create table t (id bigint primary key, name varchar(8), code int check (code > 0), u uuid)'
# 500 records; the bad ones at known lines (1-based): server-side 3 (too long),
# 10 (check), 50 and 333 (duplicate id), client-side 77 (bigint), 100 (NUL), 120 (not
# JSON), 150 (uuid), 151 (int range), 400 (not an object).
/usr/bin/python3 - <<'PY'
import json
lines = []
for i in range(1, 501):
    rec = {"id": i, "name": "n%d" % i, "code": i, "u": "%08x-1111-4111-8111-%012x" % (i, i)}
    if i == 3: rec["name"] = "far too long for eight"
    if i == 10: rec["code"] = -1
    if i in (50, 333): rec["id"] = 1
    if i == 77: rec["id"] = "seventy-seven"
    if i == 100: rec["name"] = "nul\u0000byte"
    if i == 150: rec["u"] = "not-a-uuid"
    if i == 151: rec["code"] = 2**40
    line = json.dumps(rec)
    if i == 120: line = '{"id": 120, "name": '
    if i == 400: line = '[400]'
    lines.append(line)
open("in.ndjson", "w").write("\n".join(lines) + "\n")
PY
set +e
pgload -t t --batch-rows 64 --reject-file rej.ndjson in.ndjson 2>err.txt
rc=$?
set -e
check "exit" "$rc" 1
check "rows" "$(pg_psql -c 'select count(*) from t')" 490
check "reject lines" "$(jq -r .line rej.ndjson | sort -n | tr '\n' ' ')" "3 10 50 77 100 120 150 151 333 400 "
reason() { jq -r "select(.line == $1) | .error" rej.ndjson; }
reason 3 | grep -q 'is 22 characters, longer than character varying(8) holds' || fail "reason 3: $(reason 3)"
reason 10 | grep -q 'violates check constraint' || fail "reason 10: $(reason 10)"
reason 50 | grep -q 'duplicate key value violates unique constraint' || fail "reason 50: $(reason 50)"
reason 77 | grep -q '^id: expected bigint, got string "seventy-seven"' || fail "reason 77: $(reason 77)"
reason 100 | grep -q '^name: string contains a NUL' || fail "reason 100: $(reason 100)"
reason 150 | grep -q '^u: invalid uuid' || fail "reason 150: $(reason 150)"
reason 151 | grep -q '^code: value 1099511627776 out of range for integer' || fail "reason 151: $(reason 151)"
[ -n "$(reason 120)" ] || fail "reason 120 empty"
check "raw record kept" "$(jq -r 'select(.line == 10) | .record' rej.ndjson | jq -c .code)" "-1"
# every good row is there, with its own values
check "good rows" "$(pg_psql -c "select count(*) from t where name = 'n' || id and code = id")" 490
check "summary" "$(grep -c '490 rows committed' err.txt)" 1

# the same in upsert mode: bad rows isolated through the staging table; a key seen
# again (lines 50 and 333 carry id 1) updates the row instead of being refused
pg_psql -c 'truncate t'
set +e
pgload -t t --mode upsert --key id --batch-rows 64 --reject-file rej_up.ndjson in.ndjson 2>err.txt
rc=$?
set -e
check "upsert exit" "$rc" 1
check "upsert reject lines" "$(jq -r .line rej_up.ndjson | sort -n | tr '\n' ' ')" "3 10 77 100 120 150 151 400 "
check "upsert rows" "$(pg_psql -c 'select count(*) from t')" 490
check "upsert last wins" "$(pg_psql -c 'select name, code from t where id = 1')" "n333|333"
jq -r 'select(.line == 3) | .error' rej_up.ndjson | grep -q 'longer than character varying(8)' || fail "upsert reason 3"

# --max-errors: exit 65 once exceeded; rows before that are committed
pg_psql -c 'truncate t'
set +e
pgload -t t --batch-rows 1000 --max-errors 2 --reject-file rej2.ndjson in.ndjson 2>err.txt
rc=$?
set -e
check "max-errors exit" "$rc" 65

# --strict: a field with no column is a reject
pg_psql -c 'truncate t'
printf '%s\n' '{"id":1,"name":"a"}' '{"id":2,"name":"b","extra":true}' > strict.ndjson
set +e
pgload -t t --strict --reject-file rej3.ndjson strict.ndjson 2>/dev/null
rc=$?
set -e
check "strict exit" "$rc" 1
check "strict reject" "$(jq -r '"\(.line) \(.error)"' rej3.ndjson)" '2 unknown field "extra" (--strict)'

# Hostile identifiers (schema, table, columns) and values: created, loaded, and
# nothing else happens (the sentinel table survives).
pg_psql -c 'create table sentinel (x int); insert into sentinel values (42)'
pg_psql -c 'create schema "we.ird"'
/usr/bin/python3 - <<'PY'
import json
recs = [{'a"; drop table sentinel; --': "v%d" % i, "select": i, "Mixed Case": "'); drop table sentinel; --",
         "tab\tkey": "\\.\n\\N", "ünï": "\t"} for i in range(1, 101)]
open("hostile.ndjson", "w").write("".join(json.dumps(r) + "\n" for r in recs))
PY
pgload -t '"we.ird"."Ta""ble; drop table sentinel"' --create hostile.ndjson 2>err.txt || fail "hostile: $(cat err.txt)"
check "sentinel" "$(pg_psql -c 'select x from sentinel')" 42
check "hostile columns" "$(pg_psql -c "select string_agg(column_name, '|' order by ordinal_position) from information_schema.columns where table_schema = 'we.ird'")" \
  "$(printf 'a"; drop table sentinel; --|select|Mixed Case|tab\tkey|ünï')"
check "hostile rows" "$(pg_psql -c 'select count(*), sum("select") from "we.ird"."Ta""ble; drop table sentinel"')" "100|5050"
cat > hostile.sql <<'SQL'
select md5(string_agg("Mixed Case" || '|' || "tab	key" || '|' || "ünï", ',' order by "select"))
  from "we.ird"."Ta""ble; drop table sentinel"
SQL
want=$(/usr/bin/python3 -c '
import hashlib
print(hashlib.md5(",".join(["\x27); drop table sentinel; --|\\.\n\\N|\t"] * 100).encode()).hexdigest())')
check "hostile values" "$(pg_psql -f hostile.sql)" "$want"
# and again in upsert mode through the staging table
pgload -t '"we.ird"."Ta""ble; drop table sentinel"' --mode upsert --key select hostile.ndjson 2>err.txt \
  && fail "upsert without a unique key must fail" || true
grep -q 'ON CONFLICT' err.txt || fail "no-unique-key message: $(cat err.txt)"
echo ok
