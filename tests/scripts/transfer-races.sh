#!/usr/bin/env bash
# transfer-races.sh -- concurrent accept / create / withdraw of subscription
# transfers (docs/api-transfers.md "Races"; SPEC R-TRF-6, R-TRF-9) never leave a
# subscription in two places.
#
# Two rounds of the same test: cspd on a SQLite FILE store
# (--store sqlite:$DIR/cspd.db) and on the memory store, both --sandbox --demo
# --threads 4, on 127.0.0.1 port 0. Setup once per server (as the scenarios):
# approval at once, Contoso enrolls and accepts the agreement, Fabrikam invites
# Contoso, Contoso accepts, Contoso's admin agent extends Wingtip to Fabrikam.
# Then N (default 20, RACE_N) iterations, each buying fresh subscriptions for
# Wingtip (Contoso, direct bill):
#   1. double accept: a request with a new E3 and a new Azure PAYG; Fabrikam's
#      admin and sales agent accept at the same time (two background curls,
#      each with its own MS-RequestId) -> exactly one 200, the other 400 900102
#      (or 409 900104 / 900101); the request is Complete; Fabrikam holds exactly
#      one copy of each (the new E3 id once, the PAYG's entitlementId once) and
#      no more subscriptions than the lines completed so far.
#   2. double create: Contoso's admin agent and sales agent create a request
#      with the same new E3 at the same time -> exactly one 201, the other 409
#      R-TRF-9; exactly one Active request holds the subscription; the winner is
#      withdrawn (204).
#   3. withdraw racing accept: a request with a new E3; Contoso withdraws while
#      Fabrikam accepts -> exactly one wins (204 + 409 900104, or 200 + 400
#      900102); the request reads Withdrawn or Complete accordingly; the source
#      is active with no copy, or suspended with one copy.
# At the end of each round, over every subscription bought: each source
# subscription is either active at the source with no copy at the provider, or
# suspended / no longer listed (PAYG) at the source with exactly one copy; the
# provider holds nothing else; no PAYG entitlementId appears twice; no answer
# was a 5xx; the server is still running.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
export no_proxy='*' NO_PROXY='*'
unset CSPD_STORE CSPD_SANDBOX CSPD_DEMO CSPD_LISTEN CSPD_PORT CSPD_LOG_FORMAT CSPD_ACCESS_LOG \
  CSPD_THREADS CSPD_HTTP_POLL CSPD_MAX_BODY CSPD_THROTTLE CSPD_THROTTLE_BURST CSPD_TOKEN_TTL \
  CSPD_PUBLIC_URL CSPD_SMTP_URL CSPD_SMTP_FROM CSPD_SMTP_USER CSPD_SMTP_PASSWORD \
  CSPD_WORKER_INTERVAL_MS
source tests/lib.sh

N=${RACE_N:-20}
DIR=$(mktemp -d)
fails=0
CURRENT=""
cleanup() {
  local p
  [ -n "$CURRENT" ] && stop_server "$CURRENT"
  for p in $(jobs -p); do kill -KILL "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'echo "interrupted"; exit 130' INT TERM

ok() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; fails=$((fails + 1)); }
die() { echo "FAIL - $*"; echo "transfer-races: aborted"; exit 1; }

WINGTIP=e0000000-0000-4000-8000-000000000001
CONTOSO=c0000000-0000-4000-8000-000000000001
FABRIKAM=c0000000-0000-4000-8000-000000000002
E3=796B6B5F-613C-4E24-A17C-EBA730D49C02
CUS=/v1/customers/$WINGTIP

rid() { cat /proc/sys/kernel/random/uuid; }

# api METHOD PATH TOKEN [BODY]: sets CODE BODY (bounded by --max-time)
api() {
  local resp
  local args=(-s --max-time 15 -X "$1" -H "Authorization: Bearer $3" -H "MS-RequestId: $(rid)"
    -w '\n%{http_code}')
  [ $# -ge 4 ] && args+=(-H 'Content-Type: application/json' --data "$4")
  resp=$(curl "${args[@]}" "$URL$2")
  CODE=${resp##*$'\n'}
  BODY=${resp%$'\n'*}
  case $CODE in 5*|000) fail "$1 $2 -> HTTP $CODE $BODY" ;; esac
}
# fire NAME METHOD PATH TOKEN [BODY]: the same in the background, into $DIR/NAME.{code,body}
fire() {
  local name=$1; shift
  local args=(-s --max-time 15 -X "$1" -H "Authorization: Bearer $3" -H "MS-RequestId: $(rid)"
    -o "$DIR/$name.body" -w '%{http_code}')
  [ $# -ge 4 ] && args+=(-H 'Content-Type: application/json' --data "$4")
  curl "${args[@]}" "$URL$2" >"$DIR/$name.code" 2>/dev/null &
  FIRED+=($!)
}
# settle: wait for the fired requests only
settle() {
  local p
  for p in "${FIRED[@]}"; do wait "$p" 2>/dev/null; done
  FIRED=()
}
code_of() { cat "$DIR/$1.code" 2>/dev/null; }
errcode_of() { jq -r '.code // empty' "$DIR/$1.body" 2>/dev/null; }
tok() {
  curl -s --max-time 10 -d grant_type=password --data-urlencode "username=$1" \
    -d password=cspd-demo-password "$URL/common/oauth2/token" | jq -r .access_token
}
# buy OFFER QTY CYCLE: Contoso orders for Wingtip; sets SUB
buy() {
  api POST "$CUS/orders" "$CT" "{\"billingCycle\":\"$3\",\"lineItems\":[{\"lineItemNumber\":0,\"offerId\":\"$1\",\"quantity\":$2}]}"
  SUB=$(jq -r '.lineItems[0].subscriptionId // empty' <<<"$BODY" 2>/dev/null)
  [ "$CODE" = 201 ] && [ -n "$SUB" ] || { fail "order $1 -> HTTP $CODE $BODY"; SUB=""; }
}
create_body() { # SUB...
  local lines="" s
  for s in "$@"; do lines="$lines${lines:+,}{\"subscriptionId\":\"$s\"}"; done
  echo "{\"sourcePartnerTenantId\":\"$CONTOSO\",\"targetPartnerTenantId\":\"$FABRIKAM\",\"lineItems\":[$lines]}"
}

setup() {
  OT=$(tok operator@cspd.test)
  CT=$(tok admin@contoso-direct.test)
  AG=$(tok agent@contoso-direct.test)
  SA=$(tok sales@contoso-direct.test)
  FT=$(tok admin@fabrikam-dist.test)
  FS=$(tok sales@fabrikam-dist.test)
  local t
  for t in "$OT" "$CT" "$AG" "$SA" "$FT" "$FS"; do [ -n "$t" ] && [ "$t" != null ] || die "sign-in failed"; done
  api PUT /v1/operator/programsettings "$OT" '{"autoApprovalBusinessDays":0}'
  [ "$CODE" = 200 ] || die "programsettings -> HTTP $CODE $BODY"
  api GET '/v1/enrollments/form?program=indirect_reseller' "$CT"
  local etag enr inv
  etag=$(jq -r '.profileEtag // empty' <<<"$BODY")
  api POST /v1/enrollments "$CT" "{\"program\":\"indirect_reseller\",\"profileEtag\":$(jq -Rn --arg e "$etag" '$e')}"
  enr=$(jq -r '.id // empty' <<<"$BODY")
  [ "$CODE" = 201 ] && [ -n "$enr" ] || die "enrollment -> HTTP $CODE $BODY"
  api POST "/v1/enrollments/$enr/agreement/accept" "$CT"
  [ "$CODE" = 200 ] || die "agreement -> HTTP $CODE $BODY"
  api POST /v1/partnerships/invitations "$FT" '{"resellerMpnId":"4100011"}'
  inv=$(jq -r '.id // empty' <<<"$BODY")
  [ "$CODE" = 201 ] || die "partnership invitation -> HTTP $CODE $BODY"
  api POST "/v1/partnerships/invitations/$inv/accept" "$CT"
  [ "$CODE" = 200 ] || die "partnership acceptance -> HTTP $CODE $BODY"
  api POST "$CUS/relationshipextensions" "$AG" '{"indirectProviderId":"4200011","customerConsentAttested":true}'
  [ "$CODE" = 201 ] || die "relationship extension -> HTTP $CODE $BODY"
}

# the final invariant, over every tracked source subscription (python3)
cat >"$DIR/check.py" <<'EOF'
import json, sys
src = {s["id"]: s for s in json.load(open(sys.argv[1]))["items"]}
prov = {s["id"]: s for s in json.load(open(sys.argv[2]))["items"]}
transfers = json.load(open(sys.argv[3]))
tracked = [l.split() for l in open(sys.argv[4]) if l.strip()]  # id kind
problems = []
copies = {}
def lines(t):
    for l in t["lineItems"]:
        yield l
        for a in l.get("addonItems", []):
            yield a
for t in transfers:
    for l in lines(t):
        if l.get("status") == "Complete":
            copies.setdefault(l["subscriptionId"], []).append(l.get("newSubscriptionId"))
        if t["status"] in ("Withdrawn", "Reject", "Active") and l.get("status") is not None:
            problems.append("transfer %s is %s but line %s reads %s" % (t["id"], t["status"], l["subscriptionId"], l.get("status")))
used = set()
for sid, kind in tracked:
    c = [n for n in copies.get(sid, []) if n in prov]
    listed = copies.get(sid, [])
    s = src.get(sid)
    state = "unlisted" if s is None else s["status"]
    if len(listed) != len(c):
        problems.append("%s %s: completed line names a copy the provider does not hold: %s" % (kind, sid, listed))
    if state == "active" and len(c) == 0:
        pass
    elif state in ("suspended", "unlisted") and len(c) == 1:
        if kind == "payg" and state != "unlisted":
            problems.append("payg %s moved but still listed at the source (%s)" % (sid, state))
        if kind == "e3" and state != "suspended":
            problems.append("e3 %s moved but %s at the source" % (sid, state))
    else:
        problems.append("%s %s: %s at the source with %d copies at the provider" % (kind, sid, state, len(c)))
    used.update(c)
extra = set(prov) - used
if extra:
    problems.append("the provider holds %d subscription(s) no completed line explains: %s" % (len(extra), sorted(extra)[:5]))
ents = [s["entitlementId"] for s in prov.values() if s["offerId"] == "MS-AZR-0145P"]
if len(ents) != len(set(ents)):
    problems.append("an Azure entitlementId appears twice at the provider")
print(json.dumps({"sources": len(tracked), "copies": len(used), "provider": len(prov), "problems": problems}))
EOF

# invariant ROUND-LABEL: the check above
invariant() {
  api GET "$CUS/subscriptions?size=500" "$CT"; echo "$BODY" >"$DIR/src.json"
  api GET "$CUS/subscriptions?size=500" "$FT"; echo "$BODY" >"$DIR/prov.json"
  api GET "$CUS/transfers" "$CT"; echo "$BODY" >"$DIR/transfers.json"
  local r
  r=$(python3 "$DIR/check.py" "$DIR/src.json" "$DIR/prov.json" "$DIR/transfers.json" "$DIR/tracked") ||
    { fail "$1: invariant check could not run"; return; }
  if [ "$(jq '.problems | length' <<<"$r")" = 0 ]; then
    ok "$1: no subscription in two places ($(jq -r '"\(.sources) sources, \(.copies) moved, provider holds \(.provider)"' <<<"$r"))"
  else
    fail "$1: $(jq -c .problems <<<"$r")"
  fi
}

run_round() { # LABEL serve-options...
  local label=$1; shift
  CURRENT="races_$label"
  start_server "$CURRENT" "$@" --sandbox --demo --threads 4 --no-access-log ||
    die "$label: cspd did not start: $(tail -3 "$TEST_OUTPUT/$CURRENT.err" 2>/dev/null)"
  URL=$SERVER_URL
  local pid
  eval "pid=\$SERVER_PID_$CURRENT"
  case $URL in http://127.0.0.1:*) ;; *) die "$label: not on loopback: $URL" ;; esac
  local t0=$SECONDS
  setup
  ok "$label: setup on $URL (transition, partnership, Wingtip extended to Fabrikam)"
  : >"$DIR/tracked"
  FIRED=()
  local i moved=0 c1 c2 e1 e2 tid s1 p1 pent s2 s3 st winners loser n bad1=0 bad2=0 bad3=0
  local acc_wins=0 wd_wins=0
  local -A losers=()
  for ((i = 1; i <= N; i++)); do
    # ---- 1. two accepts
    buy "$E3" $((i + 1)) monthly; s1=$SUB
    buy MS-AZR-0145P 1 none; p1=$SUB
    [ -n "$s1" ] && [ -n "$p1" ] || { bad1=$((bad1 + 1)); continue; }
    echo "$s1 e3" >>"$DIR/tracked"; echo "$p1 payg" >>"$DIR/tracked"
    api GET "$CUS/subscriptions/$p1" "$CT"; pent=$(jq -r .entitlementId <<<"$BODY")
    api POST "$CUS/transfers" "$AG" "$(create_body "$s1" "$p1")"
    tid=$(jq -r '.id // empty' <<<"$BODY")
    if [ "$CODE" != 201 ] || [ -z "$tid" ]; then
      fail "$label #$i.1: create -> HTTP $CODE $BODY"; bad1=$((bad1 + 1))
    else
      fire a1 POST "$CUS/transfers/$tid/accept" "$FT"
      fire a2 POST "$CUS/transfers/$tid/accept" "$FS"
      settle
      c1=$(code_of a1); c2=$(code_of a2); e1=$(errcode_of a1); e2=$(errcode_of a2)
      winners=0; loser=""
      [ "$c1" = 200 ] && winners=$((winners + 1)) || loser="$c1 $e1"
      [ "$c2" = 200 ] && winners=$((winners + 1)) || loser="$c2 $e2"
      losers["${loser:-none}"]=$((${losers["${loser:-none}"]:-0} + 1))
      if [ $winners != 1 ] || ! [[ "$loser" =~ ^(400\ 900102|409\ 900104|409\ 900101)$ ]]; then
        fail "$label #$i.1: two accepts -> $c1 ($e1) and $c2 ($e2); want one 200 and 400 900102 / 409 900104 / 409 900101"
        bad1=$((bad1 + 1))
      fi
      api GET "$CUS/transfers/$tid" "$FT"
      st=$(jq -r .status <<<"$BODY")
      local ne3 npg
      ne3=$(jq -r '.lineItems[0].newSubscriptionId // empty' <<<"$BODY")
      npg=$(jq -r '.lineItems[1].newSubscriptionId // empty' <<<"$BODY")
      [ "$st" = Complete ] && [ -n "$ne3" ] && [ -n "$npg" ] ||
        { fail "$label #$i.1: after the accepts the request is $st: $BODY"; bad1=$((bad1 + 1)); }
      [ "$st" = Complete ] && moved=$((moved + 2))
      api GET "$CUS/subscriptions?size=500" "$FT"
      n=$(jq --arg id "$ne3" --arg ent "$pent" \
        '[([.items[] | select(.id == $id)] | length), ([.items[] | select(.entitlementId == $ent)] | length), .totalCount] | join(" ")' -r <<<"$BODY")
      [ "$n" = "1 1 $moved" ] ||
        { fail "$label #$i.1: provider copies (E3 id, PAYG entitlement, total) = $n, want 1 1 $moved"; bad1=$((bad1 + 1)); }
    fi

    # ---- 2. two creates with the same subscription
    buy "$E3" 1 monthly; s2=$SUB
    if [ -n "$s2" ]; then
      echo "$s2 e3" >>"$DIR/tracked"
      fire c1 POST "$CUS/transfers" "$AG" "$(create_body "$s2")"
      fire c2 POST "$CUS/transfers" "$SA" "$(create_body "$s2")"
      settle
      c1=$(code_of c1); c2=$(code_of c2)
      local r1 r2 win=""
      r1=$(jq -r '.rule // empty' "$DIR/c1.body" 2>/dev/null); r2=$(jq -r '.rule // empty' "$DIR/c2.body" 2>/dev/null)
      if [ "$c1 $c2 $r2" = "201 409 R-TRF-9" ]; then win=c1
      elif [ "$c1 $c2 $r1" = "409 201 R-TRF-9" ]; then win=c2
      else
        fail "$label #$i.2: two creates -> $c1 ($r1) and $c2 ($r2); want one 201 and one 409 R-TRF-9"
        bad2=$((bad2 + 1))
      fi
      api GET "$CUS/transfers" "$CT"
      n=$(jq --arg s "$s2" '[.[] | select(.status == "Active") | select(any(.lineItems[]; .subscriptionId == $s))] | length' <<<"$BODY")
      [ "$n" = 1 ] || { fail "$label #$i.2: $n Active requests hold $s2, want 1"; bad2=$((bad2 + 1)); }
      if [ -n "$win" ]; then
        tid=$(jq -r .id "$DIR/$win.body")
        api DELETE "$CUS/transfers/$tid" "$AG"
        [ "$CODE" = 204 ] || { fail "$label #$i.2: withdrawing the winner -> HTTP $CODE $BODY"; bad2=$((bad2 + 1)); }
      fi
    else
      bad2=$((bad2 + 1))
    fi

    # ---- 3. withdraw racing accept
    buy "$E3" 1 monthly; s3=$SUB
    if [ -n "$s3" ]; then
      echo "$s3 e3" >>"$DIR/tracked"
      api POST "$CUS/transfers" "$AG" "$(create_body "$s3")"
      tid=$(jq -r '.id // empty' <<<"$BODY")
      if [ "$CODE" = 201 ]; then
        if ((i % 2)); then
          fire w DELETE "$CUS/transfers/$tid" "$AG"
          fire a POST "$CUS/transfers/$tid/accept" "$FT"
        else
          fire a POST "$CUS/transfers/$tid/accept" "$FT"
          fire w DELETE "$CUS/transfers/$tid" "$AG"
        fi
        settle
        c1=$(code_of w); c2=$(code_of a); e1=$(errcode_of w); e2=$(errcode_of a)
        api GET "$CUS/transfers/$tid" "$CT"
        st=$(jq -r .status <<<"$BODY")
        if [ "$c1 $c2 $e2 $st" = "204 409 900104 Withdrawn" ]; then
          wd_wins=$((wd_wins + 1))
          api GET "$CUS/subscriptions/$s3" "$CT"
          [ "$(jq -r .status <<<"$BODY")" = active ] ||
            { fail "$label #$i.3: withdrawn, but the source is $(jq -r .status <<<"$BODY")"; bad3=$((bad3 + 1)); }
        elif [ "$c1 $e1 $c2 $st" = "400 900102 200 Complete" ]; then
          acc_wins=$((acc_wins + 1)); moved=$((moved + 1))
          api GET "$CUS/subscriptions/$s3" "$CT"
          [ "$(jq -r .status <<<"$BODY")" = suspended ] ||
            { fail "$label #$i.3: accepted, but the source is $(jq -r .status <<<"$BODY")"; bad3=$((bad3 + 1)); }
        else
          fail "$label #$i.3: withdraw -> $c1 ($e1), accept -> $c2 ($e2), request $st; want 204 + 409 900104 (Withdrawn) or 400 900102 + 200 (Complete)"
          bad3=$((bad3 + 1))
          [ "$st" = Complete ] && moved=$((moved + 1))
        fi
      else
        fail "$label #$i.3: create -> HTTP $CODE $BODY"; bad3=$((bad3 + 1))
      fi
    else
      bad3=$((bad3 + 1))
    fi
  done
  local dist="" k
  for k in "${!losers[@]}"; do dist="$dist${dist:+, }$k x${losers[$k]}"; done
  [ $bad1 = 0 ] && ok "$label: $N x two concurrent accepts: exactly one completed, the other refused ($dist); one copy each at the provider"
  [ $bad2 = 0 ] && ok "$label: $N x two concurrent creates with one subscription: one 201, one 409 R-TRF-9, one Active request"
  [ $bad3 = 0 ] && ok "$label: $N x withdraw racing accept: exactly one won (withdraw $wd_wins, accept $acc_wins), the source matches"
  invariant "$label"
  kill -0 "$pid" 2>/dev/null && ok "$label: the server is still running" || fail "$label: the server died"
  if grep -Eiq 'assert|sanitizer|segmentation|panic' "$TEST_OUTPUT/$CURRENT.err"; then
    fail "$label: server stderr: $(grep -Eim3 'assert|sanitizer|segmentation|panic' "$TEST_OUTPUT/$CURRENT.err")"
  fi
  stop_server "$CURRENT"
  CURRENT=""
  echo "# $label: $((SECONDS - t0)) s"
}

run_round sqlite --store "sqlite:$DIR/cspd.db"
run_round memory --store memory

if [ $fails -eq 0 ]; then
  echo "transfer-races: all checks passed"
  exit 0
fi
echo "transfer-races: $fails check(s) failed"
exit 1
