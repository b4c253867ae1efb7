#!/usr/bin/env bash
# Token-aware routing and protocol negotiation against a 3-node CQL test server:
# after writing, every node reports rows_not_replica == 0 (each row went to the node
# owning its Murmur3 token) and every node received rows; the same with protocol v4
# forced, with LZ4 compression on v4 and v5, and against a server that only speaks
# v4 (cqlwrite asks for v5 and steps down), and rows larger than one v5 segment.
# Rows are read back with the Python driver.
source "$(dirname "$0")/cqlwrite_lib.sh"
users 3000 5 "$T/users.ndjson"

check_routing() {  # LABEL: every node got rows, none outside its token range
  local stats
  stats=$(cql_cmd stats)
  echo "$stats" | grep -q '"rows_not_replica":[1-9]' && fail "$1: rows sent to non-replicas: $stats"
  [[ $(echo "$stats" | grep -c '"rows_written":[1-9]') == 3 ]] || fail "$1: a node got no rows: $stats"
}

cql_start --nodes 3
run=0
for args in "" "--protocol-version 4" "--compression lz4" "--protocol-version 4 --compression lz4"; do
  run=$((run + 1))
  # shellcheck disable=SC2086
  cqlwrite -H "$CQL_HOSTS" -k routing -t t$run --create -v $args "$T/users.ndjson" 2>"$T/err" ||
    fail "run '$args': exit $? $(cat "$T/err")"
  grep -q "token-aware routing" "$T/err" || fail "run '$args': not token-aware: $(cat "$T/err")"
  if [[ $args == *"version 4"* ]]; then want=4; else want=5; fi
  grep -q "protocol v$want" "$T/err" || fail "run '$args': want protocol v$want: $(cat "$T/err")"
  check_routing "run '$args'"
  same_rows "routing.t$run" "$T/users.ndjson" || fail "run '$args': read-back"
done
# Rows larger than a v5 segment (128 KiB): the envelope spans several segments.
/usr/bin/python3 -c "
import json
print(json.dumps({'id': '99999999-9999-4999-8999-999999999999', 'picture': 'x' * 300000}))
print(json.dumps({'id': '99999999-9999-4999-8999-999999999998', 'picture': 'y' * 150000}))" >"$T/big.ndjson"
for c in none lz4; do
  cqlwrite -H "$CQL_HOSTS" -k routing -t big_$c --create --compression $c "$T/big.ndjson" 2>"$T/err" ||
    fail "big rows ($c): $(cat "$T/err")"
  same_rows "routing.big_$c" "$T/big.ndjson" || fail "big rows ($c): read-back"
done
cql_stop

cql_start --nodes 3 --version-max 4
cqlwrite -H "$CQL_HOSTS" -k routing -t v4only --create -v "$T/users.ndjson" 2>"$T/err" ||
  fail "v4-only server: exit $? $(cat "$T/err")"
grep -q "protocol v4" "$T/err" || fail "did not step down to v4: $(cat "$T/err")"
check_routing "v4-only server"
same_rows "routing.v4only" "$T/users.ndjson" || fail "v4-only read-back"
# --local-dc with the nodes' data center works; one that does not exist is a
# configuration error.
dc=$(cqlq "SELECT data_center FROM system.local" | sed 's/.*"data_center": "\([^"]*\)".*/\1/')
[[ -n $dc ]] || fail "no data_center in system.local"
cqlwrite -H "$CQL_HOSTS" -k routing -t v4only --local-dc "$dc" "$T/users.ndjson" 2>"$T/err" ||
  fail "--local-dc $dc: exit $? $(cat "$T/err")"
set +e
cqlwrite -H "$CQL_HOSTS" -k routing -t v4only --local-dc nowhere </dev/null 2>"$T/err"
rc=$?
set -e
[[ $rc == 78 ]] || fail "--local-dc nowhere: exit $rc, want 78: $(cat "$T/err")"
echo "cqlwrite_routing_test: ok"
