#!/usr/bin/env bash
# The production path into PostgreSQL, `pgload --from-kafka users_created --preset
# created_users` (the transform inside the sink), reading raw randomuser.me records:
# 1. a sink that exits at once (unknown option, missing table, --help) commits no
#    offset; a restart with a good command then stores every record;
# 2. a --where filter that drops ~90% of the records: every kept record is stored,
#    a record the transform rejects is reported with its topic, partition and offset,
#    and the group's lag is 0 at the end (dropped and rejected records are done too).
source "$(dirname "$0")/sink_preset_lib.sh"
source "$AIRSTREAM_SRC/tests/lib/pg.sh"
N=3000
pg_start
kafka_start --dev "$TOPIC:4"
produce_raw "$N" 21 "$T/raw.ndjson"

W=(pgload -b "$KAFKA_BROKERS" "${KX[@]}" --from-kafka "$TOPIC" --preset created_users --commit-interval 200ms)
table_ids() { pg_psql -c "select id from $1" | sort >"$2"; }
nothing_stored() { [[ $(pg_psql -c "select count(*) from pg_tables where tablename = 'created_users'") == 0 ]]; }
summary_re() { echo "done: $1 rows committed.*1 rejected, $2 filtered"; }
exit_and_filter_checks "$N"
