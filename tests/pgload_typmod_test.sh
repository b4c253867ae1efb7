#!/usr/bin/env bash
# pgload and the values PostgreSQL changes without an error (issue 17: no value is
# stored differently from its input without a reject): varchar(n) and char(n) cut
# trailing spaces beyond n (char(n) pads short values), timestamp(p)/time(p) round
# a finer fraction (p is 6 when not given), timestamp and time without time zone
# drop a UTC offset, date drops a time of day, money rounds to its fraction digits,
# and a domain keeps its base type's modifier. Each such value is a reject naming
# the column, the type and the reason; the values at the limits are stored exactly,
# in both COPY formats.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/pg.sh"
pg_test_setup

# Line i has id i; the bad lines are the even ones.
cat >in.ndjson <<'JSON'
{"id":1,"vc":"abcde","ch":"ab   ","tag":"x"}
{"id":2,"vc":"abcde  "}
{"id":3,"vc":"äöüßé","ch":"éééé "}
{"id":4,"ch":"ab"}
{"id":5,"ts0":"2020-01-01T00:00:01.000","tz1":"2020-01-01T05:00:00.5+05:00","t0":"12:00:00"}
{"id":6,"ts0":"2020-01-01T00:00:00.7"}
{"id":7,"ts":"2020-01-01T00:00:00.123456Z","tz":"2020-01-01 00:00:00.1234560+00"}
{"id":8,"ts":"2020-01-01T00:00:00.1234567Z"}
{"id":9,"ts":"2020-01-01T10:00:00+00:00","t":"10:00:00Z"}
{"id":10,"ts":"2020-01-01T10:00:00+05:00"}
{"id":11,"d":"2020-01-01","d2":"2020-01-02T00:00:00.000Z"}
{"id":12,"d":"2020-01-01T12:00:00Z"}
{"id":13,"mo":1.23,"dn":"1.20"}
{"id":14,"mo":1.234}
{"id":15,"tz1":"2020-01-01T00:00:00.25Z"}
{"id":16,"dn":1.239}
{"id":17,"t0":"12:00:00.6"}
{"id":18,"t":"10:00:00+05"}
{"id":19,"vc":12345}
{"id":20,"vc":123456}
JSON
for format in text auto; do
  pg_psql -c "drop table if exists t; drop domain if exists d2; create domain d2 as numeric(6,2);
    create table t (id bigint primary key, vc varchar(5), ch char(5), tag char, ts0 timestamp(0),
      tz1 timestamptz(1), t0 time(0), ts timestamp, tz timestamptz, t time, d date, d2 date, mo money, dn d2)"
  set +e
  PGTZ=UTC pgload -t t --format "$format" --reject-file rej.ndjson in.ndjson 2>err.txt
  rc=$?
  set -e
  check "$format: exit" "$rc" 1
  check "$format: reject lines" "$(jq -r .line rej.ndjson | tr '\n' ' ')" "2 4 6 8 10 12 14 15 16 17 18 20 "
  reason() { jq -r "select(.line == $1) | .error" rej.ndjson; }
  starts() { [[ "$2" == "$3"* ]] || fail "$1: expected '$3...', got '$2'"; }
  check "$format: varchar spaces" "$(reason 2)" \
    'vc: value "abcde  " is 7 characters, longer than character varying(5) holds (the server would cut its trailing spaces)'
  check "$format: char pad" "$(reason 4)" 'ch: value "ab" is 2 characters, shorter than character(5) (the server would pad it with spaces)'
  check "$format: timestamp(0)" "$(reason 6)" \
    "ts0: value \"2020-01-01T00:00:00.7\" has 1 digits of a second's fraction, more than timestamp(0) without time zone keeps (0; it would be rounded)"
  check "$format: timestamp 7 digits" "$(reason 8)" \
    "ts: value \"2020-01-01T00:00:00.1234567Z\" has 7 digits of a second's fraction, more than timestamp without time zone keeps (6; it would be rounded)"
  check "$format: naive offset" "$(reason 10)" \
    'ts: value "2020-01-01T10:00:00+05:00" has the time zone "+05:00", which timestamp without time zone drops (give the time in UTC, or use a type with time zone)'
  check "$format: date" "$(reason 12)" 'd: value "2020-01-01T12:00:00Z" has a time of day, which a date column drops'
  check "$format: money" "$(reason 14)" "mo: value 1.234 has more digits after the decimal point than money keeps (2; it would be rounded)"
  starts "$format: timestamptz(1)" "$(reason 15)" 'tz1: value "2020-01-01T00:00:00.25Z" has 2 digits'
  check "$format: domain" "$(reason 16)" \
    "dn: value 1.239 has more digits after the decimal point than the column's scale (would be rounded) for numeric(6,2)"
  starts "$format: time(0)" "$(reason 17)" 't0: value "12:00:00.6" has 1 digits'
  starts "$format: naive time offset" "$(reason 18)" 't: value "10:00:00+05" has the time zone "+05"'
  check "$format: number into varchar(5)" "$(reason 20)" 'vc: value "123456" is 6 characters, longer than character varying(5) holds'
  check "$format: stored" "$(pg_psql -c "select id, vc, ch, tag, ts0, tz1, t0, ts, tz, t, d, d2, mo::numeric, dn
      from t order by id" | tr '\n' ' ')" \
    "1|abcde|ab   |x|||||||||| 3|äöüßé|éééé ||||||||||| 5||||2020-01-01 00:00:01|2020-01-01 00:00:00.5+00|12:00:00||||||| 7|||||||2020-01-01 00:00:00.123456|2020-01-01 00:00:00.123456+00||||| 9|||||||2020-01-01 10:00:00||10:00:00|||| 11||||||||||2020-01-01|2020-01-02|| 13||||||||||||1.23|1.20 19|12345|||||||||||| "
done
echo "ok"
