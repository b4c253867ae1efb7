# Shared by rufetch's integration tests (sourced, not a test itself): the fixture
# server (tests/randomuser_fixture_server.py) on a free loopback port, killed at exit.
# Usage: fx_start [server options...]; then $FX_URL is http://127.0.0.1:<port>.
BIN=${AIRSTREAM_BIN:?}/rufetch
SRC=${AIRSTREAM_SRC:?}
FX_DIR=${AIRSTREAM_FIXTURES:-$SRC/../shared/fixtures/randomuser}
[ -d "$FX_DIR" ] || FX_DIR=/work/shared/fixtures/randomuser
[ -d "$FX_DIR" ] || { echo "SKIP: no randomuser fixtures" >&2; exit 77; }
export AIRSTREAM_FIXTURES=$FX_DIR
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY RUFETCH_URL
T=$(mktemp -d)
FX_PIDS=()
fx_cleanup() {
  local p
  for p in "${FX_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${FX_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$T"
}
trap fx_cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

fx_start() {
  local out="$T/fx.$RANDOM"
  /usr/bin/python3 "$SRC/tests/randomuser_fixture_server.py" --fixtures "$FX_DIR" --lifetime 300 "$@" >"$out" 2>"$out.err" &
  FX_PIDS+=($!)
  local i
  for i in $(seq 200); do
    if grep -q '^PORT ' "$out" 2>/dev/null; then
      FX_PORT=$(awk '/^PORT /{print $2; exit}' "$out")
      FX_URL="http://127.0.0.1:$FX_PORT"
      return 0
    fi
    kill -0 "${FX_PIDS[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  cat "$out.err" >&2
  fail "fixture server did not start"
}

# fx_stats FIELD: a number from the server's /_stats
fx_stats() { curl -s --noproxy '*' "$FX_URL/_stats" | jq -r ".$1"; }

# expect_rc WANT CMD...: runs CMD (stdout to $T/out, stderr to $T/err), checks its exit status
expect_rc() {
  local want=$1 rc=0
  shift
  "$@" >"$T/out" 2>"$T/err" || rc=$?
  [ "$rc" -eq "$want" ] || { cat "$T/err" >&2; fail "exit $rc, expected $want: $*"; }
}
