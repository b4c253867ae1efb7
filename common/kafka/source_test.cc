// KafkaSource against librdkafka's in-process mock cluster: every record is handed
// out, commits are contiguous (a record never acknowledged holds its partition's
// commit back, so a restarted consumer re-reads it and what follows), and records of
// other partitions are not re-read.
#include "common/kafka/source.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "common/kafka/mock_cluster_test.h"

namespace airstream {
namespace {

struct Seen {
  std::string topic;
  int32_t partition;
  int64_t offset;
  std::string value;
};

// Reads until the end of every partition; acknowledges everything but `hold`.
std::vector<Seen> drain(const std::string& brokers, const std::string& topic, const std::string& group,
                        std::pair<int32_t, int64_t> hold) {
  KafkaSource src;
  EXPECT_TRUE(src.open(mock_source_options(brokers, topic, group)).ok());
  std::vector<Seen> seen;
  KafkaRecord r;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  bool held = false;
  while (std::chrono::steady_clock::now() < deadline) {
    auto n = src.next(r, std::chrono::milliseconds(100));
    if (n == KafkaSource::Next::kRecord) {
      seen.push_back({r.topic, r.partition, r.offset, std::string(r.value)});
      EXPECT_NE(r.extra_json.find("\"offset\":" + std::to_string(r.offset)), std::string::npos);
      if (r.partition == hold.first && r.offset == hold.second) {
        held = true;
        continue;
      }
      src.ack(r.topic, r.partition, r.offset);
    } else if (n == KafkaSource::Next::kEnd) {
      break;
    } else if (n == KafkaSource::Next::kIdle && held && src.pending() > 0 && seen.size() >= 300) {
      // The held record keeps its partition pending forever: stop once all were read.
      break;
    } else if (n == KafkaSource::Next::kError) {
      ADD_FAILURE() << src.status().message();
      break;
    }
  }
  EXPECT_TRUE(src.close().ok());
  return seen;
}

TEST(KafkaSource, ContiguousCommitsAcrossRestart) {
  MockCluster cluster;
  cluster.produce("users", 3, 300);
  // First run: every record is read; partition 1's record at offset 40 is never acknowledged.
  auto first = drain(cluster.bootstraps(), "users", "sinks", {1, 40});
  ASSERT_EQ(first.size(), 300u);
  std::set<std::string> values;
  for (const auto& s : first) values.insert(s.value);
  EXPECT_EQ(values.size(), 300u);

  // Second run, same group: only partition 1 from offset 40 on comes again.
  auto second = drain(cluster.bootstraps(), "users", "sinks", {-1, -1});
  std::map<int32_t, std::vector<int64_t>> by_part;
  for (const auto& s : second) by_part[s.partition].push_back(s.offset);
  EXPECT_EQ(by_part.count(0), 0u);
  EXPECT_EQ(by_part.count(2), 0u);
  ASSERT_EQ(by_part[1].size(), 60u);  // offsets 40..99 of partition 1
  EXPECT_EQ(by_part[1].front(), 40);
  EXPECT_EQ(by_part[1].back(), 99);

  // Third run: everything was committed.
  auto third = drain(cluster.bootstraps(), "users", "sinks", {-1, -1});
  EXPECT_TRUE(third.empty());
}

// Issue 19: a failing commit must not stop the consumer. Before, every next() after a
// failed commit retried it synchronously and returned an error before polling, so
// the member served neither records nor rebalances; now commits run in the background,
// records keep coming, and the offsets are committed once the coordinator accepts.
TEST(KafkaSource, ServesRecordsWhileCommitsFail) {
  MockCluster cluster;
  cluster.produce("events", 3, 300);
  cluster.fail_commits(5, RD_KAFKA_RESP_ERR_OFFSET_METADATA_TOO_LARGE);
  KafkaSourceOptions o;
  o.kafka.brokers = cluster.bootstraps();
  o.kafka.props = {"log_level=0", "session.timeout.ms=6000", "heartbeat.interval.ms=500"};
  o.topics = {"events"};
  o.group = "failing";
  o.commit_interval = std::chrono::milliseconds(50);
  KafkaSource src;
  ASSERT_TRUE(src.open(o).ok());
  KafkaRecord r;
  size_t got = 0, errors = 0;
  bool warned = false;
  // Bounded: until every record was read and committed, or 60 s.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline && (got < 300 || src.committed_records() < 300)) {
    auto n = src.next(r, std::chrono::milliseconds(50));
    warned = warned || !src.take_warning().empty();
    if (n == KafkaSource::Next::kError) errors++;
    if (n != KafkaSource::Next::kRecord) continue;
    got++;
    src.ack(r.topic, r.partition, r.offset);
  }
  EXPECT_EQ(errors, 0u) << src.status().message();
  EXPECT_EQ(got, 300u);
  EXPECT_EQ(src.committed_records(), 300u);
  EXPECT_TRUE(warned);  // the failures were reported, once
  EXPECT_TRUE(src.close().ok());
  // The commits went through in the end: nothing is read again.
  auto again = drain(cluster.bootstraps(), "events", "failing", {-1, -1});
  EXPECT_TRUE(again.empty()) << again.size() << " records read again";
}

TEST(KafkaSource, RequiresGroupAndTopic) {
  KafkaSource src;
  KafkaSourceOptions o;
  o.topics = {"t"};
  EXPECT_EQ(src.open(o).exit_code(), kExitUsage);
  o.group = "g";
  o.topics.clear();
  EXPECT_EQ(src.open(o).exit_code(), kExitUsage);
}

}  // namespace
}  // namespace airstream
