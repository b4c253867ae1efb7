// PartitionMetrics: each update reads the current assignment, the consumer positions
// (rd_kafka_position) and the end offsets librdkafka caches from fetch responses
// (rd_kafka_get_watermark_offsets: no broker round trip), and the oldest pending
// record of every tracked partition; readiness is "the group gave us a member id".
// A partition assigned with nothing consumed yet has no position: its lag counts from
// the group's committed offset (rd_kafka_committed, once per assignment, group
// consumers only), not from the low watermark, so that a member given a partition the
// previous owner read to its end says lag 0, not the whole partition.
#include "common/kafka/partition_metrics.h"

#include <algorithm>

#include "common/kafka/conf.h"

namespace airstream {

void PartitionMetrics::export_to(Stats& stats, bool readiness) {
  stats_ = &stats;
  readiness_ = readiness;
  auto self = shared_from_this();
  stats.gauge_family(
      "partition_lag",
      [self] {
        std::vector<LabelledValue> out;
        for (const auto& p : self->partitions())
          out.push_back({prom_labels({{"topic", p.topic}, {"partition", std::to_string(p.partition)}}),
                         static_cast<double>(p.lag)});
        return out;
      },
      "Messages after the committed offset (or the position before the first commit, or the group's committed offset "
      "before the first record) of each assigned partition");
  stats.gauge(
      "lag", [self] { return static_cast<double>(self->total_lag()); },
      "Sum of partition_lag over the assigned partitions");
  stats.gauge(
      "oldest_unacked_age_seconds", [self] { return self->oldest_unacked_age_seconds(); },
      "Seconds since the oldest record not yet stored, written or rejected was received (0: none waits)");
}

void PartitionMetrics::update(rd_kafka_t* rk, const OffsetTracker& tracker, std::chrono::steady_clock::time_point now,
                              bool force) {
  if (rk == nullptr || (!force && now < next_)) return;
  next_ = now + std::chrono::seconds(1);
  if (readiness_ && stats_ != nullptr && !stats_->ready()) {
    char* id = rd_kafka_memberid(rk);
    if (id != nullptr) {
      if (*id != '\0') stats_->set_ready(true);
      rd_kafka_mem_free(rk, id);
    }
  }
  std::vector<Partition> parts;
  rd_kafka_topic_partition_list_t* list = nullptr;
  if (rd_kafka_assignment(rk, &list) == RD_KAFKA_RESP_ERR_NO_ERROR && list != nullptr) {
    rd_kafka_position(rk, list);
    std::map<Key, int64_t> start;
    std::vector<Key> unknown;  // nothing consumed nor committed here yet
    for (int i = 0; i < list->cnt; i++) {
      const auto& e = list->elems[i];
      Key key{e.topic, e.partition};
      const PartitionOffsets* po = tracker.find(e.topic, e.partition);
      bool known = e.offset >= 0 || (po != nullptr && po->committed() >= 0);
      auto it = group_start_.find(key);
      if (it != group_start_.end()) {
        start.insert(*it);
      } else if (!known) {
        unknown.push_back(key);
      }
    }
    if (readiness_ && !unknown.empty() && now >= next_query_) {
      if (!query_group_start(rk, unknown, start)) next_query_ = now + std::chrono::seconds(5);
    }
    group_start_ = std::move(start);  // forgets the partitions no longer assigned
    for (int i = 0; i < list->cnt; i++) {
      const auto& e = list->elems[i];
      Partition p{e.topic, e.partition, -1, -1, e.offset >= 0 ? e.offset : -1, 0};
      int64_t lo = -1, hi = -1;
      if (rd_kafka_get_watermark_offsets(rk, e.topic, e.partition, &lo, &hi) == RD_KAFKA_RESP_ERR_NO_ERROR) p.end = hi;
      const PartitionOffsets* po = tracker.find(p.topic, p.partition);
      if (po != nullptr && po->committed() >= 0) p.committed = po->committed();
      int64_t from = p.committed >= 0 ? p.committed : p.position >= 0 ? p.position : -1;
      if (from < 0) {
        auto it = group_start_.find({p.topic, p.partition});
        from = it != group_start_.end() && it->second >= 0 ? it->second : lo;
      }
      if (p.end >= 0 && from >= 0 && p.end > from) p.lag = p.end - from;
      parts.push_back(std::move(p));
    }
    rd_kafka_topic_partition_list_destroy(list);
  }
  int64_t oldest = -1;
  tracker.for_each([&](const std::string&, int32_t, const PartitionOffsets& po) {
    int64_t since = po.oldest_pending_since_ms();
    if (since >= 0 && (oldest < 0 || since < oldest)) oldest = since;
  });
  std::lock_guard<std::mutex> lock(mu_);
  parts_ = std::move(parts);
  oldest_since_ms_ = oldest;
}

bool PartitionMetrics::query_group_start(rd_kafka_t* rk, const std::vector<Key>& keys, std::map<Key, int64_t>& start) {
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(keys.size())));
  for (const auto& [topic, partition] : keys) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition);
  if (rd_kafka_committed(rk, list.get(), static_cast<int>(kCommittedTimeout.count())) != RD_KAFKA_RESP_ERR_NO_ERROR)
    return false;
  for (int i = 0; i < list->cnt; i++) {
    const auto& e = list->elems[i];
    if (e.err == RD_KAFKA_RESP_ERR_NO_ERROR) start[{e.topic, e.partition}] = e.offset >= 0 ? e.offset : -1;
  }
  return true;
}

std::vector<PartitionMetrics::Partition> PartitionMetrics::partitions() const {
  std::lock_guard<std::mutex> lock(mu_);
  return parts_;
}

int64_t PartitionMetrics::total_lag() const {
  std::lock_guard<std::mutex> lock(mu_);
  int64_t n = 0;
  for (const auto& p : parts_) n += p.lag;
  return n;
}

double PartitionMetrics::oldest_unacked_age_seconds() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (oldest_since_ms_ < 0) return 0;
  return static_cast<double>(std::max<int64_t>(0, monotonic_ms() - oldest_since_ms_)) / 1000.0;
}

}  // namespace airstream
