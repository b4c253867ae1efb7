// Confluent Schema Registry client on libcurl's easy interface (one handle, kept
// alive between requests). Requests and answers are the registry's JSON
// ("application/vnd.schemaregistry.v1+json"); errors carry {"error_code", "message"}
// (40401 subject not found, 40403 schema not found, 409 incompatible, 42201 invalid
// schema). Retryable: transport failures, 408, 429 and 5xx, with exponential
// backoff; a stop signal (SIGINT/SIGTERM) ends the waiting at once.
// libcurl is loaded with dlopen when the first client is created, not linked: its
// dependencies (TLS, Kerberos, LDAP, ...) took 3.3 ms of CPU at every start of every
// tool, most of which never talk to a registry.
#include "common/avro/registry.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <simdjson.h>

#include <algorithm>
#include <thread>

#include "common/json/json.h"
#include "common/signals.h"

namespace airstream::avro {

namespace {

size_t on_data(char* data, size_t size, size_t n, void* user) {
  auto* body = static_cast<std::string*>(user);
  if (body->size() + size * n > (64u << 20)) return 0;
  body->append(data, size * n);
  return size * n;
}

int on_progress(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return stop_requested() ? 1 : 0;
}

bool retryable(long status) {
  return status == 408 || status == 429 || status >= 500;
}

// The registry's error message from an error body, or the status.
std::string error_text(const std::string& body, long status) {
  simdjson::dom::parser p;
  simdjson::dom::element e;
  std::string_view msg;
  if (!p.parse(body).get(e) && !e["message"].get(msg))
    return std::string(msg) + " (HTTP " + std::to_string(status) + ")";
  return "HTTP " + std::to_string(status);
}

}  // namespace

// The libcurl functions used here, from the shared library loaded at first use.
struct CurlApi {
  CURLcode (*global_init)(long);
  CURL* (*easy_init)();
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  const char* (*easy_strerror)(CURLcode);
  char* (*easy_escape)(CURL*, const char*, int);
  void (*easy_cleanup)(CURL*);
  void (*free)(void*);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
};

namespace {

// Loads libcurl once (thread-safe); the error says why it could not be.
const CurlApi* curl_api(std::string& error) {
  static CurlApi api{};
  static const std::string failure = [] {
    void* lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) lib = dlopen("libcurl-gnutls.so.4", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) return std::string("cannot load libcurl (libcurl.so.4): ") + dlerror();
    bool all = true;
    auto load = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name));
      all = all && fn != nullptr;
    };
    load(api.global_init, "curl_global_init");
    load(api.easy_init, "curl_easy_init");
    load(api.easy_setopt, "curl_easy_setopt");
    load(api.easy_perform, "curl_easy_perform");
    load(api.easy_getinfo, "curl_easy_getinfo");
    load(api.easy_strerror, "curl_easy_strerror");
    load(api.easy_escape, "curl_easy_escape");
    load(api.easy_cleanup, "curl_easy_cleanup");
    load(api.free, "curl_free");
    load(api.slist_append, "curl_slist_append");
    load(api.slist_free_all, "curl_slist_free_all");
    if (!all) return std::string("libcurl lacks a function this client needs");
    if (api.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return std::string("libcurl initialisation failed");
    return std::string();
  }();
  error = failure;
  return failure.empty() ? &api : nullptr;
}

}  // namespace

Result<std::unique_ptr<RegistryClient>> RegistryClient::create(const RegistryOptions& options) {
  std::string load_error;
  const CurlApi* api = curl_api(load_error);
  if (api == nullptr) return Status(kExitSoftware, "schema registry client: " + load_error);
  if (options.url.empty()) return Status(kExitConfig, "no schema registry URL (--registry)");
  std::unique_ptr<RegistryClient> c(new RegistryClient());
  c->options_ = options;
  c->api_ = api;
  while (!c->options_.url.empty() && c->options_.url.back() == '/') c->options_.url.pop_back();
  CURL* h = api->easy_init();
  if (!h) return Status(kExitSoftware, "libcurl: cannot create a handle");
  c->curl_ = h;
  api->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  api->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  api->easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  api->easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca_file.empty()) api->easy_setopt(h, CURLOPT_CAINFO, options.ca_file.c_str());
  if (!options.user.empty()) {
    api->easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    api->easy_setopt(h, CURLOPT_USERNAME, options.user.c_str());
    api->easy_setopt(h, CURLOPT_PASSWORD, options.password.c_str());
  }
  api->easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  api->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.timeout.count()));
  api->easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  api->easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
  api->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
  curl_slist* headers = nullptr;
  headers = api->slist_append(headers, "Accept: application/vnd.schemaregistry.v1+json, application/json");
  headers = api->slist_append(headers, "Content-Type: application/vnd.schemaregistry.v1+json");
  c->headers_ = headers;
  api->easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  return c;
}

RegistryClient::~RegistryClient() {
  if (curl_) api_->easy_cleanup(static_cast<CURL*>(curl_));
  if (headers_) api_->slist_free_all(static_cast<curl_slist*>(headers_));
}

Status RegistryClient::request(const std::string& method, const std::string& path, const std::string& body,
                               Response& r) {
  CURL* h = static_cast<CURL*>(curl_);
  std::string url = options_.url + path;
  auto wait = options_.backoff;
  std::string last;
  bool answered = false;
  for (int attempt = 1; attempt <= std::max(1, options_.attempts); attempt++) {
    if (attempt > 1) {
      for (auto slept = std::chrono::milliseconds(0); slept < wait && !stop_requested();
           slept += std::chrono::milliseconds(20))
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      wait = std::min(wait * 2, std::chrono::milliseconds(5000));
    }
    if (stop_requested()) return Status(kExitTempFail, "schema registry request interrupted");
    r.body.clear();
    r.status = 0;
    char errbuf[CURL_ERROR_SIZE] = "";
    api_->easy_setopt(h, CURLOPT_URL, url.c_str());
    api_->easy_setopt(h, CURLOPT_WRITEDATA, &r.body);
    api_->easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    if (method == "POST") {
      api_->easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
      api_->easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    } else {
      api_->easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    requests_++;
    CURLcode code = api_->easy_perform(h);
    api_->easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
    if (code != CURLE_OK) {
      last = errbuf[0] ? errbuf : api_->easy_strerror(code);
      // A certificate that does not verify will not verify on the next try either.
      if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE)
        return Status(kExitUnavailable, "schema registry " + url + ": " + last + " (check --registry-ca)");
      continue;
    }
    api_->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
    answered = true;
    if (r.status == 401 || r.status == 403)
      return Status(kExitConfig,
                    "schema registry " + url + ": " + error_text(r.body, r.status) + " (check the credentials)");
    if (!retryable(r.status)) return Status::Ok();
    last = error_text(r.body, r.status);
  }
  return Status(answered ? kExitTempFail : kExitUnavailable,
                "schema registry " + url + ": " + last + " (after " + std::to_string(options_.attempts) + " attempts)");
}

Result<std::shared_ptr<const Schema>> RegistryClient::schema_by_id(uint32_t id) {
  auto it = by_id_.find(id);
  if (it != by_id_.end()) {
    it->second.used = ++tick_;
    return it->second.schema;
  }
  Response r;
  if (Status st = request("GET", "/schemas/ids/" + std::to_string(id), "", r); !st)
    return st;  // not cached: retry later
  Result<std::shared_ptr<const Schema>> result = Status(kExitDataErr, "");
  simdjson::dom::parser p;
  simdjson::dom::element e;
  std::string_view text;
  if (r.status == 404) {
    result = Status(kExitDataErr, "schema id " + std::to_string(id) + " is not in the registry");
  } else if (r.status / 100 != 2 || p.parse(r.body).get(e) || e["schema"].get(text)) {
    result = Status(kExitDataErr, "schema id " + std::to_string(id) + ": unexpected registry answer (" +
                                      error_text(r.body, r.status) + ")");
  } else {
    std::string_view type;
    if (!e["schemaType"].get(type) && type != "AVRO") {
      result =
          Status(kExitDataErr, "schema id " + std::to_string(id) + " is a " + std::string(type) + " schema, not Avro");
    } else if (auto s = Schema::parse(text); s.ok()) {
      result = *s;
    } else {
      result = Status(kExitDataErr, "schema id " + std::to_string(id) + ": " + s.status().message());
    }
  }
  return remember(id, std::move(result));
}

const Result<std::shared_ptr<const Schema>>& RegistryClient::remember(uint32_t id,
                                                                      Result<std::shared_ptr<const Schema>> r) {
  auto it = by_id_.find(id);
  if (it == by_id_.end() && by_id_.size() >= std::max<size_t>(1, options_.max_cached)) {
    auto oldest = by_id_.begin();
    for (auto j = by_id_.begin(); j != by_id_.end(); ++j)
      if (j->second.used < oldest->second.used) oldest = j;
    by_id_.erase(oldest);
  }
  return by_id_.insert_or_assign(id, Cached{std::move(r), ++tick_}).first->second.schema;
}

namespace {

std::string escape_subject(const CurlApi& api, void* curl, const std::string& subject) {
  char* esc = api.easy_escape(static_cast<CURL*>(curl), subject.c_str(), static_cast<int>(subject.size()));
  std::string out = esc ? esc : subject;
  api.free(esc);
  return out;
}

}  // namespace

Result<RegisteredSchema> RegistryClient::latest(const std::string& subject) {
  auto r = find_latest(subject);
  if (!r.ok()) return r.status();
  if (!*r) return Status(kExitConfig, "schema registry: subject " + subject + ": not found (40401)");
  return **r;
}

Result<std::optional<RegisteredSchema>> RegistryClient::find_latest(const std::string& subject) {
  Response r;
  if (Status st = request("GET", "/subjects/" + escape_subject(*api_, curl_, subject) + "/versions/latest", "", r); !st)
    return st;
  simdjson::dom::parser p;
  simdjson::dom::element e;
  int64_t code = 0;
  if (r.status == 404 && !p.parse(r.body).get(e) && !e["error_code"].get(code) && code == 40401)
    return std::optional<RegisteredSchema>();  // no such subject
  if (r.status / 100 != 2) {
    return Status(kExitConfig, "schema registry: subject " + subject + ": " + error_text(r.body, r.status));
  }
  int64_t id = 0;
  std::string_view text;
  if (p.parse(r.body).get(e) || e["id"].get(id) || e["schema"].get(text) || id < 0 || id > UINT32_MAX)
    return Status(kExitTempFail, "schema registry: unexpected answer for subject " + subject);
  auto s = Schema::parse(text);
  if (!s) return Status(kExitConfig, "schema registry: subject " + subject + ": " + s.status().message());
  // The cached schema of that id when there is one, so that a writer and the latest
  // version with the same id are one Schema.
  auto known = by_id_.find(static_cast<uint32_t>(id));
  if (known != by_id_.end() && known->second.schema.ok() && (*known->second.schema)->text() == (*s)->text()) {
    known->second.used = ++tick_;
    return std::optional<RegisteredSchema>(RegisteredSchema{static_cast<uint32_t>(id), *known->second.schema});
  }
  remember(static_cast<uint32_t>(id), *s);
  return std::optional<RegisteredSchema>(RegisteredSchema{static_cast<uint32_t>(id), *s});
}

Result<RegisteredSchema> RegistryClient::register_schema(const std::string& subject, const std::string& schema_text) {
  auto s = Schema::parse(schema_text);
  if (!s) return s.status();
  std::string body = "{\"schema\":" + json_string(schema_text) + "}";
  Response r;
  if (Status st = request("POST", "/subjects/" + escape_subject(*api_, curl_, subject) + "/versions", body, r); !st)
    return st;
  if (r.status / 100 != 2) {
    return Status(kExitConfig,
                  "schema registry refused the schema for subject " + subject + ": " + error_text(r.body, r.status));
  }
  simdjson::dom::parser p;
  simdjson::dom::element e;
  int64_t id = 0;
  if (p.parse(r.body).get(e) || e["id"].get(id) || id < 0 || id > UINT32_MAX)
    return Status(kExitTempFail, "schema registry: unexpected answer registering subject " + subject);
  remember(static_cast<uint32_t>(id), *s);
  return RegisteredSchema{static_cast<uint32_t>(id), *s};
}

}  // namespace airstream::avro
