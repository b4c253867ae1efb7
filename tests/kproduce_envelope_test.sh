#!/usr/bin/env bash
# kproduce --envelope: kconsume's envelope lines are reproduced faithfully (topic,
# partition, timestamp, key / key_base64 / null key, headers with null and base64
# values, value embedded as raw JSON, value_string, value_base64, tombstones), -t
# overrides the topic, -p the partition; malformed envelopes are rejected. Checked
# with kcat -J as the independent reader.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/kafka.sh"
kafka_test_setup
a=env_a_$$ b=env_b_$$ c=env_c_$$
kafka_start "$a:4" "$b:2" "$c:4"

cat >"$work/in" <<JSON
{"topic":"$a","partition":3,"offset":42,"timestamp":1732170000000,"timestamp_type":"create","key":"k1","headers":[["h1","v1"],["h2",null],["h3",{"base64":"AAEC"}]],"value":{"a": [1, 2.5, "é"], "b": {"c": null}}}
{"topic":"$a","partition":1,"offset":43,"timestamp":1732170000001,"timestamp_type":"create","key":null,"headers":[],"value_string":"not json \u00e9"}
{"topic":"$b","partition":0,"offset":7,"timestamp":1732170000002,"timestamp_type":"log_append","key_base64":"AP8=","headers":[],"value_base64":"/wAB"}
{"topic":"$b","partition":1,"offset":8,"timestamp":1732170000003,"timestamp_type":"create","key":"gone","headers":[]}
{"topic":"$a","partition":2,"offset":44,"timestamp":1732170000004,"timestamp_type":"create","key":"n","headers":[],"value":12.50}
{"topic":"$a","partition":0,"value":"x","value_string":"y"}
{"topic":"$a","partition":"zero","value":1}
{"topic":"$a","headers":[["only-name"]],"value":1}
{"topic":"$a","key_base64":"***","value":1}
[1,2,3]
JSON
rc=0
kproduce --envelope --reject-file "$work/rej" <"$work/in" || rc=$?
[[ $rc == 1 ]] || fail "exit $rc, expected 1 (4 malformed envelopes)"
[[ $(jq -c .line "$work/rej" | paste -sd, -) == "6,7,8,9,10" ]] || fail "rejected lines: $(cat "$work/rej")"

kcat -b "$KAFKA_BROKERS" -t "$a" -C -e -q -J >"$work/a.json"
kcat -b "$KAFKA_BROKERS" -t "$b" -C -e -q -J >"$work/b.json"
python3 - "$work/a.json" "$work/b.json" <<'PY' || fail "envelope fields not reproduced"
import json, sys
a = sorted((json.loads(l) for l in open(sys.argv[1], encoding="utf-8", errors="surrogateescape")), key=lambda m: m["ts"])
b = sorted((json.loads(l) for l in open(sys.argv[2], encoding="utf-8", errors="surrogateescape")), key=lambda m: m["ts"])
assert len(a) == 3 and len(b) == 2, (len(a), len(b))
m = a[0]
assert (m["partition"], m["ts"], m["key"]) == (3, 1732170000000, "k1"), m
assert m["payload"] == '{"a": [1, 2.5, "é"], "b": {"c": null}}', m["payload"]  # raw bytes kept
assert m["headers"][:4] == ["h1", "v1", "h2", None], m["headers"]
assert m["headers"][4] == "h3" and m["headers"][5] in ("\u0000\u0001\u0002", "\\x00\\x01\\x02"), m["headers"]
m = a[1]
assert (m["partition"], m["key"], m["payload"]) == (1, None, "not json é"), m
m = a[2]
assert (m["partition"], m["key"], m["payload"]) == (2, "n", "12.50"), m
m = b[0]
assert m["partition"] == 0 and m["ts"] == 1732170000002, m
m = b[1]
assert (m["partition"], m["key"], m["payload"]) == (1, "gone", None), m  # tombstone
PY
# Binary key/value bytes exactly (kcat -f with hex dump of %k/%s is not available: compare raw bytes).
kcat -b "$KAFKA_BROKERS" -t "$b" -p 0 -C -e -q -f '%k|%s' | od -An -tx1 | tr -s ' \n' ' ' >"$work/bin"
[[ $(cat "$work/bin") == " 00 ff 7c ff 00 01 " ]] || fail "binary key/value bytes: $(cat "$work/bin")"

# -t overrides the envelope's topic, -p its partition.
head -n 5 "$work/in" | kproduce --envelope -t "$c" -p 1
kcat -b "$KAFKA_BROKERS" -t "$c" -C -e -q -f '%p\n' | sort | uniq -c | awk '{$1=$1};1' >"$work/c"
[[ $(cat "$work/c") == "5 1" ]] || fail "-t/-p override: $(cat "$work/c")"
echo ok
