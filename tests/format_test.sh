# The C++ tree is kept formatted by the root .clang-format.
source "$(dirname "$0")/lib/common.sh"
command -v clang-format >/dev/null || skip "clang-format not installed"
cd "$AIRSTREAM_SRC"
mapfile -t files < <(git ls-files '*.cc' '*.h' 2>/dev/null || find common tools tests -name '*.cc' -o -name '*.h')
[ ${#files[@]} -gt 0 ] || { fail "no C++ files found"; finish; }
for f in "${files[@]}"; do
  check "$f is clang-format clean" clang-format --dry-run --Werror "$f"
done
finish
