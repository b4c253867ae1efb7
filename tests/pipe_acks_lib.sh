# Shared part of the tests of acknowledged pipes (sourced, not a test itself):
#   kconsume -g G --acks FIFO | MIDDLE | SINK --envelope --acks FIFO
# where MIDDLE is `uxform --envelope ...` or jq, and SINK is cqlwrite or pgload. A test
# sets COMPOSITION (cql, pg or jq) and calls the cases below; each case uses its own
# consumer group and its own table, so that the tables can be compared with the
# source exactly. Records: raw randomuser-style users on topic "users" (8 partitions,
# keyed by login.uuid); ids are the flattened records' ids.
source "$(dirname "${BASH_SOURCE[0]}")/pipeline_lib.sh"
: "${COMPOSITION:?}" "${N:?}"
# Short sessions: the development cluster makes a group joined again wait
# session.timeout.ms - 1 s, and a killed member's partitions move only once its
# session expired: 3 s instead of pipeline_lib.sh's 6 s saves ~3 s per restart.
KX=(-X session.timeout.ms=3000 -X heartbeat.interval.ms=300)
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
# (pipefail), kconsume says why and the group commits nothing; then a good command,
# in the group of the last bad run, stores every record. Each bad run has a group of
# its own (a group joined again waits for the development cluster's rebalance).
exit_cases() {
  local f="$T/acks-exit" table=exit_users g bad
  new_table "$table"
  for bad in option table help; do
    g="exit-$bad"
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

# filter_case: uxform --envelope --where dropping ~94% of the records (ids starting
# with 0 kept): the dropped records pass on as markers and are acknowledged, so the
# group's lag is 0 at the end, and exactly the kept ids are stored.
filter_case() {
  local where='startswith(.login.uuid, "0")' kept l
  uxform --preset created_users --where "$where" <"$T/raw.ndjson" | jq -r .id | sort -u >"$T/kept.ids"
  kept=$(wc -l <"$T/kept.ids")
  ((kept > 0 && kept < N / 5)) || fail "the filter keeps $kept of $N"
  local MIDDLE=(uxform --envelope --preset created_users --where "$where")
  new_table filtered
  sink filtered "$T/acks-filter"
  pipe_run filtered "$T/acks-filter" "${S[@]}"
  ((RC == 0)) || fail "filter: exit $RC: $(tail -n 5 "$T/err")"
  expect_ids filtered "$T/kept.ids"
  l=$(lag filtered)
  echo "filter: kept $kept of $N; lag $l"
  ((l == 0)) || fail "filter: lag $l at the end: dropped records were not acknowledged"
}

# start_stages TAG: the pipe's stages (K, MIDDLE, S) as separate processes joined by
# named pipes, the last stage behind an order-preserving throttle: while the file
# $T/TAG.slow exists, it passes at most ~400 records a second (so that a kill or a
# membership change lands mid-stream whatever the machine's speed; bounded: 120 s).
# Their pids go to STAGES (kconsume, middle, sink); stderr to $T/TAG.{k,m,s}.err.
start_stages() {
  local tag=$1
  rm -f "$T/$tag.p1" "$T/$tag.p2"
  mkfifo "$T/$tag.p1" "$T/$tag.p2"
  STAGES=()
  # The stages open the named pipes themselves (opening one blocks until both ends are there).
  bg bash -c 'exec "$@" >"$0"' "$T/$tag.p1" "${K[@]}" 2>"$T/$tag.k.err"
  STAGES+=("$BG")
  bg bash -c 'exec "${@:2}" <"$0" >"$1"' "$T/$tag.p1" "$T/$tag.p2" "${MIDDLE[@]}" 2>"$T/$tag.m.err"
  STAGES+=("$BG")
  # (perl, not mawk: mawk holds its input's last lines until the end of the input.)
  bg bash -c 'perl -e '\''$| = 1; while (<STDIN>) { print;
      if ($. % 100 == 0 && $w < 480 && -e $ARGV[0]) { $w++; select(undef, undef, undef, 0.25) } }'\'' "$1" <"$0" |
    exec "${@:2}"' \
    "$T/$tag.p2" "$T/$tag.slow" "${S[@]}" 2>"$T/$tag.s.err"
  STAGES+=("$BG")
}

# wait_count TABLE MIN WHAT: bounded wait (60 s) until TABLE holds MIN rows.
wait_count() {
  local deadline=$((SECONDS + 60)) n
  while :; do
    n=$(count "$1")
    ((n >= $2)) && return 0
    ((SECONDS < deadline)) || fail "$3: only $n rows after 60 s (waiting for $2)"
    sleep 0.1
  done
}

# kill_case STAGE (kconsume, middle or sink): the pipe's stages run as separate
# processes; STAGE is killed with SIGKILL once some rows are stored, the others end on
# their own (kconsume notices a dead partner: it stops, says so and exits 74), and the
# pipe is run again with -e.
kill_case() {
  local stage=$1 g="kill-$1" f="$T/acks-kill-$1" table="kill_$1" tag="kill-$1" p
  new_table "$table"
  sink "$table" "$f"
  kcmd "$g" "$f"
  local base n
  base=$(count "$table")
  touch "$T/$tag.slow"
  start_stages "$tag"
  local pids=("${STAGES[@]}")
  wait_count "$table" $((base + N / 20)) "kill $stage"
  case $stage in
    kconsume) kill -9 "${pids[0]}" ;;
    middle) kill -9 "${pids[1]}" ;;
    sink) kill -9 $(pgrep -P "${pids[2]}") "${pids[2]}" ;; # the throttle's shell, the throttle and the sink
  esac
  rm -f "$T/$tag.slow"
  local rcs=()
  for p in "${pids[@]}"; do
    wait_exit "$p" 60
    rcs+=("$RC")
  done
  n=$(($(count "$table") - base))
  echo "kill $stage: $n rows stored by then; exits ${rcs[*]}; kconsume: $(tail -n 1 "$T/$tag.k.err")"
  ((n < N)) || fail "kill $stage: all $N rows were stored before the kill; the case proves nothing"
  # kconsume outlives a killed partner: it notices (a broken pipe or a channel closed
  # without "end", whichever comes first), stops and says so, and exits 74.
  if [[ $stage != kconsume ]]; then
    grep -q '^kconsume: error: .*stopped' "$T/$tag.k.err" ||
      fail "kill $stage: kconsume did not say its partner died: $(tail -n 2 "$T/$tag.k.err")"
    [[ ${rcs[0]} == 74 ]] || fail "kill $stage: kconsume exit ${rcs[0]}, want 74"
  fi
  pipe_run "$g" "$f" "${S[@]}"
  ((RC == 0)) || fail "restart after kill $stage: exit $RC: $(tail -n 5 "$T/err")"
  expect_ids "$table" "$T/raw.ndjson.ids"
  [[ $(lag "$g") == 0 ]] || fail "restart after kill $stage: lag $(lag "$g")"
}

# rb_member M GROUP TABLE: member M of the rebalance case, a whole pipe with its own
# channel, kconsume with --exit-at-group-end; its stages' pids in STAGES.
rb_member() {
  sink "$3" "$T/acks-rb-$1"
  K=(kconsume -v -b "$KAFKA_BROKERS" "${KX[@]}" -g "$2" -t users --commit-interval 200ms --acks "$T/acks-rb-$1"
    --exit-at-group-end)
  start_stages "rb-$1"
}

# rebalance_case: two members of one group, each a whole pipe with its own channel.
# Member A runs alone, member B joins mid-stream (the group's partitions are shared),
# then A's kconsume is killed with -9: its partitions move to B once its session
# expired, B reads them from A's last commit and, with --exit-at-group-end, exits 0
# once the whole group caught up. Nothing lost: every id stored, lag 0.
rebalance_case() {
  local g=rebalance table=rb_users base n
  new_table "$table"
  base=$(count "$table")
  touch "$T/rb-a.slow" "$T/rb-b.slow"
  local a b
  rb_member a "$g" "$table"
  a=("${STAGES[@]}")
  wait_count "$table" $((base + N / 50)) "member A"
  rb_member b "$g" "$table"
  b=("${STAGES[@]}")
  local deadline=$((SECONDS + 60))
  until grep -q 'assigned' "$T/rb-b.k.err"; do
    ((SECONDS < deadline)) || fail "member B got no partitions in 60 s: $(tail -n 3 "$T/rb-b.k.err")"
    sleep 0.1
  done
  grep -q 'revoked' "$T/rb-a.k.err" || fail "member A gave up no partition to B"
  kill -9 "${a[0]}"
  n=$(($(count "$table") - base))
  echo "rebalance: B joined, A's kconsume killed -9 at $n rows"
  ((n < N)) || fail "rebalance: all $N rows were stored before the kill; the case proves nothing"
  rm -f "$T/rb-a.slow" "$T/rb-b.slow"
  local p
  for p in "${a[@]:1}"; do wait_exit "$p" 60; done
  deadline=$((SECONDS + 120))
  while kill -0 "${b[0]}" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "rebalance: member B still running after 120 s, lag $(lag "$g"): $(tail -n 3 "$T/rb-b.k.err")"
    sleep 0.2
  done
  for p in "${b[@]}"; do
    wait_exit "$p" 60
    ((RC == 0)) || fail "rebalance: a stage of member B exit $RC: $(tail -n 3 "$T"/rb-b.*.err)"
  done
  expect_ids "$table" "$T/raw.ndjson.ids"
  [[ $(lag "$g") == 0 ]] || fail "rebalance: lag $(lag "$g") at the end"
}
