// Per-record work of the transform (see transform.h). Evaluation walks the expression nodes
// recursively; call arguments and template parts are kept on a reusable stack and new
// strings go to the per-record Arena, so a steady stream allocates nothing. Output
// goes straight into the writer's buffer and is cut back if the record is rejected.
#include "common/transform/transform.h"

#include <cstring>

#include "common/transform/functions.h"

namespace airstream::transform {

Transformer::Transformer(const Mapping& mapping)
    : m_(mapping), extractor_(mapping.extractor), slots_(mapping.extractor.slot_count()) {
  stack_.reserve(256);
  top_.reserve(64);
}

Transformer::Outcome Transformer::process_copy(std::string_view text, std::string& out, std::string& reason) {
  copy_.assign(text);
  copy_.resize(text.size() + kJsonPadding, '\0');
  return process(std::string_view(copy_.data(), text.size()), out, reason);
}

Transformer::Outcome Transformer::process(std::string_view text, std::string& out, std::string& reason) {
  for (auto& s : slots_) s = Val{};
  top_.clear();
  arena_.reset();
  record_ = text;
  // The extractor checks the whole record against the grammar (common/json/record.h)
  // while it reads what the mapping needs. A record it refuses gets the grammar's
  // reason (the words every tool uses), unless it is valid JSON but not an object.
  simdjson::ondemand::document doc;
  auto ec = parser_.parse_padded(text).get(doc);
  const bool escapes = memchr(text.data(), '\\', text.size()) != nullptr;  // one scan, not one per string
  if (ec != simdjson::SUCCESS || !extractor_.extract(doc, slots_.data(), &top_, reason, escapes)) {
    std::string grammar = validator_.check(text);
    if (!grammar.empty()) {
      reason = std::move(grammar);
    } else if (ec != simdjson::SUCCESS) {
      reason = json_error_message(ec);
    }
    return Outcome::kRejected;
  }

  for (int w : m_.wheres) {
    Val v;
    if (!eval(w, v)) {
      reason = "--where " + to_text(m_.prog, w) + ": " + err_;
      return Outcome::kRejected;
    }
    if (!truthy(v)) return Outcome::kFiltered;
  }
  for (const auto& req : m_.input_required) {
    Val v;
    if (!eval(req.expr, v)) {
      reason = req.name + ": " + err_;
      return Outcome::kRejected;
    }
    if (v.absent()) {
      reason = req.name + ": required field is " + (v.type == Type::kNull ? "null" : "missing");
      return Outcome::kRejected;
    }
  }
  size_t mark = out.size();
  if (!render_fields(out, reason)) {
    out.resize(mark);
    return Outcome::kRejected;
  }
  return Outcome::kWritten;
}

bool Transformer::eval(int index, Val& out) {
  const Node& n = m_.prog.nodes[static_cast<size_t>(index)];
  switch (n.op) {
    case Op::kPath:
      out = slots_[static_cast<size_t>(n.slot)];
      return true;
    case Op::kRoot: {
      std::string_view r = record_;
      while (!r.empty() && (r.front() == ' ' || r.front() == '\t')) r.remove_prefix(1);
      while (!r.empty() && (r.back() == ' ' || r.back() == '\t')) r.remove_suffix(1);
      out.type = Type::kObject;
      out.text = r;
      return true;
    }
    case Op::kLiteral:
      out.type = static_cast<Type>(n.lit_type);
      out.boolean = n.lit_bool;
      out.text = n.text;
      return true;
    case Op::kAlt:
      if (!eval(n.args[0], out)) return false;
      return out.absent() ? eval(n.args[1], out) : true;
    case Op::kAnd:
    case Op::kOr: {
      Val a;
      if (!eval(n.args[0], a)) return false;
      bool t = truthy(a);
      if (n.op == Op::kAnd ? !t : t) return out = Val::of_bool(t), true;
      Val b;
      if (!eval(n.args[1], b)) return false;
      out = Val::of_bool(truthy(b));
      return true;
    }
    case Op::kCmp: {
      Val a, b;
      if (!eval(n.args[0], a) || !eval(n.args[1], b)) return false;
      int c = compare_values(a, b);
      bool r = false;
      switch (n.cmp) {
        case Cmp::kEq:
          r = c == 0;
          break;
        case Cmp::kNe:
          r = c != 0;
          break;
        case Cmp::kLt:
          r = c < 0;
          break;
        case Cmp::kLe:
          r = c <= 0;
          break;
        case Cmp::kGt:
          r = c > 0;
          break;
        case Cmp::kGe:
          r = c >= 0;
          break;
      }
      out = Val::of_bool(r);
      return true;
    }
    case Op::kCall: {
      if (n.args.size() <= 2) {  // the common case, without the stack
        Val a[2];
        for (size_t k = 0; k < n.args.size(); k++)
          if (!eval(n.args[k], a[k])) return false;
        return apply_function(n.fn, a, static_cast<int>(n.args.size()), arena_, out, err_);
      }
      size_t base = stack_.size();
      if (!push_args(n)) return false;
      bool ok = apply_function(n.fn, stack_.data() + base, static_cast<int>(n.args.size()), arena_, out, err_);
      stack_.resize(base);
      return ok;
    }
    case Op::kTemplate: {
      size_t base = stack_.size();
      if (n.arg_slots.empty()) {
        if (!push_args(n)) return false;
      } else {
        for (int slot : n.arg_slots) stack_.push_back(slots_[static_cast<size_t>(slot)]);
      }
      // When no part needs JSON escaping the result's JSON literal is built at the
      // same time (quotes around the text), so output copies it as is.
      size_t total = n.pieces_size;
      bool plain = n.pieces_plain;
      for (size_t k = base; k < stack_.size(); k++) {
        Val& v = stack_[k];
        if (v.absent()) {
          stack_.resize(base);
          out = Val::missing();
          return true;
        }
        if (v.type == Type::kBool) v.text = v.boolean ? "true" : "false";
        plain = plain && (v.type == Type::kNumber || v.type == Type::kBool || !v.raw.empty());
        total += v.text.size();
      }
      char* lit = arena_.alloc(total + 2);
      char* dst = lit + 1;
      size_t off = 0;
      for (size_t k = 0; k < n.pieces.size(); k++) {
        memcpy(dst + off, n.pieces[k].data(), n.pieces[k].size());
        off += n.pieces[k].size();
        if (k < n.args.size()) {
          std::string_view t = stack_[base + k].text;
          if (!t.empty()) memcpy(dst + off, t.data(), t.size());
          off += t.size();
        }
      }
      stack_.resize(base);
      out = Val::string({dst, total});
      if (plain) {
        lit[0] = lit[total + 1] = '"';
        out.raw = std::string_view(lit, total + 2);
      }
      return true;
    }
  }
  return false;
}

bool Transformer::push_args(const Node& n) {
  size_t base = stack_.size();
  for (int a : n.args) {
    Val v;
    if (!eval(a, v)) {
      stack_.resize(base);
      return false;
    }
    stack_.push_back(v);
  }
  return true;
}

bool Transformer::render_fields(std::string& out, std::string& reason) {
  const bool json = m_.format == Format::kNdjson;
  const char sep = m_.format == Format::kCsv ? ',' : '\t';
  bool first = true;
  if (json) out.push_back('{');
  for (const auto& f : m_.fields) {
    Val v;
    bool ok;
    if (f.fast_slot < 0) {
      ok = eval(f.expr, v);
    } else if (f.fast_call) {
      const Val& in = slots_[static_cast<size_t>(f.fast_slot)];
      if (f.fast_fn == Fn::kString && (in.type == Type::kString || in.type == Type::kMissing)) {
        v = in;  // string of a string: itself
        ok = true;
      } else {
        ok = apply_function(f.fast_fn, &in, 1, arena_, v, err_);
      }
    } else {
      v = slots_[static_cast<size_t>(f.fast_slot)];
      ok = true;
    }
    if (!ok) {
      reason = f.name + ": " + err_;
      return false;
    }
    if (f.required && v.absent()) {
      reason = f.name + ": required field is " + (v.type == Type::kNull ? "null" : "missing") + " (from " +
               to_text(m_.prog, f.expr) + ")";
      return false;
    }
    if (json) {
      if (v.type == Type::kMissing || (v.type == Type::kNull && m_.omit_null)) continue;
      if (!first) out.push_back(',');
      out.append(f.key_json);
      render_json(v, out);
    } else {
      if (!first) out.push_back(sep);
      if (!render_cell(v, out)) {
        reason = f.name + ": string contains a NUL byte, which CSV/TSV output for PostgreSQL cannot carry";
        return false;
      }
    }
    first = false;
  }
  if (m_.keep_all) {
    for (const auto& t : top_) {
      std::string_view name = t.name;
      bool skip = false;
      for (const auto& f : m_.fields) skip = skip || f.name == name;
      for (const auto& d : m_.drop) skip = skip || d == name;
      if (skip || (m_.omit_null && t.value == "null")) continue;
      if (!first) out.push_back(',');
      out.append(t.key_json);
      out.push_back(':');
      out.append(t.value);
      first = false;
    }
  }
  if (json) out.push_back('}');
  out.push_back('\n');
  return true;
}

void Transformer::render_json(const Val& v, std::string& out) const {
  switch (v.type) {
    case Type::kString:
      if (v.raw.empty()) {
        append_json_string(out, v.text);
      } else {
        out.append(v.raw);
      }
      break;
    case Type::kBool:
      out.append(v.boolean ? "true" : "false");
      break;
    case Type::kNull:
    case Type::kMissing:
      out.append("null");
      break;
    default:
      out.append(v.text);
      break;
  }
}

bool Transformer::render_cell(const Val& v, std::string& out) const {
  const bool csv = m_.format == Format::kCsv;
  switch (v.type) {
    case Type::kMissing:
    case Type::kNull:
      if (!csv) out.append("\\N");
      return true;
    case Type::kBool:
      out.append(v.boolean ? "true" : "false");
      return true;
    case Type::kNumber:
      out.append(v.text);
      return true;
    default:
      if (memchr(v.text.data(), '\0', v.text.size()) != nullptr) return false;
      if (csv) {
        append_csv_field(out, v.text, v.type == Type::kString && v.text.empty());
      } else {
        append_tsv_field(out, v.text);
      }
      return true;
  }
}

void Transformer::header(std::string& out) const {
  if (m_.format == Format::kNdjson) return;
  bool first = true;
  for (const auto& f : m_.fields) {
    if (!first) out.push_back(m_.format == Format::kCsv ? ',' : '\t');
    if (m_.format == Format::kCsv) {
      append_csv_field(out, f.name, false);
    } else {
      append_tsv_field(out, f.name);
    }
    first = false;
  }
  out.push_back('\n');
}

void append_csv_field(std::string& out, std::string_view s, bool force_quotes) {
  bool quote = force_quotes || s.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out.append(s);
    return;
  }
  out.push_back('"');
  size_t start = 0;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] == '"') {
      out.append(s.data() + start, i + 1 - start);
      out.push_back('"');
      start = i + 1;
    }
  }
  out.append(s.data() + start, s.size() - start);
  out.push_back('"');
}

void append_tsv_field(std::string& out, std::string_view s) {
  size_t start = 0;
  for (size_t i = 0; i < s.size(); i++) {
    char c = s[i];
    const char* esc = c == '\\' ? "\\\\" : c == '\t' ? "\\t" : c == '\n' ? "\\n" : c == '\r' ? "\\r" : nullptr;
    if (esc == nullptr) continue;
    out.append(s.data() + start, i - start);
    out.append(esc, 2);
    start = i + 1;
  }
  out.append(s.data() + start, s.size() - start);
}

}  // namespace airstream::transform
