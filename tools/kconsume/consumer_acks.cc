// kconsume --acks FIFO: the offsets of a pipe are committed only once its last stage
// (cqlwrite/pgload --envelope --acks FIFO) acknowledged them on the channel
// (common/kafka/ack_channel.h), not once written to stdout. The stage says, per
// partition, "every record I received up to offset X is done"; stages keep each
// partition's order, so the records before X that a middle stage dropped are done
// too, and X moves the partition's tracker with ack_through. Acknowledgements for a
// partition no longer assigned (revoked in a rebalance) find no tracker and are
// dropped: a partition is committed only by its owner. The channel is read without
// blocking at the consuming loop's check points, before a revocation's commit, and
// after the output is closed, until the stage says "end". A stage that goes away
// without "end" stops the run: what it acknowledged is committed, nothing more.
#include "consumer.h"

#include <fcntl.h>
#include <unistd.h>

#include "common/diag.h"
#include "common/signals.h"

namespace airstream::kconsume {
namespace {

using Clock = std::chrono::steady_clock;

// Records written and not acknowledged before kconsume stops reading (memory bound:
// the tracker keeps 16 bytes per such record).
constexpr size_t kMaxUnacked = 1000000;

}  // namespace

Status Consumer::apply_acks() {
  std::vector<AckLine> acks;
  auto before = acks_->state();
  auto state = acks_->poll(acks);
  for (const auto& a : acks)
    if (auto* p = tracker_.find(a.topic, a.partition)) p->ack_through(a.offset);
  if (state != before && state == AckReader::State::kConnected)
    diag::info(1, "%s acknowledges on %s", acks_->sender().c_str(), acks_->path().c_str());
  if (!acks_error_.ok()) return acks_error_;
  if (state == AckReader::State::kBroken)
    acks_error_ = Status(kExitIoErr, "--acks " + acks_->path() + ": " + acks_->error() +
                                         ": stopped; offsets are committed only up to what it acknowledged");
  if (state == AckReader::State::kEnded && !closed_)
    acks_error_ = Status(
        kExitIoErr, "--acks " + acks_->path() + ": " + acks_->sender() + " finished before the input ended: stopped");
  return acks_error_;
}

Status Consumer::throttle_unacked() {
  auto now = Clock::now();
  if (acks_->state() == AckReader::State::kWaiting && !acks_warned_ && now - started_ >= opt_.connect_timeout &&
      tracker_.pending() > 0) {
    diag::warn("--acks %s: no acknowledgement yet (is the last stage run with --envelope --acks %s?)",
               acks_->path().c_str(), acks_->path().c_str());
    acks_warned_ = true;
  }
  if (tracker_.pending() < kMaxUnacked) return Status::Ok();
  diag::info(1, "%zu records not acknowledged yet: waiting", tracker_.pending());
  if (Status st = flush_output(); !st.ok()) return st;
  // Bounded, so that the group membership stays alive (max.poll.interval.ms).
  for (int i = 0; i < 600 && tracker_.pending() >= kMaxUnacked && !stop_requested(); i++) {
    acks_->wait(std::chrono::milliseconds(100));
    if (Status st = apply_acks(); !st.ok()) return st;
  }
  return Status::Ok();
}

Status Consumer::wait_for_acks() {
  if (!rk_) return Status::Ok();
  // Close the pipe (the next stage sees its end), keeping descriptor 1 valid.
  int devnull = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (devnull >= 0) {
    ::dup2(devnull, out_.fd());
    ::close(devnull);
  }
  bool reported = !acks_error_.ok();  // run() returned it
  auto start = Clock::now();
  auto next_store = start;
  Status st;
  // Leaving the partitions unfetched: messages that still arrive are dropped (they
  // were never tracked, so no commit passes them); rebalances are served.
  for (;;) {
    st = apply_acks();
    auto state = acks_->state();
    if (state == AckReader::State::kEnded || state == AckReader::State::kBroken) break;
    if (state == AckReader::State::kWaiting) {
      // Nobody connected: after a broken pipe nobody will; else give it time to start.
      if (out_.broken_pipe() || Clock::now() - start >= opt_.connect_timeout) {
        if (!tracker_.dirty().empty() || tracker_.pending() > 0)
          st = Status(kExitIoErr, "--acks " + acks_->path() + ": no stage acknowledged; offsets not committed");
        break;
      }
    }
    if (rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_.get(), 0)) rd_kafka_message_destroy(m);
    if (Clock::now() >= next_store) {  // librdkafka commits the stored offsets
      commits_.store(rk_.get());
      next_store = Clock::now() + std::chrono::milliseconds(100);
    }
    acks_->wait(std::chrono::milliseconds(25));
  }
  if (!st.ok() && reported) return Status::Ok();
  if (acks_->state() == AckReader::State::kEnded) return Status::Ok();
  return st;
}

}  // namespace airstream::kconsume
