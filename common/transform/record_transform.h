// One compiled transform applied record by record inside a sink (cqlwrite, pgload):
// the record read (a file line or a Kafka message) goes through the mapping, and what
// comes out is the NDJSON record the sink then encodes for its store. A record the
// --where filters leave out is done (its offset may be committed); one the transform
// cannot process is rejected with the same reason uxform gives.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "common/transform/mapping.h"
#include "common/transform/transform.h"

namespace airstream::transform {

class RecordTransform {
 public:
  // Compiles the mapping (usage errors: exit 64). NDJSON output only.
  static Result<std::unique_ptr<RecordTransform>> make(const MappingOptions& options);
  // The same, or null when no transform option was given (transform_requested()).
  static Result<std::unique_ptr<RecordTransform>> make_if_requested(const MappingOptions& options);

  using Outcome = Transformer::Outcome;
  // text must be followed by kJsonPadding readable bytes. kWritten: out() is the
  // transformed record, followed by kJsonPadding readable bytes, valid until the next
  // apply(); kRejected: reason() says why.
  Outcome apply(std::string_view text);
  std::string_view out() const { return std::string_view(buf_.data(), len_); }
  const std::string& reason() const { return reason_; }
  const Mapping& mapping() const { return *mapping_; }
  // True when every record apply() writes is a valid record (common/json/record.h) by
  // construction, so that the sink need not check its grammar again: values come from
  // the validated input (no deeper than they were: not the whole record `.`) or from
  // the functions, which write valid JSON, and the mapping's own text is valid too:
  // field names and string literals valid UTF-8, number literals spelled as JSON
  // spells them (a literal 007 is not).
  bool writes_valid_json() const { return valid_json_; }

 private:
  explicit RecordTransform(std::unique_ptr<Mapping> m);

  std::unique_ptr<Mapping> mapping_;
  Transformer tx_;
  std::string buf_, reason_;
  size_t len_ = 0;
  bool valid_json_ = false;
};

}  // namespace airstream::transform
