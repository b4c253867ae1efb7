// Target table handling for cqlwrite: --create (keyspace with --replication, table
// from --schema or the built-in created_users layout, then schema agreement), reading
// the table's columns from system_schema.columns, and the column mapping: each column
// bound from the JSON field of the same name unless --map COL=FIELD (a dotted path)
// says otherwise, with the prepared INSERT (USING TTL when --ttl) whose metadata
// gives bind types and the partition key.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/cql/session.h"
#include "options.h"

namespace airstream::cqlwrite {

// The original pipeline's table (spark_streams.created_users) plus dob.
inline constexpr const char* kCreatedUsersSchema =
    "id uuid PRIMARY KEY, first_name text, last_name text, gender text, address text, post_code text, "
    "email text, username text, registered_date text, phone text, picture text, dob text";

struct Column {
  std::string name;
  std::string kind;  // partition_key, clustering, regular, static
  int position = 0;
  cql::Type type;
};

// Unquoted identifiers are case-insensitive in CQL: lower-cased; others quoted.
std::string normalize_name(const std::string& name);
std::string quote_ident(const std::string& name);

Status create_schema(cql::Session& session, const Options& o, int agreement_timeout_ms);
Result<std::vector<Column>> read_columns(cql::Session& session, const std::string& keyspace, const std::string& table);

struct Mapping {
  std::shared_ptr<cql::PreparedStatement> stmt;
  std::vector<std::string> columns;               // bind index -> column
  std::vector<cql::Type> types;                   // bind index -> type
  std::vector<int> partition_key;                 // bind indexes, in partition key order
  std::vector<int> clustering;                    // bind indexes of the clustering columns
  std::unordered_map<std::string, int> by_field;  // JSON field -> bind index
  std::vector<bool> mapped;                       // bind index -> fed by --map (a record must have it)
};

// Parses --map entries and prepares the INSERT. Unknown columns in --map, or two
// columns fed by one field: exit 64.
Result<Mapping> build_mapping(cql::Session& session, const Options& o, const std::vector<Column>& columns);

}  // namespace airstream::cqlwrite
