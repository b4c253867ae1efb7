// Helpers shared by the libFuzzer targets: the input split into lines, and a copy
// followed by the padding simdjson reads past the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/json/json.h"

namespace airstream::fuzz {

inline std::string_view as_view(const uint8_t* data, size_t size) {
  return std::string_view(reinterpret_cast<const char*>(data), size);
}

inline std::vector<std::string_view> lines(std::string_view s) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    size_t nl = s.find('\n');
    out.push_back(s.substr(0, nl));
    if (nl == std::string_view::npos) break;
    s.remove_prefix(nl + 1);
  }
  return out;
}

// A copy of s followed by kJsonPadding bytes; view() is s's bytes in it.
class Padded {
 public:
  explicit Padded(std::string_view s) : buf_(s), size_(s.size()) { buf_.append(kJsonPadding, '\0'); }
  std::string_view view() const { return std::string_view(buf_.data(), size_); }

 private:
  std::string buf_;
  size_t size_;
};

}  // namespace airstream::fuzz
