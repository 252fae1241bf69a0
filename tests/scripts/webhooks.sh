#!/usr/bin/env bash
# webhooks.sh -- webhook deliveries reach a real HTTP receiver, signed, once
# per event, retried with backoff, and stop when the registration is gone.
#
# A small python3 receiver on 127.0.0.1 (port 0, printed) logs every request
# (method, path, headers, raw body) as one JSON line and answers 200, or 500
# for its first N requests. cspd runs --store memory --sandbox --demo
# --worker-interval-ms 100.
#
#   1. delivery (Contoso): POST /webhooks/v1/registration for enrollment-submitted
#      and test-created -> WebhookSecret (shown once: not in GET); then
#      validationEvents and an enrollment (form -> profileEtag -> POST). Within
#      5 s the receiver has exactly one POST /hook per event, with
#      Content-Type: application/json, X-Cspd-Event (= EventName), X-Cspd-Delivery,
#      a body of exactly EventName, ResourceUri, ResourceName, AuditUri,
#      ResourceChangeUtcDate (with the right values), and X-Cspd-Signature
#      sha256=<hex> that verifies (python hmac/hashlib) with the secret and not
#      with a wrong secret or a changed body. GET .../deliveries: both
#      delivered, attempts 1, lastStatusCode 200, ids = X-Cspd-Delivery.
#   2. not subscribed: the operator approves the enrollment (enrollment-approved,
#      not in WebhookEvents): nothing is delivered nor listed (checked after
#      a later test-created has arrived, so the worker has run past it).
#   3. retry (Contoso, PUT to a receiver failing its first 2 requests; the
#      secret is kept): after the first 500 the delivery is pending, attempts 1,
#      lastStatusCode 500, lastError, nextAttemptDate; it is retried after
#      ~5 s and ~10 s (backoff from 5 s, doubling) with the same delivery id,
#      body and signature, and ends delivered, attempts 3, lastStatusCode 200.
#   4. deleting the registration (Litware): a registration delivers
#      test-created; after DELETE (204) GET and validationEvents answer 404 and
#      an enrollment (enrollment-submitted, subscribed before) delivers nothing.
#   5. deleting with a delivery pending (Fabrikam, receiver always 500): after
#      the first failed attempt the registration is deleted; no second attempt
#      reaches the receiver and the delivery ends failed, lastError naming the
#      deleted registration.
# 3, 4 and 5 run side by side (different tenants) to keep the run short
# (~20 s: the retry needs 5 + 10 s of backoff).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
export no_proxy='*' NO_PROXY='*'
unset CSPD_STORE CSPD_SANDBOX CSPD_DEMO CSPD_LISTEN CSPD_PORT CSPD_LOG_FORMAT CSPD_ACCESS_LOG \
  CSPD_THREADS CSPD_HTTP_POLL CSPD_MAX_BODY CSPD_THROTTLE CSPD_THROTTLE_BURST CSPD_TOKEN_TTL \
  CSPD_PUBLIC_URL CSPD_SMTP_URL CSPD_SMTP_FROM CSPD_SMTP_USER CSPD_SMTP_PASSWORD \
  CSPD_WORKER_INTERVAL_MS
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
die() { echo "FAIL - $*"; echo "webhooks: aborted"; exit 1; }
check() { # DESCRIPTION COMMAND...: ok if the command succeeds
  local what=$1; shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}

# ---- the receiver: python3 receiver.py LOGFILE FAIL_FIRST
cat >"$DIR/receiver.py" <<'EOF'
import base64, http.server, json, sys, threading, time
log_path, fail_first = sys.argv[1], int(sys.argv[2])
lock = threading.Lock()
count = 0

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        global count
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n > 0 else b""
        with lock:
            count += 1
            status = 500 if count <= fail_first else 200
            rec = {"n": count, "t": time.time(), "method": self.command, "path": self.path,
                   "status": status, "headers": [[k, v] for k, v in self.headers.items()],
                   "body_b64": base64.b64encode(body).decode()}
            with open(log_path, "a") as f:
                f.write(json.dumps(rec) + "\n")
        out = b"failing on purpose\n" if status == 500 else b"ok\n"
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_POST = do_GET = do_PUT = answer

    def log_message(self, fmt, *args):
        sys.stderr.write("%s\n" % (fmt % args))

srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(srv.server_address[1], flush=True)
srv.serve_forever()
EOF

# ---- reading the receiver's log: python3 tool.py reqs LOG | verify LOG N SECRET [tamper]
cat >"$DIR/tool.py" <<'EOF'
import base64, hashlib, hmac, json, sys

def load(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]

cmd = sys.argv[1]
if cmd == "reqs":  # normalized: headers as {lower-case name: [values]}, body as text
    out = []
    for r in load(sys.argv[2]):
        h = {}
        for k, v in r["headers"]:
            h.setdefault(k.lower(), []).append(v)
        raw = base64.b64decode(r["body_b64"])
        out.append({"n": r["n"], "t": r["t"], "method": r["method"], "path": r["path"],
                    "status": r["status"], "headers": h,
                    "body": raw.decode("utf-8", "replace")})
    print(json.dumps(out))
elif cmd == "verify":  # does X-Cspd-Signature of request N verify with SECRET?
    r = load(sys.argv[2])[int(sys.argv[3]) - 1]
    secret = sys.argv[4].encode()
    body = base64.b64decode(r["body_b64"])
    if len(sys.argv) > 5:
        body = body.replace(b'"', b"'", 1)  # one changed byte
    sig = [v for k, v in r["headers"] if k.lower() == "x-cspd-signature"]
    if len(sig) != 1 or not sig[0].startswith("sha256="):
        print("no-signature")
        sys.exit(0)
    want = hmac.new(secret, body, hashlib.sha256).hexdigest()
    print("valid" if hmac.compare_digest(sig[0][len("sha256="):], want) else "invalid")
EOF

# start_receiver NAME FAIL_FIRST: sets RPORT_<NAME>; log in $DIR/NAME.jsonl
start_receiver() {
  local name=$1 port i
  : >"$DIR/$name.jsonl"
  : >"$DIR/$name.port"
  python3 "$DIR/receiver.py" "$DIR/$name.jsonl" "$2" >"$DIR/$name.port" 2>"$TEST_OUTPUT/webhooks-recv-$name.err" &
  for i in $(seq 1 100); do
    port=$(head -1 "$DIR/$name.port")
    if [ -n "$port" ]; then
      eval "RPORT_$name=$port"
      return 0
    fi
    sleep 0.05
  done
  return 1
}
nreq() { grep -c . "$DIR/$1.jsonl"; }
reqs() { python3 "$DIR/tool.py" reqs "$DIR/$1.jsonl"; }
verify() { python3 "$DIR/tool.py" verify "$DIR/$1.jsonl" "$2" "$3" ${4:+tamper}; }
wait_nreq() { # NAME COUNT SECONDS: until the receiver has COUNT requests
  local i
  for i in $(seq 1 $(($3 * 10))); do
    [ "$(nreq "$1")" -ge "$2" ] && return 0
    sleep 0.1
  done
  return 1
}

# api METHOD PATH TOKEN [BODY]: sets CODE BODY
api() {
  local resp
  local args=(-s --max-time 10 -X "$1" -H "Authorization: Bearer $3" -w '\n%{http_code}')
  [ $# -ge 4 ] && args+=(-H 'Content-Type: application/json' --data "$4")
  resp=$(curl "${args[@]}" "$URL$2")
  CODE=${resp##*$'\n'}
  BODY=${resp%$'\n'*}
}
tok() {
  curl -s --max-time 10 -d grant_type=password --data-urlencode "username=$1" \
    -d password=cspd-demo-password "$URL/common/oauth2/token" | jq -r .access_token
}
# deliveries TOKEN: the tenant's delivery log (items)
deliveries() { api GET '/webhooks/v1/registration/deliveries?size=100' "$1"; jq -c '.items' <<<"$BODY"; }
# wait_delivery TOKEN ID JQ-CONDITION SECONDS: until the delivery matches; sets DEL
wait_delivery() {
  local i
  for i in $(seq 1 $(($4 * 10))); do
    DEL=$(deliveries "$1" | jq -c --arg id "$2" '.[] | select(.id == $id)')
    [ -n "$DEL" ] && jq -e "$3" <<<"$DEL" >/dev/null && return 0
    sleep 0.1
  done
  return 1
}
ISO_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$'

start_receiver A 0 || die "receiver A did not start"
start_receiver B 2 || die "receiver B did not start"
start_receiver C 1000000 || die "receiver C did not start"
start_receiver D 0 || die "receiver D did not start"
echo "# receivers: A (200) :$RPORT_A, B (500 twice) :$RPORT_B, C (always 500) :$RPORT_C, D (200) :$RPORT_D"
start_server hooks --store memory --sandbox --demo --worker-interval-ms 100 ||
  die "cspd did not start: $(tail -3 "$TEST_OUTPUT/hooks.err")"
URL=$SERVER_URL
T0=$(date +%s)

CT=$(tok admin@contoso-direct.test)
OT=$(tok operator@cspd.test)
LT=$(tok admin@litware-direct.test)
FT=$(tok admin@fabrikam-dist.test)
for t in "$CT" "$OT" "$LT" "$FT"; do [ -n "$t" ] && [ "$t" != null ] || die "sign-in failed"; done

# ======== 1. delivery
EVENTS='["enrollment-submitted","test-created"]'
HOOK_A="http://127.0.0.1:$RPORT_A/hook"
api POST /webhooks/v1/registration "$CT" "{\"WebhookUrl\":\"$HOOK_A\",\"WebhookEvents\":$EVENTS}"
SECRET=$(jq -r '.WebhookSecret // empty' <<<"$BODY" 2>/dev/null)
if [ "$CODE" = 200 ] && [ -n "$SECRET" ] && [ "$(jq -r .WebhookUrl <<<"$BODY")" = "$HOOK_A" ] &&
  [ "$(jq -c .WebhookEvents <<<"$BODY")" = "$EVENTS" ]; then
  ok "1: Contoso registers $HOOK_A for $EVENTS -> 200 with a WebhookSecret (${#SECRET} chars)"
else
  die "1: POST /webhooks/v1/registration -> HTTP $CODE $BODY"
fi
api GET /webhooks/v1/registration "$CT"
[ "$CODE" = 200 ] && [ "$(jq -r .WebhookUrl <<<"$BODY")" = "$HOOK_A" ] && ! jq -e 'has("WebhookSecret")' <<<"$BODY" >/dev/null &&
  ok "1: GET /webhooks/v1/registration shows it, without the secret" || fail "1: GET registration -> HTTP $CODE $BODY"

T1=$(date +%s%N)
api POST /webhooks/v1/registration/validationEvents "$CT"
CORR=$(jq -r '.CorrelationId // empty' <<<"$BODY" 2>/dev/null)
[ "$CODE" = 200 ] && [ -n "$CORR" ] && ok "1: validationEvents -> 200, CorrelationId $CORR" ||
  fail "1: validationEvents -> HTTP $CODE $BODY"

api GET '/v1/enrollments/form?program=indirect_reseller' "$CT"
ETAG=$(jq -r '.profileEtag // empty' <<<"$BODY" 2>/dev/null)
[ "$CODE" = 200 ] && [ -n "$ETAG" ] || die "1: enrollment form -> HTTP $CODE $BODY"
api POST /v1/enrollments "$CT" "{\"program\":\"indirect_reseller\",\"profileEtag\":$(jq -Rn --arg e "$ETAG" '$e')}"
ENR=$(jq -r '.id // empty' <<<"$BODY" 2>/dev/null)
[ "$CODE" = 201 ] && [ -n "$ENR" ] && ok "1: enrollment submitted (profileEtag $ETAG) -> 201, id $ENR" ||
  die "1: POST /v1/enrollments -> HTTP $CODE $BODY"

if wait_nreq A 2 5; then
  ok "1: receiver got 2 requests within $(( ($(date +%s%N) - T1) / 1000000 )) ms of validationEvents"
else
  fail "1: receiver got $(nreq A) request(s) within 5 s, want 2"
fi
sleep 1 # nothing more may come
R=$(reqs A)
n=$(jq length <<<"$R")
[ "$n" = 2 ] && ok "1: exactly 2 requests (one per event), none more after 1 s" || fail "1: $n requests, want 2: $R"

declare -A WANT_URI WANT_NAME DID
WANT_URI[test-created]="/webhooks/v1/registration/validationEvents/$CORR"
WANT_NAME[test-created]="test"
WANT_URI[enrollment-submitted]="/v1/enrollments/$ENR"
WANT_NAME[enrollment-submitted]=$ENR
for ev in test-created enrollment-submitted; do
  idx=$(jq --arg e "$ev" '[.[] | select(.headers["x-cspd-event"] == [$e]) | .n]' <<<"$R")
  if [ "$(jq length <<<"$idx")" != 1 ]; then
    fail "1: $ev: $(jq length <<<"$idx") requests with X-Cspd-Event: $ev, want exactly 1"
    continue
  fi
  i=$(jq '.[0]' <<<"$idx")
  q=$(jq -c --argjson i "$i" '.[] | select(.n == $i)' <<<"$R")
  b=$(jq -r .body <<<"$q")
  [ "$(jq -r .method <<<"$q") $(jq -r .path <<<"$q")" = "POST /hook" ] && ok "1: $ev: POST /hook" ||
    fail "1: $ev: $(jq -r .method <<<"$q") $(jq -r .path <<<"$q"), want POST /hook"
  [ "$(jq -c '.headers["content-type"]' <<<"$q")" = '["application/json"]' ] &&
    ok "1: $ev: Content-Type: application/json" || fail "1: $ev: Content-Type $(jq -c '.headers["content-type"]' <<<"$q")"
  DID[$ev]=$(jq -r '.headers["x-cspd-delivery"] | if length == 1 then .[0] else empty end' <<<"$q")
  [ -n "${DID[$ev]}" ] && ok "1: $ev: X-Cspd-Delivery: ${DID[$ev]}" || fail "1: $ev: X-Cspd-Delivery $(jq -c '.headers["x-cspd-delivery"]' <<<"$q")"
  if ! jq -e 'type == "object"' <<<"$b" >/dev/null 2>&1; then
    fail "1: $ev: body is not a JSON object: $b"
    continue
  fi
  keys=$(jq -c 'keys' <<<"$b")
  [ "$keys" = '["AuditUri","EventName","ResourceChangeUtcDate","ResourceName","ResourceUri"]' ] &&
    ok "1: $ev: body has exactly EventName, ResourceUri, ResourceName, AuditUri, ResourceChangeUtcDate" ||
    fail "1: $ev: body keys $keys"
  [ "$(jq -r .EventName <<<"$b")" = "$ev" ] && ok "1: $ev: EventName = X-Cspd-Event" || fail "1: $ev: EventName $(jq -r .EventName <<<"$b")"
  [ "$(jq -r .ResourceUri <<<"$b")" = "${WANT_URI[$ev]}" ] && [ "$(jq -r .ResourceName <<<"$b")" = "${WANT_NAME[$ev]}" ] &&
    ok "1: $ev: ResourceUri ${WANT_URI[$ev]}, ResourceName ${WANT_NAME[$ev]}" ||
    fail "1: $ev: ResourceUri '$(jq -r .ResourceUri <<<"$b")' ResourceName '$(jq -r .ResourceName <<<"$b")', want '${WANT_URI[$ev]}' '${WANT_NAME[$ev]}'"
  au=$(jq -r .AuditUri <<<"$b")
  [[ "$au" == /v1/auditrecords* ]] && ok "1: $ev: AuditUri $au" || fail "1: $ev: AuditUri '$au'"
  d=$(jq -r .ResourceChangeUtcDate <<<"$b")
  [[ "$d" =~ $ISO_RE ]] && ok "1: $ev: ResourceChangeUtcDate $d (ISO 8601 UTC)" || fail "1: $ev: ResourceChangeUtcDate '$d'"
  sig=$(jq -r '.headers["x-cspd-signature"] | if length == 1 then .[0] else "" end' <<<"$q")
  [[ "$sig" =~ ^sha256=[0-9a-f]{64}$ ]] && ok "1: $ev: X-Cspd-Signature: sha256=<64 hex>" || fail "1: $ev: X-Cspd-Signature '$sig'"
  v=$(verify A "$i" "$SECRET")
  [ "$v" = valid ] && ok "1: $ev: signature verifies (HMAC-SHA256 of the raw body, key = WebhookSecret)" ||
    fail "1: $ev: signature with the WebhookSecret: $v"
  wrong="${SECRET%?}$([ "${SECRET: -1}" = A ] && echo B || echo A)"
  v1=$(verify A "$i" "$wrong")
  v2=$(verify A "$i" "not-the-secret")
  v3=$(verify A "$i" "$SECRET" tamper)
  [ "$v1 $v2 $v3" = "invalid invalid invalid" ] &&
    ok "1: $ev: does not verify with a wrong secret (last char changed, another string) nor for a changed body" ||
    fail "1: $ev: wrong secret / changed body: $v1 $v2 $v3 (want invalid x3)"
done
DL=$(deliveries "$CT")
for ev in test-created enrollment-submitted; do
  x=$(jq -c --arg e "$ev" '[.[] | select(.eventName == $e)]' <<<"$DL")
  if [ "$(jq length <<<"$x")" = 1 ] &&
    jq -e --arg id "${DID[$ev]:-}" '.[0] | .id == $id and .status == "delivered" and .attempts == 1 and
      .lastStatusCode == 200 and (has("lastError") | not) and has("deliveredDate")' <<<"$x" >/dev/null; then
    ok "1: deliveries: $ev ${DID[$ev]} delivered, attempts 1, lastStatusCode 200"
  else
    fail "1: deliveries: $ev: $x (want one, id ${DID[$ev]:-?}, delivered, attempts 1, lastStatusCode 200)"
  fi
done

# ======== 2. not subscribed: enrollment-approved
api POST "/v1/enrollments/$ENR/approve" "$OT" '{}'
[ "$CODE" = 200 ] && [ "$(jq -r .status <<<"$BODY")" = approved ] && ok "2: operator approves $ENR (enrollment-approved is raised)" ||
  fail "2: approve -> HTTP $CODE $BODY"
api POST /webhooks/v1/registration/validationEvents "$CT" # a barrier: raised after the approval
CORR2=$(jq -r '.CorrelationId // empty' <<<"$BODY" 2>/dev/null)
wait_nreq A 3 5 || fail "2: the test-created after the approval did not arrive within 5 s"
sleep 0.5
R=$(reqs A)
evs=$(jq -c '[.[2:][] | .headers["x-cspd-event"][0]]' <<<"$R")
uri=$(jq -r '.[2].body | fromjson | .ResourceUri' <<<"$R" 2>/dev/null)
[ "$evs" = '["test-created"]' ] && [ "$uri" = "/webhooks/v1/registration/validationEvents/$CORR2" ] &&
  ok "2: after the approval only the later test-created ($CORR2) arrived (no enrollment-approved)" ||
  fail "2: requests after the approval: $evs (ResourceUri $uri), want the test-created for $CORR2 only"
n=$(deliveries "$CT" | jq '[.[] | select(.eventName == "enrollment-approved")] | length')
[ "$n" = 0 ] && ok "2: deliveries lists no enrollment-approved" || fail "2: deliveries lists $n enrollment-approved"

# ======== 3. retry (Contoso -> B), 5. pending + delete (Fabrikam -> C), 4. delete (Litware -> A)
HOOK_B="http://127.0.0.1:$RPORT_B/hook"
api PUT /webhooks/v1/registration "$CT" "{\"WebhookUrl\":\"$HOOK_B\",\"WebhookEvents\":$EVENTS}"
[ "$CODE" = 200 ] && [ "$(jq -r .WebhookUrl <<<"$BODY")" = "$HOOK_B" ] && ! jq -e 'has("WebhookSecret")' <<<"$BODY" >/dev/null &&
  ok "3: PUT registration -> receiver B (fails twice): 200, no new secret" || fail "3: PUT registration -> HTTP $CODE $BODY"
api POST /webhooks/v1/registration/validationEvents "$CT"
[ "$CODE" = 200 ] || fail "3: validationEvents -> HTTP $CODE $BODY"

HOOK_C="http://127.0.0.1:$RPORT_C/hook"
api POST /webhooks/v1/registration "$FT" "{\"WebhookUrl\":\"$HOOK_C\",\"WebhookEvents\":[\"test-created\"]}"
[ "$CODE" = 200 ] && ok "5: Fabrikam registers receiver C (always 500)" || fail "5: Fabrikam registration -> HTTP $CODE $BODY"
api POST /webhooks/v1/registration/validationEvents "$FT"
[ "$CODE" = 200 ] || fail "5: Fabrikam validationEvents -> HTTP $CODE $BODY"

if wait_nreq B 1 5; then
  R=$(reqs B)
  BID=$(jq -r '.[0].headers["x-cspd-delivery"][0]' <<<"$R")
  [ "$(jq -r '.[0].status' <<<"$R")" = 500 ] && ok "3: first attempt reached B (answered 500), delivery $BID"
  if wait_delivery "$CT" "$BID" '.attempts == 1 and .lastStatusCode == 500' 3; then
    jq -e '.status == "pending" and (.lastError // "" | test("500")) and has("nextAttemptDate")' <<<"$DEL" >/dev/null &&
      ok "3: after it: pending, attempts 1, lastStatusCode 500, lastError '$(jq -r .lastError <<<"$DEL")', nextAttemptDate $(jq -r .nextAttemptDate <<<"$DEL")" ||
      fail "3: after the first 500: $DEL"
  else
    fail "3: delivery $BID never showed attempts 1 / lastStatusCode 500: $DEL"
  fi
else
  fail "3: receiver B got no request within 5 s"
  BID=""
fi

if wait_nreq C 1 5; then
  CID=$(reqs C | jq -r '.[0].headers["x-cspd-delivery"][0]')
  ok "5: first attempt reached C (answered 500), delivery $CID"
  wait_delivery "$FT" "$CID" '.attempts == 1' 3 || fail "5: delivery $CID not recorded as attempted: $DEL"
  api DELETE /webhooks/v1/registration "$FT"
  [ "$CODE" = 204 ] && ok "5: Fabrikam deletes its registration with the delivery pending -> 204" ||
    fail "5: DELETE -> HTTP $CODE $BODY"
else
  fail "5: receiver C got no request within 5 s"
  CID=""
fi

# 4. Litware: a working registration, then deleted
HOOK_D="http://127.0.0.1:$RPORT_D/hook"
api POST /webhooks/v1/registration "$LT" "{\"WebhookUrl\":\"$HOOK_D\",\"WebhookEvents\":$EVENTS}"
LSECRET=$(jq -r '.WebhookSecret // empty' <<<"$BODY" 2>/dev/null)
[ "$CODE" = 200 ] && [ -n "$LSECRET" ] && ok "4: Litware registers receiver D" || fail "4: Litware registration -> HTTP $CODE $BODY"
[ "$LSECRET" != "$SECRET" ] && ok "4: Litware's secret differs from Contoso's" || fail "4: Litware got Contoso's secret"
api POST /webhooks/v1/registration/validationEvents "$LT"
if wait_nreq D 1 5; then
  ev=$(reqs D | jq -r '.[0].headers["x-cspd-event"][0]')
  v=$(verify D 1 "$LSECRET")
  v2=$(verify D 1 "$SECRET")
  [ "$ev $v $v2" = "test-created valid invalid" ] &&
    ok "4: D got test-created, signed with Litware's secret (Contoso's does not verify)" ||
    fail "4: D: event $ev, Litware secret $v, Contoso secret $v2"
else
  fail "4: receiver D got nothing within 5 s"
fi
api DELETE /webhooks/v1/registration "$LT"
[ "$CODE" = 204 ] && ok "4: DELETE /webhooks/v1/registration -> 204" || fail "4: DELETE -> HTTP $CODE $BODY"
api GET /webhooks/v1/registration "$LT"
[ "$CODE" = 404 ] && ok "4: GET registration after DELETE -> 404" || fail "4: GET after DELETE -> HTTP $CODE $BODY"
api POST /webhooks/v1/registration/validationEvents "$LT"
[ "$CODE" = 404 ] && ok "4: validationEvents after DELETE -> 404" || fail "4: validationEvents after DELETE -> HTTP $CODE $BODY"
api GET '/v1/enrollments/form?program=indirect_reseller' "$LT"
LETAG=$(jq -r '.profileEtag // empty' <<<"$BODY" 2>/dev/null)
api POST /v1/enrollments "$LT" "{\"program\":\"indirect_reseller\",\"profileEtag\":$(jq -Rn --arg e "$LETAG" '$e')}"
[ "$CODE" = 201 ] && ok "4: Litware enrolls after the DELETE -> 201 (enrollment-submitted was subscribed)" ||
  fail "4: Litware enrollment -> HTTP $CODE $BODY"
sleep 1.5 # no barrier event is possible for a tenant without a registration
n=$(nreq D)
[ "$n" = 1 ] && ok "4: receiver D got nothing after the DELETE (1.5 s; worker every 100 ms)" ||
  fail "4: receiver D has $n requests, want 1: $(reqs D | jq -c '[.[] | .headers["x-cspd-event"][0]]')"
x=$(deliveries "$LT" | jq -c '[.[] | .eventName]')
[ "$x" = '["test-created"]' ] && ok "4: Litware's deliveries: only the test-created from before the DELETE" ||
  fail "4: Litware's deliveries: $x"

# 5. the pending Fabrikam delivery: next attempt was due 5 s after the first
if [ -n "$CID" ]; then
  if wait_delivery "$FT" "$CID" '.status != "pending"' 10; then
    jq -e '.status == "failed" and (.lastError // "" | test("delet"))' <<<"$DEL" >/dev/null &&
      ok "5: the pending delivery ends failed: attempts $(jq .attempts <<<"$DEL"), lastError '$(jq -r .lastError <<<"$DEL")'" ||
      fail "5: pending delivery after the DELETE: $DEL"
  else
    fail "5: delivery $CID still pending 10 s after the DELETE: $DEL"
  fi
  sleep 0.3
  n=$(nreq C)
  [ "$n" = 1 ] && ok "5: receiver C got no retry after the DELETE" || fail "5: receiver C got $n requests, want 1"
fi

# 3. the retry ends: attempts at ~0, ~5, ~15 s
if [ -n "$BID" ]; then
  if wait_nreq B 3 25; then
    R=$(reqs B)
    ids=$(jq -c '[.[] | .headers["x-cspd-delivery"][0]] | unique' <<<"$R")
    [ "$ids" = "[\"$BID\"]" ] && ok "3: all 3 requests carry X-Cspd-Delivery $BID" || fail "3: delivery ids $ids"
    nb=$(jq '[.[] | .body] | unique | length' <<<"$R")
    ns=$(jq '[.[] | .headers["x-cspd-signature"][0]] | unique | length' <<<"$R")
    [ "$nb $ns" = "1 1" ] && ok "3: the same body and signature each time" || fail "3: $nb bodies, $ns signatures"
    v=$(verify B 3 "$SECRET")
    [ "$v" = valid ] && ok "3: signature verifies with the original secret (PUT kept it)" || fail "3: signature: $v"
    st=$(jq -c '[.[] | .status]' <<<"$R")
    [ "$st" = '[500,500,200]' ] && ok "3: receiver answered 500, 500, 200" || fail "3: receiver answers $st"
    g1=$(jq '(.[1].t - .[0].t) * 10 | round / 10' <<<"$R")
    g2=$(jq '(.[2].t - .[1].t) * 10 | round / 10' <<<"$R")
    jq -e -n --argjson a "$g1" --argjson b "$g2" '$a >= 4.8 and $a <= 7.5 and $b >= 9.8 and $b <= 12.5' >/dev/null &&
      ok "3: retried after ${g1} s and ${g2} s (backoff 5 s, then 10 s)" ||
      fail "3: retries after ${g1} s and ${g2} s, want ~5 s and ~10 s"
    if wait_delivery "$CT" "$BID" '.status != "pending"' 3; then
      jq -e '.status == "delivered" and .attempts == 3 and .lastStatusCode == 200 and (has("lastError") | not)' <<<"$DEL" >/dev/null &&
        ok "3: deliveries: delivered, attempts 3, lastStatusCode 200, no lastError" || fail "3: deliveries: $DEL"
    else
      fail "3: delivery $BID still pending after the 3rd request: $DEL"
    fi
    sleep 1
    [ "$(nreq B)" = 3 ] && ok "3: no 4th request" || fail "3: receiver B got $(nreq B) requests"
  else
    fail "3: receiver B got $(nreq B) request(s) within 25 s, want 3: $(deliveries "$CT" | jq -c --arg id "$BID" '.[] | select(.id == $id)')"
  fi
fi
[ "$(nreq A)" = 3 ] && ok "receiver A got nothing after the PUT moved Contoso to B" || fail "receiver A has $(nreq A) requests, want 3"

stop_server hooks
echo "# ran $(( $(date +%s) - T0 )) s"
if [ $fails -eq 0 ]; then
  echo "webhooks: all checks passed"
  exit 0
fi
echo "webhooks: $fails check(s) failed"
exit 1
