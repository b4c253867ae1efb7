// COPY text-format escaping and value syntax checks (PostgreSQL docs, "COPY", section
// "Text Format": backslash escapes \b \f \n \r \t \v \\ and \N for NULL; we escape
// only what must be escaped: the delimiter TAB, LF, CR and backslash). The checks
// mirror PostgreSQL's input functions closely enough that a value passing them is
// accepted by the server (range errors for numerics aside, which bisection catches).
#include "copy_text.h"

#include <cstdint>
#include <cstring>
#include <limits>

#include "common/uuid.h"

namespace airstream::pgload {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Consumes exactly n digits at s[pos].
bool digits(std::string_view s, size_t& pos, size_t n) {
  if (pos + n > s.size()) return false;
  for (size_t i = 0; i < n; i++)
    if (!is_digit(s[pos + i])) return false;
  pos += n;
  return true;
}

}  // namespace

bool iequals(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] + 32) : a[i];
    if (x != lower[i]) return false;
  }
  return true;
}

ColKind kind_for_type(std::string_view t) {
  if (t == "text" || t == "varchar" || t == "bpchar" || t == "name" || t == "citext") return ColKind::kText;
  if (t == "int2") return ColKind::kInt16;
  if (t == "int4") return ColKind::kInt32;
  if (t == "int8") return ColKind::kInt64;
  if (t == "float4" || t == "float8") return ColKind::kFloat;
  if (t == "numeric") return ColKind::kNumeric;
  if (t == "bool") return ColKind::kBool;
  if (t == "uuid") return ColKind::kUuid;
  if (t == "json") return ColKind::kJson;
  if (t == "jsonb") return ColKind::kJsonb;
  if (t == "timestamptz" || t == "timestamp" || t == "date" || t == "time" || t == "timetz") return ColKind::kTimestamp;
  if (t == "bytea") return ColKind::kBytea;
  return ColKind::kOther;
}

const char* kind_name(ColKind k) {
  switch (k) {
    case ColKind::kText:
      return "text";
    case ColKind::kInt16:
      return "smallint";
    case ColKind::kInt32:
      return "integer";
    case ColKind::kInt64:
      return "bigint";
    case ColKind::kFloat:
      return "double precision";
    case ColKind::kNumeric:
      return "numeric";
    case ColKind::kBool:
      return "boolean";
    case ColKind::kUuid:
      return "uuid";
    case ColKind::kJson:
      return "json";
    case ColKind::kJsonb:
      return "jsonb";
    case ColKind::kTimestamp:
      return "timestamp";
    case ColKind::kBytea:
      return "bytea";
    case ColKind::kOther:
      return "other";
  }
  return "other";
}

void append_copy_escaped(std::string& out, std::string_view s) {
  const char* p = s.data();
  const char* end = p + s.size();
  while (p < end) {
    // Copy the longest run that needs no escaping in one go.
    const char* run = p;
    while (p < end && *p != '\\' && *p != '\t' && *p != '\n' && *p != '\r') p++;
    out.append(run, static_cast<size_t>(p - run));
    if (p == end) break;
    out.push_back('\\');
    switch (*p) {
      case '\\':
        out.push_back('\\');
        break;
      case '\t':
        out.push_back('t');
        break;
      case '\n':
        out.push_back('n');
        break;
      default:
        out.push_back('r');
        break;
    }
    p++;
  }
}

bool uuid_bytes(std::string_view s, unsigned char out[16]) {
  if (s.size() == 38 && s.front() == '{' && s.back() == '}') s = s.substr(1, 36);
  return parse_uuid(s, out) || parse_uuid_hex(s, out);
}

bool is_uuid(std::string_view s) {
  unsigned char bytes[16];
  return uuid_bytes(s, bytes);
}

bool parse_int64(std::string_view s, int64_t& value) {
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  if (i == s.size()) return false;
  uint64_t v = 0;
  const uint64_t limit = neg ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  for (; i < s.size(); i++) {
    if (!is_digit(s[i])) return false;
    uint64_t d = static_cast<uint64_t>(s[i] - '0');
    if (v > (limit - d) / 10) return false;
    v = v * 10 + d;
  }
  value = neg ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

bool int_fits(ColKind kind, int64_t v) {
  switch (kind) {
    case ColKind::kInt16:
      return v >= -32768 && v <= 32767;
    case ColKind::kInt32:
      return v >= INT32_MIN && v <= INT32_MAX;
    default:
      return true;
  }
}

bool special_float(std::string_view s, double& value) {
  if (iequals(s, "nan")) {
    value = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  double sign = 1;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    sign = s.front() == '-' ? -1 : 1;
    s.remove_prefix(1);
  }
  if (!iequals(s, "infinity") && !iequals(s, "inf")) return false;
  value = sign * std::numeric_limits<double>::infinity();
  return true;
}

bool is_number_text(std::string_view s) {
  double special = 0;
  if (special_float(s, special)) return true;
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) i++;
  size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && is_digit(s[i])) i++, int_digits++;
  if (i < s.size() && s[i] == '.') {
    i++;
    while (i < s.size() && is_digit(s[i])) i++, frac_digits++;
  }
  if (int_digits + frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) i++;
    size_t exp_digits = 0;
    while (i < s.size() && is_digit(s[i])) i++, exp_digits++;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

bool parse_bool_text(std::string_view s, bool& value) {
  static const char* const kTrue[] = {"true", "t", "yes", "y", "on", "1"};
  static const char* const kFalse[] = {"false", "f", "no", "n", "off", "0"};
  for (const char* t : kTrue)
    if (iequals(s, t)) return value = true, true;
  for (const char* f : kFalse)
    if (iequals(s, f)) return value = false, true;
  return false;
}

bool is_iso8601_timestamp(std::string_view s) {
  size_t p = 0;
  if (!digits(s, p, 4) || p >= s.size() || s[p++] != '-' || !digits(s, p, 2) || p >= s.size() || s[p++] != '-' ||
      !digits(s, p, 2))
    return false;
  if (p >= s.size() || (s[p] != 'T' && s[p] != ' ')) return false;
  p++;
  if (!digits(s, p, 2) || p >= s.size() || s[p++] != ':' || !digits(s, p, 2)) return false;
  if (p < s.size() && s[p] == ':') {
    p++;
    if (!digits(s, p, 2)) return false;
    if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
      p++;
      size_t start = p;
      while (p < s.size() && is_digit(s[p])) p++;
      if (p == start) return false;
    }
  }
  if (p == s.size()) return true;
  if (s[p] == 'Z' || s[p] == 'z') return p + 1 == s.size();
  if (s[p] != '+' && s[p] != '-') return false;
  p++;
  if (!digits(s, p, 2)) return false;
  if (p == s.size()) return true;
  if (s[p] == ':') p++;
  return digits(s, p, 2) && p == s.size();
}

bool json_has_nul_escape(std::string_view raw) {
  size_t pos = 0;
  while ((pos = raw.find("u0000", pos)) != std::string_view::npos) {
    // Count the backslashes right before 'u': an odd number means "\u0000".
    size_t n = 0;
    while (pos > n && raw[pos - 1 - n] == '\\') n++;
    if (n % 2 == 1) return true;
    pos += 5;
  }
  return false;
}

}  // namespace airstream::pgload
