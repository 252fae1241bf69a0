#!/usr/bin/env bash
# make-run.sh -- the documented run command works: `make run PORT=P DATA=D`.
#
#   - it builds (a no-op when up to date), starts a sandbox server with the
#     demo world on 127.0.0.1:P with its store in D/cspd.db, and prints the
#     listening line and the demo credentials;
#   - operator@cspd.test / cspd-demo-password signs in; GET /v1/partners lists
#     exactly the demo world's partners (data/demo-world.json);
#   - the README's curl example: a partner token reads /v1/profiles/mpn;
#   - SIGTERM to the server stops it cleanly and `make` exits 0;
#   - a second `make run` on the same DATA starts on the existing store and
#     does not seed the demo world twice (the same partners, once each);
#   - Ctrl-C as the README says (SIGINT to the whole process group): cspd
#     logs "stopped cleanly" and everything is gone within 15 s.
#
# `make run` runs in its own process group (setsid), like a terminal job, so
# that the group can be signalled and cleaned up as one. The port is a
# random free one in 20000-39999 (checked with ss), never 7700.
set -uo pipefail
cd "$(dirname "$0")/../.."
export no_proxy='*' NO_PROXY='*'
unset CSPD_STORE CSPD_SANDBOX CSPD_DEMO CSPD_LISTEN CSPD_PORT CSPD_LOG_FORMAT CSPD_ACCESS_LOG \
  CSPD_THREADS CSPD_HTTP_POLL CSPD_MAX_BODY CSPD_THROTTLE CSPD_THROTTLE_BURST CSPD_TOKEN_TTL
unset MAKEFLAGS MFLAGS MAKELEVEL
source tests/lib.sh

# the build directory the harness uses (CSPD=<abs>/build/cspd), else build
BUILD_DIR=build
if [ -n "${CSPD:-}" ] && [ "$(basename "$CSPD")" = cspd ]; then
  BUILD_DIR=$(dirname "$CSPD")
fi

DIR=$(mktemp -d)
DATA="$DIR/data"
fails=0
MAKE_PID=""

# children of a pid (one level)
children() { ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' '; }

# the process group of `make run` (its own, from setsid)
group_alive() { [ -n "$MAKE_PID" ] && ps -o pid= -g "$MAKE_PID" 2>/dev/null | grep -q .; }
stop_make() { # SIGNAL: everything in make's process group
  [ -n "$MAKE_PID" ] || return 0
  kill "-$1" -- "-$MAKE_PID" 2>/dev/null
}

cleanup() {
  local p
  stop_make KILL
  for p in $(jobs -p); do kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'echo "interrupted"; exit 130' INT TERM

ok() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); }
die() { echo "FAIL - $*"; echo "make-run: aborted"; exit 1; }

port_free() { ! ss -Hltn "sport = :$1" | grep -q .; }

# make_run NAME: start `make run` on a free port; sets URL PORT MAKE_PID SERVER_PID OUT ERR
make_run() {
  local name=$1 try i
  OUT="$DIR/$name.out" ERR="$DIR/$name.err"
  for try in 1 2 3 4 5; do
    PORT=$((20000 + RANDOM % 20000))
    port_free "$PORT" || continue
    setsid make --no-print-directory run PORT="$PORT" DATA="$DATA" BUILD="$BUILD_DIR" >"$OUT" 2>"$ERR" </dev/null &
    MAKE_PID=$!
    sleep 0.05
    if kill -0 "$MAKE_PID" 2>/dev/null && [ "$(ps -o pgid= "$MAKE_PID" | tr -d ' ')" != "$MAKE_PID" ]; then
      die "$name: make run is not in its own process group (setsid)"
    fi
    # bounded: the build may have to compile what changed
    for i in $(seq 1 1200); do
      grep -q 'listening on' "$OUT" && break
      kill -0 "$MAKE_PID" 2>/dev/null || break
      sleep 0.1
    done
    if grep -q 'listening on' "$OUT"; then
      URL=$(sed -nE 's/.*listening on (http:[^ ]+).*/\1/p' "$OUT" | head -1)
      SERVER_PID=""
      for c in $(children "$MAKE_PID"); do
        [ "$(cat "/proc/$c/comm" 2>/dev/null)" = cspd ] && SERVER_PID=$c
      done
      [ -n "$SERVER_PID" ] || die "$name: make run is listening but no cspd child of make ($MAKE_PID) found"
      return 0
    fi
    stop_make KILL
    wait "$MAKE_PID" 2>/dev/null
    MAKE_PID=""
    grep -q 'cannot listen' "$ERR" && continue # lost a race for the port: try another
    die "$name: make run did not start; stdout: $(tail -5 "$OUT"); stderr: $(tail -5 "$ERR")"
  done
  die "$name: no free port found in 5 tries"
}

# stop_run NAME: SIGTERM to the server; make must exit 0 within 15 s
stop_run() {
  local name=$1 i rc
  kill -TERM "$SERVER_PID"
  for i in $(seq 1 150); do
    kill -0 "$MAKE_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$MAKE_PID" 2>/dev/null; then
    fail "$name: make run still running 15 s after SIGTERM to cspd"
    stop_make KILL
    wait "$MAKE_PID" 2>/dev/null
  else
    wait "$MAKE_PID"
    rc=$?
    [ $rc = 0 ] && ok "$name: SIGTERM to cspd: stopped cleanly, make exits 0" ||
      fail "$name: make exited $rc after SIGTERM to cspd; stderr: $(tail -3 "$ERR")"
    grep -q 'stopped cleanly' "$ERR" || fail "$name: cspd did not log 'stopped cleanly': $(tail -3 "$ERR")"
    group_alive && fail "$name: processes of make run left behind: $(ps -o pid=,comm= -g "$MAKE_PID" | tr '\n' ' ')"
  fi
  stop_make KILL
  MAKE_PID=""
}

# ctrl_c NAME: SIGINT to the whole process group, as a terminal's Ctrl-C
ctrl_c() {
  local name=$1 i
  kill -INT -- "-$MAKE_PID"
  for i in $(seq 1 150); do
    group_alive || break
    sleep 0.1
  done
  if group_alive; then
    fail "$name: Ctrl-C: still running after 15 s: $(ps -o pid=,comm= -g "$MAKE_PID" | tr '\n' ' ')"
  else
    ok "$name: Ctrl-C (SIGINT to the process group): everything stopped"
  fi
  wait "$MAKE_PID" 2>/dev/null
  grep -q 'stopped cleanly' "$ERR" && ok "$name: Ctrl-C: cspd logged 'stopped cleanly'" ||
    fail "$name: Ctrl-C: cspd did not log 'stopped cleanly': $(tail -3 "$ERR")"
  stop_make KILL
  MAKE_PID=""
}

partner_ids() { # token -> sorted partner ids, one a line
  curl -s --max-time 10 -H "Authorization: Bearer $1" "$URL/v1/partners?size=500" | jq -r '.items[].id' | sort
}
DEMO_IDS=$(jq -r '.partners[].id' data/demo-world.json | sort)
N_DEMO=$(grep -c . <<<"$DEMO_IDS")
[ "$N_DEMO" -ge 1 ] || die "no partners in data/demo-world.json"

# ---- first run
make_run run1
[ "$URL" = "http://127.0.0.1:$PORT" ] && ok "run1: listening on $URL (the PORT given, loopback)" ||
  fail "run1: listening on '$URL', want http://127.0.0.1:$PORT"
grep -q 'SANDBOX MODE' "$OUT" && ok "run1: banner says SANDBOX MODE" || fail "run1: banner: $(grep listening "$OUT")"
missing=""
for s in 'cspd-demo-password' 'operator@cspd.test' 'admin@contoso-direct.test' 'admin@fabrikam-dist.test' \
  'admin@tailspin.test' 'admin@wingtiptoys.test'; do
  grep -qF "$s" "$OUT" || missing="$missing $s"
done
[ -z "$missing" ] && ok "run1: demo credentials printed" || fail "run1: demo credentials missing from the output:$missing"
[ -f "$DATA/cspd.db" ] && ok "run1: store created at DATA/cspd.db" || fail "run1: no $DATA/cspd.db"
TOK=$(token "$URL" operator@cspd.test)
if [ -n "$TOK" ] && [ "$TOK" != null ]; then
  ok "run1: operator@cspd.test signs in"
  ids=$(partner_ids "$TOK")
  [ "$ids" = "$DEMO_IDS" ] && ok "run1: GET /v1/partners lists the $N_DEMO demo partners" ||
    fail "run1: GET /v1/partners lists $(grep -c . <<<"$ids") partners [$(tr '\n' ' ' <<<"$ids")], want the $N_DEMO of data/demo-world.json"
else
  fail "run1: operator@cspd.test could not sign in"
fi
PTOK=$(curl -s --max-time 10 -d grant_type=password -d username=admin@contoso-direct.test \
  -d password=cspd-demo-password "$URL/common/oauth2/token" | jq -r .access_token)
mpn=$(curl -s --max-time 10 -H "Authorization: Bearer $PTOK" "$URL/v1/profiles/mpn" | jq -r .partnerName)
[ -n "$mpn" ] && [ "$mpn" != null ] && ok "run1: README curl example: /v1/profiles/mpn as Contoso -> '$mpn'" ||
  fail "run1: README curl example: no partnerName from /v1/profiles/mpn"
stop_run run1

# ---- second run on the same DATA
make_run run2
TOK=$(token "$URL" operator@cspd.test)
if [ -n "$TOK" ] && [ "$TOK" != null ]; then
  ids=$(partner_ids "$TOK")
  [ "$ids" = "$DEMO_IDS" ] && ok "run2: same DATA: still the $N_DEMO demo partners, once each (not seeded twice)" ||
    fail "run2: same DATA: $(grep -c . <<<"$ids") partners [$(tr '\n' ' ' <<<"$ids")], want the $N_DEMO demo partners once"
  users=$(sqlite3 "$DATA/cspd.db" "SELECT COUNT(*) FROM users WHERE email = 'operator@cspd.test'")
  [ "$users" = 1 ] && ok "run2: operator@cspd.test exists once in the store" || fail "run2: $users operator@cspd.test rows"
else
  fail "run2: operator@cspd.test could not sign in on the second run"
fi
ctrl_c run2
ic=$(sqlite3 "$DATA/cspd.db" 'PRAGMA integrity_check' 2>&1)
[ "$ic" = ok ] && ok "store intact after Ctrl-C (integrity_check ok)" || fail "integrity_check after Ctrl-C: $ic"

if [ $fails -eq 0 ]; then
  echo "make-run: all checks passed"
  exit 0
fi
echo "make-run: $fails check(s) failed"
exit 1
