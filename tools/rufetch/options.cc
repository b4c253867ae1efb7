// rufetch's command line: the API parameters with the API's own limits enforced
// client-side (the API silently turns an out-of-range results value into 1 and
// ignores a whole nat list for one unknown code, so both are usage errors here),
// the run modes and their defaults, and the request URL for each page.
#include "options.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "common/units.h"

namespace airstream::rufetch {
namespace {

Status usage(std::string msg) {
  return Status(kExitUsage, std::move(msg));
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) {
    if (!out.empty()) out += ',';
    out += s;
  }
  return out;
}

// Normalises a comma list against the allowed words; upper or lower case.
Status check_list(const char* option, std::string& value, const std::vector<std::string>& allowed, bool upper) {
  auto items = split_list(value);
  if (items.empty()) return usage(std::string(option) + ": empty list");
  for (auto& item : items) {
    for (char& c : item)
      c = static_cast<char>(upper ? toupper(static_cast<unsigned char>(c)) : tolower(static_cast<unsigned char>(c)));
    if (std::find(allowed.begin(), allowed.end(), item) == allowed.end()) {
      return usage(std::string(option) + ": unknown value '" + item + "' (known: " + join(allowed) + ")");
    }
  }
  value = join(items);
  return Status::Ok();
}

// --password: "CHARSETS,MIN-MAX" or "CHARSETS,MAX" with charsets special, upper,
// lower, number (the API's syntax).
Status check_password(const std::string& spec) {
  static const std::vector<std::string> kSets = {"special", "upper", "lower", "number"};
  auto items = split_list(spec);
  bool sets = false;
  for (const auto& item : items) {
    if (std::find(kSets.begin(), kSets.end(), item) != kSets.end()) {
      sets = true;
      continue;
    }
    size_t dash = item.find('-');
    std::string lo = item.substr(0, dash), hi = dash == std::string::npos ? "" : item.substr(dash + 1);
    auto digits = [](const std::string& s) {
      return !s.empty() && s.size() <= 3 &&
             std::all_of(s.begin(), s.end(), [](char c) { return isdigit(static_cast<unsigned char>(c)); });
    };
    if (&item != &items.back() || !digits(lo) || (dash != std::string::npos && !digits(hi))) {
      return usage("--password: '" + item + "' is not one of special, upper, lower, number or a length (8 or 8-16)");
    }
  }
  if (!sets) return usage("--password: name at least one of special, upper, lower, number");
  return Status::Ok();
}

Status duration_of(const char* option, const std::string& text, Millis& out) {
  auto d = parse_duration(text);
  if (!d) return usage(std::string(option) + ": " + d.status().message());
  out = *d;
  return Status::Ok();
}

void append_param(std::string& url, const char* name, const std::string& value) {
  static const char kHex[] = "0123456789ABCDEF";
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += name;
  url += '=';
  for (unsigned char c : value) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ',') {
      url += static_cast<char>(c);
    } else {
      url += '%';
      url += kHex[c >> 4];
      url += kHex[c & 15];
    }
  }
}

// Shows the allowed words in --help as "{A,B,...}" (which the generated shell
// completions offer). The comma lists themselves are checked in finish_options,
// which names the bad item.
CLI::Validator choices_hint(const std::vector<std::string>& words) {
  return CLI::Validator([](std::string&) { return std::string(); }, "{" + join(words) + "}");
}

}  // namespace

const std::vector<std::string>& known_nationalities() {
  static const std::vector<std::string> k = {"AU", "BR", "CA", "CH", "DE", "DK", "ES", "FI", "FR", "GB", "IE",
                                             "IN", "IR", "MX", "NL", "NO", "NZ", "RS", "TR", "UA", "US"};
  return k;
}

const std::vector<std::string>& known_fields() {
  static const std::vector<std::string> k = {"gender", "name",  "location", "email", "login",   "registered",
                                             "dob",    "phone", "cell",     "id",    "picture", "nat"};
  return k;
}

void add_options(CLI::App& app, Options& o) {
  // A repeated option takes its last value (scripts append overrides).
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("--url", o.url, "API endpoint (default https://randomuser.me/api/)")
      ->type_name("URL")
      ->envname("RUFETCH_URL");
  app.add_option("--api-version", o.api_version, "Pin the API version (e.g. 1.4: requests go to <url>1.4/)")
      ->type_name("VER");
  app.add_option("-n,--results", o.results, "Users per request, 1..5000 (default: --count up to 5000)")->type_name("N");
  app.add_option("-c,--count", o.count, "Total users to write, then exit (default: one page)")->type_name("N");
  app.add_option("-s,--seed", o.seed, "API seed: the same seed gives the same users, page after page")
      ->type_name("SEED");
  app.add_option("--page", o.page, "First page to request (with --seed: continue a sequence)")->type_name("N");
  app.add_option("--nat", o.nat, "Nationalities, comma-separated, e.g. us,gb (case-insensitive)")
      ->type_name("LIST")
      ->check(choices_hint(known_nationalities()));
  app.add_option("--gender", o.gender, "Only male or female users (the API ignores it with --seed)")
      ->type_name("GENDER")
      ->check(CLI::IsMember({"male", "female"}));
  app.add_option("--inc", o.inc, "Only these result fields, comma-separated")
      ->type_name("FIELDS")
      ->check(choices_hint(known_fields()));
  app.add_option("--exc", o.exc, "All result fields except these, comma-separated")
      ->type_name("FIELDS")
      ->check(choices_hint(known_fields()));
  app.add_option("--password", o.password, "Password spec: CHARSETS,MIN-MAX (e.g. upper,lower,number,8-16)")
      ->type_name("SPEC");
  app.add_option("-d,--duration", o.duration, "Fetch for this long, then exit (e.g. 60s)")->type_name("DURATION");
  app.add_flag("-f,--follow", o.follow, "Keep fetching until interrupted");
  app.add_option("-i,--interval", o.interval, "Wait at least this long between requests (e.g. 1s)")
      ->type_name("DURATION");
  app.add_option("-r,--rate", o.rate, "At most N users per second (default 50; 0 = unlimited; --synthetic: unlimited)")
      ->type_name("N");
  app.add_flag("--synthetic", o.synthetic, "Generate synthetic randomuser-shaped users locally (no network)");
  app.add_option("--retries", o.retries, "Retries per page on 429/5xx/timeouts/bad bodies, then exit 75")
      ->type_name("N");
  app.add_option("--retry-delay", o.retry_delay, "First retry delay, doubled each retry, with jitter")
      ->type_name("DURATION");
  app.add_option("--retry-max-delay", o.retry_max_delay, "Longest delay between retries (Retry-After may ask for more)")
      ->type_name("DURATION");
  app.add_option("--connect-timeout", o.connect_timeout, "Connection timeout per request")->type_name("DURATION");
  app.add_option("--timeout", o.timeout, "Timeout for a whole request")->type_name("DURATION");
  app.add_option("--cacert", o.cacert, "Verify the server with the CA certificates in FILE (PEM)")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
  app.add_flag("-e,--envelope", o.envelope,
               "Wrap each user: {\"seed\",\"page\",\"index\",\"version\",\"fetched_at\",\"result\"}");
}

Status finish_options(Options& o) {
  if (o.results && (*o.results < 1 || *o.results > kMaxResults)) {
    return usage("--results must be 1..5000 (the API turns other values into 1)");
  }
  if (o.count && *o.count < 1) return usage("--count must be at least 1");
  if (o.page < 1) return usage("--page must be at least 1");
  if (o.retries < 0) return usage("--retries must not be negative");
  if (o.rate && (!std::isfinite(*o.rate) || *o.rate < 0)) return usage("--rate must be a number >= 0");
  if (!o.nat.empty()) {
    if (Status s = check_list("--nat", o.nat, known_nationalities(), true); !s) return s;
  }
  if (!o.inc.empty()) {
    if (Status s = check_list("--inc", o.inc, known_fields(), false); !s) return s;
  }
  if (!o.exc.empty()) {
    if (Status s = check_list("--exc", o.exc, known_fields(), false); !s) return s;
  }
  if (!o.password.empty()) {
    if (Status s = check_password(o.password); !s) return s;
  }
  if (!o.api_version.empty()) {
    const std::string& v = o.api_version;
    bool ok =
        isdigit(static_cast<unsigned char>(v.front())) && isdigit(static_cast<unsigned char>(v.back())) &&
        std::all_of(v.begin(), v.end(), [](char c) { return isdigit(static_cast<unsigned char>(c)) || c == '.'; });
    if (!ok) return usage("--api-version: expected a version number such as 1.4");
  }
  if (!o.synthetic && o.url.rfind("http://", 0) != 0 && o.url.rfind("https://", 0) != 0) {
    return usage("--url: expected an http:// or https:// URL, got '" + o.url + "'");
  }
  if (o.gender.size() && o.seed) o.warnings.push_back("--gender is ignored by the API when --seed is given");
  if (o.synthetic && (o.nat.size() || o.gender.size() || o.inc.size() || o.exc.size() || o.password.size())) {
    o.warnings.push_back("--nat, --gender, --inc, --exc and --password are ignored with --synthetic");
  }

  if (o.duration.size()) {
    Millis d;
    if (Status s = duration_of("--duration", o.duration, d); !s) return s;
    o.run_for = d;
  }
  if (o.interval.size()) {
    if (Status s = duration_of("--interval", o.interval, o.min_interval); !s) return s;
  }
  for (auto [name, text, out] : {std::tuple{"--connect-timeout", &o.connect_timeout, &o.connect_timeout_ms},
                                 std::tuple{"--timeout", &o.timeout, &o.timeout_ms},
                                 std::tuple{"--retry-delay", &o.retry_delay, &o.retry_delay_ms},
                                 std::tuple{"--retry-max-delay", &o.retry_max_delay, &o.retry_max_delay_ms}}) {
    if (Status s = duration_of(name, *text, *out); !s) return s;
  }

  o.users_per_s = o.rate.value_or(o.synthetic ? 0 : kDefaultRate);
  if (o.count) {
    o.limit = static_cast<uint64_t>(*o.count);
  } else if (!o.run_for && !o.follow) {
    o.limit = static_cast<uint64_t>(o.results.value_or(1));
  }
  if (o.results) {
    o.page_size = static_cast<uint32_t>(*o.results);
  } else {
    // Live: about one request per second at the rate; synthetic: ten pages per second.
    double size = kMaxResults;
    if (o.users_per_s > 0) size = o.synthetic ? o.users_per_s / 10 : o.users_per_s;
    if (o.limit) size = std::min<double>(size, static_cast<double>(*o.limit));
    o.page_size = static_cast<uint32_t>(std::clamp<double>(std::floor(size), 1, kMaxResults));
  }
  o.synthetic_seed = o.seed ? synthetic_seed_from(*o.seed) : 0;
  return Status::Ok();
}

std::string rate_notice(const Options& o) {
  if (o.synthetic || o.rate || !o.count || o.users_per_s <= 0) return "";
  // The first page goes at once, the others when the rate allows.
  double seconds = static_cast<double>(*o.count - std::min<int64_t>(*o.count, o.page_size)) / o.users_per_s;
  if (seconds < 2) return "";
  auto s = static_cast<int64_t>(std::ceil(seconds));
  char when[48];
  if (s < 60)
    snprintf(when, sizeof when, "%llds", static_cast<long long>(s));
  else if (s < 3600)
    snprintf(when, sizeof when, "%lldm%02llds", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  else
    snprintf(when, sizeof when, "%lldh%02lldm", static_cast<long long>(s / 3600), static_cast<long long>(s / 60 % 60));
  char msg[256];
  snprintf(msg, sizeof msg,
           "%lld users at the default fair-use rate of %g users/s take about %s; --rate N changes it "
           "(0: unlimited; the API answers 429 above about 66 users/s)",
           static_cast<long long>(*o.count), o.users_per_s, when);
  return msg;
}

std::string build_url(const Options& o, uint64_t page) {
  std::string url = o.url;
  if (!o.api_version.empty()) {
    size_t q = url.find('?');
    std::string query = q == std::string::npos ? "" : url.substr(q);
    url.resize(q == std::string::npos ? url.size() : q);
    if (url.back() != '/') url += '/';
    url += o.api_version + "/" + query;
  }
  append_param(url, "results", std::to_string(o.page_size));
  append_param(url, "page", std::to_string(page));
  if (o.seed) append_param(url, "seed", *o.seed);
  if (!o.nat.empty()) append_param(url, "nat", o.nat);
  if (!o.gender.empty()) append_param(url, "gender", o.gender);
  if (!o.inc.empty()) append_param(url, "inc", o.inc);
  if (!o.exc.empty()) append_param(url, "exc", o.exc);
  if (!o.password.empty()) append_param(url, "password", o.password);
  return url;
}

uint64_t synthetic_seed_from(const std::string& seed) {
  if (!seed.empty() && seed.size() <= 19 &&
      std::all_of(seed.begin(), seed.end(), [](char c) { return isdigit(static_cast<unsigned char>(c)); })) {
    return std::stoull(seed);
  }
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : seed) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

}  // namespace airstream::rufetch
