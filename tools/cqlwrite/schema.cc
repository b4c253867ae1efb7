// cqlwrite schema work: CREATE KEYSPACE/TABLE IF NOT EXISTS, schema agreement,
// system_schema.columns lookup (queried by keyspace and filtered here by table), and
// the prepared INSERT INTO ks.table (cols...) VALUES (?...) [USING TTL n] whose bind
// metadata (types, partition key indexes) drives value encoding and routing.
#include "schema.h"

#include <algorithm>

namespace airstream::cqlwrite {
namespace {

bool is_plain_ident(const std::string& s) {
  if (s.empty() || !((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_')) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

std::string escape_literal(const std::string& s) {
  std::string out;
  for (char c : s) {
    out.push_back(c);
    if (c == '\'') out.push_back('\'');
  }
  return out;
}

}  // namespace

std::string normalize_name(const std::string& name) {
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') return name.substr(1, name.size() - 2);
  std::string low = name;
  for (char& c : low)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return is_plain_ident(low) ? low : name;
}

std::string quote_ident(const std::string& name) {
  if (is_plain_ident(name)) return name;
  std::string out = "\"";
  for (char c : name) {
    out.push_back(c);
    if (c == '"') out.push_back('"');
  }
  return out + "\"";
}

Status create_schema(cql::Session& session, const Options& o, int agreement_timeout_ms) {
  std::string ks = quote_ident(normalize_name(o.keyspace));
  std::string table = quote_ident(normalize_name(o.table));
  std::string schema = o.schema.empty() ? kCreatedUsersSchema : o.schema;
  std::string stmts[] = {
      "CREATE KEYSPACE IF NOT EXISTS " + ks + " WITH replication = " + o.replication,
      "CREATE TABLE IF NOT EXISTS " + ks + "." + table + " (" + schema + ")",
  };
  for (const auto& q : stmts) {
    auto r = session.query(q, cql::kOne);
    if (!r.ok()) {
      int code = r.status().exit_code() == kExitDataErr ? kExitConfig : r.status().exit_code();
      return Status(code, q.substr(0, q.find(" WITH")).substr(0, 80) + ": " + r.status().message());
    }
    if (Status s = session.wait_schema_agreement(agreement_timeout_ms); !s.ok()) return s;
  }
  return Status::Ok();
}

Result<std::vector<Column>> read_columns(cql::Session& session, const std::string& keyspace, const std::string& table) {
  auto r = session.query("SELECT * FROM system_schema.columns WHERE keyspace_name = '" + escape_literal(keyspace) + "'",
                         cql::kOne);
  if (!r.ok()) return Status(kExitUnavailable, "cannot read system_schema.columns: " + r.status().message());
  std::vector<Column> out;
  const cql::Rows& rows = r->rows;
  for (size_t i = 0; i < rows.rows.size(); i++) {
    if (rows.text(i, "table_name") != table) continue;
    Column c;
    c.name = rows.text(i, "column_name");
    c.kind = rows.text(i, "kind");
    std::string pos = rows.text(i, "position");
    c.position = pos.empty() ? 0 : std::atoi(pos.c_str());
    auto t = cql::parse_type(rows.text(i, "type"));
    if (!t.ok()) return t.status();
    c.type = *t;
    out.push_back(std::move(c));
  }
  if (out.empty())
    return Status(kExitConfig, "table " + keyspace + "." + table + " does not exist (use --create to create it)");
  // Partition key first (by position), then clustering, then the rest by name.
  auto rank = [](const Column& c) { return c.kind == "partition_key" ? 0 : c.kind == "clustering" ? 1 : 2; };
  std::stable_sort(out.begin(), out.end(), [&](const Column& a, const Column& b) {
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    if (rank(a) < 2) return a.position < b.position;
    return a.name < b.name;
  });
  return out;
}

Result<Mapping> build_mapping(cql::Session& session, const Options& o, const std::vector<Column>& columns) {
  std::unordered_map<std::string, std::string> field_of;  // column -> field
  for (const auto& m : o.maps) {
    size_t eq = m.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == m.size())
      return Status(kExitUsage, "--map wants COLUMN=FIELD, got '" + m + "'");
    std::string col = normalize_name(m.substr(0, eq));
    bool known = false;
    for (const auto& c : columns) known = known || c.name == col;
    if (!known) return Status(kExitUsage, "--map: table has no column '" + col + "'");
    field_of[col] = m.substr(eq + 1);
  }
  std::string cols, marks;
  for (size_t i = 0; i < columns.size(); i++) {
    if (columns[i].type.kind == cql::TypeKind::kCounter)
      return Status(kExitConfig, "column " + columns[i].name + " is a counter: cqlwrite only inserts");
    cols += (i ? ", " : "") + quote_ident(columns[i].name);
    marks += i ? ", ?" : "?";
  }
  std::string q = "INSERT INTO " + quote_ident(normalize_name(o.keyspace)) + "." +
                  quote_ident(normalize_name(o.table)) + " (" + cols + ") VALUES (" + marks + ")";
  if (o.ttl > 0) q += " USING TTL " + std::to_string(o.ttl);
  auto stmt = session.prepare(q);
  if (!stmt.ok()) return stmt.status();
  Mapping m;
  m.stmt = *stmt;
  const auto& bind = m.stmt->meta.bind;
  if (bind.size() != columns.size())
    return Status(kExitSoftware, "prepared INSERT has " + std::to_string(bind.size()) + " bind variables, expected " +
                                     std::to_string(columns.size()));
  for (size_t i = 0; i < bind.size(); i++) {
    m.columns.push_back(columns[i].name);
    m.types.push_back(bind[i].type);
    auto f = field_of.find(columns[i].name);
    const std::string& field = f == field_of.end() ? columns[i].name : f->second;
    auto [it, fresh] = m.by_field.emplace(field, static_cast<int>(i));
    if (!fresh)
      return Status(kExitUsage, "--map: columns " + m.columns[static_cast<size_t>(it->second)] + " and " +
                                    columns[i].name + " would both take field " + field +
                                    "; --map one of them to another field");
    m.mapped.push_back(f != field_of.end());
  }
  for (size_t i = 0; i < columns.size(); i++)
    if (columns[i].kind == "clustering") m.clustering.push_back(static_cast<int>(i));
  for (uint16_t idx : m.stmt->meta.pk_indexes)
    if (idx < bind.size()) m.partition_key.push_back(idx);
  if (m.partition_key.empty())
    for (size_t i = 0; i < columns.size(); i++)
      if (columns[i].kind == "partition_key") m.partition_key.push_back(static_cast<int>(i));
  return m;
}

}  // namespace airstream::cqlwrite
