// A thin libpq connection wrapper for pgload: connect with a conninfo string or URI
// (empty: PG* environment variables and ~/.pgpass, as libpq does), run statements,
// stream COPY data, and classify server errors into what the loader does next:
// a row's data was refused (isolate and reject it), the connection is gone (exit 75),
// or anything else (stop with a clear message).
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace airstream::pgload {

// Exit codes a PgConn call returns: kExitRejected (1) means the server refused the data
// of the current transaction (SQLSTATE class 22 data exception, 23 integrity
// constraint, 54 program limit): bisect. kExitTempFail (75): connection lost or a
// transient server condition. Others: fatal (78 for schema/permission errors, 69 else).
int classify_sqlstate(std::string_view sqlstate, bool connection_bad);

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResultPtr = std::unique_ptr<PGresult, PgResultDeleter>;

class PgConn {
 public:
  PgConn() = default;
  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  // Connects (exit 69 when the server cannot be reached or refuses us).
  Status connect(const std::string& conninfo);
  PGconn* raw() { return conn_; }
  bool connected() const { return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK; }

  // Runs SQL without results worth keeping.
  Status exec(const std::string& sql);
  // Runs a parameterized query returning rows (text format).
  Result<PgResultPtr> query(const std::string& sql, const std::vector<std::string>& params);

  // COPY ... FROM STDIN: begin, send data (any chunking), end (waits for the result).
  Status copy_begin(const std::string& sql);
  Status copy_put(std::string_view data);
  Status copy_end();
  // Ends COPY with an error (the transaction is aborted); used when giving up.
  void copy_abort();

  // The last statement failed with a deadlock or a serialization failure (SQLSTATE
  // 40P01, 40001): another transaction was in the way; running it again may succeed.
  bool conflicted() const { return last_error_sqlstate_ == "40P01" || last_error_sqlstate_ == "40001"; }

  // "15.18": for -v.
  std::string server_version();

 private:
  Status result_status(PGresult* res, ExecStatusType want, const char* what);
  Status conn_error(const char* what);

  PGconn* conn_ = nullptr;
  std::string last_error_sqlstate_;  // of the last failed call
};

}  // namespace airstream::pgload
