#!/usr/bin/env bash
# pgload's man page: every --help option documented, lint-clean roff, and the
# "; run" examples (which need no database) run successfully.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/man_check.sh"
man_check pgload 2
