// cql_test_server: an in-memory server speaking the CQL native protocol (v4 and
// v5) on loopback, for tests, benchmarks and demos. Command line and stdin fault
// commands are described in usage() below and in tests/cqlserver/README.md.
#include <malloc.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include <unistd.h>

#include "server.h"

namespace {

const char* kUsage =
    "usage: cql_test_server [--listen ADDR] [--port N] [--nodes N] [--auth USER:PASS]\n"
    "                       [--tls CERT KEY] [--version-max 4|5] [--vnodes K] [--joining J]\n"
    "                       [--max-frame-mb M] [--rpc-address-any] [--port-per-node]\n"
    "\n"
    "  --listen ADDR      IPv4 address of node 1 (default 127.0.0.1); node I listens on ADDR+I-1\n"
    "  --port N           port of every node (default 9042; 0 picks a free one)\n"
    "  --nodes N          number of nodes (default 1), each listed in the others' system.peers\n"
    "  --auth USER:PASS   require PasswordAuthenticator (SASL PLAIN) credentials\n"
    "  --tls CERT KEY     serve TLS with this PEM certificate (chain) and key\n"
    "  --version-max V    highest protocol version spoken (default 5); 4 emulates Cassandra 3.11\n"
    "                     (v5 refused as a beta, no system.peers_v2)\n"
    "  --vnodes K         tokens per node (default 1), evenly spaced over the ring\n"
    "  --joining J        J more nodes (addresses after the others) that join the ring on `add`\n"
    "  --max-frame-mb M   native_transport_max_frame_size: bigger requests get Invalid (default 16,\n"
    "                     256 with --version-max 4)\n"
    "  --rpc-address-any  system.peers lists rpc_address 0.0.0.0 (clients must use `peer`)\n"
    "  --port-per-node    node I listens on port N + I - 1 (only system.peers_v2 says so)\n"
    "\n"
    "Once listening it prints one line on stdout:\n"
    "  cql_test_server listening on 127.0.0.1:9042 (nodes=3)\n"
    "then reads commands on stdin, one per line, each answered on stdout:\n"
    "  overloaded N [I] | write_timeout N [I] | unavailable N [I] | bootstrapping N [I]\n"
    "                     the next N write requests (INSERT, UPDATE, DELETE, BATCH) fail so\n"
    "                     (with I: the next N that node I coordinates)\n"
    "  delay MS [I]       answer every request (of node I) MS milliseconds after it arrived (0: off)\n"
    "  gate ROWS          once the nodes wrote ROWS rows (or more), answer each write 1 s late (0: off)\n"
    "  drop               close every client connection\n"
    "  down I | up I      node I stops (closes its port and connections) / starts again\n"
    "  stop I | start I   node I hangs (port closed, connections kept open, nothing answered) / resumes\n"
    "  add                the next --joining node starts and joins the ring\n"
    "                     (down/up/stop/start/add push STATUS_CHANGE / TOPOLOGY_CHANGE events to\n"
    "                     the clients of the other nodes that sent REGISTER)\n"
    "  token HEX          the Murmur3 token of a serialized partition key, and its owner node\n"
    "  forget_prepared    forget every prepared statement (next EXECUTE gets Unprepared)\n"
    "  stats              one JSON line per node: {\"node\":I,...,\"requests\":..,\"rows_written\":..,\n"
    "                     \"rows_not_replica\":..,\"faults\":..,\"unavailable\":..}\n"
    "  quit               exit 0\n";

int usage_error(const std::string& msg) {
  std::fprintf(stderr, "cql_test_server: %s\n%s", msg.c_str(), kUsage);
  return 64;
}

}  // namespace

int main(int argc, char** argv) {
  // glibc hands the top of each connection thread's heap back to the kernel when it is
  // freed and faults it in again for the next requests: that churn was half of this
  // process's CPU under a load (7.4 CPU-us per row, 3.8 without it), CPU that the
  // measured client then lacked on a 2-core machine. Keep freed memory, in two heaps
  // at most so that a dropped table's memory serves the next connection's rows (a
  // GLIBC_TUNABLES malloc setting wins).
  if (const char* t = std::getenv("GLIBC_TUNABLES"); t == nullptr || std::strstr(t, "glibc.malloc.") == nullptr) {
    mallopt(M_ARENA_MAX, 2);
    mallopt(M_TOP_PAD, 1 << 30);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);  // fixed at 128 KiB once M_TOP_PAD is set
  }
  std::signal(SIGPIPE, SIG_IGN);
  cqlsrv::Options o;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) return "";
      return argv[++i];
    };
    try {
      if (a == "-h" || a == "--help") {
        std::fputs(kUsage, stdout);
        return 0;
      } else if (a == "--listen") {
        o.listen = next();
      } else if (a == "--port") {
        o.port = std::stoi(next());
      } else if (a == "--nodes") {
        o.nodes = std::stoi(next());
      } else if (a == "--auth") {
        std::string v = next();
        auto colon = v.find(':');
        if (colon == std::string::npos) return usage_error("--auth expects USER:PASS");
        o.auth = true;
        o.user = v.substr(0, colon);
        o.password = v.substr(colon + 1);
      } else if (a == "--tls") {
        o.cert = next();
        o.key = next();
        if (o.cert.empty() || o.key.empty()) return usage_error("--tls expects CERT KEY");
      } else if (a == "--version-max") {
        o.version_max = std::stoi(next());
      } else if (a == "--vnodes") {
        o.vnodes = std::stoi(next());
      } else if (a == "--joining") {
        o.joining = std::stoi(next());
      } else if (a == "--max-frame-mb") {
        o.max_frame_mb = std::stoi(next());
      } else if (a == "--rpc-address-any") {
        o.rpc_any = true;
      } else if (a == "--port-per-node") {
        o.port_per_node = true;
      } else {
        return usage_error("unknown argument " + a);
      }
    } catch (const std::exception&) {
      return usage_error("invalid value for " + a);
    }
  }
  if (o.nodes < 1 || o.nodes > 200) return usage_error("--nodes must be 1..200");
  if (o.vnodes < 1 || o.vnodes > 256) return usage_error("--vnodes must be 1..256");
  if (o.joining < 0 || o.nodes + o.joining > 200) return usage_error("--joining must be 0..200 - N");
  if (o.max_frame_mb < 0 || o.max_frame_mb > 256) return usage_error("--max-frame-mb must be 1..256");
  if (o.port < 0 || o.port > 65535) return usage_error("--port must be 0..65535");
  if (o.version_max != 4 && o.version_max != 5) return usage_error("--version-max must be 4 or 5");

  cqlsrv::Server server(o);
  std::string err = server.start();
  if (!err.empty()) {
    std::fprintf(stderr, "cql_test_server: cannot listen: %s\n", err.c_str());
    return 69;
  }
  std::printf("cql_test_server listening on %s:%d (nodes=%d)\n", o.listen.c_str(), server.port(), o.nodes);
  std::fflush(stdout);

  std::string line;
  bool quit = false;
  while (!quit && std::getline(std::cin, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::string reply = server.command(line, quit);
    std::printf("%s\n", reply.c_str());
    std::fflush(stdout);
  }
  if (!quit) {
    // stdin closed (e.g. started with </dev/null): keep serving until a signal.
    for (;;) pause();
  }
  std::fflush(stdout);
  std::_Exit(0);
}
