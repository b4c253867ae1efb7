# Shell completions: every tool has bash, zsh and fish completions, each passes its
# shell's syntax check (bash -n, zsh -n, fish -n), and bash and fish actually offer
# the tool's options when asked to complete "--"; -o offers kconsume's named offsets,
# -X the librdkafka property names of `-X list`, -t/--from-kafka the topics of the
# cluster (kconsume -L; a development cluster here); tools without file operands
# (rufetch, kconsume) offer no file names, the others do; the Avro options offer
# their values (-s value=avro..., --value-format, --avro-unions, --reader-schema
# with file names too).
source "$(dirname "$0")/lib/common.sh"
C="$AIRSTREAM_SRC/completions"

for t in "${TOOLS[@]}"; do
  check "bash completion for $t" test -f "$C/bash/$t"
  check "zsh completion for $t" test -f "$C/zsh/_$t"
  check "fish completion for $t" test -f "$C/fish/$t.fish"
  check "bash -n $t" bash -n "$C/bash/$t"
  if command -v zsh >/dev/null; then check "zsh -n _$t" zsh -n "$C/zsh/_$t"; fi
  if command -v fish >/dev/null; then
    check "fish -n $t.fish" fish -n "$C/fish/$t.fish"
    errors=$(fish -c "source '$C/fish/$t.fish'" 2>&1)
    check "fish sources $t.fish without errors: $errors" test -z "$errors"
  fi

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

# bash_complete TOOL WORDS...: what bash offers for the last word.
bash_complete() {
  local t=$1; shift
  bash -c "source '$C/bash/$t'; COMP_WORDS=($t $*); COMP_CWORD=$#; _airstream_$t; printf '%s\n' \"\${COMPREPLY[@]}\"" 2>/dev/null
}
fish_complete() { fish -c "source '$C/fish/$1.fish'; complete -C '$2'" 2>/dev/null | cut -f1; }
zsh_helper() {  # runs a helper of a zsh completion file with compadd printing its words
  zsh -c "compadd() { local a; while [[ \$1 == -* ]]; do [[ \$1 == -a ]] && { shift; print -l -- \${(P)1}; return; }; shift 2; done; print -l -- \$@; }
    _arguments() { :; }; words=($3); source '$C/zsh/_$1'; $2" 2>/dev/null
}
cd "$TMP"
touch some-input.ndjson
for sh in bash fish; do
  command -v $sh >/dev/null || continue
  if [ $sh = bash ]; then got=$(bash_complete kconsume -o ''); else got=$(fish_complete kconsume 'kconsume -o '); fi
  check "$sh: kconsume -o offers beginning, end, stored: [$got]" \
    bash -c 'grep -qx beginning <<<"$1" && grep -qx end <<<"$1" && grep -qx stored <<<"$1"' _ "$got"
  for t in kconsume kproduce cqlwrite pgload; do
    if [ $sh = bash ]; then got=$(bash_complete $t -X enable.auto.o); else got=$(fish_complete $t "$t -X enable.auto.o"); fi
    check "$sh: $t -X completes librdkafka property names: [$got]" grep -qx 'enable.auto.offset.store=' <<<"$got"
  done
  for t in rufetch kconsume; do
    if [ $sh = bash ]; then got=$(bash_complete $t ''); else got=$(fish_complete $t "$t "); fi
    check "$sh: $t takes no files and offers none: [$got]" bash -c '! grep -q some-input <<<"$1"' _ "$got"
  done
  for t in uxform cqlwrite pgload kproduce; do
    if [ $sh = bash ]; then got=$(bash_complete $t some); else got=$(fish_complete $t "$t some"); fi
    check "$sh: $t offers input files: [$got]" grep -qx some-input.ndjson <<<"$got"
  done
  # complete_words TOOL WORDS...: what the shell offers for the last (empty) word.
  complete_words() {
    local t=$1; shift
    if [ $sh = bash ]; then bash_complete "$t" "$@" "''"; else fish_complete "$t" "$t $* "; fi
  }
  for t in kconsume cqlwrite pgload; do
    want="value=avro avro"; [ $t = kconsume ] && want="value=avro key=avro avro"
    got=$(complete_words $t -s | sort | tr '\n' ' ')
    expect_eq "$sh: $t -s offers its values" "$(tr ' ' '\n' <<<"$want" | sort | tr '\n' ' ')" "$got"
    got=$(complete_words $t --value-format | sort | tr '\n' ' ')
    expect_eq "$sh: $t --value-format offers json and avro" "avro json " "$got"
    got=$(complete_words $t --avro-unions | sort | tr '\n' ' ')
    expect_eq "$sh: $t --avro-unions offers plain and tagged" "plain tagged " "$got"
    got=$(complete_words $t --reader-schema)
    check "$sh: $t --reader-schema offers writer, latest and files: [$got]" \
      bash -c 'grep -qx writer <<<"$1" && grep -qx latest <<<"$1" && grep -qx some-input.ndjson <<<"$1"' _ "$got"
  done
  got=$(complete_words kconsume --key-format | sort | tr '\n' ' ')
  expect_eq "$sh: kconsume --key-format offers string and avro" "avro string " "$got"
  got=$(complete_words kproduce --value-format | sort | tr '\n' ' ')
  expect_eq "$sh: kproduce --value-format offers json and avro" "avro json " "$got"
done
if command -v zsh >/dev/null; then
  got=$(zsh_helper kconsume _airstream_kafka_props 'kconsume -X')
  check "zsh: -X property names from -X list" grep -qx 'enable.auto.offset.store=' <<<"$got"
  check "zsh: kconsume -o offers its named offsets" grep -qF "(beginning end stored)" "$C/zsh/_kconsume"
  for t in rufetch kconsume; do check "zsh: $t offers no files" bash -c "! grep -q '_files' '$C/zsh/_$t' || ! grep -q \"'\\*:input file\" '$C/zsh/_$t'"; done
  for t in uxform cqlwrite pgload kproduce; do check "zsh: $t offers input files" grep -qF "'*:input file:_files'" "$C/zsh/_$t"; done
  check "zsh: kconsume -s offers its values" grep -qF "'-s[" "$C/zsh/_kconsume"
  check "zsh: kconsume -s offers value=avro key=avro avro" grep -qF ":value:(value=avro key=avro avro)'" "$C/zsh/_kconsume"
  for t in cqlwrite pgload; do check "zsh: $t -s offers value=avro avro" grep -qF ":value:(value=avro avro)'" "$C/zsh/_$t"; done
  for t in kconsume cqlwrite pgload; do
    check "zsh: $t --reader-schema offers writer, latest and files" \
      grep -qF -- "--reader-schema[" "$C/zsh/_$t"
    check "zsh: $t --reader-schema action" grep -qF '(writer latest)" "files:file:_files"}' "$C/zsh/_$t"
    check "zsh: $t --value-format offers json avro" grep -qF ":value:(json avro)'" "$C/zsh/_$t"
  done
fi

# Topic names from the cluster (kconsume -L; needs the development cluster).
if [ -x "$AIRSTREAM_BIN/kafka_dev_cluster" ]; then
  source "$AIRSTREAM_SRC/tests/lib/kafka.sh"
  KAFKA_SKIP_CODE=1 kafka_start --brokers 1 users_created:2 audit:1
  for t in kconsume kproduce; do
    got=$(bash_complete $t -b "$KAFKA_BROKERS" -t us)
    expect_eq "bash: $t -t completes topic names from the cluster" users_created "$got"
  done
  got=$(bash_complete cqlwrite -b "$KAFKA_BROKERS" --from-kafka '')
  check "bash: cqlwrite --from-kafka offers the cluster's topics: [$got]" \
    bash -c 'grep -qx audit <<<"$1" && grep -qx users_created <<<"$1"' _ "$got"
  if command -v fish >/dev/null; then
    got=$(fish_complete kconsume "kconsume -b $KAFKA_BROKERS -t us")
    expect_eq "fish: kconsume -t completes topic names" users_created "$got"
  fi
  if command -v zsh >/dev/null; then
    got=$(zsh_helper pgload _airstream_topics "pgload -b $KAFKA_BROKERS --from-kafka" | sort | tr '\n' ' ')
    expect_eq "zsh: topic names from the cluster" "audit users_created " "$got"
  fi
else
  echo "kafka_dev_cluster missing: topic completion not checked" >&2
fi
finish
