#!/usr/bin/env bash
# cqlwrite's configuration, as a cqlsh user expects it: --config refuses unknown keys
# (exit 78 naming file, line and key: `password = s3cret` is not silently dropped),
# a [cqlwrite] section serves cqlwrite in a file shared with other tools, cqlshrc's
# [connection] (hostname, port, ssl), [ssl] (certfile, validate) and [authentication]
# are read as cqlsh reads them, from --cqlshrc FILE or ~/.cassandra/cqlshrc; --ttl
# takes durations and a TTL Cassandra refuses (over 20 years) is refused once, up
# front, with exit 64 and nothing written.
source "$(dirname "$0")/cqlwrite_lib.sh"
users 50 7 "$T/users.ndjson"
unset CQL_PASSWORD CQL_USERNAME
mkdir -p "$T/home"
export HOME="$T/home"

# runs cqlwrite, leaving its exit status in rc and stderr in $T/err
cw() {
  set +e
  cqlwrite "$@" 2>"$T/err"
  rc=$?
  set -e
}

cql_start --auth alice:s3cret
# 1. An unknown key is an error naming the file, the line and the key (no write).
printf 'hosts = %s\nkeyspace = cfg\ntable = created_users\nusername = alice\npassword = s3cret\n' \
  "$CQL_HOSTS" >"$T/bad.conf"
cw --config "$T/bad.conf" --create "$T/users.ndjson"
[[ $rc == 78 ]] && grep -q "bad.conf:5: unknown key 'password'" "$T/err" ||
  fail "unknown key: exit $rc $(cat "$T/err")"

# 2. One file for every tool: cqlwrite reads [cqlwrite] and [airstream], skips the
# other tools' sections (their keys are not cqlwrite's).
cat >"$T/all.conf" <<CONF
[airstream]
max-errors = 0
[kconsume]
topic = users_created
[cqlwrite]
hosts = $CQL_HOSTS
keyspace = cfg
table = created_users
username = alice
[pgload]
table = users
CONF
CQL_PASSWORD=s3cret cw --config "$T/all.conf" --create "$T/users.ndjson"
[[ $rc == 0 ]] || fail "[cqlwrite] section: exit $rc $(cat "$T/err")"
[[ $(CQLQ_USER=alice CQLQ_PASS=s3cret count cfg.created_users) == 50 ]] || fail "[cqlwrite] section read-back"
# [airstream]'s max-errors = 0 applies: one bad record stops the run with 65.
printf '{"id": "not-a-uuid"}\n' >"$T/bad.ndjson"
CQL_PASSWORD=s3cret cw --config "$T/all.conf" "$T/bad.ndjson"
[[ $rc == 65 ]] || fail "[airstream] max-errors: exit $rc $(cat "$T/err")"
# A section that is no tool's is an error too.
printf '[cqlwriter]\nkeyspace = cfg\n' >"$T/typo.conf"
cw --config "$T/typo.conf" -t created_users </dev/null
[[ $rc == 78 ]] && grep -q "typo.conf:1: unknown section \[cqlwriter\]" "$T/err" ||
  fail "unknown section: exit $rc $(cat "$T/err")"

# 3. cqlshrc: [connection] hostname and port (no -H), [authentication] credentials.
port=${CQL_HOSTS%%,*}
port=${port##*:}
printf '[connection]\nhostname = 127.0.0.1\nport = %s\n[ui]\ncolor = on\n[authentication]\nusername = alice\npassword = s3cret\n' \
  "$port" >"$T/cqlshrc"
cw --cqlshrc "$T/cqlshrc" -k rc -t created_users --create "$T/users.ndjson"
[[ $rc == 0 ]] || fail "--cqlshrc [connection]: exit $rc $(cat "$T/err")"
mkdir -p "$HOME/.cassandra"
cp "$T/cqlshrc" "$HOME/.cassandra/cqlshrc"
cw -k rc -t created_users "$T/users.ndjson"
[[ $rc == 0 ]] || fail "~/.cassandra/cqlshrc [connection]: exit $rc $(cat "$T/err")"
[[ $(CQLQ_USER=alice CQLQ_PASS=s3cret count rc.created_users) == 50 ]] || fail "cqlshrc read-back"
rm "$HOME/.cassandra/cqlshrc"
cw --cqlshrc "$T/missing" -k rc -t created_users </dev/null
[[ $rc == 78 ]] && grep -q "missing" "$T/err" || fail "missing --cqlshrc: exit $rc $(cat "$T/err")"

# 4. --ttl: durations are accepted; over 20 years is refused before anything is sent.
CQL_PASSWORD=s3cret cw -H "$CQL_HOSTS" -u alice -k rc -t created_users --ttl 7d "$T/users.ndjson"
[[ $rc == 0 ]] || fail "--ttl 7d: exit $rc $(cat "$T/err")"
CQL_PASSWORD=s3cret cw -H "$CQL_HOSTS" -u alice -k ttl -t created_users --ttl 630720000 --create "$T/users.ndjson"
[[ $rc == 0 ]] || fail "--ttl at the limit: exit $rc $(cat "$T/err")"
CQL_PASSWORD=s3cret cw -H "$CQL_HOSTS" -u alice -k ttl2 -t created_users --ttl 7301d --create "$T/users.ndjson"
[[ $rc == 64 ]] || fail "--ttl 7301d: exit $rc, want 64"
[[ $(grep -c . "$T/err") -le 2 ]] && grep -q "630720000" "$T/err" || fail "--ttl 7301d message: $(cat "$T/err")"
[[ $(CQLQ_USER=alice CQLQ_PASS=s3cret cqlq "SELECT keyspace_name FROM system_schema.keyspaces" | grep -c ttl2) == 0 ]] ||
  fail "--ttl 7301d: keyspace created before the TTL was refused"
cql_stop

# 5. cqlshrc [connection] ssl and [ssl] certfile / validate, against a TLS server.
cql_start --tls
port=${CQL_HOSTS%%,*}
port=${port##*:}
printf '[connection]\nhostname = 127.0.0.1\nport = %s\nssl = true\n[ssl]\ncertfile = %s\nvalidate = true\n' \
  "$port" "$CQL_TLS_CERT" >"$T/cqlshrc.tls"
cw --cqlshrc "$T/cqlshrc.tls" -k tls -t created_users --create "$T/users.ndjson"
[[ $rc == 0 ]] || fail "cqlshrc [ssl] certfile: exit $rc $(cat "$T/err")"
[[ $(CQLQ_CA=$CQL_TLS_CERT count tls.created_users) == 50 ]] || fail "cqlshrc TLS read-back"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" -keyout "$T/other.key" \
  -out "$T/other.pem" 2>/dev/null || fail "openssl"
sed "s|$CQL_TLS_CERT|$T/other.pem|" "$T/cqlshrc.tls" >"$T/cqlshrc.other"
cw --cqlshrc "$T/cqlshrc.other" -k tls -t created_users </dev/null
[[ $rc == 69 ]] || fail "cqlshrc certfile of another CA must be refused: exit $rc $(cat "$T/err")"
sed -i 's/validate = true/validate = false/' "$T/cqlshrc.other"
cw --cqlshrc "$T/cqlshrc.other" -k tls -t created_users "$T/users.ndjson"
[[ $rc == 0 ]] || fail "cqlshrc validate = false: exit $rc $(cat "$T/err")"
echo "cqlwrite_config_test: ok"
