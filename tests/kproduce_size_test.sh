#!/usr/bin/env bash
# kproduce says Kafka's message size limit up front (issue 17): by default a line is
# read at most as long as a message may be (message.max.bytes, 1000000, less the
# record framing), so a 2 MB record is rejected as it is read, and a record that
# a header takes over the limit is rejected before it is sent; both rejects name the limit and the
# setting to raise, with their line numbers. Good records around them are delivered
# (exit 1). A --max-line above the limit is noted once at the start.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/kafka.sh"
kafka_test_setup
t=size_$$
kafka_start "$t:1"

big() { printf '{"id":"%s","s":"%s"}\n' "$1" "$(head -c "$2" /dev/zero | tr '\0' x)"; }
{
  echo '{"id":"a"}'    # 1 good
  big b 2000000        # 2 far too large: rejected while read
  big c 999900         # 3 over the limit once its header (-H) counts
  big d 990000         # 4 fits
  echo '{"id":"e"}'    # 5 good
} >"$work/in"
rc=0
kproduce -t "$t" -H "h=$(head -c 200 /dev/zero | tr '\0' y)" --reject-file "$work/rej" <"$work/in" 2>"$work/err" || rc=$?
[[ $rc == 1 ]] || fail "exit status $rc, expected 1: $(cat "$work/err")"
[[ $(jq -r .line "$work/rej" | tr '\n' ' ') == "2 3 " ]] || fail "rejected lines: $(jq -c '[.line,.error]' "$work/rej")"
jq -r .error "$work/rej" | grep -c 'message.max.bytes=1000000' | grep -qx 2 || fail "reasons: $(jq -r .error "$work/rej")"
jq -r 'select(.line == 2) | .error' "$work/rej" | grep -q '^line longer than 999964 bytes' || fail "line 2: $(jq -r .error "$work/rej")"
jq -r 'select(.line == 3) | .error' "$work/rej" | grep -q '^record of 1000118 bytes' || fail "line 3: $(jq -r .error "$work/rej")"
n=$(timeout 60 kcat -C -b "$KAFKA_BROKERS" -t "$t" -e -q -X fetch.message.max.bytes=2000000 | wc -l)
[[ $n == 3 ]] || fail "$n messages in the topic, want 3"

# A --max-line above the limit is said up front.
rc=0
echo '{"id":"z"}' | kproduce -t "$t" --max-line 4MiB 2>"$work/err2" || rc=$?
[[ $rc == 0 ]] || fail "exit $rc: $(cat "$work/err2")"
grep -q 'a Kafka message holds at most 999964' "$work/err2" || fail "no notice: $(cat "$work/err2")"
echo "ok: size limit said up front, oversized records rejected early with the limit"
