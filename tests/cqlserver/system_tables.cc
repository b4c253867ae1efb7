// System tables as the DataStax drivers read them at connect time and for
// schema agreement (Cassandra 4.0 layouts; as Cassandra 3.11 with --version-max 4:
// no system.peers_v2, no system_virtual_schema, no *_port columns in system.local):
// system.local describes the node the client is connected to (its token, the
// Murmur3Partitioner, the shared schema version), system.peers / system.peers_v2
// list every other node of the ring (rpc_address / native_address 0.0.0.0 with
// --rpc-address-any, as a node listening on every interface shows up),
// system_schema.keyspaces/tables/columns describe the user schema, and the other
// system_schema and system_virtual_schema tables the drivers query are empty.
#include "system_tables.h"

#include <arpa/inet.h>

#include <algorithm>
#include <map>

#include "wire.h"

namespace cqlsrv {
namespace {

Type T(Kind k, std::vector<Type> params = {}, bool frozen = false) {
  Type t;
  t.kind = k;
  t.params = std::move(params);
  t.frozen = frozen;
  return t;
}
const Type kText = T(Kind::kText);
const Type kInet = T(Kind::kInet);
const Type kInt = T(Kind::kInt);
const Type kUuid = T(Kind::kUuid);
const Type kBool = T(Kind::kBoolean);
const Type kDouble = T(Kind::kDouble);
const Type kBlob = T(Kind::kBlob);
const Type kTextSet = T(Kind::kSet, {kText});
const Type kTextMap = T(Kind::kMap, {kText, kText}, true);

using Layout = std::vector<std::pair<const char*, Type>>;

const std::map<std::string, Layout>& layouts() {
  static const std::map<std::string, Layout> m = {
      {"system.local",
       {{"key", kText},
        {"bootstrapped", kText},
        {"broadcast_address", kInet},
        {"broadcast_port", kInt},
        {"cluster_name", kText},
        {"cql_version", kText},
        {"data_center", kText},
        {"host_id", kUuid},
        {"listen_address", kInet},
        {"listen_port", kInt},
        {"native_protocol_version", kText},
        {"partitioner", kText},
        {"rack", kText},
        {"release_version", kText},
        {"rpc_address", kInet},
        {"rpc_port", kInt},
        {"schema_version", kUuid},
        {"tokens", kTextSet}}},
      {"system.peers",
       {{"peer", kInet},
        {"data_center", kText},
        {"host_id", kUuid},
        {"preferred_ip", kInet},
        {"rack", kText},
        {"release_version", kText},
        {"rpc_address", kInet},
        {"schema_version", kUuid},
        {"tokens", kTextSet}}},
      {"system.peers_v2",
       {{"peer", kInet},
        {"peer_port", kInt},
        {"data_center", kText},
        {"host_id", kUuid},
        {"native_address", kInet},
        {"native_port", kInt},
        {"preferred_ip", kInet},
        {"preferred_port", kInt},
        {"rack", kText},
        {"release_version", kText},
        {"schema_version", kUuid},
        {"tokens", kTextSet}}},
      {"system_schema.keyspaces", {{"keyspace_name", kText}, {"durable_writes", kBool}, {"replication", kTextMap}}},
      {"system_schema.tables",
       {{"keyspace_name", kText},
        {"table_name", kText},
        {"bloom_filter_fp_chance", kDouble},
        {"caching", kTextMap},
        {"comment", kText},
        {"compaction", kTextMap},
        {"compression", kTextMap},
        {"crc_check_chance", kDouble},
        {"default_time_to_live", kInt},
        {"extensions", T(Kind::kMap, {kText, kBlob}, true)},
        {"flags", T(Kind::kSet, {kText}, true)},
        {"gc_grace_seconds", kInt},
        {"id", kUuid},
        {"max_index_interval", kInt},
        {"memtable_flush_period_in_ms", kInt},
        {"min_index_interval", kInt},
        {"speculative_retry", kText}}},
      {"system_schema.columns",
       {{"keyspace_name", kText},
        {"table_name", kText},
        {"column_name", kText},
        {"clustering_order", kText},
        {"column_name_bytes", kBlob},
        {"kind", kText},
        {"position", kInt},
        {"type", kText}}},
      {"system_schema.types", {{"keyspace_name", kText}, {"type_name", kText}}},
      {"system_schema.functions", {{"keyspace_name", kText}, {"function_name", kText}}},
      {"system_schema.aggregates", {{"keyspace_name", kText}, {"aggregate_name", kText}}},
      {"system_schema.triggers", {{"keyspace_name", kText}, {"table_name", kText}, {"trigger_name", kText}}},
      {"system_schema.indexes", {{"keyspace_name", kText}, {"table_name", kText}, {"index_name", kText}}},
      {"system_schema.views", {{"keyspace_name", kText}, {"view_name", kText}, {"base_table_name", kText}}},
      {"system_virtual_schema.keyspaces", {{"keyspace_name", kText}}},
      {"system_virtual_schema.tables", {{"keyspace_name", kText}, {"table_name", kText}}},
      {"system_virtual_schema.columns", {{"keyspace_name", kText}, {"table_name", kText}, {"column_name", kText}}},
  };
  return m;
}

std::string inet_bytes(const std::string& addr) {
  unsigned char b[4] = {127, 0, 0, 1};
  inet_pton(AF_INET, addr.c_str(), b);
  return std::string(reinterpret_cast<char*>(b), 4);
}

std::string collection(const std::vector<std::string>& items, int32_t count) {
  std::string out = be32(count);
  for (auto& i : items) out += be32(static_cast<int32_t>(i.size())) + i;
  return out;
}

std::string string_map(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::map<std::string, std::string> sorted(kv.begin(), kv.end());
  std::vector<std::string> items;
  for (auto& [k, v] : sorted) {
    items.push_back(k);
    items.push_back(v);
  }
  return collection(items, static_cast<int32_t>(sorted.size()));
}

std::string f64(double d) {
  uint64_t u;
  std::memcpy(&u, &d, 8);
  return be64(static_cast<int64_t>(u));
}

std::string host_id(int node) {
  return make_uuid_bytes(0x00000000'0000'4000ULL, 0x8000'0000'0000'0000ULL | static_cast<uint64_t>(node + 1));
}

using Named = std::map<std::string, Value>;

Row arrange(const Layout& l, Named&& vals) {
  Row r;
  for (auto& [name, type] : l) {
    auto it = vals.find(name);
    r.push_back(it == vals.end() ? Value() : std::move(it->second));
  }
  return r;
}

}  // namespace

bool SystemTables::is_system(const std::string& ks) {
  return ks == "system" || ks == "system_schema" || ks == "system_virtual_schema";
}

namespace {
// Columns Cassandra 3.11 does not have.
bool missing_in_3(const std::string& key, const std::string& col) {
  return key == "system.local" && (col == "broadcast_port" || col == "listen_port" || col == "rpc_port");
}
}  // namespace

std::vector<ColumnSpec> SystemTables::columns(const Store& st, const std::string& ks, const std::string& table) {
  const std::string key = ks + "." + table;
  auto it = layouts().find(key);
  if (st.cassandra3 && ks == "system_virtual_schema") throw_invalid("Keyspace " + ks + " does not exist");
  if (it == layouts().end() || (st.cassandra3 && key == "system.peers_v2"))
    throw_invalid("unconfigured table " + table);
  std::vector<ColumnSpec> out;
  for (auto& [name, type] : it->second)
    if (!st.cassandra3 || !missing_in_3(key, name)) out.push_back({ks, table, name, type});
  return out;
}

std::vector<Row> SystemTables::rows(Store& st, const std::string& ks, const std::string& table, int node) {
  const std::string key = ks + "." + table;
  Layout l = layouts().at(key);
  if (st.cassandra3)
    l.erase(std::remove_if(l.begin(), l.end(), [&](auto& c) { return missing_in_3(key, c.first); }), l.end());
  const std::string release = st.cassandra3 ? "3.11.16" : "4.0.11";
  std::vector<Row> out;
  std::lock_guard<std::mutex> lock(st.mu_);
  auto tokens = [&](int n) {
    std::vector<std::string> list;
    for (int64_t t : st.tokens_of(n)) list.push_back(std::to_string(t));
    std::sort(list.begin(), list.end());  // a set<text>: sorted as text
    return collection(list, static_cast<int32_t>(list.size()));
  };
  auto port_of = [&](int n) { return be32(st.port_ + (st.port_per_node ? n : 0)); };
  const std::string port = port_of(node);
  if (key == "system.local") {
    out.push_back(arrange(l, {{"key", "local"},
                              {"bootstrapped", "COMPLETED"},
                              {"broadcast_address", inet_bytes(st.address(node))},
                              {"broadcast_port", be32(7000)},
                              {"cluster_name", "airstream test cluster"},
                              {"cql_version", "3.4.5"},
                              {"data_center", "datacenter1"},
                              {"host_id", host_id(node)},
                              {"listen_address", inet_bytes(st.address(node))},
                              {"listen_port", be32(7000)},
                              {"native_protocol_version", st.cassandra3 ? "4" : "5"},
                              {"partitioner", "org.apache.cassandra.dht.Murmur3Partitioner"},
                              {"rack", "rack1"},
                              {"release_version", release},
                              {"rpc_address", inet_bytes(st.address(node))},
                              {"rpc_port", port},
                              {"schema_version", st.schema_version_},
                              {"tokens", tokens(node)}}));
  } else if (key == "system.peers" || key == "system.peers_v2") {
    for (int n = 0; n < st.nodes(); n++) {
      if (n == node || !st.joined(n)) continue;
      std::string addr = inet_bytes(st.address(n));
      std::string rpc = st.rpc_any ? std::string(4, '\0') : addr;
      out.push_back(arrange(l, {{"peer", addr},
                                {"peer_port", be32(7000)},
                                {"data_center", "datacenter1"},
                                {"host_id", host_id(n)},
                                {"native_address", rpc},
                                {"native_port", port_of(n)},
                                {"preferred_ip", addr},
                                {"preferred_port", be32(7000)},
                                {"rack", "rack1"},
                                {"release_version", release},
                                {"rpc_address", rpc},
                                {"schema_version", st.schema_version_},
                                {"tokens", tokens(n)}}));
    }
  } else if (key == "system_schema.keyspaces") {
    for (auto& [name, k] : st.keyspaces_)
      out.push_back(arrange(l, {{"keyspace_name", name},
                                {"durable_writes", std::string(1, k->durable_writes ? '\1' : '\0')},
                                {"replication", string_map(k->replication)}}));
  } else if (key == "system_schema.tables") {
    for (auto& [kname, k] : st.keyspaces_) {
      for (auto& [tname, t] : k->tables) {
        out.push_back(arrange(
            l, {{"keyspace_name", kname},
                {"table_name", tname},
                {"bloom_filter_fp_chance", f64(0.01)},
                {"caching", string_map({{"keys", "ALL"}, {"rows_per_partition", "NONE"}})},
                {"comment", ""},
                {"compaction", string_map({{"class", "org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy"},
                                           {"max_threshold", "32"},
                                           {"min_threshold", "4"}})},
                {"compression", string_map({{"chunk_length_in_kb", "16"},
                                            {"class", "org.apache.cassandra.io.compress.LZ4Compressor"}})},
                {"crc_check_chance", f64(1.0)},
                {"default_time_to_live", be32(0)},
                {"extensions", be32(0)},
                {"flags", collection({"compound"}, 1)},
                {"gc_grace_seconds", be32(864000)},
                {"id", t->id},
                {"max_index_interval", be32(2048)},
                {"memtable_flush_period_in_ms", be32(0)},
                {"min_index_interval", be32(128)},
                {"speculative_retry", "99p"}}));
      }
    }
  } else if (key == "system_schema.columns") {
    static const char* kRoles[] = {"partition_key", "clustering", "regular"};
    for (auto& [kname, k] : st.keyspaces_) {
      for (auto& [tname, t] : k->tables) {
        // Clustering order of system_schema.columns: (table_name, column_name).
        std::vector<const Column*> sorted;
        for (auto& c : t->cols) sorted.push_back(&c);
        std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->name < b->name; });
        for (const Column* cp : sorted) {
          const Column& c = *cp;
          std::string order = "none";
          if (c.role == Column::kClustering) order = t->ck_desc[static_cast<size_t>(c.position)] ? "desc" : "asc";
          out.push_back(arrange(l, {{"keyspace_name", kname},
                                    {"table_name", tname},
                                    {"column_name", c.name},
                                    {"clustering_order", order},
                                    {"column_name_bytes", c.name},
                                    {"kind", kRoles[c.role]},
                                    {"position", be32(c.position)},
                                    {"type", type_to_cql(c.type)}}));
        }
      }
    }
  }
  return out;
}

}  // namespace cqlsrv
