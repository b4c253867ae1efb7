// Where a Kafka message becomes the record a sink works on (cqlwrite and pgload
// --from-kafka): the message value as it is (JSON), or registry Avro (-s value=avro)
// decoded to JSON, by default as the latest schema of the topic's value subject
// (--reader-schema; see common/avro/message.h). The record then goes
// through the sink's transform and mapping like any NDJSON line.
//
// A value that cannot be a record is kBad, with the reason and the bytes to report:
// longer than --max-line (before or after decoding), not valid UTF-8 (JSON), not
// registry Avro, a schema id the registry does not know, a payload that does not
// decode. The sink rejects it (topic, partition, offset, reason) and it counts as
// done for commits. kFatal: the registry cannot be reached after the client's retries
// with backoff; the sink stops without acknowledging the message (exit 69 or 75).
// Every later call is kFatal too, and status() no longer changes.
// Memory is bounded: one record's JSON, and the registry client's bounded schema cache.
// Not thread-safe: one per thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "common/avro/cli.h"
#include "common/avro/message.h"
#include "common/json/ndjson_reader.h"
#include "common/status.h"

namespace airstream::avro {

class SinkValueDecoder {
 public:
  // Creates the registry client when the values are Avro (configuration errors: 78).
  Status open(const ConsumeFormat& format, const ReaderOptions& limits);

  enum class Outcome { kRecord, kBad, kFatal };
  // kRecord: text is the JSON record, followed by kJsonPadding readable bytes, valid
  // until the next call (value itself must be padded). kBad: error is the reason and
  // text the bytes to report (the first 4 KiB of a value too long). kFatal: status().
  Outcome decode(std::string_view value, std::string_view topic, std::string_view& text, std::string_view& error);
  const Status& status() const { return avro_ ? avro_->status() : ok_; }
  bool avro() const { return avro_ != nullptr; }

 private:
  ReaderOptions limits_;
  std::unique_ptr<MessageDecoder> avro_;
  std::string json_;
  Status ok_;
};

}  // namespace airstream::avro
