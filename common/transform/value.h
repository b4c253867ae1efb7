// Values flowing through a transform mapping: a JSON type tag plus the bytes that make
// up the value (unescaped text of a string, the raw token of a number, the raw JSON
// of an object or array). Values point into the input record, simdjson's string
// buffer or the per-record Arena, so evaluating a mapping copies nothing it does not
// have to; all of them are valid until the next record.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace airstream::transform {

enum class Type : unsigned char { kMissing, kNull, kBool, kNumber, kString, kObject, kArray };

const char* type_name(Type t);

struct Val {
  Type type = Type::kMissing;
  bool boolean = false;
  std::string_view text;  // string: unescaped; number: raw token; object/array: raw JSON
  // Strings only: the string's JSON literal (quotes included) when it can be written
  // out as is (read from the input without escapes); empty otherwise.
  std::string_view raw;

  static Val missing() { return Val{}; }
  static Val null() { return Val{Type::kNull, false, {}, {}}; }
  static Val of_bool(bool b) { return Val{Type::kBool, b, {}, {}}; }
  static Val string(std::string_view s) { return Val{Type::kString, false, s, {}}; }
  static Val number(std::string_view s) { return Val{Type::kNumber, false, s, {}}; }
  bool absent() const { return type == Type::kMissing || type == Type::kNull; }
};

// Bump allocator reset for every record. Memory is kept between records, so a
// steady stream allocates nothing; a record needing more than a block gets an extra
// block that is released at the next reset().
class Arena {
 public:
  explicit Arena(size_t block = 64 << 10) : block_(block) { blocks_.emplace_back(new char[block_]); }

  char* alloc(size_t n) {
    if (n > block_ - used_) {
      if (n > block_) {
        big_.emplace_back(new char[n]);
        return big_.back().get();
      }
      if (++current_ == blocks_.size()) blocks_.emplace_back(new char[block_]);
      used_ = 0;
    }
    char* p = blocks_[current_].get() + used_;
    used_ += n;
    return p;
  }
  std::string_view copy(std::string_view s) {
    char* p = alloc(s.size());
    if (!s.empty()) memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }
  void reset() {
    current_ = 0;
    used_ = 0;
    big_.clear();
  }

 private:
  size_t block_;
  size_t current_ = 0;
  size_t used_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<std::unique_ptr<char[]>> big_;
};

}  // namespace airstream::transform
