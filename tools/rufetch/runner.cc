// The page loop. Pacing: request k (asking for S users) may start no earlier than
// start + (users asked so far) / rate, and no earlier than the previous request plus
// --interval; a wait that would end past --duration ends the run instead. Output is
// flushed after every page so a paced stream reaches the next stage at once.
#include "runner.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>

#include "common/signals.h"

namespace airstream::rufetch {

bool sleep_until(Clock::time_point t) {
  while (!stop_requested()) {
    auto now = Clock::now();
    if (now >= t) return true;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - now).count() + 1;
    struct pollfd p = {stop_fd(), POLLIN, 0};
    int rc = poll(&p, 1, static_cast<int>(std::min<int64_t>(ms, 1000)));
    if (rc < 0 && errno != EINTR) return !stop_requested();
  }
  return false;
}

RunResult run_pages(const Options& o, Source& source, Writer& out, const RunCounters& c) {
  RunResult r;
  const auto start = Clock::now();
  const auto deadline = o.run_for ? start + *o.run_for : Clock::time_point::max();
  uint64_t page = static_cast<uint64_t>(o.page);
  uint64_t asked = 0;  // users requested so far (for the rate)
  Clock::time_point last_request{};
  bool first = true;

  while (!stop_requested()) {
    uint64_t want = o.page_size;
    if (o.limit) want = std::min<uint64_t>(want, *o.limit - r.delivered);
    if (want == 0) break;

    auto not_before = Clock::now();
    if (o.users_per_s > 0) {
      auto due = start + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(static_cast<double>(asked) / o.users_per_s));
      not_before = std::max(not_before, due);
    }
    if (!first) not_before = std::max(not_before, last_request + o.min_interval);
    if (not_before > deadline || Clock::now() >= deadline) break;
    if (not_before > Clock::now()) {
      if (Status s = out.flush(); !s) {
        r.status = s;
        break;
      }
      if (!sleep_until(not_before)) break;
    }
    first = false;
    last_request = Clock::now();
    asked += o.page_size;

    PageOutcome got;
    Status s = source.fetch(page, static_cast<uint32_t>(want), out, got);
    r.retries += got.retries;
    if (c.retries) *c.retries += got.retries;
    if (c.bytes_in) *c.bytes_in += got.bytes_in;
    r.delivered += got.written;
    if (c.users) *c.users += got.written;
    if (!s) {
      r.status = s;
      break;
    }
    if (out.broken_pipe()) break;
    ++r.pages;
    if (c.pages) *c.pages += 1;
    ++page;
    if (!o.synthetic || o.users_per_s > 0 || o.min_interval.count() > 0) {
      if (Status f = out.flush(); !f) {
        r.status = f;
        break;
      }
    }
  }
  if (Status f = out.flush(); !f && r.status.ok()) r.status = f;
  r.stopped = stop_requested();
  r.broken_pipe = out.broken_pipe();
  return r;
}

}  // namespace airstream::rufetch
