// PostgreSQL COPY text format helpers and the client-side value checks pgload does
// before a value goes on the wire: escaping (backslash, tab, newline, carriage
// return), uuid / integer / number / boolean syntax, ISO-8601 detection (for type
// inference) and the NUL checks (PostgreSQL text and jsonb cannot hold U+0000).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace airstream::pgload {

// The column types pgload converts for; everything else is kOther (passed as text).
enum class ColKind {
  kText,
  kInt16,
  kInt32,
  kInt64,
  kFloat,    // real, double precision
  kNumeric,  // numeric/decimal
  kBool,
  kUuid,
  kJson,
  kJsonb,
  kTimestamp,  // timestamp, timestamptz, date, time
  kBytea,
  kOther,
};

// The kind for a PostgreSQL base type name (pg_type.typname, e.g. "int8", "timestamptz").
ColKind kind_for_type(std::string_view typname);
const char* kind_name(ColKind kind);

// Appends s to out escaped for COPY ... (FORMAT text): '\\' -> "\\\\", TAB -> "\\t",
// LF -> "\\n", CR -> "\\r". Other bytes are copied as they are.
void append_copy_escaped(std::string& out, std::string_view s);
// The COPY text representation of SQL NULL.
inline constexpr std::string_view kCopyNull = "\\N";

// 8-4-4-4-12 hex digits (either case), optionally in braces, or 32 hex digits.
bool is_uuid(std::string_view s);
// The same check, and the uuid's 16 bytes into out.
bool uuid_bytes(std::string_view s, unsigned char out[16]);

// A decimal integer ("-12", "+7"); false on anything else or overflow of int64.
bool parse_int64(std::string_view s, int64_t& value);
// Range of the integer kinds.
bool int_fits(ColKind kind, int64_t value);

// A JSON-style number ("-1.5e3", "42") or one of special_float's spellings.
bool is_number_text(std::string_view s);
// NaN and the spellings of infinity PostgreSQL's float and numeric input takes
// ("Infinity", "inf", signed, any case): true with the value, false for anything else.
bool special_float(std::string_view s, double& value);

// a equals lower (all lower case) ignoring the case of ASCII letters.
bool iequals(std::string_view a, std::string_view lower);

// PostgreSQL boolean input spellings (true/false/t/f/yes/no/on/off/1/0, any case);
// sets value. False if s is none of them.
bool parse_bool_text(std::string_view s, bool& value);

// An ISO-8601 date-time with a time zone or not ("2024-01-02T03:04:05Z",
// "2024-01-02 03:04:05.123+01:00"), as randomuser.me writes them. Dates alone are not.
bool is_iso8601_timestamp(std::string_view s);

// True if raw JSON text contains the escape \u0000 (a NUL character once decoded),
// which jsonb rejects. Escaped backslashes ("\\u0000" in the text) do not count.
bool json_has_nul_escape(std::string_view raw_json);

}  // namespace airstream::pgload
