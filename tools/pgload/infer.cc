// Type inference over sample records: one on-demand pass over each record's
// top-level fields, plus a path lookup per --map column. Field names PostgreSQL
// cannot use as column names as they are (empty, longer than 63 bytes, with a NUL)
// get no column; such fields are ignored like any field without a column.
#include "infer.h"

namespace airstream::pgload {
namespace od = simdjson::ondemand;

ColKind merge_kinds(ColKind a, ColKind b) {
  if (a == ColKind::kOther) return b;
  if (b == ColKind::kOther || a == b) return a;
  if (a == ColKind::kJsonb || b == ColKind::kJsonb) return ColKind::kJsonb;
  if ((a == ColKind::kInt64 && b == ColKind::kFloat) || (a == ColKind::kFloat && b == ColKind::kInt64))
    return ColKind::kFloat;
  return ColKind::kText;
}

namespace {

ColKind kind_of(od::value v) {
  od::json_type type;
  if (v.type().get(type)) return ColKind::kOther;
  switch (type) {
    case od::json_type::null:
      return ColKind::kOther;
    case od::json_type::boolean:
      return ColKind::kBool;
    case od::json_type::number: {
      std::string_view tok = v.raw_json_token();
      while (!tok.empty() && (tok.back() == ' ' || tok.back() == '\t' || tok.back() == '\r')) tok.remove_suffix(1);
      int64_t i;
      return parse_int64(tok, i) ? ColKind::kInt64 : ColKind::kFloat;
    }
    case od::json_type::string: {
      std::string_view s;
      if (v.get_string().get(s)) return ColKind::kText;
      if (is_uuid(s) && s.size() == 36) return ColKind::kUuid;
      if (is_iso8601_timestamp(s)) return ColKind::kTimestamp;
      return ColKind::kText;
    }
    default:
      return ColKind::kJsonb;
  }
}

bool usable_name(std::string_view s) {
  return !s.empty() && s.size() <= 63 && s.find('\0') == std::string_view::npos;
}

}  // namespace

SchemaInference::SchemaInference(std::vector<std::pair<std::string, std::string>> maps) : maps_(std::move(maps)) {
  for (const auto& m : maps_) {
    index_.emplace(m.first, columns_.size());
    columns_.emplace_back(m.first, ColKind::kOther);
  }
}

void SchemaInference::note(size_t index, od::value value) {
  columns_[index].second = merge_kinds(columns_[index].second, kind_of(value));
}

void SchemaInference::observe(std::string_view text) {
  od::document doc;
  if (parser_.parse_padded(text).get(doc)) return;
  od::object object;
  if (doc.get_object().get(object)) return;
  for (auto item : object) {
    od::field field;
    if (std::move(item).get(field)) return;
    std::string_view key;
    if (field.unescaped_key().get(key)) return;
    bool mapped_source = false;
    for (const auto& m : maps_) {
      std::string_view path = m.second;
      mapped_source = mapped_source || path.substr(0, path.find('.')) == key;
    }
    if (mapped_source || !usable_name(key)) continue;
    auto it = index_.find(std::string(key));
    size_t index;
    if (it != index_.end()) {
      index = it->second;
      if (index < maps_.size()) continue;  // a --map column's name reused by a field
    } else {
      index = columns_.size();
      index_.emplace(std::string(key), index);
      columns_.emplace_back(std::string(key), ColKind::kOther);
    }
    note(index, field.value());
  }
  for (size_t i = 0; i < maps_.size(); i++) {
    if (parser_.parse_padded(text).get(doc)) return;
    od::value v;
    if (find_path(doc, maps_[i].second).get(v)) continue;
    note(i, v);
  }
}

std::vector<std::pair<std::string, ColKind>> SchemaInference::columns() const {
  auto out = columns_;
  for (auto& c : out)
    if (c.second == ColKind::kOther) c.second = ColKind::kText;
  return out;
}

}  // namespace airstream::pgload
