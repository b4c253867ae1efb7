// Formatting of consumed Kafka messages as NDJSON records. JSON validity is the record
// grammar every tool accepts (common/json/record.h: the whole value, any number
// magnitude), checked on a padded copy of the payload; a valid value that spans several
// lines is compacted with simdjson::minify so that one message stays one line.
// Envelope member order and encodings follow the airstream envelope format: "value"
// raw when JSON, else "value_string" when UTF-8, else "value_base64" (--binary
// base64); "key" string / "key_base64" / null; headers as [name, value] pairs with
// null for a NULL value and {"base64":...} for a non-UTF-8 value.
#include "format.h"

#include <charconv>
#include <cstring>

#include "common/big_endian.h"
#include "common/json/json.h"
#include "common/json/record.h"

namespace airstream::kconsume {
namespace {

bool has_line_break(const char* data, size_t len) {
  return memchr(data, '\n', len) != nullptr || memchr(data, '\r', len) != nullptr;
}

void append_int(std::string& out, int64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

const char* timestamp_type_name(rd_kafka_timestamp_type_t t) {
  switch (t) {
    case RD_KAFKA_TIMESTAMP_CREATE_TIME:
      return "create";
    case RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME:
      return "log_append";
    default:
      return "none";
  }
}

}  // namespace

MessageView view_of(rd_kafka_message_t* msg, bool want_headers) {
  MessageView m;
  m.topic = rd_kafka_topic_name(msg->rkt);
  m.partition = msg->partition;
  m.offset = msg->offset;
  m.timestamp = rd_kafka_message_timestamp(msg, &m.timestamp_type);
  m.key = static_cast<const char*>(msg->key);
  m.key_len = msg->key_len;
  m.value = static_cast<const char*>(msg->payload);
  m.value_len = msg->len;
  if (want_headers) {
    rd_kafka_headers_t* h = nullptr;
    if (rd_kafka_message_headers(msg, &h) == RD_KAFKA_RESP_ERR_NO_ERROR) m.headers = h;
  }
  return m;
}

bool Formatter::decode_one(const char* data, size_t len, std::string_view topic, std::string& json, uint32_t& id,
                           std::string& error) {
  json.clear();
  std::string_view message(data, len);
  auto outcome = topic.empty() ? avro_.decode(message, json) : avro_.decode_value(message, topic, json);
  id = avro_.schema_id();
  if (outcome == avro::MessageDecoder::Outcome::kOk) return true;
  if (outcome == avro::MessageDecoder::Outcome::kFatal) fatal_ = avro_.status();
  error = std::string(topic.empty() ? "key" : "value") + ": " + avro_.reason();
  return false;
}

bool Formatter::decode_avro(MessageView& m, std::string& error) {
  key_schema_id_ = value_schema_id_ = -1;
  key_error_.clear();
  value_error_.clear();
  // With --binary base64 the envelope keeps what does not decode as raw bytes.
  bool keep_raw = opt_.envelope && opt_.binary == BinaryMode::kBase64;
  // The key (topic "") or the value: decoded JSON in place of the bytes, or kept.
  auto one = [&](const char*& data, size_t& len, std::string_view topic, std::string& json, int64_t& schema_id,
                 std::string& kept) {
    uint32_t id = 0;
    if (decode_one(data, len, topic, json, id, error)) {
      schema_id = id;
      data = json.data();
      len = json.size();
      return true;
    }
    if (!keep_raw || !fatal_.ok()) return false;
    kept = avro_.reason();
    return true;
  };
  if (opt_.avro_key && m.key != nullptr && !one(m.key, m.key_len, {}, key_json_, key_schema_id_, key_error_))
    return false;
  if (opt_.avro_value && m.value != nullptr &&
      !one(m.value, m.value_len, m.topic, value_json_, value_schema_id_, value_error_))
    return false;
  error.clear();
  return true;
}

bool Formatter::append(const MessageView& message, std::string& out, std::string& error) {
  size_t mark = out.size();
  MessageView m = message;
  if ((opt_.avro_key || opt_.avro_value) && !decode_avro(m, error)) return false;
  if (!opt_.format.empty()) {
    append_format(m, out);
    return true;
  }
  bool ok = opt_.envelope ? append_envelope(m, out, error) : append_value_only(m, out, error);
  if (!ok) out.resize(mark);
  return ok;
}

std::string decode_format_escapes(std::string_view t) {
  std::string out;
  for (size_t i = 0; i < t.size(); i++) {
    if (t[i] != '\\' || i + 1 == t.size()) {
      out += t[i];
      continue;
    }
    char c = t[++i];
    if (c == 'n') {
      out += '\n';
    } else if (c == 'r') {
      out += '\r';
    } else if (c == 't') {
      out += '\t';
    } else if (c == '\\') {
      out += '\\';
    } else if (c == 'x' && i + 2 < t.size() && isxdigit(static_cast<unsigned char>(t[i + 1])) &&
               isxdigit(static_cast<unsigned char>(t[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(t.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += '\\';
      out += c;
    }
  }
  return out;
}

void Formatter::append_format(const MessageView& m, std::string& out) {
  const std::string& f = opt_.format;
  for (size_t i = 0; i < f.size(); i++) {
    if (f[i] != '%' || i + 1 == f.size()) {
      out += f[i];
      continue;
    }
    switch (f[++i]) {
      case 's':
        if (m.value != nullptr) out.append(m.value, m.value_len);
        break;
      case 'S':
        out += m.value != nullptr ? std::to_string(m.value_len) : "-1";
        break;
      case 'R': {
        put_i32(out, m.value != nullptr ? static_cast<int32_t>(m.value_len) : -1);
        break;
      }
      case 'k':
        if (m.key != nullptr) out.append(m.key, m.key_len);
        break;
      case 'K':
        out += m.key != nullptr ? std::to_string(m.key_len) : "-1";
        break;
      case 'T':
        out += std::to_string(m.timestamp);
        break;
      case 't':
        out.append(m.topic);
        break;
      case 'p':
        out += std::to_string(m.partition);
        break;
      case 'o':
        out += std::to_string(m.offset);
        break;
      case 'h': {
        const char* name;
        const void* val;
        size_t size;
        for (size_t h = 0; m.headers != nullptr &&
                           rd_kafka_header_get_all(m.headers, h, &name, &val, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
             h++) {
          if (h > 0) out += ',';
          out += name;
          out += '=';
          if (val != nullptr) out.append(static_cast<const char*>(val), size);
        }
        break;
      }
      case '%':
        out += '%';
        break;
      default:
        out += '%';
        out += f[i];
    }
  }
}

bool Formatter::parse_padded(const char* data, size_t len, std::string& error) {
  std::string err = validator_.check(std::string_view(data, len));
  if (!err.empty()) {
    error = "value: not valid JSON (" + err + ")";
    return false;
  }
  return true;
}

bool Formatter::valid_json(const char* data, size_t len, std::string& error) {
  if (padded_.size() < len + simdjson::SIMDJSON_PADDING) padded_.resize(len + simdjson::SIMDJSON_PADDING);
  memcpy(padded_.data(), data, len);
  memset(padded_.data() + len, 0, simdjson::SIMDJSON_PADDING);
  return parse_padded(padded_.data(), len, error);
}

void Formatter::append_json_text(std::string& out, const char* data, size_t len) {
  if (has_line_break(data, len)) {
    append_compacted(out, data, len);  // padded_ holds this value: valid_json ran first
  } else {
    out.append(data, len);
  }
}

void Formatter::append_compacted(std::string& out, const char* data, size_t len) {
  size_t mark = out.size();
  out.resize(mark + len + simdjson::SIMDJSON_PADDING);
  size_t n = 0;
  if (simdjson::minify(padded_.data(), len, out.data() + mark, n) != simdjson::SUCCESS) {
    out.resize(mark);
    out.append(data, len);  // cannot happen for validated JSON; keep the bytes
    return;
  }
  out.resize(mark + n);
}

bool Formatter::append_value_only(const MessageView& m, std::string& out, std::string& error) {
  if (m.value == nullptr) {
    error = "value: null (tombstone), not a JSON record";
    return false;
  }
  if (m.value_len == 0) {
    error = "value: empty, not a JSON record";
    return false;
  }
  // Copied once, into the output buffer, and validated there (with simdjson's padding
  // after it while it is parsed).
  size_t mark = out.size();
  out.append(m.value, m.value_len);
  out.append(simdjson::SIMDJSON_PADDING, '\0');
  bool ok = parse_padded(out.data() + mark, m.value_len, error);
  out.resize(mark + m.value_len);
  if (!ok) return false;
  if (has_line_break(out.data() + mark, m.value_len)) {  // rare: compact it to one line
    padded_.assign(out, mark, m.value_len);
    padded_.append(simdjson::SIMDJSON_PADDING, '\0');
    out.resize(mark);
    append_compacted(out, m.value, m.value_len);
  }
  out.push_back('\n');
  return true;
}

bool Formatter::append_envelope(const MessageView& m, std::string& out, std::string& error) {
  out.append("{\"topic\":");
  append_json_string(out, m.topic);
  out.append(",\"partition\":");
  append_int(out, m.partition);
  out.append(",\"offset\":");
  append_int(out, m.offset);
  out.append(",\"timestamp\":");
  if (m.timestamp_type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || m.timestamp < 0) {
    out.append("null");
  } else {
    append_int(out, m.timestamp);
  }
  out.append(",\"timestamp_type\":\"");
  out.append(timestamp_type_name(m.timestamp_type));
  out.append("\",");

  if (!key_error_.empty()) {  // Avro that does not decode, kept (--binary base64)
    out.append("\"key_base64\":\"");
    out.append(base64_encode(std::string_view(m.key, m.key_len)));
    out.append("\",\"key_error\":");
    append_json_string(out, key_error_);
  } else if (key_schema_id_ >= 0) {
    out.append("\"key_schema_id\":");
    append_int(out, key_schema_id_);
    out.append(",\"key\":");
    out.append(m.key, m.key_len);  // the JSON the Avro key decoded to
  } else if (m.key == nullptr) {
    out.append("\"key\":null");
  } else if (std::string_view key(m.key, m.key_len); is_valid_utf8(key)) {
    out.append("\"key\":");
    append_json_string(out, key);
  } else if (opt_.binary == BinaryMode::kBase64) {
    out.append("\"key_base64\":\"");
    out.append(base64_encode(key));
    out.push_back('"');
  } else {
    error = "key: not valid UTF-8 (use --binary base64)";
    return false;
  }

  out.append(",\"headers\":[");
  if (m.headers != nullptr) {
    const char* name = nullptr;
    const void* val = nullptr;
    size_t size = 0;
    for (size_t i = 0; rd_kafka_header_get_all(m.headers, i, &name, &val, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; i++) {
      std::string_view n(name);
      if (!is_valid_utf8(n)) {
        error = "headers: a header name is not valid UTF-8";
        return false;
      }
      if (i > 0) out.push_back(',');
      out.push_back('[');
      append_json_string(out, n);
      out.push_back(',');
      if (val == nullptr) {
        out.append("null");
      } else if (std::string_view v(static_cast<const char*>(val), size); is_valid_utf8(v)) {
        append_json_string(out, v);
      } else {
        out.append("{\"base64\":\"");
        out.append(base64_encode(v));
        out.append("\"}");
      }
      out.push_back(']');
    }
  }
  out.push_back(']');

  if (value_schema_id_ >= 0) {
    out.append(",\"value_schema_id\":");
    append_int(out, value_schema_id_);
  }
  if (!value_error_.empty()) {  // Avro that does not decode, kept (--binary base64)
    out.append(",\"value_base64\":\"");
    out.append(base64_encode(std::string_view(m.value, m.value_len)));
    out.append("\",\"value_error\":");
    append_json_string(out, value_error_);
  } else if (m.value != nullptr) {
    std::string_view value(m.value, m.value_len);
    std::string json_error;
    if (m.value_len > 0 && valid_json(m.value, m.value_len, json_error)) {
      out.append(",\"value\":");
      append_json_text(out, m.value, m.value_len);
    } else if (is_valid_utf8(value)) {
      out.append(",\"value_string\":");
      append_json_string(out, value);
    } else if (opt_.binary == BinaryMode::kBase64) {
      out.append(",\"value_base64\":\"");
      out.append(base64_encode(value));
      out.push_back('"');
    } else {
      error = "value: neither JSON nor valid UTF-8 (use --binary base64)";
      return false;
    }
  }
  out.append("}\n");
  return true;
}

}  // namespace airstream::kconsume
