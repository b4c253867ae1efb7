# Shared shell test helpers: tool location, temp dirs cleaned at exit, assertions,
# bounded waiting. Source it first in every tests/*_test.sh.
set -euo pipefail

: "${AIRSTREAM_SRC:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${AIRSTREAM_BIN:=$AIRSTREAM_SRC/build/bin}"
export AIRSTREAM_SRC AIRSTREAM_BIN
export PATH="$AIRSTREAM_BIN:$PATH"
TOOLS=(rufetch kproduce kconsume uxform cqlwrite pgload)

_cleanups=()
# Runs the given command at exit (last registered first).
on_exit() { _cleanups+=("$*"); }
_run_cleanups() {
  local i
  for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do eval "${_cleanups[$i]}" >/dev/null 2>&1 || true; done
}
trap _run_cleanups EXIT

TMP=$(mktemp -d /tmp/airstream-test.XXXXXX)
on_exit "rm -rf '$TMP'"

_failures=0
_checks=0
fail() { echo "FAIL: $*" >&2; _failures=$((_failures + 1)); }
pass() { _checks=$((_checks + 1)); }
# check DESCRIPTION COMMAND...: runs the command, records a failure if it fails.
check() {
  local what="$1"; shift
  _checks=$((_checks + 1))
  if ! "$@"; then fail "$what"; fi
}
# expect_eq DESCRIPTION WANT GOT
expect_eq() {
  _checks=$((_checks + 1))
  if [ "$2" != "$3" ]; then fail "$1: want [$2], got [$3]"; fi
}
# Ends the test: exit 1 if anything failed or nothing was checked.
finish() {
  if [ "$_checks" -eq 0 ]; then echo "FAIL: no checks ran" >&2; exit 1; fi
  if [ "$_failures" -gt 0 ]; then echo "$_failures of $_checks checks failed" >&2; exit 1; fi
  echo "all $_checks checks passed"
  exit 0
}
skip() { echo "SKIP: $*" >&2; exit 77; }

# wait_for SECONDS COMMAND...: polls the command every 0.1 s until it succeeds.
wait_for() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

# run COMMAND...: runs it without tripping set -e; its exit status is left in RC.
# Redirections on the call apply to the command: run tool <in >out 2>err; echo $RC
RC=0
run() { RC=0; "$@" || RC=$?; }

# True if the tool is still the not-implemented stub.
is_stub() { "$AIRSTREAM_BIN/$1" --help 2>/dev/null | head -1 | grep -q "not implemented yet"; }

# Path of the real randomuser.me fixtures, or empty.
fixtures_dir() {
  local d
  for d in "${AIRSTREAM_FIXTURES:-}" "$AIRSTREAM_SRC/../shared/fixtures/randomuser" /work/shared/fixtures/randomuser; do
    if [ -n "$d" ] && [ -f "$d/SOURCES.txt" ]; then echo "$d"; return 0; fi
  done
  return 1
}

# Metrics checks: json_field NAME FILE (the last --stats line's field), prom_value
# SERIES FILE (a sample's value in Prometheus text), promtool_ok FILE (passes
# `promtool check metrics` without a warning; the lint is left in FILE.lint).
json_field() { grep "^{" "$2" | jq -r ".$1" | tail -1; }
prom_value() { awk -v n="$1" '$1 == n { print $2 }' "$2"; }
promtool_ok() { promtool check metrics <"$1" >"$1.lint" 2>&1 && ! grep -q . "$1.lint"; }
