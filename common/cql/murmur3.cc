// Murmur3Partitioner token computation (Cassandra's MurmurHash.hash3_x64_128 with
// seed 0, first half of the 128-bit result). Blocks are read as little-endian
// 64-bit words (memcpy byte by byte, no pointer casts); the tail bytes are sign
// extended, which is where Cassandra differs from the reference MurmurHash3 for keys
// with bytes >= 0x80 in the last (len % 16) positions.
#include "common/cql/murmur3.h"

#include <limits>

namespace airstream {
namespace {

inline uint64_t rotl(uint64_t x, int r) {
  return (x << r) | (x >> (64 - r));
}

inline uint64_t fmix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

inline uint64_t load_le64(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

// A Java (signed) byte widened to a 64-bit word.
inline uint64_t sbyte(unsigned char b) {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(b)));
}

}  // namespace

int64_t murmur3_token(std::string_view key) {
  const auto* data = reinterpret_cast<const unsigned char*>(key.data());
  const size_t len = key.size();
  const size_t nblocks = len / 16;
  const uint64_t c1 = 0x87c37b91114253d5ULL;
  const uint64_t c2 = 0x4cf5ad432745937fULL;
  uint64_t h1 = 0, h2 = 0;

  for (size_t i = 0; i < nblocks; i++) {
    uint64_t k1 = load_le64(data + i * 16);
    uint64_t k2 = load_le64(data + i * 16 + 8);
    k1 *= c1;
    k1 = rotl(k1, 31);
    k1 *= c2;
    h1 ^= k1;
    h1 = rotl(h1, 27);
    h1 += h2;
    h1 = h1 * 5 + 0x52dce729;
    k2 *= c2;
    k2 = rotl(k2, 33);
    k2 *= c1;
    h2 ^= k2;
    h2 = rotl(h2, 31);
    h2 += h1;
    h2 = h2 * 5 + 0x38495ab5;
  }

  const unsigned char* tail = data + nblocks * 16;
  const size_t rest = len & 15;
  uint64_t k1 = 0, k2 = 0;
  for (size_t i = rest; i > 8; i--) k2 ^= sbyte(tail[i - 1]) << ((i - 9) * 8);
  if (rest > 8) {
    k2 *= c2;
    k2 = rotl(k2, 33);
    k2 *= c1;
    h2 ^= k2;
  }
  for (size_t i = rest < 8 ? rest : 8; i > 0; i--) k1 ^= sbyte(tail[i - 1]) << ((i - 1) * 8);
  if (rest > 0) {
    k1 *= c1;
    k1 = rotl(k1, 31);
    k1 *= c2;
    h1 ^= k1;
  }

  h1 ^= len;
  h2 ^= len;
  h1 += h2;
  h2 += h1;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 += h2;
  auto token = static_cast<int64_t>(h1);
  if (token == std::numeric_limits<int64_t>::min()) token = std::numeric_limits<int64_t>::max();
  return token;
}

std::string composite_partition_key(const std::vector<std::string_view>& components) {
  if (components.size() == 1) return std::string(components[0]);
  std::string out;
  for (auto c : components) {
    out.push_back(static_cast<char>((c.size() >> 8) & 0xff));
    out.push_back(static_cast<char>(c.size() & 0xff));
    out.append(c);
    out.push_back('\0');
  }
  return out;
}

}  // namespace airstream
