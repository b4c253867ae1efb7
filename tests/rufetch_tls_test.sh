#!/usr/bin/env bash
# rufetch over HTTPS against the fixture server with throw-away self-signed
# certificates: verification is always on (an unknown CA or a wrong host name is a
# TLS failure: exit 69 at once, no retries), --cacert makes a private CA trusted.
set -euo pipefail
. "$(dirname "$0")/rufetch_lib.sh"
command -v openssl >/dev/null || { echo "SKIP: openssl(1) not installed" >&2; exit 77; }
FAST=(--retry-delay 20ms --retries 3 --rate 0)

mkcert() {  # mkcert NAME SAN
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$1" -addext "subjectAltName=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -keyout "$T/$1.key" -out "$T/$1.pem" 2>/dev/null
}
mkcert good "IP:127.0.0.1,DNS:localhost"
mkcert wrong "DNS:wrong.invalid"

fx_start
"$BIN" --url "$FX_URL/api/" --seed tls --results 5 --count 5 "${FAST[@]}" >"$T/ref"

fx_start --tls-cert "$T/good.pem" --tls-key "$T/good.key"
URL="https://127.0.0.1:$FX_PORT/api/"
# unknown CA: exit 69, not retried
expect_rc 69 "$BIN" --url "$URL" --seed tls --results 5 --count 5 "${FAST[@]}"
grep -q 'TLS failure' "$T/err" || fail "no TLS failure message: $(cat "$T/err")"
grep -q 'retry' "$T/err" && fail "TLS failure was retried"
# trusted with --cacert; same users as over plain HTTP
expect_rc 0 "$BIN" --url "$URL" --seed tls --results 5 --count 5 --cacert "$T/good.pem" "${FAST[@]}"
cmp "$T/out" "$T/ref" || fail "HTTPS output differs from HTTP"
# the host name is checked too
expect_rc 0 "$BIN" --url "https://localhost:$FX_PORT/api/" --seed tls --results 5 --count 5 --cacert "$T/good.pem" \
  "${FAST[@]}"
fx_start --tls-cert "$T/wrong.pem" --tls-key "$T/wrong.key"
expect_rc 69 "$BIN" --url "https://127.0.0.1:$FX_PORT/api/" --seed tls --cacert "$T/wrong.pem" "${FAST[@]}"
grep -q 'TLS failure' "$T/err" || fail "host name mismatch not a TLS failure: $(cat "$T/err")"
# --cacert must exist
expect_rc 64 "$BIN" --url "$URL" --cacert "$T/missing.pem"
echo ok
