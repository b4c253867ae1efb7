# Shared setup of the cqlwrite integration tests (sourced, not a test itself):
# a temp dir, the CQL test server helper, flattened synthetic users, and
# read-back through the DataStax Python driver (an independent implementation).
set -euo pipefail
: "${AIRSTREAM_SRC:?}" "${AIRSTREAM_BIN:?}"
export PATH="$AIRSTREAM_BIN:$PATH"
REAL_CQL_HOSTS=${CQL_HOSTS:-}  # a real cluster to test against, if the caller gave one
unset CQL_HOSTS
T=$(mktemp -d /tmp/cqlwrite-test.XXXXXX)
trap 'rm -rf "$T"' EXIT
source "$AIRSTREAM_SRC/tests/lib/cql.sh"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# users N SEED FILE: N flattened created_users records.
users() {
  rufetch --synthetic --seed "$2" --count "$1" >"$T/raw.ndjson"
  if ! uxform --preset created_users <"$T/raw.ndjson" >"$3" 2>/dev/null; then
    jq -c -f "$AIRSTREAM_SRC/bench/created_users.jq" <"$T/raw.ndjson" >"$3"
  fi
  [[ $(wc -l <"$3") -eq $1 ]] || fail "could not make $1 users"
}

# cqlq 'CQL' ...: rows as JSON lines (CQLQ_USER/CQLQ_PASS for auth, CQLQ_CA for TLS,
# CQLQ_CHAIN_ONLY=1 to check the chain only).
cqlq() {
  /usr/bin/python3 - "$@" <<'PY'
import json, os, ssl, sys
from cassandra.cluster import Cluster
from cassandra.auth import PlainTextAuthProvider
h, p = os.environ["CQL_HOSTS"].split(",")[0].rsplit(":", 1)
kw = {}
if os.environ.get("CQLQ_USER"):
    kw["auth_provider"] = PlainTextAuthProvider(os.environ["CQLQ_USER"], os.environ["CQLQ_PASS"])
if os.environ.get("CQLQ_CA"):
    ctx = ssl.create_default_context(cafile=os.environ["CQLQ_CA"])
    ctx.check_hostname = not os.environ.get("CQLQ_CHAIN_ONLY")
    kw["ssl_context"] = ctx
c = Cluster([h], port=int(p), **kw)
s = c.connect()
for q in sys.argv[1:]:
    for row in s.execute(q):
        print(json.dumps(row._asdict(), default=str, sort_keys=True))
c.shutdown()
PY
}

# count KS.TABLE: number of rows.
count() { cqlq "SELECT count(*) FROM $1" | sed 's/.*"count": \([0-9]*\).*/\1/'; }

# same_rows KS.TABLE FILE: every record of FILE is a row of the table with the same
# values (text columns), and the table has no other row.
same_rows() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import json, os, ssl, sys, uuid
from cassandra.cluster import Cluster
h, p = os.environ["CQL_HOSTS"].split(",")[0].rsplit(":", 1)
kw = {}
if os.environ.get("CQLQ_CA"):
    ctx = ssl.create_default_context(cafile=os.environ["CQLQ_CA"])
    ctx.check_hostname = not os.environ.get("CQLQ_CHAIN_ONLY")
    kw["ssl_context"] = ctx
c = Cluster([h], port=int(p), **kw)
s = c.connect()
rows = {str(r.id): r._asdict() for r in s.execute("SELECT * FROM " + sys.argv[1])}
want = {}
with open(sys.argv[2]) as f:
    for line in f:
        r = json.loads(line)
        want[r["id"]] = r
bad = 0
for k, r in want.items():
    got = rows.get(k)
    if got is None:
        print("missing row", k); bad += 1; continue
    for col, v in got.items():
        exp = r.get(col)
        if col == "id":
            continue
        if exp != v:
            print("row", k, "column", col, "want", repr(exp), "got", repr(v)); bad += 1
if len(rows) != len(want):
    print("table has", len(rows), "rows, input has", len(want)); bad += 1
c.shutdown()
sys.exit(1 if bad else 0)
PY
}
