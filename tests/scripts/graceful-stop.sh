#!/usr/bin/env bash
# graceful-stop.sh -- SIGTERM drains in-flight requests, exits 0, and leaves
# the SQLite store clean for the next start.
#
#   - 4 token requests (argon2id, ~0.1 s each) are sent in parallel to a
#     server with 4 worker threads; once cspd has accepted all 4 connections
#     it gets SIGTERM; every request must get a complete 200 with a token;
#     the signal must have arrived while at least one request was still being
#     served (else the attempt is repeated, at most 3 times);
#   - the process exits 0 within 10 s and logs "stopped cleanly";
#   - the store is checkpointed (no leftover -wal content), passes
#     integrity_check, and a restart on it is healthy with the data present.
set -uo pipefail
cd "$(dirname "$0")/../.."
export no_proxy='*' NO_PROXY='*'
unset CSPD_STORE CSPD_SANDBOX CSPD_DEMO CSPD_LISTEN CSPD_PORT CSPD_LOG_FORMAT CSPD_ACCESS_LOG \
  CSPD_THREADS CSPD_HTTP_POLL CSPD_MAX_BODY CSPD_THROTTLE CSPD_THROTTLE_BURST CSPD_TOKEN_TTL
source tests/lib.sh

DIR=$(mktemp -d)
STORE="sqlite:$DIR/cspd.db"
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
die() { echo "FAIL - $*"; echo "graceful-stop: aborted"; exit 1; }

sockets_of() { find "/proc/$1/fd" -lname 'socket:*' 2>/dev/null | wc -l; }

N=4
conclusive=0
for attempt in 1 2 3; do
  name=gstop$attempt
  start_server "$name" --store "$STORE" --sandbox --demo --threads 4 ||
    die "cspd did not start: $(tail -3 "$TEST_OUTPUT/$name.err")"
  URL=$SERVER_URL
  eval "PID=\$SERVER_PID_$name"
  ERR="$TEST_OUTPUT/$name.err"

  if [ $attempt = 1 ]; then
    # data that must survive the stop
    tok=$(token "$URL" operator@cspd.test)
    PARTNER=$(curl -s --max-time 5 -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
      -d '{"companyName":"Graceful Stop Co"}' "$URL/v1/partners" | jq -r .id)
    [[ $PARTNER =~ ^[0-9a-f-]{36}$ ]] || die "could not create a partner before the stop (got '$PARTNER')"
    N_BEFORE=$(curl -s --max-time 5 -H "Authorization: Bearer $tok" "$URL/v1/partners?size=500" | jq '.items | length')
  fi

  base=$(sockets_of "$PID")
  rm -f "$DIR"/r.*
  for i in $(seq 1 $N); do
    curl -s --max-time 15 -o "$DIR/r.$i.body" -w '%{http_code} %{size_download} %{errormsg}\n' \
      -d grant_type=password -d username=operator@cspd.test -d password=cspd-demo-password \
      "$URL/common/oauth2/token" >"$DIR/r.$i" 2>&1 &
  done
  # wait (bounded) until cspd has accepted all N connections
  accepted=0
  for _ in $(seq 1 300); do
    accepted=$(($(sockets_of "$PID") - base))
    [ $accepted -ge $N ] && break
    sleep 0.005
  done
  kill -TERM "$PID"
  t0=$(date +%s%N)
  for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$PID" 2>/dev/null; then
    fail "attempt $attempt: cspd still running 10 s after SIGTERM"
    kill -KILL "$PID"
    wait "$PID" 2>/dev/null
    break
  fi
  wait "$PID"
  rc=$?
  ms=$((($(date +%s%N) - t0) / 1000000))
  wait # the curls (bounded by --max-time)

  echo "# attempt $attempt: $accepted of $N connections accepted when SIGTERM was sent; exit $rc after ${ms} ms"
  [ $rc -eq 0 ] && ok "exit code 0 after SIGTERM (${ms} ms)" || fail "exit code $rc after SIGTERM"
  grep -q 'stopped cleanly' "$ERR" && ok "stderr says 'stopped cleanly'" ||
    fail "stderr lacks 'stopped cleanly': $(tail -3 "$ERR")"

  good=0
  for i in $(seq 1 $N); do
    line=$(cat "$DIR/r.$i")
    if [[ $line == 200\ * ]] && jq -e '.access_token | length > 20' "$DIR/r.$i.body" >/dev/null 2>&1; then
      good=$((good + 1))
    else
      echo "     request $i: $line $(head -c 200 "$DIR/r.$i.body" 2>/dev/null)"
    fi
  done
  if [ $accepted -lt $N ]; then
    echo "# attempt $attempt: not all connections were accepted in time; trying again"
    continue
  fi
  [ $good -eq $N ] && ok "all $N in-flight token requests got a complete 200 with a token" ||
    fail "only $good of $N in-flight token requests got a complete 200"

  # was anything still in flight when the signal arrived? (stderr is in order)
  after=$(sed -n '/signal 15: draining/,$p' "$ERR" | grep -c 'POST /common/oauth2/token 200')
  if [ "$after" -ge 1 ]; then
    ok "$after request(s) finished after the signal: the drain was exercised"
    conclusive=1
    break
  fi
  echo "# attempt $attempt: every request finished before the signal was handled; trying again"
done
[ $conclusive = 1 ] || fail "could not catch a request in flight at SIGTERM in 3 attempts"

# the store after a clean stop
if [ -s "$DIR/cspd.db-wal" ]; then
  fail "the WAL was not checkpointed at stop ($(stat -c %s "$DIR/cspd.db-wal") bytes left in cspd.db-wal)"
else
  ok "no WAL content left after the clean stop"
fi
ic=$(sqlite3 "$DIR/cspd.db" 'PRAGMA integrity_check' 2>&1)
[ "$ic" = ok ] && ok "integrity_check = ok" || fail "integrity_check: $ic"

start_server gstopr --store "$STORE" --sandbox --demo || die "restart failed: $(tail -3 "$TEST_OUTPUT/gstopr.err")"
URL=$SERVER_URL
if grep -iE 'sqlite|recover|corrupt|malformed|error' "$TEST_OUTPUT/gstopr.err" | grep -v ' http ' | grep -q .; then
  fail "restart logged store trouble: $(grep -iE 'sqlite|recover|corrupt|malformed|error' "$TEST_OUTPUT/gstopr.err" | head -3)"
else
  ok "restart on the same store logged no store errors"
fi
h=$(curl -s --max-time 5 "$URL/_cspd/health" | jq -r .status)
[ "$h" = ok ] && ok "restarted server healthy" || fail "/_cspd/health after restart: '$h'"
tok=$(token "$URL" operator@cspd.test)
got=$(curl -s --max-time 5 -H "Authorization: Bearer $tok" "$URL/v1/partners/$PARTNER" | jq -r .companyName)
[ "$got" = "Graceful Stop Co" ] && ok "partner created before the stop is present after restart" ||
  fail "partner $PARTNER after restart: companyName '$got'"
n=$(curl -s --max-time 5 -H "Authorization: Bearer $tok" "$URL/v1/partners?size=500" | jq '.items | length')
[ "$n" = "$N_BEFORE" ] && ok "same $n partners as before the stop (demo world not seeded again)" ||
  fail "$n partners after restart, $N_BEFORE before the stop"
stop_server gstopr

if [ $fails -eq 0 ]; then
  echo "graceful-stop: all checks passed"
  exit 0
fi
echo "graceful-stop: $fails check(s) failed"
exit 1
