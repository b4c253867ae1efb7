// Registry Avro messages to JSON (see message.h): split the Confluent header, look the
// writer's schema up by id, decode the payload against it. A registry failure that is
// the message's fault (an unknown id, a schema that does not parse) is kExitDataErr
// in RegistryClient and a reject here; any other failure stops the caller.
#include "common/avro/message.h"

#include "common/avro/framing.h"

namespace airstream::avro {

MessageDecoder::Outcome MessageDecoder::decode(std::string_view message, std::string& out) {
  id_ = 0;
  std::string_view payload;
  if (std::string_view why = split_frame(message, id_, payload); !why.empty()) {
    reason_ = "not schema-registry Avro (" + std::string(why) + ")";
    return Outcome::kBad;
  }
  auto schema = registry_->schema_by_id(id_);
  if (!schema.ok()) {
    reason_ = schema.status().message();
    if (schema.status().exit_code() == kExitDataErr) return Outcome::kBad;
    status_ = schema.status();
    return Outcome::kFatal;
  }
  std::string e = decoder_.decode(**schema, payload, out, unions_);
  if (!e.empty()) {
    reason_ = "Avro schema id " + std::to_string(id_) + ": " + e;
    return Outcome::kBad;
  }
  return Outcome::kOk;
}

}  // namespace airstream::avro
