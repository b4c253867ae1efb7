# shellcheck shell=bash
# The schema-registry test server (tests/lib/schema_registry.py) for tests. Source
# tests/lib/kafka.sh first, then:
#
#   registry_start [--auth USER:PASS] [--tls-cert PEM --tls-key PEM]
#                                       starts it on loopback (HTTPS with a
#                                       certificate), waits until it listens
#                                       and exports REGISTRY_URL; exits 77 (skipped),
#                                       or $REGISTRY_SKIP_CODE if set, when it cannot
#                                       start. Stopped at exit.
#   registry_fault 503 [COUNT] | slow SECONDS [COUNT] | unknown | none
#   registry_stat requests|by_id        a counter of the server
#   registry_require_avro               exits 77 unless Debian's python3-avro imports

registry_start() {
  local dir
  dir=$(mktemp -d "${TMPDIR:-/tmp}/registry.XXXXXX")
  /usr/bin/python3 "$AIRSTREAM_SRC/tests/lib/schema_registry.py" --port-file "$dir/port" "$@" 2>"$dir/log" &
  REGISTRY_PID=$!
  _kafka_on_exit "kill $REGISTRY_PID 2>/dev/null; rm -rf '$dir'"
  local i
  for ((i = 0; i < 100; i++)); do
    [[ -s "$dir/port" ]] && break
    kill -0 "$REGISTRY_PID" 2>/dev/null || break
    sleep 0.05
  done
  if [[ ! -s "$dir/port" ]]; then
    echo "registry.sh: the schema registry test server did not start; skipped" >&2
    cat "$dir/log" >&2
    exit "${REGISTRY_SKIP_CODE:-77}"
  fi
  local scheme=http
  [[ " $* " == *" --tls-cert "* ]] && scheme=https
  REGISTRY_URL="$scheme://127.0.0.1:$(cat "$dir/port")"
  export REGISTRY_URL
}

registry_fault() {
  local q=""
  case "$1" in
    503) q="?count=${2:--1}" ;;
    slow) q="?seconds=$2&count=${3:--1}" ;;
  esac
  curl -fsS -X POST "$REGISTRY_URL/_fault/$1$q" >/dev/null
}

registry_stat() {
  curl -fsS "$REGISTRY_URL/_stats" | /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"
}

registry_require_avro() {
  /usr/bin/python3 -c 'import avro.schema, avro.io' 2>/dev/null || {
    echo "registry.sh: python3-avro not installed; skipped" >&2
    exit 77
  }
}
