# Metrics tell the truth (issue 18): after `cqlwrite --from-kafka -e` stored 5000
# records, records_committed is 5000 in --stats and in the metrics file; latencies
# are in seconds and say so; retries is a counter; every Kafka-mode process exports
# per-partition lag (end minus committed offset) and the age of the oldest
# unacknowledged record; every tool's metrics pass `promtool check metrics`;
# --metrics-listen serves /metrics, /healthz and /readyz while a group consumer runs,
# and refuses a bad address (64) or a port in use (69).
source "$(dirname "$0")/lib/common.sh"
source "$AIRSTREAM_SRC/tests/lib/kafka.sh"
source "$AIRSTREAM_SRC/tests/lib/cql.sh"
command -v promtool >/dev/null || skip "promtool not installed (Debian package prometheus)"
command -v curl >/dev/null || skip "curl not installed"
cd "$TMP"

kafka_start --brokers 1 users:2
cql_start
N=5000
rufetch --synthetic --seed 7 --count $N | uxform --preset created_users >users.ndjson
kproduce -q -b "$KAFKA_BROKERS" -t users <users.ndjson

# --- cqlwrite --from-kafka -e: the records it committed are counted.
run cqlwrite -H "$CQL_HOSTS" -k ks -t users --create --key id --from-kafka users -g w1 -e \
  --stats --metrics-file cql.prom 2>cql.err
expect_eq "cqlwrite --from-kafka exit status ($(tail -3 cql.err))" 0 "$RC"
expect_eq "--stats records_committed" $N "$(json_field records_committed cql.err)"
expect_eq "metrics records_committed" $N "$(prom_value airstream_cqlwrite_records_committed_total cql.prom)"
expect_eq "metrics rows_written" $N "$(prom_value airstream_cqlwrite_rows_written_total cql.prom)"
check "write latency HELP says seconds: $(grep 'HELP.*latency' cql.prom)" \
  grep -q '^# HELP airstream_cqlwrite_write_latency_seconds .*seconds' cql.prom
check "no HELP speaks of microseconds" bash -c "! grep -qi microsecond cql.prom"
check "retries is a counter" grep -qx '# TYPE airstream_cqlwrite_retries_total counter' cql.prom
for p in 0 1; do
  expect_eq "cqlwrite partition $p lag after -e" 0 \
    "$(prom_value "airstream_cqlwrite_partition_lag{topic=\"users\",partition=\"$p\"}" cql.prom)"
done
expect_eq "cqlwrite oldest unacked age after -e" 0 "$(prom_value airstream_cqlwrite_oldest_unacked_age_seconds cql.prom)"
check "cqlwrite metrics pass promtool check metrics: $(cat cql.prom.lint 2>/dev/null)" promtool_ok cql.prom

# --- kconsume -g stopped after 1000 of 5000 records: the lag is what is left.
run kconsume -b "$KAFKA_BROKERS" -t users -g k1 -c 1000 --metrics-file kc.prom >kc.out 2>kc.err
expect_eq "kconsume -c exit status ($(tail -3 kc.err))" 0 "$RC"
lag0=$(prom_value 'airstream_kconsume_partition_lag{topic="users",partition="0"}' kc.prom)
lag1=$(prom_value 'airstream_kconsume_partition_lag{topic="users",partition="1"}' kc.prom)
expect_eq "kconsume per-partition lags add up to the records left" $((N - 1000)) "$((${lag0:-0} + ${lag1:-0}))"
expect_eq "kconsume total lag" $((N - 1000)) "$(prom_value airstream_kconsume_lag kc.prom)"
check "kconsume exports the oldest unacked age" grep -q '^airstream_kconsume_oldest_unacked_age_seconds ' kc.prom
check "kconsume metrics pass promtool: $(cat kc.prom.lint 2>/dev/null)" promtool_ok kc.prom

# --- the other tools' metrics files pass promtool too.
rufetch --synthetic --seed 1 --count 10 --metrics-file ru.prom | uxform --preset created_users --metrics-file ux.prom |
  kproduce -q -b "$KAFKA_BROKERS" -t other --metrics-file kp.prom
for f in ru ux kp; do check "$f metrics pass promtool: $(cat $f.prom.lint 2>/dev/null)" promtool_ok $f.prom; done

# --- --metrics-listen on a running group consumer.
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
kconsume -b "$KAFKA_BROKERS" -t users -g k2 --metrics-listen "127.0.0.1:$port" >k2.out 2>k2.err &
k2=$!
on_exit "kill $k2"
url="http://127.0.0.1:$port"
check "/healthz answers 200" wait_for 30 curl -sf "$url/healthz"
check "/readyz turns 200 once the group assigned partitions" wait_for 30 curl -sf "$url/readyz"
lag_zero() { curl -sf "$url/metrics" >live.prom && grep -qx 'airstream_kconsume_lag 0' live.prom &&
  grep -qx "airstream_kconsume_records_out_total $N" live.prom; }
check "live /metrics reach lag 0 after $N records: $(grep -E '_lag|records_out' live.prom 2>/dev/null)" wait_for 60 lag_zero
check "live /metrics has both partitions" test "$(grep -c '^airstream_kconsume_partition_lag{' live.prom)" -eq 2
check "live /metrics pass promtool: $(cat live.prom.lint 2>/dev/null)" promtool_ok live.prom
ctype=$(curl -s -o /dev/null -w '%{content_type}' "$url/metrics")
check "/metrics is Prometheus text format ($ctype)" grep -q 'text/plain; version=0.0.4' <<<"$ctype"
expect_eq "unknown path" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$url/nope")"
expect_eq "POST refused" 405 "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url/metrics")"
# The port is taken: a second process says so and exits 69 before consuming anything.
run kconsume -b "$KAFKA_BROKERS" -t users -g k3 --metrics-listen "127.0.0.1:$port" >k3.out 2>k3.err
expect_eq "port in use exit status ($(cat k3.err))" 69 "$RC"
check "port in use: nothing consumed" test ! -s k3.out
kill -TERM $k2
RC=0; wait $k2 || RC=$?
expect_eq "kconsume with --metrics-listen ends on SIGTERM" 143 "$RC"

run kconsume -b "$KAFKA_BROKERS" -t users -g k4 --metrics-listen "localhost" 2>k4.err
expect_eq "malformed --metrics-listen is a usage error ($(cat k4.err))" 64 "$RC"
finish
