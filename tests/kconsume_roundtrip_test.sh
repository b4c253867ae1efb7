#!/usr/bin/env bash
# kcat -> kconsume round trip: count and content over several partitions, keys and
# headers through --envelope, multi-line JSON compacted, non-JSON messages rejected
# with their partition and offset (never on stdout), the -o variants, -c, --timeout,
# and exit codes for a missing topic/partition and an unreachable cluster.
# Runs against the development cluster, or a real one when KAFKA_BROKERS is set.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/kafka.sh"
kafka_require_kcat
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
t=kc_rt_$$ tk=kc_keys_$$ tb=kc_bad_$$ to=kc_off_$$ te=kc_empty_$$
kafka_start "$t:4" "$tk:2" "$tb:1" "$to:2" "$te:3"
B=$KAFKA_BROKERS

# 1. Content: 3000 records over 4 partitions, all back exactly once.
python3 "$AIRSTREAM_SRC/tests/lib/gen_users.py" 3000 5 >"$work/in"
kcat -b "$B" -t "$t" -P <"$work/in"
kconsume -t "$t" -e >"$work/out" 2>"$work/err" || fail "kconsume exit $? ($(cat "$work/err"))"
[[ $(wc -l <"$work/out") == 3000 ]] || fail "expected 3000 records, got $(wc -l <"$work/out")"
diff <(sort "$work/in") <(sort "$work/out") >/dev/null || fail "content differs from what kcat produced"
[[ ! -s "$work/err" ]] || fail "unexpected stderr: $(head -3 "$work/err")"
# Output is valid NDJSON for an independent parser.
jq -c . "$work/out" >/dev/null || fail "output is not NDJSON"

# 2. Keys and headers via --envelope (kcat -K: key, -H headers), a null key, and a
#    multi-line JSON value compacted onto one line.
printf 'alpha:{"v":1}\nbeta:{"v":2}\n' | kcat -b "$B" -t "$tk" -p 0 -P -K: -H trace=t-1 -H "team=data ops"
printf '{"v":3}\n' | kcat -b "$B" -t "$tk" -p 1 -P
printf '{\n  "v": 4,\n  "s": "a b"\n}' | kcat -b "$B" -t "$tk" -p 1 -P -D '\0' -k multi
kconsume -t "$tk" -e --envelope >"$work/env" || fail "kconsume --envelope failed"
python3 - "$work/env" <<'PY' || fail "envelope content wrong: $(cat "$work/env")"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert len(recs) == 4, recs
for r in recs:
    assert list(r)[:7] == ["topic", "partition", "offset", "timestamp", "timestamp_type", "key", "headers"], list(r)
    assert r["timestamp_type"] == "create" and r["timestamp"] > 1600000000000, r
by = {json.dumps(r["value"], sort_keys=True): r for r in recs}
a, b = by['{"v": 1}'], by['{"v": 2}']
assert (a["key"], a["partition"], a["offset"]) == ("alpha", 0, 0), a
assert (b["key"], b["offset"]) == ("beta", 1), b
assert a["headers"] == [["trace", "t-1"], ["team", "data ops"]], a["headers"]
c = by['{"v": 3}']
assert c["key"] is None and c["headers"] == [] and c["partition"] == 1, c
m = by['{"s": "a b", "v": 4}']
assert m["key"] == "multi", m
PY
grep -q '"value":{"v":4,"s":"a b"}}$' "$work/env" || fail "multi-line value not compacted: $(grep multi "$work/env")"
kconsume -t "$tk" -p 1 -e >"$work/p1"
[[ $(cat "$work/p1") == $'{"v":3}\n{"v":4,"s":"a b"}' ]] || fail "-p 1 output: $(cat "$work/p1")"

# 3. Non-JSON messages: rejected with topic, partition and Kafka offset; good ones go on; exit 1.
printf '{"ok":1}\nnot json\n{"ok":2}\n{"broken":\n' | kcat -b "$B" -t "$tb" -P
set +e
kconsume -t "$tb" -e --reject-file "$work/rej" >"$work/good"
rc=$?
set -e
[[ $rc == 1 ]] || fail "exit $rc with rejects, expected 1"
[[ $(cat "$work/good") == $'{"ok":1}\n{"ok":2}' ]] || fail "good records: $(cat "$work/good")"
python3 - "$work/rej" "$tb" <<'PY' || fail "reject file wrong: $(cat "$work/rej")"
import json, sys
rej = [json.loads(l) for l in open(sys.argv[1])]
assert [(r["topic"], r["partition"], r["offset"], r["record"]) for r in rej] == \
    [(sys.argv[2], 0, 1, "not json"), (sys.argv[2], 0, 3, '{"broken":')], rej
assert all(r["error"].startswith("value: not valid JSON") for r in rej), rej
PY
# Without a reject file the rejects are reported on stderr, never on stdout.
kconsume -t "$tb" -e >"$work/good2" 2>"$work/err2" || true
grep -q 'rejected.*"partition":0.*not valid JSON' "$work/err2" || fail "stderr reject: $(cat "$work/err2")"
[[ $(wc -l <"$work/good2") == 2 ]] || fail "stdout must hold only the JSON records"
# --max-errors 0: exit 65 at the first reject.
set +e
kconsume -t "$tb" -e --max-errors 0 >/dev/null 2>&1
rc=$?
set -e
[[ $rc == 65 ]] || fail "--max-errors 0: exit $rc, expected 65"

# 4. -o variants on partition 0 of a topic with 10 records per partition.
for p in 0 1; do
  for i in $(seq 0 9); do echo "{\"p\":$p,\"i\":$i}"; done | kcat -b "$B" -t "$to" -p $p -P
done
seqof() { jq -c -r '.i' | paste -sd, -; }
[[ $(kconsume -t "$to" -p 0 -e -o beginning | seqof) == 0,1,2,3,4,5,6,7,8,9 ]] || fail "-o beginning"
[[ $(kconsume -t "$to" -p 0 -e -o 7 | seqof) == 7,8,9 ]] || fail "-o 7"
[[ $(kconsume -t "$to" -p 1 -e -o -3 | seqof) == 7,8,9 ]] || fail "-o -3"
[[ -z $(kconsume -t "$to" -e -o end) ]] || fail "-o end must read nothing"
[[ $(kconsume -t "$to" -p 0 -c 4 | seqof) == 0,1,2,3 ]] || fail "-c 4"
[[ $(kconsume -t "$to" -e | wc -l) == 20 ]] || fail "all partitions"
# -o end then new records arrive: only those are read (--timeout ends the run).
kconsume -t "$to" -p 1 -o end --timeout 6s >"$work/tail" &
pid=$!
# Wait until the consumer has its partition (it polls), then produce.
sleep 3
echo '{"p":1,"i":10}' | kcat -b "$B" -t "$to" -p 1 -P
wait $pid || fail "-o end --timeout: exit $?"
[[ $(cat "$work/tail") == '{"p":1,"i":10}' ]] || fail "-o end --timeout read: $(cat "$work/tail")"
if ! kafka_is_dev; then
  # The development cluster (librdkafka's mock) cannot look offsets up by time.
  ts=$(kcat -b "$B" -t "$to" -p 0 -C -o 5 -c 1 -e -q -f '%T')
  [[ $(kconsume -t "$to" -p 0 -e -o "@$ts" | seqof) == 5,6,7,8,9 ]] || fail "-o @$ts"
fi

# 4b. A tiny prefetch queue drained by a slow reader: the fetchers stop at the queue's
# limit and are woken again while partitions are behind. Every record arrives once,
# in offset order within its partition.
kconsume -t "$t" -e --envelope -vv -X queued.max.messages.kbytes=16 -X max.partition.fetch.bytes=4096 2>"$work/wake.err" |
  awk '{ print; if (NR % 250 == 0) system("sleep 0.02") }' >"$work/slow"
[[ $(wc -l <"$work/slow") == 3000 ]] || fail "slow reader got $(wc -l <"$work/slow") of 3000"
[[ -z $(jq -r '"\(.partition) \(.offset)"' "$work/slow" | sort | uniq -d) ]] || fail "duplicates with a small queue"
jq -r '"\(.partition) \(.offset)"' "$work/slow" | awk '$1 in last && $2 != last[$1] + 1 { bad = 1 } { last[$1] = $2 }
  END { exit bad }' || fail "offsets out of order or missing within a partition"
echo "fetcher wake-ups: $(grep -c "waking their fetchers" "$work/wake.err" || true)"
# -e with empty partitions: only partition 1 of $te has records.
for i in 1 2 3; do echo "{\"i\":$i}"; done | kcat -b "$B" -t "$te" -p 1 -P
[[ $(kconsume -t "$te" -e | wc -l) == 3 ]] || fail "-e over empty partitions"
[[ $(kconsume -t "$te" -e -o end | wc -l) == 0 ]] || fail "-e -o end over empty partitions"

# 5. Errors: missing topic 66, missing partition 66, unreachable cluster 69, usage 64.
code() { set +e; "$@" >/dev/null 2>&1; echo $?; set -e; }
[[ $(code kconsume -t "no_such_topic_$$" -e) == 66 ]] || fail "missing topic: not 66"
[[ $(code kconsume -t "$to" -p 9 -e) == 66 ]] || fail "missing partition: not 66"
[[ $(code kconsume -b 127.0.0.1:1 -t "$to" -e --connect-timeout 2s) == 69 ]] || fail "unreachable: not 69"
[[ $(code kconsume -t "$to" -o sometime) == 64 ]] || fail "bad -o: not 64"
echo ok
