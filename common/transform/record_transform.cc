// RecordTransform (see record_transform.h): a Transformer writing NDJSON into a
// buffer that stays padded for the sink's JSON parser, so the transformed record is
// parsed in place and never copied again before the sink encodes it.
#include "common/transform/record_transform.h"

#include "common/json/json.h"
#include "common/transform/options.h"

namespace airstream::transform {

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
