// Command-line conventions shared by the tools, on CLI11 (without CLI11_PARSE):
// --help/--version print to stdout and exit 0; a usage error prints
// "<tool>: error: ..." and a hint to stderr and exits 64. The common options
// (-q, -v, --config, --reject-file, --max-errors, --line-buffered, --max-line,
// --stats, --metrics-file, --no-progress) are added in one place so every tool
// spells them the same. Precedence: command line, then --config file, then
// environment variables.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>

#include "common/json/ndjson_reader.h"
#include "common/reject.h"
#include "common/stats.h"

namespace airstream {

struct CommonOptions {
  int verbose = 0;
  bool quiet = false;
  std::string config;
  // input side
  std::string max_line = "16MiB";
  bool max_line_given = false;  // set by parse(): --max-line on the command line or in --config
  // output side
  bool line_buffered = false;
  // rejects
  std::string reject_file;
  int64_t max_errors = -1;
  // stats
  std::optional<std::string> stats;  // present: --stats given (value: interval, may be "")
  std::string metrics_file;
  std::string metrics_listen;
  bool no_progress = false;

  // Derived after parsing (see Cli::parse).
  ReaderOptions reader;
  RejectOptions reject;
  StatsOptions stats_options;
};

enum CommonFlags : unsigned {
  kInputOptions = 1,   // --max-line
  kOutputOptions = 2,  // --line-buffered
  kRejectOptions = 4,  // --reject-file, --max-errors
  kStatsOptions = 8,   // --stats, --metrics-file, --metrics-listen, --no-progress
  kAllOptions = 15,
};

class Cli {
 public:
  Cli(std::string tool, std::string description);
  CLI::App& app() { return app_; }

  // Replaces the help flag's names ("-h,--help"), for a tool whose -h means
  // something else (pgload's -h HOST, as psql's).
  void set_help_names(const std::string& names);

  // Adds -q/-v/--config plus the groups in flags, storing into opts.
  void add_common(CommonOptions& opts, unsigned flags);

  // Parses argv. Returns an exit code if the tool must exit now (0 after --help /
  // --version, 64 on a usage error, message already printed), nullopt to go on.
  // Also initialises diag:: and fills the derived fields of the CommonOptions.
  std::optional<int> parse(int argc, char** argv);

 private:
  std::string tool_;
  CLI::App app_;
  CommonOptions* common_ = nullptr;
};

// Whether this process draws the progress line: stderr is a terminal and stdout is not
// a pipe. In a pipeline sharing one terminal only the last stage (the one whose
// stdout is the terminal or a file) draws, so lines never overwrite each other.
bool draws_progress();

// The --help layout of every tool (common/help_format.cc): plain argument names,
// defaults and choices in the description, no parser notation.
std::shared_ptr<CLI::Formatter> plain_help_formatter();

// The stub of a tool whose stage is not implemented yet: prints
// "<tool>: not implemented yet" and returns 70.
int not_implemented(const char* tool);

}  // namespace airstream
