// Conversion of CQL literals (strings, numbers, uuids, 0x blobs, booleans,
// collection and tuple literals) to the serialized values of
// native_protocol_v4.spec section 6, for a column of a given type. A literal
// that does not fit its column is Invalid with Cassandra's wording
// ("Invalid STRING constant (x) for "col" of type int").
#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <set>
#include <map>

#include "ast.h"
#include "wire.h"

namespace cqlsrv {
namespace {

const char* tag_name(Term::Tag t) {
  switch (t) {
    case Term::kString:
      return "STRING";
    case Term::kInteger:
      return "INTEGER";
    case Term::kFloat:
      return "FLOAT";
    case Term::kBool:
      return "BOOLEAN";
    case Term::kUuid:
      return "UUID";
    case Term::kHex:
      return "HEX";
    default:
      return "literal";
  }
}

[[noreturn]] void bad(const Term& term, const Type& t, std::string_view column) {
  throw_invalid(std::string("Invalid ") + tag_name(term.tag) + " constant (" + term.text + ") for \"" +
                std::string(column) + "\" of type " + type_to_cql(t));
}

int64_t parse_int(const Term& term, const Type& t, std::string_view col, int64_t lo, int64_t hi) {
  if (term.tag != Term::kInteger) bad(term, t, col);
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(term.text.c_str(), &end, 10);
  if (errno || *end || v < lo || v > hi) bad(term, t, col);
  return v;
}

// Two's complement big-endian minimal encoding of a decimal integer string.
std::string varint_bytes(std::string_view digits) {
  bool neg = !digits.empty() && digits[0] == '-';
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.remove_prefix(1);
  std::vector<uint8_t> mag{0};  // little-endian base 256
  for (char c : digits) {
    unsigned carry = static_cast<unsigned>(c - '0');
    for (auto& b : mag) {
      unsigned v = b * 10u + carry;
      b = static_cast<uint8_t>(v);
      carry = v >> 8;
    }
    if (carry) mag.push_back(static_cast<uint8_t>(carry));
  }
  mag.push_back(0);  // room for the sign bit
  if (neg) {
    unsigned carry = 1;
    for (auto& b : mag) {
      unsigned v = static_cast<uint8_t>(~b) + carry;
      b = static_cast<uint8_t>(v);
      carry = v >> 8;
    }
  }
  std::string out(mag.rbegin(), mag.rend());
  while (out.size() > 1 && ((out[0] == 0 && !(out[1] & 0x80)) || (out[0] == '\xff' && (out[1] & 0x80))))
    out.erase(0, 1);
  return out;
}

bool all_digits(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string decimal_bytes(const Term& term, const Type& t, std::string_view col) {
  std::string s = term.text;
  int32_t exp = 0;
  size_t e = s.find_first_of("eE");
  if (e != std::string::npos) {
    exp = std::atoi(s.c_str() + e + 1);
    s.resize(e);
  }
  std::string digits;
  int32_t frac = 0;
  bool seen_dot = false;
  for (char c : s) {
    if (c == '.') {
      seen_dot = true;
    } else {
      digits.push_back(c);
      if (seen_dot) frac++;
    }
  }
  if (!all_digits(digits)) bad(term, t, col);
  return be32(frac - exp) + varint_bytes(digits);
}

int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool parse_date(const char*& p, int64_t& days) {
  int y, m, d, n = 0;
  if (std::sscanf(p, "%d-%d-%d%n", &y, &m, &d, &n) != 3 || m < 1 || m > 12 || d < 1 || d > 31) return false;
  days = days_from_civil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  p += n;
  return true;
}

// hh:mm[:ss[.fraction]] -> nanoseconds of the day.
bool parse_time(const char*& p, int64_t& nanos) {
  int h, mi, s = 0, n = 0;
  if (std::sscanf(p, "%d:%d%n", &h, &mi, &n) != 2 || h < 0 || h > 23 || mi < 0 || mi > 59) return false;
  p += n;
  if (*p == ':') {
    if (std::sscanf(p + 1, "%d%n", &s, &n) != 1 || s < 0 || s > 59) return false;
    p += 1 + n;
  }
  int64_t frac = 0;
  if (*p == '.') {
    p++;
    int digits = 0;
    while (*p >= '0' && *p <= '9') {
      if (digits < 9) frac = frac * 10 + (*p - '0'), digits++;
      p++;
    }
    while (digits++ < 9) frac *= 10;
  }
  nanos = ((h * 60LL + mi) * 60 + s) * 1000000000LL + frac;
  return true;
}

bool parse_timestamp(const std::string& text, int64_t& ms) {
  const char* p = text.c_str();
  int64_t days = 0, nanos = 0;
  if (!parse_date(p, days)) return false;
  if (*p == ' ' || *p == 'T') {
    p++;
    if (!parse_time(p, nanos)) return false;
  }
  int64_t offset_min = 0;
  while (*p == ' ') p++;
  if (*p == 'Z' || *p == 'z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int sign = *p == '-' ? -1 : 1, hh = 0, mm = 0, n = 0;
    p++;
    if (std::sscanf(p, "%2d%n", &hh, &n) != 1) return false;
    p += n;
    if (*p == ':') p++;
    if (std::sscanf(p, "%2d%n", &mm, &n) == 1) p += n;
    offset_min = sign * (hh * 60 + mm);
  }
  if (*p) return false;
  ms = days * 86400000LL + nanos / 1000000 - offset_min * 60000;
  return true;
}

std::string uuid_bytes(const std::string& s) {
  std::string out;
  for (size_t i = 0; i + 1 < s.size(); i++) {
    if (s[i] == '-') continue;
    out.push_back(static_cast<char>(std::stoi(s.substr(i, 2), nullptr, 16)));
    i++;
  }
  return out;
}

std::string collection_bytes(const Term& term, const Type& t, std::string_view col) {
  auto element = [&](const Term& e, const Type& et) {
    auto v = term_to_bytes(e, et, col);
    if (!v) throw_invalid("null is not supported inside collections");
    return *v;
  };
  std::vector<std::string> items;
  if (t.kind == Kind::kList) {
    if (term.tag != Term::kList) bad(term, t, col);
    for (const auto& e : term.items) items.push_back(element(e, t.params[0]));
  } else if (t.kind == Kind::kSet) {
    if (term.tag != Term::kBraces || term.is_map) bad(term, t, col);
    std::set<std::string> sorted;
    for (const auto& e : term.items) sorted.insert(element(e, t.params[0]));
    items.assign(sorted.begin(), sorted.end());
  } else {
    if (term.tag != Term::kBraces || (!term.is_map && !term.items.empty())) bad(term, t, col);
    std::map<std::string, std::string> sorted;
    for (size_t i = 0; i + 1 < term.items.size(); i += 2)
      sorted[element(term.items[i], t.params[0])] = element(term.items[i + 1], t.params[1]);
    for (auto& [k, v] : sorted) {
      items.push_back(k);
      items.push_back(v);
    }
  }
  std::string out = be32(static_cast<int32_t>(t.kind == Kind::kMap ? items.size() / 2 : items.size()));
  for (auto& i : items) out += be32(static_cast<int32_t>(i.size())) + i;
  return normalize_value(t, out);  // sorted by the key type's order, as Cassandra stores it
}

}  // namespace

std::optional<std::string> term_to_bytes(const Term& term, const Type& t, std::string_view col) {
  if (term.tag == Term::kNull) return std::nullopt;
  switch (t.kind) {
    case Kind::kAscii:
    case Kind::kText: {
      if (term.tag != Term::kString) bad(term, t, col);
      auto err = validate_value(t, term.text);
      if (!err.empty()) throw_invalid(err);
      return term.text;
    }
    case Kind::kInt:
      return be32(static_cast<int32_t>(parse_int(term, t, col, INT32_MIN, INT32_MAX)));
    case Kind::kBigint:
    case Kind::kCounter:
      return be64(parse_int(term, t, col, INT64_MIN, INT64_MAX));
    case Kind::kSmallint: {
      auto v = static_cast<uint16_t>(parse_int(term, t, col, -32768, 32767));
      return std::string{static_cast<char>(v >> 8), static_cast<char>(v)};
    }
    case Kind::kTinyint:
      return std::string(1, static_cast<char>(parse_int(term, t, col, -128, 127)));
    case Kind::kVarint:
      if (term.tag != Term::kInteger) bad(term, t, col);
      return varint_bytes(term.text);
    case Kind::kDecimal:
      if (term.tag != Term::kInteger && term.tag != Term::kFloat) bad(term, t, col);
      return decimal_bytes(term, t, col);
    case Kind::kFloat:
    case Kind::kDouble: {
      if (term.tag != Term::kInteger && term.tag != Term::kFloat) bad(term, t, col);
      double d = term.text == "NaN"         ? NAN
                 : term.text == "Infinity"  ? INFINITY
                 : term.text == "-Infinity" ? -INFINITY
                                            : std::strtod(term.text.c_str(), nullptr);
      if (t.kind == Kind::kFloat) {
        float f = static_cast<float>(d);
        uint32_t u;
        std::memcpy(&u, &f, 4);
        return be32(static_cast<int32_t>(u));
      }
      uint64_t u;
      std::memcpy(&u, &d, 8);
      return be64(static_cast<int64_t>(u));
    }
    case Kind::kBoolean:
      if (term.tag != Term::kBool) bad(term, t, col);
      return std::string(1, term.text == "true" ? '\1' : '\0');
    case Kind::kUuid:
    case Kind::kTimeuuid: {
      if (term.tag != Term::kUuid) bad(term, t, col);
      std::string v = uuid_bytes(term.text);
      auto err = validate_value(t, v);
      if (!err.empty()) throw_invalid(err);
      return v;
    }
    case Kind::kBlob: {
      if (term.tag != Term::kHex || term.text.size() % 2) bad(term, t, col);
      std::string out;
      for (size_t i = 0; i < term.text.size(); i += 2)
        out.push_back(static_cast<char>(std::stoi(term.text.substr(i, 2), nullptr, 16)));
      return out;
    }
    case Kind::kTimestamp: {
      int64_t ms = 0;
      if (term.tag == Term::kInteger) return be64(parse_int(term, t, col, INT64_MIN, INT64_MAX));
      if (term.tag != Term::kString || !parse_timestamp(term.text, ms)) bad(term, t, col);
      return be64(ms);
    }
    case Kind::kDate: {
      if (term.tag == Term::kInteger) return be32(static_cast<int32_t>(parse_int(term, t, col, 0, UINT32_MAX)));
      int64_t days = 0;
      const char* p = term.text.c_str();
      if (term.tag != Term::kString || !parse_date(p, days) || *p) bad(term, t, col);
      return be32(static_cast<int32_t>(static_cast<uint32_t>(days + (int64_t(1) << 31))));
    }
    case Kind::kTime: {
      if (term.tag == Term::kInteger) return be64(parse_int(term, t, col, 0, 86399999999999LL));
      int64_t nanos = 0;
      const char* p = term.text.c_str();
      if (term.tag != Term::kString || !parse_time(p, nanos) || *p) bad(term, t, col);
      return be64(nanos);
    }
    case Kind::kInet: {
      if (term.tag != Term::kString) bad(term, t, col);
      unsigned char buf[16];
      if (inet_pton(AF_INET, term.text.c_str(), buf) == 1) return std::string(reinterpret_cast<char*>(buf), 4);
      if (inet_pton(AF_INET6, term.text.c_str(), buf) == 1) return std::string(reinterpret_cast<char*>(buf), 16);
      bad(term, t, col);
    }
    case Kind::kList:
    case Kind::kSet:
    case Kind::kMap:
      return collection_bytes(term, t, col);
    case Kind::kTuple: {
      if (term.tag != Term::kTuple || term.items.size() > t.params.size()) bad(term, t, col);
      std::string out;
      for (size_t i = 0; i < term.items.size(); i++) {
        auto v = term_to_bytes(term.items[i], t.params[i], col);
        out += v ? be32(static_cast<int32_t>(v->size())) + *v : be32(-1);
      }
      return out;
    }
  }
  bad(term, t, col);
}

}  // namespace cqlsrv
