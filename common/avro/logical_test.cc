// Tests of the text forms of Avro logical types: timestamps, times and dates both
// ways, and exact decimals to and from two's-complement bytes.
#include "common/avro/logical.h"

#include <gtest/gtest.h>

namespace airstream::avro {
namespace {

std::string dec_bytes(const std::string& text, int precision, int scale, size_t width = 0) {
  std::string b;
  std::string e = decimal_to_bytes(text, precision, scale, width, b);
  if (!e.empty()) return "error: " + e;
  std::string hex;
  for (unsigned char c : b) {
    static const char* kHex = "0123456789abcdef";
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  return hex;
}

std::string dec_text(const std::string& text, int precision, int scale) {
  std::string b, out;
  EXPECT_EQ(decimal_to_bytes(text, precision, scale, 0, b), "");
  decimal_from_bytes(b, scale, out);
  return out;
}

TEST(AvroLogical, Decimals) {
  EXPECT_EQ(dec_bytes("0", 5, 2), "00");
  EXPECT_EQ(dec_bytes("1.27", 5, 2), "7f");
  EXPECT_EQ(dec_bytes("1.28", 5, 2), "0080");
  EXPECT_EQ(dec_bytes("-1.28", 5, 2), "80");
  EXPECT_EQ(dec_bytes("-1.29", 5, 2), "ff7f");
  EXPECT_EQ(dec_bytes("-1", 5, 0, 4), "ffffffff");
  EXPECT_EQ(dec_bytes("1.50", 5, 1), "0f");
  EXPECT_EQ(dec_bytes("1.5e2", 5, 0), "0096");
  EXPECT_EQ(dec_bytes("1.234", 5, 2), "error: has more fraction digits than the decimal's scale 2");
  EXPECT_EQ(dec_bytes("123456", 5, 0), "error: has more digits than the decimal's precision 5");
  EXPECT_EQ(dec_bytes("1e99999999", 5, 0), "error: has more digits than the decimal's precision");
  EXPECT_EQ(dec_bytes("40000", 5, 0, 2), "error: does not fit the decimal's 2 bytes");
  EXPECT_EQ(dec_bytes("1.2.3", 5, 0), "error: not a decimal number");
  EXPECT_EQ(dec_text("-1234567890123456789012345.678", 40, 3), "-1234567890123456789012345.678");
  EXPECT_EQ(dec_text("0.05", 4, 3), "0.050");
  EXPECT_EQ(dec_text("-0.05", 4, 3), "-0.050");
  EXPECT_EQ(dec_text("7", 4, 0), "7");
}

TEST(AvroLogical, Timestamps) {
  int64_t v = 0;
  EXPECT_EQ(parse_timestamp("1970-01-01T00:00:00Z", 1000, false, v), "");
  EXPECT_EQ(v, 0);
  EXPECT_EQ(parse_timestamp("1969-12-31T23:59:59.999Z", 1000, false, v), "");
  EXPECT_EQ(v, -1);
  EXPECT_EQ(parse_timestamp("2024-02-29 01:00+01:00", 1000000, false, v), "");
  EXPECT_EQ(v, 1709164800000000);
  EXPECT_EQ(parse_timestamp("2024-02-29", 1000, false, v), "");
  EXPECT_EQ(parse_timestamp("2023-02-29", 1000, false, v), "not an ISO 8601 timestamp");
  EXPECT_EQ(parse_timestamp("2024-01-01T00:00:00Z", 1000, true, v), "a local timestamp takes no UTC offset");
  EXPECT_EQ(parse_timestamp("2024-01-01T00:00:00.1230Z", 1000, false, v), "");
  EXPECT_EQ(parse_timestamp("2024-01-01T00:00:00Zx", 1000, false, v), "not an ISO 8601 timestamp");
  EXPECT_EQ(parse_timestamp("2024-01-01T00:00:00+05:", 1000, false, v), "not an ISO 8601 timestamp (bad UTC offset)");
  std::string out;
  EXPECT_TRUE(format_timestamp(-1, 1000, false, out));
  EXPECT_EQ(out, "1969-12-31T23:59:59.999Z");
  out.clear();
  EXPECT_FALSE(format_timestamp(INT64_MAX, 1000, false, out));
  EXPECT_EQ(out, "");
  int32_t days = 0;
  EXPECT_EQ(parse_date("2000-01-01", days), "");
  EXPECT_EQ(days, 10957);
  EXPECT_EQ(parse_date("2000-01-01T00:00", days), "not a date (YYYY-MM-DD)");
  EXPECT_EQ(parse_time_of_day("24:00:00", 1000, v), "not a valid time of day");
  EXPECT_EQ(parse_time_of_day("01:02:03.5", 1000000, v), "");
  EXPECT_EQ(v, 3723500000);
}

}  // namespace
}  // namespace airstream::avro
