// Transport side of a test-server connection. Protocol v4 (native_protocol_v4.spec
// section 2) uses 9-byte frame headers, with the body optionally LZ4-compressed
// (section 5: a 4-byte uncompressed length, then the LZ4 block). Protocol v5
// (native_protocol_v5.spec section 2) starts the same way, but once the server
// has answered STARTUP (READY or AUTHENTICATE) every message travels inside
// segments: a little-endian header (17-bit payload length and a self-contained
// bit; with compression, 17-bit compressed + 17-bit uncompressed lengths) with a
// CRC24, the payload (up to 128 KiB - 1, LZ4-compressed when that helps), then a
// CRC32 of the payload. A request with a version this server does not speak gets
// a protocol error so that clients step down (as Cassandra 3.11 with --version-max
// 4). A frame over native_transport_max_frame_size is skipped and answered with
// Invalid, the connection kept. Requests on a connection are handled in order;
// responses are written in batches, one write per read.
#include "connection.h"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include <cerrno>
#include <cstring>

#include <thread>

namespace cqlsrv {
namespace {

constexpr size_t kMaxSegmentPayload = 131071;
constexpr uint32_t kMaxFrame = 256u << 20;

void put_le(std::string& out, uint64_t v, int n) {
  for (int i = 0; i < n; i++) out.push_back(static_cast<char>(v >> (8 * i)));
}

uint64_t get_le(const char* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; i--) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

}  // namespace

Connection::Connection(Server& server, int node, int fd)
    : server_(server), store_(server.store()), node_(node), fd_(fd) {
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

Connection::~Connection() {
  if (ssl_) SSL_free(ssl_);
  if (wake_fd_ >= 0) close(wake_fd_);
}

void Connection::push_event(const std::string& type, const std::string& change, const std::string& addr, int port) {
  Writer w;  // [string] type, [string] change, [inet] address and port
  w.string(type);
  w.string(change);
  unsigned char a[4] = {127, 0, 0, 1};
  inet_pton(AF_INET, addr.c_str(), a);
  w.u8(4);
  w.raw(std::string_view(reinterpret_cast<char*>(a), 4));
  w.i32(port);
  push_body(type, std::move(w.buf()));
}

void Connection::push_body(const std::string& type, std::string body) {
  {
    std::lock_guard<std::mutex> lock(push_mu_);
    if (std::find(registered_.begin(), registered_.end(), type) == registered_.end()) return;
    pushed_.push_back(std::move(body));
  }
  uint64_t one = 1;
  ssize_t r = write(wake_fd_, &one, sizeof one);
  (void)r;
}

void Connection::send_pushed() {
  uint64_t v;
  ssize_t r = read(wake_fd_, &v, sizeof v);
  (void)r;
  std::vector<std::string> bodies;
  {
    std::lock_guard<std::mutex> lock(push_mu_);
    bodies.swap(pushed_);
  }
  for (auto& b : bodies) emit(0x0C, -1, std::move(b));
}

bool Connection::handshake_tls() {
  ssl_ = SSL_new(server_.ssl_ctx());
  if (!ssl_) return false;
  SSL_set_fd(ssl_, fd_);
  return SSL_accept(ssl_) == 1;
}

long Connection::read_some(char* buf, size_t n) {
  if (ssl_) return SSL_read(ssl_, buf, static_cast<int>(n));
  for (;;) {
    ssize_t r = recv(fd_, buf, n, 0);
    if (r < 0 && errno == EINTR) continue;
    return r;
  }
}

bool Connection::write_all(std::string_view data) {
  while (!data.empty()) {
    long n;
    if (ssl_) {
      n = SSL_write(ssl_, data.data(), static_cast<int>(data.size()));
    } else {
      n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
    }
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

void Connection::run() {
  if (server_.ssl_ctx() && !handshake_tls()) return;
  server_.attach(node_, fd_, this);
  std::vector<char> buf(256 * 1024);
  for (;;) {
    if (!(ssl_ && SSL_pending(ssl_) > 0)) {  // wait for a request or an event to push
      pollfd p[2] = {{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
      if (poll(p, 2, -1) < 0 && errno != EINTR) return;
      if (p[1].revents & POLLIN) {
        send_pushed();
        if (!flush()) return;
      }
      if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    }
    long n = read_some(buf.data(), buf.size());
    if (n <= 0) return;
    arrival_ = std::chrono::steady_clock::now();
    in_.append(buf.data(), static_cast<size_t>(n));
    bool ok = process_input();
    if (!flush() || !ok || close_after_flush_) return;
    if (in_pos_ == in_.size()) {
      in_.clear();
      in_pos_ = 0;
    } else if (in_pos_ > (1u << 20)) {
      in_.erase(0, in_pos_);
      in_pos_ = 0;
    }
  }
}

bool Connection::flush() {
  if (!out_.empty()) {
    wrap_segments(out_, wire_);
    out_.clear();
  }
  if (wire_.empty()) return true;
  bool ok = write_all(wire_);
  wire_.clear();
  return ok;
}

bool Connection::process_input() {
  if (!segments_) {
    if (!process_envelopes(in_, in_pos_)) return false;
    if (!segments_ || close_after_flush_) return true;
  }
  return process_segments();
}

bool Connection::process_envelopes(std::string& buf, size_t& pos) {
  const bool raw = !segments_;
  while (!close_after_flush_) {
    if (raw && segments_) return true;  // switched to v5 segments mid-buffer
    size_t avail = buf.size() - pos;
    if (avail == 0) break;
    if (discard_ > 0) {  // the rest of a frame over the size limit
      size_t n = std::min<uint64_t>(discard_, avail);
      pos += n;
      discard_ -= n;
      continue;
    }
    const char* p = buf.data() + pos;
    const int v = static_cast<unsigned char>(p[0]) & 0x7f;
    if (version_ == 0 && (v < 4 || v > server_.options().version_max)) {
      if (v < 3) return false;  // v1/v2 headers differ; nothing sensible to answer
      if (avail < 2) break;
      refuse_version(v, static_cast<uint8_t>(p[1]), avail >= 4 ? static_cast<int16_t>(load_be16(p + 2)) : 0);
      return true;
    }
    if (avail < 9) break;
    uint32_t len = load_be32(p + 5);
    if (len > kMaxFrame) return false;
    if (static_cast<uint64_t>(len) + 9 > server_.options().max_frame_bytes()) {
      // native_transport_max_frame_size: Cassandra skips the frame and answers
      // Invalid on its stream; the connection stays open.
      uint64_t total = static_cast<uint64_t>(len) + 9;
      if (version_ == 0) version_ = v;
      send_error(static_cast<int16_t>(load_be16(p + 2)),
                 {kInvalid,
                  "Request is too big: length " + std::to_string(total) + " exceeds maximum allowed length " +
                      std::to_string(server_.options().max_frame_bytes()) + ".",
                  {}});
      discard_ = total;
      continue;
    }
    if (avail < 9 + static_cast<size_t>(len)) break;
    auto flags = static_cast<uint8_t>(p[1]);
    auto stream = static_cast<int16_t>(load_be16(p + 2));
    auto opcode = static_cast<uint8_t>(p[4]);
    std::string_view body(p + 9, len);
    pos += 9 + len;
    if (server_.stopped(node_)) continue;  // a hung node: requests go unanswered
    int delay = std::max(server_.faults().delay_ms.load(std::memory_order_relaxed),
                         server_.faults(node_).delay_ms.load(std::memory_order_relaxed));
    if (delay > 0) std::this_thread::sleep_until(arrival_ + std::chrono::milliseconds(delay));
    handle(static_cast<uint8_t>(v), flags, stream, opcode, body);
    if (delay > 0 && !flush()) return false;
  }
  return true;
}

bool Connection::process_segments() {
  const int hlen = compress_ ? 5 : 3;
  for (;;) {
    size_t avail = in_.size() - in_pos_;
    if (avail < static_cast<size_t>(hlen + 3)) break;
    const char* p = in_.data() + in_pos_;
    uint64_t h = get_le(p, hlen);
    if (crc24(h, hlen) != get_le(p + hlen, 3)) return false;  // corrupted header: close, as Cassandra does
    size_t plen = h & 0x1FFFF;
    size_t ulen = compress_ ? (h >> 17) & 0x1FFFF : 0;
    if (avail < static_cast<size_t>(hlen + 3) + plen + 4) break;
    const char* payload = p + hlen + 3;
    if (crc32_cassandra(payload, plen) != get_le(payload + plen, 4)) return false;
    if (ulen > 0) {
      std::string tmp;
      if (!lz4_decompress(std::string_view(payload, plen), ulen, tmp)) return false;
      frames_ += tmp;
    } else {
      frames_.append(payload, plen);
    }
    in_pos_ += static_cast<size_t>(hlen + 3) + plen + 4;
  }
  bool ok = process_envelopes(frames_, frames_pos_);
  if (frames_pos_ == frames_.size()) {
    frames_.clear();
    frames_pos_ = 0;
  }
  return ok;
}

// A first request in a version this node does not speak: a protocol error, then
// the connection closes. As Cassandra 4+ (native_protocol_v5.spec section 8): the
// answer is in the highest version supported, on the request's stream. As Cassandra
// 3.11 (--version-max 4), where v5 was a beta: a v5 request without the USE_BETA
// flag (0x10) gets "Beta version of the protocol used (5/v5-beta), but USE_BETA flag
// is unset", other versions "Invalid or unsupported protocol version", both in a v5
// header (its highest version) on stream 0 (it fails before reading the stream id).
void Connection::refuse_version(int v, uint8_t flags, int16_t stream) {
  const bool c3 = server_.options().cassandra3();
  std::string msg;
  if (c3 && v == 5 && !(flags & 0x10))
    msg = "Beta version of the protocol used (5/v5-beta), but USE_BETA flag is unset";
  else if (c3 && v == 5)
    msg = "Protocol v5-beta is not emulated by this server";
  else
    msg = "Invalid or unsupported protocol version (" + std::to_string(v) + "); supported versions are (" +
          (c3 ? "4/v4, 5/v5-beta" : "4/v4, 5/v5") + ")";
  const bool beta_era = c3 && v >= 5;
  version_ = beta_era ? 5 : std::min(v, server_.options().version_max);
  if (beta_era) stream = 0;
  send_error(stream, {kProtocolError, msg, {}});
  version_ = 0;
  close_after_flush_ = true;
}

void Connection::emit(uint8_t opcode, int16_t stream, std::string body) {
  std::string& dst = segments_ ? out_ : wire_;
  uint8_t flags = 0;
  if (!warnings_.empty()) {
    Writer w;
    w.string_list(warnings_);
    body.insert(0, w.buf());
    warnings_.clear();
    flags |= 0x08;
  }
  // v4 compression covers every frame from the answer to STARTUP on (READY or
  // AUTHENTICATE are compressed, as Cassandra does: it switches compression on
  // while it handles STARTUP; the spec only says STARTUP itself is never compressed).
  if (compress_ && !segments_ && version_ < 5) {  // empty bodies too, as Cassandra does
    std::string c = be32(static_cast<int32_t>(body.size())) + lz4_compress(body);
    body = std::move(c);
    flags |= 0x01;
  }
  dst.push_back(static_cast<char>(0x80 | version_));
  dst.push_back(static_cast<char>(flags));
  dst.push_back(static_cast<char>(static_cast<uint16_t>(stream) >> 8));
  dst.push_back(static_cast<char>(stream));
  dst.push_back(static_cast<char>(opcode));
  dst += be32(static_cast<int32_t>(body.size()));
  dst += body;
}

void Connection::wrap_segments(std::string_view envs, std::string& out) {
  auto segment = [&](std::string_view payload, bool self_contained) {
    if (compress_) {
      std::string c = lz4_compress(payload);
      bool use = !c.empty() && c.size() < payload.size();
      std::string_view body = use ? std::string_view(c) : payload;
      uint64_t h = body.size() | (uint64_t(use ? payload.size() : 0) << 17) | (uint64_t(self_contained) << 34);
      put_le(out, h, 5);
      put_le(out, crc24(h, 5), 3);
      out.append(body);
      put_le(out, crc32_cassandra(body.data(), body.size()), 4);
    } else {
      uint64_t h = payload.size() | (uint64_t(self_contained) << 17);
      put_le(out, h, 3);
      put_le(out, crc24(h, 3), 3);
      out.append(payload);
      put_le(out, crc32_cassandra(payload.data(), payload.size()), 4);
    }
  };
  size_t start = 0, pos = 0;
  while (pos < envs.size()) {
    size_t len = 9 + load_be32(envs.data() + pos + 5);
    if (len > kMaxSegmentPayload) {
      if (pos > start) segment(envs.substr(start, pos - start), true);
      for (size_t off = 0; off < len; off += kMaxSegmentPayload)
        segment(envs.substr(pos + off, std::min(kMaxSegmentPayload, len - off)), false);
      pos += len;
      start = pos;
      continue;
    }
    if (pos + len - start > kMaxSegmentPayload) {
      segment(envs.substr(start, pos - start), true);
      start = pos;
    }
    pos += len;
  }
  if (pos > start) segment(envs.substr(start, pos - start), true);
}

void serve_connection(Server& server, int node, int fd) {
  {
    Connection c(server, node, fd);
    c.run();
  }
  server.remove_conn(node, fd);
}

}  // namespace cqlsrv
