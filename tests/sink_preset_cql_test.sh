#!/usr/bin/env bash
# The production path into Cassandra, `cqlwrite --from-kafka users_created -p
# created_users` (the transform inside the sink), reading raw randomuser.me records:
# 1. a sink that exits at once (unknown option, missing table, --help) commits no
#    offset; a restart with a good command then stores every record;
# 2. a --where filter that drops ~90% of the records: every kept record is stored,
#    a record the transform rejects is reported with its topic, partition and offset,
#    and the group's lag is 0 at the end (dropped and rejected records are done too).
source "$(dirname "$0")/sink_preset_lib.sh"
N=3000
cql_start
kafka_start --dev "$TOPIC:4"
produce_raw "$N" 21 "$T/raw.ndjson"

W=(cqlwrite -H "$CQL_HOSTS" -b "$KAFKA_BROKERS" "${KX[@]}" --from-kafka "$TOPIC" -p created_users -k "$KS"
  --commit-interval 200ms)
table_ids() { cql_ids "$@"; }
nothing_stored() { [[ $(rows_written) == 0 ]]; }
summary_re() { echo "$1 rows written.*1 rejected, $2 filtered"; }
exit_and_filter_checks "$N"
