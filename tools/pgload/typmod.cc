// Checks against PostgreSQL's silent changes by type modifier (typmod.h). The rules
// are the server's input functions: bpchar and varchar (varchar.c: a longer value is
// an error unless the excess is spaces, which are cut; bpchar pads), timestamp,
// timestamptz, time and timetz (AdjustTimestampForTypmod / AdjustTimeForTypmod round
// to the precision), date (date_in drops a time of day) and timestamp/time without
// time zone (their input ignores a zone). Only ISO-8601 spellings are read here (by
// common/time/iso8601.h; the zone by PostgreSQL's rules, names and all); the server
// reads the rest, as it always did.
#include "typmod.h"

#include <cstring>

#include <cctype>

#include "common/time/iso8601.h"

namespace airstream::pgload {
namespace {

bool fail(std::string& error, std::string msg) {
  error = std::move(msg);
  return false;
}

std::string quoted(std::string_view s) {
  std::string out(1, '"');
  out.append(s.substr(0, 60));
  out.append(s.size() > 60 ? "...\"" : "\"");
  return out;
}

size_t utf8_chars(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// What an ISO-8601 date/time text holds.
struct Scan {
  iso8601::Time time;  // all zero when there is none
  bool has_time = false;
  std::string_view zone;  // the zone as written ("" = none)
  bool zone_zero = true;  // the zone is UTC (Z, +00, +00:00, UTC, GMT)
};

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

// The zone after the time: Z, +hh[[:]mm[[:]ss]], or a name. False for anything else.
bool scan_zone(std::string_view s, size_t p, Scan& out) {
  while (p < s.size() && s[p] == ' ') p++;
  std::string_view z = s.substr(p);
  out.zone = z;
  if (z.empty()) return true;
  if (z == "Z" || z == "z") return true;
  if (z[0] == '+' || z[0] == '-') {
    size_t ndigits = 0;
    out.zone_zero = true;
    for (char c : z.substr(1)) {
      if (c == ':') continue;
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
      ndigits++;
      out.zone_zero = out.zone_zero && c == '0';
    }
    return ndigits == 1 || ndigits == 2 || ndigits == 4 || ndigits == 6;
  }
  for (char c : z)
    if (!std::isalpha(static_cast<unsigned char>(c)) && c != '/' && c != '_') return false;
  out.zone_zero = iequals(z, "UTC") || iequals(z, "GMT") || iequals(z, "Etc/UTC");
  return true;
}

// True if no run of digits right after a sep in s is longer than max.
bool digit_runs_fit(std::string_view s, char sep, int max) {
  const char* p = s.data();
  const char* end = s.data() + s.size();
  while (const void* hit = std::memchr(p, sep, static_cast<size_t>(end - p))) {
    p = static_cast<const char*>(hit) + 1;
    const char* q = p;
    while (q < end && *q >= '0' && *q <= '9') q++;
    if (q - p > max) return false;
    p = q;
  }
  return true;
}

// The date (any number of year digits: PostgreSQL reads years past 9999) or time,
// then the zone. Month, day and hour are not checked: the server refuses what is out
// of range, nothing is changed silently.
bool scan(std::string_view s, TimeKind kind, Scan& out) {
  size_t p = 0;
  if (kind != TimeKind::kTime && kind != TimeKind::kTimetz) {
    iso8601::Date d;
    if (!iso8601::scan_date(s, p, d, {.max_year_digits = s.size()})) return false;
    if (p == s.size()) return true;
    if (!iso8601::time_follows(s, p)) return scan_zone(s, p, out);
    p++;
  }
  if (!iso8601::scan_time(s, p, out.time)) return false;
  out.has_time = true;
  return scan_zone(s, p, out);
}

}  // namespace

TypeLimits type_limits(std::string_view t, int typmod, std::string type_sql, int money_scale) {
  TypeLimits l;
  l.type_sql = std::move(type_sql);
  if ((t == "varchar" || t == "bpchar") && typmod >= 4) {
    l.max_chars = typmod - 4;  // VARHDRSZ
    l.fixed = t == "bpchar";
  } else if (t == "timestamp" || t == "timestamptz" || t == "time" || t == "timetz" || t == "date") {
    l.time = t == "timestamp"     ? TimeKind::kTimestamp
             : t == "timestamptz" ? TimeKind::kTimestamptz
             : t == "time"        ? TimeKind::kTime
             : t == "timetz"      ? TimeKind::kTimetz
                                  : TimeKind::kDate;
    l.frac_digits = typmod >= 0 && typmod < 6 ? typmod : 6;
  } else if (t == "money") {
    l.money_scale = money_scale >= 0 ? money_scale : 2;
  }
  return l;
}

bool text_fits(std::string_view s, const TypeLimits& l, std::string& error) {
  if (l.max_chars < 0) return true;
  size_t n = utf8_chars(s);
  size_t max = static_cast<size_t>(l.max_chars);
  if (n > max)
    return fail(error, "value " + quoted(s) + " is " + std::to_string(n) + " characters, longer than " + l.type_sql +
                           " holds" +
                           (s.find_last_not_of(' ') < max ? " (the server would cut its trailing spaces)" : ""));
  if (l.fixed && n < max)
    return fail(error, "value " + quoted(s) + " is " + std::to_string(n) + " characters, shorter than " + l.type_sql +
                           " (the server would pad it with spaces)");
  return true;
}

bool datetime_fits(std::string_view s, const TypeLimits& l, std::string& error) {
  if (l.time == TimeKind::kNone) return true;
  if ((l.time == TimeKind::kTimestamptz || l.time == TimeKind::kTimetz) && digit_runs_fit(s, '.', l.frac_digits) &&
      digit_runs_fit(s, ',', l.frac_digits)) {
    // The zone is kept, so only the fraction could be changed, and it is the run of
    // digits after a '.' or ','. None of them is longer than the column keeps: the
    // full reading below would say the same, more slowly (the common case).
    return true;
  }
  Scan sc;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (!scan(s, l.time, sc)) return true;  // not ISO-8601: the server reads it
  std::string_view frac = sc.time.frac;
  while (!frac.empty() && frac.back() == '0') frac.remove_suffix(1);
  if (l.time == TimeKind::kDate) {
    if (sc.has_time && (sc.time.hour || sc.time.minute || sc.time.second || !frac.empty()))
      return fail(error, "value " + quoted(s) + " has a time of day, which a date column drops");
    return true;
  }
  if (frac.size() > static_cast<size_t>(l.frac_digits))
    return fail(error, "value " + quoted(s) + " has " + std::to_string(frac.size()) +
                           " digits of a second's fraction, more than " + l.type_sql + " keeps (" +
                           std::to_string(l.frac_digits) + "; it would be rounded)");
  if ((l.time == TimeKind::kTimestamp || l.time == TimeKind::kTime) && !sc.zone_zero)
    return fail(error, "value " + quoted(s) + " has the time zone " + quoted(sc.zone) + ", which " + l.type_sql +
                           " drops (give the time in UTC, or use a type with time zone)");
  return true;
}

}  // namespace airstream::pgload
