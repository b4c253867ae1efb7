#!/usr/bin/env bash
# SIGTERM / SIGINT in the middle of a batch: pgload stops reading, commits what it
# has read, reports it and exits 143 / 130. The table then holds exactly the records
# read before the signal (a prefix of the input), each once, as many as reported.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/pg.sh"
work=$(mktemp -d)
loader=
cleanup() {
  [ -n "$loader" ] && kill -9 "$loader" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
pg_start
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
check() { [ "$2" = "$3" ] || fail "$1: expected '$3', got '$2'"; }

pg_psql -c 'create table s (id bigint primary key, payload text)'
# An endless-looking but bounded producer (3M records at most) that never pauses, so
# the signal lands while a batch is being filled.
produce() {
  /usr/bin/python3 -c "
import sys
out = sys.stdout
try:
    for base in range(0, 3000000, 1000):
        out.write(''.join('{\"id\": %d, \"payload\": \"p%d\"}\n' % (i, i) for i in range(base + 1, base + 1001)))
except BrokenPipeError:
    pass
" 2>/dev/null
}

for sig in TERM INT; do
  pg_psql -c 'truncate s'
  produce | pgload -t s --batch-rows 20000 2>err.txt &
  loader=$!
  deadline=$((SECONDS + 120))
  until [ "$(pg_psql -c 'select count(*) from s')" -gt 0 ]; do
    [ $SECONDS -lt $deadline ] || fail "no progress: $(cat err.txt)"
    kill -0 $loader 2>/dev/null || fail "pgload ended early: $(cat err.txt)"
    sleep 0.05
  done
  kill -$sig $loader
  set +e
  wait $loader
  rc=$?
  set -e
  loader=
  cat err.txt
  want=143
  [ $sig = INT ] && want=130
  check "exit after SIG$sig" "$rc" "$want"
  committed=$(sed -n 's/.*interrupted: \([0-9]*\) rows committed.*/\1/p' err.txt)
  [ -n "$committed" ] || fail "no summary: $(cat err.txt)"
  rows=$(pg_psql -c 'select count(*) from s')
  check "reported = stored" "$rows" "$committed"
  [ "$rows" -lt 3000000 ] || fail "signal after the end"
  [ $((rows % 20000)) -ne 0 ] || echo "note: the signal arrived between batches"
  check "prefix, each once" "$(pg_psql -c 'select max(id), count(distinct id) from s')" "$rows|$rows"
done
echo ok
