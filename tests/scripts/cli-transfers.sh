#!/usr/bin/env bash
# cli-transfers.sh -- `csp transfers` end to end against a fresh demo-world server
# (docs/cli.md "transfers", docs/api-transfers.md), every step through the CLI:
#
#   - help and usage: `csp transfers --help` lists the 7 subcommands, `csp --help`
#     the group; a missing subcommand, argument or option -> exit 2, usage on stderr;
#   - preparation as in tests/scenarios/401-transfer-lifecycle.json: Contoso enrolls
#     as indirect reseller (approval at once), partners with Fabrikam, buys E3 + an
#     add-on, Azure PAYG and an Azure plan for Wingtip, extends Wingtip to Fabrikam;
#   - eligibility (R-TRF-1 before the enrollment, R-TRF-2 before the extension, then
#     yes/no with reasons), create (refusals R-TRF-4, R-TRF-10, R-TRF-9 with their exit
#     codes; the lines filled in, the add-on under its base), list and show on both
#     sides, accept (R-TRF-5 for the source; Complete with 2 orders; again -> 900102),
#     withdraw (then accept -> 900104, exit 6), reject, a PartiallyComplete accept
#     (a line cancelled in between) with its transfer errors, not found -> exit 5,
#     not logged in -> exit 3; --json answers checked with jq.
#
# Each user has its own session ($DIR/<who>/csp/session.json via XDG_CONFIG_HOME).
# Needs $CSPD and $CSP (default build/cspd, build/csp), jq.
set -uo pipefail
cd "$(dirname "$0")/../.."
export no_proxy='*' NO_PROXY='*'
unset CSPD_STORE CSPD_SANDBOX CSPD_DEMO CSPD_LISTEN CSPD_PORT CSPD_LOG_FORMAT CSPD_ACCESS_LOG \
  CSPD_THREADS CSPD_HTTP_POLL CSPD_MAX_BODY CSPD_THROTTLE CSPD_THROTTLE_BURST CSPD_TOKEN_TTL CSP_URL
: "${CSP:=build/csp}"
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
die() { echo "FAIL - $*"; echo "cli-transfers: aborted"; exit 1; }

[ -x "$CSP" ] || die "no csp at $CSP"
start_server clitrf --store memory --sandbox --demo ||
  die "cspd did not start: $(tail -3 "$TEST_OUTPUT/clitrf.err")"
URL=$SERVER_URL

# run WHO ARGS...: csp as WHO; sets RC, OUT (stdout), ERR (stderr)
run() {
  local who=$1; shift
  mkdir -p "$DIR/$who"
  XDG_CONFIG_HOME="$DIR/$who" "$CSP" "$@" >"$DIR/out" 2>"$DIR/err" </dev/null
  RC=$?
  OUT=$(cat "$DIR/out")
  ERR=$(cat "$DIR/err")
}
# login WHO EMAIL
login() {
  mkdir -p "$DIR/$1"
  echo cspd-demo-password | XDG_CONFIG_HOME="$DIR/$1" "$CSP" login --url "$URL" --user "$2" --password-stdin \
    >/dev/null 2>"$DIR/err" || die "login $2: $(cat "$DIR/err")"
}
# check DESC RC [PATTERN...]: RC as expected and every extended regex found in OUT (+ERR)
check() {
  local desc=$1 want=$2; shift 2
  if [ "$RC" != "$want" ]; then
    fail "$desc: exit $RC (want $want); stdout: ${OUT:0:400}; stderr: ${ERR:0:400}"
    return 1
  fi
  local p
  for p in "$@"; do
    if ! grep -Eq -- "$p" <<<"$OUT"$'\n'"$ERR"; then
      fail "$desc: no '$p' in stdout: ${OUT:0:600}; stderr: ${ERR:0:400}"
      return 1
    fi
  done
  ok "$desc"
}
# must WHO ARGS...: a setup step that has to succeed
must() {
  run "$@"
  [ "$RC" = 0 ] || die "setup 'csp ${*:2}' as $1: exit $RC: $ERR"
}

W=e0000000-0000-4000-8000-000000000001
CONTOSO=c0000000-0000-4000-8000-000000000001
FAB=c0000000-0000-4000-8000-000000000002
O_E3=796B6B5F-613C-4E24-A17C-EBA730D49C02
O_E1=91FD106F-4B2C-4938-95AC-F54F74E9A239
O_SEC=A0ED880D-780F-46D4-B4E3-9E1958C89365
O_PLAN=DZH318Z0BPS6
UUID_RE='[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

# ---- help and usage (no server needed) ----
run nobody transfers --help
check "transfers --help lists the subcommands" 0 'transfers eligibility' 'transfers create' 'transfers list' \
  'transfers show' 'transfers accept' 'transfers reject' 'transfers withdraw'
run nobody --help
check "csp --help lists the transfers group" 0 '^  transfers create '
run nobody transfers
check "transfers without a subcommand -> exit 2" 2 "'transfers' needs a subcommand"
run nobody transfers frobnicate $W
check "unknown subcommand -> exit 2" 2 "unknown subcommand 'transfers frobnicate'"
run nobody transfers create $W --to $FAB
check "create without --subscription -> exit 2, usage" 2 'at least one --subscription' 'usage: csp transfers create'
[ -z "$OUT" ] || fail "usage error printed to stdout: $OUT"
run nobody transfers show $W
check "show without TRANSFER -> exit 2" 2 'missing argument'
run nobody transfers withdraw $W a b
check "withdraw with an extra argument -> exit 2" 2 "unexpected argument 'b'"
run nobody transfers create $W --to $FAB --subscription x --bogus
check "unknown option -> exit 2" 2 "unknown option '--bogus'"
run nobody transfers create --help
check "create --help shows the options" 0 '--partner-id-on-record MPN' '--subscription SUB'
run nobody --url "$URL" transfers list $W
check "not logged in -> exit 3" 3 'not logged in'

# ---- sessions ----
login op operator@cspd.test
login contoso admin@contoso-direct.test
login agent agent@contoso-direct.test
login sales sales@contoso-direct.test
login billing billing@contoso-direct.test
login fab admin@fabrikam-dist.test

run contoso transfers eligibility $W
check "R-TRF-1: eligibility before the enrollment -> exit 4" 4 'rule: R-TRF-1'

# ---- preparation (401-transfer-lifecycle.json) ----
must op operator settings set --approval-days 0
must contoso enroll indirect-reseller --yes
must contoso agreement accept
must fab --json partnerships invite --mpn-id 4100011
INV=$(jq -r .id <<<"$OUT")
must contoso partnerships accept "$INV"
must contoso --json orders create $W --offer $O_E3 --quantity 10 --name 'E3 Wingtip' --cycle monthly
E3=$(jq -r '.lineItems[0].subscriptionId' <<<"$OUT")
must contoso --json orders create $W --offer $O_SEC --quantity 5 --parent "$E3" --name 'E5 Security Wingtip' --cycle monthly
ADDON=$(jq -r '.lineItems[0].subscriptionId' <<<"$OUT")
must contoso --json orders create $W --line MS-AZR-0145P:1 --line $O_PLAN:1 --cycle none
PAYG=$(jq -r '.lineItems[0].subscriptionId' <<<"$OUT")
PLAN=$(jq -r '.lineItems[1].subscriptionId' <<<"$OUT")
for v in E3 ADDON PAYG PLAN; do
  grep -Eq "^$UUID_RE\$" <<<"${!v}" || die "setup: no subscription id for $v ('${!v}')"
done

# ---- eligibility ----
run contoso transfers eligibility $W
check "R-TRF-2: before the extension E3 is not eligible" 0 "^$E3 +no +R-TRF-2: "
must agent customers extend $W --provider 4200011 --consent

run contoso transfers eligibility $W
check "eligibility table: header, E3 and PAYG yes, add-on R-TRF-10, plan R-TRF-12" 0 \
  '^SUBSCRIPTION +ELIGIBLE +REASON$' "^$E3 +yes +-$" "^$PAYG +yes +-$" \
  "^$ADDON +no +R-TRF-10: an add-on travels with its base subscription $E3" "^$PLAN +no +R-TRF-12: "
run contoso --json transfers eligibility $W
n=$(jq -r 'if type == "array" then length else "not an array" end' <<<"$OUT" 2>/dev/null)
e=$(jq -r --arg s "$E3" '.[] | select(.id == $s) | .isEligible' <<<"$OUT" 2>/dev/null)
[ "$RC" = 0 ] && [ "$n" = 4 ] && [ "$e" = true ] && ok "eligibility --json: the bare array, 4 entries, E3 eligible" ||
  fail "eligibility --json: exit $RC, length '$n', E3 '$e': ${OUT:0:300}"

# ---- create ----
run billing transfers create $W --to $FAB --subscription "$E3"
check "R-TRF-4: the billing admin cannot create -> exit 4" 4 'error 403 \(HTTP 403\)' 'rule: R-TRF-4'
run agent transfers create $W --to $FAB --subscription "$ADDON"
check "R-TRF-10: an add-on alone -> exit 1" 1 'HTTP 400' 'rule: R-TRF-10'
run agent transfers create $W --to $FAB --subscription "$E3" --subscription "$PLAN"
check "R-TRF-12: E3 with the Azure plan -> exit 1, nothing created" 1 'rule: R-TRF-12'
run agent transfers create $W --to not-a-tenant --subscription "$E3"
check "an invalid --to -> exit 1 (800002)" 1 'error 800002 \(HTTP 400\)'
run contoso transfers list $W
check "the refusals created nothing" 0 '^ID +STATUS +SOURCE +TARGET +LINES +CREATED$'
[ "$(wc -l <<<"$OUT")" = 1 ] || fail "list after the refusals has rows: $OUT"

run sales transfers create $W --to $FAB --subscription "$E3" --subscription "$PAYG"
check "the sales agent creates E3 (+ add-on) and PAYG: Active, lines filled in" 0 \
  "^id +$UUID_RE$" '^status +Active$' '^customer +Wingtip Toys \(e0000000-0000-4000-8000-000000000001\)$' \
  "^source +Contoso.* \($CONTOSO\)$" "^target +Fabrikam.* \($FAB\)$" \
  '^# +SUBSCRIPTION +OFFER +QUANTITY +CYCLE +ADD-ON OF +PARTNER OF RECORD +STATUS +NEW SUBSCRIPTION +ERROR$' \
  "^0 +$E3 +$O_E3 +10 +monthly +- +4100011 +- +- +-$" \
  "^1 +$ADDON +$O_SEC +5 +monthly +0 +4100011 +- +- +-$" \
  "^2 +$PAYG +MS-AZR-0145P +1 +none +- +4100011 +- +- +-$"
T1=$(sed -nE 's/^id +([0-9a-f-]{36})$/\1/p' <<<"$OUT")

run agent transfers create $W --to $FAB --subscription "$E3"
check "R-TRF-9: E3 in a second request -> exit 6" 6 'HTTP 409' 'rule: R-TRF-9' "already in transfer request $T1"

# ---- list and show on both sides ----
for who in contoso fab; do
  run $who transfers list $W
  check "list ($who): the request, Active, 2 lines + 1 add-on" 0 \
    "^$T1 +Active +Contoso Direct B\.V\. +Fabrikam Distribution Benelux +2 \(\+1 add-on\) +[0-9]{4}-[0-9]{2}-[0-9]{2}T"
done
run fab --json transfers list $W
n=$(jq -r 'if type == "array" then length else "not an array" end' <<<"$OUT" 2>/dev/null)
id=$(jq -r '.[0].id' <<<"$OUT" 2>/dev/null)
[ "$RC" = 0 ] && [ "$n" = 1 ] && [ "$id" = "$T1" ] && ok "list --json: a bare array with the request" ||
  fail "list --json: exit $RC, length '$n', id '$id'"
run fab transfers show $W "$T1"
check "show (provider): Active with its lines" 0 "^id +$T1$" '^status +Active$' "^1 +$ADDON +$O_SEC +5 +monthly +0 "
run agent --json transfers show $W "$T1"
v=$(jq -r '[.status, .partnertenantid, .targetPartnerTenantId, .lineItems[0].addonItems[0].subscriptionId, .attributes.objectType] | join(" ")' <<<"$OUT" 2>/dev/null)
[ "$RC" = 0 ] && [ "$v" = "Active $CONTOSO $FAB $ADDON TransferEntity" ] && ok "show --json: the TransferEntity" ||
  fail "show --json: exit $RC, '$v'"
run fab transfers show $W 00000000-0000-4000-8000-000000000000
check "show an unknown transfer -> exit 5 (900100)" 5 'error 900100 \(HTTP 404\)'

# ---- accept ----
run contoso transfers accept $W "$T1"
check "R-TRF-5: the source cannot accept -> exit 4" 4 'rule: R-TRF-5'
run contoso transfers reject $W "$T1"
check "R-TRF-5: nor reject -> exit 4" 4 'rule: R-TRF-5'
run fab transfers withdraw $W "$T1"
check "R-TRF-4: the provider cannot withdraw -> exit 4" 4 'rule: R-TRF-4'
run fab transfers accept $W "$T1"
check "the provider accepts: Complete, 2 orders (monthly, none)" 0 \
  "^Transfer $T1 accepted \(Complete\): 2 orders created, every subscription moved\.$" \
  '^ORDER +CYCLE +CUSTOMER$' "^$UUID_RE +monthly +$W$" "^$UUID_RE +none +$W$"
grep -q 'Transfer errors' <<<"$OUT" && fail "a complete accept printed transfer errors: $OUT"
run contoso transfers show $W "$T1"
check "show after the accept: Complete, every line Complete with a new subscription" 0 '^status +Complete$' \
  "^0 +$E3 .* Complete +$UUID_RE +-$" "^1 +$ADDON .* Complete +$UUID_RE +-$" "^2 +$PAYG .* Complete +$UUID_RE +-$"
run fab transfers accept $W "$T1"
check "accepting again -> exit 1 (900102)" 1 'error 900102 \(HTTP 400\)'
run sales transfers withdraw $W "$T1"
check "withdrawing a completed request -> exit 1 (900102)" 1 'error 900102'

# ---- withdraw ----
must contoso --json orders create $W --offer $O_E1 --quantity 3 --name 'E1 Wingtip'
E1=$(jq -r '.lineItems[0].subscriptionId' <<<"$OUT")
must agent --json transfers create $W --to $FAB --subscription "$E1" --partner-id-on-record 4100011
T2=$(jq -r .id <<<"$OUT")
por=$(jq -r '.lineItems[0].partnerIdOnRecord' <<<"$OUT")
[ "$por" = 4100011 ] && ok "create --json --partner-id-on-record: the line's partner of record" ||
  fail "create --partner-id-on-record: '$por'"
run agent transfers withdraw $W "$T2"
check "withdraw" 0 "^Transfer $T2 withdrawn\.$"
run agent transfers show $W "$T2"
check "show after the withdraw: Withdrawn" 0 '^status +Withdrawn$'
run fab transfers accept $W "$T2"
check "accepting a withdrawn request -> exit 6 (900104)" 6 'error 900104 \(HTTP 409\)'
run agent --json transfers withdraw $W "$T2"
check "withdrawing again -> exit 6" 6 'error 900104'

# ---- reject ----
must agent --json transfers create $W --to $FAB --subscription "$E1"
T3=$(jq -r .id <<<"$OUT")
run fab transfers reject $W "$T3"
check "reject: the request reads Reject" 0 "^id +$T3$" '^status +Reject$'
run sales transfers withdraw $W "$T3"
check "withdrawing a rejected request -> exit 6 (900104)" 6 'error 900104'
run contoso transfers list $W
check "list: Complete, Withdrawn, Reject" 0 "^$T1 +Complete " "^$T2 +Withdrawn " "^$T3 +Reject "

# ---- a partially complete accept ----
must contoso --json orders create $W --offer $O_E3 --quantity 2 --name 'E3 second'
E3B=$(jq -r '.lineItems[0].subscriptionId' <<<"$OUT")
must agent --json transfers create $W --to $FAB --subscription "$E3B" --subscription "$E1"
T4=$(jq -r .id <<<"$OUT")
must contoso subscriptions cancel $W "$E1" --yes
run fab transfers accept $W "$T4"
check "accept with a line cancelled in between: PartiallyComplete, 1 order, the error listed" 0 \
  "^Transfer $T4 accepted \(PartiallyComplete\): 1 order created, some subscriptions could not move\.$" \
  '^Transfer errors:$' '^# +SUBSCRIPTION +ERROR$' "^1 +$E1 +[A-Z]"
run fab transfers show $W "$T4"
check "show: PartiallyComplete, E3 Complete, E1 Failed with its error" 0 '^status +PartiallyComplete$' \
  "^0 +$E3B .* Complete +$UUID_RE +-$" "^1 +$E1 .* Failed +- +[A-Z]"
run fab --json transfers show $W "$T4"
v=$(jq -r '[.status, .lineItems[1].status, (.lineItems[1].transferError | type)] | join(" ")' <<<"$OUT" 2>/dev/null)
[ "$RC" = 0 ] && [ "$v" = "PartiallyComplete Failed string" ] && ok "show --json: the failed line's transferError" ||
  fail "show --json after the partial accept: exit $RC, '$v'"

stop_server clitrf

if [ $fails -eq 0 ]; then
  echo "cli-transfers: all checks passed"
  exit 0
fi
echo "cli-transfers: $fails check(s) failed"
exit 1
