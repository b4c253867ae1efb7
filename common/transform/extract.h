// Reads the parts of a record that a mapping needs, in one pass over the document
// with simdjson on-demand: the input paths of the mapping form a trie; object fields
// are matched against it in document order and every needed value is read once into
// its slot (strings unescaped into simdjson's string buffer, numbers, objects and
// arrays as raw JSON text). Fields nobody asked for are checked against the record
// grammar (common/json/record.h) in the same pass, without being converted, so a
// record the extractor accepts is one RecordValidator accepts.
// Optionally the top-level fields are also collected raw, for --keep '*'.
#pragma once

#include <simdjson.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/json/json.h"
#include "common/transform/expr.h"
#include "common/transform/value.h"

namespace airstream::transform {

// One top-level input field kept raw for pass-through.
struct RawField {
  std::string_view key_json;  // the key as written in the input, with its quotes
  std::string_view value;     // raw JSON of the value (no surrounding white space)
  std::string_view name;      // unescaped key (only set if the key has escapes; else key_json without quotes)
};

class Extractor {
 public:
  Extractor();
  // Copies the trie and settings (not the scratch state).
  Extractor(const Extractor& o) : nodes_(o.nodes_), slot_count_(o.slot_count_), collect_top_(o.collect_top_) {}
  Extractor& operator=(const Extractor&) = delete;
  // Adds an input path; returns its slot. The same path gives the same slot.
  int add_path(const std::vector<PathSeg>& path);
  size_t slot_count() const { return slot_count_; }
  // Collect every top-level field raw (for --keep '*').
  void set_collect_top(bool on) { collect_top_ = on; }
  // Fills slots[0..slot_count()) (which the caller reset to missing) and, with
  // collect_top, top, checking all of the record against the grammar. On a malformed
  // record, or one that is not an object, returns false with err describing it.
  // escapes: false if the record holds no '\\' (no string needs unescaping or checking).
  bool extract(simdjson::ondemand::document& doc, Val* slots, std::vector<RawField>* top, std::string& err,
               bool escapes = true);

  // The trie as text, one path per line (for --explain).
  std::string describe() const;

 private:
  struct TrieNode {
    std::string key;
    bool is_index = false;
    uint32_t index = 0;
    int slot = -1;
    bool plain = true;  // key has no '"' or '\\' (fast raw comparison possible)
    std::vector<int> children;
    // The plain keys of the children, for matching raw input keys 16 bytes at a time:
    // w = the key's first 16 bytes (zero-filled), m = mask of the bytes that count.
    struct ChildKey {
      uint64_t w0, w1, m0, m1;
      uint32_t len;
      uint32_t k;  // index into children
    };
    std::vector<ChildKey> keys;
  };
  simdjson::error_code walk_object(simdjson::ondemand::object& obj, int node, Val* slots, std::vector<RawField>* top);
  simdjson::error_code walk_array(simdjson::ondemand::array& arr, int node, Val* slots);
  // need_raw: the caller takes the value's raw text afterwards (read it to its end).
  simdjson::error_code read(simdjson::ondemand::value& v, int node, Val* slots, bool need_raw);
  // Reads a value nobody asked for to its end, checking it against the grammar
  // (common/json/ondemand_check.h; recursion bounded by kMaxJsonDepth through depth_).
  simdjson::error_code check(simdjson::ondemand::value& v);
  // Checks the escapes of a key not compared with the wanted ones.
  simdjson::error_code check_key(simdjson::ondemand::field& field);
  // check(), then the value's raw text (trimmed).
  simdjson::error_code raw_checked(simdjson::ondemand::value& v, std::string_view& raw);
  void describe(int node, std::string prefix, std::string& out) const;

  std::vector<TrieNode> nodes_;
  size_t slot_count_ = 0;
  bool collect_top_ = false;
  simdjson::ondemand::document* doc_ = nullptr;
  size_t depth_ = 0;     // nesting of the value being read (the record's object is 1)
  bool escapes_ = true;  // the record may hold string escapes
};

}  // namespace airstream::transform
