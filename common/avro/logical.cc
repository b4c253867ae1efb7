// Text forms of Avro logical types: ISO 8601 dates, times and timestamps at millisecond
// or microsecond precision (a finer fraction is accepted only when its extra digits
// are zeros), and decimals as exact text converted to and from the big-endian two's-
// complement unscaled integer the specification stores (schoolbook base-256
// arithmetic on the digit string; decimals are a few dozen digits at most).
#include "common/avro/logical.h"

#include <cstdio>

#include "common/time/civil_date.h"
#include "common/time/iso8601.h"

namespace airstream::avro {

namespace {

std::string date_part(std::string_view s, int64_t& days) {
  size_t p = 0;
  iso8601::Date d;
  if (!iso8601::scan_date(s, p, d)) return "not a date (YYYY-MM-DD)";
  if (!iso8601::valid_date(d)) return "not a valid calendar date";
  days = days_from_civil(d.year, static_cast<unsigned>(d.month), static_cast<unsigned>(d.day));
  return {};
}

// "HH:MM[:SS[.fraction]]" from s[p...]; sets p past it.
std::string time_part(std::string_view s, size_t& p, int64_t per_second, int64_t& out) {
  iso8601::Time t;
  if (!iso8601::scan_time(s, p, t)) return "not a time of day (HH:MM:SS)";
  if (t.frac_sep == ',') {  // not a fraction here: what follows the seconds
    p -= t.frac.size() + 1;
    t.frac = {};
  } else if (t.frac_sep == '.' && t.frac.empty()) {
    return "not a time of day (no digits after '.')";
  }
  int64_t frac = 0;
  if (!iso8601::fraction(t.frac, per_second == 1000 ? 3 : 6, frac))
    return per_second == 1000 ? "more precise than milliseconds" : "more precise than microseconds";
  int h = t.hour, mi = t.minute, sec = t.second;
  if (h > 23 || mi > 59 || sec > 59) return "not a valid time of day";
  out = (h * 3600 + mi * 60 + sec) * per_second + frac;
  return {};
}

void two(std::string& out, int v) {
  out.push_back(static_cast<char>('0' + v / 10));
  out.push_back(static_cast<char>('0' + v % 10));
}

int64_t floor_div(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0);
}

// Two's-complement negation of a big-endian integer, in place.
void negate(std::string& mag) {
  int carry = 1;
  for (size_t i = mag.size(); i-- > 0;) {
    int v = (~static_cast<unsigned char>(mag[i]) & 0xff) + carry;
    mag[i] = static_cast<char>(v & 0xff);
    carry = v >> 8;
  }
}

}  // namespace

std::string parse_date(std::string_view s, int32_t& days) {
  int64_t d;
  if (std::string e = date_part(s, d); !e.empty()) return e;
  if (s.size() != 10) return "not a date (YYYY-MM-DD)";
  days = static_cast<int32_t>(d);
  return {};
}

std::string parse_time_of_day(std::string_view s, int64_t per_second, int64_t& out) {
  size_t p = 0;
  if (std::string e = time_part(s, p, per_second, out); !e.empty()) return e;
  if (p != s.size()) return "not a time of day (HH:MM:SS)";
  return {};
}

std::string parse_timestamp(std::string_view s, int64_t per_second, bool local, int64_t& out) {
  int64_t days;
  if (std::string e = date_part(s, days); !e.empty()) return "not an ISO 8601 timestamp";
  int64_t tod = 0, offset_min = 0;
  size_t p = 10;
  if (p < s.size()) {
    if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') return "not an ISO 8601 timestamp";
    p++;
    if (std::string e = time_part(s, p, per_second, tod); !e.empty()) return e;
    if (p < s.size()) {
      if (local) return "a local timestamp takes no UTC offset";
      std::string_view z = s.substr(p);
      iso8601::Offset o;
      if (!iso8601::parse_offset(z, o))
        return z[0] == '+' || z[0] == '-' ? "not an ISO 8601 timestamp (bad UTC offset)" : "not an ISO 8601 timestamp";
      if (o.hours > 23 || o.minutes > 59) return "not an ISO 8601 timestamp (bad UTC offset)";
      offset_min = o.seconds() / 60;
      p = s.size();
    }
  }
  if (p != s.size()) return "not an ISO 8601 timestamp";
  out = (days * 86400 - offset_min * 60) * per_second + tod;
  return {};
}

void format_date(int64_t days, std::string& out) {
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  out.append(buf, static_cast<size_t>(n));
}

void format_time_of_day(int64_t v, int64_t per_second, std::string& out) {
  int64_t secs = floor_div(v, per_second), frac = v - secs * per_second;
  two(out, static_cast<int>(secs / 3600 % 100));
  out.push_back(':');
  two(out, static_cast<int>(secs / 60 % 60));
  out.push_back(':');
  two(out, static_cast<int>(secs % 60));
  out.push_back('.');
  std::string f = std::to_string(frac);
  out.append((per_second == 1000 ? 3 : 6) - f.size(), '0');
  out += f;
}

bool format_timestamp(int64_t v, int64_t per_second, bool local, std::string& out) {
  int64_t secs = floor_div(v, per_second);
  int64_t days = floor_div(secs, 86400);
  int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  if (y < 0 || y > 9999) return false;
  format_date(days, out);
  out.push_back('T');
  format_time_of_day(v - days * 86400 * per_second, per_second, out);
  if (!local) out.push_back('Z');
  return true;
}

std::string decimal_to_bytes(std::string_view text, int precision, int scale, size_t width, std::string& bytes) {
  size_t p = 0;
  bool negative = false;
  if (p < text.size() && (text[p] == '-' || text[p] == '+')) negative = text[p++] == '-';
  std::string digits_;
  int frac_digits = 0;
  bool any = false, point = false;
  for (; p < text.size(); p++) {
    char c = text[p];
    if (c >= '0' && c <= '9') {
      digits_.push_back(c);
      any = true;
      if (point) frac_digits++;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      break;
    }
  }
  if (!any) return "not a decimal number";
  int64_t exp = 0;
  if (p < text.size() && (text[p] == 'e' || text[p] == 'E')) {
    p++;
    bool eneg = false;
    if (p < text.size() && (text[p] == '-' || text[p] == '+')) eneg = text[p++] == '-';
    size_t start = p;
    for (; p < text.size() && text[p] >= '0' && text[p] <= '9'; p++) {
      if (exp < 100000) exp = exp * 10 + (text[p] - '0');
    }
    if (p == start) return "not a decimal number";
    if (eneg) exp = -exp;
  }
  if (p != text.size()) return "not a decimal number";
  // unscaled = digits * 10^(exp + scale - frac_digits)
  int64_t shift = exp + scale - frac_digits;
  if (shift < 0) {
    for (int64_t i = 0; i < -shift; i++) {
      if (digits_.empty()) break;
      if (digits_.back() != '0') return "has more fraction digits than the decimal's scale " + std::to_string(scale);
      digits_.pop_back();
    }
  } else {
    size_t first = digits_.find_first_not_of('0');
    if (first != std::string::npos && shift > precision) return "has more digits than the decimal's precision";
    if (first != std::string::npos) digits_.append(static_cast<size_t>(shift), '0');
  }
  size_t first = digits_.find_first_not_of('0');
  digits_ = first == std::string::npos ? "" : digits_.substr(first);
  if (static_cast<int64_t>(digits_.size()) > precision)
    return "has more digits than the decimal's precision " + std::to_string(precision);
  // Decimal digits to big-endian magnitude.
  std::string mag;  // big-endian
  for (char c : digits_) {
    int carry = c - '0';
    for (size_t i = mag.size(); i-- > 0;) {
      int v = static_cast<unsigned char>(mag[i]) * 10 + carry;
      mag[i] = static_cast<char>(v & 0xff);
      carry = v >> 8;
    }
    while (carry) {
      mag.insert(mag.begin(), static_cast<char>(carry & 0xff));
      carry >>= 8;
    }
  }
  // Two's complement, shortest form with room for the sign bit.
  if (mag.empty() || (static_cast<unsigned char>(mag[0]) & 0x80)) mag.insert(mag.begin(), '\0');
  if (negative && digits_.size()) negate(mag);
  // Drop redundant sign bytes.
  while (mag.size() > 1 && ((mag[0] == 0 && !(mag[1] & 0x80)) || (mag[0] == '\xff' && (mag[1] & 0x80))))
    mag.erase(0, 1);
  if (width) {
    if (mag.size() > width) return "does not fit the decimal's " + std::to_string(width) + " bytes";
    mag.insert(0, width - mag.size(), (mag[0] & 0x80) ? '\xff' : '\0');
  }
  bytes = std::move(mag);
  return {};
}

void decimal_from_bytes(std::string_view bytes, int scale, std::string& out) {
  std::string mag(bytes);
  bool negative = !mag.empty() && (mag[0] & 0x80);
  if (negative) negate(mag);
  std::string dec;  // reversed decimal digits
  size_t start = 0;
  while (start < mag.size()) {
    int rem = 0;
    for (size_t i = start; i < mag.size(); i++) {
      int v = rem * 256 + static_cast<unsigned char>(mag[i]);
      mag[i] = static_cast<char>(v / 10);
      rem = v % 10;
    }
    dec.push_back(static_cast<char>('0' + rem));
    while (start < mag.size() && mag[start] == 0) start++;
  }
  while (dec.size() <= static_cast<size_t>(scale)) dec.push_back('0');
  if (negative) out.push_back('-');
  for (size_t i = dec.size(); i-- > 0;) {
    out.push_back(dec[i]);
    if (i == static_cast<size_t>(scale) && scale > 0) out.push_back('.');
  }
}

}  // namespace airstream::avro
