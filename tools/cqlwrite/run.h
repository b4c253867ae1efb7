// cqlwrite's run: connect, prepare the table, stream NDJSON records into a CqlSink,
// report rejects and failures, drain on SIGINT/SIGTERM, and pick the exit code.
#pragma once

#include "common/cli.h"
#include "options.h"

namespace airstream::cqlwrite {

int run(Options& options, const CommonOptions& common);

}  // namespace airstream::cqlwrite
