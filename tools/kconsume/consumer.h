// The consuming loop of kconsume: polls librdkafka, formats each message, writes it
// to stdout, rejects what is not JSON, and commits, per partition, only offsets of
// records already written and flushed (or rejected), through GroupCommits
// (common/kafka/group_commit.h: never blocking the poll loop, never while the group
// rebalances). Handles group rebalances (cooperative-sticky: incremental
// assign/unassign, commit before revocation), -c, -e, -o e@TIMESTAMP,
// --exit-at-group-end, --timeout, signals and a closed stdout.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/kafka/ack_channel.h"
#include "common/kafka/fetch_watch.h"
#include "common/kafka/group_commit.h"
#include "common/kafka/offsets.h"
#include "common/kafka/partition_metrics.h"
#include "common/json/ndjson_writer.h"
#include "common/reject.h"
#include "common/status.h"
#include "format.h"
#include "kafka_client.h"
#include "options.h"
#include "output_pump.h"

namespace airstream::kconsume {

struct ConsumeCounters {
  std::atomic<uint64_t>* messages = nullptr;  // consumed (written + rejected)
  std::atomic<uint64_t>* records = nullptr;   // written to stdout
  std::atomic<uint64_t>* bytes = nullptr;     // bytes of records written
  std::atomic<uint64_t>* rejected = nullptr;
  PartitionMetrics* partitions = nullptr;  // lag and oldest-unacknowledged age, per partition
};

class Consumer {
 public:
  Consumer(const Options& options, Writer& out, Rejecter& rejecter, ConsumeCounters counters);
  ~Consumer();

  // Connects, resolves topics and subscribes (group mode) or assigns (assign mode).
  Status open();
  // Consumes until -c, -e, --timeout, a signal, a closed stdout or an error. Returns
  // the Status that ends the run (ok for a normal end; see stop_reason()).
  Status run();
  // Flushes stdout, commits what was written, leaves the group, destroys the handle.
  // Returns a non-ok status when the final commit failed.
  Status close();

  bool broken_pipe() const { return out_.broken_pipe() || (pump_ && pump_->broken_pipe()); }
  // --acks: records are done only once the last stage of the pipe acknowledged them on
  // this channel (consumer_acks.cc); without it, once written to stdout.
  void set_ack_reader(AckReader* acks) { acks_ = acks; }
  const OffsetTracker& tracker() const { return tracker_; }

 private:
  static void rebalance_trampoline(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                                   void* opaque);
  static void commit_trampoline(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets,
                                void* opaque);
  static void error_trampoline(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static void log_trampoline(const rd_kafka_t* rk, int level, const char* fac, const char* buf);

  void on_rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts);
  void on_commit_result(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets);
  Status assign_partitions();
  // Sets the starting offset of each partition in parts that this process sees for
  // the first time, per -o (group mode: only -o other than stored).
  void apply_start_offsets(rd_kafka_topic_partition_list_t* parts, bool first_time_only);
  Status handle_message(rd_kafka_message_t* msg);
  // Flushes stdout (after the buffer the pump is writing); once flushed, every record
  // consumed so far is done.
  Status flush_output();
  // Group mode without --acks (output_pump.h): hands the output buffer to the pump when
  // it is idle and the buffer is full (or `force`, or line-buffered), without waiting;
  // acknowledges the records of a buffer the pump finished.
  Status pump_output(bool force);
  // Revocation with the pump: writes out what is buffered, waiting at most until
  // `deadline` (a reader that does not read must not hold the group's rebalance);
  // what is not written by then is not done (its partitions are re-read by their new
  // owner from the last commit) but is still written later.
  Status drain_output(std::chrono::steady_clock::time_point deadline);
  void collect_pump();
  // Pauses fetching of the assigned partitions while the output waits for the pump
  // (a full buffer behind the one being written); resumes them when it drained.
  void pause_for_output(bool pause);
  // Commits the done offsets of the partitions in `only` (all if nullptr) now. A
  // refused commit is ok (the partitions moved on); other failures are kExitTempFail.
  Status commit_now(const rd_kafka_topic_partition_list_t* only);
  // --exit-at-group-end: true once the group's committed offsets are at the end of
  // every partition of the topics.
  bool group_caught_up();
  void update_lag();
  // --acks (consumer_acks.cc): applies the acknowledgements that arrived; an error once
  // the channel broke. wait_for_acks: after the output is closed, until the last stage
  // finished (or went away), then the final commit is of what it acknowledged.
  Status apply_acks();
  Status throttle_unacked();
  Status wait_for_acks();
  bool all_at_end() const;
  // -o e@TIMESTAMP: true when msg's partition has reached the stop time (at msg or
  // before), which then pauses it; such messages are neither written nor committed.
  bool past_stop(const rd_kafka_message_t* msg);
  // Called while the local queue is empty: -e ends and fetcher wake-ups (FetchWatch).
  void probe_positions(std::chrono::steady_clock::time_point now);

  const Options& opt_;
  Writer& out_;
  Rejecter& rej_;
  ConsumeCounters ctr_;
  Formatter formatter_;
  KafkaPtr rk_;
  OffsetTracker tracker_;
  GroupCommits commits_{tracker_};
  bool commit_failing_ = false;  // a commit failed and none succeeded since (warned once)
  bool committing_ = false;      // a group is set: offsets are committed
  bool closed_ = false;
  bool cooperative_ = false;                            // the assignor's rebalance protocol (see cooperative_assignor)
  Status error_;                                        // fatal error seen in a callback
  std::set<std::pair<std::string, int32_t>> assigned_;  // current assignment
  std::set<std::pair<std::string, int32_t>> at_end_;    // assigned partitions at their end
  std::set<std::pair<std::string, int32_t>> seen_;      // assigned at least once
  std::set<std::pair<std::string, int32_t>> stopped_;   // -o e@: reached the stop time (paused)
  uint64_t consumed_ = 0;
  std::chrono::steady_clock::time_point last_activity_;  // last message or rebalance
  FetchWatch watch_;
  AckReader* acks_ = nullptr;
  bool acks_warned_ = false;
  Status acks_error_;  // the channel broke, or the stage ended before the input
  std::chrono::steady_clock::time_point started_;
  std::string reason_;
  // Cache of the partition of the previous message.
  rd_kafka_topic_t* last_rkt_ = nullptr;
  int32_t last_partition_ = -1;
  PartitionOffsets* last_offsets_ = nullptr;
  // The pump (group mode without --acks) and, per partition, the last record of the
  // buffer it is writing: done once it is written.
  std::unique_ptr<OutputPump> pump_;
  struct Mark {
    std::string topic;
    int32_t partition;
    int64_t offset;
  };
  std::vector<Mark> pump_marks_;
  uint64_t pump_done_ = 0;
  std::set<std::pair<std::string, int32_t>> paused_;  // paused while the output is behind
};

}  // namespace airstream::kconsume
