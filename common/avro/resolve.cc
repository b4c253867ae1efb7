// The plan of Avro schema resolution (specification 1.11, "Schema Resolution"; see
// resolve.h): the writer's and the reader's schema trees walked together, each pair
// of nodes planned once (recursive types refer back to the plan being built). A
// reader field the writer lacks takes its default, made into JSON text once here
// through avro-c (the default, in Avro's JSON encoding, filled into a value of the
// field's type and written out by the Decoder as any decoded value is).
#include "common/avro/resolve.h"

#include <map>

#include "common/avro/codec.h"

namespace airstream::avro {

namespace {

std::string_view unqualified(std::string_view name) {
  size_t dot = name.rfind('.');
  return dot == std::string_view::npos ? name : name.substr(dot + 1);
}

// Named types match by full name, unqualified name, or one of the reader's aliases.
bool same_name(const Node& w, const Node& r) {
  if (w.name == r.name || unqualified(w.name) == unqualified(r.name)) return true;
  for (const auto& a : r.aliases)
    if (a == w.name || unqualified(a) == unqualified(w.name)) return true;
  return false;
}

bool promotes(Type w, Type r) {
  switch (w) {
    case Type::kInt:
      return r == Type::kLong || r == Type::kFloat || r == Type::kDouble;
    case Type::kLong:
      return r == Type::kFloat || r == Type::kDouble;
    case Type::kFloat:
      return r == Type::kDouble;
    case Type::kString:
      return r == Type::kBytes;
    case Type::kBytes:
      return r == Type::kString;
    default:
      return false;
  }
}

// The same type (named types: the same name).
bool exact(const Node& w, const Node& r) {
  if (w.type != r.type) return false;
  return (w.type != Type::kRecord && w.type != Type::kEnum && w.type != Type::kFixed) || same_name(w, r);
}

avro_schema_t deref(avro_schema_t s) {
  return is_avro_link(s) ? avro_schema_link_target(s) : s;
}

const char* logical_name(Logical l) {
  switch (l) {
    case Logical::kUuid:
      return "uuid";
    case Logical::kDate:
      return "date";
    case Logical::kTimeMillis:
      return "time-millis";
    case Logical::kTimeMicros:
      return "time-micros";
    case Logical::kTimestampMillis:
      return "timestamp-millis";
    case Logical::kTimestampMicros:
      return "timestamp-micros";
    case Logical::kLocalTimestampMillis:
      return "local-timestamp-millis";
    case Logical::kLocalTimestampMicros:
      return "local-timestamp-micros";
    case Logical::kDecimal:
      return "decimal";
    default:
      return "none";
  }
}

}  // namespace

class ResolutionBuilder {
 public:
  explicit ResolutionBuilder(Resolution& res) : res_(res) {}

  // Plans (w, r); raw is avro-c's schema of r. Errors are the reason with the path.
  Status build(const Node& w, const Node& r, avro_schema_t raw, const ResolveStep*& out) {
    if (auto it = memo_.find({&w, &r}); it != memo_.end()) {
      out = it->second;
      return Status::Ok();
    }
    if (++depth_ > 256) return refuse("schemas nested too deeply");
    Status st = build_inner(w, r, deref(raw), out);
    --depth_;
    return st;
  }

 private:
  Status refuse(const std::string& why) {
    last_path_ = path_;
    last_why_ = why;
    return Status(kExitDataErr, path_.empty() ? why : "field " + path_ + ": " + why);
  }
  Status mismatch(const Node& w, const Node& r) {
    return refuse("the writer's " + describe(w) + " cannot be read as " + describe(r));
  }

  ResolveStep* make(ResolveStep::Kind kind, const Node& w, const Node& r, bool remember) {
    res_.steps_.push_back(std::make_unique<ResolveStep>());
    ResolveStep* s = res_.steps_.back().get();
    s->kind = kind;
    s->w = &w;
    s->r = &r;
    if (remember) {
      memo_[{&w, &r}] = s;
      remembered_.push_back({&w, &r});
    }
    return s;
  }

  // Tries to plan (w, r); on failure forgets what the attempt remembered.
  Status attempt(const Node& w, const Node& r, avro_schema_t raw, const ResolveStep*& out) {
    size_t mark = remembered_.size(), at = path_.size();
    Status st = build(w, r, raw, out);
    path_.resize(at);
    if (!st.ok()) {
      for (size_t i = mark; i < remembered_.size(); i++) memo_.erase(remembered_[i]);
      remembered_.resize(mark);
    }
    return st;
  }

  Status build_inner(const Node& w, const Node& r, avro_schema_t raw, const ResolveStep*& out) {
    if (raw == nullptr) return refuse("reader schema not available from avro-c");
    if (w.type == Type::kUnion) return writer_union(w, r, raw, out);
    if (r.type == Type::kUnion) return reader_union(w, r, raw, out);
    if (promotes(w.type, r.type)) {
      out = make(ResolveStep::kPromote, w, r, false);
      return Status::Ok();
    }
    if (!exact(w, r)) return mismatch(w, r);
    if (w.logical != Logical::kNone && r.logical != Logical::kNone && w.logical != r.logical)
      return refuse(std::string("the writer's ") + logical_name(w.logical) + " cannot be read as " +
                    logical_name(r.logical));
    if (w.logical == Logical::kDecimal && r.logical == Logical::kDecimal && w.scale != r.scale)
      return refuse("the writer's decimal of scale " + std::to_string(w.scale) + " cannot be read with scale " +
                    std::to_string(r.scale));
    switch (r.type) {
      case Type::kRecord:
        return record(w, r, raw, out);
      case Type::kEnum: {
        ResolveStep* s = make(ResolveStep::kEnum, w, r, false);
        for (const auto& sym : w.symbols) {
          int to = r.enum_default;
          for (size_t i = 0; i < r.symbols.size(); i++)
            if (r.symbols[i] == sym) to = static_cast<int>(i);
          s->symbols.push_back(to);
        }
        out = s;
        return Status::Ok();
      }
      case Type::kArray:
      case Type::kMap: {
        ResolveStep* s = make(r.type == Type::kArray ? ResolveStep::kArray : ResolveStep::kMap, w, r, true);
        const ResolveStep* items = nullptr;
        avro_schema_t raw_items = r.type == Type::kArray ? avro_schema_array_items(raw) : avro_schema_map_values(raw);
        if (Status st = build(*w.items, *r.items, raw_items, items); !st) return st;
        s->steps.push_back(items);
        out = s;
        return Status::Ok();
      }
      case Type::kFixed:
        if (w.size != r.size)
          return refuse("the writer's " + describe(w) + " of " + std::to_string(w.size) + " bytes cannot be read as " +
                        std::to_string(r.size) + " bytes");
        [[fallthrough]];
      default:
        out = make(ResolveStep::kSame, w, r, false);
        return Status::Ok();
    }
  }

  Status record(const Node& w, const Node& r, avro_schema_t raw, const ResolveStep*& out) {
    ResolveStep* s = make(ResolveStep::kRecord, w, r, true);
    out = s;
    for (size_t i = 0; i < r.fields.size(); i++) {
      const Field& f = r.fields[i];
      size_t at = path_.size();
      path_ += (at ? "." : "") + f.name;
      int from = -1;
      for (size_t k = 0; k < w.fields.size() && from < 0; k++) {
        if (w.fields[k].name == f.name) from = static_cast<int>(k);
        for (const auto& a : f.aliases)
          if (w.fields[k].name == a) from = static_cast<int>(k);
      }
      avro_schema_t raw_f = avro_schema_record_field_get_by_index(raw, static_cast<int>(i));
      const ResolveStep* step = nullptr;
      std::string plain, tagged;
      if (from >= 0) {
        if (Status st = build(*w.fields[from].type, *f.type, raw_f, step); !st) return st;
      } else if (!f.has_default) {
        return refuse("not in the writer's schema, and the reader's gives no default");
      } else if (Status st = default_text(f, raw_f, plain, tagged); !st) {
        return st;
      }
      s->from.push_back(from);
      s->steps.push_back(step);
      s->default_plain.push_back(std::move(plain));
      s->default_tagged.push_back(std::move(tagged));
      path_.resize(at);
    }
    return Status::Ok();
  }

  Status default_text(const Field& f, avro_schema_t raw_f, std::string& plain, std::string& tagged) {
    avro_value_iface_t* iface = raw_f ? avro_generic_class_from_schema(deref(raw_f)) : nullptr;
    avro_value_t v;
    if (!iface || avro_generic_value_new(iface, &v) != 0) {
      if (iface) avro_value_iface_decref(iface);
      return refuse(std::string("cannot make its default: ") + avro_strerror());
    }
    std::string e = encoder_.encode_default(*f.type, f.default_value, &v);
    if (e.empty()) e = decoder_.to_json(*f.type, &v, UnionStyle::kPlain, plain);
    if (e.empty()) e = decoder_.to_json(*f.type, &v, UnionStyle::kTagged, tagged);
    avro_value_decref(&v);
    avro_value_iface_decref(iface);
    return e.empty() ? Status::Ok() : refuse("its default does not fit its type: " + e);
  }

  // A writer's union: each branch planned on its own; a branch the reader cannot take
  // refuses the messages that use it. None at all: never readable.
  Status writer_union(const Node& w, const Node& r, avro_schema_t raw, const ResolveStep*& out) {
    ResolveStep* s = make(ResolveStep::kWriterUnion, w, r, true);
    out = s;
    std::string outer = std::move(path_);
    path_.clear();  // the refusals' paths are below the union
    Status first;
    bool any = false;
    for (const Node* b : w.branches) {
      const ResolveStep* step = nullptr;
      Status st = attempt(*b, r, raw, step);
      s->steps.push_back(st.ok() ? step : nullptr);
      s->refusals.push_back(st.ok() ? "" : last_why_);
      s->refusal_paths.push_back(st.ok() ? "" : last_path_);
      if (st.ok()) any = true;
      if (!st.ok() && first.ok()) first = st;
    }
    path_ = std::move(outer);
    if (any || w.branches.empty()) return Status::Ok();
    for (size_t k = 0; k < s->refusals.size(); k++) {
      if (!s->refusals[k].empty()) {
        std::string where = path_ + (path_.empty() || s->refusal_paths[k].empty() ? "" : ".") + s->refusal_paths[k];
        return Status(kExitDataErr, where.empty() ? s->refusals[k] : "field " + where + ": " + s->refusals[k]);
      }
    }
    return first;
  }

  // A writer's value read as a reader's union: the first branch of the same type, else
  // the first the value promotes to.
  Status reader_union(const Node& w, const Node& r, avro_schema_t raw, const ResolveStep*& out) {
    for (int pass = 0; pass < 2; pass++) {
      for (size_t k = 0; k < r.branches.size(); k++) {
        const Node& b = *r.branches[k];
        if (pass == 0 ? !exact(w, b) : !promotes(w.type, b.type)) continue;
        const ResolveStep* inner = nullptr;
        if (!attempt(w, b, avro_schema_union_branch(raw, k), inner).ok()) continue;
        ResolveStep* s = make(ResolveStep::kReaderUnion, w, r, false);
        s->branch = static_cast<int>(k);
        s->steps.push_back(inner);
        out = s;
        return Status::Ok();
      }
    }
    return refuse("the writer's " + describe(w) + " matches no branch of the reader's " + describe(r));
  }

  Resolution& res_;
  std::map<std::pair<const Node*, const Node*>, const ResolveStep*> memo_;
  std::vector<std::pair<const Node*, const Node*>> remembered_;
  std::string path_, last_path_, last_why_;
  int depth_ = 0;
  Encoder encoder_;
  Decoder decoder_;
};

Resolution::~Resolution() = default;

Result<std::shared_ptr<const Resolution>> Resolution::make(std::shared_ptr<const Schema> writer,
                                                           std::shared_ptr<const Schema> reader) {
  std::shared_ptr<Resolution> res(new Resolution());
  res->writer_ = std::move(writer);
  res->reader_ = std::move(reader);
  ResolutionBuilder b(*res);
  if (Status st = b.build(res->writer_->root(), res->reader_->root(), res->reader_->raw(), res->root_); !st) return st;
  return std::shared_ptr<const Resolution>(std::move(res));
}

}  // namespace airstream::avro
