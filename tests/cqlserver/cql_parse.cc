// Tokenizer and recursive-descent parser for the CQL subset of the test server:
// CREATE KEYSPACE/TABLE [IF NOT EXISTS], DROP KEYSPACE/TABLE, TRUNCATE, USE,
// INSERT ... VALUES ... [IF NOT EXISTS] [USING TTL/TIMESTAMP], UPDATE ... SET ...
// WHERE ..., DELETE [cols] FROM ... WHERE ..., and SELECT with
// column lists, count(*), WHERE col = term [AND ...], LIMIT and ALLOW FILTERING.
// Unquoted identifiers are case-insensitive (lowercased), "quoted" ones keep
// their case, as in the CQL reference. Anything else is a SyntaxError (0x2000).
// Collection literals and types nest at most kMaxNesting levels (each level is one
// recursion here): deeper input is a SyntaxError, not a stack overflow.
#include <cctype>

#include "ast.h"
#include "wire.h"

namespace cqlsrv {
namespace {

struct Token {
  enum Kind { kEnd, kIdent, kQuotedIdent, kString, kInteger, kFloat, kUuid, kHex, kPunct, kMarker, kNamedMarker };
  Kind kind = kEnd;
  std::string text;
};

bool is_hex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

bool looks_like_uuid(std::string_view s, size_t i) {
  static const int kGroups[5] = {8, 4, 4, 4, 12};
  for (int g = 0; g < 5; g++) {
    for (int k = 0; k < kGroups[g]; k++, i++)
      if (i >= s.size() || !is_hex(s[i])) return false;
    if (g < 4) {
      if (i >= s.size() || s[i] != '-') return false;
      i++;
    }
  }
  return i >= s.size() || !(std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_');
}

std::vector<Token> tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      i++;
    } else if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      while (i < s.size() && s[i] != '\n') i++;
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      size_t e = s.find("*/", i + 2);
      i = e == std::string_view::npos ? s.size() : e + 2;
    } else if (c == '\'' || c == '"') {
      std::string v;
      size_t j = i + 1;
      for (;;) {
        if (j >= s.size()) throw_syntax("line 1: unterminated quoted text");
        if (s[j] == c) {
          if (j + 1 < s.size() && s[j + 1] == c) {
            v.push_back(c);
            j += 2;
            continue;
          }
          break;
        }
        v.push_back(s[j++]);
      }
      out.push_back({c == '\'' ? Token::kString : Token::kQuotedIdent, std::move(v)});
      i = j + 1;
    } else if (c == '$' && i + 1 < s.size() && s[i + 1] == '$') {
      size_t e = s.find("$$", i + 2);
      if (e == std::string_view::npos) throw_syntax("unterminated $$ string");
      out.push_back({Token::kString, std::string(s.substr(i + 2, e - i - 2))});
      i = e + 2;
    } else if (looks_like_uuid(s, i)) {
      out.push_back({Token::kUuid, std::string(s.substr(i, 36))});
      i += 36;
    } else if (c == '0' && i + 1 < s.size() && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
      size_t j = i + 2;
      while (j < s.size() && is_hex(s[j])) j++;
      out.push_back({Token::kHex, std::string(s.substr(i + 2, j - i - 2))});
      i = j;
    } else if (std::isdigit(static_cast<unsigned char>(c)) ||
               (c == '-' && i + 1 < s.size() &&
                (std::isdigit(static_cast<unsigned char>(s[i + 1])) || s.substr(i + 1, 3) == "NaN" ||
                 s.substr(i + 1, 8) == "Infinity"))) {
      size_t j = i + 1;
      bool is_float = false;
      if (c == '-' && !std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
        j = i + (s[i + 1] == 'N' ? 4 : 9);
        is_float = true;
      } else {
        while (j < s.size()) {
          char d = s[j];
          if (std::isdigit(static_cast<unsigned char>(d))) {
            j++;
          } else if (d == '.' || d == 'e' || d == 'E') {
            is_float = true;
            j++;
            if ((d == 'e' || d == 'E') && j < s.size() && (s[j] == '-' || s[j] == '+')) j++;
          } else {
            break;
          }
        }
      }
      out.push_back({is_float ? Token::kFloat : Token::kInteger, std::string(s.substr(i, j - i))});
      i = j;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) j++;
      std::string v(s.substr(i, j - i));
      for (auto& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      out.push_back({Token::kIdent, std::move(v)});
      i = j;
    } else if (c == '?') {
      out.push_back({Token::kMarker, "?"});
      i++;
    } else if (c == ':' && i + 1 < s.size() &&
               (std::isalpha(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '_')) {
      size_t j = i + 1;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) j++;
      std::string v(s.substr(i + 1, j - i - 1));
      for (auto& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      out.push_back({Token::kNamedMarker, std::move(v)});
      i = j;
    } else if (std::string_view("(),;.*=<>[]{}:+-").find(c) != std::string_view::npos) {
      out.push_back({Token::kPunct, std::string(1, c)});
      i++;
    } else {
      throw_syntax(std::string("line 1: token recognition error at: '") + c + "'");
    }
  }
  out.push_back({Token::kEnd, ""});
  return out;
}

// Levels of nested collection literals ([...], {...}, (...)) or of nested types
// (list<list<...>>) a statement may hold. Cassandra sets no number; its parser fails
// with an error well before the server's stack would, and so does this one.
constexpr int kMaxNesting = 100;

class Parser {
 public:
  explicit Parser(std::string_view text) : toks_(tokenize(text)) {}

  Parsed parse() {
    Parsed p;
    if (accept_kw("create")) {
      if (accept_kw("keyspace")) {
        p.stmt = create_keyspace();
      } else if (accept_kw("table") || accept_kw("columnfamily")) {
        p.stmt = create_table();
      } else {
        fail();
      }
    } else if (accept_kw("drop")) {
      DropStatement d;
      if (accept_kw("keyspace")) {
        d.keyspace = true;
      } else if (!accept_kw("table")) {
        fail();
      }
      d.if_exists = if_clause("exists");
      if (d.keyspace) {
        d.name.name = ident();
      } else {
        d.name = qualified();
      }
      p.stmt = d;
    } else if (accept_kw("truncate")) {
      accept_kw("table");
      p.stmt = TruncateStatement{qualified()};
    } else if (accept_kw("use")) {
      p.stmt = UseStatement{ident()};
    } else if (accept_kw("insert")) {
      p.stmt = insert();
    } else if (accept_kw("select")) {
      p.stmt = select();
    } else if (accept_kw("update")) {
      p.stmt = update();
    } else if (accept_kw("delete")) {
      p.stmt = remove();
    } else {
      fail();
    }
    accept_punct(";");
    if (peek().kind != Token::kEnd) fail();
    p.markers = markers_;
    p.marker_names = marker_names_;
    return p;
  }

 private:
  const Token& peek() const { return toks_[pos_]; }
  [[noreturn]] void fail() const {
    const Token& t = peek();
    throw_syntax("line 1:" + std::to_string(pos_) + " no viable alternative at input '" +
                 (t.kind == Token::kEnd ? std::string("<EOF>") : t.text) + "'");
  }
  bool accept_kw(std::string_view kw) {
    if (peek().kind == Token::kIdent && peek().text == kw) {
      pos_++;
      return true;
    }
    return false;
  }
  void expect_kw(std::string_view kw) {
    if (!accept_kw(kw)) fail();
  }
  bool accept_punct(std::string_view p) {
    if (peek().kind == Token::kPunct && peek().text == p) {
      pos_++;
      return true;
    }
    return false;
  }
  void expect_punct(std::string_view p) {
    if (!accept_punct(p)) fail();
  }
  bool if_clause(std::string_view what) {
    if (!accept_kw("if")) return false;
    if (what == "not exists") {
      expect_kw("not");
      expect_kw("exists");
    } else {
      expect_kw("exists");
    }
    return true;
  }
  std::string ident() {
    const Token& t = peek();
    if (t.kind != Token::kIdent && t.kind != Token::kQuotedIdent) fail();
    pos_++;
    return t.text;
  }
  QualifiedName qualified() {
    QualifiedName q;
    q.name = ident();
    if (accept_punct(".")) {
      q.ks = q.name;
      q.name = ident();
    }
    return q;
  }

  // One level deeper into a collection literal or a type, for as long as it lives.
  struct Nest {
    explicit Nest(Parser& p) : p_(p) {
      if (++p_.depth_ > kMaxNesting) {
        p_.depth_--;
        throw_syntax("line 1:" + std::to_string(p_.pos_) + " nesting deeper than " + std::to_string(kMaxNesting) +
                     " levels at input '" + p_.peek().text + "'");
      }
    }
    ~Nest() { p_.depth_--; }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;
    Parser& p_;
  };

  Type type() {
    Nest nest(*this);
    std::string name = ident();
    Type t;
    if (name == "frozen") {
      expect_punct("<");
      t = type();
      expect_punct(">");
      t.frozen = true;
      return t;
    }
    if (name == "list" || name == "set" || name == "map" || name == "tuple") {
      t.kind = name == "list" ? Kind::kList : name == "set" ? Kind::kSet : name == "map" ? Kind::kMap : Kind::kTuple;
      expect_punct("<");
      do {
        t.params.push_back(type());
      } while (accept_punct(","));
      expect_punct(">");
      size_t want = t.kind == Kind::kMap ? 2 : 1;
      if (t.kind != Kind::kTuple && t.params.size() != want)
        throw_syntax("wrong number of type parameters for " + name);
      if (t.kind == Kind::kTuple) t.frozen = true;
      return t;
    }
    if (!kind_from_name(name, t.kind)) throw_syntax("Unknown type " + name);
    return t;
  }

  // The right-hand side of `replication = {...}`: a map of string constants.
  std::vector<std::pair<std::string, std::string>> string_map() {
    std::vector<std::pair<std::string, std::string>> m;
    expect_punct("{");
    if (!accept_punct("}")) {
      do {
        std::string k = constant_text();
        expect_punct(":");
        std::string v = constant_text();
        m.emplace_back(k, v);
      } while (accept_punct(","));
      expect_punct("}");
    }
    return m;
  }
  std::string constant_text() {
    const Token& t = peek();
    if (t.kind != Token::kString && t.kind != Token::kInteger && t.kind != Token::kFloat && t.kind != Token::kIdent)
      fail();
    pos_++;
    return t.text;
  }

  CreateKeyspace create_keyspace() {
    CreateKeyspace c;
    c.if_not_exists = if_clause("not exists");
    c.name = ident();
    expect_kw("with");
    do {
      std::string opt = ident();
      expect_punct("=");
      if (opt == "replication") {
        c.replication = string_map();
      } else if (opt == "durable_writes") {
        c.durable_writes = constant_text() == "true";
      } else {
        throw CqlError{kConfigError, "Unknown property '" + opt + "'", {}};
      }
    } while (accept_kw("and"));
    return c;
  }

  CreateTable create_table() {
    CreateTable c;
    c.if_not_exists = if_clause("not exists");
    c.table = qualified();
    expect_punct("(");
    do {
      if (accept_kw("primary")) {
        expect_kw("key");
        expect_punct("(");
        if (accept_punct("(")) {
          do {
            c.pk.push_back(ident());
          } while (accept_punct(","));
          expect_punct(")");
        } else {
          c.pk.push_back(ident());
        }
        while (accept_punct(",")) c.ck.push_back(ident());
        expect_punct(")");
        continue;
      }
      ColumnDef d;
      d.name = ident();
      d.type = type();
      if (accept_kw("static")) {
        // Static columns are stored like regular ones by this server.
      }
      if (accept_kw("primary")) {
        expect_kw("key");
        c.pk.push_back(d.name);
      }
      c.cols.push_back(std::move(d));
    } while (accept_punct(","));
    expect_punct(")");
    c.ck_desc.assign(c.ck.size(), false);
    if (accept_kw("with")) {
      // Table options: CLUSTERING ORDER BY (c DESC) is recorded, the rest is accepted and ignored.
      while (peek().kind != Token::kEnd && !(peek().kind == Token::kPunct && peek().text == ";")) {
        if (accept_kw("clustering")) {
          expect_kw("order");
          expect_kw("by");
          expect_punct("(");
          do {
            std::string col = ident();
            bool desc = accept_kw("desc");
            if (!desc) accept_kw("asc");
            for (size_t i = 0; i < c.ck.size(); i++)
              if (c.ck[i] == col) c.ck_desc[i] = desc;
          } while (accept_punct(","));
          expect_punct(")");
        } else {
          pos_++;
        }
      }
    }
    return c;
  }

  Term term() {
    const Token& t = peek();
    Term out;
    switch (t.kind) {
      case Token::kString:
        out.tag = Term::kString;
        break;
      case Token::kInteger:
        out.tag = Term::kInteger;
        break;
      case Token::kFloat:
        out.tag = Term::kFloat;
        break;
      case Token::kUuid:
        out.tag = Term::kUuid;
        break;
      case Token::kHex:
        out.tag = Term::kHex;
        break;
      case Token::kMarker:
      case Token::kNamedMarker:
        out.tag = Term::kMarker;
        out.marker = markers_++;
        marker_names_.push_back(t.kind == Token::kNamedMarker ? t.text : "");
        pos_++;
        return out;
      case Token::kIdent:
        if (t.text == "true" || t.text == "false") {
          out.tag = Term::kBool;
        } else if (t.text == "null") {
          out.tag = Term::kNull;
        } else if (t.text == "nan" || t.text == "infinity") {
          out.tag = Term::kFloat;
          pos_++;
          out.text = t.text == "nan" ? "NaN" : "Infinity";
          return out;
        } else {
          fail();
        }
        break;
      case Token::kPunct:
        return collection();
      default:
        fail();
    }
    out.text = t.text;
    pos_++;
    return out;
  }

  Term collection() {
    Nest nest(*this);
    Term out;
    if (accept_punct("[")) {
      out.tag = Term::kList;
      if (!accept_punct("]")) {
        do {
          out.items.push_back(term());
        } while (accept_punct(","));
        expect_punct("]");
      }
    } else if (accept_punct("{")) {
      out.tag = Term::kBraces;
      if (!accept_punct("}")) {
        do {
          out.items.push_back(term());
          if (accept_punct(":")) {
            out.is_map = true;
            out.items.push_back(term());
          } else if (out.is_map) {
            fail();
          }
        } while (accept_punct(","));
        expect_punct("}");
      }
    } else if (accept_punct("(")) {
      out.tag = Term::kTuple;
      do {
        out.items.push_back(term());
      } while (accept_punct(","));
      expect_punct(")");
    } else {
      fail();
    }
    return out;
  }

  InsertStatement insert() {
    InsertStatement s;
    expect_kw("into");
    s.table = qualified();
    expect_punct("(");
    do {
      s.cols.push_back(ident());
    } while (accept_punct(","));
    expect_punct(")");
    expect_kw("values");
    expect_punct("(");
    do {
      s.values.push_back(term());
    } while (accept_punct(","));
    expect_punct(")");
    if (s.cols.size() != s.values.size()) throw_invalid("Unmatched column names/values");
    s.if_not_exists = if_clause("not exists");
    using_clause(s.ttl, s.timestamp);
    return s;
  }

  void using_clause(std::optional<Term>& ttl, std::optional<Term>& timestamp) {
    if (!accept_kw("using")) return;
    do {
      if (accept_kw("ttl")) {
        ttl = term();
      } else if (accept_kw("timestamp")) {
        timestamp = term();
      } else {
        fail();
      }
    } while (accept_kw("and"));
  }

  void where_equalities(std::vector<std::string>& cols, std::vector<Term>& values) {
    expect_kw("where");
    do {
      cols.push_back(ident());
      expect_punct("=");
      values.push_back(term());
    } while (accept_kw("and"));
  }

  InsertStatement update() {
    InsertStatement s;
    s.table = qualified();
    using_clause(s.ttl, s.timestamp);
    expect_kw("set");
    do {
      s.cols.push_back(ident());
      expect_punct("=");
      s.values.push_back(term());
    } while (accept_punct(","));
    s.where_from = s.cols.size();
    where_equalities(s.cols, s.values);
    if (accept_kw("if")) throw_invalid("Conditional updates are not supported by this server");
    return s;
  }

  DeleteStatement remove() {
    DeleteStatement s;
    if (!accept_kw("from")) {
      do {
        s.cols.push_back(ident());
      } while (accept_punct(","));
      expect_kw("from");
    }
    s.table = qualified();
    std::optional<Term> ttl;
    using_clause(ttl, s.timestamp);
    if (ttl) throw_invalid("Cannot set TTL on DELETE");
    where_equalities(s.where_cols, s.where_values);
    if (accept_kw("if")) throw_invalid("Conditional deletions are not supported by this server");
    return s;
  }

  SelectStatement select() {
    SelectStatement s;
    if (accept_punct("*")) {
      s.star = true;
    } else {
      do {
        Selector sel;
        std::string name = ident();
        if (name == "count" && accept_punct("(")) {
          if (!accept_punct("*")) {
            if (peek().kind == Token::kInteger) {
              pos_++;
            } else {
              ident();
            }
          }
          expect_punct(")");
          sel.count = true;
          sel.alias = "count";
        } else if (name == "writetime" && accept_punct("(")) {
          sel.writetime_of = ident();
          expect_punct(")");
          sel.column = sel.alias = "writetime(" + sel.writetime_of + ")";
        } else {
          sel.column = name;
          sel.alias = name;
        }
        if (accept_kw("as")) sel.alias = ident();
        s.selectors.push_back(std::move(sel));
      } while (accept_punct(","));
    }
    expect_kw("from");
    s.table = qualified();
    if (accept_kw("where")) {
      do {
        Relation r;
        r.column = ident();
        expect_punct("=");
        r.value = term();
        s.where.push_back(std::move(r));
      } while (accept_kw("and"));
    }
    if (accept_kw("limit")) s.limit = term();
    if (accept_kw("allow")) {
      expect_kw("filtering");
      s.allow_filtering = true;
    }
    return s;
  }

  std::vector<Token> toks_;
  size_t pos_ = 0;
  int depth_ = 0;  // collection literals or types open (Nest)
  int markers_ = 0;
  std::vector<std::string> marker_names_;
};

}  // namespace

Parsed parse_cql(std::string_view text) {
  return Parser(text).parse();
}

}  // namespace cqlsrv
