// kconsume's envelope records as the later stages of a pipe read and write them
// (uxform --envelope, cqlwrite/pgload --envelope): the position of a Kafka message
// (topic, partition, offset) and its payload, or a position-only marker for a record
// a stage dropped or rejected ("skip"), so that its offset can be acknowledged too.
//   {"topic":"t","partition":0,"offset":42,...,"value":{...}}   a record
//   {"topic":"t","partition":0,"offset":43,"skip":"filtered"}    a marker
// An envelope without "value" (a tombstone, or "value_string"/"value_base64" for a
// message that is not JSON) has no record to store. Library code: errors are returned.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace airstream {

struct EnvelopeView {
  enum Kind {
    kValue,   // value: the payload's raw JSON text
    kSkip,    // a marker: skip holds why ("filtered", "rejected")
    kNoJson,  // no JSON payload: reason holds why
  };
  Kind kind = kValue;
  std::string_view topic;  // valid until the next parse
  int32_t partition = 0;
  int64_t offset = 0;
  std::string_view value;  // kValue: a view into the parsed line
  std::string_view skip;
  std::string_view reason;
};

class EnvelopeParser {
 public:
  // Parses one envelope line (followed by simdjson::SIMDJSON_PADDING readable bytes).
  // Returns "" or the reason the line is not an envelope (its position is unknown).
  std::string parse(std::string_view line, EnvelopeView& out);

 private:
  simdjson::ondemand::parser parser_;
};

// Appends {"topic":..,"partition":..,"offset":.. (no closing brace).
void append_envelope_position(std::string& out, std::string_view topic, int32_t partition, int64_t offset);
// Appends a whole marker line: position, "skip":WHY, '}' and '\n'.
void append_envelope_marker(std::string& out, std::string_view topic, int32_t partition, int64_t offset,
                            std::string_view why);

}  // namespace airstream
