// In-memory keyspaces, tables, rows and prepared statements shared by every node
// of the test server, and the execution of parsed statements against them.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ast.h"

namespace cqlsrv {

using Value = std::optional<std::string>;  // nullopt = null
// Write timestamps are microseconds; a cell never written has none.
inline constexpr int64_t kNoTimestamp = INT64_MIN;
// The server's clock in microseconds, strictly increasing across calls.
int64_t server_timestamp_us();
using Row = std::vector<Value>;  // one value per table column

struct Column {
  std::string name;
  Type type;
  enum Role { kPartition, kClustering, kRegular } role = kRegular;
  int position = -1;  // index within the partition or clustering key
};

struct Table {
  std::string ks, name, id;  // id: 16 uuid bytes
  std::vector<Column> cols;
  std::vector<int> pk, ck;
  std::vector<bool> ck_desc;
  int rf = 1;  // replication factor of its keyspace in datacenter1
  std::atomic<bool> dropped{false};
  int index(std::string_view col) const;

  std::mutex mu;
  // partition key -> clustering key -> row packed as [bytes] per column (see pack_row)
  std::unordered_map<std::string, std::map<std::string, std::string>> data;
};

struct Keyspace {
  std::string name;
  std::vector<std::pair<std::string, std::string>> replication;
  bool durable_writes = true;
  std::map<std::string, std::shared_ptr<Table>> tables;
};

struct ColumnSpec {
  std::string ks, table, name;
  Type type;
};

struct ResultSet {
  std::vector<ColumnSpec> cols;
  std::vector<Row> rows;
  std::string paging_state;  // non-empty: more pages
};

struct Result {
  enum Kind { kVoid, kRows, kSetKeyspace, kSchemaChange } kind = kVoid;
  ResultSet rows;
  std::string keyspace;                                // kSetKeyspace
  std::string change, target, change_ks, change_name;  // kSchemaChange
};

// A value bound to a marker: len -1 null, -2 unset, else data.
struct Bound {
  int32_t len = -1;
  std::string_view data;
};

struct Prepared {
  std::string id;           // 16 bytes
  std::string metadata_id;  // 16 bytes (v5 result_metadata_id)
  std::string keyspace;     // the connection's keyspace at PREPARE time
  Parsed parsed;
  std::vector<ColumnSpec> bind;  // one per marker
  std::vector<uint16_t> pk_indices;
  std::vector<ColumnSpec> result_cols;
  bool is_write = false;
};

// One INSERT/UPDATE/DELETE, validated and ready to apply.
struct Mutation {
  enum Op { kUpsert, kDeleteRow, kDeletePartition, kDeleteColumns } op = kUpsert;
  std::shared_ptr<Table> table;
  std::string pk, ck;
  Row row;
  std::vector<char> set;  // 1 for columns the statement sets (unset values stay 0) or deletes
  size_t bytes = 0;
  int64_t token = 0;
  int64_t ts = 0;  // write timestamp (microseconds) of every cell it writes or deletes
  bool if_not_exists = false;
};

struct NodeStats {
  std::atomic<uint64_t> requests{0}, rows_written{0}, rows_not_replica{0};
  // Errors the node answered: injected by fault commands, and Unavailable because
  // replicas of a row were down.
  std::atomic<uint64_t> faults{0}, unavailable{0};
};

// Per-request context: the node answering, the connection's keyspace and the
// request's bound values and paging.
struct ExecContext {
  int node = 0;
  std::string* keyspace = nullptr;
  const std::vector<Bound>* values = nullptr;
  int32_t page_size = -1;
  std::string_view paging_state;
  int64_t default_ts = kNoTimestamp;  // the request's default timestamp (flag 0x20)
  uint16_t consistency = 1;           // of the request (ONE by default)
};

class Store {
 public:
  // `nodes` nodes in the ring, each with `vnodes` tokens; addresses may list more
  // (nodes that join later with join()).
  Store(int nodes, int vnodes, std::vector<std::string> addresses, int port);

  Result execute(const Parsed& p, ExecContext& ctx);
  std::shared_ptr<Prepared> prepare(const std::string& query, const std::string& keyspace);
  std::shared_ptr<Prepared> find_prepared(std::string_view id);
  void forget_prepared();
  // Rejects a batch whose values exceed the 50 KiB batch_size_fail_threshold.
  static void check_batch_size(size_t bytes);
  Mutation build_insert(const InsertStatement& s, ExecContext& ctx);
  Mutation build_delete(const DeleteStatement& s, ExecContext& ctx);
  // The mutation of a write statement (INSERT, UPDATE, DELETE); Invalid for others.
  Mutation build_write(const Parsed& p, ExecContext& ctx);
  Result apply(Mutation& m, int node);
  // Throws Unavailable (0x1000) when fewer replicas of the mutation's token are up
  // than its consistency level needs (the coordinator's check before a write).
  void check_available(const Mutation& m, uint16_t consistency, int node);
  // The first `rf` distinct nodes of the ring from the token's owner on
  // (SimpleStrategy, one data center).
  std::vector<int> replicas(int64_t token, int rf) const;
  bool is_replica(int64_t token, int rf, int node) const {
    auto r = replicas(token, rf);
    return std::find(r.begin(), r.end(), node) != r.end();
  }
  void set_alive(int node, bool up) { alive_[static_cast<size_t>(node)] = up; }
  bool alive(int node) const { return alive_[static_cast<size_t>(node)]; }

  // Emulation switches (set once before serving).
  bool cassandra3 = false;     // Cassandra 3.11: system.peers only, 3.11 layouts
  bool rpc_any = false;        // peers list rpc_address 0.0.0.0
  bool port_per_node = false;  // node I's native port is port + I - 1

  NodeStats& stats(int node) { return *stats_[static_cast<size_t>(node)]; }
  uint64_t rows_written() const {  // by all nodes
    uint64_t n = 0;
    for (const auto& s : stats_) n += s->rows_written.load(std::memory_order_relaxed);
    return n;
  }
  int nodes() const { return static_cast<int>(addresses_.size()); }  // joined or not
  bool joined(int node) const;
  // Adds a node to the ring: it takes `vnodes` tokens, each in the middle of a range.
  void join(int node);
  std::vector<int64_t> tokens_of(int node) const;
  // The node owning a token: the first node whose token is >= it (wrapping).
  int owner(int64_t token) const;
  const std::string& address(int node) const { return addresses_[static_cast<size_t>(node)]; }

 private:
  friend class SystemTables;
  std::shared_ptr<Table> table(const QualifiedName& q, const std::string& conn_ks);
  Result create_keyspace(const CreateKeyspace& c);
  Result create_table(const CreateTable& c, const std::string& conn_ks);
  Result drop(const DropStatement& d, const std::string& conn_ks);
  Result select(const SelectStatement& s, ExecContext& ctx);
  Mutation start_mutation(const QualifiedName& q, ExecContext& ctx);
  std::vector<ColumnSpec> table_specs(const SelectStatement& s, const std::string& conn_ks, bool& is_system);
  void bump_schema();

  std::vector<std::string> addresses_;
  int port_;
  int vnodes_;
  mutable std::mutex ring_mu_;
  std::vector<std::pair<int64_t, int>> ring_;  // sorted (token, node)
  std::vector<char> joined_;
  std::unique_ptr<std::atomic<bool>[]> alive_;
  std::vector<std::unique_ptr<NodeStats>> stats_;

  std::mutex mu_;  // schema and prepared statements
  std::map<std::string, std::unique_ptr<Keyspace>> keyspaces_;
  std::string schema_version_;
  std::unordered_map<std::string, std::shared_ptr<Prepared>> prepared_;
};

// Resolves a term to bytes: a bind marker takes ctx.values, a literal is converted.
// Returns false for unset.
bool resolve_term(const Term& t, const Type& type, std::string_view col, const ExecContext& ctx, Value& out);

// Rows are stored packed, one allocation: per column its write timestamp [long]
// then [int len][bytes] (len -1: null, a tombstone when it has a timestamp).
std::string pack_row(const Row& row, const std::vector<int64_t>& ts);
Row unpack_row(std::string_view packed, size_t columns, std::vector<int64_t>* ts = nullptr);

// Applies the select list, count(*), LIMIT and paging to the matching rows.
ResultSet shape_result(const SelectStatement& s, const std::vector<ColumnSpec>& cols,
                       const std::vector<const Row*>& rows, const ExecContext& ctx);
// The result columns of a SELECT over a table with columns `cols`.
std::vector<ColumnSpec> select_columns(const SelectStatement& s, const std::vector<ColumnSpec>& cols);

std::string make_uuid_bytes(uint64_t hi, uint64_t lo);
std::string uuid_text(std::string_view bytes);

}  // namespace cqlsrv
