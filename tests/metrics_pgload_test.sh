# pgload --from-kafka's metrics tell the truth (issue 18), checked against the table
# and against the group's committed offsets as kconsume --lag reads them: after
# `pgload --from-kafka -e` on 2000 raw users and one message that is not JSON,
# records_committed (--stats and the metrics file) is 2001 (the reject's offset is
# committed too), rows_committed is the table's row count, rejected is 1, and the
# per-partition lag, the total lag and the oldest unacknowledged age are 0, as the
# group's offsets say; the file passes `promtool check metrics`. Then, 500 users
# later, a running member of a second group with --metrics-listen: its live /metrics
# reach 2501 committed and lag 0 when the table has 2500 rows and the group no lag.
# (A second group, not a restart of the first: the development cluster keeps a member
# that left until its session times out, 45 s, as it does for kcat -G.)
source "$(dirname "$0")/lib/common.sh"
source "$AIRSTREAM_SRC/tests/lib/kafka.sh"
source "$AIRSTREAM_SRC/tests/lib/pg.sh"
command -v promtool >/dev/null || skip "promtool not installed (Debian package prometheus)"
command -v curl >/dev/null || skip "curl not installed"
command -v kcat >/dev/null || skip "kcat not installed"
cd "$TMP"
kafka_start --brokers 1 users:2
pg_start
N=2000
M=500
rufetch --synthetic --seed 7 --count $N | kproduce -q -b "$KAFKA_BROKERS" -t users -k login.uuid
printf 'not json\n' | kcat -b "$KAFKA_BROKERS" -t users -p 1 -P

rows() { pg_psql -c 'SELECT count(*) FROM created_users'; }
group_lag() { kconsume -b "$KAFKA_BROKERS" -t users -g "$1" --lag | jq -s 'map(.lag) | add'; }
sink=(pgload --from-kafka users -b "$KAFKA_BROKERS" --preset created_users -t created_users --create
  --mode upsert --key id)

run "${sink[@]}" -g p1 -e --stats --metrics-file pg.prom 2>pg.err
expect_eq "pgload --from-kafka -e exit status (one reject) ($(tail -2 pg.err))" 1 "$RC"
expect_eq "table rows" $N "$(rows)"
expect_eq "--stats records_committed" $((N + 1)) "$(json_field records_committed pg.err)"
expect_eq "--stats rows_committed" $N "$(json_field rows_committed pg.err)"
expect_eq "metrics records_committed" $((N + 1)) "$(prom_value airstream_pgload_records_committed_total pg.prom)"
expect_eq "metrics rows_committed" $N "$(prom_value airstream_pgload_rows_committed_total pg.prom)"
expect_eq "metrics rejected" 1 "$(prom_value airstream_pgload_rejected_total pg.prom)"
expect_eq "the group's lag (kconsume --lag)" 0 "$(group_lag p1)"
for p in 0 1; do
  expect_eq "partition $p lag" 0 "$(prom_value "airstream_pgload_partition_lag{topic=\"users\",partition=\"$p\"}" pg.prom)"
done
expect_eq "total lag" 0 "$(prom_value airstream_pgload_lag pg.prom)"
expect_eq "oldest unacked age" 0 "$(prom_value airstream_pgload_oldest_unacked_age_seconds pg.prom)"
check "promtool check metrics: $(cat pg.prom.lint 2>/dev/null)" promtool_ok pg.prom

# A running member: live /metrics follow what is stored.
rufetch --synthetic --seed 8 --count $M | kproduce -q -b "$KAFKA_BROKERS" -t users -k login.uuid
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"${sink[@]}" -g p2 --metrics-listen "127.0.0.1:$port" 2>live.err &
live=$!
on_exit "kill $live 2>/dev/null"
url="http://127.0.0.1:$port"
caught_up() { curl -sf "$url/metrics" >live.prom && grep -qx "airstream_pgload_records_committed_total $((N + 1 + M))" live.prom &&
  grep -qx 'airstream_pgload_lag 0' live.prom; }
check "live /metrics reach $((N + 1 + M)) committed and lag 0: $(grep -E '_committed_total|_lag ' live.prom 2>/dev/null)" \
  wait_for 60 caught_up
expect_eq "table rows when /metrics says caught up" $((N + M)) "$(rows)"
expect_eq "the group's lag when /metrics says 0" 0 "$(group_lag p2)"
check "live /metrics has both partitions" test "$(grep -c '^airstream_pgload_partition_lag{' live.prom)" -eq 2
check "/readyz is 200 while running" curl -sf "$url/readyz"
kill -TERM $live
RC=0; wait $live || RC=$?
expect_eq "pgload --from-kafka ends on SIGTERM ($(tail -2 live.err))" 143 "$RC"
finish
