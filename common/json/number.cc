// Exact number conversions (number.h). Integers are decided on the decimal digits
// themselves (significant digits and a power of ten, leading and trailing zeros
// dropped), so any spelling and any exponent is judged without rounding; floats are
// read with strtod/strtof, as PostgreSQL's float input does, and refused when the
// result is infinite or zero for a non-zero input.
#include "common/json/number.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

namespace airstream {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The parts of decimal number text: sign, integer digits, fraction digits, exponent.
struct Parts {
  bool neg = false;
  std::string_view int_digits, frac_digits;
  int64_t exp = 0;  // clamped near +-1e18 (any larger exponent decides the same way)
};

bool split(std::string_view s, Parts& p) {
  size_t i = 0, n = s.size();
  if (i < n && (s[i] == '-' || s[i] == '+')) p.neg = s[i++] == '-';
  size_t start = i;
  while (i < n && is_digit(s[i])) i++;
  p.int_digits = s.substr(start, i - start);
  if (i < n && s[i] == '.') {
    start = ++i;
    while (i < n && is_digit(s[i])) i++;
    p.frac_digits = s.substr(start, i - start);
  }
  if (p.int_digits.empty() && p.frac_digits.empty()) return false;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    bool eneg = false;
    if (i < n && (s[i] == '-' || s[i] == '+')) eneg = s[i++] == '-';
    if (i == n) return false;
    int64_t e = 0;
    for (; i < n && is_digit(s[i]); i++)
      if (e < 100000000000000000) e = e * 10 + (s[i] - '0');
    p.exp = eneg ? -e : e;
  }
  return i == n;
}

// True if the digits are all zeros.
bool all_zero(const Parts& p) {
  for (char c : p.int_digits)
    if (c != '0') return false;
  for (char c : p.frac_digits)
    if (c != '0') return false;
  return true;
}

// Reads text (which split() accepted) with strtod/strtof from a NUL-terminated copy.
template <typename T>
NumberFit exact_floating(std::string_view text, T& out, T (*conv)(const char*, char**)) {
  Parts p;
  if (!split(text, p)) return NumberFit::kNotANumber;
  char small[64];
  std::string big;
  const char* z;
  if (text.size() < sizeof small) {
    text.copy(small, text.size());
    small[text.size()] = '\0';
    z = small;
  } else {
    big.assign(text);
    z = big.c_str();
  }
  T v = conv(z, nullptr);
  if (std::isinf(v)) return NumberFit::kOverflow;
  if (v == 0 && !all_zero(p)) return NumberFit::kUnderflow;
  out = v;
  return NumberFit::kOk;
}

}  // namespace

const char* number_fit_reason(NumberFit fit) {
  switch (fit) {
    case NumberFit::kOk:
      return "ok";
    case NumberFit::kNotANumber:
      return "not a number";
    case NumberFit::kFraction:
      return "not an integer";
    case NumberFit::kOverflow:
      return "out of range";
    case NumberFit::kUnderflow:
      return "too small (would be stored as 0)";
    case NumberFit::kRounded:
      return "has more digits after the decimal point than the column's scale (would be rounded)";
  }
  return "not a number";
}

NumberFit exact_integer(std::string_view text, int64_t min, int64_t max, int64_t& out) {
  Parts p;
  if (!split(text, p)) return NumberFit::kNotANumber;
  // value = digits * 10^scale, digits = int_digits followed by frac_digits.
  const size_t ni = p.int_digits.size(), nd = ni + p.frac_digits.size();
  auto digit = [&](size_t j) { return j < ni ? p.int_digits[j] : p.frac_digits[j - ni]; };
  size_t first = 0, last = nd;  // the significant digits [first, last)
  while (first < nd && digit(first) == '0') first++;
  if (first == nd) {
    out = 0;
    return 0 >= min && 0 <= max ? NumberFit::kOk : NumberFit::kOverflow;
  }
  while (digit(last - 1) == '0') last--;
  // Power of ten of the last significant digit.
  int64_t scale = p.exp - static_cast<int64_t>(p.frac_digits.size()) + static_cast<int64_t>(nd - last);
  if (scale < 0) return NumberFit::kFraction;
  if (static_cast<int64_t>(last - first) + scale > 19) return NumberFit::kOverflow;
  unsigned __int128 v = 0;
  for (size_t j = first; j < last; j++) v = v * 10 + static_cast<unsigned>(digit(j) - '0');
  for (int64_t k = 0; k < scale; k++) v *= 10;
  const unsigned __int128 limit =
      p.neg ? static_cast<unsigned __int128>(-static_cast<__int128>(min)) : static_cast<unsigned __int128>(max);
  if ((p.neg && min >= 0) || v > limit) return NumberFit::kOverflow;
  out = p.neg ? static_cast<int64_t>(-static_cast<__int128>(v)) : static_cast<int64_t>(v);
  return NumberFit::kOk;
}

NumberFit exact_double(std::string_view text, double& out) {
  return exact_floating<double>(text, out, std::strtod);
}

NumberFit exact_float(std::string_view text, float& out) {
  return exact_floating<float>(text, out, std::strtof);
}

NumberFit exact_decimal(std::string_view text, int precision, int scale) {
  Parts p;
  if (!split(text, p)) return NumberFit::kNotANumber;
  const int64_t ni = static_cast<int64_t>(p.int_digits.size()), nf = static_cast<int64_t>(p.frac_digits.size());
  const int64_t nd = ni + nf;
  auto digit = [&](int64_t j) {
    return j < ni ? p.int_digits[static_cast<size_t>(j)] : p.frac_digits[static_cast<size_t>(j - ni)];
  };
  int64_t first = 0, last = nd;  // the significant digits [first, last)
  while (first < nd && digit(first) == '0') first++;
  if (precision <= 0) {
    // PostgreSQL keeps the digits after the point as written (1.50 stays 1.50).
    if (nf - p.exp > 16383) return NumberFit::kOverflow;
    if (first < nd && ni - first + p.exp > 131072) return NumberFit::kOverflow;
    return NumberFit::kOk;
  }
  if (first == nd) return NumberFit::kOk;  // zero
  while (digit(last - 1) == '0') last--;
  // Powers of ten of the first and the last significant digit.
  const int64_t pos_first = ni - 1 - first + p.exp, pos_last = ni - last + p.exp;
  if (pos_last < -static_cast<int64_t>(scale)) return NumberFit::kRounded;
  if (pos_first + 1 > static_cast<int64_t>(precision) - scale) return NumberFit::kOverflow;
  return NumberFit::kOk;
}

}  // namespace airstream
