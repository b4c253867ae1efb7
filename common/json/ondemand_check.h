// Grammar checks for a walk over a record with simdjson On-Demand. On-Demand reads
// only what it is asked for: a value left unread is skipped without being checked, and
// a string left unread is taken for a key when a ':' follows it ({"a":"b":"c"} would
// pass). A reader that checks every value it does not convert with check_json_value,
// checks that no string it leaves unread is followed by a ':' (check_json_string_end)
// and checks number tokens with is_json_number gives the verdict of RecordValidator
// (record.h) in the same pass, given simdjson's indexing (stage 1), which checks
// UTF-8, unclosed strings and control characters in strings. Only the wording of the
// reason may differ: a caller that rejects a record asks RecordValidator for it.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstring>
#include <string_view>

#include "common/json/record.h"

namespace airstream {

// Lets a string value be left unread, given its raw token (v.raw_json_token(), which
// runs up to the next structural character): On-Demand skips it as one token unless a
// ':' follows, which it would take for a key. Escapes are not checked.
inline simdjson::error_code check_json_string_end(std::string_view tok) {
  return tok.data()[tok.size()] == ':' ? simdjson::TAPE_ERROR : simdjson::SUCCESS;
}

// s without the JSON whitespace at its end (simdjson's raw tokens include it).
inline std::string_view trim_json_ws(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// The checks are defined in this header, not in a .cc, so that they are compiled into
// the caller's translation unit with its On-Demand walk (out of line, uxform took 35%
// more CPU).

namespace ondemand_check_detail {

// True if the raw key (up to its closing quote) holds a '\\'.
inline bool key_has_escape(const char* r) {
  for (size_t i = 0;;) {
    char c = r[i];
    if (c == '"') return false;
    if (c == '\\') return true;
    i++;
  }
}

}  // namespace ondemand_check_detail

// Checks the escapes of a key that was compared raw (only if escapes).
inline simdjson::error_code check_json_key(simdjson::ondemand::field& field, bool escapes) {
  if (!escapes || !ondemand_check_detail::key_has_escape(field.key().raw())) return simdjson::SUCCESS;
  std::string_view key;
  return field.unescaped_key().get(key);
}

// Reads v to its end, checking it against the grammar: number tokens, literals spelled
// exactly, string escapes (only if escapes: the record holds a '\\'), structure and
// depth. depth is the nesting of v's parent (the record's object is 1); it is back to
// that value on success. Recursion is bounded by kMaxJsonDepth.
inline simdjson::error_code check_json_value(simdjson::ondemand::value& v, size_t& depth, bool escapes) {
  // The token's first byte tells its type (as value::type() does, without its checks).
  std::string_view tok = v.raw_json_token();
  switch (tok.empty() ? '\0' : tok[0]) {
    case '"': {
      // Stage 1 checked UTF-8, the closing quote and control characters: only
      // escapes are left to check.
      if (!escapes || memchr(tok.data(), '\\', tok.size()) == nullptr) return check_json_string_end(tok);
      std::string_view s;
      return v.get_string().get(s);
    }
    case '{': {
      if (++depth > kMaxJsonDepth) return simdjson::DEPTH_ERROR;
      simdjson::ondemand::object o;
      SIMDJSON_TRY(v.get_object().get(o));
      for (auto result : o) {
        SIMDJSON_TRY(result.error());
        simdjson::ondemand::field& field = result.value_unsafe();
        SIMDJSON_TRY(check_json_key(field, escapes));
        SIMDJSON_TRY(check_json_value(field.value(), depth, escapes));
      }
      depth--;
      return simdjson::SUCCESS;
    }
    case '[': {
      if (++depth > kMaxJsonDepth) return simdjson::DEPTH_ERROR;
      simdjson::ondemand::array a;
      SIMDJSON_TRY(v.get_array().get(a));
      for (auto result : a) {
        simdjson::ondemand::value element;
        SIMDJSON_TRY(std::move(result).get(element));
        SIMDJSON_TRY(check_json_value(element, depth, escapes));
      }
      depth--;
      return simdjson::SUCCESS;
    }
    case 't':
    case 'f': {
      tok = trim_json_ws(tok);
      return tok == "true" || tok == "false" ? simdjson::SUCCESS : simdjson::T_ATOM_ERROR;
    }
    case 'n':
      return trim_json_ws(tok) == "null" ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    default:
      return is_json_number(trim_json_ws(tok)) ? simdjson::SUCCESS : simdjson::NUMBER_ERROR;
  }
}

// check_json_value, then the value's raw text, trimmed; for an object or array it
// runs up to where reading it left the parser.
inline simdjson::error_code checked_raw_json(simdjson::ondemand::value& v, size_t& depth, bool escapes,
                                             std::string_view& raw) {
  std::string_view tok = v.raw_json_token();
  const bool container = !tok.empty() && (tok[0] == '{' || tok[0] == '[');
  SIMDJSON_TRY(check_json_value(v, depth, escapes));
  if (container) {
    // Read to its end: the text runs up to the token that follows.
    const char* end = nullptr;
    SIMDJSON_TRY(v.current_location().get(end));
    tok = std::string_view(tok.data(), static_cast<size_t>(end - tok.data()));
  }
  raw = trim_json_ws(tok);
  return simdjson::SUCCESS;
}

}  // namespace airstream
