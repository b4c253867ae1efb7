#!/usr/bin/env bash
# Scale-out of the pipe form `kconsume -g | cqlwrite` (issue 19): the scenario of
# scaleout_lib.sh with four members, each a kconsume in one group piped into its own
# cqlwrite, the CQL test server slowed down (answers 20 ms late, 4 requests in flight
# per cqlwrite) so that kconsume waits on the pipe and the membership changes land
# mid-stream. The kill -9 and the SIGTERM hit the kconsume of a member (its cqlwrite
# then sees the end of its input and finishes). kconsume commits what it wrote to the
# pipe: the records in the pipe of the killed member are re-read by the new owners.
source "$(dirname "$0")/scaleout_lib.sh"
cql_start
scaleout_setup
create_table
cql_cmd "delay 20" >/dev/null
COUNT_FIELD=records_out
member() {
  kconsume -b "$KAFKA_BROKERS" "${KX[@]}" -t "$TOPIC" -g "$GROUP" --exit-at-group-end --commit-interval 1s \
    --stats 1s -v 2>"$T/m$1.err" > >(cqlwrite -q -H "$CQL_HOSTS" -k "$KS" -t created_users --concurrency 4 \
    --batch-rows 0 2>"$T/w$1.err") &
  MEMBER_PID=$!
  BG_PIDS+=("$MEMBER_PID")
}
stored() { rows_written; }
check_store() { check_ids "$T/users.ndjson.ids"; }
scaleout_run
