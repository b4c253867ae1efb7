#!/usr/bin/env bash
# pgload --jobs N: several connections load batches in parallel and every guarantee
# of a sequential load holds: the same rows as --jobs 1; upsert twice = the same rows
# (rows of one key go to one job, in input order: the last occurrence wins); rows the
# server refuses in any job are rejected with their own line numbers; SIGTERM commits
# what every job was given (exit 143, reported = stored); after kill -9 mid-load an
# upsert re-run completes the table; --jobs 0 is a usage error.
source "$AIRSTREAM_SRC/tests/lib/common.sh"
source "$AIRSTREAM_SRC/tests/lib/pg.sh"
loader=
on_exit '[ -n "$loader" ] && kill -9 "$loader"'
pg_start
cd "$TMP"
die() { fail "$*"; finish; }
is() { expect_eq "$1" "$3" "$2"; }
# loading TABLE: the running load has committed rows to TABLE (and still runs).
loading() { kill -0 "$loader" && [ "$(pg_psql -c "select count(*) from $1")" -gt 0 ]; }

# 20000 records over 5000 keys: each key occurs 4 times, the last one wins.
/usr/bin/python3 - <<'PY'
import json
with open("in.ndjson", "w") as f:
    for i in range(1, 20001):
        k = (i * 7919) % 5000 + 1
        f.write(json.dumps({"id": k, "v": "line %d" % i, "n": i}) + "\n")
PY
sum() { pg_psql -c "select count(*), md5(string_agg(id || '|' || v || '|' || n, ',' order by id)) from $1"; }
for t in seq par; do pg_psql -c "create table $t (id bigint primary key, v text, n bigint)"; done
pgload -t seq --mode upsert --key id --jobs 1 --batch-rows 700 in.ndjson 2>err.txt || die "seq: $(cat err.txt)"
pgload -t par --mode upsert --key id --jobs 3 --batch-rows 700 in.ndjson 2>err.txt || die "par: $(cat err.txt)"
is "jobs 3 = jobs 1" "$(sum par | sed 's/^/x/')" "$(sum seq | sed 's/^/x/')"
is "last wins" "$(pg_psql -c "select count(*) from par p where n = (select max(n) from par where id = p.id)")" 5000
before=$(sum par)
pgload -t par --mode upsert --key id --jobs 3 --batch-rows 333 in.ndjson 2>err.txt || die "par again: $(cat err.txt)"
is "upsert twice" "$(sum par)" "$before"

# Refused rows in several jobs: each rejected with its line, every other row stored.
pg_psql -c "create table rj (id bigint primary key, v varchar(8), n bigint check (n <> -13))"
/usr/bin/python3 - <<'PY'
import json
bad = {5, 999, 1000, 4321, 7777, 11111, 15000, 19999}
with open("rj.ndjson", "w") as f:
    for i in range(1, 20001):
        v = "too long for varchar" if i in bad else "v%d" % (i % 1000)
        n = -13 if i in (2500, 12500) else i
        f.write(json.dumps({"id": i, "v": v, "n": n}) + "\n")
PY
set +e
pgload -t rj --jobs 3 --batch-rows 500 --reject-file rej.ndjson rj.ndjson 2>err.txt
rc=$?
set -e
is "reject exit" "$rc" 1
is "reject lines" "$(jq -r .line rej.ndjson | sort -n | tr '\n' ' ')" "5 999 1000 2500 4321 7777 11111 12500 15000 19999 "
is "reject ids = lines" "$(jq -r '.record | fromjson | .id' rej.ndjson | sort -n | tr '\n' ' ')" \
  "5 999 1000 2500 4321 7777 11111 12500 15000 19999 "
jq -r 'select(.line == 2500) | .error' rej.ndjson | grep -q 'check constraint' || die "reason 2500"
jq -r 'select(.line == 999) | .error' rej.ndjson | grep -q 'longer than character varying(8) holds' || die "reason 999"
is "stored" "$(pg_psql -c 'select count(*), sum(n) from rj')" "19990|$((20000 * 20001 / 2 - 5 - 999 - 1000 - 2500 - 4321 - 7777 - 11111 - 12500 - 15000 - 19999))"

# SIGTERM with several jobs: what was read is committed, each record once, a prefix.
pg_psql -c 'create table s (id bigint primary key, payload text)'
/usr/bin/python3 -c "
import sys
try:
    for base in range(0, 3000000, 1000):
        sys.stdout.write(''.join('{\"id\": %d, \"payload\": \"p%d\"}\n' % (i, i) for i in range(base + 1, base + 1001)))
except BrokenPipeError:
    pass
" 2>/dev/null | pgload -t s --jobs 3 --batch-rows 5000 2>err.txt &
loader=$!
wait_for 120 loading s || die "no progress: $(cat err.txt)"
kill -TERM $loader
run wait $loader
loader=
cat err.txt
is "exit after SIGTERM" "$RC" 143
committed=$(sed -n 's/.*interrupted: \([0-9]*\) rows committed.*/\1/p' err.txt)
[ -n "$committed" ] || die "no summary: $(cat err.txt)"
rows=$(pg_psql -c 'select count(*) from s')
is "reported = stored" "$rows" "$committed"
is "prefix, each once" "$(pg_psql -c 'select max(id), count(distinct id) from s')" "$rows|$rows"

# kill -9 in the middle of a parallel upsert: whole batches stay, a re-run completes.
/usr/bin/python3 -c "
import json
with open('big.ndjson', 'w') as f:
    for i in range(1, 300001):
        f.write(json.dumps({'id': i, 'payload': 'row %d' % i}) + '\n')
"
pg_psql -c 'create table k (id bigint primary key, payload text)'
pgload -t k --mode upsert --key id --jobs 3 --batch-rows 2000 big.ndjson 2>err.txt &
loader=$!
wait_for 120 loading k || die "no progress: $(cat err.txt)"
kill -9 $loader
wait $loader 2>/dev/null || true
loader=
rows=$(pg_psql -c 'select count(*) from k')
echo "killed after $rows rows"
pgload -t k --mode upsert --key id --jobs 3 big.ndjson 2>err.txt || die "re-run: $(cat err.txt)"
is "after re-run" "$(pg_psql -c 'select count(*), count(distinct id), min(id), max(id) from k')" "300000|300000|1|300000"
is "payloads" "$(pg_psql -c "select count(*) from k where payload = 'row ' || id")" 300000

# --jobs must be auto or 1..64
set +e
printf '{"id":1}\n' | pgload -t k --jobs 0 2>err.txt
rc=$?
set -e
is "jobs 0" "$rc" 64
grep -q -- '--jobs' err.txt || die "jobs message: $(cat err.txt)"
finish
