// kconsume's background writer of stdout in group mode. The consuming loop hands it a
// filled buffer and goes on polling librdkafka, so that a slow reader of the pipe (a
// sink waiting on its database) never keeps the rebalance callbacks, offset stores
// and commits waiting behind write(2): a member blocked in a write misses the
// rebalance round of its group, is evicted, and its partitions are re-read from their
// last commit (issue 19: 17-57% of the records re-written in the scale-out pipe test).
// One buffer is written at a time; the loop pauses fetching while it waits for one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "common/json/ndjson_writer.h"
#include "common/status.h"

namespace airstream::kconsume {

class OutputPump {
 public:
  explicit OutputPump(int fd);
  ~OutputPump();  // waits for the buffer being written, then ends the thread
  OutputPump(const OutputPump&) = delete;
  OutputPump& operator=(const OutputPump&) = delete;

  // A buffer is being written.
  bool busy() const;
  // Hands the bytes of buf over to the writer thread; buf comes back empty. Only when
  // !busy().
  void start(std::string& buf);
  // Waits until the buffer being written (if any) is written; wait_until: at most
  // until `deadline`, returns false if it is still being written then.
  void wait();
  bool wait_until(std::chrono::steady_clock::time_point deadline);
  // Buffers written so far (each counted once its write ended, even on an error).
  uint64_t done() const;
  // After done() moved: the reader of the pipe went away / a write error (exit 74).
  bool broken_pipe() const;
  Status failed() const;

 private:
  void run();

  Writer out_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool busy_ = false;
  bool quit_ = false;
  bool broken_ = false;
  Status status_;
  uint64_t done_ = 0;
  std::thread thread_;
};

}  // namespace airstream::kconsume
