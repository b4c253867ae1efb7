// A tiny HTTP/1.0-style server for a tool's metrics (--metrics-listen ADDR:PORT), the
// way Prometheus exporters serve them: GET /metrics answers the Prometheus text
// exposition format (version 0.0.4), GET /healthz (liveness: the process answers) 200,
// GET /readyz (readiness) 200 or 503 as the tool says. One thread, one connection at a
// time, each request bounded in size and time, "Connection: close" after every answer:
// enough for a scraper and a probe, and nothing for a slow client to hold up.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "common/status.h"

namespace airstream {

// "ADDR:PORT", "[V6ADDR]:PORT" or ":PORT" (all interfaces); port 0 picks a free one.
struct ListenAddress {
  std::string host;  // empty: any
  std::string port;
};
Result<ListenAddress> parse_listen_address(const std::string& text);

class MetricsServer {
 public:
  MetricsServer() = default;
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds and starts serving; `metrics` and `ready` are called from the server's thread.
  // 64: malformed address; 69: cannot bind (in use, no such address).
  Status start(const std::string& listen, std::function<std::string()> metrics, std::function<bool()> ready);
  // The bound port (after start; useful with port 0).
  int port() const { return port_; }
  void stop();

 private:
  void run();
  void serve(int fd);

  std::function<std::string()> metrics_;
  std::function<bool()> ready_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  int port_ = 0;
  std::thread thread_;
};

}  // namespace airstream
