// Text forms of Avro's logical types (specification 1.11, "Logical Types"), for the
// JSON side of the Avro codec: dates "YYYY-MM-DD", times of day "HH:MM:SS.fff",
// timestamps in ISO 8601 ("2014-08-30T05:19:44.274Z", a missing offset meaning UTC),
// and decimals as exact decimal text, stored as the big-endian two's-complement
// unscaled integer. Parsers never round: a value the type cannot hold exactly is
// refused with its reason.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace airstream::avro {

// Each parser returns "" or the reason s is refused.
std::string parse_date(std::string_view s, int32_t& days);
// per_second: 1000 (millis) or 1000000 (micros).
std::string parse_time_of_day(std::string_view s, int64_t per_second, int64_t& out);
// local: a local-timestamp type (no offset allowed).
std::string parse_timestamp(std::string_view s, int64_t per_second, bool local, int64_t& out);

void format_date(int64_t days, std::string& out);
void format_time_of_day(int64_t v, int64_t per_second, std::string& out);
// Appends the ISO 8601 form, with "Z" unless local; false (nothing appended) when
// the year falls outside 0000..9999.
bool format_timestamp(int64_t v, int64_t per_second, bool local, std::string& out);

// Decimal text ([-]digits[.digits][e[+-]digits]) into the unscaled two's-complement
// big-endian integer at the given scale, shortest form (width 0) or sign-extended to
// width bytes (fixed). Refuses more fraction digits than scale (unless zeros), more
// digits than precision, or a value that does not fit width.
std::string decimal_to_bytes(std::string_view text, int precision, int scale, size_t width, std::string& bytes);
// The inverse: exact decimal text with scale fraction digits.
void decimal_from_bytes(std::string_view bytes, int scale, std::string& out);

}  // namespace airstream::avro
