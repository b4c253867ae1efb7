// The pgload command: NDJSON from files or stdin into one PostgreSQL table.
#pragma once

#include "common/cli.h"
#include "options.h"

namespace airstream::pgload {

// Runs a load with parsed options; returns the process exit code (prints diagnostics).
int run_pgload(PgloadOptions& options, CommonOptions& common);

}  // namespace airstream::pgload
