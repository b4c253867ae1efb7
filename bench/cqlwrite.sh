#!/usr/bin/env bash
# cqlwrite vs the DataStax Python driver (python3-cassandra: prepared INSERT with
# execute_concurrent_with_args, concurrency 128): the same flattened created_users
# records (rufetch --synthetic --seed 42 | uxform --preset created_users, or the
# equivalent bench/created_users.jq) into the same in-memory CQL test server (one
# node, as the published single-node driver figures), each into its own table.
# Prints rows/s, the ratio (target >= 5x and >= 150k rows/s) and peak RSS of both.
# usage: bench/cqlwrite.sh [RECORDS]   (default $BENCH_RECORDS or 200000)
# CQLWRITE_BASELINE=/path/to/an/older/cqlwrite also times that binary, in rounds
# alternating with cqlwrite's on the same server and input, and prints the change
# in rows/s (issue 16: client timestamps and event handling may cost at most 5%).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
n=${1:-${BENCH_RECORDS:-200000}}
bench_init
flat=$(bench_flat "$n")
source tests/lib/cql.sh
cql_start --nodes 1
echo "cqlwrite: $n records ($(($(stat -c %s "$flat") / 1048576)) MiB), server $CQL_HOSTS" >&2

cat >"$BENCH_TMP/driver.py" <<'PY'
import json, os, sys, uuid
from cassandra.cluster import Cluster
from cassandra.concurrent import execute_concurrent_with_args
cols = ["id", "first_name", "last_name", "gender", "address", "post_code", "email", "username",
        "registered_date", "phone", "picture", "dob"]
host, port = os.environ["CQL_HOSTS"].split(",")[0].rsplit(":", 1)
cluster = Cluster([host], port=int(port))
s = cluster.connect()
s.execute("CREATE KEYSPACE IF NOT EXISTS bench WITH replication = "
          "{'class': 'SimpleStrategy', 'replication_factor': 1}")
s.execute("CREATE TABLE IF NOT EXISTS bench.by_driver (id uuid PRIMARY KEY, first_name text, last_name text, "
          "gender text, address text, post_code text, email text, username text, registered_date text, "
          "phone text, picture text, dob text)")
ins = s.prepare("INSERT INTO bench.by_driver (%s) VALUES (%s)" % (", ".join(cols), ", ".join("?" * len(cols))))
def rows():
    with open(sys.argv[1]) as f:
        for line in f:
            r = json.loads(line)
            yield [uuid.UUID(r["id"])] + [r.get(c) for c in cols[1:]]
results = execute_concurrent_with_args(s, ins, rows(), concurrency=128, raise_on_first_error=True,
                                       results_generator=True)
n = sum(1 for ok, _ in results if ok)
print("python driver wrote %d rows" % n, file=sys.stderr)
cluster.shutdown()
PY

cat "$flat" >/dev/null  # warm the page cache for both
measure "python driver" "/usr/bin/python3 '$BENCH_TMP/driver.py' '$flat'"
base=${CQLWRITE_BASELINE:-}
for r in 1 2 3; do
  measure "cqlwrite #$r" "cqlwrite -H '$CQL_HOSTS' -k bench -t by_cqlwrite --create -q '$flat'"
  if [[ -n $base ]]; then
    measure "baseline #$r" "'$base' -H '$CQL_HOSTS' -k bench -t by_baseline --create -q '$flat'"
  fi
done
fastest() {  # LABEL: the best of rounds "LABEL #1..3" stands for LABEL
  local b="" r
  for r in 1 2 3; do
    if [[ -z $b ]] || awk -v x="${_wall["$1 #$r"]}" -v y="${_wall[$b]}" 'BEGIN { exit !(x < y) }'; then
      b="$1 #$r"
    fi
  done
  _wall[$1]=${_wall[$b]}
  _rss[$1]=${_rss[$b]}
}
fastest cqlwrite
if [[ -n $base ]]; then
  fastest baseline
  awk -v n="$n" -v a="${_wall[cqlwrite]}" -v b="${_wall[baseline]}" 'BEGIN {
    printf "cqlwrite %.0f rows/s, baseline %s %.0f rows/s: %+.1f%%\n", n / a, "'"$base"'", n / b, (b / a - 1) * 100 }' >&2
fi
cql_cmd stats >&2
report cqlwrite "$n" cqlwrite "python driver"
