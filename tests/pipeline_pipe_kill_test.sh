#!/usr/bin/env bash
# kill -9 of kconsume in a pipe: `kconsume -g G -t users | uxform --preset
# created_users | cqlwrite` with kconsume killed with SIGKILL mid-stream; uxform and
# cqlwrite see the end of their input and store what was in the pipe; the pipeline
# is restarted with the same group (-e). A record cut in half by the kill is
# rejected by uxform and re-read after the restart. kconsume commits only what it wrote to the
# pipe, so nothing is missing; records written again are removed by the primary key.
source "$(dirname "$0")/pipeline_lib.sh"
# Short sessions: the development cluster makes a group joined again wait
# session.timeout.ms - 1 s, and a killed member's partitions move only once its
# session expired: 3 s instead of pipeline_lib.sh's 6 s saves ~3 s per restart.
KX=(-X session.timeout.ms=3000 -X heartbeat.interval.ms=300)
N=30000
cql_start
kafka_start --dev users:16
create_table
raw_users "$N" 9 "$T/raw.ndjson"
timeout 300 kproduce -q -b "$KAFKA_BROKERS" -t users -k login.uuid <"$T/raw.ndjson" || fail "kproduce: exit $?"

K=(kconsume -q -b "$KAFKA_BROKERS" "${KX[@]}" -g pipe -t users --commit-interval 200ms)
C=(cqlwrite -q -H "$CQL_HOSTS" -k "$KS" -t created_users --concurrency 64)
cql_cmd "delay 20" >/dev/null
mkfifo "$T/pipe"
# The fifo is opened by the background processes themselves (opening it blocks).
bg bash -c 'exec "$@" >"$0"' "$T/pipe" "${K[@]}"
kpid=$BG
bg bash -o pipefail -c 'uxform --preset created_users <"$0" | "$@"' "$T/pipe" "${C[@]}" 2>"$T/err1"
spid=$BG
wait_rows 5000 180
kill -9 "$kpid"
wait "$kpid" 2>/dev/null || true
cql_cmd "delay 0" >/dev/null
wait_exit "$spid" 120
# The kill may cut kconsume's last write in the middle of a line: uxform rejects that
# one partial record (exit 1); kconsume never committed it, so the restart re-reads it.
if ((RC == 1)); then
  grep -q 'uxform: 1 of [0-9]* records rejected' "$T/err1" || fail "more than the cut record rejected: $(tail -n 5 "$T/err1")"
elif ((RC != 0)); then
  fail "uxform | cqlwrite: exit $RC: $(tail -n 5 "$T/err1")"
fi
before=$(rows_written)
echo "killed kconsume; $before rows stored by then"
((before < N)) || fail "all $N rows were written before the kill; the test proves nothing"

timeout 300 bash -o pipefail -c '"${@:2:$1}" -e | uxform --preset created_users | "${@:$(($1 + 2))}"' \
  _ "${#K[@]}" "${K[@]}" "${C[@]}" 2>"$T/err2" || fail "restart: exit $?: $(tail -n 5 "$T/err2")"
check_ids "$T/raw.ndjson.ids" || fail "the table does not hold exactly the source ids"
echo "ok: kconsume killed after $before rows, restart completed the table"
