#!/usr/bin/env bash
# Before/after: the same command of uxform, kproduce, kconsume, pgload (binary and
# text COPY) and cqlwrite run with the tools of two builds, alternately (A B A B...),
# on the same input against the same servers (started from the AFTER build), and per
# command the median CPU time (user+sys of the tool) and wall time of each build with
# the after/before ratio. On a shared machine the CPU time is the steadier figure.
# Nothing here asserts timings.
# usage: bench/ab.sh BEFORE_BIN_DIR AFTER_BIN_DIR [RECORDS]
#   (default RECORDS: $BENCH_RECORDS or 200000; rounds: $BENCH_ROUNDS or 5;
#    tools: $AB_TOOLS or "uxform kproduce kconsume pgload cqlwrite")
# e.g. git archive OLD | tar -x -C /tmp/old && scripts/build /tmp/old/build &&
#      bench/ab.sh /tmp/old/build/bin build/bench/bin
set -euo pipefail
cd "$(dirname "$0")/.."
(($# >= 2)) || { echo "usage: bench/ab.sh BEFORE_BIN_DIR AFTER_BIN_DIR [RECORDS]" >&2; exit 64; }
A=$(cd "$1" && pwd) B=$(cd "$2" && pwd)
n=${3:-${BENCH_RECORDS:-200000}}
rounds=${BENCH_ROUNDS:-5}
tools=${AB_TOOLS:-uxform kproduce kconsume pgload cqlwrite}
export BENCH_BUILD=${B%/bin} BENCH_SKIP_BUILD=1
source bench/lib.sh
bench_init
data="$BENCH_DIR/users-$n.ndjson"
bench_data "$n" "$data"
flat=$(bench_flat "$n")
cat "$data" "$flat" >/dev/null  # warm the page cache

declare -A cpu wall
run() {  # run KEY CMD: one timed round; CMD's tools are $T/...
  local key=$1 cmd=$2 t="$BENCH_TMP/t.$RANDOM" start end
  start=$(date +%s.%N)
  # CPU time from getrusage (microseconds; GNU time's %U/%S are in hundredths,
  # a 4% step on a 0.25 s run).
  /usr/bin/python3 -c '
import resource, subprocess, sys
rc = subprocess.run(["bash", "-o", "pipefail", "-c", sys.argv[2]]).returncode
u = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write("%.6f %.6f\n" % (u.ru_utime, u.ru_stime))
sys.exit(rc)' "$t" "$cmd" || { echo "bench: '$key' failed: $cmd" >&2; return 1; }
  end=$(date +%s.%N)
  cpu[$key]+="$(awk '{ printf "%.4f", $1 + $2 }' "$t") "
  wall[$key]+="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f", b - a }') "
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ab() {  # ab LABEL SETUP CMD: SETUP (untimed) and CMD with T=before, then with T=after, ROUNDS times
  local label=$1 setup=$2 cmd=$3 r side dir
  for r in $(seq "$rounds"); do
    for side in A B; do
      [[ $side == A ]] && dir=$A || dir=$B
      T=$dir
      [[ -z $setup ]] || bash -c "$setup" >/dev/null 2>&1
      run "$label/$side" "$cmd"
    done
  done
  local ca cb wa wb
  ca=$(median <<<"${cpu[$label/A]}") cb=$(median <<<"${cpu[$label/B]}")
  wa=$(median <<<"${wall[$label/A]}") wb=$(median <<<"${wall[$label/B]}")
  awk -v l="$label" -v ca="$ca" -v cb="$cb" -v wa="$wa" -v wb="$wb" 'BEGIN {
    printf "| %-22s | %7.3f s | %7.3f s | %5.3f | %7.3f s | %7.3f s | %5.3f |\n", l, ca, cb, cb / ca, wa, wb, wb / wa }'
}
export T

echo "bench/ab.sh: $n records, $rounds rounds each, A=$A B=$B" >&2
echo "| command (median of $rounds) | CPU before | CPU after | ratio | wall before | wall after | ratio |"
echo "|---|---|---|---|---|---|---|"
for tool in $tools; do
  case $tool in
    uxform)
      ab "uxform --preset" "" "\$T/uxform -p created_users '$data' >/dev/null"
      ;;
    kproduce | kconsume)
      if [[ -z ${KAFKA_BROKERS:-} ]]; then
        source tests/lib/kafka.sh
        KAFKA_SKIP_CODE=69
        kafka_start --dev --brokers 3 ab_kproduce:48 ab_kconsume:64
        kcat -b "$KAFKA_BROKERS" -t ab_kconsume -P <"$data"
      fi
      if [[ $tool == kproduce ]]; then
        ab "kproduce" "" "\$T/kproduce -b '$KAFKA_BROKERS' -t ab_kproduce -q <'$data'"
      else
        ab "kconsume -e" "" "\$T/kconsume -b '$KAFKA_BROKERS' -t ab_kconsume -e -q >/dev/null"
      fi
      ;;
    pgload)
      source tests/lib/pg.sh
      PG_DURABLE=1 pg_start
      bench_on_exit pg_stop
      ddl="(id uuid primary key, first_name text, last_name text, gender text, address text, post_code text,
        email text, username text, dob timestamptz, registered_date timestamptz, phone text, picture text)"
      fresh="psql -X -q -c 'drop table if exists ab; create table ab $ddl' && psql -X -q -c checkpoint"
      ab "pgload --format binary" "$fresh" "\$T/pgload -t ab --format binary --no-progress -q '$flat'"
      ab "pgload --format text" "$fresh" "\$T/pgload -t ab --format text --no-progress -q '$flat'"
      ;;
    cqlwrite)
      source tests/lib/cql.sh
      cql_start --nodes 1
      ab "cqlwrite" "" "\$T/cqlwrite -H '$CQL_HOSTS' -k ab -t users --create -q '$flat'"
      ;;
  esac
done
