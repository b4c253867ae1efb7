// CQL native protocol messages (native_protocol_v4.spec section 4, v5 section 4):
// request bodies (STARTUP, AUTH_RESPONSE, QUERY, PREPARE, EXECUTE parameters,
// BATCH) for protocol v4 and v5, and decoding of responses: ERROR with the details of
// every error code (section 9), RESULT of every kind (Void, Rows, Set_keyspace,
// Prepared, Schema_change), SUPPORTED and AUTHENTICATE.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/cql/types.h"
#include "common/cql/wire.h"
#include "common/status.h"

namespace airstream::cql {

enum ErrorCode : int32_t {
  kErrServer = 0x0000,
  kErrProtocol = 0x000A,
  kErrBadCredentials = 0x0100,
  kErrUnavailable = 0x1000,
  kErrOverloaded = 0x1001,
  kErrIsBootstrapping = 0x1002,
  kErrTruncate = 0x1003,
  kErrWriteTimeout = 0x1100,
  kErrReadTimeout = 0x1200,
  kErrReadFailure = 0x1300,
  kErrFunctionFailure = 0x1400,
  kErrWriteFailure = 0x1500,
  kErrCdcWriteFailure = 0x1600,
  kErrCasWriteUnknown = 0x1700,
  kErrSyntax = 0x2000,
  kErrUnauthorized = 0x2100,
  kErrInvalid = 0x2200,
  kErrConfig = 0x2300,
  kErrAlreadyExists = 0x2400,
  kErrUnprepared = 0x2500,
};

// A decoded ERROR message.
struct CqlError {
  int32_t code = 0;
  std::string message;
  // Details (which ones are set depends on the code).
  uint16_t consistency = 0;
  int32_t received = 0, block_for = 0, alive = 0, num_failures = 0;
  std::string write_type;
  bool data_present = false;
  int16_t contentions = 0;
  std::vector<std::pair<std::string, uint16_t>> reasons;  // v5 failure reason map
  std::string keyspace, table, function;                  // Already_exists / Function_failure
  std::vector<std::string> arg_types;
  std::string unprepared_id;

  // "Write_timeout: <message> (consistency LOCAL_QUORUM, received 0 of 1, write type SIMPLE)"
  std::string describe() const;
  // Timeouts, Overloaded, Unavailable, Is_bootstrapping, Server errors: an idempotent
  // write may be retried.
  bool retryable() const;
};
const char* error_code_name(int32_t code);
CqlError decode_error(std::string_view body, int version);

struct ColumnSpec {
  std::string keyspace, table, name;
  Type type;
};

struct RowsMetadata {
  int32_t flags = 0;
  int32_t columns_count = 0;
  std::optional<std::string> paging_state;
  std::string new_metadata_id;  // v5 Metadata_changed
  std::vector<ColumnSpec> columns;
};

struct Rows {
  RowsMetadata meta;
  std::vector<std::vector<std::optional<std::string>>> rows;
  int column(std::string_view name) const;  // -1 if absent
  // Cell as text (format_value), "" for absent column / null.
  std::string text(size_t row, std::string_view column) const;
};

struct Prepared {
  std::string id;
  std::string result_metadata_id;  // v5
  std::vector<ColumnSpec> bind;    // bind variables in order
  std::vector<uint16_t> pk_indexes;
  RowsMetadata result;
};

struct SchemaChange {
  std::string change_type, target, keyspace, name;
};

enum ResultKind : int32_t {
  kResultVoid = 1,
  kResultRows = 2,
  kResultSetKeyspace = 3,
  kResultPrepared = 4,
  kResultSchemaChange = 5
};

struct ResultMessage {
  int32_t kind = 0;
  Rows rows;
  std::string keyspace;
  Prepared prepared;
  SchemaChange schema_change;
};
Result<ResultMessage> decode_result(std::string_view body, int version);

// Paging of queries the client reads whole (system tables): rows per page, and a
// bound on the number of pages.
inline constexpr int32_t kSystemPageSize = 5000;
inline constexpr int kMaxPages = 100000;
// Adds one page of a result to `all` (the first page becomes it) and sets `next`
// to its paging state; true when another page should be asked for.
bool merge_page(std::optional<ResultMessage>& all, ResultMessage page, std::optional<std::string>& next);

// ---- request bodies ----
std::string startup_body(bool lz4);
std::string auth_response_plain(std::string_view user, std::string_view password);
// QUERY with no bound values; page_size > 0 asks for paging.
std::string query_body(int version, std::string_view cql, uint16_t consistency, int32_t page_size = 0,
                       std::optional<std::string_view> paging_state = std::nullopt);
std::string prepare_body(int version, std::string_view cql);

// Query flags (QUERY/EXECUTE parameters).
enum QueryFlags : uint32_t {
  kQValues = 0x01,
  kQSkipMetadata = 0x02,
  kQPageSize = 0x04,
  kQPagingState = 0x08,
  kQSerialConsistency = 0x10,
  kQDefaultTimestamp = 0x20,
  kQNames = 0x40,
};
// <consistency><flags>[<n><values>] : flags is a [byte] in v4 and an [int] in v5.
void put_query_params(std::string& out, int version, uint16_t consistency, uint32_t flags, uint16_t n_values,
                      std::string_view values);

}  // namespace airstream::cql
