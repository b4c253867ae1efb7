// CQL data types of the test server: their names, their [option] encoding in
// result metadata (native_protocol_v4.spec section 4.2.5.2) and the validation
// of serialized values (section 6), with the messages Cassandra's serializers
// use when a bound value has the wrong size or content (they surface to the
// client as Invalid, 0x2200).
#include <cstdio>
#include <cstring>

#include "ast.h"
#include "wire.h"

namespace cqlsrv {
namespace {

struct NamedKind {
  const char* name;
  Kind kind;
  uint16_t id;
};

constexpr NamedKind kKinds[] = {
    {"ascii", Kind::kAscii, 0x0001},       {"bigint", Kind::kBigint, 0x0002},
    {"blob", Kind::kBlob, 0x0003},         {"boolean", Kind::kBoolean, 0x0004},
    {"counter", Kind::kCounter, 0x0005},   {"decimal", Kind::kDecimal, 0x0006},
    {"double", Kind::kDouble, 0x0007},     {"float", Kind::kFloat, 0x0008},
    {"int", Kind::kInt, 0x0009},           {"timestamp", Kind::kTimestamp, 0x000B},
    {"uuid", Kind::kUuid, 0x000C},         {"text", Kind::kText, 0x000D},
    {"varchar", Kind::kText, 0x000D},      {"varint", Kind::kVarint, 0x000E},
    {"timeuuid", Kind::kTimeuuid, 0x000F}, {"inet", Kind::kInet, 0x0010},
    {"date", Kind::kDate, 0x0011},         {"time", Kind::kTime, 0x0012},
    {"smallint", Kind::kSmallint, 0x0013}, {"tinyint", Kind::kTinyint, 0x0014},
    {"list", Kind::kList, 0x0020},         {"map", Kind::kMap, 0x0021},
    {"set", Kind::kSet, 0x0022},           {"tuple", Kind::kTuple, 0x0031},
};

const NamedKind& info(Kind k) {
  for (const auto& nk : kKinds)
    if (nk.kind == k) return nk;
  return kKinds[0];
}

bool valid_utf8(std::string_view s) {
  size_t i = 0, n = s.size();
  while (i + 8 <= n) {  // ASCII fast path
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (w & 0x8080808080808080ULL) break;
    i += 8;
  }
  while (i < n) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      i++;
      continue;
    }
    int len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || i + len > n) return false;
    uint32_t cp = c & (0xFF >> (len + 1));
    for (int k = 1; k < len; k++) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = cp << 6 | (cc & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

std::string sized(const char* fmt, size_t n) {
  char buf[128];
  std::snprintf(buf, sizeof buf, fmt, n);
  return buf;
}

// Walks the [int n]([int len][bytes])* layout of collections and tuples.
std::string validate_elements(const Type& t, std::string_view v) {
  Reader r(v);
  try {
    if (t.kind == Kind::kTuple) {
      for (const auto& p : t.params) {
        if (r.empty()) break;  // trailing components may be omitted
        std::string_view e;
        if (r.value(e) >= 0) {
          auto err = validate_value(p, e);
          if (!err.empty()) return err;
        }
      }
    } else {
      int32_t n = r.i32();
      if (n < 0) return "Invalid collection size";
      for (int32_t i = 0; i < n; i++) {
        for (size_t k = 0; k < (t.kind == Kind::kMap ? 2u : 1u); k++) {
          std::string_view e;
          if (r.value(e) < 0) return "null is not supported inside collections";
          auto err = validate_value(t.params[k], e);
          if (!err.empty()) return err;
        }
      }
    }
  } catch (const CqlError&) {
    return t.kind == Kind::kTuple ? "Not enough bytes to read a tuple" : "Not enough bytes to read a collection";
  }
  if (!r.empty()) return "Unexpected extraneous bytes after " + std::string(info(t.kind).name) + " value";
  return "";
}

}  // namespace

bool kind_from_name(std::string_view name, Kind& out) {
  for (const auto& nk : kKinds) {
    if (name == nk.name && nk.kind != Kind::kList && nk.kind != Kind::kMap && nk.kind != Kind::kSet &&
        nk.kind != Kind::kTuple) {
      out = nk.kind;
      return true;
    }
  }
  return false;
}

std::string type_to_cql(const Type& t) {
  std::string s = info(t.kind).name;
  if (!t.params.empty()) {
    s += '<';
    for (size_t i = 0; i < t.params.size(); i++) {
      if (i) s += ", ";
      s += type_to_cql(t.params[i]);
    }
    s += '>';
  }
  if (t.frozen && t.kind != Kind::kTuple) s = "frozen<" + s + ">";
  return s;
}

void write_type_option(Writer& w, const Type& t) {
  w.u16(info(t.kind).id);
  if (t.kind == Kind::kTuple) w.u16(static_cast<uint16_t>(t.params.size()));
  for (const auto& p : t.params) write_type_option(w, p);
}

std::string validate_value(const Type& t, std::string_view v) {
  const size_t n = v.size();
  switch (t.kind) {
    case Kind::kInt:
      return n == 4 || n == 0 ? "" : sized("Expected 4 or 0 byte int (%zu)", n);
    case Kind::kBigint:
    case Kind::kCounter:
      return n == 8 || n == 0 ? "" : sized("Expected 8 or 0 byte long (%zu)", n);
    case Kind::kTimestamp:
      return n == 8 || n == 0 ? "" : sized("Expected 8 or 0 byte long for date (%zu)", n);
    case Kind::kSmallint:
      return n == 2 ? "" : sized("Expected 2 bytes for a smallint (%zu)", n);
    case Kind::kTinyint:
      return n == 1 ? "" : sized("Expected 1 byte for a tinyint (%zu)", n);
    case Kind::kFloat:
      return n == 4 || n == 0 ? "" : sized("Expected 4 or 0 byte value for a float (%zu)", n);
    case Kind::kDouble:
      return n == 8 || n == 0 ? "" : sized("Expected 8 or 0 byte value for a double (%zu)", n);
    case Kind::kBoolean:
      return n == 1 || n == 0 ? "" : sized("Expected 1 or 0 byte value (%zu)", n);
    case Kind::kDate:
      return n == 4 ? "" : sized("Expected 4 byte long for date (%zu)", n);
    case Kind::kTime: {
      if (n != 8) return sized("Expected 8 byte long for time (%zu)", n);
      auto ns = static_cast<int64_t>(load_be64(v.data()));
      return ns >= 0 && ns < 86400000000000LL ? "" : "Time value must be between 0 and 86399999999999 nanoseconds";
    }
    case Kind::kUuid:
      return n == 16 || n == 0 ? "" : sized("UUID should be 16 or 0 bytes (%zu)", n);
    case Kind::kTimeuuid:
      if (n == 0) return "";
      if (n != 16) return sized("UUID should be 16 or 0 bytes (%zu)", n);
      return (static_cast<unsigned char>(v[6]) >> 4) == 1 ? "" : "Unsupported UUID version for timeuuid (expected 1)";
    case Kind::kInet:
      return n == 4 || n == 16 || n == 0 ? "" : sized("Expected 4 or 16 byte inetaddress; got %zu bytes", n);
    case Kind::kDecimal:
      return n == 0 || n >= 4 ? "" : sized("Expected 0 or at least 4 bytes (%zu)", n);
    case Kind::kVarint:
    case Kind::kBlob:
      return "";
    case Kind::kAscii:
      for (char c : v)
        if (static_cast<unsigned char>(c) > 127) return "Invalid byte for ascii: " + std::to_string(int(c));
      return "";
    case Kind::kText:
      return valid_utf8(v) ? "" : "String didn't validate.";
    case Kind::kList:
    case Kind::kSet:
    case Kind::kMap:
    case Kind::kTuple:
      return validate_elements(t, v);
  }
  return "";
}

}  // namespace cqlsrv
