// KafkaSource in a group of several members, against librdkafka's mock cluster: the
// sentences of airstream(7)'s scale-out section that only a group shows. A commit the
// coordinator refuses mid-stream because the group moved on is dropped (no warning,
// no error) while the member goes on being served; a member keeps reading the
// partitions it retains all through another member's (cooperative) join; a member
// with exit_at_end (-e) stops at the end of its own partitions while another
// member's still lag, and one with exit_at_group_end waits for the whole group.
// Bounded loops only (no timed assertions); the counts seen are printed.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "common/kafka/mock_cluster_test.h"
#include "common/kafka/source.h"

namespace airstream {
namespace {

using Clock = std::chrono::steady_clock;

KafkaSourceOptions group_options(const std::string& brokers, const std::string& topic, const std::string& group) {
  KafkaSourceOptions o;
  o.kafka.brokers = brokers;
  // Short sessions: a join round on the mock cluster lasts session.timeout.ms - 1 s.
  o.kafka.props = {"log_level=0", "session.timeout.ms=4000", "heartbeat.interval.ms=300"};
  o.topics = {topic};
  o.group = group;
  o.commit_interval = std::chrono::milliseconds(100);
  return o;
}

// Reads everything of `topic` as a new member of `group`; the records handed out.
size_t read_again(const std::string& brokers, const std::string& topic, const std::string& group) {
  KafkaSourceOptions o = group_options(brokers, topic, group);
  o.exit_at_end = true;
  KafkaSource src;
  EXPECT_TRUE(src.open(o).ok());
  KafkaRecord r;
  size_t n = 0;
  auto deadline = Clock::now() + std::chrono::seconds(30);
  while (Clock::now() < deadline) {
    auto got = src.next(r, std::chrono::milliseconds(100));
    if (got == KafkaSource::Next::kEnd || got == KafkaSource::Next::kError) break;
    if (got != KafkaSource::Next::kRecord) continue;
    n++;
    src.ack(r.topic, r.partition, r.offset);
  }
  EXPECT_TRUE(src.close().ok());
  return n;
}

// airstream(7), "Commits never stall a member": the next three commits are refused
// the way a coordinator refuses them once the group moved on (stale generation,
// unknown member, rebalance in progress). Each is dropped: counted as refused, no
// warning (it is not a failure), no error, and the member goes on being handed
// records (librdkafka may declare the assignment lost and rejoin: the records after
// the last commit come again, at-least-once). Every record is read and, once the
// coordinator accepts commits again, committed: a new member reads nothing.
TEST(KafkaSourceGroup, RefusedCommitsMidStreamAreDropped) {
  MockCluster cluster;
  const std::string topic = "refused";
  cluster.produce(topic, 3, 300);
  KafkaSource src;
  ASSERT_TRUE(src.open(group_options(cluster.bootstraps(), topic, "refused")).ok());
  std::set<std::pair<int32_t, int64_t>> seen;
  size_t errors = 0, after_refusal = 0;
  std::string warnings;
  bool injected = false;
  KafkaRecord r;
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline && (seen.size() < 600 || src.committed_records() < 600)) {
    auto n = src.next(r, std::chrono::milliseconds(50));
    warnings += src.take_warning();
    if (n == KafkaSource::Next::kError) errors++;
    if (!injected && src.committed_records() >= 300) {
      // The first half is committed: refuse the next commits, then a second half.
      static const rd_kafka_resp_err_t kRefusals[] = {RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION,
                                                      RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID,
                                                      RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS};
      cluster.fail_commits(kRefusals, 3);
      cluster.produce_more(topic, 3, 300);
      injected = true;
    }
    if (n != KafkaSource::Next::kRecord) continue;
    if (src.commits_refused() > 0) after_refusal++;
    seen.insert({r.partition, r.offset});
    src.ack(r.topic, r.partition, r.offset);
  }
  std::printf("refused mid-stream: %llu commits refused, %zu records handed out after the first refusal\n",
              static_cast<unsigned long long>(src.commits_refused()), after_refusal);
  EXPECT_TRUE(injected) << "the first half was never committed";
  EXPECT_EQ(errors, 0u) << src.status().message();
  EXPECT_EQ(seen.size(), 600u);
  EXPECT_GE(src.commits_refused(), 3u);
  EXPECT_GT(after_refusal, 0u) << "no record was handed out after a commit was refused";
  EXPECT_EQ(warnings, "") << "a refused commit is not a failure";
  EXPECT_GE(src.committed_records(), 600u);
  EXPECT_TRUE(src.close().ok());
  EXPECT_EQ(read_again(cluster.bootstraps(), topic, "refused"), 0u);
}

// airstream(7), "Joins": with cooperative rebalancing only the partitions that move
// pause. Member A reads 4 partitions at a steady pace (a sink storing records) and
// acknowledges each; B joins and takes two. Between A's revocation of those two (the
// end of the first round) and B's first record (the end of the second), A goes on
// reading and acknowledging the two it keeps. (With an eager assignor A revokes
// everything when the join starts and reads nothing until B reads too: this test
// fails with partition.assignment.strategy=range.)
TEST(KafkaSourceGroup, RetainedPartitionsAreReadThroughAJoin) {
  MockCluster cluster;
  const std::string topic = "retained";
  cluster.produce(topic, 4, 12000);  // more than A reads at its pace while B joins
  KafkaSourceOptions o = group_options(cluster.bootstraps(), topic, "retained");
  std::atomic<uint64_t> clock{0};  // orders the events of both members
  std::atomic<uint64_t> revoked_at{0}, b_first_at{0};
  std::mutex mu;
  std::set<int32_t> revoked;
  std::vector<std::pair<uint64_t, int32_t>> a_reads;  // (event number, partition)
  KafkaSource a;
  std::atomic<bool> closing{false};
  a.set_revoked_hook([&](const std::string&, int32_t partition) {
    if (closing) return;  // close() lets the rest go
    std::lock_guard<std::mutex> lock(mu);
    revoked.insert(partition);
    if (revoked_at == 0) revoked_at = ++clock;
  });
  ASSERT_TRUE(a.open(o).ok());
  std::atomic<bool> stop{false};
  std::thread b_thread;
  std::set<int32_t> b_parts;
  std::string b_error;
  KafkaRecord r;
  auto deadline = Clock::now() + std::chrono::seconds(60);
  size_t after_b = 0;
  while (Clock::now() < deadline && after_b < 100) {
    auto n = a.next(r, std::chrono::milliseconds(20));
    ASSERT_NE(n, KafkaSource::Next::kError) << a.status().message();
    if (n != KafkaSource::Next::kRecord) continue;
    a.ack(r.topic, r.partition, r.offset);
    a_reads.emplace_back(++clock, r.partition);
    if (b_first_at != 0) after_b++;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // the sink's pace
    if (a_reads.size() == 300) {
      b_thread = std::thread([&] {
        KafkaSource b;
        if (!b.open(o).ok()) {
          b_error = "open";
          return;
        }
        KafkaRecord br;
        auto b_deadline = Clock::now() + std::chrono::seconds(60);
        while (!stop && Clock::now() < b_deadline) {
          auto got = b.next(br, std::chrono::milliseconds(20));
          if (got == KafkaSource::Next::kError) b_error = b.status().message();
          if (got != KafkaSource::Next::kRecord) continue;
          if (b_first_at == 0) b_first_at = ++clock;
          b_parts.insert(br.partition);
          b.ack(br.topic, br.partition, br.offset);
        }
        (void)b.close();
      });
    }
  }
  stop = true;
  if (b_thread.joinable()) b_thread.join();
  closing = true;
  EXPECT_TRUE(a.close().ok());
  ASSERT_TRUE(b_error.empty()) << b_error;
  ASSERT_NE(b_first_at.load(), 0u) << "B never read a record";
  ASSERT_NE(revoked_at.load(), 0u) << "A never let a partition go";
  EXPECT_LT(revoked_at.load(), b_first_at.load());
  for (int32_t p : b_parts) EXPECT_EQ(revoked.count(p), 1u) << "B read partition " << p << ", which A kept";
  size_t during = 0, before = 0;
  for (const auto& [at, partition] : a_reads) {
    if (revoked.count(partition) != 0) continue;
    if (at < revoked_at) before++;
    if (at > revoked_at && at < b_first_at) during++;
  }
  std::printf(
      "join: A read %zu records of its retained partitions before its revocation, %zu between it and "
      "B's first record\n",
      before, during);
  EXPECT_EQ(revoked.size(), 2u);
  EXPECT_GT(during, 0u) << "A stopped reading the partitions it kept while B joined";
}

// airstream(7), "The done signal": three members on three partitions. H stands for a
// slow member: it reads its partition and holds every record in flight. E runs with
// exit_at_end (-e): it ends at the end of its own partition although H's still lags.
// G runs with exit_at_group_end: it does not end while H holds its records (nor
// when E's leave moves E's partition), and ends by itself once H's records are
// acknowledged and committed.
TEST(KafkaSourceGroup, ExitAtEndIsPerMemberGroupEndWaitsForTheGroup) {
  MockCluster cluster;
  const std::string topic = "done";
  cluster.produce(topic, 3, 300);
  KafkaSourceOptions o = group_options(cluster.bootstraps(), topic, "done");
  KafkaSourceOptions eo = o, go = o;
  eo.exit_at_end = true;
  go.exit_at_group_end = true;
  KafkaSource h, e, g;
  ASSERT_TRUE(h.open(o).ok());
  ASSERT_TRUE(e.open(eo).ok());
  ASSERT_TRUE(g.open(go).ok());
  std::vector<std::pair<int32_t, int64_t>> held;
  bool e_ended = false, g_ended = false, released = false;
  bool g_ended_early = false;
  size_t held_when_e_ended = 0;
  size_t e_read = 0, g_read = 0;
  KafkaRecord r;
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (Clock::now() < deadline && !g_ended) {
    if (h.next(r, std::chrono::milliseconds(10)) == KafkaSource::Next::kRecord) {
      if (released) {
        h.ack(r.topic, r.partition, r.offset);
      } else {
        held.emplace_back(r.partition, r.offset);
      }
    }
    if (!e_ended) {
      auto n = e.next(r, std::chrono::milliseconds(10));
      ASSERT_NE(n, KafkaSource::Next::kError) << e.status().message();
      if (n == KafkaSource::Next::kRecord) {
        e_read++;
        e.ack(r.topic, r.partition, r.offset);
      }
      if (n == KafkaSource::Next::kEnd) {
        e_ended = true;
        held_when_e_ended = held.size();
        EXPECT_TRUE(e.close().ok());
      }
    }
    auto n = g.next(r, std::chrono::milliseconds(10));
    ASSERT_NE(n, KafkaSource::Next::kError) << g.status().message();
    if (n == KafkaSource::Next::kRecord) {
      g_read++;
      g.ack(r.topic, r.partition, r.offset);
    }
    if (n == KafkaSource::Next::kEnd) {
      g_ended = true;
      g_ended_early = !released;
    }
    // H releases its records once E ended and G has read its own partition (G is
    // then idle, waiting for the group): the records complete, H commits them.
    if (!released && e_ended && g_read > 0 && h.pending() > 0 && g.pending() == 0) {
      for (const auto& [partition, offset] : held) h.ack(topic, partition, offset);
      held.clear();
      released = true;
    }
  }
  std::printf("done signal: E read %zu and ended, G read %zu, H held its records until then\n", e_read, g_read);
  EXPECT_TRUE(e_ended) << "the -e member did not end at the end of its partition";
  EXPECT_GT(e_read, 0u);
  EXPECT_GT(held_when_e_ended, 0u) << "E ended before H held records: nothing shows it did not wait for H";
  EXPECT_TRUE(released) << "H never got a partition, or G none";
  EXPECT_FALSE(g_ended_early) << "the group-end member ended while H's records were in flight";
  EXPECT_TRUE(g_ended) << "the group-end member did not end once the group caught up";
  EXPECT_TRUE(g.close().ok());
  EXPECT_TRUE(h.close().ok());
  EXPECT_EQ(read_again(cluster.bootstraps(), topic, "done"), 0u);
}

}  // namespace
}  // namespace airstream
