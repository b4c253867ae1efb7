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

#include "common/time/civil_date.h"
#include "common/time/iso8601.h"
#include "copy_text.h"

namespace airstream::pgload {
namespace {

// YYYY-MM-DD at s[pos]: a year of four digits from 1 on, a day its month has.
bool date_part(std::string_view s, size_t& pos, int64_t& days) {
  iso8601::Date d;
  if (!iso8601::scan_date(s, pos, d) || d.year < 1 || !iso8601::valid_date(d)) return false;
  days = days_since_2000(d.year, static_cast<unsigned>(d.month), static_cast<unsigned>(d.day));
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
  int64_t days = 0, frac = 0, offset = 0;
  iso8601::Time t;
  bool zone = false;
  if (!date_part(s, p, days)) return false;
  if (p < s.size()) {
    if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') return false;
    if (!iso8601::scan_time(s, ++p, t)) return false;
    // A fraction of one to six digits after '.': more, the server would round them.
    if (t.frac_sep == ',' || (t.frac_sep == '.' && (t.frac.empty() || t.frac.size() > 6))) return false;
    iso8601::fraction(t.frac, 6, frac);
    if (t.hour > 23 || t.minute > 59 || t.second > 59) return false;
    if (p < s.size()) {
      iso8601::Offset o;
      if (!iso8601::parse_offset(s.substr(p), o) || o.hours > 15 || o.minutes > 59) return false;
      offset = o.seconds();
    }
    zone = p < s.size();
  }
  if (with_zone && !zone && !local_is_utc) return false;
  if (!with_zone) offset = 0;
  micros = ((days * 86400 + t.hour * 3600 + t.minute * 60 + t.second) - offset) * 1000000 + frac;
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
