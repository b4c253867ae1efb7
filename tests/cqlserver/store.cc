// The in-memory store of the test server: keyspaces and tables (one copy shared
// by all nodes; ownership follows a Murmur3 ring of evenly spaced tokens, --vnodes
// per node, and nodes that join later take the middle of existing ranges), CREATE/DROP/TRUNCATE/USE, and the token
// accounting of writes (rows_not_replica counts rows whose token the receiving
// node does not own). Error messages follow Cassandra's (Invalid 0x2200,
// AlreadyExists 0x2400, ConfigError 0x2300). INSERT and SELECT live in
// store_dml.cc, the system tables in system_tables.cc.
#include "store.h"

#include <algorithm>
#include <climits>
#include <cstdlib>

#include "murmur3.h"
#include "wire.h"

namespace cqlsrv {

std::string make_uuid_bytes(uint64_t hi, uint64_t lo) {
  return be64(static_cast<int64_t>(hi)) + be64(static_cast<int64_t>(lo));
}

std::string uuid_text(std::string_view b) {
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < b.size(); i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    auto c = static_cast<unsigned char>(b[i]);
    s += kHex[c >> 4];
    s += kHex[c & 15];
  }
  return s;
}

int Table::index(std::string_view col) const {
  for (size_t i = 0; i < cols.size(); i++)
    if (cols[i].name == col) return static_cast<int>(i);
  return -1;
}

Store::Store(int nodes, int vnodes, std::vector<std::string> addresses, int port)
    : addresses_(std::move(addresses)), port_(port), vnodes_(vnodes) {
  // Tokens evenly spaced, dealt round-robin: node i has tokens i, i + N, i + 2N, ...
  const uint64_t total = static_cast<uint64_t>(nodes) * static_cast<uint64_t>(vnodes);
  const uint64_t step = total > 1 ? UINT64_MAX / total + 1 : 0;
  for (uint64_t k = 0; k < total; k++)
    ring_.emplace_back(static_cast<int64_t>((uint64_t(1) << 63) + k * step), static_cast<int>(k % nodes));
  std::sort(ring_.begin(), ring_.end());
  joined_.assign(addresses_.size(), 0);
  for (int i = 0; i < nodes; i++) joined_[static_cast<size_t>(i)] = 1;
  alive_ = std::make_unique<std::atomic<bool>[]>(addresses_.size());
  for (int i = 0; i < nodes; i++) alive_[static_cast<size_t>(i)] = true;
  for (size_t i = 0; i < addresses_.size(); i++) stats_.push_back(std::make_unique<NodeStats>());
  bump_schema();
}

bool Store::joined(int node) const {
  std::lock_guard<std::mutex> lock(ring_mu_);
  return joined_[static_cast<size_t>(node)] != 0;
}

void Store::join(int node) {
  std::lock_guard<std::mutex> lock(ring_mu_);
  if (joined_[static_cast<size_t>(node)]) return;
  joined_[static_cast<size_t>(node)] = 1;
  std::vector<std::pair<int64_t, int>> added;
  const size_t n = ring_.size();
  for (int k = 0; k < vnodes_; k++) {
    size_t i = static_cast<size_t>(k) * n / static_cast<size_t>(vnodes_);
    uint64_t lo = static_cast<uint64_t>(ring_[i].first);
    uint64_t width = static_cast<uint64_t>(ring_[(i + 1) % n].first) - lo;  // wraps modulo 2^64
    added.emplace_back(static_cast<int64_t>(lo + width / 2), node);
  }
  ring_.insert(ring_.end(), added.begin(), added.end());
  std::sort(ring_.begin(), ring_.end());
}

std::vector<int64_t> Store::tokens_of(int node) const {
  std::lock_guard<std::mutex> lock(ring_mu_);
  std::vector<int64_t> out;
  for (auto& [t, n] : ring_)
    if (n == node) out.push_back(t);
  return out;
}

int Store::owner(int64_t token) const {
  std::lock_guard<std::mutex> lock(ring_mu_);
  auto it = std::lower_bound(ring_.begin(), ring_.end(), std::make_pair(token, INT_MIN));
  return it == ring_.end() ? ring_.front().second : it->second;
}

std::vector<int> Store::replicas(int64_t token, int rf) const {
  std::lock_guard<std::mutex> lock(ring_mu_);
  std::vector<int> out;
  auto it = std::lower_bound(ring_.begin(), ring_.end(), std::make_pair(token, INT_MIN));
  size_t start = static_cast<size_t>(it - ring_.begin());
  for (size_t k = 0; k < ring_.size() && static_cast<int>(out.size()) < rf; k++) {
    int n = ring_[(start + k) % ring_.size()].second;
    if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  }
  return out;
}

namespace {
const char* consistency_name(uint16_t cl) {
  static const char* names[] = {"ANY",          "ONE",         "TWO",    "THREE",        "QUORUM",   "ALL",
                                "LOCAL_QUORUM", "EACH_QUORUM", "SERIAL", "LOCAL_SERIAL", "LOCAL_ONE"};
  return cl < 11 ? names[cl] : "UNKNOWN";
}
}  // namespace

void Store::check_available(const Mutation& m, uint16_t cl, int node) {
  const int rf = m.table->rf;
  int required;
  switch (cl) {
    case 0:  // ANY: a hint on the coordinator will do
      return;
    case 1:
    case 10:
      required = 1;
      break;
    case 2:
    case 3:
      required = cl;
      break;
    case 5:
      required = rf;
      break;
    default:  // QUORUM, LOCAL_QUORUM, EACH_QUORUM (one data center), SERIAL, LOCAL_SERIAL
      required = rf / 2 + 1;
  }
  if (required == 0) required = 1;
  int up = 0;
  for (int r : replicas(m.token, rf)) up += alive(r);
  if (up >= required) return;
  stats(node).unavailable.fetch_add(1, std::memory_order_relaxed);
  Writer w;
  w.u16(cl);
  w.i32(required);
  w.i32(up);
  throw CqlError{kUnavailable, std::string("Cannot achieve consistency level ") + consistency_name(cl), w.buf()};
}

void Store::bump_schema() {
  static uint64_t counter = 0;
  counter++;
  schema_version_ = make_uuid_bytes(0x5c4e3a00'0000'1000ULL | counter, 0x8000'0000'0000'0000ULL | counter);
}

void Store::check_batch_size(size_t bytes) {
  if (bytes > 50 * 1024)
    throw_invalid("Batch too large: " + std::to_string(bytes) + " bytes exceeds batch_size_fail_threshold of 50 KiB");
}

std::shared_ptr<Table> Store::table(const QualifiedName& q, const std::string& conn_ks) {
  const std::string& ks = q.ks.empty() ? conn_ks : q.ks;
  if (ks.empty())
    throw_invalid("No keyspace has been specified. USE a keyspace, or explicitly specify keyspace.tablename");
  std::lock_guard<std::mutex> lock(mu_);
  auto k = keyspaces_.find(ks);
  if (k == keyspaces_.end()) throw_invalid("Keyspace " + ks + " does not exist");
  auto t = k->second->tables.find(q.name);
  if (t == k->second->tables.end()) throw_invalid("unconfigured table " + q.name);
  return t->second;
}

Result Store::execute(const Parsed& p, ExecContext& ctx) {
  const std::string& ks = *ctx.keyspace;
  return std::visit(
      [&](const auto& s) -> Result {
        using S = std::decay_t<decltype(s)>;
        if constexpr (std::is_same_v<S, CreateKeyspace>) {
          return create_keyspace(s);
        } else if constexpr (std::is_same_v<S, CreateTable>) {
          return create_table(s, ks);
        } else if constexpr (std::is_same_v<S, DropStatement>) {
          return drop(s, ks);
        } else if constexpr (std::is_same_v<S, TruncateStatement>) {
          auto t = table(s.table, ks);
          std::lock_guard<std::mutex> lock(t->mu);
          t->data.clear();
          return Result{};
        } else if constexpr (std::is_same_v<S, UseStatement>) {
          {
            std::lock_guard<std::mutex> lock(mu_);
            if (!keyspaces_.count(s.ks) && s.ks != "system" && s.ks != "system_schema")
              throw_invalid("Keyspace '" + s.ks + "' does not exist");
          }
          *ctx.keyspace = s.ks;
          Result r;
          r.kind = Result::kSetKeyspace;
          r.keyspace = s.ks;
          return r;
        } else if constexpr (std::is_same_v<S, InsertStatement> || std::is_same_v<S, DeleteStatement>) {
          Mutation m = build_write(p, ctx);
          check_available(m, ctx.consistency, ctx.node);
          return apply(m, ctx.node);
        } else {
          return select(s, ctx);
        }
      },
      p.stmt);
}

static Result schema_change(std::string change, std::string target, std::string ks, std::string name) {
  Result r;
  r.kind = Result::kSchemaChange;
  r.change = std::move(change);
  r.target = std::move(target);
  r.change_ks = std::move(ks);
  r.change_name = std::move(name);
  return r;
}

// AlreadyExists (0x2400) carries the keyspace and the table ("" for a keyspace).
static std::string already_exists_extra(const std::string& ks, const std::string& table) {
  Writer w;
  w.string(ks);
  w.string(table);
  return std::move(w.buf());
}

Result Store::create_keyspace(const CreateKeyspace& c) {
  std::string cls;
  for (auto& [k, v] : c.replication)
    if (k == "class") cls = v;
  if (cls.empty()) throw CqlError{kConfigError, "Missing mandatory option 'class'", {}};
  if (cls.find("SimpleStrategy") == std::string::npos && cls.find("NetworkTopologyStrategy") == std::string::npos)
    throw CqlError{kConfigError, "Unable to find replication strategy class '" + cls + "'", {}};
  if (c.name.rfind("system", 0) == 0) throw_invalid("Keyspace names starting with 'system' are reserved");
  std::lock_guard<std::mutex> lock(mu_);
  if (keyspaces_.count(c.name)) {
    if (c.if_not_exists) return Result{};
    throw CqlError{kAlreadyExists, "Keyspace " + c.name + " already exists", already_exists_extra(c.name, "")};
  }
  auto ks = std::make_unique<Keyspace>();
  ks->name = c.name;
  for (auto [k, v] : c.replication) {
    if (k == "class" && v.find('.') == std::string::npos) v = "org.apache.cassandra.locator." + v;
    ks->replication.emplace_back(k, v);
  }
  ks->durable_writes = c.durable_writes;
  keyspaces_[c.name] = std::move(ks);
  bump_schema();
  return schema_change("CREATED", "KEYSPACE", c.name, "");
}

Result Store::create_table(const CreateTable& c, const std::string& conn_ks) {
  const std::string& ks_name = c.table.ks.empty() ? conn_ks : c.table.ks;
  if (ks_name.empty())
    throw_invalid("No keyspace has been specified. USE a keyspace, or explicitly specify keyspace.tablename");
  if (c.pk.empty()) throw_invalid("No PRIMARY KEY specifed for table '" + c.table.name + "' (exactly one required)");
  auto t = std::make_shared<Table>();
  t->ks = ks_name;
  t->name = c.table.name;
  auto find_def = [&](const std::string& name) -> const ColumnDef& {
    for (auto& d : c.cols)
      if (d.name == name) return d;
    throw_invalid("Unknown definition " + name + " referenced in PRIMARY KEY");
  };
  for (size_t i = 0; i < c.cols.size(); i++)
    for (size_t j = 0; j < i; j++)
      if (c.cols[i].name == c.cols[j].name) throw_invalid("Duplicate column '" + c.cols[i].name + "' declaration");
  auto add_key = [&](const std::vector<std::string>& names, Column::Role role, std::vector<int>& idx) {
    for (size_t i = 0; i < names.size(); i++) {
      const ColumnDef& d = find_def(names[i]);
      if (d.type.is_collection() && !d.type.frozen)
        throw_invalid("Invalid non-frozen collection type for PRIMARY KEY component " + d.name);
      if (t->index(d.name) >= 0) throw_invalid("Duplicate definition for " + d.name + " in PRIMARY KEY");
      idx.push_back(static_cast<int>(t->cols.size()));
      t->cols.push_back({d.name, d.type, role, static_cast<int>(i)});
    }
  };
  add_key(c.pk, Column::kPartition, t->pk);
  add_key(c.ck, Column::kClustering, t->ck);
  t->ck_desc = c.ck_desc;
  t->data.reserve(1 << 16);  // benchmarks write hundreds of thousands of partitions
  std::vector<ColumnDef> regular;
  for (auto& d : c.cols)
    if (t->index(d.name) < 0) regular.push_back(d);
  std::sort(regular.begin(), regular.end(), [](auto& a, auto& b) { return a.name < b.name; });
  for (auto& d : regular) t->cols.push_back({d.name, d.type, Column::kRegular, -1});

  std::lock_guard<std::mutex> lock(mu_);
  auto k = keyspaces_.find(ks_name);
  if (k == keyspaces_.end()) throw_invalid("Keyspace " + ks_name + " does not exist");
  if (k->second->tables.count(t->name)) {
    if (c.if_not_exists) return Result{};
    throw CqlError{kAlreadyExists, "Object " + ks_name + "." + t->name + " already exists",
                   already_exists_extra(ks_name, t->name)};
  }
  // Replicas in the only data center: SimpleStrategy's replication_factor, or
  // NetworkTopologyStrategy's count for datacenter1 (none for other data centers).
  t->rf = 0;
  bool simple = false;
  for (auto& [key, v] : k->second->replication)
    simple = simple || (key == "class" && v.find("SimpleStrategy") != std::string::npos);
  for (auto& [key, v] : k->second->replication)
    if (key == (simple ? "replication_factor" : "datacenter1")) t->rf = std::atoi(v.c_str());
  if (t->rf < 0) t->rf = 0;
  static uint64_t next_id = 1;
  t->id = make_uuid_bytes(0x7ab1e000'0000'4000ULL | next_id, 0x8000'0000'0000'0000ULL | next_id);
  next_id++;
  k->second->tables[t->name] = t;
  bump_schema();
  return schema_change("CREATED", "TABLE", ks_name, t->name);
}

Result Store::drop(const DropStatement& d, const std::string& conn_ks) {
  std::lock_guard<std::mutex> lock(mu_);
  if (d.keyspace) {
    auto k = keyspaces_.find(d.name.name);
    if (k == keyspaces_.end()) {
      if (d.if_exists) return Result{};
      throw_invalid("Cannot drop non existing keyspace '" + d.name.name + "'.");
    }
    for (auto& [n, t] : k->second->tables) t->dropped = true;
    keyspaces_.erase(k);
    bump_schema();
    return schema_change("DROPPED", "KEYSPACE", d.name.name, "");
  }
  const std::string& ks = d.name.ks.empty() ? conn_ks : d.name.ks;
  auto k = keyspaces_.find(ks);
  if (k == keyspaces_.end() || !k->second->tables.count(d.name.name)) {
    if (d.if_exists) return Result{};
    throw_invalid("Table '" + ks + "." + d.name.name + "' doesn't exist");
  }
  k->second->tables[d.name.name]->dropped = true;
  k->second->tables.erase(d.name.name);
  bump_schema();
  return schema_change("DROPPED", "TABLE", ks, d.name.name);
}

std::shared_ptr<Prepared> Store::find_prepared(std::string_view id) {
  thread_local std::string key;  // 16-byte ids do not fit the small-string buffer
  key.assign(id);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = prepared_.find(key);
  return it == prepared_.end() ? nullptr : it->second;
}

void Store::forget_prepared() {
  std::lock_guard<std::mutex> lock(mu_);
  prepared_.clear();
}

}  // namespace cqlsrv
