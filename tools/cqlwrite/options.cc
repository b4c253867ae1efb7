// cqlwrite options (documented in man/cqlwrite.1.scd) and their translation into
// cql::SessionOptions. The password never comes from the command line: CQL_PASSWORD,
// then --password-file (first line), then the [authentication] section of cqlsh's
// cqlshrc (--cqlshrc, default ~/.cassandra/cqlshrc), which may also supply the user
// name and, from [connection] and [ssl], the host, port and TLS settings that no
// option gives.
#include "options.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "common/config_file.h"
#include "common/transform/options.h"
#include "common/units.h"

namespace airstream::cqlwrite {
namespace {

std::string trim(std::string s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  size_t e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

bool parse_port(const std::string& text, int& port) {
  char* end = nullptr;
  long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < 1 || v > 65535) return false;
  port = static_cast<int>(v);
  return true;
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
  transform::add_transform_options(app, o.transform, transform::kPresetShort);
  app.add_option("--map", o.maps,
                 "Take column COL from JSON field FIELD, a dotted path such as login.uuid (COL=FIELD, repeatable; "
                 "after the transform)")
      ->allow_extra_args(false)
      ->type_name("COL=FIELD");
  app.add_flag("--strict", o.strict, "Reject records with fields that match no column");
  app.add_option("--timestamp-field", o.timestamp_field,
                 "Take each row's write timestamp from FIELD (microseconds since the epoch, or a timestamp text) "
                 "instead of the client clock")
      ->type_name("FIELD");
  app.add_option("--ttl", o.ttl, "Time to live of written rows, e.g. 90s, 1h, 7d; at most 20 years (0: none)")
      ->transform(CLI::Validator(
          [](std::string& text) {
            auto ttl = parse_ttl(text);
            if (!ttl.ok()) return ttl.status().message();
            text = std::to_string(*ttl);
            return std::string();
          },
          ""))
      ->type_name("DURATION");
  app.add_option("--consistency", o.consistency, "Write consistency level (default LOCAL_QUORUM)")
      ->check(CLI::IsMember({"ANY", "ONE", "TWO", "THREE", "QUORUM", "ALL", "LOCAL_QUORUM", "EACH_QUORUM", "LOCAL_ONE"},
                            CLI::ignore_case));
  app.add_option("--concurrency", o.concurrency, "Requests in flight (default 256)")->check(CLI::Range(1, 32768));
  app.add_option("--batch-rows", o.batch_rows,
                 "Group up to N rows of the same partition in unlogged batches (0: one row per request)")
      ->check(CLI::Range(0, 1000));
  app.add_option("--max-frame-size", o.max_frame_mb,
                 "Largest request to send, in MiB: the cluster's native_transport_max_frame_size (default 16); "
                 "a bigger row is rejected, not sent")
      ->type_name("MIB")
      ->check(CLI::Range(1, 256));
  app.add_option("--retries", o.retries, "Retries of a failed write before giving up (default 10)")
      ->check(CLI::Range(0, 1000));
  app.add_option("-u,--username", o.username, "User name for PasswordAuthenticator")->envname("CQL_USERNAME");
  app.add_option("--password-file", o.password_file, "Read the password from the first line of FILE")
      ->type_name("FILE");
  app.add_option("--cqlshrc", o.cqlshrc,
                 "Take host, port, TLS and credentials that no option gives from cqlsh's FILE "
                 "(default ~/.cassandra/cqlshrc)")
      ->type_name("FILE");
  app.add_flag("--ssl", o.ssl, "Connect with TLS");
  app.add_option("--cacert", o.cacert, "CA certificates (PEM) to verify the server with (implies --ssl)")
      ->type_name("FILE");
  app.add_option("--cert", o.cert, "Client certificate (PEM) for TLS client authentication (implies --ssl)")
      ->type_name("FILE");
  app.add_option("--key", o.key, "Private key (PEM) of --cert")->type_name("FILE");
  app.add_flag("--no-hostname-verify", o.no_hostname_verify,
               "Do not verify the server certificate (chain and host name); for tests only");
  app.add_option("--ssl-verify", o.ssl_verify,
                 "Server certificate checks: full (chain and node name, default), chain (chain only)")
      ->check(CLI::IsMember({"full", "chain"}));
  app.add_option("--local-dc", o.local_dc, "Only use nodes of this data center");
  app.add_option("--protocol-version", o.protocol_version, "Native protocol version (default: 5, else 4)")
      ->check(CLI::IsMember({4, 5}));
  app.add_option("--compression", o.compression, "Frame compression (default none)")
      ->check(CLI::IsMember({"none", "lz4"}));
  app.add_option("--connections", o.connections, "Connections per node (default 2)")->check(CLI::Range(1, 64));
  app.add_option("--timeout", o.timeout, "Request timeout before a retry (default 12s)")->type_name("DURATION");
  app.add_option("--connect-timeout", o.connect_timeout, "Connect and handshake timeout (default 5s)")
      ->type_name("DURATION");
  app.add_option("--schema-timeout", o.schema_timeout, "How long to wait for schema agreement (default 30s)")
      ->type_name("DURATION");
  auto* inputs =
      app.add_option("inputs", o.inputs, "NDJSON input files (default: standard input, also '-')")->type_name("FILE");

  add_kafka_sink_options(app, o, "cqlwrite", inputs);
  avro::add_consume_format_options(app, o.values, false);
  add_envelope_options(app, o);
}

Result<Cqlshrc> read_cqlshrc(const std::string& path) {
  auto entries = read_ini_file(path, IniSyntax{.colon_separates = true});
  if (!entries.ok()) return entries.status();
  Cqlshrc rc;
  auto file_path = [](const std::string& v) {
    const char* home = std::getenv("HOME");
    return v.rfind("~/", 0) == 0 && home ? std::string(home) + v.substr(1) : v;
  };
  for (const IniEntry& e : *entries) {
    const std::string& v = e.values.back();
    auto bad = [&](const char* what) {
      return Status(kExitConfig, path + ":" + std::to_string(e.line) + ": " + e.key + ": expected " + what);
    };
    if (e.section == "authentication") {
      if (e.key == "username") rc.username = v;
      if (e.key == "password") {
        rc.password = v;
        rc.has_password = true;
      }
    } else if (e.section == "connection") {
      if (e.key == "hostname") rc.hostname = v;
      if (e.key == "port" && (!parse_port(v, rc.port))) return bad("a port number");
      if (e.key == "ssl" && !parse_ini_bool(v, rc.ssl)) return bad("true or false");
    } else if (e.section == "ssl") {
      if (e.key == "certfile") rc.certfile = file_path(v);
      if (e.key == "usercert") rc.usercert = file_path(v);
      if (e.key == "userkey") rc.userkey = file_path(v);
      if (e.key == "validate" && !parse_ini_bool(v, rc.validate)) return bad("true or false");
    }
  }
  return rc;
}

Result<int64_t> parse_ttl(std::string_view text) {
  constexpr int64_t kMaxTtl = 630720000;  // Cassandra's limit: 20 years
  auto d = parse_duration(text);
  if (!d.ok()) return d.status();
  if (d->count() % 1000 != 0) return Status(kExitUsage, "a TTL is whole seconds, got '" + std::string(text) + "'");
  int64_t seconds = d->count() / 1000;
  if (seconds > kMaxTtl)
    return Status(kExitUsage, "'" + std::string(text) + "' is " + std::to_string(seconds) +
                                  " seconds; Cassandra accepts at most 630720000 (20 years)");
  return seconds;
}

Result<cql::SessionOptions> session_options(const Options& o) {
  cql::SessionOptions s;
  Cqlshrc rc;
  std::string rc_path = o.cqlshrc;
  if (rc_path.empty()) {
    const char* home = std::getenv("HOME");
    if (home && access((std::string(home) + "/.cassandra/cqlshrc").c_str(), F_OK) == 0)
      rc_path = std::string(home) + "/.cassandra/cqlshrc";
  }
  if (!rc_path.empty()) {
    auto r = read_cqlshrc(rc_path);
    if (!r.ok()) return r.status();
    rc = std::move(*r);
  }
  std::string hosts = !o.hosts.empty() ? o.hosts : !rc.hostname.empty() ? rc.hostname : "127.0.0.1";
  uint16_t default_port = rc.port > 0 ? static_cast<uint16_t>(rc.port) : 9042;
  size_t start = 0;
  while (start <= hosts.size()) {
    size_t comma = hosts.find(',', start);
    std::string h = trim(hosts.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (!h.empty()) {
      std::string host;
      uint16_t port;
      if (!cql::split_host_port(h, default_port, host, port))
        return Status(kExitUsage, "bad host '" + h + "' in --hosts");
      s.contact_points.push_back((host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
                                 std::to_string(port));
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

  s.tls.enabled = o.ssl || !o.cacert.empty() || !o.cert.empty() || rc.ssl;
  s.tls.cacert = !o.cacert.empty() ? o.cacert : rc.certfile;
  s.tls.cert = !o.cert.empty() ? o.cert : rc.usercert;
  s.tls.key = !o.key.empty() ? o.key : rc.userkey;
  s.tls.verify_chain = !o.no_hostname_verify && rc.validate;  // cqlshrc validate = false: no checks, as cqlsh
  s.tls.verify_hostname = s.tls.verify_chain && o.ssl_verify == "full";

  std::string user = !o.username.empty() ? o.username : rc.username, password;
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
  } else if (rc.has_password) {
    password = rc.password;
    have_password = true;
  }
  if (!user.empty()) {
    if (!have_password)
      return Status(
          kExitConfig,
          "-u given but no password: set CQL_PASSWORD, --password-file or cqlshrc's [authentication] password");
    s.has_credentials = true;
    s.username = user;
    s.password = password;
  }
  return s;
}

}  // namespace airstream::cqlwrite
