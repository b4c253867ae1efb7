// CQL message bodies. Requests per native_protocol_v4.spec 4.1 (STARTUP string map,
// AUTH_RESPONSE token, QUERY <query><query_parameters>, PREPARE <query>, EXECUTE
// parameters); v5 (native_protocol_v5.spec 4.1) makes the query flags an [int] and
// adds [int] flags to PREPARE. Responses per 4.2: ERROR <code><message> followed by
// the code-specific details of section 9 (v5 replaces <numfailures> with a reason
// map and adds <contentions> to CAS write timeouts); RESULT kinds per 4.2.5 (v5 adds
// <result_metadata_id> to Prepared results and the Metadata_changed rows flag).
#include "common/cql/protocol.h"

namespace airstream::cql {

const char* error_code_name(int32_t code) {
  switch (code) {
    case kErrServer:
      return "Server_error";
    case kErrProtocol:
      return "Protocol_error";
    case kErrBadCredentials:
      return "Bad_credentials";
    case kErrUnavailable:
      return "Unavailable";
    case kErrOverloaded:
      return "Overloaded";
    case kErrIsBootstrapping:
      return "Is_bootstrapping";
    case kErrTruncate:
      return "Truncate_error";
    case kErrWriteTimeout:
      return "Write_timeout";
    case kErrReadTimeout:
      return "Read_timeout";
    case kErrReadFailure:
      return "Read_failure";
    case kErrFunctionFailure:
      return "Function_failure";
    case kErrWriteFailure:
      return "Write_failure";
    case kErrCdcWriteFailure:
      return "CDC_write_failure";
    case kErrCasWriteUnknown:
      return "CAS_write_unknown";
    case kErrSyntax:
      return "Syntax_error";
    case kErrUnauthorized:
      return "Unauthorized";
    case kErrInvalid:
      return "Invalid";
    case kErrConfig:
      return "Config_error";
    case kErrAlreadyExists:
      return "Already_exists";
    case kErrUnprepared:
      return "Unprepared";
    default:
      return "Unknown_error";
  }
}

std::string CqlError::describe() const {
  std::string out = std::string(error_code_name(code)) + ": " + message;
  std::string cl = std::string("consistency ") + consistency_name(consistency);
  switch (code) {
    case kErrUnavailable:
      out += " (" + cl + ", required " + std::to_string(block_for) + ", alive " + std::to_string(alive) + ")";
      break;
    case kErrWriteTimeout:
    case kErrWriteFailure:
    case kErrCasWriteUnknown:
      out += " (" + cl + ", received " + std::to_string(received) + " of " + std::to_string(block_for);
      if (!write_type.empty()) out += ", write type " + write_type;
      if (num_failures) out += ", failures " + std::to_string(num_failures);
      out += ")";
      break;
    case kErrReadTimeout:
    case kErrReadFailure:
      out += " (" + cl + ", received " + std::to_string(received) + " of " + std::to_string(block_for) +
             (data_present ? ", data present" : "") + ")";
      break;
    case kErrAlreadyExists:
      out += " (" + keyspace + (table.empty() ? "" : "." + table) + ")";
      break;
    case kErrFunctionFailure:
      out += " (" + keyspace + "." + function + ")";
      break;
    default:
      break;
  }
  return out;
}

bool CqlError::retryable() const {
  switch (code) {
    case kErrServer:
    case kErrUnavailable:
    case kErrOverloaded:
    case kErrIsBootstrapping:
    case kErrWriteTimeout:
    case kErrReadTimeout:
    case kErrWriteFailure:
    case kErrCasWriteUnknown:
    case kErrTruncate:
      return true;
    default:
      return false;
  }
}

CqlError decode_error(std::string_view body, int version) {
  BodyReader r(body);
  CqlError e;
  e.code = r.i32();
  e.message = std::string(r.string());
  auto failures = [&] {
    if (version >= 5) {
      int32_t n = r.i32();
      e.num_failures = n;
      for (int32_t i = 0; i < n && r.ok(); i++) {
        std::string addr = r.inetaddr();
        e.reasons.emplace_back(addr, r.u16());
      }
    } else {
      e.num_failures = r.i32();
    }
  };
  switch (e.code) {
    case kErrUnavailable:
      e.consistency = r.u16();
      e.block_for = r.i32();
      e.alive = r.i32();
      break;
    case kErrWriteTimeout:
      e.consistency = r.u16();
      e.received = r.i32();
      e.block_for = r.i32();
      e.write_type = std::string(r.string());
      if (version >= 5 && e.write_type == "CAS" && r.remaining() >= 2) e.contentions = static_cast<int16_t>(r.u16());
      break;
    case kErrReadTimeout:
      e.consistency = r.u16();
      e.received = r.i32();
      e.block_for = r.i32();
      e.data_present = r.u8() != 0;
      break;
    case kErrReadFailure:
      e.consistency = r.u16();
      e.received = r.i32();
      e.block_for = r.i32();
      failures();
      e.data_present = r.u8() != 0;
      break;
    case kErrWriteFailure:
      e.consistency = r.u16();
      e.received = r.i32();
      e.block_for = r.i32();
      failures();
      e.write_type = std::string(r.string());
      break;
    case kErrCasWriteUnknown:
      e.consistency = r.u16();
      e.received = r.i32();
      e.block_for = r.i32();
      break;
    case kErrFunctionFailure:
      e.keyspace = std::string(r.string());
      e.function = std::string(r.string());
      e.arg_types = r.string_list();
      break;
    case kErrAlreadyExists:
      e.keyspace = std::string(r.string());
      e.table = std::string(r.string());
      break;
    case kErrUnprepared:
      e.unprepared_id = std::string(r.short_bytes());
      break;
    default:
      break;
  }
  if (!r.ok() && e.message.empty()) e.message = "malformed ERROR message";
  return e;
}

namespace {

bool read_metadata(BodyReader& r, int version, RowsMetadata& m, bool prepared, std::vector<uint16_t>* pk) {
  m.flags = r.i32();
  m.columns_count = r.i32();
  if (m.columns_count < 0 || m.columns_count > 65535) return false;
  if (prepared) {
    int32_t pk_count = r.i32();
    if (pk_count < 0 || pk_count > 65535) return false;
    for (int32_t i = 0; i < pk_count && r.ok(); i++) pk->push_back(r.u16());
  } else {
    if (m.flags & 0x0002) {
      auto ps = r.bytes();
      if (ps) m.paging_state = std::string(*ps);
    }
    if (version >= 5 && (m.flags & 0x0008)) m.new_metadata_id = std::string(r.short_bytes());
  }
  if (m.flags & 0x0004) return r.ok();  // No_metadata
  std::string gks, gtable;
  bool global = m.flags & 0x0001;
  if (global) {
    gks = std::string(r.string());
    gtable = std::string(r.string());
  }
  for (int32_t i = 0; i < m.columns_count && r.ok(); i++) {
    ColumnSpec c;
    if (global) {
      c.keyspace = gks;
      c.table = gtable;
    } else {
      c.keyspace = std::string(r.string());
      c.table = std::string(r.string());
    }
    c.name = std::string(r.string());
    c.type = read_type_option(r);
    m.columns.push_back(std::move(c));
  }
  return r.ok();
}

}  // namespace

int Rows::column(std::string_view name) const {
  for (size_t i = 0; i < meta.columns.size(); i++)
    if (meta.columns[i].name == name) return static_cast<int>(i);
  return -1;
}

std::string Rows::text(size_t row, std::string_view name) const {
  int c = column(name);
  if (c < 0 || row >= rows.size() || !rows[row][static_cast<size_t>(c)]) return "";
  const auto& v = *rows[row][static_cast<size_t>(c)];
  return format_value(meta.columns[static_cast<size_t>(c)].type, std::string_view(v));
}

Result<ResultMessage> decode_result(std::string_view body, int version) {
  BodyReader r(body);
  ResultMessage m;
  m.kind = r.i32();
  auto bad = [&](const char* what) { return Status(kExitSoftware, std::string("malformed RESULT (") + what + ")"); };
  switch (m.kind) {
    case kResultVoid:
      break;
    case kResultRows: {
      if (!read_metadata(r, version, m.rows.meta, false, nullptr)) return bad("rows metadata");
      int32_t n = r.i32();
      if (n < 0) return bad("row count");
      size_t cols = static_cast<size_t>(m.rows.meta.columns_count);
      // Every cell takes at least its 4-byte length: a count the body cannot hold is
      // refused before any row is made (found by fuzz_cql_frame: 0 columns and 2^31
      // rows kept the client busy allocating empty rows).
      if (cols == 0 ? n > 0 : static_cast<size_t>(n) > r.remaining() / (4 * cols)) return bad("row count");
      for (int32_t i = 0; i < n && r.ok(); i++) {
        std::vector<std::optional<std::string>> row;
        row.reserve(cols);
        for (size_t c = 0; c < cols && r.ok(); c++) {
          auto v = r.bytes();
          row.emplace_back(v ? std::optional<std::string>(std::string(*v)) : std::nullopt);
        }
        m.rows.rows.push_back(std::move(row));
      }
      if (!r.ok()) return bad("rows");
      break;
    }
    case kResultSetKeyspace:
      m.keyspace = std::string(r.string());
      break;
    case kResultPrepared: {
      m.prepared.id = std::string(r.short_bytes());
      if (version >= 5) m.prepared.result_metadata_id = std::string(r.short_bytes());
      RowsMetadata bind;
      if (!read_metadata(r, version, bind, true, &m.prepared.pk_indexes)) return bad("prepared metadata");
      m.prepared.bind = std::move(bind.columns);
      if (!read_metadata(r, version, m.prepared.result, false, nullptr)) return bad("prepared result metadata");
      break;
    }
    case kResultSchemaChange:
      m.schema_change.change_type = std::string(r.string());
      m.schema_change.target = std::string(r.string());
      m.schema_change.keyspace = std::string(r.string());
      if (m.schema_change.target != "KEYSPACE") m.schema_change.name = std::string(r.string());
      break;
    default:
      return bad("unknown kind");
  }
  if (!r.ok()) return bad("truncated");
  return m;
}

std::string startup_body(bool lz4) {
  std::vector<std::pair<std::string, std::string>> opts = {{"CQL_VERSION", "3.0.0"}, {"DRIVER_NAME", "airstream"}};
  if (lz4) opts.emplace_back("COMPRESSION", "lz4");
  std::string out;
  put_string_map(out, opts);
  return out;
}

std::string auth_response_plain(std::string_view user, std::string_view password) {
  std::string token;
  token.push_back('\0');
  token.append(user);
  token.push_back('\0');
  token.append(password);
  std::string out;
  put_bytes(out, token);
  return out;
}

void put_query_params(std::string& out, int version, uint16_t consistency, uint32_t flags, uint16_t n_values,
                      std::string_view values) {
  put_u16(out, consistency);
  if (version >= 5)
    put_u32(out, flags);
  else
    put_u8(out, static_cast<uint8_t>(flags));
  if (flags & kQValues) {
    put_u16(out, n_values);
    out.append(values);
  }
}

std::string query_body(int version, std::string_view cql, uint16_t consistency, int32_t page_size,
                       std::optional<std::string_view> paging_state) {
  std::string out;
  put_long_string(out, cql);
  uint32_t flags = 0;
  if (page_size > 0) flags |= kQPageSize;
  if (paging_state) flags |= kQPagingState;
  put_query_params(out, version, consistency, flags, 0, {});
  if (page_size > 0) put_i32(out, page_size);
  if (paging_state) put_bytes(out, *paging_state);
  return out;
}

std::string prepare_body(int version, std::string_view cql) {
  std::string out;
  put_long_string(out, cql);
  if (version >= 5) put_u32(out, 0);
  return out;
}

bool merge_page(std::optional<ResultMessage>& all, ResultMessage page, std::optional<std::string>& next) {
  next = page.rows.meta.paging_state;
  if (!all) {
    all = std::move(page);
  } else {
    for (auto& row : page.rows.rows) all->rows.rows.push_back(std::move(row));
  }
  return all->kind == kResultRows && next.has_value();
}

}  // namespace airstream::cql
