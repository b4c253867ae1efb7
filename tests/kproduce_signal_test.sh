#!/usr/bin/env bash
# kproduce on SIGTERM / SIGINT: it stops reading, waits for the delivery reports of
# everything already sent (slow brokers: injected round-trip time keeps messages in
# flight when the signal arrives) and exits 143 / 130; nothing it read is lost.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/kafka.sh"
kafka_test_setup
t=sig_$$
kafka_start --dev --brokers 3 "$t:4"
kafka_require_dev
python3 "$AIRSTREAM_SRC/tests/lib/gen_users.py" 4000 9 >"$work/in"

run_with_signal() {  # run_with_signal SIGNAL FIRST_LINE LAST_LINE EXPECTED_EXIT
  local sig=$1 from=$2 to=$3 want=$4 rc=0
  rm -f "$work/feed"
  mkfifo "$work/feed"
  kproduce -t "$t" --stats=0.1 --no-progress --reject-file "$work/rej" <"$work/feed" 2>"$work/err" &
  local pid=$!
  exec 7>"$work/feed"
  sed -n "${from},${to}p" "$work/in" >&7
  # Wait until kproduce has read all 2000 records (its periodic stats say so), then
  # signal it while the slow brokers still hold messages in flight.
  local deadline=$((SECONDS + 60))
  until grep -q '"records_in":2000,' "$work/err"; do
    ((SECONDS < deadline)) || fail "kproduce did not read the records: $(tail -n 2 "$work/err")"
    sleep 0.05
  done
  grep '"records_in":2000,' "$work/err" | head -n 1 | grep -q '"records_out":2000,' &&
    fail "all records were already delivered: nothing in flight to drain"
  kill -"$sig" "$pid"
  wait "$pid" || rc=$?
  exec 7>&-
  [[ $rc == "$want" ]] || fail "$sig: exit $rc, expected $want: $(cat "$work/err")"
  tail -n 1 "$work/err" | grep -q '"records_out":2000,' || fail "$sig: in-flight records not drained: $(tail -n 1 "$work/err")"
}

for b in 1 2 3; do kafka_cmd "rtt $b 400"; done
run_with_signal TERM 1 2000 143
run_with_signal INT 2001 4000 130
for b in 1 2 3; do kafka_cmd "rtt $b 0"; done
[[ ! -s "$work/rej" ]] || fail "unexpected rejects: $(head -c 300 "$work/rej")"
kcat -b "$KAFKA_BROKERS" -t "$t" -C -e -q | sort >"$work/out"
diff <(sort "$work/in") "$work/out" >/dev/null || fail "topic content differs from the 4000 input records ($(wc -l <"$work/out"))"
echo ok
