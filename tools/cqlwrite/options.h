// cqlwrite's command line: connection (hosts, TLS, authentication, protocol), target
// table (keyspace, table, creation, column mapping) and write path (consistency, TTL,
// concurrency, batching, retries) options, the direct Kafka input (--from-kafka with
// its group, brokers and commit settings), and the resolution of the password from
// CQL_PASSWORD, --password-file or ~/.cassandra/cqlshrc.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "common/cql/session.h"
#include "common/kafka/envelope_input.h"
#include "common/kafka/source.h"
#include "common/status.h"

namespace airstream::cqlwrite {

// Direct Kafka input (--from-kafka ...): see KafkaSinkOptions; envelopes from a pipe
// (--envelope, --acks FIFO): see EnvelopeOptions.
struct Options : KafkaSinkOptions, EnvelopeOptions {
  std::string hosts = "127.0.0.1:9042";
  std::string keyspace, table;
  bool create = false;
  std::string replication = "{'class': 'SimpleStrategy', 'replication_factor': 1}";
  std::string schema;
  std::vector<std::string> maps;  // column=field
  bool strict = false;
  int64_t ttl = 0;
  std::string consistency = "LOCAL_QUORUM";
  int concurrency = 256;
  int batch_rows = 0;
  int retries = 10;
  std::string username, password_file;
  bool ssl = false;
  std::string cacert, cert, key;
  bool no_hostname_verify = false;
  std::string local_dc;
  int protocol_version = 0;
  std::string compression = "none";
  int connections = 2;
  std::string timeout = "12s";
  std::string connect_timeout = "5s";
  std::string schema_timeout = "30s";
  std::vector<std::string> inputs;
};

void add_options(CLI::App& app, Options& o);

// Builds the session options (password lookup included). Usage/config errors: 64/78.
Result<cql::SessionOptions> session_options(const Options& o);

// Reads the [authentication] section of a cqlshrc file (username/password keys).
bool read_cqlshrc(const std::string& path, std::string& username, std::string& password);

}  // namespace airstream::cqlwrite
