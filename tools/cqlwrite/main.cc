// cqlwrite: writes NDJSON records into a Cassandra table over the CQL native
// protocol (see man/cqlwrite.1). main() only wires the command line to run().
#include "common/cli.h"
#include "common/signals.h"
#include "options.h"
#include "run.h"

int main(int argc, char** argv) {
  airstream::install_signal_handlers();
  airstream::Cli cli("cqlwrite", "cqlwrite (airstream): write NDJSON records into a Cassandra table");
  airstream::CommonOptions common;
  cli.add_common(common, airstream::kAllOptions & ~airstream::kOutputOptions);
  airstream::cqlwrite::Options options;
  airstream::cqlwrite::add_options(cli.app(), options);
  if (auto code = cli.parse(argc, argv)) return *code;
  return airstream::cqlwrite::run(options, common);
}
