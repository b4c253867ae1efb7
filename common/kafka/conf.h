// librdkafka configuration the kcat way: brokers from -b, else KAFKA_BROKERS, else
// localhost:9092; -F FILE (prop=value lines, '#' comments) and -X prop=value passed
// straight to librdkafka, in that order, over the tool's own defaults. "-X list"
// shows librdkafka's properties, "-X dump" the resulting configuration.
#pragma once

#include <librdkafka/rdkafka.h>

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace airstream {

struct KafkaOptions {
  std::string brokers;             // -b; empty: KAFKA_BROKERS, else localhost:9092
  std::vector<std::string> props;  // -X prop=value (or "list" / "dump")
  std::vector<std::string> files;  // -F FILE
};

struct KafkaConfDeleter {
  void operator()(rd_kafka_conf_t* c) const {
    if (c != nullptr) rd_kafka_conf_destroy(c);
  }
};
using KafkaConfPtr = std::unique_ptr<rd_kafka_conf_t, KafkaConfDeleter>;

struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    if (l != nullptr) rd_kafka_topic_partition_list_destroy(l);
  }
};
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

// Call before creating a consumer: glibc malloc's adaptive thresholds otherwise hand
// librdkafka's fetch buffers (up to a few MB each) to mmap and back to the kernel over
// and over, which costs page faults and zeroing in every fetch (kconsume -e: 8-10% of
// its CPU, most of its system time). Buffers up to 32 MiB come from the heap and freed
// memory is kept for reuse up to 256 MiB (the peak RSS does not grow: what is kept
// is what was in use). Once per process; not done when GLIBC_TUNABLES sets malloc
// parameters (the user's choice wins).
void tune_malloc_for_consumer();

// Adds -b/--brokers, -X and -F to a tool's command line.
void add_kafka_options(CLI::App& app, KafkaOptions& opts);

// The broker list in effect (-b, KAFKA_BROKERS, localhost:9092).
std::string effective_brokers(const KafkaOptions& opts);

// True if "-X list" was given; the tool then prints kafka_properties_text() and exits 0.
bool wants_property_list(const KafkaOptions& opts);
// True if "-X dump" was given; the tool then prints kafka_conf_dump() and exits 0.
bool wants_conf_dump(const KafkaOptions& opts);
// librdkafka's property table (what rd_kafka_conf_properties_show prints).
std::string kafka_properties_text();

// Builds the configuration: `defaults` first, then bootstrap.servers, then -F files,
// then -X properties. Errors (unknown property, bad value, unreadable file) are
// kExitConfig (78) statuses naming the property.
Result<KafkaConfPtr> make_kafka_conf(const KafkaOptions& opts,
                                     const std::vector<std::pair<std::string, std::string>>& defaults);

// True if the configuration's partition.assignment.strategy is cooperative
// (cooperative-sticky): librdkafka refuses to mix eager and cooperative assignors, so
// this is the group's rebalance protocol. Rebalance callbacks use it instead of
// rd_kafka_rebalance_protocol(), which asks the group thread and waits for its answer:
// from the revocation that rd_kafka_consumer_close() runs it may never answer (hang)
// or answer NULL.
bool cooperative_assignor(const rd_kafka_conf_t* conf);

// "name = value" lines of a configuration (passwords masked), sorted by name.
std::string kafka_conf_dump(rd_kafka_conf_t* conf);

}  // namespace airstream
