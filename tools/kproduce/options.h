// kproduce's command line: the options, their defaults and their checks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/avro/cli.h"
#include "common/cli.h"
#include "common/kafka/conf.h"
#include "common/status.h"

namespace kproduce {

struct ProduceOptions {
  airstream::CommonOptions common;
  airstream::KafkaOptions kafka;
  std::vector<std::string> inputs;       // files; empty or "-": stdin
  std::string topic;                     // -t
  std::string key_path;                  // -k
  std::optional<std::string> fixed_key;  // -K
  int32_t partition = -1;                // -p; -1: partitioner (or the envelope's partition)
  std::vector<std::string> headers;      // -H name=value
  bool envelope = false;
  std::string timeout = "60s";
  std::string transactional_id;
  int64_t txn_records = 0;  // 0: one transaction for the whole input
  bool create_topic = false;
  int partitions = 1;
  int replication_factor = -1;  // -1: min(3, brokers)
  bool tee = false;
  // Avro with a schema registry
  std::string value_format = "json";  // json | avro
  std::string key_format = "string";  // string | avro
  std::string schema_file, key_schema_file;
  int64_t schema_id = -1, key_schema_id = -1;
  std::string subject, key_subject;  // default: <topic>-value, <topic>-key
  airstream::avro::RegistryCliOptions registry;

  int64_t timeout_ms = 60000;  // derived from timeout
};

// Adds kproduce's options to the command line.
void add_options(airstream::Cli& cli, ProduceOptions& o);

// Checks combinations after parsing and derives fields (kExitUsage on error).
airstream::Status check_options(ProduceOptions& o);

// librdkafka defaults of kproduce (before -F/-X).
std::vector<std::pair<std::string, std::string>> producer_defaults(const ProduceOptions& o);

}  // namespace kproduce
