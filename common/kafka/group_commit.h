// How airstream's group consumers (kconsume -g, cqlwrite/pgload --from-kafka) commit
// offsets without ever making the consumer wait for a commit, and without the
// stale-generation commits that make librdkafka drop a member's whole assignment.
//
// The consumer tracks what is done in an OffsetTracker (common/kafka/offsets.h) and
// hands the committable offsets to librdkafka's offset store (store()); librdkafka
// commits the store every auto.commit.interval.ms from its own thread, and only while
// the group is stable: a commit sent while the member is rejoining would queue behind
// its JoinGroup, reach the coordinator with the old generation and be refused
// (ILLEGAL_GENERATION), after which librdkafka declares every partition of the member
// lost and they are all read again. Commits the application must make itself (before
// partitions are revoked, and the final one) are synchronous and only made when the
// group is not rejoining (in the revocation callback, and at close).
//
// A refused commit (stale generation, unknown member, rebalance in progress, the
// partition is no longer ours) is dropped, not retried: the partition's records go to
// its new owner, which reads them again from the last commit (at-least-once). Other
// failures (coordinator unreachable, timeouts) are retried by the next commit, since
// the stored offset stays ahead of the committed one.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/kafka/offsets.h"
#include "common/status.h"

namespace airstream {

enum class CommitError {
  kNone,     // committed (or nothing to commit)
  kRefused,  // the group moved on (generation, member, rebalance, partition gone): dropped
  kFailed,   // anything else (coordinator unavailable, timeout, ...): retried later
};

// Classifies a commit result code (top-level or per partition).
CommitError classify_commit_error(rd_kafka_resp_err_t err);

// The librdkafka settings group commits rely on: librdkafka commits the offset store
// every `interval`; offsets get into the store only through GroupCommits::store().
std::vector<std::pair<std::string, std::string>> group_commit_conf(std::chrono::milliseconds interval);

class GroupCommits {
 public:
  explicit GroupCommits(OffsetTracker& tracker) : tracker_(tracker) {}

  // Hands every partition's committable offset (if it moved) to librdkafka's offset
  // store. Cheap, never blocks; call it as often as acknowledgements arrive.
  void store(rd_kafka_t* rk);

  // Stores, then commits synchronously the offsets of the partitions in `only` (all
  // assigned partitions when nullptr). For the revocation callback and the final
  // commit. Returns the worst outcome and, in `message`, what went wrong.
  CommitError commit_now(rd_kafka_t* rk, const rd_kafka_topic_partition_list_t* only, std::string& message);

  // The offset commit callback's result (automatic and synchronous commits alike).
  // Returns the worst outcome; `message` names the first failed partition.
  CommitError on_commit_result(rd_kafka_resp_err_t err, const rd_kafka_topic_partition_list_t* offsets,
                               std::string& message);

  // Records whose offsets were committed by this process (sum of the committed
  // offsets' advances, per partition, from the first offset read).
  uint64_t committed_records() const { return committed_records_; }
  // Refused and failed commit results so far.
  uint64_t refused() const { return refused_; }
  uint64_t failed() const { return failed_; }

 private:
  void count_committed(const char* topic, int32_t partition, int64_t offset);

  OffsetTracker& tracker_;
  // Per partition: the committed offset, or the first offset read before any commit.
  std::map<std::pair<std::string, int32_t>, int64_t> base_;
  uint64_t committed_records_ = 0;
  uint64_t refused_ = 0;
  uint64_t failed_ = 0;
};

}  // namespace airstream
