#!/usr/bin/env bash
# kconsume vs kcat -C -e: the same synthetic users (rufetch --synthetic, seed 42)
# loaded once with kcat -P into one topic of the development Kafka cluster (many
# partitions: the mock keeps only ~5 MB per partition), then read to its end by both,
# output to /dev/null. kconsume validates every value as JSON (kcat does not) and
# tracks offsets for its commits. Prints records/s, the ratio and peak RSS of both,
# twice: with each tool's defaults (what a user gets: kconsume -e stops at the high
# watermark, kcat -e waits for an empty fetch held for fetch.wait.max.ms), and with
# both told -X fetch.wait.max.ms=10, which takes the end-of-topic wait out and leaves
# the per-record work (kconsume validates every value, kcat does not).
# usage: bench/kconsume.sh [RECORDS]   (default $BENCH_RECORDS or 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
n=${1:-${BENCH_RECORDS:-200000}}
bench_init
data="$BENCH_DIR/users-$n.ndjson"
bench_data "$n" "$data"
source tests/lib/kafka.sh
KAFKA_SKIP_CODE=69
parts=$(( $(stat -c %s "$data") / (2 * 1048576) + 16 ))  # ~2 MB per partition
kafka_start --dev --brokers 3 "bench_kconsume:$parts"
# One key per record spreads them evenly (unkeyed, the sticky partitioner fills a few
# partitions past what the mock keeps). Both tools read the same messages anyway.
awk '{print NR "\t" $0}' "$data" | kcat -b "$KAFKA_BROKERS" -t bench_kconsume -P -K $'\t'
echo "kconsume: $n records ($(($(stat -c %s "$data") / 1048576)) MiB) in $parts partitions, cluster $KAFKA_BROKERS" >&2
# Both must see every record, or the comparison means nothing.
got=$(kcat -b "$KAFKA_BROKERS" -t bench_kconsume -C -e -q | wc -l)
[[ $got == "$n" ]] || { echo "bench: kcat read $got of $n records (cluster dropped data?)" >&2; exit 1; }
got=$(kconsume -b "$KAFKA_BROKERS" -t bench_kconsume -e -q | wc -l)
[[ $got == "$n" ]] || { echo "bench: kconsume read $got of $n records" >&2; exit 1; }
# The machine is shared and noisy: alternating rounds, the best of each kept.
short=(-X fetch.wait.max.ms=10)
for r in 1 2 3 4 5; do
  measure "kcat -C -e #$r" "kcat -b '$KAFKA_BROKERS' -t bench_kconsume -C -e -q >/dev/null"
  measure "kconsume -e #$r" "kconsume -b '$KAFKA_BROKERS' -t bench_kconsume -e -q >/dev/null"
  measure "kcat -C -e (10ms wait) #$r" "kcat -b '$KAFKA_BROKERS' -t bench_kconsume -C -e -q ${short[*]} >/dev/null"
  measure "kconsume -e (10ms wait) #$r" "kconsume -b '$KAFKA_BROKERS' -t bench_kconsume -e -q ${short[*]} >/dev/null"
done
best "kcat -C -e" "kcat -C -e #"{1..5}
best "kconsume -e" "kconsume -e #"{1..5}
best "kcat -C -e (10ms wait)" "kcat -C -e (10ms wait) #"{1..5}
best "kconsume -e (10ms wait)" "kconsume -e (10ms wait) #"{1..5}
report kconsume "$n" "kconsume -e" "kcat -C -e"
report kconsume-10ms "$n" "kconsume -e (10ms wait)" "kcat -C -e (10ms wait)"
