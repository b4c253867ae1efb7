// One client connection of the test server: framing (v4 frames, v5 segments),
// compression, TLS, and the handling of each request message.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "server.h"
#include "wire.h"

namespace cqlsrv {

struct QueryParams {
  uint16_t consistency = 1;
  uint32_t flags = 0;
  std::vector<Bound> values;
  std::vector<std::string_view> names;
  int32_t page_size = -1;
  std::string_view paging_state;
  std::string keyspace;
  int64_t timestamp = kNoTimestamp;  // flag 0x20
};

class Connection {
 public:
  Connection(Server& server, int node, int fd);
  ~Connection();
  void run();
  // From any thread: queues an EVENT (stream -1) if this connection registered for
  // `type`; the connection's thread sends it.
  void push_event(const std::string& type, const std::string& change, const std::string& addr, int port);
  // The same with a whole EVENT body (its first [string] is `type`).
  void push_body(const std::string& type, std::string body);

 private:
  // I/O (connection.cc)
  bool handshake_tls();
  long read_some(char* buf, size_t n);
  bool write_all(std::string_view data);
  bool flush();
  bool process_input();
  bool process_envelopes(std::string& buf, size_t& pos);
  bool process_segments();
  void emit(uint8_t opcode, int16_t stream, std::string body);
  void wrap_segments(std::string_view envelopes, std::string& out);
  void refuse_version(int v, uint8_t flags, int16_t stream);

  // Requests (requests.cc)
  void handle(uint8_t version, uint8_t flags, int16_t stream, uint8_t opcode, std::string_view body);
  void dispatch(int16_t stream, uint8_t opcode, Reader& r);
  void on_startup(int16_t stream, Reader& r);
  void on_auth_response(int16_t stream, Reader& r);
  void on_query(int16_t stream, Reader& r);
  void on_prepare(int16_t stream, Reader& r);
  void on_execute(int16_t stream, Reader& r);
  void on_batch(int16_t stream, Reader& r);
  QueryParams read_params(Reader& r);
  void check_write_faults(uint16_t consistency, const char* write_type);
  std::string encode_result(const Result& res);
  // Tells every client registered for SCHEMA_CHANGE of a DDL this connection ran.
  void announce_schema_change(const Result& res);
  std::string encode_prepared(const Prepared& p);
  void send_error(int16_t stream, const CqlError& e);

  Server& server_;
  Store& store_;
  int node_;
  int fd_;
  SSL* ssl_ = nullptr;

  int version_ = 0;     // negotiated protocol version, 0 before STARTUP
  bool ready_ = false;  // STARTUP done (and authenticated if required)
  bool awaiting_auth_ = false;
  bool compress_ = false;  // LZ4 agreed
  bool segments_ = false;  // v5 framing active
  bool close_after_flush_ = false;
  uint64_t discard_ = 0;  // bytes left of a frame over the size limit
  std::string keyspace_;
  std::vector<std::string> warnings_;  // attached to the next response (flag 0x08)

  std::string in_;
  size_t in_pos_ = 0;
  std::string frames_;  // v5: envelope bytes carried by segments
  size_t frames_pos_ = 0;
  std::string out_;   // envelopes waiting to be written
  std::string wire_;  // scratch for segment wrapping
  std::chrono::steady_clock::time_point arrival_;

  // Events (REGISTER): types asked for, and bodies queued by other threads.
  int wake_fd_ = -1;
  std::mutex push_mu_;
  std::vector<std::string> registered_;
  std::vector<std::string> pushed_;
  void send_pushed();
};

}  // namespace cqlsrv
