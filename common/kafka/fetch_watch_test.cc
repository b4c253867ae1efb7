// FetchWatch against librdkafka's in-process mock cluster: nothing is at its end
// before anything was consumed; once every message of a partition was consumed, the
// partition is reported at its end; an empty partition never consumed from is left to
// librdkafka's own end-of-partition event; one fetched but not consumed from is
// woken, one not fetched yet is not.
#include "common/kafka/fetch_watch.h"

#include <librdkafka/rdkafka_mock.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>

#include "common/kafka/mock_cluster_test.h"

namespace airstream {
namespace {

TEST(FetchWatch, EndsAtTheHighWatermark) {
  char err[256];
  rd_kafka_conf_t* pconf = rd_kafka_conf_new();
  rd_kafka_conf_set(pconf, "test.mock.num.brokers", "2", err, sizeof err);
  rd_kafka_conf_set(pconf, "log_level", "2", err, sizeof err);
  rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, pconf, err, sizeof err);
  ASSERT_NE(producer, nullptr) << err;
  rd_kafka_mock_cluster_t* mc = rd_kafka_handle_mock_cluster(producer);
  rd_kafka_mock_topic_create(mc, "w", 2, 1);
  std::string brokers = rd_kafka_mock_cluster_bootstraps(mc);
  for (int i = 0; i < 10; i++) {
    std::string v = "{\"i\":" + std::to_string(i) + "}";
    rd_kafka_producev(producer, RD_KAFKA_V_TOPIC("w"), RD_KAFKA_V_PARTITION(0),
                      RD_KAFKA_V_VALUE(const_cast<char*>(v.data()), v.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                      RD_KAFKA_V_END);
  }
  ASSERT_EQ(rd_kafka_flush(producer, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);

  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "group.id", "fetch-watch-test", err, sizeof err);
  rd_kafka_conf_set(conf, "log_level", "2", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  ASSERT_NE(rk, nullptr) << err;
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(2);
  rd_kafka_topic_partition_list_add(parts, "w", 0)->offset = 0;
  rd_kafka_topic_partition_list_add(parts, "w", 1)->offset = 0;
  ASSERT_EQ(rd_kafka_assign(rk, parts), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_topic_partition_list_destroy(parts);

  FetchWatch watch;
  const std::vector<FetchWatch::Partition> both = {{"w", 0}, {"w", 1}};
  auto t = FetchWatch::Clock::now();
  EXPECT_TRUE(watch.idle(rk, both, t).empty()) << "nothing consumed yet";

  int got = 0;
  for (int i = 0; i < 200 && got < 10; i++) {  // bounded: 200 polls of at most 100 ms
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) got++;
    rd_kafka_message_destroy(m);
  }
  ASSERT_EQ(got, 10);
  std::vector<FetchWatch::Partition> ends;
  auto when = t;
  for (int i = 1; i <= 10 && ends.empty(); i++) {
    when = t + std::chrono::milliseconds(25 * i);
    ends = watch.idle(rk, both, when);
  }
  ASSERT_EQ(ends.size(), 1u);
  EXPECT_EQ(ends[0], FetchWatch::Partition("w", 0));
  // Calls closer together than 20 ms do not look again.
  EXPECT_TRUE(watch.idle(rk, both, when + std::chrono::milliseconds(10)).empty());
  EXPECT_EQ(watch.idle(rk, both, when + std::chrono::milliseconds(20)).size(), 1u);

  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  rd_kafka_destroy(producer);
}

// A consumer of topic/partition 0 from offset 0, not polled.
rd_kafka_t* assigned_consumer(const std::string& brokers, const char* topic) {
  char err[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "group.id", "fetch-watch-test", err, sizeof err);
  rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (rk == nullptr) return nullptr;
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(parts, topic, 0)->offset = 0;
  rd_kafka_assign(rk, parts);
  rd_kafka_topic_partition_list_destroy(parts);
  return rk;
}

// A partition fetched but not consumed from is woken, not left alone: when many
// partitions are assigned at once, the queue fills before the records of some of
// them were taken, and librdkafka backs their fetchers off for up to a second
// (pgload --from-kafka -e stood still 0.9 s near the end of 20k users in 60
// partitions). While no position moves, each wake doubles the gap to the next.
TEST(FetchWatch, WakesPartitionsFetchedButNotConsumed) {
  MockCluster cluster;
  cluster.produce("f", 1, 10);
  rd_kafka_t* rk = assigned_consumer(cluster.bootstraps(), "f");
  ASSERT_NE(rk, nullptr);
  int64_t lo = -1, hi = -1;
  for (int i = 0; i < 100 && hi < 0; i++) {  // bounded: 100 waits of 50 ms
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    rd_kafka_get_watermark_offsets(rk, "f", 0, &lo, &hi);
  }
  ASSERT_EQ(hi, 10) << "no fetch response within 5 s";
  FetchWatch watch;
  const std::vector<FetchWatch::Partition> one = {{"f", 0}};
  auto t = FetchWatch::Clock::now();
  EXPECT_TRUE(watch.idle(rk, one, t).empty());
  EXPECT_EQ(watch.wakeups(), 1u);
  const std::pair<int, unsigned> looks[] = {{25, 1}, {50, 2}, {100, 2}, {150, 3}, {300, 3}, {350, 4}};
  for (auto [ms, wakes] : looks) {
    watch.idle(rk, one, t + std::chrono::milliseconds(ms));
    EXPECT_EQ(watch.wakeups(), wakes) << "at " << ms << " ms";
  }
  rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
}

// A partition not fetched yet (here: its leader is down) is left to librdkafka,
// which is still starting it: no request holds up the poll loop then.
TEST(FetchWatch, LeavesPartitionsNotFetchedYet) {
  MockCluster cluster;
  rd_kafka_mock_topic_create(cluster.mock(), "n", 1, 1);
  for (int32_t id = 1; id <= 3; id++) rd_kafka_mock_broker_set_down(cluster.mock(), id);
  rd_kafka_t* rk = assigned_consumer(cluster.bootstraps(), "n");
  ASSERT_NE(rk, nullptr);
  FetchWatch watch;
  EXPECT_TRUE(watch.idle(rk, {{"n", 0}}, FetchWatch::Clock::now()).empty());
  EXPECT_EQ(watch.wakeups(), 0u);
  rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
}

}  // namespace
}  // namespace airstream
