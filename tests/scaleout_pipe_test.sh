#!/usr/bin/env bash
# Scale-out of the pipe form `kconsume -g | cqlwrite` (issue 19): the scenario of
# scaleout_lib.sh with four members, each a kconsume in one group piped into its own
# cqlwrite, the CQL test server slowed down (answers 20 ms late, 4 requests in flight
# per cqlwrite) so that kconsume waits on the pipe and the membership changes land
# mid-stream, and gated as in scaleout_cqlwrite_test.sh (writes answered 1 s late
# once the rows of the next membership change are written). The kill -9 and the SIGTERM hit the kconsume of a member (its cqlwrite
# then sees the end of its input and finishes). kconsume commits what it wrote to the
# pipe: the records in the pipe of the killed member are re-read by the new owners.
source "$(dirname "$0")/scaleout_lib.sh"
cql_start
scaleout_setup
create_table
cql_cmd "delay 20" >/dev/null
gate() { gate_cql "$1"; }
COUNT_FIELD=records_out
# Each member's pipe is a fifo, so that the test knows its cqlwrite too (waited for
# before the store is checked, killed at exit).
writers=()
member() {
  mkfifo "$T/p$1"
  cqlwrite -q -H "$CQL_HOSTS" -k "$KS" -t created_users --concurrency 4 --batch-rows 0 <"$T/p$1" 2>"$T/w$1.err" &
  writers[$1]=$!
  BG_PIDS+=("$!")
  kconsume -b "$KAFKA_BROKERS" "${KX[@]}" -t "$TOPIC" -g "$GROUP" --exit-at-group-end --commit-interval 1s \
    --stats 1s -v 2>"$T/m$1.err" >"$T/p$1" &
  MEMBER_PID=$!
  BG_PIDS+=("$MEMBER_PID")
}
stored() { rows_written; }
# Every cqlwrite ends once its kconsume has: 0, but 1 for the killed member's, whose
# last line may have been cut by the kill (a reject; its record is re-read by the new
# owner: the offset was not committed).
check_store() {
  local i
  for i in 1 2 3 4; do
    wait_exit "${writers[i]}" 60
    ((RC == 0 || (i == 1 && RC == 1))) || fail "cqlwrite of member $i exit $RC: $(tail -n 3 "$T/w$i.err")"
  done
  check_ids "$T/users.ndjson.ids"
}
scaleout_run
