// Turning one input line into one Kafka message: the plain NDJSON mode (the line is
// the value, validated as JSON; key from a dotted path or a fixed string) and the
// --envelope mode (kconsume's envelope: topic, partition, timestamp, key, headers,
// value). Library code: errors are returned as reject reasons, never printed.
#pragma once

#include <librdkafka/rdkafka.h>
#include <simdjson.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/avro/codec.h"
#include "common/json/record.h"

namespace kproduce {

struct Header {
  std::string_view name;
  std::string_view value;
  bool is_null = false;
};

// One message ready for rd_kafka_producev. The views point into the input line, the
// builder's parser or its scratch storage: valid until the next build().
struct OutMessage {
  std::string_view topic;  // empty: the default topic (-t)
  int32_t partition = RD_KAFKA_PARTITION_UA;
  bool has_value = true;  // false: tombstone (NULL value)
  std::string_view value;
  bool has_key = false;
  std::string_view key;
  int64_t timestamp = 0;  // 0: set by the producer
  std::vector<Header> headers;
};

// A registry schema that values or keys are encoded with (Confluent framing).
struct AvroTarget {
  std::shared_ptr<const airstream::avro::Schema> schema;  // null: not Avro
  uint32_t id = 0;
};

struct BuildOptions {
  AvroTarget avro_value;  // --value-format avro
  AvroTarget avro_key;    // --key-format avro (the -k field's value, or the envelope's key)
  bool envelope = false;
  std::string key_path;                  // -k: dotted path of the key field
  std::optional<std::string> fixed_key;  // -K
  std::vector<Header> extra_headers;     // -H name=value (views into the options)
};

// Parses "name=value" (-H); returns false when there is no '='.
bool parse_header_option(std::string_view text, Header* out);

class MessageBuilder {
 public:
  explicit MessageBuilder(BuildOptions options) : opt_(std::move(options)) {}

  // Fills out from one record (text padded with simdjson::SIMDJSON_PADDING readable
  // bytes). Returns "" on success, else the reject reason (e.g. "invalid JSON (bad
  // number)", "login.uuid: key field missing").
  std::string build(std::string_view text, OutMessage* out);

 private:
  std::string build_plain(std::string_view text, OutMessage* out);
  std::string build_envelope(std::string_view text, OutMessage* out);
  // --value-format/--key-format avro on an envelope: its value and key encoded.
  std::string envelope_avro(std::string_view value_member, std::string_view key_member, OutMessage* out);
  std::string key_from_dom(simdjson::dom::element root, OutMessage* out);
  std::string key_from_ondemand(std::string_view text, OutMessage* out);
  std::string_view keep(std::string s);
  // Confluent-framed Avro of json with target's schema, kept in scratch; "" or the reason.
  std::string encode_avro(const AvroTarget& target, simdjson::dom::element json, std::string_view& out);

  BuildOptions opt_;
  airstream::RecordValidator validator_;
  simdjson::ondemand::parser ondemand_;
  std::deque<std::string> scratch_;
  airstream::avro::Encoder avro_;  // decoded base64 etc. (deque: stable addresses)
};

}  // namespace kproduce
