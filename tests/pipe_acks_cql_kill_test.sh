#!/usr/bin/env bash
# kconsume --acks | ... | sink --acks: kill -9 of each stage in turn in the middle of
# 10k records (100k in the issue; scaled down for CI time), then a restart: every key
# stored, none missing (re-written records are idempotent upserts); kconsume notices a
# killed partner (exit 74). Then a rebalance mid-stream: a second member (a whole pipe
# with its own channel) joins, the first member's kconsume is killed -9: nothing lost,
# lag 0.
COMPOSITION=cql N=10000
source "$(dirname "$0")/pipe_acks_lib.sh"
for stage in kconsume middle sink; do kill_case "$stage"; done
rebalance_case
echo "ok: cql composition, kill -9 of each stage; rebalance with a killed member"
