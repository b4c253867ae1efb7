// Reading and writing the position part of kconsume's envelopes (see envelope.h) with
// simdjson's on-demand parser: one pass over the members, in any order; the payload
// ("value") is returned as its raw JSON text, not parsed further (the stage that uses
// it does that). Unknown members (timestamp, key, headers, ...) are skipped.
#include "common/kafka/envelope.h"

#include <charconv>
#include <climits>

#include "common/json/json.h"

namespace airstream {
namespace {

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

void append_int(std::string& out, int64_t v) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

}  // namespace

std::string EnvelopeParser::parse(std::string_view line, EnvelopeView& out) {
  using simdjson::ondemand::json_type;
  out = EnvelopeView{};
  simdjson::ondemand::document doc;
  if (auto ec = parser_.iterate(line.data(), line.size(), line.size() + simdjson::SIMDJSON_PADDING).get(doc))
    return "envelope: " + json_error_message(ec);
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj)) return "envelope: expected an object";
  bool topic = false, partition = false, offset = false, value = false;
  std::string_view no_value = "tombstone (no value)";
  for (auto field : obj) {
    std::string_view name;
    simdjson::ondemand::value v;
    if (field.unescaped_key().get(name) || field.value().get(v)) return "envelope: malformed member";
    json_type t;
    if (v.type().get(t)) return "envelope: malformed member";
    if (name == "topic") {
      if (t != json_type::string || v.get_string().get(out.topic)) return "envelope: topic: expected a string";
      topic = true;
    } else if (name == "partition") {
      int64_t p = 0;
      if (t != json_type::number || v.get_int64().get(p) || p < 0 || p > INT32_MAX)
        return "envelope: partition: expected a partition number";
      out.partition = static_cast<int32_t>(p);
      partition = true;
    } else if (name == "offset") {
      if (t != json_type::number || v.get_int64().get(out.offset) || out.offset < 0)
        return "envelope: offset: expected an offset";
      offset = true;
    } else if (name == "value") {
      if (t == json_type::object) {
        simdjson::ondemand::object o;
        if (v.get_object().get(o) || o.raw_json().get(out.value)) return "envelope: value: malformed object";
      } else if (t == json_type::array) {
        simdjson::ondemand::array a;
        if (v.get_array().get(a) || a.raw_json().get(out.value)) return "envelope: value: malformed array";
      } else {
        out.value = v.raw_json_token();
      }
      out.value = trim_right(out.value);
      value = true;
    } else if (name == "value_string") {
      no_value = "value is not JSON (value_string)";
    } else if (name == "value_base64") {
      no_value = "value is not JSON (value_base64)";
    } else if (name == "skip") {
      if (t != json_type::string || v.get_string().get(out.skip)) return "envelope: skip: expected a string";
      out.kind = EnvelopeView::kSkip;
    }
  }
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == simdjson::SUCCESS) return "envelope: trailing content after the object";
  if (!topic || !partition || !offset)
    return std::string("envelope: no ") + (!topic ? "topic" : !partition ? "partition" : "offset");
  if (out.kind == EnvelopeView::kSkip) {
    if (value) return "envelope: both value and skip";
    return "";
  }
  if (!value) {
    out.kind = EnvelopeView::kNoJson;
    out.reason = no_value;
  }
  return "";
}

void append_envelope_position(std::string& out, std::string_view topic, int32_t partition, int64_t offset) {
  out.append("{\"topic\":");
  append_json_string(out, topic);
  out.append(",\"partition\":");
  append_int(out, partition);
  out.append(",\"offset\":");
  append_int(out, offset);
}

void append_envelope_marker(std::string& out, std::string_view topic, int32_t partition, int64_t offset,
                            std::string_view why) {
  append_envelope_position(out, topic, partition, offset);
  out.append(",\"skip\":");
  append_json_string(out, why);
  out.append("}\n");
}

}  // namespace airstream
