#!/usr/bin/env bash
# logs.sh -- the access log on stderr.
#
#   text (default): exactly one line per request, carrying method, path,
#     status and the MS-RequestId sent (a known GUID per request), the caller's
#     tenant on authenticated requests and error=NAME on failures;
#   --log-format json: every stderr line while serving is one JSON object;
#     each request's line has requestId, method, path, status (number),
#     durationUs (number) with the values of that request;
#   --no-access-log: requests leave no line at all.
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
die() { echo "FAIL - $*"; echo "logs: aborted"; exit 1; }

PFX=$(printf '%08x' $(((RANDOM << 15 | RANDOM) & 0xffffffff)))
rid() { printf '%s-0000-4000-8000-%012d' "$PFX" "$1"; }

# The requests every mode gets: "N METHOD PATH EXPECTED-STATUS [curl args]"
# (the log line is written after the answer is sent: wait for it, bounded)
send_all() {
  local tok=$1
  curl -s -o /dev/null --max-time 5 -H "MS-RequestId: $(rid 1)" "$URL/_cspd/health"
  curl -s -o /dev/null --max-time 5 -H "MS-RequestId: $(rid 2)" -H "Authorization: Bearer $tok" "$URL/v1/profiles/mpn"
  curl -s -o /dev/null --max-time 5 -H "MS-RequestId: $(rid 3)" "$URL/v1/no-such-route"
  curl -s -o /dev/null --max-time 5 -H "MS-RequestId: $(rid 4)" "$URL/v1/profiles/mpn"
  curl -s -o /dev/null --max-time 5 -H "MS-RequestId: $(rid 5)" -H "Authorization: Bearer $tok" \
    -H 'Content-Type: application/json' -d '{"companyName":"Log Co"}' "$URL/v1/partners"
}
# expected: id method path status
EXPECT="1 GET /_cspd/health 200
2 GET /v1/profiles/mpn 200
3 GET /v1/no-such-route 404
4 GET /v1/profiles/mpn 401
5 POST /v1/partners 403"

wait_lines() { # file pattern count
  local i
  for i in $(seq 1 40); do
    [ "$(grep -c "$2" "$1")" -ge "$3" ] && return 0
    sleep 0.05
  done
  return 1
}

# ---- text
start_server logtext --store memory --sandbox --demo || die "cspd did not start: $(tail -3 "$TEST_OUTPUT/logtext.err")"
URL=$SERVER_URL
ERR="$TEST_OUTPUT/logtext.err"
TOK=$(token "$URL" admin@contoso-direct.test) # partner: POST /v1/partners is 403
TID=c0000000-0000-4000-8000-000000000001
send_all "$TOK"
wait_lines "$ERR" "rid=$PFX" 5
cp "$ERR" "$DIR/text.log"
while read -r n m p s; do
  id=$(rid "$n")
  lines=$(grep -c -- "$id" "$DIR/text.log")
  line=$(grep -- "$id" "$DIR/text.log" | head -1)
  if [ "$lines" != 1 ]; then
    fail "text: $lines log lines carry request id $id ($m $p), want exactly 1"
  elif [[ " $line " == *" $m $p $s "* ]] && [[ $line == *"rid=$id"* ]]; then
    ok "text: one line for $m $p $s with rid=$id"
  else
    fail "text: line for $id lacks '$m $p $s' or 'rid=$id': $line"
  fi
done <<<"$EXPECT"
line=$(grep -- "$(rid 2)" "$DIR/text.log")
[[ $line == *"tenant=$TID"* ]] && ok "text: authenticated line names the tenant ($TID)" || fail "text: no tenant=$TID in: $line"
line=$(grep -- "$(rid 3)" "$DIR/text.log")
[[ $line == *"error=ROUTE_NOT_FOUND"* ]] && ok "text: the 404 line says error=ROUTE_NOT_FOUND" || fail "text: 404 line: $line"
n=$(grep -c ' http ' "$DIR/text.log")
[ "$n" = 6 ] && ok "text: 6 access lines for 6 requests (token + 5)" || fail "text: $n access lines for 6 requests: $(cat "$DIR/text.log")"
stop_server logtext

# ---- json
start_server logjson --store memory --sandbox --demo --log-format json ||
  die "cspd --log-format json did not start: $(tail -3 "$TEST_OUTPUT/logjson.err")"
URL=$SERVER_URL
ERR="$TEST_OUTPUT/logjson.err"
TOK=$(token "$URL" admin@contoso-direct.test)
send_all "$TOK"
wait_lines "$ERR" "$PFX" 5
cp "$ERR" "$DIR/json.log" # before the stop: lifecycle messages are not access lines
nl=$(wc -l <"$DIR/json.log")
nobj=$(jq -c 'select(type == "object")' "$DIR/json.log" 2>/dev/null | wc -l)
if [ "$nl" -ge 6 ] && [ "$nobj" = "$nl" ] && jq -e . "$DIR/json.log" >/dev/null 2>&1; then
  ok "json: all $nl stderr lines while serving are JSON objects"
else
  fail "json: $nl lines, $nobj parse as JSON objects: $(head -c 400 "$DIR/json.log")"
fi
while read -r n m p s; do
  id=$(rid "$n")
  sel=$(jq -c --arg id "$id" 'select(type == "object" and .requestId == $id)' "$DIR/json.log" 2>/dev/null)
  cnt=$(grep -c . <<<"$sel")
  if [ "$cnt" != 1 ]; then
    fail "json: $cnt objects with requestId $id, want 1"
    continue
  fi
  good=$(jq -r --arg m "$m" --arg p "$p" --argjson s "$s" \
    '(.method == $m) and (.path == $p) and (.status == $s) and ((.durationUs | type) == "number") and (.durationUs >= 0)' <<<"$sel")
  [ "$good" = true ] && ok "json: $m $p $s requestId=$id durationUs=$(jq .durationUs <<<"$sel")" ||
    fail "json: object for $id is not {method:$m, path:$p, status:$s, durationUs:number}: $sel"
done <<<"$EXPECT"
stop_server logjson

# ---- none
start_server lognone --store memory --sandbox --demo --no-access-log || die "cspd --no-access-log did not start"
URL=$SERVER_URL
ERR="$TEST_OUTPUT/lognone.err"
TOK=$(token "$URL" admin@contoso-direct.test)
send_all "$TOK"
sleep 0.3 # give a (wrong) log line time to appear
if [ -s "$ERR" ]; then
  fail "--no-access-log: stderr has $(wc -l <"$ERR") line(s): $(head -3 "$ERR")"
else
  ok "--no-access-log: 6 requests, no line on stderr"
fi
stop_server lognone

if [ $fails -eq 0 ]; then
  echo "logs: all checks passed"
  exit 0
fi
echo "logs: $fails check(s) failed"
exit 1
