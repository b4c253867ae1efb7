#!/usr/bin/env bash
# kconsume --acks | uxform --envelope | cqlwrite: the sink exits at once (unknown
# option, missing table, --help); no offset is committed past what was stored, and a
# restart with a good command stores every record (10k records; 100k in the issue, scaled down for CI time).
# Then uxform --envelope --where dropping ~94% of them: the group's lag is 0 at the end.
COMPOSITION=cql N=10000
source "$(dirname "$0")/pipe_acks_lib.sh"
exit_cases
filter_case
echo "ok: cql composition, sink exits at once; a filter dropping ~94% leaves lag 0"
