// Watches the fetchers of a librdkafka consumer while its local queue is empty.
// librdkafka 2.0 (Debian 12) takes a partition out of the fetch list once the
// prefetch queue reaches queued.max.messages.kbytes, and looks at it again only when
// its broker thread wakes, up to a second later: a consumer whose output is slower
// than Kafka (a pipe, a database) then idles for up to a second each time the queue
// ran full. When the queue is empty and partitions are still behind the high
// watermark of their last fetch response (some of many partitions assigned at once
// were fetched, but the queue was full before any of their records was taken), a
// ListOffsets request to their leaders wakes those broker threads, which fetch again
// at once. The same look at positions tells which partitions are read to their end
// without waiting for an empty fetch (held for fetch.wait.max.ms).
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace airstream {

class FetchWatch {
 public:
  using Clock = std::chrono::steady_clock;
  using Partition = std::pair<std::string, int32_t>;

  // Call when a poll of the consumer returned nothing. `parts`: the assigned
  // partitions not yet known to be at their end. At most every 20 ms it compares
  // their positions with the cached high watermarks; returns those read to the end
  // (position at or past the watermark) and, at most every 50 ms, wakes the leaders
  // of those behind (a blocking request of at most 10 ms; while no position moves,
  // each wake doubles the gap to the next, up to a second).
  std::vector<Partition> idle(rd_kafka_t* rk, const std::vector<Partition>& parts, Clock::time_point now);
  // Whether idle() would look now: callers skip building `parts` otherwise.
  bool due(Clock::time_point now) const { return now - last_probe_ >= std::chrono::milliseconds(20); }

  uint64_t wakeups() const { return wakeups_; }

 private:
  Clock::time_point last_probe_{};
  Clock::time_point next_wake_{};
  int64_t last_progress_ = -1;
  int quiet_ = 0;
  uint64_t wakeups_ = 0;
};

}  // namespace airstream
