# shellcheck shell=bash
# man_check TOOL MIN_EXAMPLES: checks a tool's man page the way the brief asks:
# every option of `TOOL --help` is documented (*--long*, or *-x* for short-only
# options), man/TOOL.1 lints clean (mandoc -Tlint -Wwarning), and every EXAMPLES
# block marked "; run" runs (bash -e -o pipefail, empty directory, built tools first
# on PATH). Prints "ok: N examples"; exits 1 on the first problem.
man_check() {
  local tool=$1 min=$2 src=${AIRSTREAM_SRC:?}
  local scd="$src/man/$tool.1.scd" roff="$src/man/$tool.1" tmp o count ex dir
  tmp=$(mktemp -d)
  # shellcheck disable=SC2064
  trap "rm -rf '$tmp'" RETURN
  [[ -f $scd && -f $roff ]] || { echo "FAIL: man/$tool.1.scd or man/$tool.1 missing"; return 1; }
  "$tool" --help >"$tmp/help"
  local opts
  opts=$(grep -oE '^  -[^ ]+' "$tmp/help" | sed 's/^ *//' | while IFS=, read -r a b; do echo "${b:-$a}"; done)
  [[ $(wc -l <<<"$opts") -ge 10 ]] || { echo "FAIL: could not read the options from --help"; return 1; }
  for o in $opts; do
    grep -qF -- "*$o*" "$scd" || { echo "FAIL: option $o is not documented in man/$tool.1.scd"; return 1; }
  done
  if command -v mandoc >/dev/null; then
    mandoc -Tlint -Wwarning "$roff" >"$tmp/lint" 2>&1 || { echo "FAIL: mandoc -Tlint: $(cat "$tmp/lint")"; return 1; }
  fi
  python3 - "$scd" "$tmp" <<'PY'
import os, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
n, i = 0, 0
while i < len(lines):
    if lines[i].strip() == "; run":
        assert lines[i + 1].startswith("```"), f"line {i + 2}: '; run' not followed by a ``` block"
        j, block = i + 2, []
        while not lines[j].startswith("```"):
            block.append(lines[j])
            j += 1
        n += 1
        with open(os.path.join(sys.argv[2], f"example{n}.sh"), "w", encoding="utf-8") as f:
            f.write("\n".join(block) + "\n")
        i = j
    i += 1
PY
  count=$(find "$tmp" -name 'example*.sh' | wc -l)
  [[ $count -ge $min ]] || { echo "FAIL: only $count runnable examples (want $min)"; return 1; }
  for ex in "$tmp"/example*.sh; do
    dir=$(mktemp -d "$tmp/run.XXXX")
    if ! (cd "$dir" && timeout 120 bash -e -o pipefail "$ex" >"$dir/.out" 2>&1); then
      echo "--- $(basename "$ex"):"; cat "$ex"; echo "--- output:"; cat "$dir/.out"
      echo "FAIL: example $(basename "$ex") failed"
      return 1
    fi
  done
  echo "ok: $count examples"
}
