#!/usr/bin/env bash
# tests/lib/cql.sh: cql_start picks a free port, exports CQL_HOSTS for every node,
# cql_cmd sends fault commands and returns their replies, cleanup stops the server;
# a python3-cassandra client reaches every node listed in CQL_HOSTS (with --auth and --tls too).
set -euo pipefail
source "${AIRSTREAM_SRC:?}/tests/lib/cql.sh"
/usr/bin/python3 -c 'import cassandra.cluster' 2>/dev/null || { echo "skip: python3-cassandra missing"; exit 77; }

fail() { echo "FAIL: $*" >&2; exit 1; }

probe() {  # probe HOST:PORT [user pass] [cafile]: prints the node's own address from system.local
  /usr/bin/python3 - "$@" <<'PY'
import ssl, sys
from cassandra.auth import PlainTextAuthProvider
from cassandra.cluster import Cluster
from cassandra.policies import WhiteListRoundRobinPolicy
host, port = sys.argv[1].split(":")
kw = {}
if len(sys.argv) > 3 and sys.argv[2]:
    kw["auth_provider"] = PlainTextAuthProvider(sys.argv[2], sys.argv[3])
if len(sys.argv) > 4:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(sys.argv[4])
    kw["ssl_context"] = ctx
    kw["ssl_options"] = {"server_hostname": host}
c = Cluster([host], port=int(port), protocol_version=4, connect_timeout=20,
            load_balancing_policy=WhiteListRoundRobinPolicy([host]), **kw)
print(c.connect().execute("SELECT rpc_address FROM system.local").one().rpc_address)
c.shutdown()
PY
}

cql_start --nodes 3
[[ "$CQL_HOSTS" =~ ^127\.0\.0\.1:[0-9]+,127\.0\.0\.2:[0-9]+,127\.0\.0\.3:[0-9]+$ ]] || fail "CQL_HOSTS=$CQL_HOSTS"
IFS=, read -ra hosts <<<"$CQL_HOSTS"
for i in 1 2 3; do
  got="$(probe "${hosts[$((i - 1))]}")"
  [[ "$got" == "127.0.0.$i" ]] || fail "node $i answered as $got"
done
[[ "$(cql_cmd 'overloaded 3')" == "ok overloaded 3" ]] || fail "overloaded reply"
stats="$(cql_cmd stats)"
[[ "$(wc -l <<<"$stats")" == 3 ]] || fail "stats: $stats"
[[ "$(jq -s 'map(.requests) | min' <<<"$stats")" -gt 0 ]] || fail "requests not counted: $stats"
[[ "$(cql_cmd 'nonsense')" == error* ]] || fail "unknown command accepted"
pid=$CQL_SERVER_PID
cql_stop
! kill -0 "$pid" 2>/dev/null || fail "server still running after cql_stop"

cql_start --auth alice:pw
[[ "$(probe "$CQL_HOSTS" alice pw)" == 127.0.0.1 ]] || fail "auth probe"
if probe "$CQL_HOSTS" alice wrong >/dev/null 2>&1; then fail "wrong password accepted"; fi
cql_stop

cql_start --tls
[[ "$(probe "$CQL_HOSTS" "" "" "$CQL_TLS_CERT")" == 127.0.0.1 ]] || fail "tls probe"
echo "cqlserver shell helper: ok"
