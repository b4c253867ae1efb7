// kproduce's producer: librdkafka with a delivery-report callback per message.
// Every enqueued message carries a small Pending record (line, offset, raw input
// when needed); its delivery report either confirms it (statistics, --tee output) or
// sends it to the reject file with the broker's error. A full local queue (QUEUE_FULL)
// is served by polling, so memory stays bounded. Reachability: librdkafka reports
// _ALL_BROKERS_DOWN through the error callback; if no delivery succeeds for the
// --timeout after that, the remaining messages are purged and rejected and the run
// fails with 69. Transactions follow KIP-98 through librdkafka's transactional API
// (init, begin, commit every N records, abort on a signal or an abortable error).
#include "producer.h"

#include <algorithm>
#include <memory>

#include "common/json/json.h"

namespace kproduce {
namespace {

using airstream::Status;

struct Pending {
  uint64_t line = 0;
  uint64_t offset = 0;
  std::string raw;  // only when ProducerSettings::keep_raw
};

std::string err_text(rd_kafka_resp_err_t e) {
  return std::string(rd_kafka_err2name(e)) + ": " + rd_kafka_err2str(e);
}

}  // namespace

Producer::Producer(ProducerSettings settings, airstream::Rejecter& rejecter, ProducerCounters counters,
                   airstream::Writer* tee)
    : set_(std::move(settings)), rejecter_(rejecter), counters_(counters), tee_(tee) {}

Producer::~Producer() {
  if (rk_ == nullptr) return;
  for (auto& [name, rkt] : topics_) rd_kafka_topic_destroy(rkt);
  // Anything still queued here was already accounted for (drain() ran or the run failed).
  rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_poll(rk_, 0);
  rd_kafka_destroy(rk_);
}

Status Producer::open(airstream::KafkaConfPtr conf) {
  rd_kafka_conf_set_opaque(conf.get(), this);
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &Producer::on_delivery);
  rd_kafka_conf_set_error_cb(conf.get(), &Producer::on_error);
  char err[512];
  rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), err, sizeof err);
  if (rk_ == nullptr) return Status(airstream::kExitConfig, std::string("cannot create the producer: ") + err);
  conf.release();  // owned by rk_ now
  if (set_.transactional) {
    rd_kafka_error_t* e = rd_kafka_init_transactions(rk_, static_cast<int>(set_.timeout_ms));
    if (e != nullptr) return txn_error("init_transactions", e);
  }
  return Status::Ok();
}

Status Producer::wait_reachable() {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t e = rd_kafka_metadata(rk_, 0, nullptr, &md, static_cast<int>(set_.timeout_ms));
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
    return Status(airstream::kExitUnavailable, "no Kafka broker reachable within " +
                                                   std::to_string(set_.timeout_ms / 1000.0).substr(0, 5) + "s (" +
                                                   err_text(e) + ")");
  rd_kafka_metadata_destroy(md);
  return Status::Ok();
}

Status Producer::create_topic(const std::string& name, int partitions, int replication) {
  char err[512];
  if (replication < 1) {
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk_, 0, nullptr, &md, static_cast<int>(set_.timeout_ms));
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return Status(airstream::kExitUnavailable, "metadata: " + err_text(e));
    replication = md->broker_cnt < 3 ? md->broker_cnt : 3;
    rd_kafka_metadata_destroy(md);
  }
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(name.c_str(), partitions, replication, err, sizeof err);
  if (nt == nullptr) return Status(airstream::kExitUsage, std::string("--create-topic: ") + err);
  rd_kafka_AdminOptions_t* ao = rd_kafka_AdminOptions_new(rk_, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_request_timeout(ao, static_cast<int>(set_.timeout_ms), err, sizeof err);
  rd_kafka_AdminOptions_set_operation_timeout(ao, static_cast<int>(set_.timeout_ms), err, sizeof err);
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk_);
  rd_kafka_CreateTopics(rk_, &nt, 1, ao, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, static_cast<int>(set_.timeout_ms) + 5000);
  Status st;
  if (ev == nullptr) {
    st = Status(airstream::kExitUnavailable, "create topic " + name + ": no answer within the timeout");
  } else if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_resp_err_t e = rd_kafka_event_error(ev);
    int code = e == RD_KAFKA_RESP_ERR__TIMED_OUT || e == RD_KAFKA_RESP_ERR__TRANSPORT ? airstream::kExitUnavailable
                                                                                      : airstream::kExitSoftware;
    st = Status(code, "create topic " + name + ": " + rd_kafka_event_error_string(ev));
  } else {
    size_t cnt = 0;
    const rd_kafka_topic_result_t** res =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &cnt);
    rd_kafka_resp_err_t e = cnt == 1 ? rd_kafka_topic_result_error(res[0]) : RD_KAFKA_RESP_ERR__BAD_MSG;
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      const char* msg = cnt == 1 ? rd_kafka_topic_result_error_string(res[0]) : nullptr;
      st = Status(airstream::kExitSoftware,
                  "create topic " + name + ": " + err_text(e) + (msg != nullptr ? std::string(" (") + msg + ")" : ""));
    }
  }
  if (ev != nullptr) rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_AdminOptions_destroy(ao);
  rd_kafka_NewTopic_destroy(nt);
  return st;
}

rd_kafka_topic_t* Producer::topic_handle(std::string_view name) {
  if (name.empty()) name = set_.default_topic;
  auto it = topics_.find(std::string(name));
  if (it != topics_.end()) return it->second;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk_, std::string(name).c_str(), nullptr);
  if (rkt != nullptr) topics_.emplace(std::string(name), rkt);
  return rkt;
}

Status Producer::produce(const OutMessage& m, uint64_t line, uint64_t offset, std::string_view raw) {
  if (!failure_.ok()) return failure_;
  rd_kafka_topic_t* rkt = topic_handle(m.topic);
  auto pending = std::make_unique<Pending>();
  pending->line = line;
  pending->offset = offset;
  if (set_.keep_raw) pending->raw.assign(raw);
  rd_kafka_headers_t* hdrs = nullptr;
  if (!m.headers.empty()) {
    hdrs = rd_kafka_headers_new(m.headers.size());
    for (const auto& h : m.headers)
      rd_kafka_header_add(hdrs, h.name.data(), static_cast<ssize_t>(h.name.size()),
                          h.is_null ? nullptr : h.value.data(), h.is_null ? 0 : static_cast<ssize_t>(h.value.size()));
  }
  rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR__INVALID_ARG;
  for (;;) {
    if (rkt == nullptr) break;
    e = rd_kafka_producev(
        rk_, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(m.partition), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_VALUE(m.has_value ? const_cast<char*>(m.value.data()) : nullptr, m.has_value ? m.value.size() : 0),
        RD_KAFKA_V_KEY(m.has_key ? m.key.data() : nullptr, m.has_key ? m.key.size() : 0),
        RD_KAFKA_V_TIMESTAMP(m.timestamp), RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(pending.get()), RD_KAFKA_V_END);
    if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
    // Backpressure: the local queue is full; serve delivery reports until there is room.
    if (counters_.queue_full != nullptr) (*counters_.queue_full)++;
    rd_kafka_poll(rk_, 20);
    check_deadline();
    if (!failure_.ok()) break;
  }
  if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
    pending.release();  // freed in the delivery report
    if (outstanding_++ == 0) last_progress_ = std::chrono::steady_clock::now();
    if (set_.transactional) {
      if (txn_first_line_ == 0) txn_first_line_ = line;
      txn_last_line_ = line;
    }
    rd_kafka_poll(rk_, 0);
    return failure_;
  }
  if (hdrs != nullptr) rd_kafka_headers_destroy(hdrs);
  if (!failure_.ok()) return failure_;
  if (e == RD_KAFKA_RESP_ERR__FATAL) {
    char reason[512];
    rd_kafka_fatal_error(rk_, reason, sizeof reason);
    failure_ = Status(airstream::kExitSoftware, std::string("fatal producer error: ") + reason);
    return failure_;
  }
  failures_++;
  if (counters_.failed != nullptr) (*counters_.failed)++;
  std::string reason = rkt == nullptr ? "cannot use topic " + std::string(m.topic) : "not produced: " + err_text(e);
  extra_ = "\"topic\":";
  airstream::append_json_string(extra_, m.topic.empty() ? std::string_view(set_.default_topic) : m.topic);
  extra_ += ",\"partition\":" + std::to_string(m.partition);
  return rejecter_.reject({line, offset, reason, raw, extra_, {}});
}

Status Producer::poll(int wait_ms) {
  if (wait_ms > 0) rd_kafka_flush(rk_, wait_ms);
  rd_kafka_poll(rk_, 0);
  return failure_;
}

void Producer::check_deadline() {
  if (!all_down_ || !failure_.ok()) return;
  auto down = std::chrono::steady_clock::now() - std::max(down_since_, last_progress_);
  if (std::chrono::duration_cast<std::chrono::milliseconds>(down).count() < set_.timeout_ms) return;
  failure_ = Status(airstream::kExitUnavailable, "Kafka cluster unreachable for " + std::to_string(set_.timeout_ms) +
                                                     " ms; undelivered records rejected");
  rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
}

Status Producer::drain() {
  auto hard_stop = std::chrono::steady_clock::now() + std::chrono::milliseconds(set_.timeout_ms * 2 + 30000);
  while (rd_kafka_outq_len(rk_) > 0) {
    rd_kafka_flush(rk_, 100);
    check_deadline();
    if (std::chrono::steady_clock::now() > hard_stop) {
      if (failure_.ok()) failure_ = Status(airstream::kExitUnavailable, "delivery reports still missing");
      break;
    }
  }
  rd_kafka_poll(rk_, 0);
  return failure_;
}

void Producer::on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  static_cast<Producer*>(opaque)->delivered(m);
}

void Producer::delivered(const rd_kafka_message_t* m) {
  std::unique_ptr<Pending> p(static_cast<Pending*>(m->_private));
  if (outstanding_ > 0) outstanding_--;
  std::string_view raw =
      set_.keep_raw ? std::string_view(p->raw) : std::string_view(static_cast<const char*>(m->payload), m->len);
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    all_down_ = false;
    last_progress_ = std::chrono::steady_clock::now();
    if (counters_.delivered != nullptr) (*counters_.delivered)++;
    if (counters_.bytes != nullptr) *counters_.bytes += m->len;
    int64_t lat = rd_kafka_message_latency(m);
    if (counters_.latency != nullptr && lat >= 0) counters_.latency->record(static_cast<uint64_t>(lat));
    if (tee_ != nullptr) {
      if (set_.transactional) {
        txn_tee_.append(raw).push_back('\n');
      } else if (!tee_->broken_pipe()) {
        (void)tee_->write_line(raw);
      }
    }
    return;
  }
  if (in_abort_) return;  // reported as a whole by abort_transaction()
  failures_++;
  if (counters_.failed != nullptr) (*counters_.failed)++;
  extra_ = "\"topic\":";
  airstream::append_json_string(extra_, rd_kafka_topic_name(m->rkt));
  extra_ += ",\"partition\":" + std::to_string(m->partition);
  std::string reason = "delivery failed: " + err_text(m->err);
  Status st = rejecter_.reject({p->line, p->offset, reason, raw, extra_, {}});
  if (!st.ok() && failure_.ok()) failure_ = st;
}

void Producer::on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto* self = static_cast<Producer*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    if (!self->all_down_) self->down_since_ = std::chrono::steady_clock::now();
    self->all_down_ = true;
  } else if (err == RD_KAFKA_RESP_ERR__FATAL) {
    char buf[512];
    rd_kafka_fatal_error(rk, buf, sizeof buf);
    if (self->failure_.ok())
      self->failure_ = Status(airstream::kExitSoftware, std::string("fatal producer error: ") + buf);
  }
}

Status Producer::txn_error(const char* what, rd_kafka_error_t* error) {
  std::string msg = std::string(what) + ": " + rd_kafka_error_string(error);
  rd_kafka_resp_err_t code = rd_kafka_error_code(error);
  bool fatal = rd_kafka_error_is_fatal(error);
  rd_kafka_error_destroy(error);
  if (code == RD_KAFKA_RESP_ERR__TIMED_OUT || code == RD_KAFKA_RESP_ERR__TRANSPORT)
    return Status(airstream::kExitUnavailable, msg);
  return Status(fatal ? airstream::kExitSoftware : airstream::kExitTempFail, msg);
}

Status Producer::begin_transaction() {
  if (in_txn_) return Status::Ok();
  rd_kafka_error_t* e = rd_kafka_begin_transaction(rk_);
  if (e != nullptr) return txn_error("begin_transaction", e);
  in_txn_ = true;
  txn_first_line_ = txn_last_line_ = 0;
  return Status::Ok();
}

Status Producer::commit_transaction() {
  if (!in_txn_) return Status::Ok();
  Status st = drain();
  if (!st.ok()) return st;
  for (int attempt = 0;; attempt++) {
    rd_kafka_error_t* e = rd_kafka_commit_transaction(rk_, static_cast<int>(set_.timeout_ms));
    if (e == nullptr) break;
    if (rd_kafka_error_is_retriable(e) && attempt < 3) {
      rd_kafka_error_destroy(e);
      continue;
    }
    if (rd_kafka_error_txn_requires_abort(e)) {
      std::string msg = rd_kafka_error_string(e);
      rd_kafka_error_destroy(e);
      Status ab = abort_transaction();
      return Status(airstream::kExitTempFail, "commit failed (" + msg + "); " + ab.message());
    }
    return txn_error("commit_transaction", e);
  }
  in_txn_ = false;
  if (tee_ != nullptr && !txn_tee_.empty() && !tee_->broken_pipe()) (void)tee_->write(txn_tee_);
  txn_tee_.clear();
  return Status::Ok();
}

Status Producer::abort_transaction() {
  if (!in_txn_) return Status::Ok();
  in_abort_ = true;
  rd_kafka_error_t* e = rd_kafka_abort_transaction(rk_, static_cast<int>(set_.timeout_ms));
  // Serve the purged messages' delivery reports while they count as aborted.
  for (int i = 0; i < 100 && rd_kafka_outq_len(rk_) > 0; i++) rd_kafka_poll(rk_, 10);
  rd_kafka_poll(rk_, 0);
  in_abort_ = false;
  in_txn_ = false;
  txn_tee_.clear();
  std::string range = txn_first_line_ == 0 ? std::string("no records")
                                           : "records of lines " + std::to_string(txn_first_line_) + "-" +
                                                 std::to_string(txn_last_line_);
  if (e != nullptr) return txn_error(("abort_transaction (" + range + ")").c_str(), e);
  return Status(airstream::kExitTempFail, "transaction aborted: " + range + " not committed");
}

}  // namespace kproduce
