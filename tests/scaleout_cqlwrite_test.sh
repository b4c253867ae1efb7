#!/usr/bin/env bash
# Scale-out of `cqlwrite --from-kafka` (issue 19): the scenario of scaleout_lib.sh with
# four cqlwrite members in one group writing to the CQL test server, slowed down
# (each answer 20 ms late, 4 requests in flight per member) so that the membership
# changes land mid-stream, and gated: once the rows of the next membership change are
# written, each write is answered 1 s late (the test server's gate), so that the
# members cannot finish the topic while the test waits for the change on a slow
# machine. rows_written counts re-writes too (upserts by key).
source "$(dirname "$0")/scaleout_lib.sh"
cql_start
scaleout_setup
create_table
cql_cmd "delay 20" >/dev/null
gate() { gate_cql "$1"; }
COUNT_FIELD=rows_written
member() {
  cqlwrite -H "$CQL_HOSTS" -k "$KS" -t created_users -b "$KAFKA_BROKERS" "${KX[@]}" --from-kafka "$TOPIC" \
    -g "$GROUP" --exit-at-group-end --concurrency 4 --batch-rows 0 --stats 1s -v 2>"$T/m$1.err" &
  MEMBER_PID=$!
  BG_PIDS+=("$MEMBER_PID")
}
stored() { rows_written; }
check_store() { check_ids "$T/users.ndjson.ids"; }
scaleout_run
