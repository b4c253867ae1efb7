// Response body checks and user extraction. The body is first validated in full
// with simdjson's DOM parser (JsonParser::validate_padded: a truncated or otherwise
// broken body never yields a partial page), then walked with the on-demand API:
// object::raw_json() gives each user's exact bytes, info members are read as raw
// tokens. Compaction (RFC 8259 section 2: insignificant whitespace is space, tab,
// LF and CR between tokens) copies string contents verbatim, escapes included.
#include "page.h"

#include <cstring>

namespace airstream::rufetch {
namespace {

std::string_view trim_token(std::string_view t) {
  while (!t.empty() && (t.back() == ' ' || t.back() == '\n' || t.back() == '\r' || t.back() == '\t'))
    t.remove_suffix(1);
  return t;
}

bool to_int(std::string_view t, int64_t& out) {
  t = trim_token(t);
  if (t.empty() || t.size() > 18) return false;
  int64_t v = 0;
  for (char c : t) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

std::string clip(std::string_view s, size_t n) {
  std::string out(s.substr(0, n));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  if (s.size() > n) out += "...";
  return out;
}

PageError read_info(simdjson::ondemand::value v, Page& page) {
  simdjson::ondemand::object info;
  if (v.get_object().get(info)) return PageError::kNone;  // info is optional
  for (auto field : info) {
    std::string_view key;
    simdjson::ondemand::value val;
    if (field.unescaped_key().get(key) || field.value().get(val)) return PageError::kNotJson;
    std::string_view token = trim_token(val.raw_json_token());
    if (key == "seed") {
      page.seed_json.assign(token);
    } else if (key == "version") {
      page.version_json.assign(token);
    } else if (key == "results") {
      to_int(token, page.info_results);
    } else if (key == "page") {
      to_int(token, page.info_page);
    }
  }
  return PageError::kNone;
}

}  // namespace

PageError parse_page(JsonParser& parser, std::string_view body, Page& page, std::string& detail) {
  page = Page();
  if (auto err = parser.validate_padded(body)) {
    detail = "not a JSON document (" + json_error_message(err) + "): " + clip(body, 80);
    return PageError::kNotJson;
  }
  simdjson::ondemand::document doc;
  simdjson::ondemand::object root;
  if (parser.parse_padded(body).get(doc) || doc.get_object().get(root)) {
    detail = "the body is not a JSON object: " + clip(body, 80);
    return PageError::kNotJson;
  }
  bool have_results = false;
  for (auto field : root) {
    std::string_view key;
    simdjson::ondemand::value val;
    if (field.unescaped_key().get(key) || field.value().get(val)) {
      detail = "unreadable member in the body";
      return PageError::kNotJson;
    }
    if (key == "error") {
      std::string_view msg;
      if (val.get_string().get(msg)) msg = trim_token(val.raw_json_token());
      detail = "the API answered an error: " + clip(msg, 200);
      return PageError::kApiError;
    }
    if (key == "info") {
      if (read_info(val, page) != PageError::kNone) {
        detail = "unreadable info object";
        return PageError::kNotJson;
      }
      continue;
    }
    if (key != "results") continue;
    simdjson::ondemand::array arr;
    if (val.get_array().get(arr)) {
      detail = "\"results\" is not an array";
      return PageError::kNoResults;
    }
    have_results = true;
    for (auto element : arr) {
      simdjson::ondemand::object user;
      std::string_view raw;
      if (element.get_object().get(user) || user.raw_json().get(raw)) {
        detail = "results[" + std::to_string(page.users.size()) + "] is not an object";
        return PageError::kNoResults;
      }
      page.users.push_back(raw);
    }
  }
  if (!have_results) {
    detail = "no \"results\" array in the body: " + clip(body, 80);
    return PageError::kNoResults;
  }
  if (page.users.empty()) {
    detail = "empty \"results\" although info.results is " + std::to_string(page.info_results);
    return PageError::kEmptyResults;
  }
  return PageError::kNone;
}

void append_compact(std::string& out, std::string_view raw) {
  const char* p = raw.data();
  const char* end = p + raw.size();
  size_t base = out.size();
  out.resize(base + raw.size());
  char* o = out.data() + base;
  while (p < end) {
    char c = *p++;
    if (c != '"') {
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') *o++ = c;
      continue;
    }
    // A string: copy through its closing quote, the first '"' not preceded by an
    // odd number of backslashes (escapes are copied untouched).
    const char* open = p;
    for (;;) {
      const char* q = static_cast<const char*>(memchr(p, '"', static_cast<size_t>(end - p)));
      if (q == nullptr) {
        p = end;
        break;
      }
      size_t backslashes = 0;
      for (const char* b = q; b > open && b[-1] == '\\'; --b) ++backslashes;
      p = q + 1;
      if (backslashes % 2 == 0) break;
    }
    *o++ = '"';
    memcpy(o, open, static_cast<size_t>(p - open));
    o += p - open;
  }
  out.resize(static_cast<size_t>(o - out.data()));
}

}  // namespace airstream::rufetch
