// Avro schema parsing (specification 1.11, "Schema Declaration" and "Logical Types"):
// avro-c validates the schema and builds the generic value class used for binary
// encoding and decoding; this file builds the parallel tree with logical types,
// defaults and names. Names resolve as the specification says: a dotted name is a full
// name, a simple name takes the enclosing namespace. A logical type on the wrong
// underlying type, or a decimal whose precision or scale is invalid, is ignored and
// the underlying type used, as the specification requires.
#include "common/avro/schema.h"

#include <map>

namespace airstream::avro {

namespace dom = simdjson::dom;

namespace {

struct Primitive {
  const char* name;
  Type type;
};
constexpr Primitive kPrimitives[] = {
    {"null", Type::kNull},   {"boolean", Type::kBoolean}, {"int", Type::kInt},     {"long", Type::kLong},
    {"float", Type::kFloat}, {"double", Type::kDouble},   {"bytes", Type::kBytes}, {"string", Type::kString},
};

bool primitive(std::string_view name, Type& t) {
  for (const auto& p : kPrimitives) {
    if (name == p.name) {
      t = p.type;
      return true;
    }
  }
  return false;
}

const char* type_name(Type t) {
  for (const auto& p : kPrimitives) {
    if (p.type == t) return p.name;
  }
  switch (t) {
    case Type::kRecord:
      return "record";
    case Type::kEnum:
      return "enum";
    case Type::kArray:
      return "array";
    case Type::kMap:
      return "map";
    case Type::kUnion:
      return "union";
    case Type::kFixed:
      return "fixed";
    default:
      return "?";
  }
}

}  // namespace

std::string branch_name(const Node& n) {
  if (n.type == Type::kRecord || n.type == Type::kEnum || n.type == Type::kFixed) return n.name;
  return type_name(n.type);
}

std::string describe(const Node& n) {
  switch (n.type) {
    case Type::kRecord:
    case Type::kEnum:
    case Type::kFixed:
      return std::string(type_name(n.type)) + " " + n.name;
    case Type::kUnion: {
      std::string s = "union [";
      for (size_t i = 0; i < n.branches.size(); i++) s += (i ? ", " : "") + branch_name(*n.branches[i]);
      return s + "]";
    }
    default:
      break;
  }
  return type_name(n.type);
}

class SchemaBuilder {
 public:
  explicit SchemaBuilder(Schema& s) : s_(s) {}

  Status build(dom::element e, const std::string& ns, const Node*& out) {
    if (++depth_ > 256) return err("schema nested too deeply");
    Status st = build_inner(e, ns, out);
    --depth_;
    return st;
  }

 private:
  static Status err(std::string m) { return Status(kExitConfig, "invalid Avro schema: " + std::move(m)); }

  Node* make() {
    s_.nodes_.push_back(std::make_unique<Node>());
    return s_.nodes_.back().get();
  }

  static std::string full_name(std::string_view name, std::string_view ns) {
    if (name.find('.') != std::string_view::npos || ns.empty()) return std::string(name);
    return std::string(ns) + "." + std::string(name);
  }

  Status build_inner(dom::element e, const std::string& ns, const Node*& out) {
    if (e.is_string()) {
      std::string_view name = e.get_string().value_unsafe();
      Type t;
      if (primitive(name, t)) {
        Node* n = make();
        n->type = t;
        out = n;
        return Status::Ok();
      }
      auto it = named_.find(full_name(name, ns));
      if (it == named_.end()) it = named_.find(std::string(name));
      if (it == named_.end()) return err("unknown type name \"" + std::string(name) + "\"");
      out = it->second;
      return Status::Ok();
    }
    if (e.is_array()) {
      Node* n = make();
      n->type = Type::kUnion;
      dom::array arr = e.get_array().value_unsafe();
      for (dom::element b : arr) {
        const Node* bn = nullptr;
        if (Status st = build(b, ns, bn); !st) return st;
        n->branches.push_back(bn);
      }
      out = n;
      return Status::Ok();
    }
    if (!e.is_object()) return err("a type must be a name, an object or a union array");
    dom::object o = e.get_object().value_unsafe();
    dom::element type;
    if (o["type"].get(type)) return err("object without \"type\"");
    if (!type.is_string()) return build(type, ns, out);  // {"type": {...}} or {"type": [...]}
    std::string_view tn = type.get_string().value_unsafe();
    Type prim;
    if (primitive(tn, prim)) {
      Node* n = make();
      n->type = prim;
      logical(o, *n);
      out = n;
      return Status::Ok();
    }
    if (tn == "array" || tn == "map") {
      Node* n = make();
      n->type = tn == "array" ? Type::kArray : Type::kMap;
      dom::element items;
      if (o[tn == "array" ? "items" : "values"].get(items)) return err(std::string(tn) + " without its item type");
      out = n;
      return build(items, ns, n->items);
    }
    if (tn != "record" && tn != "error" && tn != "enum" && tn != "fixed") {
      // A reference to a named type written as {"type": "Name"}.
      return build(type, ns, out);
    }
    std::string_view name, space;
    if (o["name"].get(name)) return err(std::string(tn) + " without a name");
    std::string own_ns = ns;
    if (!o["namespace"].get(space)) own_ns = std::string(space);
    std::string full = full_name(name, own_ns);
    size_t dot = full.rfind('.');
    std::string inner_ns = dot == std::string::npos ? "" : full.substr(0, dot);
    Node* n = make();
    n->name = full;
    named_[full] = n;
    out = n;
    n->aliases = aliases(o, inner_ns);
    if (tn == "enum") {
      n->type = Type::kEnum;
      dom::array syms;
      if (o["symbols"].get(syms)) return err("enum " + full + " without symbols");
      for (dom::element sym : syms) {
        std::string_view sv;
        if (sym.get(sv)) return err("enum " + full + " has a symbol that is not a string");
        n->symbols.emplace_back(sv);
      }
      std::string_view def;
      if (!o["default"].get(def)) {
        for (size_t i = 0; i < n->symbols.size(); i++)
          if (n->symbols[i] == def) n->enum_default = static_cast<int>(i);
      }
      return Status::Ok();
    }
    if (tn == "fixed") {
      n->type = Type::kFixed;
      uint64_t size = 0;
      if (o["size"].get(size)) return err("fixed " + full + " without a size");
      n->size = size;
      logical(o, *n);
      return Status::Ok();
    }
    n->type = Type::kRecord;
    dom::array fields;
    if (o["fields"].get(fields)) return err("record " + full + " without fields");
    for (dom::element f : fields) {
      Field field;
      std::string_view fname;
      dom::element ftype;
      if (f["name"].get(fname) || f["type"].get(ftype))
        return err("record " + full + " has a field without name or type");
      field.name = std::string(fname);
      if (Status st = build(ftype, inner_ns, field.type); !st) return st;
      if (!f["default"].get(field.default_value)) field.has_default = true;
      field.aliases = aliases(f, "");
      n->fields.push_back(std::move(field));
    }
    return Status::Ok();
  }

  // The "aliases" of a named type (full names, simple ones in ns) or of a field (ns "").
  template <class Json>
  static std::vector<std::string> aliases(Json o, std::string_view ns) {
    std::vector<std::string> out;
    dom::array arr;
    if (o["aliases"].get(arr)) return out;
    for (dom::element a : arr) {
      std::string_view sv;
      if (!a.get(sv)) out.push_back(ns.empty() ? std::string(sv) : full_name(sv, ns));
    }
    return out;
  }

  static void logical(dom::object o, Node& n) {
    std::string_view lt;
    if (o["logicalType"].get(lt)) return;
    struct Known {
      const char* name;
      Logical logical;
      Type on;
    };
    static constexpr Known kKnown[] = {
        {"uuid", Logical::kUuid, Type::kString},
        {"date", Logical::kDate, Type::kInt},
        {"time-millis", Logical::kTimeMillis, Type::kInt},
        {"time-micros", Logical::kTimeMicros, Type::kLong},
        {"timestamp-millis", Logical::kTimestampMillis, Type::kLong},
        {"timestamp-micros", Logical::kTimestampMicros, Type::kLong},
        {"local-timestamp-millis", Logical::kLocalTimestampMillis, Type::kLong},
        {"local-timestamp-micros", Logical::kLocalTimestampMicros, Type::kLong},
    };
    for (const auto& k : kKnown) {
      if (lt == k.name && n.type == k.on) n.logical = k.logical;
    }
    if (lt == "decimal" && (n.type == Type::kBytes || n.type == Type::kFixed)) {
      int64_t precision = 0, scale = 0;
      if (o["precision"].get(precision) || precision <= 0) return;
      if (o["scale"].get(scale)) scale = 0;
      if (scale < 0 || scale > precision) return;
      // A fixed of n bytes holds at most floor(log10(2^(8n-1) - 1)) digits.
      if (n.type == Type::kFixed && n.size < 32 && precision > static_cast<int64_t>((8 * n.size - 1) * 0.30103)) return;
      n.logical = Logical::kDecimal;
      n.precision = static_cast<int>(precision);
      n.scale = static_cast<int>(scale);
    }
  }

  Schema& s_;
  std::map<std::string, const Node*> named_;
  int depth_ = 0;
};

Schema::~Schema() {
  if (iface_) avro_value_iface_decref(iface_);
  if (raw_) avro_schema_decref(raw_);
}

Result<std::shared_ptr<const Schema>> Schema::parse(std::string_view json) {
  std::shared_ptr<Schema> s(new Schema());
  s->text_ = std::string(json);
  if (avro_schema_from_json_length(s->text_.data(), s->text_.size(), &s->raw_) != 0) {
    s->raw_ = nullptr;
    std::string why = avro_strerror();
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return Status(kExitConfig, "invalid Avro schema: " + why);
  }
  s->iface_ = avro_generic_class_from_schema(s->raw_);
  if (!s->iface_) return Status(kExitConfig, std::string("invalid Avro schema: ") + avro_strerror());
  dom::element root;
  if (auto ec = s->json_.parse(s->text_).get(root)) {
    return Status(kExitConfig, std::string("invalid Avro schema: ") + simdjson::error_message(ec));
  }
  SchemaBuilder b(*s);
  if (Status st = b.build(root, "", s->root_); !st) return st;
  return std::shared_ptr<const Schema>(std::move(s));
}

}  // namespace airstream::avro
