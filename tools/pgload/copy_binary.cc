// COPY binary format (PostgreSQL docs, "COPY", section "Binary Format": the 11-byte
// signature, int32 flags, int32 header extension length; per tuple an int16 field
// count, then per field an int32 length, -1 for NULL, and the value in its type's
// send format; the trailer is a field count of -1). Send formats (src/backend/utils/
// adt/*.c, the *send functions): integers and IEEE floats big-endian, bool one byte,
// uuid its 16 bytes, timestamp/timestamptz int64 microseconds since 2000-01-01
// 00:00:00 (UTC for timestamptz), date int32 days since 2000-01-01. The parsers here
// accept only spellings whose value is certain (see copy_binary.h); the rest is left
// to the server, in COPY text.
#include "copy_binary.h"

#include <bit>
#include <charconv>
#include <cmath>

#include "common/civil_date.h"
#include "copy_text.h"

namespace airstream::pgload {
namespace {

// Exactly n digits at s[pos], as a number.
bool number(std::string_view s, size_t& pos, size_t n, int64_t& value) {
  if (pos + n > s.size()) return false;
  value = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += n;
  return true;
}

bool is_leap(int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// YYYY-MM-DD at s[pos] with a valid day of month.
bool date_part(std::string_view s, size_t& pos, int64_t& days) {
  int64_t y = 0, m = 0, d = 0;
  if (!number(s, pos, 4, y) || pos >= s.size() || s[pos++] != '-' || !number(s, pos, 2, m) || pos >= s.size() ||
      s[pos++] != '-' || !number(s, pos, 2, d))
    return false;
  static const int kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  if (d > kMonthDays[m - 1] + (m == 2 && is_leap(y) ? 1 : 0)) return false;
  days = days_since_2000(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  return true;
}

}  // namespace

BinType bin_type_for(std::string_view t) {
  if (t == "text" || t == "varchar" || t == "bpchar") return BinType::kText;
  if (t == "int2") return BinType::kInt2;
  if (t == "int4") return BinType::kInt4;
  if (t == "int8") return BinType::kInt8;
  if (t == "float4") return BinType::kFloat4;
  if (t == "float8") return BinType::kFloat8;
  if (t == "bool") return BinType::kBool;
  if (t == "uuid") return BinType::kUuid;
  if (t == "json") return BinType::kJson;
  if (t == "jsonb") return BinType::kJsonb;
  if (t == "timestamptz") return BinType::kTimestamptz;
  if (t == "timestamp") return BinType::kTimestamp;
  if (t == "date") return BinType::kDate;
  return BinType::kNone;
}

bool put_float_field(std::string& out, std::string_view text, bool float4) {
  double value = 0;
  float value4 = 0;
  if (!special_float(text, value)) {
    std::string_view t = text;
    if (!t.empty() && t.front() == '+') t.remove_prefix(1);
    if (t.empty() || t.front() == '+') return false;
    const char* end = t.data() + t.size();
    auto r = float4 ? std::from_chars(t.data(), end, value4) : std::from_chars(t.data(), end, value);
    if (r.ec != std::errc() || r.ptr != end) return false;
    if (float4) value = value4;
    // Overflow and underflow to zero are errors in PostgreSQL's float input.
    if (std::isinf(value)) return false;
    if (value == 0) {
      for (char c : t.substr(0, t.find_first_of("eE")))
        if (c >= '1' && c <= '9') return false;
    }
  }
  if (float4) {
    put_i32(out, 4);
    put_u32(out, std::bit_cast<uint32_t>(static_cast<float>(value)));
  } else {
    put_i32(out, 8);
    put_u64(out, std::bit_cast<uint64_t>(value));
  }
  return true;
}

bool put_uuid_field(std::string& out, std::string_view uuid) {
  unsigned char bytes[16];
  if (!uuid_bytes(uuid, bytes)) return false;
  put_field(out, std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
  return true;
}

int64_t days_since_2000(int64_t y, unsigned m, unsigned d) {
  return days_from_civil(y, m, d) - days_from_civil(2000, 1, 1);
}

bool parse_iso_date(std::string_view s, int32_t& days) {
  size_t pos = 0;
  int64_t d = 0;
  if (!date_part(s, pos, d) || pos != s.size()) return false;
  days = static_cast<int32_t>(d);
  return true;
}

bool parse_iso_timestamp(std::string_view s, bool with_zone, bool local_is_utc, int64_t& micros) {
  size_t p = 0;
  int64_t days = 0, h = 0, mi = 0, sec = 0, frac = 0, offset = 0;
  bool zone = false;
  if (!date_part(s, p, days)) return false;
  if (p < s.size()) {
    if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') return false;
    p++;
    if (!number(s, p, 2, h) || p >= s.size() || s[p++] != ':' || !number(s, p, 2, mi)) return false;
    if (p < s.size() && s[p] == ':') {
      p++;
      if (!number(s, p, 2, sec)) return false;
      if (p < s.size() && s[p] == '.') {
        p++;
        size_t n = 0;
        while (p < s.size() && s[p] >= '0' && s[p] <= '9' && n < 7) frac = frac * 10 + (s[p++] - '0'), n++;
        if (n == 0 || n > 6) return false;  // more digits: the server rounds them
        for (; n < 6; n++) frac *= 10;
      }
    }
    if (h > 23 || mi > 59 || sec > 59) return false;
    if (p < s.size() && (s[p] == 'Z' || s[p] == 'z')) {
      p++;
      zone = true;
    } else if (p < s.size() && (s[p] == '+' || s[p] == '-')) {
      int64_t sign = s[p++] == '-' ? -1 : 1, oh = 0, om = 0;
      if (!number(s, p, 2, oh)) return false;
      bool colon = p < s.size() && s[p] == ':';
      if (colon) p++;
      if ((colon || p < s.size()) && !number(s, p, 2, om)) return false;
      if (oh > 15 || om > 59) return false;
      offset = sign * (oh * 3600 + om * 60);
      zone = true;
    }
    if (p != s.size()) return false;
  }
  if (with_zone && !zone && !local_is_utc) return false;
  if (!with_zone) offset = 0;
  micros = ((days * 86400 + h * 3600 + mi * 60 + sec) - offset) * 1000000 + frac;
  return true;
}

bool is_utc_zone_name(std::string_view name) {
  static const char* const kUtc[] = {"utc",     "etc/utc",   "gmt",       "etc/gmt",       "uct",
                                     "etc/uct", "universal", "zulu",      "etc/universal", "etc/zulu",
                                     "gmt0",    "etc/gmt0",  "greenwich", "etc/greenwich"};
  for (const char* z : kUtc)
    if (iequals(name, z)) return true;
  return false;
}

}  // namespace airstream::pgload
