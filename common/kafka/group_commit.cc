// Group commits through librdkafka's offset store (see group_commit.h): store() puts
// the tracker's committable offsets into the store (rd_kafka_offsets_store), the
// automatic commit sends them while the group is stable, and commit_now() commits
// synchronously through rd_kafka_commit_queue with a temporary queue, whose callback
// is served by the call itself. Every result, automatic or not, goes through
// on_commit_result, which counts committed records and classifies errors.
#include "common/kafka/group_commit.h"

#include "common/kafka/conf.h"

namespace airstream {

CommitError classify_commit_error(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
    case RD_KAFKA_RESP_ERR__NO_OFFSET:  // nothing to commit
      return CommitError::kNone;
    case RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID:
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID:
    case RD_KAFKA_RESP_ERR__ASSIGNMENT_LOST:
    case RD_KAFKA_RESP_ERR__STATE:  // the partition is not assigned to us (any more)
    case RD_KAFKA_RESP_ERR__DESTROY:
      return CommitError::kRefused;
    default:
      return CommitError::kFailed;
  }
}

std::vector<std::pair<std::string, std::string>> group_commit_conf(std::chrono::milliseconds interval) {
  return {
      {"enable.auto.commit", "true"},
      {"auto.commit.interval.ms", std::to_string(interval.count())},
      {"enable.auto.offset.store", "false"},
  };
}

void GroupCommits::store(rd_kafka_t* rk) {
  std::vector<CommitOffset> dirty = tracker_.dirty();
  if (dirty.empty() || rk == nullptr) return;
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(dirty.size())));
  for (const auto& d : dirty) {
    rd_kafka_topic_partition_list_add(list.get(), d.topic.c_str(), d.partition)->offset = d.offset;
    auto key = std::make_pair(d.topic, d.partition);
    if (base_.count(key) == 0) {
      const PartitionOffsets* p = tracker_.find(d.topic, d.partition);
      base_[key] = p != nullptr && p->first_tracked() >= 0 ? p->first_tracked() : d.offset;
    }
  }
  // Per-partition errors (a partition no longer assigned) need nothing: it is gone.
  (void)rd_kafka_offsets_store(rk, list.get());
  tracker_.mark_committed(dirty);  // "handed over": stored, to be committed by librdkafka
}

namespace {

struct SyncResult {
  GroupCommits* self = nullptr;
  CommitError outcome = CommitError::kNone;
  std::string message;
  bool called = false;
};

void sync_commit_cb(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets, void* opaque) {
  auto* r = static_cast<SyncResult*>(opaque);
  r->called = true;
  r->outcome = r->self->on_commit_result(err, offsets, r->message);
}

}  // namespace

CommitError GroupCommits::commit_now(rd_kafka_t* rk, const rd_kafka_topic_partition_list_t* only,
                                     std::string& message) {
  if (rk == nullptr) return CommitError::kNone;
  store(rk);
  PartitionListPtr list;
  if (only != nullptr) {
    // The revoked partitions' stored offsets (those not handed out by store() yet
    // are already in it: store() just ran).
    list.reset(rd_kafka_topic_partition_list_new(only->cnt));
    for (int i = 0; i < only->cnt; i++) {
      const PartitionOffsets* p = tracker_.find(only->elems[i].topic, only->elems[i].partition);
      if (p == nullptr || p->committable() < 0) continue;
      rd_kafka_topic_partition_list_add(list.get(), only->elems[i].topic, only->elems[i].partition)->offset =
          p->committable();
    }
    if (list->cnt == 0) return CommitError::kNone;
  }
  SyncResult r;
  r.self = this;
  rd_kafka_resp_err_t err = rd_kafka_commit_queue(rk, list.get(), nullptr, sync_commit_cb, &r);
  if (!r.called) {
    CommitError c = classify_commit_error(err);
    if (c != CommitError::kNone) {
      message = rd_kafka_err2str(err);
      if (c == CommitError::kRefused) refused_++;
      if (c == CommitError::kFailed) failed_++;
    }
    return c;
  }
  message = r.message;
  return r.outcome;
}

void GroupCommits::count_committed(const char* topic, int32_t partition, int64_t offset) {
  auto it = base_.find({topic, partition});
  if (it == base_.end()) {
    base_[{topic, partition}] = offset;
    return;
  }
  if (offset > it->second) committed_records_ += static_cast<uint64_t>(offset - it->second);
  it->second = offset;
}

CommitError GroupCommits::on_commit_result(rd_kafka_resp_err_t err, const rd_kafka_topic_partition_list_t* offsets,
                                           std::string& message) {
  CommitError worst = classify_commit_error(err);
  if (worst != CommitError::kNone) message = rd_kafka_err2str(err);
  if (offsets != nullptr) {
    for (int i = 0; i < offsets->cnt; i++) {
      const auto& p = offsets->elems[i];
      rd_kafka_resp_err_t e = err != RD_KAFKA_RESP_ERR_NO_ERROR ? err : p.err;
      CommitError c = classify_commit_error(e);
      if (c == CommitError::kNone) {
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR && p.offset >= 0) count_committed(p.topic, p.partition, p.offset);
        continue;
      }
      if (worst == CommitError::kNone || (worst == CommitError::kRefused && c == CommitError::kFailed)) {
        worst = c;
        message = std::string(p.topic) + " [" + std::to_string(p.partition) + "]: " + rd_kafka_err2str(e);
      }
    }
  }
  if (worst == CommitError::kRefused) refused_++;
  if (worst == CommitError::kFailed) failed_++;
  return worst;
}

}  // namespace airstream
