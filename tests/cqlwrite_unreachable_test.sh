#!/usr/bin/env bash
# A cluster that goes away in the middle of a run ends it in bounded time with exit
# 69 and a message, whatever --retries says, and loses nothing acknowledged:
# 1. the node's process is gone (connections closed, new ones refused);
# 2. the node hangs (connections stay open, nothing is answered, no FIN, no RST).
# Input keeps flowing (a pipe that is never closed), so only cqlwrite can end the
# run. After the node is back, every record read before the stop is in the table
# or reported "not written", and every row cqlwrite counted as written is there.
# (Before: the writes waited for a node --timeout at a time, --retries times over,
# and in the hung case the stream ids of the unanswered requests ran out: the run
# never ended.)
source "$(dirname "$0")/cqlwrite_lib.sh"
pid=
fail() {  # also stops the background cqlwrite
  echo "FAIL: $*" >&2
  [[ -n $pid ]] && kill -9 "$pid" 2>/dev/null
  exit 1
}
users 400 21 "$T/users.ndjson"
sum() { cql_cmd stats | jq -s "map(.$1) | add"; }

# check_case FAULT RESUME: FAULT ("down 1" or "stop 1") while cqlwrite runs; RESUME
# brings the node back.
check_case() {
  local fault=$1 resume=$2 tbl=${1% *} i rc
  "${W[@]}" -t "$tbl" --create --schema 'id uuid PRIMARY KEY, first_name text' </dev/null 2>/dev/null ||
    fail "create $tbl"
  rm -f "$T/fifo" "$T/rej.ndjson"
  mkfifo "$T/fifo"
  "${W[@]}" -t "$tbl" --reject-file "$T/rej.ndjson" "$T/fifo" 2>"$T/err" &
  pid=$!
  exec 8>"$T/fifo"
  sed -n '1,200p' "$T/users.ndjson" >&8
  for ((i = 0; i < 300 && $(sum rows_written) < 200; i++)); do sleep 0.1; done
  [[ $(cql_cmd "$fault") == "ok $fault" ]] || fail "$fault"
  sed -n '201,300p' "$T/users.ndjson" >&8 # (under the pipe's buffer size: never blocks)
  # Bounded wait: the run must end on its own (--timeout is 2 s; allow for load).
  for ((i = 0; i < 900; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    fail "$fault: cqlwrite still running 90 s after the cluster went away: $(tail -n 3 "$T/err")"
  fi
  set +e
  wait "$pid"
  rc=$?
  set -e
  pid=
  exec 8>&-
  [[ $rc == 69 ]] || fail "$fault: exit $rc, want 69: $(tail -n 5 "$T/err")"
  grep -q "error: no node of the cluster could be reached for 2s (--timeout); rerun with the same input" "$T/err" ||
    fail "$fault: no message: $(tail -n 5 "$T/err")"
  grep -q '"error":"not written: no node is available (127.0.0.1:' "$T/rej.ndjson" ||
    fail "$fault: failed records not reported with the node: $(head -c 600 "$T/rej.ndjson")"
  # With one node, no message may say that its rows go elsewhere.
  if grep -q "go through other nodes" "$T/err"; then
    fail "$fault: claims another node takes the rows: $(grep 'is not used' "$T/err" | head -n 1)"
  fi
  if [[ $fault == down* ]]; then
    grep -q "is not used (no other node is connected: writes wait for one;" "$T/err" ||
      fail "$fault: no notice that the only node is gone: $(tail -n 5 "$T/err")"
  fi
  [[ $(cql_cmd "$resume") == "ok $resume" ]] || fail "$resume"
  local written last
  written=$(sed -n 's/.* \([0-9][0-9]*\) rows written to .*/\1/p' "$T/err")
  last=$(sed -n 's/.*stopped after input line \([0-9][0-9]*\):.*/\1/p' "$T/err")
  [[ -n $written && -n $last ]] || fail "$fault: no summary or resume point: $(tail -n 5 "$T/err")"
  (( written >= 200 )) || fail "$fault: only $written rows written before the fault"
  # Every record up to the resume point is in the table or reported; every row
  # counted as written is in the table.
  /usr/bin/python3 - "$tbl" "$T/users.ndjson" "$T/rej.ndjson" "$last" "$written" <<'PY' || fail "$fault: records lost"
import json, os, sys
from cassandra.cluster import Cluster
h, p = os.environ["CQL_HOSTS"].split(",")[0].rsplit(":", 1)
c = Cluster([h], port=int(p))
s = c.connect()
stored = {str(r.id) for r in s.execute("SELECT id FROM gone." + sys.argv[1])}
reported = {json.loads(l)["line"] for l in open(sys.argv[3])}
last, written = int(sys.argv[4]), int(sys.argv[5])
lost = []
for n, line in enumerate(open(sys.argv[2]), 1):
    if n <= last and json.loads(line)["id"] not in stored and n not in reported:
        lost.append(n)
if lost or len(stored) < written:
    print("lines neither stored nor reported:", lost[:10], "table rows", len(stored), "counted written", written)
    sys.exit(1)
PY
}

cql_start --nodes 1
W=(cqlwrite -H "$CQL_HOSTS" -k gone --consistency ONE --concurrency 32 --timeout 2s --retries 1000)
check_case "down 1" "up 1"
check_case "stop 1" "start 1"
echo "cqlwrite_unreachable_test: ok"
