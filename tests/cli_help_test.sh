# --help of every tool shows plain argument names and defaults, as curl and psql show
# them, never the command-line parser's notation: no "=[] ...", ":NONNEGATIVE",
# "REQUIRED", ":INT in [1 - 32768]", ":{a,b}" choice sets, "(Env:...)" or "Excludes:".
source "$(dirname "$0")/lib/common.sh"

for t in "${TOOLS[@]}"; do
  run "$t" --help >"$TMP/$t.help" 2>&1
  expect_eq "$t --help exit" 0 "$RC"
  for internal in '=[]' ':NONNEGATIVE' ':POSITIVE' 'REQUIRED' ' in [' ':{' 'Env:' 'Excludes:' 'Needs:' \
    ':FILE' 'TEXT' ' INT' 'UINT' 'FLOAT' 'BOOLEAN'; do
    if grep -nF -- "$internal" "$TMP/$t.help" >"$TMP/hit"; then
      fail "$t --help shows parser internals '$internal': $(head -1 "$TMP/hit")"
    else
      pass
    fi
  done
  check "$t --help has no '...' repeat marks after argument names" bash -c "! grep -qE '^  [^ ]+ [^ ]+ \.\.\.( |$)' '$TMP/$t.help'"
  # No number longer than 12 digits (CLI11 prints the limits of a type as a range).
  check "$t --help has no huge numbers" bash -c "! grep -qE '[0-9]{13}' '$TMP/$t.help'"
  # Every option line: names, an optional argument name, then two spaces and text.
  check "$t --help option lines are plain" bash -c \
    "! grep -E '^  -' '$TMP/$t.help' | grep -vE '^  -[^ ]+( [^ ]+)?( {2,}[^ ].*)?$' | grep ."
done

# Defaults and choices stay visible, in words.
grep -q -- '--compression none|lz4' "$TMP/cqlwrite.help" && pass || fail "cqlwrite --compression choices"
grep -q -- '--consistency .*(one of: ANY, ONE,' "$TMP/cqlwrite.help" && pass || fail "cqlwrite --consistency choices"
grep -q -- '--batch-rows N .*(default: 50000)' "$TMP/pgload.help" && pass || fail "pgload --batch-rows default"
grep -q -- '-k,--keyspace KEYSPACE .*(required)' "$TMP/cqlwrite.help" && pass || fail "cqlwrite required option"
grep -q -- '--hosts .*(env: CQL_HOSTS)' "$TMP/cqlwrite.help" && pass || fail "cqlwrite environment variable"
grep -q -- 'Usage: cqlwrite \[OPTIONS\] \[FILE...\]' "$TMP/cqlwrite.help" && pass || fail "cqlwrite usage line"
# An argument name with a colon is shown whole, not cut at it.
grep -q -- '--metrics-listen ADDR:PORT  ' "$TMP/kconsume.help" && pass || fail "kconsume --metrics-listen ADDR:PORT"
grep -q -- '--max-errors N  ' "$TMP/kconsume.help" && pass || fail "kconsume --max-errors N"
finish
