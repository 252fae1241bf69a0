#!/usr/bin/env bash
# dashboard-session.sh -- the dashboard's sign-in and its browser protections:
#
#   - GET / serves the dashboard page with its security headers (CSP,
#     nosniff, no framing) and an ETag that answers 304 when unchanged;
#   - POST /_cspd/session with a wrong password -> 401 50126, no cookie;
#     with form encoding instead of JSON -> 415 (a cross-site form cannot sign in);
#   - signed in: an HttpOnly, SameSite=Strict cookie, the session with its
#     tenant, roles and csrfToken; GET /_cspd/session answers the same;
#   - the cookie authenticates API reads; a state change without
#     X-CSRF-Token, or with a wrong one -> 403 and nothing changes; with it
#     -> the API's answer;
#   - tenant isolation holds for cookie sessions (another partner's customer
#     is 404); a customer admin cannot reach partner routes (403);
#   - sign-out clears the cookie; a session past its token's life -> 401
#     SESSION_REQUIRED.
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
die() { echo "FAIL - $*"; echo "dashboard-session: aborted"; exit 1; }
check() { # check DESCRIPTION EXPECTED ACTUAL
  if [ "$2" = "$3" ]; then ok "$1"; else fail "$1: expected '$2', got '$3'"; return 1; fi
}

start_server dash --store memory --sandbox --demo --token-ttl 3 ||
  die "cspd did not start: $(tail -3 "$TEST_OUTPUT/dash.err")"
URL=$SERVER_URL
PW=cspd-demo-password

# req JAR METHOD PATH [curl args...]: sets CODE BODY and headers in $DIR/h
req() {
  local jar=$1 m=$2 p=$3
  shift 3
  local resp
  resp=$(curl -s --max-time 10 -b "$jar" -c "$jar" -D "$DIR/h" -w '\n%{http_code}' -X "$m" "$@" "$URL$p")
  CODE=${resp##*$'\n'}
  BODY=${resp%$'\n'*}
}
hdr() { tr -d '\r' <"$DIR/h" | sed -n "s/^$1: //Ip" | head -1; }
signin() { # signin JAR EMAIL PASSWORD
  req "$1" POST /_cspd/session -H 'Content-Type: application/json' \
    -d "{\"username\":\"$2\",\"password\":\"$3\"}"
}

# the page
req "$DIR/none" GET /
check "GET / serves the dashboard" 200 "$CODE"
case "$(hdr Content-Type)" in text/html*) ok "as text/html" ;; *) fail "content type $(hdr Content-Type)" ;; esac
case "$(hdr Content-Security-Policy)" in *"default-src 'self'"*"frame-ancestors 'none'"*) ok "CSP: own sources only, never framed" ;; *) fail "CSP '$(hdr Content-Security-Policy)'" ;; esac
check "nosniff" nosniff "$(hdr X-Content-Type-Options)"
etag=$(hdr ETag)
req "$DIR/none" GET / -H "If-None-Match: $etag"
check "unchanged page -> 304" 304 "$CODE"
req "$DIR/none" POST / -d x
check "the page cannot be POSTed" 405 "$CODE"

# sign-in refusals
signin "$DIR/bad" admin@contoso-direct.test wrong
check "wrong password -> 401" 401 "$CODE"
check "  envelope code 50126" 50126 "$(jq -r .code <<<"$BODY")"
[ -z "$(hdr Set-Cookie)" ] && ok "  no cookie set" || fail "a cookie was set on a refused sign-in"
signin "$DIR/bad" nobody@nowhere.test "$PW"
check "unknown e-mail -> 401 (same answer)" 401 "$CODE"
req "$DIR/bad" POST /_cspd/session -d "username=admin@contoso-direct.test&password=$PW"
check "form-encoded sign-in -> 415" 415 "$CODE"
req "$DIR/bad" GET /v1/customers
check "no session, no token -> 401" 401 "$CODE"

# sign in as Contoso's admin
signin "$DIR/c" admin@contoso-direct.test "$PW"
check "sign-in -> 200" 200 "$CODE"
cookie=$(hdr Set-Cookie)
case "$cookie" in cspd_session=*HttpOnly*SameSite=Strict*) ok "cookie is HttpOnly, SameSite=Strict" ;; *) fail "cookie '$cookie'" ;; esac
check "  tenant kind" partner "$(jq -r .tenantKind <<<"$BODY")"
check "  roles" "global_admin,admin_agent" "$(jq -r '.roles|join(",")' <<<"$BODY")"
CSRF=$(jq -r .csrfToken <<<"$BODY")
[ ${#CSRF} -eq 43 ] && ok "  a csrfToken" || fail "csrfToken '$CSRF'"
req "$DIR/c" GET /_cspd/session
check "GET /_cspd/session -> 200" 200 "$CODE"
check "  the same csrfToken" "$CSRF" "$(jq -r .csrfToken <<<"$BODY")"

# the cookie on the API
req "$DIR/c" GET /v1/customers
check "cookie reads the API" 200 "$CODE"
own=$(jq -r '.items|length' <<<"$BODY")
req "$DIR/c" GET /v1/customers/e0000000-0000-4000-8000-000000000004
check "another partner's customer stays invisible (404)" 404 "$CODE"
req "$DIR/c" GET /v1/agreements/mpa
before=$(jq -c '.items|length' <<<"$BODY")
body='{"signerName":"Daan de Vries","signerEmail":"admin@contoso-direct.test"}'
req "$DIR/c" POST /v1/agreements/mpa -H 'Content-Type: application/json' -d "$body"
check "a write without X-CSRF-Token -> 403" 403 "$CODE"
check "  with its remedy" 1 "$(jq -r '.remedy|test("X-CSRF-Token")|if . then 1 else 0 end' <<<"$BODY")"
req "$DIR/c" POST /v1/agreements/mpa -H 'Content-Type: application/json' -H "X-CSRF-Token: ${CSRF%?}x" -d "$body"
check "a wrong X-CSRF-Token -> 403" 403 "$CODE"
req "$DIR/c" GET /v1/agreements/mpa
check "  nothing changed" "$before" "$(jq -c '.items|length' <<<"$BODY")"
req "$DIR/c" GET /v1/customers -H "X-CSRF-Token: nonsense"
check "reads need no CSRF token" 200 "$CODE"
req "$DIR/c" POST /v1/agreements/mpa -H 'Content-Type: application/json' -H "X-CSRF-Token: $CSRF" -d "$body"
# Contoso signed the MPA already: the API's own answer (409 R-MPA-1) shows the request got through
check "with X-CSRF-Token the write reaches the API (its answer: R-MPA-1)" R-MPA-1 "$(jq -r .rule <<<"$BODY")"

# a CSRF token is bound to its session
signin "$DIR/f" admin@fabrikam-dist.test "$PW"
FCSRF=$(jq -r .csrfToken <<<"$BODY")
[ "$FCSRF" != "$CSRF" ] && ok "each session has its own csrfToken" || fail "csrfToken shared between sessions"
req "$DIR/c" DELETE /_cspd/session -H "X-CSRF-Token: $FCSRF"
check "another session's token does not do (403)" 403 "$CODE"

# a customer admin cannot use partner routes
signin "$DIR/w" admin@wingtiptoys.test "$PW"
if [ "$CODE" = 200 ]; then
  check "customer admin signs in as a customer" customer "$(jq -r .tenantKind <<<"$BODY")"
  req "$DIR/w" GET /v1/profiles/mpn
  check "  partner routes -> 403" 403 "$CODE"
else
  fail "customer admin sign-in: $CODE $BODY"
fi

# sign-out
req "$DIR/c" DELETE /_cspd/session -H "X-CSRF-Token: $CSRF"
check "sign-out -> 204" 204 "$CODE"
case "$(hdr Set-Cookie)" in cspd_session=\;*Max-Age=0*) ok "  the cookie is removed" ;; *) fail "sign-out cookie '$(hdr Set-Cookie)'" ;; esac
req "$DIR/c" GET /_cspd/session
check "  then no session (401)" 401 "$CODE"

# expiry (--token-ttl 3)
signin "$DIR/e" admin@contoso-direct.test "$PW"
check "the cookie lives as long as the token" 1 "$(hdr Set-Cookie | grep -c 'Max-Age=3;')"
stale=$(hdr Set-Cookie | sed 's/;.*//')
sleep 4.5
# the browser drops the cookie at Max-Age; one replayed after that is refused by the server
req "$DIR/none" GET /v1/customers -H "Cookie: $stale"
check "an expired session cookie -> 401" 401 "$CODE"
check "  says sign in again" 1 "$(jq -r '.remedy|test("Sign in")|if . then 1 else 0 end' <<<"$BODY")" || echo "# $BODY"

[ "$fails" -eq 0 ] && echo "dashboard-session: all checks passed" || echo "dashboard-session: $fails failed"
[ "$fails" -eq 0 ]
