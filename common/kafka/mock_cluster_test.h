// Test helper: librdkafka's in-process mock cluster (3 brokers) with a producer, for
// the unit tests of the Kafka consumers (source_test.cc, source_group_test.cc,
// reader_test.cc, fetch_watch_test.cc).
#pragma once

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <string>
#include <vector>

#include "common/kafka/source.h"

namespace airstream {

class MockCluster {
 public:
  MockCluster() {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[256];
    rd_kafka_conf_set(conf, "test.mock.num.brokers", "3", err, sizeof err);
    rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    mc_ = rd_kafka_handle_mock_cluster(rk_);
    bootstraps_ = rd_kafka_mock_cluster_bootstraps(mc_);
  }
  ~MockCluster() {
    rd_kafka_flush(rk_, 5000);
    rd_kafka_destroy(rk_);
  }
  void produce(const std::string& topic, int partitions, int count) {
    rd_kafka_mock_topic_create(mc_, topic.c_str(), partitions, 1);
    produce_more(topic, partitions, count);
  }
  // count more records into an existing topic, spread over its partitions.
  void produce_more(const std::string& topic, int partitions, int count) {
    for (int i = 0; i < count; i++) {
      std::string v = "{\"n\":" + std::to_string(i) + "}";
      rd_kafka_producev(rk_, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(i % partitions),
                        RD_KAFKA_V_VALUE(v.data(), v.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    }
    ASSERT_EQ(rd_kafka_flush(rk_, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  const std::string& bootstraps() const { return bootstraps_; }
  rd_kafka_mock_cluster_t* mock() { return mc_; }
  // The next n OffsetCommit requests fail with `err`.
  void fail_commits(size_t n, rd_kafka_resp_err_t err) {
    std::vector<rd_kafka_resp_err_t> errs(n, err);
    fail_commits(errs.data(), n);
  }
  // The next n OffsetCommit requests fail with errs[0], errs[1], ... in turn.
  void fail_commits(const rd_kafka_resp_err_t* errs, size_t n) {
    constexpr int16_t kOffsetCommit = 8;  // the OffsetCommit API key
    rd_kafka_mock_push_request_errors_array(mc_, kOffsetCommit, n, errs);
  }

 private:
  rd_kafka_t* rk_;
  rd_kafka_mock_cluster_t* mc_;
  std::string bootstraps_;
};

// A group consumer of `topic` on the mock cluster that ends at the end of the topic.
inline KafkaSourceOptions mock_source_options(const std::string& brokers, const std::string& topic,
                                              const std::string& group) {
  KafkaSourceOptions o;
  o.kafka.brokers = brokers;
  // The mock cluster lets a group rejoin only after the old member's session expired.
  o.kafka.props = {"log_level=0", "session.timeout.ms=6000", "heartbeat.interval.ms=500"};
  o.topics = {topic};
  o.group = group;
  o.exit_at_end = true;
  o.commit_interval = std::chrono::milliseconds(100);
  return o;
}

}  // namespace airstream
