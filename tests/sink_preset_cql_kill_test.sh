#!/usr/bin/env bash
# The production path into Cassandra under faults: `cqlwrite --from-kafka
# users_created -p created_users` reading raw users (the transform inside the sink).
# 1. kill -9 mid-stream, then a restart in the same group: every key is stored
#    (re-written records are idempotent upserts), and the restart resumes from the
#    committed offsets;
# 2. a rebalance mid-stream: a second member joins the group, then the first is
#    killed with -9; the second takes its partitions over and stores everything:
#    nothing is lost, and the group's lag is 0 at the end.
# 15k records rather than the issue's 100k: raw users are ~1 KB each and the
# development cluster keeps only ~5 MB per partition; this keeps the test under a
# minute. pipeline_sink_kill_test.sh runs 100k flat records through the same path.
source "$(dirname "$0")/sink_preset_lib.sh"
N=15000
cql_start
kafka_start --dev "$TOPIC:8"
produce_raw "$N" 33 "$T/raw.ndjson"
W=(cqlwrite -H "$CQL_HOSTS" -b "$KAFKA_BROKERS" "${KX[@]}" --from-kafka "$TOPIC" -p created_users -k "$KS"
  --commit-interval 200ms --concurrency 64)
create_table

# 1. kill -9, restart.
cql_cmd "delay 20" >/dev/null # slow writes: the kill lands mid-stream on any machine
bg "${W[@]}" -g k1 -t created_users 2>"$T/err1"
wait_rows 3000 120
kill -9 "$BG"
wait "$BG" 2>/dev/null || true
before=$(rows_written)
echo "killed the sink after $before rows"
((before < N)) || fail "all $N rows were written before the kill; the test proves nothing"
cql_cmd "delay 0" >/dev/null
timeout 120 "${W[@]}" -g k1 -t created_users -e 2>"$T/err2" || fail "restart: exit $?: $(tail -n 5 "$T/err2")"
again=$(sed -n 's/.*: \([0-9]*\) rows written.*/\1/p' "$T/err2")
((again < N)) || fail "the restart wrote $again rows: committed offsets were not used"
check_ids "$T/raw.ndjson.ids" || fail "after kill -9 and restart the table does not hold exactly the source ids"
expect_eq "lag after the restart" 0 "$(lag k1)"

# 2. Rebalance: B joins while A writes, A is killed with -9, B finishes alone.
cqlwrite -q -H "$CQL_HOSTS" -k "$KS" -t rb_users --create </dev/null || fail "cannot create rb_users"
base=$(rows_written)
cql_cmd "delay 20" >/dev/null
bg "${W[@]}" -g k2 -t rb_users 2>"$T/errA"
a=$BG
wait_rows $((base + 2000)) 120
bg "${W[@]}" -g k2 -t rb_users -v 2>"$T/errB"
b=$BG
wait_rows $((base + 6000)) 120
kill -9 "$a"
wait "$a" 2>/dev/null || true
echo "killed member A after $(($(rows_written) - base)) rows"
cql_cmd "delay 0" >/dev/null
drain_member k2 "$b" "$T/errB"
cql_ids rb_users "$T/rb.have"
same_ids "$T/raw.ndjson.ids" "$T/rb.have" || fail "after the rebalance rb_users does not hold every source id"
echo "ok: kill -9 then restart stored every key; rebalance with a killed member lost nothing"
