// A small blocking HTTP GET client on one reused libcurl easy handle (connections
// kept alive across pages), with gzip/deflate accepted, TLS peer and host
// verification always on (--cacert adds a CA file), proxies from libcurl's usual
// environment variables (http_proxy, https_proxy, no_proxy), and transfers aborted
// promptly on SIGINT/SIGTERM.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/status.h"

namespace airstream::rufetch {

struct HttpSettings {
  std::chrono::milliseconds connect_timeout{10000};
  std::chrono::milliseconds timeout{60000};
  std::string cacert;                  // empty: the system's CA store
  size_t max_body = size_t{64} << 20;  // a pretty-printed 5000-user page is about 16 MB
};

enum class Transport {
  kOk,           // a complete HTTP response arrived (any status)
  kUnreachable,  // connection refused, DNS failure, no route
  kTimeout,      // connect or transfer timeout
  kBroken,       // connection reset, truncated transfer, bad encoding, body too large
  kTls,          // certificate verification or TLS handshake failure
  kStopped,      // aborted by SIGINT/SIGTERM
  kOther,
};

struct HttpResponse {
  Transport transport = Transport::kOther;
  long status = 0;
  std::string body;         // decoded body, followed by padding bytes (see body_size)
  size_t body_size = 0;     // length of the body proper
  long retry_after_s = -1;  // Retry-After header, seconds (-1: absent)
  std::string content_type;
  std::string error;  // transport error text
};

class HttpClient {
 public:
  static Result<std::unique_ptr<HttpClient>> create(const HttpSettings& settings);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // GETs url into r (its body buffer is reused across calls). padding zero bytes
  // follow the body (for simdjson).
  void get(const std::string& url, HttpResponse& r, size_t padding);

 private:
  HttpClient() = default;
  void* curl_ = nullptr;
  HttpSettings settings_;
};

}  // namespace airstream::rufetch
