#!/usr/bin/env bash
# uxform --to csv / --to tsv feed PostgreSQL's COPY directly: hostile values (quotes,
# commas, tabs, newlines, CR, backslashes, "\N", empty strings, NULL, non-ASCII)
# loaded with `\copy ... (FORMAT csv)` and with `\copy` in text format come back from
# the table exactly as the NDJSON values, with NULL where the field was null/missing.
set -euo pipefail
SRC=${AIRSTREAM_SRC:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
source "$SRC/tests/lib/pg.sh"
pg_start
chmod 755 "$tmp"

cat > "$tmp/in.ndjson" <<'J'
{"id":1,"s":"plain","n":1.5}
{"id":2,"s":"comma, \"quote\" and\nnewline","n":-2}
{"id":3,"s":"tab\there\\back\\slash\r\nCRLF","n":null}
{"id":4,"s":"","n":0}
{"id":5,"s":null}
{"id":6}
{"id":7,"s":"\\N","n":3}
{"id":8,"s":"خرم‌آباد O’Connor Gonçalves ","n":4e2}
{"id":9,"s":"  spaces  ","n":7}
J
pg_psql -c 'CREATE TABLE t_csv (id int PRIMARY KEY, s text, n double precision)'
pg_psql -c 'CREATE TABLE t_tsv (id int PRIMARY KEY, s text, n double precision)'
uxform -m id -m s -m n --to csv --header "$tmp/in.ndjson" > "$tmp/in.csv"
uxform -m id -m s -m n --to tsv "$tmp/in.ndjson" > "$tmp/in.tsv"
chmod 644 "$tmp/in.csv" "$tmp/in.tsv"
pg_psql -c "\\copy t_csv FROM '$tmp/in.csv' WITH (FORMAT csv, HEADER true)"
pg_psql -c "\\copy t_tsv FROM '$tmp/in.tsv'"

# Read back as JSON (NULL -> null) and compare with the input, field by field.
for t in t_csv t_tsv; do
  pg_psql -c "SELECT json_build_object('id', id, 's', s, 'n', n) FROM $t ORDER BY id" > "$tmp/$t.json"
  python3 - "$tmp/in.ndjson" "$tmp/$t.json" "$t" <<'PY' || fail "$t: values differ after COPY"
import json, sys
want = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
got = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
assert len(got) == len(want), (sys.argv[3], len(got), len(want))
for w, g in zip(want, got):
    for k in ("id", "s", "n"):
        wv, gv = w.get(k), g[k]
        assert wv == gv or (isinstance(wv, (int, float)) and float(wv) == gv), (sys.argv[3], k, wv, gv)
PY
done
# The empty string stays empty (not NULL); the string \N stays a string.
[ "$(pg_psql -c "SELECT count(*) FROM t_csv WHERE s = ''")" = 1 ] || fail "csv: empty string"
[ "$(pg_psql -c "SELECT count(*) FROM t_tsv WHERE s IS NULL")" = 2 ] || fail "tsv: NULLs"
[ "$(pg_psql -c "SELECT s FROM t_tsv WHERE id = 7")" = '\N' ] || fail "tsv: literal \\N"
echo ok
