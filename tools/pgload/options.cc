// pgload options: connection (-d, else libpq's PG* variables and ~/.pgpass), target
// table, field mapping, table creation, load mode and batching. A password is never
// an option: libpq takes it from PGPASSWORD, ~/.pgpass or the connection string.
#include "options.h"

#include <algorithm>
#include <charconv>
#include <thread>

#include <libpq-fe.h>

#include "common/transform/options.h"
#include "common/units.h"

namespace airstream::pgload {

void add_pgload_options(CLI::App& app, PgloadOptions& o) {
  app.add_option("-d,--dbname", o.conninfo,
                 "libpq connection string or URI (default: PGHOST, PGPORT, PGUSER, PGDATABASE, ... and ~/.pgpass)")
      ->type_name("CONNINFO");
  app.add_option("-h,--host", o.host, "Server host name or socket directory (as psql's -h; default: PGHOST)")
      ->type_name("HOST");
  app.add_option("-p,--port", o.port, "Server port (as psql's -p; default: PGPORT, else 5432)")->type_name("PORT");
  app.add_option("-U,--username", o.user, "User name to connect as (as psql's -U; default: PGUSER)")->type_name("USER");
  app.add_option("-t,--table", o.table, "Target table, [schema.]table (unquoted parts fold to lower case)")
      ->type_name("TABLE")
      ->required();
  transform::add_transform_options(app, o.transform, 0);
  app.add_option("--map", o.maps,
                 "Column COL takes field FIELD (a dotted path reaches into objects; after the transform); repeatable")
      ->type_name("COL=FIELD")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_flag("--strict", o.strict, "Reject records with a top-level field that no column takes");
  app.add_flag("--create", o.create, "Create the table if it does not exist (from --schema, --jsonb or inferred)");
  app.add_option("--schema", o.schema, "Column definitions for --create, e.g. 'id uuid primary key, name text'")
      ->type_name("DEFS");
  app.add_option("--infer-rows", o.infer_rows, "Records sampled to infer column types for --create")
      ->type_name("N")
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  app.add_option("--jsonb", o.jsonb, "Store each whole record in jsonb column COL")->type_name("COL");
  app.add_option("--mode", o.mode, "append: COPY into the table; upsert: insert or update by --key")
      ->type_name("MODE")
      ->check(CLI::IsMember({"append", "upsert"}));
  app.add_option("--key", o.keys, "Conflict key columns for --mode upsert (comma-separated or repeated)")
      ->type_name("COLS")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->delimiter(',');
  app.add_option("--on-conflict", o.on_conflict, "Upsert: update the existing row, or ignore the new one")
      ->type_name("ACTION")
      ->check(CLI::IsMember({"update", "ignore"}));
  app.add_option("--batch-rows", o.batch_rows, "Rows per batch (one transaction each)")
      ->type_name("N")
      ->check(CLI::Range(int64_t{1}, int64_t{100000000}));
  app.add_option("--batch-bytes", o.batch_bytes, "Bytes per batch (records as read plus COPY data), e.g. 16MiB")
      ->type_name("SIZE");
  app.add_option("--batch-timeout", o.batch_timeout,
                 "Commit a batch open this long even if not full (e.g. 500ms, 1s; 0: only when full)")
      ->type_name("DURATION");
  app.add_option("-j,--jobs", o.jobs,
                 "Connections loading batches in parallel, or auto: the number of CPUs, at most 4 (default auto)")
      ->type_name("N|auto");
  app.add_option("--format", o.format,
                 "COPY format: auto (binary when pgload can encode every column's type, else text), text or binary")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"auto", "text", "binary"}));
  auto* inputs =
      app.add_option("inputs", o.inputs, "NDJSON input files ('-' or none: standard input)")->type_name("FILE");

  add_kafka_sink_options(app, o, "pgload", inputs);
  avro::add_consume_format_options(app, o.values, false);
  add_envelope_options(app, o);
}

namespace {

// Folds -h, -p and -U into the connection string, over what it says itself: the
// string (key=value or URI) is parsed by libpq and written back as key=value pairs.
Status fold_connection_options(PgloadOptions& o) {
  if (o.host.empty() && o.port.empty() && o.user.empty()) return Status::Ok();
  // A bare word is a database name (as libpq and psql read -d).
  bool uri = o.conninfo.rfind("postgresql://", 0) == 0 || o.conninfo.rfind("postgres://", 0) == 0;
  std::string conninfo = o.conninfo;
  if (!conninfo.empty() && !uri && conninfo.find('=') == std::string::npos) conninfo = "dbname=''";
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (opts == nullptr) {
    std::string msg = err != nullptr ? err : "out of memory";
    PQfreemem(err);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return Status(kExitUsage, "-d: " + msg);
  }
  auto quoted = [](const std::string& v) {
    std::string q = "'";
    for (char c : v) q += c == '\'' || c == '\\' ? std::string("\\") + c : std::string(1, c);
    return q + "'";
  };
  std::string out;
  auto add = [&](const char* key, const std::string& value) {
    out += (out.empty() ? "" : " ") + std::string(key) + "=" + quoted(value);
  };
  for (PQconninfoOption* p = opts; p->keyword != nullptr; ++p) {
    std::string k = p->keyword;
    if ((k == "host" && !o.host.empty()) || (k == "port" && !o.port.empty()) || (k == "user" && !o.user.empty()))
      continue;
    if (k == "dbname" && conninfo != o.conninfo)
      add("dbname", o.conninfo);
    else if (p->val != nullptr)
      add(p->keyword, p->val);
  }
  PQconninfoFree(opts);
  if (!o.host.empty()) add("host", o.host);
  if (!o.port.empty()) add("port", o.port);
  if (!o.user.empty()) add("user", o.user);
  o.conninfo = out;
  return Status::Ok();
}

}  // namespace

Status validate_options(PgloadOptions& o) {
  if (Status s = fold_connection_options(o); !s.ok()) return s;
  for (const auto& m : o.maps) {
    size_t eq = m.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == m.size())
      return Status(kExitUsage, "--map expects COL=FIELD, got '" + m + "'");
    o.map_pairs.emplace_back(m.substr(0, eq), m.substr(eq + 1));
  }
  if (auto ko = kafka_sink_source_options(o, "pgload"); !ko.ok()) return ko.status();
  auto values = avro::resolve_sink_format(o.values, !o.from_kafka.empty());
  if (!values.ok()) return values.status();
  o.value_format = std::move(*values);
  if (Status s = check_envelope_options(o, !o.from_kafka.empty()); !s.ok()) return s;
  if (o.mode == "upsert" && o.keys.empty()) return Status(kExitUsage, "--mode upsert needs --key");
  if (o.mode != "upsert" && !o.keys.empty() && !o.create)
    return Status(kExitUsage, "--key is for --mode upsert (or --create, to declare the primary key)");
  if (!o.schema.empty() && !o.create) return Status(kExitUsage, "--schema needs --create");
  for (const auto& k : o.keys)
    if (k.empty()) return Status(kExitUsage, "--key: empty column name");
  auto bytes = parse_size(o.batch_bytes);
  if (!bytes) return Status(kExitUsage, "--batch-bytes: " + bytes.status().message());
  if (*bytes < 1024) return Status(kExitUsage, "--batch-bytes must be at least 1KiB");
  o.batch_bytes_value = *bytes;
  auto timeout = parse_duration(o.batch_timeout);
  if (!timeout) return Status(kExitUsage, "--batch-timeout: " + timeout.status().message());
  o.batch_timeout_ms = timeout->count();
  if (o.jobs == "auto") {
    o.jobs_value = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 4u));
  } else {
    int n = 0;
    auto [end, ec] = std::from_chars(o.jobs.data(), o.jobs.data() + o.jobs.size(), n);
    if (ec != std::errc() || end != o.jobs.data() + o.jobs.size() || n < 1 || n > 64)
      return Status(kExitUsage, "--jobs expects auto or a number from 1 to 64, got '" + o.jobs + "'");
    o.jobs_value = n;
  }
  return Status::Ok();
}

}  // namespace airstream::pgload
