// JSON <-> Avro binary for one schema, through avro-c's generic values.
//
// JSON to Avro (Encoder) is strict: a record missing a field without default, a field
// the schema does not have, a value of the wrong type, a number the type cannot hold
// exactly, a string that is not an enum symbol or a valid logical value is refused
// with the field path and reason ("address.zip: expected int, got string"). Unions
// take the plain value (the first branch that accepts it) or Avro's tagged JSON form
// {"long": 5}. bytes and fixed are strings of code points U+0000..U+00FF as in Avro's
// JSON encoding. Logical types take their text forms (common/avro/logical.h) or the
// underlying number.
//
// Avro to JSON (Decoder) checks the whole payload against the writer's schema before
// avro-c reads it (lengths within the message, union and enum indexes in range, no
// trailing bytes, bounded nesting, at most 4096 items more than the payload has bytes),
// so hostile bytes are refused with a reason and never reach an allocation of
// attacker-chosen size. Logical types come out in their
// text forms, decimals as strings of exact digits, NaN and infinities as the strings
// "NaN", "Infinity", "-Infinity".
#pragma once

#include <avro.h>
#include <simdjson.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/avro/schema.h"
#include "common/json/json.h"

namespace airstream::avro {

class Resolution;
struct ResolveStep;

// How union values are written to JSON.
enum class UnionStyle {
  kPlain,   // the branch's value alone
  kTagged,  // Avro's JSON encoding (kcat's output): {"string": "x"}, null stays null
};

class Encoder {
 public:
  Encoder();
  ~Encoder();
  Encoder(const Encoder&) = delete;
  Encoder& operator=(const Encoder&) = delete;

  // Appends the Avro binary encoding of json (one JSON value, any text) to out.
  // Returns "" or the reason it was refused (path first, when inside a record).
  std::string encode(const Schema& schema, std::string_view json, std::string& out);
  std::string encode(const Schema& schema, simdjson::dom::element json, std::string& out);
  // Fills v (an avro-c value of n's type) with a field default d, in Avro's JSON
  // encoding (a union's default is its first branch's). Returns "" or the reason.
  std::string encode_default(const Node& n, simdjson::dom::element d, avro_value_t* v);

 private:
  bool put(simdjson::dom::element j, const Node& n, avro_value_t* v);
  bool put_union(simdjson::dom::element j, const Node& n, avro_value_t* v);
  bool put_record(simdjson::dom::element j, const Node& n, avro_value_t* v);
  bool put_logical(simdjson::dom::element j, const Node& n, avro_value_t* v);
  bool fail(std::string reason);
  bool wrong_type(simdjson::dom::element j, const Node& n);
  avro_value_t* value_for(const Schema& schema);

  simdjson::dom::parser parser_;
  std::map<const Schema*, avro_value_t> values_;
  avro_writer_t writer_ = nullptr;
  std::string path_, error_, scratch_;
  int depth_ = 0;
  bool in_default_ = false;
};

class Decoder {
 public:
  Decoder();
  ~Decoder();
  Decoder(const Decoder&) = delete;
  Decoder& operator=(const Decoder&) = delete;

  // Appends the JSON text of payload (Avro binary written with schema) to out.
  // Returns "" or the reason the payload cannot be decoded (out then unchanged).
  std::string decode(const Schema& schema, std::string_view payload, std::string& out,
                     UnionStyle style = UnionStyle::kPlain);
  // The same for a payload written with resolution.writer(), written out in the shape
  // of resolution.reader() (common/avro/resolve.h): also refused when the data cannot
  // be read as the reader's (an enum symbol or union branch it lacks...).
  std::string decode(const Resolution& resolution, std::string_view payload, std::string& out,
                     UnionStyle style = UnionStyle::kPlain);
  // Appends the JSON text of v, an avro-c value of n's type. Returns "" or the reason.
  std::string to_json(const Node& n, avro_value_t* v, UnionStyle style, std::string& out);

 private:
  // Checks payload against schema and reads it into v (valid until the next call).
  std::string read(const Schema& schema, std::string_view payload, avro_value_t*& v);
  bool check(const Node& n, const char*& p, const char* end, int depth);
  bool emit(const Node& n, avro_value_t* v, std::string& out);
  void emit_integer(const Node& n, int64_t x, std::string& out);
  // Resolved decoding (decode_resolved.cc).
  bool emit_resolved(const ResolveStep& s, avro_value_t* v, std::string& out);
  // An array's items or a map's entries of v as JSON, each item by emit_item(child).
  template <class EmitItem>
  bool emit_items(avro_value_t* v, bool map, std::string& out, EmitItem&& emit_item);
  bool emit_promoted(const ResolveStep& s, avro_value_t* v, std::string& out);
  bool refuse_at(const std::string& field);  // prepends field to error_path_
  avro_value_t* value_for(const Schema& schema);

  std::map<const Schema*, avro_value_t> values_;
  avro_reader_t reader_ = nullptr;
  UnionStyle style_ = UnionStyle::kPlain;
  std::string error_;
  std::string error_path_;  // where error_ arose (resolved decoding), "" at the top
  int64_t items_left_ = 0;  // array and map items the payload may still hold
};

template <class EmitItem>
bool Decoder::emit_items(avro_value_t* v, bool map, std::string& out, EmitItem&& emit_item) {
  size_t size = 0;
  avro_value_get_size(v, &size);
  out.push_back(map ? '{' : '[');
  for (size_t k = 0; k < size; k++) {
    avro_value_t child;
    const char* key = nullptr;
    avro_value_get_by_index(v, k, &child, map ? &key : nullptr);
    if (k) out.push_back(',');
    if (map) {
      std::string_view ks(key ? key : "");
      if (!is_valid_utf8(ks)) {
        error_ = "map key is not valid UTF-8";
        return false;
      }
      append_json_string(out, ks);
      out.push_back(':');
    }
    if (!emit_item(&child)) return false;
  }
  out.push_back(map ? '}' : ']');
  return true;
}

}  // namespace airstream::avro
