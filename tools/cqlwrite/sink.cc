// CqlSink implementation. One record -> one EXECUTE of the prepared INSERT with the
// values in bind order (<consistency><flags: values|skip_metadata><n><value>...,
// native_protocol_v4.spec 4.1.4/4.1.6): fields are encoded as they are met in the
// JSON object (simdjson on-demand reads each value once), columns whose field is
// absent are sent as unset ([value] length -2) so that no tombstone is written. The
// token comes from the serialized partition key (murmur3.h). In batch mode, rows of
// one partition are grouped (BATCH type 1, unlogged); a batch the server refuses
// with a non-retryable error is split into single rows so that only the bad records
// are rejected.
#include "sink.h"

#include <algorithm>
#include <chrono>

#include "common/cql/murmur3.h"

namespace airstream::cqlwrite {
namespace {

constexpr uint32_t kUnsetSlot = 0xffffffffu;

constexpr int64_t kMaxMicros = INT64_MAX / 1000;

Ack to_ack(const cql::Response& r) {
  Ack a;
  a.latency_us = r.latency_us;
  a.attempts = r.attempts;
  if (r.ok()) {
    a.kind = Ack::kStored;
  } else if (r.kind == cql::Response::kServerError && !r.retries_exhausted) {
    a.kind = Ack::kRejected;
    a.reason = "server: " + r.error.describe();
  } else {
    a.kind = Ack::kFailed;
    a.unreachable = r.no_node;
    a.reason =
        (r.retries_exhausted && !r.no_node ? "gave up after " + std::to_string(r.attempts) + " attempts: " : "") +
        r.describe();
  }
  return a;
}

}  // namespace

Record make_record(std::string_view text, uint64_t line, uint64_t offset) {
  Record r;
  r.text.reserve(text.size() + kJsonPadding);
  r.text.assign(text);
  r.line = line;
  r.offset = offset;
  return r;
}

CqlSink::CqlSink(cql::Session& session, Mapping mapping, SinkOptions options)
    : session_(session), map_(std::move(mapping)), opt_(options) {
  field_of_.resize(map_.types.size());
  for (auto& [field, idx] : map_.by_field) {
    field_of_[static_cast<size_t>(idx)] = field;
    size_t dot = field.find('.');
    if (dot == std::string::npos || dot == 0)
      by_field_.emplace(field, idx);
    else
      nested_[field.substr(0, dot)].emplace_back(field.substr(dot + 1), idx);
  }
  slots_.resize(map_.types.size());
  for (size_t i = 0; i < map_.mapped.size() && i < map_.types.size(); i++)
    if (map_.mapped[i]) required_.push_back(i);
}

CqlSink::~CqlSink() {
  flush();
  drain();
}

void CqlSink::ack_all(std::vector<Entry>& es, const Ack& a) {
  for (auto& e : es)
    if (e.ack) e.ack(e.rec, a);
}

bool CqlSink::encode(Record& rec, std::string& values, std::string& pk, std::string& err) {
  if (rec.text.capacity() < rec.text.size() + kJsonPadding) rec.text.reserve(rec.text.size() + kJsonPadding);
  // The whole record first, fields no column reads included (common/json/record.h):
  // the same verdict as every other tool gives the line. The transform's output is
  // valid by construction (record_transform_test checks it): not checked twice.
  if (!rec.valid_json) {
    if (err = validator_.check(rec.text); !err.empty()) return false;
  }
  simdjson::ondemand::document doc;
  simdjson::ondemand::object obj;
  if (parser_.parse_padded(rec.text).get(doc) || doc.get_object().get(obj)) {
    err = "record is not a JSON object";
    return false;
  }
  for (auto& s : slots_) s = {kUnsetSlot, 0};
  valbuf_.clear();
  have_ts_ = false;
  size_t k = 0;
  for (auto field : obj) {
    std::string_view key;
    if (field.error()) {
      err = "invalid JSON";
      return false;
    }
    // Records of one input mostly spell their keys alike, in the same order: the k-th
    // raw key is compared with the previous record's k-th before it is unescaped and
    // looked up.
    const KeySeen* seen =
        k < keys_seen_.size() && keys_seen_[k].raw && field.key().value_unsafe().unsafe_is_equal(keys_seen_[k].key)
            ? &keys_seen_[k]
            : nullptr;
    if (seen != nullptr) {
      key = seen->key;
    } else if (field.unescaped_key().get(key)) {
      err = "invalid JSON";
      return false;
    }
    auto it = seen != nullptr ? seen->it : by_field_.find(key);
    if (seen == nullptr && k <= keys_seen_.size() && k < 256) {
      if (k == keys_seen_.size()) keys_seen_.emplace_back();
      KeySeen& ks = keys_seen_[k];
      ks.key.assign(key);
      ks.it = it;
      ks.raw = json_key_is_raw(key);
    }
    k++;
    if (!opt_.timestamp_field.empty() && key == opt_.timestamp_field) {
      simdjson::ondemand::value v;
      if (field.value().get(v) || !read_timestamp(v, err)) {
        if (err.empty()) err = "invalid JSON value";
        err = opt_.timestamp_field + ": " + err;
        return false;
      }
      continue;
    }
    if (it == by_field_.end() && !nested_.empty()) {
      auto nt = nested_.find(key);
      if (nt != nested_.end()) {  // --map COL=a.b.c: look inside this field
        simdjson::ondemand::value v;
        if (field.value().get(v)) {
          err = std::string(key) + ": invalid JSON value";
          return false;
        }
        for (auto& [rest, idx] : nt->second) {
          simdjson::ondemand::value inner;
          auto e = find_path(v, rest).get(inner);
          if (e == simdjson::NO_SUCH_FIELD || e == simdjson::INDEX_OUT_OF_BOUNDS || e == simdjson::INCORRECT_TYPE)
            continue;  // absent (rejected below)
          size_t start = valbuf_.size();
          if (e || !cql::encode_json_value(map_.types[static_cast<size_t>(idx)], inner, valbuf_, err)) {
            if (e) err = json_error_message(e);
            err = map_.columns[static_cast<size_t>(idx)] + " (" + field_of_[static_cast<size_t>(idx)] + "): " + err;
            return false;
          }
          slots_[static_cast<size_t>(idx)] = {static_cast<uint32_t>(start),
                                              static_cast<uint32_t>(valbuf_.size() - start)};
        }
        continue;
      }
    }
    if (it == by_field_.end()) {
      if (opt_.strict) {
        err = std::string(key) + ": no column for this field (--strict)";
        return false;
      }
      continue;
    }
    simdjson::ondemand::value v;
    if (field.value().get(v)) {
      err = std::string(key) + ": invalid JSON value";
      return false;
    }
    size_t start = valbuf_.size();
    size_t idx = static_cast<size_t>(it->second);
    if (!cql::encode_json_value(map_.types[idx], v, valbuf_, err)) {
      err = map_.columns[idx] + ": " + err;
      return false;
    }
    slots_[idx] = {static_cast<uint32_t>(start), static_cast<uint32_t>(valbuf_.size() - start)};
  }
  for (size_t i : required_) {
    if (slots_[i].first == kUnsetSlot) {  // --map COL=PATH: the record must have PATH
      err = map_.columns[i] + ": no field " + field_of_[i] + " in the record (--map " + map_.columns[i] + "=" +
            field_of_[i] + ")";
      return false;
    }
  }
  pk_parts_.clear();
  for (int i : map_.partition_key) {
    auto [start, len] = slots_[static_cast<size_t>(i)];
    if (start == kUnsetSlot) {
      err = map_.columns[static_cast<size_t>(i)] + ": missing (partition key column)";
      return false;
    }
    if (cql::load_u32(valbuf_.data() + start) == 0xffffffffu) {
      err = map_.columns[static_cast<size_t>(i)] + ": null in a partition key column";
      return false;
    }
    pk_parts_.emplace_back(valbuf_.data() + start + 4, len - 4);
  }
  pk = composite_partition_key(pk_parts_);
  if (!opt_.timestamp_field.empty() && !have_ts_) {
    err = opt_.timestamp_field + ": missing (--timestamp-field)";
    return false;
  }
  if (opt_.batch_rows > 1) {  // the row's identity: partition key, then clustering values
    row_key_ = pk;
    for (int i : map_.clustering) {
      auto [start, len] = slots_[static_cast<size_t>(i)];
      if (start != kUnsetSlot) row_key_.append(valbuf_, start, len);
    }
  }
  values.clear();
  cql::put_u16(values, static_cast<uint16_t>(slots_.size()));
  for (auto [start, len] : slots_) {
    if (start == kUnsetSlot)
      cql::put_unset(values);
    else
      values.append(valbuf_, start, len);
  }
  return true;
}

bool CqlSink::read_timestamp(simdjson::ondemand::value v, std::string& err) {
  simdjson::ondemand::json_type type;
  if (v.type().get(type)) return false;
  int64_t ts = 0;
  if (type == simdjson::ondemand::json_type::number) {
    if (v.get_int64().get(ts)) {
      err = "expected whole microseconds since the epoch";
      return false;
    }
  } else if (type == simdjson::ondemand::json_type::string) {
    std::string_view text;
    int64_t ms = 0, sub = 0;
    if (v.get_string().get(text) || !cql::parse_timestamp_text(text, ms, &sub) || ms >= kMaxMicros ||
        ms <= -kMaxMicros) {
      err = "expected a timestamp (yyyy-mm-ddTHH:MM:SS[.ffffff][zone]) or microseconds since the epoch";
      return false;
    }
    if (sub % 1000 != 0) {
      err = "finer than the microsecond a write timestamp keeps: would be truncated";
      return false;
    }
    ts = ms * 1000 + sub / 1000;
  } else {
    err = "expected microseconds since the epoch or a timestamp text";
    return false;
  }
  if (ts == cql::kNoTimestamp) {
    err = "timestamp out of range";
    return false;
  }
  ts_ = ts;
  have_ts_ = true;
  return true;
}

int64_t CqlSink::next_clock_timestamp() {
  int64_t now =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  last_ts_ = std::max(now, last_ts_ + 1);
  return last_ts_;
}

std::string CqlSink::execute_params(std::string_view values, int64_t ts) const {
  std::string out;
  out.reserve(values.size() + 16);
  cql::put_u16(out, opt_.consistency);
  uint32_t flags = cql::kQValues | cql::kQSkipMetadata | cql::kQDefaultTimestamp;
  if (session_.version() >= 5)
    cql::put_u32(out, flags);
  else
    cql::put_u8(out, static_cast<uint8_t>(flags));
  out.append(values);
  cql::put_i64(out, ts);
  return out;
}

void CqlSink::acquire() {
  std::unique_lock<std::mutex> lk(mu_);
  if (in_flight_ >= opt_.concurrency) {
    // Every slot taken: wait until a quarter of them are free again, so that the
    // responses wake this thread once per many, not once each.
    const int low = opt_.concurrency - std::max(1, opt_.concurrency / 4);
    waiting_ = true;
    cv_.wait(lk, [&] { return in_flight_ <= low; });
    waiting_ = false;
  }
  in_flight_++;
}

void CqlSink::release() {
  bool wake;
  {
    std::lock_guard<std::mutex> lk(mu_);
    in_flight_--;
    wake = (waiting_ && in_flight_ <= opt_.concurrency - std::max(1, opt_.concurrency / 4)) ||
           (draining_ && in_flight_ == 0);
  }
  if (wake) cv_.notify_all();
}

size_t CqlSink::in_flight() const {
  std::lock_guard<std::mutex> lk(mu_);
  return static_cast<size_t>(in_flight_);
}

void CqlSink::drain() {
  std::unique_lock<std::mutex> lk(mu_);
  draining_ = true;
  cv_.wait(lk, [&] { return in_flight_ == 0; });
  draining_ = false;
}

void CqlSink::submit(Record record, AckFn on_ack) {
  if (!encode(record, values_, pk_, err_)) {
    Ack a;
    a.kind = Ack::kRejected;
    a.reason = err_;
    if (on_ack) on_ack(record, a);
    return;
  }
  // EXECUTE frame: header 9, ids 2+16 (+2+16 on v5), consistency 2, flags 4, timestamp 8.
  constexpr size_t kExecuteOverhead = 64;
  if (values_.size() + kExecuteOverhead > opt_.max_frame_bytes) {
    Ack a;
    a.kind = Ack::kRejected;
    a.reason = "row of " + std::to_string(values_.size()) + " bytes does not fit in a request of at most " +
               std::to_string(opt_.max_frame_bytes) +
               " bytes (the cluster's native_transport_max_frame_size, --max-frame-size); not sent";
    if (on_ack) on_ack(record, a);
    return;
  }
  int64_t token = murmur3_token(pk_);
  int64_t ts = have_ts_ ? ts_ : next_clock_timestamp();
  if (opt_.batch_rows <= 1 || values_.size() > opt_.batch_max_bytes) {
    Entry e{std::move(record), std::move(on_ack), ts, 0, 0, {}};
    send_single(std::move(e), token);
    return;
  }
  std::string row, key;
  row.swap(values_);  // send_batch() below may reuse values_
  key.swap(pk_);
  auto it = open_.find(key);
  auto must_send = [&](const Batch& b) {
    if (b.body.size() + row.size() > opt_.batch_max_bytes) return true;
    if (!opt_.timestamp_field.empty() && b.ts != ts) return true;  // one timestamp per batch
    for (auto& e : b.entries)
      if (e.row_key == row_key_) return true;  // the same row twice: the later record must win
    return false;
  };
  if (it != open_.end() && must_send(it->second)) {
    Batch b = std::move(it->second);
    open_.erase(it);
    send_batch(std::move(b));
    it = open_.end();
  }
  if (it == open_.end()) {
    // Bound the number of open batches (memory): send the oldest.
    while (open_.size() >= static_cast<size_t>(opt_.concurrency) && !open_order_.empty()) {
      auto old = open_.find(open_order_.front());
      open_order_.pop_front();
      if (old == open_.end()) continue;
      Batch b = std::move(old->second);
      open_.erase(old);
      send_batch(std::move(b));
    }
    it = open_.emplace(key, Batch{}).first;
    it->second.token = token;
    open_order_.push_back(key);
  }
  Batch& b = it->second;
  Entry e{std::move(record), std::move(on_ack), ts, static_cast<uint32_t>(b.body.size()), 0, row_key_};
  b.ts = b.entries.empty() ? ts : std::max(b.ts, ts);
  b.body.append(row);
  e.values_end = static_cast<uint32_t>(b.body.size());
  b.entries.push_back(std::move(e));
  if (static_cast<int>(b.entries.size()) >= opt_.batch_rows) {
    Batch full = std::move(b);
    open_.erase(it);
    send_batch(std::move(full));
  }
}

void CqlSink::flush() {
  for (auto& key : open_order_) {
    auto it = open_.find(key);
    if (it == open_.end()) continue;
    Batch b = std::move(it->second);
    open_.erase(it);
    send_batch(std::move(b));
  }
  open_order_.clear();
}

void CqlSink::send_single(Entry e, int64_t token) {
  acquire();
  cql::Request req;
  req.opcode = cql::kOpExecute;
  req.stmt = map_.stmt;
  req.body = execute_params(values_, e.ts);  // values_: <n><value>... of this row, left there by the caller
  req.has_token = true;
  req.token = token;
  req.idempotent = true;
  auto entry = std::make_shared<Entry>(std::move(e));
  session_.submit(std::move(req), [this, entry](cql::Response& r) {
    Ack a = to_ack(r);
    if (entry->ack) entry->ack(entry->rec, a);
    release();
  });
}

void CqlSink::send_batch(Batch b) {
  if (b.entries.empty()) return;
  if (b.entries.size() == 1) {
    Entry& e = b.entries[0];
    values_.assign(b.body, e.values_begin, e.values_end - e.values_begin);
    e.values_end = 0;
    send_single(std::move(e), b.token);
    return;
  }
  acquire();
  cql::Request req;
  req.opcode = cql::kOpBatch;
  req.stmt = map_.stmt;
  req.consistency = opt_.consistency;
  req.timestamp = b.ts;
  req.has_token = true;
  req.token = b.token;
  req.idempotent = true;
  for (auto& e : b.entries) req.batch_ends.push_back(e.values_end);
  req.body = b.body;
  auto shared = std::make_shared<Batch>(std::move(b));
  session_.submit(std::move(req), [this, shared](cql::Response& r) {
    Ack a = to_ack(r);
    if (a.kind == Ack::kRejected) {
      split_and_resend(shared);  // find out which rows the server refuses
    } else {
      ack_all(shared->entries, a);
    }
    release();
  });
}

// Runs on the session thread: resends each row of a refused batch as its own EXECUTE
// (not counted against --concurrency: the batch's slot covered them).
void CqlSink::split_and_resend(std::shared_ptr<Batch> b) {
  for (auto& e : b->entries) {
    cql::Request req;
    req.opcode = cql::kOpExecute;
    req.stmt = map_.stmt;
    req.body = execute_params(std::string_view(b->body).substr(e.values_begin, e.values_end - e.values_begin), e.ts);
    req.has_token = true;
    req.token = b->token;
    req.idempotent = true;
    auto entry = std::make_shared<Entry>(std::move(e));
    {
      std::lock_guard<std::mutex> lk(mu_);
      in_flight_++;
    }
    session_.submit(std::move(req), [this, entry](cql::Response& r) {
      Ack a = to_ack(r);
      if (entry->ack) entry->ack(entry->rec, a);
      release();
    });
  }
}

}  // namespace airstream::cqlwrite
