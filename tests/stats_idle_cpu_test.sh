#!/usr/bin/env bash
# A tool that waits for input with --stats on (and no --metrics-file) sleeps between
# its stats lines. Regression: the stats thread's metrics deadline never moved on
# without a metrics file, so from the first second on it spun on a deadline in the
# past and burned a whole core in every tool run with --stats (seen: pgload members
# of the scale-out test at 90% CPU while idle). Checked with the CPU time the
# process used, not with wall time: an idle tool uses a few milliseconds in 4 s; the
# spinning one used seconds. The stats thread is common/stats.cc, shared by every
# tool; uxform (the stage of every pipe) is checked on an input that stays open and
# idle (a pipe from `sleep`).
set -euo pipefail
fail() { echo "FAIL: $*"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# cpu_ms CMD...: runs `sleep 4 | CMD` and prints the CPU milliseconds CMD used.
cpu_ms() {
  sleep 4 | /usr/bin/time -f '%U %S' -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" || true
  awk '{ printf "%d", ($1 + $2) * 1000 }' "$tmp/time"
}

ms=$(cpu_ms uxform --stats 1s)
grep -q '"elapsed_s"' "$tmp/err" || fail "uxform wrote no stats line: $(head -c 300 "$tmp/err")"
((ms < 1000)) || fail "uxform used $ms ms of CPU in 4 s of idle input with --stats 1s"
echo "ok: uxform idle with --stats 1s: $ms ms of CPU in 4 s"
