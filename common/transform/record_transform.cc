// RecordTransform (see record_transform.h): a Transformer writing NDJSON into a
// buffer that stays padded for the sink's JSON parser, so the transformed record is
// parsed in place and never copied again before the sink encodes it.
#include "common/transform/record_transform.h"

#include "common/json/json.h"
#include "common/json/record.h"
#include "common/transform/options.h"

namespace airstream::transform {

namespace {

// The mapping's own text that goes into the output as it is, and values that may
// nest deeper than the input did (see writes_valid_json).
bool mapping_text_is_valid(const Mapping& m) {
  for (const auto& f : m.fields)
    if (!is_valid_utf8(f.key_json)) return false;
  for (const auto& n : m.prog.nodes) {
    // The whole record as a value nests one level deeper than it does: past the depth
    // limit when it was at it.
    if (n.op == Op::kRoot) return false;
    if (n.op == Op::kLiteral && static_cast<Type>(n.lit_type) == Type::kString && !is_valid_utf8(n.text)) return false;
    if (n.op == Op::kLiteral && static_cast<Type>(n.lit_type) == Type::kNumber && !is_json_number(n.text)) return false;
    for (const auto& p : n.pieces)
      if (!is_valid_utf8(p)) return false;
  }
  return true;
}

}  // namespace

RecordTransform::RecordTransform(std::unique_ptr<Mapping> m)
    : mapping_(std::move(m)), tx_(*mapping_), valid_json_(mapping_text_is_valid(*mapping_)) {}

Result<std::unique_ptr<RecordTransform>> RecordTransform::make(const MappingOptions& options) {
  MappingOptions o = options;
  o.format = Format::kNdjson;
  o.header = false;
  auto m = compile_mapping(o);
  if (!m.ok()) return m.status();
  return std::unique_ptr<RecordTransform>(new RecordTransform(std::move(*m)));
}

Result<std::unique_ptr<RecordTransform>> RecordTransform::make_if_requested(const MappingOptions& options) {
  if (!transform_requested(options)) return std::unique_ptr<RecordTransform>();
  return make(options);
}

RecordTransform::Outcome RecordTransform::apply(std::string_view text) {
  buf_.clear();
  Outcome r = tx_.process(text, buf_, reason_);
  len_ = buf_.size();
  if (len_ > 0 && buf_[len_ - 1] == '\n') len_--;  // one record, without its line end
  buf_.append(kJsonPadding, '\0');
  return r;
}

}  // namespace airstream::transform
