// Sets and maps as Cassandra stores them: elements (set) or entries (map) sorted by
// the element or key type's comparator, one per distinct element or key. A bound
// map with a key repeated keeps the last value sent for it (Cassandra deserializes
// the map into a Java map: later puts replace earlier ones); a repeated set element
// is kept once. Nested collections and tuples are normalized the same way.
// Comparators: signed integers, timestamp, float and double by value, varint by
// value for minimal encodings, timeuuid (and version-1 uuid) by timestamp first;
// every other type byte by byte (decimal and non-time uuids are approximations).
#include <algorithm>
#include <cstring>

#include "ast.h"
#include "wire.h"

namespace cqlsrv {
namespace {

int bytewise(std::string_view a, std::string_view b) {
  int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  if (c) return c < 0 ? -1 : 1;
  return a.size() == b.size() ? 0 : a.size() < b.size() ? -1 : 1;
}

// Fixed-size two's complement: flip the sign bit, then compare bytes.
int signed_fixed(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty() || a.size() != b.size()) return bytewise(a, b);
  std::string x(a), y(b);
  x[0] = static_cast<char>(x[0] ^ 0x80);
  y[0] = static_cast<char>(y[0] ^ 0x80);
  return bytewise(x, y);
}

template <typename F, typename U>
int floating(std::string_view a, std::string_view b) {
  if (a.size() != sizeof(F) || b.size() != sizeof(F)) return bytewise(a, b);
  U ua = 0, ub = 0;
  for (char c : a) ua = static_cast<U>(ua << 8 | static_cast<unsigned char>(c));
  for (char c : b) ub = static_cast<U>(ub << 8 | static_cast<unsigned char>(c));
  F fa, fb;
  std::memcpy(&fa, &ua, sizeof fa);
  std::memcpy(&fb, &ub, sizeof fb);
  return fa < fb ? -1 : fb < fa ? 1 : bytewise(a, b);
}

int varint(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return bytewise(a, b);
  bool na = static_cast<unsigned char>(a[0]) & 0x80, nb = static_cast<unsigned char>(b[0]) & 0x80;
  if (na != nb) return na ? -1 : 1;
  if (a.size() != b.size()) return (a.size() < b.size()) != na ? -1 : 1;
  return bytewise(a, b);
}

uint64_t uuid_time(std::string_view u) {  // 60-bit timestamp of a version-1 uuid
  auto b = [&](size_t i) { return static_cast<uint64_t>(static_cast<unsigned char>(u[i])); };
  return (b(6) & 0x0F) << 56 | b(7) << 48 | b(4) << 40 | b(5) << 32 | b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
}

int uuid(std::string_view a, std::string_view b) {
  if (a.size() != 16 || b.size() != 16) return bytewise(a, b);
  int va = static_cast<unsigned char>(a[6]) >> 4, vb = static_cast<unsigned char>(b[6]) >> 4;
  if (va != vb) return va < vb ? -1 : 1;
  if (va == 1) {
    uint64_t ta = uuid_time(a), tb = uuid_time(b);
    if (ta != tb) return ta < tb ? -1 : 1;
  }
  return bytewise(a, b);
}

int compare(const Type& t, std::string_view a, std::string_view b) {
  switch (t.kind) {
    case Kind::kTinyint:
    case Kind::kSmallint:
    case Kind::kInt:
    case Kind::kBigint:
    case Kind::kCounter:
    case Kind::kTimestamp:
      return signed_fixed(a, b);
    case Kind::kFloat:
      return floating<float, uint32_t>(a, b);
    case Kind::kDouble:
      return floating<double, uint64_t>(a, b);
    case Kind::kVarint:
      return varint(a, b);
    case Kind::kUuid:
    case Kind::kTimeuuid:
      return uuid(a, b);
    default:
      return bytewise(a, b);
  }
}

}  // namespace

std::string normalize_value(const Type& t, std::string_view v) {
  if (t.kind != Kind::kList && t.kind != Kind::kSet && t.kind != Kind::kMap && t.kind != Kind::kTuple)
    return std::string(v);
  Reader r(v);
  std::string out;
  if (t.kind == Kind::kTuple) {
    for (const auto& p : t.params) {
      if (r.empty()) break;
      std::string_view e;
      int32_t n = r.value(e);
      if (n < 0) {
        out += be32(n);
        continue;
      }
      std::string ne = normalize_value(p, e);
      out += be32(static_cast<int32_t>(ne.size())) + ne;
    }
    return out;
  }
  const bool map = t.kind == Kind::kMap;
  struct Item {
    std::string key, value;
  };
  std::vector<Item> items;
  int32_t n = r.i32();
  for (int32_t i = 0; i < n; i++) {
    std::string_view k, val;
    r.value(k);
    Item it{normalize_value(t.params[0], k), {}};
    if (map) {
      r.value(val);
      it.value = normalize_value(t.params[1], val);
    }
    items.push_back(std::move(it));
  }
  if (t.kind != Kind::kList) {
    const Type& kt = t.params[0];
    // Stable: among equal keys the later one stays after the earlier ones.
    std::stable_sort(items.begin(), items.end(),
                     [&](const Item& a, const Item& b) { return compare(kt, a.key, b.key) < 0; });
    std::vector<Item> unique;
    for (auto& it : items) {
      if (!unique.empty() && compare(kt, unique.back().key, it.key) == 0)
        unique.back() = std::move(it);  // the last one sent wins
      else
        unique.push_back(std::move(it));
    }
    items.swap(unique);
  }
  out = be32(static_cast<int32_t>(items.size()));
  for (auto& it : items) {
    out += be32(static_cast<int32_t>(it.key.size())) + it.key;
    if (map) out += be32(static_cast<int32_t>(it.value.size())) + it.value;
  }
  return out;
}

}  // namespace cqlsrv
