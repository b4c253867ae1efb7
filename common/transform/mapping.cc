// Builds a Mapping from the command line: the created_users preset (the tutorial's
// Spark flattening of a randomuser.me result into spark_streams.created_users, keyed by
// login.uuid), -m definitions, -f files, filters, required fields, pass-through and
// output format; all expressions are parsed into one Program and every input path is
// registered with the Extractor.
#include "common/transform/mapping.h"

#include <fstream>
#include <sstream>

#include "common/json/json.h"

namespace airstream::transform {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> split_list(const std::vector<std::string>& items) {
  std::vector<std::string> out;
  for (const auto& item : items) {
    std::stringstream ss(item);
    std::string part;
    while (std::getline(ss, part, ',')) {
      part = trim(part);
      if (!part.empty()) out.push_back(part);
    }
  }
  return out;
}

Status usage(std::string msg) {
  return Status(kExitUsage, std::move(msg));
}

// One definition "name=expr", "\"odd name\"=expr" or "name" (= .name). Adds or replaces.
Status add_definition(Mapping& m, const std::string& def, const std::string& where) {
  // Names and literals go into the output as written: they must be text JSON can hold.
  if (!is_valid_utf8(def)) return usage(where + ": not valid UTF-8: '" + def + "'");
  std::string text = trim(def);
  std::string name, expr;
  if (!text.empty() && text[0] == '"') {
    size_t end = 1;
    while (end < text.size() && text[end] != '"') end += text[end] == '\\' ? 2 : 1;
    if (end >= text.size()) return usage(where + ": unterminated quoted field name in '" + def + "'");
    Program tmp;
    auto lit = parse_expr(tmp, text.substr(0, end + 1));
    if (!lit.ok() || tmp.nodes[static_cast<size_t>(*lit)].op != Op::kLiteral)
      return usage(where + ": bad quoted field name in '" + def + "'");
    name = tmp.nodes[static_cast<size_t>(*lit)].text;
    std::string rest = trim(std::string_view(text).substr(end + 1));
    if (rest.empty()) {
      expr = text.substr(0, end + 1);
      expr = "." + expr;
    } else if (rest[0] == '=') {
      expr = rest.substr(1);
    } else {
      return usage(where + ": expected '=' after the field name in '" + def + "'");
    }
  } else {
    size_t eq = text.find('=');
    if (eq == std::string::npos) {
      expr = text[0] == '.' ? text : "." + text;
      Program tmp;
      auto p = parse_expr(tmp, expr);
      if (!p.ok() || tmp.nodes[static_cast<size_t>(*p)].op != Op::kPath)
        return usage(where + ": '" + def + "' is neither NAME=EXPR nor a path");
      const auto& path = tmp.nodes[static_cast<size_t>(*p)].path;
      name = path.back().key;
    } else {
      name = trim(std::string_view(text).substr(0, eq));
      expr = text.substr(eq + 1);
    }
  }
  if (name.empty()) return usage(where + ": empty field name in '" + def + "'");
  auto root = parse_expr(m.prog, expr);
  if (!root.ok()) return usage(where + ": " + name + ": " + root.status().message());
  for (auto& f : m.fields) {
    if (f.name == name) {
      f.expr = *root;
      f.source = trim(expr);
      return Status::Ok();
    }
  }
  OutField f;
  f.name = name;
  f.expr = *root;
  f.source = trim(expr);
  m.fields.push_back(std::move(f));
  return Status::Ok();
}

Status read_map_file(Mapping& m, const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status(kExitNoInput, "cannot open mapping file " + path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    n++;
    std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    Status s = add_definition(m, t, path + ":" + std::to_string(n));
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace

const std::vector<Preset>& presets() {
  static const std::vector<Preset> kPresets = {
      {"created_users",
       "a randomuser.me result (API 1.3/1.4) flattened into spark_streams.created_users",
       {
           "id=.login.uuid | uuid",
           "first_name=.name.first | string",
           "last_name=.name.last | string",
           "gender=.gender | string",
           "address=\"{.location.street.number} {.location.street.name}, {.location.city}, {.location.state}, "
           "{.location.country}\"",
           "post_code=.location.postcode | string",
           "email=.email | string",
           "username=.login.username | string",
           "dob=.dob.date | string",
           "registered_date=.registered.date | string",
           "phone=.phone | string",
           "picture=.picture.medium | string",
       },
       {"id"}},
  };
  return kPresets;
}

Result<std::unique_ptr<Mapping>> compile_mapping(const MappingOptions& o) {
  auto m = std::make_unique<Mapping>();
  std::vector<std::string> require;
  m->omit_null = false;
  if (!o.preset.empty()) {
    const Preset* p = nullptr;
    for (const auto& pr : presets())
      if (o.preset == pr.name) p = &pr;
    if (p == nullptr) return usage("unknown preset '" + o.preset + "'");
    m->preset = p->name;
    for (const auto& line : p->lines) {
      Status s = add_definition(*m, line, "preset " + o.preset);
      if (!s.ok()) return s;
    }
    require = p->require;
    m->omit_null = true;
  }
  for (const auto& def : o.maps) {
    Status s = add_definition(*m, def, o.maps_option);
    if (!s.ok()) return s;
  }
  for (const auto& file : o.map_files) {
    Status s = read_map_file(*m, file);
    if (!s.ok()) return s;
  }
  if (o.nulls == "omit") m->omit_null = true;
  if (o.nulls == "keep") m->omit_null = false;

  // Pass-through and drops.
  bool any_mapping = !m->fields.empty();
  for (const auto& name : split_list(o.keep)) {
    if (name == "*") {
      m->keep_all = true;
      continue;
    }
    bool mapped = false;
    for (const auto& f : m->fields) mapped = mapped || f.name == name;
    if (!mapped) {
      Status s = add_definition(*m, json_string(name) + "=." + json_string(name), "--keep");
      if (!s.ok()) return s;
    }
  }
  if (!any_mapping && o.keep.empty()) m->keep_all = true;  // no mapping at all: records pass through
  m->drop = split_list(o.drop);
  for (const auto& name : m->drop) {
    std::erase_if(m->fields, [&](const OutField& f) { return f.name == name; });
  }
  m->format = o.format;
  m->header = o.header;
  if (m->keep_all && o.format != Format::kNdjson)
    return usage("--to csv/tsv needs a fixed list of columns: give a mapping (or --keep NAMES), not --keep '*'");
  if (o.header && o.format == Format::kNdjson) return usage("--header applies to --to csv and --to tsv only");

  // Filters and required fields.
  for (const auto& w : o.wheres) {
    auto root = parse_expr(m->prog, w);
    if (!root.ok()) return usage("--where: " + root.status().message());
    m->wheres.push_back(*root);
  }
  if (o.require.has_value()) require = split_list(*o.require);
  for (const auto& name : require) {
    bool found = false;
    for (auto& f : m->fields) {
      if (f.name == name) f.required = found = true;
    }
    if (found) continue;
    auto root = parse_expr(m->prog, name[0] == '.' ? name : "." + name);
    if (!root.ok() || m->prog.nodes[static_cast<size_t>(*root)].op != Op::kPath)
      return usage("--require: '" + name + "' is neither an output field nor an input path");
    m->input_required.push_back({name, *root});
  }

  // Register every input path with the extractor.
  for (auto& n : m->prog.nodes) {
    if (n.op == Op::kPath) n.slot = m->extractor.add_path(n.path);
  }
  for (auto& n : m->prog.nodes) {
    if (n.op != Op::kTemplate) continue;
    std::vector<int> slots;
    for (int a : n.args) {
      const Node& arg = m->prog.nodes[static_cast<size_t>(a)];
      if (arg.op == Op::kPath) slots.push_back(arg.slot);
    }
    if (slots.size() == n.args.size()) n.arg_slots = std::move(slots);
  }
  m->extractor.set_collect_top(m->keep_all);
  // Every record is validated whole (common/json/record.h), whatever the mapping reads:
  // every tool gives the same verdict on the same line.
  m->strict = true;
  for (auto& f : m->fields) {
    f.key_json = json_string(f.name) + ":";
    const Node& n = m->prog.nodes[static_cast<size_t>(f.expr)];
    if (n.op == Op::kPath) {
      f.fast_slot = n.slot;
    } else if (n.op == Op::kCall && n.args.size() == 1 &&
               m->prog.nodes[static_cast<size_t>(n.args[0])].op == Op::kPath) {
      f.fast_slot = m->prog.nodes[static_cast<size_t>(n.args[0])].slot;
      f.fast_call = true;
      f.fast_fn = n.fn;
    }
  }
  return m;
}

std::string Mapping::explain() const {
  std::string out;
  static const char* kFormats[] = {"ndjson", "csv", "tsv"};
  out += "# uxform mapping";
  if (!preset.empty()) out += " (preset " + preset + ")";
  out += "\noutput: " + std::string(kFormats[static_cast<int>(format)]);
  if (header) out += " with header";
  out += "\nnulls: " + std::string(omit_null ? "omit (null and missing fields are left out)"
                                             : "keep (missing fields are left out, null is written)");
  out += "\nvalidation: full (every record is checked to be valid JSON)";
  out += "\nfields:\n";
  for (const auto& f : fields) {
    out += "  " + json_string(f.name) + " = " + to_text(prog, f.expr);
    if (f.required) out += "  [required]";
    out += "\n";
  }
  if (keep_all) out += "pass-through: every other top-level input field, in input order\n";
  if (!drop.empty()) {
    out += "drop:";
    for (const auto& d : drop) out += " " + d;
    out += "\n";
  }
  if (!wheres.empty()) {
    out += "where (all must hold):\n";
    for (int w : wheres) out += "  " + to_text(prog, w) + "\n";
  }
  if (!input_required.empty()) {
    out += "required input fields:\n";
    for (const auto& r : input_required) out += "  " + to_text(prog, r.expr) + "\n";
  }
  out += "input paths read:\n" + extractor.describe();
  return out;
}

}  // namespace airstream::transform
