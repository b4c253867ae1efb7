#!/usr/bin/env bash
# cqlwrite --from-kafka --map COL=PATH: a message whose value lacks a mapped path
# (of the key column or of another one) is rejected with a message naming the path,
# with its topic, partition and offset, and counts as done: the group's offsets are
# committed past it (lag 0) while the good records are stored. A JSON null at the
# path is a value (writes null). Records from files get the same verdict
# (tests/cqlwrite_emulation_test.py, test_map_dotted_path).
source "$(dirname "$0")/pipeline_lib.sh"
cql_start
kafka_start --dev users:2
cqlwrite -q -H "$CQL_HOSTS" -k mk -t t --create --schema 'user_id uuid PRIMARY KEY, first text, city text' \
  </dev/null || fail "create"
U=00000000-0000-4000-8000-0000000000
for i in $(seq 10 39); do
  case $i in
    15) echo '{"login":{"username":"no uuid"},"name":{"first":"x"},"location":{"city":"c"}}' ;;
    20) echo '{"login":{"uuid":"'$U$i'"},"location":{"city":"c"}}' ;;
    25) echo '{"login":{"uuid":"'$U$i'"},"name":{"first":"x"},"location":null}' ;;
    30) echo '{"login":{"uuid":"'$U$i'"},"name":{"first":null},"location":{"city":"c"}}' ;;
    *) echo '{"login":{"uuid":"'$U$i'"},"name":{"first":"n'$i'"},"location":{"city":"c'$i'"}}' ;;
  esac
done >"$T/in.ndjson"
timeout 120 kproduce -q -b "$KAFKA_BROKERS" -t users <"$T/in.ndjson" || fail "kproduce: exit $?"
rc=0
timeout 120 cqlwrite -H "$CQL_HOSTS" -k mk -t t -b "$KAFKA_BROKERS" "${KX[@]}" --from-kafka users -g maps -e \
  --map user_id=login.uuid --map first=name.first --map city=location.city \
  --reject-file "$T/rej.ndjson" 2>"$T/err" || rc=$?
((rc == 1)) || fail "exit $rc, want 1: $(tail -n 5 "$T/err")"
[[ $(wc -l <"$T/rej.ndjson") == 3 ]] || fail "want 3 rejects: $(cat "$T/rej.ndjson")"
for want in 'user_id: no field login.uuid in the record (--map user_id=login.uuid)' \
  'first: no field name.first in the record (--map first=name.first)' \
  'city: no field location.city in the record (--map city=location.city)'; do
  jq -e --arg w "$want" -s 'any(.[]; .error == $w and .topic == "users" and (.partition | type) == "number"
    and (.offset | type) == "number")' "$T/rej.ndjson" >/dev/null || fail "no reject '$want': $(cat "$T/rej.ndjson")"
done
/usr/bin/python3 - <<'PY' || fail "table content"
import os
from cassandra.cluster import Cluster
h, p = os.environ["CQL_HOSTS"].split(",")[0].rsplit(":", 1)
c = Cluster([h], port=int(p))
rows = {str(r.user_id)[-2:]: (r.first, r.city) for r in c.connect().execute("SELECT * FROM mk.t")}
want = {"%d" % i: ("n%d" % i, "c%d" % i) for i in range(10, 40) if i not in (15, 20, 25, 30)}
want["30"] = (None, "c")
if rows != want:
    print("got", sorted(rows.items()), "want", sorted(want.items()))
    raise SystemExit(1)
PY
lag=$(kconsume -b "$KAFKA_BROKERS" -t users -g maps --lag | jq -s 'map(.lag) | add')
[[ $lag == 0 ]] || fail "the group's lag is $lag, want 0: rejected records must be committed past"
echo "cqlwrite_map_kafka_test: ok"
