#!/usr/bin/env bash
# SIGTERM / SIGINT while uxform waits for more input: it stops reading, writes out
# what it transformed (output flushed when the input goes idle), exits 143 / 130.
set -euo pipefail
SRC=${AIRSTREAM_SRC:?}
tmp=$(mktemp -d)
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  exec 3>&- 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
rufetch --synthetic --seed 9 --count 25 > "$tmp/users.ndjson"

for sig in TERM INT; do
  want=$([ $sig = TERM ] && echo 143 || echo 130)
  rm -f "$tmp/fifo" "$tmp/out"
  mkfifo "$tmp/fifo"
  uxform -p created_users < "$tmp/fifo" > "$tmp/out" 2> "$tmp/err" &
  pid=$!
  exec 3> "$tmp/fifo"
  cat "$tmp/users.ndjson" >&3   # the writer stays open: uxform then waits for more
  deadline=$((SECONDS + 60))
  until [ "$(wc -l < "$tmp/out")" -ge 25 ]; do  # flushed when the input is idle
    [ $SECONDS -lt $deadline ] || fail "$sig: output not flushed while waiting for input"
    sleep 0.1
  done
  kill -$sig "$pid"
  set +e
  wait "$pid"
  rc=$?
  set -e
  pid=""
  exec 3>&-
  [ "$rc" -eq "$want" ] || fail "SIG$sig: exit $rc, want $want ($(cat "$tmp/err"))"
  uxform -p created_users "$tmp/users.ndjson" | cmp - "$tmp/out" || fail "SIG$sig: output differs"
done
echo ok
