#!/usr/bin/env bash
# pgload and numeric columns (issue 17: no value stored differently from its input):
# numeric(p,s) would round a value with more fraction digits than s, so such a value
# is a reject naming the field, the type and the value, as is one beyond the
# precision or beyond plain numeric's limits; every other value is stored exactly,
# (numeric columns always go as COPY text: binary has no numeric encoder here).
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/pg.sh"
pg_test_setup

# Line i has id i; the bad lines are 3, 4, 5, 7 and 8.
cat >in.ndjson <<'JSON'
{"id":1,"m":1.25,"w":7,"p":1e400}
{"id":2,"m":"-99999999.99","w":"12","p":-1.5e-300}
{"id":3,"m":1.235,"w":1}
{"id":4,"m":1,"w":1.5}
{"id":5,"m":100000000,"w":1}
{"id":6,"m":125e-2,"w":1e2,"p":0.10}
{"id":7,"m":"0.001","w":1}
{"id":8,"m":1,"w":1,"p":1e-20000}
JSON
for format in text auto; do  # (binary COPY has no numeric encoder: auto is text)
  pg_psql -c "drop table if exists t; create table t (id bigint primary key, m numeric(10,2), w numeric(5), p numeric)"
  set +e
  pgload -t t --format "$format" --reject-file rej.ndjson in.ndjson 2>err.txt
  rc=$?
  set -e
  check "$format: exit" "$rc" 1
  check "$format: reject lines" "$(jq -r .line rej.ndjson | tr '\n' ' ')" "3 4 5 7 8 "
  check "$format: reason" "$(jq -r 'select(.line == 3) | .error' rej.ndjson)" \
    "m: value 1.235 has more digits after the decimal point than the column's scale (would be rounded) for numeric(10,2)"
  check "$format: reason 5" "$(jq -r 'select(.line == 5) | .error' rej.ndjson)" "m: value 100000000 out of range for numeric(10,2)"
  check "$format: reason 8" "$(jq -r 'select(.line == 8) | .error' rej.ndjson)" "p: value 1e-20000 out of range for numeric"
  check "$format: stored" "$(pg_psql -c "select id, m, w, p = 1e400 or p = -1.5e-300 or p = 0.10 from t order by id" | tr '\n|' ' ,')" \
    "1,1.25,7,t 2,-99999999.99,12,t 6,1.25,100,t "
done
echo "ok"
