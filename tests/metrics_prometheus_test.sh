# The real thing: Debian's prometheus scrapes a running group consumer (kconsume -g)
# and a running sink (cqlwrite --from-kafka) over --metrics-listen, with
# scripts/ops/airstream.rules.yml loaded; its HTTP API then returns their series (per-
# partition lag, records, oldest-unacknowledged age, up == 1) and the rules load
# without error. Skipped (77) when prometheus cannot start.
source "$(dirname "$0")/lib/common.sh"
source "$AIRSTREAM_SRC/tests/lib/kafka.sh"
source "$AIRSTREAM_SRC/tests/lib/cql.sh"
command -v prometheus >/dev/null || skip "prometheus not installed"
command -v curl >/dev/null || skip "curl not installed"
cd "$TMP"

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
kafka_start --brokers 1 users:3
cql_start
N=3000
rufetch --synthetic --seed 3 --count $N | uxform --preset created_users | kproduce -q -b "$KAFKA_BROKERS" -t users

pk=$(free_port)
kconsume -b "$KAFKA_BROKERS" -t users -g readers --metrics-listen "127.0.0.1:$pk" >/dev/null 2>kc.err &
on_exit "kill $!"
pc=$(free_port)
cqlwrite -H "$CQL_HOSTS" -k ks -t users --create --key id --from-kafka users -g writers \
  --metrics-listen "127.0.0.1:$pc" 2>cw.err &
on_exit "kill $!"

cp "$AIRSTREAM_SRC/scripts/ops/airstream.rules.yml" .
cat >prometheus.yml <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [airstream.rules.yml]
scrape_configs:
  - job_name: airstream-kconsume
    static_configs: [{targets: ["127.0.0.1:$pk"]}]
  - job_name: airstream-cqlwrite
    static_configs: [{targets: ["127.0.0.1:$pc"]}]
EOF
pp=$(free_port)
prometheus --config.file=prometheus.yml --storage.tsdb.path=data --web.listen-address="127.0.0.1:$pp" \
  >prom.log 2>&1 &
prom=$!
on_exit "kill $prom; wait $prom"
api="http://127.0.0.1:$pp/api/v1"
wait_for 60 curl -sf "http://127.0.0.1:$pp/-/ready" || skip "prometheus did not start: $(tail -5 prom.log)"

# query EXPR: prints "labels value" lines of an instant query.
query() {
  curl -sf --get "$api/query" --data-urlencode "query=$1" |
    jq -r '.data.result[] | "\(.metric | del(.__name__) | to_entries | map("\(.key)=\(.value)") | join(",")) \(.value[1])"'
}
has() { [ "$(query "$1" | wc -l)" -ge "${2:-1}" ]; }

check "both targets up: $(query 'up')" wait_for 60 has 'up{job=~"airstream.*"} == 1' 2
check "cqlwrite stored every record, as Prometheus sees it: $(query airstream_cqlwrite_records_committed_total)" \
  wait_for 60 has "airstream_cqlwrite_records_committed_total == $N"
check "kconsume wrote every record: $(query airstream_kconsume_records_out_total)" \
  wait_for 60 has "airstream_kconsume_records_out_total == $N"
check "per-partition lag of both, 3 partitions each, all 0: $(query '{__name__=~".*partition_lag"}')" \
  wait_for 60 has '{__name__=~"airstream_(kconsume|cqlwrite)_partition_lag"} == 0' 6
check "oldest-unacknowledged age of both: $(query '{__name__=~".*oldest_unacked_age_seconds"}')" \
  has '{__name__=~"airstream_[a-z]+_oldest_unacked_age_seconds"}' 2
check "latency in seconds, with a count" has 'airstream_cqlwrite_write_latency_seconds_count > 0'
check "partition labels are there: $(query airstream_kconsume_partition_lag)" \
  bash -c "$(declare -f query); api=$api; query airstream_kconsume_partition_lag | grep -q 'partition=2,topic=users'"
rules=$(curl -sf "$api/rules" | jq -r '[.data.groups[].rules[] | select(.health != "ok")] | length')
expect_eq "alerting rules load and evaluate healthily" 0 "$rules"
expect_eq "no alert fires on a healthy pipeline" "" "$(curl -sf "$api/alerts" | jq -r '.data.alerts[] | select(.state == "firing") | .labels.alertname')"
finish
