// A CQL session over a cluster: protocol version negotiation (highest first, one step
// down when the server answers with a protocol error), topology from system.local and
// system.peers (system.peers_v2 on v5), a pool of connections to every node (of the
// local data center when one is given), token-aware routing with Murmur3, and one
// event-loop thread that pipelines many requests per connection (stream ids),
// retries idempotent requests with exponential backoff on timeouts, Overloaded,
// Unavailable, Is_bootstrapping and lost connections, re-prepares on Unprepared, and
// reconnects failed nodes in the background while traffic goes elsewhere.
// Thread-safe submit(); callbacks run on the event-loop thread and must be quick.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/cql/connection.h"
#include "common/cql/protocol.h"
#include "common/status.h"

namespace airstream::cql {

struct SessionOptions {
  std::vector<std::string> contact_points;  // "host[:port]" ("[v6]:port" for IPv6)
  uint16_t default_port = 9042;
  int protocol_version = 0;  // 0: negotiate (5, then 4); 4 or 5: only that one
  bool lz4 = false;
  bool has_credentials = false;
  std::string username, password;
  TlsOptions tls;
  int connections_per_host = 2;
  int max_streams_per_connection = 1024;
  std::string local_dc;  // non-empty: only nodes of this data center are used
  bool discover_peers = true;
  int connect_timeout_ms = 5000;
  int request_timeout_ms = 12000;
  int max_retries = 10;
  int retry_base_ms = 50;
  int retry_max_ms = 5000;
  int reconnect_base_ms = 200;
  int reconnect_max_ms = 10000;
  // Told when a node cannot be used (connection, TLS verification or handshake
  // failure; each distinct reason once), when it is used again, and of cluster
  // events acted on. Called from any of the session's threads; must be quick.
  std::function<void(const std::string&)> on_notice;
  // Register for TOPOLOGY_CHANGE and STATUS_CHANGE events and act on them.
  bool events = true;
};

// A statement prepared on the cluster. The id may change after a re-prepare (only the
// event-loop thread touches it once submitted).
struct PreparedStatement {
  std::string query;
  Prepared meta;
};

// No client timestamp: the server stamps the write.
inline constexpr int64_t kNoTimestamp = INT64_MIN;

struct Request {
  uint8_t opcode = kOpQuery;
  std::shared_ptr<PreparedStatement> stmt;  // EXECUTE / BATCH
  // QUERY/PREPARE: the whole body. EXECUTE: the query parameters (put_query_params).
  // BATCH: the values of each statement (<n><value>...), concatenated.
  std::string body;
  std::vector<uint32_t> batch_ends;     // BATCH: end offset in body of each statement's values
  uint16_t consistency = kLocalQuorum;  // BATCH
  int64_t timestamp = kNoTimestamp;     // BATCH: the default timestamp (microseconds), if any
  bool has_token = false;
  int64_t token = 0;
  bool idempotent = false;
  int pin_host = -1;  // send only to this host (index in hosts())
};

struct Response {
  enum Kind { kOk, kServerError, kFailed };
  Kind kind = kOk;
  Frame frame;                     // kOk: the response (RESULT, READY...)
  CqlError error;                  // kServerError: the final server error
  std::string failure;             // kFailed: why (connection lost, timeout, no host up, closed)
  bool retries_exhausted = false;  // a retryable failure that ran out of retries
  bool no_node = false;            // kFailed: no node of the cluster could be reached for request_timeout_ms
  int attempts = 0;
  int host = -1;
  uint64_t latency_us = 0;  // of the last attempt
  bool ok() const { return kind == kOk; }
  std::string describe() const;
};
using Callback = std::function<void(Response&)>;

struct HostInfo {
  std::string address;
  uint16_t port = 0;
  std::string dc, rack;
  bool up = false;
  bool ignored = false;  // other data center
  uint64_t requests = 0;
};

struct SessionCounters {
  std::atomic<uint64_t> retries{0}, reprepares{0}, timeouts{0}, connection_errors{0}, reconnects{0};
};

class Session {
 public:
  // Contacts the cluster. kExitUnavailable when no contact point could be reached,
  // kExitConfig for authentication / TLS configuration problems.
  static Result<std::unique_ptr<Session>> connect(const SessionOptions& options);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  int version() const { return version_; }
  bool token_aware() const { return token_aware_; }
  std::vector<HostInfo> hosts() const;
  const SessionCounters& counters() const { return counters_; }

  void submit(Request request, Callback callback);
  // Synchronous helpers (never from a callback).
  Response run(Request request);
  Result<ResultMessage> query(std::string_view cql, uint16_t consistency = kOne, int pin_host = -1);
  // Prepares on every node that is up; the statement's metadata comes from the first.
  Result<std::shared_ptr<PreparedStatement>> prepare(std::string_view cql);
  // Waits until every node that is up reports the same schema_version.
  Status wait_schema_agreement(int timeout_ms);
  // Requests submitted and not completed yet.
  size_t in_flight() const { return outstanding_.load(); }

  // Exposed for tests: index of the ring's primary replica for a token.
  int primary_host_for(int64_t token) const;

  struct Impl;

 private:
  Session() = default;
  std::unique_ptr<Impl> impl_;
  int version_ = 4;
  bool token_aware_ = false;
  SessionCounters counters_;
  std::atomic<size_t> outstanding_{0};
};

// Splits "host[:port]" / "[v6addr]:port".
bool split_host_port(std::string_view text, uint16_t default_port, std::string& host, uint16_t& port);

}  // namespace airstream::cql
