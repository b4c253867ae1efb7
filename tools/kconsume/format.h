// kconsume's output records: the message value alone (it must be valid JSON; it is
// compacted onto one line when it spans several) or the envelope, one JSON object per
// message with topic, partition, offset, timestamp, key, headers and value (the format
// kproduce --envelope reads back; see the project brief and kconsume(1)).
#pragma once

#include <librdkafka/rdkafka.h>
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "common/avro/message.h"
#include "common/json/record.h"
#include "common/status.h"

namespace airstream::kconsume {

enum class BinaryMode { kReject, kBase64 };

struct FormatOptions {
  bool envelope = false;
  BinaryMode binary = BinaryMode::kReject;
  std::string format;  // -f: kcat's format string (escapes already decoded); "" = JSON
  // Registry Avro (-s value=avro, --value-format avro...): decoded to JSON first.
  bool avro_value = false, avro_key = false;
  avro::UnionStyle avro_unions = avro::UnionStyle::kPlain;
  avro::ReaderSchema avro_reader{};  // values (--reader-schema); keys: their writer's
  std::shared_ptr<avro::RegistryClient> registry = nullptr;
  bool wants_headers() const { return envelope || format.find("%h") != std::string::npos; }
};

// Decodes kcat's escapes in a -f string: \n \r \t \\ and \xXX (hex); other
// backslashes stay as they are.
std::string decode_format_escapes(std::string_view text);

// What the formatter needs of a message (a view on an rd_kafka_message_t).
struct MessageView {
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp = -1;
  rd_kafka_timestamp_type_t timestamp_type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  const char* key = nullptr;  // nullptr: no key
  size_t key_len = 0;
  const char* value = nullptr;  // nullptr: tombstone
  size_t value_len = 0;
  rd_kafka_headers_t* headers = nullptr;  // nullptr: none
};

// Fills a view from a consumed message (headers are parsed lazily by librdkafka).
MessageView view_of(rd_kafka_message_t* msg, bool want_headers);

class Formatter {
 public:
  explicit Formatter(FormatOptions options) : opt_(options), avro_(opt_.registry, opt_.avro_unions, opt_.avro_reader) {}

  // Appends the record and its '\n' to out and returns true; or leaves out as it was,
  // sets error to the reason (naming the field) and returns false.
  bool append(const MessageView& m, std::string& out, std::string& error);

  // After append() returned false: not ok when the cause is no fault of the message
  // (the schema registry is unreachable), so the tool must stop instead of rejecting.
  const Status& fatal() const { return fatal_; }

 private:
  bool append_value_only(const MessageView& m, std::string& out, std::string& error);
  bool append_envelope(const MessageView& m, std::string& out, std::string& error);
  // -f: the format string with kcat's tokens (%s %S %R %k %K %T %h %t %p %o %%),
  // the message bytes as they are (no JSON check, as kcat).
  void append_format(const MessageView& m, std::string& out);
  // True if [data, len) is one valid JSON value; error gets the reason otherwise.
  // data must be followed by simdjson::SIMDJSON_PADDING readable bytes.
  bool parse_padded(const char* data, size_t len, std::string& error);
  // The same for any buffer: checks a padded copy (kept in padded_).
  bool valid_json(const char* data, size_t len, std::string& error);
  // Appends valid JSON text, compacted to one line if it holds line breaks.
  void append_json_text(std::string& out, const char* data, size_t len);
  // Appends the value held in padded_ compacted to one line.
  void append_compacted(std::string& out, const char* data, size_t len);

  // Decodes a Confluent-framed Avro key or value of m into key_json_/value_json_ and
  // points m at them; false with error (or fatal_) when it cannot.
  bool decode_avro(MessageView& m, std::string& error);
  // topic: a value read as the reader schema; "" a key, read with its writer's.
  bool decode_one(const char* data, size_t len, std::string_view topic, std::string& json, uint32_t& id,
                  std::string& error);

  FormatOptions opt_;
  Status fatal_;
  avro::MessageDecoder avro_;
  std::string key_json_, value_json_;
  int64_t key_schema_id_ = -1, value_schema_id_ = -1;
  // --binary base64 with the envelope: a key or value that does not decode is kept as
  // its raw bytes (key_base64/value_base64) with the reason (key_error/value_error).
  std::string key_error_, value_error_;
  RecordValidator validator_;
  std::string padded_;
};

}  // namespace airstream::kconsume
