#!/usr/bin/env bash
# PostgreSQL restarts under the direct pipeline (topic -> pgload --from-kafka ->
# PostgreSQL, upsert by id), with pgload run the way scripts/ops/airstream-pgload.service
# runs it: restarted after a failure (Restart=on-failure) a bounded number of times.
#  1. 40k users are produced at ~5k records/s; PostgreSQL is restarted (fast shutdown)
#     once 10k rows are in the table. pgload exits 75 (connection lost; the batch in
#     flight is not acknowledged, the offsets of committed batches are), is restarted,
#     and the load completes.
#  2. The topic is idle with a batch open (its upsert held by a table lock) when
#     PostgreSQL goes down for good: the flusher's commit fails, pgload exits 75 even
#     though no record arrives, its restarts exit 69 while the server is down, and once
#     it is up again the lost batch is re-read and committed.
# Every source id ends up in the table exactly once with its own data, the group's
# committed offsets reach the end of the topic, and SIGTERM ends the stage with 143.
source "$(dirname "$0")/pipeline_lib.sh"
source "$AIRSTREAM_SRC/tests/lib/pg.sh"
N=40000
M=1000
pg_start
kafka_start --dev flat:12
users "$N" 13 "$T/users.ndjson"
users "$M" 14 "$T/more.ndjson"
cat "$T/users.ndjson" "$T/more.ndjson" | jq -r '"\(.id) \(.email)"' | sort >"$T/want"
[[ $(cut -d' ' -f1 "$T/want" | sort -u | wc -l) -eq $((N + M)) ]] || fail "synthetic ids overlap"

count() { pg_psql -c 'select count(*) from created_users' 2>/dev/null || echo 0; }
exits() { cat "$T/exits" 2>/dev/null || true; }
# Runs of pgload that ended with status $1.
ended() { exits | grep -c "^$1\$" || true; }
# wait_until SECONDS WHAT COMMAND...: polls COMMAND every 0.2 s.
wait_until() {
  local secs=$1 what=$2 deadline=$((SECONDS + $1))
  shift 2
  until "$@"; do
    ((SECONDS < deadline)) || fail "$what after $secs s; pgload exits: $(exits | tr '\n' ' '); $(tail -n 5 "$T/err")"
    sleep 0.2
  done
}

L=(pgload --from-kafka flat -g pg -t created_users --create --mode upsert --key id --batch-rows 2000
  -b "$KAFKA_BROKERS" "${KX[@]}" --commit-interval 200ms)
# The stage under a supervisor like systemd's Restart=on-failure (RestartSec=1s here),
# at most 15 runs; 143 (SIGTERM) or 0 end it. Each run's exit status goes to $T/exits.
supervise() {
  local run rc
  for ((run = 1; run <= 15; run++)); do
    "${L[@]}" 2>>"$T/err" &
    echo $! >"$T/pgload.pid"
    rc=0
    wait $! || rc=$?
    rm -f "$T/pgload.pid"
    echo "$rc" >>"$T/exits"
    case $rc in
      0 | 143) return 0 ;;
      69 | 75) sleep 1 ;;
      *) return 1 ;;
    esac
  done
  return 1
}
# At exit (before the other cleanups, which must all run: it never fails).
kill_loader() {
  if [[ -f $T/pgload.pid ]]; then kill -9 "$(cat "$T/pgload.pid")" 2>/dev/null || true; fi
}
_pg_add_exit_trap kill_loader
bg supervise
sup=$BG

# 1. A restart while the records flow.
bg bash -c 'exec /usr/bin/python3 -c "
import sys, time
lines = open(sys.argv[1]).readlines()
for i in range(0, len(lines), 500):
    sys.stdout.write(\"\".join(lines[i:i + 500])); sys.stdout.flush(); time.sleep(0.1)
" "$0" | kproduce -q -b "$KAFKA_BROKERS" -t flat -k id' "$T/users.ndjson"
producer=$BG
wait_until 180 "fewer than 10000 rows" eval '(($(count) >= 10000))'
before=$(count)
((before < N)) || fail "all $N rows were loaded before the restart; the test proves nothing"
kill -0 "$producer" 2>/dev/null || echo "note: the producer had finished before the restart"
pg_restart || fail "pg_restart failed"
echo "restarted PostgreSQL with $before of $N rows in the table"
wait_exit "$producer" 180
((RC == 0)) || fail "producer: exit $RC"
wait_until 180 "the table does not hold $N rows" eval '(($(count) >= N))'
(($(ended 75) >= 1)) || fail "pgload did not exit 75 after the restart: exits $(exits | tr '\n' ' ')"
grep -q 'connection to server lost\|terminating connection' "$T/err" || fail "no lost-connection message: $(tail -n 5 "$T/err")"

# 2. PostgreSQL down while the topic is idle and a batch waits for its commit.
PGAPPNAME=holder bg psql -X -q -c 'begin; lock table created_users in share mode; select pg_sleep(600)' >/dev/null 2>&1
wait_until 60 "could not lock the table" eval '[[ $(pg_psql -c "select count(*) from pg_locks l join pg_class c
  on c.oid = l.relation where c.relname = '"'created_users'"' and l.mode = '"'ShareLock'"' and l.granted") == 1 ]]'
produce flat "$T/more.ndjson"
# pgload's upsert of the new batch (committed by the flusher) waits for the lock.
wait_until 120 "pgload's batch does not wait for the lock" eval '[[ $(pg_psql -c "select count(*) from pg_locks l
  join pg_class c on c.oid = l.relation where c.relname = '"'created_users'"' and not l.granted") -ge 1 ]]'
lost=$(ended 75)
pg_down || fail "pg_down failed"
echo "PostgreSQL down with a batch of $M records waiting to commit"
wait_until 60 "pgload did not exit 75 while the topic was idle" eval '(($(ended 75) > lost))'
wait_until 60 "no restart of pgload found the server down (69)" eval '(($(ended 69) >= 1))'
pg_up || fail "pg_up failed"
wait_until 180 "the table does not hold $((N + M)) rows" eval '(($(count) >= N + M))'

# Every offset is committed (the commit follows the batch within --commit-interval).
lag() { kconsume -q -b "$KAFKA_BROKERS" -t flat -g pg --lag 2>/dev/null | jq -s 'map(.lag) | add'; }
wait_until 60 "the group's offsets do not reach the end of the topic" eval '[[ $(lag) == 0 ]]'
[[ -f $T/pgload.pid ]] || fail "pgload is not running: exits $(exits | tr '\n' ' ')"
kill -TERM "$(cat "$T/pgload.pid")"
wait_exit "$sup" 60
((RC == 0)) || fail "the supervised stage did not end cleanly: exits $(exits | tr '\n' ' ')"
[[ $(exits | tail -n 1) == 143 ]] || fail "last exit $(exits | tail -n 1), want 143 after SIGTERM"
echo "pgload exits: $(exits | tr '\n' ' ')"

pg_psql -c 'select id || $$ $$ || email from created_users' | sort >"$T/have"
rows=$(wc -l <"$T/have")
missing=$(comm -23 "$T/want" "$T/have" | wc -l)
extra=$(comm -13 "$T/want" "$T/have" | wc -l)
echo "table: $rows rows; missing $missing, extra or different $extra"
((missing == 0 && extra == 0 && rows == N + M)) || fail "the table does not hold exactly the $((N + M)) source records"
echo "ok: $((N + M)) records loaded exactly once through a PostgreSQL restart and an outage"
