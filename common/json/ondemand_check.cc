// The grammar checks of a single On-Demand pass over a record (ondemand_check.h):
// every value a reader leaves is read to its end here, numbers by RFC 8259 section 6
// (any magnitude), the literals true, false and null as section 3 spells them, and
// string escapes by section 7 (simdjson's unescaping rejects bad ones, unpaired
// surrogates included). Structure (commas, colons, brackets) is checked by On-Demand
// as the walk goes; nesting is bounded by kMaxJsonDepth (record.h).
#include "common/json/ondemand_check.h"

#include <cstring>

#include "common/json/record.h"

namespace airstream {

using simdjson::error_code;
using simdjson::SUCCESS;
namespace od = simdjson::ondemand;

namespace {

// True if the raw key (up to its closing quote) holds a '\\'.
bool key_has_escape(const char* r) {
  for (size_t i = 0;;) {
    char c = r[i];
    if (c == '"') return false;
    if (c == '\\') return true;
    i++;
  }
}

}  // namespace

error_code check_json_key(od::field& field, bool escapes) {
  if (!escapes || !key_has_escape(field.key().raw())) return SUCCESS;
  std::string_view key;
  return field.unescaped_key().get(key);
}

error_code check_json_value(od::value& v, size_t& depth, bool escapes) {
  od::json_type t;
  SIMDJSON_TRY(v.type().get(t));
  switch (t) {
    case od::json_type::object: {
      if (++depth > kMaxJsonDepth) return simdjson::DEPTH_ERROR;
      od::object o;
      SIMDJSON_TRY(v.get_object().get(o));
      for (auto result : o) {
        SIMDJSON_TRY(result.error());
        od::field& field = result.value_unsafe();
        SIMDJSON_TRY(check_json_key(field, escapes));
        SIMDJSON_TRY(check_json_value(field.value(), depth, escapes));
      }
      depth--;
      return SUCCESS;
    }
    case od::json_type::array: {
      if (++depth > kMaxJsonDepth) return simdjson::DEPTH_ERROR;
      od::array a;
      SIMDJSON_TRY(v.get_array().get(a));
      for (auto result : a) {
        od::value element;
        SIMDJSON_TRY(std::move(result).get(element));
        SIMDJSON_TRY(check_json_value(element, depth, escapes));
      }
      depth--;
      return SUCCESS;
    }
    case od::json_type::string: {
      // Stage 1 checked UTF-8, the closing quote and control characters: only
      // escapes are left to check.
      if (!escapes) return consume_json_string(v);
      std::string_view tok = v.raw_json_token();
      if (memchr(tok.data(), '\\', tok.size()) == nullptr) return consume_json_string(v);
      std::string_view s;
      return v.get_string().get(s);
    }
    case od::json_type::number:
      return is_json_number(trim_json_ws(v.raw_json_token())) ? SUCCESS : simdjson::NUMBER_ERROR;
    case od::json_type::boolean: {
      std::string_view tok = trim_json_ws(v.raw_json_token());
      return tok == "true" || tok == "false" ? SUCCESS : simdjson::T_ATOM_ERROR;
    }
    case od::json_type::null:
      return trim_json_ws(v.raw_json_token()) == "null" ? SUCCESS : simdjson::N_ATOM_ERROR;
  }
  return simdjson::TAPE_ERROR;
}

error_code checked_raw_json(od::value& v, size_t& depth, bool escapes, std::string_view& raw) {
  std::string_view tok = v.raw_json_token();
  od::json_type t;
  SIMDJSON_TRY(v.type().get(t));
  SIMDJSON_TRY(check_json_value(v, depth, escapes));
  if (t == od::json_type::object || t == od::json_type::array) {
    // Read to its end: the text runs up to the token that follows.
    const char* end = nullptr;
    SIMDJSON_TRY(v.current_location().get(end));
    tok = std::string_view(tok.data(), static_cast<size_t>(end - tok.data()));
  }
  raw = trim_json_ws(tok);
  return SUCCESS;
}

}  // namespace airstream
