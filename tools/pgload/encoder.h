// RecordEncoder: one NDJSON record (a JSON object) -> one row of COPY text, converted
// and checked per column type on the client. Columns are matched to fields by name,
// by --map col=field (a dotted path reaches into nested objects), or take the whole
// record (--jsonb). A field that is missing leaves its column out of the row when the
// column has a default (the signature says which were left out, so the loader can
// use the right COPY column list), NULL otherwise.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/json.h"
#include "common/status.h"
#include "copy_text.h"

namespace airstream::pgload {

struct EncoderColumn {
  std::string name;
  ColKind kind = ColKind::kText;
  bool has_default = false;
  std::string field;          // dotted path of the source field ("" = same as name)
  bool whole_record = false;  // --jsonb: the column takes the whole record
  bool no_field = false;      // no field feeds it (its name is taken by a --map source)
};

// Converts one JSON value to COPY text for a column of the given kind (appended to
// out). On failure returns false and sets error ("expected bigint, got string ...").
bool convert_value(simdjson::ondemand::value value, ColKind kind, std::string& out, std::string& error);

class RecordEncoder {
 public:
  RecordEncoder();
  ~RecordEncoder();

  // columns: the columns written, in COPY order. strict: reject top-level fields
  // that no column takes.
  Status init(std::vector<EncoderColumn> columns, bool strict);

  // Encodes the record (text followed by kJsonPadding readable bytes) as one COPY
  // line (with '\n') appended to row. signature: bit i set = the i-th column with a
  // default was missing and is left out. false + error when the record is refused.
  bool encode(std::string_view padded_text, std::string& row, uint64_t& signature, std::string& error);

  // Columns (indexes into columns()) whose values route a row to a job of --jobs: the
  // upsert key, else the primary key. After encode(), route_hash() is equal for rows
  // with equal keys (uuids compare by value, in any spelling).
  void set_route_columns(std::vector<size_t> columns) { route_columns_ = std::move(columns); }
  bool routed() const { return !route_columns_.empty(); }
  uint64_t route_hash() const;

  // Names of the columns present in rows of this signature, in COPY order.
  std::vector<std::string> columns_for(uint64_t signature) const;
  const std::vector<EncoderColumn>& columns() const { return columns_; }

 private:
  struct Node;
  bool visit_object(simdjson::ondemand::object object, const Node& node, bool top, std::string& error);

  std::vector<EncoderColumn> columns_;
  std::vector<int> default_bit_;  // per column: its bit in the signature, or -1
  bool strict_ = false;
  int whole_record_ = -1;
  std::unique_ptr<Node> root_;
  JsonParser parser_;
  std::vector<std::string> slots_;
  std::vector<uint8_t> present_;
  std::vector<size_t> route_columns_;
};

}  // namespace airstream::pgload
