#!/usr/bin/env bash
# System tables read page by page: in a keyspace with more than 5000 rows in
# system_schema.columns (51 tables of about 100 columns; rows in clustering order
# table_name, column_name), the target table t49 straddles the first page's end
# (its last_name is row 5001). cqlwrite still sees every column, stores every
# field of the input, and --strict rejects nothing. (Before, only the first page
# was read: last_name was missing, its values silently dropped, exit 0.)
source "$(dirname "$0")/cqlwrite_lib.sh"
cql_start
/usr/bin/python3 - <<'PY' || fail "cannot create the wide schema"
import os
from cassandra.cluster import Cluster
h, p = os.environ["CQL_HOSTS"].split(",")[0].rsplit(":", 1)
c = Cluster([h], port=int(p), schema_metadata_enabled=False, connect_timeout=20)
s = c.connect()
s.execute("CREATE KEYSPACE wide WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}")
cols = ", ".join("c%02d text" % i for i in range(99))
for t in list(range(49)) + [50]:
    s.execute("CREATE TABLE wide.t%02d (id int PRIMARY KEY, %s)" % (t, cols), timeout=60)
s.execute("CREATE TABLE wide.t49 (id uuid PRIMARY KEY, first_name text, last_name text, email text, %s)"
          % ", ".join("c%02d text" % i for i in range(97)))
rows = list(s.execute("SELECT table_name, column_name FROM system_schema.columns WHERE keyspace_name = 'wide'"))
assert len(rows) == 5101 and (rows[5000].table_name, rows[5000].column_name) == ("t49", "last_name"), rows[5000]
c.shutdown()
PY
users 300 7 "$T/all.ndjson"
jq -c '{id, first_name, last_name, email}' "$T/all.ndjson" >"$T/users.ndjson"
cqlwrite -H "$CQL_HOSTS" -k wide -t t49 --strict "$T/users.ndjson" 2>"$T/err" ||
  fail "exit $? $(cat "$T/err")"
grep -q "300 rows written" "$T/err" || fail "$(cat "$T/err")"
same_rows wide.t49 "$T/users.ndjson" || fail "read-back: fields of columns on the second page were lost"
echo "cqlwrite_schema_paging_test: ok"
