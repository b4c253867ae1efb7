// RecordEncoder: one NDJSON record (a JSON object) -> one COPY row, converted and
// checked per column type on the client: a COPY binary tuple when every column has a
// binary send format pgload writes (copy_binary.h), else a line of COPY text. A row
// with a value that cannot be converted exactly to binary (a timestamp only the
// server can read, ...) is encoded as text instead, and its signature says so.
// Columns are matched to fields by name, by --map col=field (a dotted path reaches
// into nested objects), or take the whole record (--jsonb). A field that is missing
// leaves its column out of the row when the column has a default (the signature
// says which were left out, so the loader can use the right COPY column list), NULL
// otherwise.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/json/json.h"
#include "common/json/record.h"
#include "common/status.h"
#include "copy_binary.h"
#include "copy_text.h"
#include "typmod.h"

namespace airstream::pgload {

struct EncoderColumn {
  std::string name;
  ColKind kind = ColKind::kText;
  bool has_default = false;
  std::string field;             // dotted path of the source field ("" = same as name)
  bool whole_record = false;     // --jsonb: the column takes the whole record
  bool no_field = false;         // no field feeds it (its name is taken by a --map source)
  BinType bin = BinType::kNone;  // its binary send format (kNone: COPY text only)
  int numeric_precision = 0;     // numeric(precision, scale); 0: plain numeric or not numeric
  int numeric_scale = 0;
  TypeLimits limits{};  // what its type modifier keeps (typmod.h)
};

// The precision and scale of a numeric column from its format_type() text
// ("numeric(10,2)", "numeric(5)"); 0, 0 for plain "numeric" or any other type.
void numeric_typmod(std::string_view type_sql, int& precision, int& scale);

// How a column's values are written: COPY text (bin kNone), or the binary field of bin.
// local_is_utc: the session TimeZone is UTC (timestamptz values without an offset).
struct ValueFormat {
  ColKind kind = ColKind::kText;
  BinType bin = BinType::kNone;
  bool local_is_utc = false;
  bool float4 = false;        // a kFloat column is real (else double precision)
  int numeric_precision = 0;  // a kNumeric column is numeric(precision, scale) (0: plain numeric)
  int numeric_scale = 0;
  const TypeLimits* limits = nullptr;  // checks by type modifier (typmod.h); null: none
  // For the grammar checks of an object or array value (common/json/ondemand_check.h):
  // the nesting of the value's parent (the record's object is 1), and whether the
  // record holds a '\\' (string escapes to check).
  size_t depth = 1;
  bool escapes = true;
};
// kText: the value is valid but has no exact binary form here; the row goes as text.
enum class Conv { kOk, kRejected, kText };

// Converts one JSON value for a column (appended to out). kRejected sets error
// ("expected bigint, got string ..."); the checks are the same in both formats.
Conv convert_value(simdjson::ondemand::value& value, const ValueFormat& format, std::string& out, std::string& error);
// The same, COPY text only.
bool convert_value(simdjson::ondemand::value value, ColKind kind, std::string& out, std::string& error);

class RecordEncoder {
 public:
  RecordEncoder();
  ~RecordEncoder();

  // columns: the columns written, in COPY order. strict: reject top-level fields
  // that no column takes.
  Status init(std::vector<EncoderColumn> columns, bool strict);

  // The columns without a binary send format (none: binary rows are possible).
  std::vector<std::string> text_only_columns() const;
  // Encode rows as COPY binary tuples from now on (every column must have a bin);
  // local_is_utc: see ValueFormat.
  void set_binary(bool binary, bool local_is_utc);

  // Encodes the record (text followed by kJsonPadding readable bytes) as one COPY row
  // appended to row: a binary tuple (signature has kBinaryRow) or a text line ending
  // in '\n'. signature: bit i set = the i-th column with a default was missing and is
  // left out. false + error when the record is refused. The record's grammar is
  // checked in the same pass (common/json/ondemand_check.h); a refused record gets
  // RecordValidator's reason if the grammar refuses it, unless valid_json says the
  // text is known to be a valid record (the in-process transform wrote it).
  bool encode(std::string_view padded_text, std::string& row, uint64_t& signature, std::string& error,
              bool valid_json = false);

  // Columns (indexes into columns()) whose values route a row to a job of --jobs: the
  // upsert key, else the primary key. After encode(), route_hash() is equal for rows
  // with equal keys (uuids compare by value, in any spelling), whatever the format
  // of the rows.
  void set_route_columns(std::vector<size_t> columns) { route_columns_ = std::move(columns); }
  bool routed() const { return !route_columns_.empty(); }
  uint64_t route_hash() const { return route_hash_; }

  // Names of the columns present in rows of this signature, in COPY order.
  std::vector<std::string> columns_for(uint64_t signature) const;
  const std::vector<EncoderColumn>& columns() const { return columns_; }

 private:
  struct Node;
  // Converts the record's values into slots (binary: as binary fields where exact).
  bool fill_slots(std::string_view text, bool binary, std::string& error);
  bool visit_object(simdjson::ondemand::object object, const Node& node, bool top, std::string& error);
  // stashed: the binary pass's values of the route columns are in route_stash_.
  uint64_t hash_route(bool stashed) const;

  std::vector<EncoderColumn> columns_;
  std::vector<int> default_bit_;  // per column: its bit in the signature, or -1
  bool strict_ = false;
  int whole_record_ = -1;
  std::unique_ptr<Node> root_;
  RecordValidator validator_;
  JsonParser parser_;
  std::vector<std::string> slots_;
  std::vector<uint8_t> present_;
  std::vector<size_t> route_columns_;
  uint64_t route_hash_ = 0;
  bool binary_ = false;
  bool local_is_utc_ = false;
  bool binary_pass_ = false;              // fill_slots is converting to binary
  bool escapes_ = true;                   // the record holds a '\\'
  size_t depth_ = 1;                      // nesting of the object being visited
  size_t text_values_ = 0;                // values of this pass that need the row as text
  std::vector<uint8_t> text_value_;       // per column: that value needed text
  std::vector<std::string> route_stash_;  // route column values of the binary pass
};

}  // namespace airstream::pgload
