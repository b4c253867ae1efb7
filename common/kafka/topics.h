// Topic resolution and group lag through the cluster's metadata, for any consumer:
// -t names and ^regexes resolved to partition counts, and a group's committed
// offsets against each partition's watermarks (what kafka-consumer-groups
// --describe shows), without joining the group.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace airstream {

struct TopicInfo {
  std::string name;
  int32_t partitions = 0;
};

// Asks the cluster for metadata and resolves topic arguments: names (which must
// exist: kExitNoInput otherwise) and ^regexes (expanded; may match nothing; internal
// topics starting with "__" never match). An unreachable cluster is kExitUnavailable.
Result<std::vector<TopicInfo>> resolve_topics(rd_kafka_t* rk, const std::vector<std::string>& topics,
                                              std::chrono::milliseconds timeout);

struct PartitionLag {
  std::string topic;
  int32_t partition = 0;
  int64_t committed = -1;    // the group's committed offset, -1 if none
  int64_t low = 0, end = 0;  // watermarks
  int64_t lag = 0;           // end - committed (from `low` when nothing is committed)
};

// The group (rk's group.id) against the partitions of `parts` (topic/partition;
// offsets ignored): one OffsetFetch, then the watermarks of each partition.
Result<std::vector<PartitionLag>> group_lag(rd_kafka_t* rk, const rd_kafka_topic_partition_list_t* parts,
                                            std::chrono::milliseconds timeout);

// Every partition of the topics, or of the given partition numbers of each.
Result<std::vector<PartitionLag>> group_lag(rd_kafka_t* rk, const std::vector<TopicInfo>& topics,
                                            const std::vector<int32_t>& only_partitions,
                                            std::chrono::milliseconds timeout);

}  // namespace airstream
