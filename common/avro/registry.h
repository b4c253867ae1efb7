// A client for the Confluent Schema Registry REST API subset producers and consumers
// need: GET /schemas/ids/{id} (cached, unknown ids too, in a bounded cache), GET
// /subjects/{subject}/versions/latest and POST /subjects/{subject}/versions (register,
// or look up the id of an identical schema). Basic auth and a CA file for TLS.
// Outages (connection refused, timeouts, 5xx, 429) are retried with exponential
// backoff; what still fails ends in 69 (unreachable) or 75 (answers with errors).
// Not thread-safe: one client per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "common/avro/schema.h"
#include "common/status.h"

namespace airstream::avro {

struct RegistryOptions {
  std::string url;             // http(s)://host:port[/prefix]
  std::string user, password;  // basic auth when user is not empty
  std::string ca_file;
  std::chrono::milliseconds timeout{10000};  // per request
  int attempts = 5;                          // tries per request before giving up
  std::chrono::milliseconds backoff{200};    // first wait, doubled each retry (max 5 s)
  size_t max_cached = 1000;                  // schemas (and unknown ids) kept by id; the least recently used go first
};

struct RegisteredSchema {
  uint32_t id = 0;
  std::shared_ptr<const Schema> schema;
};

struct CurlApi;  // registry.cc

class RegistryClient {
 public:
  static Result<std::unique_ptr<RegistryClient>> create(const RegistryOptions& options);
  ~RegistryClient();

  // The schema with this id. An id the registry does not know is kExitDataErr (the
  // message is bad, not the service); a schema that does not parse is too.
  Result<std::shared_ptr<const Schema>> schema_by_id(uint32_t id);
  // The subject's latest version. An unknown subject is kExitConfig.
  Result<RegisteredSchema> latest(const std::string& subject);
  // The same, nullopt when the registry has no such subject.
  Result<std::optional<RegisteredSchema>> find_latest(const std::string& subject);
  // Registers schema (JSON text) under subject (a no-op returning the existing id if
  // it is already registered). Incompatible or invalid schemas are kExitConfig.
  Result<RegisteredSchema> register_schema(const std::string& subject, const std::string& schema_text);

  // Requests sent (tests and --stats).
  uint64_t requests() const { return requests_; }
  // Schemas (and unknown ids) cached: at most options.max_cached.
  size_t cached() const { return by_id_.size(); }

 private:
  RegistryClient() = default;
  struct Response {
    long status = 0;
    std::string body;
  };
  // Sends with retries; Ok with the response (any 2xx or 4xx), or the failure.
  Status request(const std::string& method, const std::string& path, const std::string& body, Response& r);

  RegistryOptions options_;
  const CurlApi* api_ = nullptr;  // libcurl, loaded at the first create()
  void* curl_ = nullptr;
  void* headers_ = nullptr;
  // Remembers the answer for id (bounded: evicts the least recently used entry).
  const Result<std::shared_ptr<const Schema>>& remember(uint32_t id, Result<std::shared_ptr<const Schema>> r);

  struct Cached {
    Result<std::shared_ptr<const Schema>> schema;
    uint64_t used = 0;
  };
  std::map<uint32_t, Cached> by_id_;
  uint64_t tick_ = 0;
  uint64_t requests_ = 0;
};

// The default subject names (TopicNameStrategy): "<topic>-value", "<topic>-key".
inline std::string subject_for(const std::string& topic, bool key) {
  return topic + (key ? "-key" : "-value");
}

}  // namespace airstream::avro
