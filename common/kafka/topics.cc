// Topic resolution and group lag (see topics.h). Topic regexes (a leading ^,
// librdkafka's subscription convention) are matched with std::regex (ECMAScript)
// against the cluster's topic list. Group lag: the group's committed offsets come
// from one OffsetFetch (rd_kafka_committed), the watermarks from ListOffsets
// (rd_kafka_query_watermark_offsets, per partition).
#include "common/kafka/topics.h"

#include <regex>
#include <set>

#include "common/kafka/conf.h"

namespace airstream {

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

Result<std::vector<PartitionLag>> group_lag(rd_kafka_t* rk, const rd_kafka_topic_partition_list_t* parts,
                                            std::chrono::milliseconds timeout) {
  std::vector<PartitionLag> out;
  if (parts->cnt == 0) return out;
  PartitionListPtr list(rd_kafka_topic_partition_list_copy(parts));
  int ms = static_cast<int>(timeout.count());
  rd_kafka_resp_err_t err = rd_kafka_committed(rk, list.get(), ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status(kExitUnavailable,
                  std::string("cannot fetch the group's committed offsets: ") + rd_kafka_err2str(err));
  }
  for (int i = 0; i < list->cnt; i++) {
    const auto& p = list->elems[i];
    PartitionLag l;
    l.topic = p.topic;
    l.partition = p.partition;
    l.committed = p.err == RD_KAFKA_RESP_ERR_NO_ERROR && p.offset >= 0 ? p.offset : -1;
    err = rd_kafka_query_watermark_offsets(rk, p.topic, p.partition, &l.low, &l.end, ms);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status(kExitUnavailable, std::string("cannot get end offset of ") + p.topic + " [" +
                                          std::to_string(p.partition) + "]: " + rd_kafka_err2str(err));
    }
    int64_t from = l.committed >= 0 ? l.committed : l.low;
    l.lag = l.end > from ? l.end - from : 0;
    out.push_back(std::move(l));
  }
  return out;
}

Result<std::vector<PartitionLag>> group_lag(rd_kafka_t* rk, const std::vector<TopicInfo>& topics,
                                            const std::vector<int32_t>& only_partitions,
                                            std::chrono::milliseconds timeout) {
  PartitionListPtr parts(rd_kafka_topic_partition_list_new(8));
  for (const auto& t : topics) {
    for (int32_t p = 0; p < t.partitions; p++) {
      bool wanted = only_partitions.empty();
      for (int32_t q : only_partitions) wanted = wanted || q == p;
      if (wanted) rd_kafka_topic_partition_list_add(parts.get(), t.name.c_str(), p);
    }
  }
  return group_lag(rk, parts.get(), timeout);
}

}  // namespace airstream
