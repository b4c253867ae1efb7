// rufetch: fetch users from the randomuser.me API (or generate synthetic ones) and
// write one JSON object per line. This file wires options, source, stats and the
// page loop together and turns the outcome into an exit status and a stderr summary
// (users requested vs delivered when the run ends early).
#include "app.h"

#include <time.h>
#include <unistd.h>

#include <memory>

#include "common/cli.h"
#include "common/diag.h"
#include "common/signals.h"
#include "common/stats.h"
#include "http_source.h"
#include "runner.h"
#include "synthetic_source.h"

namespace airstream::rufetch {
namespace {

std::string requested_text(const Options& o) {
  if (o.limit) return " of " + std::to_string(*o.limit) + " requested";
  return "";
}

}  // namespace

int run(int argc, char** argv) {
  install_signal_handlers();
  Cli cli("rufetch",
          "rufetch (airstream): fetch users from the randomuser.me API and write them as NDJSON, one user per line");
  CommonOptions common;
  cli.add_common(common, kOutputOptions | kStatsOptions);
  Options o;
  add_options(cli.app(), o);
  if (auto code = cli.parse(argc, argv)) return *code;
  if (Status s = finish_options(o); !s) {
    diag::error("%s", s.message().c_str());
    fprintf(stderr, "Try 'rufetch --help' for more information.\n");
    return kExitUsage;
  }
  for (const auto& w : o.warnings) diag::warn("%s", w.c_str());
  if (std::string notice = rate_notice(o); !notice.empty() && !isatty(2)) diag::note("%s", notice.c_str());

  std::unique_ptr<Source> source;
  if (o.synthetic) {
    if (!o.seed) {
      struct timespec ts;
      clock_gettime(CLOCK_REALTIME, &ts);
      o.synthetic_seed = static_cast<uint64_t>(ts.tv_nsec) ^ (static_cast<uint64_t>(ts.tv_sec) << 20) ^ getpid();
      diag::info(1, "synthetic seed %llu", static_cast<unsigned long long>(o.synthetic_seed));
    }
    source = std::make_unique<SyntheticSource>(o.synthetic_seed, o.page_size, o.envelope);
  } else {
    auto http = HttpSource::create(o);
    if (!http) {
      diag::error("%s", http.status().message().c_str());
      return http.status().exit_code();
    }
    (*http)->set_retry_hook([](const std::string& msg) { diag::warn("%s", msg.c_str()); });
    source = std::move(*http);
  }

  Writer out(1);
  out.set_line_buffered(common.line_buffered);
  Stats stats("rufetch");
  RunCounters counters{&stats.counter("users_out", "Users written"), &stats.counter("pages", "Pages written"),
                       &stats.counter("retries", "Failed attempts that were retried"),
                       &stats.counter("bytes_in", "Response body bytes received")};
  if (Status s = stats.start(common.stats_options); !s) {
    diag::error("%s", s.message().c_str());
    return s.exit_code();
  }
  RunResult r = run_pages(o, *source, out, counters);
  (void)stats.finish();

  if (r.stopped) {
    diag::note("interrupted: delivered %llu users in %llu pages", static_cast<unsigned long long>(r.delivered),
               static_cast<unsigned long long>(r.pages));
    return stop_exit_code();
  }
  if (!r.status.ok()) {
    diag::error("%s", r.status.message().c_str());
    diag::note("delivered %llu%s users in %llu pages (%llu retries)", static_cast<unsigned long long>(r.delivered),
               requested_text(o).c_str(), static_cast<unsigned long long>(r.pages),
               static_cast<unsigned long long>(r.retries));
    return r.status.exit_code();
  }
  if (r.broken_pipe) {
    // The reader went away before everything asked for was written (a write failed
    // with EPIPE): lost output for `set -o pipefail`, not a quiet end (as in kconsume
    // and uxform).
    diag::error("standard output closed early (broken pipe): stopped after %llu%s users",
                static_cast<unsigned long long>(r.delivered), requested_text(o).c_str());
    return kExitIoErr;
  }
  diag::info(1, "delivered %llu users in %llu pages (%llu retries)", static_cast<unsigned long long>(r.delivered),
             static_cast<unsigned long long>(r.pages), static_cast<unsigned long long>(r.retries));
  return kExitOk;
}

}  // namespace airstream::rufetch
