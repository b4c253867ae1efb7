// The development Kafka cluster: librdkafka's mock cluster plus a small line-oriented
// command language for fault injection (see dev_cluster.cc for the commands).
#pragma once

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <string>
#include <vector>

namespace devcluster {

struct TopicSpec {
  std::string name;
  int partitions = 1;
  int replication_factor = -1;  // -1: min(3, brokers)
};

class DevCluster {
 public:
  DevCluster() = default;
  ~DevCluster();
  DevCluster(const DevCluster&) = delete;
  DevCluster& operator=(const DevCluster&) = delete;

  // Starts `brokers` mock brokers on loopback. Returns an error message or "".
  std::string start(int brokers);
  std::string create_topic(const TopicSpec& t);
  const char* bootstraps() const;
  int broker_count() const { return brokers_; }

  // Runs one command line; returns "" on success or an error message. Sets *quit
  // for "quit"; *reply gets extra output for commands that answer (e.g. "bootstrap").
  std::string execute(const std::string& line, bool* quit, std::string* reply);

 private:
  std::string broker_id(const std::string& s, int* id) const;
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_mock_cluster_t* mc_ = nullptr;
  int brokers_ = 0;
};

// "name:partitions[:replication]" -> TopicSpec; returns an error message or "".
std::string parse_topic_spec(const std::string& s, TopicSpec* out);

// An error name (e.g. NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR_..., or a number).
bool parse_error_name(const std::string& s, rd_kafka_resp_err_t* out);

// The command summary printed by --help.
const char* command_help();

}  // namespace devcluster
