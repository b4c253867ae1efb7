// MetricsServer: a listening TCP socket and one thread that poll(2)s it together with
// a wake-up pipe (for stop()). Each accepted connection gets at most 8 KiB and 2 s to
// send its request head; the request line decides the answer, written with a
// Content-Length and "Connection: close", then the socket is closed. Only GET and HEAD
// are served; anything else is 405, unknown paths 404, oversized heads 431.
#include "common/metrics/http_server.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "common/signals.h"

namespace airstream {
namespace {

constexpr size_t kMaxHead = 8192;
constexpr int kRequestTimeoutMs = 2000;

void write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

std::string response(int code, const char* reason, const std::string& type, const std::string& body, bool head) {
  std::string out = "HTTP/1.1 " + std::to_string(code) + " " + reason + "\r\n";
  out += "Content-Type: " + type + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += "Connection: close\r\n\r\n";
  if (!head) out += body;
  return out;
}

}  // namespace

Result<ListenAddress> parse_listen_address(const std::string& text) {
  ListenAddress a;
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) return Status(kExitUsage, "--metrics-listen: want ADDR:PORT, not '" + text + "'");
  a.host = text.substr(0, colon);
  a.port = text.substr(colon + 1);
  if (a.host.size() >= 2 && a.host.front() == '[' && a.host.back() == ']') a.host = a.host.substr(1, a.host.size() - 2);
  bool digits = !a.port.empty() && a.port.size() <= 5 && a.port.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || std::stoi(a.port) > 65535)
    return Status(kExitUsage, "--metrics-listen: '" + a.port + "' is not a port number (0-65535)");
  return a;
}

MetricsServer::~MetricsServer() {
  stop();
}

Status MetricsServer::start(const std::string& listen, std::function<std::string()> metrics,
                            std::function<bool()> ready) {
  auto addr = parse_listen_address(listen);
  if (!addr.ok()) return addr.status();
  metrics_ = std::move(metrics);
  ready_ = std::move(ready);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  int gai = getaddrinfo(addr->host.empty() ? nullptr : addr->host.c_str(), addr->port.c_str(), &hints, &res);
  if (gai != 0) return Status(kExitUnavailable, "--metrics-listen " + listen + ": " + gai_strerror(gai));
  std::string why = "no address";
  for (addrinfo* ai = res; ai != nullptr && listen_fd_ < 0; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && ::listen(fd, 16) == 0) {
      listen_fd_ = fd;
    } else {
      why = strerror(errno);
      ::close(fd);
    }
  }
  freeaddrinfo(res);
  if (listen_fd_ < 0) return Status(kExitUnavailable, "--metrics-listen " + listen + ": cannot listen: " + why);
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&ss), &len) == 0) {
    port_ = ss.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port)
                                     : ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  }
  if (pipe2(wake_, O_CLOEXEC) != 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
    return Status(kExitSoftware, std::string("--metrics-listen: pipe: ") + strerror(errno));
  }
  thread_ = std::thread([this] { run(); });
  return Status::Ok();
}

void MetricsServer::stop() {
  if (thread_.joinable()) {
    char c = 0;
    (void)!::write(wake_[1], &c, 1);
    thread_.join();
  }
  for (int* fd : {&listen_fd_, &wake_[0], &wake_[1]}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
}

void MetricsServer::run() {
  block_signals_in_thread();
  for (;;) {
    pollfd p[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (p[1].revents != 0) return;
    if ((p[0].revents & POLLIN) == 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    serve(fd);
    ::close(fd);
  }
}

void MetricsServer::serve(int fd) {
  std::string head;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kRequestTimeoutMs);
  while (head.find("\r\n\r\n") == std::string::npos && head.find("\n\n") == std::string::npos) {
    if (head.size() > kMaxHead) {
      write_all(fd, response(431, "Request Header Fields Too Large", "text/plain", "request too large\n", false));
      return;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    pollfd p[2] = {{fd, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(p, 2, static_cast<int>(left.count())) <= 0 || p[1].revents != 0) return;
    char buf[2048];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    head.append(buf, static_cast<size_t>(n));
  }
  std::string line = head.substr(0, head.find_first_of("\r\n"));
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string::npos ? std::string::npos : line.find(' ', sp1 + 1);
  std::string method = line.substr(0, sp1);
  std::string path =
      sp1 == std::string::npos ? "" : line.substr(sp1 + 1, sp2 == std::string::npos ? sp2 : sp2 - sp1 - 1);
  path = path.substr(0, path.find('?'));
  bool is_head = method == "HEAD";
  const std::string text = "text/plain; charset=utf-8";
  if (method != "GET" && !is_head) {
    write_all(fd, response(405, "Method Not Allowed", text, "only GET and HEAD\n", false));
  } else if (path == "/metrics") {
    write_all(fd, response(200, "OK", "text/plain; version=0.0.4; charset=utf-8", metrics_(), is_head));
  } else if (path == "/healthz" || path == "/livez") {
    write_all(fd, response(200, "OK", text, "ok\n", is_head));
  } else if (path == "/readyz") {
    bool ok = ready_();
    write_all(fd, ok ? response(200, "OK", text, "ready\n", is_head)
                     : response(503, "Service Unavailable", text, "not ready\n", is_head));
  } else if (path == "/") {
    write_all(fd, response(200, "OK", text, "/metrics /healthz /readyz\n", is_head));
  } else {
    write_all(fd, response(404, "Not Found", text, "not found; try /metrics, /healthz or /readyz\n", is_head));
  }
}

}  // namespace airstream
