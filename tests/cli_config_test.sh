# --config for every tool fails loudly: an unknown key, a section that is no tool's,
# a non-shared key in [airstream] or a single-valued key set twice exits 78 naming
# the file, the line and the key, before any work. One file serves every tool: a
# tool reads the keys before any section, its own [tool] section and [airstream]
# (the shared options), and skips the other tools' sections.
source "$(dirname "$0")/lib/common.sh"

for t in "${TOOLS[@]}"; do
  printf '# for %s\nverbose = 1\nno-such-key = 1\n' "$t" >"$TMP/unknown.conf"
  run "$t" --config "$TMP/unknown.conf" </dev/null >"$TMP/out" 2>"$TMP/err"
  expect_eq "$t unknown key exit" 78 "$RC"
  check "$t unknown key names file, line and key" grep -q "^$t: error: $TMP/unknown.conf:3: unknown key 'no-such-key'" "$TMP/err"
  check "$t unknown key: nothing on stdout" test ! -s "$TMP/out"
  printf '[%s]\nquiet = true\n[%ss]\nquiet = true\n' "$t" "$t" >"$TMP/section.conf"
  run "$t" --config "$TMP/section.conf" </dev/null >/dev/null 2>"$TMP/err"
  expect_eq "$t unknown section exit" 78 "$RC"
  check "$t unknown section named with its line" grep -q "section.conf:3: unknown section \[${t}s\]" "$TMP/err"
  printf '[airstream]\ntable = x\n' >"$TMP/shared.conf"
  run "$t" --config "$TMP/shared.conf" </dev/null >/dev/null 2>"$TMP/err"
  expect_eq "$t non-shared key in [airstream] exit" 78 "$RC"
  check "$t non-shared key in [airstream] message" grep -q "shared.conf:2: key 'table' in \[airstream\]" "$TMP/err"
  printf '[%s]\nmax-errors = 1\nmax_errors = 2\n' "$t" >"$TMP/twice.conf"
  if "$t" --help | grep -q -- --max-errors; then
    run "$t" --config "$TMP/twice.conf" </dev/null >/dev/null 2>"$TMP/err"
    expect_eq "$t key set twice exit" 78 "$RC"
    check "$t key set twice message" grep -q "twice.conf:3: 'max_errors' is set twice (also on line 2)" "$TMP/err"
  fi
done

# One file for every tool: uxform takes [uxform] and [airstream], skips the rest.
cat >"$TMP/all.conf" <<'CONF'
[airstream]
brokers = localhost:1
max-errors = 0
[cqlwrite]
keyspace = ks
table = t
[uxform]
to = csv
map = ["name=.name", "n=.n"]
[pgload]
table = t
CONF
printf '{"name":"a","n":1}\n{"name":"b","n":2}\n' >"$TMP/in.ndjson"
run uxform --config "$TMP/all.conf" "$TMP/in.ndjson" >"$TMP/out" 2>"$TMP/err"
expect_eq "uxform with a shared file exit" 0 "$RC"
expect_eq "uxform takes [uxform] keys" "$(printf 'a,1\nb,2')" "$(cat "$TMP/out")"
# The command line wins over the file; [airstream] max-errors = 0 applies.
run uxform --config "$TMP/all.conf" --to tsv "$TMP/in.ndjson" >"$TMP/out" 2>"$TMP/err"
expect_eq "command line over config" "$(printf 'a\t1\nb\t2')" "$(cat "$TMP/out")"
printf '{"name":"a","n":1}\nnot json\n{"name":"c","n":3}\n' >"$TMP/bad.ndjson"
run uxform --config "$TMP/all.conf" "$TMP/bad.ndjson" >/dev/null 2>"$TMP/err"
expect_eq "[airstream] max-errors = 0 stops at the first bad record" 65 "$RC"
# A key in the tool's own section replaces the [airstream] one.
printf '[airstream]\nmax-errors = 0\n[uxform]\nmax-errors = 5\nmap = n=.n\n' >"$TMP/override.conf"
run uxform --config "$TMP/override.conf" "$TMP/bad.ndjson" >/dev/null 2>"$TMP/err"
expect_eq "[uxform] overrides [airstream]" 1 "$RC"
finish
