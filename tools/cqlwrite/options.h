// cqlwrite's command line: connection (hosts, TLS, authentication, protocol), target
// table (keyspace, table, creation, column mapping) and write path (consistency, TTL,
// concurrency, batching, retries) options, the direct Kafka input (--from-kafka with
// its group, brokers and commit settings), and the resolution of the password from
// CQL_PASSWORD, --password-file or ~/.cassandra/cqlshrc.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "common/avro/cli.h"
#include "common/cql/session.h"
#include "common/kafka/envelope_input.h"
#include "common/kafka/source.h"
#include "common/status.h"
#include "common/transform/mapping.h"

namespace airstream::cqlwrite {

// librdkafka's prefetch queue with --from-kafka (-X queued.max.messages.kbytes wins):
// 16 MiB, where pgload keeps 8. With 8, the direct path waited for fetches: 1M raw
// users in bench/direct.sh took 7.7-8.7 s, 7.0-7.3 s with 16 (peak RSS 55 -> 70 MB).
inline constexpr int kPrefetchKbytes = 16384;

// Direct Kafka input (--from-kafka ...): see KafkaSinkOptions, with registry Avro
// values (-s value=avro): see avro::ConsumeFormatCli; envelopes from a pipe
// (--envelope, --acks FIFO): see EnvelopeOptions.
struct Options : KafkaSinkOptions, EnvelopeOptions {
  std::string hosts;  // empty: cqlshrc's [connection] hostname and port, else 127.0.0.1:9042
  std::string keyspace, table;
  bool create = false;
  std::string replication = "{'class': 'SimpleStrategy', 'replication_factor': 1}";
  std::string schema;
  std::vector<std::string> maps;  // column=field
  bool strict = false;
  std::string timestamp_field;  // write timestamps from this field (else the clock)
  int64_t ttl = 0;              // seconds; --ttl takes a duration (parse_ttl)
  std::string consistency = "LOCAL_QUORUM";
  int concurrency = 256;
  int batch_rows = 0;
  int retries = 10;
  int max_frame_mb = 16;  // Cassandra's native_transport_max_frame_size
  std::string username, password_file;
  std::string cqlshrc;  // empty: ~/.cassandra/cqlshrc if it exists
  bool ssl = false;
  std::string cacert, cert, key;
  bool no_hostname_verify = false;
  std::string ssl_verify = "full";  // full | chain
  std::string local_dc;
  int protocol_version = 0;
  std::string compression = "none";
  int connections = 2;
  std::string timeout = "12s";
  std::string connect_timeout = "5s";
  std::string schema_timeout = "30s";
  std::vector<std::string> inputs;
  transform::MappingOptions transform;  // --preset, --set, --where, ...: applied before --map
  avro::ConsumeFormatCli values;        // --from-kafka: -s value=avro, --registry ...
  avro::ConsumeFormat value_format;     // derived by run()
};

void add_options(CLI::App& app, Options& o);

// Builds the session options (password lookup included). Usage/config errors: 64/78.
Result<cql::SessionOptions> session_options(const Options& o);

// What cqlwrite takes from cqlsh's cqlshrc, as cqlsh reads it: [connection] hostname,
// port, ssl; [ssl] certfile (CA), validate, usercert, userkey; [authentication]
// username, password. Other sections and keys are cqlsh's own and are skipped.
struct Cqlshrc {
  std::string hostname;
  int port = 0;
  bool ssl = false;
  bool validate = true;
  std::string certfile, usercert, userkey;
  std::string username, password;
  bool has_password = false;
};
Result<Cqlshrc> read_cqlshrc(const std::string& path);

// --ttl: a duration ("90s", "1h", "7d"; a bare number is seconds) in whole seconds,
// at most Cassandra's limit of 20 years (630720000 s). Usage errors: 64.
Result<int64_t> parse_ttl(std::string_view text);

}  // namespace airstream::cqlwrite
