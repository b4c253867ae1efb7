#!/usr/bin/env bash
# pgload and a PostgreSQL restart in the middle of a load: pgload exits 75 with a
# clear message, the batches it reported committed are in the table (no partial
# batch), and a re-run of the whole input in upsert mode completes the table with
# every row exactly once.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/pg.sh"
work=$(mktemp -d)
producer= loader=
cleanup() {
  for p in $producer $loader; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
pg_start
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
check() { [ "$2" = "$3" ] || fail "$1: expected '$3', got '$2'"; }

total=40000
/usr/bin/python3 -c "
import json
with open('in.ndjson', 'w') as f:
    for i in range(1, $total + 1):
        f.write(json.dumps({'id': i, 'payload': 'row %d' % i}) + '\n')
"
pg_psql -c 'create table r (id bigint primary key, payload text)'
mkfifo feed
# The producer writes 1000 records at a time with pauses, so the load takes a while.
/usr/bin/python3 -c "
import sys, time
with open('in.ndjson') as src, open('feed', 'w') as out:
    lines = src.readlines()
    for i in range(0, len(lines), 1000):
        out.write(''.join(lines[i:i + 1000])); out.flush(); time.sleep(0.1)
" 2>/dev/null &
producer=$!
pgload -t r --batch-rows 500 --jobs 1 feed 2>err.txt &
loader=$!
deadline=$((SECONDS + 120))
until [ "$(pg_psql -c 'select count(*) from r')" -ge 3000 ]; do
  [ $SECONDS -lt $deadline ] || fail "no progress: $(cat err.txt)"
  kill -0 $loader 2>/dev/null || fail "pgload ended early: $(cat err.txt)"
  sleep 0.1
done
pg_restart || fail "restart failed"
set +e
wait $loader
rc=$?
set -e
loader=
kill $producer 2>/dev/null || true
wait $producer 2>/dev/null || true
producer=
cat err.txt
check "exit after restart" "$rc" 75
grep -q 'connection to server lost' err.txt || fail "message: $(cat err.txt)"
committed=$(sed -n 's/.*stopped: \([0-9]*\) rows committed.*/\1/p' err.txt)
[ -n "$committed" ] || fail "no summary: $(cat err.txt)"
rows=$(pg_psql -c 'select count(*) from r')
[ "$rows" -lt "$total" ] || fail "the restart happened after the end ($rows rows)"
# Exactly the committed rows; a COMMIT cut off by the restart may or may not have
# taken effect (pgload then reports the batch as not committed).
pending=$(sed -n 's/.*the current batch (\([0-9]*\) record.*/\1/p' err.txt)
[ "$rows" -ge "$committed" ] && [ "$rows" -le $((committed + ${pending:-0})) ] ||
  fail "table has $rows rows, pgload reported $committed committed and ${pending:-0} pending"
# committed batches are whole: the ids present are exactly 1..rows
check "prefix" "$(pg_psql -c 'select max(id) from r')" "$rows"

pgload -t r --mode upsert --key id in.ndjson 2>err.txt || fail "re-run: $(cat err.txt)"
check "after re-run" "$(pg_psql -c 'select count(*), count(distinct id), min(id), max(id) from r')" "$total|$total|1|$total"
check "payloads" "$(pg_psql -c "select count(*) from r where payload = 'row ' || id")" "$total"
cat err.txt
echo ok
