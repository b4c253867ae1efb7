// The librdkafka consumer handle kconsume (and --lag) work with: configuration from
// -b/-F/-X over kconsume's defaults. Topics are resolved with common/kafka/topics.h.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/kafka/conf.h"
#include "common/kafka/topics.h"
#include "common/status.h"

namespace airstream::kconsume {

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const {
    if (rk != nullptr) rd_kafka_destroy(rk);
  }
};
using KafkaPtr = std::unique_ptr<rd_kafka_t, KafkaDeleter>;

// kconsume's librdkafka defaults (manual commits, cooperative-sticky assignor, ...).
std::vector<std::pair<std::string, std::string>> consumer_defaults(const std::string& group, bool partition_eof);

// Creates a consumer from a finished configuration (takes ownership of conf).
Result<KafkaPtr> create_consumer(KafkaConfPtr conf);

}  // namespace airstream::kconsume
