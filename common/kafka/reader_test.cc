// KafkaReader against librdkafka's in-process mock cluster: every record is handed
// out once, in offset order per partition, after the preparation ran on it; records
// the preparation settles itself (filtered) are not handed out but committed; the
// source ends once every record is acknowledged; a restart with the same group reads
// nothing again (commits are contiguous across the threads); stop() with records
// queued and unacknowledged commits nothing past them.
#include "common/kafka/reader.h"

#include <gtest/gtest.h>

#include <map>

#include "common/json/json.h"
#include "common/kafka/mock_cluster_test.h"

namespace airstream {
namespace {

struct Reading {
  std::map<int32_t, std::vector<int64_t>> handed;  // partition -> offsets handed out
  size_t prepared = 0;
  bool ended = false;
};

// Reads with a reader until the end (or `stop_after` records handed out, then stops
// without acknowledging the last ones); every 10th offset is filtered out by the
// preparation, which acknowledges it itself.
Reading read_all(const std::string& brokers, const std::string& topic, const std::string& group,
                 size_t stop_after = SIZE_MAX) {
  KafkaSource src;
  KafkaSourceOptions o = mock_source_options(brokers, topic, group);
  o.max_pending = 200;
  EXPECT_TRUE(src.open(o).ok());
  KafkaReader reader(src);
  Reading run;
  KafkaReader::Options ro;
  ro.soft_limit = 50;
  reader.start(
      [&](const KafkaRecord& kr, ReadItem& item) {
        run.prepared++;  // the preparer thread only
        if (kr.offset % 10 == 0) {
          src.ack(kr.topic, kr.partition, kr.offset);
          return false;
        }
        KafkaReader::fill(item, std::string(kr.value) + "!");
        return true;
      },
      ro);
  ReadItem item;
  size_t handed = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    auto n = reader.next(item, std::chrono::milliseconds(100));
    if (n == KafkaReader::Next::kEnd) {
      run.ended = true;
      break;
    }
    if (n == KafkaReader::Next::kError) {
      ADD_FAILURE() << reader.status().message();
      break;
    }
    if (n != KafkaReader::Next::kItem) continue;
    EXPECT_EQ(item.text.back(), '!');
    EXPECT_GE(item.text.capacity(), item.text.size() + kJsonPadding);
    run.handed[KafkaReader::partition(item.tag)].push_back(static_cast<int64_t>(item.offset));
    EXPECT_EQ(reader.topic(item.tag), topic);
    if (++handed > stop_after) break;  // this one and what follows stay unacknowledged
    reader.ack(item.tag, static_cast<int64_t>(item.offset));
  }
  reader.stop();
  EXPECT_TRUE(src.close().ok());
  return run;
}

TEST(KafkaReader, HandsOutInOrderAndCommitsContiguously) {
  MockCluster cluster;
  cluster.produce("users", 3, 3000);
  Reading first = read_all(cluster.bootstraps(), "users", "sinks");
  EXPECT_TRUE(first.ended);
  EXPECT_EQ(first.prepared, 3000u);
  size_t total = 0;
  for (auto& [partition, offsets] : first.handed) {
    total += offsets.size();
    for (size_t i = 0; i < offsets.size(); i++) {
      EXPECT_NE(offsets[i] % 10, 0);
      if (i > 0) {
        EXPECT_LT(offsets[i - 1], offsets[i]) << "partition " << partition;
      }
    }
  }
  EXPECT_EQ(total, 2700u);  // 1000 per partition, every 10th filtered out
  Reading again = read_all(cluster.bootstraps(), "users", "sinks");
  EXPECT_EQ(again.prepared, 0u);
}

TEST(KafkaReader, StopCommitsNothingPastWhatIsUnacknowledged) {
  MockCluster cluster;
  cluster.produce("events", 1, 2000);
  Reading first = read_all(cluster.bootstraps(), "events", "stopper", 500);
  EXPECT_FALSE(first.ended);
  ASSERT_GT(first.handed[0].size(), 500u);
  int64_t unacked = first.handed[0][500];  // the first record handed out and not acknowledged
  // The restart reads from that record on: nothing after it was committed, although
  // later records were polled (queued) and filtered ones acknowledged.
  Reading second = read_all(cluster.bootstraps(), "events", "stopper");
  EXPECT_TRUE(second.ended);
  ASSERT_FALSE(second.handed[0].empty());
  EXPECT_EQ(second.handed[0].front(), unacked);
}

}  // namespace
}  // namespace airstream
