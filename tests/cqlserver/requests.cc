// Request messages of a test-server connection (native_protocol_v4.spec and
// v5.spec section 4): STARTUP (CQL_VERSION, COMPRESSION=lz4), AUTH_RESPONSE
// (SASL PLAIN for PasswordAuthenticator), OPTIONS/SUPPORTED, REGISTER, QUERY,
// PREPARE, EXECUTE and BATCH, with their RESULT kinds (void, rows, set_keyspace,
// prepared, schema_change) and ERROR bodies (section 9). Injected write faults
// (Overloaded, WriteTimeout, Unavailable, IsBootstrapping) apply to requests
// that write: INSERT, UPDATE or DELETE by QUERY or EXECUTE, and every BATCH; so
// does the gate (each write answered late once enough rows were written).
#include <chrono>
#include <cstdio>
#include <thread>

#include "connection.h"

namespace cqlsrv {
namespace {

enum Opcode : uint8_t {
  kError = 0x00,
  kStartup = 0x01,
  kReady = 0x02,
  kAuthenticate = 0x03,
  kOptions = 0x05,
  kSupported = 0x06,
  kQuery = 0x07,
  kResult = 0x08,
  kPrepare = 0x09,
  kExecute = 0x0A,
  kRegister = 0x0B,
  kBatch = 0x0D,
  kAuthResponse = 0x0F,
  kAuthSuccess = 0x10,
};

std::string hex(std::string_view s) {
  std::string out;
  char b[3];
  for (unsigned char c : s) {
    std::snprintf(b, sizeof b, "%02x", c);
    out += b;
  }
  return out;
}

void write_specs(Writer& w, const std::vector<ColumnSpec>& cols, bool global) {
  if (global) {
    w.string(cols[0].ks);
    w.string(cols[0].table);
  }
  for (auto& c : cols) {
    if (!global) {
      w.string(c.ks);
      w.string(c.table);
    }
    w.string(c.name);
    write_type_option(w, c.type);
  }
}

bool same_table(const std::vector<ColumnSpec>& cols) {
  for (auto& c : cols)
    if (c.ks != cols[0].ks || c.table != cols[0].table) return false;
  return !cols.empty();
}

}  // namespace

void Connection::send_error(int16_t stream, const CqlError& e) {
  Writer w;
  w.i32(e.code);
  w.string(e.message);
  w.raw(e.extra);
  emit(kError, stream, std::move(w.buf()));
}

void Connection::handle(uint8_t version, uint8_t flags, int16_t stream, uint8_t opcode, std::string_view body) {
  store_.stats(node_).requests.fetch_add(1, std::memory_order_relaxed);
  try {
    if (version_ != 0 && version != version_)
      throw_protocol("Invalid message version. Got " + std::to_string(version) +
                     " but previous messages on this connection had version " + std::to_string(version_));
    if (version_ == 0) version_ = version;
    std::string plain;
    if (flags & 0x01) {
      if (!compress_ || segments_) throw_protocol("Unexpected compressed frame");
      if (body.size() < 4 || load_be32(body.data()) > (256u << 20)) throw_protocol("invalid compressed frame");
      if (!lz4_decompress(body.substr(4), load_be32(body.data()), plain)) throw_protocol("invalid LZ4 frame body");
      body = plain;
    }
    Reader r(body);
    if (flags & 0x04) {  // custom payload: [bytes map], ignored
      uint16_t n = r.u16();
      for (uint16_t i = 0; i < n; i++) {
        r.string();
        std::string_view v;
        r.value(v);
      }
    }
    dispatch(stream, opcode, r);
  } catch (const CqlError& e) {
    send_error(stream, e);
  } catch (const std::exception& e) {
    send_error(stream, {kServerError, e.what(), {}});
  }
}

void Connection::dispatch(int16_t stream, uint8_t opcode, Reader& r) {
  if (opcode == kOptions) {
    Writer w;
    w.u16(3);
    w.string("COMPRESSION");
    w.string_list({"lz4"});
    w.string("CQL_VERSION");
    w.string_list({"3.4.5"});
    w.string("PROTOCOL_VERSIONS");
    w.string_list(server_.options().cassandra3() ? std::vector<std::string>{"4/v4", "5/v5-beta"}
                                                 : std::vector<std::string>{"4/v4", "5/v5"});
    emit(kSupported, stream, std::move(w.buf()));
    return;
  }
  if (opcode == kStartup) return on_startup(stream, r);
  if (opcode == kAuthResponse) return on_auth_response(stream, r);
  if (!ready_)
    throw_protocol(awaiting_auth_ ? "Unexpected message, expecting SASL_RESPONSE"
                                  : "Unexpected message " + std::to_string(opcode) + ", expecting STARTUP or OPTIONS");
  switch (opcode) {
    case kRegister: {  // [string list] of event types: TOPOLOGY_CHANGE, STATUS_CHANGE, SCHEMA_CHANGE
      uint16_t n = r.u16();
      std::vector<std::string> types;
      for (uint16_t i = 0; i < n; i++) {
        std::string t(r.string());
        if (t != "TOPOLOGY_CHANGE" && t != "STATUS_CHANGE" && t != "SCHEMA_CHANGE")
          throw_protocol("Invalid value '" + t + "' for Event.Type");
        types.push_back(std::move(t));
      }
      {
        std::lock_guard<std::mutex> lock(push_mu_);
        registered_ = std::move(types);
      }
      emit(kReady, stream, {});
      return;
    }
    case kQuery:
      return on_query(stream, r);
    case kPrepare:
      return on_prepare(stream, r);
    case kExecute:
      return on_execute(stream, r);
    case kBatch:
      return on_batch(stream, r);
    default:
      throw_protocol("Unknown opcode " + std::to_string(opcode));
  }
}

void Connection::on_startup(int16_t stream, Reader& r) {
  if (ready_ || awaiting_auth_) throw_protocol("Unexpected message STARTUP, the connection is already initialized");
  std::vector<std::pair<std::string, std::string>> opts;
  r.string_map(opts);
  bool have_cql = false, lz4 = false;
  for (auto& [k, v] : opts) {
    if (k == "CQL_VERSION") {
      if (v.rfind("3.", 0) != 0) throw_protocol("Unsupported CQL version " + v);
      have_cql = true;
    } else if (k == "COMPRESSION") {
      if (v != "lz4") throw_protocol("Unknown compression algorithm: " + v);
      lz4 = true;
    }
  }
  if (!have_cql) throw_protocol("Missing value CQL_VERSION in STARTUP message");
  compress_ = lz4;  // on v4 the answer below is already compressed
  if (server_.options().auth) {
    Writer w;
    w.string("org.apache.cassandra.auth.PasswordAuthenticator");
    emit(kAuthenticate, stream, std::move(w.buf()));
    awaiting_auth_ = true;
  } else {
    emit(kReady, stream, {});
    ready_ = true;
  }
  if (version_ >= 5) segments_ = true;
}

void Connection::on_auth_response(int16_t stream, Reader& r) {
  if (!awaiting_auth_) throw_protocol("Unexpected message AUTH_RESPONSE");
  std::string_view token;
  if (r.value(token) < 0) token = {};
  // SASL PLAIN: [authzid] NUL authcid NUL password
  size_t a = token.find('\0');
  size_t b = a == std::string_view::npos ? a : token.find('\0', a + 1);
  std::string user, pass;
  if (b != std::string_view::npos) {
    user = std::string(token.substr(a + 1, b - a - 1));
    pass = std::string(token.substr(b + 1));
  }
  if (user != server_.options().user || pass != server_.options().password)
    throw CqlError{kBadCredentials, "Provided username " + user + " and/or password are incorrect", {}};
  awaiting_auth_ = false;
  ready_ = true;
  Writer w;
  w.null_bytes();
  emit(kAuthSuccess, stream, std::move(w.buf()));
}

// [long] default timestamp of QUERY/EXECUTE/BATCH (flag 0x20), microseconds.
static int64_t default_timestamp(Reader& r) {
  int64_t ts = r.i64();
  if (ts == kNoTimestamp)
    throw_protocol("Out of bound timestamp, must be in [-9223372036854775807, 9223372036854775807]");
  return ts;
}

QueryParams Connection::read_params(Reader& r) {
  QueryParams q;
  q.consistency = r.u16();
  q.flags = version_ >= 5 ? static_cast<uint32_t>(r.i32()) : r.u8();
  if (q.flags & 0x01) {
    uint16_t n = r.u16();
    q.values.resize(n);
    for (uint16_t i = 0; i < n; i++) {
      if (q.flags & 0x40) q.names.push_back(r.string());
      q.values[i].len = r.value(q.values[i].data);
    }
  }
  if (q.flags & 0x04) q.page_size = r.i32();
  if (q.flags & 0x08) {
    std::string_view v;
    if (r.value(v) >= 0) q.paging_state = v;
  }
  if (q.flags & 0x10) r.u16();
  if (q.flags & 0x20) q.timestamp = default_timestamp(r);
  if (version_ >= 5 && (q.flags & 0x80)) q.keyspace = std::string(r.string());
  if (version_ >= 5 && (q.flags & 0x100)) r.i32();
  return q;
}

void Connection::check_write_faults(uint16_t consistency, const char* write_type) {
  Faults& all = server_.faults();
  Faults& mine = server_.faults(node_);
  auto take = [&](std::atomic<int> Faults::*c) {
    if (!take_fault(mine, all, c)) return false;
    store_.stats(node_).faults.fetch_add(1, std::memory_order_relaxed);
    return true;
  };
  Writer w;
  if (take(&Faults::overloaded))
    throw CqlError{kOverloaded, "Server is in overloaded state. Cannot accept more requests at this point", {}};
  if (take(&Faults::write_timeout)) {
    w.u16(consistency);
    w.i32(0);
    w.i32(1);
    w.string(write_type);
    throw CqlError{kWriteTimeout, "Operation timed out - received only 0 responses.", w.buf()};
  }
  if (take(&Faults::unavailable)) {
    w.u16(consistency);
    w.i32(1);
    w.i32(0);
    throw CqlError{kUnavailable, "Cannot achieve consistency level", w.buf()};
  }
  if (take(&Faults::bootstrapping)) throw CqlError{kIsBootstrapping, "Cannot read from a bootstrapping node", {}};
  const int gate = all.gate_rows.load(std::memory_order_relaxed);
  if (gate > 0 && store_.rows_written() >= static_cast<uint64_t>(gate))
    std::this_thread::sleep_for(std::chrono::milliseconds(Faults::kGateDelayMs));
}

static void check_marker_count(const Parsed& p, const QueryParams& q) {
  if (static_cast<size_t>(p.markers) != q.values.size())
    throw_invalid("there were " + std::to_string(p.markers) + " markers(?) in CQL but " +
                  std::to_string(q.values.size()) + " bound variables");
}

void Connection::on_query(int16_t stream, Reader& r) {
  std::string_view query = r.long_string();
  QueryParams q = read_params(r);
  Parsed p = parse_cql(query);
  check_marker_count(p, q);
  if (!q.names.empty()) throw_invalid("Named values are only supported with prepared statements by this server");
  bool is_write = std::holds_alternative<InsertStatement>(p.stmt) || std::holds_alternative<DeleteStatement>(p.stmt);
  if (is_write) check_write_faults(q.consistency, "SIMPLE");
  std::string ks = q.keyspace.empty() ? keyspace_ : q.keyspace;
  ExecContext ctx{node_, &ks, &q.values, q.page_size, q.paging_state, q.timestamp, q.consistency};
  Result res = store_.execute(p, ctx);
  if (res.kind == Result::kSetKeyspace) keyspace_ = ks;
  emit(kResult, stream, encode_result(res));
  if (res.kind == Result::kSchemaChange) announce_schema_change(res);
}

void Connection::announce_schema_change(const Result& res) {
  Writer w;  // native_protocol_v4.spec 4.2.6: "SCHEMA_CHANGE", then as the RESULT's body
  w.string("SCHEMA_CHANGE");
  w.string(res.change);
  w.string(res.target);
  w.string(res.change_ks);
  if (res.target != "KEYSPACE") w.string(res.change_name);
  server_.push_schema_change(w.buf());
}

void Connection::on_prepare(int16_t stream, Reader& r) {
  std::string query(r.long_string());
  std::string ks = keyspace_;
  if (version_ >= 5 && !r.empty()) {
    int32_t flags = r.i32();
    if (flags & 0x01) ks = std::string(r.string());
  }
  auto p = store_.prepare(query, ks);
  emit(kResult, stream, encode_prepared(*p));
}

void Connection::on_execute(int16_t stream, Reader& r) {
  std::string_view id = r.short_bytes();
  if (version_ >= 5) r.short_bytes();  // result_metadata_id
  auto p = store_.find_prepared(id);
  if (!p) {
    Writer w;
    w.short_bytes(id);
    throw CqlError{kUnprepared,
                   "Prepared query with ID " + hex(id) +
                       " not found (either the query was not prepared on this host (maybe the host has been "
                       "restarted?) or you have prepared too many queries and it got evicted from the internal cache)",
                   w.buf()};
  }
  QueryParams q = read_params(r);
  if (!q.names.empty()) {  // reorder named values to marker order
    std::vector<Bound> ordered(p->bind.size(), Bound{-2, {}});
    for (size_t i = 0; i < q.names.size(); i++)
      for (size_t m = 0; m < p->bind.size(); m++)
        if (p->bind[m].name == q.names[i]) ordered[m] = q.values[i];
    q.values = std::move(ordered);
  }
  check_marker_count(p->parsed, q);
  if (p->is_write) check_write_faults(q.consistency, "SIMPLE");
  std::string ks = p->keyspace;
  ExecContext ctx{node_, &ks, &q.values, q.page_size, q.paging_state, q.timestamp, q.consistency};
  Result res = store_.execute(p->parsed, ctx);
  emit(kResult, stream, encode_result(res));
  if (res.kind == Result::kSchemaChange) announce_schema_change(res);
}

void Connection::on_batch(int16_t stream, Reader& r) {
  uint8_t type = r.u8();
  if (type > 2) throw_protocol("Invalid BATCH message type " + std::to_string(type));
  uint16_t n = r.u16();
  struct Item {
    std::shared_ptr<Prepared> prepared;
    Parsed parsed;
    std::vector<Bound> values;
  };
  std::vector<Item> items(n);
  for (auto& it : items) {
    uint8_t kind = r.u8();
    if (kind == 0) {
      it.parsed = parse_cql(r.long_string());
    } else if (kind == 1) {
      std::string_view id = r.short_bytes();
      it.prepared = store_.find_prepared(id);
      if (!it.prepared) {
        Writer w;
        w.short_bytes(id);
        throw CqlError{kUnprepared, "Prepared query with ID " + hex(id) + " not found", w.buf()};
      }
    } else {
      throw_protocol("Invalid query kind in BATCH messages. Must be 0 or 1 but got " + std::to_string(kind));
    }
    uint16_t nv = r.u16();
    it.values.resize(nv);
    for (auto& v : it.values) v.len = r.value(v.data);
  }
  QueryParams q;
  q.consistency = r.u16();
  q.flags = version_ >= 5 ? static_cast<uint32_t>(r.i32()) : r.u8();
  if (q.flags & 0x10) r.u16();
  if (q.flags & 0x20) q.timestamp = default_timestamp(r);
  if (q.flags & 0x40) throw_invalid("Named values in batch are not supported");
  if (q.timestamp == kNoTimestamp) q.timestamp = server_timestamp_us();  // one for the whole batch, as Cassandra
  if (version_ >= 5 && (q.flags & 0x80)) q.keyspace = std::string(r.string());
  std::vector<Mutation> muts;
  size_t bytes = 0;
  for (auto& it : items) {
    const Parsed& p = it.prepared ? it.prepared->parsed : it.parsed;
    if (static_cast<size_t>(p.markers) != it.values.size())
      throw_invalid("There were " + std::to_string(p.markers) + " markers(?) in CQL but " +
                    std::to_string(it.values.size()) + " bound variables");
    std::string ks = it.prepared ? it.prepared->keyspace : (q.keyspace.empty() ? keyspace_ : q.keyspace);
    ExecContext ctx{node_, &ks, &it.values, -1, {}, q.timestamp};
    muts.push_back(store_.build_write(p, ctx));
    bytes += muts.back().bytes;
  }
  Store::check_batch_size(bytes);
  if (bytes > 5 * 1024) {  // batch_size_warn_threshold
    std::string tables;
    for (auto& m : muts) {
      std::string name = m.table->ks + "." + m.table->name;
      if (tables.find(name) == std::string::npos) tables += (tables.empty() ? "" : ", ") + name;
    }
    warnings_.push_back("Batch for [" + tables + "] is of size " + std::to_string(bytes) +
                        ", exceeding specified threshold of 5120 by " + std::to_string(bytes - 5120) + ".");
  }
  check_write_faults(q.consistency, type == 0 ? "BATCH" : type == 1 ? "UNLOGGED_BATCH" : "COUNTER");
  for (auto& m : muts) store_.check_available(m, q.consistency, node_);  // all or nothing
  for (auto& m : muts) store_.apply(m, node_);
  emit(kResult, stream, encode_result(Result{}));
}

std::string Connection::encode_result(const Result& res) {
  Writer w;
  static const int32_t kKinds[] = {0x0001, 0x0002, 0x0003, 0x0005};
  w.i32(kKinds[res.kind]);
  switch (res.kind) {
    case Result::kVoid:
      break;
    case Result::kSetKeyspace:
      w.string(res.keyspace);
      break;
    case Result::kSchemaChange:
      w.string(res.change);
      w.string(res.target);
      w.string(res.change_ks);
      if (res.target != "KEYSPACE") w.string(res.change_name);
      break;
    case Result::kRows: {
      const auto& rs = res.rows;
      bool global = same_table(rs.cols);
      w.i32((global ? 0x0001 : 0) | (rs.paging_state.empty() ? 0 : 0x0002));
      w.i32(static_cast<int32_t>(rs.cols.size()));
      if (!rs.paging_state.empty()) w.bytes(rs.paging_state);
      write_specs(w, rs.cols, global);
      w.i32(static_cast<int32_t>(rs.rows.size()));
      for (auto& row : rs.rows)
        for (auto& v : row) v ? w.bytes(*v) : w.null_bytes();
      break;
    }
  }
  return std::move(w.buf());
}

std::string Connection::encode_prepared(const Prepared& p) {
  Writer w;
  w.i32(0x0004);
  w.short_bytes(p.id);
  if (version_ >= 5) w.short_bytes(p.metadata_id);
  bool global = same_table(p.bind);
  w.i32(global ? 0x0001 : 0);
  w.i32(static_cast<int32_t>(p.bind.size()));
  w.i32(static_cast<int32_t>(p.pk_indices.size()));
  for (uint16_t i : p.pk_indices) w.u16(i);
  write_specs(w, p.bind, global);
  bool rglobal = same_table(p.result_cols);
  w.i32(p.result_cols.empty() ? 0x0004 : (rglobal ? 0x0001 : 0));
  w.i32(static_cast<int32_t>(p.result_cols.size()));
  write_specs(w, p.result_cols, rglobal);
  return std::move(w.buf());
}

}  // namespace cqlsrv
