// Internals of cql::Session shared by session.cc (event loop, dispatch, retries),
// topology.cc (discovery, token ring, replica choice, reconnection thread) and
// events.cc (REGISTER, cluster events, topology refresh).
#pragma once

#include <condition_variable>
#include <deque>
#include <queue>
#include <random>
#include <thread>

#include "common/cql/session.h"

namespace airstream::cql {

using Clock = std::chrono::steady_clock;

struct Pending {
  Request req;
  Callback cb;
  int attempts = 0;
  int unprepared = 0;
  int host = -1;
  Clock::time_point deadline;
  Clock::time_point sent;
  Clock::time_point created;
};

struct Conn {
  std::unique_ptr<Connection> c;
  int host = -1;
  std::vector<Pending*> streams;
  std::vector<int16_t> free_ids;
  int in_flight = 0;
  bool dead = false;
  bool epollout = false;
  bool dirty = false;
  bool control = false;         // registered for cluster events
  Clock::time_point last_read;  // when a frame last arrived (or the connection was added)
};

struct Host {
  HostInfo info;
  std::vector<int64_t> tokens;
  std::vector<Conn*> conns;
  std::deque<Pending*> waiting;
  int wanted_conns = 0;
  bool connecting = false;
  int backoff_ms = 0;
  Clock::time_point next_attempt;
  std::string last_error;  // why it is not used (reported once per reason)
};

struct Event {
  enum Type { kSubmit, kNewConn, kConnFailed, kStop, kTopology } type = kSubmit;
  Pending* p = nullptr;
  int host = -1;
  std::unique_ptr<Connection> conn;
  std::string error;
  std::vector<Host> peers;  // kTopology: the nodes system.peers lists now
};

// A job of the reconnection thread that is not a host: read system.peers again.
inline constexpr int kRefreshTopology = -1;

Host peer_host(const Rows& rows, size_t i, bool v2, uint16_t default_port);

struct Session::Impl {
  Session* self = nullptr;
  SessionOptions opt;
  std::shared_ptr<TlsContext> tls;
  int version = 4;
  std::vector<Host> hosts;
  std::vector<std::pair<int64_t, int>> ring;  // sorted (token, host)
  bool token_aware = false;

  // Event loop.
  int epfd = -1;
  int evfd = -1;
  std::thread loop_thread;
  std::mutex mu;
  std::vector<Event> incoming;
  bool wake_pending = false;
  std::vector<Conn*> dirty;
  std::vector<Conn*> graveyard;
  std::deque<Pending*> no_host;  // waiting for any host to come up
  std::priority_queue<std::pair<Clock::time_point, Pending*>, std::vector<std::pair<Clock::time_point, Pending*>>,
                      std::greater<>>
      timers;
  Clock::time_point next_scan;
  size_t rr = 0;
  std::mt19937 rng{12345};
  bool stopping = false;
  std::string scratch;

  // Reconnection thread.
  std::thread reconnect_thread;
  std::mutex rmu;
  std::condition_variable rcv;
  std::deque<int> reconnect_queue;
  bool rstop = false;

  ~Impl();
  ConnectionOptions conn_options(int host) const;
  void post(Event e);
  void run_loop();
  void handle_event(Event& e);
  void add_conn(int host, std::unique_ptr<Connection> c);
  void dispatch(Pending* p);
  int pick_host(Pending* p);
  Conn* pick_conn(int host);
  void send(Conn* c, Pending* p);
  void on_frame(Conn* c, Frame& f);
  void conn_failed(Conn* c, const std::string& why);
  void fail_attempt(Pending* p, const std::string& why, bool connection_problem);
  void retry_later(Pending* p);
  void complete(Pending* p, Response& r);
  void reprepare(Conn* c, Pending* p);
  void scan_timeouts(Clock::time_point now);
  void mark_down(int host);
  void schedule_reconnects(Clock::time_point now);
  void flush_dirty();
  void drain_waiting(int host, Conn* c);
  void shutdown_all();
  // Reports (once per distinct reason) that a node cannot be used, or is used again.
  void node_failed(int host, const std::string& why);
  void node_back(int host);
  void notice(const std::string& text) const;
  // "addr:port: why; ..." of the nodes that are down (for a request no node took).
  std::string unreachable_nodes() const;

  // cluster events (events.cc)
  Conn* control = nullptr;  // the connection registered for events, if any
  void register_events(Conn* c);
  void on_event(Frame& f);
  void control_lost();
  void merge_topology(std::vector<Host>& peers);
  void refresh_topology();  // reconnection thread
  void queue_refresh();
  int find_host(const std::string& address, int port) const;

  // topology (cql_topology.cc)
  Status discover(Connection& control, int& control_host);  // control_host: its index after
  void build_ring();
  std::vector<int> replicas(int64_t token) const;
  void reconnect_loop();
};

}  // namespace airstream::cql
