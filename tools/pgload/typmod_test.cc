// Unit tests of the type-modifier checks (typmod.h): what each column type keeps,
// and which spellings are read (ISO-8601) or left to the server.
#include "typmod.h"

#include <gtest/gtest.h>

namespace airstream::pgload {
namespace {

bool fits_time(std::string_view type, int typmod, std::string_view value) {
  std::string error;
  return datetime_fits(value, type_limits(type, typmod, std::string(type), -1), error);
}

bool fits_text(std::string_view type, int typmod, std::string_view value) {
  std::string error;
  return text_fits(value, type_limits(type, typmod, std::string(type), -1), error);
}

TEST(Typmod, Limits) {
  EXPECT_EQ(type_limits("varchar", 9, "", -1).max_chars, 5);
  EXPECT_FALSE(type_limits("varchar", 9, "", -1).fixed);
  EXPECT_TRUE(type_limits("bpchar", 5, "", -1).fixed);
  EXPECT_EQ(type_limits("varchar", -1, "", -1).max_chars, -1);
  EXPECT_FALSE(type_limits("text", -1, "", -1).checks());
  EXPECT_EQ(type_limits("timestamp", -1, "", -1).frac_digits, 6);
  EXPECT_EQ(type_limits("timetz", 3, "", -1).frac_digits, 3);
  EXPECT_EQ(type_limits("money", -1, "", 0).money_scale, 0);
}

TEST(Typmod, CharactersNotBytes) {
  EXPECT_TRUE(fits_text("varchar", 7, "äöü"));
  EXPECT_FALSE(fits_text("varchar", 7, "äöüx"));
  EXPECT_FALSE(fits_text("varchar", 7, "abc "));  // the server would cut the space
  EXPECT_FALSE(fits_text("bpchar", 7, "ab"));     // the server would pad
  EXPECT_TRUE(fits_text("bpchar", 7, "ab "));
}

TEST(Typmod, Fractions) {
  EXPECT_TRUE(fits_time("timestamp", 0, "2020-01-01T00:00:00.000"));
  EXPECT_FALSE(fits_time("timestamp", 0, "2020-01-01T00:00:00.001"));
  EXPECT_TRUE(fits_time("timestamptz", -1, "2020-01-01 00:00:00,123456+01"));
  EXPECT_FALSE(fits_time("timestamptz", -1, "2020-01-01 00:00:00,1234561+01"));
  EXPECT_TRUE(fits_time("timestamptz", 2, "12020-01-01T00:00:00.12Z"));  // years past 9999
  EXPECT_FALSE(fits_time("time", 1, "23:59:59.99"));
  EXPECT_TRUE(fits_time("timetz", 1, "23:59:59.9-0530"));
  // With a zone kept, the fraction alone decides (a short way for the common case).
  EXPECT_TRUE(fits_time("timestamptz", -1, "1993-07-20T09:44:18.674Z"));
  EXPECT_TRUE(fits_time("timestamptz", -1, "1993-07-20T09:44:18Z"));
  EXPECT_TRUE(fits_time("timestamptz", -1, "1993-07-20T09:44:18.1234560Z"));  // a trailing zero
  EXPECT_FALSE(fits_time("timestamptz", -1, "1993-07-20T09:44:18.1234567Z"));
  EXPECT_FALSE(fits_time("timestamptz", 3, "1993-07-20T09:44:18,1234Z"));
  EXPECT_TRUE(fits_time("timestamptz", 3, "1993-07-20T09:44:18,1230Z"));
  EXPECT_FALSE(fits_time("timetz", 0, "09:44:18.5+02"));
  EXPECT_TRUE(fits_time("timetz", 0, "09:44:18+02"));
  EXPECT_TRUE(fits_time("timestamptz", -1, "Jan. 1 2020 00:00:00.1234567"));  // not ISO: the server's
}

TEST(Typmod, ZonesAndDates) {
  EXPECT_TRUE(fits_time("timestamp", -1, "2020-01-01T00:00:00Z"));
  EXPECT_TRUE(fits_time("timestamp", -1, "2020-01-01T00:00:00-00:00"));
  EXPECT_TRUE(fits_time("timestamp", -1, "2020-01-01 00:00:00 UTC"));
  EXPECT_FALSE(fits_time("timestamp", -1, "2020-01-01 00:00:00 Europe/Paris"));
  EXPECT_FALSE(fits_time("timestamp", -1, "2020-01-01T00:00:00+0130"));
  EXPECT_TRUE(fits_time("timestamptz", -1, "2020-01-01T00:00:00+0130"));
  EXPECT_FALSE(fits_time("time", -1, "10:00-08"));
  EXPECT_TRUE(fits_time("date", -1, "2020-01-01"));
  EXPECT_TRUE(fits_time("date", -1, "2020-01-01T00:00:00.000+05:00"));
  EXPECT_FALSE(fits_time("date", -1, "2020-01-01T00:00:00.001Z"));
  // Other spellings are the server's to read.
  EXPECT_TRUE(fits_time("timestamp", 0, "Jan 1 2020 00:00:00.5"));
  EXPECT_TRUE(fits_time("date", -1, "infinity"));
}

}  // namespace
}  // namespace airstream::pgload
