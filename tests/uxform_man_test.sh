#!/usr/bin/env bash
# uxform's man page: every --help option documented, roff lint-clean, and every
# "; run" example runs (see tests/lib/man_check.sh).
set -euo pipefail
source "${AIRSTREAM_SRC:?}/tests/lib/man_check.sh"
man_check uxform 8
