// FetchWatch: positions (rd_kafka_position) against the high watermarks librdkafka
// caches from fetch responses (rd_kafka_get_watermark_offsets), and a ListOffsets
// request (rd_kafka_offsets_for_times with timestamp -1, "latest") to the leaders of
// partitions that may still be behind, whose only purpose is to wake their broker
// threads. The answer is not used. See fetch_watch.h for why.
#include "common/kafka/fetch_watch.h"

#include <algorithm>

#include "common/kafka/conf.h"

namespace airstream {

std::vector<FetchWatch::Partition> FetchWatch::idle(rd_kafka_t* rk, const std::vector<Partition>& parts,
                                                    Clock::time_point now) {
  std::vector<Partition> ends;
  if (rk == nullptr || parts.empty() || !due(now)) return ends;
  last_probe_ = now;
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(parts.size())));
  for (const auto& [topic, partition] : parts) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition);
  if (rd_kafka_position(rk, list.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) return ends;
  PartitionListPtr behind(rd_kafka_topic_partition_list_new(list->cnt));
  int64_t progress = 0;
  for (int i = 0; i < list->cnt; i++) {
    const auto& p = list->elems[i];
    int64_t lo = -1, hi = -1;
    bool fetched =
        rd_kafka_get_watermark_offsets(rk, p.topic, p.partition, &lo, &hi) == RD_KAFKA_RESP_ERR_NO_ERROR && hi >= 0;
    if (p.offset >= 0) progress += p.offset;
    // Not fetched yet: librdkafka is still starting the partition (its committed
    // offset, its leader), which a request here would only hold up.
    if (!fetched) continue;
    if (p.offset >= hi) {
      ends.emplace_back(p.topic, p.partition);
    } else if (p.offset < 0 && hi <= lo) {
      // Empty, and nothing consumed: librdkafka's own end-of-partition event decides.
    } else {
      // Behind its watermark, or fetched without a record handed out: that happens
      // to some of many partitions assigned at once, the queue full before their
      // records were taken, and their fetchers backed off.
      rd_kafka_topic_partition_list_add(behind.get(), p.topic, p.partition)->offset = -1;
    }
  }
  if (behind->cnt > 0 && now >= next_wake_) {
    wakeups_++;
    // The request wakes the broker threads as it is queued; its answer is not needed,
    // and it often waits behind a fetch the broker holds: 10 ms at most, so that the
    // poll loop (rebalances, commits) is not held up.
    rd_kafka_offsets_for_times(rk, behind.get(), 10);
    // Wakes 50 ms apart while positions move. While they stand still (a consumer
    // started at the end of a quiet topic, paused partitions, a leader down) the gap
    // doubles with each wake, up to a second.
    quiet_ = progress == last_progress_ ? std::min(quiet_ + 1, 5) : 0;
    last_progress_ = progress;
    next_wake_ = now + std::min(std::chrono::milliseconds(50) * (1 << quiet_), std::chrono::milliseconds(1000));
  }
  return ends;
}

}  // namespace airstream
