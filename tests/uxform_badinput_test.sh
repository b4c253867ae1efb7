#!/usr/bin/env bash
# Bad input through uxform: every bad line is rejected with its line number, the field
# and the reason (reject file and stderr), every good line goes through unchanged in
# order, the exit status is 1, and --max-errors stops with 65.
set -euo pipefail
KEEP=${KEEP:-}
SRC=${AIRSTREAM_SRC:?}
FIX=${AIRSTREAM_FIXTURES:-$SRC/../shared/fixtures/randomuser}
[ -d "$FIX" ] || FIX=/work/shared/fixtures/randomuser
[ -d "$FIX" ] || { echo "no randomuser fixtures found: skipped"; exit 77; }
tmp=$(mktemp -d)
[ -n "$KEEP" ] || trap 'rm -rf "$tmp"' EXIT; [ -z "$KEEP" ] || echo "$tmp"
fail() { echo "FAIL: $*"; exit 1; }

jq -c '.results[:20][]' "$FIX"/drawers__randomuser__page1.json > "$tmp/good.ndjson"
good() { sed -n "${1}p" "$tmp/good.ndjson"; }
uuid=$(good 1 | jq -r .login.uuid)
# Line: content (expected reason after "line N: ").
{
  good 1                                                  # 1
  echo 'not json'                                         # 2
  good 2                                                  # 3
  echo '{"login":{"uuid":"'"$uuid"'"},"name":{"first":'   # 4 truncated
  echo '[1,2,3]'                                          # 5
  good 3                                                  # 6
  good 4 | jq -c '.location.postcode = {"a":1}'           # 7 wrong type
  good 5 | jq -c 'del(.login.uuid)'                       # 8 no primary key
  good 6 | jq -c '.login.uuid = "not-a-uuid"'             # 9
  printf '{"login":{"uuid":"%s"},"email":"\xff\xfe"}\n' "$uuid"  # 10 invalid UTF-8
  good 7                                                  # 11
  printf '{"pad":"%s"}\n' "$(head -c 3000 /dev/zero | tr '\0' x)"  # 12 too long (--max-line 2KiB)
  echo '{"a":1} trailing'                                 # 13
  good 8 | jq -c '.name.first = ["x"]'                    # 14
  echo '"just a string"'                                  # 15
  good 9                                                  # 16
} > "$tmp/in.ndjson"

set +e
uxform -p created_users --max-line 2KiB --reject-file "$tmp/rej.ndjson" "$tmp/in.ndjson" > "$tmp/out.ndjson" 2> "$tmp/err"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "exit status $rc, want 1"
grep -q "11 of 16 records rejected" "$tmp/err" || fail "summary on stderr: $(cat "$tmp/err")"

# Good lines: all of them, in order, identical to a clean run.
for i in 1 2 3 7 9; do good $i; done | uxform -p created_users > "$tmp/want.ndjson"
cmp "$tmp/want.ndjson" "$tmp/out.ndjson" || fail "good records differ"

check() {  # line, substring of the reason
  jq -e -s --argjson l "$1" --arg r "$2" 'map(select(.line == $l)) | length == 1 and (.[0].error | contains($r))' \
    "$tmp/rej.ndjson" > /dev/null \
    || fail "line $1: want reason containing '$2', reject file: $(grep "\"line\":$1," "$tmp/rej.ndjson" || echo none)"
}
check 2 "invalid JSON"
check 4 "invalid JSON"
check 5 "expected a JSON object, got array"
check 7 "post_code: expected string or number, got object"
check 8 "id: required field is missing"
check 9 'id: not a UUID: "not-a-uuid"'
check 10 "UTF-8"
check 12 "too long"
check 13 "invalid JSON"
check 14 "first_name: expected string or number, got array"
check 15 "expected a JSON object, got string"
[ "$(wc -l < "$tmp/rej.ndjson")" -eq 11 ] || fail "want 11 rejects, got $(wc -l < "$tmp/rej.ndjson")"
# The raw record is kept (base64 when it is not UTF-8).
jq -e -s 'map(select(.line == 2))[0].record == "not json"' "$tmp/rej.ndjson" > /dev/null || fail "raw record not kept"
jq -e -s 'map(select(.line == 10))[0] | has("record_base64")' "$tmp/rej.ndjson" > /dev/null || fail "invalid UTF-8 record not base64"

# Without a reject file the reasons go to stderr with their line numbers.
set +e
uxform -p created_users "$tmp/in.ndjson" > /dev/null 2> "$tmp/err2"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "exit status without reject file: $rc"
grep -q 'line 7: post_code: expected string or number, got object' "$tmp/err2" || fail "stderr reason: $(cat "$tmp/err2")"

# --max-errors: stop with 65 once more than N records were rejected.
set +e
uxform -p created_users --max-errors 2 --reject-file "$tmp/rej2.ndjson" "$tmp/in.ndjson" > "$tmp/out2.ndjson" 2>/dev/null
rc=$?
set -e
[ "$rc" -eq 65 ] || fail "--max-errors: exit $rc, want 65"
[ "$(wc -l < "$tmp/out2.ndjson")" -le 3 ] || fail "--max-errors: went on after the limit"

# An unreadable input file: 66. Bad mapping: 64.
set +e
uxform -p created_users /nonexistent/file > /dev/null 2>&1; rc=$?
[ "$rc" -eq 66 ] || fail "missing input: exit $rc, want 66"
echo '{}' | uxform -m 'x=.a |' > /dev/null 2>&1; rc=$?
[ "$rc" -eq 64 ] || fail "bad mapping: exit $rc, want 64"
echo '{}' | uxform --to xml > /dev/null 2>&1; rc=$?
[ "$rc" -eq 64 ] || fail "bad --to: exit $rc, want 64"
set -e
echo ok
