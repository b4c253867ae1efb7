#!/usr/bin/env bash
# TLS against a 3-node cluster whose certificate names nodes by DNS name only
# (subjectAltName DNS:localhost, no IP address), as many real clusters do.
# Nodes found in system.peers are numeric addresses: cqlwrite verifies each as the
# DataStax drivers do (an IP subjectAltName, else the name reverse DNS gives for
# the address). 127.0.0.1 reverse-resolves to localhost and is verified; 127.0.0.2
# and .3 have no such name, so they are not used, and cqlwrite says so on stderr
# (before, they were dropped silently, routing lost while -v reported 3 nodes).
# --ssl-verify chain checks the chain only: every node is used, rows go to their
# replicas. A certificate from another CA is refused in both modes.
source "$(dirname "$0")/cqlwrite_lib.sh"
[[ $(getent hosts 127.0.0.1 | awk '{ print $2; exit }') == localhost ]] ||
  { echo "skipping: 127.0.0.1 does not reverse-resolve to localhost here"; exit 77; }
for a in 127.0.0.2 127.0.0.3; do
  getent hosts $a >/dev/null && { echo "skipping: $a has a host name here"; exit 77; }
done
users 600 4 "$T/users.ndjson"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=cassandra" -addext "subjectAltName=DNS:localhost" \
  -keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1 || fail "openssl"
cql_start --nodes 3 --tls-files "$T/cert.pem" "$T/key.pem"
W=(cqlwrite -H "$CQL_HOSTS" -k tls --cacert "$T/cert.pem" -v)
export CQLQ_CA=$T/cert.pem CQLQ_CHAIN_ONLY=1  # read-back with the Python driver

"${W[@]}" -t full --create "$T/users.ndjson" 2>"$T/err" || fail "full verification: exit $? $(cat "$T/err")"
for a in 127.0.0.2 127.0.0.3; do
  grep -q "node $a:$CQL_PORT is not used.*does not name $a (and it has no reverse DNS name)" "$T/err" ||
    fail "node $a dropped without saying so: $(cat "$T/err")"
done
grep -q "node 127.0.0.1:$CQL_PORT is not used" "$T/err" && fail "node 1 (localhost by reverse DNS) refused: $(cat "$T/err")"
grep -q "connected with protocol v5 to 1 of 3 node(s)" "$T/err" || fail "-v must count usable nodes: $(cat "$T/err")"
same_rows tls.full "$T/users.ndjson" || fail "read-back (full)"

before=$(cql_cmd stats)
"${W[@]}" -t chain --create --ssl-verify chain "$T/users.ndjson" 2>"$T/err" || fail "chain only: exit $? $(cat "$T/err")"
grep -q "is not used" "$T/err" && fail "chain only: a node was not used: $(cat "$T/err")"
grep -q "to 3 of 3 node(s), token-aware" "$T/err" || fail "chain only: $(cat "$T/err")"
after=$(cql_cmd stats)
[[ $(jq -s 'map(.rows_not_replica) | add' <<<"$after") == $(jq -s 'map(.rows_not_replica) | add' <<<"$before") ]] ||
  fail "chain only: rows sent to non-replicas: $after"
same_rows tls.chain "$T/users.ndjson" || fail "read-back (chain)"

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" \
  -keyout "$T/other.key" -out "$T/other.pem" 2>/dev/null || fail "openssl"
for mode in full chain; do
  set +e
  cqlwrite -H "$CQL_HOSTS" -k tls -t chain --cacert "$T/other.pem" --ssl-verify $mode </dev/null 2>"$T/err"
  rc=$?
  set -e
  [[ $rc == 69 ]] && grep -q "TLS handshake failed" "$T/err" || fail "other CA ($mode): exit $rc $(cat "$T/err")"
done
echo "cqlwrite_tls_peers_test: ok"
