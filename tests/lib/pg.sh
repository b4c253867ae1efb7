# Throw-away PostgreSQL cluster for tests and benchmarks (source this file).
#
#   pg_start            initdb in a temp dir, start postgres on a unix socket in that
#                       dir and a free 127.0.0.1 port; exports PGHOST (the socket dir),
#                       PGPORT, PGUSER, PGDATABASE (and PG_TCP_HOST=127.0.0.1) for
#                       psql/pgload; registers pg_stop on EXIT; exits 77 if the server
#                       cannot be started (not installed, ...).
#   pg_restart          restart the server (fast shutdown: sessions are disconnected).
#   pg_down / pg_up     stop the server (fast shutdown) and start it again on the same
#                       port, for outages longer than a restart.
#   pg_stop             stop it (immediate) and remove the temp dir.
#   pg_psql ARGS...     psql -X -q -v ON_ERROR_STOP=1 -At ARGS...
#   pg_users_table NAME creates table NAME with the created_users preset's columns
#                       (id uuid primary key; dob and registered_date timestamptz).
#   pg_test_setup       for pgload's test scripts: a temp dir $work (removed on EXIT)
#                       as the current directory, pg_start, and strict fail/check (the
#                       first failure ends the script, unlike tests/lib/common.sh's).
#
# PostgreSQL refuses to run as root: as root, initdb/postgres run as the system user
# airstream-test (created if missing; nobody if that fails) that owns the temp dir.
# Settings favour speed over durability (fsync off, synchronous_commit off): it is a
# throw-away cluster. PG_DURABLE=1 keeps PostgreSQL's defaults (benchmarks).

_pg_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

_pg_free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

_pg_add_exit_trap() {
  local prev
  prev=$(trap -p EXIT | sed -e "s/^trap -- '\\(.*\\)' EXIT\$/\\1/")
  if [ -n "$prev" ]; then
    trap "$1; $prev" EXIT
  else
    trap "$1" EXIT
  fi
}

_pg_as() {
  if [ -n "${PG_RUN_AS:-}" ]; then
    runuser -u "$PG_RUN_AS" -- "$@"
  else
    "$@"
  fi
}

pg_start() {
  local bindir
  if ! bindir=$(_pg_bindir); then
    echo "pg.sh: PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin): skipping" >&2
    exit 77
  fi
  PG_BINDIR=$bindir
  PG_RUN_AS=
  local base=${TMPDIR:-/tmp}
  if [ "$(id -u)" = 0 ]; then
    base=/tmp
    if ! id -u airstream-test >/dev/null 2>&1; then
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin airstream-test \
        >/dev/null 2>&1 || true
    fi
    if id -u airstream-test >/dev/null 2>&1; then PG_RUN_AS=airstream-test; else PG_RUN_AS=nobody; fi
  fi
  PG_DIR=$(mktemp -d "$base/airstream-pg.XXXXXX")
  if [ -n "$PG_RUN_AS" ]; then
    chown "$PG_RUN_AS" "$PG_DIR"
    chmod 755 "$PG_DIR"
  fi
  _pg_add_exit_trap pg_stop
  if ! (cd "$PG_DIR" && _pg_as "$bindir/initdb" -D "$PG_DIR/data" -A trust -U airstream -E UTF8 --locale=C \
      --no-sync >"$PG_DIR/initdb.log" 2>&1); then
    echo "pg.sh: initdb failed: skipping" >&2
    tail -n 20 "$PG_DIR/initdb.log" >&2
    exit 77
  fi
  local attempt port speed="-F -c synchronous_commit=off"
  [ "${PG_DURABLE:-0}" = 1 ] && speed=""
  for attempt in 1 2 3; do
    port=$(_pg_free_port)
    PG_OPTS="-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 $speed -c max_connections=40"
    if (cd "$PG_DIR" && _pg_as "$bindir/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "$PG_OPTS" start >/dev/null 2>&1); then
      break
    fi
    port=
  done
  if [ -z "$port" ]; then
    echo "pg.sh: postgres did not start: skipping" >&2
    tail -n 20 "$PG_DIR/server.log" >&2
    exit 77
  fi
  export PGHOST=$PG_DIR PGPORT=$port PGUSER=airstream PGDATABASE=postgres PG_TCP_HOST=127.0.0.1
  unset PGPASSWORD PGSERVICE PGSSLMODE PGOPTIONS
  local deadline=$((SECONDS + 60))
  until "$bindir/pg_isready" -q -h "$PG_DIR" -p "$port" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      echo "pg.sh: postgres not ready after 60s: skipping" >&2
      exit 77
    fi
    sleep 0.2
  done
}

pg_restart() {
  (cd "$PG_DIR" && _pg_as "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 -m fast restart \
    >/dev/null 2>&1)
}

pg_down() {
  (cd "$PG_DIR" && _pg_as "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -w -t 60 -m fast stop >/dev/null 2>&1)
}

pg_up() {
  (cd "$PG_DIR" && _pg_as "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 -o "$PG_OPTS" \
    start >/dev/null 2>&1)
}

pg_stop() {
  if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR" ]; then
    if [ -f "$PG_DIR/data/postmaster.pid" ]; then
      (cd "$PG_DIR" && _pg_as "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -m immediate -w -t 30 stop >/dev/null 2>&1) || true
    fi
    rm -rf "$PG_DIR"
  fi
  PG_DIR=
}

pg_psql() {
  psql -X -q -v ON_ERROR_STOP=1 -At "$@"
}

pg_users_table() {
  pg_psql -c "create table $1 (id uuid primary key, first_name text, last_name text, gender text, address text,
    post_code text, email text, username text, dob timestamptz, registered_date timestamptz, phone text, picture text)"
}

pg_test_setup() {
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  pg_start
  cd "$work"
  fail() { echo "FAIL: $*" >&2; exit 1; }
  check() { [ "$2" = "$3" ] || fail "$1: expected '$3', got '$2'"; }
}
