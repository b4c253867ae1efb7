// Cluster topology for cql::Session: reads system.local and system.peers_v2 (Cassandra
// 4+, whatever the protocol version: it carries each node's native port), else
// system.peers (3.11, ScyllaDB) over the control connection, builds the token ring
// (each node owns the range ending at each of its tokens, Murmur3Partitioner), lists the replicas of a token by walking
// the ring from the first token >= it, and reconnects nodes that failed from a background thread so that the event loop
// never blocks on a connect or handshake.
#include <algorithm>
#include <charconv>

#include "common/cql/session_impl.h"
#include "common/signals.h"

namespace airstream::cql {
namespace {

// A system query on the (still blocking) control connection, every page of it.
Result<ResultMessage> control_query(Connection& c, const std::string& cql) {
  std::optional<ResultMessage> all;
  std::optional<std::string> paging_state;
  for (int page = 0; page < kMaxPages; page++) {
    auto f = c.request(kOpQuery, query_body(c.version(), cql, kOne, kSystemPageSize, paging_state));
    if (!f.ok()) return f.status();
    if (f->header.opcode == kOpError) {
      CqlError e = decode_error(f->message(), c.version());
      return Status(kExitUnavailable, e.describe());
    }
    if (f->header.opcode != kOpResult) return Status(kExitUnavailable, "unexpected answer to a system query");
    auto res = decode_result(f->message(), c.version());
    if (!res.ok()) return res;
    if (!merge_page(all, std::move(*res), paging_state)) return std::move(*all);
  }
  return Status(kExitUnavailable, "too many pages in the answer to: " + cql);
}

std::vector<int64_t> tokens_of(const Rows& rows, size_t row) {
  std::vector<int64_t> out;
  int col = rows.column("tokens");
  if (col < 0 || !rows.rows[row][static_cast<size_t>(col)]) return out;
  for (auto t : split_collection(*rows.rows[row][static_cast<size_t>(col)])) {
    int64_t v;
    auto r = std::from_chars(t.data(), t.data() + t.size(), v);
    if (r.ec == std::errc()) out.push_back(v);
  }
  return out;
}

}  // namespace

// One row of system.peers (or peers_v2, which has each node's native port; peers
// has none, so the contact point's port is assumed). An rpc_address of 0.0.0.0 or
// :: (a node listening on every interface) means: use its peer address.
Host peer_host(const Rows& rows, size_t i, bool v2, uint16_t default_port) {
  Host h;
  h.info.port = default_port;
  if (v2) {
    h.info.address = rows.text(i, "native_address");
    std::string port = rows.text(i, "native_port");
    int p = 0;
    std::from_chars(port.data(), port.data() + port.size(), p);
    if (p > 0 && p < 65536) h.info.port = static_cast<uint16_t>(p);
  } else {
    h.info.address = rows.text(i, "rpc_address");
  }
  if (h.info.address.empty() || h.info.address == "0.0.0.0" || h.info.address == "::")
    h.info.address = rows.text(i, "peer");
  h.info.dc = rows.text(i, "data_center");
  h.info.rack = rows.text(i, "rack");
  h.tokens = tokens_of(rows, i);
  return h;
}

Status Session::Impl::discover(Connection& control, int& control_host) {
  Host& ch = hosts[static_cast<size_t>(control_host)];
  auto local = control_query(control, "SELECT * FROM system.local WHERE key='local'");
  if (!local.ok() || local->rows.rows.empty()) {
    // Not a full Cassandra: use the contact points as given, no token awareness.
    return Status::Ok();
  }
  ch.info.dc = local->rows.text(0, "data_center");
  ch.info.rack = local->rows.text(0, "rack");
  ch.tokens = tokens_of(local->rows, 0);
  std::string partitioner = local->rows.text(0, "partitioner");
  bool murmur = partitioner.empty() || partitioner.find("Murmur3Partitioner") != std::string::npos;

  if (opt.discover_peers) {
    // peers_v2 on every protocol version (Cassandra 4+ has it, with each node's
    // native port, also to v4 clients), else peers (3.11, ScyllaDB), as the drivers do.
    Result<ResultMessage> peers = control_query(control, "SELECT * FROM system.peers_v2");
    bool v2 = peers.ok();
    if (!v2) peers = control_query(control, "SELECT * FROM system.peers");
    if (peers.ok()) {
      std::vector<Host> found;
      found.push_back(std::move(ch));
      const Rows& rows = peers->rows;
      for (size_t i = 0; i < rows.rows.size(); i++) {
        Host h = peer_host(rows, i, v2, found[0].info.port);
        if (h.info.address.empty()) continue;
        bool dup = false;
        for (auto& f : found) dup = dup || (f.info.address == h.info.address && f.info.port == h.info.port);
        if (!dup) found.push_back(std::move(h));
      }
      hosts = std::move(found);
      control_host = 0;
    }
  }
  if (!opt.local_dc.empty()) {
    bool any = false;
    std::string known;
    for (auto& h : hosts) {
      h.info.ignored = h.info.dc != opt.local_dc;
      any = any || !h.info.ignored;
      if (known.find(h.info.dc) == std::string::npos) known += (known.empty() ? "" : ", ") + h.info.dc;
    }
    if (!any) return Status(kExitConfig, "no node in data center '" + opt.local_dc + "' (known: " + known + ")");
  }
  build_ring();
  token_aware = murmur && !ring.empty();
  return Status::Ok();
}

void Session::Impl::build_ring() {
  ring.clear();
  for (size_t i = 0; i < hosts.size(); i++) {
    if (hosts[i].info.ignored) continue;
    for (int64_t t : hosts[i].tokens) ring.emplace_back(t, static_cast<int>(i));
  }
  std::sort(ring.begin(), ring.end());
}

std::vector<int> Session::Impl::replicas(int64_t token) const {
  std::vector<int> out;
  if (ring.empty()) return out;
  auto it = std::lower_bound(ring.begin(), ring.end(), std::make_pair(token, std::numeric_limits<int>::min()));
  size_t start = static_cast<size_t>(it - ring.begin()) % ring.size();
  for (size_t k = 0; k < ring.size() && out.size() < hosts.size(); k++) {
    int h = ring[(start + k) % ring.size()].second;
    if (std::find(out.begin(), out.end(), h) == out.end()) out.push_back(h);
  }
  return out;
}

int Session::Impl::pick_host(Pending* p) {
  auto usable = [&](int h) {
    const Host& x = hosts[static_cast<size_t>(h)];
    return x.info.up && !x.info.ignored && !x.conns.empty();
  };
  if (p->req.pin_host >= 0) return usable(p->req.pin_host) ? p->req.pin_host : -1;
  if (token_aware && p->req.has_token) {
    for (int h : replicas(p->req.token))
      if (usable(h)) return h;
  }
  for (size_t k = 0; k < hosts.size(); k++) {
    int h = static_cast<int>((rr + k) % hosts.size());
    if (usable(h)) {
      rr = static_cast<size_t>(h) + 1;
      return h;
    }
  }
  return -1;
}

void Session::Impl::schedule_reconnects(Clock::time_point now) {
  bool any = false;
  for (size_t i = 0; i < hosts.size(); i++) {
    Host& h = hosts[i];
    if (h.info.ignored || h.connecting || static_cast<int>(h.conns.size()) >= h.wanted_conns) continue;
    if (now < h.next_attempt) continue;
    h.connecting = true;
    std::lock_guard<std::mutex> lk(rmu);
    reconnect_queue.push_back(static_cast<int>(i));
    any = true;
  }
  if (any) rcv.notify_one();
}

void Session::Impl::reconnect_loop() {
  block_signals_in_thread();
  for (;;) {
    int h;
    {
      std::unique_lock<std::mutex> lk(rmu);
      rcv.wait(lk, [&] { return rstop || !reconnect_queue.empty(); });
      if (rstop) return;
      h = reconnect_queue.front();
      reconnect_queue.pop_front();
    }
    if (h == kRefreshTopology) {
      refresh_topology();
      continue;
    }
    auto c = Connection::open(conn_options(h));
    Event e;
    e.host = h;
    if (c.ok()) {
      e.type = Event::kNewConn;
      e.conn = std::move(*c);
    } else {
      e.type = Event::kConnFailed;
      e.error = c.status().message();
    }
    post(std::move(e));
  }
}

}  // namespace airstream::cql
