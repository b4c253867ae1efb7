// NDJSON record -> COPY text row. The record is parsed once with simdjson on-demand;
// its top-level fields are walked in document order and looked up in a small trie of
// the wanted field paths, so a record is read in one pass whatever the number of
// columns. Values are checked against their column's type here, before COPY, so the
// common mistakes (a word in a bigint column, a malformed uuid, a NUL character in a
// string) are rejected with the field's name instead of failing a whole batch.
#include "encoder.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace airstream::pgload {
namespace od = simdjson::ondemand;

namespace {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

std::string_view trim_token(std::string_view t) {
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\n' || t.back() == '\r'))
    t.remove_suffix(1);
  return t;
}

std::string got_string(std::string_view s) {
  std::string out = "got string \"";
  out.append(s.substr(0, 40));
  if (s.size() > 40) out += "...";
  return out + "\"";
}

bool fail(std::string& error, std::string msg) {
  error = std::move(msg);
  return false;
}

const char* nul_reason() {
  return "string contains a NUL character (\\u0000), which PostgreSQL cannot store";
}

// The raw JSON text of an object or array value.
bool raw_container(od::value v, od::json_type type, std::string_view& raw, std::string& error) {
  simdjson::error_code e;
  if (type == od::json_type::object) {
    od::object o;
    e = v.get_object().get(o);
    if (!e) e = o.raw_json().get(raw);
  } else {
    od::array a;
    e = v.get_array().get(a);
    if (!e) e = a.raw_json().get(raw);
  }
  if (e) return fail(error, json_error_message(e));
  return true;
}

bool convert_integer(std::string_view tok, bool is_string, ColKind kind, std::string& out, std::string& error) {
  int64_t v = 0;
  if (!parse_int64(tok, v)) {
    // 3.0 or 1e3 are integers too.
    double d = 0;
    if (!is_number_text(tok) || tok.find_first_of("nNiI") != std::string_view::npos)
      return fail(error, std::string("expected ") + kind_name(kind) + ", " +
                             (is_string ? got_string(tok) : "got " + std::string(tok)));
    d = std::strtod(std::string(tok).c_str(), nullptr);
    if (d != std::floor(d) || std::fabs(d) > 9007199254740992.0)
      return fail(error, std::string("expected ") + kind_name(kind) + ", got non-integral number " + std::string(tok));
    v = static_cast<int64_t>(d);
  }
  if (!int_fits(kind, v))
    return fail(error, std::string("value ") + std::string(tok) + " out of range for " + kind_name(kind));
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, static_cast<size_t>(r.ptr - buf));
  return true;
}

}  // namespace

bool convert_value(od::value v, ColKind kind, std::string& out, std::string& error) {
  od::json_type type;
  if (auto e = v.type().get(type)) return fail(error, json_error_message(e));
  std::string want = std::string("expected ") + kind_name(kind) + ", ";
  switch (type) {
    case od::json_type::null: {
      bool is_null = false;
      if (v.is_null().get(is_null) || !is_null) return fail(error, "invalid JSON literal");
      out.append(kCopyNull);
      return true;
    }
    case od::json_type::boolean: {
      bool b = false;
      if (auto e = v.get_bool().get(b)) return fail(error, json_error_message(e));
      switch (kind) {
        case ColKind::kBool:
          out.push_back(b ? 't' : 'f');
          return true;
        case ColKind::kText:
        case ColKind::kOther:
        case ColKind::kJson:
        case ColKind::kJsonb:
          out.append(b ? "true" : "false");
          return true;
        default:
          return fail(error, want + "got boolean");
      }
    }
    case od::json_type::number: {
      std::string_view tok = trim_token(v.raw_json_token());
      if (!is_number_text(tok)) return fail(error, "invalid JSON number " + std::string(tok.substr(0, 40)));
      switch (kind) {
        case ColKind::kInt16:
        case ColKind::kInt32:
        case ColKind::kInt64:
          return convert_integer(tok, false, kind, out, error);
        case ColKind::kBool:
        case ColKind::kUuid:
        case ColKind::kTimestamp:
        case ColKind::kBytea:
          return fail(error, want + "got number " + std::string(tok.substr(0, 40)));
        default:
          out.append(tok);
          return true;
      }
    }
    case od::json_type::string: {
      if (kind == ColKind::kJson || kind == ColKind::kJsonb) {
        std::string_view tok = trim_token(v.raw_json_token());
        std::string_view s;
        if (auto e = v.get_string().get(s)) return fail(error, json_error_message(e));  // validates escapes
        if (kind == ColKind::kJsonb && s.find('\0') != std::string_view::npos) return fail(error, nul_reason());
        append_copy_escaped(out, tok);
        return true;
      }
      std::string_view s;
      if (auto e = v.get_string().get(s)) return fail(error, json_error_message(e));
      if (s.find('\0') != std::string_view::npos) return fail(error, nul_reason());
      switch (kind) {
        case ColKind::kInt16:
        case ColKind::kInt32:
        case ColKind::kInt64:
          return convert_integer(s, true, kind, out, error);
        case ColKind::kFloat:
        case ColKind::kNumeric:
          if (!is_number_text(s)) return fail(error, want + got_string(s));
          out.append(s);
          return true;
        case ColKind::kBool: {
          bool b = false;
          if (!parse_bool_text(s, b)) return fail(error, want + got_string(s));
          out.push_back(b ? 't' : 'f');
          return true;
        }
        case ColKind::kUuid:
          if (!is_uuid(s)) return fail(error, "invalid uuid: " + got_string(s));
          out.append(s);
          return true;
        default:
          append_copy_escaped(out, s);
          return true;
      }
    }
    case od::json_type::object:
    case od::json_type::array: {
      const char* what = type == od::json_type::object ? "got object" : "got array";
      switch (kind) {
        case ColKind::kText:
        case ColKind::kOther:
        case ColKind::kJson:
        case ColKind::kJsonb:
          break;
        default:
          return fail(error, want + what);
      }
      std::string_view raw;
      if (!raw_container(v, type, raw, error)) return false;
      if (kind == ColKind::kJsonb && json_has_nul_escape(raw)) return fail(error, nul_reason());
      append_copy_escaped(out, raw);
      return true;
    }
  }
  return fail(error, "unsupported JSON value");
}

struct RecordEncoder::Node {
  int column = -1;
  std::unordered_map<std::string, std::unique_ptr<Node>, StringHash, std::equal_to<>> children;
};

RecordEncoder::RecordEncoder() : root_(std::make_unique<Node>()) {}
RecordEncoder::~RecordEncoder() = default;

Status RecordEncoder::init(std::vector<EncoderColumn> columns, bool strict) {
  columns_ = std::move(columns);
  strict_ = strict;
  root_ = std::make_unique<Node>();
  default_bit_.assign(columns_.size(), -1);
  int bits = 0;
  for (size_t i = 0; i < columns_.size(); i++) {
    const auto& c = columns_[i];
    if (c.whole_record) {
      whole_record_ = static_cast<int>(i);
      continue;
    }
    if (c.has_default && bits < 64) default_bit_[i] = bits++;
    if (c.no_field) continue;
    // A field name given by --map is a dotted path; a column's own name is one key.
    Node* node = root_.get();
    if (c.field.empty()) {
      auto& child = node->children[c.name];
      if (!child) child = std::make_unique<Node>();
      node = child.get();
    } else {
      std::string_view path = c.field;
      while (true) {
        size_t dot = path.find('.');
        auto& child = node->children[std::string(path.substr(0, dot))];
        if (!child) child = std::make_unique<Node>();
        node = child.get();
        if (dot == std::string_view::npos) break;
        path.remove_prefix(dot + 1);
      }
    }
    if (node->column >= 0)
      return Status(kExitUsage, "columns " + columns_[node->column].name + " and " + c.name + " take the same field");
    if (!node->children.empty())
      return Status(kExitUsage, "field of column " + c.name + " is also the parent of another mapped field");
    node->column = static_cast<int>(i);
  }
  slots_.assign(columns_.size(), {});
  present_.assign(columns_.size(), 0);
  return Status::Ok();
}

bool RecordEncoder::visit_object(od::object object, const Node& node, bool top, std::string& error) {
  for (auto item : object) {
    od::field field;
    if (auto e = std::move(item).get(field)) return fail(error, json_error_message(e));
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return fail(error, json_error_message(e));
    auto it = node.children.find(key);
    if (it == node.children.end()) {
      if (top && strict_) return fail(error, "unknown field \"" + std::string(key.substr(0, 60)) + "\" (--strict)");
      continue;
    }
    const Node& child = *it->second;
    if (child.column >= 0) {
      size_t c = static_cast<size_t>(child.column);
      slots_[c].clear();
      if (!convert_value(field.value(), columns_[c].kind, slots_[c], error)) {
        error = columns_[c].name + ": " + error;
        return false;
      }
      present_[c] = 1;
    } else {
      od::value value = field.value();
      od::json_type type;
      if (auto e = value.type().get(type)) return fail(error, json_error_message(e));
      if (type != od::json_type::object) continue;  // path does not continue here: missing
      od::object inner;
      if (auto e = value.get_object().get(inner)) return fail(error, json_error_message(e));
      if (!visit_object(inner, child, false, error)) return false;
    }
  }
  return true;
}

bool RecordEncoder::encode(std::string_view text, std::string& row, uint64_t& signature, std::string& error) {
  std::fill(present_.begin(), present_.end(), 0);
  od::document doc;
  if (auto e = parser_.parse_padded(text).get(doc)) return fail(error, json_error_message(e));
  od::object object;
  if (auto e = doc.get_object().get(object)) {
    if (e == simdjson::INCORRECT_TYPE) return fail(error, "record is not a JSON object");
    return fail(error, json_error_message(e));
  }
  if (!visit_object(object, *root_, true, error)) return false;
  if (!doc.current_location().error()) return fail(error, "trailing content after the JSON object");
  if (whole_record_ >= 0) {
    if (json_has_nul_escape(text)) return fail(error, columns_[whole_record_].name + ": " + nul_reason());
    auto& slot = slots_[static_cast<size_t>(whole_record_)];
    slot.clear();
    append_copy_escaped(slot, text);
    present_[static_cast<size_t>(whole_record_)] = 1;
  }
  bool any = false;
  for (uint8_t p : present_) any = any || p;
  if (!any) return fail(error, "no field of the record matches a column of the table");
  signature = 0;
  bool first = true;
  for (size_t i = 0; i < columns_.size(); i++) {
    if (!present_[i] && default_bit_[i] >= 0) {
      signature |= uint64_t{1} << default_bit_[i];
      continue;
    }
    if (!first) row.push_back('\t');
    first = false;
    if (present_[i])
      row.append(slots_[i]);
    else
      row.append(kCopyNull);
  }
  row.push_back('\n');
  return true;
}

uint64_t RecordEncoder::route_hash() const {
  uint64_t h = 14695981039346656037ull;  // FNV-1a
  auto mix = [&h](unsigned char c) { h = (h ^ c) * 1099511628211ull; };
  for (size_t c : route_columns_) {
    if (!present_[c]) {
      mix(0xff);  // missing: NULL or the default
    } else if (columns_[c].kind == ColKind::kUuid) {
      for (char ch : slots_[c])
        if (ch != '-' && ch != '{' && ch != '}') mix(static_cast<unsigned char>(ch | 0x20));
    } else {
      for (char ch : slots_[c]) mix(static_cast<unsigned char>(ch));
    }
    mix(0);
  }
  return h ^ (h >> 29);
}

std::vector<std::string> RecordEncoder::columns_for(uint64_t signature) const {
  std::vector<std::string> names;
  for (size_t i = 0; i < columns_.size(); i++) {
    if (default_bit_[i] >= 0 && (signature >> default_bit_[i] & 1)) continue;
    names.push_back(columns_[i].name);
  }
  return names;
}

}  // namespace airstream::pgload
