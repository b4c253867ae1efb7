#!/usr/bin/env bash
# scripts/ops is one working deployment: every unit passes `systemd-analyze verify`
# (no warning either), and each unit's command line (ExecStart, with the tools from
# this build in place of /usr/local/bin and scratch folders in place of /var/log and
# the node_exporter textfile folder) runs against the development services: the
# fetch (under bash -o pipefail, against the randomuser.me fixture server) fills
# users_created, then the Cassandra and PostgreSQL units, as long-running processes,
# store every fetched user from that topic and stop cleanly on SIGTERM (exit 143,
# which the units declare as success). The units' Environment= lines name
# production hosts; the test supplies the development ones in the same variables.
source "$(dirname "$0")/sink_preset_lib.sh"
source "$AIRSTREAM_SRC/tests/lib/pg.sh"
OPS=$AIRSTREAM_SRC/scripts/ops
command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze not installed" >&2; exit 77; }
FX_DIR=
for d in "${AIRSTREAM_FIXTURES:-}" "$AIRSTREAM_SRC/../shared/fixtures/randomuser" /work/shared/fixtures/randomuser; do
  [[ -n $d && -f $d/SOURCES.txt ]] && FX_DIR=$d && break
done
[[ -n ${FX_DIR:-} ]] || { echo "SKIP: no randomuser fixtures" >&2; exit 77; }

# 1. systemd-analyze verify on copies whose binaries are this build's.
mkdir -p "$T/units" "$T/log" "$T/prom"
units=("$OPS"/*.service "$OPS"/*.timer)
((${#units[@]} == 4)) || fail "expected 3 services and a timer in scripts/ops, got ${#units[@]} files"
for u in "${units[@]}"; do
  sed "s|/usr/local/bin/|$AIRSTREAM_BIN/|g" "$u" >"$T/units/$(basename "$u")"
done
# Every ExecStart runs tools from where `cmake --install build` puts them (the default
# prefix, /usr/local: scripts/ops/README says how to change it), and only tools this
# build installs.
for u in "$OPS"/*.service; do
  line=$(grep '^ExecStart=' "$u") || fail "$(basename "$u") has no ExecStart"
  [[ $line =~ ^ExecStart=(/usr/local/bin/|/bin/bash\ -o\ pipefail\ -c\ \'/usr/local/bin/) ]] ||
    fail "$(basename "$u"): ExecStart is not a tool of cmake --install: $line"
  for tool in $(grep -o '/usr/local/bin/[a-z]*' <<<"$line" | sed 's|.*/||'); do
    [[ -x $AIRSTREAM_BIN/$tool ]] || fail "$(basename "$u") runs /usr/local/bin/$tool, which the build does not install"
  done
  # The Description names the topic the unit reads or writes and the table it stores into.
  desc=$(sed -n 's/^Description=//p' "$u")
  for word in $(grep -o -- '--from-kafka [^ ]*\|kproduce -t [^ ]*\| -t [^ ]*' <<<"$line" | awk '{print $NF}'); do
    [[ $desc == *"$word"* ]] || fail "$(basename "$u"): Description does not name $word: $desc"
  done
done
RC=0
(cd "$T/units" && systemd-analyze verify --man=no ./*.service ./*.timer) >"$T/verify" 2>&1 || RC=$?
if ((RC != 0)) && grep -qi 'bus\|sandbox\|permission denied\|not booted' "$T/verify"; then
  echo "SKIP: systemd-analyze cannot run here: $(head -3 "$T/verify")" >&2
  exit 77
fi
((RC == 0)) && [[ ! -s $T/verify ]] || fail "systemd-analyze verify (exit $RC): $(cat "$T/verify")"
grep -q '^Unit=airstream-fetch.service\|^OnCalendar=' "$OPS/airstream-fetch.timer" || fail "the timer starts nothing"

# exec_line UNIT: the unit's ExecStart, with this build and scratch folders.
exec_line() {
  sed -n 's/^ExecStart=//p' "$T/units/$1" |
    sed -e "s|/var/log/airstream/|$T/log/|g" -e "s|/var/lib/node_exporter/textfile/|$T/prom/|g"
}

# 2. The fetch, as the timer starts it.
/usr/bin/python3 "$AIRSTREAM_SRC/tests/randomuser_fixture_server.py" --fixtures "$FX_DIR" --lifetime 300 >"$T/fx" 2>"$T/fx.err" &
BG_PIDS+=($!)
for ((i = 0; i < 200; i++)); do grep -q '^PORT ' "$T/fx" && break; sleep 0.1; done
grep -q '^PORT ' "$T/fx" || fail "fixture server did not start: $(cat "$T/fx.err")"
export RUFETCH_URL="http://127.0.0.1:$(awk '/^PORT /{print $2; exit}' "$T/fx")/api/"
cql_start
pg_start
kafka_start --dev "$TOPIC:4"
fetch=$(exec_line airstream-fetch.service)
[[ $fetch == "/bin/bash -o pipefail -c "* ]] || fail "the fetch does not run under bash -o pipefail: $fetch"
RC=0; timeout 120 bash -c "$fetch" 2>"$T/fetch.err" || RC=$?
[[ $RC == 0 ]] || fail "fetch unit command: exit $RC: $(tail -n 5 "$T/fetch.err")"
kcat -b "$KAFKA_BROKERS" -t "$TOPIC" -C -e -q >"$T/topic.ndjson" 2>/dev/null
n=$(wc -l <"$T/topic.ndjson")
((n == 1000)) || fail "the fetch put $n records into $TOPIC, want 1000"
uxform -q -p created_users "$T/topic.ndjson" | jq -r .id | sort -u >"$T/ids"
# A failing fetch fails the unit (pipefail) although kproduce succeeds: an API that answers 404.
RC=0; RUFETCH_URL=${RUFETCH_URL%api/}no-such-api/ timeout 60 bash -c "$fetch" 2>/dev/null || RC=$?
((RC != 0 && RC != 1)) || fail "a fetch from an unreachable API exits $RC: the unit would report success"

# The crontab example, as cron runs it ($SHELL -c with the file's SHELL, PATH and
# KAFKA_BROKERS; this build in place of /usr/local/bin, a scratch lock and HOME): a good
# fetch adds 1000 users; a failed fetch fails the job although kproduce succeeds.
cron=$(grep -v '^#' "$OPS/crontab.example" | grep -E '^([^ =]+ ){5}' | cut -d' ' -f6-)
[[ $(wc -l <<<"$cron") == 1 && $cron == *"bash -o pipefail -c "* ]] || fail "crontab.example: no fetch under bash -o pipefail: $cron"
lock=/tmp/airstream-fetch.lock
cron=${cron//"$lock"/"$T/fetch.lock"}
cron_env() {
  env -i HOME="$T" SHELL="$(sed -n 's/^SHELL=//p' "$OPS/crontab.example")" KAFKA_BROKERS="$KAFKA_BROKERS" \
    PATH="$(sed -n 's/^PATH=//p' "$OPS/crontab.example" | sed "s|/usr/local/bin|$AIRSTREAM_BIN|")" "$@"
}
RC=0; cron_env RUFETCH_URL="$RUFETCH_URL" timeout 120 /bin/bash -c "$cron" || RC=$?
[[ $RC == 0 ]] || fail "crontab line: exit $RC: $(tail -n 5 "$T/airstream-fetch.log")"
n=$(kcat -b "$KAFKA_BROKERS" -t "$TOPIC" -C -e -q 2>/dev/null | wc -l)
((n == 2000)) || fail "after the crontab line $TOPIC holds $n records, want 2000"
RC=0; cron_env RUFETCH_URL="${RUFETCH_URL%api/}no-such-api/" timeout 60 /bin/bash -c "$cron" || RC=$?
((RC != 0 && RC != 1)) || fail "crontab line with an unreachable API exits $RC: cron would log success"
echo "crontab line: 1000 users fetched; a failed fetch exits $RC"

# 3. Each store's long-running unit: every fetched user stored, SIGTERM -> 143.
run_unit() { # UNIT COUNT_COMMAND
  local unit=$1 count=$2 cmd pid deadline have=0
  cmd=$(exec_line "$unit")
  eval "set -- $cmd"
  "$@" -v "${KX[@]}" 2>"$T/$unit.err" &
  pid=$!
  BG_PIDS+=("$pid")
  deadline=$((SECONDS + 90))
  until [[ $have == "$(wc -l <"$T/ids")" ]]; do
    ((SECONDS < deadline)) || fail "$unit: $have of $(wc -l <"$T/ids") users stored after 90 s: $(tail -n 5 "$T/$unit.err")"
    kill -0 "$pid" 2>/dev/null || fail "$unit ended early: $(tail -n 5 "$T/$unit.err")"
    sleep 0.5
    have=$( (eval "$count" 2>/dev/null || true) | sort -u | comm -12 - "$T/ids" | wc -l)
  done
  kill -TERM "$pid"
  wait_exit "$pid" 60
  [[ $RC == 143 ]] || fail "$unit: exit $RC after SIGTERM, want 143 (SuccessExitStatus): $(tail -n 5 "$T/$unit.err")"
  grep -q '^SuccessExitStatus=143' "$T/units/$unit" || fail "$unit does not treat 143 as success"
  echo "$unit: stored all $have users, exit 143 on SIGTERM"
}
run_unit airstream-cqlwrite.service "cql_ids created_users /dev/stdout"
run_unit airstream-pgload.service "pg_psql -c 'select id from created_users'"
echo "ok: units verified; fetch, Cassandra and PostgreSQL units ran against the development services"
