#!/usr/bin/env bash
# kconsume's man page: every --help option documented, lint-clean roff, and the
# "; run" examples (no external service; the development cluster from the build tree)
# run successfully.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/man_check.sh"
man_check kconsume 2
