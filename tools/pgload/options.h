// pgload's command-line options (beyond the common ones) and their validation.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <utility>
#include <vector>

#include "common/avro/cli.h"
#include "common/kafka/envelope_input.h"
#include "common/kafka/source.h"
#include "common/status.h"
#include "common/transform/mapping.h"

namespace airstream::pgload {

// Direct Kafka input (--from-kafka ...): see KafkaSinkOptions, with registry Avro
// values (-s value=avro): see avro::ConsumeFormatCli; envelopes from a pipe
// (--envelope, --acks FIFO): see EnvelopeOptions.
struct PgloadOptions : KafkaSinkOptions, EnvelopeOptions {
  std::string conninfo;           // -d: libpq connection string or URI ("" = PG* environment)
  std::string host, port, user;   // -h, -p, -U as psql's; folded into conninfo by validate_options
  std::string table;              // -t [schema.]table
  std::vector<std::string> maps;  // col=field
  bool strict = false;
  bool create = false;
  std::string schema;  // column definitions for --create
  int64_t infer_rows = 1000;
  std::string jsonb;  // column that takes the whole record
  std::string mode = "append";
  std::vector<std::string> keys;
  std::string on_conflict = "update";
  int64_t batch_rows = 50000;
  std::string batch_bytes = "16MiB";
  std::string batch_timeout = "1s";
  std::string jobs = "auto";    // connections loading in parallel
  std::string format = "auto";  // COPY format: auto, text or binary
  std::vector<std::string> inputs;
  transform::MappingOptions transform;  // --preset, --set, --where, ...: applied before --map
  avro::ConsumeFormatCli values;        // --from-kafka: -s value=avro, --registry ...

  // Derived by validate().
  std::vector<std::pair<std::string, std::string>> map_pairs;  // (column, field path)
  uint64_t batch_bytes_value = 0;
  int64_t batch_timeout_ms = 1000;
  int jobs_value = 1;
  avro::ConsumeFormat value_format;
};

void add_pgload_options(CLI::App& app, PgloadOptions& o);
// Checks combinations and fills the derived fields (usage errors: exit 64).
Status validate_options(PgloadOptions& o);

}  // namespace airstream::pgload
