#!/usr/bin/env bash
# kproduce keeps memory bounded whatever the input size: ~180 MB of input into slow
# brokers (injected round-trip time) with a small local queue makes librdkafka's queue
# fill up; kproduce then waits (queue_full_waits > 0 in its stats) instead of
# buffering, its peak RSS stays far below the input size, and every record is
# delivered (counted from the partitions' end offsets with kcat, since the mock
# cluster keeps only the newest ~5 MB per partition).
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/kafka.sh"
kafka_test_setup
[[ -x /usr/bin/time ]] || { echo "SKIP: /usr/bin/time (GNU time) not installed" >&2; exit 77; }
t=bp_$$
kafka_start --dev --brokers 3 "$t:24"  # slow brokers need fault injection
n=150000
python3 "$AIRSTREAM_SRC/tests/lib/gen_users.py" $n 5 1000 >"$work/in"
for b in 1 2 3; do kafka_cmd "rtt $b 100"; done
/usr/bin/time -v kproduce -t "$t" --stats -X queue.buffering.max.kbytes=8192 <"$work/in" 2>"$work/err" ||
  fail "kproduce failed: $(tail -5 "$work/err")"
for b in 1 2 3; do kafka_cmd "rtt $b 0"; done
rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/err")
stats=$(grep '^{"tool":"kproduce"' "$work/err" | tail -n 1)
out=$(jq -r .records_out <<<"$stats")
waits=$(jq -r .queue_full_waits <<<"$stats")
input_kb=$(($(stat -c %s "$work/in") / 1024))
echo "input ${input_kb} KiB, peak RSS ${rss_kb} KiB, queue-full waits $waits, delivered $out"
[[ $out == "$n" ]] || fail "delivered $out of $n"
((waits > 0)) || fail "the local queue never filled: backpressure not exercised"
((rss_kb < 100 * 1024)) || fail "peak RSS ${rss_kb} KiB is not bounded (input ${input_kb} KiB)"
# Independent count: sum of the partitions' end offsets (the last offset + 1).
total=$(kcat -b "$KAFKA_BROKERS" -t "$t" -C -o -1 -e -q -f '%o\n' | awk '{s += $1 + 1} END {print s}')
[[ $total == "$n" ]] || fail "the topic holds $total records, expected $n"
echo ok
