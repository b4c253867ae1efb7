// The built-in functions of the transform language and the conversions they rest on
// (ISO-8601 timestamps, UUIDv5 per RFC 4122 section 4.3 with SHA-1). A function takes
// its arguments as Vals (the piped input first) and produces a Val; results that need
// new bytes are built in the per-record Arena. Missing input gives a missing result,
// null gives null (except default, not, tojson); a wrong type is an error whose
// message names what was expected and what was found.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/transform/expr.h"
#include "common/transform/value.h"

namespace airstream::transform {

// Applies fn to args[0..argc). On failure returns false with err set.
bool apply_function(Fn fn, const Val* args, int argc, Arena& arena, Val& out, std::string& err);

// Parses an ISO-8601 date or date-time ("2014-08-30", "2014-08-30T05:19:44.274Z",
// "2014-08-30 05:19:44+02:00") into milliseconds since the Unix epoch (UTC; a time
// without offset is taken as UTC).
bool parse_iso8601(std::string_view s, int64_t& epoch_ms);
// "YYYY-MM-DD" of the UTC day containing epoch_ms, into out (10 bytes).
void format_date(int64_t epoch_ms, char out[10]);

// RFC 4122 name-based UUID (version 5, SHA-1) of name in namespace ns (16 bytes),
// in canonical lowercase text (36 bytes).
void uuid5(const unsigned char ns[16], std::string_view name, char out[36]);

// jq's ordering of JSON types: null < false < true < numbers < strings < arrays < objects.
int compare_values(const Val& a, const Val& b);
bool values_equal(const Val& a, const Val& b);
bool truthy(const Val& v);

}  // namespace airstream::transform
