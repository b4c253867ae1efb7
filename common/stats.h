// Run statistics: named counters, gauges (plain or labelled, e.g. per partition) and
// latency histograms (p50/p99), reported as a JSON line (--stats[=SECONDS],
// periodically and at exit), in Prometheus text format (--metrics-file PATH,
// atomically replaced, for node_exporter's textfile collector; --metrics-listen
// ADDR:PORT, served over HTTP with liveness and readiness paths) and as a one-line
// progress display when stderr is a terminal. Counters are lock-free; a reporter
// thread does the periodic output.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/status.h"

namespace airstream {

// Latency histogram over microseconds: log-linear buckets (8 per power of two),
// relative error under 13%. record() is lock-free.
class Histogram {
 public:
  static constexpr int kBuckets = 8 * 40;
  void record(uint64_t micros);
  uint64_t count() const;
  uint64_t sum_micros() const { return sum_.load(std::memory_order_relaxed); }
  // Approximate value at quantile q (0..1), in microseconds; 0 if empty.
  double quantile(double q) const;

 private:
  std::atomic<uint64_t> buckets_[kBuckets] = {};
  std::atomic<uint64_t> sum_{0};
};

// One sample of a labelled gauge: labels as Prometheus writes them, e.g.
// topic="users",partition="3" (see prom_labels()).
struct LabelledValue {
  std::string labels;
  double value;
};

// key="value" pairs joined by commas, values escaped as the text format wants.
std::string prom_labels(const std::vector<std::pair<std::string, std::string>>& pairs);

class MetricsServer;

struct StatsOptions {
  double interval_s = 0;     // > 0: a JSON stats line on stderr every interval
  bool final_line = false;   // a JSON stats line at exit (--stats given)
  std::string metrics_file;  // Prometheus text file, rewritten each interval and at exit
  std::string listen;        // ADDR:PORT: serve /metrics, /healthz, /readyz over HTTP
  bool progress = false;     // progress line on stderr (tools pass progress_wanted())
};

// Adds one to a counter that only the calling thread writes (others only read it):
// a plain load and store, where fetch_add is a locked instruction that waits for the
// thread's pending stores (1-5% of a tool's CPU when done per record).
inline void bump_own(std::atomic<uint64_t>& counter, uint64_t n = 1) {
  counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

class Stats {
 public:
  explicit Stats(std::string tool);
  ~Stats();

  // Register at any time (thread-safe); the returned references stay valid for the
  // Stats' life. Histograms record microseconds and are exported in seconds.
  std::atomic<uint64_t>& counter(const std::string& name, const std::string& help = "");
  // A counter kept elsewhere (a monotonic total read through fn).
  void counter_fn(const std::string& name, std::function<uint64_t()> fn, const std::string& help = "");
  Histogram& histogram(const std::string& name, const std::string& help = "");
  void gauge(const std::string& name, std::function<double()> fn, const std::string& help = "");
  // A gauge with one sample per label set (exported to Prometheus only).
  void gauge_family(const std::string& name, std::function<std::vector<LabelledValue>()> fn,
                    const std::string& help = "");
  // Readiness served on /readyz (liveness, /healthz, is "the process answers").
  // Ready from start() on, unless defer_ready() was called: then from set_ready(true).
  void defer_ready() { defer_ready_ = true; }
  void set_ready(bool ready) { ready_.store(ready, std::memory_order_relaxed); }
  bool ready() const { return ready_.load(std::memory_order_relaxed); }
  // Counters shown on the progress line (default: the first registered).
  void set_progress_counters(std::vector<std::string> names);

  Status start(const StatsOptions& options);
  // Stops the reporter and writes the final JSON line / metrics file.
  Status finish();

  std::string json_line() const;   // {"tool":...,"elapsed_s":...,"<counter>":N,"<counter>_per_s":R,...}
  std::string prometheus() const;  // airstream_<tool>_<name>_total etc.
  double elapsed_seconds() const;

 private:
  struct Counter {
    std::string name, help;
    std::atomic<uint64_t> value{0};
    std::function<uint64_t()> fn;  // set: the value is read from here
    uint64_t get() const { return fn ? fn() : value.load(std::memory_order_relaxed); }
  };
  struct Hist {
    std::string name, help;
    Histogram h;
  };
  struct Gauge {
    std::string name, help;
    std::function<double()> fn;
    std::function<std::vector<LabelledValue>()> family;
  };
  void run();
  Status write_metrics() const;
  std::string progress_text() const;

  std::string tool_;
  StatsOptions opt_;
  std::chrono::steady_clock::time_point start_;
  std::vector<std::unique_ptr<Counter>> counters_;
  std::vector<std::unique_ptr<Hist>> hists_;
  std::vector<std::unique_ptr<Gauge>> gauges_;
  std::vector<std::string> progress_names_;
  mutable std::mutex reg_mu_;  // guards the vectors above (registration vs. reporting)
  std::atomic<bool> ready_{false};
  bool defer_ready_ = false;
  std::unique_ptr<MetricsServer> server_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool started_ = false;
};

}  // namespace airstream
