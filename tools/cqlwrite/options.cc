// cqlwrite options (documented in man/cqlwrite.1.scd) and their translation into
// cql::SessionOptions. The password never comes from the command line: CQL_PASSWORD,
// then --password-file (first line), then the [authentication] section of
// ~/.cassandra/cqlshrc (which may also supply the user name), as cqlsh reads it.
#include "options.h"

#include <cstdlib>
#include <fstream>

#include "common/units.h"

namespace airstream::cqlwrite {
namespace {

std::string trim(std::string s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  size_t e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

}  // namespace

void add_options(CLI::App& app, Options& o) {
  app.add_option("-H,--hosts", o.hosts, "Contact points host[:port],... (default 127.0.0.1:9042)")
      ->envname("CQL_HOSTS");
  app.add_option("-k,--keyspace", o.keyspace, "Keyspace of the target table")->required();
  app.add_option("-t,--table", o.table, "Target table")->required();
  app.add_flag("--create", o.create, "Create the keyspace and table if missing, then wait for schema agreement");
  app.add_option("--replication", o.replication, "Replication map for --create (default SimpleStrategy, RF 1)");
  app.add_option("--schema", o.schema,
                 "Column definitions for --create, e.g. 'id uuid PRIMARY KEY, name text' (default: created_users)");
  app.add_option("--map", o.maps, "Take column COL from JSON field FIELD (COL=FIELD, repeatable)")
      ->allow_extra_args(false)
      ->type_name("COL=FIELD");
  app.add_flag("--strict", o.strict, "Reject records with fields that match no column");
  app.add_option("--ttl", o.ttl, "Time to live of written rows, in seconds (0: none)")->check(CLI::NonNegativeNumber);
  app.add_option("--consistency", o.consistency, "Write consistency level (default LOCAL_QUORUM)")
      ->check(CLI::IsMember({"ANY", "ONE", "TWO", "THREE", "QUORUM", "ALL", "LOCAL_QUORUM", "EACH_QUORUM", "LOCAL_ONE"},
                            CLI::ignore_case));
  app.add_option("--concurrency", o.concurrency, "Requests in flight (default 256)")->check(CLI::Range(1, 32768));
  app.add_option("--batch-rows", o.batch_rows,
                 "Group up to N rows of the same partition in unlogged batches (0: one row per request)")
      ->check(CLI::Range(0, 1000));
  app.add_option("--retries", o.retries, "Retries of a failed write before giving up (default 10)")
      ->check(CLI::Range(0, 1000));
  app.add_option("-u,--username", o.username, "User name for PasswordAuthenticator")->envname("CQL_USERNAME");
  app.add_option("--password-file", o.password_file, "Read the password from the first line of FILE")
      ->type_name("FILE");
  app.add_flag("--ssl", o.ssl, "Connect with TLS");
  app.add_option("--cacert", o.cacert, "CA certificates (PEM) to verify the server with (implies --ssl)")
      ->type_name("FILE");
  app.add_option("--cert", o.cert, "Client certificate (PEM) for TLS client authentication (implies --ssl)")
      ->type_name("FILE");
  app.add_option("--key", o.key, "Private key (PEM) of --cert")->type_name("FILE");
  app.add_flag("--no-hostname-verify", o.no_hostname_verify,
               "Do not verify the server certificate (chain and host name); for tests only");
  app.add_option("--local-dc", o.local_dc, "Only use nodes of this data center");
  app.add_option("--protocol-version", o.protocol_version, "Native protocol version (default: 5, else 4)")
      ->check(CLI::IsMember({4, 5}));
  app.add_option("--compression", o.compression, "Frame compression (default none)")
      ->check(CLI::IsMember({"none", "lz4"}));
  app.add_option("--connections", o.connections, "Connections per node (default 2)")->check(CLI::Range(1, 64));
  app.add_option("--timeout", o.timeout, "Request timeout before a retry (default 12s)");
  app.add_option("--connect-timeout", o.connect_timeout, "Connect and handshake timeout (default 5s)");
  app.add_option("--schema-timeout", o.schema_timeout, "How long to wait for schema agreement (default 30s)");
  auto* inputs =
      app.add_option("inputs", o.inputs, "NDJSON input files (default: standard input, also '-')")->type_name("FILE");

  add_kafka_sink_options(app, o, "cqlwrite", inputs);
  add_envelope_options(app, o);
}

bool read_cqlshrc(const std::string& path, std::string& username, std::string& password) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  bool in_auth = false;
  bool found = false;
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty() || line[0] == ';' || line[0] == '#') continue;
    if (line.front() == '[') {
      in_auth = line == "[authentication]";
      continue;
    }
    if (!in_auth) continue;
    size_t eq = line.find_first_of("=:");
    if (eq == std::string::npos) continue;
    std::string k = trim(line.substr(0, eq)), v = trim(line.substr(eq + 1));
    if (k == "username" && username.empty()) username = v;
    if (k == "password") {
      password = v;
      found = true;
    }
  }
  return found;
}

Result<cql::SessionOptions> session_options(const Options& o) {
  cql::SessionOptions s;
  size_t start = 0;
  while (start <= o.hosts.size()) {
    size_t comma = o.hosts.find(',', start);
    std::string h = trim(o.hosts.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!h.empty()) {
      std::string host;
      uint16_t port;
      if (!cql::split_host_port(h, 9042, host, port)) return Status(kExitUsage, "bad host '" + h + "' in --hosts");
      s.contact_points.push_back(h);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (s.contact_points.empty()) return Status(kExitUsage, "--hosts is empty");
  s.protocol_version = o.protocol_version;
  s.lz4 = o.compression == "lz4";
  s.connections_per_host = o.connections;
  s.max_streams_per_connection = std::max(64, std::min(32768, o.concurrency));
  s.local_dc = o.local_dc;
  s.max_retries = o.retries;
  auto t = parse_duration(o.timeout);
  if (!t.ok()) return Status(kExitUsage, "--timeout: " + t.status().message());
  s.request_timeout_ms = static_cast<int>(std::max<int64_t>(1, t->count()));
  auto ct = parse_duration(o.connect_timeout);
  if (!ct.ok()) return Status(kExitUsage, "--connect-timeout: " + ct.status().message());
  s.connect_timeout_ms = static_cast<int>(std::max<int64_t>(1, ct->count()));

  s.tls.enabled = o.ssl || !o.cacert.empty() || !o.cert.empty();
  s.tls.cacert = o.cacert;
  s.tls.cert = o.cert;
  s.tls.key = o.key;
  s.tls.verify_hostname = !o.no_hostname_verify;

  std::string user = o.username, password;
  bool have_password = false;
  if (const char* env = std::getenv("CQL_PASSWORD")) {
    password = env;
    have_password = true;
  } else if (!o.password_file.empty()) {
    std::ifstream in(o.password_file);
    if (!in) return Status(kExitConfig, "cannot read --password-file " + o.password_file);
    std::getline(in, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    have_password = true;
  } else if (const char* home = std::getenv("HOME")) {
    have_password = read_cqlshrc(std::string(home) + "/.cassandra/cqlshrc", user, password);
  }
  if (!user.empty()) {
    if (!have_password)
      return Status(kExitConfig, "-u given but no password: set CQL_PASSWORD, --password-file or ~/.cassandra/cqlshrc");
    s.has_credentials = true;
    s.username = user;
    s.password = password;
  }
  return s;
}

}  // namespace airstream::cqlwrite
