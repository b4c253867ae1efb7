// Small JSON helpers around simdjson on-demand: one reusable parser for NDJSON
// records, string escaping for output, and dotted-path lookup ("login.uuid").
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

namespace airstream {

// Bytes that must be readable past the end of a record handed to JsonParser
// (LineReader guarantees it for the records it yields).
inline constexpr size_t kJsonPadding = simdjson::SIMDJSON_PADDING;

// Appends s to out as a JSON string literal, quotes included. Valid UTF-8 is kept as
// is; control characters, '"' and '\' are escaped. Bytes of invalid UTF-8 are not
// checked here (callers validate first, see is_valid_utf8).
void append_json_string(std::string& out, std::string_view s);
std::string json_string(std::string_view s);

// True if key is spelled in JSON exactly as its bytes (nothing in it must be escaped):
// such a key can be compared raw with simdjson's raw_json_string::unsafe_is_equal.
inline bool json_key_is_raw(std::string_view key) {
  for (char c : key)
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
  return true;
}

bool is_valid_utf8(std::string_view s);

// Base64 (RFC 4648, with padding).
std::string base64_encode(std::string_view bytes);
bool base64_decode(std::string_view text, std::string& out);

// Wraps one simdjson on-demand parser, reused across records.
class JsonParser {
 public:
  // text must be followed by kJsonPadding readable bytes (LineRecord::text is).
  simdjson::simdjson_result<simdjson::ondemand::document> parse_padded(std::string_view text);
  // Copies into an internal padded buffer first (for text without padding).
  simdjson::simdjson_result<simdjson::ondemand::document> parse_copy(std::string_view text);
  simdjson::ondemand::parser& raw() { return parser_; }

  // Fully validates text as exactly one JSON value (on-demand parsing checks only
  // what it reads; this checks everything, trailing content included). text must be
  // padded like for parse_padded. Returns SUCCESS or the first error.
  simdjson::error_code validate_padded(std::string_view text);

 private:
  simdjson::ondemand::parser parser_;
  simdjson::dom::parser dom_;
  std::string copy_;
};

// Looks up a dotted path ("login.uuid", "results.0.name") in an object. Array
// elements are addressed by index. Each step reads a field once (on-demand order).
simdjson::simdjson_result<simdjson::ondemand::value> find_path(simdjson::ondemand::value root, std::string_view dotted);
simdjson::simdjson_result<simdjson::ondemand::value> find_path(simdjson::ondemand::document& doc,
                                                               std::string_view dotted);

// A short human description of a simdjson error for reject messages.
std::string json_error_message(simdjson::error_code ec);

}  // namespace airstream
