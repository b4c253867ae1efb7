// cql::Session event loop: one thread owns every connection (epoll), assigns stream
// ids (native_protocol_v4.spec 2.3: up to 32768 per connection, responses matched by
// id, in any order), encodes EXECUTE (<id>[<result_metadata_id> on v5]<parameters>)
// and BATCH (<type><n><kind=1><id><n><values>...<consistency><flags>, spec 4.1.7)
// frames, coalesces writes, and decides what to do with each answer: ERROR Unprepared
// (0x2500) -> PREPARE again on that node and resend; retryable errors and lost
// connections of idempotent requests -> resend after exponential backoff with jitter
// (to another replica when possible) up to max_retries; anything else completes.
#include "common/cql/session_impl.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <future>

#include "common/signals.h"

namespace airstream::cql {
namespace {
Pending* const kOrphan = reinterpret_cast<Pending*>(uintptr_t{1});
}

std::string Response::describe() const {
  if (kind == kServerError) return error.describe();
  if (kind == kFailed) return failure;
  return "ok";
}

bool split_host_port(std::string_view text, uint16_t default_port, std::string& host, uint16_t& port) {
  port = default_port;
  if (text.empty()) return false;
  std::string_view rest;
  if (text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return false;
    host = std::string(text.substr(1, close - 1));
    rest = text.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return false;
  } else {
    size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
      host = std::string(text);  // bare IPv6
      return true;
    }
    host = std::string(text.substr(0, colon));
    rest = colon == std::string_view::npos ? std::string_view() : text.substr(colon);
  }
  if (!rest.empty()) {
    rest.remove_prefix(1);
    unsigned v = 0;
    if (rest.empty() || rest.size() > 5) return false;
    for (char c : rest) {
      if (c < '0' || c > '9') return false;
      v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v == 0 || v > 65535) return false;
    port = static_cast<uint16_t>(v);
  }
  return !host.empty();
}

Session::Impl::~Impl() {
  if (epfd >= 0) close(epfd);
  if (evfd >= 0) close(evfd);
}

ConnectionOptions Session::Impl::conn_options(int host) const {
  ConnectionOptions o;
  o.host = hosts[static_cast<size_t>(host)].info.address;
  o.port = hosts[static_cast<size_t>(host)].info.port;
  o.version = version;
  o.lz4 = opt.lz4;
  o.has_credentials = opt.has_credentials;
  o.username = opt.username;
  o.password = opt.password;
  o.tls = tls;
  o.timeout_ms = opt.connect_timeout_ms;
  return o;
}

Result<std::unique_ptr<Session>> Session::connect(const SessionOptions& options) {
  std::unique_ptr<Session> s(new Session());
  s->impl_ = std::make_unique<Impl>();
  Impl& im = *s->impl_;
  im.self = s.get();
  im.opt = options;
  if (im.opt.contact_points.empty()) im.opt.contact_points.push_back("127.0.0.1");
  if (options.tls.enabled) {
    auto t = TlsContext::create(options.tls);
    if (!t.ok()) return t.status();
    im.tls = *t;
  }
  // Contact points become the initial hosts.
  for (const auto& cp : im.opt.contact_points) {
    Host h;
    if (!split_host_port(cp, im.opt.default_port, h.info.address, h.info.port))
      return Status(kExitUsage, "bad host '" + cp + "' (want host[:port])");
    im.hosts.push_back(std::move(h));
  }
  // Find a reachable contact point and negotiate the version there.
  std::unique_ptr<Connection> control;
  int control_host = -1;
  Status last(kExitUnavailable, "no contact point");
  for (size_t i = 0; i < im.hosts.size() && !control; i++) {
    for (int v = options.protocol_version ? options.protocol_version : 5; v >= 4; v--) {
      im.version = v;
      auto c = Connection::open(im.conn_options(static_cast<int>(i)));
      if (c.ok()) {
        control = std::move(*c);
        control_host = static_cast<int>(i);
        break;
      }
      last = c.status();
      if (last.exit_code() == kExitConfig) return last;
      if (last.exit_code() != kExitProtocolVersion || options.protocol_version) break;
    }
  }
  if (!control) {
    if (last.exit_code() == kExitProtocolVersion) return Status(kExitUnavailable, last.message());
    return Status(kExitUnavailable, "no host reachable: " + last.message());
  }
  s->version_ = im.version;
  if (Status st = im.discover(*control, control_host); !st.ok()) return st;
  s->token_aware_ = im.token_aware;

  im.epfd = epoll_create1(EPOLL_CLOEXEC);
  im.evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;
  epoll_ctl(im.epfd, EPOLL_CTL_ADD, im.evfd, &ev);

  // Pools: the control connection serves its host; open the others now.
  int wanted = std::max(1, options.connections_per_host);
  bool any = false;
  for (size_t i = 0; i < im.hosts.size(); i++) {
    Host& h = im.hosts[i];
    if (h.info.ignored) continue;
    h.wanted_conns = wanted;
    if (static_cast<int>(i) == control_host) {
      im.add_conn(static_cast<int>(i), std::move(control));
      if (options.events) im.register_events(h.conns.back());
      any = true;
    }
    while (static_cast<int>(h.conns.size()) < wanted) {
      auto c = Connection::open(im.conn_options(static_cast<int>(i)));
      if (!c.ok()) {
        im.node_failed(static_cast<int>(i), c.status().message());
        h.next_attempt = Clock::now() + std::chrono::milliseconds(im.opt.reconnect_base_ms);
        h.backoff_ms = im.opt.reconnect_base_ms;
        break;
      }
      im.add_conn(static_cast<int>(i), std::move(*c));
      any = true;
    }
  }
  if (!any) return Status(kExitUnavailable, "no node of the local data center is reachable");
  im.loop_thread = std::thread([&im] { im.run_loop(); });
  im.reconnect_thread = std::thread([&im] { im.reconnect_loop(); });
  return s;
}

Session::~Session() {
  if (!impl_) return;
  Impl& im = *impl_;
  {
    std::lock_guard<std::mutex> lk(im.rmu);
    im.rstop = true;
  }
  im.rcv.notify_all();
  if (im.loop_thread.joinable()) {
    Event e;
    e.type = Event::kStop;
    im.post(std::move(e));
    im.loop_thread.join();
  }
  if (im.reconnect_thread.joinable()) im.reconnect_thread.join();
  im.shutdown_all();
}

std::vector<HostInfo> Session::hosts() const {
  std::lock_guard<std::mutex> lk(impl_->mu);
  std::vector<HostInfo> out;
  for (const auto& h : impl_->hosts) out.push_back(h.info);
  return out;
}

int Session::primary_host_for(int64_t token) const {
  auto r = impl_->replicas(token);
  return r.empty() ? -1 : r[0];
}

void Session::Impl::notice(const std::string& text) const {
  if (opt.on_notice) opt.on_notice(text);
}

void Session::Impl::node_failed(int host, const std::string& why) {
  Host& h = hosts[static_cast<size_t>(host)];
  if (why == h.last_error) return;
  h.last_error = why;
  bool other_up = false;
  for (size_t i = 0; i < hosts.size(); i++)
    if (static_cast<int>(i) != host && !hosts[i].conns.empty()) other_up = true;
  notice("node " + h.info.address + ":" + std::to_string(h.info.port) + " is not used (" +
         (other_up ? "its rows go through other nodes" : "no other node is connected: writes wait for one") +
         "; retrying in the background): " + why);
}

void Session::Impl::node_back(int host) {
  Host& h = hosts[static_cast<size_t>(host)];
  if (h.last_error.empty()) return;
  h.last_error.clear();
  notice("node " + h.info.address + ":" + std::to_string(h.info.port) + " is used again");
}

void Session::Impl::post(Event e) {
  bool wake;
  {
    std::lock_guard<std::mutex> lk(mu);
    incoming.push_back(std::move(e));
    wake = !wake_pending;
    wake_pending = true;
  }
  if (wake) {
    uint64_t one = 1;
    ssize_t r = write(evfd, &one, sizeof one);
    (void)r;
  }
}

void Session::submit(Request request, Callback callback) {
  auto* p = new Pending();
  p->req = std::move(request);
  p->cb = std::move(callback);
  p->created = Clock::now();
  outstanding_++;
  Event e;
  e.type = Event::kSubmit;
  e.p = p;
  impl_->post(std::move(e));
}

Response Session::run(Request request) {
  auto prom = std::make_shared<std::promise<Response>>();
  auto fut = prom->get_future();
  submit(std::move(request), [prom](Response& r) { prom->set_value(std::move(r)); });
  return fut.get();
}

Result<ResultMessage> Session::query(std::string_view cql, uint16_t consistency, int pin_host) {
  // Follows the paging state to the last page (system tables of a big schema hold
  // more rows than one page: system_schema.columns of a keyspace with many tables).
  std::optional<ResultMessage> all;
  std::optional<std::string> paging_state;
  for (int page = 0; page < kMaxPages; page++) {
    Request r;
    r.opcode = kOpQuery;
    r.body = query_body(version_, cql, consistency, kSystemPageSize, paging_state);
    r.pin_host = pin_host;
    r.idempotent = true;
    Response resp = run(std::move(r));
    if (!resp.ok()) return Status(resp.kind == Response::kFailed ? kExitTempFail : kExitDataErr, resp.describe());
    if (resp.frame.header.opcode != kOpResult) return Status(kExitSoftware, "unexpected answer to QUERY");
    auto res = decode_result(resp.frame.message(), version_);
    if (!res.ok()) return res;
    if (!merge_page(all, std::move(*res), paging_state)) return std::move(*all);
  }
  return Status(kExitSoftware,
                "more than " + std::to_string(kMaxPages) + " pages in the answer to: " + std::string(cql));
}

Result<std::shared_ptr<PreparedStatement>> Session::prepare(std::string_view cql) {
  auto stmt = std::make_shared<PreparedStatement>();
  stmt->query = std::string(cql);
  std::vector<int> targets;
  {
    std::lock_guard<std::mutex> lk(impl_->mu);
    for (size_t i = 0; i < impl_->hosts.size(); i++)
      if (impl_->hosts[i].info.up && !impl_->hosts[i].info.ignored) targets.push_back(static_cast<int>(i));
  }
  if (targets.empty()) targets.push_back(-1);
  std::optional<Status> first_error;
  bool have = false;
  for (int h : targets) {
    Request r;
    r.opcode = kOpPrepare;
    r.body = prepare_body(version_, cql);
    r.pin_host = h;
    r.idempotent = true;
    Response resp = run(std::move(r));
    if (!resp.ok()) {
      if (resp.kind == Response::kServerError)
        return Status(kExitDataErr, "cannot prepare '" + stmt->query + "': " + resp.describe());
      if (!first_error) first_error = Status(kExitUnavailable, resp.describe());
      continue;
    }
    auto res = decode_result(resp.frame.message(), version_);
    if (!res.ok()) return res.status();
    if (res->kind != kResultPrepared) return Status(kExitSoftware, "PREPARE did not return a prepared result");
    if (!have) stmt->meta = std::move(res->prepared);
    have = true;
  }
  if (!have) return first_error ? *first_error : Status(kExitUnavailable, "no host to prepare on");
  return stmt;
}

Status Session::wait_schema_agreement(int timeout_ms) {
  auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  std::string last = "unknown";
  for (;;) {
    std::vector<std::string> versions;
    bool ok = true;
    auto hs = hosts();
    for (size_t i = 0; i < hs.size() && ok; i++) {
      if (!hs[i].up || hs[i].ignored) continue;
      auto r = query("SELECT * FROM system.local WHERE key='local'", kOne, static_cast<int>(i));
      if (!r.ok() || r->rows.rows.empty()) {
        ok = false;
        last = r.ok() ? "empty system.local" : r.status().message();
        break;
      }
      versions.push_back(r->rows.text(0, "schema_version"));
    }
    if (ok && !versions.empty()) {
      bool same = true;
      for (auto& v : versions) same = same && v == versions[0];
      if (same) return Status::Ok();
      last = "nodes report different schema versions";
    }
    if (Clock::now() > deadline) return Status(kExitTempFail, "no schema agreement: " + last);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

void Session::Impl::add_conn(int host, std::unique_ptr<Connection> c) {
  if (!c->set_nonblocking().ok()) return;
  auto* conn = new Conn();
  conn->c = std::move(c);
  conn->host = host;
  conn->last_read = Clock::now();
  int n = std::clamp(opt.max_streams_per_connection, 1, 32768);
  conn->streams.assign(static_cast<size_t>(n), nullptr);
  for (int i = n - 1; i >= 0; i--) conn->free_ids.push_back(static_cast<int16_t>(i));
  Host& h = hosts[static_cast<size_t>(host)];
  h.conns.push_back(conn);
  {
    std::lock_guard<std::mutex> lk(mu);
    h.info.up = true;
  }
  h.backoff_ms = 0;
  if (epfd >= 0) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = conn;
    epoll_ctl(epfd, EPOLL_CTL_ADD, conn->c->fd(), &ev);
  }
}

void Session::Impl::run_loop() {
  block_signals_in_thread();
  std::vector<epoll_event> events(64);
  while (!stopping) {
    auto now = Clock::now();
    int timeout = 100;
    if (!timers.empty()) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timers.top().first - now).count();
      timeout = static_cast<int>(std::clamp<int64_t>(ms, 0, 100));
    }
    int n = epoll_wait(epfd, events.data(), static_cast<int>(events.size()), timeout);
    for (int i = 0; i < n; i++) {
      auto* conn = static_cast<Conn*>(events[static_cast<size_t>(i)].data.ptr);
      if (!conn) {
        uint64_t v;
        ssize_t r = read(evfd, &v, sizeof v);
        (void)r;
        std::vector<Event> batch;
        {
          std::lock_guard<std::mutex> lk(mu);
          batch.swap(incoming);
          wake_pending = false;
        }
        for (auto& e : batch) handle_event(e);
        continue;
      }
      if (conn->dead) continue;
      uint32_t evs = events[static_cast<size_t>(i)].events;
      if (evs & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        conn->last_read = Clock::now();
        Status s = conn->c->read_frames([&](Frame& f) { on_frame(conn, f); });
        if (!s.ok()) {
          conn_failed(conn, s.message());
          continue;
        }
      }
      if (evs & EPOLLOUT) conn->dirty = true, dirty.push_back(conn);
    }
    now = Clock::now();
    while (!timers.empty() && timers.top().first <= now) {
      Pending* p = timers.top().second;
      timers.pop();
      dispatch(p);
    }
    if (now >= next_scan) {
      scan_timeouts(now);
      schedule_reconnects(now);
      next_scan = now + std::chrono::milliseconds(100);
    }
    flush_dirty();
    for (Conn* c : graveyard) delete c;
    graveyard.clear();
  }
}

void Session::Impl::handle_event(Event& e) {
  switch (e.type) {
    case Event::kSubmit:
      dispatch(e.p);
      break;
    case Event::kStop:
      stopping = true;
      break;
    case Event::kNewConn: {
      Host& h = hosts[static_cast<size_t>(e.host)];
      h.connecting = false;
      self->counters_.reconnects++;
      node_back(e.host);
      add_conn(e.host, std::move(e.conn));
      if (!h.conns.empty() && !control && opt.events) {
        register_events(h.conns.back());
        queue_refresh();  // events may have been missed while no connection was registered
      }
      if (!h.conns.empty()) drain_waiting(e.host, h.conns.back());
      std::deque<Pending*> again;
      again.swap(no_host);
      for (Pending* p : again) dispatch(p);
      break;
    }
    case Event::kTopology:
      merge_topology(e.peers);
      break;
    case Event::kConnFailed: {
      Host& h = hosts[static_cast<size_t>(e.host)];
      h.connecting = false;
      node_failed(e.host, e.error);
      h.backoff_ms = std::min(opt.reconnect_max_ms, std::max(opt.reconnect_base_ms, h.backoff_ms * 2));
      h.next_attempt = Clock::now() + std::chrono::milliseconds(h.backoff_ms);
      break;
    }
  }
}

void Session::Impl::dispatch(Pending* p) {
  if (stopping) {
    Response r;
    r.kind = Response::kFailed;
    r.failure = "session closed";
    complete(p, r);
    return;
  }
  int h = pick_host(p);
  if (h < 0) {
    if (p->req.pin_host >= 0) {
      Response r;
      r.kind = Response::kFailed;
      r.failure = "host " + hosts[static_cast<size_t>(p->req.pin_host)].info.address + " is down";
      complete(p, r);
      return;
    }
    p->deadline = Clock::now() + std::chrono::milliseconds(opt.request_timeout_ms);
    no_host.push_back(p);
    return;
  }
  Conn* c = pick_conn(h);
  if (!c) {
    hosts[static_cast<size_t>(h)].waiting.push_back(p);
    return;
  }
  send(c, p);
}

Conn* Session::Impl::pick_conn(int host) {
  Conn* best = nullptr;
  for (Conn* c : hosts[static_cast<size_t>(host)].conns) {
    if (c->dead || c->free_ids.empty()) continue;
    if (!best || c->in_flight < best->in_flight) best = c;
  }
  return best;
}

void Session::Impl::send(Conn* c, Pending* p) {
  int16_t id = c->free_ids.back();
  c->free_ids.pop_back();
  c->streams[static_cast<size_t>(id)] = p;
  c->in_flight++;
  p->host = c->host;
  p->attempts++;
  p->sent = Clock::now();
  p->deadline = p->sent + std::chrono::milliseconds(opt.request_timeout_ms);
  const Request& r = p->req;
  if (r.opcode == kOpExecute && r.stmt) {
    scratch.clear();
    put_short_bytes(scratch, r.stmt->meta.id);
    if (version >= 5) put_short_bytes(scratch, r.stmt->meta.result_metadata_id);
    c->c->enqueue_parts(id, kOpExecute, {scratch, r.body});
  } else if (r.opcode == kOpBatch && r.stmt) {
    scratch.clear();
    put_u8(scratch, 1);  // unlogged
    put_u16(scratch, static_cast<uint16_t>(r.batch_ends.size()));
    uint32_t start = 0;
    for (uint32_t end : r.batch_ends) {
      put_u8(scratch, 1);  // prepared
      put_short_bytes(scratch, r.stmt->meta.id);
      scratch.append(r.body, start, end - start);
      start = end;
    }
    put_u16(scratch, r.consistency);
    uint32_t flags = r.timestamp != kNoTimestamp ? uint32_t{kQDefaultTimestamp} : 0u;
    if (version >= 5)
      put_u32(scratch, flags);
    else
      put_u8(scratch, static_cast<uint8_t>(flags));
    if (r.timestamp != kNoTimestamp) put_i64(scratch, r.timestamp);
    c->c->enqueue(id, kOpBatch, scratch);
  } else {
    c->c->enqueue(id, r.opcode, r.body);
  }
  std::lock_guard<std::mutex> lk(mu);
  hosts[static_cast<size_t>(c->host)].info.requests++;
  if (!c->dirty) {
    c->dirty = true;
    dirty.push_back(c);
  }
}

void Session::Impl::flush_dirty() {
  std::vector<Conn*> list;
  list.swap(dirty);
  for (Conn* c : list) {
    c->dirty = false;
    if (c->dead) continue;
    Status s = c->c->flush();
    if (!s.ok()) {
      conn_failed(c, s.message());
      continue;
    }
    bool want_out = c->c->has_output();
    if (want_out != c->epollout) {
      epoll_event ev{};
      ev.events = EPOLLIN | (want_out ? EPOLLOUT : 0u);
      ev.data.ptr = c;
      epoll_ctl(epfd, EPOLL_CTL_MOD, c->c->fd(), &ev);
      c->epollout = want_out;
    }
  }
}

void Session::Impl::drain_waiting(int host, Conn* c) {
  Host& h = hosts[static_cast<size_t>(host)];
  while (!h.waiting.empty() && !c->dead && !c->free_ids.empty()) {
    Pending* p = h.waiting.front();
    h.waiting.pop_front();
    send(c, p);
  }
}

void Session::Impl::on_frame(Conn* c, Frame& f) {
  int16_t id = f.header.stream;
  if (id == -1 && f.header.opcode == kOpEvent) {
    on_event(f);
    return;
  }
  if (id < 0 || static_cast<size_t>(id) >= c->streams.size()) return;
  Pending* p = c->streams[static_cast<size_t>(id)];
  if (!p) return;
  c->streams[static_cast<size_t>(id)] = nullptr;
  c->free_ids.push_back(id);
  c->in_flight--;
  if (p != kOrphan) {
    Response r;
    r.host = c->host;
    r.attempts = p->attempts;
    r.latency_us =
        static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - p->sent).count());
    if (f.header.opcode == kOpError) {
      CqlError e = decode_error(f.message(), version);
      if (e.code == kErrUnprepared && p->req.stmt && p->unprepared < 5) {
        p->unprepared++;
        reprepare(c, p);
      } else if (e.retryable() && p->req.idempotent && p->attempts <= opt.max_retries) {
        retry_later(p);
      } else {
        r.kind = Response::kServerError;
        r.retries_exhausted = e.retryable() && p->req.idempotent;
        r.error = std::move(e);
        complete(p, r);
      }
    } else {
      r.kind = Response::kOk;
      r.frame = std::move(f);
      complete(p, r);
    }
  }
  if (!c->dead) drain_waiting(c->host, c);
}

void Session::Impl::reprepare(Conn* c, Pending* p) {
  self->counters_.reprepares++;
  auto* q = new Pending();
  q->req.opcode = kOpPrepare;
  q->req.body = prepare_body(version, p->req.stmt->query);
  q->req.pin_host = c->host;
  q->req.idempotent = true;
  q->created = Clock::now();
  self->outstanding_++;
  q->cb = [this, p](Response& r) {
    if (r.ok()) {
      auto res = decode_result(r.frame.message(), version);
      if (res.ok() && res->kind == kResultPrepared) {
        p->req.stmt->meta.id = res->prepared.id;
        p->req.stmt->meta.result_metadata_id = res->prepared.result_metadata_id;
        p->attempts--;  // the Unprepared answer does not count as an attempt
        dispatch(p);
        return;
      }
    }
    if (r.kind == Response::kFailed) {
      fail_attempt(p, "re-prepare failed: " + r.failure, true);
      return;
    }
    Response out;
    out.kind = r.kind == Response::kServerError ? Response::kServerError : Response::kFailed;
    out.error = r.error;
    out.failure = "re-prepare failed";
    out.attempts = p->attempts;
    complete(p, out);
  };
  dispatch(q);
}

void Session::Impl::retry_later(Pending* p) {
  self->counters_.retries++;
  int shift = std::min(p->attempts - 1, 16);
  int64_t base = std::min<int64_t>(opt.retry_max_ms, int64_t{opt.retry_base_ms} << shift);
  std::uniform_int_distribution<int64_t> jitter(base / 2, base);
  timers.emplace(Clock::now() + std::chrono::milliseconds(jitter(rng)), p);
}

void Session::Impl::fail_attempt(Pending* p, const std::string& why, bool connection_problem) {
  if (p->req.idempotent && p->attempts <= opt.max_retries && !stopping) {
    if (p->req.pin_host >= 0 && !hosts[static_cast<size_t>(p->req.pin_host)].info.up) {
      // pinned to a host that went away: give up now
    } else {
      retry_later(p);
      return;
    }
  }
  Response r;
  r.kind = Response::kFailed;
  r.failure = why;
  r.retries_exhausted = p->req.idempotent;
  r.attempts = p->attempts;
  r.host = p->host;
  complete(p, r);
}

void Session::Impl::complete(Pending* p, Response& r) {
  if (r.attempts == 0) r.attempts = p->attempts;
  if (p->cb) p->cb(r);
  delete p;
  self->outstanding_--;
}

void Session::Impl::conn_failed(Conn* c, const std::string& why) {
  if (c->dead) return;
  c->dead = true;
  self->counters_.connection_errors++;
  epoll_ctl(epfd, EPOLL_CTL_DEL, c->c->fd(), nullptr);
  Host& h = hosts[static_cast<size_t>(c->host)];
  h.conns.erase(std::remove(h.conns.begin(), h.conns.end(), c), h.conns.end());
  graveyard.push_back(c);
  if (h.conns.empty()) mark_down(c->host);
  if (c == control && !stopping) control_lost();
  for (auto& slot : c->streams) {
    Pending* p = slot;
    slot = nullptr;
    if (p && p != kOrphan) fail_attempt(p, "connection to " + c->c->address() + " lost: " + why, true);
  }
}

void Session::Impl::mark_down(int host) {
  Host& h = hosts[static_cast<size_t>(host)];
  {
    std::lock_guard<std::mutex> lk(mu);
    h.info.up = false;
  }
  h.backoff_ms = std::max(opt.reconnect_base_ms, h.backoff_ms);
  h.next_attempt = Clock::now() + std::chrono::milliseconds(h.backoff_ms);
  std::deque<Pending*> moved;
  moved.swap(h.waiting);
  for (Pending* p : moved) dispatch(p);
}

void Session::Impl::scan_timeouts(Clock::time_point now) {
  const auto timeout = std::chrono::milliseconds(opt.request_timeout_ms);
  std::vector<Pending*> expired;
  std::vector<Conn*> silent;
  for (auto& h : hosts) {
    for (Conn* c : h.conns) {
      bool waited_out = false;  // a request here got no answer within the timeout
      for (auto& slot : c->streams) {
        if (slot == kOrphan) {
          waited_out = true;
        } else if (slot && slot->deadline < now) {
          expired.push_back(slot);
          slot = kOrphan;  // the stream id stays taken until the late answer arrives
          waited_out = true;
        }
      }
      // Nothing at all arrived on it for a whole timeout while a request waited: the
      // node hangs or the network dropped it (no RST, no FIN). Closing the connection
      // frees its stream ids and lets the node be reconnected (or found down).
      if (waited_out && now - c->last_read >= timeout) silent.push_back(c);
    }
  }
  for (Pending* p : expired) {
    self->counters_.timeouts++;
    fail_attempt(p,
                 "no answer from " + hosts[static_cast<size_t>(p->host)].info.address + " within " +
                     std::to_string(opt.request_timeout_ms) + " ms",
                 true);
  }
  for (Conn* c : silent) {
    std::string why = "nothing received for " + std::to_string(opt.request_timeout_ms) + " ms";
    int host = c->host;
    conn_failed(c, why);
    if (hosts[static_cast<size_t>(host)].conns.empty()) node_failed(host, why);
  }
  // A request that found no node up waits for one during one timeout, whatever
  // --retries says (retrying with no node to send to only postpones the verdict):
  // a cluster that is gone ends the run in bounded time.
  while (!no_host.empty() && no_host.front()->deadline < now) {
    Pending* p = no_host.front();
    no_host.pop_front();
    Response r;
    r.kind = Response::kFailed;
    r.failure = "no node is available (" + unreachable_nodes() + ")";
    r.retries_exhausted = true;
    r.no_node = true;
    r.attempts = p->attempts;
    r.host = p->host;
    complete(p, r);
  }
}

std::string Session::Impl::unreachable_nodes() const {
  std::string out;
  size_t shown = 0, down = 0;
  for (const auto& h : hosts) {
    if (h.info.ignored || h.info.up) continue;
    down++;
    if (shown == 3) continue;
    shown++;
    if (!out.empty()) out += "; ";
    std::string node = h.info.address + ":" + std::to_string(h.info.port);
    if (h.last_error.empty())
      out += node + ": down";
    else
      out += h.last_error.compare(0, node.size(), node) == 0 ? h.last_error : node + ": " + h.last_error;
  }
  if (down > shown) out += "; " + std::to_string(down - shown) + " more";
  return out.empty() ? "every node is busy" : out;
}

void Session::Impl::shutdown_all() {
  Response r;
  r.kind = Response::kFailed;
  r.failure = "session closed";
  for (auto& h : hosts) {
    for (Conn* c : h.conns) {
      for (auto& slot : c->streams)
        if (slot && slot != kOrphan) {
          Response rr = r;
          complete(slot, rr);
          slot = nullptr;
        }
      delete c;
    }
    h.conns.clear();
    for (Pending* p : h.waiting) {
      Response rr = r;
      complete(p, rr);
    }
    h.waiting.clear();
  }
  for (Pending* p : no_host) {
    Response rr = r;
    complete(p, rr);
  }
  no_host.clear();
  while (!timers.empty()) {
    Response rr = r;
    complete(timers.top().second, rr);
    timers.pop();
  }
  for (auto& e : incoming)
    if (e.p) {
      Response rr = r;
      complete(e.p, rr);
    }
  incoming.clear();
  for (Conn* c : graveyard) delete c;
  graveyard.clear();
}

}  // namespace airstream::cql
