#!/usr/bin/env bash
# smtp.sh -- notifications are e-mailed through --smtp-url, stay queued while
# the relay is down, and are only stored without a relay.
#
# A python3 SMTP sink on 127.0.0.1 (port 0, printed; the standard library's
# deprecated smtpd module, or a minimal socketserver SMTP responder when
# smtpd is missing or SINK_IMPL=socket) stores every message as one JSON line.
#
#   1. no relay: cspd without --smtp-url (worker every 100 ms): Contoso's
#      enrollment gives a notification "We received your indirect reseller
#      enrollment" to daan@contoso-direct.test with status "stored",
#      attempts 0, no sentDate -- still so 1 s later -- and the sink gets nothing;
#   2. relay up: cspd --smtp-url smtp://127.0.0.1:PORT --smtp-from cspd@example.test
#      --worker-interval-ms 100: the same enrollment reaches the sink within
#      5 s, exactly once: envelope MAIL FROM cspd@example.test, RCPT TO
#      daan@contoso-direct.test; headers From, To, Subject as above, Message-ID
#      <notification id@cspd>, a Date, text/plain; the body names the
#      enrollment. GET /v1/notifications (Contoso): status "sent", attempts 1,
#      sentDate, no lastError;
#   3. relay down: the sink is stopped, the operator approves the enrollment
#      ("Your indirect reseller enrollment is approved" to daan): 2 s later it
#      is "queued" with attempts >= 1, lastError set, no sentDate; the first
#      notification is still "sent".
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
die() { echo "FAIL - $*"; echo "smtp: aborted"; exit 1; }

# ---- the sink: python3 sink.py LOGFILE; prints its port
cat >"$DIR/sink.py" <<'EOF'
import json, os, sys, warnings
log_path = sys.argv[1]

def store(impl, mailfrom, rcpttos, data):
    with open(log_path, "a") as f:
        f.write(json.dumps({"impl": impl, "mailfrom": mailfrom, "rcpttos": rcpttos,
                            "data": data.decode("utf-8", "replace")}) + "\n")

smtpd = None
if os.environ.get("SINK_IMPL", "smtpd") == "smtpd":
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        import asyncore, smtpd
    except ImportError:
        smtpd = None

if smtpd is not None:
    class Sink(smtpd.SMTPServer):
        def process_message(self, peer, mailfrom, rcpttos, data, **kw):
            store("smtpd", mailfrom, rcpttos, data if isinstance(data, bytes) else data.encode())

    s = Sink(("127.0.0.1", 0), None, decode_data=False)
    print(s.socket.getsockname()[1], flush=True)
    asyncore.loop(timeout=0.2)
else:
    import socketserver

    def addr(arg):  # "<a@b> SIZE=12" -> "a@b"
        a = arg.strip().split(" ")[0]
        return a[1:-1] if a.startswith("<") and a.endswith(">") else a

    class Handler(socketserver.StreamRequestHandler):
        def say(self, line):
            self.wfile.write(line.encode() + b"\r\n")
            self.wfile.flush()

        def handle(self):
            self.say("220 sink ESMTP")
            mailfrom, rcpts = None, []
            while True:
                raw = self.rfile.readline(65536)
                if not raw:
                    return
                cmd = raw.decode("utf-8", "replace").strip()
                up = cmd.upper()
                if up.startswith("EHLO"):
                    self.say("250-sink")
                    self.say("250 8BITMIME")
                elif up.startswith("HELO"):
                    self.say("250 sink")
                elif up.startswith("MAIL FROM:"):
                    mailfrom, rcpts = addr(cmd[10:]), []
                    self.say("250 OK")
                elif up.startswith("RCPT TO:"):
                    rcpts.append(addr(cmd[8:]))
                    self.say("250 OK")
                elif up == "DATA":
                    if mailfrom is None or not rcpts:
                        self.say("503 need MAIL and RCPT")
                        continue
                    self.say("354 end with <CR><LF>.<CR><LF>")
                    lines = []
                    while True:
                        l = self.rfile.readline(1 << 20)
                        if not l:
                            return
                        if l in (b".\r\n", b".\n"):
                            break
                        lines.append(l[1:] if l.startswith(b"..") else l)
                    store("socket", mailfrom, rcpts, b"".join(lines))
                    mailfrom, rcpts = None, []
                    self.say("250 OK queued")
                elif up in ("RSET", "NOOP"):
                    if up == "RSET":
                        mailfrom, rcpts = None, []
                    self.say("250 OK")
                elif up == "QUIT":
                    self.say("221 bye")
                    return
                else:
                    self.say("502 not implemented")

    class Server(socketserver.ThreadingTCPServer):
        daemon_threads = True
        allow_reuse_address = True

    srv = Server(("127.0.0.1", 0), Handler)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()
EOF

# ---- mail.py LOG: the stored messages, parsed, as a JSON array
cat >"$DIR/mail.py" <<'EOF'
import email, email.policy, json, sys
out = []
with open(sys.argv[1]) as f:
    for line in f:
        if not line.strip():
            continue
        r = json.loads(line)
        m = email.message_from_string(r["data"], policy=email.policy.default)
        body = m.get_payload(decode=True)
        out.append({"impl": r["impl"], "mailfrom": r["mailfrom"], "rcpttos": r["rcpttos"],
                    "from": m["From"], "to": m["To"], "subject": m["Subject"],
                    "messageId": m["Message-ID"], "date": m["Date"],
                    "contentType": m.get_content_type(),
                    "body": body.decode("utf-8", "replace") if body is not None else None})
print(json.dumps(out))
EOF

SINK_PID=""
start_sink() {
  local _
  : >"$DIR/mail.jsonl"
  : >"$DIR/sink.port"
  python3 "$DIR/sink.py" "$DIR/mail.jsonl" >"$DIR/sink.port" 2>"$TEST_OUTPUT/smtp-sink.err" &
  SINK_PID=$!
  for _ in $(seq 1 100); do
    SINK_PORT=$(head -1 "$DIR/sink.port")
    [ -n "$SINK_PORT" ] && return 0
    kill -0 "$SINK_PID" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}
nmail() { grep -c . "$DIR/mail.jsonl"; }
mails() { python3 "$DIR/mail.py" "$DIR/mail.jsonl"; }

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
# enroll TOKEN: Contoso's enrollment (form -> profileEtag -> POST); sets ENR
enroll() {
  local etag
  api GET '/v1/enrollments/form?program=indirect_reseller' "$1"
  etag=$(jq -r '.profileEtag // empty' <<<"$BODY" 2>/dev/null)
  [ "$CODE" = 200 ] && [ -n "$etag" ] || die "enrollment form -> HTTP $CODE $BODY"
  api POST /v1/enrollments "$1" "{\"program\":\"indirect_reseller\",\"profileEtag\":$(jq -Rn --arg e "$etag" '$e')}"
  ENR=$(jq -r '.id // empty' <<<"$BODY" 2>/dev/null)
  [ "$CODE" = 201 ] && [ -n "$ENR" ] || die "POST /v1/enrollments -> HTTP $CODE $BODY"
}
# note TOKEN SUBJECT: sets N = the caller's (first) notification with that subject, or
# empty, and NOTES = how many there are
note() {
  local all
  api GET '/v1/notifications?size=100' "$1"
  all=$(jq -c --arg s "$2" '[.items[] | select(.subject == $s)]' <<<"$BODY" 2>/dev/null)
  NOTES=$(jq length <<<"${all:-[]}")
  N=$(jq -c '.[0] // empty' <<<"${all:-[]}")
}
# wait_note TOKEN SUBJECT JQ-CONDITION SECONDS: sets N
wait_note() {
  local _
  for _ in $(seq 1 $(($4 * 10))); do
    note "$1" "$2"
    [ -n "$N" ] && jq -e "$3" <<<"$N" >/dev/null && return 0
    sleep 0.1
  done
  return 1
}

CONTOSO=admin@contoso-direct.test
TO=daan@contoso-direct.test
FROM=cspd@example.test
SUBMITTED="We received your indirect reseller enrollment"
APPROVED="Your indirect reseller enrollment is approved"
T0=$(date +%s)

start_sink || die "the SMTP sink did not start: $(tail -3 "$TEST_OUTPUT/smtp-sink.err")"
echo "# SMTP sink on 127.0.0.1:$SINK_PORT"

# ======== 1. no relay: stored
start_server nosmtp --store memory --sandbox --demo --worker-interval-ms 100 ||
  die "cspd (no relay) did not start: $(tail -3 "$TEST_OUTPUT/nosmtp.err")"
URL=$SERVER_URL
CT=$(tok $CONTOSO)
[ -n "$CT" ] && [ "$CT" != null ] || die "Contoso could not sign in"
api GET '/v1/notifications?size=100' "$CT"
n0=$(jq '.items | length' <<<"$BODY")
enroll "$CT"
ok "1: no relay: Contoso enrolled ($ENR)"
note "$CT" "$SUBMITTED"
if [ "$NOTES" = 1 ] && jq -e --arg to "$TO" '.recipient == $to and .status == "stored" and .attempts == 0 and
  (has("sentDate") | not)' <<<"$N" >/dev/null; then
  ok "1: no relay: notification '$SUBMITTED' to $TO is stored, attempts 0"
else
  fail "1: no relay: $NOTES notification(s) '$SUBMITTED': $N (want one, to $TO, stored, attempts 0)"
fi
sleep 1
note "$CT" "$SUBMITTED"
jq -e '.status == "stored" and .attempts == 0 and (has("lastError") | not)' <<<"$N" >/dev/null &&
  ok "1: no relay: 1 s later (worker every 100 ms) still stored, attempts 0, no lastError" ||
  fail "1: no relay: 1 s later: $N"
api GET '/v1/notifications?size=100' "$CT"
bad=$(jq -c '[.items[] | select(.status != "stored") | {subject, status}]' <<<"$BODY")
[ "$bad" = '[]' ] && ok "1: no relay: all $(jq '.items | length' <<<"$BODY") of Contoso's notifications are stored ($n0 before the enrollment)" ||
  fail "1: no relay: notifications not stored: $bad"
[ "$(nmail)" = 0 ] && ok "1: no relay: the sink got nothing" || fail "1: no relay: the sink got $(nmail) message(s)"
stop_server nosmtp

# ======== 2. relay up: sent
start_server smtp --store memory --sandbox --demo --worker-interval-ms 100 \
  --smtp-url "smtp://127.0.0.1:$SINK_PORT" --smtp-from "$FROM" ||
  die "cspd (relay) did not start: $(tail -3 "$TEST_OUTPUT/smtp.err")"
URL=$SERVER_URL
CT=$(tok $CONTOSO)
OT=$(tok operator@cspd.test)
for t in "$CT" "$OT"; do [ -n "$t" ] && [ "$t" != null ] || die "sign-in failed"; done
sleep 0.5
before=$(nmail)
[ "$before" = 0 ] && ok "2: relay: nothing mailed before the enrollment" ||
  echo "# the demo world's start mailed $before message(s): $(mails | jq -c '[.[] | .subject]')"
T1=$(date +%s%N)
enroll "$CT"
ok "2: relay: Contoso enrolled ($ENR)"
got=0
for _ in $(seq 1 50); do
  [ "$(nmail)" -gt "$before" ] && { got=1; break; }
  sleep 0.1
done
if [ $got = 1 ]; then
  ok "2: relay: the sink got a message $(( ($(date +%s%N) - T1) / 1000000 )) ms after the enrollment"
  sleep 1
  M=$(mails | jq -c ".[$before:]")
  [ "$(jq length <<<"$M")" = 1 ] && ok "2: relay: exactly one message (none more after 1 s)" ||
    fail "2: relay: $(jq length <<<"$M") messages: $(jq -c '[.[] | {to, subject}]' <<<"$M")"
  m=$(jq -c '.[0]' <<<"$M")
  echo "# sink ($(jq -r .impl <<<"$m")): $(jq -c '{mailfrom, rcpttos, from, to, subject, messageId, date, contentType}' <<<"$m")"
  [ "$(jq -r .mailfrom <<<"$m")" = "$FROM" ] && [ "$(jq -c .rcpttos <<<"$m")" = "[\"$TO\"]" ] &&
    ok "2: relay: envelope MAIL FROM $FROM, RCPT TO $TO" ||
    fail "2: relay: envelope from '$(jq -r .mailfrom <<<"$m")' to $(jq -c .rcpttos <<<"$m")"
  [ "$(jq -r .from <<<"$m")" = "$FROM" ] && ok "2: relay: From: $FROM" || fail "2: relay: From: '$(jq -r .from <<<"$m")'"
  [ "$(jq -r .to <<<"$m")" = "$TO" ] && ok "2: relay: To: $TO" || fail "2: relay: To: '$(jq -r .to <<<"$m")'"
  [ "$(jq -r .subject <<<"$m")" = "$SUBMITTED" ] && ok "2: relay: Subject: $SUBMITTED" ||
    fail "2: relay: Subject: '$(jq -r .subject <<<"$m")'"
  [ "$(jq -r .contentType <<<"$m")" = text/plain ] && [ "$(jq -r '.date // empty' <<<"$m")" != "" ] &&
    ok "2: relay: text/plain, with a Date" || fail "2: relay: content type $(jq -r .contentType <<<"$m"), Date '$(jq -r .date <<<"$m")'"
  grep -qF "$ENR" <<<"$(jq -r .body <<<"$m")" && ok "2: relay: the body names the enrollment" ||
    fail "2: relay: body: $(jq -r .body <<<"$m")"
  MID=$(jq -r .messageId <<<"$m")
else
  fail "2: relay: the sink got no message within 5 s of the enrollment"
  MID=""
fi
if wait_note "$CT" "$SUBMITTED" '.status != "queued"' 3; then
  jq -e --arg to "$TO" '.recipient == $to and .status == "sent" and .attempts == 1 and has("sentDate") and
    (has("lastError") | not)' <<<"$N" >/dev/null &&
    ok "2: relay: GET /v1/notifications: sent, attempts 1, sentDate $(jq -r .sentDate <<<"$N")" ||
    fail "2: relay: GET /v1/notifications: $N"
  if [ -n "$MID" ]; then
    [ "$MID" = "<$(jq -r .id <<<"$N")@cspd>" ] && ok "2: relay: Message-ID $MID is the notification's id" ||
      fail "2: relay: Message-ID $MID, notification id $(jq -r .id <<<"$N")"
  fi
else
  fail "2: relay: notification not sent within 3 s: $N"
fi

# ======== 3. relay down: queued, with the error
kill -TERM "$SINK_PID"
wait "$SINK_PID" 2>/dev/null
for _ in $(seq 1 50); do
  ss -Hltn "sport = :$SINK_PORT" | grep -q . || break
  sleep 0.1
done
ss -Hltn "sport = :$SINK_PORT" | grep -q . && die "3: port $SINK_PORT still listened on after stopping the sink"
ok "3: the sink is stopped (nothing listens on $SINK_PORT)"
api POST "/v1/enrollments/$ENR/approve" "$OT" '{}'
[ "$CODE" = 200 ] && ok "3: the operator approves the enrollment (notifies $TO)" || die "3: approve -> HTTP $CODE $BODY"
sleep 2
note "$CT" "$APPROVED"
if [ "$NOTES" = 1 ] && jq -e --arg to "$TO" '.recipient == $to and .status == "queued" and .attempts >= 1 and
  (.lastError // "" | length > 0) and (has("sentDate") | not)' <<<"$N" >/dev/null; then
  ok "3: 2 s later: '$APPROVED' is queued, attempts $(jq .attempts <<<"$N"), lastError '$(jq -r .lastError <<<"$N")'"
else
  fail "3: 2 s later: $NOTES notification(s) '$APPROVED': $N (want one, queued, attempts >= 1, lastError)"
fi
note "$CT" "$SUBMITTED"
jq -e '.status == "sent" and .attempts == 1' <<<"$N" >/dev/null && ok "3: the first notification is still sent, attempts 1" ||
  fail "3: the first notification now: $N"
stop_server smtp

echo "# ran $(( $(date +%s) - T0 )) s"
if [ $fails -eq 0 ]; then
  echo "smtp: all checks passed"
  exit 0
fi
echo "smtp: $fails check(s) failed"
exit 1
