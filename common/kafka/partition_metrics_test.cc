// PartitionMetrics against librdkafka's in-process mock cluster: a partition assigned
// with nothing consumed nor committed by this consumer yet counts its lag from the
// group's committed offset (before, from the low watermark: a member given a
// partition the previous owner had read to its end said the whole partition was lag).
#include "common/kafka/partition_metrics.h"

#include <gtest/gtest.h>

#include <string>

#include "common/kafka/conf.h"
#include "common/kafka/mock_cluster_test.h"

namespace airstream {
namespace {

// The lag of a consumer of "m" [0] (10 records) that starts at the group's committed
// offset `committed`, once it has fetched (the high watermark is known; records it
// polls move its position).
int64_t lag_after_start_at(int64_t committed) {
  MockCluster cluster;
  cluster.produce("m", 1, 10);
  const std::string& brokers = cluster.bootstraps();
  char err[256];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", brokers.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "group.id", "pm-test", err, sizeof err);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
  rd_kafka_conf_set(conf, "log_level", "2", err, sizeof err);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  EXPECT_NE(rk, nullptr) << err;
  rd_kafka_poll_set_consumer(rk);
  {  // The previous owner's commit.
    PartitionListPtr c(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(c.get(), "m", 0)->offset = committed;
    EXPECT_EQ(rd_kafka_commit(rk, c.get(), 0), RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  PartitionListPtr parts(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(parts.get(), "m", 0)->offset = RD_KAFKA_OFFSET_STORED;
  EXPECT_EQ(rd_kafka_assign(rk, parts.get()), RD_KAFKA_RESP_ERR_NO_ERROR);
  int64_t lo = -1, hi = -1;
  for (int i = 0; i < 100 && hi < 0; i++) {  // bounded: 100 polls of at most 100 ms
    if (rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100)) rd_kafka_message_destroy(m);
    rd_kafka_get_watermark_offsets(rk, "m", 0, &lo, &hi);
  }
  EXPECT_EQ(hi, 10);

  Stats stats("pm-test");
  auto metrics = PartitionMetrics::create();
  metrics->export_to(stats, true);
  OffsetTracker tracker;
  tracker.assign("m", 0);
  metrics->update(rk, tracker, std::chrono::steady_clock::now(), true);
  int64_t lag = metrics->total_lag();
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return lag;
}

TEST(PartitionMetrics, LagOfAPartitionReadToItsEndByThePreviousOwnerIsZero) {
  EXPECT_EQ(lag_after_start_at(10), 0);
}

}  // namespace
}  // namespace airstream
