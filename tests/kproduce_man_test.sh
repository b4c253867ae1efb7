#!/usr/bin/env bash
# kproduce's man page: every --help option documented, lint-clean roff, and the
# "; run" examples (which need no external service) run successfully.
set -euo pipefail
source "$AIRSTREAM_SRC/tests/lib/man_check.sh"
man_check kproduce 3
