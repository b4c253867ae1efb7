// Tests of the contiguous offset bookkeeping (common/kafka/offsets.h).
#include "common/kafka/offsets.h"

#include <gtest/gtest.h>

namespace airstream {
namespace {

TEST(PartitionOffsets, NothingAcknowledgedNothingCommittable) {
  PartitionOffsets p;
  EXPECT_EQ(p.committable(), -1);
  EXPECT_FALSE(p.dirty());
  p.track(10);
  p.track(11);
  EXPECT_EQ(p.committable(), -1);
  EXPECT_EQ(p.pending(), 2u);
  EXPECT_EQ(p.last_tracked(), 11);
}

TEST(PartitionOffsets, OutOfOrderAcksCommitOnlyContiguousPrefix) {
  PartitionOffsets p;
  for (int64_t o = 0; o < 5; o++) p.track(o);
  EXPECT_TRUE(p.ack(2));
  EXPECT_TRUE(p.ack(1));
  EXPECT_EQ(p.committable(), -1);  // 0 is not done: nothing may be committed
  EXPECT_TRUE(p.ack(0));
  EXPECT_EQ(p.committable(), 3);  // 0,1,2 done: next to read is 3
  EXPECT_TRUE(p.ack(4));
  EXPECT_EQ(p.committable(), 3);  // 3 still missing: never skip past it
  EXPECT_TRUE(p.ack(3));
  EXPECT_EQ(p.committable(), 5);
  EXPECT_EQ(p.pending(), 0u);
}

TEST(PartitionOffsets, GapsInOffsetsFollowArrivalOrder) {
  PartitionOffsets p;
  p.track(7);
  p.track(9);  // 8 was a transaction marker or compacted away
  p.track(20);
  EXPECT_TRUE(p.ack(9));
  EXPECT_EQ(p.committable(), -1);
  EXPECT_TRUE(p.ack(7));
  EXPECT_EQ(p.committable(), 10);
  EXPECT_FALSE(p.ack(8));  // never tracked
  EXPECT_FALSE(p.ack(21));
  EXPECT_EQ(p.committable(), 10);
  p.ack_all();
  EXPECT_EQ(p.committable(), 21);
}

TEST(PartitionOffsets, AckThroughAndDirtyFlag) {
  PartitionOffsets p;
  for (int64_t o = 100; o < 110; o++) p.track(o);
  p.ack(106);
  p.ack_through(104);
  EXPECT_EQ(p.committable(), 105);
  EXPECT_TRUE(p.dirty());
  p.mark_committed(105);
  EXPECT_FALSE(p.dirty());
  p.ack(105);  // 105 and the already acknowledged 106 become committable
  EXPECT_EQ(p.committable(), 107);
  EXPECT_TRUE(p.dirty());
  EXPECT_EQ(p.pending(), 3u);
}

// unacked() counts the pending records not acknowledged themselves (what a sink still
// works on), whatever the order and repetition of the acknowledgements.
TEST(PartitionOffsets, UnackedCountsRecordsNotAcknowledged) {
  PartitionOffsets p;
  for (int64_t o = 0; o < 10; o++) p.track(o);
  EXPECT_EQ(p.unacked(), 10u);
  p.ack(3);
  p.ack(3);  // again: counted once
  p.ack(5);
  p.ack(42);  // unknown
  EXPECT_EQ(p.pending(), 10u);
  EXPECT_EQ(p.unacked(), 8u);
  p.ack_through(3);  // 0..2 done without an ack of their own, 3 was acked
  EXPECT_EQ(p.pending(), 6u);
  EXPECT_EQ(p.unacked(), 5u);
  p.ack(4);  // 4 and 5 become committable
  EXPECT_EQ(p.pending(), 4u);
  EXPECT_EQ(p.unacked(), 4u);
  p.track(2);  // seek back
  EXPECT_EQ(p.unacked(), 1u);
  p.ack_all();
  EXPECT_EQ(p.unacked(), 0u);
  EXPECT_EQ(p.pending(), 0u);
  OffsetTracker t;
  t.get("a", 0).track(1);
  t.get("a", 1).track(1);
  t.get("a", 1).track(2);
  t.get("a", 1).ack(2);
  EXPECT_EQ(t.pending(), 3u);
  EXPECT_EQ(t.unacked(), 2u);
}

TEST(PartitionOffsets, SeekBackwardsRestartsPending) {
  PartitionOffsets p;
  p.track(5);
  p.track(6);
  p.track(3);  // seek back: the old pending records will come again
  EXPECT_EQ(p.pending(), 1u);
  p.ack(3);
  EXPECT_EQ(p.committable(), 4);
}

TEST(OffsetTracker, DirtyPartitionsAndCommitMarks) {
  OffsetTracker t;
  auto& a0 = t.assign("a", 0);
  auto& a1 = t.assign("a", 1);
  t.assign("b", 0);
  a0.track(0);
  a0.track(1);
  a1.track(40);
  EXPECT_TRUE(t.dirty().empty());
  EXPECT_EQ(t.pending(), 3u);
  t.ack_all();
  auto d = t.dirty();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].topic, "a");
  EXPECT_EQ(d[0].partition, 0);
  EXPECT_EQ(d[0].offset, 2);
  EXPECT_EQ(d[1].partition, 1);
  EXPECT_EQ(d[1].offset, 41);
  t.mark_committed(d);
  EXPECT_TRUE(t.dirty().empty());
  EXPECT_EQ(t.find("b", 0)->committable(), -1);
  t.remove("a", 1);
  EXPECT_EQ(t.find("a", 1), nullptr);
  EXPECT_EQ(t.size(), 2u);
  // assign() forgets the previous state of a partition (a new assignment).
  t.get("a", 0).track(2);
  EXPECT_EQ(t.assign("a", 0).pending(), 0u);
  EXPECT_EQ(t.find("a", 0)->committable(), -1);
}

// The oldest record waiting for an acknowledgement is known (its age is exported).
TEST(PartitionOffsets, OldestPendingSince) {
  PartitionOffsets p;
  EXPECT_EQ(p.oldest_pending_since_ms(), -1);
  int64_t before = monotonic_ms();
  p.track(100);
  p.track(101);
  EXPECT_GE(p.oldest_pending_since_ms(), before);
  EXPECT_LE(p.oldest_pending_since_ms(), monotonic_ms());
  p.ack(101);
  EXPECT_GE(p.oldest_pending_since_ms(), before);  // 100 still waits
  p.ack(100);
  EXPECT_EQ(p.oldest_pending_since_ms(), -1);
}

}  // namespace
}  // namespace airstream
