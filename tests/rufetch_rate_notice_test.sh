#!/usr/bin/env bash
# rufetch with its default fair-use rate and stderr not a terminal says once, at
# start, how long the requested count will take and how to change the rate; not with
# --rate, not for a short count, not with -q. (150 users at 50/s: about 2 s.)
set -euo pipefail
. "$(dirname "$0")/rufetch_lib.sh"
fx_start

expect_rc 0 "$BIN" --url "$FX_URL/api/" --seed notice --count 150
[ "$(wc -l <"$T/out")" -eq 150 ] || fail "150 users expected, got $(wc -l <"$T/out")"
grep -q '^rufetch: 150 users at the default fair-use rate of 50 users/s take about 2s; --rate N changes it' "$T/err" ||
  fail "no rate notice: $(cat "$T/err")"
[ "$(grep -c 'fair-use rate' "$T/err")" -eq 1 ] || fail "the notice is said more than once: $(cat "$T/err")"
[ "$(head -1 "$T/err" | grep -c 'fair-use')" -eq 1 ] || fail "the notice is not the first line: $(cat "$T/err")"
expect_rc 0 "$BIN" --url "$FX_URL/api/" --seed notice --count 150 --rate 0
grep -q 'fair-use' "$T/err" && fail "notice with --rate: $(cat "$T/err")"
expect_rc 0 "$BIN" --url "$FX_URL/api/" --seed notice --count 100
grep -q 'fair-use' "$T/err" && fail "notice for a 1 s count: $(cat "$T/err")"
expect_rc 0 "$BIN" --url "$FX_URL/api/" --seed notice --count 150 -q
[ -s "$T/err" ] && fail "notice with -q: $(cat "$T/err")"
echo "rufetch_rate_notice_test: ok"
