#!/usr/bin/env bash
# The development Kafka cluster (tests/kafkacluster) against an independent client,
# Debian's kcat: metadata, produce/consume round trip with keys, fault commands
# (broker down/up, injected produce errors that the client retries), topic creation,
# clean exit on quit, EOF and SIGTERM.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/kafka.sh"
kafka_require_kcat
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
kafka_start --dev --brokers 3 users:4 other:2:1
fail() { echo "FAIL: $*" >&2; exit 1; }

# Metadata: three brokers on loopback, the topics with their partition counts.
kcat -b "$KAFKA_BROKERS" -L -m 20 >"$work/meta"
grep -q ' 3 brokers:' "$work/meta" || fail "expected 3 brokers: $(cat "$work/meta")"
[[ $(grep -c 'broker [0-9] at 127\.0\.0\.1:' "$work/meta") == 3 ]] || fail "brokers not on loopback"
grep -q 'topic "users" with 4 partitions' "$work/meta" || fail "users topic missing"
grep -q 'topic "other" with 2 partitions' "$work/meta" || fail "other topic missing"

# Round trip: 200 keyed messages in, the same 200 out (order per key is kept).
for i in $(seq 1 200); do echo "k$((i % 7)):{\"n\":$i}"; done >"$work/in"
kcat -b "$KAFKA_BROKERS" -t users -P -K: -X enable.idempotence=true <"$work/in"
kcat -b "$KAFKA_BROKERS" -t users -C -e -q -m 30 -f '%k:%s\n' >"$work/out"
[[ $(wc -l <"$work/out") == 200 ]] || fail "expected 200 messages, got $(wc -l <"$work/out")"
diff <(sort "$work/in") <(sort "$work/out") || fail "content differs"
for k in k0 k3; do
  diff <(grep "^$k:" "$work/in") <(grep "^$k:" "$work/out") || fail "order for key $k differs"
done

# Fault commands are answered; a bad one is an error.
kafka_cmd "down 2"
kafka_cmd "up 2"
kafka_cmd "rtt 1 10"
kafka_cmd "rtt 1 0"
if kafka_cmd "down 9" 2>/dev/null; then fail "down 9 accepted with 3 brokers"; fi
if kafka_cmd "no-such-command" 2>/dev/null; then fail "unknown command accepted"; fi
kafka_cmd "bootstrap"
[[ $(tail -n 1 "$KAFKA_DEV_DIR/out") == "ok $KAFKA_BROKERS" ]] || fail "bootstrap answer"

# Injected produce errors are retriable: the client retries and delivers everything.
kafka_cmd "produce-errors 5"
seq 1 50 | sed 's/.*/{"e":&}/' | kcat -b "$KAFKA_BROKERS" -t other -P -X retry.backoff.ms=10
[[ $(kcat -b "$KAFKA_BROKERS" -t other -C -e -q | wc -l) == 50 ]] || fail "produce after errors"
# A non-retriable error injected for Produce fails delivery in kcat.
kafka_cmd "produce-errors 1 TOPIC_AUTHORIZATION_FAILED"
if echo '{"x":1}' | kcat -b "$KAFKA_BROKERS" -t other -P 2>"$work/err"; then
  fail "kcat did not see the injected error"
fi
grep -qi 'authoriz' "$work/err" || fail "unexpected error text: $(cat "$work/err")"

# Topics can be created while it runs.
kafka_cmd "create-topic late 6"
kcat -b "$KAFKA_BROKERS" -L -t late >"$work/meta2"
grep -q 'topic "late" with 6 partitions' "$work/meta2" || fail "late topic"

# A broker down: its partitions are unavailable until it is back; nothing is lost.
kafka_cmd "down 3"
(seq 1 30 | sed 's/.*/{"d":&}/' | kcat -b "$KAFKA_BROKERS" -t late -P -X message.timeout.ms=60000) &
producer=$!
sleep 1
kafka_cmd "up 3"
wait "$producer" || fail "producer failed across down/up"
[[ $(kcat -b "$KAFKA_BROKERS" -t late -C -e -q | wc -l) == 30 ]] || fail "messages lost across down/up"

# quit stops it; so do EOF on stdin and SIGTERM (exit 0 each time).
pid=$KAFKA_DEV_PID
stderr_before=$(readlink /proc/$$/fd/2)
kafka_stop
! kill -0 "$pid" 2>/dev/null || fail "cluster still running after kafka_stop"
# kafka_stop leaves the caller's stderr alone (an `exec ... 2>/dev/null` silenced it
# for good): fd 2 still leads where it led before (the message goes to stdout, as
# stderr may be gone).
[[ $(readlink /proc/$$/fd/2) == "$stderr_before" ]] || { echo "FAIL: kafka_stop redirected stderr to $(readlink /proc/$$/fd/2)"; exit 1; }
bin="$AIRSTREAM_BIN/kafka_dev_cluster"
timeout 30 "$bin" --brokers 1 t:1 </dev/null >"$work/eof.out" 2>/dev/null || fail "EOF exit status"
[[ $(head -n 1 "$work/eof.out") == 127.0.0.1:* ]] || fail "bootstrap line: $(cat "$work/eof.out")"
mkfifo "$work/fifo"
"$bin" --brokers 2 <"$work/fifo" >"$work/term.out" 2>/dev/null &
pid=$!
exec 8>"$work/fifo"
for _ in $(seq 1 300); do [[ -s "$work/term.out" ]] && break; sleep 0.05; done
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
exec 8>&-
[[ $rc == 0 ]] || fail "SIGTERM exit status $rc"
"$bin" --brokers 0 2>/dev/null && fail "--brokers 0 accepted"
"$bin" --help | grep -q 'produce-errors' || fail "--help lacks the commands"
echo "ok"
