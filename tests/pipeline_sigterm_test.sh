#!/usr/bin/env bash
# SIGTERM to `cqlwrite --from-kafka` mid-stream: it stops fetching, drains the
# writes in flight, makes its final commit and exits 143; a restart in the same
# group (-e) resumes after the committed records, and the table holds every id.
source "$(dirname "$0")/pipeline_lib.sh"
N=20000
cql_start
kafka_start --dev users:8
create_table
users "$N" 13 "$T/users.ndjson"
produce users "$T/users.ndjson"
W=(cqlwrite -H "$CQL_HOSTS" -k "$KS" -t created_users -b "$KAFKA_BROKERS" "${KX[@]}"
  --from-kafka users -g term --concurrency 32)
cql_cmd "delay 20" >/dev/null
bg "${W[@]}" 2>"$T/err1"
pid=$BG
wait_rows 3000 180
kill -TERM "$pid"
wait_exit "$pid" 120
((RC == 143)) || fail "SIGTERM: exit $RC, want 143: $(tail -n 5 "$T/err1")"
first=$(sed -n 's/.*: \([0-9]*\) rows written.*/\1/p' "$T/err1")
((first > 0 && first < N)) || fail "first run wrote '$first' rows: $(tail -n 5 "$T/err1")"
cql_cmd "delay 0" >/dev/null
timeout 300 "${W[@]}" -e 2>"$T/err2" || fail "restart: exit $?: $(tail -n 5 "$T/err2")"
again=$(sed -n 's/.*: \([0-9]*\) rows written.*/\1/p' "$T/err2")
# The final commit covered every record the first run stored: none is written twice.
((first + again == N)) || fail "first run $first + restart $again rows != $N"
check_ids "$T/users.ndjson.ids" || fail "the table does not hold exactly the source ids"
echo "ok: SIGTERM after $first rows (exit 143), restart wrote the other $again"
