# Shell completions: every tool has bash, zsh and fish completions, each passes its
# shell's syntax check (bash -n, zsh -n, fish -n), and bash and fish actually offer
# the tool's options when asked to complete "--".
source "$(dirname "$0")/lib/common.sh"
C="$AIRSTREAM_SRC/completions"

for t in "${TOOLS[@]}"; do
  check "bash completion for $t" test -f "$C/bash/$t"
  check "zsh completion for $t" test -f "$C/zsh/_$t"
  check "fish completion for $t" test -f "$C/fish/$t.fish"
  check "bash -n $t" bash -n "$C/bash/$t"
  if command -v zsh >/dev/null; then check "zsh -n _$t" zsh -n "$C/zsh/_$t"; fi
  if command -v fish >/dev/null; then check "fish -n $t.fish" fish -n "$C/fish/$t.fish"; fi

  # The first long option of --help other than --help itself.
  opt=$("$AIRSTREAM_BIN/$t" --help | grep -o -- '--[a-z][a-z0-9-]*' | grep -v -- '--help' | head -1)
  prefix=${opt:0:5}
  got=$(bash -c "source '$C/bash/$t'; COMP_WORDS=($t $prefix); COMP_CWORD=1; _airstream_$t; printf '%s\n' \"\${COMPREPLY[@]}\"")
  check "bash completes $prefix to $opt for $t" grep -qx -- "$opt" <<<"$got"
  if command -v fish >/dev/null; then
    got=$(fish -c "source '$C/fish/$t.fish'; complete -C '$t $prefix'" | cut -f1)
    check "fish completes $prefix to $opt for $t" grep -qx -- "$opt" <<<"$got"
  fi
  if command -v zsh >/dev/null; then
    check "zsh completion for $t lists $opt" grep -qF -- "$opt[" "$C/zsh/_$t"
  fi
done
finish
