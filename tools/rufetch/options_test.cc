// Unit tests for rufetch's option checks, derived defaults and request URLs.
#include "options.h"

#include <gtest/gtest.h>

namespace airstream::rufetch {
namespace {

Result<Options> parse(std::vector<std::string> args) {
  CLI::App app;
  Options o;
  add_options(app, o);
  std::vector<const char*> argv = {"rufetch"};
  for (auto& a : args) argv.push_back(a.c_str());
  app.parse(static_cast<int>(argv.size()), const_cast<char**>(argv.data()));
  if (Status s = finish_options(o); !s) return s;
  return o;
}

TEST(RufetchOptions, ResultsRange) {
  EXPECT_TRUE(parse({"--results", "1"}).ok());
  EXPECT_TRUE(parse({"--results", "5000"}).ok());
  EXPECT_EQ(parse({"--results", "0"}).status().exit_code(), kExitUsage);
  EXPECT_EQ(parse({"--results", "5001"}).status().exit_code(), kExitUsage);
}

TEST(RufetchOptions, NatValidatedAndNormalised) {
  auto o = parse({"--nat", "us, gb,Fr"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->nat, "US,GB,FR");
  auto bad = parse({"--nat", "US,XX"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'XX'"), std::string::npos);
}

TEST(RufetchOptions, GenderWithSeedWarns) {
  auto o = parse({"--gender", "female", "--seed", "x"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->warnings.size(), 1u);
}

TEST(RufetchOptions, Defaults) {
  auto one = parse({});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one->limit, 1u);
  EXPECT_EQ(one->page_size, 1u);
  EXPECT_DOUBLE_EQ(one->users_per_s, kDefaultRate);
  auto many = parse({"--count", "12000"});
  EXPECT_EQ(many->page_size, 50u);  // one request per second at the default rate
  auto fast = parse({"--count", "12000", "--rate", "0"});
  EXPECT_EQ(fast->page_size, 5000u);
  auto small = parse({"--count", "7", "--rate", "0"});
  EXPECT_EQ(small->page_size, 7u);
  auto follow = parse({"--follow"});
  EXPECT_FALSE(follow->limit.has_value());
  auto synth = parse({"--synthetic", "--count", "100000"});
  EXPECT_DOUBLE_EQ(synth->users_per_s, 0);
  EXPECT_EQ(synth->page_size, 5000u);
}

TEST(RufetchOptions, Password) {
  EXPECT_TRUE(parse({"--password", "upper,lower,number,8-16"}).ok());
  EXPECT_TRUE(parse({"--password", "special,32"}).ok());
  EXPECT_FALSE(parse({"--password", "8-16"}).ok());
  EXPECT_FALSE(parse({"--password", "upper,8-16,lower"}).ok());
}

TEST(RufetchOptions, Url) {
  auto o = parse({"--url", "http://h/api/", "--api-version", "1.4", "--seed", "a b&c", "--results", "10", "--nat", "us",
                  "--inc", "name,login"});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(build_url(*o, 3), "http://h/api/1.4/?results=10&page=3&seed=a%20b%26c&nat=US&inc=name,login");
  auto q = parse({"--url", "http://h/api?key=1", "--api-version", "1.3"});
  EXPECT_EQ(build_url(*q, 1), "http://h/api/1.3/?key=1&results=1&page=1");
  EXPECT_FALSE(parse({"--url", "ftp://h/"}).ok());
}

TEST(RufetchOptions, SyntheticSeed) {
  EXPECT_EQ(synthetic_seed_from("42"), 42u);
  EXPECT_EQ(synthetic_seed_from("abc"), synthetic_seed_from("abc"));
  EXPECT_NE(synthetic_seed_from("abc"), synthetic_seed_from("abd"));
}

TEST(RufetchOptions, RateNoticeOnlyForTheDefaultRateAndALongCount) {
  auto o = parse({"--count", "5000"});
  ASSERT_TRUE(o.ok());
  // 5000 at 50/s in pages of 50: the first page at once, 99 s for the rest.
  EXPECT_EQ(rate_notice(*o),
            "5000 users at the default fair-use rate of 50 users/s take about 1m39s; --rate N changes it "
            "(0: unlimited; the API answers 429 above about 66 users/s)");
  o = parse({"--count", "500000"});
  EXPECT_NE(rate_notice(*o).find("take about 2h46m"), std::string::npos) << rate_notice(*o);
  EXPECT_EQ(rate_notice(*parse({"--count", "60"})), "");                    // under 2 s
  EXPECT_EQ(rate_notice(*parse({"--count", "5000", "--rate", "50"})), "");  // chosen rate
  EXPECT_EQ(rate_notice(*parse({"--count", "5000", "--synthetic"})), "");
  EXPECT_EQ(rate_notice(*parse({"--follow"})), "");
}

}  // namespace
}  // namespace airstream::rufetch
