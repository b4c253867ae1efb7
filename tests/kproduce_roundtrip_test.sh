#!/usr/bin/env bash
# kproduce -> kcat round trip: count, content, keys (-k dotted path, -K fixed),
# headers (-H), fixed partition (-p), --tee, and for keyed records the partition
# must be Kafka's murmur2 placement, computed independently (tests/lib/murmur2.py).
# Runs against the development cluster, or a real one when KAFKA_BROKERS is set.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/kafka.sh"
kafka_test_setup
lib="$AIRSTREAM_SRC/tests/lib"
t=rt_keyed_$$ tf=rt_fixed_$$ tp=rt_part_$$
kafka_start "$t:6" "$tf:3" "$tp:4"

python3 "$lib/gen_users.py" 3000 7 >"$work/in"
kproduce -t "$t" -k login.uuid -H source=test -H team=data --tee --reject-file "$work/rej" <"$work/in" >"$work/tee"
[[ ! -s "$work/rej" ]] || fail "unexpected rejects: $(head -3 "$work/rej")"
diff <(sort "$work/in") <(sort "$work/tee") >/dev/null || fail "--tee output differs from the input"

kcat -b "$KAFKA_BROKERS" -t "$t" -C -e -q -f '%p\t%k\t%h\t%s\n' >"$work/out"
[[ $(wc -l <"$work/out") == 3000 ]] || fail "expected 3000 messages, got $(wc -l <"$work/out")"
diff <(sort "$work/in") <(cut -f4- "$work/out" | sort) >/dev/null || fail "message values differ from the input"
# Keys are the records' login.uuid, headers as given.
python3 - "$work/out" <<'PY' || fail "keys or headers wrong"
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    p, k, h, v = line.rstrip("\n").split("\t", 3)
    rec = json.loads(v)
    assert k == rec["login"]["uuid"], (k, rec["login"]["uuid"])
    assert h == "source=test,team=data", h
PY
# Partitions: murmur2(key) % 6, as the Java client places them.
cut -f2 "$work/out" | python3 "$lib/murmur2.py" 6 >"$work/expected_parts"
cut -f1 "$work/out" >"$work/actual_parts"
diff "$work/expected_parts" "$work/actual_parts" >/dev/null ||
  fail "partitions differ from murmur2 placement ($(diff "$work/expected_parts" "$work/actual_parts" | grep -c '^<') of 3000)"
[[ $(sort -u "$work/actual_parts" | wc -l) == 6 ]] || fail "keyed records did not spread over the 6 partitions"
# Order per key and partition is kept: offsets rise with the input order.
for p in 0 3; do
  diff <(awk -F'\t' -v p=$p '$1==p {print $4}' "$work/out") \
    <(grep -Fxf <(awk -F'\t' -v p=$p '$1==p {print $4}' "$work/out") "$work/in") >/dev/null ||
    fail "order within partition $p differs from input order"
done

# -K: one fixed key, so one partition, the murmur2 one.
head -n 200 "$work/in" | kproduce -t "$tf" -K fixed-key
kcat -b "$KAFKA_BROKERS" -t "$tf" -C -e -q -f '%p %k\n' | sort | uniq -c >"$work/fixed"
want=$(echo fixed-key | python3 "$lib/murmur2.py" 3)
[[ $(cat "$work/fixed" | awk '{$1=$1};1') == "200 $want fixed-key" ]] || fail "-K placement: $(cat "$work/fixed")"

# -p: every record into the given partition; no key means a null key.
head -n 100 "$work/in" | kproduce -t "$tp" -p 2
kcat -b "$KAFKA_BROKERS" -t "$tp" -C -e -q -f '%p|%k|%s\n' >"$work/part"
[[ $(grep -c '^2||' "$work/part") == 100 ]] || fail "-p 2: $(cut -c1-20 "$work/part" | sort | uniq -c)"

# --create-topic (admin API). librdkafka's mock cluster has no controller, so the
# admin API cannot be exercised against the development cluster: real clusters only.
if ! kafka_is_dev; then
  tc=rt_created_$$
  head -n 10 "$work/in" | kproduce -t "$tc" --create-topic --partitions 5 --replication-factor 1
  kcat -b "$KAFKA_BROKERS" -L -t "$tc" | grep -q "topic \"$tc\" with 5 partitions" || fail "--create-topic"
  [[ $(kcat -b "$KAFKA_BROKERS" -t "$tc" -C -e -q | wc -l) == 10 ]] || fail "records in the created topic"
fi
echo ok
