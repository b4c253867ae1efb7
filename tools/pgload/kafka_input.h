// pgload --from-kafka: records come from a Kafka consumer group (common/kafka/source.h)
// instead of NDJSON files. Each row carries its partition (and topic) in RowMeta::tag
// and its Kafka offset in RowMeta::offset; the offsets of a batch's rows are
// acknowledged to the source only from Loader's on_batch_done, i.e. once the batch's
// transaction committed (or its rows were rejected and reported), so a partition's
// committed offset never passes a row that is not in the table. Reading is pipelined
// (common/kafka/reader.h): Kafka is polled, and each record checked and transformed,
// on threads of their own; the caller's thread encodes and loads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/avro/sink_value.h"
#include "common/kafka/reader.h"
#include "common/kafka/source.h"
#include "common/transform/record_transform.h"
#include "loader.h"
#include "options.h"

namespace airstream::pgload {

// One record handed to the loader, from a file or from Kafka.
struct InputRecord {
  uint64_t line = 0, offset = 0, tag = 0;
  std::string_view text;  // followed by kJsonPadding readable bytes
  std::string_view error;
  bool filtered = false;  // left out by --where: done, nothing to load
  // text is known to be a valid record: the in-process transform wrote it
  // (RecordTransform::writes_valid_json). The encoder does not check its grammar again.
  bool valid_json = false;
};

class KafkaInput {
 public:
  // Opens the consumer (usage errors: 64; configuration: 78) and starts reading; its
  // per-partition lag and oldest-unacknowledged age go to `metrics`. Records longer
  // than max_line or (validate_utf8) not UTF-8 are refused before parsing; xform (if
  // not null) is applied to the others, on the reading thread.
  Status open(const PgloadOptions& o, PartitionMetrics* metrics, size_t max_line, bool validate_utf8,
              transform::RecordTransform* xform, std::atomic<uint64_t>* committed, std::atomic<uint64_t>* pauses);

  enum class Next { kRecord, kIdle, kEnd, kError };
  // The next record (transformed, or with its error, or filtered); valid until the
  // next call. kIdle: none for now, or a revocation waits for the rows in hand (hand
  // the open chunks to the jobs).
  // kError also when the schema registry cannot be reached (Avro values, see
  // avro::SinkValueDecoder): the message is not acknowledged.
  Next next(InputRecord& rec);
  // Called by next() before it may wait for records.
  void set_wait_hook(std::function<void()> hook) { wait_hook_ = std::move(hook); }
  // After kIdle: the source only waits for the rows in hand to end (KafkaSource::draining).
  bool draining() const { return src_.draining(); }
  const Status& status() const {
    return registry_down_.load(std::memory_order_acquire) ? values_.status() : reader_.status();
  }

  // "topic":..,"partition":.. of a row (for its reject record).
  std::string reject_context(uint64_t tag) { return reader_.reject_context(tag); }
  // The rows of a settled batch: every one is stored or rejected and reported.
  void ack(const std::vector<RowMeta>& rows);
  // Final commit and leave the group.
  Status close() {
    reader_.stop();
    return src_.close();
  }
  uint64_t committed_records() const { return src_.committed_records(); }

 private:
  KafkaSource src_;
  avro::SinkValueDecoder values_;  // the reader thread's (status() once registry_down_)
  std::atomic<bool> registry_down_{false};
  std::function<void()> wait_hook_;
  KafkaReader reader_{src_};
  ReadItem item_;
};

// -X dump: prints the consumer configuration --from-kafka would use.
int dump_kafka_conf(const PgloadOptions& o);

}  // namespace airstream::pgload
