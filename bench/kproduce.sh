#!/usr/bin/env bash
# kproduce vs kcat -P: the same synthetic users (rufetch --synthetic, seed 42) into the
# same development Kafka cluster, each into its own topic with the same number of
# partitions (many: the mock cluster keeps only ~5 MB per partition). kproduce
# validates every record as JSON and runs idempotent with acks=all; kcat -P sends the
# lines unchecked (acks=all too, librdkafka's default). Prints records/s, the ratio
# and peak RSS of both.
# usage: bench/kproduce.sh [RECORDS]   (default $BENCH_RECORDS or 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
n=${1:-${BENCH_RECORDS:-200000}}
bench_init
data="$BENCH_DIR/users-$n.ndjson"
bench_data "$n" "$data"
source tests/lib/kafka.sh
KAFKA_SKIP_CODE=69
kafka_start --dev --brokers 3 bench_kcat:48 bench_kproduce:48
cat "$data" >/dev/null  # warm the page cache for both
echo "kproduce: $n records ($(($(stat -c %s "$data") / 1048576)) MiB), cluster $KAFKA_BROKERS" >&2
# The machine is shared and noisy: five alternating rounds, the median of each kept.
for r in 1 2 3 4 5; do
  measure "kcat -P #$r" "kcat -b '$KAFKA_BROKERS' -t bench_kcat -P <'$data'"
  measure "kcat -P idempotent #$r" "kcat -b '$KAFKA_BROKERS' -t bench_kcat -P -X enable.idempotence=true <'$data'"
  measure "kproduce #$r" "kproduce -b '$KAFKA_BROKERS' -t bench_kproduce -q <'$data'"
done
median "kcat -P" "kcat -P #"{1..5}
median "kcat -P idempotent" "kcat -P idempotent #"{1..5}
median kproduce "kproduce #"{1..5}
# kproduce validates JSON and is idempotent (acks=all) by default; kcat -P is neither
# validating nor idempotent by default, so both kcat variants are shown.
report kproduce "$n" kproduce "kcat -P"
report kproduce-idem "$n" kproduce "kcat -P idempotent"
