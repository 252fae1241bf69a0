#!/usr/bin/env bash
# throttle.sh -- per-tenant rate limiting (--throttle RPS --throttle-burst N).
#
#   - with --throttle 5 --throttle-burst 5, 20 quick requests by one tenant:
#     the first 5 (the burst) pass, some later ones get 429 with an integer
#     Retry-After >= 1 and the error envelope code 429; no more than
#     burst + rate * elapsed + 1 pass;
#   - another tenant is not affected: its first request is 200;
#   - after waiting Retry-After seconds the throttled tenant gets 200 again;
#   - without --throttle, 50 quick requests by one tenant never get 429.
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
die() { echo "FAIL - $*"; echo "throttle: aborted"; exit 1; }

# burst TOKEN N OUTDIR: N GETs of /v1/profiles/mpn over one connection; writes
# OUTDIR/codes ("status retry-after" per line) and OUTDIR/b.K bodies
burst() {
  local tok=$1 n=$2 out=$3 i
  mkdir -p "$out"
  local args=()
  for i in $(seq 1 "$n"); do args+=("$URL/v1/profiles/mpn" -o "$out/b.$i"); done
  curl -s --max-time 30 -H "Authorization: Bearer $tok" -w '%{http_code} %header{retry-after}\n' \
    "${args[@]}" >"$out/codes"
}

# ---- throttled server
start_server thr --store memory --sandbox --demo --throttle 5 --throttle-burst 5 ||
  die "cspd did not start: $(tail -3 "$TEST_OUTPUT/thr.err")"
URL=$SERVER_URL
T1=$(token "$URL" admin@contoso-direct.test)
T2=$(token "$URL" admin@fabrikam-dist.test)
[ -n "$T1" ] && [ "$T1" != null ] && [ -n "$T2" ] && [ "$T2" != null ] || die "no tokens (token endpoint must not be throttled)"

t0=$(date +%s%N)
burst "$T1" 20 "$DIR/a"
ms=$((($(date +%s%N) - t0) / 1000000))
n200=$(grep -c '^200 ' "$DIR/a/codes")
n429=$(grep -c '^429 ' "$DIR/a/codes")
echo "# 20 requests in ${ms} ms: $n200 x 200, $n429 x 429 ($(cut -d' ' -f1 "$DIR/a/codes" | tr '\n' ' '))"
[ $((n200 + n429)) = 20 ] && ok "every answer is 200 or 429" || fail "unexpected statuses: $(cut -d' ' -f1 "$DIR/a/codes" | sort | uniq -c | tr '\n' ' ')"
first5=$(head -5 "$DIR/a/codes" | cut -d' ' -f1 | tr '\n' ' ')
[ "$first5" = "200 200 200 200 200 " ] && ok "the burst of 5 passes" || fail "first 5 answers: $first5 (want 5 x 200)"
[ "$n429" -ge 1 ] && ok "$n429 of 20 quick requests throttled" || fail "no 429 among 20 quick requests at 5 rps, burst 5"
allowed=$((5 + 5 * ms / 1000 + 1))
[ "$n200" -le "$allowed" ] && ok "$n200 passed <= burst + rate*elapsed + 1 = $allowed" ||
  fail "$n200 passed in ${ms} ms, more than burst + rate*elapsed + 1 = $allowed"

RA=""
bad429=0
i=0
while read -r code ra; do
  i=$((i + 1))
  [ "$code" = 429 ] || continue
  env_code=$(jq -r .code "$DIR/a/b.$i" 2>/dev/null)
  if ! [[ $ra =~ ^[0-9]+$ ]] || [ "$ra" -lt 1 ] || [ "$env_code" != 429 ]; then
    bad429=$((bad429 + 1))
    echo "     answer $i: 429 with Retry-After '$ra', body $(head -c 200 "$DIR/a/b.$i")"
  fi
  RA=$ra
done <"$DIR/a/codes"
if [ "$n429" -ge 1 ] && [ $bad429 = 0 ]; then
  ok "every 429 has an integer Retry-After >= 1 and envelope code 429 (last Retry-After: $RA; $(jq -c '{description, remedy}' "$DIR/a/b.$(grep -n '^429' "$DIR/a/codes" | tail -1 | cut -d: -f1)"))"
elif [ $bad429 -gt 0 ]; then
  fail "$bad429 of the 429 answers lack a valid Retry-After or code 429"
fi

code=$(curl -s --max-time 5 -o "$DIR/other" -w '%{http_code}' -H "Authorization: Bearer $T2" "$URL/v1/profiles/mpn")
[ "$code" = 200 ] && ok "another tenant's first request right after the burst: 200" ||
  fail "another tenant's first request: $code $(head -c 200 "$DIR/other")"

if [[ $RA =~ ^[0-9]+$ ]] && [ "$RA" -ge 1 ] && [ "$RA" -le 5 ]; then
  sleep "$RA"
  code=$(curl -s --max-time 5 -o "$DIR/after" -w '%{http_code}' -H "Authorization: Bearer $T1" "$URL/v1/profiles/mpn")
  [ "$code" = 200 ] && ok "after waiting Retry-After ($RA s) the throttled tenant gets 200" ||
    fail "after waiting Retry-After ($RA s): $code $(head -c 200 "$DIR/after")"
else
  fail "no usable Retry-After to wait for (got '$RA')"
fi
stop_server thr

# ---- no throttle
start_server nothr --store memory --sandbox --demo || die "cspd (no throttle) did not start"
URL=$SERVER_URL
T1=$(token "$URL" admin@contoso-direct.test)
t0=$(date +%s%N)
burst "$T1" 50 "$DIR/b"
ms=$((($(date +%s%N) - t0) / 1000000))
n200=$(grep -c '^200 ' "$DIR/b/codes")
n429=$(grep -c '^429 ' "$DIR/b/codes")
[ "$n200" = 50 ] && [ "$n429" = 0 ] && ok "without --throttle: 50 requests in ${ms} ms, all 200" ||
  fail "without --throttle: $n200 x 200, $n429 x 429 of 50 ($(cut -d' ' -f1 "$DIR/b/codes" | sort | uniq -c | tr '\n' ' '))"
stop_server nothr

if [ $fails -eq 0 ]; then
  echo "throttle: all checks passed"
  exit 0
fi
echo "throttle: $fails check(s) failed"
exit 1
