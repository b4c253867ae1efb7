// Grammar checks for a walk over a record with simdjson On-Demand. On-Demand reads
// only what it is asked for: a value left unread is skipped without being checked, and
// a string left unread is taken for a key when a ':' follows it ({"a":"b":"c"} would
// pass). A reader that checks every value it does not convert with check_json_value,
// consumes every string it reads (consume_json_string) and checks number tokens with
// is_json_number gives the verdict of RecordValidator (record.h) in the same pass,
// given simdjson's indexing (stage 1), which checks UTF-8, unclosed strings and
// control characters in strings. Only the wording of the reason may differ: a caller
// that rejects a record asks RecordValidator for it.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <string_view>

namespace airstream {

// Steps past a string value without unescaping it (its escapes are not checked).
inline simdjson::error_code consume_json_string(simdjson::ondemand::value& v) {
  simdjson::ondemand::raw_json_string unused;
  return v.get_raw_json_string().get(unused);
}

// s without the JSON whitespace at its end (simdjson's raw tokens include it).
inline std::string_view trim_json_ws(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Reads v to its end, checking it against the grammar: number tokens, literals spelled
// exactly, string escapes (only if escapes: the record holds a '\\'), structure and
// depth. depth is the nesting of v's parent (the record's object is 1); it is back to
// that value on success. Recursion is bounded by kMaxJsonDepth.
simdjson::error_code check_json_value(simdjson::ondemand::value& v, size_t& depth, bool escapes);

// Checks the escapes of a key that was compared raw (only if escapes).
simdjson::error_code check_json_key(simdjson::ondemand::field& field, bool escapes);

// check_json_value, then the value's raw text, trimmed; for an object or array it
// runs up to where reading it left the parser.
simdjson::error_code checked_raw_json(simdjson::ondemand::value& v, size_t& depth, bool escapes, std::string_view& raw);

}  // namespace airstream
