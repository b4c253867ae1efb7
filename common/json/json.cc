// JSON helpers: string escaping for the JSON this project writes (reject records,
// envelopes, transformed records), UTF-8 validation and base64 (RFC 4648 section 4),
// a reusable simdjson on-demand parser and dotted-path lookup.
#include "common/json/json.h"

#include <cstring>

namespace airstream {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// 1 for bytes that need escaping inside a JSON string.
struct EscapeTable {
  bool needs[256] = {};
  constexpr EscapeTable() {
    for (int i = 0; i < 0x20; i++) needs[i] = true;
    needs[static_cast<unsigned char>('"')] = true;
    needs[static_cast<unsigned char>('\\')] = true;
  }
};
constexpr EscapeTable kEscape;

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  size_t start = 0;
  for (size_t i = 0; i < s.size(); i++) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!kEscape.needs[c]) continue;
    out.append(s.data() + start, i - start);
    start = i + 1;
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default: {
        char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out.append(esc, 6);
      }
    }
  }
  out.append(s.data() + start, s.size() - start);
  out.push_back('"');
}

std::string json_string(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  append_json_string(out, s);
  return out;
}

bool is_valid_utf8(std::string_view s) {
  return simdjson::validate_utf8(s.data(), s.size());
}

std::string base64_encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    out.push_back(kB64[v >> 18]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(kB64[(v >> 6) & 63]);
    out.push_back(kB64[v & 63]);
  }
  if (i < in.size()) {
    uint32_t v = p[i] << 16;
    if (i + 1 < in.size()) v |= p[i + 1] << 8;
    out.push_back(kB64[v >> 18]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kB64[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

bool base64_decode(std::string_view text, std::string& out) {
  out.clear();
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (char ch : text) {
    int v;
    if (ch >= 'A' && ch <= 'Z')
      v = ch - 'A';
    else if (ch >= 'a' && ch <= 'z')
      v = ch - 'a' + 26;
    else if (ch >= '0' && ch <= '9')
      v = ch - '0' + 52;
    else if (ch == '+' || ch == '-')
      v = 62;
    else if (ch == '/' || ch == '_')
      v = 63;
    else if (ch == '=') {
      pad++;
      continue;
    } else
      return false;
    if (pad > 0) return false;  // data after padding
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return pad <= 2;
}

simdjson::simdjson_result<simdjson::ondemand::document> JsonParser::parse_padded(std::string_view text) {
  return parser_.iterate(text.data(), text.size(), text.size() + kJsonPadding);
}

simdjson::simdjson_result<simdjson::ondemand::document> JsonParser::parse_copy(std::string_view text) {
  copy_.assign(text);
  copy_.resize(text.size() + kJsonPadding, '\0');
  return parser_.iterate(copy_.data(), text.size(), copy_.size());
}

simdjson::error_code JsonParser::validate_padded(std::string_view text) {
  simdjson::dom::element root;
  return dom_.parse(text.data(), text.size(), false).get(root);
}

simdjson::simdjson_result<simdjson::ondemand::value> find_path(simdjson::ondemand::value root,
                                                               std::string_view dotted) {
  simdjson::ondemand::value cur = root;
  while (!dotted.empty()) {
    size_t dot = dotted.find('.');
    std::string_view key = dotted.substr(0, dot);
    dotted = dot == std::string_view::npos ? std::string_view() : dotted.substr(dot + 1);
    simdjson::ondemand::json_type type;
    if (auto err = cur.type().get(type)) return err;
    if (type == simdjson::ondemand::json_type::object) {
      if (auto err = cur.find_field_unordered(key).get(cur)) return err;
    } else if (type == simdjson::ondemand::json_type::array) {
      size_t index = 0;
      if (key.empty()) return simdjson::NO_SUCH_FIELD;
      for (char c : key) {
        if (c < '0' || c > '9') return simdjson::NO_SUCH_FIELD;
        index = index * 10 + static_cast<size_t>(c - '0');
      }
      if (auto err = cur.at(index).get(cur)) return err;
    } else {
      return simdjson::NO_SUCH_FIELD;
    }
  }
  return cur;
}

simdjson::simdjson_result<simdjson::ondemand::value> find_path(simdjson::ondemand::document& doc,
                                                               std::string_view dotted) {
  simdjson::ondemand::value root;
  if (auto err = doc.get_value().get(root)) return err;
  return find_path(root, dotted);
}

std::string json_error_message(simdjson::error_code ec) {
  switch (ec) {
    case simdjson::UTF8_ERROR:
      return "invalid UTF-8";
    case simdjson::TAPE_ERROR:
    case simdjson::INCOMPLETE_ARRAY_OR_OBJECT:
      return "invalid JSON (unclosed or malformed object/array)";
    case simdjson::UNCLOSED_STRING:
      return "invalid JSON (unclosed string)";
    case simdjson::UNESCAPED_CHARS:
      return "invalid JSON (control character in string)";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR:
      return "invalid JSON (bad literal)";
    case simdjson::NUMBER_ERROR:
      return "invalid JSON (bad number)";
    case simdjson::STRING_ERROR:
      return "invalid JSON (bad string escape)";
    case simdjson::DEPTH_ERROR:
      return "invalid JSON (nested too deep)";
    case simdjson::EMPTY:
      return "empty record";
    case simdjson::TRAILING_CONTENT:
      return "invalid JSON (trailing content after the value)";
    case simdjson::NO_SUCH_FIELD:
      return "missing field";
    case simdjson::INCORRECT_TYPE:
      return "wrong type";
    default:
      return std::string("invalid JSON (") + simdjson::error_message(ec) + ")";
  }
}

}  // namespace airstream
