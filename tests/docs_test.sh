# Man pages: every page is mandoc -Tlint clean, has the required sections, every
# option that the tool's --help lists appears in its page, generated files (roff,
# completions) are up to date with their sources, and the EXAMPLES marked "; run"
# in the scdoc sources run successfully.
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

# Generated files match their sources.
out=$("$AIRSTREAM_SRC/scripts/gen-docs" --check "$AIRSTREAM_BIN" 2>&1) || fail "generated docs out of date: $out"
pass

# Runnable examples: a "; run" comment line directly before a ``` block.
examples=0
for src in "$MAN"/*.scd; do
  n=0
  while IFS= read -r -d '' block; do
    n=$((n + 1)); examples=$((examples + 1))
    dir="$TMP/example-$(basename "$src")-$n"
    mkdir -p "$dir"
    printf '%s\n' "$block" >"$dir/example.sh"
    if ! (cd "$dir" && timeout 120 bash -e -o pipefail example.sh >"$dir/out" 2>"$dir/err"); then
      fail "example $n of $(basename "$src") failed: $(head -c 600 "$dir/err")"
      echo "--- example:"; cat "$dir/example.sh"
    else
      pass
    fi
  done < <(awk '
    /^; run[ \t]*$/ { armed = 1; next }
    armed && /^```/ { if (inblock) { printf "%s%c", buf, 0; inblock = 0; armed = 0; buf = "" } else { inblock = 1 } next }
    inblock { buf = buf $0 "\n"; next }
    { if (!inblock) armed = 0 }' "$src")
done
echo "ran $examples man page examples"
finish
