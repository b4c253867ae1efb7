// Builds Kafka messages from input lines. Plain mode: the whole line is the value,
// fully validated as one JSON record (common/json/record.h: the grammar every tool
// accepts; numbers of any magnitude are carried unchanged); the key comes from a
// dotted path of that record (-k, e.g. login.uuid) or is fixed (-K). Envelope mode (--envelope): the line is
// kconsume's envelope object, validated the same way, then read on demand: "topic",
// "partition", "timestamp", "key"/"key_base64", "headers" ([name, value] pairs, value
// null or {"base64":...} allowed) and exactly the raw bytes of "value" (or
// "value_string"/"value_base64"; none of them: a tombstone). "offset" and
// "timestamp_type" are ignored; unknown members are ignored too. With Avro
// (--value-format/--key-format avro) the record, or the -k field, is encoded with the
// registry schema and framed as Confluent's wire format; a record the schema refuses
// is rejected with the field path and reason. In envelope mode that is the envelope's
// "value" (or "value_string") and its "key" (any JSON value, as kconsume writes a
// decoded Avro key); raw bytes (*_base64) are refused there, never sent unencoded.
#include "message.h"

#include "common/avro/framing.h"
#include "common/json/json.h"
#include "common/json/record.h"

namespace kproduce {
namespace {

using simdjson::dom::element_type;
using simdjson::ondemand::json_type;

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

const char* dom_type_name(element_type t) {
  switch (t) {
    case element_type::ARRAY:
      return "array";
    case element_type::OBJECT:
      return "object";
    case element_type::NULL_VALUE:
      return "null";
    case element_type::BOOL:
      return "boolean";
    case element_type::STRING:
      return "string";
    default:
      return "number";
  }
}

const char* od_type_name(json_type t) {
  switch (t) {
    case json_type::array:
      return "array";
    case json_type::object:
      return "object";
    case json_type::null:
      return "null";
    case json_type::boolean:
      return "boolean";
    case json_type::string:
      return "string";
    default:
      return "number";
  }
}

}  // namespace

bool parse_header_option(std::string_view text, Header* out) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) return false;
  out->name = text.substr(0, eq);
  out->value = text.substr(eq + 1);
  out->is_null = false;
  return true;
}

std::string_view MessageBuilder::keep(std::string s) {
  scratch_.push_back(std::move(s));
  return scratch_.back();
}

std::string MessageBuilder::build(std::string_view text, OutMessage* out) {
  scratch_.clear();
  *out = OutMessage();
  std::string err = opt_.envelope ? build_envelope(text, out) : build_plain(text, out);
  if (!err.empty()) return err;
  if (opt_.fixed_key) {
    out->has_key = true;
    out->key = *opt_.fixed_key;
  }
  out->headers.insert(out->headers.end(), opt_.extra_headers.begin(), opt_.extra_headers.end());
  return "";
}

std::string MessageBuilder::encode_avro(const AvroTarget& target, simdjson::dom::element json, std::string_view& out) {
  std::string framed;
  airstream::avro::put_frame_header(framed, target.id);
  if (std::string err = avro_.encode(*target.schema, json, framed); !err.empty()) return "Avro: " + err;
  out = keep(std::move(framed));
  return "";
}

std::string MessageBuilder::build_plain(std::string_view text, OutMessage* out) {
  if (std::string err = validator_.check(text); !err.empty()) return err;
  out->value = text;
  if ((opt_.avro_value.schema || opt_.avro_key.schema) && !validator_.has_root())
    return "Avro: a number is out of range for every Avro number type";
  if (opt_.avro_value.schema) {
    if (std::string err = encode_avro(opt_.avro_value, validator_.root(), out->value); !err.empty()) return err;
  }
  if (opt_.key_path.empty()) return "";
  if (validator_.has_root()) return key_from_dom(validator_.root(), out);
  return key_from_ondemand(text, out);
}

// For a record the DOM could not hold (a number beyond double/int64 range somewhere):
// the key is read on demand, a number key as its exact token.
std::string MessageBuilder::key_from_ondemand(std::string_view text, OutMessage* out) {
  simdjson::ondemand::document doc;
  simdjson::ondemand::value v;
  if (ondemand_.iterate(text.data(), text.size(), text.size() + simdjson::SIMDJSON_PADDING).get(doc) ||
      airstream::find_path(doc, opt_.key_path).get(v))
    return opt_.key_path + ": key field missing";
  json_type t;
  if (v.type().get(t)) return opt_.key_path + ": key field missing";
  switch (t) {
    case json_type::string:
      if (v.get_string().get(out->key)) return opt_.key_path + ": key field missing";
      break;
    case json_type::number:
    case json_type::boolean:
      out->key = trim_right(v.raw_json_token());
      break;
    default:
      return opt_.key_path + ": key must be a string, number or boolean, got " + od_type_name(t);
  }
  out->has_key = true;
  return "";
}

std::string MessageBuilder::key_from_dom(simdjson::dom::element root, OutMessage* out) {
  simdjson::dom::element cur = root;
  std::string_view path = opt_.key_path;
  std::string_view done;
  while (!path.empty()) {
    size_t dot = path.find('.');
    std::string_view step = path.substr(0, dot);
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
    simdjson::dom::element next;
    bool found = false;
    if (cur.type() == element_type::OBJECT) {
      found = !cur.get_object().value_unsafe().at_key(step).get(next);
    } else if (cur.type() == element_type::ARRAY && !step.empty() &&
               step.find_first_not_of("0123456789") == std::string_view::npos) {
      found = !cur.get_array().value_unsafe().at(std::stoul(std::string(step))).get(next);
    }
    if (!found) return opt_.key_path + ": key field missing";
    cur = next;
    done = step;
  }
  if (opt_.avro_key.schema) {
    out->has_key = true;
    std::string err = encode_avro(opt_.avro_key, cur, out->key);
    return err.empty() ? err : "key " + opt_.key_path + ": " + err;
  }
  switch (cur.type()) {
    case element_type::STRING:
      out->key = cur.get_string().value_unsafe();
      break;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
    case element_type::BOOL:
      out->key = keep(simdjson::minify(cur));
      break;
    default:
      return opt_.key_path + ": key must be a string, number or boolean, got " + dom_type_name(cur.type());
  }
  out->has_key = true;
  return "";
}

std::string MessageBuilder::build_envelope(std::string_view text, OutMessage* out) {
  if (std::string err = validator_.check(text); !err.empty()) return err;
  if (validator_.has_root() && validator_.root().type() != element_type::OBJECT) return "envelope: expected an object";
  simdjson::ondemand::document doc;
  if (auto ec = ondemand_.iterate(text.data(), text.size(), text.size() + simdjson::SIMDJSON_PADDING).get(doc))
    return airstream::json_error_message(ec);
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj)) return "envelope: expected an object";
  out->has_value = false;
  bool seen_value = false;
  std::string_view value_member, key_member;  // which members gave them (for Avro)
  for (auto field : obj) {
    std::string_view name;
    simdjson::ondemand::value v;
    if (field.unescaped_key().get(name) || field.value().get(v)) return "envelope: malformed member";
    json_type t;
    if (v.type().get(t)) return "envelope: malformed member";
    auto wrong = [&](const char* want) {
      return "envelope: " + std::string(name) + ": expected " + want + ", got " + od_type_name(t);
    };
    if (name == "topic") {
      if (t != json_type::string || v.get_string().get(out->topic)) return wrong("string");
    } else if (name == "partition") {
      int64_t p = 0;
      if (t == json_type::null) continue;
      if (t != json_type::number || v.get_int64().get(p) || p < -1 || p > INT32_MAX) return wrong("partition number");
      out->partition = static_cast<int32_t>(p);
    } else if (name == "timestamp") {
      if (t == json_type::null) continue;
      if (t != json_type::number || v.get_int64().get(out->timestamp) || out->timestamp < 0)
        return wrong("milliseconds since the epoch");
    } else if (name == "key") {
      if (t == json_type::null) continue;
      key_member = "key";
      if (opt_.avro_key.schema) {  // any JSON value: encoded below
        out->has_key = true;
        continue;
      }
      if (t != json_type::string || v.get_string().get(out->key)) return wrong("string or null");
      out->has_key = true;
    } else if (name == "key_base64" || name == "value_base64") {
      std::string_view b64;
      std::string decoded;
      if (t != json_type::string || v.get_string().get(b64)) return wrong("base64 string");
      if (!airstream::base64_decode(b64, decoded)) return "envelope: " + std::string(name) + ": invalid base64";
      bool is_key = name == "key_base64";
      (is_key ? key_member : value_member) = "_base64";
      if (!is_key && seen_value) return "envelope: more than one of value, value_string, value_base64";
      (is_key ? out->key : out->value) = keep(std::move(decoded));
      (is_key ? out->has_key : out->has_value) = true;
      if (!is_key) seen_value = true;
    } else if (name == "value" || name == "value_string") {
      if (seen_value) return "envelope: more than one of value, value_string, value_base64";
      seen_value = true;
      out->has_value = true;
      value_member = name == "value" ? "value" : "value_string";
      if (name == "value_string") {
        if (t != json_type::string || v.get_string().get(out->value)) return wrong("string");
        continue;
      }
      // Raw JSON: exactly the value's bytes (raw_json includes the whitespace after it).
      if (t == json_type::object) {
        simdjson::ondemand::object o;
        if (v.get_object().get(o) || o.raw_json().get(out->value)) return "envelope: value: malformed object";
      } else if (t == json_type::array) {
        simdjson::ondemand::array a;
        if (v.get_array().get(a) || a.raw_json().get(out->value)) return "envelope: value: malformed array";
      } else {
        out->value = v.raw_json_token();
      }
      out->value = trim_right(out->value);
    } else if (name == "headers") {
      if (t == json_type::null) continue;
      simdjson::ondemand::array arr;
      if (t != json_type::array || v.get_array().get(arr)) return wrong("array of [name, value] pairs");
      for (auto item : arr) {
        simdjson::ondemand::array pair;
        if (item.get_array().get(pair)) return "envelope: headers: expected [name, value] pairs";
        Header h;
        int n = 0;
        for (auto part : pair) {
          json_type pt;
          if (part.type().get(pt)) return "envelope: headers: malformed pair";
          if (n == 0) {
            if (pt != json_type::string || part.get_string().get(h.name))
              return "envelope: headers: name must be a string";
          } else if (n == 1) {
            if (pt == json_type::null) {
              h.is_null = true;
            } else if (pt == json_type::string) {
              if (part.get_string().get(h.value)) return "envelope: headers: bad value";
            } else if (pt == json_type::object) {
              std::string_view b64;
              std::string decoded;
              if (part.find_field("base64").get_string().get(b64) || !airstream::base64_decode(b64, decoded))
                return "envelope: headers: value must be a string, null or {\"base64\":...}";
              h.value = keep(std::move(decoded));
            } else {
              return "envelope: headers: value must be a string, null or {\"base64\":...}";
            }
          }
          n++;
        }
        if (n != 2) return "envelope: headers: expected [name, value] pairs";
        out->headers.push_back(h);
      }
    }
  }
  return envelope_avro(value_member, key_member, out);
}

std::string MessageBuilder::envelope_avro(std::string_view value_member, std::string_view key_member, OutMessage* out) {
  bool value = opt_.avro_value.schema && out->has_value, key = opt_.avro_key.schema && out->has_key;
  if (!value && !key) return "";
  if (!validator_.has_root()) return "Avro: a number is out of range for every Avro number type";
  simdjson::dom::object env = validator_.root().get_object().value_unsafe();
  simdjson::dom::element member;
  if (value) {
    if (value_member == "_base64")
      return "envelope: value_base64 holds raw bytes, which --value-format avro does not send (give the record as "
             "value)";
    if (env[value_member].get(member)) return "envelope: " + std::string(value_member) + ": malformed";
    if (std::string err = encode_avro(opt_.avro_value, member, out->value); !err.empty()) return err;
  }
  if (key) {
    if (key_member == "_base64")
      return "envelope: key_base64 holds raw bytes, which --key-format avro does not send (give the key as key)";
    if (env["key"].get(member)) return "envelope: key: malformed";
    if (std::string err = encode_avro(opt_.avro_key, member, out->key); !err.empty()) return "key: " + err;
  }
  return "";
}

}  // namespace kproduce
