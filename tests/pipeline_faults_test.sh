#!/usr/bin/env bash
# The direct pipeline (topic -> cqlwrite --from-kafka -> 3-node CQL test server)
# under faults while it runs: a Kafka broker down for a few seconds, a CQL node
# down, then Overloaded errors for the next 200 writes. It slows down, retries, and
# ends complete: every source id is in the table and the run exits 0.
source "$(dirname "$0")/pipeline_lib.sh"
N=20000
cql_start --nodes 3
kafka_start --dev users:12
create_table
users "$N" 21 "$T/users.ndjson"
produce users "$T/users.ndjson"

# ~1600 rows/s (64 in flight, 40 ms per answer): the faults land mid-stream.
cql_cmd "delay 40" >/dev/null
bg "${AIRSTREAM_BIN}/cqlwrite" -H "$CQL_HOSTS" -k "$KS" -t created_users -b "$KAFKA_BROKERS" "${KX[@]}" \
  --from-kafka users -g faults -e --commit-interval 200ms --concurrency 64 --retries 1000 --consistency ONE \
  --reject-file "$T/rej.ndjson" 2>"$T/err"
pid=$BG
wait_rows 2000 180
kafka_cmd "down 2" || fail "kafka down 2"
sleep 3
kafka_cmd "up 2" || fail "kafka up 2"
wait_rows 6000 180
[[ $(cql_cmd "down 2") == ok* ]] || fail "cql down 2"
sleep 2
[[ $(cql_cmd "up 2") == ok* ]] || fail "cql up 2"
wait_rows 10000 180
[[ $(cql_cmd "overloaded 200") == ok* ]] || fail "overloaded"
cql_cmd "delay 0" >/dev/null
wait_exit "$pid" 300
((RC == 0)) || fail "cqlwrite exit $RC: $(tail -n 5 "$T/err")"
retries=$(sed -n 's/.*, \([0-9]*\) retries;.*/\1/p' "$T/err")
((${retries:-0} >= 200)) || fail "expected >= 200 retries (Overloaded 200): $(tail -n 3 "$T/err")"
[[ ! -s $T/rej.ndjson ]] || fail "records rejected: $(head -n 3 "$T/rej.ndjson")"
check_ids "$T/users.ndjson.ids" || fail "the table does not hold exactly the source ids"
echo "ok: $N users stored through a Kafka broker outage, a CQL node outage and Overloaded errors"
