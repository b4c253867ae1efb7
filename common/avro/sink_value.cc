// A sink's Kafka message value to its JSON record (see sink_value.h): the checks a
// LineReader makes on an NDJSON line (length, UTF-8), and for registry Avro the
// decoding through MessageDecoder into a padded buffer the JSON parsers can read.
#include "common/avro/sink_value.h"

#include "common/json/json.h"

namespace airstream::avro {

namespace {
constexpr std::string_view kTooLong = "record too long (more than --max-line bytes)";
}

Status SinkValueDecoder::open(const ConsumeFormat& format, const ReaderOptions& limits) {
  limits_ = limits;
  if (!format.avro_value) return Status::Ok();
  auto client = RegistryClient::create(format.registry);
  if (!client.ok()) return client.status();
  avro_ = std::make_unique<MessageDecoder>(std::move(*client), format.unions, format.reader);
  return Status::Ok();
}

SinkValueDecoder::Outcome SinkValueDecoder::decode(std::string_view value, std::string_view topic,
                                                   std::string_view& text, std::string_view& error) {
  text = value;
  error = {};
  if (value.size() > limits_.max_line) {
    text = value.substr(0, 4096);
    error = kTooLong;
    return Outcome::kBad;
  }
  if (!avro_) {
    if (limits_.validate_utf8 && !is_valid_utf8(value)) {
      error = "invalid UTF-8";
      return Outcome::kBad;
    }
    return Outcome::kRecord;
  }
  if (!avro_->status().ok()) return Outcome::kFatal;  // the registry failed before: stop for good
  json_.clear();
  switch (avro_->decode_value(value, topic, json_)) {
    case MessageDecoder::Outcome::kOk:
      break;
    case MessageDecoder::Outcome::kBad:
      error = avro_->reason();
      return Outcome::kBad;
    case MessageDecoder::Outcome::kFatal:
      error = avro_->reason();
      return Outcome::kFatal;
  }
  if (json_.size() > limits_.max_line) {
    text = value.substr(0, 4096);
    error = kTooLong;
    return Outcome::kBad;
  }
  size_t n = json_.size();
  json_.append(kJsonPadding, '\0');
  text = std::string_view(json_).substr(0, n);
  return Outcome::kRecord;
}

}  // namespace airstream::avro
