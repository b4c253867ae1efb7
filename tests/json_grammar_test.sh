#!/usr/bin/env bash
# One JSON grammar for every tool (issue 17): the hostile lines of
# tests/json_grammar/table.txt go through uxform (pass-through and with a mapping that
# reads the hostile field), kproduce, kconsume (lines produced raw with kcat -P),
# pgload (text and binary COPY) and cqlwrite (file mode), the sinks also through their
# own transform (--set). Every tool must give every
# line the verdict of the table (the grammar's; the sinks also refuse numbers their
# typed columns cannot hold exactly), and what is accepted must arrive unchanged:
# Kafka messages byte for byte, uxform's pass-through line for line, and the numbers
# stored by pgload and cqlwrite equal to the input's (read back with psql and with the
# DataStax Python driver). Each tool runs once over the ~70 lines.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
source "$AIRSTREAM_SRC/tests/lib/kafka.sh"
source "$AIRSTREAM_SRC/tests/lib/pg.sh"
source "$AIRSTREAM_SRC/tests/lib/cql.sh"
kafka_require_kcat
cd "$TMP"

# in.ndjson (line i has id i), want_grammar / want_sinks: "ok" or "reject" per line.
/usr/bin/python3 - "$AIRSTREAM_SRC/tests/json_grammar/table.txt" <<'PY'
import ast, re, sys
lines, grammar, sinks = [], [], []
for row in open(sys.argv[1], encoding="utf-8"):
    if row.startswith("#") or not row.strip():
        continue
    g, s, lit = row.rstrip("\n").split("\t")
    b = ast.literal_eval(lit)
    i = len(lines) + 1
    b = b.replace(b"@ID@", str(i).encode())
    b = re.sub(rb"@DEEP:(\d+)@", lambda m: b"[" * int(m.group(1)) + b"]" * int(m.group(1)), b)
    assert b"\n" not in b and g in ("ok", "reject") and s in ("ok", "reject")
    lines.append(b)
    grammar.append(g)
    sinks.append(s)
open("in.ndjson", "wb").write(b"\n".join(lines) + b"\n")
open("want_grammar", "w").write("\n".join(grammar) + "\n")
open("want_sinks", "w").write("\n".join(sinks) + "\n")
PY
N=$(wc -l <in.ndjson)

# verdicts FILE_OF_REJECTED_LINE_NUMBERS: ok/reject for lines 1..N.
verdicts() {
  awk -v n="$N" 'NR == FNR { bad[$1] = 1; next } END { for (i = 1; i <= n; i++) print (i in bad) ? "reject" : "ok" }' "$1" /dev/null
}
# compare TOOL WANT_FILE REJECTED_LINES_FILE
compare() {
  verdicts "$3" >"got_$1"
  _checks=$((_checks + 1))
  if ! cmp -s "$2" "got_$1"; then
    local line
    while read -r line; do
      fail "$1: line $line: want $(sed -n "${line}p" "$2"), got $(sed -n "${line}p" "got_$1"): $(sed -n "${line}p" in.ndjson | cut -c1-100)"
    done < <(paste "$2" "got_$1" | awk '$1 != $2 { print NR }')
  fi
}
accepted_lines() { awk 'NR == FNR { if ($1 == "ok") keep[FNR] = 1; next } FNR in keep' "$1" in.ndjson; }

# --- uxform: pass-through, and a mapping that reads every field ---
run uxform --reject-file ux1.rej in.ndjson >ux1.out 2>ux1.err
expect_eq "uxform pass-through exit" 1 "$RC"
jq -r .line ux1.rej >ux1.lines
compare uxform want_grammar ux1.lines
accepted_lines want_grammar >want_pass.ndjson
# Pass-through copies a record compacted (white space outside strings dropped), every
# token as it was.
/usr/bin/python3 - <<'PY' >want_compact.ndjson
import sys
for raw in open("want_pass.ndjson", "rb"):
    out, in_str, esc = bytearray(), False, False
    for c in raw.rstrip(b"\n"):
        if in_str:
            out.append(c)
            prev, esc = esc, not esc and c == 0x5C
            in_str = prev or c != 0x22
        elif c == 0x22:
            in_str = True
            out.append(c)
        elif c not in b" \t\r":
            out.append(c)
    sys.stdout.buffer.write(bytes(out) + b"\n")
PY
check "uxform pass-through keeps every token" cmp -s want_compact.ndjson ux1.out
run uxform -m 'id=.id' -m 'n=.n' -m 'f=.f' -m 's=.s' -m 'x=.x' --reject-file ux2.rej in.ndjson >ux2.out 2>ux2.err
expect_eq "uxform mapping exit" 1 "$RC"
jq -r .line ux2.rej >ux2.lines
compare uxform-mapping want_grammar ux2.lines

# --- Kafka: kproduce and kconsume ---
kafka_start --dev g_kp:1 g_kc:1
run kproduce -b "$KAFKA_BROKERS" -t g_kp --reject-file kp.rej in.ndjson 2>kp.err
expect_eq "kproduce exit" 1 "$RC"
jq -r .line kp.rej >kp.lines
compare kproduce want_grammar kp.lines
timeout 60 kcat -C -b "$KAFKA_BROKERS" -t g_kp -e -q -D '\n' >kp.topic 2>/dev/null || fail "kcat -C: exit $?"
check "kproduce: messages are the accepted lines byte for byte" cmp -s want_pass.ndjson kp.topic

timeout 60 kcat -P -b "$KAFKA_BROKERS" -t g_kc -X message.max.bytes=1000000 <in.ndjson || fail "kcat -P: exit $?"
run timeout 120 kconsume -b "$KAFKA_BROKERS" -t g_kc -e --reject-file kc.rej >kc.out 2>kc.err
expect_eq "kconsume exit" 1 "$RC"
jq -r '.offset + 1' kc.rej >kc.lines
compare kconsume want_grammar kc.lines
check "kconsume: values are the accepted lines byte for byte" cmp -s want_pass.ndjson kc.out

# --- the sinks: the same records, numbers converted exactly or refused ---
# stored_ok TOOL FILE: FILE holds "id n f s" rows read back; each must equal the input.
stored_ok() {
  /usr/bin/python3 - "$2" <<'PY' || fail "$1: stored values differ from the input"
import json, sys
from decimal import Decimal
sys.setrecursionlimit(20000)
src = {}
for raw in open("in.ndjson", "rb"):
    try:
        r = json.loads(raw, parse_float=Decimal, parse_int=Decimal)
        src[int(r["id"])] = r
    except Exception:
        pass
bad = 0
for row in open(sys.argv[1]):
    id_, n, f, s = (json.loads(row) + [None] * 4)[:4]
    r = src[int(id_)]
    if ("n" in r) != (n is not None) or (n is not None and Decimal(str(n)) != r["n"]):
        print("id %s: n stored %r, input %r" % (id_, n, r.get("n")), file=sys.stderr); bad += 1
    if ("f" in r) != (f is not None) or (f is not None and float(f) != float(r["f"])):
        print("id %s: f stored %r, input %r" % (id_, f, r.get("f")), file=sys.stderr); bad += 1
    if r.get("s") != s:
        print("id %s: s stored %r, input %r" % (id_, s, r.get("s")), file=sys.stderr); bad += 1
sys.exit(1 if bad else 0)
PY
  _checks=$((_checks + 1))
}

SETS=(--set id=.id --set n=.n --set f=.f --set s=.s)
pg_start
for fmt in text binary; do
  pg_psql -c "create table g_$fmt (id bigint, n bigint, f double precision, s text)" >/dev/null
  run pgload -t "g_$fmt" --format "$fmt" --reject-file "pg_$fmt.rej" in.ndjson 2>"pg_$fmt.err"
  expect_eq "pgload --format $fmt exit" 1 "$RC"
  jq -r .line "pg_$fmt.rej" >"pg_$fmt.lines"
  compare "pgload-$fmt" want_sinks "pg_$fmt.lines"
  pg_psql -c "select json_build_array(id, n::text, f::text, s) from g_$fmt order by id" >"pg_$fmt.rows"
  stored_ok "pgload --format $fmt" "pg_$fmt.rows"
  # The same through the sink's own transform (the fields computed by --set): the
  # transform's output is not validated again, so its verdicts must be the same.
  pg_psql -c "create table gx_$fmt (id bigint, n bigint, f double precision, s text)" >/dev/null
  run pgload -t "gx_$fmt" --format "$fmt" "${SETS[@]}" --reject-file "pgx_$fmt.rej" in.ndjson 2>"pgx_$fmt.err"
  expect_eq "pgload --set --format $fmt exit" 1 "$RC"
  jq -r .line "pgx_$fmt.rej" >"pgx_$fmt.lines"
  compare "pgload-set-$fmt" want_sinks "pgx_$fmt.lines"
  pg_psql -c "select json_build_array(id, n::text, f::text, s) from gx_$fmt order by id" >"pgx_$fmt.rows"
  stored_ok "pgload --set --format $fmt" "pgx_$fmt.rows"
done
pg_stop

cql_start
run cqlwrite -H "$CQL_HOSTS" -k g -t t --create --schema 'id bigint PRIMARY KEY, n bigint, f double, s text' \
  --reject-file cw.rej in.ndjson 2>cw.err
expect_eq "cqlwrite exit" 1 "$RC"
jq -r .line cw.rej >cw.lines
compare cqlwrite want_sinks cw.lines
run cqlwrite -H "$CQL_HOSTS" -k g -t tx --create --schema 'id bigint PRIMARY KEY, n bigint, f double, s text' \
  "${SETS[@]}" --reject-file cwx.rej in.ndjson 2>cwx.err
expect_eq "cqlwrite --set exit" 1 "$RC"
jq -r .line cwx.rej >cwx.lines
compare cqlwrite-set want_sinks cwx.lines
for t in t tx; do
  /usr/bin/python3 - "$t" >"cw_$t.rows" <<'PY' || fail "cannot read the rows back"
import json, os, sys
from cassandra.cluster import Cluster
h, p = os.environ["CQL_HOSTS"].split(",")[0].rsplit(":", 1)
c = Cluster([h], port=int(p))
s = c.connect()
for r in s.execute("SELECT id, n, f, s FROM g." + sys.argv[1]):
    print(json.dumps([r.id, r.n, None if r.f is None else repr(r.f), r.s]))
c.shutdown()
PY
done
stored_ok cqlwrite cw_t.rows
stored_ok "cqlwrite --set" cw_tx.rows
finish
