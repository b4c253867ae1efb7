#!/usr/bin/env bash
# A `kconsume -g` member whose reader stops reading must not hold its group (issue 19).
# Member A writes into a fifo whose reader never reads: its output fills the pipe.
# Member B then joins the group: the rebalance must complete and B must write records
# of the partitions it takes over (bounded wait: 60 s). Before kconsume wrote stdout
# from a background thread, A sat in write(2) and never served the rebalance: B got
# nothing until A's max.poll.interval.ms (300 s) ran out. A's revocation waits at most
# 5 s for its output; A stays alive (its output is still owed to its reader). Then -e
# is shown to be per member: a third member with -e ends at the end of the partitions
# it got while the group as a whole still has lag.
source "$(dirname "$0")/pipeline_lib.sh"
fail() {
  echo "FAIL: $*" >&2
  for f in "$T"/*.err; do echo "--- $f" >&2; grep -v '^{' "$f" | tail -n 8 >&2; done
  exit 1
}
t=stall g=stall
kafka_start --dev "$t:4"
/usr/bin/python3 "$AIRSTREAM_SRC/tests/lib/gen_users.py" 3000 7 >"$T/in"
kproduce -q -b "$KAFKA_BROKERS" -t "$t" -k login.uuid <"$T/in"
# stall_case GROUP [KCONSUME OPTIONS]: member A stuck on its reader, member B joins.
stall_case() {
  local g=$1
  shift
  local gx=(-b "$KAFKA_BROKERS" -t "$t" -g "$g" "${KX[@]}" --commit-interval 500ms --stats 1s -v)
  rm -f "$T/fifo" "$T/a.err" "$T/b.out" "$T/b.err"
  mkfifo "$T/fifo"
  sleep 600 <"$T/fifo" &  # opens the fifo for reading and never reads
  BG_PIDS+=($!)
  kconsume "${gx[@]}" "$@" >"$T/fifo" 2>"$T/a.err" &
  a=$!
  BG_PIDS+=($a)
  # A formatted more than the pipe holds (64 KiB, about 150 records): its output is stuck.
  a_stuck() { (($(out_count "$T/a.err") >= 500)); }
  wait_until 60 "output of member A ($g)" a_stuck
  sleep 1

  kconsume "${gx[@]}" >"$T/b.out" 2>"$T/b.err" &
  BG_PIDS+=($!)
  b_writes() { [[ -s $T/b.out ]]; }
  wait_until 60 "record written by member B ($g: the rebalance did not complete)" b_writes
  grep -q 'revoked' "$T/a.err" || fail "$g: member A revoked nothing"
  kill -0 "$a" 2>/dev/null || fail "$g: member A ended"
}
# The same with an acknowledged pipe (--acks): before, kconsume wrote its output in
# the foreground in that mode, and A held the group (B got nothing in 60 s).
mkfifo "$T/acks"
stall_case stall-acks --acks "$T/acks"
kill -9 "$a"
stall_case "$g"
gx=(-b "$KAFKA_BROKERS" -t "$t" -g "$g" "${KX[@]}" --commit-interval 500ms --stats 1s -v)

# -e is per member: member C joins with -e, takes partitions over, reads them to their
# end (nothing left when it got one of B's) and exits 0, while the group as a whole
# has not caught up (A's records are not written, so not committed).
kconsume "${gx[@]}" -e >"$T/c.out" 2>"$T/c.err" &
c=$!
BG_PIDS+=($c)
c_done() { ! kill -0 "$c" 2>/dev/null; }
wait_until 90 "end of member C (-e)" c_done
rc=0
wait "$c" || rc=$?
((rc == 0)) || fail "member C exit $rc with -e"
grep -q 'assigned' "$T/c.err" || fail "member C was assigned nothing"
kconsume -b "$KAFKA_BROKERS" -t "$t" -g "$g" --lag >"$T/lag"
lag=$(jq -s 'map(.lag) | add' "$T/lag")
((lag > 0)) || fail "the group has no lag: member C's end says nothing then: $(cat "$T/lag")"
echo "ok: member B wrote $(wc -l <"$T/b.out") records while member A's reader did not read;" \
  "member C (-e) ended after $(wc -l <"$T/c.out") records with the group's lag at $lag"
