// Synthetic randomuser.me-shaped users (API 1.4 layout), generated locally and
// deterministically from a seed: numeric and string postcodes by nationality,
// non-ASCII names and places (diacritics, Persian script with U+200C, U+2019),
// trailing spaces in some street names, null id values. For benchmarks, demos and
// tests; never presented as real data.
#pragma once

#include <cstdint>
#include <string>

namespace airstream {

class SyntheticUsers {
 public:
  explicit SyntheticUsers(uint64_t seed);
  // Appends one compact JSON object (no newline) for user number `index` (0-based):
  // the same (seed, index) always gives the same bytes.
  void append_user(std::string& out, uint64_t index) const;

 private:
  uint64_t seed_;
};

}  // namespace airstream
