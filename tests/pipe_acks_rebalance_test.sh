#!/usr/bin/env bash
# Two acknowledged pipes in one consumer group (kconsume --acks | uxform --envelope |
# cqlwrite --acks, each with its own channel): the second joins mid-stream (partitions
# move between them), then the first one's sink is killed with SIGKILL, its kconsume
# stops (exit 74) and leaves the group, the second takes its partitions from the
# committed offsets. Nothing is lost: with a last run of the group (-e) the table
# holds every id, and the group's lag is 0. 10k records (100k in the issue).
COMPOSITION=cql N=10000
source "$(dirname "$0")/pipe_acks_lib.sh"
new_table rebalanced
g=rebalance
cql_cmd "delay 20" >/dev/null
# Member A: stages as separate processes (named pipes between them) so that one can be killed.
sink rebalanced "$T/acks-a"
kcmd "$g" "$T/acks-a"
mkfifo "$T/a1" "$T/a2"
bg bash -c 'exec "$@" >"$0"' "$T/a1" "${K[@]}" -v 2>"$T/ka.err"
ka=$BG
bg bash -c 'exec "${@:2}" <"$0" >"$1"' "$T/a1" "$T/a2" "${MIDDLE[@]}" 2>"$T/ma.err"
bg bash -c 'exec "$@" <"$0"' "$T/a2" "${S[@]}" 2>"$T/sa.err"
sa=$BG
wait_rows $((N / 10)) 60
# Member B joins mid-stream; it exits after 5 s without messages.
sink rebalanced "$T/acks-b"
kcmd "$g" "$T/acks-b"
bg bash -o pipefail -c '"${@:3:$1}" -v --timeout 5s | "${@:$(($1 + 3)):$2}" | "${@:$(($1 + $2 + 3))}"' \
  _ "${#K[@]}" "${#MIDDLE[@]}" "${K[@]}" "${MIDDLE[@]}" "${S[@]}" 2>"$T/b.err"
b=$BG
deadline=$((SECONDS + 60))
until grep -q 'assigned users' "$T/b.err" && grep -q 'revoked users' "$T/ka.err"; do
  ((SECONDS < deadline)) || fail "no rebalance within 60 s: $(tail -n 3 "$T/b.err" "$T/ka.err")"
  kill -0 "$ka" 2>/dev/null || fail "member A ended early: $(tail -n 3 "$T/ka.err")"
  sleep 0.1
done
stored=$(rows_written)
((stored < N)) || fail "all rows stored before the rebalance; the test proves nothing"
echo "member B joined after $stored rows"
kill -9 "$sa"
wait_exit "$ka" 60
echo "killed member A's sink; its kconsume exited $RC: $(grep error "$T/ka.err" | tail -n 1)"
((RC == 74)) || fail "member A's kconsume: exit $RC, expected 74"
cql_cmd "delay 0" >/dev/null
wait_exit "$b" 120
((RC == 0)) || fail "member B: exit $RC: $(tail -n 5 "$T/b.err")"
grep -q 'revoked\|assigned' "$T/b.err"
# What neither member committed is read again by the group.
sink rebalanced "$T/acks-c"
pipe_run "$g" "$T/acks-c" "${S[@]}"
((RC == 0)) || fail "last run: exit $RC: $(tail -n 5 "$T/err")"
expect_ids rebalanced "$T/raw.ndjson.ids"
[[ $(lag "$g") == 0 ]] || fail "lag $(lag "$g") at the end"
echo "ok: rebalance and kill -9 of a member's sink: nothing lost"
