# Shared setup of the whole-pipeline tests (sourced, not a test itself): a temp dir,
# the development Kafka cluster and the CQL test server helpers, background
# processes killed at exit, flattened synthetic users produced to a topic, and the
# table read back through the DataStax Python driver (an independent client).
set -euo pipefail
: "${AIRSTREAM_SRC:?}" "${AIRSTREAM_BIN:?}"
export PATH="$AIRSTREAM_BIN:$PATH"
unset CQL_HOSTS KAFKA_BROKERS
T=$(mktemp -d /tmp/pipeline-test.XXXXXX)
BG_PIDS=()
pipeline_cleanup() {
  local p
  for p in "${BG_PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  for p in "${BG_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$T"
}
trap pipeline_cleanup EXIT
source "$AIRSTREAM_SRC/tests/lib/cql.sh"
source "$AIRSTREAM_SRC/tests/lib/kafka.sh"
KS=spark_streams
# The mock cluster lets a group rejoin only after the dead member's session expired.
KX=(-X session.timeout.ms=6000 -X heartbeat.interval.ms=500)

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# bg CMD...: runs CMD in the background, killed at exit; its pid is in $BG.
bg() {
  "$@" &
  BG=$!
  BG_PIDS+=("$BG")
}

# out_count FILE: records_out of the last --stats line in FILE (0 before any).
out_count() { grep -o '"records_out":[0-9]*' "$1" 2>/dev/null | tail -n 1 | awk -F: '{n = $2} END {print n + 0}'; }

# wait_until SECONDS WHAT COMMAND...: bounded wait until COMMAND succeeds.
wait_until() {
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@"; do
    ((SECONDS < deadline)) || fail "no $what within the bounded wait"
    sleep 0.2
  done
}

# users N SEED FILE: N flattened created_users records; their ids go to FILE.ids.
users() {
  rufetch --synthetic --seed "$2" --count "$1" | uxform --preset created_users >"$3"
  [[ $(wc -l <"$3") -eq $1 ]] || fail "could not make $1 users"
  jq -r .id <"$3" | sort -u >"$3.ids"
  [[ $(wc -l <"$3.ids") -eq $1 ]] || fail "synthetic ids are not unique"
}

# raw_users N SEED FILE: N raw users as rufetch writes them; the ids of their flattened
# records go to FILE.ids.
raw_users() {
  rufetch --synthetic --seed "$2" --count "$1" >"$3"
  uxform --preset created_users <"$3" | jq -r .id | sort -u >"$3.ids"
  [[ $(wc -l <"$3.ids") -eq $1 ]] || fail "could not make $1 users"
}

# produce TOPIC FILE: every record of FILE into TOPIC, keyed by its id.
produce() {
  timeout 300 kproduce -q -b "$KAFKA_BROKERS" -t "$1" -k id <"$2" || fail "kproduce into $1: exit $?"
}

# create_table: the created_users table on the CQL test server.
create_table() {
  cqlwrite -q -H "$CQL_HOSTS" -k "$KS" -t created_users --create </dev/null || fail "cannot create the table"
}

# rows_written: rows the CQL test server stored so far (all nodes).
rows_written() {
  cql_cmd stats | sed -n 's/.*"rows_written":\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}'
}

# wait_rows MIN SECONDS: waits until the server stored at least MIN rows.
wait_rows() {
  local deadline=$((SECONDS + $2)) n
  while :; do
    n=$(rows_written)
    ((n >= $1)) && return 0
    ((SECONDS < deadline)) || fail "only $n rows written after $2 s (waiting for $1)"
    sleep 0.2
  done
}

# check_ids IDS_FILE: the table's ids are exactly those of IDS_FILE (sorted, unique).
check_ids() {
  /usr/bin/python3 - "$1" <<'PY'
import os, sys
from cassandra.cluster import Cluster
from cassandra.query import SimpleStatement
h, p = os.environ["CQL_HOSTS"].split(",")[0].rsplit(":", 1)
c = Cluster([h], port=int(p))
s = c.connect()
got = [str(r.id) for r in s.execute(SimpleStatement("SELECT id FROM spark_streams.created_users", fetch_size=5000))]
c.shutdown()
want = set(open(sys.argv[1]).read().split())
have = set(got)
missing, extra = want - have, have - want
print(f"table: {len(got)} rows, {len(have)} ids; source: {len(want)} ids; missing {len(missing)}, extra {len(extra)}")
for i in sorted(missing)[:5]:
    print("missing", i)
for i in sorted(extra)[:5]:
    print("extra", i)
sys.exit(1 if missing or extra or len(got) != len(have) else 0)
PY
}

# wait_exit PID SECONDS: waits for a background process to end; its exit code is in $RC.
wait_exit() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$1" 2>/dev/null && fail "process $1 did not finish within $2 s"
  RC=0
  wait "$1" || RC=$?
}
