#!/usr/bin/env bash
# The production path against the pipe it replaces, on the same topic of N raw
# synthetic randomuser.me users (produced keyed by login.uuid to the development Kafka
# cluster): `cqlwrite --from-kafka -p created_users` (the transform inside the sink,
# offsets committed once stored) into the CQL test server against
# `kconsume -g -e | uxform --preset created_users | cqlwrite`, and the same for
# `pgload --from-kafka --preset created_users --mode upsert --key id` into a
# throw-away PostgreSQL (its default durability). Each run uses -e and its own fresh
# consumer group, so the figures include the group join. The join is also measured
# inside each run, as the time until the first record is read (from the reading
# process's --stats lines, every 100 ms: start-up and the join, about 3 s of it the
# development cluster's group.initial.rebalance.delay.ms, which a consumer cannot
# change), and printed separately, with its share of the direct run (the issue asks
# for a topic large enough that the join is under 10% of the run: a warning says when
# it is not), and the steady-state rates: records/s once joined, RECORDS / (run - join),
# with the CPU the services (Kafka cluster, CQL server or PostgreSQL) spent meanwhile.
# Both stores are warmed up first by an untimed load of the same rows, and every
# table is dropped once counted (the in-memory CQL server's cost grows with its rows).
# Also the acknowledged pipe `kconsume --acks FIFO | uxform --envelope | cqlwrite
# --acks FIFO` against the plain pipe (row acks-cql), and both forms with a --where
# filter that half of the users pass (row where-cql). Every run's table is checked to
# hold N rows (the filter's: as many as uxform lets through). With DIRECT_ROUNDS=R (default 1), R rounds alternate direct run and
# pipe (joins included) and the median round of each stands; a shared machine's noise
# weighs less on ratios of the same round. Prints records/s, peak RSS (of the largest
# process) and CPU seconds of all processes; nothing here asserts timings.
# usage: bench/direct.sh [RECORDS]   (default $DIRECT_RECORDS or 1000000, whatever
# BENCH_RECORDS says: the join alone takes 4-5 s, so a direct run must last 45 s or
# more for the join to weigh under 10%; the mock cluster then holds about 1 GiB)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
n=${1:-${DIRECT_RECORDS:-1000000}}
rounds=${DIRECT_ROUNDS:-1}
bench_init
raw="$BENCH_DIR/users-$n.ndjson"
bench_data "$n" "$raw"
source tests/lib/kafka.sh
source tests/lib/cql.sh
source tests/lib/pg.sh
KAFKA_SKIP_CODE=69
# The mock cluster keeps ~5 MB per partition and raw users are ~1 KB: spread them widely.
parts=$(((n / 2500) > 60 ? n / 2500 : 60))
kafka_start --dev --brokers 3 "raw:$parts"
cql_start --nodes 1
PG_DURABLE=1 pg_start
bench_on_exit pg_stop
kproduce -q -b "$KAFKA_BROKERS" -t raw -k login.uuid <"$raw"
echo "direct: $n raw users ($(($(stat -c %s "$raw") / 1048576)) MiB) in Kafka ($parts partitions," \
  "$KAFKA_BROKERS), CQL test server $CQL_HOSTS, PostgreSQL on port $PGPORT" >&2
# Warm-up, untimed: the same rows stored once in each store, then dropped. Whichever
# form ran first on a fresh store paid for its memory: the CQL test server's first
# million rows cost 5.1 CPU-us each against 3.2 for the next million (pages faulted
# in and zeroed), and PostgreSQL zero-fills each new WAL segment once.
uxform -q -p created_users <"$raw" >"$BENCH_TMP/flat.ndjson"
cqlwrite -H "$CQL_HOSTS" -k bench -t warm --create -q <"$BENCH_TMP/flat.ndjson"
cql_drop bench.warm
pgload -t warm --create --mode upsert --key id -q <"$BENCH_TMP/flat.ndjson"
pg_psql -c "drop table warm" -c checkpoint
rm -f "$BENCH_TMP/flat.ndjson"

# joined LABEL STATS_FILE COUNTER: the join of a measured run, from its --stats lines:
# the last time at which no record was read yet.
joined() {
  _wall[$1]=$(awk -v c="\"$3\":0," 'index($0, c) { split($0, a, "\"elapsed_s\":"); t = a[2] + 0 } END { printf "%.3f", t }' "$2")
  _rss[$1]=0 _cpu[$1]=0
}
S="--stats 100ms"
# smeasure LABEL CMD: measure, and the CPU the services (Kafka cluster, CQL server,
# PostgreSQL and its backends) spent meanwhile, in _srv (median() carries it over).
servers_cpu() {
  local pm
  pm=$(head -n 1 "$PG_DIR/data/postmaster.pid" 2>/dev/null || true)
  proc_cpu "$KAFKA_DEV_PID" "$CQL_SERVER_PID" ${pm:+$pm $(pgrep -P "$pm" | tr '\n' ' ')}
}
smeasure() {
  local s0
  s0=$(servers_cpu)
  measure "$1" "$2"
  _srv[$1]=$(awk -v a="$s0" -v b="$(servers_cpu)" 'BEGIN { printf "%.2f", b - a }')
}
expect_rows() {
  [ "$2" = "$n" ] || { echo "bench: $1 stored $2 of $n records" >&2; exit 1; }
}
# steady DIRECT DIRECT_JOIN PIPE PIPE_JOIN: the join's share of the direct run, the
# records/s of both once joined, their ratio, and CPU per record.
steady() {
  awk -v n="$n" -v d="${_wall[$1]}" -v dj="${_wall[$2]}" -v p="${_wall[$3]}" -v pj="${_wall[$4]}" \
    -v dc="${_cpu[$1]}" -v pc="${_cpu[$3]}" -v sd="${_srv[$1]:-0}" -v sp="${_srv[$3]:-0}" -v l="$1" 'BEGIN {
    printf "group join %.2fs = %.0f%% of the %.2fs run of %s (in the pipe %.2fs)\n", dj, 100 * dj / d, d, l, pj
    if (dj >= 0.1 * d) printf "bench: the join is 10%% of the run or more: run with more records\n" > "/dev/stderr"
    ds = n / (d - dj > 0 ? d - dj : 1e-9); ps = n / (p - pj > 0 ? p - pj : 1e-9)
    printf "steady state (after the join): %.0f rec/s against %.0f rec/s: ratio %.2fx\n", ds, ps, ds / ps
    printf "CPU: %.2f s (%.1f us/record) against %.2f s (%.1f us/record), every process of the command\n",
      dc, 1e6 * dc / n, pc, 1e6 * pc / n
    printf "services CPU meanwhile (Kafka cluster and store): %.1f us/record against %.1f us/record\n",
      1e6 * sd / n, 1e6 * sp / n
  }'
}
K="-b '$KAFKA_BROKERS' -e -q"
C="-H '$CQL_HOSTS' -k bench --create -q"

cql="cqlwrite --from-kafka -p"
cqlpipe="kconsume | uxform | cqlwrite"
dr=() pr=() djr=() pjr=()
for ((r = 1; r <= rounds; r++)); do
  st="$BENCH_TMP/stats"
  smeasure "$cql #$r" "cqlwrite $C -t by_direct_$r --from-kafka raw -g cql-direct-$r -e -p created_users -b '$KAFKA_BROKERS' $S 2>'$st.d'"
  joined "cql join #$r" "$st.d" records_in
  expect_rows "$cql" "$(cql_count "bench.by_direct_$r")"
  cql_drop "bench.by_direct_$r"
  smeasure "$cqlpipe #$r" "kconsume $K -t raw -g cql-pipe-$r $S 2>'$st.p' | uxform -q -p created_users | cqlwrite $C -t by_pipe_$r"
  joined "cql pipe join #$r" "$st.p" messages_in
  expect_rows "$cqlpipe" "$(cql_count "bench.by_pipe_$r")"
  cql_drop "bench.by_pipe_$r"
  dr+=("$cql #$r") pr+=("$cqlpipe #$r") djr+=("cql join #$r") pjr+=("cql pipe join #$r")
done
median "$cql" "${dr[@]}"
median "$cqlpipe" "${pr[@]}"
median "cql join" "${djr[@]}"
median "cql pipe join" "${pjr[@]}"
report direct-cql "$n" "$cql" "$cqlpipe"
steady "$cql" "cql join" "$cqlpipe" "cql pipe join"
mkfifo "$BENCH_TMP/acks"
cqlacks="kconsume --acks | uxform --envelope | cqlwrite --acks"
measure "$cqlacks" "kconsume $K -t raw -g cql-acks --acks '$BENCH_TMP/acks' | uxform -q --envelope -p created_users |
  cqlwrite $C -t by_acks --acks '$BENCH_TMP/acks'"
expect_rows "$cqlacks" "$(cql_count bench.by_acks)"
cql_drop bench.by_acks
report acks-cql "$n" "$cqlacks" "$cqlpipe"
# A filter in the sink (half of the users pass): the records it drops are done at once,
# the others wait for their writes (before a fix, fetching paused again and again: 27 s
# against 7 for the whole topic). One round of each form, steady-state rates as above.
where="--where 'gender == \"female\"'"
kept=$(uxform -q -p created_users --where 'gender == "female"' <"$raw" | wc -l)
cqlw="cqlwrite --from-kafka -p --where"
cqlwpipe="kconsume | uxform --where | cqlwrite"
smeasure "$cqlw" "cqlwrite $C -t by_where --from-kafka raw -g cql-where -e -p created_users $where -b '$KAFKA_BROKERS' $S 2>'$st.d'"
joined "cqlw join" "$st.d" records_in
[ "$(cql_count bench.by_where)" = "$kept" ] || { echo "bench: $cqlw stored $(cql_count bench.by_where) of $kept records" >&2; exit 1; }
cql_drop bench.by_where
smeasure "$cqlwpipe" "kconsume $K -t raw -g cql-where-pipe $S 2>'$st.p' | uxform -q -p created_users $where | cqlwrite $C -t by_where_pipe"
joined "cqlw pipe join" "$st.p" messages_in
[ "$(cql_count bench.by_where_pipe)" = "$kept" ] || { echo "bench: $cqlwpipe stored $(cql_count bench.by_where_pipe) of $kept records" >&2; exit 1; }
cql_drop bench.by_where_pipe
report where-cql "$n" "$cqlw" "$cqlwpipe"
steady "$cqlw" "cqlw join" "$cqlwpipe" "cqlw pipe join"

P="--mode upsert --key id -q"
pg="pgload --from-kafka --preset"
pgpipe="kconsume | uxform | pgload"
dr=() pr=() djr=() pjr=()
for ((r = 1; r <= rounds; r++)); do
  pg_users_table "by_direct_$r"
  pg_users_table "by_pipe_$r"
  pg_psql -c checkpoint
  smeasure "$pg #$r" "pgload -t by_direct_$r $P --from-kafka raw -g pg-direct-$r -e --preset created_users -b '$KAFKA_BROKERS' $S 2>'$st.d'"
  joined "pg join #$r" "$st.d" records_in
  expect_rows "$pg" "$(pg_psql -c "select count(*) from by_direct_$r")"
  pg_psql -c "drop table by_direct_$r"
  pg_psql -c checkpoint
  smeasure "$pgpipe #$r" "kconsume $K -t raw -g pg-pipe-$r $S 2>'$st.p' | uxform -q -p created_users | pgload -t by_pipe_$r $P"
  joined "pg pipe join #$r" "$st.p" messages_in
  expect_rows "$pgpipe" "$(pg_psql -c "select count(*) from by_pipe_$r")"
  pg_psql -c "drop table by_pipe_$r"
  pg_psql -c checkpoint
  dr+=("$pg #$r") pr+=("$pgpipe #$r") djr+=("pg join #$r") pjr+=("pg pipe join #$r")
done
median "$pg" "${dr[@]}"
median "$pgpipe" "${pr[@]}"
median "pg join" "${djr[@]}"
median "pg pipe join" "${pjr[@]}"
report direct-pg "$n" "$pg" "$pgpipe"
steady "$pg" "pg join" "$pgpipe" "pg pipe join"
