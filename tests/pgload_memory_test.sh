#!/usr/bin/env bash
# pgload's memory stays bounded whatever the input size: 150k randomuser-shaped
# users (~200 MB of NDJSON) load with a peak RSS under 50 MB, in batches.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/pg.sh"
pg_test_setup

n=150000
rufetch --synthetic --seed 7 --count $n >users.ndjson
size=$(stat -c %s users.ndjson)
[ "$size" -gt 150000000 ] || fail "input too small for the test: $size bytes"
pg_psql -c 'create table m (id uuid primary key, email text, phone text, born timestamptz)'
/usr/bin/time -v -o time.txt pgload -t m --map id=login.uuid --map born=dob.date users.ndjson 2>err.txt \
  || fail "pgload: $(cat err.txt)"
rss_kb=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' time.txt)
echo "input $size bytes, peak RSS ${rss_kb} KB"
[ "$(pg_psql -c 'select count(*) from m')" = "$n" ] || fail "row count"
[ "$rss_kb" -lt 51200 ] || fail "peak RSS ${rss_kb} KB >= 50 MB"
echo ok
