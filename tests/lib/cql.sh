# Shell helper to run the in-memory CQL test server (tests/cqlserver) from tests
# and benchmarks. Source it, then:
#
#   cql_start [--nodes N] [--auth user:pass] [--tls | --tls-files CERT KEY] [--version-max 4|5]
#             [--vnodes K] [--joining J]
#       Starts cql_test_server on a free port (node I on 127.0.0.I), waits for its
#       ready line (deadline CQL_START_TIMEOUT seconds, default 30), exports
#       CQL_HOSTS (127.0.0.1:PORT,127.0.0.2:PORT,...), CQL_PORT, CQL_SERVER_PID and
#       CQL_SERVER_DIR; with --tls also CQL_TLS_CERT and CQL_TLS_KEY (a self-signed
#       certificate for 127.0.0.1 / localhost, usable as the client's CA file);
#       --tls-files serves the given certificate and key instead.
#       Registers cleanup on EXIT. Exits 77 (skip) when the server cannot start.
#   cql_cmd "overloaded 5"
#       Sends one fault command on the server's stdin and prints its reply line(s)
#       ("stats" answers one JSON line per node). Returns 1 on timeout.
#   cql_stop
#       Sends quit and waits for the server (also done by the EXIT trap).
#
# The server binary is looked up as $CQL_TEST_SERVER, then $AIRSTREAM_BIN/cql_test_server,
# then on PATH.

cql__bin() {
  if [[ -n "${CQL_TEST_SERVER:-}" ]]; then
    echo "$CQL_TEST_SERVER"
  elif [[ -n "${AIRSTREAM_BIN:-}" && -x "$AIRSTREAM_BIN/cql_test_server" ]]; then
    echo "$AIRSTREAM_BIN/cql_test_server"
  else
    command -v cql_test_server
  fi
}

cql_stop() {
  [[ -n "${CQL_SERVER_PID:-}" ]] || return 0
  if kill -0 "$CQL_SERVER_PID" 2>/dev/null; then
    { echo quit >&7; } 2>/dev/null || true
    local i
    for ((i = 0; i < 50; i++)); do
      kill -0 "$CQL_SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill "$CQL_SERVER_PID" 2>/dev/null || true
    wait "$CQL_SERVER_PID" 2>/dev/null || true
  fi
  { exec 7>&-; } 2>/dev/null || true  # (exec 2>/dev/null would silence the caller for good)
  [[ -n "${CQL_SERVER_DIR:-}" ]] && rm -rf "$CQL_SERVER_DIR"
  CQL_SERVER_PID=
}

cql_start() {
  local nodes=1 auth="" tls=0 vmax=5 vnodes=1 joining=0
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --nodes) nodes="$2"; shift 2 ;;
      --auth) auth="$2"; shift 2 ;;
      --tls) tls=1; shift ;;
      --tls-files) tls=2; CQL_TLS_CERT="$2"; CQL_TLS_KEY="$3"; shift 3 ;;
      --version-max) vmax="$2"; shift 2 ;;
      --vnodes) vnodes="$2"; shift 2 ;;
      --joining) joining="$2"; shift 2 ;;
      *) echo "cql_start: unknown option $1" >&2; return 64 ;;
    esac
  done
  local bin
  bin="$(cql__bin)"
  if [[ -z "$bin" || ! -x "$bin" ]]; then
    echo "cql_start: cql_test_server not built; skipping" >&2
    exit 77
  fi
  CQL_SERVER_DIR="$(mktemp -d "${TMPDIR:-/tmp}/cqlserver.XXXXXX")"
  export CQL_SERVER_DIR
  local args=(--port 0 --nodes "$nodes" --version-max "$vmax" --vnodes "$vnodes" --joining "$joining")
  [[ -n "$auth" ]] && args+=(--auth "$auth")
  if [[ "$tls" == 1 ]]; then
    if ! openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
        -addext "subjectAltName=IP:127.0.0.1,IP:127.0.0.2,IP:127.0.0.3,DNS:localhost" \
        -keyout "$CQL_SERVER_DIR/key.pem" -out "$CQL_SERVER_DIR/cert.pem" >/dev/null 2>&1; then
      echo "cql_start: cannot create a TLS certificate; skipping" >&2
      exit 77
    fi
    export CQL_TLS_CERT="$CQL_SERVER_DIR/cert.pem" CQL_TLS_KEY="$CQL_SERVER_DIR/key.pem"
    args+=(--tls "$CQL_TLS_CERT" "$CQL_TLS_KEY")
  elif [[ "$tls" == 2 ]]; then
    export CQL_TLS_CERT CQL_TLS_KEY
    args+=(--tls "$CQL_TLS_CERT" "$CQL_TLS_KEY")
  fi
  mkfifo "$CQL_SERVER_DIR/cmd"
  "$bin" "${args[@]}" <"$CQL_SERVER_DIR/cmd" >"$CQL_SERVER_DIR/out" 2>"$CQL_SERVER_DIR/err" &
  CQL_SERVER_PID=$!
  export CQL_SERVER_PID
  exec 7>"$CQL_SERVER_DIR/cmd"  # keeps the server's stdin open
  # Chain with an EXIT trap the test may already have.
  local prev=""
  eval "prev=$(trap -p EXIT | sed 's/^trap -- //; s/ EXIT$//')"
  [[ "$prev" == *cql_stop* ]] || trap -- "cql_stop${prev:+; $prev}" EXIT
  local deadline=$((SECONDS + ${CQL_START_TIMEOUT:-30})) line=""
  while ((SECONDS < deadline)); do
    line="$(head -n 1 "$CQL_SERVER_DIR/out" 2>/dev/null)"
    [[ "$line" == *listening* ]] && break
    if ! kill -0 "$CQL_SERVER_PID" 2>/dev/null; then break; fi
    sleep 0.05
  done
  if [[ "$line" != *listening* ]]; then
    echo "cql_start: server did not start: $(cat "$CQL_SERVER_DIR/err" 2>/dev/null); skipping" >&2
    cql_stop
    exit 77
  fi
  CQL_PORT="${line##*:}"
  CQL_PORT="${CQL_PORT%% *}"
  local hosts="" i
  for ((i = 1; i <= nodes; i++)); do
    hosts+="${hosts:+,}127.0.0.$i:$CQL_PORT"
  done
  export CQL_PORT CQL_HOSTS="$hosts" CQL_NODES=$((nodes + joining))  # stats: one line per node
}

cql_cmd() {
  local before want=1 deadline
  before=$(wc -l <"$CQL_SERVER_DIR/out")
  [[ "$1" == stats* ]] && want="${CQL_NODES:-1}"
  echo "$1" >&7
  deadline=$((SECONDS + 30))
  while ((SECONDS < deadline)); do
    if (($(wc -l <"$CQL_SERVER_DIR/out") >= before + want)); then
      tail -n +"$((before + 1))" "$CQL_SERVER_DIR/out" | head -n "$want"
      return 0
    fi
    sleep 0.02
  done
  echo "cql_cmd: no reply to '$1'" >&2
  return 1
}
