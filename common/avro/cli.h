// The schema-registry options every tool that reads or writes registry Avro spells
// the same way (--registry, --registry-user, --registry-password-file, --registry-ca,
// --registry-timeout, also as --config keys), and the choice of a producer's writer
// schema, and how consumers (kconsume, cqlwrite and pgload --from-kafka) are told that
// messages are registry Avro: -s [key=|value=]avro as kcat spells it, or
// --value-format / --key-format avro, with --avro-unions. The password never comes from the command line:
// SCHEMA_REGISTRY_PASSWORD, then --registry-password-file (first line).
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "common/avro/codec.h"
#include "common/avro/message.h"
#include "common/avro/registry.h"
#include "common/status.h"

namespace airstream::avro {

struct RegistryCliOptions {
  std::string url;
  std::string user;
  std::string password_file;
  std::string ca_file;
  std::string timeout = "10s";
};

// url_names: the option names of the URL ("--registry", or "-r,--registry").
void add_registry_options(CLI::App& app, RegistryCliOptions& o, const std::string& url_names = "--registry");

// The client options (kExitConfig / kExitUsage on a bad value or unreadable file).
Result<RegistryOptions> resolve_registry(const RegistryCliOptions& o);

// A producer's writer schema for subject: schema_file given: registered (or found)
// under the subject; schema_id >= 0: that id; else the subject's latest version.
Result<RegisteredSchema> writer_schema(RegistryClient& client, const std::string& subject,
                                       const std::string& schema_file, int64_t schema_id);

// A consumer's message formats as given on the command line (and in --config).
struct ConsumeFormatCli {
  std::vector<std::string> serdes;    // -s [key=|value=]avro (kcat's spelling)
  std::string value_format = "json";  // json | avro
  std::string key_format = "string";  // string | avro
  std::string avro_unions = "plain";  // plain | tagged
  std::string reader_schema;          // writer | latest | ID | FILE ("": the tool's default)
  RegistryCliOptions registry;
};

// The formats resolved: which parts are registry Avro, and the registry to ask.
struct ConsumeFormat {
  bool avro_value = false, avro_key = false;
  UnionStyle unions = UnionStyle::kPlain;
  ReaderSchema reader;       // values (keys are read with their writer's schema)
  RegistryOptions registry;  // set when avro_value or avro_key
  bool avro() const { return avro_value || avro_key; }
};

// Adds -s, --value-format, --avro-unions, --reader-schema and the registry options
// (-r,--registry ...); keys: the tool reads message keys, so --key-format and -s
// key=avro too (the sinks store values only: -s avro means the values there). The
// reader schema defaults to writer for kconsume (keys), as kcat decodes, and to
// latest for the sinks, whose tables follow the subject's latest version.
void add_consume_format_options(CLI::App& app, ConsumeFormatCli& o, bool keys);

// --reader-schema's value: writer, latest, a schema id, or a .avsc file (read and
// parsed: kExitNoInput, kExitConfig).
Result<ReaderSchema> resolve_reader_schema(const std::string& spec);

// Applies -s over the --*-format options and resolves the registry when Avro is
// asked for. Usage errors are kExitUsage; an unreadable password file kExitConfig.
Result<ConsumeFormat> resolve_consume_format(const ConsumeFormatCli& o, bool keys);
// The same for a sink (values only): Avro needs --from-kafka (files and pipes carry
// JSON; kconsume -s value=avro decodes for a pipe). Usage errors: kExitUsage.
Result<ConsumeFormat> resolve_sink_format(const ConsumeFormatCli& o, bool from_kafka);

}  // namespace airstream::avro
