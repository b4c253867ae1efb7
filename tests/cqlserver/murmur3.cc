// Murmur3Partitioner tokens, as Cassandra computes them (org.apache.cassandra.utils
// MurmurHash.hash3_x64_128, seed 0): 16-byte blocks are read as little-endian
// 64-bit words, but the 1..15 tail bytes are Java signed bytes, so each one is
// sign-extended before being shifted into place. That differs from the reference
// MurmurHash3 for keys whose tail holds bytes >= 0x80. The token is the first
// 64-bit half, with Long.MIN_VALUE replaced by Long.MAX_VALUE (the minimum token
// is reserved by the partitioner).
#include "murmur3.h"

#include <limits>

namespace cqlsrv {
namespace {

inline uint64_t rotl64(uint64_t v, int n) {
  return (v << n) | (v >> (64 - n));
}

inline uint64_t fmix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

inline uint64_t block_le(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
  return v;
}

// Java's (long) of a signed byte.
inline uint64_t sbyte(unsigned char b) {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(b)));
}

}  // namespace

int64_t murmur3_token(std::string_view key) {
  const auto* data = reinterpret_cast<const unsigned char*>(key.data());
  const size_t len = key.size();
  const size_t nblocks = len >> 4;
  const uint64_t c1 = 0x87c37b91114253d5ULL;
  const uint64_t c2 = 0x4cf5ad432745937fULL;
  uint64_t h1 = 0, h2 = 0;

  for (size_t i = 0; i < nblocks; i++) {
    uint64_t k1 = block_le(data + i * 16);
    uint64_t k2 = block_le(data + i * 16 + 8);
    k1 *= c1;
    k1 = rotl64(k1, 31);
    k1 *= c2;
    h1 ^= k1;
    h1 = rotl64(h1, 27);
    h1 += h2;
    h1 = h1 * 5 + 0x52dce729;
    k2 *= c2;
    k2 = rotl64(k2, 33);
    k2 *= c1;
    h2 ^= k2;
    h2 = rotl64(h2, 31);
    h2 += h1;
    h2 = h2 * 5 + 0x38495ab5;
  }

  const unsigned char* tail = data + nblocks * 16;
  const size_t rest = len & 15;
  uint64_t k1 = 0, k2 = 0;
  for (size_t i = rest; i > 8; i--) k2 ^= sbyte(tail[i - 1]) << ((i - 9) * 8);
  if (rest > 8) {
    k2 *= c2;
    k2 = rotl64(k2, 33);
    k2 *= c1;
    h2 ^= k2;
  }
  for (size_t i = rest < 8 ? rest : 8; i > 0; i--) k1 ^= sbyte(tail[i - 1]) << ((i - 1) * 8);
  if (rest > 0) {
    k1 *= c1;
    k1 = rotl64(k1, 31);
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

}  // namespace cqlsrv
