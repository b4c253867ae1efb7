#!/usr/bin/env bash
# kcat's habits in kconsume, compared with kcat's own output on the same messages of
# the development cluster: -f FORMAT with kcat's tokens (%t %p %o %T %k %K %S %h %s,
# \n \t), -J as the envelope, -C accepted, -o s@TIMESTAMP and ISO-8601 start times
# (looked up as kcat's -o s@ does), -o e@TIMESTAMP, -L (and -L -J) with watermarks,
# -Q (and -Q -J), and kcat options kconsume does not take naming the airstream
# equivalent (before: "The following arguments were not expected").
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/kafka.sh"
kafka_require_kcat
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
topic=kc_habits_$$
kafka_start "$topic:2"
B=$KAFKA_BROKERS

# 40 messages with timestamps one second apart from 2023-11-14T22:13:20Z, keys on
# most, headers on some, a value that is not JSON and a tombstone.
/usr/bin/python3 - "$topic" >"$work/env" <<'PY'
import json, sys
for i in range(40):
    e = {"topic": sys.argv[1], "partition": i % 2, "timestamp": 1700000000000 + i * 1000,
         "key": None if i % 7 == 0 else "k%d" % i,
         "headers": [["n", str(i)], ["src", "test"]] if i % 3 == 0 else [], "value": {"i": i, "s": "x y"}}
    print(json.dumps(e))
PY
kproduce --envelope <"$work/env" || fail "kproduce"
printf 'not json\n' | kcat -b "$B" -t "$topic" -p 0 -P -k raw
printf 'gone:\n' | kcat -b "$B" -t "$topic" -p 1 -P -K: -Z

# 1. -f with kcat's tokens: the same bytes as kcat's.
for fmt in '%t|%p|%o|%T|%k|%K|%S|%h|%s\n' 'Topic %t [%p] at offset %o: key %k: %s\n' '%k\t%s\n'; do
  kconsume -b "$B" -t "$topic" -e -f "$fmt" >"$work/ours" || fail "kconsume -f '$fmt' exit $?"
  kcat -b "$B" -t "$topic" -C -e -q -f "$fmt" >"$work/theirs"
  [[ $(wc -l <"$work/theirs") -ge 42 ]] || fail "kcat read too little"
  diff <(sort "$work/ours") <(sort "$work/theirs") >"$work/diff" || fail "-f '$fmt' differs from kcat: $(head -4 "$work/diff")"
done

# 2. -J is the envelope; -C (kcat's consume mode) is accepted.
kconsume -b "$B" -t "$topic" -e --envelope --binary base64 >"$work/envelope" 2>/dev/null || true
kconsume -b "$B" -t "$topic" -C -e -J --binary base64 >"$work/J" 2>/dev/null || true
[[ $(wc -l <"$work/J") -ge 40 ]] || fail "-J wrote $(wc -l <"$work/J") lines"
diff <(sort "$work/envelope") <(sort "$work/J") >/dev/null || fail "-J differs from --envelope"

# 3. -o s@TIMESTAMP and ISO-8601: the messages kcat -o s@ gives, from the first at or
# after the time (22:13:40Z is message 20: offset 10 of each partition). The
# development cluster (librdkafka's mock) answers a lookup by time with the end of
# the partition, so there both give nothing; a real cluster (KAFKA_BROKERS) gives 20.
kcat -b "$B" -t "$topic" -C -e -q -o s@1700000020000 -f '%p|%o|%s\n' | sort >"$work/theirs"
if [[ -n "${KAFKA_EXTERNAL:-}" ]]; then
  [[ $(wc -l <"$work/theirs") -eq 20 ]] || fail "kcat -o s@ gave $(wc -l <"$work/theirs") messages"
fi
for start in s@1700000020000 @1700000020000 2023-11-14T22:13:40Z '2023-11-14 23:13:40+01:00' 2023-11-14T22:13:39.500Z; do
  kconsume -b "$B" -t "$topic" -e -o "$start" -f '%p|%o|%s\n' | sort >"$work/ours" || fail "-o $start exit"
  diff "$work/ours" "$work/theirs" >"$work/diff" || fail "-o $start differs from kcat -o s@: $(head -4 "$work/diff")"
done

# 4. kcat options kconsume does not take name what to use instead; exit 64.
check_hint() {
  local want=$1 rc=0
  shift
  kconsume "$@" >/dev/null 2>"$work/err" </dev/null || rc=$?
  [[ $rc == 64 ]] || fail "kconsume $* exit $rc, want 64"
  grep -q -- "$want" "$work/err" || fail "kconsume $*: no '$want' in: $(cat "$work/err")"
}
check_hint "use -g GROUP -t TOPIC" -b "$B" -G grp "$topic"
check_hint "use -f '%s<delimiter>'" -b "$B" -t "$topic" -D ,
check_hint "use kproduce" -b "$B" -t "$topic" -P
check_hint "use --line-buffered" -b "$B" -t "$topic" -u
check_hint "use -X debug=" -b "$B" -t "$topic" -d all
check_hint "pick one" -b "$B" -t "$topic" -J -f '%s\n'

# 5. -o e@TIMESTAMP: each partition ends before its first message that late, as
# kcat's; with -e and without (both partitions have later messages, so it ends).
kcat -b "$B" -t "$topic" -C -e -q -o e@1700000020000 -f '%p|%o|%s\n' | sort >"$work/theirs"
[[ $(wc -l <"$work/theirs") -eq 20 ]] || fail "kcat -o e@ gave $(wc -l <"$work/theirs") messages"
kconsume -b "$B" -t "$topic" -e -o e@1700000020000 -f '%p|%o|%s\n' | sort >"$work/ours" || fail "-o e@ -e exit"
diff "$work/ours" "$work/theirs" >"$work/diff" || fail "-o e@ -e differs from kcat: $(head -4 "$work/diff")"
timeout 60 kconsume -b "$B" -t "$topic" -o e@2023-11-14T22:13:40Z -o beginning -f '%p|%o|%s\n' | sort >"$work/ours" ||
  fail "-o e@ without -e did not end by itself"
diff "$work/ours" "$work/theirs" >/dev/null || fail "-o e@ without -e differs from kcat"

# 6. -L and -L -J: kcat's listing (the answering broker aside), plus each partition's
# watermarks, which are those kcat -Q gives for -2 (beginning) and -1 (end).
strip_marks() { sed -e 1d -e 's/, low [0-9]*, high [0-9]*$//'; }
for sel in "" "-t $topic"; do
  # shellcheck disable=SC2086
  kconsume -b "$B" -L $sel >"$work/L" || fail "kconsume -L $sel exit"
  # shellcheck disable=SC2086
  kcat -b "$B" -L $sel >"$work/kL"
  diff <(strip_marks <"$work/L") <(sed 1d "$work/kL") >"$work/diff" || fail "-L $sel differs from kcat: $(head -6 "$work/diff")"
  want="all topics"
  [[ -z $sel ]] || want=$topic
  head -1 "$work/L" | grep -q "^Metadata for $want (from broker " || fail "-L header: $(head -1 "$work/L")"
done
for p in 0 1; do
  lo=$(kcat -b "$B" -Q -t "$topic:$p:-2" | awk '{print $4}')
  hi=$(kcat -b "$B" -Q -t "$topic:$p:-1" | awk '{print $4}')
  grep -q "^    partition $p, .*, low $lo, high $hi\$" "$work/L" || fail "-L partition $p: want low $lo high $hi: $(cat "$work/L")"
done
[[ $hi -ge 21 ]] || fail "high watermark $hi"
kconsume -b "$B" -L -J >"$work/LJ" || fail "kconsume -L -J exit"
kcat -b "$B" -L -J >"$work/kLJ"
/usr/bin/python3 - "$work/LJ" "$work/kLJ" <<'PY' || fail "-L -J differs from kcat -L -J"
import json, sys
ours, theirs = (json.load(open(f)) for f in sys.argv[1:3])
for p in (q for t in ours["topics"] for q in t["partitions"]):
    assert p.pop("low_watermark") >= 0 and p.pop("high_watermark") >= 0, p
for d in (ours, theirs):
    del d["originating_broker"]
    d["topics"].sort(key=lambda t: t["topic"])
if ours != theirs:
    sys.exit("ours:   %s\ntheirs: %s" % (json.dumps(ours), json.dumps(theirs)))
PY
rc=0
kconsume -b "$B" -L -t "nosuch_$$" >"$work/L" 2>"$work/err" || rc=$?
[[ $rc == 66 ]] || fail "-L of a missing topic: exit $rc, want 66"
grep -q "^  topic \"nosuch_$$\" with 0 partitions: Broker: Unknown topic or partition\$" "$work/L" || fail "-L missing topic: $(cat "$work/L")"

# 7. -Q and -Q -J: the same offsets as kcat -Q (by time, beginning, end).
q=(-t "$topic:1:-1" -t "$topic:0:1700000020000" -t "$topic:0:-2" -t "$topic:1:1700000005000")
kconsume -b "$B" -Q "${q[@]}" >"$work/ours" || fail "kconsume -Q exit"
kcat -b "$B" -Q "${q[@]}" >"$work/theirs"
[[ $(wc -l <"$work/theirs") -eq 4 ]] || fail "kcat -Q: $(cat "$work/theirs")"
diff "$work/ours" "$work/theirs" >"$work/diff" || fail "-Q differs from kcat: $(cat "$work/diff")"
kconsume -b "$B" -Q -J "${q[@]}" >"$work/ours" || fail "kconsume -Q -J exit"
kcat -b "$B" -Q -J "${q[@]}" >"$work/theirs"
/usr/bin/python3 -c 'import json,sys; a,b=(json.load(open(f)) for f in sys.argv[1:]); sys.exit(a!=b)' \
  "$work/ours" "$work/theirs" || fail "-Q -J differs: $(cat "$work/ours") vs $(cat "$work/theirs")"
kconsume -b "$B" -Q -t "$topic:0:2023-11-14T22:13:40Z" | grep -q "^$topic \[0\] offset " || fail "-Q with an ISO time"
rc=0
kconsume -b "$B" -Q -t "$topic:7:-1" >/dev/null 2>"$work/err" || rc=$?
[[ $rc == 66 ]] && grep -q "has no partition 7" "$work/err" || fail "-Q of a missing partition: exit $rc: $(cat "$work/err")"
echo "kconsume_kcat_habits_test: ok"
