// Contiguous commit bookkeeping for hand-committing Kafka consumers (see
// kafka_offsets.h). Each partition keeps a deque of the records received and not yet
// committable, in arrival order, with an "acknowledged" flag; acknowledging the front
// pops every acknowledged record and moves the committable offset to the record after
// the last one popped. Kafka's committed offset is "the next offset to read"
// (OffsetCommit semantics), hence offset + 1. Memory is bounded by the number of
// records in flight.
#include "common/kafka/offsets.h"

#include <time.h>

#include <algorithm>

namespace airstream {

int64_t monotonic_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

void PartitionOffsets::track(int64_t offset) {
  if (offset <= last_) {
    // A seek backwards (or a redelivery): what was pending will be received again.
    pending_.clear();
    unacked_ = 0;
  }
  pending_.push_back({offset, monotonic_ms(), false});
  unacked_++;
  last_ = offset;
  if (first_ < 0) first_ = offset;
}

void PartitionOffsets::advance() {
  while (!pending_.empty() && pending_.front().acked) {
    next_ = pending_.front().offset + 1;
    pending_.pop_front();
  }
}

bool PartitionOffsets::ack(int64_t offset) {
  auto it = std::lower_bound(pending_.begin(), pending_.end(), offset,
                             [](const Entry& e, int64_t o) { return e.offset < o; });
  if (it == pending_.end() || it->offset != offset) return false;
  if (!it->acked) unacked_--;
  it->acked = true;
  if (it == pending_.begin()) advance();
  return true;
}

void PartitionOffsets::ack_through(int64_t offset) {
  while (!pending_.empty() && pending_.front().offset <= offset) {
    next_ = pending_.front().offset + 1;
    if (!pending_.front().acked) unacked_--;
    pending_.pop_front();
  }
  advance();
}

void PartitionOffsets::ack_all() {
  if (pending_.empty()) return;
  next_ = pending_.back().offset + 1;
  pending_.clear();
  unacked_ = 0;
}

PartitionOffsets& OffsetTracker::assign(const std::string& topic, int32_t partition) {
  auto& slot = parts_[{topic, partition}];
  slot = std::make_unique<PartitionOffsets>();
  return *slot;
}

PartitionOffsets& OffsetTracker::get(const std::string& topic, int32_t partition) {
  auto& slot = parts_[{topic, partition}];
  if (!slot) slot = std::make_unique<PartitionOffsets>();
  return *slot;
}

PartitionOffsets* OffsetTracker::find(const std::string& topic, int32_t partition) {
  auto it = parts_.find({topic, partition});
  return it == parts_.end() ? nullptr : it->second.get();
}

const PartitionOffsets* OffsetTracker::find(const std::string& topic, int32_t partition) const {
  auto it = parts_.find({topic, partition});
  return it == parts_.end() ? nullptr : it->second.get();
}

void OffsetTracker::remove(const std::string& topic, int32_t partition) {
  parts_.erase({topic, partition});
}

void OffsetTracker::ack_all() {
  for (auto& [key, p] : parts_) p->ack_all();
}

std::vector<CommitOffset> OffsetTracker::dirty() const {
  std::vector<CommitOffset> out;
  for (const auto& [key, p] : parts_) {
    if (p->dirty()) out.push_back({key.first, key.second, p->committable()});
  }
  return out;
}

void OffsetTracker::mark_committed(const std::vector<CommitOffset>& offsets) {
  for (const auto& c : offsets) {
    if (auto* p = find(c.topic, c.partition)) p->mark_committed(c.offset);
  }
}

size_t OffsetTracker::pending() const {
  size_t n = 0;
  for (const auto& [key, p] : parts_) n += p->pending();
  return n;
}

size_t OffsetTracker::unacked() const {
  size_t n = 0;
  for (const auto& [key, p] : parts_) n += p->unacked();
  return n;
}

}  // namespace airstream
