// rufetch's settings: the randomuser.me API parameters (results, page, seed, nat,
// gender, inc/exc, password, version), the run mode (count / duration / follow,
// paced by rate and interval), the HTTP client settings (timeouts, retries, CA) and
// the output form (bare results or --envelope). Parsed by add_options()/finish_options()
// and turned into request URLs by build_url().
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "common/status.h"

namespace airstream::rufetch {

using Millis = std::chrono::milliseconds;

inline constexpr const char* kDefaultUrl = "https://randomuser.me/api/";
inline constexpr uint32_t kMaxResults = 5000;  // the API turns anything else into 1
// The API answers 429 after 20,000 users per IP within 5 minutes (66.7 users/s);
// the default rate stays well under it.
inline constexpr double kDefaultRate = 50;

struct Options {
  // API parameters
  std::string url = kDefaultUrl;
  std::string api_version;  // "1.4" -> <url>1.4/
  std::optional<int64_t> results;
  std::optional<int64_t> count;
  std::optional<std::string> seed;
  int64_t page = 1;
  std::string nat;  // comma-separated, validated, upper-cased
  std::string gender;
  std::string inc, exc, password;

  // modes
  std::string duration;  // "" = none
  bool follow = false;
  std::string interval;  // "" = none
  std::optional<double> rate;
  bool synthetic = false;

  // HTTP
  int retries = 5;
  std::string connect_timeout = "10s", timeout = "60s";
  std::string retry_delay = "1s", retry_max_delay = "60s";
  std::string cacert;

  // output
  bool envelope = false;

  // Derived by finish_options().
  uint32_t page_size = 1;         // results per request
  std::optional<uint64_t> limit;  // total users (nullopt: no limit)
  std::optional<Millis> run_for;  // --duration
  Millis min_interval{0};         // --interval
  double users_per_s = 0;         // 0: unlimited
  Millis connect_timeout_ms{10000}, timeout_ms{60000}, retry_delay_ms{1000}, retry_max_delay_ms{60000};
  uint64_t synthetic_seed = 0;
  std::vector<std::string> warnings;  // printed by the tool after parsing
};

// The nationality codes the API knows (one unknown code makes it ignore the list).
const std::vector<std::string>& known_nationalities();
// The result fields that --inc / --exc can name.
const std::vector<std::string>& known_fields();

// Registers every rufetch option on app, storing into o.
void add_options(CLI::App& app, Options& o);

// Validates the combination and fills the derived fields. A non-ok Status has exit
// code 64 (usage) and a message without the "rufetch: error:" prefix.
Status finish_options(Options& o);

// With the default fair-use rate and a --count that takes a while (2 s or more):
// how long it will take and how to change the rate, said once at start when stderr
// is not a terminal (no progress line shows it). Empty otherwise.
std::string rate_notice(const Options& o);

// The request URL for one page: <url>[<version>/]?results=N&page=P[&seed=..&nat=..].
std::string build_url(const Options& o, uint64_t page);

// A numeric seed is used as is for --synthetic; any other text is hashed (FNV-1a).
uint64_t synthetic_seed_from(const std::string& seed);

}  // namespace airstream::rufetch
