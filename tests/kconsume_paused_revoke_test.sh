#!/usr/bin/env bash
# A partition whose fetching kconsume -g paused (its pipe's reader was behind) and that
# the group then took away and later gave back must be fetched again (issue 19).
# librdkafka keeps an application's pause of a partition across its revocation and
# reassignment; kconsume forgot the pause on revocation, so a partition that came back
# stayed paused for good: the member consumed nothing more of it, its lag never fell.
# Member A writes into a fifo whose reader waits: its output fills the pipe and A pauses
# every partition it read from. Member B joins (A revokes some paused partitions, B
# takes them) and leaves again (SIGTERM): A holds every partition again. Then more
# records are produced and A's reader starts reading: the group must catch up (lag 0
# on every partition, bounded wait) and A must write every record produced after B left.
source "$(dirname "$0")/pipeline_lib.sh"
fail() {
  echo "FAIL: $*" >&2
  for f in "$T"/*.err; do echo "--- $f" >&2; grep -v '^{' "$f" | tail -n 8 >&2; done
  [[ -f $T/lag ]] && cat "$T/lag" >&2
  exit 1
}
t=prv g=prv
kafka_start --dev "$t:4"
/usr/bin/python3 "$AIRSTREAM_SRC/tests/lib/gen_users.py" 3000 11 >"$T/in1"
kproduce -q -b "$KAFKA_BROKERS" -t "$t" -k login.uuid <"$T/in1"
gx=(-b "$KAFKA_BROKERS" -t "$t" -g "$g" "${KX[@]}" --commit-interval 500ms --stats 1s -v)


# A's reader opens the fifo at once but reads only once $T/go is written.
mkfifo "$T/fifo" "$T/go"
(
  read -r _ <"$T/go"
  exec cat
) <"$T/fifo" >"$T/a.out" &
BG_PIDS+=($!)
kconsume "${gx[@]}" >"$T/fifo" 2>"$T/a.err" &
a=$!
BG_PIDS+=($a)
# A formatted more than the pipe holds (64 KiB, about 150 records): its output is stuck.
a_stuck() { (($(out_count "$T/a.err") >= 1000)); }
wait_until 60 "output of member A" a_stuck

kconsume "${gx[@]}" >"$T/b.out" 2>"$T/b.err" &
b=$!
BG_PIDS+=($b)
b_writes() { [[ -s $T/b.out ]]; }
wait_until 60 "record written by member B (the rebalance did not complete)" b_writes
grep -q 'revoked' "$T/a.err" || fail "member A revoked nothing"
kill -TERM "$b"
wait_exit "$b" 60
# A holds all four partitions again.
a_all() { (($(grep -c '^kconsume: assigned' "$T/a.err") >= 4 + $(grep -c '^kconsume: revoked' "$T/a.err"))); }
wait_until 60 "reassignment to member A after B left" a_all

/usr/bin/python3 "$AIRSTREAM_SRC/tests/lib/gen_users.py" 1000 12 >"$T/in2"
kproduce -q -b "$KAFKA_BROKERS" -t "$t" -k login.uuid <"$T/in2"
echo go >"$T/go"
caught_up() {
  kconsume -b "$KAFKA_BROKERS" -t "$t" -g "$g" --lag >"$T/lag" 2>/dev/null &&
    [[ $(jq -s 'map(.lag) | add' "$T/lag") == 0 ]]
}
wait_until 60 "catching up of the group (a partition A got back is not fetched)" caught_up
kill -0 "$a" 2>/dev/null || fail "member A ended"
missing=$(sort -u "$T/a.out" | comm -13 - <(sort -u "$T/in2") | wc -l)
((missing == 0)) || fail "member A did not write $missing of the records produced after B left"
echo "ok: member A paused, revoked $(grep -c '^kconsume: revoked' "$T/a.err") partition(s)," \
  "got them back and caught up; $(wc -l <"$T/a.out") records written by A, $(wc -l <"$T/b.out") by B"
