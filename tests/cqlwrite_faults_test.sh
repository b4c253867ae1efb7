#!/usr/bin/env bash
# cqlwrite under faults injected by the CQL test server (3 nodes): Overloaded,
# WriteTimeout, Unavailable and IsBootstrapping are retried; dropped connections, a
# node down, and prepared statements forgotten mid-run (Unprepared -> re-prepare)
# lose nothing; retries running out gives exit 75 with the failed records reported;
# no reachable node gives 69; SIGTERM drains in-flight writes and exits 143 with
# every acknowledged record in the table.
source "$(dirname "$0")/cqlwrite_lib.sh"
cql_start --nodes 3
KS=faults
W=(cqlwrite -H "$CQL_HOSTS" -k "$KS" --concurrency 64 --consistency ONE)
U=("${W[@]}" -t created_users)
"${U[@]}" --create </dev/null 2>/dev/null || fail "create"
users 3000 11 "$T/users.ndjson"

# 1. Each retryable error kind: every row is written, and retries happened.
n=0
for fault in overloaded write_timeout unavailable bootstrapping; do
  n=$((n + 1))
  sed -n "$(((n - 1) * 500 + 1)),$((n * 500))p" "$T/users.ndjson" >"$T/part.ndjson"
  [[ $(cql_cmd "$fault 40") == ok* ]] || fail "server refused '$fault 40'"
  "${U[@]}" --retries 100 "$T/part.ndjson" 2>"$T/err" || fail "$fault: exit $? $(cat "$T/err")"
  grep -q "500 rows written" "$T/err" || fail "$fault: $(cat "$T/err")"
  grep -Eq ', ([4-9][0-9]|[1-9][0-9]{2,}) retries' "$T/err" || fail "$fault: expected >= 40 retries: $(cat "$T/err")"
done

# 2. Dropped connections, Unprepared, and a node going down and up, during one run.
sed -n '2001,3000p' "$T/users.ndjson" >"$T/rest.ndjson"
{
  head -n 250 "$T/rest.ndjson"
  sleep 0.5
  cql_cmd drop >/dev/null
  sed -n '251,500p' "$T/rest.ndjson"
  sleep 0.5
  cql_cmd forget_prepared >/dev/null
  sed -n '501,750p' "$T/rest.ndjson"
  sleep 0.5
  cql_cmd "down 2" >/dev/null
  sed -n '751,1000p' "$T/rest.ndjson"
  sleep 0.5
  cql_cmd "up 2" >/dev/null
} | "${U[@]}" --retries 50 -v 2>"$T/err" || fail "faults run: exit $? $(cat "$T/err")"
grep -q "1000 rows written" "$T/err" || fail "faults run: $(cat "$T/err")"
same_rows "$KS.created_users" "$T/users.ndjson" || fail "rows missing after faults"

# 2b. A node that is down when the run starts: with replication factor 3 the other
# replicas take its rows, it is reconnected in the background. (With RF 1 its rows
# can be written nowhere: Unavailable, as Cassandra answers; see
# tests/cqlwrite_emulation_test.py.)
W3=(cqlwrite -H "$CQL_HOSTS" -k "${KS}_rf3" --concurrency 64 --consistency ONE)
"${W3[@]}" -t late --create --schema 'id uuid PRIMARY KEY, first_name text' \
  --replication "{'class': 'SimpleStrategy', 'replication_factor': 3}" </dev/null 2>/dev/null || fail "create late"
cql_cmd "down 3" >/dev/null
"${W3[@]}" -t late "$T/users.ndjson" 2>"$T/err" || fail "node 3 down: exit $? $(cat "$T/err")"
cql_cmd "up 3" >/dev/null
[[ $(count "${KS}_rf3.late") == 3000 ]] || fail "node 3 down: $(count "${KS}_rf3.late") rows"

# 3. Retries run out: exit 75, the record reported as not written.
printf '%s\n' '{"id":"88888888-8888-4888-8888-888888888888","first_name":"x"}' >"$T/one.ndjson"
cql_cmd "overloaded 100000" >/dev/null
set +e
"${U[@]}" --retries 2 --reject-file "$T/rej.ndjson" "$T/one.ndjson" 2>"$T/err"
rc=$?
set -e
cql_cmd "overloaded 0" >/dev/null || true
[[ $rc == 75 ]] || fail "retries exhausted: exit $rc, want 75: $(cat "$T/err")"
grep -q '"line":1,.*not written: gave up after 3 attempts: Overloaded' "$T/rej.ndjson" ||
  fail "failed record not reported: $(cat "$T/rej.ndjson")"

# 4. No node reachable: 69.
set +e
cqlwrite -H 127.0.0.1:1 -k "$KS" -t created_users --connect-timeout 2s </dev/null 2>"$T/err"
rc=$?
set -e
[[ $rc == 69 ]] || fail "unreachable: exit $rc, want 69: $(cat "$T/err")"

# 5. SIGTERM: stop reading, drain, 143, acknowledged rows are all in the table.
"${W[@]}" -t drained --create --schema 'id uuid PRIMARY KEY, first_name text' </dev/null 2>/dev/null ||
  fail "create drained"
cql_cmd "delay 200" >/dev/null
mkfifo "$T/fifo"
"${W[@]}" -t drained "$T/fifo" 2>"$T/err" &
pid=$!
exec 9>"$T/fifo"
cat "$T/users.ndjson" >&9 &
feeder=$!
deadline=$((SECONDS + 60))
until [[ $(cql_cmd stats | awk -F'"rows_written":' '{ split($2, a, ","); s += a[1] } END { print s + 0 }') -gt 100 ]]; do
  ((SECONDS < deadline)) || fail "no rows written before SIGTERM"
  sleep 0.2
done
kill -TERM "$pid"
set +e
wait "$pid"
rc=$?
set -e
kill "$feeder" 2>/dev/null || true
exec 9>&-
cql_cmd "delay 0" >/dev/null
[[ $rc == 143 ]] || fail "SIGTERM: exit $rc, want 143: $(cat "$T/err")"
acked=$(sed -n 's/.*: \([0-9]*\) rows written.*/\1/p' "$T/err")
[[ -n $acked && $acked -gt 0 && $acked -lt 3000 ]] || fail "SIGTERM summary: $(cat "$T/err")"
[[ $(count "$KS.drained") == "$acked" ]] || fail "table has $(count "$KS.drained") rows, $acked acknowledged"
grep -q "stopped after input line [0-9]" "$T/err" || fail "no resume point reported: $(cat "$T/err")"
echo "cqlwrite_faults_test: ok"
