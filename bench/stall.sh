#!/usr/bin/env bash
# bench/stall.sh -- the libmicrohttpd stall check (bench/README.md).
#
# For every poll mode x thread-pool size, RUNS short wrk runs (STALL_SECONDS s,
# STALL_CONNS connections), each against a freshly started cspd, and count the
# stalled runs. A run is STALLED when
#   - wrk was killed by `timeout` (at 2x its duration), took more than 2x its
#     duration, or printed no result;
#   - it completed with near-zero throughput: below STALL_MIN_RPS req/s, or below
#     STALL_MIN_FRACTION of the median of all runs of this check;
#   - timeouts + socket errors dominate (more than half of the completed requests); or
#   - the server no longer answers GET /_cspd/health within 2 s after the run.
# wrk counts a timeout only for an answer that does come, late (here: after more
# than WRK_REQ_TIMEOUT=1 s); a connection that is never answered appears nowhere in
# its output, which is why a stall mostly shows as a collapse of the throughput.
# Runs with a late answer or a non-2xx that are not stalled count as "with timeouts".
# A server that does not start or dies is not a stall: such a run is FAILED, and the
# script exits 1 (a stall alone is a finding: exit 0; run-all decides what fails).
#
# Environment: MODES ("poll select epoll"), POOLS ("1 2"), RUNS (5), STALL_SECONDS (3),
# STALL_CONNS (256), STALL_TARGET (health | mpn; default health), STALL_MIN_RPS (1000),
# STALL_MIN_FRACTION (0.10), CSPD_FLAGS (extra serve flags), KEEP=1 keeps the temp dir.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

MODES=${MODES:-poll select epoll}
POOLS=${POOLS:-1 2}
RUNS=${RUNS:-5}
SECS=${STALL_SECONDS:-3}
CONNS=${STALL_CONNS:-256}
TARGET=${STALL_TARGET:-health}
MIN_RPS=${STALL_MIN_RPS:-1000}
MIN_FRACTION=${STALL_MIN_FRACTION:-0.10}
read -r -a EXTRA <<<"${CSPD_FLAGS:-}"

need wrk curl awk
[ -x "$CSPD" ] || die "$CSPD is not built (run make build, or make bench)"
case $TARGET in
health) PATH_Q=/_cspd/health ;;
mpn) PATH_Q=/v1/profiles/mpn ;;
*) die "STALL_TARGET is health or mpn" ;;
esac

bench_tmpdir
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
STORE="sqlite:$TMP_DIR/cspd.db"

# one start with --demo seeds the demo world; later starts find it seeded
start_cspd "$TMP_DIR/seed" --store "$STORE" --sandbox --demo --no-access-log || die "cspd did not start"
wrk_report_lua >"$TMP_DIR/plain.lua"
SCRIPT=$TMP_DIR/plain.lua
if [ "$TARGET" = mpn ]; then
  # the signing key lives in the store: the token stays valid across restarts
  TOKEN=$(get_token "$CSPD_URL")
  [ -n "$TOKEN" ] || die "no token from $CSPD_URL"
  {
    printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$TOKEN"
    wrk_report_lua
  } >"$TMP_DIR/auth.lua"
  SCRIPT=$TMP_DIR/auth.lua
fi
stop_cspd

echo "== stall check: GET $PATH_Q, $CONNS connections, ${SECS}s x $RUNS runs per cell, wrk -t${WRK_THREADS:-2}, a fresh cspd per run"

# ---- the runs -----------------------------------------------------------------
# one record per run: mode pool run rc have elapsed_ms rps p99_us timeouts sockerr status requests health
RECORDS=()
for mode in $MODES; do
  for pool in $POOLS; do
    printf '   %s, %s thread(s):' "$mode" "$pool"
    for ((i = 1; i <= RUNS; i++)); do
      log="$TMP_DIR/$mode-$pool-$i"
      if ! start_cspd "$log" --store "$STORE" --sandbox --demo --no-access-log \
        --http-poll "$mode" --threads "$pool" "${EXTRA[@]}" 2>/dev/null; then
        RECORDS+=("$mode $pool $i 255 1 0 0 0 0 0 0 0 000")
        printf ' x'
        continue
      fi
      WRK_BUDGET=$((2 * SECS)) WRK_REQ_TIMEOUT=${WRK_REQ_TIMEOUT:-1} \
        run_wrk "$log.wrk" "$SCRIPT" "$CONNS" "$SECS" "$CSPD_URL$PATH_Q"
      have=$?
      health=$(curl -s -m 2 -o /dev/null -w '%{http_code}' "$CSPD_URL/_cspd/health")
      if ! kill -0 "$CSPD_PID" 2>/dev/null; then
        # not a stall: the server is gone (crash); rc 254 marks it
        wait "$CSPD_PID" 2>/dev/null
        printf " [cspd exited with status %s in run %s: %s]" "$?" "$i" "$(tail -n 2 "$log.err" 2>/dev/null | tr '\n' ' ')"
        WRK_RC=254
      fi
      RECORDS+=("$mode $pool $i $WRK_RC $have $WRK_ELAPSED_MS $WRK_RPS $WRK_P99_US $WRK_TIMEOUT $WRK_SOCKERR $WRK_STATUS $WRK_REQUESTS $health")
      printf ' %s' "$WRK_RPS"
      stop_cspd
    done
    echo
  done
done

# ---- verdicts -----------------------------------------------------------------
all_rps=()
for r in "${RECORDS[@]}"; do
  # shellcheck disable=SC2086  # a record is space-separated fields
  set -- $r
  [ "$4" -ge 254 ] || all_rps+=("$7")
done
REF=$(median "${all_rps[@]}")
FLOOR=$(awk -v r="$REF" -v f="$MIN_FRACTION" -v m="$MIN_RPS" 'BEGIN { x = r * f; printf "%.0f", (x > m ? x : m) }')

echo
echo "   near-zero = below $FLOOR req/s (max of $MIN_RPS and $MIN_FRACTION x the median $REF of all runs)"
printf '%-7s %-7s %4s %7s %9s %9s %8s %7s  %s\n' mode threads run req/s p99_ms timeouts sockerr health verdict
declare -A STALLED WITH_TO CELL_RPS BROKEN
for r in "${RECORDS[@]}"; do
  # shellcheck disable=SC2086  # a record is space-separated fields
  set -- $r
  mode=$1 pool=$2 run=$3 rc=$4 have=$5 el=$6 rps=$7 p99=$8 to=$9 se=${10} st=${11} req=${12} health=${13}
  key="$mode/$pool"
  why=""
  failed=""
  if [ "$rc" -eq 255 ]; then
    failed="no-start"
  elif [ "$rc" -eq 254 ]; then
    failed="server-died"
  elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    why="killed-at-2x"
  elif [ "$have" -ne 0 ]; then
    why="no-result(rc=$rc)"
  elif [ "$el" -gt $((2 * SECS * 1000)) ]; then
    why="over-2x(${el}ms)"
  elif [ "$rps" -lt "$FLOOR" ]; then
    why="near-zero"
  elif [ $(((to + se) * 2)) -gt "$req" ]; then
    why="errors-dominate"
  elif [ "$health" != 200 ]; then
    why="unresponsive-after"
  fi
  if [ -n "$failed" ]; then
    verdict="FAILED:$failed"
    BROKEN[$key]=$((${BROKEN[$key]:-0} + 1))
  elif [ -n "$why" ]; then
    verdict="STALLED:$why"
    STALLED[$key]=$((${STALLED[$key]:-0} + 1))
  elif [ "$to" -gt 0 ] || [ "$st" -gt 0 ] || [ "$se" -gt 0 ]; then
    verdict="ok-with-timeouts"
    WITH_TO[$key]=$((${WITH_TO[$key]:-0} + 1))
  else
    verdict=ok
  fi
  [ -n "$failed" ] || CELL_RPS[$key]="${CELL_RPS[$key]:-} $rps"
  printf '%-7s %-7s %4s %7s %9s %9s %8s %7s  %s\n' "$mode" "$pool" "$run" "$rps" \
    "$(us_to_ms "$p99")" "$to" "$se" "$health" "$verdict"
done

echo
echo "== stall summary (GET $PATH_Q, $CONNS connections, ${SECS}s runs)"
printf '%-7s %-7s %7s %13s %10s %7s\n' mode threads stalled with-timeouts median-rps failed
for mode in $MODES; do
  for pool in $POOLS; do
    key="$mode/$pool"
    # shellcheck disable=SC2086
    med=$(median ${CELL_RPS[$key]:-})
    printf '%-7s %-7s %7s %13s %10s %7s\n' "$mode" "$pool" "${STALLED[$key]:-0}/$RUNS" \
      "${WITH_TO[$key]:-0}/$RUNS" "$med" "${BROKEN[$key]:-0}/$RUNS"
    results_add "stall	$mode	$pool	${STALLED[$key]:-0}	$RUNS	${WITH_TO[$key]:-0}	$med	$TARGET	$CONNS	$SECS	${BROKEN[$key]:-0}"
  done
done
TOTAL_BROKEN=0
for k in "${!BROKEN[@]}"; do TOTAL_BROKEN=$((TOTAL_BROKEN + BROKEN[$k])); done
if [ "$TOTAL_BROKEN" -gt 0 ]; then
  echo "$TOTAL_BROKEN run(s) FAILED: cspd did not start or died; those are not stalls, and the check is not valid"
  exit 1
fi
exit 0
