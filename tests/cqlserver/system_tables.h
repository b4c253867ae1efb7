// The virtual system tables drivers read: system.local, system.peers,
// system.peers_v2 and system_schema.* (plus empty system_virtual_schema.*).
#pragma once

#include <string>
#include <vector>

#include "store.h"

namespace cqlsrv {

class SystemTables {
 public:
  static bool is_system(const std::string& ks);
  // Throws Invalid for a table that does not exist (in the emulated version).
  static std::vector<ColumnSpec> columns(const Store& store, const std::string& ks, const std::string& table);
  // The rows as seen by node `node` (system.local describes that node).
  static std::vector<Row> rows(Store& store, const std::string& ks, const std::string& table, int node);
};

}  // namespace cqlsrv
