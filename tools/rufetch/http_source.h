// The randomuser.me API source: one GET per page, the body validated whole, then
// its users written. Failed attempts are classified (see http_source.cc) and either
// retried with exponential backoff and jitter (honouring Retry-After) up to
// --retries, or ended at once (404, other 4xx, TLS verification failures).
#pragma once

#include <functional>
#include <memory>
#include <random>
#include <string>

#include "common/json/json.h"
#include "common/status.h"
#include "http_client.h"
#include "options.h"
#include "page.h"
#include "source.h"

namespace airstream::rufetch {

class HttpSource : public Source {
 public:
  // Called before each retry with a one-line description (the tool prints it).
  using RetryHook = std::function<void(const std::string&)>;

  static Result<std::unique_ptr<HttpSource>> create(const Options& o);
  void set_retry_hook(RetryHook hook) { on_retry_ = std::move(hook); }
  Status fetch(uint64_t page, uint32_t want, Writer& out, PageOutcome& outcome) override;

 private:
  struct Attempt {
    bool retry = false;       // worth another try
    int exit_code = 0;        // the exit status if it is the last one
    long retry_after_s = -1;  // server's Retry-After
    std::string message;
  };
  explicit HttpSource(const Options& o);
  // One GET; on success page_ is filled from the response body.
  Attempt attempt(const std::string& url);
  std::chrono::milliseconds backoff(uint32_t retry, long retry_after_s);

  const Options& o_;
  std::unique_ptr<HttpClient> client_;
  HttpResponse response_;
  JsonParser parser_;
  Page page_;
  RetryHook on_retry_;
  std::chrono::steady_clock::time_point deadline_;  // end of --duration: no retry waits past it
  std::mt19937_64 rng_{std::random_device{}()};
};

}  // namespace airstream::rufetch
