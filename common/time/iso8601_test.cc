// Unit tests of the ISO-8601 scanner (iso8601.h): each field as written, the forms a
// caller may allow (signed years, years past 9999), what is left unchecked for the
// caller, and where scanning stops.
#include "common/time/iso8601.h"

#include <gtest/gtest.h>

namespace airstream::iso8601 {
namespace {

TEST(Iso8601, Digits) {
  size_t p = 1;
  int64_t v = -1;
  EXPECT_TRUE(digits("x0421y", p, 4, v));
  EXPECT_EQ(v, 421);
  EXPECT_EQ(p, 5u);
  EXPECT_FALSE(digits("x0421y", p, 2, v));  // 'y', then the end
  EXPECT_EQ(p, 5u);
  p = 0;
  EXPECT_FALSE(digits("12", p, 3, v));
  EXPECT_FALSE(digits("1a", p, 2, v));
  EXPECT_EQ(p, 0u);
}

TEST(Iso8601, Dates) {
  size_t p = 0;
  Date d;
  ASSERT_TRUE(scan_date("2024-02-29T10", p, d));
  EXPECT_EQ(p, 10u);
  EXPECT_EQ(d.year, 2024);
  EXPECT_EQ(d.month, 2);
  EXPECT_EQ(d.day, 29);
  EXPECT_TRUE(valid_date(d));
  p = 0;
  ASSERT_TRUE(scan_date("2023-02-29", p, d));  // scanned as written...
  EXPECT_FALSE(valid_date(d));                 // ...but no such day
  p = 0;
  ASSERT_TRUE(scan_date("2023-13-40", p, d));
  EXPECT_FALSE(valid_date(d));
  // A sign and more year digits only where the caller allows them.
  p = 0;
  EXPECT_FALSE(scan_date("-0044-03-15", p, d));
  ASSERT_TRUE(scan_date("-0044-03-15", p, d, {.sign = true}));
  EXPECT_EQ(d.year, -44);
  EXPECT_TRUE(d.negative);
  p = 0;
  EXPECT_FALSE(scan_date("12020-01-01", p, d));
  ASSERT_TRUE(scan_date("12020-01-01", p, d, {.max_year_digits = 6}));
  EXPECT_EQ(d.year, 12020);
  EXPECT_EQ(d.year_digits, 5u);
  for (const char* bad : {"", "2020", "2020-1-01", "2020-01-1", "2020/01/01", "202-01-01", "2020-01-"}) {
    p = 0;
    EXPECT_FALSE(scan_date(bad, p, d)) << bad;
    EXPECT_EQ(p, 0u) << bad;
  }
  // Leap years: every fourth, not every hundredth, every four hundredth; any sign.
  EXPECT_TRUE(leap_year(2000));
  EXPECT_FALSE(leap_year(1900));
  EXPECT_TRUE(leap_year(-4));
  EXPECT_TRUE(leap_year(0));
}

TEST(Iso8601, Times) {
  size_t p = 0;
  Time t;
  ASSERT_TRUE(scan_time("23:59", p, t));
  EXPECT_EQ(p, 5u);
  EXPECT_FALSE(t.has_second);
  p = 0;
  ASSERT_TRUE(scan_time("24:61:60,50Z", p, t));  // ranges are the caller's
  EXPECT_EQ(t.hour, 24);
  EXPECT_EQ(t.minute, 61);
  EXPECT_EQ(t.second, 60);
  EXPECT_EQ(t.frac_sep, ',');
  EXPECT_EQ(t.frac, "50");
  EXPECT_EQ(p, 11u);
  p = 0;
  ASSERT_TRUE(scan_time("10:00:00.+01", p, t));
  EXPECT_EQ(t.frac_sep, '.');
  EXPECT_EQ(t.frac, "");
  for (const char* bad : {"1:00", "10:0", "10-00", "10:00:", "10:00:5", ""}) {
    p = 0;
    EXPECT_FALSE(scan_time(bad, p, t)) << bad;
  }
  EXPECT_TRUE(time_follows("2020-01-01T1", 10));
  EXPECT_TRUE(time_follows("2020-01-01 1", 10));
  EXPECT_FALSE(time_follows("2020-01-01T", 10));
  EXPECT_FALSE(time_follows("2020-01-01 Z", 10));
}

TEST(Iso8601, Fractions) {
  int64_t v = -1;
  ASSERT_TRUE(fraction("5", 3, v));
  EXPECT_EQ(v, 500);
  ASSERT_TRUE(fraction("123456", 6, v));
  EXPECT_EQ(v, 123456);
  ASSERT_TRUE(fraction("1234560000", 6, v));  // zeros past the unit are nothing lost
  EXPECT_EQ(v, 123456);
  EXPECT_FALSE(fraction("1234561", 6, v));
  ASSERT_TRUE(fraction("", 9, v));
  EXPECT_EQ(v, 0);
}

TEST(Iso8601, Offsets) {
  Offset o;
  ASSERT_TRUE(parse_offset("Z", o));
  EXPECT_TRUE(o.designator);
  EXPECT_EQ(o.seconds(), 0);
  ASSERT_TRUE(parse_offset("-01:30", o));
  EXPECT_EQ(o.seconds(), -5400);
  ASSERT_TRUE(parse_offset("+0530", o));
  EXPECT_EQ(o.seconds(), 19800);
  ASSERT_TRUE(parse_offset("+05", o));
  EXPECT_EQ(o.seconds(), 18000);
  ASSERT_TRUE(parse_offset("+99:99", o));  // ranges are the caller's
  EXPECT_EQ(o.hours, 99);
  for (const char* bad : {"", "+", "+5", "+05:", "+05:3", "+053", "+05:30:00", "05:00", "Z ", "UTC", "+05 "})
    EXPECT_FALSE(parse_offset(bad, o)) << bad;
}

}  // namespace
}  // namespace airstream::iso8601
