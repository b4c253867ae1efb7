// Consumer handle creation for kconsume (topic resolution is in common/kafka/topics.h).
#include "kafka_client.h"

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
      // A broker has one fetch in flight at a time; one of partitions at their end
      // is held this long, and partitions woken meanwhile wait for it (500 ms by
      // default).
      {"fetch.wait.max.ms", "100"},
  };
  // librdkafka's consumer needs a group.id even to assign partitions by hand; without
  // -g kconsume never joins that group nor commits to it.
  d.emplace_back("group.id", group.empty() ? "kconsume-assign" : group);
  return d;
}

Result<KafkaPtr> create_consumer(KafkaConfPtr conf) {
  char err[512];
  tune_malloc_for_consumer();
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), err, sizeof err);
  if (rk == nullptr) return Status(kExitConfig, std::string("cannot create Kafka consumer: ") + err);
  conf.release();  // owned by rk now
  return KafkaPtr(rk);
}

}  // namespace airstream::kconsume
