// Listening side of the CQL test server: one listening socket per node (node I
// on the I-th loopback address counted from --listen, all on one port), one
// thread per client connection, the registry of open connections (so `drop`
// and `down I` can close them) and the fault commands read from stdin.
#include "server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <sstream>

#include "connection.h"
#include "murmur3.h"

namespace cqlsrv {

bool take_fault(std::atomic<int>& counter) {
  int v = counter.load(std::memory_order_relaxed);
  while (v > 0)
    if (counter.compare_exchange_weak(v, v - 1)) return true;
  return false;
}

bool take_fault(Faults& node, Faults& all, std::atomic<int> Faults::*counter) {
  return take_fault(node.*counter) || take_fault(all.*counter);
}

static std::string nth_address(const std::string& base, int i) {
  in_addr a{};
  if (inet_pton(AF_INET, base.c_str(), &a) != 1) return base;
  a.s_addr = htonl(ntohl(a.s_addr) + static_cast<uint32_t>(i));
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &a, buf, sizeof buf);
  return buf;
}

Server::Server(Options opts) : opts_(std::move(opts)) {
  for (int i = 0; i < opts_.nodes + opts_.joining; i++) {
    auto n = std::make_unique<Node>();
    n->index = i;
    n->addr = nth_address(opts_.listen, i);
    nodes_.push_back(std::move(n));
    node_faults_.push_back(std::make_unique<Faults>());
  }
}

Server::~Server() {
  if (ssl_ctx_) SSL_CTX_free(ssl_ctx_);
}

std::string Server::listen_node(Node& n) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "socket: " + std::string(strerror(errno));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<uint16_t>(opts_.port == 0 ? 0 : node_port(n.index)));
  if (inet_pton(AF_INET, n.addr.c_str(), &sa.sin_addr) != 1) {
    close(fd);
    return "invalid listen address " + n.addr;
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0 || listen(fd, 512) < 0) {
    std::string err = n.addr + ":" + std::to_string(node_port(n.index)) + ": " + strerror(errno);
    close(fd);
    return err;
  }
  if (opts_.port == 0) {
    socklen_t len = sizeof sa;
    getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    opts_.port = ntohs(sa.sin_port);
  }
  n.listen_fd = fd;
  n.up = true;
  n.acceptor = std::thread([this, p = &n, fd] { accept_loop(p, fd); });
  return "";
}

void Server::close_node(Node& n) {
  if (n.listen_fd < 0) return;
  {
    std::lock_guard<std::mutex> lock(n.mu);
    n.up = false;
  }
  shutdown(n.listen_fd, SHUT_RDWR);
  if (n.acceptor.joinable()) n.acceptor.join();
  close(n.listen_fd);
  n.listen_fd = -1;
}

std::string Server::start() {
  if (!opts_.cert.empty()) {
    ssl_ctx_ = SSL_CTX_new(TLS_server_method());
    if (!ssl_ctx_ || SSL_CTX_use_certificate_chain_file(ssl_ctx_, opts_.cert.c_str()) != 1 ||
        SSL_CTX_use_PrivateKey_file(ssl_ctx_, opts_.key.c_str(), SSL_FILETYPE_PEM) != 1)
      return "cannot load TLS certificate " + opts_.cert + " / key " + opts_.key;
  }
  const bool pick = opts_.port == 0;
  std::string err;
  for (int attempt = 0; attempt < 20; attempt++) {
    if (pick) opts_.port = 0;
    err.clear();
    for (int i = 0; i < opts_.nodes; i++) {
      err = listen_node(*nodes_[static_cast<size_t>(i)]);
      if (!err.empty()) break;
    }
    if (err.empty()) break;
    for (auto& n : nodes_) close_node(*n);
    if (!pick) break;
  }
  if (!err.empty()) return err;
  std::vector<std::string> addrs;
  for (auto& n : nodes_) addrs.push_back(n->addr);
  store_ = std::make_unique<Store>(opts_.nodes, opts_.vnodes, addrs, opts_.port);
  store_->cassandra3 = opts_.cassandra3();
  store_->rpc_any = opts_.rpc_any;
  store_->port_per_node = opts_.port_per_node;
  return "";
}

void Server::accept_loop(Node* n, int fd) {
  for (;;) {
    int c = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE) {
        usleep(10000);
        continue;
      }
      return;
    }
    int one = 1;
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (!store_ || !add_conn(n->index, c)) {
      close(c);
      continue;
    }
    std::thread([this, idx = n->index, c] { serve_connection(*this, idx, c); }).detach();
  }
}

bool Server::add_conn(int node, int fd) {
  Node& n = *nodes_[static_cast<size_t>(node)];
  std::lock_guard<std::mutex> lock(n.mu);
  if (!n.up) return false;
  n.conns[fd] = nullptr;
  return true;
}

void Server::attach(int node, int fd, Connection* c) {
  Node& n = *nodes_[static_cast<size_t>(node)];
  std::lock_guard<std::mutex> lock(n.mu);
  auto it = n.conns.find(fd);
  if (it != n.conns.end()) it->second = c;
}

void Server::push_event(int about, const std::string& type, const std::string& change) {
  const std::string& addr = nodes_[static_cast<size_t>(about)]->addr;
  for (auto& n : nodes_) {
    if (n->index == about || n->stopped) continue;
    std::lock_guard<std::mutex> lock(n->mu);
    if (!n->up) continue;
    for (auto& [fd, c] : n->conns)
      if (c) c->push_event(type, change, addr, node_port(about));
  }
}

void Server::push_schema_change(const std::string& body) {
  for (auto& n : nodes_) {
    if (n->stopped) continue;
    std::lock_guard<std::mutex> lock(n->mu);
    if (!n->up) continue;
    for (auto& [fd, c] : n->conns)
      if (c) c->push_body("SCHEMA_CHANGE", body);
  }
}

void Server::remove_conn(int node, int fd) {
  Node& n = *nodes_[static_cast<size_t>(node)];
  std::lock_guard<std::mutex> lock(n.mu);
  n.conns.erase(fd);
  close(fd);
}

void Server::drop_conns(Node& n) {
  std::lock_guard<std::mutex> lock(n.mu);
  for (auto& [fd, c] : n.conns) shutdown(fd, SHUT_RDWR);
}

void Server::stop() {
  for (auto& n : nodes_) {
    close_node(*n);
    drop_conns(*n);
  }
}

std::string Server::command(const std::string& line, bool& quit) {
  std::istringstream in(line);
  std::string cmd;
  long arg = -1, node_arg = 0;
  in >> cmd;
  bool has_arg = static_cast<bool>(in >> arg);
  bool has_node = has_arg && static_cast<bool>(in >> node_arg);
  // `overloaded N` applies to requests of every node, `overloaded N I` to node I's only.
  auto counter = [&](std::atomic<int> Faults::*c) {
    if (!has_arg || arg < 0) return "error: " + cmd + " needs a count";
    if (has_node && (node_arg < 1 || node_arg > static_cast<long>(nodes_.size())))
      return "error: " + cmd + " N I: no node " + std::to_string(node_arg);
    Faults& f = has_node ? *node_faults_[static_cast<size_t>(node_arg - 1)] : faults_;
    (f.*c).store(static_cast<int>(arg));
    return "ok " + cmd + " " + std::to_string(arg) + (has_node ? " node " + std::to_string(node_arg) : "");
  };
  if (cmd == "overloaded") return counter(&Faults::overloaded);
  if (cmd == "write_timeout") return counter(&Faults::write_timeout);
  if (cmd == "unavailable") return counter(&Faults::unavailable);
  if (cmd == "bootstrapping") return counter(&Faults::bootstrapping);
  if (cmd == "delay") return counter(&Faults::delay_ms);
  if (cmd == "gate") return counter(&Faults::gate_rows);  // of every node (the count is the cluster's)
  if (cmd == "drop") {
    size_t count = 0;
    for (auto& n : nodes_) {
      std::lock_guard<std::mutex> lock(n->mu);
      count += n->conns.size();
      for (auto& [fd, c] : n->conns) shutdown(fd, SHUT_RDWR);
    }
    return "ok drop " + std::to_string(count);
  }
  if (cmd == "down" || cmd == "up" || cmd == "stop" || cmd == "start") {
    const int known = static_cast<int>(nodes_.size());
    if (!has_arg || arg < 1 || arg > known || !store_->joined(static_cast<int>(arg - 1)))
      return "error: " + cmd + " needs the number of a node of the ring (1.." + std::to_string(known) + ")";
    const int i = static_cast<int>(arg - 1);
    Node& n = *nodes_[static_cast<size_t>(i)];
    if (cmd == "down" || cmd == "stop") {  // down: process gone (connections closed); stop: hung
      n.stopped = cmd == "stop";
      store_->set_alive(i, false);
      close_node(n);
      if (cmd == "down") drop_conns(n);
      push_event(i, "STATUS_CHANGE", "DOWN");
    } else {
      n.stopped = false;
      if (n.listen_fd < 0) {
        std::string err = listen_node(n);
        if (!err.empty()) return "error: " + cmd + " " + std::to_string(arg) + ": " + err;
      }
      store_->set_alive(i, true);
      push_event(i, "STATUS_CHANGE", "UP");
    }
    return "ok " + cmd + " " + std::to_string(arg);
  }
  if (cmd == "add") {  // the next --joining node joins the ring
    for (auto& n : nodes_) {
      if (store_->joined(n->index)) continue;
      std::string err = listen_node(*n);
      if (!err.empty()) return "error: add: " + err;
      store_->join(n->index);
      store_->set_alive(n->index, true);
      push_event(n->index, "TOPOLOGY_CHANGE", "NEW_NODE");
      push_event(n->index, "STATUS_CHANGE", "UP");
      return "ok add " + std::to_string(n->index + 1);
    }
    return "error: add: no node left to join (start with --joining N)";
  }
  if (cmd == "token") {  // token HEX: the Murmur3 token of a serialized partition key
    std::string hex, key;
    std::istringstream(line) >> cmd >> hex;
    if (hex.size() % 2 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
      return "error: token needs an even number of hex digits";
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
      key.push_back(static_cast<char>(std::strtol(hex.substr(i, 2).c_str(), nullptr, 16)));
    int64_t t = murmur3_token(key);
    return "token " + std::to_string(t) + " node " + std::to_string(store_->owner(t) + 1);
  }
  if (cmd == "forget_prepared") {
    store_->forget_prepared();
    return "ok forget_prepared";
  }
  if (cmd == "stats") {
    std::string out;
    for (int i = 0; i < static_cast<int>(nodes_.size()); i++) {
      NodeStats& s = store_->stats(i);
      Node& n = *nodes_[static_cast<size_t>(i)];
      size_t conns = 0;
      {
        std::lock_guard<std::mutex> lock(n.mu);
        conns = n.conns.size();
      }
      if (i) out += "\n";
      out += "{\"node\":" + std::to_string(i + 1) + ",\"address\":\"" + nodes_[static_cast<size_t>(i)]->addr +
             "\",\"up\":" + (nodes_[static_cast<size_t>(i)]->listen_fd >= 0 ? "true" : "false") +
             ",\"connections\":" + std::to_string(conns) + ",\"requests\":" + std::to_string(s.requests.load()) +
             ",\"rows_written\":" + std::to_string(s.rows_written.load()) +
             ",\"rows_not_replica\":" + std::to_string(s.rows_not_replica.load()) +
             ",\"faults\":" + std::to_string(s.faults.load()) +
             ",\"unavailable\":" + std::to_string(s.unavailable.load()) + "}";
    }
    return out;
  }
  if (cmd == "quit") {
    quit = true;
    return "ok quit";
  }
  return "error: unknown command '" + cmd + "'";
}

}  // namespace cqlsrv
