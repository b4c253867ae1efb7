# Shared setup of the sink --from-kafka --preset tests (sourced, not a test itself):
# the whole-pipeline helpers (pipeline_lib.sh), raw randomuser.me records produced to
# users_created, and the group's committed offsets and lag read back with kconsume.
source "$(dirname "${BASH_SOURCE[0]}")/pipeline_lib.sh"
# Short sessions: the development cluster makes a group joined again wait
# session.timeout.ms - 1 s, and a killed member's partitions move only once its
# session expired: 3 s instead of pipeline_lib.sh's 6 s saves ~3 s per restart.
KX=(-X session.timeout.ms=3000 -X heartbeat.interval.ms=300)
TOPIC=users_created

# committed GROUP: offsets the group committed, summed over the topic's partitions.
committed() {
  kconsume -q -b "$KAFKA_BROKERS" -t "$TOPIC" -g "$1" --lag 2>/dev/null | jq -s 'map(.committed // 0) | add // 0'
}
# lag GROUP: records of the topic not yet committed by the group.
lag() {
  kconsume -q -b "$KAFKA_BROKERS" -t "$TOPIC" -g "$1" --lag 2>/dev/null | jq -s 'map(.lag) | add // 0'
}
# expect_nothing_committed GROUP WHAT
expect_nothing_committed() {
  local c
  c=$(committed "$1")
  [[ $c == 0 ]] || fail "$2: group $1 committed $c offsets with nothing stored"
}
# produce_raw N SEED FILE: N raw users into $TOPIC (keyed by login.uuid); their
# flattened ids go to FILE.ids.
produce_raw() {
  raw_users "$1" "$2" "$3"
  timeout 300 kproduce -q -b "$KAFKA_BROKERS" -t "$TOPIC" -k login.uuid <"$3" || fail "kproduce: exit $?"
}
# same_ids WANT HAVE: HAVE holds every id of WANT once and nothing else.
same_ids() {
  local missing extra rows
  rows=$(wc -l <"$2")
  missing=$(comm -23 "$1" <(sort -u "$2") | wc -l)
  extra=$(comm -13 "$1" <(sort -u "$2") | wc -l)
  echo "table: $rows rows; missing $missing, extra $extra"
  ((missing == 0 && extra == 0 && rows == $(wc -l <"$1")))
}
# cql_ids TABLE FILE: the ids in spark_streams.TABLE (read with the DataStax driver),
# sorted, to FILE (duplicates kept).
cql_ids() {
  /usr/bin/python3 - "$1" <<'PY' | sort >"$2"
import os, sys
from cassandra.cluster import Cluster
from cassandra.query import SimpleStatement
h, p = os.environ["CQL_HOSTS"].split(",")[0].rsplit(":", 1)
c = Cluster([h], port=int(p))
for r in c.connect().execute(SimpleStatement(f"SELECT id FROM spark_streams.{sys.argv[1]}", fetch_size=5000)):
    print(r.id)
c.shutdown()
PY
}
expect_eq() { [[ $2 == "$3" ]] || fail "$1: want $2, got $3"; }

# exit_and_filter_checks N: the two scenarios of sink_preset_{cql,pg}_test.sh on the
# N raw users of $T/raw.ndjson already in $TOPIC. The test defines W (the sink's
# command without -g and -t), table_ids TABLE FILE (the ids stored, sorted),
# nothing_stored (true while the store holds nothing) and summary_re KEPT FILTERED
# (a regex for the sink's summary line).
exit_and_filter_checks() {
  local n=$1 kept
  # 1. Exits at once: nothing stored, nothing committed.
  RC=0; timeout 60 "${W[@]}" -g g1 -t created_users --no-such-option -e 2>"$T/e1" || RC=$?
  [[ $RC == 64 ]] || fail "unknown option: exit $RC, want 64: $(cat "$T/e1")"
  expect_nothing_committed g1 "unknown option"
  RC=0; timeout 60 "${W[@]}" -g g1 -t no_such_table -e 2>"$T/e2" || RC=$?
  [[ $RC == 78 ]] || fail "missing table: exit $RC, want 78: $(cat "$T/e2")"
  expect_nothing_committed g1 "missing table"
  RC=0; timeout 60 "${W[@]}" -g g1 -t created_users --help -e >"$T/help" 2>&1 || RC=$?
  [[ $RC == 0 ]] && grep -q -- '--preset' "$T/help" || fail "--help: exit $RC: $(head -3 "$T/help")"
  expect_nothing_committed g1 "--help"
  nothing_stored || fail "a sink that should have stopped at once stored something"

  # A good command: every record stored, every offset committed.
  timeout 120 "${W[@]}" -g g1 -t created_users --create -e 2>"$T/e3" || fail "good run: exit $?: $(tail -n 5 "$T/e3")"
  table_ids created_users "$T/have"
  same_ids "$T/raw.ndjson.ids" "$T/have" || fail "the table does not hold exactly the source ids"
  expect_eq "lag after the good run" 0 "$(lag g1)"
  expect_eq "offsets committed" "$n" "$(committed g1)"

  # 2. --where keeps ~10%, plus a bad record the transform rejects (and one it
  # filters out first), into a table of its own.
  printf '%s\n' '{"login":{"uuid":"not-a-uuid"},"nat":"US"}' '{"login":{"uuid":"also-bad"},"nat":"FR"}' >"$T/bad"
  timeout 60 kproduce -q -b "$KAFKA_BROKERS" -t "$TOPIC" -K bad <"$T/bad" || fail "kproduce bad"
  jq -c 'select(.nat == "US")' "$T/raw.ndjson" | uxform -p created_users | jq -r .id | sort >"$T/us.ids"
  kept=$(wc -l <"$T/us.ids")
  ((kept > n / 20 && kept < n / 5)) || fail "the filter keeps $kept of $n: not ~10%"
  RC=0
  timeout 120 "${W[@]}" -g g2 -t us_users --create --where '.nat == "US"' -e --reject-file "$T/rej" 2>"$T/e4" ||
    RC=$?
  [[ $RC == 1 ]] || fail "filtered run: exit $RC, want 1 (one record rejected): $(tail -n 5 "$T/e4")"
  grep -q "$(summary_re "$kept" $((n + 1 - kept)))" "$T/e4" || fail "summary: $(tail -n 2 "$T/e4")"
  jq -e -s 'length == 1 and .[0].topic == "users_created" and (.[0].partition | type) == "number"
    and (.[0].offset | type) == "number" and (.[0].error | test("not a UUID"))' "$T/rej" >/dev/null ||
    fail "reject record: $(cat "$T/rej")"
  table_ids us_users "$T/us.have"
  same_ids "$T/us.ids" "$T/us.have" || fail "us_users does not hold exactly the kept ids"
  expect_eq "lag of the filtering group" 0 "$(lag g2)"
  expect_eq "offsets committed by the filtering group" "$((n + 2))" "$(committed g2)"
  echo "ok: exits at once committed nothing; the good run stored $n; the filter kept $kept, lag 0"
}

# drain_member GROUP PID ERR: waits (90 s at most) until the group has no lag, with the
# member PID still running, then stops it with SIGTERM (exit 143 expected).
drain_member() {
  local deadline=$((SECONDS + 90))
  until [[ $(lag "$1") == 0 ]]; do
    ((SECONDS < deadline)) || fail "member $2 did not finish the group's partitions: lag $(lag "$1"): $(tail -n 5 "$3")"
    kill -0 "$2" 2>/dev/null || fail "member $2 ended: $(tail -n 5 "$3")"
    sleep 1
  done
  kill -TERM "$2"
  wait_exit "$2" 60
  [[ $RC == 143 ]] || fail "member $2: exit $RC after SIGTERM: $(tail -n 5 "$3")"
}
