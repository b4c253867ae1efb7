// Resolved decoding (specification 1.11, "Schema Resolution"; the plan is
// common/avro/resolve.h): the payload is checked and read with the writer's schema as
// any payload is, then written out as JSON in the reader's shape by following the
// plan: reader fields in the reader's order, the writer's extra fields skipped, the
// missing ones as their defaults' JSON text, enum symbols and union branches mapped,
// numbers promoted only when the wider type holds them exactly. What the reader
// cannot take is refused with the field path.
#include <cmath>

#include "common/avro/codec.h"
#include "common/avro/json_text.h"
#include "common/avro/resolve.h"

namespace airstream::avro {

std::string Decoder::decode(const Resolution& resolution, std::string_view payload, std::string& out,
                            UnionStyle style) {
  avro_value_t* v = nullptr;
  if (std::string e = read(resolution.writer(), payload, v); !e.empty()) return e;
  style_ = style;
  size_t at = out.size();
  if (!emit_resolved(resolution.root(), v, out)) {
    out.resize(at);
    return error_path_.empty() ? error_ : "field " + error_path_ + ": " + error_;
  }
  return {};
}

bool Decoder::refuse_at(const std::string& field) {
  error_path_ = error_path_.empty() ? field : field + "." + error_path_;
  return false;
}

bool Decoder::emit_resolved(const ResolveStep& s, avro_value_t* v, std::string& out) {
  const Node& r = *s.r;
  switch (s.kind) {
    case ResolveStep::kSame:
      return emit(r, v, out);
    case ResolveStep::kPromote:
      return emit_promoted(s, v, out);
    case ResolveStep::kRecord: {
      out.push_back('{');
      for (size_t i = 0; i < r.fields.size(); i++) {
        if (i) out.push_back(',');
        append_json_string(out, r.fields[i].name);
        out.push_back(':');
        if (s.from[i] < 0) {
          out += style_ == UnionStyle::kTagged ? s.default_tagged[i] : s.default_plain[i];
          continue;
        }
        avro_value_t child;
        avro_value_get_by_index(v, static_cast<size_t>(s.from[i]), &child, nullptr);
        if (!emit_resolved(*s.steps[i], &child, out)) return refuse_at(r.fields[i].name);
      }
      out.push_back('}');
      return true;
    }
    case ResolveStep::kEnum: {
      int k = 0;
      avro_value_get_enum(v, &k);
      int to = s.symbols[static_cast<size_t>(k)];
      if (to < 0) {
        error_ = "the writer's symbol " + json_string(s.w->symbols[static_cast<size_t>(k)]) +
                 " is not in the reader's " + describe(r) + " (which gives no default)";
        return false;
      }
      append_json_string(out, r.symbols[static_cast<size_t>(to)]);
      return true;
    }
    case ResolveStep::kArray:
    case ResolveStep::kMap:
      return emit_items(v, s.kind == ResolveStep::kMap, out,
                        [&](avro_value_t* child) { return emit_resolved(*s.steps[0], child, out); });
    case ResolveStep::kWriterUnion: {
      int d = 0;
      avro_value_t branch;
      avro_value_get_discriminant(v, &d);
      avro_value_get_current_branch(v, &branch);
      const ResolveStep* step = s.steps[static_cast<size_t>(d)];
      if (step == nullptr) {
        error_ = s.refusals[static_cast<size_t>(d)];
        error_path_ = s.refusal_paths[static_cast<size_t>(d)];
        return false;
      }
      return emit_resolved(*step, &branch, out);
    }
    case ResolveStep::kReaderUnion: {
      const Node& b = *r.branches[static_cast<size_t>(s.branch)];
      if (style_ == UnionStyle::kPlain || b.type == Type::kNull) return emit_resolved(*s.steps[0], v, out);
      out.push_back('{');
      append_json_string(out, branch_name(b));
      out.push_back(':');
      if (!emit_resolved(*s.steps[0], v, out)) return false;
      out.push_back('}');
      return true;
    }
  }
  return true;
}

// int -> long, float, double; long -> float, double; float -> double; string <-> bytes.
bool Decoder::emit_promoted(const ResolveStep& s, avro_value_t* v, std::string& out) {
  const Node& w = *s.w;
  const Node& r = *s.r;
  if (w.type == Type::kString || w.type == Type::kBytes) {
    const void* p = nullptr;
    size_t size = 0;
    if (w.type == Type::kString) {
      const char* c = nullptr;
      avro_value_get_string(v, &c, &size);
      p = c;
      size = size ? size - 1 : 0;
    } else {
      avro_value_get_bytes(v, &p, &size);
    }
    std::string_view bytes(p ? static_cast<const char*>(p) : "", size);
    if (r.type == Type::kBytes) {
      append_latin1(out, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
      return true;
    }
    if (!is_valid_utf8(bytes)) {
      error_ = "the writer's bytes are not valid UTF-8: they cannot be read as a string";
      return false;
    }
    append_json_string(out, bytes);
    return true;
  }
  if (w.type == Type::kFloat) {
    float f = 0;
    avro_value_get_float(v, &f);
    append_float(out, static_cast<double>(f));
    return true;
  }
  int64_t x = 0;
  if (w.type == Type::kInt) {
    int32_t i = 0;
    avro_value_get_int(v, &i);
    x = i;
  } else {
    avro_value_get_long(v, &x);
  }
  if (r.type == Type::kLong) {
    emit_integer(r, x, out);
    return true;
  }
  // 2^63 is exact in both: a value that rounds to it is out of range.
  bool exact;
  if (r.type == Type::kFloat) {
    auto f = static_cast<float>(x);
    exact = std::fabs(f) < 9.2233720368547758e18f && static_cast<int64_t>(f) == x;
    if (exact) append_float(out, f);
  } else {
    auto d = static_cast<double>(x);
    exact = std::fabs(d) < 9.2233720368547758e18 && static_cast<int64_t>(d) == x;
    if (exact) append_float(out, d);
  }
  if (!exact)
    error_ = "the writer's " + describe(w) + " " + std::to_string(x) + " cannot be read exactly as " + describe(r);
  return exact;
}

}  // namespace airstream::avro
