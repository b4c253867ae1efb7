// Built-in functions: conversions (string, tojson, int, float), text (lower, upper,
// trim: ASCII only, like jq's ascii_downcase), default, ISO-8601 timestamps (date,
// epoch_ms; civil-date arithmetic after H. Hinnant's days_from_civil), UUIDs (uuid
// validates and lower-cases; uuid5 is RFC 4122 section 4.3 with SHA-1 in the URL
// namespace, parts joined by '|'), and the predicates used by --where.
#include "common/transform/functions.h"

#include <openssl/sha.h>

#include <charconv>
#include <cmath>
#include <cstring>

#include "common/time/civil_date.h"
#include "common/time/iso8601.h"
#include "common/json/json.h"
#include "common/uuid.h"

namespace airstream::transform {

const char* type_name(Type t) {
  switch (t) {
    case Type::kMissing:
      return "missing";
    case Type::kNull:
      return "null";
    case Type::kBool:
      return "boolean";
    case Type::kNumber:
      return "number";
    case Type::kString:
      return "string";
    case Type::kObject:
      return "object";
    case Type::kArray:
      return "array";
  }
  return "?";
}

const std::vector<FnInfo>& functions() {
  static const std::vector<FnInfo> kFns = {
      {"string", Fn::kString, 1, 1, "text of a string, number or boolean (objects and arrays are an error)"},
      {"tostring", Fn::kString, 1, 1, "alias of string"},
      {"tojson", Fn::kToJson, 1, 1, "the value's JSON text as a string"},
      {"int", Fn::kInt, 1, 1, "integer from a number (truncated) or a numeric string"},
      {"float", Fn::kFloat, 1, 1, "number from a number or a numeric string"},
      {"tonumber", Fn::kFloat, 1, 1, "alias of float"},
      {"lower", Fn::kLower, 1, 1, "ASCII lower case"},
      {"ascii_downcase", Fn::kLower, 1, 1, "alias of lower"},
      {"upper", Fn::kUpper, 1, 1, "ASCII upper case"},
      {"ascii_upcase", Fn::kUpper, 1, 1, "alias of upper"},
      {"trim", Fn::kTrim, 1, 1, "strip leading and trailing ASCII white space"},
      {"default", Fn::kDefault, 2, 2, "default(V): V when the input is missing or null"},
      {"date", Fn::kDate, 1, 1, "ISO-8601 date/time -> YYYY-MM-DD (UTC)"},
      {"epoch_ms", Fn::kEpochMs, 1, 1, "ISO-8601 date/time -> milliseconds since 1970-01-01T00:00:00Z"},
      {"uuid", Fn::kUuid, 1, 1, "check a UUID and write it in lower case"},
      {"uuid5", Fn::kUuid5, 1, 16, "uuid5(A; B...): name-based UUIDv5 (URL namespace) of the parts joined by '|'"},
      {"not", Fn::kNot, 1, 1, "true when the input is false, null or missing"},
      {"startswith", Fn::kStartsWith, 2, 2, "startswith(S): the input string starts with S"},
      {"endswith", Fn::kEndsWith, 2, 2, "endswith(S): the input string ends with S"},
      {"contains", Fn::kContains, 2, 2, "contains(S): the input string contains S"},
  };
  return kFns;
}

namespace {

bool expected(std::string& err, const char* what, const Val& got) {
  err = std::string("expected ") + what + ", got " + type_name(got.type);
  if (got.type == Type::kString) err += " \"" + std::string(got.text.substr(0, 64)) + "\"";
  return false;
}

bool whole_double(std::string_view s, double& d) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), d);
  return r.ec == std::errc() && r.ptr == s.data() + s.size() && std::isfinite(d);
}

Val format_int(Arena& arena, int64_t v) {
  char* p = arena.alloc(24);
  auto r = std::to_chars(p, p + 24, v);
  return Val::number({p, static_cast<size_t>(r.ptr - p)});
}

bool to_int(const Val& in, Arena& arena, Val& out, std::string& err) {
  std::string_view s = in.text;
  if (in.type == Type::kString) {
    size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t')) b++;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) e--;
    s = s.substr(b, e - b);
    if (!s.empty() && s[0] == '+') s.remove_prefix(1);
  } else if (in.type != Type::kNumber) {
    return expected(err, "number or numeric string", in);
  }
  int64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec == std::errc() && r.ptr == s.data() + s.size()) {
    out = in.type == Type::kNumber ? in : format_int(arena, v);
    return true;
  }
  double d = 0;
  if (!whole_double(s, d)) {
    if (r.ec == std::errc::result_out_of_range) return err = "integer out of range: " + std::string(s), false;
    return expected(err, "number or numeric string", in);
  }
  d = std::trunc(d);
  if (d < -9223372036854775808.0 || d >= 9223372036854775808.0)
    return err = "integer out of range: " + std::string(s), false;
  out = format_int(arena, static_cast<int64_t>(d));
  return true;
}

bool to_float(const Val& in, Arena& arena, Val& out, std::string& err) {
  if (in.type == Type::kNumber) {
    out = in;
    return true;
  }
  if (in.type != Type::kString) return expected(err, "number or numeric string", in);
  double d = 0;
  if (!whole_double(in.text, d)) return expected(err, "number or numeric string", in);
  char* p = arena.alloc(32);
  auto r = std::to_chars(p, p + 32, d);
  out = Val::number({p, static_cast<size_t>(r.ptr - p)});
  return true;
}

// Text of a scalar for templates, uuid5 and string().
bool scalar_text(const Val& v, std::string_view& text) {
  switch (v.type) {
    case Type::kString:
    case Type::kNumber:
      text = v.text;
      return true;
    case Type::kBool:
      text = v.boolean ? "true" : "false";
      return true;
    default:
      return false;
  }
}

bool case_map(const Val& in, Arena& arena, Val& out, std::string& err, bool upper) {
  if (in.type != Type::kString) return expected(err, "string", in);
  char* p = arena.alloc(in.text.size());
  for (size_t i = 0; i < in.text.size(); i++) {
    char c = in.text[i];
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    p[i] = c;
  }
  out = Val::string({p, in.text.size()});
  return true;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

const unsigned char kNamespaceUrl[16] = {0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1,
                                         0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};
constexpr char kHex[] = "0123456789abcdef";

void uuid_text(const unsigned char b[16], char out[36]) {
  int o = 0;
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[o++] = '-';
    out[o++] = kHex[b[i] >> 4];
    out[o++] = kHex[b[i] & 15];
  }
}

}  // namespace

bool parse_iso8601(std::string_view s, int64_t& epoch_ms) {
  size_t p = 0;
  iso8601::Date date;
  if (!iso8601::scan_date(s, p, date) || !iso8601::valid_date(date)) return false;
  iso8601::Time t;
  int64_t ms = 0, offset_min = 0;
  if (p < s.size()) {
    if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') return false;
    if (!iso8601::scan_time(s, ++p, t) || (t.frac_sep && t.frac.empty())) return false;
    iso8601::fraction(t.frac.substr(0, 3), 3, ms);  // milliseconds: finer digits are cut
    if (t.hour > 24 || t.minute > 59 || t.second > 60 || (t.hour == 24 && (t.minute | t.second | ms) != 0))
      return false;
    if (p < s.size()) {
      iso8601::Offset o;
      if (!iso8601::parse_offset(s.substr(p), o) || o.hours > 23 || o.minutes > 59) return false;
      offset_min = o.seconds() / 60;
    }
  }
  int64_t days = days_from_civil(date.year, static_cast<unsigned>(date.month), static_cast<unsigned>(date.day));
  int64_t secs = days * 86400 + t.hour * 3600 + t.minute * 60 + std::min(t.second, 59) - offset_min * 60;
  epoch_ms = secs * 1000 + ms;
  return true;
}

void format_date(int64_t epoch_ms, char out[10]) {
  int64_t z = (epoch_ms >= 0 ? epoch_ms : epoch_ms - 86399999) / 86400000;  // floor division
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  int64_t yy = y < 0 ? 0 : y > 9999 ? 9999 : y;
  out[0] = static_cast<char>('0' + yy / 1000);
  out[1] = static_cast<char>('0' + yy / 100 % 10);
  out[2] = static_cast<char>('0' + yy / 10 % 10);
  out[3] = static_cast<char>('0' + yy % 10);
  out[4] = '-';
  out[5] = static_cast<char>('0' + m / 10);
  out[6] = static_cast<char>('0' + m % 10);
  out[7] = '-';
  out[8] = static_cast<char>('0' + d / 10);
  out[9] = static_cast<char>('0' + d % 10);
}

void uuid5(const unsigned char ns[16], std::string_view name, char out[36]) {
  std::string buf(reinterpret_cast<const char*>(ns), 16);
  buf.append(name);
  unsigned char md[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(buf.data()), buf.size(), md);
  md[6] = static_cast<unsigned char>((md[6] & 0x0F) | 0x50);
  md[8] = static_cast<unsigned char>((md[8] & 0x3F) | 0x80);
  uuid_text(md, out);
}

bool truthy(const Val& v) {
  return !(v.absent() || (v.type == Type::kBool && !v.boolean));
}

int compare_values(const Val& a, const Val& b) {
  auto rank = [](const Val& v) {
    switch (v.type) {
      case Type::kMissing:
      case Type::kNull:
        return 0;
      case Type::kBool:
        return v.boolean ? 2 : 1;
      case Type::kNumber:
        return 3;
      case Type::kString:
        return 4;
      case Type::kArray:
        return 5;
      case Type::kObject:
        return 6;
    }
    return 0;
  };
  int ra = rank(a), rb = rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  if (ra == 3) {
    double x = 0, y = 0;
    std::from_chars(a.text.data(), a.text.data() + a.text.size(), x);
    std::from_chars(b.text.data(), b.text.data() + b.text.size(), y);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (ra >= 4) {
    int c = a.text.compare(b.text);
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  return 0;
}

bool values_equal(const Val& a, const Val& b) {
  return compare_values(a, b) == 0;
}

bool apply_function(Fn fn, const Val* args, int argc, Arena& arena, Val& out, std::string& err) {
  const Val& in = args[0];
  switch (fn) {
    case Fn::kDefault:
      out = in.absent() ? args[1] : in;
      return true;
    case Fn::kNot:
      out = Val::of_bool(!truthy(in));
      return true;
    case Fn::kStartsWith:
    case Fn::kEndsWith:
    case Fn::kContains: {
      if (in.absent()) return out = Val::of_bool(false), true;
      if (in.type != Type::kString) return expected(err, "string", in);
      if (args[1].type != Type::kString) return expected(err, "string argument", args[1]);
      std::string_view s = in.text, t = args[1].text;
      bool r = fn == Fn::kStartsWith ? s.substr(0, t.size()) == t
               : fn == Fn::kEndsWith ? s.size() >= t.size() && s.substr(s.size() - t.size()) == t
                                     : s.find(t) != std::string_view::npos;
      out = Val::of_bool(r);
      return true;
    }
    case Fn::kUuid5: {
      size_t total = 0;
      for (int i = 0; i < argc; i++) {
        std::string_view t;
        if (args[i].absent()) return out = Val::missing(), true;
        if (!scalar_text(args[i], t)) return expected(err, "string or number parts", args[i]);
        total += t.size() + 1;
      }
      char* name = arena.alloc(total);
      size_t n = 0;
      for (int i = 0; i < argc; i++) {
        std::string_view t;
        scalar_text(args[i], t);
        if (i > 0) name[n++] = '|';
        if (!t.empty()) memcpy(name + n, t.data(), t.size());
        n += t.size();
      }
      char* p = arena.alloc(36);
      uuid5(kNamespaceUrl, {name, n}, p);
      out = Val::string({p, 36});
      return true;
    }
    default:
      break;
  }
  if (in.type == Type::kMissing) return out = in, true;
  if (in.type == Type::kNull && fn != Fn::kToJson) return out = in, true;
  switch (fn) {
    case Fn::kString: {
      if (in.type == Type::kString) return out = in, true;
      std::string_view t;
      if (!scalar_text(in, t)) return expected(err, "string or number", in);
      out = Val::string(t);
      return true;
    }
    case Fn::kToJson: {
      if (in.type == Type::kString) {
        std::string tmp;
        append_json_string(tmp, in.text);
        out = Val::string(arena.copy(tmp));
      } else if (in.type == Type::kNull) {
        out = Val::string("null");
      } else {
        std::string_view t = in.text;
        if (in.type == Type::kBool) t = in.boolean ? "true" : "false";
        out = Val::string(t);
      }
      return true;
    }
    case Fn::kInt:
      return to_int(in, arena, out, err);
    case Fn::kFloat:
      return to_float(in, arena, out, err);
    case Fn::kLower:
      return case_map(in, arena, out, err, false);
    case Fn::kUpper:
      return case_map(in, arena, out, err, true);
    case Fn::kTrim: {
      if (in.type != Type::kString) return expected(err, "string", in);
      std::string_view s = in.text;
      while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
      while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
      out = Val::string(s);
      return true;
    }
    case Fn::kDate:
    case Fn::kEpochMs: {
      if (in.type != Type::kString) return expected(err, "ISO-8601 date/time string", in);
      int64_t ms = 0;
      if (!parse_iso8601(in.text, ms))
        return err = "not an ISO-8601 date/time: \"" + std::string(in.text.substr(0, 64)) + "\"", false;
      if (fn == Fn::kEpochMs) {
        out = format_int(arena, ms);
      } else {
        char* p = arena.alloc(10);
        format_date(ms, p);
        out = Val::string({p, 10});
      }
      return true;
    }
    case Fn::kUuid: {
      unsigned char b[16];
      if (in.type != Type::kString) return expected(err, "UUID string", in);
      if (!parse_uuid(in.text, b)) return err = "not a UUID: \"" + std::string(in.text.substr(0, 64)) + "\"", false;
      unsigned upper = 0;  // any of A-F (a branch-free loop the compiler vectorizes)
      for (char c : in.text) upper |= static_cast<unsigned char>(c - 'A') < 6;
      if (upper == 0) return out = in, true;  // already canonical: keep it (and its raw literal)
      char* p = arena.alloc(36);
      uuid_text(b, p);
      out = Val::string({p, 36});
      return true;
    }
    default:
      break;
  }
  err = "internal error: unhandled function";
  return false;
}

}  // namespace airstream::transform
