#!/usr/bin/env bash
# bench/profile.sh -- where the server time goes on GET /v1/profiles/mpn, and the
# same for nginx on its static file, as CPU microseconds per request
# (bench/README.md, "Profiling"). Not part of `make bench`: it needs perf
# (linux-perf) and the right to profile (root, or kernel.perf_event_paranoid <= 1).
#
# Same setup as bench/mpn.sh (seeded store, demo token, nginx with the 1 KB
# file), then for each server, under a wrk load at PROFILE_CONNS connections:
#   1. perf record -F PROFILE_FREQ --call-graph dwarf on the server's pids for the
#      whole wrk run, broken down by bench/perf-breakdown.awk;
#   2. perf trace -s (syscall counts) over a second, shorter run: syscalls per request.
# Environment: PROFILE_CONNS (64), PROFILE_SECONDS (8), PROFILE_FREQ (999), THREADS (2),
# NGINX_WORKERS, CSPD_FLAGS, STORE_OPTS, BULK_PARTNERS, BULK_LOCATIONS, KEEP=1.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

CONNS=${PROFILE_CONNS:-64}
SECS=${PROFILE_SECONDS:-8}
FREQ=${PROFILE_FREQ:-999}
THREADS=${THREADS:-2}
NGINX_WORKERS=${NGINX_WORKERS:-$THREADS}
STORE_OPTS=${STORE_OPTS:-}
read -r -a EXTRA <<<"${CSPD_FLAGS:-}"

need wrk nginx curl awk perf
[ -x "$CSPD" ] || die "$CSPD is not built (run make build)"

bench_tmpdir
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
STORE="sqlite:$TMP_DIR/cspd.db$STORE_OPTS"

setup_cspd_store "$TMP_DIR" "$STORE" --threads "$THREADS" "${EXTRA[@]}"
check_mpn_answer "$TMP_DIR"
setup_nginx "$TMP_DIR/nginx" "$NGINX_WORKERS" || die "nginx did not start"
{
  printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$TOKEN"
  wrk_report_lua
} >"$TMP_DIR/cspd.lua"
wrk_report_lua >"$TMP_DIR/nginx.lua"
NGINX_PIDS=$(nginx_worker_pids | paste -sd, -)
[ -n "$NGINX_PIDS" ] || die "no nginx worker pids"

echo "== profile $(date -u +%Y-%m-%dT%H:%M:%SZ): $CONNS connections, ${SECS}s per server, perf -F $FREQ --call-graph dwarf"
echo "   cspd serve --threads $THREADS --no-access-log${EXTRA[*]:+ ${EXTRA[*]}} --sandbox (demo credentials); store: $SEEDED"
echo "   nginx worker_processes $NGINX_WORKERS, static 1024-byte file; load average $(cut -d' ' -f1-3 /proc/loadavg)"

# profile NAME PIDS SCRIPT URL
profile() {
  local name=$1 pids=$2 script=$3 url=$4 requests
  run_wrk "$TMP_DIR/$name-warmup.wrk" "$script" "$CONNS" 2 "$url"
  # perf follows the pids for as long as wrk runs
  timeout -k 5 $((SECS * 3 + 60)) perf record -q -F "$FREQ" --call-graph dwarf,16384 -p "$pids" \
    -o "$TMP_DIR/$name.perf" -- \
    wrk -t"${WRK_THREADS:-2}" -c"$CONNS" -d"${SECS}s" --timeout 2s -s "$script" "$url" \
    >"$TMP_DIR/$name.wrk" 2>"$TMP_DIR/$name.perf.log"
  requests=$(sed -n 's/^WRK_RESULT requests=\([0-9]*\) .*/\1/p' "$TMP_DIR/$name.wrk")
  [ -n "$requests" ] && [ "$requests" -gt 0 ] || { cat "$TMP_DIR/$name.perf.log" >&2; die "$name: no wrk result"; }
  echo
  echo "-- $name: $requests requests in ${SECS}s under perf ($((requests / SECS)) req/s, perf slows it)"
  perf script -F comm,tid,ip,sym,dso -i "$TMP_DIR/$name.perf" 2>/dev/null |
    awk -v kind="$name" -v freq="$FREQ" -v requests="$requests" -f "$BENCH_DIR/perf-breakdown.awk"

  # syscalls per request (perf trace slows every syscall: counts only)
  timeout -k 5 60 perf trace -s -p "$pids" -o "$TMP_DIR/$name.trace" -- \
    wrk -t"${WRK_THREADS:-2}" -c"$CONNS" -d3s --timeout 2s -s "$script" "$url" \
    >"$TMP_DIR/$name-trace.wrk" 2>/dev/null
  requests=$(sed -n 's/^WRK_RESULT requests=\([0-9]*\) .*/\1/p' "$TMP_DIR/$name-trace.wrk")
  if [ -n "$requests" ] && [ "$requests" -gt 0 ]; then
    echo "   syscalls per request ($requests requests under perf trace):"
    awk -v req="$requests" '
      $1 ~ /^[a-z_0-9]+$/ && $2 ~ /^[0-9]+$/ && NF >= 8 { calls[$1] += $2; total += $2 }
      END {
        for (s in calls) if (calls[s] / req >= 0.01) printf "   %-14s %6.2f\n", s, calls[s] / req | "sort -k2,2nr"
        close("sort -k2,2nr")
        printf "   %-14s %6.2f\n", "total", total / req
      }' "$TMP_DIR/$name.trace"
  fi
}

profile cspd "$CSPD_PID" "$TMP_DIR/cspd.lua" "$MPN_URL"
profile nginx "$NGINX_PIDS" "$TMP_DIR/nginx.lua" "$NGINX_URL/mpn.json"
