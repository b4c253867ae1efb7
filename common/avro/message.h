// One Kafka message value (or key) in Confluent's schema-registry Avro framing
// (common/avro/framing.h) to JSON text: the writer's schema is fetched by id from the
// registry (RegistryClient, bounded cache) and the payload decoded against it
// (Decoder). This is the one place where kconsume and the sinks (cqlwrite and pgload
// --from-kafka) turn registry Avro into the JSON record they work on.
//
// Values can be read as another schema than their writer's (schema resolution,
// common/avro/resolve.h), the reader schema a consumer expects: the latest version of
// the topic's value subject (<topic>-value; fetched again whenever a message brings a
// schema id not seen on that topic, so a new version is picked up; a topic without
// such a subject is read with each writer's schema), or one fixed schema (a registry
// id or a .avsc file). A writer schema the reader cannot read is a reject naming both.
//
// What is wrong with the message (not framed, a schema id the registry does not know,
// a payload that does not decode) is kBad with a reason: the caller rejects the
// message and goes on. A registry that cannot be reached (after the client's retries
// with backoff) is kFatal: the caller stops, with status()'s exit code (69 or 75).
// Not thread-safe: one decoder (and registry client) per thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "common/avro/codec.h"
#include "common/avro/registry.h"
#include "common/avro/resolve.h"
#include "common/status.h"

namespace airstream::avro {

// The schema message values are read as.
struct ReaderSchema {
  enum class Mode { kWriter, kLatest, kFixed };
  Mode mode = Mode::kWriter;
  std::shared_ptr<const Schema> schema;  // kFixed: from a file, or null and id
  int64_t id = -1;                       // kFixed: a registry schema id
  std::string name;                      // kFixed: how messages name it ("FILE", "schema id 7")
};

class MessageDecoder {
 public:
  explicit MessageDecoder(std::shared_ptr<RegistryClient> registry, UnionStyle unions = UnionStyle::kPlain,
                          ReaderSchema reader = {})
      : registry_(std::move(registry)), unions_(unions), reader_(std::move(reader)) {}

  enum class Outcome { kOk, kBad, kFatal };
  // Appends the JSON text of message to out (out is unchanged unless kOk), read with
  // the writer's schema.
  Outcome decode(std::string_view message, std::string& out);
  // The same for a message value of topic, read as the reader schema.
  Outcome decode_value(std::string_view message, std::string_view topic, std::string& out);

  // The schema id of the last message (kOk, or kBad past the header).
  uint32_t schema_id() const { return id_; }
  // kBad: why the message cannot be decoded ("not schema-registry Avro (...)",
  // "schema id 7 is not in the registry", "Avro schema id 1: truncated ...").
  const std::string& reason() const { return reason_; }
  // kFatal: the registry failure (exit code 69 or 75).
  const Status& status() const { return status_; }
  RegistryClient& registry() { return *registry_; }

 private:
  // Splits message and fetches its writer's schema (id_); kOk, or reason_/status_.
  Outcome writer_of(std::string_view message, std::shared_ptr<const Schema>& writer, std::string_view& payload);
  // The reader schema for topic (null: the writer's), with name; false: status_ set.
  bool reader_for(std::string_view topic, uint32_t writer_id, std::shared_ptr<const Schema>& reader, std::string& name);

  struct Latest {                          // a topic's value subject
    std::shared_ptr<const Schema> schema;  // null: no such subject
    uint32_t id = 0;
    std::set<uint32_t> seen;  // writer ids seen since it was fetched
  };
  struct Plan {  // a writer/reader pair
    std::shared_ptr<const Schema> writer, reader;
    std::shared_ptr<const Resolution> resolution;  // null: the same schema, or refused
    std::string refused;
  };

  std::shared_ptr<RegistryClient> registry_;
  UnionStyle unions_;
  ReaderSchema reader_;
  std::map<std::string, Latest, std::less<>> latest_;
  std::map<std::pair<const Schema*, const Schema*>, Plan> plans_;
  Decoder decoder_;
  uint32_t id_ = 0;
  std::string reason_;
  Status status_;
};

}  // namespace airstream::avro
