# shellcheck shell=bash
# Kafka for tests, benchmarks and the demo. Source it, then:
#
#   kafka_start [--brokers N] [--dev] TOPIC:PARTITIONS[:RF]...
#       Starts the development cluster (build/bin/kafka_dev_cluster, librdkafka's mock
#       brokers on 127.0.0.1) with the topics, waits until it is ready (deadline), and
#       exports KAFKA_BROKERS. If KAFKA_BROKERS is already set by the environment (a
#       real cluster) and --dev is not given, that cluster is used instead and the
#       topics are created through `kproduce --create-topic`; fault commands then fail.
#       When the cluster cannot be started the script exits 77 (skipped), or
#       $KAFKA_SKIP_CODE if set.
#   kafka_cmd "down 2"      sends one fault command (see `kafka_dev_cluster --help`)
#                           and waits for its answer; returns 1 if it failed.
#   kafka_is_dev            true when the development cluster is in use.
#   kafka_require_dev       exits 77 unless the development cluster is in use
#                           (for tests that need fault injection).
#   kafka_require_kcat      exits 77 when kcat is not installed.
#   kafka_create_topic NAME PARTITIONS   creates a topic on the running cluster.
#   kafka_stop              stops the cluster (also done automatically at exit).
#
# The cluster reads its commands from a fifo held open by this shell: if the shell
# dies, the cluster sees EOF and exits on its own. Its log is $KAFKA_DEV_DIR/log.

_kafka_fail() {
  echo "kafka.sh: $*" >&2
  if [[ -n "${KAFKA_DEV_DIR:-}" && -f "$KAFKA_DEV_DIR/log" ]]; then
    tail -n 20 "$KAFKA_DEV_DIR/log" >&2
  fi
  kafka_stop
  exit "${KAFKA_SKIP_CODE:-77}"
}

# Appends a command to the EXIT trap instead of replacing it.
_kafka_on_exit() {
  local cmd=$1 prev
  prev=$(trap -p EXIT)
  if [[ -n "$prev" ]]; then
    eval "set -- $prev" # trap -- 'COMMANDS' EXIT
    trap "$cmd; $3" EXIT
  else
    trap "$cmd" EXIT
  fi
}

_kafka_bin() {
  local b
  for b in "${AIRSTREAM_BIN:-}/kafka_dev_cluster" "${AIRSTREAM_BUILD:-}/bin/kafka_dev_cluster"; do
    [[ -x "$b" ]] && { echo "$b"; return 0; }
  done
  command -v kafka_dev_cluster 2>/dev/null
}

kafka_is_dev() { [[ -n "${KAFKA_DEV_PID:-}" ]]; }

kafka_require_dev() {
  if ! kafka_is_dev; then
    echo "kafka.sh: this test needs the development cluster (fault injection); skipped" >&2
    exit 77
  fi
}

kafka_require_kcat() {
  command -v kcat >/dev/null 2>&1 || { echo "kafka.sh: kcat not installed; skipped" >&2; exit 77; }
}

kafka_start() {
  local brokers=3 dev=0 topics=()
  while (($#)); do
    case "$1" in
      --brokers) brokers=$2; shift 2 ;;
      --brokers=*) brokers=${1#*=}; shift ;;
      --dev) dev=1; shift ;;
      *) topics+=("$1"); shift ;;
    esac
  done
  if [[ -n "${KAFKA_BROKERS:-}" && $dev == 0 && -z "${KAFKA_DEV_PID:-}" ]]; then
    KAFKA_EXTERNAL=1
    local t name parts
    for t in "${topics[@]}"; do
      IFS=: read -r name parts _ <<<"$t"
      kafka_create_topic "$name" "${parts:-1}" || _kafka_fail "cannot create topic $name on $KAFKA_BROKERS"
    done
    return 0
  fi
  local bin
  bin=$(_kafka_bin) || _kafka_fail "kafka_dev_cluster not built (set AIRSTREAM_BIN)"
  KAFKA_DEV_DIR=$(mktemp -d "${TMPDIR:-/tmp}/kafka-dev.XXXXXX")
  _kafka_on_exit kafka_stop
  mkfifo "$KAFKA_DEV_DIR/cmd"
  "$bin" --brokers "$brokers" "${topics[@]}" <"$KAFKA_DEV_DIR/cmd" >"$KAFKA_DEV_DIR/out" 2>"$KAFKA_DEV_DIR/log" &
  KAFKA_DEV_PID=$!
  # Opening the fifo for writing blocks until the cluster opened it for reading.
  exec {KAFKA_CMD_FD}>"$KAFKA_DEV_DIR/cmd"
  KAFKA_CMD_COUNT=0
  local deadline=$((SECONDS + 30))
  while [[ ! -s "$KAFKA_DEV_DIR/out" ]] || [[ $(wc -l <"$KAFKA_DEV_DIR/out") -lt 1 ]]; do
    kill -0 "$KAFKA_DEV_PID" 2>/dev/null || _kafka_fail "kafka_dev_cluster exited"
    ((SECONDS < deadline)) || _kafka_fail "kafka_dev_cluster not ready after 30s"
    sleep 0.05
  done
  KAFKA_BROKERS=$(head -n 1 "$KAFKA_DEV_DIR/out")
  export KAFKA_BROKERS
}

kafka_cmd() {
  if ! kafka_is_dev; then
    echo "kafka.sh: kafka_cmd needs the development cluster" >&2
    return 1
  fi
  echo "$*" >&"$KAFKA_CMD_FD" || return 1
  KAFKA_CMD_COUNT=$((KAFKA_CMD_COUNT + 1))
  local want=$((KAFKA_CMD_COUNT + 1)) deadline=$((SECONDS + 30))
  while [[ $(wc -l <"$KAFKA_DEV_DIR/out") -lt $want ]]; do
    kill -0 "$KAFKA_DEV_PID" 2>/dev/null || { echo "kafka.sh: cluster died" >&2; return 1; }
    ((SECONDS < deadline)) || { echo "kafka.sh: no answer to '$*'" >&2; return 1; }
    sleep 0.02
  done
  local answer
  answer=$(sed -n "${want}p" "$KAFKA_DEV_DIR/out")
  if [[ $answer != ok* ]]; then
    echo "kafka.sh: $*: $answer" >&2
    return 1
  fi
}

kafka_create_topic() {
  local name=$1 parts=${2:-1}
  if kafka_is_dev; then
    kafka_cmd "create-topic $name $parts"
  else
    kproduce -q -b "$KAFKA_BROKERS" -t "$name" --create-topic --partitions "$parts" </dev/null
  fi
}

kafka_stop() {
  if [[ -n "${KAFKA_DEV_PID:-}" ]]; then
    { echo quit >&"$KAFKA_CMD_FD"; } 2>/dev/null || true
    { exec {KAFKA_CMD_FD}>&-; } 2>/dev/null || true  # (exec 2>/dev/null would silence the caller for good)
    local i
    for ((i = 0; i < 100; i++)); do
      kill -0 "$KAFKA_DEV_PID" 2>/dev/null || break
      sleep 0.05
    done
    kill "$KAFKA_DEV_PID" 2>/dev/null || true
    wait "$KAFKA_DEV_PID" 2>/dev/null || true
    KAFKA_DEV_PID=
  fi
  if [[ -n "${KAFKA_DEV_DIR:-}" && -d "$KAFKA_DEV_DIR" ]]; then
    rm -rf "$KAFKA_DEV_DIR"
    KAFKA_DEV_DIR=
  fi
}

# Common start of a Kafka test: needs kcat (else exit 77), creates the scratch
# directory $work (removed at exit) and defines fail MESSAGE (prints, exits 1).
kafka_test_setup() {
  kafka_require_kcat
  work=$(mktemp -d "${TMPDIR:-/tmp}/kafka-test.XXXXXX")
  _kafka_on_exit "rm -rf '$work'"
  fail() {
    echo "FAIL: $*" >&2
    exit 1
  }
}
