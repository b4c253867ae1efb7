// MetricsServer: answers /metrics, /healthz, /readyz (200 or 503), 404 and 405 over a
// real loopback socket; refuses malformed addresses (64) and a port in use (69).
#include "common/metrics/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>

#include <gtest/gtest.h>

namespace airstream {
namespace {

std::string get(int port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return "";
  }
  (void)!write(fd, request.data(), request.size());
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

TEST(MetricsServer, ServesPaths) {
  std::atomic<bool> ready{false};
  MetricsServer s;
  ASSERT_TRUE(s.start(
                   "127.0.0.1:0", [] { return std::string("m_total 1\n"); }, [&] { return ready.load(); })
                  .ok());
  ASSERT_GT(s.port(), 0);
  std::string r = get(s.port(), "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(r.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << r;
  EXPECT_NE(r.find("version=0.0.4"), std::string::npos);
  EXPECT_NE(r.find("\r\n\r\nm_total 1\n"), std::string::npos);
  EXPECT_EQ(get(s.port(), "GET /healthz HTTP/1.0\r\n\r\n").rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_EQ(get(s.port(), "GET /readyz HTTP/1.0\r\n\r\n").rfind("HTTP/1.1 503", 0), 0u);
  ready = true;
  EXPECT_EQ(get(s.port(), "GET /readyz HTTP/1.0\r\n\r\n").rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_EQ(get(s.port(), "GET /nope HTTP/1.0\r\n\r\n").rfind("HTTP/1.1 404", 0), 0u);
  EXPECT_EQ(get(s.port(), "DELETE /metrics HTTP/1.0\r\n\r\n").rfind("HTTP/1.1 405", 0), 0u);
  std::string head = get(s.port(), "HEAD /metrics HTTP/1.0\r\n\r\n");
  EXPECT_EQ(head.find("m_total"), std::string::npos);
  // A client that sends an endless head is cut off, and the server goes on.
  EXPECT_EQ(get(s.port(), "GET /" + std::string(9000, 'a')).rfind("HTTP/1.1 431", 0), 0u);
  EXPECT_EQ(get(s.port(), "GET /healthz HTTP/1.0\r\n\r\n").rfind("HTTP/1.1 200", 0), 0u);
}

TEST(MetricsServer, AddressErrors) {
  MetricsServer a, b;
  EXPECT_EQ(a.start(
                 "localhost", [] { return std::string(); }, [] { return true; })
                .exit_code(),
            kExitUsage);
  EXPECT_EQ(a.start(
                 "127.0.0.1:99999", [] { return std::string(); }, [] { return true; })
                .exit_code(),
            kExitUsage);
  ASSERT_TRUE(a.start(
                   "127.0.0.1:0", [] { return std::string(); }, [] { return true; })
                  .ok());
  EXPECT_EQ(b.start(
                 "127.0.0.1:" + std::to_string(a.port()), [] { return std::string(); }, [] { return true; })
                .exit_code(),
            kExitUnavailable);
}

}  // namespace
}  // namespace airstream
