// A KafkaSource on threads of its own, for sinks that pipeline reading and writing
// (cqlwrite/pgload --from-kafka), in three stages: the poller thread polls Kafka (and
// so serves rebalances and commits) and copies each message; the preparer thread runs
// the sink's per-record preparation (size and UTF-8 checks, the transform); the
// sink's thread takes the prepared records, encodes and sends them. Each stage is
// one thread with one FIFO queue: per-partition order is kept. Memory is bounded:
// every queued record is unacknowledged in the source, which stops fetching at
// max_pending, and the poller stops polling while `soft_limit` records are queued
// (librdkafka's bounded prefetch then stops fetching, without throwing away what it
// prefetched, as a pause does).
// Revocation: the source's flush hook sends a marker down the queues, and next()
// returns kIdle when it gets there (the sink then sends what it buffered, and its
// acknowledgements end the source's wait); records still queued for a partition when
// the source lets it go are abandoned: next() skips them, so that nothing read before
// a revocation is written after the partition's new owner may have started.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/kafka/source.h"
#include "common/status.h"

namespace airstream {

// One prepared record.
struct ReadItem {
  // The record to store (capacity for kJsonPadding more bytes: see KafkaReader::fill),
  // or with `error`, the raw record to reject with that reason.
  std::string text;
  std::string error;
  bool filtered = false;    // left out by a filter: done once the records before it are
  bool valid_json = false;  // text is known to be a valid record (the transform wrote it)
  uint64_t seq = 0;         // 1-based number of the record in this run
  uint64_t offset = 0;
  uint64_t tag = 0;  // topic number and partition: KafkaReader::topic/partition
  uint64_t epoch = 0;
};

class KafkaReader {
 public:
  explicit KafkaReader(KafkaSource& src);
  ~KafkaReader();  // stop()
  KafkaReader(const KafkaReader&) = delete;
  KafkaReader& operator=(const KafkaReader&) = delete;

  // Runs on the preparer thread for each record read: fills item.text (or error, or
  // filtered) and returns true to queue it; false when the record is settled there
  // (acknowledged with ack(), or left unacknowledged on purpose).
  using Prepare = std::function<bool(const KafkaRecord& in, ReadItem& item)>;
  struct Options {
    size_t soft_limit = 1024;                      // queued records at which reading waits
    std::function<void(const std::string&)> warn;  // the source's warnings (poller thread)
    std::atomic<uint64_t>* committed = nullptr;    // kept at the source's committed_records()
    std::atomic<uint64_t>* pauses = nullptr;       // kept at the source's pauses()
  };
  // Sets the source's hooks and starts the threads; from now on only the poller
  // thread uses the source (but for ack()), until stop().
  void start(Prepare prepare, Options options);

  enum class Next { kItem, kIdle, kEnd, kError };
  // The next record, in read order. kIdle: none within `timeout`, input went idle, or
  // a revocation waits for what the sink buffered (send it now); kEnd: the source
  // ended (every record read is settled); kError: see status().
  Next next(ReadItem& out, std::chrono::milliseconds timeout);
  // True if next() has records in hand (it returns without waiting).
  bool has_buffered() const { return local_pos_ < local_.size(); }
  // Ends the threads; records still queued are dropped (never acknowledged).
  // Then the caller may use the source again (close()).
  void stop();
  const Status& status() const { return status_; }

  // Thread-safe helpers for the sink's acknowledgements and reject records.
  void ack(uint64_t tag, int64_t offset) { src_.ack(topic(tag), partition(tag), offset); }
  const std::string& topic(uint64_t tag);
  static int32_t partition(uint64_t tag) { return static_cast<int32_t>(static_cast<uint32_t>(tag)); }
  // "topic":..,"partition":.. of a record (the offset is the reject record's own field).
  std::string reject_context(uint64_t tag);
  static std::string reject_context(const std::string& topic, int32_t partition);
  // Copies `text` into item.text with room for kJsonPadding bytes after it.
  static void fill(ReadItem& item, std::string_view text);

 private:
  // A FIFO between two threads: one lock per batch taken, a wake-up per kWakeBatch
  // records pushed (or per marker).
  template <class T>
  class Queue {
   public:
    void push(T item, bool wake_now);
    // Takes everything queued into `out` (empty: nothing within timeout, or quit).
    void take(std::vector<T>& out, std::chrono::milliseconds timeout);
    void quit();

   private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<T> items_;
    bool waiting_ = false, quit_ = false;
    bool urgent_ = false;  // a marker is queued: wake the taker now
  };
  struct Polled {  // poller -> preparer
    enum Kind { kRecord, kFlush, kDone } kind = kRecord;
    KafkaRecord rec;
    std::string value;  // rec.value's bytes (and kJsonPadding more)
    uint64_t epoch = 0;
  };
  struct Prepared {  // preparer -> the sink's thread
    enum Kind { kItem, kFlush, kDone } kind = kItem;
    ReadItem item;
  };

  void poll_loop();
  void prepare_loop();
  uint64_t tag_of(const std::string& topic, int32_t partition);
  void released(size_t n);  // n records left the queues

  KafkaSource& src_;
  Prepare prepare_;
  Options opt_;
  std::thread poller_, preparer_;
  Queue<Polled> polled_;
  Queue<Prepared> prepared_;

  std::mutex mu_;  // space_cv_, quit_, revoked_at_
  std::condition_variable space_cv_;
  bool quit_ = false;
  std::unordered_map<uint64_t, uint64_t> revoked_at_;  // tag -> epoch of its last revocation
  std::atomic<uint64_t> epoch_{0};                     // revocations so far
  std::atomic<size_t> outstanding_{0};                 // records in the queues
  Next done_how_ = Next::kEnd;                         // set by the poller before its kDone
  Status status_;

  // The sink's thread: the batch taken from prepared_.
  std::vector<Prepared> local_;
  size_t local_pos_ = 0;
  bool done_ = false;

  std::mutex topics_mu_;
  std::deque<std::string> topics_;  // never moves its elements on push_back
};

}  // namespace airstream
