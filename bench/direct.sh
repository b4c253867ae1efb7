#!/usr/bin/env bash
# The direct (sink reads Kafka) modes: `cqlwrite --from-kafka` into the CQL test server
# and `pgload --from-kafka --mode upsert --key id` into a throw-away PostgreSQL
# (PostgreSQL's default durability), each from the same topic of N synthetic users
# flattened with `uxform --preset created_users` and produced keyed by id to the
# development Kafka cluster. Each runs with -e in its own fresh consumer group, so the
# figure includes the group join (a few seconds on the mock cluster). The peer of each
# is the pipe doing the same job on the same topic: kconsume -g -e | cqlwrite (or
# | pgload), which commits offsets when records reach the pipe instead of the store.
# Every run's table is checked to hold N rows. Prints records/s and peak RSS (of the
# largest process); nothing here asserts timings.
# usage: bench/direct.sh [RECORDS]   (default $BENCH_RECORDS or 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
n=${1:-${BENCH_RECORDS:-200000}}
bench_init
flat=$(bench_flat "$n")
source tests/lib/kafka.sh
source tests/lib/cql.sh
source tests/lib/pg.sh
KAFKA_SKIP_CODE=69
# The mock cluster keeps ~5 MB per partition: spread the records widely.
kafka_start --dev --brokers 3 direct:60
cql_start --nodes 1
PG_DURABLE=1 pg_start
bench_on_exit pg_stop
kproduce -q -b "$KAFKA_BROKERS" -t direct -k id <"$flat"
echo "direct: $n flattened users ($(($(stat -c %s "$flat") / 1048576)) MiB) in Kafka ($KAFKA_BROKERS)," \
  "CQL test server $CQL_HOSTS, PostgreSQL on port $PGPORT" >&2

expect_rows() {
  [ "$2" = "$n" ] || { echo "bench: $1 stored $2 of $n records" >&2; exit 1; }
}
K="-b '$KAFKA_BROKERS' -t direct -e -q"

cql="cqlwrite --from-kafka"
measure "$cql" "cqlwrite -H '$CQL_HOSTS' -k bench -t by_direct --create --from-kafka direct -g cql-direct -e \
  -b '$KAFKA_BROKERS' -q"
expect_rows "$cql" "$(cql_count bench.by_direct)"
cqlpipe="kconsume | cqlwrite"
measure "$cqlpipe" "kconsume $K -g cql-pipe | cqlwrite -H '$CQL_HOSTS' -k bench -t by_pipe --create -q"
expect_rows "$cqlpipe" "$(cql_count bench.by_pipe)"
report direct-cql "$n" "$cql" "$cqlpipe"

ddl="(id uuid primary key, first_name text, last_name text, gender text, address text, post_code text, email text,
  username text, dob timestamptz, registered_date timestamptz, phone text, picture text)"
pg_psql -c "create table by_direct $ddl" -c "create table by_pipe $ddl" -c checkpoint
pg="pgload --from-kafka"
measure "$pg" "pgload -t by_direct --mode upsert --key id --from-kafka direct -g pg-direct -e -b '$KAFKA_BROKERS' -q"
expect_rows "$pg" "$(pg_psql -c 'select count(*) from by_direct')"
pg_psql -c checkpoint
pgpipe="kconsume | pgload"
measure "$pgpipe" "kconsume $K -g pg-pipe | pgload -t by_pipe --mode upsert --key id -q"
expect_rows "$pgpipe" "$(pg_psql -c 'select count(*) from by_pipe')"
report direct-pg "$n" "$pg" "$pgpipe"
cql_cmd stats >&2
