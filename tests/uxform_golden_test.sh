#!/usr/bin/env bash
# Golden test of `uxform --preset created_users` over the real captured randomuser.me
# responses: each fixture's results, one compact JSON per line, must give exactly the
# checked-in tests/uxform_golden/<fixture>.ndjson, and the same as the independent jq
# program bench/created_users.jq. Also checks the quirks the preset must keep.
set -euo pipefail
SRC=${AIRSTREAM_SRC:?}
FIX=${AIRSTREAM_FIXTURES:-$SRC/../shared/fixtures/randomuser}
[ -d "$FIX" ] || FIX=/work/shared/fixtures/randomuser
[ -d "$FIX" ] || { echo "no randomuser fixtures found: skipped"; exit 77; }
command -v jq >/dev/null || { echo "jq missing"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
for f in "$FIX"/*.json; do
  b=$(basename "$f" .json)
  golden="$SRC/tests/uxform_golden/$b.ndjson"
  [ -f "$golden" ] || { echo "FAIL: no golden file for fixture $b"; exit 1; }
  jq -c '.results[]' "$f" > "$tmp/in.ndjson"
  uxform --preset created_users "$tmp/in.ndjson" > "$tmp/out.ndjson"
  if ! diff -u "$golden" "$tmp/out.ndjson"; then echo "FAIL: $b differs from its golden file"; exit 1; fi
  jq -c -f "$SRC/bench/created_users.jq" "$tmp/in.ndjson" > "$tmp/jq.ndjson"
  if ! diff -u "$tmp/jq.ndjson" "$tmp/out.ndjson"; then echo "FAIL: $b: uxform and jq disagree"; exit 1; fi
  [ "$(wc -l < "$tmp/out.ndjson")" -eq "$(jq '.results | length' "$f")" ] || { echo "FAIL: $b: record count"; exit 1; }
  # Same output when reading the records from standard input, one per line, with
  # Windows line endings and blank lines in between.
  sed 's/$/\r/' "$tmp/in.ndjson" | awk '{print; print ""}' | uxform -p created_users > "$tmp/crlf.ndjson"
  cmp "$tmp/out.ndjson" "$tmp/crlf.ndjson" || { echo "FAIL: $b: CRLF/blank-line input differs"; exit 1; }
  cat "$tmp/out.ndjson" >> "$tmp/all.ndjson"
  cat "$tmp/in.ndjson" >> "$tmp/allin.ndjson"
  n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "FAIL: no fixture files in $FIX"; exit 1; }

# Field order and types of every record: id first, post_code always a string.
jq -e -s 'all(.[]; (keys_unsorted[0] == "id") and (.post_code | type) == "string")' "$tmp/all.ndjson" > /dev/null \
  || { echo "FAIL: field order / post_code type"; exit 1; }
jq -e -s 'all(.[]; keys_unsorted - ["id","first_name","last_name","gender","address","post_code","email",
  "username","dob","registered_date","phone","picture"] == [])' "$tmp/all.ndjson" > /dev/null \
  || { echo "FAIL: unexpected output fields"; exit 1; }
# String postcodes of CA/GB/NO users are kept as they are (e.g. "0278", "P6I 1Z5").
jq -r 'select(.location.postcode | type == "string") | .location.postcode' "$tmp/allin.ndjson" | sort > "$tmp/pc_in"
[ -s "$tmp/pc_in" ] || { echo "FAIL: fixtures have no string postcodes?"; exit 1; }
jq -r --slurpfile s <(jq -c 'select(.location.postcode | type == "string") | .login.uuid' "$tmp/allin.ndjson") \
  'select(.id as $id | $s | index($id)) | .post_code' "$tmp/all.ndjson" | sort > "$tmp/pc_out"
cmp "$tmp/pc_in" "$tmp/pc_out" || { echo "FAIL: string postcodes changed"; exit 1; }
# Trailing spaces in street names are kept; U+200C (ZWNJ) survives byte for byte.
grep -q 'Avenida Brasil , ' "$tmp/all.ndjson" || { echo "FAIL: trailing space in street name lost"; exit 1; }
zwnj=$(printf '\xe2\x80\x8c')
[ "$(grep -c "$zwnj" "$tmp/allin.ndjson")" -eq "$(grep -c "$zwnj" "$tmp/all.ndjson")" ] \
  || { echo "FAIL: U+200C count differs"; exit 1; }
# registered was excluded from the drawers pages (exc=registered): no registered_date there.
[ "$(grep -c registered_date "$tmp/all.ndjson")" -eq "$(jq -c 'select(has("registered"))' "$tmp/allin.ndjson" | wc -l)" ] \
  || { echo "FAIL: registered_date present/absent mismatch"; exit 1; }
echo "ok: $n fixture files"
