// Command-line handling shared by the tools (CLI11, without CLI11_PARSE): common
// options, --help/--version on stdout with exit 0, usage errors on stderr with exit
// 64, and the derived reader/reject/stats settings.
#include "common/cli.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>

#include "common/config_file.h"
#include "common/diag.h"
#include "common/metrics/http_server.h"
#include "common/units.h"
#include "version.h"

namespace airstream {
namespace {

const char* const kTools[] = {"rufetch", "kproduce", "kconsume", "uxform", "cqlwrite", "pgload"};

// Keys an [airstream] section may hold: the options every tool shares, the Kafka
// client's and the schema registry's. Each tool applies those it has and ignores the
// others.
// clang-format off
const char* const kSharedKeys[] = {
    "verbose", "quiet", "max-line", "line-buffered", "reject-file", "max-errors", "stats", "metrics-file",
    "no-progress", "brokers", "X", "F",
    "registry", "registry-user", "registry-password-file", "registry-ca", "registry-timeout"};
// clang-format on

// A --config file that cannot be used: exit 78 with "file:line: ..." as the message.
struct ConfigFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads --config files for one tool (format in common/config_file.h). Keys before
// any section and in the tool's own [section] must be options of the tool; an
// [airstream] section holds the shared keys; other tools' sections are skipped;
// any other section, an unknown key or a single-valued key given twice is an error.
class ToolConfig : public CLI::Config {
 public:
  ToolConfig(const CLI::App* app, std::string tool) : app_(app), tool_(std::move(tool)) {}

  std::string to_config(const CLI::App*, bool, bool, std::string) const override { return ""; }

  std::vector<CLI::ConfigItem> from_config(std::istream& in) const override {
    std::string path = app_->get_config_ptr()->as<std::string>();
    std::stringstream buf;
    buf << in.rdbuf();
    auto entries = parse_ini(buf.str(), path);
    if (!entries.ok()) throw ConfigFileError(entries.status().message());

    struct Item {
      std::vector<std::string> values;
      int line = 0;
      bool shared = false;
    };
    std::vector<std::string> order;
    std::map<std::string, Item> items;
    for (const IniEntry& e : *entries) {
      auto where = path + ":" + std::to_string(e.line) + ": ";
      bool shared = e.section == "airstream";
      if (!shared && !e.section.empty() && e.section != tool_) {
        if (std::find(std::begin(kTools), std::end(kTools), e.section) != std::end(kTools)) continue;
        throw ConfigFileError(path + ":" + std::to_string(e.section_line) + ": unknown section [" + e.section +
                              "] (use [airstream] or a tool's name, e.g. [" + tool_ + "])");
      }
      std::string key = e.key;
      if (key.size() > 1) std::replace(key.begin(), key.end(), '_', '-');
      const CLI::Option* op = app_->get_option_no_throw((key.size() == 1 ? "-" : "--") + key);
      if (op == app_->get_config_ptr() || op == app_->get_help_ptr() || (op && op->get_name() == "--version"))
        op = nullptr;
      if (shared) {
        if (std::find(std::begin(kSharedKeys), std::end(kSharedKeys), key) == std::end(kSharedKeys))
          throw ConfigFileError(where + "key '" + e.key + "' in [airstream] is not shared by the tools; put it in [" +
                                tool_ + "] or another tool's section");
        if (op == nullptr) continue;  // a shared option this tool does not have
      } else if (op == nullptr) {
        throw ConfigFileError(where + "unknown key '" + e.key + "' (" + tool_ + " has no such option" +
                              (e.section.empty() ? "; keys for other tools go in their [tool] section)" : ")"));
      }
      std::string name = op->get_lnames().empty() ? op->get_single_name() : op->get_lnames().front();
      auto [it, fresh] = items.try_emplace(name);
      Item& item = it->second;
      if (fresh) {
        order.push_back(name);
      } else if (item.shared != shared) {
        if (shared) continue;  // [airstream] never overrides the tool's own setting
        item.values.clear();   // which replaces an earlier [airstream] one
      } else if (op->get_expected_max() <= 1) {
        throw ConfigFileError(where + "'" + e.key + "' is set twice (also on line " + std::to_string(item.line) + ")");
      }
      item.shared = shared;
      item.line = e.line;
      item.values.insert(item.values.end(), e.values.begin(), e.values.end());
    }
    std::vector<CLI::ConfigItem> out;
    for (const auto& name : order) {
      CLI::ConfigItem ci;
      ci.name = name;
      ci.inputs = items[name].values;
      out.push_back(std::move(ci));
    }
    return out;
  }

 private:
  const CLI::App* app_;
  std::string tool_;
};

// "-X list" or "-X dump" (also "-Xlist") on the command line.
bool asks_kafka_config(int argc, char** argv) {
  for (int i = 1; i < argc; i++) {
    std::string_view a = argv[i];
    if (a == "--") break;
    if (a == "-X" && i + 1 < argc)
      a = argv[++i];
    else if (a.substr(0, 2) == "-X")
      a.remove_prefix(2);
    else
      continue;
    if (a == "list" || a == "dump") return true;
  }
  return false;
}

}  // namespace

Cli::Cli(std::string tool, std::string description) : tool_(std::move(tool)), app_(std::move(description), tool_) {
  app_.set_help_flag("-h,--help", "Print this help and exit");
  app_.set_version_flag("-V,--version", tool_ + " (airstream) " AIRSTREAM_VERSION);
  app_.formatter(plain_help_formatter());
  app_.get_formatter()->column_width(34);
  app_.option_defaults()->always_capture_default();
}

void Cli::set_help_names(const std::string& names) {
  app_.set_help_flag(names, "Print this help and exit");
}

void Cli::add_common(CommonOptions& o, unsigned flags) {
  common_ = &o;
  app_.add_flag("-v,--verbose", o.verbose, "More diagnostics on stderr (repeat for more)");
  app_.add_flag("-q,--quiet", o.quiet, "Only errors on stderr");
  app_.set_config("--config", "",
                  "Read option defaults from FILE (key = value lines; [airstream] and [" + tool_ + "] sections)")
      ->check(CLI::Validator(CLI::ExistingFile).description(""))
      ->type_name("FILE");
  app_.config_formatter(std::make_shared<ToolConfig>(&app_, tool_));
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
    app_.add_option("--metrics-listen", o.metrics_listen,
                    "Serve Prometheus metrics over HTTP on ADDR:PORT (/metrics, /healthz, /readyz)")
        ->type_name("ADDR:PORT");
    app_.add_flag("--no-progress", o.no_progress, "No progress line on stderr even when it is a terminal");
  }
}

std::optional<int> Cli::parse(int argc, char** argv) {
  // -X list and -X dump (librdkafka's properties, the configuration in effect) print
  // and exit, as kcat's do: the options a run needs (cqlwrite's --keyspace, pgload's
  // --table) are not required for them.
  if (app_.get_option_no_throw("-X") != nullptr && asks_kafka_config(argc, argv))
    for (CLI::Option* opt : app_.get_options()) opt->required(false);
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
  } catch (const ConfigFileError& e) {
    std::cerr << tool_ << ": error: " << e.what() << "\n";
    return kExitConfig;
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
  if (CLI::Option* opt = app_.get_option_no_throw("--max-line")) o.max_line_given = opt->count() > 0;

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
  o.stats_options.listen = o.metrics_listen;
  if (!o.metrics_listen.empty()) {
    if (auto a = parse_listen_address(o.metrics_listen); !a.ok()) return usage(a.status().message());
  }
  o.stats_options.progress = !o.no_progress && !o.quiet && draws_progress();
  return std::nullopt;
}

bool draws_progress() {
  struct stat st;
  return isatty(2) && !(fstat(1, &st) == 0 && S_ISFIFO(st.st_mode));
}

int not_implemented(const char* tool) {
  std::cerr << tool << ": not implemented yet\n";
  return kExitSoftware;
}

}  // namespace airstream
