#!/usr/bin/env bash
# token-expiry.sh -- --token-ttl is honoured: a 1-second token works at once
# and is refused as expired 2.2 s later.
#
#   - the token answer says expires_in 1 and the JWT has exp = iat + 1;
#   - used at once: GET /v1/profiles/mpn as a partner -> 200;
#   - after 2.2 s the same token -> 401, envelope code 401, description
#     mentions "expired", WWW-Authenticate: Bearer ... error="invalid_token"
#     (checked several times so both worker threads -- and their token caches --
#     answer);
#   - a new token works again; a tampered token is 401 but not "expired".
#
# exp is in whole seconds (iat is truncated), so a 1 s token lives between 0
# and 1 s; the token is requested just after a second boundary so that "at
# once" is well inside its life.
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
die() { echo "FAIL - $*"; echo "token-expiry: aborted"; exit 1; }

start_server ttl --store memory --sandbox --demo --token-ttl 1 ||
  die "cspd did not start: $(tail -3 "$TEST_OUTPUT/ttl.err")"
URL=$SERVER_URL
USER=admin@contoso-direct.test

# get_token: waits (bounded) for the start of a wall-clock second, then asks
get_token() {
  local i
  for i in $(seq 1 300); do
    [ $((10#$(date +%N) / 1000000)) -lt 150 ] && break
    sleep 0.005
  done
  curl -s --max-time 10 -d grant_type=password --data-urlencode "username=$USER" \
    -d password=cspd-demo-password "$URL/common/oauth2/token"
}

# call TOKEN: GET /v1/profiles/mpn; sets CODE BODY WWWA
call() {
  local resp
  resp=$(curl -s --max-time 5 -D "$DIR/h" -w '\n%{http_code}' -H "Authorization: Bearer $1" "$URL/v1/profiles/mpn")
  CODE=${resp##*$'\n'}
  BODY=${resp%$'\n'*}
  WWWA=$(tr -d '\r' <"$DIR/h" | sed -n 's/^[Ww][Ww][Ww]-[Aa]uthenticate: //p')
}

jwt_claim() { # TOKEN CLAIM-EXPR
  local payload
  payload=$(cut -d. -f2 <<<"$1" | tr '_-' '/+')
  while [ $((${#payload} % 4)) -ne 0 ]; do payload="$payload="; done
  base64 -d <<<"$payload" 2>/dev/null | jq -r "$2"
}

# fresh_use LABEL: get a 1 s token and use it at once; sets TOK and ANS.
# A use that could only start after exp - 0.2 s (a very slow machine) proves
# nothing: it is retried, at most 3 times.
fresh_use() {
  local label=$1 try exp now_ms
  for try in 1 2 3; do
    ANS=$(get_token)
    TOK=$(jq -r .access_token <<<"$ANS" 2>/dev/null)
    [ -n "$TOK" ] && [ "$TOK" != null ] || die "no token: $ANS"
    exp=$(jwt_claim "$TOK" .exp)
    now_ms=$(($(date +%s%N) / 1000000))
    call "$TOK"
    if [ "$CODE" = 200 ]; then
      ok "$label: 1 s token accepted at once (GET /v1/profiles/mpn -> 200, $((exp * 1000 - now_ms)) ms before exp)"
      return 0
    fi
    if [ $now_ms -ge $((exp * 1000 - 200)) ]; then
      echo "# $label: the use started only $((exp * 1000 - now_ms)) ms before exp (slow machine); again"
      continue
    fi
    fail "$label: 1 s token used $((exp * 1000 - now_ms)) ms before its exp: HTTP $CODE $BODY"
    return 1
  done
  fail "$label: could not use a 1 s token before its expiry in 3 tries (machine too slow?)"
}

fresh_use "first token"
ei=$(jq -r .expires_in <<<"$ANS")
[ "$ei" = 1 ] && ok "token answer says expires_in 1" || fail "token answer expires_in '$ei' (want 1)"
life=$(jwt_claim "$TOK" '.exp - .iat')
[ "$life" = 1 ] && ok "JWT exp - iat = 1" || fail "JWT exp - iat = '$life' (want 1)"

sleep 2.2
for i in 1 2 3 4; do
  call "$TOK"
  code=$(jq -r .code <<<"$BODY" 2>/dev/null)
  desc=$(jq -r .description <<<"$BODY" 2>/dev/null)
  if [ "$CODE" = 401 ] && [ "$code" = 401 ] && grep -qi expired <<<"$desc" &&
    grep -q '^Bearer' <<<"$WWWA" && grep -q 'invalid_token' <<<"$WWWA"; then
    ok "after 2.2 s (try $i): 401, code 401, '$desc', WWW-Authenticate: $WWWA"
  else
    fail "after 2.2 s (try $i): HTTP $CODE, body $BODY, WWW-Authenticate '$WWWA' (want 401 code 401, 'expired', invalid_token)"
  fi
done

fresh_use "new token after the expiry"
TOK2=$TOK

sig=${TOK2##*.}
first=${sig:0:1}
[ "$first" = A ] && repl=B || repl=A
call "${TOK2%.*}.$repl${sig:1}"
desc=$(jq -r .description <<<"$BODY" 2>/dev/null)
if [ "$CODE" = 401 ] && ! grep -qi expired <<<"$desc" && grep -q invalid_token <<<"$WWWA"; then
  ok "tampered token: 401 invalid_token, not called expired ('$desc')"
else
  fail "tampered token: HTTP $CODE '$desc' WWW-Authenticate '$WWWA'"
fi
stop_server ttl

if [ $fails -eq 0 ]; then
  echo "token-expiry: all checks passed"
  exit 0
fi
echo "token-expiry: $fails check(s) failed"
exit 1
