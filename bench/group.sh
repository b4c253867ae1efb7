#!/usr/bin/env bash
# Re-delivery in a consumer group with one join and one leave (issue 19): N keyed
# records (~520 bytes) in a 12-partition topic of the development Kafka cluster, read
# by member A through a reader slowed to RATE lines/s (so that the membership changes
# land mid-stream); member B joins at one third and is stopped with SIGTERM at two
# thirds; A reads on until every record was read. Re-delivered = lines read - distinct
# records. Run for `kconsume -g` and for `kcat -G` (the peer), same cluster settings
# (session.timeout.ms=6000, heartbeat.interval.ms=500). Prints both rates; asserts
# nothing.
# usage: bench/group.sh [RECORDS [RATE]]   (default 30000 records, 1500 lines/s)
set -euo pipefail
cd "$(dirname "$0")/.."
export AIRSTREAM_BIN=${AIRSTREAM_BIN:-$PWD/build/bin} AIRSTREAM_SRC=$PWD
export PATH=$AIRSTREAM_BIN:$PATH
source tests/lib/kafka.sh
KAFKA_SKIP_CODE=69
n=${1:-30000}
rate=${2:-1500}
W=$(mktemp -d /tmp/bench-group.XXXXXX)
_kafka_on_exit "rm -rf '$W'"
kafka_start --dev grp:12
seq 1 "$n" | awk -v pad="$(printf '%0500d' 0)" '{print $1 "\t{\"k\":" $1 ",\"p\":\"" pad "\"}"}' |
  kcat -b "$KAFKA_BROKERS" -t grp -P -K $'\t'
X=(-X session.timeout.ms=6000 -X heartbeat.interval.ms=500)

# slow RATE OUT: copies stdin to OUT at about RATE lines/s.
slow() {
  /usr/bin/python3 -c '
import sys, time
rate, out = float(sys.argv[1]), open(sys.argv[2], "w")
n, t0 = 0, time.time()
for line in sys.stdin:
    out.write(line); out.flush(); n += 1
    if n % 100 == 0:
        ahead = n / rate - (time.time() - t0)
        if ahead > 0: time.sleep(ahead)
' "$rate" "$1"
}

# member TOOL GROUP NAME: starts one member; its pid in $PID.
member() {
  if [[ $1 == kcat ]]; then
    kcat -b "$KAFKA_BROKERS" -G "$2" grp -o beginning -q -u -f '%s\n' "${X[@]}" 2>"$W/$3.err" > >(slow "$W/$3") &
  else
    kconsume -b "$KAFKA_BROKERS" -t grp -g "$2" "${X[@]}" 2>"$W/$3.err" > >(slow "$W/$3") &
  fi
  PID=$!
}
lines() { cat "$W/$1"a "$W/$1"b 2>/dev/null | wc -l; }
distinct() { cat "$W/$1"a "$W/$1"b 2>/dev/null | cut -c1-20 | sort -u | wc -l; }

run() {
  local tool=$1 a b deadline
  member "$tool" "g-$tool" "${tool}a"
  a=$PID
  deadline=$((SECONDS + 300))
  until (($(lines "$tool") >= n / 3)); do ((SECONDS < deadline)) || break; sleep 0.2; done
  member "$tool" "g-$tool" "${tool}b"
  b=$PID
  until (($(lines "$tool") >= 2 * n / 3)); do ((SECONDS < deadline)) || break; sleep 0.2; done
  kill -TERM "$b"
  until (($(distinct "$tool") >= n)); do ((SECONDS < deadline)) || break; sleep 0.5; done
  sleep 1
  kill -TERM "$a" 2>/dev/null || true
  wait "$a" "$b" 2>/dev/null || true
  local l d
  l=$(lines "$tool")
  d=$(distinct "$tool")
  printf '%-10s %8d records, %8d lines read, %6d re-delivered (%5.1f%%)%s\n' "$tool -g" "$n" "$l" $((l - d)) \
    "$(echo "scale=3; ($l - $d) * 100 / $n" | bc)" "$( ((d < n)) && echo ", $((n - d)) never read")"
}
echo "group: $n records, one join at 1/3 and one leave at 2/3, readers at $rate lines/s" >&2
run kconsume
run kcat
