#!/usr/bin/env bash
# rufetch benchmark. 1) Parsing and writing 5000-user pages served by the local
# fixture server (tests/randomuser_fixture_server.py, no gzip so the server is not the
# bottleneck): rufetch vs curl + jq -c '.results[]' on the same pages, users/s, MB/s,
# ratio, peak RSS. Pages are compact (like the live API) and pretty-printed (like the
# captured fixtures). 2) --synthetic generation speed (target >= 500k users/s).
# usage: bench/rufetch.sh [USERS]  (default $BENCH_RECORDS or 200000; a multiple of 5000)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N=${1:-${BENCH_RECORDS:-200000}}
PAGES=$(( (N + 4999) / 5000 ))
N=$(( PAGES * 5000 ))
bench_init

PAGE_DIR="$BENCH_TMP/pages"
mkdir -p "$PAGE_DIR"
rufetch --synthetic --seed 42 --count 5000 |
  jq -cs '{results: ., info: {seed: "bench", results: 5000, page: 1, version: "1.4"}}' >"$PAGE_DIR/compact.json"
jq . "$PAGE_DIR/compact.json" >"$PAGE_DIR/pretty.json"

/usr/bin/python3 "$BENCH_ROOT/tests/randomuser_fixture_server.py" --fixtures "$PAGE_DIR" --no-gzip --lifetime 3600 \
  >"$BENCH_TMP/fx.out" 2>"$BENCH_TMP/fx.err" &
fx_pid=$!
bench_on_exit "kill $fx_pid"
for _ in $(seq 100); do grep -q '^PORT ' "$BENCH_TMP/fx.out" && break; sleep 0.1; done
PORT=$(awk '/^PORT /{print $2; exit}' "$BENCH_TMP/fx.out")
[ -n "$PORT" ] || { echo "bench: fixture server did not start" >&2; cat "$BENCH_TMP/fx.err" >&2; exit 1; }

# cpu_seconds CMD...: user+sys CPU seconds of one run (the machine may be shared; wall
# time then understates the tool's own speed)
cpu_seconds() {
  /usr/bin/time -f '%U %S' -o "$BENCH_TMP/cpu" "$@" >/dev/null
  awk '{ printf "%.3f", $1 + $2 }' "$BENCH_TMP/cpu"
}

for kind in compact pretty; do
  url="http://127.0.0.1:$PORT/fixtures/$kind.json"
  measure "rufetch ($kind pages)" "rufetch --url '$url' --results 5000 --count $N --rate 0 >'$BENCH_TMP/r.$kind'"
  measure "curl+jq ($kind pages)" \
    "for i in \$(seq $PAGES); do curl -s --noproxy '*' '$url'; done | jq -c '.results[]' >'$BENCH_TMP/p.$kind'"
  cmp -s "$BENCH_TMP/r.$kind" "$BENCH_TMP/p.$kind" || { echo "bench: rufetch and curl+jq outputs differ ($kind)" >&2; exit 1; }
  mb=$(awk -v b="$(stat -c %s "$BENCH_TMP/r.$kind")" -v t="$(elapsed "rufetch ($kind pages)")" 'BEGIN { printf "%.0f", b / 1e6 / t }')
  report "rufetch-$kind" "$N" "rufetch ($kind pages)" "curl+jq ($kind pages)"
  cpu=$(cpu_seconds rufetch --url "$url" --results 5000 --count "$N" --rate 0)
  cmb=$(awk -v b="$(stat -c %s "$BENCH_TMP/r.$kind")" -v t="$cpu" 'BEGIN { printf "%.0f", b / 1e6 / (t > 0 ? t : 1e-3) }')
  echo "  rufetch: $mb MB/s of NDJSON written (wall), $cmb MB/s per CPU second ($cpu s CPU), $kind 5000-user pages"
done

S=$(( N * 5 ))
measure "rufetch --synthetic" "rufetch --synthetic --seed 42 --count $S >/dev/null"
report_single "synthetic" "$S" "rufetch --synthetic"
cpu=$(cpu_seconds rufetch --synthetic --seed 42 --count "$S")
echo "  rufetch --synthetic: $(awk -v n="$S" -v t="$cpu" 'BEGIN { printf "%.0f", n / (t > 0 ? t : 1e-3) }') users per CPU second"
