#!/usr/bin/env bash
# pgload against a throw-away PostgreSQL: --create with --schema and append, values
# that need COPY escaping survive byte for byte, column defaults for missing fields,
# type inference, upsert twice = same rows, --on-conflict ignore, --jsonb.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/pg.sh"
pg_test_setup

# 2000 users; every value that COPY text must escape appears somewhere.
/usr/bin/python3 - <<'PY'
import json
odd = ["tab\there", "new\nline", "cr\rhere", "back\\slash", "\\N", "\\.", "quote'\"", "é ü 😀", "", "end\\"]
with open("users.ndjson", "w") as f:
    for i in range(1, 2001):
        rec = {"id": "%08x-0000-4000-8000-%012x" % (i, i), "name": odd[i % len(odd)] + str(i),
               "age": 20 + i % 50, "score": i / 4, "active": i % 2 == 0,
               "registered": "2020-01-%02dT10:00:00.%03dZ" % (1 + i % 28, i % 1000),
               "tags": {"n": i, "s": odd[i % len(odd)]}, "ignored": [1, 2]}
        f.write(json.dumps(rec, ensure_ascii=(i % 3 == 0)) + "\n")
PY

# create + append
pgload -t app_users --create \
  --schema 'id uuid primary key, name text, age integer, score double precision, active boolean, registered timestamptz, tags jsonb, loaded_at timestamptz not null default now()' \
  --batch-rows 300 --jobs 1 users.ndjson 2>err.txt || fail "append exit $? $(cat err.txt)"
check count "$(pg_psql -c 'select count(*) from app_users')" 2000
check defaults "$(pg_psql -c 'select count(*) from app_users where loaded_at is null')" 0
# Byte-exact round trip of every text, number, boolean, jsonb and timestamp value.
want=$(/usr/bin/python3 - <<'PY'
import json, hashlib
rows = [json.loads(l) for l in open("users.ndjson")]
rows.sort(key=lambda r: r["id"])
h = hashlib.md5()
h.update("|".join(r["name"] for r in rows).encode())
print(h.hexdigest(), sum(r["age"] for r in rows), "%.2f" % sum(r["score"] for r in rows), sum(r["active"] for r in rows),
      sum(r["tags"]["n"] for r in rows))
PY
)
got=$(pg_psql -F' ' -c "select md5(string_agg(name, '|' order by id)), sum(age), round(sum(score)::numeric, 2), sum(active::int), sum((tags->>'n')::int) from app_users")
check values "$got" "$want"
check tags "$(pg_psql -c "select tags->>'s' from app_users where id = '00000001-0000-4000-8000-000000000001'")" "new
line"
check timestamps "$(pg_psql -c "select to_char(registered at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') from app_users where id = '00000007-0000-4000-8000-000000000007'")" "2020-01-08 10:00:00.007"
grep -q "2000 rows committed in 7 batches" err.txt || fail "summary: $(cat err.txt)"

# append again without a key: duplicates are refused by the primary key and rejected
set +e
head -n 5 users.ndjson | pgload -t app_users --reject-file rej.ndjson 2>err.txt
rc=$?
set -e
check "duplicate append exit" "$rc" 1
check "duplicate rejects" "$(wc -l < rej.ndjson)" 5
grep -q 'duplicate key value violates unique constraint' rej.ndjson || fail "reject reason: $(head -n1 rej.ndjson)"

# upsert twice = same rows; changed values are updated; --on-conflict ignore keeps them
pg_psql -c 'create table up (id uuid primary key, name text, age int)'
pgload -t up --mode upsert --key id users.ndjson 2>/dev/null || fail "upsert 1"
first=$(pg_psql -c "select count(*), md5(string_agg(id::text || name || age, ',' order by id)) from up")
pgload -t up --mode upsert --key id --batch-rows 128 users.ndjson 2>/dev/null || fail "upsert 2"
check "upsert twice" "$(pg_psql -c "select count(*), md5(string_agg(id::text || name || age, ',' order by id)) from up")" "$first"
# the same key twice in one batch: the last one wins
printf '%s\n' '{"id":"00000001-0000-4000-8000-000000000001","name":"first","age":1}' \
  '{"id":"00000001-0000-4000-8000-000000000001","name":"second","age":2}' > dup.ndjson
pgload -t up --mode upsert --key id dup.ndjson 2>/dev/null || fail "upsert dup"
check "last wins" "$(pg_psql -c "select name, age from up where id = '00000001-0000-4000-8000-000000000001'")" "second|2"
printf '%s\n' '{"id":"00000001-0000-4000-8000-000000000001","name":"third","age":3}' > ign.ndjson
pgload -t up --mode upsert --key id --on-conflict ignore ign.ndjson 2>/dev/null || fail "upsert ignore"
check "ignore" "$(pg_psql -c "select name from up where id = '00000001-0000-4000-8000-000000000001'")" "second"
check "upsert count" "$(pg_psql -c 'select count(*) from up')" 2000

# inference: types from the first records, --map into a nested field, key as primary key
pgload -t inferred --create --infer-rows 100 --map uid=tags.n --key id users.ndjson 2>/dev/null || fail "infer"
check "inferred types" "$(pg_psql -F: -c "select column_name, data_type from information_schema.columns where table_name = 'inferred' order by ordinal_position" | tr '\n' ' ')" \
  "uid:bigint id:uuid name:text age:bigint score:double precision active:boolean registered:timestamp with time zone ignored:jsonb "
check "inferred pk" "$(pg_psql -c "select count(*) from information_schema.table_constraints where table_name = 'inferred' and constraint_type = 'PRIMARY KEY'")" 1
check "inferred rows" "$(pg_psql -c 'select count(*), sum(uid) from inferred')" "2000|2001000"

# --jsonb: the whole record in one column, byte for byte the same JSON value
pgload -t docs --create --jsonb doc users.ndjson 2>/dev/null || fail "jsonb"
check "jsonb" "$(pg_psql -c "select count(*), sum((doc->>'age')::int) from docs")" "2000|$(( $(pg_psql -c 'select sum(age) from app_users') ))"
check "jsonb value" "$(pg_psql -c "select doc->'tags'->>'s' from docs where doc->>'id' = '00000003-0000-4000-8000-000000000003'")" "back\\slash"

# a slow stream is committed after --batch-timeout, without waiting for more input
pg_psql -c 'create table slow (id int primary key)'
mkfifo slow.fifo
exec 7<>slow.fifo
pgload -t slow --batch-timeout 200ms slow.fifo 2>err.txt 7>&- &
slow_pid=$!
printf '{"id":%d}\n' 1 2 3 4 5 >&7
deadline=$((SECONDS + 60))
until [ "$(pg_psql -c 'select count(*) from slow')" = 5 ]; do
  [ $SECONDS -lt $deadline ] || { kill $slow_pid; fail "open batch not committed after --batch-timeout"; }
  sleep 0.1
done
kill -0 $slow_pid || fail "pgload ended before the end of its input"
exec 7>&-
wait $slow_pid || fail "slow stream: $(cat err.txt)"

# no table and no --create: configuration error
set +e
pgload -t missing users.ndjson 2>err.txt
rc=$?
set -e
check "missing table exit" "$rc" 78
grep -q 'does not exist' err.txt || fail "missing table message"
echo "ok"
