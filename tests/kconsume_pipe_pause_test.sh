#!/usr/bin/env bash
# kconsume -g into a pipe whose reader is merely slower than Kafka must not pause
# fetching (issue 19): a pause drops what librdkafka prefetched, which is then fetched
# again, so that `kconsume -g -e | cat` read 132k records 1.4-2.4x slower than into a
# file. kconsume now waits up to 250 ms for the pipe's writer before it pauses.
# The reader here takes 64 KiB every 20 ms (about 3 MB/s, slower than the development
# cluster): before, kconsume paused fetching 9 to 13 times over these 20,000 records
# (3.7 MB); now it should not pause at all. Counted from kconsume's -vv diagnostics,
# not timed; a few pauses are allowed for a reader the machine held up past 250 ms.
# Every record must still come out.
source "$(dirname "$0")/pipeline_lib.sh"
t=pp g=pp
kafka_start --dev "$t:4"
/usr/bin/python3 "$AIRSTREAM_SRC/tests/lib/gen_users.py" 20000 5 >"$T/in"
kproduce -q -b "$KAFKA_BROKERS" -t "$t" -k login.uuid <"$T/in"
timeout 120 kconsume -b "$KAFKA_BROKERS" -t "$t" -g "$g" "${KX[@]}" -e -vv 2>"$T/err" |
  /usr/bin/python3 -c '
import sys, time
out = open(sys.argv[1], "wb")
while True:
    b = sys.stdin.buffer.read1(65536)
    if not b:
        break
    out.write(b)
    time.sleep(0.02)
' "$T/out" || fail "kconsume | slow reader: exit ${PIPESTATUS[0]}: $(grep -v '^%\|librdkafka' "$T/err" | tail -n 3)"
diff <(sort "$T/in") <(sort "$T/out") >/dev/null || fail "the reader got $(wc -l <"$T/out") records, not exactly the 20000 produced"
pauses=$(grep -c 'partition(s) paused' "$T/err" || true)
((pauses <= 3)) || fail "kconsume paused fetching $pauses times for a reader only slower than Kafka (prefetched messages dropped and fetched again)"
echo "ok: 20000 records through a slow reader, fetching paused $pauses times"
