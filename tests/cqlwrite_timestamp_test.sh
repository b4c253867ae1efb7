#!/usr/bin/env bash
# Client-side write timestamps. Each write carries a timestamp (microseconds,
# strictly increasing in input order, identical across retries), and the test
# server keeps per-cell timestamps and resolves conflicts as Cassandra does
# (higher timestamp wins; on a tie the greater value). So:
# 1. a write that times out and is retried after a later record of the same key
#    has landed does not overwrite the newer value;
# 2. WRITETIME of rows is the client clock in microseconds, increasing in input order;
# 3. with --batch-rows, two records of one row are not put in one batch (one batch
#    timestamp would let the greater value win, not the later record);
# 4. --timestamp-field takes the timestamp from the record (integer microseconds or
#    timestamp text); a record without it is rejected naming the field.
source "$(dirname "$0")/cqlwrite_lib.sh"
cql_start
W=(cqlwrite -H "$CQL_HOSTS" -k ts --consistency ONE)
"${W[@]}" -t t --create --schema 'id int PRIMARY KEY, v text' </dev/null 2>"$T/err" || fail "create: $(cat "$T/err")"

# 1. The first write of key 1 times out (the server answers WriteTimeout without
# applying it) and is retried after the second one landed. One connection keeps
# the order of arrival.
printf '%s\n' '{"id":1,"v":"first"}' '{"id":1,"v":"second"}' >"$T/two.ndjson"
[[ $(cql_cmd "write_timeout 1") == ok* ]] || fail "write_timeout"
"${W[@]}" -t t --connections 1 "$T/two.ndjson" 2>"$T/err" || fail "retry run: exit $? $(cat "$T/err")"
grep -q ", 1 retries" "$T/err" || fail "expected one retry: $(cat "$T/err")"
got=$(cqlq "SELECT v FROM ts.t WHERE id = 1")
[[ $got == '{"v": "second"}' ]] || fail "the retried older write overwrote the newer one: $got"

# 2. Timestamps in microseconds, strictly increasing in input order.
seq 100 300 | jq -c '{id: ., v: "r\(.)"}' >"$T/many.ndjson"
before=$(($(date +%s) * 1000000))
"${W[@]}" -t t "$T/many.ndjson" 2>"$T/err" || fail "many: exit $? $(cat "$T/err")"
after=$((($(date +%s) + 1) * 1000000))
cqlq "SELECT id, writetime(v) AS w FROM ts.t" | jq -s --argjson lo "$before" --argjson hi "$after" '
  map(select(.id >= 100)) | sort_by(.id) | map(.w) as $w
  | (length == 201) and all($w[]; . >= $lo and . <= $hi)
  and ([range(1; length)] | all(. as $i | $w[$i] > $w[$i - 1]))' | grep -qx true ||
  fail "write timestamps not microseconds increasing in input order: $(cqlq "SELECT id, writetime(v) FROM ts.t" | head -3)"

# 3. Batches: one key written five times, values decreasing; the last record wins.
"${W[@]}" -t c --create --schema 'k int, c int, v text, PRIMARY KEY (k, c)' </dev/null 2>/dev/null || fail "create c"
for v in zeta epsilon delta beta alpha; do echo "{\"k\":1,\"c\":1,\"v\":\"$v\"}"; echo "{\"k\":1,\"c\":2,\"v\":\"$v\"}"; done >"$T/batch.ndjson"
"${W[@]}" -t c --batch-rows 10 "$T/batch.ndjson" 2>"$T/err" || fail "batch: exit $? $(cat "$T/err")"
got=$(cqlq "SELECT c, v FROM ts.c WHERE k = 1" | jq -sc 'map(.v)')
[[ $got == '["alpha","alpha"]' ]] || fail "batch mode: later records must win: $got"

# 4. --timestamp-field: the older record (by its field) loses whatever the input order.
cat >"$T/field.ndjson" <<'J'
{"id":7,"v":"newest","wt":1700000000000002}
{"id":7,"v":"older","wt":1700000000000001}
{"id":8,"v":"text newer","wt":"2024-01-02T00:00:00Z"}
{"id":8,"v":"text older","wt":"2024-01-01T00:00:00.5Z"}
{"id":9,"v":"no timestamp"}
J
set +e
"${W[@]}" -t t --timestamp-field wt --reject-file "$T/rej.ndjson" "$T/field.ndjson" 2>"$T/err"
rc=$?
set -e
[[ $rc == 1 ]] || fail "--timestamp-field: exit $rc, want 1 (one rejected): $(cat "$T/err")"
grep -q '"line":5,.*wt: missing' "$T/rej.ndjson" || fail "record without the field: $(cat "$T/rej.ndjson")"
got=$(cqlq "SELECT id, v, writetime(v) AS w FROM ts.t WHERE id = 7" "SELECT id, v, writetime(v) AS w FROM ts.t WHERE id = 8" | jq -sc 'map([.v, .w])')
[[ $got == '[["newest",1700000000000002],["text newer",1704153600000000]]' ]] || fail "--timestamp-field: $got"
echo "cqlwrite_timestamp_test: ok"
