// Command-line handling shared by the tools (CLI11, without CLI11_PARSE): common
// options, --help/--version on stdout with exit 0, usage errors on stderr with exit
// 64, and the derived reader/reject/stats settings.
#include "common/cli.h"

#include <unistd.h>

#include <iostream>

#include "common/diag.h"
#include "common/units.h"
#include "version.h"

namespace airstream {

Cli::Cli(std::string tool, std::string description) : tool_(std::move(tool)), app_(std::move(description), tool_) {
  app_.set_help_flag("-h,--help", "Print this help and exit");
  app_.set_version_flag("-V,--version", tool_ + " (airstream) " AIRSTREAM_VERSION);
  app_.formatter(plain_help_formatter());
  app_.get_formatter()->column_width(34);
  app_.option_defaults()->always_capture_default();
}

void Cli::add_common(CommonOptions& o, unsigned flags) {
  common_ = &o;
  app_.add_flag("-v,--verbose", o.verbose, "More diagnostics on stderr (repeat for more)");
  app_.add_flag("-q,--quiet", o.quiet, "Only errors on stderr");
  app_.set_config("--config", "", "Read option defaults from FILE (name = value lines, TOML/INI)")
      ->check(CLI::Validator(CLI::ExistingFile).description(""))
      ->type_name("FILE");
  if (flags & kInputOptions) {
    app_.add_option("--max-line", o.max_line, "Longest input record accepted (e.g. 16MiB); longer ones are rejected")
        ->type_name("SIZE");
  }
  if (flags & kOutputOptions) {
    app_.add_flag("--line-buffered", o.line_buffered, "Flush output after every record");
  }
  if (flags & kRejectOptions) {
    app_.add_option("--reject-file", o.reject_file, "Write rejected records to FILE as NDJSON (default: stderr)")
        ->type_name("FILE");
    app_.add_option("--max-errors", o.max_errors,
                    "Stop with exit 65 after more than N rejected records (-1: unlimited)")
        ->type_name("N");
  }
  if (flags & kStatsOptions) {
    app_.add_option("--stats", o.stats, "JSON stats line on stderr every SECONDS (default 5) and at exit")
        ->expected(0, 1)
        ->type_name("SECONDS");
    app_.add_option("--metrics-file", o.metrics_file, "Write Prometheus text metrics to FILE (atomically replaced)")
        ->type_name("FILE");
    app_.add_flag("--no-progress", o.no_progress, "No progress line on stderr even when it is a terminal");
  }
}

std::optional<int> Cli::parse(int argc, char** argv) {
  try {
    app_.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    std::cout << app_.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app_.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::CallForVersion& e) {
    std::cout << e.what() << "\n";
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    std::cerr << tool_ << ": error: " << e.what() << "\n"
              << "Try '" << tool_ << " --help' for more information.\n";
    return kExitUsage;
  }
  if (common_ == nullptr) {
    diag::init(tool_, 0, false);
    return std::nullopt;
  }
  CommonOptions& o = *common_;
  diag::init(tool_, o.verbose, o.quiet);

  auto usage = [&](const std::string& msg) {
    diag::error("%s", msg.c_str());
    std::cerr << "Try '" << tool_ << " --help' for more information.\n";
    return kExitUsage;
  };
  auto max_line = parse_size(o.max_line);
  if (!max_line) return usage("--max-line: " + max_line.status().message());
  if (*max_line == 0) return usage("--max-line must be positive");
  o.reader.max_line = *max_line;

  o.reject.file = o.reject_file;
  o.reject.max_errors = o.max_errors < 0 ? -1 : o.max_errors;

  o.stats_options.final_line = o.stats.has_value();
  if (o.stats.has_value()) {
    double interval = 5;
    if (!o.stats->empty()) {
      auto d = parse_duration(*o.stats);
      if (!d) return usage("--stats: " + d.status().message());
      interval = static_cast<double>(d->count()) / 1000.0;
    }
    o.stats_options.interval_s = interval;
  }
  o.stats_options.metrics_file = o.metrics_file;
  o.stats_options.progress = !o.no_progress && !o.quiet && isatty(2);
  return std::nullopt;
}

int not_implemented(const char* tool) {
  std::cerr << tool << ": not implemented yet\n";
  return kExitSoftware;
}

}  // namespace airstream
