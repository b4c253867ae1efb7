// Consumer handle creation and metadata-based topic resolution for kconsume. Topic
// regexes (a leading ^, librdkafka's subscription convention) are matched with
// std::regex (ECMAScript) against the cluster's topic list when kconsume needs the
// partitions itself (assign mode, --lag); in group mode the broker-side subscription
// uses librdkafka's own regex matching.
#include "kafka_client.h"

#include <regex>
#include <set>

namespace airstream::kconsume {

std::vector<std::pair<std::string, std::string>> consumer_defaults(const std::string& group, bool partition_eof) {
  std::vector<std::pair<std::string, std::string>> d = {
      {"client.id", "kconsume"},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
      {"partition.assignment.strategy", "cooperative-sticky"},
      {"enable.partition.eof", partition_eof ? "true" : "false"},
      {"log.connection.close", "false"},
      // librdkafka prefetches up to 64 MiB, plus one fetch response of up to 50 MiB
      // per broker. 16 MiB and 4 MiB per broker keep a consumer of many partitions
      // well under 100 MB RSS at the same throughput (empty-queue stalls are avoided
      // by waking the fetchers, see consumer.cc).
      {"queued.max.messages.kbytes", "16384"},
      {"fetch.max.bytes", "4194304"},
  };
  // librdkafka's consumer needs a group.id even to assign partitions by hand; without
  // -g kconsume never joins that group nor commits to it.
  d.emplace_back("group.id", group.empty() ? "kconsume-assign" : group);
  return d;
}

Result<KafkaPtr> create_consumer(KafkaConfPtr conf) {
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), err, sizeof err);
  if (rk == nullptr) return Status(kExitConfig, std::string("cannot create Kafka consumer: ") + err);
  conf.release();  // owned by rk now
  return KafkaPtr(rk);
}

Result<std::vector<TopicInfo>> resolve_topics(rd_kafka_t* rk, const std::vector<std::string>& topics,
                                              std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, nullptr, &md, static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status(kExitUnavailable,
                  std::string("cannot get metadata from the Kafka cluster: ") + rd_kafka_err2str(err));
  }
  std::vector<TopicInfo> out;
  std::set<std::string> seen;
  Status status;
  for (const auto& want : topics) {
    bool regex = !want.empty() && want[0] == '^';
    std::regex re;
    if (regex) {
      try {
        re = std::regex(want, std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        status = Status(kExitUsage, "bad topic regex " + want + ": " + e.what());
        break;
      }
    }
    bool found = false;
    for (int i = 0; i < md->topic_cnt; i++) {
      const auto& t = md->topics[i];
      std::string name = t.topic;
      if (regex ? (name.rfind("__", 0) == 0 || !std::regex_search(name, re)) : name != want) continue;
      if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (regex) continue;
        break;
      }
      found = true;
      if (seen.insert(name).second) out.push_back({name, t.partition_cnt});
    }
    if (!found && !regex) {
      status = Status(kExitNoInput, "topic " + want + " does not exist");
      break;
    }
  }
  rd_kafka_metadata_destroy(md);
  if (!status.ok()) return status;
  return out;
}

}  // namespace airstream::kconsume
