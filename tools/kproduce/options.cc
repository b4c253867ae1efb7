// kproduce's command-line options (on the common Cli) and the librdkafka defaults
// that give its delivery guarantee: idempotence, acks=all, the Java client's
// murmur2 partitioning for keyed records, and a bounded local queue.
#include "options.h"

#include "common/units.h"
#include "message.h"

namespace kproduce {

void add_options(airstream::Cli& cli, ProduceOptions& o) {
  CLI::App& app = cli.app();
  cli.add_common(o.common, airstream::kAllOptions);
  // kproduce's default is what a Kafka message can hold (see run.cc), not 16MiB.
  if (CLI::Option* max_line = app.get_option_no_throw("--max-line"))
    max_line->default_str("what message.max.bytes allows");
  airstream::add_kafka_options(app, o.kafka);
  app.add_option("-t,--topic", o.topic, "Topic to produce to (with --envelope: overrides the envelope's)")
      ->type_name("TOPIC");
  app.add_option("-k,--key-path", o.key_path,
                 "Message key from this field of the record (dotted path, e.g. login.uuid)")
      ->type_name("PATH");
  app.add_option("-K,--key", o.fixed_key, "The same fixed key for every message")->type_name("STRING");
  app.add_option("-p,--partition", o.partition, "Produce to this partition (default: the partitioner's choice)")
      ->type_name("N")
      ->check(CLI::Range(-1, INT32_MAX));
  app.add_option("-H,--header", o.headers, "Add a header name=value to every message (repeatable)")
      ->type_name("NAME=VALUE")
      ->allow_extra_args(false);
  app.add_flag("--envelope", o.envelope,
               "Input lines are kconsume envelopes (topic, partition, timestamp, key, headers, value)");
  app.add_option("--timeout", o.timeout,
                 "Give up (exit 69) when the cluster is unreachable this long; also the delivery timeout")
      ->type_name("DURATION")
      ->capture_default_str();
  app.add_option("--transactional-id", o.transactional_id,
                 "Produce in transactions with this transactional.id (aborted on SIGINT/SIGTERM)")
      ->type_name("ID");
  app.add_option("--txn-records", o.txn_records, "Commit a transaction every N records (0: one for the whole input)")
      ->type_name("N")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_flag("--create-topic", o.create_topic, "Create the topic first (admin API) if it does not exist");
  app.add_option("--partitions", o.partitions, "Partitions of a topic created by --create-topic")
      ->type_name("N")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_option("--replication-factor", o.replication_factor,
                 "Replication factor of a created topic (default: min(3, brokers))")
      ->type_name("N")
      ->check(CLI::Range(1, 1000));
  app.add_flag("--tee", o.tee, "Write each record to stdout once its delivery is confirmed");
  app.add_option(
         "--value-format", o.value_format,
         "Message values: json (the record as is) or avro (encoded with the registry schema, Confluent framing)")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"json", "avro"}))
      ->capture_default_str();
  app.add_option("--key-format", o.key_format,
                 "Message keys: string (the -k field as text) or avro (the -k field, or the envelope's key, encoded)")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"string", "avro"}))
      ->capture_default_str();
  app.add_option("--schema", o.schema_file,
                 "Avro value schema (.avsc), registered under the subject (default: the subject's latest version)")
      ->type_name("FILE");
  app.add_option("--schema-id", o.schema_id, "Encode values with this registry schema id")
      ->type_name("ID")
      ->check(CLI::Range(int64_t{0}, int64_t{UINT32_MAX}));
  app.add_option("--subject", o.subject, "Registry subject of the value schema (default: TOPIC-value)")
      ->type_name("SUBJECT");
  app.add_option("--key-schema", o.key_schema_file,
                 "Avro key schema (.avsc) (default: the key subject's latest version)")
      ->type_name("FILE");
  app.add_option("--key-schema-id", o.key_schema_id, "Encode keys with this registry schema id")
      ->type_name("ID")
      ->check(CLI::Range(int64_t{0}, int64_t{UINT32_MAX}));
  app.add_option("--key-subject", o.key_subject, "Registry subject of the key schema (default: TOPIC-key)")
      ->type_name("SUBJECT");
  airstream::avro::add_registry_options(app, o.registry);
  app.add_option("inputs", o.inputs, "Input files (default: stdin; - for stdin)")->type_name("FILE");
}

airstream::Status check_options(ProduceOptions& o) {
  using airstream::kExitUsage;
  using airstream::Status;
  auto t = airstream::parse_duration(o.timeout);
  if (!t.ok()) return Status(kExitUsage, "--timeout: " + t.status().message());
  o.timeout_ms = t.value().count();
  if (o.timeout_ms < 1) return Status(kExitUsage, "--timeout must be positive");
  if (o.topic.empty() && !o.envelope) return Status(kExitUsage, "a topic is required (-t TOPIC)");
  if (o.create_topic && o.topic.empty()) return Status(kExitUsage, "--create-topic needs -t TOPIC");
  if (!o.key_path.empty() && o.fixed_key) return Status(kExitUsage, "-k and -K exclude each other");
  if (!o.key_path.empty() && o.envelope) return Status(kExitUsage, "-k does not apply to --envelope input (use -K)");
  for (const auto& h : o.headers) {
    Header parsed;
    if (!parse_header_option(h, &parsed)) return Status(kExitUsage, "-H " + h + ": expected name=value");
  }
  if (o.txn_records > 0 && o.transactional_id.empty())
    return Status(kExitUsage, "--txn-records needs --transactional-id");
  if (o.tee && !o.transactional_id.empty() && o.txn_records == 0)
    return Status(kExitUsage, "--tee with --transactional-id needs --txn-records N (records are held until commit)");
  bool avro_value = o.value_format == "avro", avro_key = o.key_format == "avro";
  // With --envelope the schema's subject comes from -t or --subject (each envelope's
  // own topic could need another schema).
  if (((avro_value && o.subject.empty()) || (avro_key && o.key_subject.empty())) && o.envelope && o.topic.empty())
    return Status(kExitUsage, "--envelope with Avro needs -t TOPIC or --subject/--key-subject (the registry subject)");
  if (avro_key && o.fixed_key)
    return Status(kExitUsage, "--key-format avro encodes the -k field or the envelope's key, not -K");
  if (avro_key && o.key_path.empty() && !o.envelope)
    return Status(kExitUsage, "--key-format avro needs -k PATH (the key field)");
  if (!avro_value && (!o.schema_file.empty() || o.schema_id >= 0 || !o.subject.empty()))
    return Status(kExitUsage, "--schema, --schema-id and --subject need --value-format avro");
  if (!avro_key && (!o.key_schema_file.empty() || o.key_schema_id >= 0 || !o.key_subject.empty()))
    return Status(kExitUsage, "--key-schema, --key-schema-id and --key-subject need --key-format avro");
  if (!o.schema_file.empty() && o.schema_id >= 0)
    return Status(kExitUsage, "--schema and --schema-id exclude each other");
  if (!o.key_schema_file.empty() && o.key_schema_id >= 0)
    return Status(kExitUsage, "--key-schema and --key-schema-id exclude each other");
  return Status::Ok();
}

std::vector<std::pair<std::string, std::string>> producer_defaults(const ProduceOptions& o) {
  std::vector<std::pair<std::string, std::string>> d = {
      {"enable.idempotence", "true"},
      {"acks", "all"},
      {"partitioner", "murmur2_random"},
      {"message.timeout.ms", std::to_string(o.timeout_ms)},
      // Bounded local queue: backpressure instead of unbounded memory.
      {"queue.buffering.max.messages", "100000"},
      {"queue.buffering.max.kbytes", "32768"},
      // Fuller batches: with idempotence (at most 5 requests in flight per broker)
      // throughput depends on batch size; 50 ms is invisible in a batch pipeline.
      {"linger.ms", "50"},
      {"batch.num.messages", "10000"},
      {"batch.size", "1000000"},
  };
  if (!o.transactional_id.empty()) {
    d.emplace_back("transactional.id", o.transactional_id);
    d.emplace_back("transaction.timeout.ms", std::to_string(std::max<int64_t>(o.timeout_ms, 60000)));
  }
  return d;
}

}  // namespace kproduce
