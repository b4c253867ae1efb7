#!/usr/bin/env bash
# pgload --from-kafka with -e or --exit-at-group-end ends as soon as the topic is read
# and its rows are committed, whatever --batch-timeout says. The source ends only once
# every record read is acknowledged, and a batch was acknowledged only when full or
# after --batch-timeout: with --batch-timeout 0 ("only when full") a topic smaller
# than a batch was never committed and pgload never ended; with the default 1 s every
# -e run waited a second at its end. Now the jobs commit their open batch once the
# source only waits for it (KafkaSource::draining).
# 300 raw synthetic users in 4 partitions of the development Kafka cluster, loaded
# with the created_users preset (--batch-rows 1000: one open batch per job at the
# end) in four runs, each in its own group, each bounded by `timeout 60`:
#  - -e with --batch-timeout 0, and with --batch-timeout 1h (both hung before);
#  - --exit-at-group-end with --batch-timeout 0;
#  - -e with --jobs 1 and the default --batch-timeout.
# Each must exit 0 with every row in the table and the group's lag 0.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/pg.sh"
source "$AIRSTREAM_SRC/tests/lib/kafka.sh"
pg_test_setup
kafka_start --dev raw:4
n=300
rufetch --synthetic --seed 17 --count $n >users.ndjson
kproduce -q -b "$KAFKA_BROKERS" -t raw -k login.uuid <users.ndjson
pg_users_table created_users

# load GROUP ARGS...: one run in a fresh group, bounded; checks its exit, rows and lag.
load() {
  local g=$1 rc=0
  shift
  pg_psql -c 'truncate created_users'
  timeout 60 pgload -t created_users --mode upsert --key id --preset created_users --batch-rows 1000 \
    --from-kafka raw -g "$g" -b "$KAFKA_BROKERS" "$@" 2>err.txt || rc=$?
  [ "$rc" -ne 124 ] || fail "pgload $* did not end within 60 s (the open batch was never committed): $(cat err.txt)"
  [ "$rc" -eq 0 ] || fail "pgload $* exited $rc: $(cat err.txt)"
  [ "$(pg_psql -c 'select count(*) from created_users')" = "$n" ] || fail "pgload $*: row count"
  kconsume -b "$KAFKA_BROKERS" -g "$g" --lag -t raw >lag.txt 2>&1 || fail "kconsume --lag: $(cat lag.txt)"
  jq -e -s 'length == 4 and all(.lag == 0)' lag.txt >/dev/null || fail "pgload $*: group $g has lag: $(cat lag.txt)"
  echo "ok: pgload $*"
}
load g-e0 -e --batch-timeout 0
load g-e1h -e --batch-timeout 1h
load g-ge0 --exit-at-group-end --batch-timeout 0
load g-j1 -e --jobs 1
echo ok
