// What every airstream tool accepts as a record: one line holding exactly one JSON
// value as RFC 8259 spells it (no trailing commas, no NaN or Infinity, numbers and the
// literals true/false/null exactly as the grammar writes them, numbers of any
// magnitude), valid UTF-8 (unpaired \u surrogate escapes rejected), nested at most
// kMaxJsonDepth arrays/objects deep. Whitespace around the value is allowed; a second
// value on the line (after a space or a lone CR) is not.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace airstream {

// Deepest nesting of arrays and objects accepted (simdjson's default maximum depth);
// a deeper record is rejected with its reason.
inline constexpr size_t kMaxJsonDepth = 1024;

// The grammar checked byte by byte, without simdjson: the reference the fast path
// falls back on (numbers outside the double or 64-bit integer range) and that tests
// and fuzzing compare it with. Returns "" when text is exactly one valid JSON value,
// else the reason, worded as json_error_message words simdjson's errors. text need
// not be padded.
std::string check_json_text(std::string_view text, size_t max_depth = kMaxJsonDepth);

// True if tok is exactly one JSON number token (RFC 8259 section 6), any magnitude.
bool is_json_number(std::string_view tok);

// Validates whole records; reused across records (it keeps simdjson's buffers).
class RecordValidator {
 public:
  // text must be followed by kJsonPadding readable bytes. Returns "" for a valid
  // record, else the reason for the reject ("invalid JSON (bad number)").
  std::string check(std::string_view padded_text);

  // After check() returned "": true if the record's DOM (root()) was built; false when
  // it was validated by the byte-by-byte path (a number beyond double/int64 range).
  bool has_root() const { return has_root_; }
  simdjson::dom::element root() const { return root_; }

 private:
  simdjson::dom::parser dom_;
  simdjson::dom::element root_;
  bool has_root_ = false;
};

}  // namespace airstream
