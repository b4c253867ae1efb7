// One scanner for ISO-8601 date and time text (ISO 8601-1:2019, the calendar date
// YYYY-MM-DD, the time of day hh:mm[:ss[,f]] and the UTC offset; RFC 3339 section
// 5.6 is the profile most JSON producers write). It reads the fields as written and
// checks nothing a caller may want to decide: whether a year may have a sign or more
// than four digits, the ranges of hours and seconds, how many fraction digits are
// kept, which offsets a zone may have. The callers hold those rules: cqlwrite's CQL
// codec (Cassandra's timestamp, date and time), pgload's COPY binary timestamps and
// dates (PostgreSQL's send formats) and type-modifier checks (what PostgreSQL's input
// functions would change), the Avro logical types' text forms, and uxform's date
// functions (also kconsume's --offset times).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace airstream::iso8601 {

// Exactly n ASCII digits at s[pos] (n <= 18), as a number; pos moves past them.
inline bool digits(std::string_view s, size_t& pos, size_t n, int64_t& value) {
  if (n > s.size() || pos > s.size() - n) return false;
  int64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  value = v;
  pos += n;
  return true;
}

// A calendar date as written: [-]YYYY-MM-DD. Month and day are not range-checked
// (valid_date does that).
struct Date {
  bool negative = false;  // a '-' before the year
  int64_t year = 0;       // with its sign; beyond 18 digits, not the year (check year_digits)
  size_t year_digits = 0;
  int month = 0, day = 0;
};

struct DateForm {
  bool sign = false;           // a '-' before the year may be given
  size_t max_year_digits = 4;  // 4: exactly four digits; more: years past 9999 too
};

// The date at s[pos], in the given form; pos moves past it.
inline bool scan_date(std::string_view s, size_t& pos, Date& d, DateForm form = {}) {
  size_t p = pos;
  d = Date{};
  if (form.sign && p < s.size() && s[p] == '-') {
    d.negative = true;
    p++;
  }
  int64_t y = 0;
  if (!digits(s, p, 4, y)) return false;
  size_t n = 4;
  while (n < form.max_year_digits && p < s.size() && s[p] >= '0' && s[p] <= '9') {
    if (n < 18) y = y * 10 + (s[p] - '0');
    p++;
    n++;
  }
  int64_t m = 0, day = 0;
  if (p >= s.size() || s[p] != '-' || !digits(s, ++p, 2, m) || p >= s.size() || s[p] != '-' || !digits(s, ++p, 2, day))
    return false;
  d.year = d.negative ? -y : y;
  d.year_digits = n;
  d.month = static_cast<int>(m);
  d.day = static_cast<int>(day);
  pos = p;
  return true;
}

// True for a leap year of the proleptic Gregorian calendar (any sign).
constexpr bool leap_year(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// Month 1..12 and a day that month has.
inline bool valid_date(const Date& d) {
  static constexpr int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (d.month < 1 || d.month > 12 || d.day < 1) return false;
  return d.day <= kMonthDays[d.month - 1] + (d.month == 2 && leap_year(d.year) ? 1 : 0);
}

// A time of day as written: hh:mm[:ss[(.|,)f...]]. Not range-checked.
struct Time {
  int hour = 0, minute = 0, second = 0;
  bool has_second = false;
  char frac_sep = 0;      // '.' or ',' when a fraction follows the seconds, else 0
  std::string_view frac;  // the fraction's digits as written (empty after a bare separator)
};

// The time at s[pos]; pos moves past it.
inline bool scan_time(std::string_view s, size_t& pos, Time& t) {
  size_t p = pos;
  int64_t h = 0, m = 0, sec = 0;
  t = Time{};
  if (!digits(s, p, 2, h) || p >= s.size() || s[p] != ':' || !digits(s, ++p, 2, m)) return false;
  if (p < s.size() && s[p] == ':') {
    if (!digits(s, ++p, 2, sec)) return false;
    t.has_second = true;
    if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
      t.frac_sep = s[p];
      size_t start = ++p;
      while (p < s.size() && s[p] >= '0' && s[p] <= '9') p++;
      t.frac = s.substr(start, p - start);
    }
  }
  t.hour = static_cast<int>(h);
  t.minute = static_cast<int>(m);
  t.second = static_cast<int>(sec);
  pos = p;
  return true;
}

// True if s[pos] separates a date from a time ('T', 't' or ' ') and a digit follows.
inline bool time_follows(std::string_view s, size_t pos) {
  return pos + 1 < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ') && s[pos + 1] >= '0' &&
         s[pos + 1] <= '9';
}

// The fraction's digits as a count of 10^-n seconds (n = 3: ms, 6: us, 9: ns), the
// digits past the n-th dropped: false (and value unset) if one of them is not zero.
inline bool fraction(std::string_view frac, int n, int64_t& value) {
  int64_t v = 0;
  int k = 0;
  for (char c : frac) {
    if (k < n) {
      v = v * 10 + (c - '0');
      k++;
    } else if (c != '0') {
      return false;
    }
  }
  for (; k < n; k++) v *= 10;
  value = v;
  return true;
}

// A UTC offset that is all of z: "Z" or "z" (zero), +hh, +hh:mm or +hhmm (or '-').
// Hours and minutes are not range-checked.
struct Offset {
  bool designator = false;  // Z
  int sign = 1;
  int hours = 0, minutes = 0;
  int64_t seconds() const { return sign * (hours * 3600 + minutes * 60); }
};
bool parse_offset(std::string_view z, Offset& o);

}  // namespace airstream::iso8601
