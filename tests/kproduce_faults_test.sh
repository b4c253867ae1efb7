#!/usr/bin/env bash
# kproduce under broker faults (development cluster fault injection):
# - a broker taken down in the middle of a paced produce and brought back: every
#   record delivered exactly once (retries, idempotence), exit 0;
# - retriable produce errors injected: retried, nothing lost or duplicated;
# - non-retriable produce errors: the failed records are in the reject file with
#   the broker's error, the rest is delivered, nothing vanishes, exit 1;
# - all brokers down longer than --timeout: undelivered records rejected, exit 69.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/kafka.sh"
kafka_test_setup
lib="$AIRSTREAM_SRC/tests/lib"
kafka_start --dev --brokers 3 down:6 errs:4 perm:4 dead:2
kafka_require_dev
count_unique() { kcat -b "$KAFKA_BROKERS" -t "$1" -C -e -q | sort | tee "$work/$1.out" | uniq | wc -l; }

# 1. Broker 2 down for ~3 s in the middle of a ~6 s paced run.
python3 "$lib/gen_users.py" 12000 3 >"$work/in"
pace() { python3 -c '
import sys, time
lines = open(sys.argv[1], "rb").readlines()
for i in range(0, len(lines), 200):
    sys.stdout.buffer.write(b"".join(lines[i:i + 200])); sys.stdout.flush(); time.sleep(0.1)
' "$1"; }
pace "$work/in" | kproduce -t down --reject-file "$work/rej1" --timeout 120s &
producer=$!
sleep 2
kafka_cmd "down 2"
sleep 3
kafka_cmd "up 2"
rc=0
wait "$producer" || rc=$?
[[ $rc == 0 ]] || fail "broker down/up: exit $rc; rejects: $(head -c 500 "$work/rej1")"
[[ $(count_unique down) == 12000 ]] || fail "broker down/up: $(count_unique down) unique records of 12000"
[[ $(wc -l <"$work/down.out") == 12000 ]] || fail "broker down/up: duplicates ($(wc -l <"$work/down.out") messages)"
diff <(sort "$work/in") "$work/down.out" >/dev/null || fail "broker down/up: content differs"

# 2. Retriable errors on Produce requests: retried, exactly once.
kafka_cmd "produce-errors 8 NOT_ENOUGH_REPLICAS"
head -n 5000 "$work/in" | kproduce -t errs -X retry.backoff.ms=20
[[ $(count_unique errs) == 5000 && $(wc -l <"$work/errs.out") == 5000 ]] || fail "retriable errors: $(wc -l <"$work/errs.out")"

# 3. Non-retriable errors: those records rejected with the broker's error, exit 1.
kafka_cmd "produce-errors 2 TOPIC_AUTHORIZATION_FAILED"
rc=0
head -n 3000 "$work/in" | kproduce -t perm --reject-file "$work/rej3" || rc=$?
[[ $rc == 1 ]] || fail "non-retriable errors: exit $rc"
rejected=$(wc -l <"$work/rej3")
delivered=$(count_unique perm)
((rejected > 0)) || fail "no rejects for non-retriable errors"
((rejected + delivered == 3000)) || fail "records vanished: $rejected rejected + $delivered delivered != 3000"
grep -q '"error":"delivery failed: TOPIC_AUTHORIZATION_FAILED: Broker: Topic authorization failed"' "$work/rej3" || fail "broker error not in the reject: $(head -c 300 "$work/rej3")"
[[ $(jq -c 'has("line") and has("topic") and has("partition") and has("record")' "$work/rej3" | sort -u) == true ]] || fail "reject fields"
# The rejected records plus the delivered ones are exactly the input.
diff <(head -n 3000 "$work/in" | sort) <({ jq -r .record "$work/rej3"; cat "$work/perm.out"; } | sort) >/dev/null ||
  fail "rejected + delivered records differ from the input"

# 4. Every broker down for longer than --timeout: exit 69, nothing silently dropped.
kafka_cmd "down 1"
kafka_cmd "down 2"
kafka_cmd "down 3"
rc=0
head -n 500 "$work/in" | timeout 120 kproduce -t dead --timeout 3s --reject-file "$work/rej4" 2>"$work/err4" || rc=$?
[[ $rc == 69 ]] || fail "all brokers down: exit $rc, expected 69: $(tail -3 "$work/err4")"
for b in 1 2 3; do kafka_cmd "up $b"; done

# 5. The whole cluster goes away in the middle of a run: after --timeout the
#    undelivered records are rejected (none vanish, none duplicated), exit 69.
#    The brokers just came back: wait until the cluster takes writes again (a loaded
#    machine can take seconds), so that --timeout only measures the outage below.
deadline=$((SECONDS + 60))
until echo '{"probe":1}' | timeout 20 kcat -b "$KAFKA_BROKERS" -t probe -P -X message.timeout.ms=5000 2>/dev/null &&
  [[ $(timeout 20 kcat -b "$KAFKA_BROKERS" -t probe -C -e -q 2>/dev/null | wc -l) -ge 1 ]]; do
  ((SECONDS < deadline)) || fail "the cluster did not take writes again after the brokers came back"
  sleep 0.5
done
head -n 4000 "$work/in" >"$work/in5"
rc=0
mkfifo "$work/feed"
timeout 120 kproduce -t dead --timeout 5s --reject-file "$work/rej5" <"$work/feed" 2>"$work/err5" &
producer=$!
exec 7>"$work/feed"
head -n 1500 "$work/in5" >&7
deadline=$((SECONDS + 60))
until [[ $(kcat -b "$KAFKA_BROKERS" -t dead -C -e -q | wc -l) -ge 1500 ]]; do
  ((SECONDS < deadline)) || fail "first 1500 records not delivered"
  sleep 0.2
done
for b in 1 2 3; do kafka_cmd "down $b"; done
tail -n +1501 "$work/in5" >&7
exec 7>&-
wait "$producer" || rc=$?
for b in 1 2 3; do kafka_cmd "up $b"; done
[[ $rc == 69 ]] || fail "cluster lost mid-run: exit $rc, expected 69: $(tail -3 "$work/err5")"
grep -q 'unreachable' "$work/err5" || fail "no unreachable message: $(cat "$work/err5")"
[[ $(wc -l <"$work/rej5") == 2500 ]] || fail "expected the 2500 undelivered records rejected, got $(wc -l <"$work/rej5")"
diff <(sort "$work/in5") <({ jq -r .record "$work/rej5"; kcat -b "$KAFKA_BROKERS" -t dead -C -e -q; } | sort) >/dev/null ||
  fail "delivered + rejected records differ from the input"
echo ok
