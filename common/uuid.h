// Hex digits and uuids in text (RFC 4122 section 3): one home for the CQL uuid codec,
// uxform's uuid functions and pgload's uuid checks and binary COPY fields. Inline, as
// pgload reads a uuid per row.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace airstream {

// Hex digit values, -1 for every other byte.
inline constexpr std::array<int8_t, 256> kHexValue = [] {
  std::array<int8_t, 256> t{};
  for (int c = 0; c < 256; c++) {
    t[c] = c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
  }
  return t;
}();

// The value of hex digit c (either case), -1 if c is not one.
constexpr int hex_value(char c) {
  return kHexValue[static_cast<unsigned char>(c)];
}

namespace uuid_detail {
// The 16 bytes from hex pairs at s + at[i]; false if any digit is not hex.
inline bool bytes_at(const char* s, const uint8_t (&at)[16], unsigned char out[16]) {
  int bad = 0;
  for (size_t i = 0; i < 16; i++) {
    int high = hex_value(s[at[i]]), low = hex_value(s[at[i] + 1]);
    bad |= high | low;
    out[i] = static_cast<unsigned char>(high << 4 | low);
  }
  return bad >= 0;
}
}  // namespace uuid_detail

// The canonical 8-4-4-4-12 form (hex digits of either case) into 16 bytes; false for
// anything else.
inline bool parse_uuid(std::string_view s, unsigned char out[16]) {
  static constexpr uint8_t kDashed[16] = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};
  if (s.size() != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') return false;
  return uuid_detail::bytes_at(s.data(), kDashed, out);
}

// 32 hex digits without dashes into 16 bytes; false for anything else.
inline bool parse_uuid_hex(std::string_view s, unsigned char out[16]) {
  static constexpr uint8_t kPlain[16] = {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30};
  if (s.size() != 32) return false;
  return uuid_detail::bytes_at(s.data(), kPlain, out);
}

}  // namespace airstream
