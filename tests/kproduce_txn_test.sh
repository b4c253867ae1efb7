#!/usr/bin/env bash
# kproduce --transactional-id: records are committed every --txn-records N and at the
# end of input; SIGTERM in the middle of a transaction aborts it (exit 143, the
# aborted line range on stderr), and a read_committed consumer sees only the
# committed transactions.
# Note: librdkafka's mock cluster (the development cluster) accepts transactions but
# does not filter aborted records for read_committed consumers (no aborted-transaction
# index in its Fetch responses). Against it this test checks everything else and
# says so; with a real cluster (KAFKA_BROKERS set) it also asserts the invisibility.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/kafka.sh"
kafka_test_setup
lib="$AIRSTREAM_SRC/tests/lib"
ok=txn_ok_$$ ab=txn_abort_$$
kafka_start "$ok:3" "$ab:3"
count() { kcat -b "$KAFKA_BROKERS" -t "$1" -C -e -q -X isolation.level="$2" | wc -l; }

python3 "$lib/gen_users.py" 1000 11 >"$work/in"
# 1. Committed: 1000 records in transactions of 300 (4 transactions), all visible.
kproduce -t "$ok" --transactional-id "kp-ok-$$" --txn-records 300 --tee <"$work/in" >"$work/tee"
[[ $(count "$ok" read_committed) == 1000 ]] || fail "committed records: $(count "$ok" read_committed) of 1000"
diff <(sort "$work/in") <(sort "$work/tee") >/dev/null || fail "--tee output after commit differs"

# 2. SIGTERM during the third transaction: lines 601-700 are aborted.
mkfifo "$work/feed"
kproduce -t "$ab" --transactional-id "kp-ab-$$" --txn-records 300 <"$work/feed" 2>"$work/err" &
producer=$!
exec 7>"$work/feed"
head -n 700 "$work/in" >&7
deadline=$((SECONDS + 60))
until [[ $(count "$ab" read_uncommitted) -ge 700 ]]; do
  ((SECONDS < deadline)) || fail "records not produced: $(count "$ab" read_uncommitted) of 700"
  sleep 0.2
done
kill -TERM "$producer"
rc=0
wait "$producer" || rc=$?
exec 7>&-
[[ $rc == 143 ]] || fail "SIGTERM exit $rc, expected 143: $(cat "$work/err")"
grep -q 'transaction aborted: records of lines 601-700 not committed' "$work/err" || fail "abort message: $(cat "$work/err")"
committed=$(count "$ab" read_committed)
if kafka_is_dev; then
  ((committed >= 600)) || fail "committed transactions lost: $committed"
  echo "NOTE: development cluster: read_committed filtering of the aborted transaction not checkable (mock)"
else
  [[ $committed == 600 ]] || fail "read_committed consumer sees $committed records, expected the 600 committed"
fi

# 3. A commit the coordinator refuses: the transaction is aborted, the run fails (75)
#    naming the records that were not committed.
if kafka_is_dev; then
  kafka_cmd "request-errors EndTxn 1 NOT_ENOUGH_REPLICAS"
  rc=0
  head -n 50 "$work/in" | kproduce -t "$ab" --transactional-id "kp-fail-$$" 2>"$work/err3" || rc=$?
  [[ $rc == 75 ]] || fail "failed commit: exit $rc: $(cat "$work/err3")"
  grep -q 'commit failed.*transaction aborted: records of lines 1-50 not committed' "$work/err3" ||
    fail "failed commit message: $(cat "$work/err3")"
fi
echo ok
