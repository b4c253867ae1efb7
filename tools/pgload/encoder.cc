// NDJSON record -> COPY row (a binary tuple, or a line of COPY text). The record is
// parsed once with simdjson on-demand; its top-level fields are walked in document
// order and looked up in a small trie of the wanted field paths, so a record is read
// in one pass whatever the number of columns. The same pass checks the whole record
// against the grammar (common/json/ondemand_check.h): the fields no column reads are
// read to their end and checked, every string is consumed. Values are checked against their
// column's type here, before COPY, so the common mistakes (a word in a bigint column,
// a malformed uuid, a NUL character in a string) are rejected with the field's name
// instead of failing a whole batch; the checks do not depend on the format. A row
// with a value that has no exact binary form is parsed a second time, as text.
#include "encoder.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "common/json/number.h"
#include "common/json/ondemand_check.h"
#include "common/json/record.h"

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

// The content of a string value that holds no escape, else a null view.
std::string_view plain_string(od::value& v) {
  std::string_view tok = trim_token(v.raw_json_token());
  if (tok.size() < 2 || tok.front() != '"' || tok.back() != '"') return {};
  tok = tok.substr(1, tok.size() - 2);
  if (std::memchr(tok.data(), '\\', tok.size()) != nullptr) return {};
  return tok;
}

bool convert_integer(std::string_view tok, bool is_string, ColKind kind, int64_t& v, std::string& error) {
  if (!parse_int64(tok, v)) {
    // 3.0 or 1e3 are integers too, judged exactly on their digits (common/json/number.h).
    NumberFit fit = exact_integer(tok, INT64_MIN, INT64_MAX, v);
    if (fit == NumberFit::kNotANumber)
      return fail(error, std::string("expected ") + kind_name(kind) + ", " +
                             (is_string ? got_string(tok) : "got " + std::string(tok.substr(0, 40))));
    if (fit == NumberFit::kFraction)
      return fail(error, std::string("expected ") + kind_name(kind) + ", got non-integral number " +
                             std::string(tok.substr(0, 40)));
    if (fit != NumberFit::kOk)
      return fail(error, "value " + std::string(tok.substr(0, 40)) + " out of range for " + kind_name(kind));
  }
  if (!int_fits(kind, v))
    return fail(error, std::string("value ") + std::string(tok) + " out of range for " + kind_name(kind));
  return true;
}

// A float column refuses a number it would store as infinity or as 0 (PostgreSQL's
// float input refuses them too, but for a whole COPY batch).
bool float_fits(std::string_view tok, bool float4, std::string& error) {
  float f;
  double d;
  NumberFit fit = float4 ? exact_float(tok, f) : exact_double(tok, d);
  if (fit == NumberFit::kOk || fit == NumberFit::kNotANumber) return true;  // specials: NaN, Infinity
  return fail(error, "value " + std::string(tok.substr(0, 40)) + " " + number_fit_reason(fit) + " for " +
                         (float4 ? "real" : "double precision"));
}

// A numeric column refuses what PostgreSQL would round (more fraction digits than a
// numeric(p,s) column's scale) or refuse for a whole COPY batch (too many digits).
bool numeric_fits(std::string_view tok, const ValueFormat& f, std::string& error) {
  NumberFit fit = exact_decimal(tok, f.numeric_precision, f.numeric_scale);
  if (fit == NumberFit::kOk || fit == NumberFit::kNotANumber) return true;  // NaN, Infinity: the server decides
  std::string type = "numeric";
  if (f.numeric_precision > 0)
    type += "(" + std::to_string(f.numeric_precision) + "," + std::to_string(f.numeric_scale) + ")";
  return fail(error, "value " + std::string(tok.substr(0, 40)) + " " + number_fit_reason(fit) + " for " + type);
}

// A money column rounds to its fraction digits: more of them, or an amount that is
// not a plain number (whose rounding is not checked here), is refused.
bool money_fits(std::string_view tok, const TypeLimits& l, std::string& error) {
  if (!is_number_text(tok))
    return fail(error,
                "value \"" + std::string(tok.substr(0, 40)) + "\" is not a plain number, which money needs here");
  NumberFit fit = exact_decimal(tok, 19, l.money_scale);
  if (fit == NumberFit::kOk) return true;
  if (fit == NumberFit::kRounded)
    return fail(error, "value " + std::string(tok.substr(0, 40)) +
                           " has more digits after the decimal point than money keeps (" +
                           std::to_string(l.money_scale) + "; it would be rounded)");
  return fail(error, "value " + std::string(tok.substr(0, 40)) + " " + number_fit_reason(fit) + " for money");
}

// Text for a column with a type modifier, or for money: refused when the server
// would store it differently (typmod.h).
bool text_limits_ok(std::string_view s, const ValueFormat& f, std::string& error) {
  if (f.limits == nullptr) return true;
  if (f.limits->money_scale >= 0) return money_fits(s, *f.limits, error);
  return text_fits(s, *f.limits, error);
}

// Writes a value converted client-side: as COPY text, or as the binary field of f.bin.
class Out {
 public:
  Out(std::string& out, const ValueFormat& f) : out_(out), f_(f) {}
  bool binary() const { return f_.bin != BinType::kNone; }

  void null() {
    if (binary())
      put_null_field(out_);
    else
      out_.append(kCopyNull);
  }
  // Text as the value of a text, json or jsonb column (escape: it may hold any byte).
  void text(std::string_view s, bool escape) {
    if (!binary()) {
      if (escape)
        append_copy_escaped(out_, s);
      else
        out_.append(s);
      return;
    }
    if (f_.bin != BinType::kJsonb) return put_field(out_, s);
    put_i32(out_, static_cast<int32_t>(s.size() + 1));
    out_.push_back(1);  // jsonb binary format version
    out_.append(s);
  }
  void boolean(bool b) {
    if (!binary()) return out_.push_back(b ? 't' : 'f');
    put_i32(out_, 1);
    out_.push_back(b ? 1 : 0);
  }
  void integer(int64_t v) {
    if (!binary()) {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, v);
      out_.append(buf, static_cast<size_t>(r.ptr - buf));
      return;
    }
    if (f_.bin == BinType::kInt2) return put_i32(out_, 2), put_i16(out_, static_cast<int16_t>(v));
    if (f_.bin == BinType::kInt4) return put_i32(out_, 4), put_i32(out_, static_cast<int32_t>(v));
    put_i32(out_, 8);
    put_i64(out_, v);
  }
  // A number already checked with is_number_text (float and numeric columns).
  Conv number(std::string_view s) {
    if (!binary()) return out_.append(s), Conv::kOk;
    return put_float_field(out_, s, f_.bin == BinType::kFloat4) ? Conv::kOk : Conv::kText;
  }
  // False if s is not a uuid.
  bool uuid(std::string_view s) {
    if (binary()) return put_uuid_field(out_, s);
    if (!is_uuid(s)) return false;
    out_.append(s);
    return true;
  }
  // A date/time string: the server parses it (text), or it is exactly converted here.
  Conv datetime(std::string_view s) {
    if (!binary()) return append_copy_escaped(out_, s), Conv::kOk;
    if (f_.bin == BinType::kDate) {
      int32_t days = 0;
      if (!parse_iso_date(s, days)) return Conv::kText;
      put_i32(out_, 4);
      put_i32(out_, days);
      return Conv::kOk;
    }
    int64_t micros = 0;
    if (!parse_iso_timestamp(s, f_.bin == BinType::kTimestamptz, f_.local_is_utc, micros)) return Conv::kText;
    put_i32(out_, 8);
    put_i64(out_, micros);
    return Conv::kOk;
  }

 private:
  std::string& out_;
  const ValueFormat& f_;
};

Conv rejected(std::string& error, std::string msg) {
  error = std::move(msg);
  return Conv::kRejected;
}

}  // namespace

Conv convert_value(od::value& v, const ValueFormat& f, std::string& out_str, std::string& error) {
  const ColKind kind = f.kind;
  Out out(out_str, f);
  od::json_type type;
  if (auto e = v.type().get(type)) return rejected(error, json_error_message(e));
  // Built only for an error message (this runs for every value).
  auto want = [kind] { return std::string("expected ") + kind_name(kind) + ", "; };
  switch (type) {
    case od::json_type::null: {
      bool is_null = false;
      if (v.is_null().get(is_null) || !is_null) return rejected(error, "invalid JSON literal");
      out.null();
      return Conv::kOk;
    }
    case od::json_type::boolean: {
      bool b = false;
      if (auto e = v.get_bool().get(b)) return rejected(error, json_error_message(e));
      switch (kind) {
        case ColKind::kBool:
          out.boolean(b);
          return Conv::kOk;
        case ColKind::kText:
        case ColKind::kOther:
        case ColKind::kJson:
        case ColKind::kJsonb:
          if (!text_limits_ok(b ? "true" : "false", f, error)) return Conv::kRejected;
          out.text(b ? "true" : "false", false);
          return Conv::kOk;
        default:
          return rejected(error, want() + "got boolean");
      }
    }
    case od::json_type::number: {
      std::string_view tok = trim_token(v.raw_json_token());
      if (!is_json_number(tok)) return rejected(error, "invalid JSON number " + std::string(tok.substr(0, 40)));
      switch (kind) {
        case ColKind::kInt16:
        case ColKind::kInt32:
        case ColKind::kInt64: {
          int64_t i = 0;
          if (!convert_integer(tok, false, kind, i, error)) return Conv::kRejected;
          out.integer(i);
          return Conv::kOk;
        }
        case ColKind::kBool:
        case ColKind::kUuid:
        case ColKind::kTimestamp:
        case ColKind::kBytea:
          return rejected(error, want() + "got number " + std::string(tok.substr(0, 40)));
        case ColKind::kFloat:
          if (!float_fits(tok, f.float4, error)) return Conv::kRejected;
          return out.number(tok);
        case ColKind::kNumeric:
          if (!numeric_fits(tok, f, error)) return Conv::kRejected;
          return out.number(tok);
        default:
          if (!text_limits_ok(tok, f, error)) return Conv::kRejected;
          out.text(tok, false);
          return Conv::kOk;
      }
    }
    case od::json_type::string: {
      if (kind == ColKind::kJson || kind == ColKind::kJsonb) {
        std::string_view tok = trim_token(v.raw_json_token());
        std::string_view s;
        if (auto e = v.get_string().get(s)) return rejected(error, json_error_message(e));  // validates escapes
        if (kind == ColKind::kJsonb && s.find('\0') != std::string_view::npos) return rejected(error, nul_reason());
        out.text(tok, true);
        return Conv::kOk;
      }
      // A string with no backslash is its raw bytes (simdjson's first stage has checked
      // its UTF-8 and that it holds no control character): no unescaping copy.
      std::string_view s = plain_string(v);
      if (s.data() != nullptr) {
        // Left unread: refused if a ':' follows (On-Demand would take it for a key).
        if (auto e = check_json_string_end(v.raw_json_token())) return rejected(error, json_error_message(e));
      } else {
        if (auto e = v.get_string().get(s)) return rejected(error, json_error_message(e));
        if (s.find('\0') != std::string_view::npos) return rejected(error, nul_reason());
      }
      switch (kind) {
        case ColKind::kInt16:
        case ColKind::kInt32:
        case ColKind::kInt64: {
          int64_t i = 0;
          if (!convert_integer(s, true, kind, i, error)) return Conv::kRejected;
          out.integer(i);
          return Conv::kOk;
        }
        case ColKind::kFloat:
        case ColKind::kNumeric:
          if (!is_number_text(s)) return rejected(error, want() + got_string(s));
          if (kind == ColKind::kFloat && !float_fits(s, f.float4, error)) return Conv::kRejected;
          if (kind == ColKind::kNumeric && !numeric_fits(s, f, error)) return Conv::kRejected;
          return out.number(s);
        case ColKind::kBool: {
          bool b = false;
          if (!parse_bool_text(s, b)) return rejected(error, want() + got_string(s));
          out.boolean(b);
          return Conv::kOk;
        }
        case ColKind::kUuid:
          if (!out.uuid(s)) return rejected(error, "invalid uuid: " + got_string(s));
          return Conv::kOk;
        case ColKind::kTimestamp:
          if (f.limits && !datetime_fits(s, *f.limits, error)) return Conv::kRejected;
          return out.datetime(s);
        default:
          if (!text_limits_ok(s, f, error)) return Conv::kRejected;
          out.text(s, true);
          return Conv::kOk;
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
          return rejected(error, want() + what);
      }
      std::string_view raw;
      size_t depth = f.depth;
      if (auto e = checked_raw_json(v, depth, f.escapes, raw)) return rejected(error, json_error_message(e));
      if (kind == ColKind::kJsonb && json_has_nul_escape(raw)) return rejected(error, nul_reason());
      if (!text_limits_ok(raw, f, error)) return Conv::kRejected;
      out.text(raw, true);
      return Conv::kOk;
    }
  }
  return rejected(error, "unsupported JSON value");
}

bool convert_value(od::value v, ColKind kind, std::string& out, std::string& error) {
  return convert_value(v, ValueFormat{kind}, out, error) == Conv::kOk;
}

struct RecordEncoder::Node {
  int column = -1;
  std::unordered_map<std::string, std::unique_ptr<Node>, StringHash, std::equal_to<>> children;
  // The keys of the previous object at this level, in order, and their children (null:
  // not wanted). The records of one input mostly list their fields in the same order,
  // so the k-th key is compared with the previous k-th key before it is hashed.
  struct Seen {
    std::string key;
    const Node* child = nullptr;
    bool raw = false;  // key is spelled the same in JSON (nothing in it must be escaped)
  };
  mutable std::vector<Seen> seen;

  // The previous k-th key if the raw (still escaped) key k is the same, else null.
  const Seen* same_as_before(const od::raw_json_string& key, size_t k) const {
    if (k < seen.size() && seen[k].raw && key.unsafe_is_equal(seen[k].key)) return &seen[k];
    return nullptr;
  }

  const Node* find(std::string_view key, size_t k) const {
    if (k < seen.size() && seen[k].key == key) return seen[k].child;
    auto it = children.find(key);
    const Node* child = it == children.end() ? nullptr : it->second.get();
    bool raw = json_key_is_raw(key);
    if (k < seen.size()) {
      seen[k].key.assign(key);
      seen[k].child = child;
      seen[k].raw = raw;
    } else if (k == seen.size() && k < 256) {
      seen.push_back({std::string(key), child, raw});
    }
    return child;
  }
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
    if (c.has_default && bits < 63) default_bit_[i] = bits++;  // bit 63: kBinaryRow
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
  text_value_.assign(columns_.size(), 0);
  return Status::Ok();
}

std::vector<std::string> RecordEncoder::text_only_columns() const {
  std::vector<std::string> names;
  for (const auto& c : columns_) {
    bool textual = c.bin == BinType::kText || c.bin == BinType::kJson || c.bin == BinType::kJsonb;
    if (c.bin == BinType::kNone || (c.whole_record && !textual)) names.push_back(c.name);
  }
  return names;
}

void RecordEncoder::set_binary(bool binary, bool local_is_utc) {
  binary_ = binary;
  local_is_utc_ = local_is_utc;
}

bool RecordEncoder::visit_object(od::object object, const Node& node, bool top, std::string& error) {
  size_t k = 0;
  for (auto item : object) {
    od::field field;
    if (auto e = std::move(item).get(field)) return fail(error, json_error_message(e));
    // Records of one input mostly spell their keys alike: compare the raw key with the
    // previous record's before unescaping it.
    std::string_view key;
    const Node* found = nullptr;
    if (const Node::Seen* same = node.same_as_before(field.key(), k)) {
      key = same->key;
      found = same->child;
    } else {
      if (auto e = field.unescaped_key().get(key)) return fail(error, json_error_message(e));
      found = node.find(key, k);
    }
    k++;
    if (found == nullptr) {
      if (top && strict_) return fail(error, "unknown field \"" + std::string(key.substr(0, 60)) + "\" (--strict)");
      if (auto e = check_json_value(field.value(), depth_, escapes_)) return fail(error, json_error_message(e));
      continue;
    }
    const Node& child = *found;
    if (child.column >= 0) {
      size_t c = static_cast<size_t>(child.column);
      slots_[c].clear();
      const auto& col = columns_[c];
      Conv r = convert_value(
          field.value(),
          {col.kind, binary_pass_ ? col.bin : BinType::kNone, local_is_utc_, col.bin == BinType::kFloat4,
           col.numeric_precision, col.numeric_scale, col.limits.checks() ? &col.limits : nullptr, depth_, escapes_},
          slots_[c], error);
      if (r == Conv::kRejected) {
        error = col.name + ": " + error;
        return false;
      }
      if (r == Conv::kText) text_value_[c] = 1, text_values_++;
      present_[c] = 1;
    } else {
      od::value value = field.value();
      od::json_type type;
      if (auto e = value.type().get(type)) return fail(error, json_error_message(e));
      if (type != od::json_type::object) {  // path does not continue here: missing
        if (auto e = check_json_value(value, depth_, escapes_)) return fail(error, json_error_message(e));
        continue;
      }
      if (++depth_ > kMaxJsonDepth) return fail(error, json_error_message(simdjson::DEPTH_ERROR));
      od::object inner;
      if (auto e = value.get_object().get(inner)) return fail(error, json_error_message(e));
      if (!visit_object(inner, child, false, error)) return false;
      depth_--;
    }
  }
  return true;
}

bool RecordEncoder::fill_slots(std::string_view text, bool binary, std::string& error) {
  binary_pass_ = binary;
  text_values_ = 0;
  std::fill(present_.begin(), present_.end(), 0);
  if (binary) std::fill(text_value_.begin(), text_value_.end(), 0);
  depth_ = 1;
  escapes_ = std::memchr(text.data(), '\\', text.size()) != nullptr;  // one scan, not one per string
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
    const auto& col = columns_[static_cast<size_t>(whole_record_)];
    if (json_has_nul_escape(text)) return fail(error, col.name + ": " + nul_reason());
    auto& slot = slots_[static_cast<size_t>(whole_record_)];
    slot.clear();
    Out(slot, {col.kind, binary ? col.bin : BinType::kNone}).text(text, true);
    present_[static_cast<size_t>(whole_record_)] = 1;
  }
  bool any = false;
  for (uint8_t p : present_) any = any || p;
  if (!any) return fail(error, "no field of the record matches a column of the table");
  return true;
}

bool RecordEncoder::encode(std::string_view text, std::string& row, uint64_t& signature, std::string& error,
                           bool valid_json) {
  // fill_slots checks the whole record, the fields no column reads included: the same
  // verdict as every other tool gives the line (common/json/record.h). A refused
  // record gets the grammar's reason, in the words every tool uses, if it has one.
  auto refused = [&] {
    if (!valid_json) {
      if (std::string err = validator_.check(text); !err.empty()) error = std::move(err);
    }
    return false;
  };
  if (!fill_slots(text, binary_, error)) return refused();
  bool binary_row = binary_ && text_values_ == 0;
  if (binary_ && !binary_row) {
    // Some value has no exact binary form: the row goes as text. Its route stays that
    // of its key values' binary form, so that it goes to the same job as binary rows
    // of the same key.
    route_stash_.clear();
    for (size_t c : route_columns_) route_stash_.push_back(slots_[c]);
    if (!fill_slots(text, false, error)) return refused();
  }
  if (routed()) route_hash_ = hash_route(binary_ && !binary_row);
  signature = 0;
  if (binary_row) {
    size_t fields = 0;
    for (size_t i = 0; i < columns_.size(); i++) fields += !present_[i] && default_bit_[i] >= 0 ? 0 : 1;
    put_i16(row, static_cast<int16_t>(fields));
  }
  bool first = true;
  for (size_t i = 0; i < columns_.size(); i++) {
    if (!present_[i] && default_bit_[i] >= 0) {
      signature |= uint64_t{1} << default_bit_[i];
      continue;
    }
    if (binary_row) {
      if (present_[i])
        row.append(slots_[i]);
      else
        put_null_field(row);
      continue;
    }
    if (!first) row.push_back('\t');
    first = false;
    row.append(present_[i] ? std::string_view(slots_[i]) : kCopyNull);
  }
  if (binary_row) {
    signature |= kBinaryRow;
  } else {
    row.push_back('\n');
  }
  return true;
}

uint64_t RecordEncoder::hash_route(bool stashed) const {
  uint64_t h = 14695981039346656037ull;  // FNV-1a
  auto mix = [&h](unsigned char c) { h = (h ^ c) * 1099511628211ull; };
  for (size_t i = 0; i < route_columns_.size(); i++) {
    size_t c = route_columns_[i];
    // The binary form where the value has one (it is canonical), else the text.
    bool text = !binary_ || text_value_[c];
    const std::string& value = stashed && !text ? route_stash_[i] : slots_[c];
    if (!present_[c]) {
      mix(0xff);  // missing: NULL or the default
    } else if (text && columns_[c].kind == ColKind::kUuid) {
      for (char ch : value)
        if (ch != '-' && ch != '{' && ch != '}') mix(static_cast<unsigned char>(ch | 0x20));
    } else {
      // Eight bytes at a time (a binary uuid is 20 bytes with its length word).
      size_t at = 0;
      for (; at + 8 <= value.size(); at += 8) {
        uint64_t w = 0;
        std::memcpy(&w, value.data() + at, 8);
        h = (h ^ w) * 0x9e3779b97f4a7c15ull;
        h ^= h >> 32;
      }
      for (; at < value.size(); at++) mix(static_cast<unsigned char>(value[at]));
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

void numeric_typmod(std::string_view t, int& precision, int& scale) {
  precision = scale = 0;
  if (t.substr(0, 8) != "numeric(" || t.back() != ')') return;
  t = t.substr(8, t.size() - 9);
  size_t comma = t.find(',');
  std::string_view p = t.substr(0, comma), s = comma == std::string_view::npos ? "0" : t.substr(comma + 1);
  int pv = 0, sv = 0;
  if (std::from_chars(p.data(), p.data() + p.size(), pv).ec != std::errc() ||
      std::from_chars(s.data(), s.data() + s.size(), sv).ec != std::errc() || pv <= 0)
    return;
  precision = pv;
  scale = sv;
}

}  // namespace airstream::pgload
