// Consumer metrics per assigned partition, for every group or Kafka-mode process
// (kconsume, cqlwrite/pgload --from-kafka): the lag (end offset minus the committed
// offset, or minus the consumer position before the first commit, or minus the
// group's committed offset before the first record: what kafka-consumer-groups calls
// LAG), the age of the oldest record received and not yet
// acknowledged (stored, written out or rejected), and readiness (the consumer has
// joined its group). update() runs in the polling thread, at most once a second
// unless forced; the exported gauges read a snapshot under a mutex, from any thread.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/kafka/offsets.h"
#include "common/stats.h"

namespace airstream {

class PartitionMetrics : public std::enable_shared_from_this<PartitionMetrics> {
 public:
  // Held by shared_ptr: the exported gauges keep it alive as long as `stats` lives.
  static std::shared_ptr<PartitionMetrics> create() { return std::make_shared<PartitionMetrics>(); }

  struct Partition {
    std::string topic;
    int32_t partition;
    int64_t end;        // high watermark, -1 unknown
    int64_t committed;  // -1: nothing committed in this run
    int64_t position;   // -1: unknown
    int64_t lag;
  };

  // Registers partition_lag{topic,partition}, lag and oldest_unacked_age_seconds in
  // `stats`; readiness follows has_joined() when `readiness` (group consumers).
  void export_to(Stats& stats, bool readiness);

  void update(rd_kafka_t* rk, const OffsetTracker& tracker, std::chrono::steady_clock::time_point now,
              bool force = false);

  std::vector<Partition> partitions() const;
  int64_t total_lag() const;
  double oldest_unacked_age_seconds() const;

 private:
  using Key = std::pair<std::string, int32_t>;
  // How long update() waits for the group's committed offsets of partitions that
  // neither handed out a record nor committed here yet (asked once per assignment).
  static constexpr std::chrono::milliseconds kCommittedTimeout{500};
  // Adds the group's committed offsets of `keys` (-1: none) to `start`; false when the
  // group could not be asked (no coordinator, a timeout): asked again 5 s later.
  static bool query_group_start(rd_kafka_t* rk, const std::vector<Key>& keys, std::map<Key, int64_t>& start);

  std::map<Key, int64_t> group_start_;  // polling thread only (group consumers)
  std::chrono::steady_clock::time_point next_query_{};
  mutable std::mutex mu_;
  std::vector<Partition> parts_;
  int64_t oldest_since_ms_ = -1;
  Stats* stats_ = nullptr;
  bool readiness_ = false;
  std::chrono::steady_clock::time_point next_;
};

}  // namespace airstream
