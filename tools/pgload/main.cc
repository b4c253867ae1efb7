// pgload: not implemented yet (see its issue); exits 70 after the common option parsing
// so --help, --version and usage errors already behave as in every tool.
#include "common/cli.h"
#include "common/signals.h"

int main(int argc, char** argv) {
  airstream::install_signal_handlers();
  airstream::Cli cli("pgload", "pgload (airstream): not implemented yet");
  airstream::CommonOptions common;
  cli.add_common(common, airstream::kAllOptions);
  if (auto code = cli.parse(argc, argv)) return *code;
  return airstream::not_implemented("pgload");
}
