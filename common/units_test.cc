// Duration and size parsing.
#include "common/units.h"

#include <gtest/gtest.h>

namespace airstream {
namespace {

TEST(Units, Durations) {
  EXPECT_EQ(parse_duration("60s")->count(), 60000);
  EXPECT_EQ(parse_duration("60")->count(), 60000);
  EXPECT_EQ(parse_duration("250ms")->count(), 250);
  EXPECT_EQ(parse_duration("1.5s")->count(), 1500);
  EXPECT_EQ(parse_duration("5m")->count(), 300000);
  EXPECT_EQ(parse_duration("2h")->count(), 7200000);
  EXPECT_FALSE(parse_duration("").ok());
  EXPECT_FALSE(parse_duration("abc").ok());
  EXPECT_FALSE(parse_duration("5 parsecs").ok());
  EXPECT_FALSE(parse_duration("-1s").ok());
  EXPECT_EQ(parse_duration("x").status().exit_code(), kExitUsage);
}

TEST(Units, Sizes) {
  EXPECT_EQ(*parse_size("4096"), 4096u);
  EXPECT_EQ(*parse_size("64k"), 65536u);
  EXPECT_EQ(*parse_size("16M"), 16u << 20);
  EXPECT_EQ(*parse_size("16MiB"), 16u << 20);
  EXPECT_EQ(*parse_size("1G"), 1u << 30);
  EXPECT_EQ(*parse_size("1.5k"), 1536u);
  EXPECT_FALSE(parse_size("12 apples").ok());
  EXPECT_FALSE(parse_size("").ok());
}

}  // namespace
}  // namespace airstream
