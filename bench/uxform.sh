#!/usr/bin/env bash
# uxform vs jq: `uxform --preset created_users` and the equivalent jq program
# (bench/created_users.jq) on the same input in the same run, outputs checked equal
# record by record. Inputs: N synthetic users (rufetch --synthetic, seed 42) and the
# real captured randomuser.me samples (shared fixtures, repeated to ~40k records).
# Prints records/s by wall time (bench/lib.sh; uxform: best of 5 rounds) and by CPU
# time (user+sys, the one-core figure on a busy machine; uxform: least of its rounds),
# the ratio, and peak RSS, also on 5x the input piped in (memory must not grow with
# the input).
# usage: bench/uxform.sh [RECORDS]   (default $BENCH_RECORDS or 200000)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
n=${1:-${BENCH_RECORDS:-200000}}
bench_init
data="$BENCH_DIR/users-$n.ndjson"
bench_data "$n" "$data"
cat "$data" >/dev/null  # warm the page cache

declare -A _cpu
cpu_measure() {  # cpu_measure LABEL CMD: like measure, and keeps user+sys seconds
  local label=$1 cmd=$2 t="$BENCH_TMP/cpu.$RANDOM"
  measure "$label" "/usr/bin/time -f '%U %S' -o '$t' bash -o pipefail -c \"$cmd\""
  _cpu[$label]=$(awk '{ printf "%.3f", $1 + $2 }' "$t")
}
same_records() {  # same_records A B: equal line by line, else print the first difference
  if ! cmp -s "$1" "$2"; then
    echo "bench: outputs differ:" >&2
    diff <(cat -n "$1") <(cat -n "$2") | head -4 >&2
    return 1
  fi
}
cpu_line() {  # cpu_line N TOOL PEER
  awk -v n="$1" -v a="${_cpu[$2]}" -v b="${_cpu[$3]}" -v t="$2" -v p="$3" 'BEGIN {
    printf "  by CPU time: %-24s %10.0f rec/s (%.2fs)   %-20s %10.0f rec/s (%.2fs)   ratio %.1fx\n",
      t, n / (a > 0 ? a : 1e-9), a, p, n / (b > 0 ? b : 1e-9), b, b / (a > 0 ? a : 1e-9) }'
}
best_cpu() {  # best_cpu LABEL ROUNDS...: best() plus the least CPU time of the rounds
  best "$@"
  local label=$1 r
  shift
  _cpu[$label]=$(for r in "$@"; do echo "${_cpu[$r]}"; done | sort -g | head -1)
}

echo "uxform: $n synthetic records ($(($(stat -c %s "$data") / 1048576)) MiB)" >&2
for r in 1 2 3 4 5; do
  cpu_measure "uxform #$r" "uxform -p created_users '$data' >'$BENCH_TMP/ux.ndjson'"
done
best_cpu "uxform --preset" "uxform #"{1..5}
cpu_measure "jq -f created_users.jq" "jq -c -f bench/created_users.jq '$data' >'$BENCH_TMP/jq.ndjson'"
same_records "$BENCH_TMP/ux.ndjson" "$BENCH_TMP/jq.ndjson"
[ "$(wc -l <"$BENCH_TMP/ux.ndjson")" -eq "$n" ] || { echo "bench: uxform wrote $(wc -l <"$BENCH_TMP/ux.ndjson") records, want $n" >&2; exit 1; }
report uxform "$n" "uxform --preset" "jq -f created_users.jq"
cpu_line "$n" "uxform --preset" "jq -f created_users.jq"

# Peak RSS does not grow with the input: 5x the data through a pipe.
cpu_measure "uxform 5x piped" "cat '$data' '$data' '$data' '$data' '$data' | uxform -p created_users >/dev/null"
echo "  5x input ($((5 * n)) records) piped: peak RSS $(peak_rss_mb "uxform 5x piped") MB (cat included)"

# The real samples.
fix=${AIRSTREAM_FIXTURES:-$BENCH_ROOT/../shared/fixtures/randomuser}
[ -d "$fix" ] || fix=/work/shared/fixtures/randomuser
if [ -d "$fix" ]; then
  for f in "$fix"/*.json; do jq -c '.results[]' "$f"; done >"$BENCH_TMP/real1.ndjson"
  for i in $(seq 1 200); do cat "$BENCH_TMP/real1.ndjson"; done >"$BENCH_TMP/real.ndjson"
  m=$(wc -l <"$BENCH_TMP/real.ndjson")
  for r in 1 2 3; do
    cpu_measure "uxform real #$r" "uxform -p created_users '$BENCH_TMP/real.ndjson' >'$BENCH_TMP/uxr.ndjson'"
  done
  best_cpu "uxform --preset (real)" "uxform real #"{1..3}
  cpu_measure "jq (real)" "jq -c -f bench/created_users.jq '$BENCH_TMP/real.ndjson' >'$BENCH_TMP/jqr.ndjson'"
  same_records "$BENCH_TMP/uxr.ndjson" "$BENCH_TMP/jqr.ndjson"
  report uxform-real "$m" "uxform --preset (real)" "jq (real)"
  cpu_line "$m" "uxform --preset (real)" "jq (real)"
else
  echo "  (no real samples found: skipped)"
fi
