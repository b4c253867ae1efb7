// Applies a compiled Mapping to one NDJSON record at a time: parse (simdjson
// on-demand, in place), extract the needed input values, check --where and the
// required fields, evaluate every output field and append the output line (NDJSON,
// CSV or TSV) to the caller's buffer. A record that cannot be transformed leaves the
// buffer as it was and yields the reason, naming the field and the problem.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/json/json.h"
#include "common/json/record.h"
#include "common/transform/mapping.h"
#include "common/transform/value.h"

namespace airstream::transform {

class Transformer {
 public:
  explicit Transformer(const Mapping& mapping);

  enum class Outcome { kWritten, kFiltered, kRejected };

  // text must be followed by kJsonPadding readable bytes (LineRecord::text is).
  Outcome process(std::string_view text, std::string& out, std::string& reason);
  // Copies text into a padded buffer first (tests, callers without padding).
  Outcome process_copy(std::string_view text, std::string& out, std::string& reason);

  // The CSV/TSV header line (with '\n'); nothing for NDJSON.
  void header(std::string& out) const;

 private:
  bool eval(int node, Val& out);
  // Evaluates n's arguments onto stack_; on an error leaves it as it was.
  bool push_args(const Node& n);
  bool render_fields(std::string& out, std::string& reason);
  void render_json(const Val& v, std::string& out) const;
  bool render_cell(const Val& v, std::string& out) const;

  const Mapping& m_;
  Extractor extractor_;  // own copy: extraction keeps per-record state
  RecordValidator validator_;
  JsonParser parser_;
  std::vector<Val> slots_;
  std::vector<RawField> top_;
  std::vector<Val> stack_;  // argument values of calls and templates being evaluated
  Arena arena_;
  std::string err_;
  std::string_view record_;
  std::string copy_;
};

// CSV field per RFC 4180 (quoted when it holds a comma, quote, CR or LF, or is empty
// so that it differs from a NULL), and PostgreSQL COPY text-format escaping.
void append_csv_field(std::string& out, std::string_view s, bool force_quotes);
void append_tsv_field(std::string& out, std::string_view s);

}  // namespace airstream::transform
