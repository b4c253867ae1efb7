// Reading of configuration files: INI with TOML's value syntax, the format of
// --config and of cqlsh's cqlshrc. `[section]` headers, `key = value` lines, '#'
// and ';' comment lines, values bare, "double-quoted" (with \" and \\), 'single-
// quoted' or a [list, "of", values]. Every entry keeps its line number, so callers
// can name the file, line and key of anything they refuse.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace airstream {

struct IniEntry {
  std::string section;  // "" before the first header
  std::string key;
  std::vector<std::string> values;  // one, or the items of a [list]
  int line = 0;
  int section_line = 0;  // line of the [section] header (0 before any)
};

struct IniSyntax {
  bool colon_separates = false;  // "key: value" as well (Python's configparser, cqlshrc)
};

// Parses text read from path (used in messages "path:line: ..."); errors are 78.
Result<std::vector<IniEntry>> parse_ini(std::string_view text, const std::string& path, IniSyntax syntax = {});

// Reads and parses a file; a file that cannot be read is an error (78).
Result<std::vector<IniEntry>> read_ini_file(const std::string& path, IniSyntax syntax = {});

// "true"/"yes"/"on"/"1" and "false"/"no"/"off"/"0" (any case); false if neither.
bool parse_ini_bool(std::string_view text, bool& value);

}  // namespace airstream
