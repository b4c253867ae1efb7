# Benchmark harness shared by bench/*.sh. Source it, then:
#   bench_init                       builds Release into build/bench (once per run)
#   bench_data N FILE                N synthetic randomuser-shaped users (seed 42), cached
#   bench_flat N                     prints the path of those N users flattened with
#                                    uxform --preset created_users (jq if uxform fails), cached
#   measure LABEL 'shell command'    runs it under /usr/bin/time -v; keeps wall time and peak RSS
#   report STAGE RECORDS TOOL PEER   prints records/s of both, the ratio and peak RSS, and
#                                    appends a row to $BENCH_RESULTS for bench/run's table
#   best LABEL ROUNDS...             the fastest of several rounds stands for LABEL
#   median LABEL ROUNDS...           the median round's time stands for LABEL, with the
#                                    highest peak RSS of the rounds
#   elapsed LABEL / peak_rss_mb LABEL / cpu_seconds LABEL   the measured figures
#   cql_exec STATEMENT               runs one CQL statement at $CQL_HOSTS (Python driver)
#   cql_count KS.TABLE               rows in a table of the CQL server at $CQL_HOSTS
#   cql_drop KS.TABLE                drops it (the in-memory server's cost grows with its rows)
#   proc_cpu PID...                  CPU seconds of those processes (and their reaped children)
# Every figure comes from the same run on the same input; nothing here asserts timings.
set -euo pipefail

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
: "${BENCH_BUILD:=$BENCH_ROOT/build/bench}"
: "${BENCH_DIR:=$BENCH_ROOT/build/bench-data}"
: "${BENCH_RESULTS:=$BENCH_DIR/results.tsv}"
export BENCH_ROOT BENCH_BUILD BENCH_DIR BENCH_RESULTS
declare -A _wall _rss _cpu _srv  # _srv: the services' CPU seconds, where a script measures them

_bench_cleanups=()
bench_on_exit() { _bench_cleanups+=("$*"); }
_bench_run_cleanups() {
  local i
  for ((i = ${#_bench_cleanups[@]} - 1; i >= 0; i--)); do eval "${_bench_cleanups[$i]}" >/dev/null 2>&1 || true; done
}
trap _bench_run_cleanups EXIT

bench_init() {
  mkdir -p "$BENCH_DIR"
  if [ -z "${BENCH_SKIP_BUILD:-}" ]; then
    "$BENCH_ROOT/scripts/build" "$BENCH_BUILD" >/dev/null
    export BENCH_SKIP_BUILD=1  # nested benchmarks reuse this build
  fi
  export PATH="$BENCH_BUILD/bin:$PATH"
  # What the service helpers in tests/lib/ look for.
  export AIRSTREAM_BIN="$BENCH_BUILD/bin" AIRSTREAM_BUILD="$BENCH_BUILD" AIRSTREAM_SRC="$BENCH_ROOT"
  BENCH_TMP=$(mktemp -d /tmp/airstream-bench.XXXXXX)
  bench_on_exit "rm -rf '$BENCH_TMP'"
}

bench_data() {
  local n=$1 file=$2
  if [ ! -s "$file" ] || [ "$(wc -l <"$file")" -ne "$n" ]; then
    rufetch --synthetic --seed 42 --count "$n" >"$file.tmp"
    mv "$file.tmp" "$file"
  fi
}

bench_flat() {
  local n=$1 data="$BENCH_DIR/users-$1.ndjson" flat="$BENCH_DIR/created_users-$1.ndjson"
  bench_data "$n" "$data"
  if [ ! -s "$flat" ] || [ "$(wc -l <"$flat")" -ne "$n" ]; then
    if ! uxform --preset created_users <"$data" >"$flat.tmp" 2>/dev/null; then
      jq -c -f "$BENCH_ROOT/bench/created_users.jq" <"$data" >"$flat.tmp"
    fi
    mv "$flat.tmp" "$flat"
  fi
  echo "$flat"
}

measure() {
  local label=$1 cmd=$2 out="$BENCH_TMP/time.$RANDOM"
  local start end
  start=$(date +%s.%N)
  if ! /usr/bin/time -v -o "$out" bash -o pipefail -c "$cmd"; then
    echo "bench: '$label' failed: $cmd" >&2
    return 1
  fi
  end=$(date +%s.%N)
  _wall[$label]=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
  _rss[$label]=$(awk -F: '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$out")
  # CPU seconds of every process of the command (user + system).
  _cpu[$label]=$(awk -F: '/User time|System time/ { t += $2 } END { printf "%.2f", t }' "$out")
}

# best LABEL ROUNDS...: the fastest of several measured rounds stands for LABEL (the
# machine may be shared and noisy, so benchmarks alternate rounds of tool and peer).
best() {
  local label=$1 r b=""
  shift
  for r in "$@"; do
    if [[ -z $b ]] || awk -v x="${_wall[$r]}" -v y="${_wall[$b]}" 'BEGIN { exit !(x < y) }'; then b=$r; fi
  done
  _wall[$label]=${_wall[$b]}
  _rss[$label]=${_rss[$b]}
  _cpu[$label]=${_cpu[$b]:-}
  _srv[$label]=${_srv[$b]:-}
}

# median LABEL ROUNDS...: the median of several rounds' wall times stands for LABEL
# (an odd number of rounds: one round's own time), with the highest peak RSS of them.
median() {
  local label=$1 mid
  shift
  mid=$(for r in "$@"; do printf '%s\t%s\n' "${_wall[$r]}" "$r"; done | sort -n | sed -n "$((($# + 1) / 2))p" | cut -f2)
  _wall[$label]=${_wall[$mid]}
  _cpu[$label]=${_cpu[$mid]:-}
  _srv[$label]=${_srv[$mid]:-}
  _rss[$label]=$(for r in "$@"; do echo "${_rss[$r]}"; done | sort -g | tail -1)
}

# cql_exec STATEMENT: runs one CQL statement on the server at $CQL_HOSTS (Python driver)
# and prints the first column of its first row, if any.
cql_exec() {
  /usr/bin/python3 - "$1" <<'PY'
import os, sys
from cassandra.cluster import Cluster
host, port = os.environ["CQL_HOSTS"].split(",")[0].rsplit(":", 1)
c = Cluster([host], port=int(port))
# A count over a few hundred thousand rows takes longer than the driver's 10 s default.
row = c.connect().execute(sys.argv[1], timeout=120).one()
if row is not None:
    print(row[0])
c.shutdown()
PY
}

# cql_count KS.TABLE: rows in a table of the CQL server at $CQL_HOSTS.
cql_count() { cql_exec "SELECT count(*) FROM $1"; }

# cql_drop KS.TABLE: drops a table of the CQL server at $CQL_HOSTS once it is counted:
# the in-memory server keeps every row, and a few million rows left from earlier runs
# made its writes 1.5-2x as costly (bigger hash tables, fresh pages to fault in).
cql_drop() { cql_exec "DROP TABLE IF EXISTS $1" >/dev/null; }

# proc_cpu PID...: CPU seconds so far (user + system, and of reaped children, such as
# PostgreSQL's backends) of the given processes.
proc_cpu() {
  local p
  for p in "$@"; do cat "/proc/$p/stat" 2>/dev/null || true; done |
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); t += $12 + $13 + $14 + $15 } END { printf "%.2f", t / hz }'
}

elapsed() { echo "${_wall[$1]}"; }
cpu_seconds() { echo "${_cpu[$1]}"; }
peak_rss_mb() { echo "${_rss[$1]}"; }

report() {
  local stage=$1 n=$2 tool=$3 peer=$4
  local tw=${_wall[$tool]} pw=${_wall[$peer]}
  local trate prate ratio
  trate=$(awk -v n="$n" -v t="$tw" 'BEGIN { printf "%.0f", n / (t > 0 ? t : 1e-9) }')
  prate=$(awk -v n="$n" -v t="$pw" 'BEGIN { printf "%.0f", n / (t > 0 ? t : 1e-9) }')
  ratio=$(awk -v a="$tw" -v b="$pw" 'BEGIN { printf "%.2f", b / (a > 0 ? a : 1e-9) }')
  printf '%-28s %10s rec/s  (%6.2fs, %7s MB)   %-24s %10s rec/s  (%6.2fs, %7s MB)   ratio %sx\n' \
    "$tool" "$trate" "$tw" "${_rss[$tool]}" "$peer" "$prate" "$pw" "${_rss[$peer]}" "$ratio"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$stage" "$n" "$tool" "$trate" "${_rss[$tool]}" \
    "$peer" "$prate" "${_rss[$peer]}" "$ratio" >>"$BENCH_RESULTS"
}

# report_single STAGE RECORDS LABEL: a measurement without a peer (e.g. the whole pipeline).
report_single() {
  local stage=$1 n=$2 label=$3 rate
  rate=$(awk -v n="$n" -v t="${_wall[$label]}" 'BEGIN { printf "%.0f", n / (t > 0 ? t : 1e-9) }')
  printf '%-28s %10s rec/s  (%6.2fs, %7s MB)\n' "$label" "$rate" "${_wall[$label]}" "${_rss[$label]}"
  printf '%s\t%s\t%s\t%s\t%s\t-\t-\t-\t-\n' "$stage" "$n" "$label" "$rate" "${_rss[$label]}" >>"$BENCH_RESULTS"
}
