// pgload --from-kafka: records come from a Kafka consumer group (common/kafka/source.h)
// instead of NDJSON files. Each row carries its partition (and topic) in RowMeta::tag
// and its Kafka offset in RowMeta::offset; the offsets of a batch's rows are
// acknowledged to the source only from Loader's on_batch_done, i.e. once the batch's
// transaction committed (or its rows were rejected and reported), so a partition's
// committed offset never passes a row that is not in the table.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/avro/sink_value.h"
#include "common/kafka/source.h"
#include "loader.h"
#include "options.h"

namespace airstream::pgload {

// One record handed to the loader, from a file or from Kafka.
struct InputRecord {
  uint64_t line = 0, offset = 0, tag = 0;
  std::string_view text;  // followed by kJsonPadding readable bytes
  std::string_view error;
  bool filtered = false;  // left out by --where: done, nothing to load
};

class KafkaInput {
 public:
  // Opens the consumer (usage errors: 64; configuration: 78); its per-partition lag
  // and oldest-unacknowledged age go to `metrics`. limits: records refused before
  // parsing (too long, not UTF-8).
  Status open(const PgloadOptions& o, const ReaderOptions& limits, PartitionMetrics* metrics);

  enum class Next { kRecord, kIdle, kEnd, kError };
  // The next record: the message value, or registry Avro decoded to JSON
  // (avro::SinkValueDecoder); rec.text is valid until the next call. kError: the
  // consumer failed, or the schema registry cannot be reached (the message is not
  // acknowledged).
  Next next(InputRecord& rec);
  const Status& status() const { return values_.status().ok() ? src_.status() : values_.status(); }

  // "topic":..,"partition":.. of a row (for its reject record).
  std::string reject_context(uint64_t tag);
  // The rows of a settled batch: every one is stored or rejected and reported.
  void ack(const std::vector<RowMeta>& rows);
  // Called when partitions are revoked, before waiting for their rows in flight.
  void set_flush_hook(std::function<void()> flush) { src_.set_flush_hook(std::move(flush)); }
  // Final commit and leave the group.
  Status close() { return src_.close(); }
  uint64_t committed_records() const { return src_.committed_records(); }

 private:
  uint32_t topic_id(const std::string& name);
  const std::string& topic_name(uint32_t id);

  KafkaSource src_;
  KafkaRecord kr_;
  avro::SinkValueDecoder values_;
  std::mutex mu_;
  std::deque<std::string> topics_;  // never moves its elements on push_back
};

// -X dump: prints the consumer configuration --from-kafka would use.
int dump_kafka_conf(const PgloadOptions& o);

}  // namespace airstream::pgload
