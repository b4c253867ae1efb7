#!/usr/bin/env bash
# scripts/demo --avro (issue 20): the whole demo pipeline in registry Avro on the tools
# of this build, 1000 synthetic users: rufetch | uxform -p | kproduce --value-format
# avro (schemas/created_users.avsc, the schema-registry test server) -> Kafka ->
# cqlwrite and pgload --from-kafka -s avro (kconsume -s value=avro | sink while a sink
# reads no Avro itself) -> the CQL test server and PostgreSQL. The
# demo reads both stores back and fails unless every user is in each; here its
# summary must also show no reject and the Avro path taken. Skipped (77) when the
# demo cannot start a service (its exit 69).
source "$AIRSTREAM_SRC/tests/lib/common.sh"
cd "$TMP"
unset KAFKA_BROKERS CQL_HOSTS PGHOST PGPORT PGDATABASE SCHEMA_REGISTRY_URL
run "$AIRSTREAM_SRC/scripts/demo" --avro --no-build --count 1000 >out 2>err
[[ $RC == 69 ]] && skip "the demo could not start a service: $(tail -n 3 err)"
expect_eq "demo --avro exit status ($(tail -n 5 err))" 0 "$RC"
check "Avro summary" grep -q '^airstream demo (Avro)' out
row() { awk -v k="$1" 'index($0, k) { print $NF }' out; }
expect_eq "records flattened" 1000 "$(awk '/records flattened \(uxform\)/ { print $(NF-1) }' out)"
expect_eq "rejects" 0 "$(row 'records rejected (all stages)')"
expect_eq "rows in Cassandra" 1000 "$(row 'rows in spark_streams.created_users')"
expect_eq "rows in PostgreSQL" 1000 "$(row 'rows in PostgreSQL created_users')"
check "schema registry started" grep -q 'schema registry: test server at' err
finish
