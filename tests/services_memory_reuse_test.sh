#!/usr/bin/env bash
# The development services keep the memory they free: the CQL test server and the
# development Kafka cluster share the cores with the tools that tests and bench/
# measure, and glibc handed the top of their heaps back to the kernel after every
# burst and faulted it in again on the next (half of the CQL server's CPU under a
# load, 85% of the Kafka cluster's while a consumer read: bench/direct.sh measured
# the services, not the tools). Counted in page faults, not in time: the same work
# done several times, the repeats must fault in fewer pages on average than an eighth
# of the data's size (before the fix: 20,000 rows loaded, 8 MB, faulted in ~3,400
# pages each time; 20,000 records read, 21 MB, 400 to 4,100, mostly 2,000 to 3,500;
# after it, a few hundred in the first repeats and next to none later).
# 1. cql_test_server: 20,000 flat users loaded with cqlwrite into a new table, the
#    table dropped, five times;
# 2. kafka_dev_cluster: the same topic of 20,000 raw users read from the beginning
#    with kconsume, eight times.
source "$(dirname "$0")/pipeline_lib.sh"
n=20000
# minflt PID: the process's minor page faults so far (field 10 of /proc/PID/stat).
minflt() { awk '{print $10}' "/proc/$1/stat"; }
# expect_reuse WHAT DATA_FILE FIRST REPEAT...
expect_reuse() {
  local what=$1 pages=$(($(stat -c %s "$2") / 4096)) first=$3 sum=0 r
  shift 3
  for r in "$@"; do sum=$((sum + r)); done
  echo "$what: page faults $first, then $* (the data: $pages pages)"
  ((first * 16 >= pages)) || fail "$what: the first round faulted in only $first pages: the test measures nothing"
  ((sum * 8 < pages * $#)) || fail "$what: the repeats faulted in $((sum / $#)) pages on average: freed memory went back to the kernel"
}

rufetch --synthetic --seed 29 --count $n >"$T/raw.ndjson"
uxform -q -p created_users <"$T/raw.ndjson" >"$T/flat.ndjson"

cql_start
f=()
for i in 1 2 3 4 5; do
  a=$(minflt "$CQL_SERVER_PID")
  timeout 120 cqlwrite -H "$CQL_HOSTS" -k "$KS" -t load$i --create -q <"$T/flat.ndjson" || fail "cqlwrite: exit $?"
  f+=($(($(minflt "$CQL_SERVER_PID") - a)))
  /usr/bin/python3 - "$KS.load$i" <<'PY' || fail "cannot drop $KS.load$i"
import os, sys
from cassandra.cluster import Cluster
h, p = os.environ["CQL_HOSTS"].split(",")[0].rsplit(":", 1)
c = Cluster([h], port=int(p))
c.connect().execute("DROP TABLE " + sys.argv[1])
c.shutdown()
PY
done
expect_reuse cql_test_server "$T/flat.ndjson" "${f[@]}"

kafka_start --dev raw:8
timeout 120 kproduce -q -b "$KAFKA_BROKERS" -t raw -k login.uuid <"$T/raw.ndjson" || fail "kproduce: exit $?"
f=()
for i in 1 2 3 4 5 6 7 8; do
  a=$(minflt "$KAFKA_DEV_PID")
  got=$(timeout 120 kconsume -q -b "$KAFKA_BROKERS" -t raw -e -o beginning | wc -l)
  f+=($(($(minflt "$KAFKA_DEV_PID") - a)))
  [[ $got == "$n" ]] || fail "kconsume read $got of $n records"
done
expect_reuse kafka_dev_cluster "$T/raw.ndjson" "${f[@]}"
echo "ok: both services reuse the memory they freed"
