// The ISO-8601 scanner (iso8601.h): calendar dates, times of day and UTC offsets read
// field by field from their text, one character at a time, without allocating.
#include "common/time/iso8601.h"

namespace airstream::iso8601 {

bool scan_date(std::string_view s, size_t& pos, Date& d, DateForm form) {
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

bool valid_date(const Date& d) {
  static const int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (d.month < 1 || d.month > 12 || d.day < 1) return false;
  return d.day <= kMonthDays[d.month - 1] + (d.month == 2 && leap_year(d.year) ? 1 : 0);
}

bool scan_time(std::string_view s, size_t& pos, Time& t) {
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

bool fraction(std::string_view frac, int n, int64_t& value) {
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

bool parse_offset(std::string_view z, Offset& o) {
  o = Offset{};
  if (z == "Z" || z == "z") {
    o.designator = true;
    return true;
  }
  if (z.empty() || (z[0] != '+' && z[0] != '-')) return false;
  o.sign = z[0] == '-' ? -1 : 1;
  size_t p = 1;
  int64_t h = 0, m = 0;
  if (!digits(z, p, 2, h)) return false;
  if (p < z.size() && z[p] == ':') p++;
  if ((p < z.size() || z[p - 1] == ':') && !digits(z, p, 2, m)) return false;
  if (p != z.size()) return false;
  o.hours = static_cast<int>(h);
  o.minutes = static_cast<int>(m);
  return true;
}

}  // namespace airstream::iso8601
