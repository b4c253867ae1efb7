// pgload: NDJSON into a PostgreSQL table with COPY, in batches, append or upsert.
#include "app.h"
#include "common/signals.h"

int main(int argc, char** argv) {
  airstream::install_signal_handlers();
  airstream::Cli cli("pgload", "Load NDJSON records into a PostgreSQL table with COPY (append or upsert, in batches)");
  airstream::CommonOptions common;
  cli.add_common(common, airstream::kInputOptions | airstream::kRejectOptions | airstream::kStatsOptions);
  airstream::pgload::PgloadOptions options;
  airstream::pgload::add_pgload_options(cli.app(), options);
  if (auto code = cli.parse(argc, argv)) return *code;
  return airstream::pgload::run_pgload(options, common);
}
