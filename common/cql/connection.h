// One CQL native protocol connection: TCP (optionally TLS with OpenSSL), the startup
// handshake (OPTIONS/SUPPORTED, STARTUP with CQL_VERSION 3.0.0 and optional LZ4,
// AUTHENTICATE/AUTH_RESPONSE with SASL PLAIN), then either blocking request/response
// exchanges (setup) or non-blocking pipelined I/O of many streams (the session's event
// loop). Protocol v5 switches to segment framing once the server has answered
// STARTUP (READY or AUTHENTICATE), as native_protocol_v5.spec section 2 requires;
// on v4 with LZ4 that answer may already be compressed (Cassandra does so).
#pragma once

#include <openssl/ssl.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/cql/protocol.h"
#include "common/cql/wire.h"
#include "common/status.h"

namespace airstream::cql {

// Server certificate verification, as the DataStax drivers do it: the chain must
// lead to a trusted CA, and the certificate must name the node: by the host name
// it was reached by when that is a name; for a numeric address (every node found
// in system.peers), by that IP address (an IP subjectAltName) or else by the name
// its reverse DNS (PTR) record gives (the Java driver's InetSocketAddress
// getHostName(), the C/C++ driver's PEER_IDENTITY_DNS).
struct TlsOptions {
  bool enabled = false;
  std::string cacert;  // PEM CA file (empty: system default paths)
  std::string cert, key;
  bool verify_chain = true;     // false: no verification at all
  bool verify_hostname = true;  // false: the chain only
};

// A shared SSL_CTX for every connection of a session.
class TlsContext {
 public:
  static Result<std::shared_ptr<TlsContext>> create(const TlsOptions& options);
  ~TlsContext();
  SSL_CTX* ctx() const { return ctx_; }
  bool verify_hostname() const { return verify_; }

 private:
  SSL_CTX* ctx_ = nullptr;
  bool verify_ = true;
};

struct ConnectionOptions {
  std::string host;  // numeric address or name
  uint16_t port = 9042;
  int version = 5;
  bool lz4 = false;
  bool has_credentials = false;
  std::string username, password;
  std::shared_ptr<TlsContext> tls;  // null: plain TCP
  int timeout_ms = 5000;
};

struct Frame {
  FrameHeader header;
  std::string body;  // decompressed; tracing/warning/payload prefix still present
  std::string_view message() const { return skip_body_prefix(header, body); }
};

// Status codes open() uses: kExitUnavailable (unreachable, TLS or I/O failure),
// kExitConfig (authentication failed or required without credentials) and
// kExitProtocolVersion (server refused the asked version: retry with a lower one).
inline constexpr int kExitProtocolVersion = 1000;

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> open(const ConnectionOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  int version() const { return version_; }
  const std::string& address() const { return address_; }
  bool lz4() const { return lz4_; }
  // COMPRESSION values the server offered in SUPPORTED.
  const std::vector<std::string>& compressions() const { return compressions_; }

  // Blocking exchange on stream 0 (only before set_nonblocking()).
  Result<Frame> request(uint8_t opcode, std::string_view body);

  // ---- non-blocking phase ----
  Status set_nonblocking();
  // Encodes a request frame into the output buffer.
  void enqueue(int16_t stream, uint8_t opcode, std::string_view body);
  // Envelope already encoded with the given body parts (avoids a copy): the parts are
  // concatenated as the body.
  void enqueue_parts(int16_t stream, uint8_t opcode, std::initializer_list<std::string_view> parts);
  bool has_output() const { return !out_.empty() || !seg_pending_.empty(); }
  // Writes as much as the socket takes. Non-ok when the connection broke.
  Status flush();
  // Reads what is available and calls on_frame for every complete response.
  // Non-ok when the connection broke or the peer closed it.
  Status read_frames(const std::function<void(Frame&)>& on_frame);

 private:
  Connection() = default;
  Status connect_socket(const ConnectionOptions& o);
  Status handshake(const ConnectionOptions& o);
  // After the TLS handshake: does the certificate name the host (see TlsOptions)?
  Status check_peer_identity(const std::string& host);
  Status write_all_blocking(std::string_view data);
  // Raw transport I/O: >0 bytes, 0 would block, -1 error/closed (err set).
  ssize_t raw_read(char* buf, size_t n, std::string& err);
  ssize_t raw_write(const char* buf, size_t n, std::string& err);
  // Moves input bytes into complete frames (decoding v5 segments when active).
  Status extract_frames(const std::function<void(Frame&)>& on_frame);
  void seal_segment();

  int fd_ = -1;
  SSL* ssl_ = nullptr;
  std::shared_ptr<TlsContext> tls_;
  int version_ = 4;
  bool lz4_ = false;          // compression negotiated and active
  bool lz4_answers_ = false;  // v4: compressed answers accepted from STARTUP's answer on
  bool segments_ = false;     // v5 framing active
  bool nonblocking_ = false;
  std::string address_;
  std::vector<std::string> compressions_;

  std::string out_;  // bytes ready for the socket
  size_t out_pos_ = 0;
  std::string seg_pending_;  // v5: envelopes waiting to be sealed into a segment
  std::string in_;           // raw bytes from the socket
  size_t in_pos_ = 0;
  std::string env_;  // v5: envelope stream decoded from segments
  size_t env_pos_ = 0;
  std::string scratch_;
};

}  // namespace airstream::cql
