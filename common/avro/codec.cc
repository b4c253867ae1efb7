// JSON <-> Avro binary (specification 1.11, "Binary Encoding") through avro-c's
// generic values: the Encoder walks a simdjson DOM and the schema tree together,
// filling an avro_value_t that avro-c then writes; the Decoder first walks the
// payload bytes with the schema (every length, index and varint checked against what
// is left), then lets avro-c read it into a generic value and writes that out as JSON.
#include "common/avro/codec.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "common/avro/json_text.h"
#include "common/avro/logical.h"
#include "common/json/json.h"
#include "common/uuid.h"

namespace airstream::avro {

namespace dom = simdjson::dom;

namespace {

const char* json_type_name(dom::element j) {
  switch (j.type()) {
    case dom::element_type::ARRAY:
      return "array";
    case dom::element_type::OBJECT:
      return "object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
      return "integer";
    case dom::element_type::DOUBLE:
      return "number";
    case dom::element_type::STRING:
      return "string";
    case dom::element_type::BOOL:
      return "boolean";
    case dom::element_type::NULL_VALUE:
      return "null";
  }
  return "?";
}

// The JSON number j as an exact integer within [lo, hi]; "" or the reason.
const char* exact_int(dom::element j, int64_t lo, int64_t hi, int64_t& out) {
  switch (j.type()) {
    case dom::element_type::INT64:
      out = j.get_int64().value_unsafe();
      break;
    case dom::element_type::UINT64:
      return "out of range";
    case dom::element_type::DOUBLE: {
      double d = j.get_double().value_unsafe();
      if (d != std::floor(d)) return "not an integer";
      if (std::fabs(d) > 9007199254740992.0)
        return std::fabs(d) > 9.3e18 ? "out of range" : "not exact (write it as an integer)";
      out = static_cast<int64_t>(d);
      break;
    }
    default:
      return "not a number";
  }
  return out < lo || out > hi ? "out of range" : "";
}

bool is_number(dom::element j) {
  auto t = j.type();
  return t == dom::element_type::INT64 || t == dom::element_type::UINT64 || t == dom::element_type::DOUBLE;
}

// A JSON string of code points U+0000..U+00FF into bytes (Avro's JSON form of bytes).
bool latin1_bytes(std::string_view s, std::string& out) {
  out.clear();
  for (size_t i = 0; i < s.size(); i++) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if ((c == 0xC2 || c == 0xC3) && i + 1 < s.size()) {
      out.push_back(static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(s[++i]) & 0x3F)));
    } else {
      return false;
    }
  }
  return true;
}

// The decimal text of a JSON number for a decimal field: the shortest text that reads
// back as the same double is exact when it has at most 15 significant digits.
bool number_text(dom::element j, std::string& out) {
  char buf[64];
  std::to_chars_result r;
  if (j.type() == dom::element_type::INT64) {
    r = std::to_chars(buf, buf + sizeof buf, j.get_int64().value_unsafe());
  } else if (j.type() == dom::element_type::UINT64) {
    r = std::to_chars(buf, buf + sizeof buf, j.get_uint64().value_unsafe());
  } else {
    r = std::to_chars(buf, buf + sizeof buf, j.get_double().value_unsafe());
    int sig = 0;
    bool leading = true;
    for (const char* c = buf; c < r.ptr && *c != 'e'; c++) {
      if (*c >= '1' && *c <= '9') leading = false;
      if (*c >= '0' && *c <= '9' && !leading) sig++;
    }
    if (sig > 15) return false;
  }
  out.assign(buf, r.ptr);
  return true;
}

bool read_long(const char*& p, const char* end, int64_t& out) {
  uint64_t v = 0;
  for (int shift = 0; shift < 70; shift += 7) {
    if (p == end) return false;
    auto b = static_cast<unsigned char>(*p++);
    if (shift == 63 && b > 1) return false;
    v |= uint64_t{b & 0x7Fu} << shift;
    if (!(b & 0x80)) {
      out = static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
      return true;
    }
  }
  return false;
}

constexpr size_t kMaxValues = 64;

void keep_value(std::map<const Schema*, avro_value_t>& values, const Schema& schema, avro_value_t*& out) {
  auto it = values.find(&schema);
  if (it != values.end() && avro_value_get_schema(&it->second) == schema.raw()) {
    out = &it->second;
    return;
  }
  if (it != values.end()) {
    avro_value_decref(&it->second);
    values.erase(it);
  }
  // One value per schema seen, bounded: the registry's cache drops schemas too.
  if (values.size() >= kMaxValues) {
    for (auto& [s, v] : values) avro_value_decref(&v);
    values.clear();
  }
  avro_value_t v;
  if (avro_generic_value_new(schema.iface(), &v) != 0) {
    out = nullptr;
    return;
  }
  out = &values.emplace(&schema, v).first->second;
}

}  // namespace

// ---- Encoder ----

Encoder::Encoder() : writer_(avro_writer_memory(nullptr, 0)) {}

Encoder::~Encoder() {
  for (auto& [s, v] : values_) avro_value_decref(&v);
  if (writer_) avro_writer_free(writer_);
}

bool Encoder::fail(std::string reason) {
  error_ = path_.empty() ? std::move(reason) : path_ + ": " + reason;
  return false;
}

bool Encoder::wrong_type(dom::element j, const Node& n) {
  return fail("expected " + describe(n) + ", got " + json_type_name(j));
}

std::string Encoder::encode(const Schema& schema, std::string_view json, std::string& out) {
  dom::element root;
  if (auto ec = parser_.parse(json.data(), json.size()).get(root)) return json_error_message(ec);
  return encode(schema, root, out);
}

std::string Encoder::encode(const Schema& schema, dom::element json, std::string& out) {
  avro_value_t* v = nullptr;
  keep_value(values_, schema, v);
  if (!v) return std::string("cannot create an Avro value: ") + avro_strerror();
  avro_value_reset(v);
  path_.clear();
  error_.clear();
  depth_ = 0;
  in_default_ = false;
  if (!put(json, schema.root(), v)) return error_;
  size_t size = 0;
  if (avro_value_sizeof(v, &size) != 0) return std::string("cannot encode: ") + avro_strerror();
  size_t at = out.size();
  out.resize(at + size);
  avro_writer_memory_set_dest(writer_, out.data() + at, static_cast<int64_t>(size));
  if (avro_value_write(writer_, v) != 0) {
    out.resize(at);
    return std::string("cannot encode: ") + avro_strerror();
  }
  return {};
}

std::string Encoder::encode_default(const Node& n, dom::element d, avro_value_t* v) {
  path_.clear();
  error_.clear();
  depth_ = 0;
  in_default_ = true;
  avro_value_t branch;
  bool ok = n.type == Type::kUnion ? avro_value_set_branch(v, 0, &branch) == 0 && put(d, *n.branches[0], &branch)
                                   : put(d, n, v);
  in_default_ = false;
  if (ok) return {};
  return error_.empty() ? avro_strerror() : error_;
}

bool Encoder::put(dom::element j, const Node& n, avro_value_t* v) {
  // Defaults are in Avro's JSON encoding: a decimal's default is its bytes.
  if (n.logical != Logical::kNone && n.logical != Logical::kUuid && !in_default_) return put_logical(j, n, v);
  int64_t i = 0;
  switch (n.type) {
    case Type::kNull:
      if (!j.is_null()) return wrong_type(j, n);
      return avro_value_set_null(v) == 0 || fail(avro_strerror());
    case Type::kBoolean:
      if (!j.is_bool()) return wrong_type(j, n);
      return avro_value_set_boolean(v, j.get_bool().value_unsafe()) == 0 || fail(avro_strerror());
    case Type::kInt:
    case Type::kLong: {
      if (!is_number(j)) return wrong_type(j, n);
      bool is_int = n.type == Type::kInt;
      const char* why = is_int
                            ? exact_int(j, INT32_MIN, INT32_MAX, i)
                            : exact_int(j, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), i);
      if (*why) return fail(std::string(why) + " for Avro " + (is_int ? "int" : "long"));
      int rc = is_int ? avro_value_set_int(v, static_cast<int32_t>(i)) : avro_value_set_long(v, i);
      return rc == 0 || fail(avro_strerror());
    }
    case Type::kFloat:
    case Type::kDouble: {
      if (!is_number(j)) return wrong_type(j, n);
      double d = j.get_double().value_unsafe();
      if (j.type() == dom::element_type::INT64) d = static_cast<double>(j.get_int64().value_unsafe());
      if (j.type() == dom::element_type::UINT64) d = static_cast<double>(j.get_uint64().value_unsafe());
      if (n.type == Type::kDouble) return avro_value_set_double(v, d) == 0 || fail(avro_strerror());
      // Up to half a unit in the last place above the largest float still rounds to it
      // (the shortest text of FLT_MAX, 3.4028235e+38, is above it as a double).
      constexpr float kMax = std::numeric_limits<float>::max();
      if (std::fabs(d) >= static_cast<double>(kMax) + 0x1p103) return fail("out of range for Avro float");
      float f = std::fabs(d) > kMax ? std::copysign(kMax, static_cast<float>(d > 0 ? 1 : -1)) : static_cast<float>(d);
      if (d != 0 && f == 0) return fail("too small for Avro float (would be stored as 0)");
      return avro_value_set_float(v, f) == 0 || fail(avro_strerror());
    }
    case Type::kString: {
      if (!j.is_string()) return wrong_type(j, n);
      std::string_view s = j.get_string().value_unsafe();
      unsigned char u[16];
      if (n.logical == Logical::kUuid && !parse_uuid(s, u)) return fail("not a uuid (8-4-4-4-12 hex digits)");
      // DOM strings are NUL-terminated; avro-c's length counts the NUL.
      return avro_value_set_string_len(v, s.data(), s.size() + 1) == 0 || fail(avro_strerror());
    }
    case Type::kBytes:
    case Type::kFixed: {
      if (!j.is_string()) return wrong_type(j, n);
      if (!latin1_bytes(j.get_string().value_unsafe(), scratch_))
        return fail("bytes must be a string of code points U+0000..U+00FF");
      if (n.type == Type::kBytes)
        return avro_value_set_bytes(v, scratch_.data(), scratch_.size()) == 0 || fail(avro_strerror());
      if (scratch_.size() != n.size)
        return fail("expected " + std::to_string(n.size) + " bytes for " + describe(n) + ", got " +
                    std::to_string(scratch_.size()));
      return avro_value_set_fixed(v, scratch_.data(), scratch_.size()) == 0 || fail(avro_strerror());
    }
    case Type::kEnum: {
      if (!j.is_string()) return wrong_type(j, n);
      std::string_view s = j.get_string().value_unsafe();
      for (size_t k = 0; k < n.symbols.size(); k++) {
        if (n.symbols[k] == s) return avro_value_set_enum(v, static_cast<int>(k)) == 0 || fail(avro_strerror());
      }
      return fail(json_string(s) + " is not a symbol of " + describe(n));
    }
    case Type::kArray: {
      if (!j.is_array()) return wrong_type(j, n);
      if (++depth_ > 256) return fail("nested too deeply");
      size_t at = path_.size(), k = 0;
      dom::array arr = j.get_array().value_unsafe();
      for (dom::element item : arr) {
        avro_value_t child;
        size_t index;
        if (avro_value_append(v, &child, &index) != 0) return fail(avro_strerror());
        path_ += '[';
        path_ += std::to_string(k++);
        path_ += ']';
        if (!put(item, *n.items, &child)) return false;
        path_.resize(at);
      }
      --depth_;
      return true;
    }
    case Type::kMap: {
      if (!j.is_object()) return wrong_type(j, n);
      if (++depth_ > 256) return fail("nested too deeply");
      size_t at = path_.size();
      dom::object obj = j.get_object().value_unsafe();
      for (auto [key, item] : obj) {
        avro_value_t child;
        size_t index;
        int is_new = 0;
        std::string k(key);
        if (avro_value_add(v, k.c_str(), &child, &index, &is_new) != 0) return fail(avro_strerror());
        if (!is_new) return fail("duplicate key " + json_string(k));
        if (at) path_ += '.';
        path_ += k;
        if (!put(item, *n.items, &child)) return false;
        path_.resize(at);
      }
      --depth_;
      return true;
    }
    case Type::kRecord:
      return put_record(j, n, v);
    case Type::kUnion:
      return put_union(j, n, v);
  }
  return fail("unsupported type");
}

bool Encoder::put_record(dom::element j, const Node& n, avro_value_t* v) {
  if (!j.is_object()) return wrong_type(j, n);
  if (++depth_ > 256) return fail("nested too deeply");
  dom::object o = j.get_object().value_unsafe();
  dom::object::iterator next = o.begin();
  size_t at = path_.size();
  size_t seen = 0;
  for (size_t k = 0; k < n.fields.size(); k++) {
    const Field& f = n.fields[k];
    if (at) path_ += '.';
    path_ += f.name;
    // Records usually list their fields in the schema's order: the next member is
    // tried first, a lookup by name only when it is another one.
    dom::element fj;
    bool present;
    if (next != o.end() && next.key() == f.name) {
      fj = next.value();
      ++next;
      present = true;
    } else {
      present = !o[f.name].get(fj);
    }
    if (!present && !f.has_default) return fail("missing field (the schema gives no default)");
    avro_value_t child;
    if (avro_value_get_by_index(v, k, &child, nullptr) != 0) return fail(avro_strerror());
    // A default is written as its union's first branch (specification, "Unions").
    if (!present) {
      bool outer = in_default_;
      in_default_ = true;
      avro_value_t branch;
      bool ok = f.type->type == Type::kUnion ? avro_value_set_branch(&child, 0, &branch) == 0 &&
                                                   put(f.default_value, *f.type->branches[0], &branch)
                                             : put(f.default_value, *f.type, &child);
      in_default_ = outer;
      if (!ok) return error_.empty() ? fail(avro_strerror()) : false;
    } else if (!put(fj, *f.type, &child)) {
      return false;
    }
    seen += present;
    path_.resize(at);
  }
  if (seen != o.size()) {
    for (auto [key, value] : o) {
      bool known = false;
      for (const Field& f : n.fields) known |= f.name == key;
      if (!known) return fail("field " + json_string(key) + " is not in " + describe(n));
    }
    return fail("duplicate field");
  }
  --depth_;
  return true;
}

bool Encoder::put_union(dom::element j, const Node& n, avro_value_t* v) {
  avro_value_t branch;
  const size_t path_at = path_.size();
  // Avro's JSON encoding: {"type name": value}.
  if (j.is_object()) {
    dom::object o = j.get_object().value_unsafe();
    if (o.size() == 1) {
      auto [key, inner] = *o.begin();
      for (size_t k = 0; k < n.branches.size(); k++) {
        const Node& b = *n.branches[k];
        std::string name = branch_name(b);
        size_t dot = name.rfind('.');
        if (key == name || (dot != std::string::npos && key == std::string_view(name).substr(dot + 1))) {
          if (avro_value_set_branch(v, static_cast<int>(k), &branch) != 0) return fail(avro_strerror());
          avro_value_reset(&branch);
          int depth = depth_;
          if (put(inner, b, &branch)) return true;
          depth_ = depth;
          path_.resize(path_at);
          // A record or map branch may itself have one field of that name: go on.
        }
      }
    }
  }
  std::string first_error;
  for (size_t k = 0; k < n.branches.size(); k++) {
    const Node& b = *n.branches[k];
    // Only null goes to a null branch, and its refusal is never the one reported: skip
    // it without switching the union's branch (avro-c rebuilds the value each switch).
    if (b.type == Type::kNull && !j.is_null()) continue;
    if (avro_value_set_branch(v, static_cast<int>(k), &branch) != 0) return fail(avro_strerror());
    avro_value_reset(&branch);
    size_t at = path_.size();
    int depth = depth_;
    if (put(j, b, &branch)) return true;
    path_.resize(at);
    depth_ = depth;
    bool same_kind = (b.type == Type::kRecord || b.type == Type::kMap) ? j.is_object()
                     : b.type == Type::kArray                          ? j.is_array()
                                                                       : !j.is_object() && !j.is_array();
    if (same_kind && first_error.empty() && !(b.type == Type::kNull) && !error_.empty()) first_error = error_;
  }
  if (!first_error.empty() && !j.is_null()) {
    error_ = first_error;
    return false;
  }
  return fail("a " + std::string(json_type_name(j)) + " matches no branch of " + describe(n));
}

bool Encoder::put_logical(dom::element j, const Node& n, avro_value_t* v) {
  std::string why;
  if (n.logical == Logical::kDecimal) {
    std::string text;
    if (j.is_string()) {
      text = std::string(j.get_string().value_unsafe());
    } else if (!is_number(j)) {
      return wrong_type(j, n);
    } else if (!number_text(j, text)) {
      return fail("decimal with more than 15 significant digits must be written as a string to stay exact");
    }
    why = decimal_to_bytes(text, n.precision, n.scale, n.type == Type::kFixed ? n.size : 0, scratch_);
    if (!why.empty()) return fail(json_string(text) + " " + why);
    int rc = n.type == Type::kFixed ? avro_value_set_fixed(v, scratch_.data(), scratch_.size())
                                    : avro_value_set_bytes(v, scratch_.data(), scratch_.size());
    return rc == 0 || fail(avro_strerror());
  }
  int64_t out = 0;
  if (!j.is_string()) {
    Node plain = n;
    plain.logical = Logical::kNone;
    if (!put(j, plain, v)) return false;
    if (n.logical == Logical::kTimeMillis || n.logical == Logical::kTimeMicros) {
      int64_t per_day = n.logical == Logical::kTimeMillis ? 86400000LL : 86400000000LL;
      exact_int(j, 0, per_day - 1, out);
      if (out < 0 || out >= per_day) return fail("time of day out of range");
    }
    return true;
  }
  std::string_view s = j.get_string().value_unsafe();
  switch (n.logical) {
    case Logical::kDate: {
      int32_t days;
      why = parse_date(s, days);
      if (why.empty()) return avro_value_set_int(v, days) == 0 || fail(avro_strerror());
      break;
    }
    case Logical::kTimeMillis:
    case Logical::kTimeMicros: {
      bool millis = n.logical == Logical::kTimeMillis;
      why = parse_time_of_day(s, millis ? 1000 : 1000000, out);
      if (why.empty()) {
        int rc = millis ? avro_value_set_int(v, static_cast<int32_t>(out)) : avro_value_set_long(v, out);
        return rc == 0 || fail(avro_strerror());
      }
      break;
    }
    default: {
      bool millis = n.logical == Logical::kTimestampMillis || n.logical == Logical::kLocalTimestampMillis;
      bool local = n.logical == Logical::kLocalTimestampMillis || n.logical == Logical::kLocalTimestampMicros;
      why = parse_timestamp(s, millis ? 1000 : 1000000, local, out);
      if (why.empty()) return avro_value_set_long(v, out) == 0 || fail(avro_strerror());
      break;
    }
  }
  return fail(json_string(s) + " is " + why);
}

// ---- Decoder ----

Decoder::Decoder() : reader_(avro_reader_memory(nullptr, 0)) {}

Decoder::~Decoder() {
  for (auto& [s, v] : values_) avro_value_decref(&v);
  if (reader_) avro_reader_free(reader_);
}

std::string Decoder::read(const Schema& schema, std::string_view payload, avro_value_t*& v) {
  error_.clear();
  error_path_.clear();
  const char* p = payload.data();
  // Items of zero width (null, empty records) cost no byte: a few bytes of block
  // counts could ask for billions. Every other item takes at least one byte.
  items_left_ = static_cast<int64_t>(payload.size()) + 4096;
  if (!check(schema.root(), p, payload.data() + payload.size(), 0)) return error_;
  if (p != payload.data() + payload.size())
    return std::to_string(payload.data() + payload.size() - p) + " bytes left over after the Avro datum";
  keep_value(values_, schema, v);
  if (!v) return std::string("cannot create an Avro value: ") + avro_strerror();
  avro_value_reset(v);
  avro_reader_memory_set_source(reader_, payload.data(), static_cast<int64_t>(payload.size()));
  if (avro_value_read(reader_, v) != 0) return std::string("cannot decode Avro: ") + avro_strerror();
  return {};
}

std::string Decoder::decode(const Schema& schema, std::string_view payload, std::string& out, UnionStyle style) {
  avro_value_t* v = nullptr;
  if (std::string e = read(schema, payload, v); !e.empty()) return e;
  return to_json(schema.root(), v, style, out);
}

std::string Decoder::to_json(const Node& n, avro_value_t* v, UnionStyle style, std::string& out) {
  style_ = style;
  error_.clear();
  size_t at = out.size();
  if (!emit(n, v, out)) {
    out.resize(at);
    return error_;
  }
  return {};
}

bool Decoder::check(const Node& n, const char*& p, const char* end, int depth) {
  auto truncated = [&] {
    error_ = "truncated Avro datum (or not written with this schema)";
    return false;
  };
  if (depth > 128) {
    error_ = "Avro datum nested too deeply";
    return false;
  }
  int64_t x;
  switch (n.type) {
    case Type::kNull:
      return true;
    case Type::kBoolean:
      if (p == end) return truncated();
      if (static_cast<unsigned char>(*p) > 1) {
        error_ = "boolean byte is neither 0 nor 1";
        return false;
      }
      p++;
      return true;
    case Type::kInt:
      if (!read_long(p, end, x)) return truncated();
      if (x < INT32_MIN || x > INT32_MAX) {
        error_ = "int out of range";
        return false;
      }
      return true;
    case Type::kLong:
    case Type::kEnum:
      if (!read_long(p, end, x)) return truncated();
      if (n.type == Type::kEnum && (x < 0 || x >= static_cast<int64_t>(n.symbols.size()))) {
        error_ = "enum index " + std::to_string(x) + " out of range for " + describe(n);
        return false;
      }
      return true;
    case Type::kFloat:
    case Type::kDouble:
    case Type::kFixed: {
      size_t w = n.type == Type::kFloat ? 4 : n.type == Type::kDouble ? 8 : n.size;
      if (static_cast<size_t>(end - p) < w) return truncated();
      p += w;
      return true;
    }
    case Type::kBytes:
    case Type::kString:
      if (!read_long(p, end, x)) return truncated();
      if (x < 0 || x > end - p) return truncated();
      p += x;
      return true;
    case Type::kRecord:
      for (const Field& f : n.fields) {
        if (!check(*f.type, p, end, depth + 1)) return false;
      }
      return true;
    case Type::kUnion:
      if (!read_long(p, end, x)) return truncated();
      if (x < 0 || x >= static_cast<int64_t>(n.branches.size())) {
        error_ = "union index " + std::to_string(x) + " out of range for " + describe(n);
        return false;
      }
      return check(*n.branches[x], p, end, depth + 1);
    case Type::kArray:
    case Type::kMap:
      for (int blocks = 0;; blocks++) {
        int64_t count;
        if (!read_long(p, end, count)) return truncated();
        if (count == 0) return true;
        if (count < 0) {
          int64_t bytes;
          if (count == std::numeric_limits<int64_t>::min() || !read_long(p, end, bytes) || bytes < 0 || bytes > end - p)
            return truncated();
          count = -count;
        }
        if (count > end - p && count > 1024) {
          error_ = "Avro block count " + std::to_string(count) + " exceeds what the message can hold";
          return false;
        }
        items_left_ -= count;
        if (items_left_ < 0) {
          error_ = "Avro arrays and maps hold more items than the message can encode";
          return false;
        }
        for (int64_t k = 0; k < count; k++) {
          if (n.type == Type::kMap) {
            if (!read_long(p, end, x) || x < 0 || x > end - p) return truncated();
            p += x;
          }
          if (!check(*n.items, p, end, depth + 1)) return false;
        }
      }
  }
  return true;
}

void Decoder::emit_integer(const Node& n, int64_t x, std::string& out) {
  switch (n.logical) {
    case Logical::kDate:
      out.push_back('"');
      format_date(x, out);
      out.push_back('"');
      return;
    case Logical::kTimeMillis:
    case Logical::kTimeMicros: {
      int64_t per_second = n.logical == Logical::kTimeMillis ? 1000 : 1000000;
      if (x < 0 || x >= 86400 * per_second) break;
      out.push_back('"');
      format_time_of_day(x, per_second, out);
      out.push_back('"');
      return;
    }
    case Logical::kTimestampMillis:
    case Logical::kTimestampMicros:
    case Logical::kLocalTimestampMillis:
    case Logical::kLocalTimestampMicros: {
      bool millis = n.logical == Logical::kTimestampMillis || n.logical == Logical::kLocalTimestampMillis;
      bool local = n.logical == Logical::kLocalTimestampMillis || n.logical == Logical::kLocalTimestampMicros;
      size_t at = out.size();
      out.push_back('"');
      if (format_timestamp(x, millis ? 1000 : 1000000, local, out)) {
        out.push_back('"');
        return;
      }
      out.resize(at);
      break;
    }
    default:
      break;
  }
  out += std::to_string(x);
}

bool Decoder::emit(const Node& n, avro_value_t* v, std::string& out) {
  switch (n.type) {
    case Type::kNull:
      out += "null";
      return true;
    case Type::kBoolean: {
      int b = 0;
      avro_value_get_boolean(v, &b);
      out += b ? "true" : "false";
      return true;
    }
    case Type::kInt:
    case Type::kLong: {
      int64_t x = 0;
      if (n.type == Type::kInt) {
        int32_t i = 0;
        avro_value_get_int(v, &i);
        x = i;
      } else {
        avro_value_get_long(v, &x);
      }
      emit_integer(n, x, out);
      return true;
    }
    case Type::kFloat: {
      float f = 0;
      avro_value_get_float(v, &f);
      append_float(out, f);
      return true;
    }
    case Type::kDouble: {
      double d = 0;
      avro_value_get_double(v, &d);
      append_float(out, d);
      return true;
    }
    case Type::kString: {
      const char* s = nullptr;
      size_t size = 0;
      avro_value_get_string(v, &s, &size);
      std::string_view sv(s ? s : "", size ? size - 1 : 0);
      if (!is_valid_utf8(sv)) {
        error_ = "string is not valid UTF-8";
        return false;
      }
      append_json_string(out, sv);
      return true;
    }
    case Type::kBytes:
    case Type::kFixed: {
      const void* b = nullptr;
      size_t size = 0;
      if (n.type == Type::kBytes) {
        avro_value_get_bytes(v, &b, &size);
      } else {
        avro_value_get_fixed(v, &b, &size);
      }
      if (n.logical == Logical::kDecimal) {
        out.push_back('"');
        decimal_from_bytes(std::string_view(static_cast<const char*>(b), size), n.scale, out);
        out.push_back('"');
      } else {
        append_latin1(out, static_cast<const unsigned char*>(b), size);
      }
      return true;
    }
    case Type::kEnum: {
      int k = 0;
      avro_value_get_enum(v, &k);
      append_json_string(out, n.symbols[static_cast<size_t>(k)]);
      return true;
    }
    case Type::kArray:
    case Type::kMap:
      return emit_items(v, n.type == Type::kMap, out, [&](avro_value_t* child) { return emit(*n.items, child, out); });
    case Type::kRecord: {
      out.push_back('{');
      for (size_t k = 0; k < n.fields.size(); k++) {
        avro_value_t child;
        avro_value_get_by_index(v, k, &child, nullptr);
        if (k) out.push_back(',');
        append_json_string(out, n.fields[k].name);
        out.push_back(':');
        if (!emit(*n.fields[k].type, &child, out)) return false;
      }
      out.push_back('}');
      return true;
    }
    case Type::kUnion: {
      int d = 0;
      avro_value_t branch;
      avro_value_get_discriminant(v, &d);
      avro_value_get_current_branch(v, &branch);
      const Node& b = *n.branches[static_cast<size_t>(d)];
      if (style_ == UnionStyle::kPlain || b.type == Type::kNull) return emit(b, &branch, out);
      out.push_back('{');
      append_json_string(out, branch_name(b));
      out.push_back(':');
      if (!emit(b, &branch, out)) return false;
      out.push_back('}');
      return true;
    }
  }
  return true;
}

}  // namespace airstream::avro
