// CQL data types and their serialization (native_protocol_v4.spec section 6; v5
// section 6): type descriptions from result metadata ([option]) and from schema
// text ("frozen<map<text, int>>" as system_schema.columns spells it), encoding of
// JSON values (simdjson on-demand) into [value]s, and decoding of returned cells to
// text (for system tables and read-back).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/cql/wire.h"
#include "common/status.h"

namespace airstream::cql {

enum class TypeKind : uint16_t {
  kCustom = 0x0000,
  kAscii = 0x0001,
  kBigint = 0x0002,
  kBlob = 0x0003,
  kBoolean = 0x0004,
  kCounter = 0x0005,
  kDecimal = 0x0006,
  kDouble = 0x0007,
  kFloat = 0x0008,
  kInt = 0x0009,
  kTimestamp = 0x000B,
  kUuid = 0x000C,
  kVarchar = 0x000D,
  kVarint = 0x000E,
  kTimeuuid = 0x000F,
  kInet = 0x0010,
  kDate = 0x0011,
  kTime = 0x0012,
  kSmallint = 0x0013,
  kTinyint = 0x0014,
  kDuration = 0x0015,
  kList = 0x0020,
  kMap = 0x0021,
  kSet = 0x0022,
  kUdt = 0x0030,
  kTuple = 0x0031,
};

struct Type {
  TypeKind kind = TypeKind::kBlob;
  std::vector<Type> params;              // element / key,value / tuple or UDT field types
  std::vector<std::string> field_names;  // UDT
  std::string custom;                    // custom class name, or UDT keyspace.name
  std::string name() const;              // CQL spelling: "map<text, int>"
};

// Parses a CQL type as written in schema text (case-insensitive; frozen<> dropped).
Result<Type> parse_type(std::string_view text);
// Reads an [option] type description from result metadata.
Type read_type_option(BodyReader& r);

// A JSON scalar as text: strings unescaped, numbers and booleans as their raw token.
struct Scalar {
  enum Kind { kString, kNumber, kBool } kind;
  std::string_view text;
};

// Appends the serialized value (without length prefix) of a scalar for a non-collection
// type. Returns false with err set ("expected uuid, got \"abc\"") when it does not fit.
bool encode_scalar(const Type& t, Scalar s, std::string& out, std::string& err);

// Appends a [value] (4-byte length + bytes, or -1 for JSON null) for a JSON value of any
// supported type, collections and tuples included.
bool encode_json_value(const Type& t, simdjson::ondemand::value v, std::string& out, std::string& err);

// Renders a cell as text (strings raw, collections as JSON-like lists/maps). null: "null".
std::string format_value(const Type& t, std::optional<std::string_view> bytes);
// Splits a serialized list/set into its elements (empty on malformed input).
std::vector<std::string_view> split_collection(std::string_view bytes);

// Exposed for tests.
// ISO-8601 text -> milliseconds since the epoch. A value finer than a millisecond:
// with sub_milli_nanos, the rest in nanoseconds (0..999999) goes there; without it,
// false (a timestamp column would drop it). False for a fraction with a non-zero
// digit beyond the ninth.
bool parse_timestamp_text(std::string_view s, int64_t& millis, int64_t* sub_milli_nanos = nullptr);
std::string varint_from_decimal(std::string_view digits, bool& ok);

}  // namespace airstream::cql
