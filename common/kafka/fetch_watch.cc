// FetchWatch: positions (rd_kafka_position) against the high watermarks librdkafka
// caches from fetch responses (rd_kafka_get_watermark_offsets), and a ListOffsets
// request (rd_kafka_offsets_for_times with timestamp -1, "latest") to the leaders of
// partitions still behind, whose only purpose is to wake their broker threads. The
// answer is not used. See kafka_fetch_watch.h for why.
#include "common/kafka/fetch_watch.h"

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
  for (int i = 0; i < list->cnt; i++) {
    const auto& p = list->elems[i];
    int64_t lo = -1, hi = -1;
    // Nothing consumed yet (no position) or nothing fetched yet (no watermark):
    // librdkafka's own end-of-partition event decides.
    if (p.offset < 0 ||
        rd_kafka_get_watermark_offsets(rk, p.topic, p.partition, &lo, &hi) != RD_KAFKA_RESP_ERR_NO_ERROR || hi < 0)
      continue;
    if (p.offset >= hi) {
      ends.emplace_back(p.topic, p.partition);
    } else {
      rd_kafka_topic_partition_list_add(behind.get(), p.topic, p.partition)->offset = -1;
    }
  }
  if (behind->cnt > 0 && now - last_wake_ >= std::chrono::milliseconds(50)) {
    last_wake_ = now;
    wakeups_++;
    rd_kafka_offsets_for_times(rk, behind.get(), 100);
  }
  return ends;
}

}  // namespace airstream
