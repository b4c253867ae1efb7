// The test server: N nodes (node i listens on the i-th loopback address, same
// port), one shared store, fault injection driven by stdin commands.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "store.h"

namespace cqlsrv {

struct Options {
  std::string listen = "127.0.0.1";
  int port = 9042;
  int nodes = 1;
  bool auth = false;
  std::string user, password;
  std::string cert, key;
  int version_max = 5;
  int vnodes = 1;   // tokens per node
  int joining = 0;  // extra nodes, not in the ring until `add` makes one join
  // native_transport_max_frame_size in MiB (0: Cassandra's default, 16; 256 as 3.11)
  int max_frame_mb = 0;
  bool rpc_any = false;        // system.peers lists rpc_address 0.0.0.0 (clients use `peer`)
  bool port_per_node = false;  // node I listens on port + I - 1 (peers_v2 native_port tells)
  // --version-max 4 emulates Cassandra 3.11 (v5 was a beta there: a v5 request gets
  // its "USE_BETA flag is unset" protocol error; no system.peers_v2).
  bool cassandra3() const { return version_max < 5; }
  uint32_t max_frame_bytes() const {
    return static_cast<uint32_t>(max_frame_mb > 0 ? max_frame_mb : cassandra3() ? 256 : 16) << 20;
  }
};

class Connection;

// Pending injected failures, shared by every node.
struct Faults {
  std::atomic<int> overloaded{0}, write_timeout{0}, unavailable{0}, bootstrapping{0};
  std::atomic<int> delay_ms{0};
  // gate ROWS: while the nodes together wrote ROWS rows or more, each write request
  // is answered kGateDelayMs late (0: off), so that a test can hold writers back at a
  // point of its run however fast they are.
  std::atomic<int> gate_rows{0};
  static constexpr int kGateDelayMs = 1000;
};

// Takes one from a counter if it is positive.
bool take_fault(std::atomic<int>& counter);
// Takes one from the node's own counter, else from the shared one.
bool take_fault(Faults& node, Faults& all, std::atomic<int> Faults::*counter);

class Server {
 public:
  explicit Server(Options opts);
  ~Server();
  // Binds every node (picking a free port when port is 0). Returns "" or an error.
  std::string start();
  // Runs one stdin command; returns its one-line reply. Sets quit for "quit".
  std::string command(const std::string& line, bool& quit);
  void stop();

  Store& store() { return *store_; }
  Faults& faults() { return faults_; }
  Faults& faults(int node) { return *node_faults_[static_cast<size_t>(node)]; }
  const Options& options() const { return opts_; }
  SSL_CTX* ssl_ctx() { return ssl_ctx_; }
  int port() const { return opts_.port; }
  int node_port(int node) const { return opts_.port + (opts_.port_per_node ? node : 0); }

  // Connection registry (so drop/down can close client connections, and events
  // reach the connections registered for them).
  bool add_conn(int node, int fd);
  void remove_conn(int node, int fd);
  void attach(int node, int fd, Connection* c);
  // Pushes a SCHEMA_CHANGE EVENT (body: type, change, target, keyspace[, name]) to
  // the registered connections of every node that is up, as each Cassandra node
  // tells its clients of a schema change made anywhere in the cluster.
  void push_schema_change(const std::string& body);
  // A stopped node keeps its connections open but answers nothing (a hung node).
  bool stopped(int node) const { return nodes_[static_cast<size_t>(node)]->stopped.load(); }

 private:
  struct Node {
    int index = 0;
    std::string addr;
    int listen_fd = -1;
    std::thread acceptor;
    std::mutex mu;
    std::map<int, Connection*> conns;  // fd -> connection (null until it runs)
    bool up = false;
    std::atomic<bool> stopped{false};
  };
  // Pushes an EVENT about node `about` to the registered connections of every
  // other node that is up, as each Cassandra node tells its clients of the others.
  void push_event(int about, const std::string& type, const std::string& change);
  std::string listen_node(Node& n);
  void close_node(Node& n);
  void drop_conns(Node& n);
  void accept_loop(Node* n, int fd);

  Options opts_;
  std::unique_ptr<Store> store_;
  Faults faults_;                                     // every node
  std::vector<std::unique_ptr<Faults>> node_faults_;  // `overloaded N I`: node I only
  SSL_CTX* ssl_ctx_ = nullptr;
  std::vector<std::unique_ptr<Node>> nodes_;
};

// Serves one accepted client connection until it closes.
void serve_connection(Server& server, int node, int fd);

}  // namespace cqlsrv
