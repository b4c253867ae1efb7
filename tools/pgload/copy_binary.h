// PostgreSQL COPY binary format: the file header and trailer, field framing, and the
// exact conversions of text values to the send formats of the types pgload writes in
// binary (uuid, floats, timestamps, dates). A conversion that cannot be exact (a
// timestamp spelled in a way only the server parses, a float out of range, ...)
// returns false and the caller sends that row as COPY text instead, so the server's
// own input function decides, as it would without binary COPY.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/big_endian.h"

namespace airstream::pgload {

// The send format a column is written in with COPY (FORMAT binary). kNone: pgload has
// no binary encoding for the type (numeric, bytea, time, arrays, ...): the table is
// loaded with COPY text.
enum class BinType {
  kNone,
  kText,  // text, varchar, bpchar: the UTF-8 bytes
  kInt2,
  kInt4,
  kInt8,
  kFloat4,
  kFloat8,
  kBool,
  kUuid,
  kJson,   // the JSON text
  kJsonb,  // version byte 1, then the JSON text
  kTimestamptz,
  kTimestamp,
  kDate,
};

// The binary send format for a base type name (pg_type.typname), kNone if pgload has none.
BinType bin_type_for(std::string_view typname);

// A row signature bit (see RecordEncoder::encode): the row is a binary COPY tuple,
// loaded by a COPY ... (FORMAT binary) of its own. Default-column bits stay below it.
inline constexpr uint64_t kBinaryRow = uint64_t{1} << 63;

// File header: signature "PGCOPY\n\377\r\n\0", flags 0, header extension length 0.
inline constexpr std::string_view kCopyBinaryHeader{"PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19};
// File trailer: a field count of -1.
inline constexpr std::string_view kCopyBinaryTrailer{"\377\377", 2};

// A NULL field (length -1).
inline void put_null_field(std::string& out) {
  put_i32(out, -1);
}
// A field of the given bytes (int32 length, then the bytes).
inline void put_field(std::string& out, std::string_view bytes) {
  put_i32(out, static_cast<int32_t>(bytes.size()));
  out.append(bytes);
}

// Appends the float4/float8 field (IEEE 754, big-endian) for a number in PostgreSQL's
// float input syntax (as accepted by is_number_text: digits with optional sign,
// fraction and exponent, or NaN/Infinity). False, nothing appended, when the value
// is out of range for the type (the server reports that) or not plain syntax.
bool put_float_field(std::string& out, std::string_view text, bool float4);

// Appends the uuid field (16 bytes) for a uuid in a form is_uuid() accepts; false,
// nothing appended, for anything else.
bool put_uuid_field(std::string& out, std::string_view uuid);

// Microseconds since 2000-01-01 00:00:00 for an ISO-8601 date-time that the server
// would read to the same instant: YYYY-MM-DD, then optionally T (or t, or a space),
// HH:MM[:SS[.ffffff]] (at most 6 fraction digits), then optionally Z or +HH[[:]MM].
// with_zone (timestamptz): the offset is applied; a value without one is taken as
// UTC only if local_is_utc (the session TimeZone is UTC), else false. Without
// with_zone (timestamp) an offset is ignored, as PostgreSQL does. False for anything
// else (infinity, BC, leap seconds, 24:00, other spellings): the server parses those.
bool parse_iso_timestamp(std::string_view text, bool with_zone, bool local_is_utc, int64_t& micros);

// Days since 2000-01-01 for a date YYYY-MM-DD (year 0001 to 9999); false otherwise.
bool parse_iso_date(std::string_view text, int32_t& days);

// Days since 2000-01-01 of a proleptic Gregorian date (no range check).
int64_t days_since_2000(int64_t year, unsigned month, unsigned day);

// True for the TimeZone setting names that mean UTC (UTC, Etc/UTC, GMT, Zulu, ...).
bool is_utc_zone_name(std::string_view name);

}  // namespace airstream::pgload
