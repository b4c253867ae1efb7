#!/usr/bin/env bash
# Registry Avro straight into PostgreSQL: pgload --from-kafka -s value=avro (and
# --value-format avro --registry) reads what kproduce encoded and what Apache Avro's
# Python library encoded (two versions of a subject: a field added with a default),
# decodes each message to the record its mapping sees, as the subject's latest
# version (the first version's records stored with the added field's default) or as a
# fixed --reader-schema (the second version's added field dropped), and stores every
# value as it was given (read back with psql). Messages that cannot be decoded are rejected with
# topic, partition, offset and reason and are committed like stored ones; a registry
# that answers 503 ends the run with 75 and commits nothing. The registry and the
# format also come from --config ([airstream] registry, [pgload] value-format). Setup:
# tests/avro_sinks_lib.sh (400 records, scaled down to stay well under 60 s).
source "$(dirname "$0")/avro_sinks_lib.sh"
source "$AIRSTREAM_SRC/tests/lib/pg.sh"
pg_start
avro_topics
P=(pgload -b "$KAFKA_BROKERS" "${KX[@]}" --commit-interval 200ms -e)
rows() { /usr/bin/python3 "$AV/sink_rows.py" "$@"; }
pg_psql -c "create table created_users (id uuid primary key, first_name text, last_name text, gender text,
  address text, post_code text, email text, username text, dob text, registered_date text, phone text, picture text)"
pg_psql -c "create table accounts (id uuid primary key, name text, age int, born date, registered timestamptz,
  balance numeric(12,2), score double precision, country text)"
pg_psql -c "create table accounts2 (like accounts)"
pg_psql -c "create table accounts3 (like accounts)"

# kproduce's Avro, the undecodable messages among it.
run timeout 60 "${P[@]}" -t created_users --from-kafka "$TOPIC" -g gu -s value=avro -r "$REGISTRY_URL" \
  --reject-file "$T/rej" 2>"$T/err"
[[ $RC == 1 ]] || fail "users: exit $RC, want 1 (three rejects): $(tail -n 5 "$T/err")"
check_rejects "$T/rej"
rows want "$USER_COLS" "$T/cu" >"$T/want"
rows pg "$USER_COLS" created_users >"$T/have"
same_rows "created_users" "$T/want" "$T/have"
[[ $(committed "$TOPIC" gu) == $((N + 3)) ]] || fail "committed $(committed "$TOPIC" gu), want $((N + 3))"

# python3-avro's records, two schema versions; the registry and the format from --config.
printf '[airstream]\nregistry = "%s"\n[pgload]\nvalue-format = avro\n' "$REGISTRY_URL" >"$T/conf"
run timeout 60 "${P[@]}" -t accounts --from-kafka "$EVO" -g ga --config "$T/conf" 2>"$T/err"
[[ $RC == 0 ]] || fail "accounts: exit $RC: $(tail -n 5 "$T/err")"
rows want "$ACCOUNT_COLS" "$T/accounts_v1_as_v2" "$AV/accounts_v2.ndjson" >"$T/want"
rows pg "$ACCOUNT_COLS" accounts >"$T/have"
same_rows "accounts" "$T/want" "$T/have"

# Read as the first version (a fixed reader schema): the second's added field dropped.
run timeout 60 "${P[@]}" -t accounts3 --from-kafka "$EVO" -g g3 --config "$T/conf" --reader-schema "$AV/accounts.avsc" \
  2>"$T/err"
[[ $RC == 0 ]] || fail "accounts as v1: exit $RC: $(tail -n 5 "$T/err")"
rows want "$ACCOUNT_COLS" "$AV/accounts_v1.ndjson" <(/usr/bin/python3 -c '
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(l); r.pop("country"); print(json.dumps(r))' "$AV/accounts_v2.ndjson") >"$T/want"
rows pg "$ACCOUNT_COLS" accounts3 >"$T/have"
same_rows "accounts as v1" "$T/want" "$T/have"

# The registry down: 75 after the retries, nothing stored, nothing committed.
registry_fault 503
run timeout 60 "${P[@]}" -t accounts2 --from-kafka "$EVO" -g gdown -s value=avro -r "$REGISTRY_URL" 2>"$T/err"
registry_fault none
[[ $RC == 75 ]] || fail "registry down: exit $RC, want 75: $(tail -n 3 "$T/err")"
grep -q "schema registry.*503" "$T/err" || fail "registry down: $(tail -n 3 "$T/err")"
[[ $(committed "$EVO" gdown) == 0 && $(pg_psql -c "select count(*) from accounts2") == 0 ]] ||
  fail "registry down: something stored or committed"

# Avro needs --from-kafka; keys are not stored.
run pgload -t accounts -s value=avro -r "$REGISTRY_URL" </dev/null 2>"$T/err"
[[ $RC == 64 ]] && grep -q "need --from-kafka" "$T/err" || fail "-s without --from-kafka: exit $RC: $(cat "$T/err")"
run "${P[@]}" -t accounts --from-kafka "$EVO" -s key=avro -r "$REGISTRY_URL" 2>"$T/err"
[[ $RC == 64 ]] || fail "-s key=avro: exit $RC, want 64: $(cat "$T/err")"
echo "all checks passed"
