// Cluster events for cql::Session (native_protocol_v4.spec sections 4.1.8 REGISTER
// and 4.2.6 EVENT): one connection (the control connection, the first one opened)
// registers for TOPOLOGY_CHANGE and STATUS_CHANGE; the server pushes EVENT messages
// on stream -1. STATUS_CHANGE DOWN closes the node's connections (their requests go
// to other replicas at once, not after a request timeout) and UP reconnects it
// without waiting for the backoff; TOPOLOGY_CHANGE NEW_NODE and REMOVED_NODE, and
// an UP of an unknown node, make the reconnection thread read system.peers again:
// new nodes are added to the pool and the token ring, removed ones leave both.
// When the control connection is lost, another connection registers and the peers
// are read again (events may have been missed meanwhile).
#include <algorithm>

#include "common/cql/session_impl.h"

namespace airstream::cql {

std::string register_body() {
  std::string body;
  put_u16(body, 2);
  put_string(body, "TOPOLOGY_CHANGE");
  put_string(body, "STATUS_CHANGE");
  return body;
}

void Session::Impl::register_events(Conn* c) {
  auto* p = new Pending();
  p->req.opcode = kOpRegister;
  p->req.body = register_body();
  p->created = Clock::now();
  self->outstanding_++;
  p->cb = [this, c](Response& r) {
    if (!r.ok() || r.frame.header.opcode != kOpReady) {
      if (control == c) control = nullptr;  // no events from this one; the next new connection tries
    }
  };
  c->control = true;
  control = c;
  send(c, p);
}

void Session::Impl::control_lost() {
  control = nullptr;
  for (auto& h : hosts) {
    if (h.info.ignored) continue;
    for (Conn* c : h.conns) {
      if (c->dead) continue;
      register_events(c);
      queue_refresh();
      return;
    }
  }
}

int Session::Impl::find_host(const std::string& address, int port) const {
  int by_address = -1;
  for (size_t i = 0; i < hosts.size(); i++) {
    if (hosts[i].info.address != address) continue;
    if (hosts[i].info.port == port) return static_cast<int>(i);
    by_address = static_cast<int>(i);
  }
  return by_address;
}

void Session::Impl::queue_refresh() {
  {
    std::lock_guard<std::mutex> lk(rmu);
    if (std::find(reconnect_queue.begin(), reconnect_queue.end(), kRefreshTopology) != reconnect_queue.end()) return;
    reconnect_queue.push_back(kRefreshTopology);
  }
  rcv.notify_one();
}

void Session::Impl::on_event(Frame& f) {
  BodyReader r(f.message());
  std::string type(r.string()), change(r.string());
  std::string address = r.inetaddr();
  int port = r.i32();
  if (!r.ok()) return;
  int h = find_host(address, port);
  std::string node = address + ":" + std::to_string(port);
  if (type == "TOPOLOGY_CHANGE") {
    notice("cluster event: " + change + " " + node);
    if (change == "REMOVED_NODE" && h >= 0) {
      Host& x = hosts[static_cast<size_t>(h)];
      x.info.ignored = true;
      std::vector<Conn*> conns = x.conns;
      for (Conn* c : conns) conn_failed(c, "node removed from the cluster");
      build_ring();
    }
    queue_refresh();
    return;
  }
  if (type != "STATUS_CHANGE") return;
  if (h < 0) {
    if (change == "UP") queue_refresh();
    return;
  }
  Host& x = hosts[static_cast<size_t>(h)];
  if (x.info.ignored) return;
  if (change == "DOWN") {
    node_failed(h, "the cluster reports it DOWN");
    std::vector<Conn*> conns = x.conns;
    for (Conn* c : conns) conn_failed(c, "the cluster reports the node down");
    mark_down(h);
    x.backoff_ms = opt.reconnect_max_ms;
    x.next_attempt = Clock::now() + std::chrono::milliseconds(x.backoff_ms);
  } else if (change == "UP") {
    notice("cluster event: node " + node + " is UP");
    x.backoff_ms = 0;
    x.next_attempt = Clock::now();
  }
}

// Reconnection thread: reads the peers table (every page) and hands the result to
// the event loop.
void Session::Impl::refresh_topology() {
  // Pinned to a node that is up, so that this thread (which also reconnects
  // nodes) never waits for a node to come back.
  int pin = -1;
  {
    std::lock_guard<std::mutex> lk(mu);
    for (size_t i = 0; i < hosts.size() && pin < 0; i++)
      if (hosts[i].info.up && !hosts[i].info.ignored) pin = static_cast<int>(i);
  }
  if (pin < 0) return;  // read again when the control connection registers
  Result<ResultMessage> peers = self->query("SELECT * FROM system.peers_v2", kOne, pin);  // as discover()
  bool v2 = peers.ok();
  if (!v2) peers = self->query("SELECT * FROM system.peers", kOne, pin);
  if (!peers.ok()) return;
  uint16_t port;
  {
    std::lock_guard<std::mutex> lk(mu);
    port = hosts.empty() ? opt.default_port : hosts[0].info.port;
  }
  Event e;
  e.type = Event::kTopology;
  for (size_t i = 0; i < peers->rows.rows.size(); i++) {
    Host h = peer_host(peers->rows, i, v2, port);
    if (!h.info.address.empty()) e.peers.push_back(std::move(h));
  }
  post(std::move(e));
}

// Event loop: adds the nodes it did not know (they connect through the
// reconnection schedule) and takes the current tokens of the others.
void Session::Impl::merge_topology(std::vector<Host>& peers) {
  for (Host& p : peers) {
    int h = find_host(p.info.address, p.info.port);
    if (h >= 0 && hosts[static_cast<size_t>(h)].info.port != p.info.port) h = -1;
    if (h >= 0) {
      hosts[static_cast<size_t>(h)].tokens = std::move(p.tokens);
      continue;
    }
    p.info.ignored = !opt.local_dc.empty() && p.info.dc != opt.local_dc;
    p.wanted_conns = p.info.ignored ? 0 : std::max(1, opt.connections_per_host);
    p.next_attempt = Clock::now();
    notice("node " + p.info.address + ":" + std::to_string(p.info.port) + " joined the cluster" +
           (p.info.ignored ? " (another data center: not used)" : ": connecting"));
    std::lock_guard<std::mutex> lk(mu);
    hosts.push_back(std::move(p));
  }
  build_ring();
}

}  // namespace airstream::cql
