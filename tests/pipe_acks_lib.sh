# Shared part of the tests of acknowledged pipes (sourced, not a test itself):
#   kconsume -g G --acks FIFO | MIDDLE | SINK --envelope --acks FIFO
# where MIDDLE is `uxform --envelope ...` or jq, and SINK is cqlwrite or pgload. A test
# sets COMPOSITION (cql, pg or jq) and calls the cases below; each case uses its own
# consumer group and its own table, so that the tables can be compared with the
# source exactly. Records: raw randomuser-style users on topic "users" (8 partitions,
# keyed by login.uuid); ids are the flattened records' ids.
source "$(dirname "${BASH_SOURCE[0]}")/pipeline_lib.sh"
: "${COMPOSITION:?}" "${N:?}"
cql_start
if [[ $COMPOSITION == pg ]]; then
  source "$AIRSTREAM_SRC/tests/lib/pg.sh"
  pg_start
fi
kafka_start --dev users:8
raw_users "$N" 5 "$T/raw.ndjson"
timeout 300 kproduce -q -b "$KAFKA_BROKERS" -t users -k login.uuid <"$T/raw.ndjson" || fail "kproduce: exit $?"

# The middle stage of the composition.
JQ_PROG='.value |= {id: (.login.uuid | ascii_downcase), first_name: .name.first, last_name: .name.last,
  email, username: .login.username}'
case $COMPOSITION in
  cql | pg) MIDDLE=(uxform --envelope --preset created_users) ;;
  jq) MIDDLE=(jq -c --unbuffered "$JQ_PROG") ;;
  *) fail "COMPOSITION: cql, pg or jq" ;;
esac

# kcmd GROUP FIFO: the consuming stage.
kcmd() {
  K=(kconsume -q -b "$KAFKA_BROKERS" "${KX[@]}" -g "$1" -t users --commit-interval 200ms --acks "$2")
}
# sink TABLE FIFO: the storing stage (a good command), in array S.
sink() {
  if [[ $COMPOSITION == pg ]]; then
    S=(pgload -q -t "$1" --mode upsert --key id --batch-rows 1000 --batch-timeout 100ms --acks "$2")
  else
    S=(cqlwrite -q -H "$CQL_HOSTS" -k "$KS" -t "$1" --concurrency 64 --acks "$2")
  fi
}
# new_table NAME: an empty table for one case.
new_table() {
  if [[ $COMPOSITION == pg ]]; then
    pg_psql -c "create table $1 (id uuid primary key, first_name text, last_name text, gender text,
      address text, post_code text, email text, username text, dob text, registered_date text,
      phone text, picture text)" || fail "cannot create table $1"
  else
    cqlwrite -q -H "$CQL_HOSTS" -k "$KS" -t "$1" --create </dev/null || fail "cannot create table $1"
  fi
}
# count TABLE: rows in the table (pg), or rows the CQL server stored in all tables.
count() {
  if [[ $COMPOSITION == pg ]]; then
    pg_psql -c "select count(*) from $1" 2>/dev/null || echo 0
  else
    rows_written
  fi
}
# ids TABLE: the table's ids, sorted, one per line.
ids() {
  if [[ $COMPOSITION == pg ]]; then
    pg_psql -c "select id from $1" | sort
  else
    /usr/bin/python3 - "$1" <<'PY'
import os, sys
from cassandra.cluster import Cluster
from cassandra.query import SimpleStatement
h, p = os.environ["CQL_HOSTS"].split(",")[0].rsplit(":", 1)
c = Cluster([h], port=int(p))
s = c.connect()
for r in s.execute(SimpleStatement(f"SELECT id FROM spark_streams.{sys.argv[1]}", fetch_size=5000)):
    print(r.id)
c.shutdown()
PY
  fi
}
# expect_ids TABLE IDS_FILE: the table holds exactly those ids (none missing, none extra).
expect_ids() {
  ids "$1" >"$T/have" || fail "cannot read $1"
  local have want missing
  have=$(wc -l <"$T/have")
  want=$(wc -l <"$2")
  missing=$(comm -13 <(sort -u "$T/have") "$2" | wc -l)
  echo "$1: $have rows, $want ids expected, $missing missing"
  ((missing == 0)) || fail "$1: $missing ids missing"
  [[ $(sort -u "$T/have" | wc -l) == "$have" ]] || fail "$1: duplicate ids"
  ((have == want)) || fail "$1: $have rows, expected $want"
}
# lag GROUP: records of the topic the group has not committed.
lag() {
  kconsume -q -b "$KAFKA_BROKERS" -t users -g "$1" --lag | jq -s 'map(.lag) | add'
}
# pipe_run GROUP FIFO SINK...: the whole pipe with -e, under pipefail; RC is its status.
pipe_run() {
  local g=$1 f=$2
  shift 2
  kcmd "$g" "$f"
  RC=0
  timeout 120 bash -o pipefail -c '"${@:3:$1}" -e | "${@:$(($1 + 3)):$2}" | "${@:$(($1 + $2 + 3))}"' \
    _ "${#K[@]}" "${#MIDDLE[@]}" "${K[@]}" "${MIDDLE[@]}" "$@" 2>"$T/err" >"$T/out" || RC=$?
}

# The sink exits at once (unknown option, missing table, --help): the pipe fails
# (pipefail) and the group commits nothing; then a good command stores every record.
exit_cases() {
  local g=exit f="$T/acks-exit" table=exit_users
  new_table "$table"
  local bad
  for bad in option table help; do
    case $bad in
      option) sink "$table" "$f"; S+=(--no-such-option) ;;
      table) sink no_such_table "$f" ;;
      help) sink "$table" "$f"; S+=(--help) ;;
    esac
    pipe_run "$g" "$f" "${S[@]}"
    ((RC != 0)) || fail "sink '$bad': the pipe exited 0: $(tail -n 3 "$T/err")"
    grep -q 'kconsume: error:' "$T/err" || fail "sink '$bad': kconsume said nothing: $(tail -n 3 "$T/err")"
    local l
    l=$(lag "$g")
    echo "sink '$bad': pipe exit $RC, lag $l of $N"
    ((l == N)) || fail "sink '$bad': offsets committed past records never stored (lag $l of $N)"
  done
  sink "$table" "$f"
  pipe_run "$g" "$f" "${S[@]}"
  ((RC == 0)) || fail "good sink: exit $RC: $(tail -n 5 "$T/err")"
  expect_ids "$table" "$T/raw.ndjson.ids"
  [[ $(lag "$g") == 0 ]] || fail "good sink: lag $(lag "$g") at the end"
}

# kill_case STAGE (kconsume, middle or sink): the pipe's stages run as separate
# processes joined by named pipes; STAGE is killed with SIGKILL once some rows are
# stored, the others end on their own, and the pipe is run again with -e.
kill_case() {
  local stage=$1 g="kill-$1" f="$T/acks-kill-$1" table="kill_$1" pids=() p
  new_table "$table"
  sink "$table" "$f"
  kcmd "$g" "$f"
  rm -f "$T/p1" "$T/p2"
  mkfifo "$T/p1" "$T/p2"
  local base
  base=$(count "$table")
  [[ $COMPOSITION == pg ]] || cql_cmd "delay 20" >/dev/null
  # The stages open the named pipes themselves (opening one blocks until both ends are there).
  bg bash -c 'exec "$@" >"$0"' "$T/p1" "${K[@]}" 2>"$T/k.err"
  pids+=("$BG")
  bg bash -c 'exec "${@:2}" <"$0" >"$1"' "$T/p1" "$T/p2" "${MIDDLE[@]}" 2>"$T/m.err"
  pids+=("$BG")
  if [[ $COMPOSITION == pg ]]; then
    # Slow the loading down (whatever the machine's speed) with an order-preserving throttle.
    bg bash -c 'awk '\''NR % 100 == 0 {system("sleep 0.02")} {print; fflush()}'\'' <"$0" | exec "$@"' \
      "$T/p2" "${S[@]}" 2>"$T/s.err"
  else
    bg bash -c 'exec "$@" <"$0"' "$T/p2" "${S[@]}" 2>"$T/s.err"
  fi
  pids+=("$BG")
  local deadline=$((SECONDS + 60)) n
  while :; do
    n=$(($(count "$table") - base))
    ((n >= N / 5)) && break
    ((SECONDS < deadline)) || fail "kill $stage: only $n rows after 60 s: $(tail -n 3 "$T/k.err" "$T/s.err")"
    sleep 0.1
  done
  case $stage in
    kconsume) kill -9 "${pids[0]}" ;;
    middle) kill -9 "${pids[1]}" ;;
    sink) pkill -9 -P "${pids[2]}" 2>/dev/null || true; kill -9 "${pids[2]}" ;;
  esac
  [[ $COMPOSITION == pg ]] || cql_cmd "delay 0" >/dev/null
  for p in "${pids[@]}"; do wait_exit "$p" 60; done
  n=$(($(count "$table") - base))
  echo "kill $stage: $n rows stored by then; kconsume: $(tail -n 1 "$T/k.err")"
  ((n < N)) || fail "kill $stage: all $N rows were stored before the kill; the case proves nothing"
  pipe_run "$g" "$f" "${S[@]}"
  ((RC == 0)) || fail "restart after kill $stage: exit $RC: $(tail -n 5 "$T/err")"
  expect_ids "$table" "$T/raw.ndjson.ids"
  [[ $(lag "$g") == 0 ]] || fail "restart after kill $stage: lag $(lag "$g")"
}
