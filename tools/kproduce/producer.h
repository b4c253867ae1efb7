// The librdkafka producer behind kproduce: enqueues messages with backpressure,
// turns delivery reports into --tee output, rejects (with the broker's error) and
// statistics, watches reachability (--timeout), runs transactions and creates topics
// through the admin API. Library code: returns Status values, never prints.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/kafka/conf.h"
#include "common/json/ndjson_writer.h"
#include "common/reject.h"
#include "common/stats.h"
#include "common/status.h"
#include "message.h"

namespace kproduce {

struct ProducerCounters {
  std::atomic<uint64_t>* delivered = nullptr;
  std::atomic<uint64_t>* bytes = nullptr;
  std::atomic<uint64_t>* failed = nullptr;
  std::atomic<uint64_t>* queue_full = nullptr;  // waits for room in the local queue
  airstream::Histogram* latency = nullptr;
};

struct ProducerSettings {
  std::string default_topic;
  int64_t timeout_ms = 60000;
  bool keep_raw = false;  // keep the input line for rejects/--tee (envelope input)
  bool transactional = false;
};

class Producer {
 public:
  Producer(ProducerSettings settings, airstream::Rejecter& rejecter, ProducerCounters counters, airstream::Writer* tee);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Creates the handle (takes the configuration).
  airstream::Status open(airstream::KafkaConfPtr conf);
  // Waits (up to the timeout) until a broker answers; kExitUnavailable otherwise.
  airstream::Status wait_reachable();
  // Creates a topic; an existing topic is fine. replication < 1: min(3, brokers).
  airstream::Status create_topic(const std::string& name, int partitions, int replication);

  // Enqueues one message (line/offset/raw identify it in rejects). Blocks while the
  // local queue is full, serving delivery reports. A non-ok status means the run
  // must stop (unreachable, --max-errors exceeded, fatal producer error).
  airstream::Status produce(const OutMessage& m, uint64_t line, uint64_t offset, std::string_view raw);
  // Serves pending delivery reports; with wait_ms > 0 first sends what is queued and
  // waits up to wait_ms for its delivery reports (used when the input is idle).
  airstream::Status poll(int wait_ms = 0);
  // Waits until every enqueued message has its delivery report (or the cluster is
  // unreachable for the timeout: then the rest is purged and rejected).
  airstream::Status drain();

  airstream::Status begin_transaction();
  airstream::Status commit_transaction();
  airstream::Status abort_transaction();
  bool in_transaction() const { return in_txn_; }

  // True if the cluster was unreachable when deliveries failed.
  bool unreachable() const { return all_down_; }
  uint64_t failures() const { return failures_; }
  const airstream::Status& failure() const { return failure_; }

 private:
  static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* m, void* opaque);
  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  void delivered(const rd_kafka_message_t* m);
  rd_kafka_topic_t* topic_handle(std::string_view name);
  // Checks the unreachable deadline; purges and fails the run once it passed.
  void check_deadline();
  airstream::Status txn_error(const char* what, rd_kafka_error_t* error);

  ProducerSettings set_;
  airstream::Rejecter& rejecter_;
  ProducerCounters counters_;
  airstream::Writer* tee_;
  rd_kafka_t* rk_ = nullptr;
  std::unordered_map<std::string, rd_kafka_topic_t*> topics_;
  airstream::Status failure_;
  uint64_t failures_ = 0;
  bool all_down_ = false;
  std::chrono::steady_clock::time_point down_since_;
  // Last sign of progress: a confirmed delivery, or the enqueue of a message when
  // none was outstanding (so an idle period does not count as unreachable time).
  std::chrono::steady_clock::time_point last_progress_ = std::chrono::steady_clock::now();
  uint64_t outstanding_ = 0;
  bool in_txn_ = false;
  bool in_abort_ = false;
  uint64_t txn_first_line_ = 0, txn_last_line_ = 0;
  std::string txn_tee_;  // --tee output held until the transaction commits
  std::string extra_;    // scratch for reject context
};

}  // namespace kproduce
