#!/usr/bin/env bash
# kproduce rejects what it cannot send, with line numbers and reasons, and never sends
# it: invalid JSON, trailing garbage, invalid UTF-8, an over-long line, a missing or
# unusable key field. Good records around them are delivered; exit 1. Also: exit 65
# past --max-errors, 69 when no broker is reachable within --timeout, 64 on usage
# errors, and -X list / -X dump.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/kafka.sh"
kafka_test_setup
t=rej_$$ t2=rej2_$$
kafka_start "$t:3" "$t2:1"

{
  echo '{"id":"a","n":1}'                 # 1 good
  echo '{"id":"b","n":2'                  # 2 unclosed object
  echo 'not json'                         # 3
  echo '{"id":"c","n":3} trailing'        # 4 trailing content
  printf '{"id":"d","n":"\xff\xfe"}\n'    # 5 invalid UTF-8
  echo '{"n":6}'                          # 6 key field missing
  echo '{"id":{"x":1},"n":7}'             # 7 key is an object
  echo '{"id":null,"n":8}'                # 8 key is null
  printf '{"id":"e","s":"%s"}\n' "$(head -c 3000 /dev/zero | tr '\0' x)"  # 9 too long
  echo '{"id":"f","n":10}'                # 10 good
  echo ''                                 # blank: skipped, not a record
  echo '{"id":42,"n":12}'                 # 12 good: numeric key
} >"$work/in"
rc=0
kproduce -t "$t" -k id --max-line 2000 --reject-file "$work/rej" <"$work/in" || rc=$?
[[ $rc == 1 ]] || fail "exit status $rc, expected 1"
python3 - "$work/rej" <<'PY' || fail "reject file: $(cat "$work/rej")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
lines = [r["line"] for r in rows]
assert lines == [2, 3, 4, 5, 6, 7, 8, 9], lines
by = {r["line"]: r for r in rows}
assert "invalid JSON" in by[2]["error"], by[2]
assert "invalid JSON" in by[4]["error"], by[4]
assert "UTF-8" in by[5]["error"], by[5]
assert "record_base64" in by[5], by[5]
assert by[6]["error"] == "id: key field missing", by[6]
assert "id: key must be a string, number or boolean, got object" == by[7]["error"], by[7]
assert "got null" in by[8]["error"], by[8]
assert "too long" in by[9]["error"], by[9]
assert by[3]["record"] == "not json"
PY
kcat -b "$KAFKA_BROKERS" -t "$t" -C -e -q -f '%k %s\n' | sort >"$work/sent"
printf '%s\n' '42 {"id":42,"n":12}' 'a {"id":"a","n":1}' 'f {"id":"f","n":10}' | sort >"$work/want"
diff "$work/want" "$work/sent" || fail "exactly the 3 good records must be sent"

# Without --reject-file the rejects are one line each on stderr, with the line number.
rc=0
printf '{"ok":1}\n{bad\n' | kproduce -t "$t2" 2>"$work/err" || rc=$?
[[ $rc == 1 ]] || fail "stderr mode exit $rc"
grep -q 'line 2' "$work/err" || fail "stderr reject lacks the line number: $(cat "$work/err")"

# --max-errors: more bad records than allowed stops with 65.
rc=0
for i in 1 2 3 4 5; do echo "bad $i"; done | kproduce -t "$t2" --max-errors 2 --reject-file "$work/rej2" 2>/dev/null || rc=$?
[[ $rc == 65 ]] || fail "--max-errors exit $rc, expected 65"

# No broker reachable within --timeout: 69, fast.
rc=0
start=$SECONDS
echo '{"a":1}' | timeout 60 kproduce -b 127.0.0.1:9 -t x --timeout 2s 2>"$work/err69" || rc=$?
[[ $rc == 69 ]] || fail "unreachable exit $rc, expected 69: $(cat "$work/err69")"
((SECONDS - start < 30)) || fail "--timeout 2s took $((SECONDS - start))s"

# Usage errors: 64.
for args in "" "-t x -k a -K b" "-t x -H novalue" "-t x --txn-records 5" "-t x --timeout banana"; do
  rc=0
  # shellcheck disable=SC2086
  kproduce $args </dev/null 2>/dev/null || rc=$?
  [[ $rc == 64 ]] || fail "kproduce $args: exit $rc, expected 64"
done
# A bad librdkafka property: 78.
rc=0
kproduce -t x -X no.such.property=1 </dev/null 2>/dev/null || rc=$?
[[ $rc == 78 ]] || fail "bad -X exit $rc, expected 78"
kproduce -X list | grep -q 'enable.idempotence' || fail "-X list"
kproduce -t x -X dump -X linger.ms=7 >"$work/dump"
grep -qx 'enable.idempotence = true' "$work/dump" || fail "-X dump lacks idempotence"
grep -qx 'request.required.acks = -1' "$work/dump" || fail "-X dump acks: $(grep acks "$work/dump")"
grep -qx 'queue.buffering.max.ms = 7' "$work/dump" || fail "-X overrides the defaults"
grep -qx 'partitioner = murmur2_random' "$work/dump" || fail "partitioner default"
echo ok
