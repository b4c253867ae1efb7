// Wire primitives of the CQL native protocol: the notations of
// native_protocol_v4.spec section 3 ([short], [int], [string], [value], ...),
// the checksums of the v5 framing (a CRC24 over the 3 or 5 header bytes with
// init 0x875060 / poly 0x1974F0B, and a CRC32 over the payload primed with the
// bytes fa 2d 55 ca) and LZ4 block compression (section 5 of both specs).
#include "wire.h"

#include <lz4.h>

#include <array>

namespace cqlsrv {

void throw_invalid(std::string msg) {
  throw CqlError{kInvalid, std::move(msg), {}};
}
void throw_syntax(std::string msg) {
  throw CqlError{kSyntaxError, std::move(msg), {}};
}
void throw_protocol(std::string msg) {
  throw CqlError{kProtocolError, std::move(msg), {}};
}

void Reader::need(size_t n) {
  if (d_.size() - pos_ < n) throw_protocol("truncated message body");
}
uint8_t Reader::u8() {
  need(1);
  return static_cast<uint8_t>(d_[pos_++]);
}
uint16_t Reader::u16() {
  need(2);
  uint16_t v = load_be16(d_.data() + pos_);
  pos_ += 2;
  return v;
}
int32_t Reader::i32() {
  need(4);
  auto v = static_cast<int32_t>(load_be32(d_.data() + pos_));
  pos_ += 4;
  return v;
}
int64_t Reader::i64() {
  need(8);
  auto v = static_cast<int64_t>(load_be64(d_.data() + pos_));
  pos_ += 8;
  return v;
}
std::string_view Reader::raw(size_t n) {
  need(n);
  auto v = d_.substr(pos_, n);
  pos_ += n;
  return v;
}
std::string_view Reader::string() {
  return raw(u16());
}
std::string_view Reader::long_string() {
  int32_t n = i32();
  if (n < 0) throw_protocol("negative long string length");
  return raw(static_cast<size_t>(n));
}
std::string_view Reader::short_bytes() {
  return raw(u16());
}
int32_t Reader::value(std::string_view& out) {
  int32_t n = i32();
  if (n >= 0) {
    out = raw(static_cast<size_t>(n));
  } else if (n < -2) {
    throw_protocol("invalid value length " + std::to_string(n));
  }
  return n;
}
void Reader::string_map(std::vector<std::pair<std::string, std::string>>& out) {
  uint16_t n = u16();
  for (uint16_t i = 0; i < n; i++) {
    std::string k(string());
    std::string v(string());
    out.emplace_back(std::move(k), std::move(v));
  }
}

void Writer::u16(uint16_t v) {
  char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  b_.append(b, 2);
}
void Writer::i32(int32_t v) {
  b_.append(be32(v));
}
void Writer::i64(int64_t v) {
  b_.append(be64(v));
}
void Writer::string(std::string_view s) {
  u16(static_cast<uint16_t>(s.size()));
  raw(s);
}
void Writer::long_string(std::string_view s) {
  i32(static_cast<int32_t>(s.size()));
  raw(s);
}
void Writer::short_bytes(std::string_view s) {
  string(s);
}
void Writer::bytes(std::string_view s) {
  long_string(s);
}
void Writer::string_list(const std::vector<std::string>& l) {
  u16(static_cast<uint16_t>(l.size()));
  for (auto& s : l) string(s);
}
void Writer::patch_i32(size_t at, int32_t v) {
  auto s = be32(v);
  std::memcpy(&b_[at], s.data(), 4);
}

std::string be32(int32_t v) {
  auto u = static_cast<uint32_t>(v);
  unsigned char b[4] = {static_cast<unsigned char>(u >> 24), static_cast<unsigned char>(u >> 16),
                        static_cast<unsigned char>(u >> 8), static_cast<unsigned char>(u)};
  return std::string(reinterpret_cast<char*>(b), 4);
}
std::string be64(int64_t v) {
  auto u = static_cast<uint64_t>(v);
  return be32(static_cast<int32_t>(u >> 32)) + be32(static_cast<int32_t>(u & 0xffffffffu));
}

uint32_t crc24(uint64_t bytes, int len) {
  uint32_t crc = 0x875060;
  for (int i = 0; i < len; i++) {
    crc ^= static_cast<uint32_t>(bytes & 0xff) << 16;
    bytes >>= 8;
    for (int b = 0; b < 8; b++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1974F0B;
    }
  }
  return crc & 0xffffff;
}

namespace {
// Slicing-by-8 tables for the reflected CRC-32 polynomial 0xEDB88320.
using CrcTables = std::array<std::array<uint32_t, 256>, 8>;
CrcTables make_crc_tables() {
  CrcTables t{};
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; i++)
    for (int s = 1; s < 8; s++) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xff];
  return t;
}
const CrcTables kCrc = make_crc_tables();

uint32_t crc32_update(uint32_t crc, const unsigned char* p, size_t n) {
  crc = ~crc;
  while (n >= 8) {
    uint32_t lo = crc ^ (uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24);
    uint32_t hi = uint32_t(p[4]) | uint32_t(p[5]) << 8 | uint32_t(p[6]) << 16 | uint32_t(p[7]) << 24;
    crc = kCrc[7][lo & 0xff] ^ kCrc[6][(lo >> 8) & 0xff] ^ kCrc[5][(lo >> 16) & 0xff] ^ kCrc[4][lo >> 24] ^
          kCrc[3][hi & 0xff] ^ kCrc[2][(hi >> 8) & 0xff] ^ kCrc[1][(hi >> 16) & 0xff] ^ kCrc[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n--) crc = kCrc[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return ~crc;
}
}  // namespace

uint32_t crc32_cassandra(const char* p, size_t n) {
  static const unsigned char kInit[4] = {0xfa, 0x2d, 0x55, 0xca};
  uint32_t crc = crc32_update(0, kInit, 4);
  return crc32_update(crc, reinterpret_cast<const unsigned char*>(p), n);
}

std::string lz4_compress(std::string_view in) {
  std::string out(static_cast<size_t>(LZ4_compressBound(static_cast<int>(in.size()))), '\0');
  int n = LZ4_compress_default(in.data(), out.data(), static_cast<int>(in.size()), static_cast<int>(out.size()));
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

bool lz4_decompress(std::string_view in, size_t out_len, std::string& out) {
  out.resize(out_len);
  if (out_len == 0) return true;
  int n = LZ4_decompress_safe(in.data(), out.data(), static_cast<int>(in.size()), static_cast<int>(out_len));
  return n == static_cast<int>(out_len);
}

}  // namespace cqlsrv
