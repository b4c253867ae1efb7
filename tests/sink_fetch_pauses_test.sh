#!/usr/bin/env bash
# cqlwrite --from-kafka never pauses fetching in its normal flow, a --where filter in
# it included: a pause throws away what librdkafka prefetched for the paused
# partitions, and with a filter that dropped half the records the direct path read
# four times slower (bench/direct.sh, row where-cql). The dropped records are done at
# once but wait behind the written ones for their commit, and KafkaSource counted them
# against max_pending (1000 here, with --concurrency 1, so that the reading threads
# wait for the sink), not only the records in the sink's hands. 20,000 raw synthetic
# users in 8 partitions, a filter that keeps a few, one run bounded by `timeout 120`:
# the final --stats line's fetch_pauses must be 0, the kept rows written, the others
# counted as filtered, and the group's lag 0.
source "$(dirname "$0")/pipeline_lib.sh"
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
json_field() { grep "^{" "$2" | jq -r ".$1" | tail -1; }  # the last --stats line's field
cql_start
kafka_start --dev raw:8
n=20000
rufetch --synthetic --seed 23 --count $n >"$T/users.ndjson"
timeout 120 kproduce -q -b "$KAFKA_BROKERS" -t raw -k login.uuid <"$T/users.ndjson" || fail "kproduce: exit $?"
where='dob.age > 65'
kept=$(uxform -q -p created_users --where "$where" <"$T/users.ndjson" | wc -l)
((kept > 0 && kept < n / 3)) || fail "the filter keeps $kept of $n users: want a few"

# lag_zero GROUP: the group's committed offsets are at the end of every partition.
lag_zero() {
  kconsume -b "$KAFKA_BROKERS" -g "$1" --lag -t raw >"$T/lag.txt" 2>&1 || fail "kconsume --lag: $(cat "$T/lag.txt")"
  jq -e -s 'length == 8 and all(.lag == 0)' "$T/lag.txt" >/dev/null || fail "group $1 has lag: $(cat "$T/lag.txt")"
}

rc=0
timeout 120 cqlwrite -H "$CQL_HOSTS" -k "$KS" -t created_users --create -b "$KAFKA_BROKERS" "${KX[@]}" \
  --from-kafka raw -g cql-where -e -p created_users --where "$where" --concurrency 1 --stats 0 \
  2>"$T/cql.err" || rc=$?
((rc == 0)) || fail "cqlwrite exited $rc: $(tail -n 5 "$T/cql.err")"
[[ $(json_field fetch_pauses "$T/cql.err") == 0 ]] || fail "cqlwrite paused fetching: $(grep '^{' "$T/cql.err" | tail -n 1)"
[[ $(json_field rows_written "$T/cql.err") == "$kept" ]] || fail "cqlwrite wrote $(json_field rows_written "$T/cql.err") rows, want $kept"
[[ $(json_field records_filtered "$T/cql.err") == $((n - kept)) ]] || fail "cqlwrite: filtered count"
lag_zero cql-where
echo "ok: cqlwrite --where kept $kept of $n, no fetch pause, lag 0"

