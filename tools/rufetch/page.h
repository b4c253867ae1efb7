// One randomuser.me response body, checked whole before any of it is written:
// {"results":[{...},...],"info":{"seed":"..","results":N,"page":P,"version":".."}}
// or {"error":"..."}. Each user is kept as its raw JSON text (a slice of the body)
// and written compacted: whitespace outside strings dropped, strings copied byte for
// byte (no unescaping or re-escaping), so the live API's compact bytes pass through
// unchanged and pretty-printed captures come out as the same compact line.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/json/json.h"

namespace airstream::rufetch {

struct Page {
  std::vector<std::string_view> users;  // raw JSON text of each element of "results"
  std::string seed_json = "null";       // info.seed as JSON text
  std::string version_json = "null";    // info.version as JSON text
  int64_t info_page = -1;
  int64_t info_results = -1;
};

enum class PageError {
  kNone,
  kNotJson,       // not JSON, truncated, or not an object
  kApiError,      // {"error": "..."}
  kNoResults,     // no "results" array, or an element that is not an object
  kEmptyResults,  // "results": [] although users were asked for
};

// Parses body[0..size) (followed by kJsonPadding readable bytes). On kNone, page
// holds slices of body. detail gets a short description of any problem.
PageError parse_page(JsonParser& parser, std::string_view body, Page& page, std::string& detail);

// Appends raw with the whitespace between tokens removed (strings unchanged).
void append_compact(std::string& out, std::string_view raw);

}  // namespace airstream::rufetch
