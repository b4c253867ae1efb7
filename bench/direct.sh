#!/usr/bin/env bash
# The production path against the pipe it replaces, on the same topic of N raw
# synthetic randomuser.me users (produced keyed by login.uuid to the development Kafka
# cluster): `cqlwrite --from-kafka -p created_users` (the transform inside the sink,
# offsets committed once stored) into the CQL test server against
# `kconsume -g -e | uxform --preset created_users | cqlwrite`, and the same for
# `pgload --from-kafka --preset created_users --mode upsert --key id` into a
# throw-away PostgreSQL (its default durability). Each run uses -e and its own fresh
# consumer group, so the figures include the group join; the join alone is measured
# first (the sink on an empty topic with as many partitions) and printed separately,
# with its share of the direct run (the issue asks for a topic large enough that the
# join is under 10% of the run: a warning says when it is not). Also the acknowledged
# pipe `kconsume --acks FIFO | uxform --envelope | cqlwrite --acks FIFO` against the
# plain pipe (row acks-cql). Every run's table is checked to hold N rows.
# Prints records/s and peak RSS (of the largest process); nothing here asserts timings.
# usage: bench/direct.sh [RECORDS]   (default $DIRECT_RECORDS or 600000, whatever
# BENCH_RECORDS says: the development cluster's group join alone takes 3-4 s, so a
# run must last 40 s or more for the join to weigh under 10%)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
n=${1:-${DIRECT_RECORDS:-600000}}
bench_init
raw="$BENCH_DIR/users-$n.ndjson"
bench_data "$n" "$raw"
source tests/lib/kafka.sh
source tests/lib/cql.sh
source tests/lib/pg.sh
KAFKA_SKIP_CODE=69
# The mock cluster keeps ~5 MB per partition and raw users are ~1 KB: spread them widely.
parts=$(((n / 2500) > 60 ? n / 2500 : 60))
kafka_start --dev --brokers 3 "raw:$parts" "empty:$parts"
cql_start --nodes 1
PG_DURABLE=1 pg_start
bench_on_exit pg_stop
kproduce -q -b "$KAFKA_BROKERS" -t raw -k login.uuid <"$raw"
echo "direct: $n raw users ($(($(stat -c %s "$raw") / 1048576)) MiB) in Kafka ($parts partitions," \
  "$KAFKA_BROKERS), CQL test server $CQL_HOSTS, PostgreSQL on port $PGPORT" >&2

expect_rows() {
  [ "$2" = "$n" ] || { echo "bench: $1 stored $2 of $n records" >&2; exit 1; }
}
# join_share LABEL JOIN: prints the group join time and its share of LABEL's run.
join_share() {
  awk -v j="${_wall[$2]}" -v t="${_wall[$1]}" -v l="$1" 'BEGIN {
    printf "group join %.2fs = %.0f%% of the %.2fs run of %s\n", j, 100 * j / t, t, l
    if (j >= 0.1 * t) printf "bench: the join is 10%% of the run or more: run with more records\n" > "/dev/stderr"
  }'
}
K="-b '$KAFKA_BROKERS' -t raw -e -q"
C="-H '$CQL_HOSTS' -k bench --create -q"

measure "cql join" "cqlwrite $C -t by_join --from-kafka empty -g cql-join -e -p created_users -b '$KAFKA_BROKERS'"
cql="cqlwrite --from-kafka -p"
measure "$cql" "cqlwrite $C -t by_direct --from-kafka raw -g cql-direct -e -p created_users -b '$KAFKA_BROKERS'"
expect_rows "$cql" "$(cql_count bench.by_direct)"
cqlpipe="kconsume | uxform | cqlwrite"
measure "$cqlpipe" "kconsume $K -g cql-pipe | uxform -q -p created_users | cqlwrite $C -t by_pipe"
expect_rows "$cqlpipe" "$(cql_count bench.by_pipe)"
report direct-cql "$n" "$cql" "$cqlpipe"
join_share "$cql" "cql join"
mkfifo "$BENCH_TMP/acks"
cqlacks="kconsume --acks | uxform --envelope | cqlwrite --acks"
measure "$cqlacks" "kconsume $K -g cql-acks --acks '$BENCH_TMP/acks' | uxform -q --envelope -p created_users |
  cqlwrite $C -t by_acks --acks '$BENCH_TMP/acks'"
expect_rows "$cqlacks" "$(cql_count bench.by_acks)"
report acks-cql "$n" "$cqlacks" "$cqlpipe"

ddl="(id uuid primary key, first_name text, last_name text, gender text, address text, post_code text, email text,
  username text, dob timestamptz, registered_date timestamptz, phone text, picture text)"
pg_psql -c "create table by_direct $ddl" -c "create table by_pipe $ddl" -c "create table by_join $ddl" -c checkpoint
P="--mode upsert --key id -q"
measure "pg join" "pgload -t by_join $P --from-kafka empty -g pg-join -e --preset created_users -b '$KAFKA_BROKERS'"
pg="pgload --from-kafka --preset"
measure "$pg" "pgload -t by_direct $P --from-kafka raw -g pg-direct -e --preset created_users -b '$KAFKA_BROKERS'"
expect_rows "$pg" "$(pg_psql -c 'select count(*) from by_direct')"
pg_psql -c checkpoint
pgpipe="kconsume | uxform | pgload"
measure "$pgpipe" "kconsume $K -g pg-pipe | uxform -q -p created_users | pgload -t by_pipe $P"
expect_rows "$pgpipe" "$(pg_psql -c 'select count(*) from by_pipe')"
report direct-pg "$n" "$pg" "$pgpipe"
join_share "$pg" "pg join"
