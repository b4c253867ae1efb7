// The schema-registry options every tool that reads or writes registry Avro spells
// the same way (--registry, --registry-user, --registry-password-file, --registry-ca,
// --registry-timeout, also as --config keys), and the choice of a producer's writer
// schema. The password never comes from the command line: SCHEMA_REGISTRY_PASSWORD,
// then --registry-password-file (first line).
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

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

}  // namespace airstream::avro
