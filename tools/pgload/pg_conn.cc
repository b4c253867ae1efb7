// libpq wrapper (PostgreSQL docs, "libpq - C Library": 34.1 connection functions,
// 34.3 command execution, 34.10 COPY functions). Error messages are built from the
// diagnostic fields (primary message, detail, the column named in a COPY context)
// so that a reject reason reads like "invalid input syntax for type uuid: "x"
// (column id)". SQLSTATE classes follow Appendix A of the PostgreSQL docs.
#include "pg_conn.h"

#include <cstring>

namespace airstream::pgload {
namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// "COPY t, line 3, column id: "x"" -> "id".
std::string copy_context_column(const char* context) {
  if (context == nullptr || strncmp(context, "COPY ", 5) != 0) return {};
  const char* col = strstr(context, ", column ");
  if (col == nullptr) return {};
  col += 9;
  const char* end = strstr(col, ": ");
  const char* nl = strchr(col, '\n');
  if (end == nullptr || (nl != nullptr && nl < end)) end = nl != nullptr ? nl : col + strlen(col);
  return std::string(col, static_cast<size_t>(end - col));
}

std::string describe(const PGresult* res, PGconn* conn) {
  const char* primary = res != nullptr ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  if (primary == nullptr) {
    std::string m = trim(res != nullptr ? PQresultErrorMessage(res) : "");
    if (m.empty()) m = trim(PQerrorMessage(conn));
    return m.empty() ? "unknown error" : m;
  }
  std::string msg = primary;
  const char* detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
  if (detail != nullptr) msg += std::string(" (") + detail + ")";
  std::string column = copy_context_column(PQresultErrorField(res, PG_DIAG_CONTEXT));
  if (column.empty() && PQresultErrorField(res, PG_DIAG_COLUMN_NAME) != nullptr)
    column = PQresultErrorField(res, PG_DIAG_COLUMN_NAME);
  if (!column.empty()) msg += " (column " + column + ")";
  return msg;
}

}  // namespace

int classify_sqlstate(std::string_view s, bool connection_bad) {
  if (connection_bad) return kExitTempFail;
  if (s.size() != 5) return kExitUnavailable;
  std::string_view cls = s.substr(0, 2);
  if (cls == "22" || cls == "23" || cls == "54") return kExitRejected;
  if (cls == "08" || cls == "53" || cls == "40" || s == "57P01" || s == "57P02" || s == "57P03" || s == "55P03")
    return kExitTempFail;
  if (cls == "42" || cls == "3F" || cls == "28") return kExitConfig;
  return kExitUnavailable;
}

PgConn::~PgConn() {
  if (conn_ != nullptr) PQfinish(conn_);
}

Status PgConn::connect(const std::string& conninfo) {
  const char* keys[] = {"dbname", "fallback_application_name", nullptr};
  const char* values[] = {conninfo.c_str(), "pgload", nullptr};
  conn_ = PQconnectdbParams(keys, values, 1);
  if (conn_ == nullptr) return Status(kExitSoftware, "out of memory creating a connection");
  if (PQstatus(conn_) != CONNECTION_OK)
    return Status(kExitUnavailable, "cannot connect to PostgreSQL: " + trim(PQerrorMessage(conn_)));
  if (PQsetClientEncoding(conn_, "UTF8") != 0)
    return Status(kExitUnavailable, "cannot set client encoding UTF8: " + trim(PQerrorMessage(conn_)));
  return Status::Ok();
}

Status PgConn::conn_error(const char* what) {
  last_error_sqlstate_.clear();
  bool bad = PQstatus(conn_) != CONNECTION_OK;
  std::string msg = trim(PQerrorMessage(conn_));
  if (bad) return Status(kExitTempFail, std::string("connection to server lost during ") + what + ": " + msg);
  return Status(kExitUnavailable, std::string(what) + ": " + msg);
}

Status PgConn::result_status(PGresult* res, ExecStatusType want, const char* what) {
  if (res != nullptr && PQresultStatus(res) == want) return Status::Ok();
  const char* state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  last_error_sqlstate_ = state != nullptr ? state : "";
  bool bad = PQstatus(conn_) != CONNECTION_OK;
  int code = classify_sqlstate(state != nullptr ? state : "", bad);
  // libpq's own errors carry no SQLSTATE; without one, a healthy connection means a
  // protocol-level problem, not bad data.
  std::string msg = describe(res, conn_);
  if (code == kExitTempFail && (bad || (state != nullptr && strncmp(state, "08", 2) == 0) ||
                                (state != nullptr && strncmp(state, "57P0", 4) == 0)))
    msg = std::string("connection to server lost during ") + what + ": " + msg;
  return Status(code, msg);
}

Status PgConn::exec(const std::string& sql) {
  PgResultPtr res(PQexec(conn_, sql.c_str()));
  ExecStatusType st = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::Ok();
  std::string verb = sql.substr(0, sql.find(' '));
  return result_status(res.get(), PGRES_COMMAND_OK, verb.c_str());
}

Result<PgResultPtr> PgConn::query(const std::string& sql, const std::vector<std::string>& params) {
  std::vector<const char*> values;
  for (const auto& p : params) values.push_back(p.c_str());
  PgResultPtr res(
      PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0));
  Status st = result_status(res.get(), PGRES_TUPLES_OK, "query");
  if (!st.ok()) return st;
  return res;
}

Status PgConn::copy_begin(const std::string& sql) {
  PgResultPtr res(PQexec(conn_, sql.c_str()));
  return result_status(res.get(), PGRES_COPY_IN, "COPY");
}

Status PgConn::copy_put(std::string_view data) {
  while (!data.empty()) {
    // PQputCopyData takes an int length: send huge buffers in pieces.
    size_t n = std::min<size_t>(data.size(), 1u << 30);
    if (PQputCopyData(conn_, data.data(), static_cast<int>(n)) != 1) return conn_error("COPY");
    data.remove_prefix(n);
  }
  return Status::Ok();
}

Status PgConn::copy_end() {
  if (PQputCopyEnd(conn_, nullptr) != 1) return conn_error("COPY");
  Status first;
  // Drain every result; the first non-success one is the COPY's outcome.
  while (PGresult* r = PQgetResult(conn_)) {
    PgResultPtr res(r);
    if (first.ok()) first = result_status(r, PGRES_COMMAND_OK, "COPY");
  }
  if (first.ok() && PQstatus(conn_) != CONNECTION_OK) return conn_error("COPY");
  return first;
}

void PgConn::copy_abort() {
  PQputCopyEnd(conn_, "pgload: aborted");
  while (PGresult* r = PQgetResult(conn_)) PQclear(r);
}

std::string PgConn::server_version() {
  int v = PQserverVersion(conn_);
  return std::to_string(v / 10000) + "." + std::to_string(v % 10000);
}

}  // namespace airstream::pgload
