// CqlSink: the write path of cqlwrite, usable by any record source (stdin NDJSON now,
// a Kafka consumer later): submit(record, on_ack) converts one JSON record into the
// prepared INSERT's bound values (missing field -> unset, JSON null -> null), routes it
// by the Murmur3 token of its partition key, and calls on_ack exactly once per record
// when it is stored, rejected (conversion error or non-retryable server error, with
// the reason) or failed (retries exhausted / no node). submit() blocks while
// --concurrency requests are in flight (backpressure, bounded memory). With
// batch_rows > 1, rows of the same partition are grouped in unlogged batches kept
// under the server's 5 KiB batch warning threshold.
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
};
Record make_record(std::string_view text, uint64_t line, uint64_t offset);

struct Ack {
  enum Kind { kStored, kRejected, kFailed };
  Kind kind = kStored;
  std::string reason;
  uint64_t latency_us = 0;
  int attempts = 0;
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
    uint32_t values_begin = 0, values_end = 0;  // this row's <n><values> in the batch body
  };
  struct Batch {
    std::vector<Entry> entries;
    std::string body;  // concatenated <n><values> of each row
    int64_t token = 0;
  };
  struct SvHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  // Encodes the record's values as <n><value>...; false with err on a conversion error.
  bool encode(Record& rec, std::string& values, std::string& pk, std::string& err);
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
  std::vector<std::pair<uint32_t, uint32_t>> slots_;
  std::string valbuf_, values_, pk_, err_;
  std::vector<std::string_view> pk_parts_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;

  std::unordered_map<std::string, Batch> open_;  // batch mode: partition key -> batch
  std::deque<std::string> open_order_;
};

}  // namespace airstream::cqlwrite
