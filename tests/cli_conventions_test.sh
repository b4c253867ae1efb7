# Every tool: --help and --version on stdout with exit 0, an unknown option exits 64
# with "<tool>: error:" on stderr, a bad option value exits 64, and the man page
# renders with man -l. Stubs exit 70 with "not implemented yet". The Kafka tools'
# -X list and -X dump print and exit 0 without the options a run needs (as kcat's;
# cqlwrite and pgload used to ask for --keyspace / --table first).
source "$(dirname "$0")/lib/common.sh"

for t in "${TOOLS[@]}"; do
  exe="$AIRSTREAM_BIN/$t"
  check "$t exists" test -x "$exe"
  run "$exe" --help >"$TMP/out" 2>"$TMP/err"
  expect_eq "$t --help exit" 0 "$RC"
  out=$(cat "$TMP/out")
  check "$t --help prints usage on stdout" grep -q "Usage: $t" <<<"$out"
  check "$t --help prints nothing on stderr" test ! -s "$TMP/err"
  run "$exe" --version >"$TMP/out" 2>/dev/null
  expect_eq "$t --version exit" 0 "$RC"
  out=$(cat "$TMP/out")
  check "$t --version names the tool" grep -q "^$t (airstream) [0-9]" <<<"$out"
  run "$exe" --no-such-option </dev/null >"$TMP/out" 2>"$TMP/err"
  expect_eq "$t unknown option exit" 64 "$RC"
  check "$t unknown option message" grep -q "^$t: error: " "$TMP/err"
  check "$t usage error keeps stdout empty" test ! -s "$TMP/out"
  run "$exe" --max-errors notanumber </dev/null >/dev/null 2>&1
  expect_eq "$t bad option value exit" 64 "$RC"
  if is_stub "$t"; then
    run "$exe" </dev/null >/dev/null 2>"$TMP/err"
    expect_eq "$t stub exit" 70 "$RC"
    check "$t stub message" grep -qx "$t: not implemented yet" "$TMP/err"
  else
    check "$t has a man page" test -f "$AIRSTREAM_SRC/man/$t.1"
    check "$t man page renders" bash -c "MANWIDTH=80 man -l '$AIRSTREAM_SRC/man/$t.1' 2>/dev/null | grep -q 'SYNOPSIS'"
  fi
done

for t in kproduce kconsume cqlwrite pgload; do
  run "$AIRSTREAM_BIN/$t" -X list </dev/null >"$TMP/out" 2>"$TMP/err"
  expect_eq "$t -X list exit ($(head -c 200 "$TMP/err"))" 0 "$RC"
  check "$t -X list lists librdkafka's properties" grep -q '^bootstrap.servers ' "$TMP/out"
  run "$AIRSTREAM_BIN/$t" -X dump -X client.id=probe </dev/null >"$TMP/out" 2>"$TMP/err"
  expect_eq "$t -X dump exit ($(head -c 200 "$TMP/err"))" 0 "$RC"
  check "$t -X dump shows the configuration" grep -qx 'client.id = probe' "$TMP/out"
done
finish
