// CQL type serialization, native_protocol_v4.spec section 6 (same in v5): fixed-width
// big-endian integers and IEEE floats, varint as minimal two's complement, decimal as
// [int scale][varint unscaled], date as days since epoch biased by 2^31 (unsigned),
// time as nanoseconds since midnight, timestamp as milliseconds since the epoch, uuid
// as 16 bytes, inet as 4 or 16 bytes, and list/set/map/tuple as an [int] count (not
// for tuples) followed by [int]-length-prefixed elements. JSON input is converted here:
// strings, numbers and booleans map to scalars; arrays to lists/sets/tuples; objects to
// maps (keys parsed as the key type). A set element or map key that repeats an
// earlier one (after conversion: "1" and "01" are one int) is an error, since
// Cassandra keeps one of them and the value would be stored changed.
#include "common/cql/types.h"

#include <arpa/inet.h>

#include <algorithm>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "common/time/civil_date.h"
#include "common/time/iso8601.h"
#include "common/json/json.h"
#include "common/json/number.h"
#include "common/uuid.h"

namespace airstream::cql {
namespace {

struct NamedKind {
  const char* name;
  TypeKind kind;
};
constexpr NamedKind kNames[] = {
    {"ascii", TypeKind::kAscii},         {"bigint", TypeKind::kBigint},   {"blob", TypeKind::kBlob},
    {"boolean", TypeKind::kBoolean},     {"counter", TypeKind::kCounter}, {"decimal", TypeKind::kDecimal},
    {"double", TypeKind::kDouble},       {"float", TypeKind::kFloat},     {"int", TypeKind::kInt},
    {"timestamp", TypeKind::kTimestamp}, {"uuid", TypeKind::kUuid},       {"text", TypeKind::kVarchar},
    {"varchar", TypeKind::kVarchar},     {"varint", TypeKind::kVarint},   {"timeuuid", TypeKind::kTimeuuid},
    {"inet", TypeKind::kInet},           {"date", TypeKind::kDate},       {"time", TypeKind::kTime},
    {"smallint", TypeKind::kSmallint},   {"tinyint", TypeKind::kTinyint}, {"duration", TypeKind::kDuration},
    {"list", TypeKind::kList},           {"map", TypeKind::kMap},         {"set", TypeKind::kSet},
    {"tuple", TypeKind::kTuple},
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Recursive-descent type parser over "name<arg, arg>".
bool parse_type_at(std::string_view& s, Type& out, std::string& err, int depth) {
  if (depth > 16) {
    err = "type nesting too deep";
    return false;
  }
  s = trim(s);
  size_t n = 0;
  while (n < s.size() && s[n] != '<' && s[n] != '>' && s[n] != ',') n++;
  std::string name = lower(trim(s.substr(0, n)));
  s.remove_prefix(n);
  std::vector<Type> args;
  if (!s.empty() && s.front() == '<') {
    s.remove_prefix(1);
    for (;;) {
      Type a;
      if (!parse_type_at(s, a, err, depth + 1)) return false;
      args.push_back(std::move(a));
      s = trim(s);
      if (s.empty()) {
        err = "unterminated '<' in type";
        return false;
      }
      char c = s.front();
      s.remove_prefix(1);
      if (c == '>') break;
      if (c != ',') {
        err = "unexpected character in type";
        return false;
      }
    }
  }
  if (name == "frozen") {
    if (args.size() != 1) {
      err = "frozen<> takes one type";
      return false;
    }
    out = std::move(args[0]);
    return true;
  }
  if (name.size() > 1 && name.front() == '\'' && name.back() == '\'') {
    out.kind = TypeKind::kCustom;
    out.custom = name.substr(1, name.size() - 2);
    return true;
  }
  for (const auto& k : kNames) {
    if (name == k.name) {
      out.kind = k.kind;
      size_t want = k.kind == TypeKind::kList || k.kind == TypeKind::kSet ? 1 : k.kind == TypeKind::kMap ? 2 : 0;
      if (k.kind == TypeKind::kTuple) {
        if (args.empty()) {
          err = "tuple<> needs element types";
          return false;
        }
      } else if (args.size() != want) {
        err = "wrong number of type arguments for " + name;
        return false;
      }
      out.params = std::move(args);
      return true;
    }
  }
  // Anything else is a user-defined type name (not supported for writing).
  out.kind = TypeKind::kUdt;
  out.custom = name;
  return true;
}

void put_len_prefixed_start(std::string& out, size_t& at) {
  at = out.size();
  put_i32(out, 0);
}
void put_len_prefixed_end(std::string& out, size_t at) {
  store_u32(&out[at], static_cast<uint32_t>(out.size() - at - 4));
}

bool parse_int(std::string_view s, int64_t& v) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool parse_double(std::string_view s, double& v) {
  s = trim(s);
  std::string l = lower(s);
  if (l == "nan") {
    v = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  if (l == "infinity" || l == "+infinity" || l == "inf") {
    v = std::numeric_limits<double>::infinity();
    return true;
  }
  if (l == "-infinity" || l == "-inf") {
    v = -std::numeric_limits<double>::infinity();
    return true;
  }
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// [-]YYYY-MM-DD at the front of s (four digits of year, a day its month has) ->
// days since 1970-01-01; s moves past it.
bool parse_date_part(std::string_view& s, int64_t& days) {
  size_t p = 0;
  iso8601::Date d;
  if (!iso8601::scan_date(s, p, d, {.sign = true}) || !iso8601::valid_date(d)) return false;
  days = days_from_civil(d.year, static_cast<unsigned>(d.month), static_cast<unsigned>(d.day));
  s.remove_prefix(p);
  return true;
}

// HH:MM[:SS[.fraction]] at the front of s -> nanoseconds since midnight; s moves past
// it. False for a fraction with a non-zero digit beyond the ninth (no CQL type holds
// it: it would be dropped).
bool parse_time_part(std::string_view& s, int64_t& nanos) {
  size_t p = 0;
  iso8601::Time t;
  int64_t frac = 0;
  if (!iso8601::scan_time(s, p, t) || (t.frac_sep && t.frac.empty()) || !iso8601::fraction(t.frac, 9, frac))
    return false;
  if (t.hour > 23 || t.minute > 59 || t.second > 60) return false;
  nanos = ((int64_t{t.hour} * 60 + t.minute) * 60 + t.second) * 1000000000LL + frac;
  s.remove_prefix(p);
  return true;
}

std::string quote_for_error(Scalar s) {
  std::string_view t = s.text.substr(0, 40);
  std::string out = s.kind == Scalar::kString ? json_string(t) : std::string(t);
  if (s.text.size() > 40) out += "...";
  return out;
}

bool fail(std::string& err, const Type& t, Scalar s, const char* why = nullptr) {
  err = "expected " + t.name() + ", got " + quote_for_error(s);
  if (why) err += std::string(" (") + why + ")";
  return false;
}

// Decimal text -> unscaled digits (with sign) and scale.
bool parse_decimal(std::string_view s, std::string& unscaled, int32_t& scale) {
  s = trim(s);
  unscaled.clear();
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    if (s.front() == '-') unscaled.push_back('-');
    s.remove_prefix(1);
  }
  size_t ndigits = 0;
  int64_t sc = 0;
  bool dot = false;
  while (!s.empty() && ((s.front() >= '0' && s.front() <= '9') || (s.front() == '.' && !dot))) {
    if (s.front() == '.') {
      dot = true;
    } else {
      unscaled.push_back(s.front());
      ndigits++;
      if (dot) sc++;
    }
    s.remove_prefix(1);
  }
  if (ndigits == 0) return false;
  if (!s.empty() && (s.front() == 'e' || s.front() == 'E')) {
    s.remove_prefix(1);
    int64_t e;
    if (!parse_int(s, e) || e > 100000 || e < -100000) return false;
    sc -= e;
    s = {};
  }
  if (!s.empty()) return false;
  if (sc > std::numeric_limits<int32_t>::max() || sc < std::numeric_limits<int32_t>::min()) return false;
  scale = static_cast<int32_t>(sc);
  return true;
}

}  // namespace

std::string Type::name() const {
  switch (kind) {
    case TypeKind::kCustom:
      return "'" + custom + "'";
    case TypeKind::kUdt:
      return custom.empty() ? "udt" : custom;
    case TypeKind::kList:
    case TypeKind::kSet:
    case TypeKind::kMap:
    case TypeKind::kTuple: {
      std::string out = kind == TypeKind::kList  ? "list<"
                        : kind == TypeKind::kSet ? "set<"
                        : kind == TypeKind::kMap ? "map<"
                                                 : "tuple<";
      for (size_t i = 0; i < params.size(); i++) {
        if (i) out += ", ";
        out += params[i].name();
      }
      return out + ">";
    }
    default:
      for (const auto& k : kNames)
        if (k.kind == kind) return k.name;
      return "unknown";
  }
}

Result<Type> parse_type(std::string_view text) {
  Type t;
  std::string err;
  std::string_view s = text;
  if (!parse_type_at(s, t, err, 0)) return Status(kExitConfig, "bad CQL type '" + std::string(text) + "': " + err);
  if (!trim(s).empty()) return Status(kExitConfig, "bad CQL type '" + std::string(text) + "': trailing text");
  return t;
}

namespace {
// Nesting of collection, UDT and tuple types accepted in result metadata: the same
// bound as parse_type_at's, so a hostile server cannot make the reader recurse
// without end (one level per two bytes of frame body).
constexpr int kMaxTypeDepth = 16;

Type read_type_option_at(BodyReader& r, int depth) {
  Type t;
  if (depth > kMaxTypeDepth) {
    r.fail();
    return t;
  }
  uint16_t id = r.u16();
  t.kind = static_cast<TypeKind>(id);
  switch (t.kind) {
    case TypeKind::kCustom:
      t.custom = std::string(r.string());
      break;
    case TypeKind::kList:
    case TypeKind::kSet:
      t.params.push_back(read_type_option_at(r, depth + 1));
      break;
    case TypeKind::kMap:
      t.params.push_back(read_type_option_at(r, depth + 1));
      t.params.push_back(read_type_option_at(r, depth + 1));
      break;
    case TypeKind::kUdt: {
      std::string ks(r.string());
      t.custom = ks + "." + std::string(r.string());
      uint16_t n = r.u16();
      for (uint16_t i = 0; i < n && r.ok(); i++) {
        t.field_names.emplace_back(r.string());
        t.params.push_back(read_type_option_at(r, depth + 1));
      }
      break;
    }
    case TypeKind::kTuple: {
      uint16_t n = r.u16();
      for (uint16_t i = 0; i < n && r.ok(); i++) t.params.push_back(read_type_option_at(r, depth + 1));
      break;
    }
    default:
      if (id > 0x15) r.fail();
  }
  return t;
}
}  // namespace

Type read_type_option(BodyReader& r) {
  return read_type_option_at(r, 0);
}

bool parse_timestamp_text(std::string_view s, int64_t& millis, int64_t* sub_milli_nanos) {
  s = trim(s);
  int64_t days;
  if (!parse_date_part(s, days)) return false;
  int64_t nanos = 0;
  if (!s.empty() && (s.front() == 'T' || s.front() == 't' || s.front() == ' ')) {
    s.remove_prefix(1);
    if (!parse_time_part(s, nanos)) return false;
  }
  iso8601::Offset o;
  if (!s.empty() && (!iso8601::parse_offset(s, o) || o.hours > 23 || o.minutes > 59)) return false;
  int64_t offset_min = o.seconds() / 60;
  millis = days * 86400000LL + nanos / 1000000 - offset_min * 60000;
  if (sub_milli_nanos) *sub_milli_nanos = nanos % 1000000;
  return sub_milli_nanos || nanos % 1000000 == 0;
}

std::string varint_from_decimal(std::string_view text, bool& ok) {
  text = trim(text);
  bool neg = false;
  if (!text.empty() && (text.front() == '-' || text.front() == '+')) {
    neg = text.front() == '-';
    text.remove_prefix(1);
  }
  ok = !text.empty() && text.size() <= 4096;
  std::vector<unsigned char> mag;  // big-endian magnitude
  for (char c : text) {
    if (c < '0' || c > '9') {
      ok = false;
      return {};
    }
    unsigned carry = static_cast<unsigned>(c - '0');
    for (size_t i = mag.size(); i-- > 0;) {
      unsigned v = mag[i] * 10u + carry;
      mag[i] = static_cast<unsigned char>(v & 0xff);
      carry = v >> 8;
    }
    while (carry) {
      mag.insert(mag.begin(), static_cast<unsigned char>(carry & 0xff));
      carry >>= 8;
    }
  }
  if (!ok) return {};
  while (!mag.empty() && mag.front() == 0) mag.erase(mag.begin());
  if (mag.empty()) return std::string(1, '\0');
  mag.insert(mag.begin(), 0);  // room for the sign bit
  if (neg) {
    for (auto& b : mag) b = static_cast<unsigned char>(~b);
    for (size_t i = mag.size(); i-- > 0;) {
      if (++mag[i] != 0) break;
    }
  }
  size_t start = 0;
  while (start + 1 < mag.size()) {
    if (mag[start] == 0x00 && !(mag[start + 1] & 0x80))
      start++;
    else if (mag[start] == 0xff && (mag[start + 1] & 0x80))
      start++;
    else
      break;
  }
  return std::string(reinterpret_cast<const char*>(mag.data() + start), mag.size() - start);
}

bool encode_scalar(const Type& t, Scalar s, std::string& out, std::string& err) {
  int64_t i;
  double d;
  switch (t.kind) {
    case TypeKind::kVarchar:
      out.append(s.text);
      return true;
    case TypeKind::kAscii:
      for (char c : s.text)
        if (static_cast<unsigned char>(c) > 0x7f) return fail(err, t, s, "non-ASCII character");
      out.append(s.text);
      return true;
    case TypeKind::kBoolean: {
      std::string l = lower(trim(s.text));
      if (s.kind == Scalar::kNumber || (l != "true" && l != "false")) return fail(err, t, s);
      out.push_back(l == "true" ? 1 : 0);
      return true;
    }
    case TypeKind::kBigint:
    case TypeKind::kCounter:
    case TypeKind::kInt:
    case TypeKind::kSmallint:
    case TypeKind::kTinyint: {
      if (s.kind == Scalar::kBool) return fail(err, t, s);
      // Any exact spelling of an integer (1e3, 1000.0); a fraction or an overflow is a
      // reject, the same rule as pgload's (common/json/number.h).
      if (!parse_int(s.text, i)) {
        NumberFit fit = exact_integer(trim(s.text), INT64_MIN, INT64_MAX, i);
        if (fit != NumberFit::kOk)
          return fail(err, t, s, fit == NumberFit::kNotANumber ? nullptr : number_fit_reason(fit));
      }
      if (t.kind == TypeKind::kBigint || t.kind == TypeKind::kCounter) {
        put_i64(out, i);
      } else if (t.kind == TypeKind::kInt) {
        if (i < INT32_MIN || i > INT32_MAX) return fail(err, t, s, "out of range");
        put_i32(out, static_cast<int32_t>(i));
      } else if (t.kind == TypeKind::kSmallint) {
        if (i < INT16_MIN || i > INT16_MAX) return fail(err, t, s, "out of range");
        put_u16(out, static_cast<uint16_t>(static_cast<int16_t>(i)));
      } else {
        if (i < INT8_MIN || i > INT8_MAX) return fail(err, t, s, "out of range");
        put_u8(out, static_cast<uint8_t>(static_cast<int8_t>(i)));
      }
      return true;
    }
    case TypeKind::kVarint: {
      if (s.kind == Scalar::kBool) return fail(err, t, s);
      bool ok;
      std::string v = varint_from_decimal(s.text, ok);
      if (!ok) return fail(err, t, s);
      out.append(v);
      return true;
    }
    case TypeKind::kFloat:
    case TypeKind::kDouble: {
      if (s.kind == Scalar::kBool) return fail(err, t, s);
      // A finite number that would be stored as infinity or as 0 is refused, the same
      // rule as pgload's (common/json/number.h); other spellings a string may hold
      // (NaN, Infinity) are read as before.
      std::string_view txt = trim(s.text);
      float f = 0;
      NumberFit fit = t.kind == TypeKind::kDouble ? exact_double(txt, d) : exact_float(txt, f);
      if (fit == NumberFit::kNotANumber) {
        if (s.kind != Scalar::kString || !parse_double(txt, d)) return fail(err, t, s);
        f = static_cast<float>(d);
        if (std::isinf(f) && !std::isinf(d)) return fail(err, t, s, "out of range");
      } else if (fit != NumberFit::kOk) {
        return fail(err, t, s, number_fit_reason(fit));
      }
      if (t.kind == TypeKind::kDouble) {
        uint64_t bits;
        std::memcpy(&bits, &d, 8);
        put_u64(out, bits);
      } else {
        uint32_t bits;
        std::memcpy(&bits, &f, 4);
        put_u32(out, bits);
      }
      return true;
    }
    case TypeKind::kDecimal: {
      std::string unscaled;
      int32_t scale;
      bool ok = s.kind != Scalar::kBool && parse_decimal(s.text, unscaled, scale);
      std::string v = ok ? varint_from_decimal(unscaled, ok) : std::string();
      if (!ok) return fail(err, t, s);
      put_i32(out, scale);
      out.append(v);
      return true;
    }
    case TypeKind::kTimestamp: {
      if (s.kind == Scalar::kBool) return fail(err, t, s);
      int64_t sub = 0;
      if (parse_int(s.text, i) || (parse_timestamp_text(s.text, i, &sub) && sub == 0)) {
        put_i64(out, i);
        return true;
      }
      if (sub != 0) return fail(err, t, s, "finer than the millisecond a timestamp keeps: would be truncated");
      return fail(err, t, s, "want ISO-8601 or epoch milliseconds");
    }
    case TypeKind::kDate: {
      std::string_view txt = trim(s.text);
      int64_t days;
      if (s.kind == Scalar::kBool) return fail(err, t, s);
      if (!parse_int(txt, days) && !(parse_date_part(txt, days) && txt.empty()))
        return fail(err, t, s, "want YYYY-MM-DD or days since epoch");
      if (days < INT32_MIN || days > INT32_MAX) return fail(err, t, s, "out of range");
      put_u32(out, static_cast<uint32_t>(days + (int64_t{1} << 31)));
      return true;
    }
    case TypeKind::kTime: {
      std::string_view txt = trim(s.text);
      int64_t nanos;
      if (s.kind == Scalar::kBool) return fail(err, t, s);
      if (!parse_int(txt, nanos) && !(parse_time_part(txt, nanos) && txt.empty()))
        return fail(err, t, s, "want HH:MM:SS[.fffffffff] or nanoseconds");
      if (nanos < 0 || nanos >= 86400000000000LL) return fail(err, t, s, "out of range");
      put_i64(out, nanos);
      return true;
    }
    case TypeKind::kUuid:
    case TypeKind::kTimeuuid: {
      unsigned char u[16];
      if (s.kind != Scalar::kString || !parse_uuid(s.text, u)) return fail(err, t, s);
      if (t.kind == TypeKind::kTimeuuid && (u[6] >> 4) != 1) return fail(err, t, s, "not a version 1 UUID");
      out.append(reinterpret_cast<char*>(u), 16);
      return true;
    }
    case TypeKind::kInet: {
      std::string a(trim(s.text));
      unsigned char buf[16];
      if (s.kind == Scalar::kString && inet_pton(AF_INET, a.c_str(), buf) == 1) {
        out.append(reinterpret_cast<char*>(buf), 4);
        return true;
      }
      if (s.kind == Scalar::kString && inet_pton(AF_INET6, a.c_str(), buf) == 1) {
        out.append(reinterpret_cast<char*>(buf), 16);
        return true;
      }
      return fail(err, t, s);
    }
    case TypeKind::kBlob: {
      if (s.kind != Scalar::kString) return fail(err, t, s, "want hex (0x...) or base64 string");
      std::string_view txt = s.text;
      if (txt.size() >= 2 && txt[0] == '0' && (txt[1] == 'x' || txt[1] == 'X')) {
        txt.remove_prefix(2);
        if (txt.size() % 2) return fail(err, t, s, "odd number of hex digits");
        for (size_t k = 0; k < txt.size(); k += 2) {
          int hi = hex_value(txt[k]), lo = hex_value(txt[k + 1]);
          if (hi < 0 || lo < 0) return fail(err, t, s, "bad hex digit");
          out.push_back(static_cast<char>(hi * 16 + lo));
        }
        return true;
      }
      std::string bytes;
      if (!base64_decode(txt, bytes)) return fail(err, t, s, "want hex (0x...) or base64 string");
      out.append(bytes);
      return true;
    }
    default:
      err = "type " + t.name() + " is not supported for writing";
      return false;
  }
}

namespace {
constexpr size_t kNone = static_cast<size_t>(-1);

// The index of the first span (offset, length in out) whose bytes equal an earlier
// one's, or kNone.
size_t repeated(const std::string& out, const std::vector<std::pair<size_t, size_t>>& spans) {
  if (spans.size() < 2) return kNone;
  std::vector<size_t> order(spans.size());
  for (size_t i = 0; i < order.size(); i++) order[i] = i;
  auto bytes = [&](size_t i) { return std::string_view(out).substr(spans[i].first, spans[i].second); };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return bytes(a) < bytes(b); });
  size_t first = kNone;
  for (size_t k = 1; k < order.size(); k++)
    if (bytes(order[k]) == bytes(order[k - 1]) && (first == kNone || order[k] < first)) first = order[k];
  return first;
}
}  // namespace

bool encode_json_value(const Type& t, simdjson::ondemand::value v, std::string& out, std::string& err) {
  simdjson::ondemand::json_type jt;
  if (v.type().get(jt)) {
    err = "malformed JSON value";
    return false;
  }
  if (jt == simdjson::ondemand::json_type::null) {
    put_null(out);
    return true;
  }
  size_t at;
  put_len_prefixed_start(out, at);
  switch (t.kind) {
    case TypeKind::kList:
    case TypeKind::kSet:
    case TypeKind::kTuple: {
      simdjson::ondemand::array arr;
      if (jt != simdjson::ondemand::json_type::array || v.get_array().get(arr)) {
        err = "expected " + t.name() + " as a JSON array";
        return false;
      }
      size_t count_at = out.size();
      if (t.kind != TypeKind::kTuple) put_i32(out, 0);
      int32_t n = 0;
      std::vector<std::pair<size_t, size_t>> spans;  // set: each element's [int][bytes]
      for (auto el : arr) {
        simdjson::ondemand::value ev;
        if (el.get(ev)) {
          err = "malformed JSON array";
          return false;
        }
        const Type* et;
        if (t.kind == TypeKind::kTuple) {
          if (static_cast<size_t>(n) >= t.params.size()) {
            err = "too many elements for " + t.name();
            return false;
          }
          et = &t.params[static_cast<size_t>(n)];
        } else {
          et = &t.params[0];
        }
        size_t el_at = out.size();
        if (!encode_json_value(*et, ev, out, err)) return false;
        if (t.kind != TypeKind::kTuple && load_u32(&out[el_at]) == 0xffffffffu) {
          err = "null element in " + t.name();
          return false;
        }
        if (t.kind == TypeKind::kSet) spans.emplace_back(el_at, out.size() - el_at);
        n++;
      }
      if (t.kind == TypeKind::kSet) {
        size_t dup = repeated(out, spans);
        if (dup != kNone) {
          err = "element " + std::to_string(dup + 1) + " repeats an earlier one; a " + t.name() +
                " keeps each element once, so the value would be stored changed";
          return false;
        }
      }
      if (t.kind == TypeKind::kTuple) {
        if (static_cast<size_t>(n) != t.params.size()) {
          err = "expected " + std::to_string(t.params.size()) + " elements for " + t.name() + ", got " +
                std::to_string(n);
          return false;
        }
      } else {
        store_u32(&out[count_at], static_cast<uint32_t>(n));
      }
      break;
    }
    case TypeKind::kMap: {
      simdjson::ondemand::object obj;
      if (jt != simdjson::ondemand::json_type::object || v.get_object().get(obj)) {
        err = "expected " + t.name() + " as a JSON object";
        return false;
      }
      size_t count_at = out.size();
      put_i32(out, 0);
      int32_t n = 0;
      std::vector<std::pair<size_t, size_t>> spans;  // each key's [int][bytes]
      std::vector<std::string> keys;                 // as written in the JSON object
      for (auto field : obj) {
        std::string_view key;
        simdjson::ondemand::value fv;
        if (field.unescaped_key().get(key) || field.value().get(fv)) {
          err = "malformed JSON object";
          return false;
        }
        size_t kat;
        put_len_prefixed_start(out, kat);
        if (!encode_scalar(t.params[0], Scalar{Scalar::kString, key}, out, err)) {
          err = "map key: " + err;
          return false;
        }
        put_len_prefixed_end(out, kat);
        spans.emplace_back(kat, out.size() - kat);
        keys.emplace_back(key);
        size_t vat = out.size();
        if (!encode_json_value(t.params[1], fv, out, err)) return false;
        if (load_u32(&out[vat]) == 0xffffffffu) {
          err = "null value in " + t.name();
          return false;
        }
        n++;
      }
      // A repeated key (or two spellings of one key: "1" and "01" for an int key):
      // Cassandra would keep one entry, so the map would be stored changed.
      if (size_t dup = repeated(out, spans); dup != kNone) {
        err = "key \"" + keys[dup] + "\" repeats an earlier key of the JSON object; a " + t.name() +
              " keeps one value per key, so the value would be stored changed";
        return false;
      }
      store_u32(&out[count_at], static_cast<uint32_t>(n));
      break;
    }
    default: {
      Scalar s{Scalar::kString, {}};
      if (jt == simdjson::ondemand::json_type::string) {
        if (v.get_string().get(s.text)) {
          err = "malformed JSON string";
          return false;
        }
      } else if (jt == simdjson::ondemand::json_type::number || jt == simdjson::ondemand::json_type::boolean) {
        s.kind = jt == simdjson::ondemand::json_type::number ? Scalar::kNumber : Scalar::kBool;
        s.text = trim(v.raw_json_token());
      } else {
        err = "expected " + t.name() + ", got " +
              (jt == simdjson::ondemand::json_type::object ? std::string("object") : std::string("array"));
        return false;
      }
      if (!encode_scalar(t, s, out, err)) return false;
    }
  }
  put_len_prefixed_end(out, at);
  return true;
}

std::vector<std::string_view> split_collection(std::string_view bytes) {
  std::vector<std::string_view> out;
  BodyReader r(bytes);
  int32_t n = r.i32();
  for (int32_t i = 0; i < n && r.ok(); i++) {
    auto e = r.bytes();
    if (e) out.push_back(*e);
  }
  if (!r.ok()) out.clear();
  return out;
}

std::string format_value(const Type& t, std::optional<std::string_view> bytes) {
  if (!bytes) return "null";
  std::string_view b = *bytes;
  auto sz = [&](size_t n) { return b.size() == n; };
  switch (t.kind) {
    case TypeKind::kVarchar:
    case TypeKind::kAscii:
      return std::string(b);
    case TypeKind::kBoolean:
      return sz(1) ? (b[0] ? "true" : "false") : "?";
    case TypeKind::kBigint:
    case TypeKind::kCounter:
    case TypeKind::kTimestamp:
    case TypeKind::kTime:
      return sz(8) ? std::to_string(static_cast<int64_t>(load_u64(b.data()))) : "?";
    case TypeKind::kInt:
      return sz(4) ? std::to_string(static_cast<int32_t>(load_u32(b.data()))) : "?";
    case TypeKind::kSmallint:
      return sz(2) ? std::to_string(static_cast<int16_t>(load_u16(b.data()))) : "?";
    case TypeKind::kTinyint:
      return sz(1) ? std::to_string(static_cast<int8_t>(b[0])) : "?";
    case TypeKind::kDate: {
      if (!sz(4)) return "?";
      int64_t days = int64_t{load_u32(b.data())} - (int64_t{1} << 31);
      int64_t y;
      unsigned m, d;
      civil_from_days(days, y, m, d);
      char buf[32];
      snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
      return buf;
    }
    case TypeKind::kDouble: {
      if (!sz(8)) return "?";
      uint64_t bits = load_u64(b.data());
      double d;
      std::memcpy(&d, &bits, 8);
      char buf[64];
      snprintf(buf, sizeof buf, "%.17g", d);
      return buf;
    }
    case TypeKind::kFloat: {
      if (!sz(4)) return "?";
      uint32_t bits = load_u32(b.data());
      float f;
      std::memcpy(&f, &bits, 4);
      char buf[64];
      snprintf(buf, sizeof buf, "%.9g", static_cast<double>(f));
      return buf;
    }
    case TypeKind::kUuid:
    case TypeKind::kTimeuuid: {
      if (!sz(16)) return "?";
      static const char kHex[] = "0123456789abcdef";
      std::string out;
      for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
        out.push_back(kHex[(static_cast<unsigned char>(b[i]) >> 4)]);
        out.push_back(kHex[static_cast<unsigned char>(b[i]) & 15]);
      }
      return out;
    }
    case TypeKind::kInet: {
      char buf[INET6_ADDRSTRLEN] = {};
      if (sz(4))
        inet_ntop(AF_INET, b.data(), buf, sizeof buf);
      else if (sz(16))
        inet_ntop(AF_INET6, b.data(), buf, sizeof buf);
      else
        return "?";
      return buf;
    }
    case TypeKind::kList:
    case TypeKind::kSet: {
      std::string out = "[";
      bool first = true;
      for (auto e : split_collection(b)) {
        if (!first) out += ",";
        first = false;
        out += format_value(t.params[0], e);
      }
      return out + "]";
    }
    case TypeKind::kMap: {
      BodyReader r(b);
      int32_t n = r.i32();
      std::string out = "{";
      for (int32_t i = 0; i < n && r.ok(); i++) {
        auto k = r.bytes();
        auto v = r.bytes();
        if (i) out += ",";
        out += format_value(t.params[0], k) + ":" + format_value(t.params[1], v);
      }
      return out + "}";
    }
    default: {
      static const char kHex[] = "0123456789abcdef";
      std::string out = "0x";
      for (unsigned char c : b) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
      }
      return out;
    }
  }
}

}  // namespace airstream::cql
