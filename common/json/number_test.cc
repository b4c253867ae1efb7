// Exact number conversions: integers in any spelling, fractions and overflow refused,
// float overflow and underflow refused, subnormals kept.
#include "common/json/number.h"

#include <gtest/gtest.h>

#include <limits>

namespace airstream {
namespace {

constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

NumberFit int64_fit(std::string_view s, int64_t* v = nullptr) {
  int64_t out = -1;
  NumberFit f = exact_integer(s, kMin, kMax, out);
  if (v) *v = out;
  return f;
}

TEST(ExactNumber, IntegersInAnySpelling) {
  struct {
    const char* text;
    int64_t value;
  } cases[] = {{"0", 0},
               {"-0", 0},
               {"0.000", 0},
               {"0e999999999999", 0},
               {"1e3", 1000},
               {"1000.0", 1000},
               {"1.5e1", 15},
               {"-12.50e1", -125},
               {"+7", 7},
               {"12300e-2", 123},
               {"0.00123e5", 123},
               {"9223372036854775807", kMax},
               {"-9223372036854775808", kMin},
               {"9.223372036854775807e18", kMax}};
  for (auto& c : cases) {
    int64_t v;
    EXPECT_EQ(int64_fit(c.text, &v), NumberFit::kOk) << c.text;
    EXPECT_EQ(v, c.value) << c.text;
  }
}

TEST(ExactNumber, IntegerRejects) {
  EXPECT_EQ(int64_fit("1.0e-400"), NumberFit::kFraction);
  EXPECT_EQ(int64_fit("1.5"), NumberFit::kFraction);
  EXPECT_EQ(int64_fit("123e-1"), NumberFit::kFraction);
  EXPECT_EQ(int64_fit("9223372036854775808"), NumberFit::kOverflow);
  EXPECT_EQ(int64_fit("-9223372036854775809"), NumberFit::kOverflow);
  EXPECT_EQ(int64_fit("18446744073709551616"), NumberFit::kOverflow);
  EXPECT_EQ(int64_fit("1e400"), NumberFit::kOverflow);
  EXPECT_EQ(int64_fit("1e99999999999999999999999"), NumberFit::kOverflow);
  EXPECT_EQ(int64_fit("1e-99999999999999999999999"), NumberFit::kFraction);
  // Found by fuzz_cql_values: the exponent's digits once overflowed an int64.
  EXPECT_EQ(int64_fit("1e36853333333333333339"), NumberFit::kOverflow);
  EXPECT_EQ(int64_fit("0.0e-36853333333333333339"), NumberFit::kOk);
  for (const char* bad : {"", "-", "e5", "1e", "1e+", "0x10", "abc", "1.2.3", "1 ", "nan", "inf"})
    EXPECT_EQ(int64_fit(bad), NumberFit::kNotANumber) << bad;
  int64_t v;
  EXPECT_EQ(exact_integer("32768", -32768, 32767, v), NumberFit::kOverflow);
  EXPECT_EQ(exact_integer("-32768", -32768, 32767, v), NumberFit::kOk);
  EXPECT_EQ(v, -32768);
}

TEST(ExactNumber, Floats) {
  double d;
  EXPECT_EQ(exact_double("1e400", d), NumberFit::kOverflow);
  EXPECT_EQ(exact_double("-1e400", d), NumberFit::kOverflow);
  EXPECT_EQ(exact_double("1.0e-400", d), NumberFit::kUnderflow);
  EXPECT_EQ(exact_double("0e-400", d), NumberFit::kOk);
  EXPECT_EQ(d, 0);
  EXPECT_EQ(exact_double("1e-310", d), NumberFit::kOk);  // subnormal: kept, as PostgreSQL does
  EXPECT_GT(d, 0);
  EXPECT_EQ(exact_double("0.1", d), NumberFit::kOk);
  EXPECT_EQ(d, 0.1);
  EXPECT_EQ(exact_double("nan", d), NumberFit::kNotANumber);
  EXPECT_EQ(exact_double("0x10", d), NumberFit::kNotANumber);
  float f;
  EXPECT_EQ(exact_float("1e39", f), NumberFit::kOverflow);
  EXPECT_EQ(exact_float("1e-50", f), NumberFit::kUnderflow);
  EXPECT_EQ(exact_float("3.5", f), NumberFit::kOk);
  EXPECT_EQ(f, 3.5f);
  std::string long_text = "1." + std::string(100, '0') + "1";
  EXPECT_EQ(exact_double(long_text, d), NumberFit::kOk);
  EXPECT_EQ(d, 1.0);
}

TEST(ExactNumber, Decimal) {
  EXPECT_EQ(exact_decimal("1.25", 10, 2), NumberFit::kOk);
  EXPECT_EQ(exact_decimal("1.2500", 10, 2), NumberFit::kOk);
  EXPECT_EQ(exact_decimal("-12.5e-1", 10, 2), NumberFit::kOk);
  EXPECT_EQ(exact_decimal("0.0000", 3, 0), NumberFit::kOk);
  EXPECT_EQ(exact_decimal("1.255", 10, 2), NumberFit::kRounded);
  EXPECT_EQ(exact_decimal("1e-3", 10, 2), NumberFit::kRounded);
  EXPECT_EQ(exact_decimal("99999999.99", 10, 2), NumberFit::kOk);
  EXPECT_EQ(exact_decimal("100000000", 10, 2), NumberFit::kOverflow);
  EXPECT_EQ(exact_decimal("1e8", 10, 2), NumberFit::kOverflow);
  EXPECT_EQ(exact_decimal("12000", 5, -3), NumberFit::kOk);  // PostgreSQL 15: negative scale
  EXPECT_EQ(exact_decimal("12300", 5, -3), NumberFit::kRounded);
  EXPECT_EQ(exact_decimal("1e400", 0, 0), NumberFit::kOk);
  EXPECT_EQ(exact_decimal("1e131071", 0, 0), NumberFit::kOk);
  EXPECT_EQ(exact_decimal("1e131072", 0, 0), NumberFit::kOverflow);
  EXPECT_EQ(exact_decimal("1e-16383", 0, 0), NumberFit::kOk);
  EXPECT_EQ(exact_decimal("1e-16384", 0, 0), NumberFit::kOverflow);
  EXPECT_EQ(exact_decimal("nan", 0, 0), NumberFit::kNotANumber);
}

}  // namespace
}  // namespace airstream
