#!/usr/bin/env bash
# Scale-out of `pgload --from-kafka` (issue 19): the scenario of scaleout_lib.sh with
# four pgload members in one group loading a throw-away PostgreSQL in upsert mode,
# slowed down (a statement trigger sleeps 150 ms per batch of 25 rows) so that the
# membership changes land mid-stream, and gated: the same trigger stalls (120 s at
# most) while the table holds as many rows as the gate says, so that the members
# cannot finish the topic while the test waits for a rebalance on a slow machine. A
# member's progress is counted in records read (records_in): a member whose batch
# waits at the gate still reads. Rows are counted by key (upserts), so the thresholds
# count distinct records. 6000 records (the others use 9000) to stay under a minute.
SCALEOUT_RECORDS=${SCALEOUT_RECORDS:-6000}
source "$(dirname "$0")/scaleout_lib.sh"
source "$AIRSTREAM_SRC/tests/lib/pg.sh"
pg_start
scaleout_setup
pg_users_table created_users
pg_psql -c 'create table scaleout_gate (rows bigint)' -c 'insert into scaleout_gate values (0)' \
  -c 'create function slow_batch() returns trigger language plpgsql as $$ begin
        perform pg_sleep(0.15);
        for i in 1..2400 loop
          exit when (select count(*) from created_users) < (select rows from scaleout_gate);
          perform pg_sleep(0.05);
        end loop;
        return null; end $$' \
  -c 'create trigger slow_batch after insert on created_users for each statement execute function slow_batch()'
COUNT_FIELD=records_in
# A stalled member's view counts its own open batch (25 rows): four members.
GATE_SLACK=100
gate() { pg_psql -c "update scaleout_gate set rows = $1" >/dev/null; }
member() {
  pgload -t created_users --mode upsert --key id --jobs 1 --batch-rows 25 --batch-timeout 200ms \
    -b "$KAFKA_BROKERS" "${KX[@]}" --from-kafka "$TOPIC" -g "$GROUP" --exit-at-group-end --stats 1s -v \
    2>"$T/m$1.err" &
  MEMBER_PID=$!
  BG_PIDS+=("$MEMBER_PID")
}
stored() { pg_psql -c 'select count(*) from created_users' 2>/dev/null || echo 0; }
check_store() {
  pg_psql -c 'select id from created_users' | sort >"$T/got.ids"
  diff -q "$T/users.ndjson.ids" "$T/got.ids" >/dev/null
}
scaleout_run
