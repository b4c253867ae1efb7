#!/usr/bin/env bash
# Cluster events: cqlwrite registers for TOPOLOGY_CHANGE and STATUS_CHANGE on one
# control connection, and the test server pushes them when its commands add, stop
# or start a node (as a Cassandra node tells its clients about the others).
# 1. A node added during a run gets connections and the rows of its token ranges
#    (before: it was never used, its rows went through the other nodes).
# 2. A node that hangs (connections open, nothing answered: a crashed host, a
#    network partition) and is reported DOWN by the others gets no more requests:
#    with RF 3 and consistency ONE every row is written with no timeout and no
#    retry (before: each of its rows waited for --timeout, then was retried); once
#    it is reported UP it is used again.
source "$(dirname "$0")/cqlwrite_lib.sh"
pid=
fail() {  # also stops the background cqlwrite
  echo "FAIL: $*" >&2
  [[ -n $pid ]] && kill "$pid" 2>/dev/null
  exit 1
}
users 1500 9 "$T/users.ndjson"
start_run() {  # TABLE ERRFILE: cqlwrite (W) in the background on a fifo, fed through fd 8
  rm -f "$T/fifo"
  mkfifo "$T/fifo"
  "${W[@]}" -t "$1" "$T/fifo" 2>"$2" &
  pid=$!
  exec 8>"$T/fifo"
}
feed() {  # FROM TO: input lines FROM..TO, then a bounded wait until the server counts TO rows
  sed -n "$1,$2p" "$T/users.ndjson" >&8
  for ((i = 0; i < 300 && $(sum rows_written) < $2; i++)); do sleep 0.1; done
}
sum() { cql_cmd stats | jq -s "map(.$1) | add"; }
node_stat() { cql_cmd stats | jq -s ".[$1 - 1].$2"; }
wait_for() {  # PATTERN FILE: bounded wait (30 s) for a line in FILE (what follows checks the outcome)
  local i
  for ((i = 0; i < 300; i++)); do
    grep -q "$1" "$2" && return 0
    sleep 0.1
  done
  echo "note: no '$1' in $2" >&2
}

# 1. A node joins.
cql_start --nodes 2 --joining 1 --vnodes 4
W=(cqlwrite -H "$CQL_HOSTS" -k ev --consistency ONE --concurrency 32)
"${W[@]}" -t joined --create --schema 'id uuid PRIMARY KEY, first_name text' </dev/null 2>/dev/null || fail "create"
start_run joined "$T/err1"
feed 1 300
[[ $(cql_cmd add) == "ok add 3" ]] || fail "add"
wait_for "node 127.0.0.3:$CQL_PORT joined the cluster" "$T/err1"
for ((i = 0; i < 300 && $(node_stat 3 connections) == 0; i++)); do sleep 0.1; done
stray=$(sum rows_not_replica)
sed -n '301,1000p' "$T/users.ndjson" >&8
exec 8>&-
wait "$pid" || fail "run with a joining node: exit $? $(cat "$T/err1")"
[[ $(node_stat 3 rows_written) -gt 0 ]] || fail "the new node got no rows: $(cql_cmd stats) $(cat "$T/err1")"
[[ $(sum rows_not_replica) == "$stray" ]] || fail "rows sent to non-replicas after the join: $(cql_cmd stats)"
[[ $(count ev.joined) == 1000 ]] || fail "rows missing: $(count ev.joined)"
cql_stop

# 2. A node hangs, then comes back.
cql_start --nodes 3
W=(cqlwrite -H "$CQL_HOSTS" -k ev3 --consistency ONE --concurrency 32 --timeout 3s)
"${W[@]}" -t hung --create --replication "{'class': 'SimpleStrategy', 'replication_factor': 3}" \
  --schema 'id uuid PRIMARY KEY, first_name text' </dev/null 2>/dev/null || fail "create rf3"
start_run hung "$T/err2"
feed 1 200
[[ $(cql_cmd "stop 2") == "ok stop 2" ]] || fail "stop 2"
wait_for "node 127.0.0.2:$CQL_PORT is not used.*the cluster reports it DOWN" "$T/err2"
on2=$(node_stat 2 rows_written)
feed 201 700
[[ $(node_stat 2 rows_written) == "$on2" ]] || fail "rows were sent to the hung node"
[[ $(cql_cmd "start 2") == "ok start 2" ]] || fail "start 2"
wait_for "node 127.0.0.2:$CQL_PORT is used again" "$T/err2"
sed -n '701,1500p' "$T/users.ndjson" >&8
exec 8>&-
wait "$pid" || fail "run with a hung node: exit $? $(cat "$T/err2")"
grep -q "1500 rows written.* 0 retries" "$T/err2" || fail "rows waited for a timeout and were retried: $(cat "$T/err2")"
[[ $(node_stat 2 rows_written) -gt $on2 ]] || fail "node 2 not used after UP: $(cql_cmd stats)"
[[ $(count ev3.hung) == 1500 ]] || fail "rows missing: $(count ev3.hung)"
echo "cqlwrite_events_test: ok"
