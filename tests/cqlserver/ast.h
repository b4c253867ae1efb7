// CQL types, terms and the statements of the subset the test server speaks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace cqlsrv {

class Writer;

enum class Kind {
  kAscii,
  kBigint,
  kBlob,
  kBoolean,
  kCounter,
  kDecimal,
  kDouble,
  kFloat,
  kInt,
  kTimestamp,
  kUuid,
  kText,
  kVarint,
  kTimeuuid,
  kInet,
  kDate,
  kTime,
  kSmallint,
  kTinyint,
  kList,
  kMap,
  kSet,
  kTuple,
};

struct Type {
  Kind kind = Kind::kText;
  bool frozen = false;
  std::vector<Type> params;
  bool is_collection() const { return kind == Kind::kList || kind == Kind::kSet || kind == Kind::kMap; }
};

// Maps a CQL native type name ("text", "bigint", ...) to its kind; false if unknown.
bool kind_from_name(std::string_view name, Kind& out);
// The type as system_schema.columns spells it: "text", "frozen<list<int>>".
std::string type_to_cql(const Type& t);
// [option] of native_protocol_v4.spec section 4.2.5.2.
void write_type_option(Writer& w, const Type& t);
// Checks a serialized value against its type (section 6); returns an error message or "".
std::string validate_value(const Type& t, std::string_view v);
// A validated value as Cassandra stores it: sets and maps sorted by their element
// or key type, one entry per element or key (the last value of a repeated map key).
std::string normalize_value(const Type& t, std::string_view v);

// A term in a statement: a literal, a bind marker or a collection/tuple literal.
struct Term {
  enum Tag { kNull, kString, kInteger, kFloat, kBool, kUuid, kHex, kMarker, kList, kBraces, kTuple };
  Tag tag = kNull;
  std::string text;         // literal text (string contents, digits, hex digits...)
  std::vector<Term> items;  // collection elements; for maps: key, value, key, value...
  bool is_map = false;      // kBraces with ':' pairs
  int marker = -1;          // index of the bind marker
};

// Serializes a literal for a column of type t. nullopt = null. Throws Invalid.
std::optional<std::string> term_to_bytes(const Term& term, const Type& t, std::string_view column);

struct QualifiedName {
  std::string ks;  // empty: the connection's keyspace
  std::string name;
};

struct ColumnDef {
  std::string name;
  Type type;
};

struct CreateKeyspace {
  std::string name;
  bool if_not_exists = false;
  std::vector<std::pair<std::string, std::string>> replication;
  bool durable_writes = true;
};

struct CreateTable {
  QualifiedName table;
  bool if_not_exists = false;
  std::vector<ColumnDef> cols;
  std::vector<std::string> pk;
  std::vector<std::string> ck;
  std::vector<bool> ck_desc;
};

struct DropStatement {
  bool keyspace = false;
  QualifiedName name;
  bool if_exists = false;
};

struct TruncateStatement {
  QualifiedName table;
};

struct UseStatement {
  std::string ks;
};

struct InsertStatement {
  QualifiedName table;
  std::vector<std::string> cols;
  std::vector<Term> values;
  std::optional<Term> ttl;
  std::optional<Term> timestamp;
  bool if_not_exists = false;
  // UPDATE ... SET a = x WHERE k = y is parsed as an upsert of (a, k): the
  // columns from where_from on came from the WHERE clause (key columns only).
  size_t where_from = SIZE_MAX;
};

// DELETE [col, ...] FROM table WHERE key = term AND ...: with no columns, the
// whole row (all key columns given) or the whole partition (partition key only).
struct DeleteStatement {
  QualifiedName table;
  std::vector<std::string> cols;
  std::vector<std::string> where_cols;
  std::vector<Term> where_values;
  std::optional<Term> timestamp;
};

struct Selector {
  std::string column;  // empty for count(*); "writetime(c)" for WRITETIME(c)
  std::string alias;
  bool count = false;
  std::string writetime_of;  // WRITETIME(c): c
};

struct Relation {
  std::string column;
  Term value;
};

struct SelectStatement {
  QualifiedName table;
  bool star = false;
  std::vector<Selector> selectors;
  std::vector<Relation> where;
  std::optional<Term> limit;
  bool allow_filtering = false;
};

using Statement = std::variant<CreateKeyspace, CreateTable, DropStatement, TruncateStatement, UseStatement,
                               InsertStatement, SelectStatement, DeleteStatement>;

struct Parsed {
  Statement stmt;
  int markers = 0;
  std::vector<std::string> marker_names;  // ":name" markers, "" for "?"
};

// Parses one CQL statement (an optional trailing ';' is allowed). Throws SyntaxError.
Parsed parse_cql(std::string_view text);

}  // namespace cqlsrv
