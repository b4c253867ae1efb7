// Target-table handling. Identifiers are always double-quoted (quotes doubled), so a
// JSON field named `a"; drop table x` is just a column name. Columns come from
// pg_attribute (PostgreSQL docs, 53.7), with domains resolved to their base type so
// the client-side checks apply to them too.
#include "table.h"

#include <cstdlib>

#include "pg_conn.h"

namespace airstream::pgload {

std::string quote_ident(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out.push_back('"');
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string TableName::quoted() const {
  return schema.empty() ? quote_ident(table) : quote_ident(schema) + "." + quote_ident(table);
}

std::string TableName::display() const {
  return schema.empty() ? table : schema + "." + table;
}

Result<TableName> parse_table_name(std::string_view text) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (true) {
    std::string part;
    if (i < text.size() && text[i] == '"') {
      i++;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            part.push_back('"');
            i += 2;
            continue;
          }
          closed = true;
          i++;
          break;
        }
        part.push_back(text[i++]);
      }
      if (!closed) return Status(kExitUsage, "table name: unterminated quoted identifier");
    } else {
      while (i < text.size() && text[i] != '.') {
        char c = text[i++];
        if (c == '"') return Status(kExitUsage, "table name: quote inside an unquoted identifier");
        part.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
      }
    }
    if (part.empty()) return Status(kExitUsage, "table name: empty identifier in '" + std::string(text) + "'");
    if (part.find('\0') != std::string::npos) return Status(kExitUsage, "table name: NUL byte");
    parts.push_back(std::move(part));
    if (i == text.size()) break;
    if (text[i] != '.') return Status(kExitUsage, "table name: expected '.' after a quoted identifier");
    i++;
  }
  if (parts.size() > 2) return Status(kExitUsage, "table name: expected [schema.]table, got " + std::string(text));
  TableName name;
  if (parts.size() == 2) name.schema = parts[0];
  name.table = parts.back();
  return name;
}

const Column* TableInfo::find(std::string_view column) const {
  for (const auto& c : columns)
    if (c.name == column) return &c;
  return nullptr;
}

Result<TableInfo> load_table(PgConn& conn, const TableName& name) {
  TableInfo info;
  info.name = name;
  // to_regclass() returns NULL instead of failing when the table does not exist.
  static const char* kSql =
      "SELECT a.attname, format_type(a.atttypid, a.atttypmod),"
      " (SELECT b.typname FROM pg_type b WHERE b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END),"
      " (a.atthasdef OR a.attidentity <> '')::text, (a.attgenerated <> '' OR a.attidentity = 'a')::text,"
      " (EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indisprimary"
      " AND a.attnum = ANY (i.indkey)))::text,"
      // A domain's limits are its base type's: the base type with the domain's modifier.
      " format_type(CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE a.atttypid END,"
      " CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END),"
      " (CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END)::text"
      " FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid"
      " WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";
  auto res = conn.query(kSql, {name.quoted()});
  if (!res) return res.status();
  PGresult* r = res->get();
  for (int i = 0; i < PQntuples(r); i++) {
    Column c;
    c.name = PQgetvalue(r, i, 0);
    c.type_sql = PQgetvalue(r, i, 1);
    c.kind = kind_for_type(PQgetvalue(r, i, 2));
    c.bin = bin_type_for(PQgetvalue(r, i, 2));
    c.has_default = std::string_view(PQgetvalue(r, i, 3)) == "true";
    c.writable = std::string_view(PQgetvalue(r, i, 4)) != "true";
    c.primary_key = std::string_view(PQgetvalue(r, i, 5)) == "true";
    c.base_sql = PQgetvalue(r, i, 6);
    c.base_type = PQgetvalue(r, i, 2);
    c.typmod = std::atoi(PQgetvalue(r, i, 7));
    info.columns.push_back(std::move(c));
  }
  return info;
}

std::string create_table_sql(const TableName& name, std::string_view column_defs) {
  return "CREATE TABLE IF NOT EXISTS " + name.quoted() + " (" + std::string(column_defs) + ")";
}

const char* create_type_for(ColKind kind) {
  // The kind's own type name, except that created columns keep timestamps with their
  // zone and store anything else as text.
  if (kind == ColKind::kTimestamp) return "timestamptz";
  if (kind == ColKind::kText || kind == ColKind::kOther) return "text";
  return kind_name(kind);
}

std::string column_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += quote_ident(n);
  }
  return out;
}

std::string column_defs_sql(const std::vector<std::pair<std::string, ColKind>>& columns,
                            const std::vector<std::string>& keys) {
  std::string out;
  for (const auto& [name, kind] : columns) {
    if (!out.empty()) out += ", ";
    out += quote_ident(name) + " " + create_type_for(kind);
  }
  if (!keys.empty()) out += ", PRIMARY KEY (" + column_list(keys) + ")";
  return out;
}

}  // namespace airstream::pgload
