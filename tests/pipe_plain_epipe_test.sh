#!/usr/bin/env bash
# The README's headline pipe without acknowledgements, with a sink that exits at once
# (--help prints its help and exits 0): kconsume's group mode commits what it wrote
# to the pipe (its documented guarantee), but it must not end quietly: its output
# broke before the end asked for (-e), so it exits 74 and says so, and the pipe's
# status under `set -o pipefail` shows the failure; uxform in the middle exits 74 too.
# (Before, every stage exited 0 and the group's offsets had moved past records never
# stored.)
source "$(dirname "$0")/pipeline_lib.sh"
N=5000
kafka_start --dev users:4
raw_users "$N" 7 "$T/raw.ndjson"
timeout 300 kproduce -q -b "$KAFKA_BROKERS" -t users -k login.uuid <"$T/raw.ndjson" || fail "kproduce: exit $?"
K=(kconsume -b "$KAFKA_BROKERS" "${KX[@]}" -t users -e -g)
set +e
timeout 120 "${K[@]}" writers 2>"$T/err" | uxform --preset created_users | cqlwrite -k spark_streams -t created_users --help >/dev/null
st=("${PIPESTATUS[@]}")
set -e
echo "statuses: ${st[*]}; kconsume: $(cat "$T/err")"
[[ ${st[0]} == 74 ]] || fail "kconsume exit ${st[0]}, expected 74 (output closed before -e's end)"
grep -q '^kconsume: error: standard output closed early' "$T/err" || fail "kconsume did not say why: $(cat "$T/err")"
[[ ${st[1]} == 74 ]] || fail "uxform exit ${st[1]}, expected 74 (its reader went away while records remained)"
rc=0
timeout 120 bash -o pipefail -c '"$@" 2>/dev/null | uxform --preset created_users | cqlwrite -k x -t y --help >/dev/null' \
  _ "${K[@]}" writers2 || rc=$?
((rc != 0)) || fail "the pipe exits 0 under pipefail"
echo "ok: the broken headline pipe fails (kconsume 74, pipefail $rc)"
