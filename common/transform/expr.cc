// Recursive-descent parser for transform expressions. Precedence, loosest first, as in
// jq: `|` (pipe into a function), `//` (alternative, right-associative), `or`, `and`,
// comparisons (non-associative), then primaries: paths, literals, templates,
// parenthesised expressions, function calls `f(x, ...)` and `not`. A pipe `x | f(a)`
// is the call f(x, a). Function arguments are separated by `,` or `;` (jq style).
// Templates are double-quoted strings whose `{expr}` placeholders hold any
// expression; `{{` and `}}` stand for literal braces.
#include "common/transform/expr.h"

#include <cstring>

#include "common/json/json.h"
#include "common/transform/value.h"

namespace airstream::transform {
namespace {

bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}
bool is_ident_char(char c) {
  return is_ident_start(c) || (c >= '0' && c <= '9');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Parser {
 public:
  Parser(Program& prog, std::string_view text) : prog_(prog), s_(text) {}

  Result<int> parse() {
    size_t first_node = prog_.nodes.size();
    int root = pipe();
    // Evaluation recurses on the expression tree: its size is bounded, and so is the
    // parser's own nesting (Nest), whatever text is given.
    if (!failed() && prog_.nodes.size() - first_node > kMaxNodes) fail("expression too long");
    if (!failed()) {
      skip_ws();
      if (pos_ < s_.size()) fail("unexpected '" + std::string(1, s_[pos_]) + "'");
    }
    if (failed()) return Status(kExitUsage, error_);
    return root;
  }

 private:
  bool failed() const { return !error_.empty(); }
  int fail(std::string msg) {
    if (error_.empty()) error_ = msg + " at column " + std::to_string(pos_ + 1) + " of '" + std::string(s_) + "'";
    return -1;
  }
  void skip_ws() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) pos_++;
  }
  bool peek(std::string_view tok) {
    skip_ws();
    return s_.substr(pos_, tok.size()) == tok;
  }
  bool accept(std::string_view tok) {
    if (!peek(tok)) return false;
    pos_ += tok.size();
    return true;
  }
  // A keyword: the word followed by a non-identifier character.
  bool accept_word(std::string_view w) {
    if (!peek(w)) return false;
    size_t end = pos_ + w.size();
    if (end < s_.size() && is_ident_char(s_[end])) return false;
    pos_ = end;
    return true;
  }
  std::string ident() {
    size_t start = pos_;
    while (pos_ < s_.size() && is_ident_char(s_[pos_])) pos_++;
    return std::string(s_.substr(start, pos_ - start));
  }

  int binary(Op op, int a, int b) {
    Node n;
    n.op = op;
    n.args = {a, b};
    return prog_.add(std::move(n));
  }

  // Counts the parser's recursion (parentheses, call arguments, //, not).
  struct Nest {
    Parser& p;
    explicit Nest(Parser& parser) : p(parser) { p.depth_++; }
    ~Nest() { p.depth_--; }
    bool too_deep() const { return p.depth_ > kMaxDepth; }
  };
  static constexpr int kMaxDepth = 200;
  static constexpr size_t kMaxNodes = 4096;
  int depth_ = 0;

  int pipe() {
    Nest nest(*this);
    if (nest.too_deep()) return fail("expression nested too deeply");
    int lhs = alt();
    while (!failed() && !peek("||") && accept("|")) {
      skip_ws();
      if (pos_ >= s_.size() || !is_ident_start(s_[pos_])) return fail("expected a function name after '|'");
      lhs = call(ident(), lhs);
    }
    return lhs;
  }
  int alt() {
    Nest nest(*this);
    if (nest.too_deep()) return fail("expression nested too deeply");
    int lhs = or_expr();
    if (!failed() && accept("//")) {
      int rhs = alt();
      if (failed()) return -1;
      return binary(Op::kAlt, lhs, rhs);
    }
    return lhs;
  }
  int or_expr() {
    int lhs = and_expr();
    while (!failed() && accept_word("or")) lhs = binary(Op::kOr, lhs, and_expr());
    return failed() ? -1 : lhs;
  }
  int and_expr() {
    int lhs = cmp_expr();
    while (!failed() && accept_word("and")) lhs = binary(Op::kAnd, lhs, cmp_expr());
    return failed() ? -1 : lhs;
  }
  int cmp_expr() {
    int lhs = primary();
    if (failed()) return -1;
    static const struct {
      const char* tok;
      Cmp cmp;
    } kOps[] = {{"==", Cmp::kEq}, {"!=", Cmp::kNe}, {"<=", Cmp::kLe},
                {">=", Cmp::kGe}, {"<", Cmp::kLt},  {">", Cmp::kGt}};
    for (const auto& op : kOps) {
      if (accept(op.tok)) {
        int rhs = primary();
        if (failed()) return -1;
        int n = binary(Op::kCmp, lhs, rhs);
        prog_.nodes[n].cmp = op.cmp;
        return n;
      }
    }
    return lhs;
  }

  // name(args...) with `input` (>= 0) as the first argument when piped.
  int call(const std::string& name, int input) {
    const FnInfo* info = nullptr;
    for (const auto& f : functions())
      if (name == f.name) info = &f;
    if (info == nullptr) return fail("unknown function '" + name + "'");
    Node n;
    n.op = Op::kCall;
    n.fn = info->fn;
    if (input >= 0) n.args.push_back(input);
    if (accept("(")) {
      if (!accept(")")) {
        do {
          int a = pipe();
          if (failed()) return -1;
          n.args.push_back(a);
        } while (accept(",") || accept(";"));
        if (!accept(")")) return fail("expected ')' after the arguments of " + name);
      }
    }
    int argc = static_cast<int>(n.args.size());
    if (argc < info->min_args || argc > info->max_args) {
      std::string want = info->min_args == info->max_args ? std::to_string(info->min_args)
                         : info->max_args > 99            ? std::to_string(info->min_args) + " or more"
                                               : std::to_string(info->min_args) + "-" + std::to_string(info->max_args);
      return fail(name + " takes " + want + " argument(s) (counting the piped input), got " + std::to_string(argc));
    }
    return prog_.add(std::move(n));
  }

  int primary() {
    skip_ws();
    if (pos_ >= s_.size()) return fail("expected an expression");
    char c = s_[pos_];
    if (c == '(') {
      pos_++;
      int e = pipe();
      if (failed()) return -1;
      if (!accept(")")) return fail("expected ')'");
      return e;
    }
    if (c == '.') return path(true);
    if (c == '"') return string_or_template();
    if (c == '-' || is_digit(c)) return number();
    if (is_ident_start(c)) {
      size_t save = pos_;
      std::string word = ident();
      if (word == "true" || word == "false") return literal(Type::kBool, "", word == "true");
      if (word == "null") return literal(Type::kNull, "", false);
      if (word == "not") {
        Nest nest(*this);
        if (nest.too_deep()) return fail("expression nested too deeply");
        skip_ws();
        if (pos_ < s_.size() && s_[pos_] == '(') return call(word, -1);
        int operand = cmp_expr();
        if (failed()) return -1;
        Node n;
        n.op = Op::kCall;
        n.fn = Fn::kNot;
        n.args = {operand};
        return prog_.add(std::move(n));
      }
      if (pos_ < s_.size() && s_[pos_] == '(') return call(word, -1);
      pos_ = save;  // a bare path: login.uuid
      return path(false);
    }
    return fail("unexpected '" + std::string(1, c) + "'");
  }

  int literal(Type t, std::string text, bool b) {
    Node n;
    n.op = Op::kLiteral;
    n.lit_type = static_cast<unsigned char>(t);
    n.text = std::move(text);
    n.lit_bool = b;
    return prog_.add(std::move(n));
  }

  int number() {
    size_t start = pos_;
    if (s_[pos_] == '-') pos_++;
    if (pos_ >= s_.size() || !is_digit(s_[pos_])) return fail("expected a number");
    // JSON's grammar (RFC 8259): no leading zeros; the literal is written as it is.
    if (s_[pos_] == '0' && pos_ + 1 < s_.size() && is_digit(s_[pos_ + 1]))
      return fail("a number has no leading zeros (JSON)");
    while (pos_ < s_.size() && is_digit(s_[pos_])) pos_++;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      pos_++;
      if (pos_ >= s_.size() || !is_digit(s_[pos_])) return fail("expected digits after '.'");
      while (pos_ < s_.size() && is_digit(s_[pos_])) pos_++;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      pos_++;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) pos_++;
      if (pos_ >= s_.size() || !is_digit(s_[pos_])) return fail("expected an exponent");
      while (pos_ < s_.size() && is_digit(s_[pos_])) pos_++;
    }
    return literal(Type::kNumber, std::string(s_.substr(start, pos_ - start)), false);
  }

  // Reads a JSON string literal at pos_ (on the opening quote) into out, without
  // placeholders. Returns false on error.
  bool quoted(std::string& out) {
    pos_++;  // opening quote
    while (pos_ < s_.size() && s_[pos_] != '"') {
      if (!escape_or_char(out)) return false;
    }
    if (pos_ >= s_.size()) return fail("unterminated string"), false;
    pos_++;
    return true;
  }
  bool escape_or_char(std::string& out) {
    char c = s_[pos_++];
    if (c != '\\') {
      out.push_back(c);
      return true;
    }
    if (pos_ >= s_.size()) return fail("unterminated escape"), false;
    char e = s_[pos_++];
    switch (e) {
      case '"':
        out.push_back('"');
        return true;
      case '\\':
        out.push_back('\\');
        return true;
      case '/':
        out.push_back('/');
        return true;
      case 'b':
        out.push_back('\b');
        return true;
      case 'f':
        out.push_back('\f');
        return true;
      case 'n':
        out.push_back('\n');
        return true;
      case 'r':
        out.push_back('\r');
        return true;
      case 't':
        out.push_back('\t');
        return true;
      case 'u': {
        uint32_t cp = 0;
        if (!hex4(cp)) return false;
        if (cp >= 0xD800 && cp < 0xDC00) {
          uint32_t lo = 0;
          if (s_.substr(pos_, 2) != "\\u") return fail("unpaired surrogate in \\u escape"), false;
          pos_ += 2;
          if (!hex4(lo) || lo < 0xDC00 || lo > 0xDFFF) return fail("bad surrogate pair in \\u escape"), false;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp < 0xE000) {
          return fail("unpaired surrogate in \\u escape"), false;
        }
        append_utf8(out, cp);
        return true;
      }
      default:
        return fail(std::string("unknown escape \\") + e), false;
    }
  }
  bool hex4(uint32_t& cp) {
    if (pos_ + 4 > s_.size()) return fail("short \\u escape"), false;
    for (int i = 0; i < 4; i++) {
      char h = s_[pos_++];
      int v = (h >= '0' && h <= '9')   ? h - '0'
              : (h >= 'a' && h <= 'f') ? h - 'a' + 10
              : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                       : -1;
      if (v < 0) return fail("bad hex digit in \\u escape"), false;
      cp = cp * 16 + static_cast<uint32_t>(v);
    }
    return true;
  }

  int string_or_template() {
    Node n;
    n.op = Op::kTemplate;
    n.pieces.emplace_back();
    pos_++;  // opening quote
    while (pos_ < s_.size() && s_[pos_] != '"') {
      char c = s_[pos_];
      if (c == '{' && s_.substr(pos_, 2) == "{{") {
        n.pieces.back().push_back('{');
        pos_ += 2;
      } else if (c == '}' && s_.substr(pos_, 2) == "}}") {
        n.pieces.back().push_back('}');
        pos_ += 2;
      } else if (c == '{') {
        pos_++;
        int e = pipe();
        if (failed()) return -1;
        if (!accept("}")) return fail("expected '}' to close the placeholder");
        n.args.push_back(e);
        n.pieces.emplace_back();
      } else if (c == '}') {
        return fail("single '}' in a string (write '}}')");
      } else if (!escape_or_char(n.pieces.back())) {
        return -1;
      }
    }
    if (pos_ >= s_.size()) return fail("unterminated string");
    pos_++;
    if (n.args.empty()) return literal(Type::kString, std::move(n.pieces[0]), false);
    for (const auto& p : n.pieces) {
      n.pieces_size += p.size();
      n.pieces_plain = n.pieces_plain && json_key_is_raw(p);  // nothing to escape
    }
    return prog_.add(std::move(n));
  }

  // .a.b[0]."x y".["k"], or a bare a.b (dotted = false: starts with an identifier).
  int path(bool dotted) {
    Node n;
    n.op = Op::kPath;
    bool first = true;
    for (;;) {
      bool dot = false;
      if (pos_ < s_.size() && s_[pos_] == '.') {
        dot = true;
        pos_++;
      } else if (!(first && !dotted) && !(pos_ < s_.size() && s_[pos_] == '[')) {
        break;
      }
      first = false;
      if (pos_ < s_.size() && is_ident_start(s_[pos_])) {
        n.path.push_back({ident(), false, 0});
      } else if (pos_ < s_.size() && s_[pos_] == '"') {
        PathSeg seg;
        if (!quoted(seg.key)) return -1;
        n.path.push_back(std::move(seg));
      } else if (pos_ < s_.size() && is_digit(s_[pos_])) {
        if (!index_seg(n)) return -1;
      } else if (pos_ < s_.size() && s_[pos_] == '[') {
        pos_++;
        skip_ws();
        if (pos_ < s_.size() && s_[pos_] == '"') {
          PathSeg seg;
          if (!quoted(seg.key)) return -1;
          n.path.push_back(std::move(seg));
        } else if (pos_ < s_.size() && is_digit(s_[pos_])) {
          if (!index_seg(n)) return -1;
        } else {
          return fail("expected an index or a quoted key in [...]");
        }
        if (!accept("]")) return fail("expected ']'");
      } else if (dot && n.path.empty()) {
        break;  // "." alone: the whole record
      } else {
        return fail("expected a field name after '.'");
      }
    }
    if (n.path.empty()) n.op = Op::kRoot;
    return prog_.add(std::move(n));
  }
  bool index_seg(Node& n) {
    uint64_t v = 0;
    size_t start = pos_;
    while (pos_ < s_.size() && is_digit(s_[pos_])) {
      v = v * 10 + static_cast<uint64_t>(s_[pos_] - '0');
      if (v > UINT32_MAX) return fail("array index too large"), false;
      pos_++;
    }
    PathSeg seg;
    seg.key = std::string(s_.substr(start, pos_ - start));
    seg.is_index = true;
    seg.index = static_cast<uint32_t>(v);
    n.path.push_back(std::move(seg));
    return true;
  }

  Program& prog_;
  std::string_view s_;
  size_t pos_ = 0;
  std::string error_;
};

// Concatenation without operator+ chains (GCC 12 warns falsely on those: -Wrestrict).
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) out.append(p);
  return out;
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out + "\"";
}

std::string template_piece(std::string_view s) {
  std::string q = quote(s);
  std::string out;
  for (char c : std::string_view(q).substr(1, q.size() - 2)) {
    out.push_back(c);
    if (c == '{' || c == '}') out.push_back(c);
  }
  return out;
}

}  // namespace

Result<int> parse_expr(Program& prog, std::string_view text) {
  return Parser(prog, text).parse();
}

std::string path_text(const std::vector<PathSeg>& path) {
  std::string out;
  for (const auto& seg : path) {
    if (seg.is_index) {
      out += cat({"[", seg.key, "]"});
      continue;
    }
    bool plain = !seg.key.empty() && is_ident_start(seg.key[0]);
    for (char c : seg.key) plain = plain && is_ident_char(c);
    out += cat({".", plain ? seg.key : quote(seg.key)});
  }
  return out.empty() ? "." : out;
}

std::string to_text(const Program& prog, int i) {
  const Node& n = prog.nodes[static_cast<size_t>(i)];
  auto arg = [&](size_t k) { return to_text(prog, n.args[k]); };
  switch (n.op) {
    case Op::kPath:
    case Op::kRoot:
      return path_text(n.path);
    case Op::kLiteral:
      switch (static_cast<Type>(n.lit_type)) {
        case Type::kBool:
          return n.lit_bool ? "true" : "false";
        case Type::kNull:
          return "null";
        case Type::kString:
          return cat({"\"", template_piece(n.text), "\""});
        default:
          return n.text;
      }
    case Op::kTemplate: {
      std::string out = "\"";
      for (size_t k = 0; k < n.pieces.size(); k++) {
        out += template_piece(n.pieces[k]);
        if (k < n.args.size()) out += cat({"{", arg(k), "}"});
      }
      return out + "\"";
    }
    case Op::kCall: {
      const char* name = "?";
      for (const auto& f : functions())
        if (f.fn == n.fn) {
          name = f.name;
          break;
        }
      if (n.args.size() == 1) return cat({"(", arg(0), " | ", name, ")"});
      std::string out = cat({"(", arg(0), " | ", name, "("});
      for (size_t k = 1; k < n.args.size(); k++) out += cat({k > 1 ? "; " : "", arg(k)});
      return out + "))";
    }
    case Op::kAlt:
      return cat({"(", arg(0), " // ", arg(1), ")"});
    case Op::kAnd:
      return cat({"(", arg(0), " and ", arg(1), ")"});
    case Op::kOr:
      return cat({"(", arg(0), " or ", arg(1), ")"});
    case Op::kCmp: {
      static const char* kNames[] = {"==", "!=", "<", "<=", ">", ">="};
      return cat({"(", arg(0), " ", kNames[static_cast<int>(n.cmp)], " ", arg(1), ")"});
    }
  }
  return "?";
}

}  // namespace airstream::transform
