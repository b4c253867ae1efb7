# scripts/ops alerting rules: promtool accepts them and the example scrape
# configuration, and their unit tests (lag growing, rejects, a stage down, a stale
# metrics file, no progress, a stuck record; each with a quiet healthy neighbour) pass.
source "$(dirname "$0")/lib/common.sh"
command -v promtool >/dev/null || skip "promtool not installed (Debian package prometheus)"
OPS="$AIRSTREAM_SRC/scripts/ops"
cd "$TMP"
check "rules are valid: $(promtool check rules "$OPS/airstream.rules.yml" 2>&1 | tail -3)" \
  promtool check rules "$OPS/airstream.rules.yml"
check "example scrape config is valid: $(promtool check config "$OPS/prometheus.example.yml" 2>&1 | tail -3)" \
  promtool check config "$OPS/prometheus.example.yml"
out=$(cd "$OPS" && promtool test rules airstream.rules.test.yml 2>&1) || fail "promtool test rules: $out"
pass
for alert in AirstreamLagGrowing AirstreamRejects AirstreamStageDown AirstreamNoProgress AirstreamRecordStuck; do
  check "$alert is unit-tested" grep -q "alertname: $alert" "$OPS/airstream.rules.test.yml"
done
finish
