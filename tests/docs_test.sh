# Man pages: every page is mandoc -Tlint clean, has the required sections, every
# option that the tool's --help lists appears in its page, generated files (roff,
# completions) are up to date with their sources, and the EXAMPLES marked "; run"
# run successfully as rendered (see below).
source "$(dirname "$0")/lib/common.sh"
command -v mandoc >/dev/null || skip "mandoc not installed"
command -v scdoc >/dev/null || skip "scdoc not installed"
MAN="$AIRSTREAM_SRC/man"

check "airstream(7) exists" test -f "$MAN/airstream.7"
for page in "$MAN"/*.[17]; do
  name=$(basename "$page")
  lint=$(mandoc -Tlint -W warning "$page" 2>&1 || true)
  check "$name is mandoc -Tlint clean: $lint" test -z "$lint"
  check "$name has a source" test -f "$page.scd"
done

for t in "${TOOLS[@]}"; do
  page="$MAN/$t.1"
  if [ ! -f "$page" ]; then
    is_stub "$t" || fail "$t has no man page"
    continue
  fi
  text=$(MANWIDTH=200 man -l "$page" 2>/dev/null)
  for sec in NAME SYNOPSIS DESCRIPTION OPTIONS ENVIRONMENT "EXIT STATUS" EXAMPLES "SEE ALSO"; do
    check "$t(1) has section $sec" grep -q "^$sec" <<<"$text"
  done
  # Every option from --help: its long name, or its short name when it has no long one.
  while read -r names; do
    long=$(tr ',' '\n' <<<"$names" | grep -- '^--' | head -1 || true)
    opt=${long:-$(cut -d, -f1 <<<"$names")}
    check "$t(1) documents $opt" grep -qF -- "$opt" <<<"$text"
  done < <("$AIRSTREAM_BIN/$t" --help | sed -n 's/^  \(-[^ ]*\).*/\1/p')
done

# airstream(7)'s table of guarantees names the test that shows each one: every name
# is a test of tests/ (a renamed or removed test leaves no row pointing at nothing).
named=$(sed -n '/^Which test shows each guarantee/,/^# /p' "$MAN/airstream.7.scd" | grep -o '^:  [a-z0-9_]*_test$' |
  sed 's/^:  //' | sort -u)
check "airstream(7) names the tests of its guarantees" test "$(wc -w <<<"$named")" -ge 10
for t in $named; do
  check "airstream(7) names $t, a test of tests/" test -f "$AIRSTREAM_SRC/tests/$t.sh" -o -f "$AIRSTREAM_SRC/tests/$t.py"
done

# Generated files match their sources.
out=$("$AIRSTREAM_SRC/scripts/gen-docs" --check "$AIRSTREAM_BIN" 2>&1) || fail "generated docs out of date: $out"
pass

# Runnable examples, as a user sees and pastes them: extracted from the RENDERED page
# (man -l, and mandoc -Tutf8 must show the same text), never from the scdoc source,
# whose escapes the formatter may eat. The source only marks which blocks run: a
# "; run" comment line directly before a ``` block. Every other example block must at
# least be valid shell as shown.
examples=0
for page in "$MAN"/*.[17]; do
  name=$(basename "$page")
  dir="$TMP/examples-$name"
  MANWIDTH=200 man -l "$page" 2>/dev/null >"$dir.man" || true
  mandoc -Tutf8 -O width=200 "$page" | col -bx >"$dir.mandoc"
  if ! out=$(/usr/bin/python3 "$AIRSTREAM_SRC/tests/lib/man_examples.py" "$page.scd" "$dir" <"$dir.man"); then
    fail "examples of $name as rendered by man: $out"
  fi
  if ! out=$(/usr/bin/python3 "$AIRSTREAM_SRC/tests/lib/man_examples.py" "$page.scd" "$dir.m" <"$dir.mandoc"); then
    fail "examples of $name as rendered by mandoc: $out"
  fi
  check "$name: man and mandoc show the same examples" diff -r "$dir" "$dir.m"
  for ex in "$dir"/*.sh; do
    [ -e "$ex" ] || continue
    n=$(basename "$ex" .sh)
    check "example $n of $name is valid shell as rendered" bash -n "$ex"
    [[ "$ex" == *.run.sh ]] || continue
    examples=$((examples + 1))
    work="$dir/work-$n"
    mkdir -p "$work"
    if ! (cd "$work" && timeout 120 bash -e -o pipefail "$ex" >"$work/out" 2>"$work/err"); then
      fail "example $n of $name (as rendered) failed: $(head -c 600 "$work/err")"
      echo "--- example as rendered:"; cat "$ex"
    else
      pass
    fi
  done
done
check "the man pages have runnable examples" test "$examples" -ge 10
echo "ran $examples man page examples"
finish
