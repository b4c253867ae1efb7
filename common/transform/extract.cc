// Single-pass extraction of the mapped input paths (see extract.h). Each object is
// iterated once in document order; a key is compared raw against the wanted keys at
// that trie node (raw bytes equal the key unless the input escapes it, which is
// detected and handled by unescaping). A value that is wanted whole and also has
// wanted children is walked once; its raw text is then taken from the input between
// its first byte and the token that follows it.
// The same pass checks the whole record against the grammar (common/json/record.h):
// simdjson's indexing (stage 1) checks UTF-8, unclosed strings and control
// characters in strings; the walk checks structure (commas, colons, brackets), depth,
// and every value it does not read: number tokens by the grammar (any magnitude),
// literals spelled exactly, string escapes unescaped.
#include "common/transform/extract.h"

#include <cstring>

#include "common/json/json.h"
#include "common/json/ondemand_check.h"
#include "common/json/record.h"

namespace airstream::transform {

using simdjson::error_code;
using simdjson::SUCCESS;
namespace od = simdjson::ondemand;

namespace {

// Length of a raw key up to its closing quote; sets escaped if it contains '\\'.
size_t raw_key_length(const char* r, bool& escaped) {
  size_t i = 0;
  escaped = false;
  for (;;) {
    char c = r[i];
    if (c == '"') return i;
    if (c == '\\') {
      escaped = true;
      i += 2;
      continue;
    }
    i++;
  }
}

}  // namespace

Extractor::Extractor() {
  nodes_.emplace_back();
}

int Extractor::add_path(const std::vector<PathSeg>& path) {
  int cur = 0;
  for (const auto& seg : path) {
    int found = -1;
    for (int c : nodes_[static_cast<size_t>(cur)].children) {
      const TrieNode& ch = nodes_[static_cast<size_t>(c)];
      if (ch.is_index == seg.is_index && (seg.is_index ? ch.index == seg.index : ch.key == seg.key)) found = c;
    }
    if (found < 0) {
      TrieNode n;
      n.key = seg.key;
      n.is_index = seg.is_index;
      n.index = seg.index;
      n.plain = seg.key.find_first_of("\"\\") == std::string::npos;
      TrieNode::ChildKey ck{0, 0, 0, 0, static_cast<uint32_t>(seg.key.size()), 0};
      char w[16] = {}, m[16] = {};
      for (size_t i = 0; i < seg.key.size() && i < 16; i++) {
        w[i] = seg.key[i];
        m[i] = static_cast<char>(0xFF);
      }
      memcpy(&ck.w0, w, 8);
      memcpy(&ck.w1, w + 8, 8);
      memcpy(&ck.m0, m, 8);
      memcpy(&ck.m1, m + 8, 8);
      bool plain = n.plain && !n.is_index;
      nodes_.push_back(std::move(n));
      found = static_cast<int>(nodes_.size()) - 1;
      TrieNode& parent = nodes_[static_cast<size_t>(cur)];
      ck.k = static_cast<uint32_t>(parent.children.size());
      parent.children.push_back(found);
      if (plain) parent.keys.push_back(ck);
    }
    cur = found;
  }
  TrieNode& leaf = nodes_[static_cast<size_t>(cur)];
  if (leaf.slot < 0) leaf.slot = static_cast<int>(slot_count_++);
  return leaf.slot;
}

bool Extractor::extract(od::document& doc, Val* slots, std::vector<RawField>* top, std::string& err, bool escapes) {
  doc_ = &doc;
  escapes_ = escapes;
  depth_ = 1;
  od::object root;
  od::json_type type;
  error_code ec = doc.type().get(type);
  if (ec == SUCCESS && type != od::json_type::object) {
    // The caller tells a valid non-object from bad JSON (RecordValidator).
    static const char* kNames[] = {"?", "array", "object", "number", "string", "boolean", "null"};
    err = std::string("expected a JSON object, got ") + kNames[static_cast<int>(type)];
    return false;
  }
  if (ec == SUCCESS) ec = doc.get_object().get(root);
  if (ec == SUCCESS) ec = walk_object(root, 0, slots, collect_top_ ? top : nullptr);
  if (ec == SUCCESS) {
    // Anything after the object is an error (simdjson leaves it to the caller).
    const char* loc = nullptr;
    if (doc.current_location().get(loc) == SUCCESS) ec = simdjson::TRAILING_CONTENT;
  }
  if (ec != SUCCESS) {
    // Types are checked before values are read, so a type error here is bad JSON.
    err = ec == simdjson::INCORRECT_TYPE ? "invalid JSON (bad value)" : json_error_message(ec);
    return false;
  }
  return true;
}

error_code Extractor::walk_object(od::object& obj, int node_index, Val* slots, std::vector<RawField>* top) {
  const TrieNode& node = nodes_[static_cast<size_t>(node_index)];
  // Every field is read or checked (the grammar holds for all of the record); with
  // duplicate keys the first occurrence counts.
  const size_t nchildren = node.children.size();
  const uint64_t all = nchildren < 64 ? (uint64_t{1} << nchildren) - 1 : 0;
  uint64_t seen = 0;
  for (auto result : obj) {
    SIMDJSON_TRY(result.error());
    od::field& field = result.value_unsafe();         // no copy of the field
    if (seen == all && all != 0 && top == nullptr) {  // every wanted child was read: check the rest
      SIMDJSON_TRY(check_key(field));
      SIMDJSON_TRY(check(field.value()));
      continue;
    }
    const char* raw = field.key().raw();
    int match = -1;
    size_t k = 0;
    // The input is padded, so reading 16 bytes at the key is always allowed.
    uint64_t r0, r1;
    memcpy(&r0, raw, 8);
    memcpy(&r1, raw + 8, 8);
    for (const auto& ck : node.keys) {
      if ((r0 & ck.m0) == ck.w0 && (r1 & ck.m1) == ck.w1 && raw[ck.len] == '"') {
        const TrieNode& ch = nodes_[static_cast<size_t>(node.children[ck.k])];
        if (ck.len > 16 && memcmp(raw + 16, ch.key.data() + 16, ck.len - 16) != 0) continue;
        match = node.children[ck.k];
        k = ck.k;
        break;
      }
    }
    std::string_view name;
    bool escaped = false;
    size_t key_len = 0;
    if (top != nullptr || (match < 0 && escapes_)) {
      key_len = raw_key_length(raw, escaped);
      name = std::string_view(raw, key_len);
      if (escaped) {
        SIMDJSON_TRY(field.unescaped_key().get(name));
        for (k = 0; k < nchildren; k++) {
          const TrieNode& ch = nodes_[static_cast<size_t>(node.children[k])];
          if (!ch.is_index && ch.key == name) {
            match = node.children[k];
            break;
          }
        }
      }
    }
    if (top != nullptr) {
      std::string_view key_json(raw - 1, key_len + 2);
      od::value& v = field.value();
      std::string_view value;
      if (match >= 0) {
        // A scalar's raw token is the whole value (and the spaces after it); an object
        // or array ends where reading it left the parser.
        std::string_view tok = v.raw_json_token();
        SIMDJSON_TRY(read(v, match, slots, true));
        if (!tok.empty() && (tok[0] == '{' || tok[0] == '[')) {
          const char* end = nullptr;
          SIMDJSON_TRY(doc_->current_location().get(end));
          tok = std::string_view(tok.data(), static_cast<size_t>(end - tok.data()));
        }
        value = trim_json_ws(tok);
      } else {
        SIMDJSON_TRY(raw_checked(v, value));
      }
      top->push_back({key_json, value, name});
      continue;
    }
    if (match >= 0 && (all == 0 || (seen >> k & 1) == 0)) {  // a duplicate key: the first one counts
      SIMDJSON_TRY(read(field.value(), match, slots, false));
      seen |= uint64_t{1} << (k & 63);
    } else {
      SIMDJSON_TRY(check(field.value()));
    }
  }
  return SUCCESS;
}

error_code Extractor::walk_array(od::array& arr, int node_index, Val* slots) {
  const TrieNode& node = nodes_[static_cast<size_t>(node_index)];
  uint32_t i = 0;
  for (auto result : arr) {
    od::value v;
    SIMDJSON_TRY(std::move(result).get(v));
    int match = -1;
    for (int c : node.children) {
      const TrieNode& ch = nodes_[static_cast<size_t>(c)];
      if (ch.is_index && ch.index == i) {
        match = c;
        break;
      }
    }
    SIMDJSON_TRY(match >= 0 ? read(v, match, slots, false) : check(v));
    i++;
  }
  return SUCCESS;
}

error_code Extractor::read(od::value& v, int node_index, Val* slots, bool need_raw) {
  const TrieNode& node = nodes_[static_cast<size_t>(node_index)];
  od::json_type t;
  SIMDJSON_TRY(v.type().get(t));
  Val out;
  switch (t) {
    case od::json_type::string: {
      // Without escapes the literal is the text: no copy, and it is output as is.
      std::string_view whole = v.raw_json_token();
      std::string_view tok = trim_json_ws(whole);
      if (tok.size() >= 2 && (!escapes_ || memchr(tok.data(), '\\', tok.size()) == nullptr)) {
        SIMDJSON_TRY(check_json_string_end(whole));
        out = Val::string(tok.substr(1, tok.size() - 2));
        out.raw = tok;
      } else {
        std::string_view s;
        SIMDJSON_TRY(v.get_string().get(s));
        out = Val::string(s);
      }
      break;
    }
    case od::json_type::number: {
      std::string_view tok;
      tok = v.raw_json_token();
      tok = trim_json_ws(tok);
      if (!is_json_number(tok)) return simdjson::NUMBER_ERROR;
      out = Val::number(tok);
      break;
    }
    case od::json_type::boolean: {
      bool b;
      SIMDJSON_TRY(v.get_bool().get(b));
      out = Val::of_bool(b);
      break;
    }
    case od::json_type::null: {
      bool is_null = false;
      SIMDJSON_TRY(v.is_null().get(is_null));
      if (!is_null) return simdjson::N_ATOM_ERROR;
      out = Val::null();
      break;
    }
    case od::json_type::object:
    case od::json_type::array: {
      bool is_obj = t == od::json_type::object;
      std::string_view raw;
      if (node.children.empty()) {
        SIMDJSON_TRY(raw_checked(v, raw));
      } else {
        (void)need_raw;  // every container is read to its end
        std::string_view tok;
        tok = v.raw_json_token();
        if (++depth_ > kMaxJsonDepth) return simdjson::DEPTH_ERROR;
        if (is_obj) {
          od::object o;
          SIMDJSON_TRY(v.get_object().get(o));
          SIMDJSON_TRY(walk_object(o, node_index, slots, nullptr));
        } else {
          od::array a;
          SIMDJSON_TRY(v.get_array().get(a));
          SIMDJSON_TRY(walk_array(a, node_index, slots));
        }
        depth_--;
        if (node.slot >= 0) {
          const char* end = nullptr;
          SIMDJSON_TRY(doc_->current_location().get(end));
          raw = std::string_view(tok.data(), static_cast<size_t>(end - tok.data()));
        }
      }
      out.type = is_obj ? Type::kObject : Type::kArray;
      out.text = trim_json_ws(raw);
      break;
    }
  }
  if (node.slot >= 0) slots[node.slot] = out;
  return SUCCESS;
}

error_code Extractor::check(od::value& v) {
  return check_json_value(v, depth_, escapes_);
}

error_code Extractor::check_key(od::field& field) {
  return check_json_key(field, escapes_);
}

error_code Extractor::raw_checked(od::value& v, std::string_view& raw) {
  return checked_raw_json(v, depth_, escapes_, raw);
}

std::string Extractor::describe() const {
  std::string out;
  describe(0, "", out);
  return out;
}

void Extractor::describe(int node_index, std::string prefix, std::string& out) const {
  const TrieNode& node = nodes_[static_cast<size_t>(node_index)];
  if (node_index != 0) {
    std::vector<PathSeg> seg = {{node.key, node.is_index, node.index}};
    prefix += path_text(seg);
    if (node.slot >= 0) out += "  " + prefix + "\n";
  }
  for (int c : node.children) describe(c, prefix, out);
}

}  // namespace airstream::transform
