// Fetching one page with retries. Classification of an attempt:
//   200 with a valid body and users          -> written (the page whole, or its first --count users)
//   200 with a non-JSON / truncated body, {"error": ...}, no or empty results
//                                            -> discarded whole, retried, finally exit 75
//   429, 408, 5xx (the API's outages are 502/503/504 with HTML bodies)
//                                            -> retried (Retry-After honoured), finally exit 75
//   404                                      -> exit 69 at once, with the URL (unknown API version)
//   other statuses                           -> exit 69 at once
//   connection refused / DNS failure         -> retried, finally exit 69
//   timeouts, resets, truncated transfers    -> retried, finally exit 75
//   TLS verification failure                 -> exit 69 at once (retrying cannot help)
// Backoff: retry k waits min(--retry-max-delay, --retry-delay * 2^k) scaled by a
// random factor in [0.5, 1) ("equal jitter"), or Retry-After if that is longer.
#include "http_source.h"

#include <algorithm>

#include "common/signals.h"
#include "runner.h"

namespace airstream::rufetch {
namespace {

std::string describe_body(const HttpResponse& r) {
  std::string_view b(r.body.data(), r.body_size);
  bool html = r.content_type.find("html") != std::string::npos || b.find("<html") != std::string_view::npos ||
              b.find("<!DOCTYPE") != std::string_view::npos;
  return html ? " (HTML body)" : "";
}

}  // namespace

HttpSource::HttpSource(const Options& o)
    : o_(o), deadline_(o.run_for ? Clock::now() + *o.run_for : Clock::time_point::max()) {}

Result<std::unique_ptr<HttpSource>> HttpSource::create(const Options& o) {
  std::unique_ptr<HttpSource> s(new HttpSource(o));
  HttpSettings hs;
  hs.connect_timeout = o.connect_timeout_ms;
  hs.timeout = o.timeout_ms;
  hs.cacert = o.cacert;
  auto client = HttpClient::create(hs);
  if (!client) return client.status();
  s->client_ = std::move(*client);
  return s;
}

HttpSource::Attempt HttpSource::attempt(const std::string& url) {
  Attempt a;
  client_->get(url, response_, kJsonPadding);
  const HttpResponse& r = response_;
  switch (r.transport) {
    case Transport::kOk:
      break;
    case Transport::kUnreachable:
      return {true, kExitUnavailable, -1, "cannot connect: " + r.error};
    case Transport::kTimeout:
      return {true, kExitTempFail, -1, "timed out: " + r.error};
    case Transport::kBroken:
      return {true, kExitTempFail, -1, "transfer failed: " + r.error};
    case Transport::kTls:
      return {false, kExitUnavailable, -1, "TLS failure: " + r.error};
    case Transport::kStopped:
      return {false, kExitTempFail, -1, "interrupted"};
    case Transport::kOther:
      return {true, kExitTempFail, -1, "request failed: " + r.error};
  }
  if (r.status == 429 || r.status == 408 || r.status >= 500) {
    std::string msg = "HTTP " + std::to_string(r.status) + describe_body(r);
    if (r.status == 429) msg += " (rate limited: the API allows 20,000 users per IP per 5 minutes)";
    return {true, kExitTempFail, r.retry_after_s, msg};
  }
  if (r.status == 404) {
    return {false, kExitUnavailable, -1, "HTTP 404 Not Found for " + url + " (unknown API version or path?)"};
  }
  if (r.status != 200) {
    return {false, kExitUnavailable, -1, "HTTP " + std::to_string(r.status) + describe_body(r) + " for " + url};
  }
  std::string detail;
  PageError err = parse_page(parser_, std::string_view(r.body.data(), r.body_size), page_, detail);
  if (err != PageError::kNone) return {true, kExitTempFail, -1, "bad page discarded: " + detail};
  return a;
}

std::chrono::milliseconds HttpSource::backoff(uint32_t retry, long retry_after_s) {
  double base = static_cast<double>(o_.retry_delay_ms.count());
  double cap = static_cast<double>(o_.retry_max_delay_ms.count());
  double d = std::min(cap, base * static_cast<double>(uint64_t{1} << std::min<uint32_t>(retry, 30)));
  d *= 0.5 + 0.5 * std::uniform_real_distribution<double>(0, 1)(rng_);
  if (retry_after_s >= 0) d = std::max(d, 1000.0 * static_cast<double>(std::min<long>(retry_after_s, 3600)));
  return std::chrono::milliseconds(static_cast<int64_t>(d));
}

Status HttpSource::fetch(uint64_t page, uint32_t want, Writer& out, PageOutcome& outcome) {
  const std::string url = build_url(o_, page);
  for (uint32_t tries = 0;; ++tries) {
    Attempt a = attempt(url);
    outcome.bytes_in += response_.body_size;
    if (stop_requested()) return Status(stop_exit_code(), "interrupted");
    if (a.message.empty()) break;
    std::string where = "page " + std::to_string(page) + ": ";
    if (!a.retry) return Status(a.exit_code, where + a.message);
    if (tries >= static_cast<uint32_t>(o_.retries)) {
      return Status(a.exit_code, where + a.message + "; giving up after " + std::to_string(tries) + " retries");
    }
    auto wait = backoff(tries, a.retry_after_s);
    if (Clock::now() + wait > deadline_) {
      return Status(a.exit_code, where + a.message + "; --duration ends before the next retry");
    }
    if (on_retry_) {
      on_retry_(where + a.message + "; retry " + std::to_string(tries + 1) + "/" + std::to_string(o_.retries) + " in " +
                std::to_string(wait.count()) + " ms");
    }
    ++outcome.retries;
    if (!sleep_until(Clock::now() + wait)) return Status(stop_exit_code(), "interrupted");
  }

  std::string fetched_at = o_.envelope ? utc_timestamp_now() : std::string();
  uint64_t env_page = page_.info_page > 0 ? static_cast<uint64_t>(page_.info_page) : page;
  size_t n = std::min<size_t>(want, page_.users.size());
  for (size_t i = 0; i < n; ++i) {
    std::string& buf = out.buffer();
    if (o_.envelope) append_envelope_head(buf, page_.seed_json, env_page, i, page_.version_json, fetched_at);
    append_compact(buf, page_.users[i]);
    if (o_.envelope) buf += '}';
    buf += '\n';
    if (Status s = out.end_record(); !s) return s;
    if (out.broken_pipe()) break;
    ++outcome.written;
  }
  return Status::Ok();
}

}  // namespace airstream::rufetch
