// The fetch loop shared by both sources: asks the source for page after page until
// --count users are written, --duration has passed, a signal arrives or the reader
// of stdout goes away; paces requests by --rate (users per second, averaged from the
// start) and --interval (minimum gap between requests).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include "common/json/ndjson_writer.h"
#include "options.h"
#include "source.h"

namespace airstream::rufetch {

using Clock = std::chrono::steady_clock;

// Sleeps until t; returns false early when a stop was requested (SIGINT/SIGTERM).
bool sleep_until(Clock::time_point t);

struct RunCounters {
  std::atomic<uint64_t>* users = nullptr;
  std::atomic<uint64_t>* pages = nullptr;
  std::atomic<uint64_t>* retries = nullptr;
  std::atomic<uint64_t>* bytes_in = nullptr;
};

struct RunResult {
  Status status;             // the error that ended the run, if any
  uint64_t delivered = 0;    // users written
  uint64_t pages = 0;        // pages written
  uint64_t retries = 0;      // failed attempts, all pages
  bool stopped = false;      // by a signal
  bool broken_pipe = false;  // stdout reader gone
};

RunResult run_pages(const Options& o, Source& source, Writer& out, const RunCounters& counters);

}  // namespace airstream::rufetch
