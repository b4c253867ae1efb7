#!/usr/bin/env bash
# pgload takes psql's connection options: -h HOST (a name, an address or a socket
# directory), -p PORT, -U USER, besides -d conninfo/URI and the PG* variables; given
# with -d, they win over what the string says. Help stays on --help (and -?, as
# psql's). Against a throw-away PostgreSQL, with the PG* variables unset.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/pg.sh"
pg_test_setup
host=$PGHOST port=$PGPORT user=$PGUSER db=$PGDATABASE
printf '{"id": %d, "name": "n%d"}\n' 1 1 2 2 3 3 >users.ndjson

run_pgload() {
  set +e
  env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE pgload "$@" 2>err.txt
  rc=$?
  set -e
}

# TCP: -h address -p port -U user, the database from -d.
run_pgload -h "${PG_TCP_HOST:-127.0.0.1}" -p "$port" -U "$user" -d "$db" -t t1 --create --schema 'id int, name text' users.ndjson
check "-h ADDR -p -U exit ($(cat err.txt))" "$rc" 0
check "-h ADDR rows" "$(pg_psql -c 'select count(*) from t1')" 3
# Unix socket directory, long names.
run_pgload --host "$host" --port "$port" --username "$user" -d "dbname=$db" -t t1 users.ndjson
check "--host SOCKETDIR exit ($(cat err.txt))" "$rc" 0
check "--host SOCKETDIR rows" "$(pg_psql -c 'select count(*) from t1')" 6
# Over a URI and a key=value string that name another port and user, -p and -U win.
run_pgload -d "postgresql://nobody@127.0.0.1:1/$db" -p "$port" -U "$user" -t t1 users.ndjson
check "URI with -p -U exit ($(cat err.txt))" "$rc" 0
run_pgload -d "host=127.0.0.1 port=1 dbname=$db user=nobody" -h "$host" -p "$port" -U "$user" -t t1 users.ndjson
check "conninfo with -h -p -U exit ($(cat err.txt))" "$rc" 0
check "all loads arrived" "$(pg_psql -c 'select count(*) from t1')" 12
# A wrong port from -p is used (the load fails to connect: 69), not ignored.
run_pgload -h 127.0.0.1 -p 1 -U "$user" -d "$db" -t t1 users.ndjson
check "-p 1 exit" "$rc" 69
grep -q "cannot connect" err.txt || fail "-p 1 message: $(cat err.txt)"
# Help is on --help and -?; -h without a host is a usage error, not help.
pgload --help | grep -q "^Usage: pgload" || fail "--help"
pgload '-?' | grep -q "^Usage: pgload" || fail "-?"
pgload --help | grep -q -- "-h,--host HOST" || fail "--help lists -h,--host"
run_pgload -t t1 -h
check "-h without a host exit" "$rc" 64
echo "pgload_psql_options_test: ok"
