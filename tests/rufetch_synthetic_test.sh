#!/usr/bin/env bash
# rufetch --synthetic: counts, determinism, page addressing, envelope, pacing,
# duration and usage errors. No network.
set -euo pipefail
BIN=${AIRSTREAM_BIN:?}/rufetch
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# count and validity: every line one JSON object with the API 1.4 fields
"$BIN" --synthetic --seed 42 --count 2500 >"$T/a"
[ "$(wc -l <"$T/a")" -eq 2500 ] || fail "count 2500 gave $(wc -l <"$T/a") lines"
jq -e -c 'select((.login.uuid|type)!="string" or (.name.first|type)!="string" or (.nat|type)!="string")' "$T/a" >"$T/bad" && fail "malformed users: $(head -c 300 "$T/bad")"
[ "$(jq -c . "$T/a" | wc -l)" -eq 2500 ] || fail "jq could not read every line"
cmp <(jq -c . "$T/a") "$T/a" || fail "output is not compact JSON"

# deterministic; page size does not change which users a seed gives
"$BIN" --synthetic --seed 42 --count 2500 --results 7 >"$T/b"
cmp "$T/a" "$T/b" || fail "--results changed the users"
"$BIN" --synthetic --seed 43 --count 2500 >"$T/c"
cmp -s "$T/a" "$T/c" && fail "seeds 42 and 43 gave the same users"
# --page P --results S: users (P-1)*S+1 .. P*S of the sequence
"$BIN" --synthetic --seed 42 --page 3 --results 10 --count 10 >"$T/p3"
cmp "$T/p3" <(sed -n 21,30p "$T/a") || fail "--page 3 --results 10 is not users 21..30"
# string seeds work and are deterministic
cmp <("$BIN" --synthetic --seed abc -c 5) <("$BIN" --synthetic --seed abc -c 5) || fail "string seed not deterministic"

# variety the issue asks for: string and numeric postcodes, null id values, non-ASCII
jq -e -s 'map(.location.postcode|type)|unique == ["number","string"]' "$T/a" >/dev/null || fail "postcode types"
jq -e -s 'map(select(.id.value==null))|length > 0' "$T/a" >/dev/null || fail "no null id.value"
LC_ALL=C grep -q $'[\x80-\xff]' "$T/a" || fail "no non-ASCII text"

# envelope
"$BIN" --synthetic --seed 42 --count 3 --envelope >"$T/e"
jq -e -s 'length==3 and all(.[]; .seed=="42" and .page==1 and .version=="synthetic" and (.fetched_at|test("^[0-9-]+T[0-9:.]+Z$")))' "$T/e" >/dev/null ||
  fail "envelope: $(head -c 300 "$T/e")"
cmp <(jq -c .result "$T/e") <(head -3 "$T/a") || fail "envelope result differs from the bare user"
jq -e -s 'map(.index)==[0,1,2]' "$T/e" >/dev/null || fail "envelope index"

# no --count: one page of --results (default 1)
[ "$("$BIN" --synthetic --seed 1 | wc -l)" -eq 1 ] || fail "default is not one user"
[ "$("$BIN" --synthetic --seed 1 --results 12 | wc -l)" -eq 12 ] || fail "--results 12 alone is not 12 users"

# --rate paces: 60 users at 100/s in pages of 10 take at least ~0.5 s (lower bound only)
start=$(date +%s%N)
"$BIN" --synthetic --seed 1 --count 60 --results 10 --rate 100 >"$T/r"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$(wc -l <"$T/r")" -eq 60 ] || fail "--rate run wrote $(wc -l <"$T/r") users"
[ "$ms" -ge 450 ] || fail "--rate 100 wrote 60 users in ${ms} ms"

# --interval spaces requests: 3 pages 300 ms apart take at least ~0.6 s
start=$(date +%s%N)
"$BIN" --synthetic --seed 1 --count 15 --results 5 --interval 300ms >"$T/i"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$(wc -l <"$T/i")" -eq 15 ] || fail "--interval run wrote $(wc -l <"$T/i") users"
[ "$ms" -ge 550 ] || fail "--interval 300ms: 3 pages in ${ms} ms"

# --stats and --metrics-file count what was written
"$BIN" --synthetic --seed 1 --count 1234 --results 100 --stats --metrics-file "$T/metrics.prom" >"$T/s" 2>"$T/err"
jq -e 'select(.tool=="rufetch") | .users_out==1234 and .pages==13' <(grep '^{' "$T/err") >/dev/null ||
  fail "--stats: $(cat "$T/err")"
grep -q 'users_out.* 1234$' "$T/metrics.prom" || fail "--metrics-file: $(cat "$T/metrics.prom")"

# --duration ends a paced run, --follow stops on SIGTERM with 143 and whole lines
timeout 60 "$BIN" --synthetic --seed 1 --duration 1s --rate 50 >"$T/d"
n=$(wc -l <"$T/d")
[ "$n" -ge 5 ] && [ "$n" -le 60 ] || fail "--duration 1s --rate 50 wrote $n users"
"$BIN" --synthetic --seed 1 --follow --rate 1000 >"$T/f" &
pid=$!
for _ in $(seq 100); do [ -s "$T/f" ] && break; sleep 0.1; done
kill -TERM $pid
rc=0; wait $pid || rc=$?
[ "$rc" -eq 143 ] || fail "--follow after SIGTERM exited $rc"
jq -c . "$T/f" >/dev/null || fail "--follow output not whole JSON lines"

# a pipe closed before everything asked for was written (EPIPE) is a failure that
# `set -o pipefail` shows: 74 and one line on stderr, like kconsume and uxform
rc=0; "$BIN" --synthetic --seed 1 --count 1000000 2>"$T/err" | head -1 >/dev/null || rc=$?
[ "$rc" -eq 74 ] || fail "closed pipe: rc=$rc (expected 74) $(cat "$T/err")"
grep -q '^rufetch: error: standard output closed early' "$T/err" || fail "closed pipe: no error line: $(cat "$T/err")"
rc=0; bash -o pipefail -c "'$BIN' --synthetic --seed 1 --count 1000000 2>/dev/null | head -1 >/dev/null" || rc=$?
[ "$rc" -eq 74 ] || fail "set -o pipefail did not see the closed pipe: rc=$rc"
# everything written before the reader went away: success (the reader's business)
rc=0; "$BIN" --synthetic --seed 1 --count 3 2>"$T/err" | head -1 >/dev/null || rc=$?
[ "$rc" -eq 0 ] && [ ! -s "$T/err" ] || fail "all written, then the pipe closed: rc=$rc $(cat "$T/err")"

# usage errors exit 64
for args in "--results 0" "--results 5001" "--count 0" "--nat XX" "--nat US,xx" "--page 0" "--rate -1" \
            "--gender other" "--inc nope" "--password weird" "--api-version v1" "--duration soon"; do
  rc=0; "$BIN" --synthetic $args >/dev/null 2>"$T/err" || rc=$?
  [ "$rc" -eq 64 ] || fail "'$args' exited $rc, expected 64"
  grep -q '^rufetch: error:' "$T/err" || fail "'$args' gave no error message"
done
rc=0; "$BIN" --url ftp://x >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 64 ] || fail "--url ftp:// exited $rc"
# valid lists are accepted (case-insensitive nat)
"$BIN" --synthetic --nat us,GB --seed 3 -c 2 >/dev/null 2>"$T/err" || fail "--nat us,GB refused"
grep -q warning "$T/err" || fail "no warning that --nat is ignored with --synthetic"
echo ok
