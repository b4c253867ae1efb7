// Tests of the uuid text parsers and hex digit values (common/uuid.h); expected bytes
// from Python's uuid module.
#include "common/uuid.h"

#include <gtest/gtest.h>

#include <string>

namespace airstream {
namespace {

std::string hex(const unsigned char b[16]) {
  static const char kDigits[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 16; i++) {
    s.push_back(kDigits[b[i] >> 4]);
    s.push_back(kDigits[b[i] & 15]);
  }
  return s;
}

TEST(Uuid, HexValue) {
  EXPECT_EQ(hex_value('0'), 0);
  EXPECT_EQ(hex_value('9'), 9);
  EXPECT_EQ(hex_value('a'), 10);
  EXPECT_EQ(hex_value('F'), 15);
  for (char c : std::string("gG/:@`\x80 -"))
    EXPECT_EQ(hex_value(c), -1) << static_cast<int>(static_cast<unsigned char>(c));
}

TEST(Uuid, CanonicalForm) {
  unsigned char b[16];
  ASSERT_TRUE(parse_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8", b));
  EXPECT_EQ(hex(b), "6ba7b8109dad11d180b400c04fd430c8");
  ASSERT_TRUE(parse_uuid("6BA7B810-9DAD-11D1-80B4-00C04FD430C8", b));
  EXPECT_EQ(hex(b), "6ba7b8109dad11d180b400c04fd430c8");
  EXPECT_FALSE(parse_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430cg", b));    // not hex
  EXPECT_FALSE(parse_uuid("6ba7b8109dad-11d1-80b4-00c04fd430c8a", b));    // dash misplaced
  EXPECT_FALSE(parse_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c", b));     // short
  EXPECT_FALSE(parse_uuid("{6ba7b810-9dad-11d1-80b4-00c04fd430c8}", b));  // braces: callers'
  EXPECT_FALSE(parse_uuid("6ba7b8109dad11d180b400c04fd430c8", b));        // no dashes
  EXPECT_FALSE(parse_uuid("", b));
}

TEST(Uuid, PlainHex) {
  unsigned char b[16];
  ASSERT_TRUE(parse_uuid_hex("6ba7b8109dad11d180b400c04fd430C8", b));
  EXPECT_EQ(hex(b), "6ba7b8109dad11d180b400c04fd430c8");
  EXPECT_FALSE(parse_uuid_hex("6ba7b810-9dad-11d1-80b4-00c04fd430c8", b));
  EXPECT_FALSE(parse_uuid_hex("6ba7b8109dad11d180b400c04fd430c", b));
  EXPECT_FALSE(parse_uuid_hex("6ba7b8109dad11d180b400c04fd430cx", b));
}

}  // namespace
}  // namespace airstream
