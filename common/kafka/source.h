// A Kafka consumer for sinks that store records themselves (cqlwrite/pgload
// --from-kafka): it hands out messages one by one and commits, per partition, only
// offsets up to which every record was acknowledged (stored or rejected) by the sink:
// contiguous commits, never past a record still in flight, so a sink killed at any
// moment re-reads from its last commit and loses nothing. Acknowledgements may come
// from any thread; polling and rebalances happen in the caller's thread. Commits
// never make the caller wait: librdkafka commits the acknowledged offsets in the
// background while the group is stable (common/kafka/group_commit.h), a refused commit
// is dropped and a failed one retried by the next. Partitions are assigned
// incrementally (cooperative-sticky); before a partition is revoked the source commits
// what is acknowledged, gives the sink a bounded time to finish the partition's writes
// in flight, then commits what they added, so that the new owner starts where this
// member stopped.
#pragma once

#include <librdkafka/rdkafka.h>

#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "common/kafka/conf.h"
#include "common/kafka/fetch_watch.h"
#include "common/kafka/group_commit.h"
#include "common/kafka/offsets.h"
#include "common/kafka/partition_metrics.h"
#include "common/status.h"

namespace airstream {

struct KafkaSourceOptions {
  KafkaOptions kafka;               // -b / -X / -F
  std::vector<std::string> topics;  // subscribed in group mode ("^regex" allowed)
  std::string group;                // consumer group (required)
  std::string start = "beginning";  // where a group without a committed offset starts: beginning | end
  std::chrono::milliseconds commit_interval{1000};
  bool exit_at_end = false;        // end once every assigned partition is read to its end
  bool exit_at_group_end = false;  // end once the group's commits are at the end of every partition
  // Stop fetching while this many records are handed out and not acknowledged (or 64
  // times as many, at most 262,144, are acknowledged but wait for their commit behind one).
  size_t max_pending = 200000;
  // How long a revocation waits for the acknowledgements of the revoked partitions'
  // records in flight before it commits and lets them go.
  std::chrono::milliseconds revoke_wait{5000};
  std::string client_id = "airstream";
};

struct KafkaRecord {
  std::string_view value;  // followed by kJsonPadding readable bytes; valid until next() (see value_into)
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  uint64_t seq = 0;  // 1-based number of the record in this run (its "line")
  // "topic":..,"partition":..,"offset":.. for reject records.
  std::string extra_json() const;
};

// The command-line side of a sink's direct Kafka mode, the same in every sink:
// --from-kafka TOPIC[,TOPIC...], -g/--group, -b/-X/-F, --kafka-start, -e/--exit-at-end,
// --exit-at-group-end, --commit-interval. A tool's option struct derives from it.
struct KafkaSinkOptions {
  std::vector<std::string> from_kafka;  // topics; empty: read files/stdin
  std::string group;                    // default: the tool's name
  KafkaOptions kafka;
  std::string kafka_start = "beginning";
  bool exit_at_end = false;
  bool exit_at_group_end = false;
  std::string commit_interval = "1s";
};

// Adds the options above to a sink's command line; --from-kafka excludes `inputs`.
void add_kafka_sink_options(CLI::App& app, KafkaSinkOptions& o, const std::string& tool, CLI::Option* inputs);

// Checks them (-e, --kafka-start and --commit-interval need --from-kafka; exit 64
// otherwise) and builds the KafkaSource settings, with a bounded prefetch (a queue of
// prefetch_kbytes, 8 MiB by default, and 2 MiB fetch responses, where librdkafka has
// 64 and 50 MiB) that -X/-F can override.
Result<KafkaSourceOptions> kafka_sink_source_options(const KafkaSinkOptions& o, const std::string& tool,
                                                     int prefetch_kbytes = 8192);

// The help of the sinks' fetch_pauses counter (KafkaSource::pauses()).
inline constexpr const char* kFetchPausesHelp =
    "Times fetching paused because too many records were read and not yet stored (each pause drops what "
    "librdkafka prefetched)";

class KafkaSource {
 public:
  KafkaSource() = default;
  ~KafkaSource();
  KafkaSource(const KafkaSource&) = delete;
  KafkaSource& operator=(const KafkaSource&) = delete;

  Status open(const KafkaSourceOptions& options);

  enum class Next { kRecord, kIdle, kEnd, kError };
  // Waits up to `timeout` for the next message. kIdle: none yet (or too many pending
  // acknowledgements); kEnd: exit_at_end and everything assigned was read, or
  // exit_at_group_end and the whole group caught up; kError: see status(). Applies
  // acknowledgements and hands them to the background commits; never waits for a
  // commit.
  // value_into: where the value is copied (with its padding), so that a caller that
  // keeps it saves a copy; null: a buffer of the source's, valid until the next call.
  Next next(KafkaRecord& out, std::chrono::milliseconds timeout, std::string* value_into = nullptr);

  // Thread-safe: the record is done (stored, or rejected and reported).
  void ack(const std::string& topic, int32_t partition, int64_t offset);

  // Called in a revocation before the source waits for the revoked partitions'
  // acknowledgements: the sink sends what it buffered (e.g. CqlSink::flush).
  void set_flush_hook(std::function<void()> flush) { flush_hook_ = std::move(flush); }
  // Called in a revocation for each partition let go, after the wait and the commit
  // (its new owner starts from there): a sink drops what it still holds of it.
  void set_revoked_hook(std::function<void(const std::string& topic, int32_t partition)> hook) {
    revoked_hook_ = std::move(hook);
  }

  // Final commit, then leaves the group. Call after the sink acknowledged what it could.
  // A commit refused because the group moved on is not an error (the partitions' new
  // owners read from the last commit); another failure is kExitTempFail.
  Status close();

  const Status& status() const { return status_; }
  // Thread-safe: the last next() found nothing to read and the source only waits to
  // end: exit_at_end with every assigned partition read to its end, or
  // exit_at_group_end (which waits for this member's commits too). A sink that
  // holds records back (an open batch) should store them now: the source ends only
  // once they are acknowledged.
  bool draining() const { return draining_.load(std::memory_order_relaxed); }
  size_t pending();
  uint64_t committed_records() const { return commits_.committed_records(); }
  uint64_t commits_refused() const { return commits_.refused(); }
  // Times fetching paused because max_pending records were unacknowledged (the
  // caller's thread): each pause throws away what librdkafka prefetched for the
  // paused partitions, so a sink that hits it often reads much slower.
  uint64_t pauses() const { return pauses_; }
  // A message about commits worth a warning (the first failure of a streak), once; "" if none.
  std::string take_warning();
  // Per-partition lag and oldest-unacknowledged age are kept up to date in `m`
  // (from the polling thread; read from any thread). Set before open().
  void set_metrics(PartitionMetrics* m) { metrics_ = m; }

 private:
  static void rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                           void* opaque);
  static void commit_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets,
                        void* opaque);
  void on_rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts);
  void on_commit(CommitError result, const std::string& why);
  // Waits (bounded by revoke_wait) for the acknowledgements of `parts`' records in
  // flight; true if some arrived (there is more to commit).
  bool finish_revoked(const rd_kafka_topic_partition_list_t* parts);
  void apply_acks();
  void set_paused(bool pause);  // pauses or resumes fetching of every assigned partition
  bool all_at_end() const;
  bool group_caught_up();

  KafkaSourceOptions opt_;
  rd_kafka_t* rk_ = nullptr;
  OffsetTracker tracker_;
  GroupCommits commits_{tracker_};
  std::function<void()> flush_hook_;
  std::function<void(const std::string&, int32_t)> revoked_hook_;
  bool commit_failing_ = false;
  bool paused_ = false;  // fetching paused: too many records unacknowledged
  uint64_t pauses_ = 0;
  uint32_t pending_checks_ = 0;
  bool cooperative_ = false;  // the assignor's rebalance protocol (see cooperative_assignor)
  bool closing_ = false;      // close(): offsets were just committed; the revocation commits nothing
  std::string warning_;
  std::chrono::steady_clock::time_point next_store_, next_group_check_;
  std::mutex ack_mu_;
  struct PendingAck {
    std::string topic;
    int32_t partition;
    int64_t offset;
  };
  std::vector<PendingAck> acks_, acks_swap_;
  std::atomic<bool> acks_waiting_{false};                // acks_ is not empty
  std::atomic<bool> draining_{false};                    // see draining()
  std::vector<std::pair<std::string, int32_t>> at_end_;  // assigned partitions read to their end
  FetchWatch watch_;
  void on_idle();
  size_t assigned_ = 0;
  bool ever_assigned_ = false;
  std::string buf_;
  uint64_t seq_ = 0;
  // The partition of the last record handed out (messages come in runs of one).
  rd_kafka_topic_t* last_rkt_ = nullptr;
  int32_t last_partition_ = -1;
  std::string last_topic_;
  PartitionOffsets* last_offsets_ = nullptr;  // null after a revocation
  bool at_end_grew_ = false;                  // a partition was added to at_end_ since the last record
  PartitionMetrics* metrics_ = nullptr;
  Status status_;
};

}  // namespace airstream
