#!/usr/bin/env bash
# Mutated records (truncated, bytes changed, inserted or deleted, random junk, built
# deterministically from the real samples) through several mappings: uxform never
# crashes, every output line is valid JSON, and every input line is either written
# or in the reject file (nothing vanishes).
set -euo pipefail
SRC=${AIRSTREAM_SRC:?}
FIX=${AIRSTREAM_FIXTURES:-$SRC/../shared/fixtures/randomuser}
[ -d "$FIX" ] || FIX=/work/shared/fixtures/randomuser
[ -d "$FIX" ] || { echo "no randomuser fixtures found: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
for f in "$FIX"/*.json; do jq -c '.results[]' "$f"; done > "$tmp/seed.ndjson"
python3 - "$tmp/seed.ndjson" "$tmp/fuzz.ndjson" <<'PY'
import random, sys
random.seed(20261121)
lines = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
alphabet = b'{}[]":,\\ tfn0123456789.eE-+uabc\x00\x01\x7f\xff\xc3\xa9'
out = list(lines[:50])  # some good ones too
for _ in range(5000):
    l = bytearray(random.choice(lines))
    op = random.randrange(5)
    if op == 0:
        l = l[:random.randrange(len(l))]
    elif op == 1:
        for _ in range(random.randrange(1, 5)):
            l[random.randrange(len(l))] = random.choice(alphabet)
    elif op == 2:
        p = random.randrange(len(l))
        l[p:p] = bytes(random.choice(alphabet) for _ in range(random.randrange(1, 8)))
    elif op == 3:
        p = random.randrange(len(l))
        del l[p:random.randrange(p, len(l))]
    else:
        l = bytearray(random.choice(alphabet) for _ in range(random.randrange(1, 60)))
    l = bytes(l).replace(b"\n", b" ").replace(b"\r", b" ")
    if l.strip():
        out.append(l)
open(sys.argv[2], "wb").write(b"\n".join(out) + b"\n")
PY
total=$(wc -l < "$tmp/fuzz.ndjson")
run() {  # run NAME ARGS...: checks the invariants for one mapping
  local name=$1 rc
  shift
  set +e
  uxform "$@" --reject-file "$tmp/rej" --stats=0 "$tmp/fuzz.ndjson" > "$tmp/out" 2> "$tmp/err"
  rc=$?
  set -e
  [ "$rc" -eq 1 ] || fail "$name: exit $rc ($(tail -3 "$tmp/err"))"
  local out rej filtered
  # Output records: NDJSON lines that all parse, CSV rows of 12 columns (Python's csv
  # module), or TSV lines of 12 columns.
  out=$(python3 - "$tmp/out" "$*" <<'PY'
import csv, json, sys
args = sys.argv[2]
if "--to csv" in args:
    rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
    assert all(len(r) == 12 for r in rows), "CSV row with a wrong number of columns"
    print(len(rows))
elif "--to tsv" in args:
    lines = open(sys.argv[1], "rb").read().split(b"\n")[:-1]
    assert all(len(l.split(b"\t")) == 12 for l in lines), "TSV line with a wrong number of columns"
    print(len(lines))
else:
    n = 0
    for line in open(sys.argv[1], "rb"):
        json.loads(line)
        n += 1
    print(n)
PY
) || fail "$name: bad output"
  rej=$(wc -l < "$tmp/rej")
  filtered=$(grep '^{"tool"' "$tmp/err" | tail -1 | jq .records_filtered)
  [ $((out + rej + filtered)) -eq "$total" ] || fail "$name: $out written + $rej rejected + $filtered filtered != $total"
  [ "$out" -gt 0 ] || fail "$name: nothing written"
}
run preset -p created_users
run objects -m 'a=.name.first' -m 'loc=.location' -m 'n=.location.street.number | int' -m 'd=.dob.date | date'
run parts -m 'loc=.location' -m 'city=.location.city' -m 'c=.location.coordinates.latitude | float'
run whole -m 'all=.' -m 't="{.name.first} {.location.coordinates}"'
run keep -m 'k=.login.uuid' --keep '*' --drop picture
run where -m nat -m 'e=.email | lower' --where '.nat == "BR" or (.dob.age > 40 and (.email | contains("a")))'
run csv -p created_users --to csv
run tsv -p created_users --to tsv --strict
echo "ok: $total records"
