// Exact conversions of decimal number text (a JSON number token, or a string holding
// a number) into fixed-size column types, shared by pgload (text and binary COPY) and
// cqlwrite (CQL values). A value that the type cannot hold exactly is refused with
// its reason, never rounded into another value: an integer column takes any spelling
// of an integer (1000, 1e3, 1000.0) in range and refuses a fraction (1.5, 1.0e-400)
// or an overflow; a floating-point column takes the nearest value as float input
// always does, and refuses an overflow (1e400 is not infinity) or an underflow (a
// non-zero number that would be stored as 0).
#pragma once

#include <cstdint>
#include <string_view>

namespace airstream {

enum class NumberFit { kOk, kNotANumber, kFraction, kOverflow, kUnderflow, kRounded };

// "not a number", "not an integer", "out of range", "too small (would be stored as 0)",
// "more digits after the decimal point than the scale (would be rounded)".
const char* number_fit_reason(NumberFit fit);

// text: [+|-] digits [. digits] [(e|E) [+|-] digits], at least one digit before the
// exponent. JSON number tokens qualify; whether text is such a token is checked by the
// record grammar (common/json/record.h), not here.
NumberFit exact_integer(std::string_view text, int64_t min, int64_t max, int64_t& out);
NumberFit exact_double(std::string_view text, double& out);
NumberFit exact_float(std::string_view text, float& out);
// A decimal column (PostgreSQL numeric): precision > 0 is numeric(precision, scale),
// which rounds a value with more fraction digits than scale (kRounded) and refuses
// more than precision - scale integer digits (kOverflow); precision 0 is plain
// numeric, which holds any value exactly within its limits (131072 digits before the
// decimal point, 16383 after it, as written): beyond them kOverflow.
NumberFit exact_decimal(std::string_view text, int precision, int scale);

}  // namespace airstream
