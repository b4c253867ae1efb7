// Big-endian (network order) integers for wire protocols (the CQL native protocol,
// PostgreSQL's binary COPY format): built on shifts and memcpy, never pointer casts,
// so they are correct on any host and free of alignment and aliasing problems.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>

namespace airstream {

inline void put_u8(std::string& out, uint8_t v) {
  out.push_back(static_cast<char>(v));
}
inline void put_u16(std::string& out, uint16_t v) {
  char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(b, 2);
}
inline void put_u32(std::string& out, uint32_t v) {
  char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(b, 4);
}
inline void put_u64(std::string& out, uint64_t v) {
  put_u32(out, static_cast<uint32_t>(v >> 32));
  put_u32(out, static_cast<uint32_t>(v));
}
inline void put_i16(std::string& out, int16_t v) {
  put_u16(out, static_cast<uint16_t>(v));
}
inline void put_i32(std::string& out, int32_t v) {
  put_u32(out, static_cast<uint32_t>(v));
}
inline void put_i64(std::string& out, int64_t v) {
  put_u64(out, static_cast<uint64_t>(v));
}
inline void store_u32(char* p, uint32_t v) {
  unsigned char b[4] = {static_cast<unsigned char>(v >> 24), static_cast<unsigned char>(v >> 16),
                        static_cast<unsigned char>(v >> 8), static_cast<unsigned char>(v)};
  std::memcpy(p, b, 4);
}
inline uint16_t load_u16(const char* p) {
  unsigned char b[2];
  std::memcpy(b, p, 2);
  return static_cast<uint16_t>((b[0] << 8) | b[1]);
}
inline uint32_t load_u32(const char* p) {
  unsigned char b[4];
  std::memcpy(b, p, 4);
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}
inline uint64_t load_u64(const char* p) {
  return (uint64_t{load_u32(p)} << 32) | load_u32(p + 4);
}

}  // namespace airstream
