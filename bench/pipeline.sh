#!/usr/bin/env bash
# The streaming half of the pipeline, end to end: kconsume -> uxform -> cqlwrite,
# reading N synthetic users from the development Kafka cluster and writing them to
# the CQL test server (target: >= 100k records/s on a 2-core machine, every tool
# under 100 MB RSS; the original pipeline's Spark stage is reported at 3-10k
# messages/s). The peer is the same pipeline built from the usual parts:
# kcat -C | jq (bench/created_users.jq) | the DataStax Python driver
# (execute_concurrent_with_args, concurrency 128), on a 20k-record sample because it
# is slow. Every record is checked to be in the table after each run. kconsume runs
# in assign mode (no group), like kcat -C, so neither pays for a group join (seconds
# on the mock cluster) and the figure is the sustained rate.
# usage: bench/pipeline.sh [RECORDS]   (default $BENCH_RECORDS or 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
n=${1:-${BENCH_RECORDS:-200000}}
peer_n=$((n < 20000 ? n : 20000))
bench_init
data="$BENCH_DIR/users-$n.ndjson"
bench_data "$n" "$data"
source tests/lib/kafka.sh
source tests/lib/cql.sh
KAFKA_SKIP_CODE=69
# The mock cluster keeps ~5 MB per partition: spread the ~1 KB users widely.
kafka_start --dev --brokers 3 pipeline:120 pipeline_peer:12
cql_start --nodes 1
kproduce -b "$KAFKA_BROKERS" -t pipeline -k login.uuid -q <"$data"
head -n "$peer_n" "$data" | kproduce -b "$KAFKA_BROKERS" -t pipeline_peer -k login.uuid -q
echo "pipeline: $n records in Kafka ($KAFKA_BROKERS), CQL test server $CQL_HOSTS" >&2

label="kconsume+uxform+cqlwrite"
# Each stage's own peak RSS too (the measured figure is the largest of them).
st() { echo "/usr/bin/time -f %M -o '$BENCH_TMP/rss.$1'"; }
measure "$label" "$(st kconsume) kconsume -b '$KAFKA_BROKERS' -t pipeline -o beginning -e -q |
  $(st uxform) uxform --preset created_users -q |
  $(st cqlwrite) cqlwrite -H '$CQL_HOSTS' -k spark_streams -t created_users --create -q"
for s in kconsume uxform cqlwrite; do
  printf '  %-9s peak RSS %6.1f MB\n' "$s" "$(awk '{ print $1 / 1024 }' "$BENCH_TMP/rss.$s")"
done
rows=$(cql_count spark_streams.created_users)
[ "$rows" = "$n" ] || { echo "bench: pipeline stored $rows of $n records" >&2; exit 1; }

cat >"$BENCH_TMP/peer.py" <<'PY'
import json, os, sys, uuid
from cassandra.cluster import Cluster
from cassandra.concurrent import execute_concurrent_with_args
cols = ["id", "first_name", "last_name", "gender", "address", "post_code", "email", "username",
        "dob", "registered_date", "phone", "picture"]
host, port = os.environ["CQL_HOSTS"].split(",")[0].rsplit(":", 1)
cluster = Cluster([host], port=int(port))
s = cluster.connect()
s.execute("CREATE KEYSPACE IF NOT EXISTS peer WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")
s.execute("CREATE TABLE IF NOT EXISTS peer.created_users (id uuid PRIMARY KEY, "
          + ", ".join(c + " text" for c in cols[1:]) + ")")
ins = s.prepare("INSERT INTO peer.created_users (" + ", ".join(cols) + ") VALUES (" + ", ".join("?" * len(cols)) + ")")
def rows():
    for line in sys.stdin:
        r = json.loads(line)
        yield [uuid.UUID(r["id"])] + [r.get(c) for c in cols[1:]]
execute_concurrent_with_args(s, ins, rows(), concurrency=128)
cluster.shutdown()
PY
peer="kcat+jq+python-driver"
measure "$peer" "kcat -b '$KAFKA_BROKERS' -t pipeline_peer -C -e -q -o beginning |
  jq -c -f bench/created_users.jq | /usr/bin/python3 '$BENCH_TMP/peer.py'"
rows=$(cql_count peer.created_users)
[ "$rows" = "$peer_n" ] || { echo "bench: peer stored $rows of $peer_n records" >&2; exit 1; }

rate=$(awk -v n="$n" -v t="$(elapsed "$label")" 'BEGIN { printf "%.0f", n / t }')
prate=$(awk -v n="$peer_n" -v t="$(elapsed "$peer")" 'BEGIN { printf "%.0f", n / t }')
ratio=$(awk -v a="$rate" -v b="$prate" 'BEGIN { printf "%.2f", a / b }')
printf '%-28s %10s rec/s  (%6.2fs, %7s MB peak of any stage)\n' "$label" "$rate" "$(elapsed "$label")" "$(peak_rss_mb "$label")"
printf '%-28s %10s rec/s  (%6.2fs, %7s MB, %s-record sample)   ratio %sx\n' "$peer" "$prate" "$(elapsed "$peer")" "$(peak_rss_mb "$peer")" "$peer_n" "$ratio"
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' pipeline "$n" "$label" "$rate" "$(peak_rss_mb "$label")" \
  "$peer" "$prate" "$(peak_rss_mb "$peer")" "$ratio" >>"$BENCH_RESULTS"
