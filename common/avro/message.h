// One Kafka message value (or key) in Confluent's schema-registry Avro framing
// (common/avro/framing.h) to JSON text: the writer's schema is fetched by id from the
// registry (RegistryClient, bounded cache) and the payload decoded against it
// (Decoder). This is the one place where kconsume and the sinks (cqlwrite and pgload
// --from-kafka) turn registry Avro into the JSON record they work on.
//
// What is wrong with the message (not framed, a schema id the registry does not know,
// a payload that does not decode) is kBad with a reason: the caller rejects the
// message and goes on. A registry that cannot be reached (after the client's retries
// with backoff) is kFatal: the caller stops, with status()'s exit code (69 or 75).
// Not thread-safe: one decoder (and registry client) per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/avro/codec.h"
#include "common/avro/registry.h"
#include "common/status.h"

namespace airstream::avro {

class MessageDecoder {
 public:
  explicit MessageDecoder(std::shared_ptr<RegistryClient> registry, UnionStyle unions = UnionStyle::kPlain)
      : registry_(std::move(registry)), unions_(unions) {}

  enum class Outcome { kOk, kBad, kFatal };
  // Appends the JSON text of message to out (out is unchanged unless kOk).
  Outcome decode(std::string_view message, std::string& out);

  // The schema id of the last message (kOk, or kBad past the header).
  uint32_t schema_id() const { return id_; }
  // kBad: why the message cannot be decoded ("not schema-registry Avro (...)",
  // "schema id 7 is not in the registry", "Avro schema id 1: truncated ...").
  const std::string& reason() const { return reason_; }
  // kFatal: the registry failure (exit code 69 or 75).
  const Status& status() const { return status_; }
  RegistryClient& registry() { return *registry_; }

 private:
  std::shared_ptr<RegistryClient> registry_;
  UnionStyle unions_;
  Decoder decoder_;
  uint32_t id_ = 0;
  std::string reason_;
  Status status_;
};

}  // namespace airstream::avro
