#!/usr/bin/env bash
# uxform's man page: every option of `uxform --help` is documented (as *--long* or
# *-x*), the roff page lints clean, and every EXAMPLES block marked "; run" runs
# successfully (bash -e -o pipefail, in an empty directory, built tools first on PATH).
set -euo pipefail
SRC=${AIRSTREAM_SRC:?}
scd="$SRC/man/uxform.1.scd"
roff="$SRC/man/uxform.1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
[ -f "$scd" ] && [ -f "$roff" ] || fail "man/uxform.1.scd or man/uxform.1 missing"

# Options from --help: each long option, and each short option that has no long form.
uxform --help > "$tmp/help"
opts=$(grep -oE '^  -[^ ]+' "$tmp/help" | sed 's/^ *//' | while IFS=, read -r a b; do
  if [ -n "${b:-}" ]; then echo "$b"; elif [[ $a == --* ]]; then echo "$a"; else echo "$a"; fi
done)
[ "$(echo "$opts" | wc -l)" -ge 20 ] || fail "could not read the options from --help"
for o in $opts; do
  grep -qF -- "*$o*" "$scd" || fail "option $o is not documented in man/uxform.1.scd"
done

if command -v mandoc > /dev/null; then
  mandoc -Tlint -Wwarning "$roff" > "$tmp/lint" 2>&1 || fail "mandoc -Tlint: $(cat "$tmp/lint")"
fi

# The runnable examples.
python3 - "$scd" "$tmp" <<'PY'
import os, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
n, i = 0, 0
while i < len(lines):
    if lines[i].strip() == "; run":
        assert lines[i + 1].startswith("```"), f"line {i + 2}: '; run' not followed by a ``` block"
        j = i + 2
        block = []
        while not lines[j].startswith("```"):
            block.append(lines[j]); j += 1
        n += 1
        with open(os.path.join(sys.argv[2], f"example{n}.sh"), "w", encoding="utf-8") as f:
            f.write("\n".join(block) + "\n")
        i = j
    i += 1
print(n)
PY
count=$(ls "$tmp"/example*.sh 2>/dev/null | wc -l)
[ "$count" -ge 5 ] || fail "only $count runnable examples"
for ex in "$tmp"/example*.sh; do
  dir=$(mktemp -d "$tmp/run.XXXX")
  if ! (cd "$dir" && timeout 120 bash -e -o pipefail "$ex" > "$dir/.out" 2>&1); then
    echo "--- $(basename "$ex"):"; cat "$ex"; echo "--- output:"; cat "$dir/.out"
    fail "example $(basename "$ex") failed"
  fi
done
echo "ok: $count examples"
