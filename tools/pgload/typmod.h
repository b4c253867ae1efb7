// Type modifiers and silent server-side changes: PostgreSQL takes some values into a
// column and stores something else without an error. character varying(n) and
// character(n) cut trailing spaces beyond n and pad short values; timestamp(p),
// time(p) and their zone variants round a finer fraction of a second (p is 6 when
// not given); timestamp and time without time zone drop a UTC offset; date drops a
// time of day; money rounds to the currency's fraction digits. TypeLimits says what
// a column's type keeps, and the checks here refuse, with the reason, a value the
// column would change, so that no value is stored differently from its input.
#pragma once

#include <string>
#include <string_view>

namespace airstream::pgload {

enum class TimeKind { kNone, kTimestamp, kTimestamptz, kDate, kTime, kTimetz };

struct TypeLimits {
  std::string type_sql;  // the (base) type as format_type() spells it, for messages
  int max_chars = -1;    // varchar(n), char(n): n characters; -1: no limit
  bool fixed = false;    // char(n): exactly n characters (shorter ones are padded)
  TimeKind time = TimeKind::kNone;
  int frac_digits = 6;   // time kinds: digits of a second's fraction kept
  int money_scale = -1;  // money: fraction digits kept; -1: not money
  bool checks() const { return max_chars >= 0 || time != TimeKind::kNone || money_scale >= 0; }
};

// The limits of a column whose (domain base) type is typname with modifier typmod
// (pg_attribute.atttypmod, or the domain's typtypmod; -1: none). type_sql is kept
// for messages. money_scale: the server's money fraction digits (lc_monetary).
TypeLimits type_limits(std::string_view typname, int typmod, std::string type_sql, int money_scale);

// A text value for a character column: false (and error) when it is longer than
// n characters (even if only by spaces, which the server would cut) or, for
// char(n), shorter (the server would pad it).
bool text_fits(std::string_view s, const TypeLimits& limits, std::string& error);

// A date/time value given as text in ISO-8601 form (yyyy-mm-dd[Thh:mm[:ss[.f]]][zone]
// or, for time columns, hh:mm[:ss[.f]][zone]): false (and error) when the column
// would round its fraction, drop its time of day or drop its UTC offset. Text in
// other forms is left to the server.
bool datetime_fits(std::string_view s, const TypeLimits& limits, std::string& error);

}  // namespace airstream::pgload
