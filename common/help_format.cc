// The --help layout every tool shares: option names with a plain argument name
// (`--ttl DURATION`, `--concurrency N`) and the facts a user needs in the description
// ("(default: 256)", "(one of: none, lz4)", "(env: CQL_HOSTS)", "(required)"), the
// way curl and psql print theirs, instead of CLI11's parser notation (`=[] ...`,
// `:NONNEGATIVE`, `REQUIRED`, `:INT in [1 - 32768]`, `:{a,b}`). scripts/gen-docs reads
// this output to generate completions: a short list of choices is the argument
// name itself (`--compression none|lz4`), a longer one ends the description as
// "(one of: a, b, ...)".
#include <cctype>
#include <sstream>

#include "common/cli.h"

namespace airstream {
namespace {

// CLI11's own type names, which say nothing to a user.
bool generic_type(const std::string& t) {
  return t.empty() || t == "TEXT" || t == "INT" || t == "UINT" || t == "FLOAT" || t == "BOOLEAN" || t == "ENUM";
}

std::string upper_name(const CLI::Option* opt) {
  std::string name = opt->get_lnames().empty() ? opt->get_single_name() : opt->get_lnames().front();
  for (char& c : name) c = c == '-' ? '_' : static_cast<char>(toupper(static_cast<unsigned char>(c)));
  return name;
}

// The choices of an IsMember check, from the type name CLI11 builds
// ("TEXT:{a,b}" or "INT:{4,5}"); empty when there are none.
std::vector<std::string> choices_of(const CLI::Option* opt) {
  std::vector<std::string> out;
  std::string full = opt->get_type_name();
  size_t open = full.find(":{");
  if (open == std::string::npos) return out;
  size_t close = full.find('}', open);
  if (close == std::string::npos) return out;
  std::stringstream in(full.substr(open + 2, close - open - 2));
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(item);
  return out;
}

std::string joined(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// A choice list short enough to be the argument name itself.
bool short_choices(const std::vector<std::string>& c) {
  return c.size() >= 2 && c.size() <= 4 && joined(c, "|").size() <= 24;
}

class PlainFormatter : public CLI::Formatter {
 public:
  // One line per option: names and argument, at least two spaces, description (on
  // the next line when the names are too long), which scripts/gen-docs relies on.
  std::string make_option(const CLI::Option* opt, bool is_positional) const override {
    std::string left = "  " + make_option_name(opt, is_positional) + make_option_opts(opt);
    std::string desc = make_option_desc(opt);
    size_t width = get_column_width();
    for (size_t nl = desc.find('\n'); nl != std::string::npos; nl = desc.find('\n', nl + 1))
      desc.insert(nl + 1, std::string(width, ' '));  // continuation lines stay in the column
    if (left.size() + 2 > width) return left + "\n" + std::string(width, ' ') + desc + "\n";
    return left + std::string(width - left.size(), ' ') + desc + "\n";
  }

  std::string make_option_name(const CLI::Option* opt, bool is_positional) const override {
    if (is_positional) return arg_name(opt) + (opt->get_expected_max() > 1 ? "..." : "");
    return CLI::Formatter::make_option_name(opt, false);
  }

  std::string make_option_opts(const CLI::Option* opt) const override {
    if (!opt->nonpositional() || takes_no_value(opt)) return "";
    return " " + arg_name(opt);
  }

  std::string make_option_desc(const CLI::Option* opt) const override {
    std::string desc = opt->get_description();
    std::vector<std::string> notes;
    auto choices = choices_of(opt);
    if (!choices.empty() && !short_choices(choices)) notes.push_back("one of: " + joined(choices, ", "));
    std::string def = opt->get_default_str();
    if (!takes_no_value(opt) && !def.empty() && def != "[]" && desc.find("default") == std::string::npos &&
        desc.find(def + ":") == std::string::npos)
      notes.push_back("default: " + def);
    if (!opt->get_envname().empty()) notes.push_back("env: " + opt->get_envname());
    if (opt->get_required() && opt->nonpositional()) notes.push_back("required");
    for (const auto& n : notes) desc += (desc.empty() ? "(" : " (") + n + ")";
    return desc;
  }

  std::string make_option_usage(const CLI::Option* opt) const override {
    std::string u = make_option_name(opt, true);
    return opt->get_required() ? u : "[" + u + "]";
  }

 private:
  static bool takes_no_value(const CLI::Option* opt) {
    return opt->get_type_name().empty() || opt->get_expected_max() == 0;
  }

  // The type name the tool gave (ADDR:PORT stays whole): CLI11's full type name with
  // the ":description" of each validator taken off its end.
  static std::string own_type_name(const CLI::Option* opt) {
    std::string full = opt->get_type_name();
    std::string suffix;
    auto* o = const_cast<CLI::Option*>(opt);  // CLI11 has no const accessor for validators
    for (int i = 0;; i++) {
      try {
        std::string d = o->get_validator(i)->get_description();
        if (!d.empty()) suffix += ":" + d;
      } catch (const CLI::OptionNotFound&) {
        break;
      }
    }
    if (full.size() >= suffix.size() && full.compare(full.size() - suffix.size(), suffix.size(), suffix) == 0)
      full.resize(full.size() - suffix.size());
    return full;
  }

  // The plain argument name: the tool's own type name (FILE, DURATION, N), the
  // choices when there are few, or the option's name in capitals.
  static std::string arg_name(const CLI::Option* opt) {
    auto choices = choices_of(opt);
    if (short_choices(choices)) return joined(choices, "|");
    std::string t = own_type_name(opt);
    if (t == "INT" || t == "UINT") return "N";
    if (generic_type(t)) return upper_name(opt);
    return t;
  }
};

}  // namespace

std::shared_ptr<CLI::Formatter> plain_help_formatter() {
  return std::make_shared<PlainFormatter>();
}

}  // namespace airstream
