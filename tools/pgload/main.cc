// pgload: NDJSON into a PostgreSQL table with COPY, in batches, append or upsert.
#include <malloc.h>

#include "app.h"
#include "common/signals.h"

int main(int argc, char** argv) {
  // glibc gives every thread that allocates its own heap (up to 8 per CPU): with the
  // jobs, the flusher and librdkafka's threads, memory freed in one heap and needed in
  // another added about 10 MB to the peak of --from-kafka. Two heaps are enough.
  mallopt(M_ARENA_MAX, 2);
  airstream::install_signal_handlers();
  airstream::Cli cli("pgload", "Load NDJSON records into a PostgreSQL table with COPY (append or upsert, in batches)");
  cli.set_help_names("-?,--help");  // -h is the host, as in psql
  airstream::CommonOptions common;
  cli.add_common(common, airstream::kInputOptions | airstream::kRejectOptions | airstream::kStatsOptions);
  airstream::pgload::PgloadOptions options;
  airstream::pgload::add_pgload_options(cli.app(), options);
  if (auto code = cli.parse(argc, argv)) return *code;
  return airstream::pgload::run_pgload(options, common);
}
