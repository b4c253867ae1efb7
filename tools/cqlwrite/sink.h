// CqlSink: the write path of cqlwrite, usable by any record source (stdin NDJSON now,
// a Kafka consumer later): submit(record, on_ack) converts one JSON record into the
// prepared INSERT's bound values (missing field -> unset, JSON null -> null; a --map
// field may be a dotted path such as login.uuid, and a record without it is
// rejected naming the path), routes it
// by the Murmur3 token of its partition key, and calls on_ack exactly once per record
// when it is stored, rejected (conversion error or non-retryable server error, with
// the reason) or failed (retries exhausted / no node). submit() blocks while
// --concurrency requests are in flight (backpressure, bounded memory). With
// batch_rows > 1, rows of the same partition are grouped in unlogged batches kept
// under the server's 5 KiB batch warning threshold.
// Every write carries a client timestamp (the default-timestamp flag of EXECUTE and
// BATCH, microseconds since the epoch), strictly increasing in input order and
// identical across retries, so that a retried write never overwrites a newer one:
// the clock, or with timestamp_field that field of the record (like dsbulk's
// __timestamp). Two records of one row never share a batch (its single timestamp
// would let the greater value win instead of the later record).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/cql/session.h"
#include "common/json/json.h"
#include "common/json/record.h"
#include "schema.h"

namespace airstream::cqlwrite {

struct Record {
  std::string text;  // the raw JSON record (allocated with simdjson padding: make_record)
  uint64_t line = 0;
  uint64_t offset = 0;
  uint64_t tag = 0;  // free for the caller (e.g. a Kafka partition/offset handle)
  // text is known to be a valid record (common/json/record.h): the in-process
  // transform wrote it (RecordTransform::writes_valid_json). Its grammar is not checked again.
  bool valid_json = false;
};
Record make_record(std::string_view text, uint64_t line, uint64_t offset);

struct Ack {
  enum Kind { kStored, kRejected, kFailed };
  Kind kind = kStored;
  std::string reason;
  uint64_t latency_us = 0;
  int attempts = 0;
  bool unreachable = false;  // kFailed because no node of the cluster could be reached
};
// Called once per record, from the session's thread (or from submit() for records
// rejected before sending). Must be quick and thread-safe.
using AckFn = std::function<void(Record&, const Ack&)>;

struct SinkOptions {
  uint16_t consistency = cql::kLocalQuorum;
  int concurrency = 256;
  int batch_rows = 0;
  bool strict = false;
  size_t batch_max_bytes = 5 * 1024;  // Cassandra's batch_size_warn_threshold
  // Cassandra's native_transport_max_frame_size: it answers a bigger request with an
  // error (and refuses a mutation over 16 MiB, half its commit log segment), so a row
  // whose EXECUTE would not fit is rejected before it is sent.
  size_t max_frame_bytes = 16u << 20;
  // Field holding each record's write timestamp: an integer (microseconds since the
  // epoch) or a timestamp text. Empty: the client's clock.
  std::string timestamp_field;
};

class CqlSink {
 public:
  CqlSink(cql::Session& session, Mapping mapping, SinkOptions options);
  ~CqlSink();
  void submit(Record record, AckFn on_ack);
  // Sends the partially filled batches (call when input goes idle and at the end).
  void flush();
  // Waits until every submitted record has been acknowledged.
  void drain();
  size_t in_flight() const;

 private:
  struct Entry {
    Record rec;
    AckFn ack;
    int64_t ts = 0;                             // write timestamp (microseconds)
    uint32_t values_begin = 0, values_end = 0;  // this row's <n><values> in the batch body
    std::string row_key;                        // batch mode: partition and clustering key bytes
  };
  struct Batch {
    std::vector<Entry> entries;
    std::string body;  // concatenated <n><values> of each row
    int64_t token = 0;
    int64_t ts = 0;  // the batch's default timestamp: the latest of its rows
  };
  struct SvHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  // Encodes the record's values as <n><value>... (and ts_ from the timestamp
  // field); false with err on a conversion error.
  bool encode(Record& rec, std::string& values, std::string& pk, std::string& err);
  bool read_timestamp(simdjson::ondemand::value v, std::string& err);
  // The next clock timestamp: microseconds, strictly greater than the last one.
  int64_t next_clock_timestamp();
  // <consistency><flags>[<n><values>]<timestamp> of one row's EXECUTE.
  std::string execute_params(std::string_view values, int64_t ts) const;
  void acquire();
  void release();
  void send_single(Entry e, int64_t token);
  void send_batch(Batch b);
  void split_and_resend(std::shared_ptr<Batch> b);
  static void ack_all(std::vector<Entry>& es, const Ack& a);

  cql::Session& session_;
  Mapping map_;
  SinkOptions opt_;
  RecordValidator validator_;
  JsonParser parser_;
  std::unordered_map<std::string, int, SvHash, std::equal_to<>> by_field_;
  // The previous record's keys in order, with their lookup in by_field_ (raw: the key is
  // spelled the same in JSON, nothing in it escaped).
  struct KeySeen {
    std::string key;
    decltype(by_field_)::const_iterator it;
    bool raw = false;
  };
  std::vector<KeySeen> keys_seen_;
  // Dotted --map paths ("login.uuid"), grouped by their first key: (rest, bind index).
  std::unordered_map<std::string, std::vector<std::pair<std::string, int>>, SvHash, std::equal_to<>> nested_;
  std::vector<std::string> field_of_;  // bind index -> the field or path it reads
  std::vector<size_t> required_;       // bind indexes fed by --map: a record without the field is rejected
  std::vector<std::pair<uint32_t, uint32_t>> slots_;
  std::string valbuf_, values_, pk_, err_, row_key_;
  int64_t ts_ = 0, last_ts_ = 0;
  bool have_ts_ = false;
  std::vector<std::string_view> pk_parts_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;
  bool waiting_ = false;   // acquire() waits for free slots
  bool draining_ = false;  // drain() waits for none in flight

  std::unordered_map<std::string, Batch> open_;  // batch mode: partition key -> batch
  std::deque<std::string> open_order_;
};

}  // namespace airstream::cqlwrite
