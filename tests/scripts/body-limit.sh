#!/usr/bin/env bash
# body-limit.sh -- request bodies over --max-body are refused with 413 and
# the envelope, create nothing, and the server keeps serving.
#
#   --max-body 2048:  /_cspd/info maxBodyBytes = 2048; POST /v1/partners with
#     a 10 KB JSON body -> 413 code 413 (also when sent chunked, without
#     Content-Length); 1 KB -> 201; exactly 2048 bytes -> 201; 2049 -> 413;
#     no partner was created by a refused request; health and a GET still work.
#   default server:   a body of 1 MiB + 1 byte -> 413; 1 MiB - 1 KB -> not 413.
set -uo pipefail
cd "$(dirname "$0")/../.."
export no_proxy='*' NO_PROXY='*'
unset CSPD_STORE CSPD_SANDBOX CSPD_DEMO CSPD_LISTEN CSPD_PORT CSPD_LOG_FORMAT CSPD_ACCESS_LOG \
  CSPD_THREADS CSPD_HTTP_POLL CSPD_MAX_BODY CSPD_THROTTLE CSPD_THROTTLE_BURST CSPD_TOKEN_TTL
source tests/lib.sh

DIR=$(mktemp -d)
fails=0
cleanup() {
  local p
  for p in $(jobs -p); do kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'echo "interrupted"; exit 130' INT TERM

ok() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); }
die() { echo "FAIL - $*"; echo "body-limit: aborted"; exit 1; }

# body NAME SIZE FILE: a valid JSON partner document of exactly SIZE bytes
# (padded with spaces after the object)
body() {
  local name=$1 size=$2 f=$3
  local head="{\"companyName\":\"$name\"}"
  printf '%s' "$head" >"$f"
  head -c $((size - ${#head})) /dev/zero | tr '\0' ' ' >>"$f"
  [ "$(stat -c %s "$f")" = "$size" ] || die "could not build a $size-byte body"
}

# post FILE [curl args]: POST /v1/partners; sets CODE BODY
post() {
  local f=$1
  shift
  BODY=$(curl -s --max-time 30 -w '\n%{http_code}' -H "Authorization: Bearer $TOK" \
    -H 'Content-Type: application/json' --data-binary "@$f" "$@" "$URL/v1/partners")
  CODE=${BODY##*$'\n'}
  BODY=${BODY%$'\n'*}
}

expect_413() { # description
  local code
  code=$(jq -r .code <<<"$BODY" 2>/dev/null)
  [ "$CODE" = 413 ] && [ "$code" = 413 ] && ok "$1 -> 413, code 413 ($(jq -r .description <<<"$BODY"))" ||
    fail "$1 -> HTTP $CODE body $(head -c 200 <<<"$BODY") (want 413 with code 413)"
}

count_partners() {
  curl -s --max-time 10 -H "Authorization: Bearer $TOK" "$URL/v1/partners?size=500" | jq '.items | length'
}

# ---- --max-body 2048
start_server body --store memory --sandbox --demo --max-body 2048 ||
  die "cspd did not start: $(tail -3 "$TEST_OUTPUT/body.err")"
URL=$SERVER_URL
TOK=$(token "$URL" operator@cspd.test)
[ -n "$TOK" ] && [ "$TOK" != null ] || die "no operator token"
mb=$(curl -s --max-time 5 "$URL/_cspd/info" | jq -r .maxBodyBytes)
[ "$mb" = 2048 ] && ok "/_cspd/info maxBodyBytes = 2048" || fail "/_cspd/info maxBodyBytes = '$mb'"
before=$(count_partners)

body "Too Big Co" 10240 "$DIR/10k.json"
post "$DIR/10k.json"
expect_413 "10 KB body (Content-Length)"
post "$DIR/10k.json" -H 'Transfer-Encoding: chunked'
expect_413 "10 KB body (chunked, no Content-Length)"
body "Just Over Co" 2049 "$DIR/2049.json"
post "$DIR/2049.json"
expect_413 "2049-byte body"
after=$(count_partners)
[ "$after" = "$before" ] && ok "refused bodies created nothing ($after partners)" ||
  fail "partners went from $before to $after after refused requests"

body "Small Body Co" 1024 "$DIR/1k.json"
post "$DIR/1k.json"
[ "$CODE" = 201 ] && [ "$(jq -r .companyName <<<"$BODY")" = "Small Body Co" ] && ok "1 KB body -> 201" ||
  fail "1 KB body -> HTTP $CODE $(head -c 200 <<<"$BODY")"
body "Exact Limit Co" 2048 "$DIR/2048.json"
post "$DIR/2048.json"
[ "$CODE" = 201 ] && ok "body of exactly 2048 bytes -> 201" || fail "2048-byte body -> HTTP $CODE $(head -c 200 <<<"$BODY")"
body "Chunked Small Co" 1024 "$DIR/1kc.json"
post "$DIR/1kc.json" -H 'Transfer-Encoding: chunked'
[ "$CODE" = 201 ] && ok "1 KB chunked body -> 201" ||
  fail "1 KB chunked body -> HTTP $CODE $(head -c 200 <<<"$BODY")"

h=$(curl -s --max-time 5 "$URL/_cspd/health" | jq -r .status)
code=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOK" "$URL/v1/partners")
[ "$h" = ok ] && [ "$code" = 200 ] && ok "server keeps serving after 413s (health ok, GET /v1/partners 200)" ||
  fail "after 413s: health '$h', GET /v1/partners $code"
stop_server body

# ---- default limit (1 MiB)
start_server bodydef --store memory --sandbox --demo || die "default cspd did not start"
URL=$SERVER_URL
TOK=$(token "$URL" operator@cspd.test)
body "Huge Co" $((1048576 + 1)) "$DIR/1m1.json"
post "$DIR/1m1.json"
expect_413 "1 MiB + 1 byte against the default limit"
post "$DIR/1m1.json" -H 'Transfer-Encoding: chunked'
expect_413 "1 MiB + 1 byte, chunked, against the default limit"
body "Nearly Huge Co" $((1048576 - 1024)) "$DIR/1m.json"
post "$DIR/1m.json"
[ "$CODE" != 413 ] && ok "1 MiB - 1 KB is under the default limit (HTTP $CODE)" || fail "1 MiB - 1 KB got 413"
h=$(curl -s --max-time 5 "$URL/_cspd/health" | jq -r .status)
[ "$h" = ok ] && ok "default server keeps serving" || fail "default server health after 413: '$h'"
stop_server bodydef

if [ $fails -eq 0 ]; then
  echo "body-limit: all checks passed"
  exit 0
fi
echo "body-limit: $fails check(s) failed"
exit 1
