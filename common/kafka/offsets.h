// Per-partition offset bookkeeping for Kafka consumers that commit by hand: which
// offset of each assigned partition may be committed, given which received records
// are done (written and flushed, stored in a database, ...). Records are tracked in
// the order they arrive from a partition and acknowledged in any order; the
// committable offset of a partition is the offset of its first record not yet
// acknowledged (or one past the last tracked record when all are acknowledged), so a
// commit never skips past a record that is not done (contiguous commits). Offsets
// need not be consecutive (compaction, transaction markers): only the arrival order
// counts. Tool-agnostic (kconsume and the sinks' --from-kafka mode); no librdkafka.
// Not thread-safe: use it from the thread that polls the consumer.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace airstream {

// One partition's state. References stay valid until the partition is removed.
class PartitionOffsets {
 public:
  // A record received at `offset` (offsets increase within a partition; a smaller or
  // equal offset, after a seek, restarts the bookkeeping at that offset).
  void track(int64_t offset);
  // The record at `offset` is done. Unknown offsets are ignored; returns false then.
  bool ack(int64_t offset);
  // Every tracked record with offset <= `offset` is done.
  void ack_through(int64_t offset);
  // Every tracked record is done.
  void ack_all();

  // The offset to commit (next record to read), or -1 when nothing was acknowledged yet.
  int64_t committable() const { return next_; }
  // True when committable() is ahead of what was last marked committed.
  bool dirty() const { return next_ >= 0 && next_ != committed_; }
  void mark_committed(int64_t offset) { committed_ = offset; }
  int64_t committed() const { return committed_; }
  // Records tracked and not yet committable (waiting for an acknowledgement).
  size_t pending() const { return pending_.size(); }
  // Of those, the records not acknowledged themselves (the others wait behind one).
  size_t unacked() const { return unacked_; }
  // Offset of the last tracked record, or -1.
  int64_t last_tracked() const { return last_; }
  // When the oldest record still waiting for an acknowledgement was tracked
  // (monotonic_ms() clock), or -1 when none waits.
  int64_t oldest_pending_since_ms() const { return pending_.empty() ? -1 : pending_.front().since_ms; }
  // Offset of the first record tracked since the partition was assigned, or -1.
  int64_t first_tracked() const { return first_; }

 private:
  void advance();
  struct Entry {
    int64_t offset;
    int64_t since_ms;
    bool acked;
  };
  std::deque<Entry> pending_;
  size_t unacked_ = 0;  // entries of pending_ not acked
  int64_t next_ = -1;
  int64_t committed_ = -1;
  int64_t last_ = -1;
  int64_t first_ = -1;
};

// A coarse monotonic clock in milliseconds (CLOCK_MONOTONIC_COARSE: a few ns to read).
int64_t monotonic_ms();

struct CommitOffset {
  std::string topic;
  int32_t partition;
  int64_t offset;  // next offset to read (what Kafka stores as the committed offset)
};

class OffsetTracker {
 public:
  // Starts (or restarts) tracking a partition, forgetting any previous state of it.
  PartitionOffsets& assign(const std::string& topic, int32_t partition);
  // The partition's state, created on first use.
  PartitionOffsets& get(const std::string& topic, int32_t partition);
  // nullptr when the partition is not tracked.
  PartitionOffsets* find(const std::string& topic, int32_t partition);
  const PartitionOffsets* find(const std::string& topic, int32_t partition) const;
  void remove(const std::string& topic, int32_t partition);
  void clear() { parts_.clear(); }
  size_t size() const { return parts_.size(); }

  void ack_all();
  // Partitions whose committable offset moved since their last mark_committed().
  std::vector<CommitOffset> dirty() const;
  // Marks the given offsets committed (after the commit succeeded).
  void mark_committed(const std::vector<CommitOffset>& offsets);
  // Records tracked everywhere and not yet committable.
  size_t pending() const;
  // Of those, the records not acknowledged themselves.
  size_t unacked() const;

  template <class F>
  void for_each(F&& f) const {
    for (const auto& [key, p] : parts_) f(key.first, key.second, *p);
  }

 private:
  std::map<std::pair<std::string, int32_t>, std::unique_ptr<PartitionOffsets>> parts_;
};

}  // namespace airstream
