#!/usr/bin/env bash
# Envelope round trip: kconsume --envelope --binary base64 | kproduce --envelope -t
# copy reproduces a topic faithfully (partition, key, headers, value, timestamp),
# including null keys, string and binary values, binary headers and tombstones;
# kcat, an independent client, compares the two topics.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/kafka.sh"
kafka_require_kcat
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
src=kc_env_src_$$ dst=kc_env_dst_$$
kafka_start "$src:3" "$dst:3"
B=$KAFKA_BROKERS

python3 "$AIRSTREAM_SRC/tests/lib/gen_users.py" 1500 31 | awk '{print "k" (NR % 17) "\t" $0}' >"$work/keyed"
kcat -b "$B" -t "$src" -P -K $'\t' -H origin=test -H "note=é ü" <"$work/keyed"
printf '{"nokey":true}\n' | kcat -b "$B" -t "$src" -p 1 -P
printf 'plain text, not JSON\n' | kcat -b "$B" -t "$src" -p 2 -P -k text
printf '\xff\xfe\x00binary' | kcat -b "$B" -t "$src" -p 0 -P -D '\n\n' -k bin -H "raw=$(printf '\xc3\x28')"
printf 'gone:\n' | kcat -b "$B" -t "$src" -p 2 -P -K: -Z
total=1504

kconsume -t "$src" -e --envelope --binary base64 >"$work/env" || fail "kconsume exit $?"
[[ $(wc -l <"$work/env") == $total ]] || fail "expected $total envelopes, got $(wc -l <"$work/env")"
grep -q '"key":"bin","headers":\[\["raw",{"base64":"wyg="}\]\],"value_base64":"//4AYmluYXJ5"}' "$work/env" ||
  fail "binary message envelope: $(grep '"bin"' "$work/env")"
grep -q '"key":"gone","headers":\[\]}$' "$work/env" || fail "tombstone envelope: $(grep gone "$work/env")"
grep -q '"value_string":"plain text, not JSON"' "$work/env" || fail "string value envelope"
kproduce --envelope -t "$dst" <"$work/env" || fail "kproduce --envelope exit $?"

# The same messages, partition by partition, in the same order, with the same
# timestamps (kcat's %T), keys, headers and values (byte for byte: %S is the length).
dump() { kcat -b "$B" -t "$1" -C -e -q -Z -f '%p|%o|%T|%k|%h|%S|%s\n'; }
dump "$src" | sort >"$work/a"
dump "$dst" | sort >"$work/b"
[[ $(grep -a -c . "$work/a") -ge $total ]] || fail "kcat read too little from $src"
diff -a "$work/a" "$work/b" >"$work/diff" || fail "topics differ: $(head -5 "$work/diff")"
echo ok
