// INI/TOML-style configuration files (see config_file.h): a line-by-line reader
// that keeps line numbers and refuses what it cannot read, instead of skipping it.
#include "common/config_file.h"

#include <cctype>
#include <fstream>
#include <sstream>

namespace airstream {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Reads one value starting at s[i] (a quoted string or a bare word up to a comma
// when in a list); advances i. Returns false on an unterminated quote.
bool read_scalar(std::string_view s, size_t& i, bool in_list, std::string& out) {
  out.clear();
  if (i < s.size() && (s[i] == '"' || s[i] == '\'')) {
    char q = s[i++];
    while (i < s.size() && s[i] != q) {
      if (q == '"' && s[i] == '\\' && i + 1 < s.size()) ++i;
      out += s[i++];
    }
    if (i >= s.size()) return false;
    ++i;
    return true;
  }
  size_t start = i;
  while (i < s.size() && !(in_list && (s[i] == ',' || s[i] == ']'))) ++i;
  out = std::string(trim(s.substr(start, i - start)));
  return true;
}

Status parse_value(std::string_view v, std::vector<std::string>& values) {
  size_t i = 0;
  std::string item;
  if (v.empty() || v.front() != '[') {
    if (!read_scalar(v, i, false, item)) return Status(kExitConfig, "unterminated quote");
    if (!trim(v.substr(i)).empty()) return Status(kExitConfig, "text after the quoted value");
    values.push_back(item);
    return Status::Ok();
  }
  i = 1;
  while (true) {
    while (i < v.size() && isspace(static_cast<unsigned char>(v[i]))) ++i;
    if (i < v.size() && v[i] == ']' && values.empty()) break;
    if (!read_scalar(v, i, true, item)) return Status(kExitConfig, "unterminated quote");
    values.push_back(item);
    while (i < v.size() && isspace(static_cast<unsigned char>(v[i]))) ++i;
    if (i < v.size() && v[i] == ',') {
      ++i;
      continue;
    }
    if (i < v.size() && v[i] == ']') break;
    return Status(kExitConfig, "list without its closing ']'");
  }
  if (!trim(v.substr(i + 1)).empty()) return Status(kExitConfig, "text after the list");
  return Status::Ok();
}

}  // namespace

Result<std::vector<IniEntry>> parse_ini(std::string_view text, const std::string& path, IniSyntax syntax) {
  std::vector<IniEntry> out;
  std::string section;
  int section_line = 0;
  int lineno = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = trim(text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++lineno;
    auto error = [&](const std::string& msg) {
      return Status(kExitConfig, path + ":" + std::to_string(lineno) + ": " + msg);
    };
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') return error("section header without its closing ']'");
      section = std::string(trim(line.substr(1, line.size() - 2)));
      if (section.empty()) return error("empty section name");
      section_line = lineno;
      continue;
    }
    size_t sep = syntax.colon_separates ? line.find_first_of("=:") : line.find('=');
    if (sep == std::string_view::npos) return error("expected 'key = value', got '" + std::string(line) + "'");
    IniEntry e;
    e.section = section;
    e.key = std::string(trim(line.substr(0, sep)));
    e.line = lineno;
    e.section_line = section_line;
    if (e.key.empty()) return error("a value without a key");
    if (Status s = parse_value(trim(line.substr(sep + 1)), e.values); !s.ok())
      return error(s.message() + " in the value of '" + e.key + "'");
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<IniEntry>> read_ini_file(const std::string& path, IniSyntax syntax) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(kExitConfig, "cannot read " + path);
  std::stringstream buf;
  buf << in.rdbuf();
  return parse_ini(buf.str(), path, syntax);
}

bool parse_ini_bool(std::string_view text, bool& value) {
  std::string t(trim(text));
  for (char& c : t) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  if (t == "true" || t == "yes" || t == "on" || t == "1") {
    value = true;
    return true;
  }
  if (t == "false" || t == "no" || t == "off" || t == "0") {
    value = false;
    return true;
  }
  return false;
}

}  // namespace airstream
