// Wire primitives of the CQL native protocol (native_protocol_v4.spec section 3
// "Notations", v5 section 2 "Framing"): big-endian readers/writers built on memcpy,
// the error type every request handler throws, CRC24/CRC32 of v5 segments and LZ4.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace cqlsrv {

// Error codes of native_protocol_v4.spec section 9.
enum ErrorCode : int32_t {
  kServerError = 0x0000,
  kProtocolError = 0x000A,
  kBadCredentials = 0x0100,
  kUnavailable = 0x1000,
  kOverloaded = 0x1001,
  kIsBootstrapping = 0x1002,
  kWriteTimeout = 0x1100,
  kSyntaxError = 0x2000,
  kUnauthorized = 0x2100,
  kInvalid = 0x2200,
  kConfigError = 0x2300,
  kAlreadyExists = 0x2400,
  kUnprepared = 0x2500,
};

// A request failure answered with an ERROR message. `extra` is the already
// serialized code-specific tail of the body (consistency, ids, ...).
struct CqlError {
  int32_t code;
  std::string message;
  std::string extra;
};

[[noreturn]] void throw_invalid(std::string msg);
[[noreturn]] void throw_syntax(std::string msg);
[[noreturn]] void throw_protocol(std::string msg);

inline uint16_t load_be16(const char* p) {
  unsigned char b[2];
  std::memcpy(b, p, 2);
  return static_cast<uint16_t>(b[0] << 8 | b[1]);
}
inline uint32_t load_be32(const char* p) {
  unsigned char b[4];
  std::memcpy(b, p, 4);
  return uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | uint32_t(b[3]);
}
inline uint64_t load_be64(const char* p) {
  return uint64_t(load_be32(p)) << 32 | load_be32(p + 4);
}

// Bounds-checked reader over a frame body; running past the end is a protocol error.
class Reader {
 public:
  explicit Reader(std::string_view data) : d_(data) {}
  size_t remaining() const { return d_.size() - pos_; }
  bool empty() const { return pos_ >= d_.size(); }
  uint8_t u8();
  uint16_t u16();
  int32_t i32();
  int64_t i64();
  std::string_view raw(size_t n);
  std::string_view string();       // [string]
  std::string_view long_string();  // [long string]
  std::string_view short_bytes();  // [short bytes]
  // [value]: returns length (-1 null, -2 unset) and sets out for n >= 0.
  int32_t value(std::string_view& out);
  void string_map(std::vector<std::pair<std::string, std::string>>& out);

 private:
  void need(size_t n);
  std::string_view d_;
  size_t pos_ = 0;
};

// Appending writer.
class Writer {
 public:
  std::string& buf() { return b_; }
  void u8(uint8_t v) { b_.push_back(static_cast<char>(v)); }
  void u16(uint16_t v);
  void i32(int32_t v);
  void i64(int64_t v);
  void raw(std::string_view s) { b_.append(s); }
  void string(std::string_view s);
  void long_string(std::string_view s);
  void short_bytes(std::string_view s);
  void bytes(std::string_view s);  // [bytes] with n >= 0
  void null_bytes() { i32(-1); }
  void string_list(const std::vector<std::string>& l);
  // Overwrites a previously written big-endian int at offset.
  void patch_i32(size_t at, int32_t v);

 private:
  std::string b_;
};

std::string be32(int32_t v);
std::string be64(int64_t v);

uint32_t crc24(uint64_t bytes, int len);
uint32_t crc32_cassandra(const char* p, size_t n);

// LZ4 block helpers. compress returns the compressed block only.
std::string lz4_compress(std::string_view in);
bool lz4_decompress(std::string_view in, size_t out_len, std::string& out);

}  // namespace cqlsrv
