// Duration and size parsing for options: "250ms", "1.5s", "5m", "2h", "1d" (a bare
// number is seconds); "4096", "64k"/"64KiB", "16M"/"16MiB", "1G" (binary multiples).
#include "common/units.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

namespace airstream {
namespace {

// Splits "12.5ms" into 12.5 and "ms". Returns false if there is no number.
bool split_number(std::string_view text, double& number, std::string& unit) {
  std::string s(text);
  while (!s.empty() && isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  if (s.empty()) return false;
  char* end = nullptr;
  number = strtod(s.c_str(), &end);
  if (end == s.c_str() || !std::isfinite(number) || number < 0) return false;
  unit = std::string(end);
  for (char& c : unit) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  return true;
}

}  // namespace

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
  double n;
  std::string unit;
  if (!split_number(text, n, unit)) {
    return Status(kExitUsage, "invalid duration '" + std::string(text) + "' (e.g. 500ms, 30s, 5m)");
  }
  double ms;
  if (unit.empty() || unit == "s")
    ms = n * 1000;
  else if (unit == "ms")
    ms = n;
  else if (unit == "m" || unit == "min")
    ms = n * 60000;
  else if (unit == "h")
    ms = n * 3600000;
  else if (unit == "d")
    ms = n * 86400000;
  else
    return Status(kExitUsage, "invalid duration unit in '" + std::string(text) + "' (use ms, s, m, h, d)");
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(ms)));
}

Result<uint64_t> parse_size(std::string_view text) {
  double n;
  std::string unit;
  if (!split_number(text, n, unit)) {
    return Status(kExitUsage, "invalid size '" + std::string(text) + "' (e.g. 4096, 64k, 16M)");
  }
  if (unit.size() > 1 && unit.back() == 'b') unit.pop_back();   // "kb", "mib"
  if (unit.size() == 2 && unit.back() == 'i') unit.pop_back();  // "ki", "mi"
  double mult;
  if (unit.empty())
    mult = 1;
  else if (unit == "k")
    mult = 1024.0;
  else if (unit == "m")
    mult = 1024.0 * 1024;
  else if (unit == "g")
    mult = 1024.0 * 1024 * 1024;
  else
    return Status(kExitUsage, "invalid size unit in '" + std::string(text) + "' (use k, M, G)");
  return static_cast<uint64_t>(std::llround(n * mult));
}

}  // namespace airstream
