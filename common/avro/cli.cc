// Schema-registry command-line options shared by kproduce, kconsume and the sinks,
// and the producer's choice of writer schema (file registered under the subject, a
// fixed id, or the subject's latest version).
#include "common/avro/cli.h"

#include <fstream>
#include <sstream>

#include "common/units.h"

namespace airstream::avro {

void add_registry_options(CLI::App& app, RegistryCliOptions& o, const std::string& url_names) {
  app.add_option(url_names, o.url, "Confluent schema registry URL (http:// or https://) for Avro")
      ->type_name("URL")
      ->envname("SCHEMA_REGISTRY_URL");
  app.add_option("--registry-user", o.user, "Schema registry basic-auth user (password: SCHEMA_REGISTRY_PASSWORD)")
      ->type_name("USER")
      ->envname("SCHEMA_REGISTRY_USER");
  app.add_option("--registry-password-file", o.password_file,
                 "Read the schema registry password from the first line of FILE")
      ->type_name("FILE");
  app.add_option("--registry-ca", o.ca_file, "CA certificates (PEM) to verify the registry's TLS certificate")
      ->type_name("FILE");
  app.add_option("--registry-timeout", o.timeout, "Timeout of one schema registry request (retried 5 times)")
      ->type_name("DURATION")
      ->capture_default_str();
}

Result<RegistryOptions> resolve_registry(const RegistryCliOptions& o) {
  RegistryOptions r;
  r.url = o.url;
  r.user = o.user;
  r.ca_file = o.ca_file;
  auto t = parse_duration(o.timeout);
  if (!t.ok()) return Status(kExitUsage, "--registry-timeout: " + t.status().message());
  r.timeout = t.value();
  if (r.timeout.count() < 1) return Status(kExitUsage, "--registry-timeout must be positive");
  if (const char* env = std::getenv("SCHEMA_REGISTRY_PASSWORD")) {
    r.password = env;
  } else if (!o.password_file.empty()) {
    std::ifstream in(o.password_file);
    if (!in) return Status(kExitConfig, "cannot read --registry-password-file " + o.password_file);
    std::getline(in, r.password);
    if (!r.password.empty() && r.password.back() == '\r') r.password.pop_back();
  }
  if (r.url.empty()) return Status(kExitUsage, "Avro needs a schema registry (--registry URL or SCHEMA_REGISTRY_URL)");
  return r;
}

Result<RegisteredSchema> writer_schema(RegistryClient& client, const std::string& subject,
                                       const std::string& schema_file, int64_t schema_id) {
  if (!schema_file.empty()) {
    std::ifstream in(schema_file);
    if (!in) return Status(kExitNoInput, "cannot read schema file " + schema_file);
    std::stringstream text;
    text << in.rdbuf();
    auto r = client.register_schema(subject, text.str());
    if (!r.ok()) return Status(r.status().exit_code(), schema_file + ": " + r.status().message());
    return r;
  }
  if (schema_id >= 0) {
    auto s = client.schema_by_id(static_cast<uint32_t>(schema_id));
    if (!s.ok())
      return Status(s.status().exit_code() == kExitDataErr ? kExitConfig : s.status().exit_code(),
                    s.status().message());
    return RegisteredSchema{static_cast<uint32_t>(schema_id), *s};
  }
  return client.latest(subject);
}

}  // namespace airstream::avro
