// Statistics: lock-free counters and log-linear latency histograms, a reporter thread
// that prints JSON stats lines, rewrites the Prometheus text file (write to a
// temporary file in the same directory, then rename(2), so node_exporter never reads
// half a file), redraws the progress line, and serves the same text over HTTP when
// asked (common/metrics/http_server.h). Metric families follow the text exposition
// format: counters end in _total, durations are in seconds, each family has one
// HELP and TYPE line, label values are escaped.
#include "common/stats.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "common/diag.h"
#include "common/json/json.h"
#include "common/metrics/http_server.h"
#include "common/signals.h"

namespace airstream {
namespace {

int bucket_of(uint64_t v) {
  if (v < 8) return static_cast<int>(v);
  int e = 63 - __builtin_clzll(v);  // >= 3
  int sub = static_cast<int>((v >> (e - 3)) & 7);
  int idx = (e - 2) * 8 + sub;
  return idx < Histogram::kBuckets ? idx : Histogram::kBuckets - 1;
}

double bucket_mid(int idx) {
  if (idx < 8) return idx;
  int e = idx / 8 + 2;
  int sub = idx % 8;
  double lo = std::ldexp(8 + sub, e - 3);
  double width = std::ldexp(1, e - 3);
  return lo + width / 2;
}

std::string fmt_double(double v) {
  char b[64];
  if (std::isnan(v) || std::isinf(v)) return "0";
  snprintf(b, sizeof b, "%.6g", v);
  return b;
}

std::string metric_name(const std::string& s) {
  std::string out;
  for (char c : s) out += (isalnum(static_cast<unsigned char>(c)) || c == '_') ? c : '_';
  return out;
}

}  // namespace

void Histogram::record(uint64_t micros) {
  buckets_[bucket_of(micros)].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(micros, std::memory_order_relaxed);
}

std::string prom_labels(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string out;
  for (const auto& [k, v] : pairs) {
    if (!out.empty()) out += ',';
    out += metric_name(k) + "=\"";
    for (char c : v) {
      if (c == '\\' || c == '"') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  }
  return out;
}

uint64_t Histogram::count() const {
  uint64_t n = 0;
  for (const auto& b : buckets_) n += b.load(std::memory_order_relaxed);
  return n;
}

double Histogram::quantile(double q) const {
  uint64_t snap[kBuckets];
  uint64_t total = 0;
  for (int i = 0; i < kBuckets; i++) total += snap[i] = buckets_[i].load(std::memory_order_relaxed);
  if (total == 0) return 0;
  uint64_t rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(total)));
  if (rank == 0) rank = 1;
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; i++) {
    seen += snap[i];
    if (seen >= rank) return bucket_mid(i);
  }
  return bucket_mid(kBuckets - 1);
}

Stats::Stats(std::string tool) : tool_(std::move(tool)), start_(std::chrono::steady_clock::now()) {}

Stats::~Stats() {
  server_.reset();
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::atomic<uint64_t>& Stats::counter(const std::string& name, const std::string& help) {
  std::lock_guard<std::mutex> lock(reg_mu_);
  for (auto& c : counters_)
    if (c->name == name) return c->value;
  counters_.push_back(std::make_unique<Counter>());
  counters_.back()->name = name;
  counters_.back()->help = help;
  return counters_.back()->value;
}

void Stats::counter_fn(const std::string& name, std::function<uint64_t()> fn, const std::string& help) {
  std::lock_guard<std::mutex> lock(reg_mu_);
  counters_.push_back(std::make_unique<Counter>());
  counters_.back()->name = name;
  counters_.back()->help = help;
  counters_.back()->fn = std::move(fn);
}

Histogram& Stats::histogram(const std::string& name, const std::string& help) {
  std::lock_guard<std::mutex> lock(reg_mu_);
  for (auto& h : hists_)
    if (h->name == name) return h->h;
  hists_.push_back(std::make_unique<Hist>());
  hists_.back()->name = name;
  hists_.back()->help = help;
  return hists_.back()->h;
}

void Stats::gauge_family(const std::string& name, std::function<std::vector<LabelledValue>()> fn,
                         const std::string& help) {
  std::lock_guard<std::mutex> lock(reg_mu_);
  gauges_.push_back(std::make_unique<Gauge>());
  gauges_.back()->name = name;
  gauges_.back()->family = std::move(fn);
  gauges_.back()->help = help;
}

void Stats::gauge(const std::string& name, std::function<double()> fn, const std::string& help) {
  std::lock_guard<std::mutex> lock(reg_mu_);
  gauges_.push_back(std::make_unique<Gauge>());
  gauges_.back()->name = name;
  gauges_.back()->fn = std::move(fn);
  gauges_.back()->help = help;
}

void Stats::set_progress_counters(std::vector<std::string> names) {
  std::lock_guard<std::mutex> lock(reg_mu_);
  progress_names_ = std::move(names);
}

double Stats::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::string Stats::json_line() const {
  std::lock_guard<std::mutex> lock(reg_mu_);
  double el = elapsed_seconds();
  std::string out = "{\"tool\":";
  append_json_string(out, tool_);
  out += ",\"elapsed_s\":" + fmt_double(el);
  for (const auto& c : counters_) {
    uint64_t v = c->get();
    out += ",\"" + c->name + "\":" + std::to_string(v);
    out += ",\"" + c->name + "_per_s\":" + fmt_double(el > 0 ? static_cast<double>(v) / el : 0);
  }
  for (const auto& g : gauges_)
    if (g->fn) out += ",\"" + g->name + "\":" + fmt_double(g->fn());
  for (const auto& h : hists_) {
    out += ",\"" + h->name + "_p50_ms\":" + fmt_double(h->h.quantile(0.5) / 1000);
    out += ",\"" + h->name + "_p99_ms\":" + fmt_double(h->h.quantile(0.99) / 1000);
  }
  out += "}";
  return out;
}

std::string Stats::prometheus() const {
  std::lock_guard<std::mutex> lock(reg_mu_);
  std::string base = "airstream_" + metric_name(tool_) + "_";
  std::string out;
  auto head = [&out](const std::string& n, const std::string& help, const char* type) {
    if (!help.empty()) out += "# HELP " + n + " " + help + "\n";
    out += "# TYPE " + n + " " + type + "\n";
  };
  for (const auto& c : counters_) {
    std::string n = base + metric_name(c->name) + "_total";
    head(n, c->help, "counter");
    out += n + " " + std::to_string(c->get()) + "\n";
  }
  for (const auto& g : gauges_) {
    std::string n = base + metric_name(g->name);
    head(n, g->help, "gauge");
    if (g->fn) out += n + " " + fmt_double(g->fn()) + "\n";
    if (g->family)
      for (const auto& v : g->family()) out += n + "{" + v.labels + "} " + fmt_double(v.value) + "\n";
  }
  for (const auto& h : hists_) {
    std::string n = base + metric_name(h->name) + "_seconds";
    head(n, h->help, "summary");
    out += n + "{quantile=\"0.5\"} " + fmt_double(h->h.quantile(0.5) / 1e6) + "\n";
    out += n + "{quantile=\"0.99\"} " + fmt_double(h->h.quantile(0.99) / 1e6) + "\n";
    out += n + "_sum " + fmt_double(static_cast<double>(h->h.sum_micros()) / 1e6) + "\n";
    out += n + "_count " + std::to_string(h->h.count()) + "\n";
  }
  std::string up = base + "elapsed_seconds";
  head(up, "Seconds since the run started", "gauge");
  out += up + " " + fmt_double(elapsed_seconds()) + "\n";
  return out;
}

Status Stats::write_metrics() const {
  if (opt_.metrics_file.empty()) return Status::Ok();
  std::string tmp = opt_.metrics_file + ".tmp." + std::to_string(getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status(kExitIoErr, "cannot write metrics file " + tmp + ": " + strerror(errno));
  std::string text = prometheus();
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close(fd);
      unlink(tmp.c_str());
      return Status(kExitIoErr, "cannot write metrics file " + tmp + ": " + strerror(errno));
    }
    off += static_cast<size_t>(n);
  }
  close(fd);
  if (rename(tmp.c_str(), opt_.metrics_file.c_str()) != 0) {
    unlink(tmp.c_str());
    return Status(kExitIoErr, "cannot replace metrics file " + opt_.metrics_file + ": " + strerror(errno));
  }
  return Status::Ok();
}

// "uxform: in 1200, out 1190, rejected 10, 5400/s": the chosen counters without their
// "records_" prefix, then the rate of the first one since the start.
std::string Stats::progress_text() const {
  std::lock_guard<std::mutex> lock(reg_mu_);
  double el = elapsed_seconds();
  std::string out = tool_ + ":";
  std::vector<std::string> names = progress_names_;
  if (names.empty() && !counters_.empty()) names.push_back(counters_.front()->name);
  double rate = -1;
  for (const auto& want : names) {
    for (const auto& c : counters_) {
      if (c->name != want) continue;
      uint64_t v = c->get();
      if (rate < 0) rate = el > 0 ? static_cast<double>(v) / el : 0.0;
      std::string label = c->name.rfind("records_", 0) == 0 ? c->name.substr(8) : c->name;
      out += (out.back() == ':' ? " " : ", ") + label + " " + std::to_string(v);
    }
  }
  if (rate >= 0) {
    char b[64];
    snprintf(b, sizeof b, ", %.0f/s", rate);
    out += b;
  }
  return out;
}

Status Stats::start(const StatsOptions& options) {
  opt_ = options;
  start_ = std::chrono::steady_clock::now();
  if (!defer_ready_) set_ready(true);
  if (!opt_.listen.empty()) {
    server_ = std::make_unique<MetricsServer>();
    Status st = server_->start(
        opt_.listen, [this] { return prometheus(); }, [this] { return ready(); });
    if (!st.ok()) {
      server_.reset();
      return st;
    }
  }
  if (opt_.interval_s <= 0 && opt_.metrics_file.empty() && !opt_.progress) return Status::Ok();
  if (!opt_.metrics_file.empty()) {
    Status st = write_metrics();
    if (!st.ok()) return st;
  }
  started_ = true;
  thread_ = std::thread([this] { run(); });
  return Status::Ok();
}

void Stats::run() {
  block_signals_in_thread();
  using clock = std::chrono::steady_clock;
  auto next_stats =
      clock::now() + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(opt_.interval_s));
  const auto progress_every = std::chrono::milliseconds(250);
  const auto metrics_every =
      std::chrono::milliseconds(opt_.interval_s > 0 ? static_cast<int64_t>(opt_.interval_s * 1000) : 5000);
  auto next_metrics = clock::now() + metrics_every;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    auto wake = opt_.progress ? clock::now() + progress_every
                              : std::min(next_metrics, opt_.interval_s > 0 ? next_stats : next_metrics);
    cv_.wait_until(lock, wake, [this] { return stopping_; });
    if (stopping_) break;
    auto now = clock::now();
    if (opt_.interval_s > 0 && now >= next_stats) {
      diag::raw(json_line());
      next_stats += std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(opt_.interval_s));
    }
    if (now >= next_metrics) {  // also without a file: a deadline in the past would spin
      if (!opt_.metrics_file.empty()) (void)write_metrics();
      next_metrics = now + metrics_every;
    }
    if (opt_.progress) diag::set_progress(progress_text());
  }
}

Status Stats::finish() {
  set_ready(false);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (opt_.progress) diag::clear_progress();
  if (opt_.final_line) diag::raw(json_line());
  return write_metrics();
}

}  // namespace airstream
