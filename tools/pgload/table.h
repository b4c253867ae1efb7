// The target table: parsing "-t [schema.]table", quoting identifiers, reading the
// columns from the catalog (name, type, default, generated), and the SQL pgload
// generates from them (CREATE TABLE, COPY column lists, the upsert statement).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "copy_binary.h"
#include "copy_text.h"

namespace airstream::pgload {

class PgConn;

// An SQL identifier in double quotes, embedded quotes doubled: any name is safe.
std::string quote_ident(std::string_view name);

struct TableName {
  std::string schema;  // empty: search_path
  std::string table;
  std::string quoted() const;   // "schema"."table" or "table"
  std::string display() const;  // schema.table, unquoted, for messages
};

// Parses "table", "schema.table", "\"Odd.Name\"" ...: unquoted parts are folded to
// lower case as PostgreSQL does, quoted parts are taken literally ("" is a quote).
Result<TableName> parse_table_name(std::string_view text);

struct Column {
  std::string name;
  std::string type_sql;   // format_type(), e.g. "character varying(20)"
  std::string base_sql;   // the same for a domain's base type with the domain's modifier
  std::string base_type;  // pg_type.typname of the (base) type, e.g. "varchar"
  int typmod = -1;        // the (base) type's modifier; -1: none
  ColKind kind = ColKind::kOther;
  BinType bin = BinType::kNone;  // binary COPY send format
  bool has_default = false;
  bool writable = true;      // false for generated columns and GENERATED ALWAYS identities
  bool primary_key = false;  // part of the table's primary key
};

struct TableInfo {
  TableName name;
  std::vector<Column> columns;
  const Column* find(std::string_view column) const;
};

// Reads the table's columns. Not found: ok result with no columns.
Result<TableInfo> load_table(PgConn& conn, const TableName& name);

// CREATE TABLE IF NOT EXISTS from column definitions (SQL text, as given to --schema).
std::string create_table_sql(const TableName& name, std::string_view column_defs);
// Column definitions for inferred columns, with PRIMARY KEY (keys) when keys are given.
std::string column_defs_sql(const std::vector<std::pair<std::string, ColKind>>& columns,
                            const std::vector<std::string>& keys);
// The SQL type pgload creates for an inferred kind.
const char* create_type_for(ColKind kind);

// Comma-separated quoted column names.
std::string column_list(const std::vector<std::string>& names);

}  // namespace airstream::pgload
