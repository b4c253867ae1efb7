// kconsume's consuming loop on librdkafka's high-level consumer (rd_kafka_consumer_poll
// for both group and assign mode). Delivery: auto commit and auto offset store are
// off; every consumed message is tracked in an OffsetTracker and becomes "done" only
// once the output buffer holding it has been written to stdout (or, for a rejected
// message, once the reject is written and everything before it is flushed). The
// tracker's committable offsets go to librdkafka's offset store every 100 ms, which
// librdkafka commits every --commit-interval while the group is stable
// (common/kafka/group_commit.h); partitions about to be revoked are committed
// synchronously in the rebalance callback, everything at exit. A crash therefore
// replays at most what was written after the last commit: at-least-once towards the
// pipe. A refused commit (the group moved on) is not retried; the partition's new
// owner reads from the last commit.
//
// In group mode (without --acks) stdout other than a regular file (a pipe, a socket,
// a terminal) is written by a background thread
// (output_pump.h), so that a slow reader of the pipe never keeps rebalances and
// commits waiting; fetching pauses while a full buffer waits behind the one being
// written, and a buffer's records are done once it is written.
//
// While the local queue is empty, a FetchWatch (common/kafka/fetch_watch.h) ends -e
// at the high watermark and wakes fetchers librdkafka backed off.
#include "consumer.h"

#include <sys/stat.h>

#include <cstring>

#include "common/diag.h"
#include "common/json/json.h"
#include "common/signals.h"
#include "common/stats.h"

namespace airstream::kconsume {
namespace {

using Clock = std::chrono::steady_clock;
// Group mode: the output buffer goes to the pump at this size (smaller than the
// foreground buffer, so that a revocation, which waits for the pump, waits less).
constexpr size_t kPumpChunk = 64u << 10;
// ... and fetching pauses while this much waits behind the buffer being written (a
// fast output never gets there: pausing drops the prefetched messages).
constexpr size_t kPausePast = 256u << 10;
// Before pausing, the loop waits this long for the writer: a pause drops what
// librdkafka prefetched, which it then fetches again (a reader of the pipe that is
// merely slower than Kafka, such as `| cat` on a busy machine, was read 1.4-2.4x
// slower than a file for that); polls stay at most this far apart meanwhile.
constexpr std::chrono::milliseconds kPauseAfter{250};
// How long a revocation waits for the output (as the sinks' revocation wait).
constexpr std::chrono::seconds kRevokeWait{5};

std::pair<std::string, int32_t> key_of(const rd_kafka_topic_partition_t& p) {
  return {p.topic, p.partition};
}

}  // namespace

Consumer::Consumer(const Options& options, Writer& out, Rejecter& rejecter, ConsumeCounters counters)
    : opt_(options), out_(out), rej_(rejecter), ctr_(counters), formatter_(options.format) {}

Consumer::~Consumer() {
  if (!closed_) (void)close();
}

void Consumer::rebalance_trampoline(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                                    void* opaque) {
  static_cast<Consumer*>(opaque)->on_rebalance(err, parts);
}

void Consumer::commit_trampoline(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets,
                                 void* opaque) {
  static_cast<Consumer*>(opaque)->on_commit_result(err, offsets);
}

void Consumer::error_trampoline(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto* self = static_cast<Consumer*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    char buf[512];
    rd_kafka_fatal_error(rk, buf, sizeof buf);
    self->error_ = Status(kExitUnavailable, std::string("fatal Kafka error: ") + buf);
    return;
  }
  if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    diag::warn("all Kafka brokers are down: %s (retrying)", reason);
  } else {
    diag::info(1, "kafka: %s: %s", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)), reason);
  }
}

void Consumer::log_trampoline(const rd_kafka_t*, int level, const char* fac, const char* buf) {
  // librdkafka's own log lines (connection failures, ...) only with -v.
  diag::info(level <= 4 ? 1 : 2, "librdkafka: %s: %s", fac, buf);
}

Status Consumer::open() {
  bool want_eof = opt_.exit_at_end;
  auto defaults = consumer_defaults(opt_.group, want_eof);
  if (!opt_.group.empty()) {
    for (auto& kv : group_commit_conf(opt_.commit_interval)) defaults.push_back(std::move(kv));
  }
  auto conf = make_kafka_conf(opt_.kafka, defaults);
  if (!conf) return conf.status();
  rd_kafka_conf_t* c = conf->get();
  rd_kafka_conf_set_opaque(c, this);
  rd_kafka_conf_set_error_cb(c, error_trampoline);
  rd_kafka_conf_set_log_cb(c, log_trampoline);
  if (!opt_.group.empty()) {
    rd_kafka_conf_set_offset_commit_cb(c, commit_trampoline);
    committing_ = true;
  }
  if (opt_.group_mode()) rd_kafka_conf_set_rebalance_cb(c, rebalance_trampoline);
  cooperative_ = cooperative_assignor(c);
  if (opt_.group_mode() && opt_.offset && opt_.offset->kind == OffsetSpec::kEnd) {
    char err[256];
    rd_kafka_conf_set(c, "auto.offset.reset", "latest", err, sizeof err);
  }
  auto rk = create_consumer(std::move(*conf));
  if (!rk) return rk.status();
  rk_ = std::move(*rk);
  rd_kafka_poll_set_consumer(rk_.get());

  if (!opt_.group_mode()) return assign_partitions();

  // Group mode: check the cluster is there (and the named topics exist), then subscribe.
  auto topics = resolve_topics(rk_.get(), opt_.topics, opt_.connect_timeout);
  if (!topics) {
    if (topics.status().exit_code() != kExitNoInput || opt_.exit_at_end) return topics.status();
    diag::warn("%s; waiting for it to be created", topics.status().message().c_str());
  }
  PartitionListPtr sub(rd_kafka_topic_partition_list_new(static_cast<int>(opt_.topics.size())));
  for (const auto& t : opt_.topics) rd_kafka_topic_partition_list_add(sub.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t err = rd_kafka_subscribe(rk_.get(), sub.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status(kExitConfig, std::string("cannot subscribe: ") + rd_kafka_err2str(err));
  }
  // A regular file never keeps a write waiting for long: written in the foreground.
  struct stat out_stat {};
  bool regular = ::fstat(out_.fd(), &out_stat) == 0 && S_ISREG(out_stat.st_mode);
  // (With --acks too: a stage that stops reading must not keep the poll loop in
  // write(2), or the member would hold its group's rebalances.)
  if (!regular) pump_ = std::make_unique<OutputPump>(out_.fd());
  return Status::Ok();
}

Status Consumer::assign_partitions() {
  auto topics = resolve_topics(rk_.get(), opt_.topics, opt_.connect_timeout);
  if (!topics) return topics.status();
  PartitionListPtr parts(rd_kafka_topic_partition_list_new(8));
  for (const auto& t : *topics) {
    if (opt_.partitions.empty()) {
      for (int32_t p = 0; p < t.partitions; p++) rd_kafka_topic_partition_list_add(parts.get(), t.name.c_str(), p);
      continue;
    }
    for (int32_t p : opt_.partitions) {
      if (p >= t.partitions) {
        return Status(kExitNoInput, "topic " + t.name + " has no partition " + std::to_string(p) + " (it has " +
                                        std::to_string(t.partitions) + ")");
      }
      rd_kafka_topic_partition_list_add(parts.get(), t.name.c_str(), p);
    }
  }
  if (parts->cnt == 0) return Status(kExitNoInput, "no partition to read (the topic regex matched nothing)");
  apply_start_offsets(parts.get(), false);
  for (int i = 0; i < parts->cnt; i++) {
    auto key = key_of(parts->elems[i]);
    tracker_.assign(key.first, key.second);
    assigned_.insert(key);
  }
  rd_kafka_resp_err_t err = rd_kafka_assign(rk_.get(), parts.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status(kExitUnavailable, std::string("cannot assign partitions: ") + rd_kafka_err2str(err));
  }
  return Status::Ok();
}

void Consumer::apply_start_offsets(rd_kafka_topic_partition_list_t* parts, bool first_time_only) {
  OffsetSpec spec;
  if (opt_.offset) {
    spec = *opt_.offset;
  } else {
    spec.kind = opt_.group.empty() ? OffsetSpec::kBeginning : OffsetSpec::kStored;
  }
  // -o beginning, end and @TIMESTAMP are looked up here, in one ListOffsets request per
  // leader (-2: earliest, -1: latest), so that the fetchers start at concrete offsets:
  // librdkafka's own lookup of a logical offset may wait 500 ms for a retry.
  PartitionListPtr lookup;
  for (int i = 0; i < parts->cnt; i++) {
    auto& p = parts->elems[i];
    if (first_time_only && seen_.count(key_of(p)) > 0) continue;  // keep the group's committed offset
    int64_t query = 0;
    switch (spec.kind) {
      case OffsetSpec::kBeginning:
        p.offset = RD_KAFKA_OFFSET_BEGINNING;
        query = -2;
        break;
      case OffsetSpec::kEnd:
        p.offset = RD_KAFKA_OFFSET_END;
        query = -1;
        break;
      case OffsetSpec::kStored:
        p.offset = RD_KAFKA_OFFSET_STORED;
        continue;
      case OffsetSpec::kAbsolute:
        p.offset = spec.value;
        continue;
      case OffsetSpec::kTail:
        p.offset = RD_KAFKA_OFFSET_TAIL(spec.value);
        continue;
      case OffsetSpec::kTimestamp:
        p.offset = RD_KAFKA_OFFSET_END;  // no message at or after the timestamp: start at the end
        query = spec.value;
        break;
    }
    if (!lookup) lookup.reset(rd_kafka_topic_partition_list_new(parts->cnt));
    rd_kafka_topic_partition_list_add(lookup.get(), p.topic, p.partition)->offset = query;
  }
  if (lookup) {
    rd_kafka_resp_err_t err =
        rd_kafka_offsets_for_times(rk_.get(), lookup.get(), static_cast<int>(opt_.connect_timeout.count()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && spec.kind == OffsetSpec::kTimestamp) {
      error_ = Status(kExitUnavailable, std::string("cannot look up offsets by timestamp: ") + rd_kafka_err2str(err));
    }
    for (int i = 0; i < lookup->cnt; i++) {
      const auto& t = lookup->elems[i];
      auto* p = rd_kafka_topic_partition_list_find(parts, t.topic, t.partition);
      // Otherwise the logical offset set above stays, for librdkafka to resolve.
      if (p != nullptr && err == RD_KAFKA_RESP_ERR_NO_ERROR && t.err == RD_KAFKA_RESP_ERR_NO_ERROR && t.offset >= 0)
        p->offset = t.offset;
    }
  }
  for (int i = 0; i < parts->cnt; i++) seen_.insert(key_of(parts->elems[i]));
}

void Consumer::on_rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
  rd_kafka_t* rk = rk_.get();
  const bool cooperative = cooperative_;
  last_rkt_ = nullptr;
  last_offsets_ = nullptr;
  last_activity_ = std::chrono::steady_clock::now();  // a rebalance restarts the --timeout clock
  diag::info(2, "rebalance: %s, %d partition(s), protocol %s", rd_kafka_err2name(err), parts->cnt,
             cooperative ? "COOPERATIVE" : "EAGER");
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    // Only -o other than stored overrides the group's committed offsets, and only on a
    // partition's first assignment in this process.
    bool explicit_start = opt_.offset && opt_.offset->kind != OffsetSpec::kStored &&
                          opt_.offset->kind != OffsetSpec::kBeginning && opt_.offset->kind != OffsetSpec::kEnd;
    if (explicit_start) apply_start_offsets(parts, true);
    for (int i = 0; i < parts->cnt; i++) {
      auto key = key_of(parts->elems[i]);
      tracker_.assign(key.first, key.second);
      assigned_.insert(key);
      at_end_.erase(key);
      seen_.insert(key);
      diag::info(1, "assigned %s [%d]", key.first.c_str(), key.second);
    }
    if (cooperative) {
      if (rd_kafka_error_t* e = rd_kafka_incremental_assign(rk, parts)) {
        error_ = Status(kExitUnavailable, std::string("incremental assign failed: ") + rd_kafka_error_string(e));
        rd_kafka_error_destroy(e);
      }
    } else {
      rd_kafka_assign(rk, parts);
    }
    return;
  }
  // Revocation (or an error): write out and commit what was consumed from the
  // partitions before giving them up, unless they are already lost; with the pump,
  // waiting for the output no longer than kRevokeWait.
  Status st = pump_ && !closed_ ? drain_output(Clock::now() + kRevokeWait) : flush_output();
  if (acks_ != nullptr) {
    Status a = apply_acks();
    if (!a.ok() && error_.ok()) error_ = a;
  }
  // Not from close(): it committed just before, and a synchronous commit from the
  // revocation that rd_kafka_consumer_close() runs can wait forever (seen on the
  // development cluster while the group rebalanced).
  if (!closed_ && !rd_kafka_assignment_lost(rk)) {
    Status c = commit_now(parts);
    if (!c.ok()) diag::warn("commit before revocation failed: %s", c.message().c_str());
  }
  if (!st.ok() && error_.ok()) error_ = st;
  // librdkafka keeps an application's pause across revocation and reassignment: a
  // partition revoked while paused here (output behind, or past -o e@) would never be
  // fetched again if it came back. Resumed now, while librdkafka holds every assigned
  // partition paused for the rebalance, so nothing is fetched before it goes.
  PartitionListPtr resume(rd_kafka_topic_partition_list_new(parts->cnt));
  for (int i = 0; i < parts->cnt; i++) {
    auto key = key_of(parts->elems[i]);
    if (paused_.count(key) > 0 || stopped_.count(key) > 0)
      rd_kafka_topic_partition_list_add(resume.get(), key.first.c_str(), key.second);
  }
  if (resume->cnt > 0) (void)rd_kafka_resume_partitions(rk, resume.get());
  for (int i = 0; i < parts->cnt; i++) {
    auto key = key_of(parts->elems[i]);
    tracker_.remove(key.first, key.second);
    assigned_.erase(key);
    paused_.erase(key);
    at_end_.erase(key);
    stopped_.erase(key);
    diag::info(1, "revoked %s [%d]", key.first.c_str(), key.second);
  }
  if (cooperative) {
    if (rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk, parts)) rd_kafka_error_destroy(e);
  } else {
    rd_kafka_assign(rk, nullptr);
  }
}

void Consumer::on_commit_result(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets) {
  std::string why;
  switch (commits_.on_commit_result(err, offsets, why)) {
    case CommitError::kNone:
      if (commit_failing_ && err == RD_KAFKA_RESP_ERR_NO_ERROR) diag::info(1, "offset commits succeed again");
      commit_failing_ = commit_failing_ && err != RD_KAFKA_RESP_ERR_NO_ERROR;
      break;
    case CommitError::kRefused:
      diag::info(1, "offset commit refused, the group rebalanced (%s): not retried", why.c_str());
      break;
    case CommitError::kFailed:
      if (!commit_failing_) diag::warn("offset commit failed: %s (will retry)", why.c_str());
      commit_failing_ = true;
      break;
  }
}

Status Consumer::flush_output() {
  if (pump_) {
    pump_->wait();
    collect_pump();
    if (Status f = pump_->failed(); !f.ok()) return f;
  }
  if (broken_pipe()) return Status::Ok();
  Status st = out_.flush();
  if (!st.ok()) return st;
  if (!broken_pipe() && acks_ == nullptr) tracker_.ack_all();
  pause_for_output(false);
  return Status::Ok();
}

Status Consumer::pump_output(bool force) {
  std::string& buf = out_.buffer();
  if (!force && !opt_.common.line_buffered && buf.size() < kPumpChunk) return Status::Ok();
  if (buf.size() >= kPausePast && pump_->busy() && paused_.empty()) pump_->wait_until(Clock::now() + kPauseAfter);
  collect_pump();
  if (Status f = pump_->failed(); !f.ok()) return f;
  if (broken_pipe()) {
    buf.clear();
    return Status::Ok();
  }
  if (!buf.empty() && !pump_->busy()) {
    // Everything tracked so far is in this buffer or in one already written.
    pump_marks_.clear();
    tracker_.for_each([&](const std::string& topic, int32_t partition, const PartitionOffsets& p) {
      if (p.last_tracked() >= 0) pump_marks_.push_back({topic, partition, p.last_tracked()});
    });
    pump_->start(buf);
  } else if (buf.empty() && !pump_->busy() && acks_ == nullptr) {
    tracker_.ack_all();  // everything is written (or was rejected: never in the output)
  }
  pause_for_output(buf.size() >= kPausePast);
  return Status::Ok();
}

Status Consumer::drain_output(Clock::time_point deadline) {
  for (int round = 0; round < 2; round++) {  // the buffer being written, then the rest
    if (!pump_->wait_until(deadline)) break;
    if (Status st = pump_output(true); !st.ok()) return st;
  }
  collect_pump();
  if (pump_->busy())
    diag::info(1, "output not written within %lld s: revoked partitions are not committed past it",
               static_cast<long long>(kRevokeWait.count()));
  return Status::Ok();
}

void Consumer::collect_pump() {
  uint64_t done = pump_->done();
  if (done == pump_done_) return;
  pump_done_ = done;
  // Written is done without --acks; with it, only the last stage's acknowledgement is.
  if (!pump_->broken_pipe() && pump_->failed().ok() && acks_ == nullptr) {
    for (const auto& m : pump_marks_)
      if (PartitionOffsets* p = tracker_.find(m.topic, m.partition)) p->ack_through(m.offset);
  }
  pump_marks_.clear();
}

void Consumer::pause_for_output(bool pause) {
  if (!rk_ || (!pause && paused_.empty())) return;
  // Only partitions that handed out a record since their assignment: a resumed
  // partition fetches again from the record after the last one handed out, and one
  // without any starts over from the reset policy (librdkafka 2.0), which would read
  // it again from its beginning. Others are paused once they handed one out.
  PartitionListPtr list(rd_kafka_topic_partition_list_new(4));
  if (pause) {
    tracker_.for_each([&](const std::string& topic, int32_t partition, const PartitionOffsets& p) {
      if (p.last_tracked() >= 0 && paused_.insert({topic, partition}).second)
        rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition);
    });
    if (list->cnt > 0) (void)rd_kafka_pause_partitions(rk_.get(), list.get());
  } else {
    for (const auto& [topic, partition] : paused_)
      rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition);
    (void)rd_kafka_resume_partitions(rk_.get(), list.get());
    paused_.clear();
  }
  if (list->cnt > 0)
    diag::info(2, "output %s: fetching of %d partition(s) %s", pause ? "behind" : "drained", list->cnt,
               pause ? "paused" : "resumed");
}

Status Consumer::commit_now(const rd_kafka_topic_partition_list_t* only) {
  if (!committing_ || !rk_) return Status::Ok();
  std::string why;
  switch (commits_.commit_now(rk_.get(), only, why)) {
    case CommitError::kNone:
      return Status::Ok();
    case CommitError::kRefused:
      diag::info(1,
                 "offset commit refused, the group rebalanced (%s): the partitions' new owners read from the "
                 "last commit",
                 why.c_str());
      return Status::Ok();
    case CommitError::kFailed:
      break;
  }
  return Status(kExitTempFail, "offset commit failed: " + why);
}

bool Consumer::group_caught_up() {
  auto topics = resolve_topics(rk_.get(), opt_.topics, opt_.connect_timeout);
  if (!topics) return false;
  auto lags = group_lag(rk_.get(), *topics, {}, opt_.connect_timeout);
  if (!lags) {
    diag::info(1, "group end check: %s", lags.status().message().c_str());
    return false;
  }
  int64_t lag = 0;
  for (const auto& l : *lags) lag += l.lag;
  diag::info(2, "group %s: lag %lld over %zu partition(s)", opt_.group.c_str(), static_cast<long long>(lag),
             lags->size());
  return lag == 0;
}

void Consumer::update_lag() {
  if (ctr_.partitions != nullptr) ctr_.partitions->update(rk_.get(), tracker_, Clock::now(), true);
}

void Consumer::probe_positions(Clock::time_point now) {
  if (!watch_.due(now)) return;
  std::vector<FetchWatch::Partition> parts;
  for (const auto& key : assigned_)
    if (at_end_.count(key) == 0 && stopped_.count(key) == 0) parts.push_back(key);
  uint64_t wakeups = watch_.wakeups();
  auto ends = watch_.idle(rk_.get(), parts, now);
  if (opt_.exit_at_end) at_end_.insert(ends.begin(), ends.end());
  if (watch_.wakeups() != wakeups) diag::info(2, "queue empty, partitions behind: waking their fetchers");
}

bool Consumer::all_at_end() const {
  if (assigned_.empty()) return false;
  // Asked before every message: the sizes rule most cases out without a lookup (every
  // assigned partition at its end or stopped needs at least as many entries).
  if (at_end_.size() + stopped_.size() < assigned_.size()) return false;
  for (const auto& k : assigned_)
    if (at_end_.count(k) == 0 && stopped_.count(k) == 0) return false;
  return true;
}

bool Consumer::past_stop(const rd_kafka_message_t* msg) {
  // As kcat's -o e@: a partition ends at its first message at or after the time,
  // whatever the timestamps of the messages after it.
  std::pair<std::string, int32_t> key;
  if (!stopped_.empty()) {
    key = {rd_kafka_topic_name(msg->rkt), msg->partition};
    if (stopped_.count(key) > 0) return true;
  }
  int64_t ts = rd_kafka_message_timestamp(msg, nullptr);
  if (ts < 0 || ts < *opt_.stop_at) return false;
  if (key.first.empty()) key = {rd_kafka_topic_name(msg->rkt), msg->partition};
  stopped_.insert(key);
  PartitionListPtr one(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(one.get(), key.first.c_str(), key.second);
  rd_kafka_pause_partitions(rk_.get(), one.get());
  last_rkt_ = nullptr;
  diag::info(1, "%s [%d]: reached the stop time at offset %lld", key.first.c_str(), key.second,
             static_cast<long long>(msg->offset));
  return true;
}

Status Consumer::handle_message(rd_kafka_message_t* msg) {
  if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    at_end_.insert({rd_kafka_topic_name(msg->rkt), msg->partition});
    last_rkt_ = nullptr;  // the next message of this partition clears its end mark
    return Status::Ok();
  }
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* topic = msg->rkt != nullptr ? rd_kafka_topic_name(msg->rkt) : "";
    if (msg->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
        msg->err == RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED) {
      if (!opt_.group_mode() || opt_.exit_at_end)
        return Status(kExitNoInput, std::string(topic) + ": " + rd_kafka_message_errstr(msg));
    }
    diag::warn("%s [%d]: %s", topic, msg->partition, rd_kafka_message_errstr(msg));
    return Status::Ok();
  }
  if (opt_.stop_at && past_stop(msg)) return Status::Ok();
  if (msg->rkt != last_rkt_ || msg->partition != last_partition_ || last_offsets_ == nullptr) {
    std::string topic = rd_kafka_topic_name(msg->rkt);
    last_offsets_ = &tracker_.get(topic, msg->partition);
    last_rkt_ = msg->rkt;
    last_partition_ = msg->partition;
    if (!at_end_.empty()) at_end_.erase({topic, msg->partition});
  }
  last_offsets_->track(msg->offset);
  consumed_++;
  bump_own(*ctr_.messages);  // the counters are written by this thread alone (stats only reads)

  MessageView view = view_of(msg, opt_.format.wants_headers());
  std::string error;
  std::string& buf = out_.buffer();
  size_t before = buf.size();
  if (formatter_.append(view, buf, error)) {
    bump_own(*ctr_.records);
    bump_own(*ctr_.bytes, buf.size() - before);
    if (pump_) return pump_output(false);
    uint64_t written = out_.bytes_written();
    Status st = out_.end_record();
    if (!st.ok()) return st;
    if (out_.bytes_written() != written && !out_.broken_pipe() && acks_ == nullptr) tracker_.ack_all();
    return Status::Ok();
  }
  if (!formatter_.fatal().ok()) return formatter_.fatal();  // registry down: stop, commit nothing more
  bump_own(*ctr_.rejected);
  std::string extra = "\"topic\":" + json_string(view.topic) + ",\"partition\":" + std::to_string(view.partition);
  std::string_view raw = view.value != nullptr ? std::string_view(view.value, view.value_len) : std::string_view();
  Status st = rej_.reject({consumed_, static_cast<uint64_t>(msg->offset), error, raw, extra, ""});
  if (acks_ != nullptr && st.ok()) last_offsets_->ack(msg->offset);  // done here: never in the pipe
  return st;
}

Status Consumer::run() {
  auto next_commit = Clock::now() + opt_.commit_interval;
  auto next_store = Clock::now();
  auto next_group_check = Clock::now() + std::chrono::seconds(1);
  auto next_lag = Clock::now();
  last_activity_ = Clock::now();
  started_ = last_activity_;
  bool idle = true;
  bool active = false;  // a message arrived since last_activity_ was set
  uint64_t since_check = 0;
  while (error_.ok()) {
    if (stop_requested() || broken_pipe()) break;
    if (opt_.count > 0 && consumed_ >= static_cast<uint64_t>(opt_.count)) break;
    if ((opt_.exit_at_end || opt_.stop_at) && all_at_end()) break;
    rd_kafka_message_t* msg = rd_kafka_consumer_poll(rk_.get(), idle ? 25 : 0);
    Clock::time_point now;
    if (msg == nullptr) {
      now = Clock::now();
      if (active || !paused_.empty()) last_activity_ = now;  // waiting for the pipe is not idle input
      active = false;
      if (pump_) {
        // Input went idle (or fetching waits for the pump): the pipe sees what is buffered now.
        if (Status st = pump_output(true); !st.ok()) return st;
        idle = true;
      } else if (!idle) {
        // Input went idle: write out what is buffered so the pipe sees it now.
        if (Status st = flush_output(); !st.ok()) return st;
        idle = true;
      }
      if (paused_.empty()) probe_positions(now);
      if (opt_.idle_timeout && now - last_activity_ >= *opt_.idle_timeout) {
        diag::info(1, "no message for %lld ms: exiting", static_cast<long long>(opt_.idle_timeout->count()));
        break;
      }
      if (opt_.exit_at_group_end && now >= next_group_check) {
        commits_.store(rk_.get());
        if (tracker_.pending() == 0 && group_caught_up()) {
          diag::info(1, "the group has caught up (no lag on any partition): exiting");
          break;
        }
        next_group_check = Clock::now() + std::chrono::seconds(1);
      }
    } else {
      Status st = handle_message(msg);
      bool real = msg->err == RD_KAFKA_RESP_ERR_NO_ERROR;
      rd_kafka_message_destroy(msg);
      if (!st.ok()) return st;
      if (real) {
        idle = false;
        active = true;
      }
      // The clock, commits and lag are looked at every 1024 messages while busy.
      if (++since_check < 1024 && !idle) continue;
      since_check = 0;
      now = Clock::now();
      if (active) last_activity_ = now;
      active = false;
    }
    if (acks_ != nullptr) {
      if (Status st = apply_acks(); !st.ok()) return st;
      if (Status st = throttle_unacked(); !st.ok()) return st;
    }
    if (now >= next_commit) {
      // Written out at least once per interval, so that librdkafka's next commit has it.
      if (Status st = pump_ ? pump_output(true) : flush_output(); !st.ok()) return st;
      next_commit = now + opt_.commit_interval;
    }
    if (committing_ && now >= next_store) {
      commits_.store(rk_.get());
      next_store = now + std::chrono::milliseconds(100);
    }
    if (now >= next_lag) {
      update_lag();
      next_lag = now + std::chrono::seconds(1);
    }
  }
  return error_;
}

Status Consumer::close() {
  if (closed_ || !rk_) return Status::Ok();
  closed_ = true;
  // Commit whatever was written (--acks: acknowledged), even after a write error or a
  // closed pipe.
  Status result = flush_output();
  if (acks_ != nullptr) {
    Status w = wait_for_acks();
    if (result.ok()) result = w;
  }
  Status committed = commit_now(nullptr);
  if (result.ok()) result = committed;
  update_lag();
  // Leaves the group; the revocation callback commits nothing (see on_rebalance).
  rd_kafka_consumer_close(rk_.get());
  rk_.reset();
  return result;
}

}  // namespace airstream::kconsume
