// A compiled transform mapping: the output fields (from --preset, -m and -f, in that
// order; a later definition of a name replaces an earlier one in place), the --where
// filters, the --require checks, the --keep/--drop pass-through rules, null handling
// and the output format. compile_mapping() checks everything up front, so a bad
// mapping is a usage error before any input is read; explain() prints the result.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/transform/expr.h"
#include "common/transform/extract.h"

namespace airstream::transform {

enum class Format { kNdjson, kCsv, kTsv };

struct MappingOptions {
  std::string preset;                               // "" or "created_users"
  std::vector<std::string> maps;                    // "name=expr" (or "name" for name=.name)
  std::vector<std::string> map_files;               // files of such lines, '#' comments
  std::vector<std::string> wheres;                  // all must hold
  std::optional<std::vector<std::string>> require;  // given: replaces the preset's list
  std::vector<std::string> keep;                    // top-level input fields to pass through ("*": all)
  std::vector<std::string> drop;                    // output fields to leave out
  std::string nulls;                                // "keep", "omit", or "" (preset default)
  Format format = Format::kNdjson;
  bool header = false;
  bool strict = false;             // accepted for compatibility: every record is validated whole
  std::string maps_option = "-m";  // how messages name the option of `maps`
};

struct OutField {
  std::string name;
  int expr = -1;
  std::string source;  // the definition as given, for messages
  bool required = false;
  std::string key_json;  // "\"name\":", pre-rendered
  // Fast form of the common shapes `.path` and `.path | fn` (no recursion at run time):
  // fast_slot >= 0 when the expression is one of them; fast_call for the second.
  int fast_slot = -1;
  bool fast_call = false;
  Fn fast_fn = Fn::kString;
};

struct InputCheck {
  std::string name;  // as given to --require
  int expr = -1;     // a path expression
};

struct Mapping {
  std::string preset;
  Program prog;
  Extractor extractor;
  std::vector<OutField> fields;
  std::vector<int> wheres;
  std::vector<InputCheck> input_required;
  bool keep_all = false;  // pass every other top-level field through
  std::vector<std::string> drop;
  bool omit_null = false;
  Format format = Format::kNdjson;
  bool header = false;
  bool strict = false;

  std::string explain() const;
};

// The preset's mapping lines and default required fields.
struct Preset {
  const char* name;
  const char* description;
  std::vector<std::string> lines;
  std::vector<std::string> require;
};
const std::vector<Preset>& presets();

Result<std::unique_ptr<Mapping>> compile_mapping(const MappingOptions& options);

}  // namespace airstream::transform
