#!/usr/bin/env bash
# pgload's binary COPY against the server: the same records loaded with --format text
# and --format binary give the same table, value for value (::text of every column),
# for edge cases of every type sent in binary (pre-2000 and fractional timestamps,
# offsets, leap days, values only the server can read, big integers, -0/NaN/Infinity
# floats, empty and unicode strings, json and jsonb), under three session time zones;
# the same rejects with the same line numbers (client-side and by the server, rows of
# both formats mixed in one batch); upsert with --jobs where a key's rows differ in
# format; --format binary refused for a numeric column, auto falling back to text.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/pg.sh"
pg_test_setup

/usr/bin/python3 - <<'PY'
import json
ts = ["1993-07-20T09:44:18.674Z", "1969-12-31T23:59:59.999999Z", "1899-01-01T00:00:00+05:30",
      "2024-02-29T23:59:59.123456-08:00", "2000-01-01T00:00:00Z", "2000-01-01 00:00:00+00",
      "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z", "2024-01-02T03:04Z", "2024-01-02t03:04:05z",
      "2024-01-02T03:04:05+0530", "2024-01-02T03:04:05-03", "2024-01-02T03:04:05.5+14:00",
      "2024-01-02T03:04:05-15:59", "2024-01-02", "2024-01-02T03:04:05", "1960-02-29 12:00:00.000001",
      "infinity", "-infinity", "epoch",
      "1998-12-31T23:59:60Z", "2024-01-02T24:00:00Z", "2024-01-02 03:04:05 America/New_York",
      "2024-01-02T03:04:05.Z", "2024-01-02T03:04:05+05:", "January 8, 1999", None]
# timestamp without time zone: no zone but UTC (it would drop any other).
ts_naive = ["1993-07-20T09:44:18.674Z", "1969-12-31T23:59:59.999999Z", "2000-01-01T00:00:00Z",
            "2000-01-01 00:00:00+00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999Z", "2024-01-02T03:04Z",
            "2024-01-02t03:04:05z", "2024-01-02", "2024-01-02T03:04:05", "1960-02-29 12:00:00.000001", "infinity",
            "-infinity", "epoch", "2024-01-02T24:00:00Z", "2024-01-02T03:04:05.Z", "January 8, 1999", None]
dates = ["2024-02-29", "2000-01-01", "1999-12-31", "0001-01-01", "9999-12-31", "1900-03-01", "infinity",
         "2024-01-02T00:00:00-05:00", "20240102", "epoch", None]
ints = [0, -1, 1, 32767, -32768, "12", "-7", 3.0, 1e3, None]
i4s = [2147483647, -2147483648, 65536, "+5"]
i8s = [9223372036854775807, -9223372036854775808, "9007199254740993", 4294967296]
floats = [-0.0, 0, 0.1, 1.5, "NaN", "Infinity", "-Infinity", "-0", 1e308, 5e-324, 1.7976931348623157e308,
          2.2250738585072014e-308, 123456789.123456789, "1e-5", "+2.5", 1E+2, "inf", "-inf", "+INF", None]
f4s = [-0.0, 0, 0.1, 1.5, "nan", "-Infinity", 3.4028234e38, 1e-45, 1.4e-45, 1.17549435e-38, 16777217, "-1e-5", None]
bools = [True, False, "yes", "off", "1", "T", None]
texts = ["", "é ü 😀 \u4e2d", "tab\there", "new\nline", "\\N", "back\\slash", "x" * 3000, {"o": [1, "a\tb"]},
         [1, 2], 1.50, True, None, "\u00a0nbsp"]
vcs = ["short", "", "exactly twenty chars", "ab  "]
chars = ["ab   ", "abcde", "     ", "é  ü "]
jsons = [{"a": 1, "b": [1, 2]}, "string", 1.50, True, {"e": "\u00e9", "z": "\\u0000"}, [], {"n": 1e300}, None]
uuids = ["0b6e6a6e-2b3c-4c7e-9f3a-1f2e3d4c5b6a", "0B6E6A6E-2B3C-4C7E-9F3A-1F2E3D4C5B6B",
         "{0b6e6a6e-2b3c-4c7e-9f3a-1f2e3d4c5b6c}", "0b6e6a6e2b3c4c7e9f3a1f2e3d4c5b6d", None]
n = max(len(ts), len(dates), len(floats), len(texts)) * 2
with open("edge.ndjson", "w") as f:
    for i in range(n):
        rec = {"id": i, "tz": ts[i % len(ts)], "ts": ts_naive[(i + 7) % len(ts_naive)], "d": dates[i % len(dates)],
               "i2": ints[i % len(ints)], "i4": i4s[i % len(i4s)], "i8": i8s[i % len(i8s)],
               "f4": f4s[i % len(f4s)], "f8": floats[i % len(floats)], "b": bools[i % len(bools)],
               "s": texts[i % len(texts)], "v": vcs[i % len(vcs)], "c": chars[i % len(chars)],
               "j": jsons[i % len(jsons)], "jb": jsons[(i + 1) % len(jsons)], "u": uuids[i % len(uuids)]}
        f.write(json.dumps(rec, ensure_ascii=(i % 2 == 0)) + "\n")
    # Rejected rows: client-side (NUL, range, uuid) and by the server (length, range).
    bad = [{"s": "a\u0000b"}, {"i2": 40000}, {"u": "nope"}, {"v": "twenty-one characters"},
           {"c": "abcdef"}, {"f4": 1e39}, {"f4": "1e-46"}, {"tz": "2024-13-01T00:00:00Z"}, {"jb": "x\u0000"},
           {"d": "2023-02-29"}, {"f8": "1e999"},
           # What the server would change without an error (typmod.h): refused.
           {"c": "ab"}, {"c": "abcde   "}, {"ts": "2024-01-02T03:04:05+0530"}, {"tz": "2024-01-02T03:04:05.1234567Z"},
           {"tz": "2024-01-02T03:04:05.9999995Z"}, {"d": "2024-01-02T23:00:00-05:00"},
           {"ts": "2024-01-02 03:04:05 America/New_York"}]
    for k, b in enumerate(bad):
        rec = {"id": n + k, "s": "bad"}
        rec.update(b)
        f.write(json.dumps(rec) + "\n")
    # A record that lacks "d" (a default) and one with only the key.
    f.write(json.dumps({"id": n + len(bad), "s": "no d"}) + "\n")
    f.write(json.dumps({"id": n + len(bad) + 1}) + "\n")
PY

ddl="(id int primary key, tz timestamptz, ts timestamp, d date default '2001-02-03', i2 smallint, i4 integer,
  i8 bigint, f4 real, f8 double precision, b boolean, s text, v varchar(20), c char(5), j json, jb jsonb, u uuid)"
dump() { pg_psql -c "select t::text from $1 t order by id"; }
rejects() { /usr/bin/python3 -c '
import json, sys
for l in sorted(open(sys.argv[1]), key=lambda l: json.loads(l)["line"]):
    r = json.loads(l); print(r["line"], r["error"])' "$1"; }

for zone in "" Asia/Kolkata America/St_Johns; do
  export PGTZ=$zone
  [ -n "$zone" ] || unset PGTZ
  for f in text binary; do
    pg_psql -c "drop table if exists e_$f; create table e_$f $ddl"
    set +e
    pgload -t e_$f --format $f --batch-rows 7 --jobs 2 -v --reject-file rej_$f.ndjson edge.ndjson 2>err_$f.txt
    rc=$?
    set -e
    check "$f exit ($zone)" "$rc" 1
  done
  grep -q "COPY binary format" err_binary.txt || fail "binary not used: $(cat err_binary.txt)"
  check "rows ($zone)" "$(pg_psql -c 'select count(*) from e_binary')" "$(pg_psql -c 'select count(*) from e_text')"
  [ "$(dump e_binary)" = "$(dump e_text)" ] || {
    diff <(dump e_text) <(dump e_binary) | cut -c1-300 | head -n 20 >&2
    fail "binary and text loads differ (PGTZ=$zone)"
  }
  [ "$(rejects rej_binary.ndjson)" = "$(rejects rej_text.ndjson)" ] || {
    diff <(rejects rej_text.ndjson) <(rejects rej_binary.ndjson) >&2
    fail "binary and text rejects differ (PGTZ=$zone)"
  }
done
unset PGTZ
check "rejects" "$(wc -l <rej_binary.ndjson)" 18
check "default" "$(pg_psql -c "select d from e_binary where s = 'no d'")" "2001-02-03"
check "values" "$(pg_psql -c "select f8::text, i8 from e_binary where id = 1")" "0|-9223372036854775808"

# Upsert over 3 jobs: the rows of one key go to one job whatever their format (the
# second row of key 1 goes as text: "epoch"), so the last occurrence wins.
pg_psql -c "create table up (id uuid primary key, at timestamptz, n int)"
/usr/bin/python3 - <<'PY'
with open("up.ndjson", "w") as f:
    for r in range(3):
        for i in range(300):
            at = "epoch" if (i + r) % 5 == 0 else "2020-01-01T00:00:%02dZ" % r
            f.write('{"id":"%08x-0000-4000-8000-000000000000","at":"%s","n":%d}\n' % (i, at, r))
PY
pgload -t up --mode upsert --key id --jobs 3 --batch-rows 50 up.ndjson 2>err.txt || fail "upsert: $(cat err.txt)"
check "upsert" "$(pg_psql -c "select count(*), min(n), max(n) from up")" "300|2|2"
check "upsert at" "$(pg_psql -c "select count(*) from up where at = 'epoch' or at = '2020-01-01T00:00:02Z'")" 300

# A column pgload sends only as text: auto loads in text, binary is a configuration error.
pg_psql -c "create table num (id int, amount numeric)"
echo '{"id":1,"amount":"12.50"}' >num.ndjson
pgload -t num -v num.ndjson 2>err.txt || fail "auto with numeric: $(cat err.txt)"
grep -q 'COPY text format: column "amount" is of type numeric' err.txt || fail "auto message: $(cat err.txt)"
set +e
pgload -t num --format binary num.ndjson 2>err.txt
rc=$?
set -e
check "binary with numeric" "$rc" 78
check "numeric" "$(pg_psql -c 'select amount from num')" "12.50"
echo "ok"
