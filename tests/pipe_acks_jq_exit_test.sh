#!/usr/bin/env bash
# kconsume --acks | jq | cqlwrite: the sink exits at once (unknown
# option, missing table, --help); no offset is committed past what was stored, and a
# restart with a good command stores every record (10k records; 100k in the issue, scaled down for CI time).
COMPOSITION=jq N=10000
source "$(dirname "$0")/pipe_acks_lib.sh"
exit_cases
echo "ok: jq composition, sink exits at once"
