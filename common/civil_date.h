// Days between 1970-01-01 and a civil (proleptic Gregorian) date, after Howard
// Hinnant's days_from_civil algorithm. One home for the CQL date/timestamp codecs,
// uxform's date functions and pgload's binary COPY dates and timestamps.
#pragma once

#include <cstdint>

namespace airstream {

// Days from 1970-01-01 to year-month-day (month 1..12, day 1..31), negative before it.
constexpr int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(2000, 1, 1) == 10957);
static_assert(days_from_civil(1969, 12, 31) == -1);

}  // namespace airstream
