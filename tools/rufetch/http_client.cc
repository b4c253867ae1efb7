// libcurl easy-interface GET (https://curl.se/libcurl/c/libcurl-easy.html). One
// handle is reused for every request, so libcurl keeps the connection (and TLS
// session) alive between pages. CURLOPT_ACCEPT_ENCODING "" offers every encoding
// libcurl can decode; CURLINFO_RETRY_AFTER (curl 7.66+) parses Retry-After in both
// its seconds and HTTP-date forms. Proxies are not set here, so libcurl honours
// http_proxy / https_proxy / no_proxy from the environment.
#include "http_client.h"

#include <curl/curl.h>

#include "common/signals.h"
#include "version.h"

namespace airstream::rufetch {
namespace {

struct Sink {
  std::string* body;
  size_t max;
  bool too_large = false;
};

size_t on_data(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t len = size * n;
  if (sink->body->size() + len > sink->max) {
    sink->too_large = true;
    return 0;  // makes curl fail with CURLE_WRITE_ERROR
  }
  sink->body->append(data, len);
  return len;
}

int on_progress(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return stop_requested() ? 1 : 0;
}

Transport classify(CURLcode code) {
  switch (code) {
    case CURLE_OK:
      return Transport::kOk;
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return Transport::kUnreachable;
    case CURLE_OPERATION_TIMEDOUT:
      return Transport::kTimeout;
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_WRITE_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return Transport::kBroken;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
      return Transport::kTls;
    case CURLE_ABORTED_BY_CALLBACK:
      return Transport::kStopped;
    default:
      return Transport::kOther;
  }
}

}  // namespace

Result<std::unique_ptr<HttpClient>> HttpClient::create(const HttpSettings& settings) {
  static const CURLcode global = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (global != CURLE_OK) return Status(kExitSoftware, "libcurl initialisation failed");
  std::unique_ptr<HttpClient> c(new HttpClient());
  c->settings_ = settings;
  CURL* h = curl_easy_init();
  if (h == nullptr) return Status(kExitSoftware, "libcurl: cannot create a handle");
  c->curl_ = h;
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, "rufetch/" AIRSTREAM_VERSION " (airstream)");
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!settings.cacert.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, settings.cacert.c_str());
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(settings.timeout.count()));
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
  return c;
}

HttpClient::~HttpClient() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

void HttpClient::get(const std::string& url, HttpResponse& r, size_t padding) {
  CURL* h = static_cast<CURL*>(curl_);
  r.body.clear();
  r.status = 0;
  r.retry_after_s = -1;
  r.content_type.clear();
  r.error.clear();
  Sink sink{&r.body, settings_.max_body};
  char errbuf[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  CURLcode code = curl_easy_perform(h);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  r.transport = classify(code);
  if (sink.too_large) {
    r.transport = Transport::kBroken;
    r.error = "response body larger than " + std::to_string(settings_.max_body >> 20) + " MiB";
  } else if (code != CURLE_OK) {
    r.error = errbuf[0] ? errbuf : curl_easy_strerror(code);
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
  curl_off_t retry_after = 0;
  if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0) {
    r.retry_after_s = static_cast<long>(retry_after);
  }
  char* ct = nullptr;
  if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct != nullptr) r.content_type = ct;
  r.body_size = r.body.size();
  r.body.append(padding, '\0');
}

}  // namespace airstream::rufetch
