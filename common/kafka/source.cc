// KafkaSource: a group consumer with contiguous offset commits (see the header).
// librdkafka settings: the offsets acknowledged (OffsetTracker) go to librdkafka's
// offset store, which librdkafka commits in the background (GroupCommits);
// cooperative-sticky assignment with incremental assign/unassign (eager protocols
// handled too), and partition EOF events for exit_at_end. On revocation the source
// commits what is acknowledged, asks the sink to flush, waits up to revoke_wait for
// the acknowledgements of the revoked partitions, and commits again what they added
// before letting them go;
// acknowledgements that arrive later are ignored, and the new owner re-reads from
// the commit. exit_at_group_end asks the coordinator for the group's committed
// offsets (common/kafka/topics.h) once a second while this member is idle.
#include "common/kafka/source.h"

#include <algorithm>
#include <cstring>
#include <thread>

#include "common/json/json.h"
#include "common/kafka/topics.h"
#include "common/units.h"

namespace airstream {
void add_kafka_sink_options(CLI::App& app, KafkaSinkOptions& o, const std::string& tool, CLI::Option* inputs) {
  o.group = tool;
  auto* from = app.add_option("--from-kafka", o.from_kafka,
                              "Read records from these Kafka topics (consumer group) instead of files; offsets are "
                              "committed once the records up to them are stored")
                   ->delimiter(',')
                   ->allow_extra_args(false)
                   ->type_name("TOPIC[,TOPIC...]");
  if (inputs != nullptr) from->excludes(inputs);
  app.add_option("-g,--group", o.group, "Consumer group of --from-kafka (default " + tool + ")")->type_name("GROUP");
  add_kafka_options(app, o.kafka);
  app.add_option("--kafka-start", o.kafka_start,
                 "Where a group without committed offsets starts: beginning or end (default beginning)")
      ->check(CLI::IsMember({"beginning", "end"}));
  app.add_flag("-e,--exit-at-end", o.exit_at_end,
               "With --from-kafka: stop once every partition assigned to this member is read to its end and stored "
               "(per member: other members' partitions are not waited for)");
  app.add_flag("--exit-at-group-end", o.exit_at_group_end,
               "With --from-kafka: stop only once the whole group has caught up (its committed offsets are at the "
               "end of every partition of the topics), for batch runs of several members");
  app.add_option("--commit-interval", o.commit_interval,
                 "With --from-kafka: how often stored offsets are committed (default 1s)")
      ->type_name("DURATION");
}

Result<KafkaSourceOptions> kafka_sink_source_options(const KafkaSinkOptions& o, const std::string& tool,
                                                     int prefetch_kbytes) {
  if (o.from_kafka.empty() &&
      (o.exit_at_end || o.exit_at_group_end || o.kafka_start != "beginning" || o.commit_interval != "1s")) {
    return Status(kExitUsage, "-e, --exit-at-group-end, --kafka-start and --commit-interval need --from-kafka");
  }
  auto interval = parse_duration(o.commit_interval);
  if (!interval.ok()) return Status(kExitUsage, "--commit-interval: " + interval.status().message());
  if (interval->count() <= 0) return Status(kExitUsage, "--commit-interval: must be positive");
  KafkaSourceOptions ko;
  ko.kafka = o.kafka;
  // A small, bounded prefetch (librdkafka's defaults: a 64 MiB queue plus a fetch
  // response of up to 50 MiB per broker): a sink is slower than Kafka, and FetchWatch
  // wakes the fetchers as soon as the queue runs dry. A broker has one fetch in
  // flight at a time, and one of partitions at their end is held for
  // fetch.wait.max.ms: partitions that were woken wait for it (up to 500 ms by
  // default, near the end of every -e run). -X/-F come later and win.
  ko.kafka.props.insert(ko.kafka.props.begin(), {"queued.max.messages.kbytes=" + std::to_string(prefetch_kbytes),
                                                 "fetch.max.bytes=2097152", "fetch.wait.max.ms=100"});
  ko.topics = o.from_kafka;
  ko.group = o.group;
  ko.start = o.kafka_start;
  ko.commit_interval = std::chrono::duration_cast<std::chrono::milliseconds>(*interval);
  ko.exit_at_end = o.exit_at_end;
  ko.exit_at_group_end = o.exit_at_group_end;
  ko.client_id = tool;
  return ko;
}

KafkaSource::~KafkaSource() {
  if (rk_ != nullptr) {
    rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
  }
}

Status KafkaSource::open(const KafkaSourceOptions& options) {
  opt_ = options;
  if (opt_.group.empty()) return Status(kExitUsage, "a consumer group is required to read from Kafka");
  if (opt_.topics.empty()) return Status(kExitUsage, "no Kafka topic given");
  if (opt_.start != "beginning" && opt_.start != "end") {
    return Status(kExitUsage, "start offset must be beginning or end, not " + opt_.start);
  }
  std::vector<std::pair<std::string, std::string>> defaults = {
      {"client.id", opt_.client_id},
      {"group.id", opt_.group},
      {"auto.offset.reset", opt_.start == "end" ? "latest" : "earliest"},
      {"partition.assignment.strategy", "cooperative-sticky"},
      {"enable.partition.eof", opt_.exit_at_end ? "true" : "false"},
      {"log.connection.close", "false"},
  };
  for (auto& kv : group_commit_conf(opt_.commit_interval)) defaults.push_back(std::move(kv));
  auto conf = make_kafka_conf(opt_.kafka, defaults);
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_set_opaque(conf->get(), this);
  rd_kafka_conf_set_rebalance_cb(conf->get(), &KafkaSource::rebalance_cb);
  cooperative_ = cooperative_assignor(conf->get());
  rd_kafka_conf_set_offset_commit_cb(conf->get(), &KafkaSource::commit_cb);
  char err[512];
  tune_malloc_for_consumer();
  rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), err, sizeof err);
  if (rk_ == nullptr) return Status(kExitConfig, std::string("cannot create Kafka consumer: ") + err);
  conf->release();
  rd_kafka_poll_set_consumer(rk_);

  PartitionListPtr subs(rd_kafka_topic_partition_list_new(static_cast<int>(opt_.topics.size())));
  for (const auto& t : opt_.topics) rd_kafka_topic_partition_list_add(subs.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_resp_err_t e = rd_kafka_subscribe(rk_, subs.get());
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
    return Status(kExitConfig, std::string("cannot subscribe: ") + rd_kafka_err2str(e));
  next_store_ = std::chrono::steady_clock::now();
  next_group_check_ = next_store_ + std::chrono::seconds(1);
  return Status::Ok();
}

void KafkaSource::commit_cb(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets,
                            void* opaque) {
  auto* self = static_cast<KafkaSource*>(opaque);
  std::string why;
  CommitError result = self->commits_.on_commit_result(err, offsets, why);
  self->on_commit(result, why);
}

void KafkaSource::on_commit(CommitError result, const std::string& why) {
  if (result == CommitError::kFailed && !commit_failing_) {
    warning_ = "cannot commit offsets: " + why + " (will retry; records go on being stored)";
  }
  if (result != CommitError::kRefused) commit_failing_ = result == CommitError::kFailed;
}

std::string KafkaSource::take_warning() {
  std::string w;
  w.swap(warning_);
  return w;
}

bool KafkaSource::finish_revoked(const rd_kafka_topic_partition_list_t* parts) {
  auto in_flight = [&] {
    size_t n = 0;
    for (int i = 0; i < parts->cnt; i++)
      if (const PartitionOffsets* p = tracker_.find(parts->elems[i].topic, parts->elems[i].partition))
        n += p->pending();
    return n;
  };
  apply_acks();
  const size_t before = in_flight();
  if (before == 0) return false;
  if (flush_hook_) flush_hook_();
  auto deadline = std::chrono::steady_clock::now() + opt_.revoke_wait;
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    apply_acks();
    if (in_flight() == 0) break;
  }
  return in_flight() < before;
}

void KafkaSource::rebalance_cb(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                               void* opaque) {
  static_cast<KafkaSource*>(opaque)->on_rebalance(err, parts);
}

void KafkaSource::on_rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
  const bool cooperative = cooperative_;
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    for (int i = 0; i < parts->cnt; i++) tracker_.assign(parts->elems[i].topic, parts->elems[i].partition);
    last_offsets_ = nullptr;  // assign() replaces the partitions' entries
    assigned_ = cooperative ? assigned_ + static_cast<size_t>(parts->cnt) : static_cast<size_t>(parts->cnt);
    ever_assigned_ = true;
    if (cooperative) {
      rd_kafka_error_t* e = rd_kafka_incremental_assign(rk_, parts);
      if (e != nullptr) rd_kafka_error_destroy(e);
    } else {
      rd_kafka_assign(rk_, parts);
    }
    if (paused_) (void)rd_kafka_pause_partitions(rk_, parts);
    return;
  }
  // Revocation (or lost partitions): finish and commit what is done, then forget them.
  apply_acks();
  // Not while closing: close() committed everything settled just before, and a
  // synchronous commit from the revocation that rd_kafka_consumer_close() runs can wait
  // forever (seen on the development cluster while the group rebalanced).
  if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS && !closing_ && !rd_kafka_assignment_lost(rk_)) {
    // Twice: what is acknowledged now, at once, then what the writes in flight add.
    // The first is most of it; it goes before the coordinator may close the commit
    // window again (the development cluster refuses commits as soon as a member
    // rejoins, which can be while this member still waits for its writes: the
    // partitions' new owner then started at the commit before the join, and pgload,
    // whose revocation waits for a COPY, re-wrote 5-8% of bench/group.sh's run).
    std::string why;
    on_commit(commits_.commit_now(rk_, parts, why), why);
    if (finish_revoked(parts)) on_commit(commits_.commit_now(rk_, parts, why), why);
  }
  for (int i = 0; i < parts->cnt; i++) {
    if (revoked_hook_) revoked_hook_(parts->elems[i].topic, parts->elems[i].partition);
    tracker_.remove(parts->elems[i].topic, parts->elems[i].partition);
    last_offsets_ = nullptr;
    std::pair<std::string, int32_t> key(parts->elems[i].topic, parts->elems[i].partition);
    at_end_.erase(std::remove(at_end_.begin(), at_end_.end(), key), at_end_.end());
  }
  if (cooperative) {
    assigned_ -= std::min(assigned_, static_cast<size_t>(parts->cnt));
    rd_kafka_error_t* e = rd_kafka_incremental_unassign(rk_, parts);
    if (e != nullptr) rd_kafka_error_destroy(e);
  } else {
    assigned_ = 0;
    rd_kafka_assign(rk_, nullptr);
  }
}

void KafkaSource::set_paused(bool pause) {
  rd_kafka_topic_partition_list_t* assignment = nullptr;
  if (rd_kafka_assignment(rk_, &assignment) != RD_KAFKA_RESP_ERR_NO_ERROR || assignment == nullptr) return;
  if (pause) {
    (void)rd_kafka_pause_partitions(rk_, assignment);
  } else {
    (void)rd_kafka_resume_partitions(rk_, assignment);
  }
  rd_kafka_topic_partition_list_destroy(assignment);
  if (pause) pauses_++;
  paused_ = pause;
}

void KafkaSource::ack(const std::string& topic, int32_t partition, int64_t offset) {
  std::lock_guard<std::mutex> lock(ack_mu_);
  acks_.push_back({topic, partition, offset});
  acks_waiting_.store(true, std::memory_order_release);
}

void KafkaSource::apply_acks() {
  // Called for every record handed out: no lock while nothing was acknowledged.
  if (!acks_waiting_.load(std::memory_order_acquire)) return;
  {
    std::lock_guard<std::mutex> lock(ack_mu_);
    acks_swap_.swap(acks_);
    acks_waiting_.store(false, std::memory_order_relaxed);
  }
  // Acknowledgements come in runs of one partition: its offsets are looked up once a run.
  PartitionOffsets* p = nullptr;
  const PendingAck* prev = nullptr;
  for (const auto& a : acks_swap_) {
    if (prev == nullptr || a.partition != prev->partition || a.topic != prev->topic)
      p = tracker_.find(a.topic, a.partition);
    prev = &a;
    if (p != nullptr) p->ack(a.offset);
  }
  acks_swap_.clear();
}

size_t KafkaSource::pending() {
  apply_acks();
  return tracker_.pending();
}

bool KafkaSource::group_caught_up() {
  constexpr std::chrono::milliseconds kTimeout{5000};
  auto topics = resolve_topics(rk_, opt_.topics, kTimeout);
  if (!topics.ok()) return false;
  auto lags = group_lag(rk_, *topics, {}, kTimeout);
  if (!lags.ok()) return false;
  for (const auto& l : *lags)
    if (l.lag > 0) return false;
  return true;
}

void KafkaSource::on_idle() {
  auto now = std::chrono::steady_clock::now();
  if (!watch_.due(now)) return;
  rd_kafka_topic_partition_list_t* assignment = nullptr;
  if (rd_kafka_assignment(rk_, &assignment) != RD_KAFKA_RESP_ERR_NO_ERROR || assignment == nullptr) return;
  std::vector<FetchWatch::Partition> parts;
  for (int i = 0; i < assignment->cnt; i++) {
    FetchWatch::Partition key(assignment->elems[i].topic, assignment->elems[i].partition);
    if (std::find(at_end_.begin(), at_end_.end(), key) == at_end_.end()) parts.push_back(std::move(key));
  }
  rd_kafka_topic_partition_list_destroy(assignment);
  for (auto& key : watch_.idle(rk_, parts, now))
    if (opt_.exit_at_end) at_end_.push_back(std::move(key)), at_end_grew_ = true;
}

bool KafkaSource::all_at_end() const {
  return ever_assigned_ && assigned_ > 0 && at_end_.size() >= assigned_;
}

std::string KafkaRecord::extra_json() const {
  return "\"topic\":" + json_string(topic) + ",\"partition\":" + std::to_string(partition) +
         ",\"offset\":" + std::to_string(offset);
}

namespace {
// The longest single poll of a wait in next() (see there).
constexpr std::chrono::milliseconds kIdleSlice{10};
// Records acknowledged but not committable yet (behind one in flight) pause fetching
// at this many times max_pending, at most kMaxWaiting (their bookkeeping: 24 bytes each).
constexpr size_t kWaitingFactor = 64;
constexpr size_t kMaxWaiting = size_t{1} << 18;
}  // namespace

KafkaSource::Next KafkaSource::next(KafkaRecord& out, std::chrono::milliseconds timeout, std::string* value_into) {
  auto now = std::chrono::steady_clock::now();
  if (metrics_ != nullptr) metrics_->update(rk_, tracker_, now);
  apply_acks();
  if (now >= next_store_) {
    commits_.store(rk_);  // librdkafka commits the store every commit_interval
    next_store_ = now + std::chrono::milliseconds(50);
  }
  // At the end but with records in flight: go on polling (not return at once), so
  // that rebalances are served and the loop does not spin while the writes finish.
  if (opt_.exit_at_end && all_at_end() && tracker_.pending() == 0) return Next::kEnd;
  // Backpressure: no fetching while the sink is this far behind (callbacks are still
  // served by the poll below). Paused partitions resume at the next record to hand out.
  // (Counted over every partition: every 64th call only while not paused.) Behind means
  // records handed out and not acknowledged: those acknowledged at once (filtered out)
  // and waiting for their commit behind one of them are bounded far higher (they cost
  // their bookkeeping only), or a sink's filter would pause fetching again and again.
  if (paused_ || ++pending_checks_ % 64 == 0) {
    const size_t waiting_bound = std::max(opt_.max_pending, std::min(kWaitingFactor * opt_.max_pending, kMaxWaiting));
    bool over = tracker_.unacked() >= opt_.max_pending || tracker_.pending() >= waiting_bound;
    if (over != paused_) set_paused(over);
  }
  // The wait is polled in slices of at most kIdleSlice, each empty one followed by a
  // look at the fetchers (on_idle): when the prefetch queue runs dry while partitions
  // are behind, their fetchers are woken within a slice, not after the whole wait.
  // (Waking them only after a 100 ms wait left the direct path idle for most of each
  // cycle of filling and draining the bounded queue: 78,000 records/s on 1M users
  // against 150,000 and more with 10 ms slices, bench/direct.sh.)
  const auto deadline = now + timeout;
  rd_kafka_message_t* msg = nullptr;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    msg = rd_kafka_consumer_poll(rk_,
                                 static_cast<int>(std::clamp(left, std::chrono::milliseconds(0), kIdleSlice).count()));
    if (msg != nullptr) break;
    on_idle();
    if (left <= kIdleSlice || (opt_.exit_at_end && all_at_end())) break;
  }
  draining_.store(msg == nullptr && ((opt_.exit_at_end && all_at_end()) || opt_.exit_at_group_end),
                  std::memory_order_relaxed);
  if (msg == nullptr) {
    if (opt_.exit_at_group_end && std::chrono::steady_clock::now() >= next_group_check_) {
      commits_.store(rk_);
      if (tracker_.pending() == 0 && group_caught_up()) return Next::kEnd;
      next_group_check_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    }
    return Next::kIdle;
  }
  struct Free {
    rd_kafka_message_t* m;
    ~Free() { rd_kafka_message_destroy(m); }
  } free_msg{msg};
  if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    std::pair<std::string, int32_t> key(rd_kafka_topic_name(msg->rkt), msg->partition);
    if (std::find(at_end_.begin(), at_end_.end(), key) == at_end_.end()) at_end_.push_back(key), at_end_grew_ = true;
    return Next::kIdle;
  }
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (msg->err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC || msg->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
        msg->err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) {
      status_ = Status(kExitUnavailable, std::string("Kafka: ") + rd_kafka_message_errstr(msg));
      return Next::kError;
    }
    return Next::kIdle;  // transient consumer errors: librdkafka retries by itself
  }
  out.partition = msg->partition;
  out.offset = msg->offset;
  out.seq = ++seq_;
  // Messages come in runs of one partition: its bookkeeping is looked up once a run,
  // and at_end_ is searched only when the partition changed or at_end_ grew since.
  bool same = last_offsets_ != nullptr && msg->rkt == last_rkt_ && msg->partition == last_partition_;
  if (!same) {
    last_topic_ = rd_kafka_topic_name(msg->rkt);
    last_offsets_ = &tracker_.get(last_topic_, out.partition);
    last_rkt_ = msg->rkt;
    last_partition_ = msg->partition;
  }
  out.topic = last_topic_;
  if (!at_end_.empty() && (!same || at_end_grew_)) {
    std::pair<std::string, int32_t> key(out.topic, out.partition);
    at_end_.erase(std::remove(at_end_.begin(), at_end_.end(), key), at_end_.end());
    at_end_grew_ = false;
  }
  std::string& value = value_into != nullptr ? *value_into : buf_;
  value.reserve(msg->len + kJsonPadding);
  value.assign(static_cast<const char*>(msg->payload), msg->len);
  value.append(kJsonPadding, '\0');
  out.value = std::string_view(value.data(), msg->len);
  last_offsets_->track(out.offset);
  return Next::kRecord;
}

Status KafkaSource::close() {
  if (rk_ == nullptr) return Status::Ok();
  apply_acks();
  std::string why;
  Status st;
  if (commits_.commit_now(rk_, nullptr, why) == CommitError::kFailed)
    st = Status(kExitTempFail, "cannot commit offsets: " + why);
  if (metrics_ != nullptr) metrics_->update(rk_, tracker_, std::chrono::steady_clock::now(), true);
  closing_ = true;
  rd_kafka_consumer_close(rk_);
  rd_kafka_destroy(rk_);
  rk_ = nullptr;
  return st;
}

}  // namespace airstream
