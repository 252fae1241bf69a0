#!/usr/bin/env bash
# production-mode.sh -- without --sandbox the sandbox controls do not exist
# and sandbox-only identities cannot sign in.
#
#   - /_cspd/clock (GET, PUT), /_cspd/clock/advance, /_cspd/reset, /_cspd/seed
#     answer 404 with the error envelope (code 404, description mentions
#     sandbox), even without a token; /_cspd/info says "sandbox": false; no
#     X-Cspd-Sandbox header;
#   - a store seeded with the demo world (--sandbox --demo), restarted without
#     --sandbox: demo users get 400 invalid_grant, demo apps 401 invalid_client;
#   - `cspd init --password-stdin` adds a real operator user that can sign in
#     without sandbox mode (on the demo-seeded store and on a fresh store); a
#     second `cspd init` exits 1;
#   - `cspd serve --demo` (or CSPD_DEMO=1) without --sandbox exits 2.
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
die() { echo "FAIL - $*"; echo "production-mode: aborted"; exit 1; }

# req METHOD PATH [curl args...]: sets CODE, BODY, HDRS
req() {
  local m=$1 p=$2
  shift 2
  BODY=$(curl -s --max-time 10 -X "$m" -D "$DIR/hdrs" -w '\n%{http_code}' "$@" "$URL$p")
  CODE=${BODY##*$'\n'}
  BODY=${BODY%$'\n'*}
  HDRS=$(tr -d '\r' <"$DIR/hdrs")
}

password_grant() { # user password -> sets CODE BODY
  req POST /common/oauth2/token -d grant_type=password --data-urlencode "username=$1" \
    --data-urlencode "password=$2"
}
client_grant() { # client_id secret
  req POST /common/oauth2/token -d grant_type=client_credentials -d "client_id=$1" \
    --data-urlencode "client_secret=$2"
}

DB="$DIR/cspd.db"
STORE="sqlite:$DB"

# 1. seed the demo world in sandbox mode; demo identities work there
start_server prodsbx --store "$STORE" --sandbox --demo || die "sandbox start: $(tail -3 "$TEST_OUTPUT/prodsbx.err")"
URL=$SERVER_URL
password_grant admin@contoso-direct.test cspd-demo-password
[ "$CODE" = 200 ] && ok "sandbox: demo user signs in" || fail "sandbox: demo user sign-in gave $CODE $BODY"
client_grant 0a000000-0000-4000-8000-000000000011 contoso-demo-app-secret
[ "$CODE" = 200 ] && ok "sandbox: demo app gets a token" || fail "sandbox: demo app gave $CODE $BODY"
stop_server prodsbx

# 2. same store, no --sandbox
start_server prod --store "$STORE" || die "production start: $(tail -3 "$TEST_OUTPUT/prod.err")"
URL=$SERVER_URL
grep -q 'SANDBOX' "$TEST_OUTPUT/prod.out" && fail "banner mentions SANDBOX without --sandbox: $(head -1 "$TEST_OUTPUT/prod.out")" ||
  ok "banner does not claim sandbox mode"

check_gone() { # METHOD PATH [curl args]
  local m=$1 p=$2
  req "$@"
  local code desc
  code=$(jq -r .code <<<"$BODY" 2>/dev/null)
  desc=$(jq -r .description <<<"$BODY" 2>/dev/null)
  if [ "$CODE" = 404 ] && [ "$code" = 404 ] && grep -qi sandbox <<<"$desc"; then
    ok "$m $p -> 404, code 404, '$desc'"
  else
    fail "$m $p -> HTTP $CODE body $BODY (want 404, code 404, description mentioning sandbox)"
  fi
}
check_gone GET /_cspd/clock
check_gone PUT /_cspd/clock -H 'Content-Type: application/json' -d '{"now":"2030-01-01T00:00:00Z"}'
check_gone POST /_cspd/clock/advance -H 'Content-Type: application/json' -d '{"days":1}'
check_gone POST /_cspd/reset -H 'Content-Type: application/json' -d '{}'
check_gone POST /_cspd/seed -H 'Content-Type: application/json' -d '{}'

req GET /_cspd/info
sbx=$(jq -r .sandbox <<<"$BODY" 2>/dev/null)
[ "$CODE" = 200 ] && [ "$sbx" = false ] && ok "/_cspd/info says sandbox false" ||
  fail "/_cspd/info: HTTP $CODE sandbox=$sbx ($BODY)"
grep -qi '^X-Cspd-Sandbox' <<<"$HDRS" && fail "X-Cspd-Sandbox header present without --sandbox" ||
  ok "no X-Cspd-Sandbox header"

for u in operator@cspd.test admin@contoso-direct.test admin@wingtiptoys.test; do
  password_grant "$u" cspd-demo-password
  e=$(jq -r .error <<<"$BODY" 2>/dev/null)
  [ "$CODE" = 400 ] && [ "$e" = invalid_grant ] && ok "demo user $u refused: 400 invalid_grant" ||
    fail "demo user $u without sandbox: HTTP $CODE $BODY (want 400 invalid_grant)"
done
for app in 0a000000-0000-4000-8000-000000000001:operator-demo-app-secret \
  0a000000-0000-4000-8000-000000000011:contoso-demo-app-secret; do
  client_grant "${app%%:*}" "${app#*:}"
  e=$(jq -r .error <<<"$BODY" 2>/dev/null)
  [ "$CODE" = 401 ] && [ "$e" = invalid_client ] && ok "demo app ${app%%:*} refused: 401 invalid_client" ||
    fail "demo app ${app%%:*} without sandbox: HTTP $CODE $BODY (want 401 invalid_client)"
done

# 3. cspd init on the demo-seeded store: a real operator
PW='Prod-Operator-pw-8841'
out=$(printf '%s\n' "$PW" | "$CSPD" init --store "$STORE" --email ops@example.test --password-stdin 2>&1)
rc=$?
[ $rc = 0 ] && ok "cspd init (demo-seeded store) exit 0: $out" || fail "cspd init exit $rc: $out"
password_grant ops@example.test "$PW"
tok=$(jq -r .access_token <<<"$BODY" 2>/dev/null)
if [ "$CODE" = 200 ] && [ -n "$tok" ] && [ "$tok" != null ]; then
  ok "the init'd operator signs in without sandbox mode"
  req GET /v1/partners -H "Authorization: Bearer $tok"
  [ "$CODE" = 200 ] && ok "the init'd operator can list partners" || fail "GET /v1/partners as init'd operator: $CODE $BODY"
else
  fail "the init'd operator sign-in: HTTP $CODE $BODY"
fi
password_grant ops@example.test wrong-password-1234
[ "$CODE" = 400 ] && ok "wrong password for the real operator -> 400" || fail "wrong password -> $CODE"
out=$(printf '%s\n' "$PW" | "$CSPD" init --store "$STORE" --email ops2@example.test --password-stdin 2>&1)
rc=$?
[ $rc = 1 ] && ok "second cspd init refused with exit 1: $out" || fail "second cspd init: exit $rc (want 1): $out"
password_grant ops2@example.test "$PW"
[ "$CODE" = 400 ] && ok "the refused second init created no user" || fail "ops2 sign-in after refused init: HTTP $CODE"
stop_server prod

# 4. cspd init on a fresh store, served without sandbox
FRESH="sqlite:$DIR/fresh.db"
out=$(printf '%s\n' "$PW" | "$CSPD" init --store "$FRESH" --email root@example.test --password-stdin 2>&1)
rc=$?
[ $rc = 0 ] && ok "cspd init (fresh store) exit 0" || fail "cspd init on a fresh store: exit $rc: $out"
out=$(printf '%s\n' "$PW" | "$CSPD" init --store "$FRESH" --email root2@example.test --password-stdin 2>&1)
rc=$?
[ $rc = 1 ] && ok "second cspd init on the fresh store exits 1" || fail "second init on the fresh store: exit $rc: $out"
start_server prodfresh --store "$FRESH" || die "start on fresh store: $(tail -3 "$TEST_OUTPUT/prodfresh.err")"
URL=$SERVER_URL
password_grant root@example.test "$PW"
[ "$CODE" = 200 ] && ok "fresh store: operator signs in without sandbox" || fail "fresh store operator sign-in: HTTP $CODE $BODY"
stop_server prodfresh

# 5. --demo without --sandbox refuses to start
run_refused() { # description, env..., -- args
  local desc=$1
  shift
  timeout 10 env "$@" --store "sqlite:$DIR/never.db" --port 0 >"$DIR/demo.out" 2>"$DIR/demo.err" </dev/null
  local rc=$?
  if [ $rc = 2 ]; then
    ok "$desc refused with exit 2: $(head -1 "$DIR/demo.err")"
  else
    fail "$desc: exit $rc (want 2); stdout $(head -c 200 "$DIR/demo.out") stderr $(head -c 200 "$DIR/demo.err")"
  fi
}
run_refused "cspd serve --demo" "$CSPD" serve --demo
run_refused "CSPD_DEMO=1 cspd serve" CSPD_DEMO=1 "$CSPD" serve
grep -q listening "$DIR/demo.out" && fail "a --demo server without --sandbox started listening"

if [ $fails -eq 0 ]; then
  echo "production-mode: all checks passed"
  exit 0
fi
echo "production-mode: $fails check(s) failed"
exit 1
