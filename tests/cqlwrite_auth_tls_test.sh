#!/usr/bin/env bash
# Authentication (PasswordAuthenticator, SASL PLAIN) and TLS: the password comes from
# CQL_PASSWORD, --password-file or ~/.cassandra/cqlshrc, never from the command line;
# missing or wrong credentials exit 78. TLS with the server's self-signed certificate
# as CA works; a CA made here with openssl that did not sign the server's certificate
# is refused (exit 69) unless --no-hostname-verify.
source "$(dirname "$0")/cqlwrite_lib.sh"
users 200 3 "$T/users.ndjson"
unset CQL_PASSWORD

cql_start --auth alice:s3cret
W=(cqlwrite -H "$CQL_HOSTS" -k auth -t created_users)
set +e
"${W[@]}" --create </dev/null 2>"$T/err"
rc=$?
set -e
[[ $rc == 78 ]] && grep -q "requires authentication" "$T/err" || fail "no credentials: exit $rc $(cat "$T/err")"
set +e
CQL_PASSWORD=wrong "${W[@]}" -u alice --create </dev/null 2>"$T/err"
rc=$?
set -e
[[ $rc == 78 ]] && grep -q "authentication failed" "$T/err" || fail "wrong password: exit $rc $(cat "$T/err")"
CQL_PASSWORD=s3cret "${W[@]}" -u alice --create "$T/users.ndjson" 2>"$T/err" || fail "CQL_PASSWORD: $(cat "$T/err")"
printf 's3cret\n' >"$T/pw"
"${W[@]}" -u alice --password-file "$T/pw" "$T/users.ndjson" 2>"$T/err" || fail "--password-file: $(cat "$T/err")"
mkdir -p "$T/home/.cassandra"
printf '[connection]\nport = 9042\n[authentication]\nusername = alice\npassword = s3cret\n' >"$T/home/.cassandra/cqlshrc"
HOME="$T/home" "${W[@]}" "$T/users.ndjson" 2>"$T/err" || fail "cqlshrc: $(cat "$T/err")"
# LZ4 on v4: Cassandra compresses its answer to STARTUP (here AUTHENTICATE) and
# every frame after it.
CQL_PASSWORD=s3cret "${W[@]}" -u alice --protocol-version 4 --compression lz4 "$T/users.ndjson" 2>"$T/err" ||
  fail "v4 + lz4 + auth: $(cat "$T/err")"
[[ $(CQLQ_USER=alice CQLQ_PASS=s3cret count auth.created_users) == 200 ]] || fail "auth read-back"
cql_stop

cql_start --tls
W=(cqlwrite -H "$CQL_HOSTS" -k tls -t created_users)
"${W[@]}" --cacert "$CQL_TLS_CERT" --create "$T/users.ndjson" 2>"$T/err" || fail "TLS: $(cat "$T/err")"
[[ $(CQLQ_CA=$CQL_TLS_CERT count tls.created_users) == 200 ]] || fail "TLS read-back"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" -keyout "$T/other.key" \
  -out "$T/other.pem" 2>/dev/null || fail "openssl"
set +e
"${W[@]}" --cacert "$T/other.pem" </dev/null 2>"$T/err"
rc=$?
set -e
[[ $rc == 69 ]] && grep -q "TLS handshake failed" "$T/err" || fail "unknown CA: exit $rc $(cat "$T/err")"
"${W[@]}" --ssl --no-hostname-verify "$T/users.ndjson" 2>"$T/err" || fail "--no-hostname-verify: $(cat "$T/err")"
set +e
cqlwrite -H "${CQL_HOSTS/127.0.0.1/localhost}" -k tls -t created_users --ssl </dev/null 2>"$T/err"
rc=$?
set -e
[[ $rc == 69 ]] || fail "system CAs must not trust the self-signed cert: exit $rc $(cat "$T/err")"
echo "cqlwrite_auth_tls_test: ok"
