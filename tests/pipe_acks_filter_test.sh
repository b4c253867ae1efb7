#!/usr/bin/env bash
# kconsume --acks | uxform --envelope --where ... | cqlwrite --acks with a filter that
# drops ~94% of 10k records (ids starting with 0 kept): the dropped records pass on as
# markers and are acknowledged, so the group's lag is 0 at the end, and exactly the
# kept ids are stored.
COMPOSITION=cql N=10000
source "$(dirname "$0")/pipe_acks_lib.sh"
WHERE='startswith(.login.uuid, "0")'
uxform --preset created_users --where "$WHERE" <"$T/raw.ndjson" | jq -r .id | sort -u >"$T/kept.ids"
kept=$(wc -l <"$T/kept.ids")
((kept > 0 && kept < N / 5)) || fail "the filter keeps $kept of $N"
MIDDLE=(uxform --envelope --preset created_users --where "$WHERE")
new_table filtered
sink filtered "$T/acks"
pipe_run filtered "$T/acks" "${S[@]}"
((RC == 0)) || fail "exit $RC: $(tail -n 5 "$T/err")"
expect_ids filtered "$T/kept.ids"
l=$(lag filtered)
echo "kept $kept of $N; lag $l"
((l == 0)) || fail "lag $l at the end: dropped records were not acknowledged"
echo "ok: a filter dropping $((N - kept)) of $N records leaves lag 0"
