// INSERT/UPDATE/DELETE, SELECT and PREPARE of the test server's store (UPDATE is
// parsed as an upsert of the SET and WHERE columns). INSERT takes literals
// or bind markers; an unset marker (native_protocol_v4.spec section 3 [value]
// n == -2) leaves the column untouched; a missing, null or unset partition or
// clustering key is Invalid, as in Cassandra. SELECT reads one partition (all
// partition key columns restricted by equality), or scans the whole table when
// there is no WHERE clause (or ALLOW FILTERING); it supports column lists,
// count(*), LIMIT and result paging (the paging state is the row offset).
#include <atomic>
#include <chrono>
#include <cstring>
#include <limits>

#include "murmur3.h"
#include "store.h"
#include "system_tables.h"
#include "wire.h"

namespace cqlsrv {
namespace {

std::string key_bytes(const std::vector<int>& idx, const Row& row) {
  if (idx.size() == 1) return *row[static_cast<size_t>(idx[0])];
  std::string out;
  for (int i : idx) {
    const std::string& v = *row[static_cast<size_t>(i)];
    out.push_back(static_cast<char>(v.size() >> 8));
    out.push_back(static_cast<char>(v.size()));
    out += v;
    out.push_back('\0');
  }
  return out;
}

// Clustering keys are map keys whose byte order is the CQL order: signed integers
// and floats are made unsigned-comparable, each component is escaped (00 -> 00 01)
// and terminated (00 00), and DESC components are inverted.
std::string clustering_key(const Table& t, const Row& row) {
  std::string out;
  for (size_t k = 0; k < t.ck.size(); k++) {
    const Column& c = t.cols[static_cast<size_t>(t.ck[k])];
    std::string v = *row[static_cast<size_t>(t.ck[k])];
    switch (c.type.kind) {
      case Kind::kInt:
      case Kind::kBigint:
      case Kind::kSmallint:
      case Kind::kTinyint:
      case Kind::kTimestamp:
      case Kind::kCounter:
        if (!v.empty()) v[0] = static_cast<char>(v[0] ^ 0x80);
        break;
      case Kind::kFloat:
      case Kind::kDouble:
        if (!v.empty() && (v[0] & 0x80)) {
          for (auto& ch : v) ch = static_cast<char>(~ch);
        } else if (!v.empty()) {
          v[0] = static_cast<char>(v[0] ^ 0x80);
        }
        break;
      default:
        break;
    }
    size_t start = out.size();
    for (char ch : v) {
      out.push_back(ch);
      if (ch == '\0') out.push_back('\1');
    }
    out.append(2, '\0');
    if (t.ck_desc[k])
      for (size_t i = start; i < out.size(); i++) out[i] = static_cast<char>(~out[i]);
  }
  return out;
}

std::vector<ColumnSpec> specs_of(const Table& t) {
  std::vector<ColumnSpec> out;
  for (auto& c : t.cols) out.push_back({t.ks, t.name, c.name, c.type});
  return out;
}

const char* kFilteringMsg =
    "Cannot execute this query as it might involve data filtering and thus may have unpredictable performance. If you "
    "want to execute this query despite the performance unpredictability, use ALLOW FILTERING";

Type int_type(Kind k) {
  Type t;
  t.kind = k;
  return t;
}

}  // namespace

std::string pack_row(const Row& row, const std::vector<int64_t>& ts) {
  size_t n = 0;
  for (auto& v : row) n += 12 + (v ? v->size() : 0);
  std::string out;
  out.reserve(n);
  for (size_t i = 0; i < row.size(); i++) {
    out += be64(ts[i]);
    out += be32(row[i] ? static_cast<int32_t>(row[i]->size()) : -1);
    if (row[i]) out += *row[i];
  }
  return out;
}

Row unpack_row(std::string_view packed, size_t columns, std::vector<int64_t>* ts) {
  Row row(columns);
  if (ts) ts->assign(columns, kNoTimestamp);
  Reader r(packed);
  for (size_t i = 0; i < columns; i++) {
    int64_t t = r.i64();
    if (ts) (*ts)[i] = t;
    std::string_view v;
    if (r.value(v) >= 0) row[i].emplace(v);
  }
  return row;
}

int64_t server_timestamp_us() {
  static std::atomic<int64_t> last{0};
  int64_t now =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  int64_t prev = last.load();
  for (;;) {
    int64_t next = std::max(now, prev + 1);
    if (last.compare_exchange_weak(prev, next)) return next;
  }
}

// Cassandra's reconciliation of two versions of one cell: the higher write
// timestamp wins; on a tie a tombstone (null) wins over a live value, and between
// live values the greater one (unsigned byte order) wins.
static bool newer_wins(int64_t new_ts, const Value& nv, int64_t old_ts, const Value& ov) {
  if (new_ts != old_ts) return new_ts > old_ts;
  if (!ov) return false;
  if (!nv) return true;
  return std::string_view(*nv) > std::string_view(*ov);  // char_traits<char> compares as unsigned char
}

bool resolve_term(const Term& t, const Type& type, std::string_view col, const ExecContext& ctx, Value& out) {
  if (t.tag != Term::kMarker) {
    out = term_to_bytes(t, type, col);
    return true;
  }
  if (!ctx.values || static_cast<size_t>(t.marker) >= ctx.values->size())
    throw_invalid("there were more markers(?) in CQL than bound variables");
  const Bound& b = (*ctx.values)[static_cast<size_t>(t.marker)];
  if (b.len == -2) return false;
  if (b.len == -1) {
    out.reset();
    return true;
  }
  auto err = validate_value(type, b.data);
  if (!err.empty()) throw_invalid("Exception while binding column " + std::string(col) + ": " + err);
  if (type.kind == Kind::kSet || type.kind == Kind::kMap || type.kind == Kind::kList || type.kind == Kind::kTuple)
    out.emplace(normalize_value(type, b.data));
  else
    out.emplace(b.data);
  return true;
}

// Names of the key columns `idx` not marked in `mask`, comma-separated.
static std::string missing_parts(const Table& t, const std::vector<int>& idx, const std::vector<char>& mask) {
  std::string missing;
  for (int i : idx)
    if (!mask[static_cast<size_t>(i)]) missing += (missing.empty() ? "" : ", ") + t.cols[static_cast<size_t>(i)].name;
  return missing;
}

// The write timestamp of a statement: USING TIMESTAMP, else the request's default
// timestamp (flag 0x20 of QUERY/EXECUTE/BATCH), else the server's clock.
static int64_t write_timestamp(const std::optional<Term>& using_ts, const ExecContext& ctx) {
  if (using_ts) {
    Value v;
    if (resolve_term(*using_ts, int_type(Kind::kBigint), "[timestamp]", ctx, v) && v && v->size() == 8) {
      auto ts = static_cast<int64_t>(load_be64(v->data()));
      if (ts == std::numeric_limits<int64_t>::min())
        throw_invalid("Invalid timestamp: -9223372036854775808 is not a valid timestamp");
      return ts;
    }
  }
  return ctx.default_ts != kNoTimestamp ? ctx.default_ts : server_timestamp_us();
}

Mutation Store::start_mutation(const QualifiedName& q, ExecContext& ctx) {
  Mutation m;
  m.table = table(q, *ctx.keyspace);
  m.row.resize(m.table->cols.size());
  m.set.assign(m.table->cols.size(), 0);
  return m;
}

Mutation Store::build_insert(const InsertStatement& s, ExecContext& ctx) {
  Mutation m = start_mutation(s.table, ctx);
  const Table& t = *m.table;
  m.if_not_exists = s.if_not_exists;
  for (size_t i = 0; i < s.cols.size(); i++) {
    int idx = t.index(s.cols[i]);
    if (idx < 0) throw_invalid("Undefined column name " + s.cols[i]);
    auto ui = static_cast<size_t>(idx);
    if (m.set[ui]) throw_invalid("The column names contains duplicates");
    const Column& c = t.cols[ui];
    Value v;
    bool present = resolve_term(s.values[i], c.type, c.name, ctx, v);
    if (c.role != Column::kRegular) {
      if (!present) throw_invalid("Invalid unset value for column " + c.name);
      if (!v) throw_invalid("Invalid null value in condition for column " + c.name);
    }
    if (!present) continue;
    m.set[ui] = 1;
    m.bytes += v ? v->size() : 0;
    m.row[ui] = std::move(v);
  }
  for (size_t i = s.where_from; i < s.cols.size(); i++)
    if (t.cols[static_cast<size_t>(t.index(s.cols[i]))].role == Column::kRegular)
      throw_invalid("Non PRIMARY KEY columns found in where clause: " + s.cols[i]);
  std::string missing = missing_parts(t, t.pk, m.set);
  if (!missing.empty()) throw_invalid("Some partition key parts are missing: " + missing);
  missing = missing_parts(t, t.ck, m.set);
  if (!missing.empty()) throw_invalid("Some clustering keys are missing: " + missing);
  if (s.ttl) {
    Value v;
    if (resolve_term(*s.ttl, int_type(Kind::kInt), "[ttl]", ctx, v) && v && v->size() == 4) {
      auto ttl = static_cast<int32_t>(load_be32(v->data()));
      if (ttl < 0) throw_invalid("A TTL must be greater or equal to 0, but was " + std::to_string(ttl));
      if (ttl > 630720000)
        throw_invalid("ttl is too large. requested (" + std::to_string(ttl) + ") maximum (630720000)");
    }
  }
  m.ts = write_timestamp(s.timestamp, ctx);
  m.pk = key_bytes(t.pk, m.row);
  if (m.pk.empty()) throw_invalid("Key may not be empty");
  m.ck = clustering_key(t, m.row);
  m.token = murmur3_token(m.pk);
  return m;
}

Mutation Store::build_delete(const DeleteStatement& s, ExecContext& ctx) {
  Mutation m = start_mutation(s.table, ctx);
  const Table& t = *m.table;
  std::vector<char> keyset(t.cols.size(), 0);
  for (size_t i = 0; i < s.where_cols.size(); i++) {
    int idx = t.index(s.where_cols[i]);
    if (idx < 0) throw_invalid("Undefined column name " + s.where_cols[i]);
    const Column& c = t.cols[static_cast<size_t>(idx)];
    if (c.role == Column::kRegular) throw_invalid("Non PRIMARY KEY columns found in where clause: " + c.name);
    Value v;
    if (!resolve_term(s.where_values[i], c.type, c.name, ctx, v))
      throw_invalid("Invalid unset value for column " + c.name);
    if (!v) throw_invalid("Invalid null value in condition for column " + c.name);
    m.row[static_cast<size_t>(idx)] = std::move(v);
    keyset[static_cast<size_t>(idx)] = 1;
  }
  std::string missing = missing_parts(t, t.pk, keyset);
  if (!missing.empty()) throw_invalid("Some partition key parts are missing: " + missing);
  size_t ck_given = 0;
  for (int i : t.ck) ck_given += keyset[static_cast<size_t>(i)];
  if (ck_given != 0 && ck_given != t.ck.size())
    throw_invalid("Deleting a range of rows is not supported by this server: give every clustering column or none");
  for (auto& name : s.cols) {
    int idx = t.index(name);
    if (idx < 0) throw_invalid("Undefined column name " + name);
    if (t.cols[static_cast<size_t>(idx)].role != Column::kRegular)
      throw_invalid("Invalid identifier " + name + " for deletion (should not be a PRIMARY KEY part)");
    m.set[static_cast<size_t>(idx)] = 1;
  }
  if (!s.cols.empty() && ck_given != t.ck.size())
    throw_invalid("Some clustering keys are missing, deleting columns needs the full primary key");
  m.op = !s.cols.empty()           ? Mutation::kDeleteColumns
         : ck_given == t.ck.size() ? Mutation::kDeleteRow
                                   : Mutation::kDeletePartition;
  m.ts = write_timestamp(s.timestamp, ctx);
  m.pk = key_bytes(t.pk, m.row);
  if (m.pk.empty()) throw_invalid("Key may not be empty");
  if (m.op != Mutation::kDeletePartition) m.ck = clustering_key(t, m.row);
  m.token = murmur3_token(m.pk);
  return m;
}

Mutation Store::build_write(const Parsed& p, ExecContext& ctx) {
  if (auto* ins = std::get_if<InsertStatement>(&p.stmt)) return build_insert(*ins, ctx);
  if (auto* del = std::get_if<DeleteStatement>(&p.stmt)) return build_delete(*del, ctx);
  throw_invalid("Invalid statement in batch: only UPDATE, INSERT and DELETE statements are allowed.");
}

// Deletes the regular cells of a stored row written at or before the deletion's
// timestamp (all of them, or the `only` ones); true when no live cell is left, so
// the row goes. Rows and partitions keep no tombstone: a later write with an older
// timestamp is not shadowed (see README).
static bool delete_cells(const Table& t, std::string& packed, int64_t ts, const std::vector<char>* only) {
  std::vector<int64_t> cts;
  Row cur = unpack_row(packed, t.cols.size(), &cts);
  bool live = false;
  for (size_t i = 0; i < cur.size(); i++) {
    if (t.cols[i].role != Column::kRegular) continue;
    if ((!only || (*only)[i]) && ts >= cts[i]) {
      cur[i].reset();
      cts[i] = ts;
    }
    live |= cur[i].has_value();
  }
  packed = pack_row(cur, cts);
  return !live && !only;
}

// Applies a deletion; called with the table locked.
static void apply_delete(Table& t, Mutation& m) {
  auto p = t.data.find(m.pk);
  if (p == t.data.end()) return;
  auto& rows = p->second;
  if (m.op == Mutation::kDeletePartition) {
    for (auto r = rows.begin(); r != rows.end();) r = delete_cells(t, r->second, m.ts, nullptr) ? rows.erase(r) : ++r;
  } else {
    auto r = rows.find(m.ck);
    if (r == rows.end()) return;
    if (delete_cells(t, r->second, m.ts, m.op == Mutation::kDeleteColumns ? &m.set : nullptr)) rows.erase(r);
  }
  if (rows.empty()) t.data.erase(p);
}

Result Store::apply(Mutation& m, int node) {
  Table& t = *m.table;
  if (t.dropped) throw_invalid("unconfigured table " + t.name);
  NodeStats& st = stats(node);
  if (m.table->rf <= 1 ? owner(m.token) != node : !is_replica(m.token, m.table->rf, node))
    st.rows_not_replica.fetch_add(1, std::memory_order_relaxed);
  Result r;
  {
    std::lock_guard<std::mutex> lock(t.mu);
    if (m.op != Mutation::kUpsert) {
      apply_delete(t, m);
      st.rows_written.fetch_add(1, std::memory_order_relaxed);
      return r;
    }
    auto& part = t.data[m.pk];
    auto [it, inserted] = part.try_emplace(m.ck);
    if (m.if_not_exists) {
      r.kind = Result::kRows;
      r.rows.cols.push_back({t.ks, t.name, "[applied]", int_type(Kind::kBoolean)});
      r.rows.rows.push_back({std::string(1, inserted ? '\1' : '\0')});
      if (!inserted) return r;
    }
    std::vector<int64_t> cts;
    Row cur;
    if (inserted) {
      cur.resize(t.cols.size());
      cts.assign(t.cols.size(), kNoTimestamp);
    } else {
      cur = unpack_row(it->second, t.cols.size(), &cts);
    }
    for (size_t i = 0; i < m.set.size(); i++) {
      if (!m.set[i]) continue;
      if (t.cols[i].role != Column::kRegular || newer_wins(m.ts, m.row[i], cts[i], cur[i])) {
        cur[i] = std::move(m.row[i]);
        cts[i] = m.ts;
      }
    }
    it->second = pack_row(cur, cts);
  }
  st.rows_written.fetch_add(1, std::memory_order_relaxed);
  return r;
}

std::vector<ColumnSpec> Store::table_specs(const SelectStatement& s, const std::string& conn_ks, bool& is_system) {
  const std::string& ks = s.table.ks.empty() ? conn_ks : s.table.ks;
  is_system = SystemTables::is_system(ks);
  if (is_system) return SystemTables::columns(*this, ks, s.table.name);
  return specs_of(*table(s.table, conn_ks));
}

std::vector<ColumnSpec> select_columns(const SelectStatement& s, const std::vector<ColumnSpec>& cols) {
  if (s.star) return cols;
  std::vector<ColumnSpec> out;
  for (auto& sel : s.selectors) {
    if (sel.count) {
      ColumnSpec c = cols.empty() ? ColumnSpec{} : cols[0];
      c.name = sel.alias;
      c.type = int_type(Kind::kBigint);
      out.push_back(c);
      continue;
    }
    if (!sel.writetime_of.empty()) {
      ColumnSpec c = cols.empty() ? ColumnSpec{} : cols[0];
      c.name = sel.alias;
      c.type = int_type(Kind::kBigint);
      out.push_back(c);
      continue;
    }
    bool found = false;
    for (auto& c : cols) {
      if (c.name == sel.column) {
        out.push_back(c);
        out.back().name = sel.alias;
        found = true;
      }
    }
    if (!found) throw_invalid("Undefined column name " + sel.column);
  }
  return out;
}

ResultSet shape_result(const SelectStatement& s, const std::vector<ColumnSpec>& cols,
                       const std::vector<const Row*>& rows, const ExecContext& ctx) {
  ResultSet out;
  out.cols = select_columns(s, cols);
  size_t limit = SIZE_MAX;
  if (s.limit) {
    Value v;
    if (resolve_term(*s.limit, int_type(Kind::kInt), "[limit]", ctx, v) && v && v->size() == 4) {
      auto l = static_cast<int32_t>(load_be32(v->data()));
      if (l <= 0) throw_invalid("LIMIT must be strictly positive");
      limit = static_cast<size_t>(l);
    }
  }
  bool has_count = false;
  for (auto& sel : s.selectors) has_count |= sel.count;
  if (has_count) {
    Row r;
    for (auto& sel : s.selectors) {
      if (sel.count) {
        r.push_back(be64(static_cast<int64_t>(rows.size())));
      } else {
        int idx = -1;
        for (size_t i = 0; i < cols.size(); i++)
          if (cols[i].name == sel.column) idx = static_cast<int>(i);
        r.push_back(rows.empty() ? Value() : (*rows[0])[static_cast<size_t>(idx)]);
      }
    }
    out.rows.push_back(std::move(r));
    return out;
  }
  std::vector<size_t> proj;
  if (s.star) {
    for (size_t i = 0; i < cols.size(); i++) proj.push_back(i);
  } else {
    for (auto& sel : s.selectors)
      for (size_t i = 0; i < cols.size(); i++)
        if (cols[i].name == sel.column) proj.push_back(i);
  }
  size_t offset = 0;
  if (ctx.paging_state.size() == 8) offset = load_be64(ctx.paging_state.data());
  size_t total = std::min(rows.size(), limit);
  size_t end = total;
  if (ctx.page_size > 0) end = std::min(total, offset + static_cast<size_t>(ctx.page_size));
  for (size_t i = offset; i < end; i++) {
    Row r;
    r.reserve(proj.size());
    for (size_t p : proj) r.push_back((*rows[i])[p]);
    out.rows.push_back(std::move(r));
  }
  if (end < total) out.paging_state = be64(static_cast<int64_t>(end));
  return out;
}

Result Store::select(const SelectStatement& s, ExecContext& ctx) {
  bool is_system = false;
  std::vector<ColumnSpec> cols = table_specs(s, *ctx.keyspace, is_system);
  std::vector<std::pair<size_t, Value>> rel;
  for (auto& r : s.where) {
    size_t idx = cols.size();
    for (size_t i = 0; i < cols.size(); i++)
      if (cols[i].name == r.column) idx = i;
    if (idx == cols.size()) {
      if (is_system) continue;
      throw_invalid("Undefined column name " + r.column);
    }
    Value v;
    if (!resolve_term(r.value, cols[idx].type, r.column, ctx, v))
      throw_invalid("Invalid unset value for column " + r.column);
    if (!v) throw_invalid("Invalid null value in condition for column " + r.column);
    rel.emplace_back(idx, std::move(v));
  }
  auto matches = [&](const Row& row) {
    for (auto& [i, v] : rel)
      if (!row[i] || *row[i] != *v) return false;
    return true;
  };
  Result res;
  res.kind = Result::kRows;
  std::vector<const Row*> hits;
  if (is_system) {
    const std::string& ks = s.table.ks.empty() ? *ctx.keyspace : s.table.ks;
    std::vector<Row> rows = SystemTables::rows(*this, ks, s.table.name, ctx.node);
    for (auto& r : rows)
      if (matches(r)) hits.push_back(&r);
    res.rows = shape_result(s, cols, hits, ctx);
    return res;
  }
  auto t = table(s.table, *ctx.keyspace);
  bool pk_full = true, other = false;
  Row probe(t->cols.size());
  for (int i : t->pk) {
    bool found = false;
    for (auto& [idx, v] : rel)
      if (idx == static_cast<size_t>(i)) found = true, probe[idx] = v;
    pk_full &= found;
  }
  for (auto& [idx, v] : rel) other |= t->cols[idx].role == Column::kRegular;
  if (!rel.empty() && (!pk_full || other) && !s.allow_filtering) throw_invalid(kFilteringMsg);
  // WRITETIME(c) selectors read the cell's timestamp, appended as an extra column.
  std::vector<size_t> wt;
  for (auto& sel : s.selectors) {
    if (sel.writetime_of.empty()) continue;
    int idx = t->index(sel.writetime_of);
    if (idx < 0) throw_invalid("Undefined column name " + sel.writetime_of);
    if (t->cols[static_cast<size_t>(idx)].role != Column::kRegular)
      throw_invalid("Cannot use selection function writeTime on PRIMARY KEY part " + sel.writetime_of);
    wt.push_back(static_cast<size_t>(idx));
    cols.push_back({t->ks, t->name, sel.column, int_type(Kind::kBigint)});
  }
  std::vector<Row> rows;
  {
    std::lock_guard<std::mutex> lock(t->mu);
    std::vector<int64_t> cts;
    auto take = [&](const std::string& packed) {
      Row row = unpack_row(packed, t->cols.size(), &cts);
      if (!matches(row)) return;
      for (size_t i : wt) row.push_back(row[i] ? Value(be64(cts[i])) : Value());
      rows.push_back(std::move(row));
    };
    if (pk_full) {
      auto p = t->data.find(key_bytes(t->pk, probe));
      if (p != t->data.end())
        for (auto& [ck, packed] : p->second) take(packed);
    } else {
      for (auto& [pk, part] : t->data)
        for (auto& [ck, packed] : part) take(packed);
    }
  }
  for (auto& r : rows) hits.push_back(&r);
  res.rows = shape_result(s, cols, hits, ctx);
  return res;
}

std::shared_ptr<Prepared> Store::prepare(const std::string& query, const std::string& keyspace) {
  auto p = std::make_shared<Prepared>();
  p->parsed = parse_cql(query);
  p->keyspace = keyspace;
  p->bind.resize(static_cast<size_t>(p->parsed.markers));
  auto bind_marker = [&](const Term& term, ColumnSpec spec) {
    if (term.tag == Term::kMarker) p->bind[static_cast<size_t>(term.marker)] = std::move(spec);
  };
  // Column specs of the markers among `values` (one per column of `cols`).
  auto bind_columns = [&](const Table& t, const std::vector<std::string>& cols, const std::vector<Term>& values) {
    std::vector<std::pair<std::string, const Term*>> terms;
    for (size_t i = 0; i < cols.size(); i++) {
      int idx = t.index(cols[i]);
      if (idx < 0) throw_invalid("Undefined column name " + cols[i]);
      bind_marker(values[i], {t.ks, t.name, cols[i], t.cols[static_cast<size_t>(idx)].type});
      terms.emplace_back(cols[i], &values[i]);
    }
    return terms;
  };
  auto pk_markers = [&](const Table& t, const std::vector<std::pair<std::string, const Term*>>& terms) {
    for (int i : t.pk) {
      int marker = -1;
      for (auto& [name, term] : terms)
        if (name == t.cols[static_cast<size_t>(i)].name && term->tag == Term::kMarker) marker = term->marker;
      if (marker < 0) {
        p->pk_indices.clear();
        return;
      }
      p->pk_indices.push_back(static_cast<uint16_t>(marker));
    }
  };
  if (auto* ins = std::get_if<InsertStatement>(&p->parsed.stmt)) {
    auto t = table(ins->table, keyspace);
    auto terms = bind_columns(*t, ins->cols, ins->values);
    if (ins->ttl) bind_marker(*ins->ttl, {t->ks, t->name, "[ttl]", int_type(Kind::kInt)});
    if (ins->timestamp) bind_marker(*ins->timestamp, {t->ks, t->name, "[timestamp]", int_type(Kind::kBigint)});
    pk_markers(*t, terms);
    p->is_write = true;
  } else if (auto* del = std::get_if<DeleteStatement>(&p->parsed.stmt)) {
    auto t = table(del->table, keyspace);
    auto terms = bind_columns(*t, del->where_cols, del->where_values);
    if (del->timestamp) bind_marker(*del->timestamp, {t->ks, t->name, "[timestamp]", int_type(Kind::kBigint)});
    pk_markers(*t, terms);
    p->is_write = true;
  } else if (auto* sel = std::get_if<SelectStatement>(&p->parsed.stmt)) {
    bool is_system = false;
    auto cols = table_specs(*sel, keyspace, is_system);
    p->result_cols = select_columns(*sel, cols);
    std::vector<std::pair<std::string, const Term*>> terms;
    for (auto& r : sel->where) {
      for (auto& c : cols)
        if (c.name == r.column) bind_marker(r.value, c);
      terms.emplace_back(r.column, &r.value);
    }
    if (sel->limit && !cols.empty())
      bind_marker(*sel->limit, {cols[0].ks, cols[0].table, "[limit]", int_type(Kind::kInt)});
    if (!is_system) pk_markers(*table(sel->table, keyspace), terms);
  }
  std::string meta;
  for (auto& c : p->result_cols) meta += c.name + ":" + type_to_cql(c.type) + ";";
  p->id = be64(murmur3_token(keyspace + '\0' + query)) + be64(murmur3_token(query + '\1' + keyspace));
  p->metadata_id = be64(murmur3_token(meta)) + be64(murmur3_token(meta + "#"));
  std::lock_guard<std::mutex> lock(mu_);
  auto [it, inserted] = prepared_.try_emplace(p->id, p);
  if (!inserted) it->second = p;
  return p;
}

}  // namespace cqlsrv
