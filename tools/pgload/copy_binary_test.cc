// Unit tests: COPY binary framing, the send formats of floats and uuids, ISO-8601
// timestamps and dates to microseconds/days since 2000-01-01 (offsets, fractions,
// pre-2000 and leap days), and what is left to the server as text.
#include <gtest/gtest.h>

#include "copy_binary.h"

namespace airstream::pgload {
namespace {

std::string hex(std::string_view s) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) out += {kDigits[c >> 4], kDigits[c & 15]};
  return out;
}

std::string float_field(std::string_view text, bool float4) {
  std::string out;
  return put_float_field(out, text, float4) ? hex(out) : "text";
}

int64_t ts(std::string_view text, bool with_zone = true, bool local_is_utc = false) {
  int64_t micros = 0;
  return parse_iso_timestamp(text, with_zone, local_is_utc, micros) ? micros : INT64_MIN;
}

TEST(CopyBinary, HeaderTrailerAndFields) {
  EXPECT_EQ(hex(kCopyBinaryHeader),
            "5047434f50590aff0d0a00"
            "00000000"
            "00000000");
  EXPECT_EQ(hex(kCopyBinaryTrailer), "ffff");
  std::string out;
  put_null_field(out);
  put_field(out, "ab");
  EXPECT_EQ(hex(out),
            "ffffffff"
            "00000002"
            "6162");
  out.clear();
  put_i16(out, 3);
  EXPECT_EQ(hex(out), "0003");
}

TEST(CopyBinary, TypeNames) {
  EXPECT_EQ(bin_type_for("varchar"), BinType::kText);
  EXPECT_EQ(bin_type_for("timestamptz"), BinType::kTimestamptz);
  EXPECT_EQ(bin_type_for("float4"), BinType::kFloat4);
  EXPECT_EQ(bin_type_for("numeric"), BinType::kNone);
  EXPECT_EQ(bin_type_for("name"), BinType::kNone);  // namerecv refuses what namein truncates
  EXPECT_EQ(bin_type_for("time"), BinType::kNone);
  EXPECT_EQ(bin_type_for("bytea"), BinType::kNone);
}

TEST(CopyBinary, Floats) {
  EXPECT_EQ(float_field("1.5", false),
            "00000008"
            "3ff8000000000000");
  EXPECT_EQ(float_field("+1.5", false),
            "00000008"
            "3ff8000000000000");
  EXPECT_EQ(float_field("-0", false),
            "00000008"
            "8000000000000000");
  EXPECT_EQ(float_field("-0.0", true),
            "00000004"
            "80000000");
  EXPECT_EQ(float_field("0.1", true),
            "00000004"
            "3dcccccd");  // rounded once, to float
  EXPECT_EQ(float_field("NaN", false),
            "00000008"
            "7ff8000000000000");
  EXPECT_EQ(float_field("Infinity", false),
            "00000008"
            "7ff0000000000000");
  EXPECT_EQ(float_field("-infinity", true),
            "00000004"
            "ff800000");
  EXPECT_EQ(float_field("1e308", false),
            "00000008"
            "7fe1ccf385ebc8a0");
  EXPECT_EQ(float_field("0e5", false),
            "00000008"
            "0000000000000000");
  // Out of range: the server's error, from the text row.
  EXPECT_EQ(float_field("1e309", false), "text");
  EXPECT_EQ(float_field("1e39", true), "text");
  EXPECT_EQ(float_field("1e-400", false), "text");
  EXPECT_EQ(float_field("++1", false), "text");
}

TEST(CopyBinary, Uuid) {
  std::string a, b, c;
  EXPECT_TRUE(put_uuid_field(a, "0b6e6a6e-2b3c-4c7e-9f3a-1f2e3d4c5b6a"));
  EXPECT_TRUE(put_uuid_field(b, "{0B6E6A6E-2B3C-4C7E-9F3A-1F2E3D4C5B6A}"));
  EXPECT_TRUE(put_uuid_field(c, "0b6e6a6e2b3c4c7e9f3a1f2e3d4c5b6a"));
  EXPECT_EQ(hex(a), "000000100b6e6a6e2b3c4c7e9f3a1f2e3d4c5b6a");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, c);
  // The same forms as is_uuid(), nothing else.
  for (const char* bad : {"0b6e6a6e-2b3c-4c7e-9f3a-1f2e3d4c5b6", "0b6e6a6e-2b3c-4c7e-9f3a-1f2e3d4c5b6g",
                          "0b6e6a6e+2b3c-4c7e-9f3a-1f2e3d4c5b6a", "{0b6e6a6e2b3c4c7e9f3a1f2e3d4c5b6a}",
                          "0b6e6a6e-2b3c4c7e-9f3a-1f2e3d4c5b6a", "", "0b6e6a6e-2b3c-4c7e-9f3a-1f2e3d4c5b6\xff"}) {
    std::string out;
    EXPECT_FALSE(put_uuid_field(out, bad)) << bad;
    EXPECT_TRUE(out.empty());
  }
}

TEST(CopyBinary, Days) {
  EXPECT_EQ(days_since_2000(2000, 1, 1), 0);
  EXPECT_EQ(days_since_2000(1999, 12, 31), -1);
  EXPECT_EQ(days_since_2000(2000, 3, 1), 60);  // 2000 is a leap year
  EXPECT_EQ(days_since_2000(1970, 1, 1), -10957);
  EXPECT_EQ(days_since_2000(1, 1, 1), -730119);
  int32_t d = 0;
  EXPECT_TRUE(parse_iso_date("2024-02-29", d));
  EXPECT_EQ(d, 8825);
  EXPECT_FALSE(parse_iso_date("2023-02-29", d));
  EXPECT_FALSE(parse_iso_date("1900-02-29", d));
  EXPECT_TRUE(parse_iso_date("2000-02-29", d));
  EXPECT_FALSE(parse_iso_date("0000-01-01", d));
  EXPECT_FALSE(parse_iso_date("2024-13-01", d));
  EXPECT_FALSE(parse_iso_date("2024-01-02T00:00:00", d));
  EXPECT_FALSE(parse_iso_date("infinity", d));
}

TEST(CopyBinary, Timestamps) {
  EXPECT_EQ(ts("2000-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ts("2000-01-01 00:00:00.000001z"), 1);
  EXPECT_EQ(ts("1999-12-31T23:59:59.5Z"), -500000);
  EXPECT_EQ(ts("2000-01-01T05:30:00+05:30"), 0);
  EXPECT_EQ(ts("2000-01-01T05:30:00+0530"), 0);
  EXPECT_EQ(ts("1999-12-31T21:00:00-03"), 0);
  EXPECT_EQ(ts("1993-07-20T09:44:18.674Z"), -203523341326000);
  EXPECT_EQ(ts("2024-02-29T12:00Z"), (int64_t{8825} * 86400 + 12 * 3600) * 1000000);
  // timestamp without time zone: the offset is ignored, as the server does.
  EXPECT_EQ(ts("2000-01-01T05:30:00+05:30", false), int64_t{19800} * 1000000);
  EXPECT_EQ(ts("2000-01-01T05:30:00", false), int64_t{19800} * 1000000);
  // No offset in a timestamptz: exact only when the session zone is UTC.
  EXPECT_EQ(ts("2000-01-01T00:00:01"), INT64_MIN);
  EXPECT_EQ(ts("2000-01-01T00:00:01", true, true), 1000000);
  EXPECT_EQ(ts("2000-01-02", true, true), int64_t{86400} * 1000000);
  // Left to the server.
  for (const char* s : {"infinity", "2000-01-01T00:00:00.1234567Z", "2000-01-01T23:59:60Z", "2000-01-01T24:00:00Z",
                        "2000-02-30T00:00:00Z", "2000-01-01T00:00:00+16:00", "2000-01-01T00:00:00+05:", "2000-1-1",
                        "2000-01-01T00:00:00 UTC", "2000-01-01T00:00:00+05:30:15", "10000-01-01T00:00:00Z",
                        " 2000-01-01T00:00:00Z", "2000-01-01T00:00:00.Z", "2000-01-01T00Z"})
    EXPECT_EQ(ts(s), INT64_MIN) << s;
}

TEST(CopyBinary, UtcZoneNames) {
  EXPECT_TRUE(is_utc_zone_name("UTC"));
  EXPECT_TRUE(is_utc_zone_name("Etc/UTC"));
  EXPECT_TRUE(is_utc_zone_name("GMT"));
  EXPECT_FALSE(is_utc_zone_name("Europe/London"));
  EXPECT_FALSE(is_utc_zone_name("right/UTC"));
  EXPECT_FALSE(is_utc_zone_name(""));
}

}  // namespace
}  // namespace airstream::pgload
