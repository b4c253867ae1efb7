// Schema-registry command-line options shared by kproduce, kconsume and the sinks,
// the producer's choice of writer schema (file registered under the subject, a fixed
// id, or the subject's latest version), and the consumers' -s / --value-format.
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

void add_consume_format_options(CLI::App& app, ConsumeFormatCli& o, bool keys) {
  app.add_option("-s", o.serdes,
                 keys ? "kcat's deserializer spelling (one of: value=avro, key=avro, avro): values, keys or both are "
                        "schema-registry Avro"
                      : "kcat's deserializer spelling (one of: value=avro, avro): --value-format avro")
      ->type_name("SERDE")
      ->allow_extra_args(false);
  app.add_option("--value-format", o.value_format,
                 keys ? "Message values: json, or avro (schema-registry Avro, Confluent framing, decoded to JSON)"
                      : "Message values of --from-kafka: json, or avro (schema-registry Avro, Confluent framing, "
                        "decoded to the JSON record the mapping sees)")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"json", "avro"}))
      ->capture_default_str();
  if (keys) {
    app.add_option("--key-format", o.key_format, "Message keys: string, or avro (decoded to JSON)")
        ->type_name("FORMAT")
        ->check(CLI::IsMember({"string", "avro"}))
        ->capture_default_str();
  }
  app.add_option("--avro-unions", o.avro_unions,
                 "Avro unions in JSON: plain (the value) or tagged ({\"string\": \"x\"}, Avro's JSON encoding as kcat "
                 "writes it)")
      ->type_name("STYLE")
      ->check(CLI::IsMember({"plain", "tagged"}))
      ->capture_default_str();
  if (o.reader_schema.empty()) o.reader_schema = keys ? "writer" : "latest";
  app.add_option("--reader-schema", o.reader_schema,
                 "Read Avro values as: writer (each message's own schema), latest (the latest version of subject "
                 "<topic>-value: fields added since take their defaults), a registry schema ID, or a .avsc FILE")
      ->type_name("writer|latest|ID|FILE")
      ->capture_default_str();
  add_registry_options(app, o.registry, "-r,--registry");
}

Result<ReaderSchema> resolve_reader_schema(const std::string& spec) {
  ReaderSchema r;
  if (spec == "writer") return r;
  if (spec == "latest") {
    r.mode = ReaderSchema::Mode::kLatest;
    return r;
  }
  r.mode = ReaderSchema::Mode::kFixed;
  if (!spec.empty() && spec.find_first_not_of("0123456789") == std::string::npos) {
    if (spec.size() > 10 || std::stoull(spec) > UINT32_MAX)
      return Status(kExitUsage, "--reader-schema " + spec + ": not a schema id");
    r.id = static_cast<int64_t>(std::stoull(spec));
    r.name = "schema id " + spec;
    return r;
  }
  std::ifstream in(spec);
  if (!in) return Status(kExitNoInput, "--reader-schema: cannot read schema file " + spec);
  std::stringstream text;
  text << in.rdbuf();
  auto s = Schema::parse(text.str());
  if (!s.ok()) return Status(kExitConfig, "--reader-schema " + spec + ": " + s.status().message());
  r.schema = *s;
  r.name = spec;
  return r;
}

Result<ConsumeFormat> resolve_consume_format(const ConsumeFormatCli& o, bool keys) {
  ConsumeFormat f;
  f.avro_value = o.value_format == "avro";
  f.avro_key = keys && o.key_format == "avro";
  for (const auto& s : o.serdes) {
    if (s == "value=avro") {
      f.avro_value = true;
    } else if (s == "avro") {
      f.avro_value = true;
      f.avro_key = keys;
    } else if (s == "key=avro" && keys) {
      f.avro_key = true;
    } else if (keys) {
      return Status(kExitUsage,
                    "-s " + s + ": value=avro, key=avro or avro are decoded (kcat's other deserializers: use -f)");
    } else {
      return Status(kExitUsage, "-s " + s + ": message values are decoded with value=avro (keys are not stored)");
    }
  }
  f.unions = o.avro_unions == "tagged" ? UnionStyle::kTagged : UnionStyle::kPlain;
  if (f.avro_value) {
    auto r = resolve_reader_schema(o.reader_schema.empty() ? (keys ? "writer" : "latest") : o.reader_schema);
    if (!r.ok()) return r.status();
    f.reader = std::move(*r);
  }
  if (f.avro()) {
    auto r = resolve_registry(o.registry);
    if (!r.ok()) return r.status();
    f.registry = std::move(*r);
  }
  return f;
}

Result<ConsumeFormat> resolve_sink_format(const ConsumeFormatCli& o, bool from_kafka) {
  if (!from_kafka && (o.value_format != "json" || !o.serdes.empty()))
    return Status(kExitUsage,
                  "-s and --value-format avro need --from-kafka (files and pipes carry JSON: kconsume -s value=avro "
                  "decodes for a pipe)");
  return resolve_consume_format(o, false);
}

}  // namespace airstream::avro
