#!/usr/bin/env bash
# Consumer groups: two kconsume processes in one group share a topic's partitions
# (cooperative-sticky rebalance when the second joins) and together write every record
# exactly once; after a clean stop, a restart of the group (both members starting at
# once, so partitions move mid-stream and are committed before revocation) reads
# exactly the records produced since. --lag matches the committed and end offsets.
# Runs against the development cluster, or a real one when KAFKA_BROKERS is set.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/kafka.sh"
kafka_require_kcat
work=$(mktemp -d)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
t=kc_grp_$$ g=kc_grp_$$
kafka_start "$t:6"
B=$KAFKA_BROKERS
# The development cluster's coordinator admits a new member only once the previous
# one's session expired: keep sessions short (6 s is also a real broker's minimum).
gx=(-g "$g" -X session.timeout.ms=6000 -X heartbeat.interval.ms=500 --commit-interval 500ms -v)

# wait_for FILE PATTERN SECONDS
wait_for() {
  local deadline=$((SECONDS + $3))
  until grep -q "$2" "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || fail "timed out waiting for '$2' in $1: $(tail -5 "$1" 2>/dev/null)"
    sleep 0.2
  done
}

# 1. Member A joins, then member B: the partitions are split between them.
kconsume -t "$t" "${gx[@]}" --timeout 30s >"$work/a1" 2>"$work/a1.err" &
pa=$!
pids+=($pa)
wait_for "$work/a1.err" "assigned $t \[" 60
kconsume -t "$t" "${gx[@]}" --timeout 30s >"$work/b1" 2>"$work/b1.err" &
pb=$!
pids+=($pb)
wait_for "$work/b1.err" "assigned $t \[" 60
wait_for "$work/a1.err" "revoked $t \[" 60
python3 "$AIRSTREAM_SRC/tests/lib/gen_users.py" 6000 11 >"$work/in1"
# One key per record, so that the records spread over all partitions (without keys
# librdkafka's sticky partitioner may put a whole batch into one partition).
produce() { awk -v p="$2" '{print p NR "\t" $0}' "$1" | kcat -b "$B" -t "$t" -P -K $'\t'; }
produce "$work/in1" a
wait $pa || fail "member A exit $? ($(tail -3 "$work/a1.err"))"
wait $pb || fail "member B exit $? ($(tail -3 "$work/b1.err"))"
na=$(wc -l <"$work/a1")
nb=$(wc -l <"$work/b1")
((na > 0 && nb > 0)) || fail "partitions were not shared: A wrote $na, B wrote $nb"
[[ $((na + nb)) == 6000 ]] || fail "A+B wrote $((na + nb)) records, expected 6000"
diff <(sort "$work/in1") <(sort "$work/a1" "$work/b1") >/dev/null || fail "A+B differ from the input (lost or duplicated)"

# 2. --lag after a clean stop: committed == end on every partition, lag 0.
kconsume -t "$t" -g "$g" --lag >"$work/lag1"
[[ $(wc -l <"$work/lag1") == 6 ]] || fail "--lag: expected 6 partitions: $(cat "$work/lag1")"
kcat -b "$B" -t "$t" -C -e -q -f '%p\n' | sort | uniq -c | awk '{print $2, $1}' >"$work/ends"
python3 - "$work/lag1" "$work/ends" "$t" <<'PY' || fail "--lag wrong: $(cat "$work/lag1")"
import json, sys
lag = [json.loads(l) for l in open(sys.argv[1])]
ends = {int(p): int(n) for p, n in (l.split() for l in open(sys.argv[2]))}
assert sorted(r["partition"] for r in lag) == list(range(6))
for r in lag:
    assert r["topic"] == sys.argv[3]
    assert r["end"] == ends.get(r["partition"], 0), (r, ends)
    assert r["committed"] == (r["end"] or None) and r["lag"] == 0, r
PY

# 3. 3000 more records; --lag counts them; then both members restart at the same time.
python3 "$AIRSTREAM_SRC/tests/lib/gen_users.py" 3000 12 >"$work/in2"
produce "$work/in2" b
kconsume -t "$t" -g "$g" --lag >"$work/lag2"
[[ $(jq -s 'map(.lag) | add' "$work/lag2") == 3000 ]] || fail "--lag after 3000 new records: $(cat "$work/lag2")"
[[ $(jq -s 'map(.end - (.committed // 0) == .lag) | all' "$work/lag2") == true ]] || fail "lag != end - committed"
# librdkafka's mock coordinator bumps the generation as soon as a member joins, so a
# commit sent while a cooperative rebalance is in flight is fenced (ILLEGAL_GENERATION)
# and librdkafka declares the assignment lost: records are then read again (allowed by
# at-least-once, but this test wants exactly once). On the development cluster the
# restart therefore uses the eager protocol, whose revocation commits before rejoining;
# a real cluster is tested with kconsume's default (cooperative-sticky).
eager=()
kafka_is_dev && eager=(-X partition.assignment.strategy=range)
kconsume -t "$t" "${gx[@]}" "${eager[@]}" --timeout 30s >"$work/a2" 2>"$work/a2.err" &
pa=$!
pids+=($pa)
kconsume -t "$t" "${gx[@]}" "${eager[@]}" --timeout 30s >"$work/b2" 2>"$work/b2.err" &
pb=$!
pids+=($pb)
wait $pa || fail "restart A exit $? ($(tail -3 "$work/a2.err"))"
wait $pb || fail "restart B exit $? ($(tail -3 "$work/b2.err"))"
[[ $(cat "$work/a2" "$work/b2" | wc -l) == 3000 ]] || fail "restart wrote $(cat "$work/a2" "$work/b2" | wc -l), expected 3000"
diff <(sort "$work/in2") <(sort "$work/a2" "$work/b2") >/dev/null || fail "restart output differs from the new records"
kconsume -t "$t" -g "$g" --lag | jq -e -s 'map(.lag) | add == 0' >/dev/null || fail "lag not 0 at the end"
echo ok
