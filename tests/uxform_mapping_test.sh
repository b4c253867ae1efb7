#!/usr/bin/env bash
# uxform's general mappings from the command line: -m and -f definitions, templates and
# functions, --where, --require, --keep/--drop, --nulls, CSV (read back with Python's
# csv module) and TSV (PostgreSQL COPY text escapes), --header, --explain, -o, --stats,
# and a closed stdout ending the run quietly.
set -euo pipefail
SRC=${AIRSTREAM_SRC:?}
FIX=${AIRSTREAM_FIXTURES:-$SRC/../shared/fixtures/randomuser}
[ -d "$FIX" ] || FIX=/work/shared/fixtures/randomuser
[ -d "$FIX" ] || { echo "no randomuser fixtures found: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cat "$FIX"/drawers__randomuser__page*.json | jq -c '.results[]' > "$tmp/users.ndjson"
total=$(wc -l < "$tmp/users.ndjson")

# -m with paths, templates, functions; compared with jq computing the same thing.
uxform -m 'name="{.name.first} {.name.last}"' -m 'nat=.nat | lower' -m 'born=.dob.date | date' \
  -m 'age=.dob.age | int' -m 'ms=.dob.date | epoch_ms' -m 'key=uuid5(.login.username; .email)' \
  "$tmp/users.ndjson" > "$tmp/m.ndjson"
jq -c '{name: "\(.name.first) \(.name.last)", nat: (.nat | ascii_downcase), born: .dob.date[:10], age: .dob.age}' \
  "$tmp/users.ndjson" > "$tmp/m_jq.ndjson"
diff <(jq -c 'del(.ms, .key)' "$tmp/m.ndjson") "$tmp/m_jq.ndjson" > /dev/null || fail "-m output differs from jq"
# epoch_ms against Python's datetime, uuid5 against Python's uuid.
python3 - "$tmp/users.ndjson" "$tmp/m.ndjson" <<'PY' || fail "epoch_ms/uuid5 differ from Python"
import datetime, json, sys, uuid
users = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
outs = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
assert len(users) == len(outs)
for u, o in zip(users, outs):
    d = datetime.datetime.fromisoformat(u["dob"]["date"].replace("Z", "+00:00"))
    assert o["ms"] == round(d.timestamp() * 1000), (u["dob"]["date"], o["ms"])
    want = str(uuid.uuid5(uuid.NAMESPACE_URL, u["login"]["username"] + "|" + u["email"]))
    assert o["key"] == want, (o["key"], want)
PY

# -f FILE with comments; a later definition replaces an earlier one in place.
cat > "$tmp/map.txt" <<'MAP'
# user rows for a CSV export
id = .login.uuid
email
city = .location.city | upper
id = .login.uuid | uuid
MAP
uxform -f "$tmp/map.txt" "$tmp/users.ndjson" | sed -n 1p | jq -e 'keys_unsorted == ["id","email","city"]' > /dev/null \
  || fail "-f mapping"

# --where: same selection as jq's select.
uxform -m 'nat' -m 'age=.dob.age' --where '.nat == "NO" or .nat == "CA"' --where '.dob.age >= 40' \
  "$tmp/users.ndjson" > "$tmp/w.ndjson"
jq -c 'select((.nat == "NO" or .nat == "CA") and .dob.age >= 40) | {nat, age: .dob.age}' "$tmp/users.ndjson" > "$tmp/w_jq.ndjson"
cmp "$tmp/w.ndjson" "$tmp/w_jq.ndjson" || fail "--where differs from jq select"
[ -s "$tmp/w.ndjson" ] || fail "--where selected nothing"

# --require on an input path: the drawers pages have no "registered": all rejected.
set +e
uxform -m 'email' --require registered.date "$tmp/users.ndjson" > "$tmp/r.ndjson" 2> "$tmp/r.err"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "--require: exit $rc"
[ ! -s "$tmp/r.ndjson" ] || fail "--require let records through"
grep -q "line 1: registered.date: required field is missing" "$tmp/r.err" || fail "--require reason"
# --require '' turns off the preset's required id.
echo '{"name":{"first":"A"}}' | uxform -p created_users --require '' | grep -qxF '{"first_name":"A"}' \
  || fail "--require '' with the preset"

# --keep '*' passes other fields through; --drop removes; --nulls keep/omit.
echo '{"a":1,"b":{"c":[1,2]},"n":null,"z":"x"}' | uxform -m 'A=.a' --keep '*' --drop z,a \
  | grep -qxF '{"A":1,"b":{"c":[1,2]},"n":null}' || fail "--keep '*' --drop"
echo '{"a":1,"n":null}' | uxform -m a -m n --nulls omit | grep -qxF '{"a":1}' || fail "--nulls omit"
echo '{"a":1,"n":null}' | uxform -m a -m n | grep -qxF '{"a":1,"n":null}' || fail "--nulls keep (default)"

# CSV: the preset as CSV, parsed back by Python's csv module, equals the NDJSON output.
uxform -p created_users --to csv --header "$tmp/users.ndjson" > "$tmp/u.csv"
uxform -p created_users "$tmp/users.ndjson" > "$tmp/u.ndjson"
printf '{"login":{"uuid":"6a52282a-46d6-4a71-ac69-12ea0dfb3f24"},"name":{"first":"Quote \\" comma, newline\\n end","last":""}}\n' \
  | tee -a "$tmp/users.ndjson" | uxform -p created_users --to csv >> "$tmp/u.csv"
printf '{"login":{"uuid":"6a52282a-46d6-4a71-ac69-12ea0dfb3f24"},"name":{"first":"Quote \\" comma, newline\\n end","last":""}}\n' \
  | uxform -p created_users >> "$tmp/u.ndjson"
python3 - "$tmp/u.csv" "$tmp/u.ndjson" <<'PY' || fail "CSV does not read back as the NDJSON output"
import csv, json, sys
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
header, rows = rows[0], rows[1:]
assert header == ["id","first_name","last_name","gender","address","post_code","email","username","dob",
                  "registered_date","phone","picture"], header
recs = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
assert len(rows) == len(recs), (len(rows), len(recs))
for row, rec in zip(rows, recs):
    assert row == [rec.get(h, "") for h in header], (row, rec)
assert rows[-1][1] == 'Quote " comma, newline\n end' and rows[-1][2] == ""
PY
# Empty string vs NULL in CSV: "" vs nothing.
echo '{"a":"","b":null}' | uxform -m a -m b -m c=.c --to csv | grep -qxF '"",,' || fail "CSV empty/NULL"

# TSV: PostgreSQL COPY text escapes, \N for NULL, decoded back by the COPY rules.
printf '{"s":"tab\\there back\\\\slash\\r\\nnl","n":null,"i":7}\n' | uxform -m s -m n -m i --to tsv --header > "$tmp/t.tsv"
python3 - "$tmp/t.tsv" <<'PY' || fail "TSV escaping"
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
assert lines[0] == "s\tn\ti", lines
f = lines[1].split("\t")
def unescape(v):
    if v == "\\N": return None
    out, i = "", 0
    while i < len(v):
        if v[i] == "\\":
            out += {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[v[i + 1]]; i += 2
        else:
            out += v[i]; i += 1
    return out
assert [unescape(x) for x in f] == ["tab\there back\\slash\r\nnl", None, "7"], f
PY

# --explain prints the mapping and reads nothing.
uxform -p created_users --explain < /dev/null | grep -q '"post_code" = (.location.postcode | string)' || fail "--explain"
# -o FILE, --stats JSON line on stderr.
uxform -p created_users -o "$tmp/o.ndjson" "$tmp/users.ndjson" --stats 2> "$tmp/stats.err"
cmp <(head -n "$total" "$tmp/o.ndjson") <(head -n "$total" "$tmp/u.ndjson") || fail "-o output"
grep '^{' "$tmp/stats.err" | tail -1 | jq -e --argjson t "$((total + 1))" '.records_in == $t and .records_out == $t' > /dev/null \
  || fail "--stats: $(cat "$tmp/stats.err")"
# A closed stdout before the end of the input is a failure, as in kconsume: the reader
# of the pipe went away while records remained, so uxform stops, says so in one line
# and exits 74 (`set -o pipefail` shows it). A reader that reads everything: 0, quiet.
for i in $(seq 1 200); do cat "$tmp/users.ndjson"; done > "$tmp/big.ndjson"
set +e
uxform -p created_users "$tmp/big.ndjson" 2> "$tmp/pipe.err" | head -1 > /dev/null
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -eq 74 ] || fail "closed stdout: exit $rc, expected 74"
[ "$(wc -l < "$tmp/pipe.err")" -eq 1 ] && grep -q '^uxform: error: standard output closed early' "$tmp/pipe.err" \
  || fail "closed stdout: stderr: $(cat "$tmp/pipe.err")"
rc=0
jq -c '{topic: "users", partition: 0, offset: input_line_number, value: .}' "$tmp/big.ndjson" > "$tmp/big.env"
bash -o pipefail -c 'uxform --envelope -p created_users "$1" | true' _ "$tmp/big.env" 2>/dev/null || rc=$?
[ "$rc" -eq 74 ] || fail "closed stdout (--envelope, under pipefail): exit $rc, expected 74"
uxform -p created_users "$tmp/big.ndjson" 2> "$tmp/pipe.err" | cat > /dev/null
[ ! -s "$tmp/pipe.err" ] || fail "full read: stderr: $(cat "$tmp/pipe.err")"
echo ok
