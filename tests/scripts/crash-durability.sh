#!/usr/bin/env bash
# crash-durability.sh -- SIGKILL in the middle of a write burst loses no
# acknowledged write and leaves a consistent SQLite store.
#
# Three times: 4 concurrent writers POST /v1/partners (unique companyName and
# MS-RequestId each); the server is SIGKILLed after ~1 s; it is restarted on
# the same store; then:
#   - every write that was answered 201 is readable via GET /v1/partners/{id}
#     with the name that was sent;
#   - a token issued before the first crash is still accepted (the signing
#     key lives in the store) and a fresh token works too;
#   - the partner list is consistent: every item has companyName and mpnId,
#     no duplicate id / mpnId / companyName (no write applied twice), and
#     nothing appears that was never sent;
#   - PRAGMA integrity_check is "ok" and PRAGMA foreign_key_check is empty;
#   - retrying an acknowledged POST with its MS-RequestId returns the same
#     id and creates nothing (the idempotency record survived the crash).
set -uo pipefail
cd "$(dirname "$0")/../.."
export no_proxy='*' NO_PROXY='*'
unset CSPD_STORE CSPD_SANDBOX CSPD_DEMO CSPD_LISTEN CSPD_PORT CSPD_LOG_FORMAT CSPD_ACCESS_LOG \
  CSPD_THREADS CSPD_HTTP_POLL CSPD_MAX_BODY CSPD_THROTTLE CSPD_THROTTLE_BURST CSPD_TOKEN_TTL
source tests/lib.sh

DIR=$(mktemp -d)
STORE="sqlite:$DIR/cspd.db"
WRITER_PIDS=()
fails=0

cleanup() {
  local p
  for p in "${WRITER_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
  for p in $(jobs -p); do kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'echo "interrupted"; exit 130' INT TERM

ok() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); }
die() { echo "FAIL - $*"; echo "crash-durability: aborted"; exit 1; }

BASE=$(printf '%08x' $(((RANDOM << 15 | RANDOM) & 0xffffffff)))

# serve NAME: start cspd on the store; sets URL and PID
serve() {
  start_server "$1" --store "$STORE" --sandbox --demo --no-access-log ||
    die "cspd did not start ($1); stderr: $(tail -5 "$TEST_OUTPUT/$1.err" 2>/dev/null)"
  URL=$SERVER_URL
  eval "PID=\$SERVER_PID_$1"
}

# writer CYCLE W: POST partners until the server stops answering (bounded)
writer() {
  local c=$1 w=$2 i rid name resp code body rc
  local sent="$DIR/sent.$c.$w" acked="$DIR/acked.$c.$w" other="$DIR/other.$c.$w"
  local end=$((SECONDS + 10))
  : >"$sent"; : >"$acked"; : >"$other"
  for ((i = 1; i <= 3000 && SECONDS < end; i++)); do
    rid=$(printf '%s-%04x-4%03x-8000-%012x' "$BASE" "$c" "$w" "$i")
    name="Crash Co $BASE c$c w$w i$i"
    echo "$rid|$name" >>"$sent"
    resp=$(curl -s --max-time 5 -w '\n%{http_code}' -H "Authorization: Bearer $TOKEN" \
      -H 'Content-Type: application/json' -H "MS-RequestId: $rid" \
      -d "{\"companyName\":\"$name\"}" "$URL/v1/partners")
    rc=$?
    code=${resp##*$'\n'}
    body=${resp%$'\n'*}
    if [ $rc -ne 0 ] || [ "$code" = 000 ]; then
      break # refused, reset or cut short: the server is gone; not acknowledged
    elif [ "$code" = 201 ] && [[ $body =~ \"id\":\"([0-9a-f-]{36})\" ]]; then
      echo "$rid|${BASH_REMATCH[1]}|$name" >>"$acked"
    else
      echo "$rid|$code|$body" >>"$other"
    fi
  done
}

# list_all TOKEN OUTFILE: every partner (following continuation), one JSON item per line
list_all() {
  local tok=$1 out=$2 page=0 cont="" resp
  : >"$out"
  while [ $page -lt 100 ]; do
    page=$((page + 1))
    if [ -z "$cont" ]; then
      resp=$(curl -sf --max-time 10 -H "Authorization: Bearer $tok" "$URL/v1/partners?size=500") || return 1
    else
      resp=$(curl -sf --max-time 10 -H "Authorization: Bearer $tok" \
        -H "MS-ContinuationToken: $cont" "$URL/v1/partners?size=500") || return 1
    fi
    jq -c '.items[]' <<<"$resp" >>"$out" || return 1
    cont=$(jq -r '.links.next.headers[]? | select(.key == "MS-ContinuationToken") | .value' <<<"$resp")
    [ -n "$cont" ] || return 0
  done
  return 1
}

echo "# store $STORE"
serve crash0
OLD_TOKEN=$(token "$URL" operator@cspd.test)
[ -n "$OLD_TOKEN" ] && [ "$OLD_TOKEN" != null ] || die "no operator token from the first server"
TOKEN=$OLD_TOKEN

for cycle in 1 2 3; do
  echo "# cycle $cycle: 4 writers, SIGKILL after ~1 s"
  WRITER_PIDS=()
  for w in 1 2 3 4; do
    writer "$cycle" "$w" &
    WRITER_PIDS+=($!)
  done
  sleep 1
  kill -KILL "$PID"
  wait "$PID" 2>/dev/null
  kill -0 "$PID" 2>/dev/null && die "server pid $PID survived SIGKILL"
  for p in "${WRITER_PIDS[@]}"; do wait "$p"; done
  WRITER_PIDS=()

  cat "$DIR"/acked."$cycle".* >"$DIR/acked.$cycle"
  cat "$DIR"/acked.[0-9].[0-9] | grep -v '^$' | sort -u >"$DIR/acked.all"
  cat "$DIR"/sent.[0-9].[0-9] >"$DIR/sent.all"
  n_acked=$(wc -l <"$DIR/acked.$cycle")
  n_sent=$(cat "$DIR"/sent."$cycle".* | wc -l)
  echo "# cycle $cycle: $n_sent writes sent, $n_acked acknowledged (201) before the kill"
  if [ "$n_acked" -lt 4 ]; then
    fail "cycle $cycle: only $n_acked writes were acknowledged in ~1 s (the burst did not run)"
  fi
  if cat "$DIR"/other."$cycle".* | grep -q .; then
    fail "cycle $cycle: writes answered neither 201 nor connection failure: $(cat "$DIR"/other."$cycle".* | head -3)"
  fi

  serve "crashr$cycle"
  if grep -qiE 'sqlite|recover|corrupt|malformed' "$TEST_OUTPUT/crashr$cycle.err"; then
    fail "cycle $cycle: restart logged store trouble: $(grep -iE 'sqlite|recover|corrupt|malformed' "$TEST_OUTPUT/crashr$cycle.err" | head -3)"
  else
    ok "cycle $cycle: restarted on the crashed store with no store errors"
  fi

  NEW_TOKEN=$(token "$URL" operator@cspd.test)
  if [ -n "$NEW_TOKEN" ] && [ "$NEW_TOKEN" != null ]; then
    ok "cycle $cycle: new operator token after restart"
  else
    fail "cycle $cycle: no operator token after restart"
    NEW_TOKEN=$OLD_TOKEN
  fi
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Authorization: Bearer $OLD_TOKEN" "$URL/v1/partners?size=1")
  if [ "$code" = 200 ]; then
    ok "cycle $cycle: token issued before the first crash still accepted (signing key persisted)"
  else
    fail "cycle $cycle: token issued before the first crash got $code (signing key not persisted?)"
  fi

  # every acknowledged write of every cycle so far, by id, in one curl process
  cfg="$DIR/get.cfg"
  rm -rf "$DIR/got" && mkdir "$DIR/got"
  : >"$cfg"
  while IFS='|' read -r rid id name; do
    printf 'url = "%s/v1/partners/%s"\noutput = "%s/got/%s.json"\n' "$URL" "$id" "$DIR" "$id" >>"$cfg"
  done <"$DIR/acked.all"
  n_all=$(wc -l <"$DIR/acked.all")
  if [ "$n_all" -gt 0 ]; then
    curl -s --max-time 60 -H "Authorization: Bearer $NEW_TOKEN" -K "$cfg" \
      -w '%{http_code} %{url_effective}\n' >"$DIR/get.codes"
  else
    : >"$DIR/get.codes"
  fi
  awk -F'|' '{print $2 "|" $3}' "$DIR/acked.all" | sort >"$DIR/expect.idname"
  if [ "$n_all" -gt 0 ]; then
    jq -r '(.id // "?") + "|" + (.companyName // "?")' "$DIR"/got/*.json 2>/dev/null | sort >"$DIR/got.idname"
  else
    : >"$DIR/got.idname"
  fi
  comm -23 "$DIR/expect.idname" "$DIR/got.idname" >"$DIR/missing"
  missing=$(wc -l <"$DIR/missing")
  if [ "$missing" -eq 0 ]; then
    ok "cycle $cycle: all $n_all acknowledged partners (all cycles so far) read back by id with their name"
  else
    fail "cycle $cycle: $missing of $n_all acknowledged partners lost or wrong after SIGKILL"
    head -5 "$DIR/missing" | while IFS='|' read -r id name; do
      echo "     acknowledged $id ($name): $(grep "/v1/partners/$id\$" "$DIR/get.codes" | cut -d' ' -f1) $(head -c 200 "$DIR/got/$id.json" 2>/dev/null)"
    done
  fi

  # the list
  if list_all "$NEW_TOKEN" "$DIR/list.jsonl"; then
    n_list=$(wc -l <"$DIR/list.jsonl")
    bad=$(jq -c 'select((.companyName | type) != "string" or .companyName == "" or (.mpnId | type) != "string" or .mpnId == "" or (.id | type) != "string")' "$DIR/list.jsonl" | head -3)
    dup_id=$(jq -r .id "$DIR/list.jsonl" | sort | uniq -d | head -3)
    dup_mpn=$(jq -r .mpnId "$DIR/list.jsonl" | sort | uniq -d | head -3)
    dup_name=$(jq -r .companyName "$DIR/list.jsonl" | sort | uniq -d | head -3)
    if [ -z "$bad$dup_id$dup_mpn$dup_name" ]; then
      ok "cycle $cycle: list of $n_list partners has companyName+mpnId everywhere, no duplicate id/mpnId/companyName"
    else
      fail "cycle $cycle: inconsistent list: incomplete=[$bad] dupIds=[$dup_id] dupMpn=[$dup_mpn] dupNames=[$dup_name]"
    fi
    jq -r .id "$DIR/list.jsonl" | sort >"$DIR/list.ids"
    cut -d'|' -f2 "$DIR/acked.all" | sort >"$DIR/acked.ids"
    not_listed=$(comm -13 "$DIR/list.ids" "$DIR/acked.ids" | head -3 | tr "\n" " ")
    [ -z "$not_listed" ] && ok "cycle $cycle: every acknowledged id is in the list" ||
      fail "cycle $cycle: acknowledged ids missing from the list: $not_listed"
    jq -r '.companyName | select(startswith("Crash Co "))' "$DIR/list.jsonl" | sort >"$DIR/list.names"
    cut -d'|' -f2 "$DIR/sent.all" | sort >"$DIR/sent.names"
    invented=$(comm -23 "$DIR/list.names" "$DIR/sent.names" | head -3 | tr "\n" ";")
    n_crash=$(wc -l <"$DIR/list.names")
    [ -z "$invented" ] && ok "cycle $cycle: $n_crash burst partners listed, all of them were sent (>= $n_all acknowledged)" ||
      fail "cycle $cycle: partners listed that were never sent: $invented"
  else
    fail "cycle $cycle: could not list partners after restart"
  fi

  # the file itself (a second reader next to the running server; WAL allows it)
  ic=$(sqlite3 "$DIR/cspd.db" 'PRAGMA integrity_check' 2>&1)
  [ "$ic" = ok ] && ok "cycle $cycle: PRAGMA integrity_check = ok" ||
    fail "cycle $cycle: PRAGMA integrity_check said: $(head -c 300 <<<"$ic")"
  fk=$(sqlite3 "$DIR/cspd.db" 'PRAGMA foreign_key_check' 2>&1)
  [ -z "$fk" ] && ok "cycle $cycle: PRAGMA foreign_key_check is empty" ||
    fail "cycle $cycle: PRAGMA foreign_key_check said: $(head -c 300 <<<"$fk")"

  # idempotency record survived: replay one acknowledged write of this cycle
  line=$(tail -1 "$DIR/acked.$cycle")
  if [ -n "$line" ]; then
    IFS='|' read -r rid id name <<<"$line"
    resp=$(curl -s --max-time 5 -w '\n%{http_code}' -H "Authorization: Bearer $NEW_TOKEN" \
      -H 'Content-Type: application/json' -H "MS-RequestId: $rid" \
      -d "{\"companyName\":\"$name\"}" "$URL/v1/partners")
    code=${resp##*$'\n'}
    rid_id=$(jq -r .id <<<"${resp%$'\n'*}" 2>/dev/null)
    if [ "$code" = 201 ] && [ "$rid_id" = "$id" ]; then
      ok "cycle $cycle: retry of MS-RequestId $rid after the crash returned the same id $id"
    else
      fail "cycle $cycle: retry of MS-RequestId $rid gave $code id=$rid_id, expected 201 id=$id"
    fi
    if list_all "$NEW_TOKEN" "$DIR/list2.jsonl"; then
      n=$(jq -r --arg n "$name" 'select(.companyName == $n) | .id' "$DIR/list2.jsonl" | wc -l)
      [ "$n" = 1 ] && ok "cycle $cycle: the retry created nothing ('$name' listed once)" ||
        fail "cycle $cycle: '$name' listed $n times after the retry"
    fi
  fi
  TOKEN=$NEW_TOKEN
done

# leave the store cleanly: SIGTERM and a clean exit
kill -TERM "$PID"
for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$PID" 2>/dev/null; then
  fail "final SIGTERM: still running after 10 s"
  kill -KILL "$PID"
  wait "$PID" 2>/dev/null
else
  wait "$PID"
  rc=$?
  [ $rc -eq 0 ] && ok "final SIGTERM: exit 0" || fail "final SIGTERM: exit $rc"
fi

if [ $fails -eq 0 ]; then
  echo "crash-durability: all checks passed"
  exit 0
fi
echo "crash-durability: $fails check(s) failed"
exit 1
