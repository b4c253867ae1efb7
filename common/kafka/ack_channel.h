// The acknowledgement channel of a pipe (`kconsume --acks FIFO | ... | sink --envelope
// --acks FIFO`): a named pipe on which the last stage tells the consuming stage, per
// partition, "every record I received up to offset X is stored or rejected", so that
// kconsume commits only what reached the store. Tool-agnostic: no librdkafka, never
// prints or exits.
//
// Protocol (ASCII lines, sender -> reader; names cannot hold white space in Kafka):
//   airstream-acks 1 TOOL        first line: the sender is there (protocol version 1)
//   ack TOPIC PARTITION OFFSET   every record of TOPIC/PARTITION the sender received
//                                with an offset <= OFFSET is done (stored or rejected)
//   end                          the sender finished: it sends nothing more
// Acknowledgements are cumulative, so the sender keeps only the latest per partition
// and never blocks on a full pipe. The reader treats end of file without "end" (the
// sender died) as a broken channel. Neither side's open blocks: the reader opens with
// O_NONBLOCK (which succeeds without a writer), the sender retries an O_NONBLOCK open
// (ENXIO until a reader is there) from its own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/kafka/offsets.h"
#include "common/status.h"

namespace airstream {

constexpr std::string_view kAckHello = "airstream-acks 1";

struct AckLine {
  enum Kind { kHello, kAck, kEnd };
  Kind kind = kAck;
  std::string topic;  // kAck: topic; kHello: the sender's tool name
  int32_t partition = 0;
  int64_t offset = 0;  // the last offset done (inclusive)
};

// "ack TOPIC PARTITION OFFSET\n"
void append_ack_line(std::string& out, std::string_view topic, int32_t partition, int64_t offset);
// Parses one line (without its '\n'). Returns "" or the reason it is not a protocol line.
std::string parse_ack_line(std::string_view line, AckLine& out);

// Creates a FIFO (mode 0600) at path unless one is there already. A path that exists
// and is not a FIFO is an error (exit 64).
Status ensure_fifo(const std::string& path);

// The consuming side (kconsume): reads acknowledgements without ever blocking.
class AckReader {
 public:
  AckReader() = default;
  ~AckReader();
  AckReader(const AckReader&) = delete;
  AckReader& operator=(const AckReader&) = delete;

  Status open(const std::string& path);

  enum class State {
    kWaiting,    // no sender yet
    kConnected,  // a sender said hello
    kEnded,      // the sender said "end"
    kBroken,     // the sender went away without "end", or spoke garbage: see error()
  };
  // Reads what is there now and appends the acknowledgements to out (in order).
  State poll(std::vector<AckLine>& out);
  // Waits up to `timeout` for the descriptor to become readable (then call poll()).
  void wait(std::chrono::milliseconds timeout) const;
  State state() const { return state_; }
  const std::string& error() const { return error_; }
  const std::string& sender() const { return sender_; }
  const std::string& path() const { return path_; }

 private:
  void take_line(std::string_view line, std::vector<AckLine>& out);
  int fd_ = -1;
  std::string path_;
  State state_ = State::kWaiting;
  std::string buf_;
  std::string error_;
  std::string sender_;
};

// The acknowledging side (a sink): tracks the records it received, in order, and
// sends what is done, from its own thread, at most every `interval`. Every method is
// thread-safe. Topics are named once (topic_id) and then referred to by number.
class AckSender {
 public:
  AckSender() = default;
  ~AckSender();
  AckSender(const AckSender&) = delete;
  AckSender& operator=(const AckSender&) = delete;

  // Creates the FIFO if needed and starts the sending thread (which connects once the
  // reader is there). tool: named in the hello line.
  Status open(const std::string& path, std::string tool,
              std::chrono::milliseconds interval = std::chrono::milliseconds(20));

  uint32_t topic_id(std::string_view topic);
  const std::string& topic_name(uint32_t id);
  // A record received (in the order of its partition).
  void track(uint32_t topic, int32_t partition, int64_t offset);
  // A tracked record is done (stored, or rejected and reported); any order.
  void done(uint32_t topic, int32_t partition, int64_t offset);

  // Sends every acknowledgement and "end", waiting up to `timeout` for a reader (or
  // for room in the pipe), then closes. Not ok when they could not all be delivered.
  Status finish(std::chrono::milliseconds timeout);

  // True once the reader went away (EPIPE): later acknowledgements are dropped.
  bool reader_gone() const { return gone_.load(); }
  bool connected() const { return fd_.load() >= 0; }

 private:
  void run();
  // Connects if needed and writes what is pending. Caller holds mu_.
  void pump_locked();
  PartitionOffsets& part_locked(uint32_t topic, int32_t partition);

  std::string path_, tool_;
  std::chrono::milliseconds interval_{20};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
  std::atomic<int> fd_{-1};
  std::atomic<bool> gone_{false};
  std::deque<std::string> topics_;  // references stay valid on push_back
  std::map<uint64_t, PartitionOffsets> parts_;
  std::map<uint64_t, int64_t> sent_;  // last offset sent per partition
  std::string out_;                   // bytes not written yet (a partial write)
  bool dirty_ = false;
  bool end_queued_ = false;
};

}  // namespace airstream
