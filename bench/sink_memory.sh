#!/usr/bin/env bash
# Peak RSS of the group consumers reading a large topic, with their defaults and with
# the low-memory settings their man pages document (issue 19: the figures in the
# pages are measured here, not guessed). N raw synthetic users (~1 KB each, keyed by
# login.uuid) in a 48-partition topic of the development Kafka cluster (3 brokers),
# read to the end with -e by a fresh group each run:
#   pgload --from-kafka --preset created_users --mode upsert --key id, with --jobs 1,
#     2 and 4 (the default is the CPU count, at most 4), defaults and the documented
#     low-memory settings (-X queued.max.messages.kbytes=2048 -X fetch.max.bytes=1048576
#     --batch-bytes 4MiB);
#   cqlwrite --from-kafka -p created_users into the CQL test server (1 node);
#   kconsume -g to /dev/null.
# The sinks are slower than Kafka, so librdkafka's prefetch queue runs full: the worst
# case for memory. Prints one line per run; asserts nothing (tests/pgload_kafka_memory_test.sh
# checks pgload's documented bounds on a smaller topic).
# usage: bench/sink_memory.sh [RECORDS]   (default 120000)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
n=${1:-120000}
bench_init
raw="$BENCH_DIR/users-$n.ndjson"
bench_data "$n" "$raw"
source tests/lib/kafka.sh
source tests/lib/cql.sh
source tests/lib/pg.sh
KAFKA_SKIP_CODE=69
kafka_start --dev --brokers 3 "raw:48"
cql_start --nodes 1
pg_start
bench_on_exit pg_stop
kproduce -q -b "$KAFKA_BROKERS" -t raw -k login.uuid <"$raw"
echo "sink_memory: $n raw users ($(($(stat -c %s "$raw") / 1048576)) MiB) in 48 partitions" >&2
pg_psql -c "create table mem (id uuid primary key, first_name text, last_name text, gender text, address text,
  post_code text, email text, username text, dob timestamptz, registered_date timestamptz, phone text, picture text)"
LOW="-X queued.max.messages.kbytes=2048 -X fetch.max.bytes=1048576"  # and --batch-bytes 4MiB for pgload
g=0
run() {  # run LABEL COMMAND: measures COMMAND (a fresh group in $G) and prints its peak RSS.
  g=$((g + 1))
  G="mem$g"
  measure "$1" "${2//@G@/$G}"
  printf '%-52s peak RSS %6s MB  (%6.2fs)\n' "$1" "$(peak_rss_mb "$1")" "$(elapsed "$1")"
}
P="-t mem --mode upsert --key id -q --preset created_users --from-kafka raw -g @G@ -e -b '$KAFKA_BROKERS'"
for jobs in 1 2 4; do
  run "pgload --from-kafka --jobs $jobs" "pgload $P --jobs $jobs"
  run "pgload --from-kafka --jobs $jobs (low-memory)" "pgload $P --jobs $jobs $LOW --batch-bytes 4MiB"
done
C="-H '$CQL_HOSTS' -k bench -t mem --create -q -p created_users --from-kafka raw -g @G@ -e -b '$KAFKA_BROKERS'"
run "cqlwrite --from-kafka" "cqlwrite $C"
run "cqlwrite --from-kafka (low-memory -X)" "cqlwrite $C $LOW"
run "kconsume -g" "kconsume -b '$KAFKA_BROKERS' -t raw -g @G@ -e -q >/dev/null"
