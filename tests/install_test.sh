# cmake --install puts binaries, man pages and completions where GNUInstallDirs says
# (bin, share/man/man1 and man7, bash-completion/completions, zsh/site-functions,
# fish/vendor_completions.d), and the installed binaries run.
source "$(dirname "$0")/lib/common.sh"
[ -n "${AIRSTREAM_BUILD:-}" ] && [ -f "$AIRSTREAM_BUILD/CMakeCache.txt" ] || skip "no build directory"

prefix="$TMP/prefix"
cmake --install "$AIRSTREAM_BUILD" --prefix "$prefix" >"$TMP/install.log" 2>&1 || { cat "$TMP/install.log"; fail "cmake --install"; finish; }
for t in "${TOOLS[@]}"; do
  check "bin/$t installed" test -x "$prefix/bin/$t"
  check "installed $t runs" "$prefix/bin/$t" --version
  check "share/bash-completion/completions/$t" test -f "$prefix/share/bash-completion/completions/$t"
  check "share/zsh/site-functions/_$t" test -f "$prefix/share/zsh/site-functions/_$t"
  check "share/fish/vendor_completions.d/$t.fish" test -f "$prefix/share/fish/vendor_completions.d/$t.fish"
  if [ -f "$AIRSTREAM_SRC/man/$t.1" ]; then
    check "share/man/man1/$t.1" test -f "$prefix/share/man/man1/$t.1"
  fi
done
check "share/man/man7/airstream.7" test -f "$prefix/share/man/man7/airstream.7"
check "no test programs installed" test ! -e "$prefix/bin/common_test"
finish
