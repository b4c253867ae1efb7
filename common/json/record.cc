// The record grammar (record.h). The fast path is simdjson's DOM parser, which checks
// all of RFC 8259 (structure, number and literal spelling, string escapes, UTF-8,
// depth up to kMaxJsonDepth) but refuses numbers it cannot represent (beyond double
// range, integers beyond 64 bits) with the same error as a misspelled number. Only
// then is the line checked again by check_json_text, a byte-by-byte walk of the
// grammar with an explicit stack (no recursion), which allows any magnitude.
#include "common/json/record.h"

#include <vector>

#include "common/json/json.h"

namespace airstream {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_delim(char c) {
  return is_ws(c) || c == ',' || c == ']' || c == '}';
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Length of the number token at the start of s (0: none), per RFC 8259 section 6.
size_t number_length(std::string_view s) {
  size_t i = 0, n = s.size();
  if (i < n && s[i] == '-') i++;
  if (i >= n) return 0;
  if (s[i] == '0') {
    i++;
  } else if (s[i] >= '1' && s[i] <= '9') {
    while (i < n && is_digit(s[i])) i++;
  } else {
    return 0;
  }
  if (i < n && s[i] == '.') {
    i++;
    if (i >= n || !is_digit(s[i])) return 0;
    while (i < n && is_digit(s[i])) i++;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    if (i >= n || !is_digit(s[i])) return 0;
    while (i < n && is_digit(s[i])) i++;
  }
  return i;
}

// Reads \uXXXX at s[i] (i at the backslash); -1 if malformed.
long read_u_escape(std::string_view s, size_t i) {
  if (i + 6 > s.size() || s[i] != '\\' || s[i + 1] != 'u') return -1;
  long v = 0;
  for (size_t k = i + 2; k < i + 6; k++) {
    int d = hex_digit(s[k]);
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

// Checks the string starting at s[i] (the opening quote); i ends after the closing
// quote. Returns "" or the reason.
const char* scan_string(std::string_view s, size_t& i) {
  const size_t n = s.size();
  i++;
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"') {
      i++;
      return "";
    }
    if (c < 0x20) return "invalid JSON (control character in string)";
    if (c != '\\') {
      i++;
      continue;
    }
    if (i + 1 >= n) break;
    char e = s[i + 1];
    if (e == 'u') {
      long u = read_u_escape(s, i);
      if (u < 0) return "invalid JSON (bad string escape)";
      i += 6;
      if (u >= 0xDC00 && u <= 0xDFFF) return "invalid JSON (bad string escape)";
      if (u >= 0xD800 && u <= 0xDBFF) {
        long lo = read_u_escape(s, i);
        if (lo < 0xDC00 || lo > 0xDFFF) return "invalid JSON (bad string escape)";
        i += 6;
      }
      continue;
    }
    switch (e) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        i += 2;
        continue;
      default:
        return "invalid JSON (bad string escape)";
    }
  }
  return "invalid JSON (unclosed string)";
}

const char* kStructure = "invalid JSON (unclosed or malformed object/array)";

}  // namespace

bool is_json_number(std::string_view tok) {
  return !tok.empty() && number_length(tok) == tok.size();
}

std::string check_json_text(std::string_view s, size_t max_depth) {
  if (!is_valid_utf8(s)) return "invalid UTF-8";
  const size_t n = s.size();
  size_t i = 0;
  // Open containers, innermost last: true for an object. Bounded by max_depth.
  std::vector<bool> stack;
  auto skip_ws = [&] {
    while (i < n && is_ws(s[i])) i++;
  };
  skip_ws();
  if (i == n) return "empty record";
  for (;;) {
    // A value is expected at s[i].
    skip_ws();
    if (i == n) return kStructure;
    char c = s[i];
    bool closed_empty = false;
    if (c == '{' || c == '[') {
      if (stack.size() >= max_depth)
        return "invalid JSON (nested deeper than " + std::to_string(max_depth) + " levels)";
      stack.push_back(c == '{');
      i++;
      skip_ws();
      if (i < n && s[i] == (c == '{' ? '}' : ']')) {
        stack.pop_back();
        i++;
        closed_empty = true;
      } else if (c == '{') {
        // The first key.
        if (i >= n || s[i] != '"') return kStructure;
        if (const char* e = scan_string(s, i); *e) return e;
        skip_ws();
        if (i >= n || s[i] != ':') return kStructure;
        i++;
        continue;
      } else {
        continue;
      }
    }
    if (!closed_empty) {
      if (c == '"') {
        if (const char* e = scan_string(s, i); *e) return e;
      } else if (c == '-' || is_digit(c)) {
        size_t len = number_length(s.substr(i));
        if (len == 0 || (i + len < n && !is_delim(s[i + len]))) return "invalid JSON (bad number)";
        i += len;
      } else if (c == 't' || c == 'f' || c == 'n') {
        std::string_view lit = c == 't' ? "true" : c == 'f' ? "false" : "null";
        if (s.substr(i, lit.size()) != lit || (i + lit.size() < n && !is_delim(s[i + lit.size()])))
          return "invalid JSON (bad literal)";
        i += lit.size();
      } else {
        return kStructure;
      }
    }
    // After a value: close containers, or a comma and the next value (and key).
    for (;;) {
      skip_ws();
      if (stack.empty()) {
        if (i != n) return "invalid JSON (trailing content after the value)";
        return "";
      }
      if (i >= n) return kStructure;
      bool obj = stack.back();
      if (s[i] == (obj ? '}' : ']')) {
        stack.pop_back();
        i++;
        continue;
      }
      if (s[i] != ',') return kStructure;
      i++;
      if (obj) {
        skip_ws();
        if (i >= n || s[i] != '"') return kStructure;
        if (const char* e = scan_string(s, i); *e) return e;
        skip_ws();
        if (i >= n || s[i] != ':') return kStructure;
        i++;
      }
      break;
    }
  }
}

std::string RecordValidator::check(std::string_view padded_text) {
  has_root_ = false;
  auto ec = dom_.parse(padded_text.data(), padded_text.size(), false).get(root_);
  if (ec == simdjson::SUCCESS) {
    has_root_ = true;
    return {};
  }
  if (ec == simdjson::NUMBER_ERROR) return check_json_text(padded_text);
  if (ec == simdjson::DEPTH_ERROR)
    return "invalid JSON (nested deeper than " + std::to_string(kMaxJsonDepth) + " levels)";
  return json_error_message(ec);
}

}  // namespace airstream
