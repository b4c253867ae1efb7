#!/usr/bin/env bash
# rufetch against the local fixture server: real captured responses round-trip byte
# for byte (compacted, same users as jq -c '.results[]'), API parameters reach the
# server, pages of a seed follow each other, keep-alive, gzip, proxies from the
# environment, --envelope, RUFETCH_URL and --api-version.
set -euo pipefail
. "$(dirname "$0")/rufetch_lib.sh"
fx_start --pretty

# 1. a real captured file, served as is (pretty-printed): compact and byte-identical to jq -c
for f in "$FX_DIR"/*.json; do
  name=$(basename "$f")
  n=$(jq '.results|length' "$f")
  "$BIN" --url "$FX_URL/fixtures/$name" --results "$n" >"$T/out"
  jq -c '.results[]' "$f" | cmp - "$T/out" || fail "$name does not round-trip"
done

# 2. the seeded sequence of captured pages (seed abc, 50 per page, API 1.3, exc=registered):
#    four requests through the API imitation give the four captures, in order
conns=$(fx_stats connections)
"$BIN" --url "$FX_URL/api/" --api-version 1.3 --seed abc --results 50 --count 200 --exc registered \
  --rate 0 >"$T/seq"
cat "$FX_DIR"/drawers__randomuser__page{1,2,3,4}.json | jq -c '.results[]' | cmp - "$T/seq" ||
  fail "pages 1-4 of seed abc differ from the captures"
# keep-alive: one connection for the four pages (plus the one of this stats query)
c=$(fx_stats connections)
[ $((c - conns)) -le 2 ] || fail "keep-alive not used: $((c - conns)) connections"
[ "$(fx_stats requests)" -eq $((4 + $(ls "$FX_DIR"/*.json | wc -l))) ] || fail "unexpected request count $(fx_stats requests)"
# --page 3 --count 50 continues the sequence
"$BIN" --url "$FX_URL/api/1.3/" --seed abc --results 50 --page 3 --count 50 --exc registered >"$T/p3"
cmp "$T/p3" <(sed -n 101,150p "$T/seq") || fail "--page 3 is not users 101..150"
# --count not a multiple of --results: the last page is cut, the pages stay those of the seed
"$BIN" --url "$FX_URL/api/1.3/" --seed abc --results 50 --count 120 --exc registered --rate 0 >"$T/c120"
cmp "$T/c120" <(head -120 "$T/seq") || fail "--count 120 --results 50 is not the first 120 users"

# 3. gzip was negotiated (the server compresses only when asked)
[ "$(fx_stats gzip)" -gt 0 ] || fail "no gzip response"

# 4. API imitation: parameters reach the server (compact output, deterministic by seed)
"$BIN" --url "$FX_URL/api/" --seed s1 --results 30 --count 30 --nat fr,ch --inc name,nat,login >"$T/nat"
[ "$(wc -l <"$T/nat")" -eq 30 ] || fail "--results 30 gave $(wc -l <"$T/nat")"
jq -e -s 'all(.[]; (.nat=="FR" or .nat=="CH") and (keys==["login","name","nat"]))' "$T/nat" >/dev/null ||
  fail "--nat/--inc not applied: $(head -c 300 "$T/nat")"
"$BIN" --url "$FX_URL/api/" --seed s1 --results 30 --count 30 --nat FR,CH --inc nat,name,login | cmp - "$T/nat" ||
  fail "same seed, different users"
"$BIN" --url "$FX_URL/api/" --seed s1 --results 10 --count 10 --exc login,picture,id >"$T/exc"
jq -e -s 'all(.[]; has("login")|not) and all(.[]; has("name"))' "$T/exc" >/dev/null || fail "--exc not applied"
# 5000 per page is accepted and delivered whole
"$BIN" --url "$FX_URL/api/" --seed big --results 5000 --count 5000 >"$T/big"
[ "$(wc -l <"$T/big")" -eq 5000 ] || fail "5000-user page gave $(wc -l <"$T/big")"
[ "$(jq -r .login.uuid "$T/big" | sort -u | wc -l)" -eq 5000 ] || fail "5000-user page: uuids not unique"

# 5. --envelope carries the server's info
"$BIN" --url "$FX_URL/api/1.3/" --seed abc --results 50 --page 2 --count 2 --exc registered --envelope >"$T/env"
jq -e -s 'length==2 and all(.[]; .seed=="abc" and .page==2 and .version=="1.3" and (.fetched_at|endswith("Z")))
          and (map(.index)==[0,1])' "$T/env" >/dev/null || fail "envelope: $(head -c 300 "$T/env")"
cmp <(jq -c .result "$T/env") <(sed -n 51,52p "$T/seq") || fail "envelope result differs"

# 6. RUFETCH_URL and --api-version; --url wins over RUFETCH_URL
RUFETCH_URL="$FX_URL/api/" "$BIN" --api-version 1.3 --seed abc --results 50 --count 1 --exc registered >"$T/env1"
cmp "$T/env1" <(head -1 "$T/seq") || fail "RUFETCH_URL not used"
RUFETCH_URL="http://127.0.0.1:1/" "$BIN" --url "$FX_URL/api/1.3/" --seed abc --results 50 --count 1 --exc registered |
  cmp - <(head -1 "$T/seq") || fail "--url does not override RUFETCH_URL"

# 7. a proxy from the environment is used (the fixture server acts as the proxy for an
#    unresolvable host, so the request only succeeds through it)
before=$(fx_stats requests)
http_proxy="$FX_URL" "$BIN" --url "http://randomuser.invalid/api/1.3/" --seed abc --results 50 --count 3 \
  --exc registered --retries 0 >"$T/proxy"
cmp "$T/proxy" <(head -3 "$T/seq") || fail "request through http_proxy failed"
[ "$(fx_stats requests)" -gt "$before" ] || fail "proxy not used"

# 8. --results validated before any request; --gender warns with --seed
expect_rc 64 "$BIN" --url "$FX_URL/api/" --results 5001
expect_rc 0 "$BIN" --url "$FX_URL/api/" --seed x --gender female --results 2
grep -q 'warning: --gender is ignored' "$T/err" || fail "no --gender warning"
echo ok
