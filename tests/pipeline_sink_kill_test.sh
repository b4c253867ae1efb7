#!/usr/bin/env bash
# kill -9 of the sink in the middle of 100k records: `cqlwrite --from-kafka` reads
# the users topic (24 partitions, keyed by id) into the CQL test server, is killed
# with SIGKILL once a good part (but not all) of the rows are stored, and is
# restarted in the same group with -e. Offsets are committed only past stored
# records, so the table ends up with exactly the 100k source ids, none missing, and
# the restart resumes from the committed offsets instead of the beginning.
source "$(dirname "$0")/pipeline_lib.sh"
# Short sessions: the development cluster makes a group joined again wait
# session.timeout.ms - 1 s, and a killed member's partitions move only once its
# session expired: 3 s instead of pipeline_lib.sh's 6 s saves ~3 s per restart.
KX=(-X session.timeout.ms=3000 -X heartbeat.interval.ms=300)
N=100000
cql_start
kafka_start --dev users:24
create_table
users "$N" 7 "$T/users.ndjson"
produce users "$T/users.ndjson"

W=(cqlwrite -H "$CQL_HOSTS" -k "$KS" -t created_users -b "$KAFKA_BROKERS" "${KX[@]}"
  --from-kafka users -g sink --commit-interval 200ms --concurrency 64)
# Slow the server down so that the kill lands mid-stream even on a fast machine.
cql_cmd "delay 20" >/dev/null
bg "${W[@]}" 2>"$T/err1"
pid=$BG
wait_rows 15000 180
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
before=$(rows_written)
echo "killed the sink after $before rows"
((before < N)) || fail "all $N rows were written before the kill; the test proves nothing"
cql_cmd "delay 0" >/dev/null

timeout 300 "${W[@]}" -e 2>"$T/err2" || fail "restart: exit $?: $(tail -n 5 "$T/err2")"
cat "$T/err2" >&2
again=$(sed -n 's/.*: \([0-9]*\) rows written.*/\1/p' "$T/err2")
[[ -n $again ]] || fail "no summary from the restart"
# The restart resumed at the committed offsets: it did not write everything again.
((again < N)) || fail "the restart wrote $again rows: committed offsets were not used"
((before + again >= N)) || fail "$before + $again rows written < $N"
check_ids "$T/users.ndjson.ids" || fail "the table does not hold exactly the source ids"
echo "ok: killed after $before rows, restart wrote $again, table complete"
