// Run statistics: named counters, gauges and latency histograms (p50/p99), reported
// as a JSON line (--stats[=SECONDS], periodically and at exit), in Prometheus text
// format (--metrics-file PATH, atomically replaced, for node_exporter's textfile
// collector) and as a one-line progress display when stderr is a terminal.
// Counters are lock-free; a reporter thread does the periodic output.
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
  // Approximate value at quantile q (0..1), in microseconds; 0 if empty.
  double quantile(double q) const;

 private:
  std::atomic<uint64_t> buckets_[kBuckets] = {};
};

struct StatsOptions {
  double interval_s = 0;     // > 0: a JSON stats line on stderr every interval
  bool final_line = false;   // a JSON stats line at exit (--stats given)
  std::string metrics_file;  // Prometheus text file, rewritten each interval and at exit
  bool progress = false;     // progress line on stderr (tools pass isatty(2) && !--no-progress)
};

class Stats {
 public:
  explicit Stats(std::string tool);
  ~Stats();

  // Register before start(); the returned references stay valid for the Stats' life.
  std::atomic<uint64_t>& counter(const std::string& name, const std::string& help = "");
  Histogram& histogram(const std::string& name, const std::string& help = "");
  void gauge(const std::string& name, std::function<double()> fn, const std::string& help = "");
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
  };
  struct Hist {
    std::string name, help;
    Histogram h;
  };
  struct Gauge {
    std::string name, help;
    std::function<double()> fn;
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
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool started_ = false;
};

}  // namespace airstream
