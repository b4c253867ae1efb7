// A CQL connection (native_protocol_v4.spec sections 2, 4.1.1-4.1.3, 4.2.2-4.2.4 and
// 5; native_protocol_v5.spec section 2 for the v5 framing switch). Connect with a
// timeout, optional TLS (SSL_CTX shared per session, chain and host name/IP verified
// unless disabled), then OPTIONS -> SUPPORTED (a protocol error here means the server
// does not speak the asked version), STARTUP -> READY | AUTHENTICATE (+ SASL PLAIN
// AUTH_RESPONSE -> AUTH_SUCCESS). Requests are encoded into one output buffer (for
// v5, many envelopes share a self-contained segment) and written with few syscalls.
#include "common/cql/connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace airstream::cql {
namespace {

std::string ssl_error_text() {
  unsigned long e = ERR_get_error();
  if (!e) return "TLS error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

bool is_ip_literal(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

Result<std::shared_ptr<TlsContext>> TlsContext::create(const TlsOptions& o) {
  auto t = std::shared_ptr<TlsContext>(new TlsContext());
  t->ctx_ = SSL_CTX_new(TLS_client_method());
  if (!t->ctx_) return Status(kExitSoftware, "cannot create TLS context: " + ssl_error_text());
  SSL_CTX_set_min_proto_version(t->ctx_, TLS1_2_VERSION);
  SSL_CTX_set_mode(t->ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  t->verify_ = o.verify_chain && o.verify_hostname;
  if (!o.cacert.empty()) {
    if (SSL_CTX_load_verify_locations(t->ctx_, o.cacert.c_str(), nullptr) != 1)
      return Status(kExitConfig, "cannot load CA file " + o.cacert + ": " + ssl_error_text());
  } else {
    SSL_CTX_set_default_verify_paths(t->ctx_);
  }
  if (!o.cert.empty() || !o.key.empty()) {
    if (o.cert.empty() || o.key.empty()) return Status(kExitConfig, "--cert and --key go together");
    if (SSL_CTX_use_certificate_chain_file(t->ctx_, o.cert.c_str()) != 1)
      return Status(kExitConfig, "cannot load certificate " + o.cert + ": " + ssl_error_text());
    if (SSL_CTX_use_PrivateKey_file(t->ctx_, o.key.c_str(), SSL_FILETYPE_PEM) != 1)
      return Status(kExitConfig, "cannot load key " + o.key + ": " + ssl_error_text());
  }
  SSL_CTX_set_verify(t->ctx_, o.verify_chain ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
  return t;
}

TlsContext::~TlsContext() {
  if (ctx_) SSL_CTX_free(ctx_);
}

Connection::~Connection() {
  if (ssl_) SSL_free(ssl_);
  if (fd_ >= 0) close(fd_);
}

Result<std::unique_ptr<Connection>> Connection::open(const ConnectionOptions& o) {
  std::unique_ptr<Connection> c(new Connection());
  c->address_ = o.host + ":" + std::to_string(o.port);
  c->version_ = o.version;
  if (Status s = c->connect_socket(o); !s.ok()) return s;
  if (Status s = c->handshake(o); !s.ok()) return s;
  return c;
}

Status Connection::connect_socket(const ConnectionOptions& o) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(o.port);
  int rc = getaddrinfo(o.host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) return Status(kExitUnavailable, address_ + ": " + gai_strerror(rc));
  std::string err = "no address";
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0) continue;
    int r = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (r != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      r = poll(&p, 1, o.timeout_ms);
      if (r == 1) {
        int soerr = 0;
        socklen_t len = sizeof soerr;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
        r = soerr ? -1 : 0;
        errno = soerr;
      } else {
        int saved = r == 0 ? ETIMEDOUT : errno;
        r = -1;
        errno = saved;
      }
    }
    if (r == 0) {
      fd_ = fd;
      break;
    }
    err = strerror(errno);
    close(fd);
  }
  freeaddrinfo(res);
  if (fd_ < 0) return Status(kExitUnavailable, address_ + ": cannot connect: " + err);
  int flags = fcntl(fd_, F_GETFL);
  fcntl(fd_, F_SETFL, flags & ~O_NONBLOCK);
  timeval tv{o.timeout_ms / 1000, (o.timeout_ms % 1000) * 1000};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (o.tls) {
    tls_ = o.tls;
    ssl_ = SSL_new(o.tls->ctx());
    if (!ssl_) return Status(kExitUnavailable, address_ + ": " + ssl_error_text());
    SSL_set_fd(ssl_, fd_);
    if (!is_ip_literal(o.host)) SSL_set_tlsext_host_name(ssl_, o.host.c_str());
    if (SSL_connect(ssl_) != 1) {
      std::string why = ssl_error_text();
      long vr = SSL_get_verify_result(ssl_);
      if (vr != X509_V_OK) why = X509_verify_cert_error_string(vr);
      return Status(kExitUnavailable, address_ + ": TLS handshake failed: " + why);
    }
    if (o.tls->verify_hostname()) return check_peer_identity(o.host);
  }
  return Status::Ok();
}

Status Connection::check_peer_identity(const std::string& host) {
  X509* cert = SSL_get_peer_certificate(ssl_);
  if (!cert) return Status(kExitUnavailable, address_ + ": TLS: the server sent no certificate");
  std::unique_ptr<X509, decltype(&X509_free)> hold(cert, X509_free);
  const bool ip = is_ip_literal(host);
  if (ip ? X509_check_ip_asc(cert, host.c_str(), 0) == 1 : X509_check_host(cert, host.c_str(), 0, 0, nullptr) == 1)
    return Status::Ok();
  std::string reverse;
  if (ip) {  // the name the address's PTR record gives, as the DataStax drivers
    sockaddr_storage sa{};
    socklen_t len = sizeof sa;
    char name[NI_MAXHOST];
    if (getpeername(fd_, reinterpret_cast<sockaddr*>(&sa), &len) == 0 &&
        getnameinfo(reinterpret_cast<sockaddr*>(&sa), len, name, sizeof name, nullptr, 0, NI_NAMEREQD) == 0) {
      reverse = name;
      if (X509_check_host(cert, name, 0, 0, nullptr) == 1) return Status::Ok();
    }
  }
  std::string names;
  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; sans && i < sk_GENERAL_NAME_num(sans); i++) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(sans, i);
    std::string one;
    if (g->type == GEN_DNS) {
      one = "DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(g->d.dNSName)),
                                 static_cast<size_t>(ASN1_STRING_length(g->d.dNSName)));
    } else if (g->type == GEN_IPADD) {
      char buf[INET6_ADDRSTRLEN] = "?";
      int n = ASN1_STRING_length(g->d.iPAddress);
      inet_ntop(n == 16 ? AF_INET6 : AF_INET, ASN1_STRING_get0_data(g->d.iPAddress), buf, sizeof buf);
      one = std::string("IP:") + buf;
    }
    if (!one.empty()) names += (names.empty() ? "" : ", ") + one;
  }
  if (sans) GENERAL_NAMES_free(sans);
  if (names.empty()) names = "no subjectAltName";
  std::string msg = address_ + ": TLS: the server certificate (" + names + ") does not name " + host;
  if (ip) msg += reverse.empty() ? " (and it has no reverse DNS name)" : " nor its reverse DNS name " + reverse;
  return Status(kExitUnavailable, msg);
}

ssize_t Connection::raw_read(char* buf, size_t n, std::string& err) {
  if (ssl_) {
    int r = SSL_read(ssl_, buf, static_cast<int>(n));
    if (r > 0) return r;
    int e = SSL_get_error(ssl_, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return 0;
    err = e == SSL_ERROR_ZERO_RETURN ? "connection closed by server" : "TLS read failed: " + ssl_error_text();
    if (e == SSL_ERROR_SYSCALL && nonblocking_ == false && (errno == EAGAIN || errno == EWOULDBLOCK))
      err = "timed out waiting for the server";
    return -1;
  }
  for (;;) {
    ssize_t r = ::read(fd_, buf, n);
    if (r > 0) return r;
    if (r == 0) {
      err = "connection closed by server";
      return -1;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (nonblocking_) return 0;
      err = "timed out waiting for the server";
      return -1;
    }
    err = std::string("read: ") + strerror(errno);
    return -1;
  }
}

ssize_t Connection::raw_write(const char* buf, size_t n, std::string& err) {
  if (ssl_) {
    int r = SSL_write(ssl_, buf, static_cast<int>(n));
    if (r > 0) return r;
    int e = SSL_get_error(ssl_, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) return 0;
    err = "TLS write failed: " + ssl_error_text();
    return -1;
  }
  for (;;) {
    ssize_t r = ::send(fd_, buf, n, MSG_NOSIGNAL);
    if (r >= 0) return r;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (nonblocking_) return 0;
      err = "timed out writing to the server";
      return -1;
    }
    err = std::string("write: ") + strerror(errno);
    return -1;
  }
}

Status Connection::write_all_blocking(std::string_view data) {
  std::string err;
  while (!data.empty()) {
    ssize_t w = raw_write(data.data(), data.size(), err);
    if (w <= 0) return Status(kExitUnavailable, address_ + ": " + (err.empty() ? "write stalled" : err));
    data.remove_prefix(static_cast<size_t>(w));
  }
  return Status::Ok();
}

void Connection::seal_segment() {
  if (seg_pending_.empty()) return;
  append_segments(out_, seg_pending_, lz4_);
  seg_pending_.clear();
}

void Connection::enqueue_parts(int16_t stream, uint8_t opcode, std::initializer_list<std::string_view> parts) {
  size_t body = 0;
  for (auto p : parts) body += p.size();
  if (segments_) {
    if (kHeaderSize + body > kMaxSegmentPayload) {
      seal_segment();
      scratch_.clear();
      size_t at = begin_frame(scratch_, static_cast<uint8_t>(version_), 0, stream, opcode);
      for (auto p : parts) scratch_.append(p);
      end_frame(scratch_, at);
      append_segments(out_, scratch_, lz4_);
      return;
    }
    if (seg_pending_.size() + kHeaderSize + body > kMaxSegmentPayload) seal_segment();
    size_t at = begin_frame(seg_pending_, static_cast<uint8_t>(version_), 0, stream, opcode);
    for (auto p : parts) seg_pending_.append(p);
    end_frame(seg_pending_, at);
    return;
  }
  if (lz4_ && body > 0) {
    scratch_.clear();
    for (auto p : parts) scratch_.append(p);
    std::string compressed;
    if (lz4_compress_body(scratch_, compressed)) {
      size_t at = begin_frame(out_, static_cast<uint8_t>(version_), kFlagCompression, stream, opcode);
      out_.append(compressed);
      end_frame(out_, at);
      return;
    }
  }
  size_t at = begin_frame(out_, static_cast<uint8_t>(version_), 0, stream, opcode);
  for (auto p : parts) out_.append(p);
  end_frame(out_, at);
}

void Connection::enqueue(int16_t stream, uint8_t opcode, std::string_view body) {
  enqueue_parts(stream, opcode, {body});
}

Status Connection::extract_frames(const std::function<void(Frame&)>& on_frame) {
  std::string* buf = &in_;
  size_t* pos = &in_pos_;
  if (segments_) {
    for (;;) {
      Segment seg;
      size_t consumed = 0;
      std::string err;
      auto r = decode_segment(std::string_view(in_).substr(in_pos_), lz4_, seg, consumed, err);
      if (r == SegmentResult::kError) return Status(kExitUnavailable, address_ + ": " + err);
      if (r == SegmentResult::kNeedMore) break;
      in_pos_ += consumed;
      env_.append(seg.payload);
    }
    buf = &env_;
    pos = &env_pos_;
  }
  while (buf->size() - *pos >= kHeaderSize) {
    FrameHeader h = parse_header(buf->data() + *pos);
    if (!h.response) return Status(kExitUnavailable, address_ + ": received a request frame from the server");
    if (h.length > kMaxFrameBody) return Status(kExitUnavailable, address_ + ": frame too large");
    if (buf->size() - *pos < kHeaderSize + h.length) break;
    Frame f;
    f.header = h;
    std::string_view body(buf->data() + *pos + kHeaderSize, h.length);
    *pos += kHeaderSize + h.length;
    if ((h.flags & kFlagCompression) && !segments_) {
      if (!(lz4_ || lz4_answers_) || !lz4_decompress_body(body, f.body))
        return Status(kExitUnavailable, address_ + ": cannot decompress a frame");
      f.header.flags &= static_cast<uint8_t>(~kFlagCompression);
    } else {
      f.body.assign(body);
    }
    on_frame(f);
  }
  // Compact consumed input.
  if (in_pos_ == in_.size()) {
    in_.clear();
    in_pos_ = 0;
  } else if (in_pos_ > (1u << 20)) {
    in_.erase(0, in_pos_);
    in_pos_ = 0;
  }
  if (env_pos_ == env_.size()) {
    env_.clear();
    env_pos_ = 0;
  } else if (env_pos_ > (1u << 20)) {
    env_.erase(0, env_pos_);
    env_pos_ = 0;
  }
  return Status::Ok();
}

Result<Frame> Connection::request(uint8_t opcode, std::string_view body) {
  enqueue(0, opcode, body);
  seal_segment();
  if (Status s = write_all_blocking(std::string_view(out_).substr(out_pos_)); !s.ok()) return s;
  out_.clear();
  out_pos_ = 0;
  std::optional<Frame> got;
  while (!got) {
    if (Status s = extract_frames([&](Frame& f) {
          if (f.header.stream == 0 && !got) got = std::move(f);
        });
        !s.ok())
      return s;
    if (got) break;
    char buf[65536];
    std::string err;
    ssize_t n = raw_read(buf, sizeof buf, err);
    if (n < 0) return Status(kExitUnavailable, address_ + ": " + err);
    in_.append(buf, static_cast<size_t>(n));
  }
  return std::move(*got);
}

Status Connection::handshake(const ConnectionOptions& o) {
  auto opt = request(kOpOptions, {});
  if (!opt.ok()) return opt.status();
  auto version_error = [&](const Frame& f) -> Status {
    CqlError e = decode_error(f.body, f.header.version);
    std::string msg = address_ + ": " + e.describe();
    if (e.code == kErrProtocol || f.header.version != version_) return Status(kExitProtocolVersion, msg);
    return Status(kExitUnavailable, msg);
  };
  if (opt->header.opcode == kOpError) return version_error(*opt);
  if (opt->header.version != version_) return Status(kExitProtocolVersion, address_ + ": version mismatch");
  if (opt->header.opcode == kOpSupported) {
    BodyReader r(opt->message());
    for (auto& [k, vals] : r.string_multimap())
      if (k == "COMPRESSION") compressions_ = vals;
  }
  bool want_lz4 = false;
  if (o.lz4)
    for (auto& c : compressions_)
      if (c == "lz4") want_lz4 = true;
  // Cassandra switches compression on while it handles STARTUP: on v4 its answer
  // (READY or AUTHENTICATE) may already be compressed, though STARTUP itself is not.
  lz4_answers_ = want_lz4 && version_ < 5;
  auto st = request(kOpStartup, startup_body(want_lz4));
  if (!st.ok()) return st.status();
  if (st->header.opcode == kOpError) return version_error(*st);
  auto switch_framing = [&] {
    if (version_ >= 5) segments_ = true;
    lz4_ = want_lz4;
  };
  if (st->header.opcode == kOpReady) {
    switch_framing();
    return Status::Ok();
  }
  if (st->header.opcode != kOpAuthenticate)
    return Status(kExitUnavailable,
                  address_ + ": unexpected answer to STARTUP (opcode " + std::to_string(st->header.opcode) + ")");
  switch_framing();
  std::string authenticator(BodyReader(st->message()).string());
  if (!o.has_credentials)
    return Status(kExitConfig, address_ + ": the server requires authentication (" + authenticator +
                                   "); give -u/--username and a password");
  std::string token = auth_response_plain(o.username, o.password);
  for (int round = 0; round < 4; round++) {
    auto ar = request(kOpAuthResponse, token);
    if (!ar.ok()) return ar.status();
    if (ar->header.opcode == kOpAuthSuccess) return Status::Ok();
    if (ar->header.opcode == kOpError) {
      CqlError e = decode_error(ar->message(), version_);
      return Status(kExitConfig, address_ + ": authentication failed: " + e.describe());
    }
    if (ar->header.opcode != kOpAuthChallenge) break;
  }
  return Status(kExitConfig, address_ + ": authentication did not complete");
}

Status Connection::set_nonblocking() {
  int flags = fcntl(fd_, F_GETFL);
  if (fcntl(fd_, F_SETFL, flags | O_NONBLOCK) != 0) return Status(kExitSoftware, "fcntl failed");
  nonblocking_ = true;
  return Status::Ok();
}

Status Connection::flush() {
  seal_segment();
  std::string err;
  while (out_pos_ < out_.size()) {
    ssize_t w = raw_write(out_.data() + out_pos_, out_.size() - out_pos_, err);
    if (w < 0) return Status(kExitUnavailable, address_ + ": " + err);
    if (w == 0) break;
    out_pos_ += static_cast<size_t>(w);
  }
  if (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
  } else if (out_pos_ > (1u << 20)) {
    out_.erase(0, out_pos_);
    out_pos_ = 0;
  }
  return Status::Ok();
}

Status Connection::read_frames(const std::function<void(Frame&)>& on_frame) {
  std::string err;
  for (int i = 0; i < 8; i++) {
    size_t old = in_.size();
    in_.resize(old + 65536);
    ssize_t n = raw_read(in_.data() + old, 65536, err);
    in_.resize(old + static_cast<size_t>(n > 0 ? n : 0));
    if (n < 0) return Status(kExitUnavailable, address_ + ": " + err);
    if (n == 0) break;
    if (Status s = extract_frames(on_frame); !s.ok()) return s;
    if (n < 65536 && !(ssl_ && SSL_pending(ssl_) > 0)) break;
  }
  return Status::Ok();
}

}  // namespace airstream::cql
