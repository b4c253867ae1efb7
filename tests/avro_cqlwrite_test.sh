#!/usr/bin/env bash
# Registry Avro straight into Cassandra: cqlwrite --from-kafka -s value=avro (and
# --value-format avro --registry) reads what kproduce encoded and what Apache Avro's
# Python library encoded (two versions of a subject: a field added with a default),
# decodes each message to the record its mapping sees, as the subject's latest
# version (the first version's records stored with the added field's default), and stores every value as it
# was given (read back with the DataStax driver). Messages that cannot be decoded are
# rejected with topic, partition, offset and reason and are committed like stored
# ones; a registry that answers 503 ends the run with 75, one that cannot be reached
# with 69, and neither commits anything. Setup:
# tests/avro_sinks_lib.sh (400 records, scaled down to stay well under 60 s).
source "$(dirname "$0")/avro_sinks_lib.sh"
cql_start
avro_topics
C=(cqlwrite -H "$CQL_HOSTS" -b "$KAFKA_BROKERS" "${KX[@]}" -k "$KS" --commit-interval 200ms -e)
rows() { /usr/bin/python3 "$AV/sink_rows.py" "$@"; }

# kproduce's Avro, the undecodable messages among it.
run timeout 60 "${C[@]}" -t created_users --create --from-kafka "$TOPIC" -g gu -s value=avro -r "$REGISTRY_URL" \
  --reject-file "$T/rej" 2>"$T/err"
[[ $RC == 1 ]] || fail "users: exit $RC, want 1 (three rejects): $(tail -n 5 "$T/err")"
check_rejects "$T/rej"
rows want "$USER_COLS" "$T/cu" >"$T/want"
rows cql "$USER_COLS" "$KS.created_users" >"$T/have"
same_rows "created_users" "$T/want" "$T/have"
[[ $(committed "$TOPIC" gu) == $((N + 3)) ]] || fail "committed $(committed "$TOPIC" gu), want $((N + 3))"

# python3-avro's records, two schema versions.
run timeout 60 "${C[@]}" -t accounts --create --from-kafka "$EVO" -g ga --value-format avro --registry "$REGISTRY_URL" \
  --schema 'id uuid PRIMARY KEY, name text, age int, born date, registered timestamp, balance decimal, score double, country text' \
  2>"$T/err"
[[ $RC == 0 ]] || fail "accounts: exit $RC: $(tail -n 5 "$T/err")"
rows want "$ACCOUNT_COLS" "$T/accounts_v1_as_v2" "$AV/accounts_v2.ndjson" >"$T/want"
rows cql "$ACCOUNT_COLS" "$KS.accounts" >"$T/have"
same_rows "accounts" "$T/want" "$T/have"

# The registry down: 75 after the retries, nothing stored, nothing committed.
registry_fault 503
run timeout 60 "${C[@]}" -t accounts2 --create --from-kafka "$EVO" -g gdown -s value=avro -r "$REGISTRY_URL" 2>"$T/err"
registry_fault none
[[ $RC == 75 ]] || fail "registry down: exit $RC, want 75: $(tail -n 3 "$T/err")"
grep -q "schema registry.*503" "$T/err" || fail "registry down: $(tail -n 3 "$T/err")"
[[ $(committed "$EVO" gdown) == 0 ]] || fail "registry down: offsets committed"

# No registry listening: 69 after the retries, nothing committed.
run timeout 60 "${C[@]}" -t accounts2 --from-kafka "$EVO" -g gnone -s value=avro -r http://127.0.0.1:1 2>"$T/err"
[[ $RC == 69 ]] || fail "no registry: exit $RC, want 69: $(tail -n 3 "$T/err")"
[[ $(committed "$EVO" gnone) == 0 ]] || fail "no registry: offsets committed"

# Avro needs --from-kafka; keys are not stored.
run cqlwrite -H "$CQL_HOSTS" -k "$KS" -t accounts -s value=avro -r "$REGISTRY_URL" </dev/null 2>"$T/err"
[[ $RC == 64 ]] && grep -q "need --from-kafka" "$T/err" || fail "-s without --from-kafka: exit $RC: $(cat "$T/err")"
run "${C[@]}" -t accounts --from-kafka "$EVO" -s key=avro -r "$REGISTRY_URL" 2>"$T/err"
[[ $RC == 64 ]] || fail "-s key=avro: exit $RC, want 64: $(cat "$T/err")"
echo "all checks passed"
