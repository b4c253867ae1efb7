// Column type inference for --create without --schema: the first --infer-rows
// records are observed and each field gets the narrowest type that holds every value
// seen (uuid, bigint, double precision, boolean, timestamptz for ISO-8601 strings,
// text, jsonb for objects and arrays; mixed types widen to text, anything with an
// object or array to jsonb; only nulls: text).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/json/json.h"
#include "copy_text.h"

namespace airstream::pgload {

// The type lattice: kind of a and b together. kOther stands for "nothing seen yet".
ColKind merge_kinds(ColKind a, ColKind b);

class SchemaInference {
 public:
  // maps: (column, dotted field path) from --map; those columns come first, and the
  // top-level fields they read from get no column of their own.
  explicit SchemaInference(std::vector<std::pair<std::string, std::string>> maps);

  // Observes one record (followed by kJsonPadding readable bytes). Records that are
  // not JSON objects are ignored here (they are rejected when loaded).
  void observe(std::string_view padded_text);

  std::vector<std::pair<std::string, ColKind>> columns() const;

 private:
  void note(size_t index, simdjson::ondemand::value value);

  std::vector<std::pair<std::string, std::string>> maps_;
  std::vector<std::pair<std::string, ColKind>> columns_;  // maps first, then fields in first-seen order
  std::unordered_map<std::string, size_t> index_;
  JsonParser parser_;
};

}  // namespace airstream::pgload
