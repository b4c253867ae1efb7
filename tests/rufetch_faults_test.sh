#!/usr/bin/env bash
# rufetch's fault handling against the fixture server, one case per fault of the
# issue: 429 with Retry-After, 502/503/504 HTML outages, backoff up to --retries then
# exit 75, connection refused (69), timeouts (75), 404 (69 with the URL), non-JSON /
# truncated / {"error"} bodies discarded whole and retried, empty results, partial
# success summary, SIGTERM during a backoff.
set -euo pipefail
. "$(dirname "$0")/rufetch_lib.sh"
FAST=(--retry-delay 20ms --retry-max-delay 200ms --rate 0)

# reference: what a fault-free server gives for this query
fx_start
REF="$T/ref"
"$BIN" --url "$FX_URL/api/" --seed f --results 10 --count 30 "${FAST[@]}" >"$REF"
[ "$(wc -l <"$REF")" -eq 30 ] || fail "reference run"

# run_faults FAULTS [rufetch args...]: fresh server with that fault queue; $T/out, $T/err, $RC
run_faults() {
  local faults=$1
  shift
  fx_start --faults "$faults" "${SERVER_ARGS[@]}"
  RC=0
  "$BIN" --url "$FX_URL/api/" --seed f --results 10 --count 30 "${FAST[@]}" "$@" >"$T/out" 2>"$T/err" || RC=$?
}
SERVER_ARGS=()

# 1. 429 with Retry-After: 1 -> waits at least ~1 s, then completes
start=$(date +%s%N)
run_faults 429 --retries 3
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$RC" -eq 0 ] || fail "429 then ok: exit $RC $(cat "$T/err")"
cmp "$T/out" "$REF" || fail "429 then ok: output differs"
grep -q 'HTTP 429' "$T/err" || fail "429 not reported"
[ "$ms" -ge 900 ] || fail "Retry-After: 1 not honoured (${ms} ms)"

# 2. 502/503/504 with HTML bodies, on the second page: retried, output complete, no HTML leaks
run_faults ok,502,503,504 --retries 3
[ "$RC" -eq 0 ] || fail "5xx then ok: exit $RC $(cat "$T/err")"
cmp "$T/out" "$REF" || fail "5xx then ok: output differs"
grep -q 'HTTP 503 (HTML body)' "$T/err" || fail "503 HTML not reported: $(cat "$T/err")"
[ "$(grep -c 'retry' "$T/err")" -eq 3 ] || fail "expected 3 retries: $(cat "$T/err")"

# 3. more failures than --retries: exit 75; the first page stays delivered; summary on stderr
run_faults ok,503,503,503,503 --retries 2
[ "$RC" -eq 75 ] || fail "retries exhausted: exit $RC"
cmp "$T/out" <(head -10 "$REF") || fail "partial success: first page not kept"
grep -q 'giving up after 2 retries' "$T/err" || fail "no give-up message: $(cat "$T/err")"
grep -q 'delivered 10 of 30 requested users' "$T/err" || fail "no partial summary: $(cat "$T/err")"
[ "$(fx_stats requests)" -eq 4 ] || fail "expected 1 + 3 requests, server saw $(fx_stats requests)"

# 4. backoff grows (with jitter in [0.5, 1) of 2^k * delay): 3 retries at 200ms base take >= 0.7 s
start=$(date +%s%N)
run_faults 500,500,500 --retries 3 --retry-delay 200ms --retry-max-delay 10s
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$RC" -eq 0 ] || fail "500 x3: exit $RC"
[ "$ms" -ge 650 ] || fail "backoff too short: ${ms} ms for 100+200+400 ms minimum"

# 5. bad bodies are discarded whole and retried: invalid JSON, truncated JSON, short
#    transfer, {"error":...}, a reset connection, empty results
run_faults ok,invalid,truncated,short,error,reset,empty --retries 6
[ "$RC" -eq 0 ] || fail "bad bodies: exit $RC $(cat "$T/err")"
cmp "$T/out" "$REF" || fail "bad bodies: output differs (half a page written?)"
for what in 'not a JSON document' 'transfer failed' 'the API answered an error' 'empty "results"'; do
  grep -q "$what" "$T/err" || fail "'$what' not reported: $(cat "$T/err")"
done

# 6. empty results forever: bounded retries, then 75, nothing written
run_faults empty,empty,empty,empty,empty --retries 3
[ "$RC" -eq 75 ] || fail "empty results: exit $RC"
[ ! -s "$T/out" ] || fail "empty results: wrote something"
[ "$(fx_stats requests)" -eq 4 ] || fail "empty results: $(fx_stats requests) requests, expected 4"

# 7. 404 (unknown API version): exit 69 at once, URL in the message
fx_start
expect_rc 69 "$BIN" --url "$FX_URL/api/" --api-version 9.9 --retries 3 "${FAST[@]}"
grep -q "404.*$FX_URL/api/9.9/" "$T/err" || fail "404 message without URL: $(cat "$T/err")"
[ "$(fx_stats requests)" -eq 1 ] || fail "404 was retried"

# 8. connection refused: retried, then 69
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
expect_rc 69 "$BIN" --url "http://127.0.0.1:$port/api/" --retries 2 "${FAST[@]}"
[ "$(grep -c 'cannot connect' "$T/err")" -ge 3 ] || fail "refused: not retried: $(cat "$T/err")"

# 9. a slow server and --timeout: 75 after retries; a generous timeout succeeds
SERVER_ARGS=(--slow 3)
run_faults slow,slow,slow --retries 1 --timeout 300ms
[ "$RC" -eq 75 ] || fail "timeout: exit $RC $(cat "$T/err")"
grep -q 'timed out' "$T/err" || fail "timeout not reported: $(cat "$T/err")"
SERVER_ARGS=(--slow 0.3)
run_faults slow --retries 0 --timeout 30s
[ "$RC" -eq 0 ] || fail "slow but within --timeout: exit $RC"
SERVER_ARGS=()

# 10. --connect-timeout: a listener whose backlog is full never completes the handshake
/usr/bin/python3 - >"$T/bl" <<'PY2' &
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)
cs = []
for _ in range(4):
    c = socket.socket(); c.setblocking(False)
    try:
        c.connect(s.getsockname())
    except BlockingIOError:
        pass
    cs.append(c)
print(s.getsockname()[1], flush=True)
time.sleep(60)
PY2
FX_PIDS+=($!)
for _ in $(seq 100); do [ -s "$T/bl" ] && break; sleep 0.1; done
expect_rc 75 "$BIN" --url "http://127.0.0.1:$(cat "$T/bl")/api/" --connect-timeout 300ms --timeout 20s --retries 1 "${FAST[@]}"
grep -q 'timed out: Failed to connect' "$T/err" || fail "connect timeout not reported: $(cat "$T/err")"
expect_rc 64 "$BIN" --url "$FX_URL/api/" --connect-timeout never

# 11. SIGTERM during a long backoff: exit 143 promptly, first page kept
fx_start --faults ok,503,503,503 --retry-after 30
"$BIN" --url "$FX_URL/api/" --seed f --results 10 --count 30 --rate 0 --retries 5 --retry-delay 30s \
  >"$T/out" 2>"$T/err" &
pid=$!
for _ in $(seq 150); do grep -q 'retry 1/5' "$T/err" 2>/dev/null && break; sleep 0.1; done
kill -TERM $pid
rc=0; wait $pid || rc=$?
[ "$rc" -eq 143 ] || fail "SIGTERM during backoff: exit $rc"
cmp "$T/out" <(head -10 "$REF") || fail "SIGTERM: first page lost"

# 11b. retries never wait past the end of --duration: exit 75 with the reason
fx_start --faults ok,503,503,503,503,503,503
expect_rc 75 "$BIN" --url "$FX_URL/api/" --seed f --results 5 --duration 2s --rate 5 --retries 6 --retry-delay 1s
grep -q -- '--duration ends before the next retry' "$T/err" || fail "duration vs retries: $(cat "$T/err")"
cmp "$T/out" <(head -5 "$REF") || fail "duration vs retries: first page lost"

# 12. SIGINT while a request is in flight (slow server): the transfer is aborted, exit 130
fx_start --faults ok,slow --slow 60
"$BIN" --url "$FX_URL/api/" --seed f --results 10 --count 30 --rate 0 --timeout 120s >"$T/out" 2>"$T/err" &
pid=$!
for _ in $(seq 150); do [ "$(fx_stats requests)" -ge 2 ] && break; sleep 0.1; done
kill -INT $pid
rc=0; wait $pid || rc=$?
[ "$rc" -eq 130 ] || fail "SIGINT during a request: exit $rc"
cmp "$T/out" <(head -10 "$REF") || fail "SIGINT: first page lost"
echo ok
