# bench/lib.sh -- shared helpers for the benchmarks (sourced, not run).
#
# Everything here stays on 127.0.0.1, every process started is remembered by
# pid and stopped by pid, and every load run is bounded by `timeout`.
# shellcheck shell=bash disable=SC2034  # the WRK_* and other globals are for the sourcing scripts

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
CSPD=${CSPD:-$ROOT/build/cspd}

# The Contoso Direct demo app (sandbox + demo world): its token is a partner
# token of tenant c0000000-...-0001, whose own MPN profile is 4100011.
DEMO_CLIENT_ID=0a000000-0000-4000-8000-000000000011
DEMO_CLIENT_SECRET=contoso-demo-app-secret
DEMO_MPN_ID=4100011

die() {
  echo "bench: $*" >&2
  exit 1
}

need() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || die "'$c' is missing (make bench installs nginx-light and wrk)"
  done
}

# bench_tmpdir: a fresh temporary directory in $TMP_DIR, removed at exit
# unless KEEP=1. World-readable so that nginx workers (user nobody when the
# master runs as root) can read the static file.
bench_tmpdir() {
  TMP_DIR=$(mktemp -d "${TMPDIR:-/tmp}/cspd-bench.XXXXXX")
  chmod 0755 "$TMP_DIR"
}

# ---- processes ---------------------------------------------------------------

PIDS_TO_STOP=()

# stop_pid PID: SIGTERM, wait up to 10 s, then SIGKILL. Only for our children.
stop_pid() {
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "bench: pid $pid did not stop in 10 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null
  return 0
}

bench_cleanup() {
  local pid
  for pid in "${PIDS_TO_STOP[@]}"; do
    stop_pid "$pid"
  done
  PIDS_TO_STOP=()
  if [ -n "${TMP_DIR:-}" ] && [ -d "$TMP_DIR" ]; then
    if [ "${KEEP:-0}" = 1 ]; then
      echo "bench: kept $TMP_DIR" >&2
    else
      rm -rf "$TMP_DIR"
    fi
  fi
}

forget_pid() {
  local keep=() p
  for p in "${PIDS_TO_STOP[@]}"; do
    [ "$p" = "$1" ] || keep+=("$p")
  done
  PIDS_TO_STOP=("${keep[@]}")
}

# start_cspd LOGPREFIX ARGS...: start `cspd serve ARGS --port 0` in the
# background; sets CSPD_PID and CSPD_URL once it prints its URL (10 s limit).
start_cspd() {
  local log=$1 i
  shift
  "$CSPD" serve --port 0 "$@" >"$log.out" 2>"$log.err" &
  CSPD_PID=$!
  PIDS_TO_STOP+=("$CSPD_PID")
  CSPD_URL=""
  for ((i = 0; i < 200; i++)); do
    CSPD_URL=$(sed -n 's|^cspd .* listening on \(http://[^ ]*\) .*|\1|p' "$log.out" 2>/dev/null | head -n1)
    [ -n "$CSPD_URL" ] && return 0
    kill -0 "$CSPD_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "bench: cspd did not start; its output:" >&2
  cat "$log.out" "$log.err" >&2
  return 1
}

stop_cspd() {
  stop_pid "$CSPD_PID"
  forget_pid "$CSPD_PID"
  CSPD_PID=""
}

# get_token URL: a client_credentials token of the Contoso demo app.
get_token() {
  local body
  body=$(curl -sS -m 10 -X POST "$1/common/oauth2/token" \
    --data-urlencode grant_type=client_credentials \
    --data-urlencode "client_id=$DEMO_CLIENT_ID" \
    --data-urlencode "client_secret=$DEMO_CLIENT_SECRET") || return 1
  sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p' <<<"$body"
}

# port_in_use PORT: true when something accepts connections on it.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# ---- wrk ---------------------------------------------------------------------

# The done() hook that every wrk script ends with: one machine-readable line.
# It runs once, after the run, so it costs nothing per request.
wrk_report_lua() {
  cat <<'EOF'
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRK_RESULT requests=%d duration_us=%d bytes=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d " ..
    "connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
EOF
}

# run_wrk OUTFILE SCRIPT CONNS SECONDS URL: one wrk run (-t2, --latency),
# bounded by `timeout` at WRK_BUDGET seconds (default 2x its duration plus
# 10 s). Sets the WRK_* variables from the result line; WRK_RC is wrk's exit
# status (124/137: killed by timeout); WRK_ELAPSED_MS the wall time.
run_wrk() {
  local out=$1 script=$2 conns=$3 secs=$4 url=$5 t0 t1 line
  local budget=${WRK_BUDGET:-$((secs * 2 + 10))}
  t0=$(date +%s%N)
  timeout -k 3 "$budget" wrk -t"${WRK_THREADS:-2}" -c"$conns" -d"${secs}s" --latency \
    --timeout "${WRK_REQ_TIMEOUT:-2}s" -s "$script" "$url" >"$out" 2>&1
  WRK_RC=$?
  t1=$(date +%s%N)
  WRK_ELAPSED_MS=$(((t1 - t0) / 1000000))
  line=$(grep '^WRK_RESULT ' "$out" | tail -n1)
  WRK_REQUESTS=0 WRK_DURATION_US=0 WRK_P50_US=0 WRK_P90_US=0 WRK_P99_US=0 WRK_MAX_US=0
  WRK_CONNECT=0 WRK_READ=0 WRK_WRITE=0 WRK_STATUS=0 WRK_TIMEOUT=0 WRK_BYTES=0
  local kv k v
  for kv in ${line#WRK_RESULT }; do
    k=${kv%%=*} v=${kv#*=}
    case $k in
    requests) WRK_REQUESTS=$v ;;
    duration_us) WRK_DURATION_US=$v ;;
    bytes) WRK_BYTES=$v ;;
    p50_us) WRK_P50_US=$v ;;
    p90_us) WRK_P90_US=$v ;;
    p99_us) WRK_P99_US=$v ;;
    max_us) WRK_MAX_US=$v ;;
    connect) WRK_CONNECT=$v ;;
    read) WRK_READ=$v ;;
    write) WRK_WRITE=$v ;;
    status) WRK_STATUS=$v ;;
    timeout) WRK_TIMEOUT=$v ;;
    esac
  done
  WRK_SOCKERR=$((WRK_CONNECT + WRK_READ + WRK_WRITE))
  if [ "$WRK_DURATION_US" -gt 0 ]; then
    WRK_RPS=$(awk -v n="$WRK_REQUESTS" -v d="$WRK_DURATION_US" 'BEGIN { printf "%.0f", n / (d / 1e6) }')
  else
    WRK_RPS=0
  fi
  [ -n "$line" ]
}

# us_to_ms US: "1.23"
us_to_ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }

# median N...: the median of the numbers (mean of the middle two for even counts).
median() {
  [ $# -gt 0 ] || { echo 0; return; }
  printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END {
    if (NR % 2) printf "%.0f", a[(NR + 1) / 2]; else printf "%.0f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# results_add LINE: append a tab-separated line to $BENCH_RESULTS (run-all's summary).
results_add() {
  [ -n "${BENCH_RESULTS:-}" ] && printf '%s\n' "$*" >>"$BENCH_RESULTS"
  return 0
}

# ---- the seeded store -----------------------------------------------------------

# gen_bulk PARTNERS LOCATIONS: a fixtures document (src/core/fixtures.c) of
# PARTNERS organizations with LOCATIONS locations each, with explicit ids and
# PartnerIDs (6xxxxxxx, 7xxxxxxx) outside the 7-digit range cspd generates. No
# users or apps: their secrets are argon2id-hashed, which would take minutes.
gen_bulk() {
  awk -v partners="$1" -v locs="$2" 'BEGIN {
    split("NL DE US GB FR BE ES IT SE DK PL IE AT CH NO FI PT CA AU JP", cc, " ");
    printf "{\"partners\": [\n";
    for (p = 1; p <= partners; p++) {
      printf "%s{\"id\": \"b1000000-0000-4000-8000-%012d\", \"companyName\": \"Bench Partner %d\", \"mpnId\": \"6%07d\", \"locations\": [", (p > 1 ? ",\n" : ""), p, p, p;
      for (l = 1; l <= locs; l++) {
        n = (p - 1) * locs + l;
        printf "%s{\"tenantId\": \"b2000000-0000-4000-8000-%012d\", \"mpnId\": \"7%07d\", \"country\": \"%s\", \"companyName\": \"Bench Partner %d Location %d\", \"address\": {\"addressLine1\": \"Benchstraat %d\", \"city\": \"Amsterdam\", \"postalCode\": \"1015 BS\"}, \"primaryContact\": {\"firstName\": \"Bench\", \"lastName\": \"Contact %d\", \"email\": \"contact%d@bench.test\", \"phoneNumber\": \"+31 20 555 %04d\"}}", (l > 1 ? ", " : ""), n, n, cc[(n % 20) + 1], p, l, n, n, n, n % 10000;
      }
      printf "]}";
    }
    printf "\n]}\n";
  }'
}

# setup_cspd_store DIR STORE SERVE-FLAGS...: start cspd on STORE with the demo
# world (sandbox: known credentials), add BULK_PARTNERS x BULK_LOCATIONS bulk
# partner locations (default 5000 x 2) so that the point read runs over a table
# of realistic size, and get a token. Sets CSPD_PID, CSPD_URL, TOKEN, MPN_URL,
# SEEDED (a description). `serve --demo` seeds the demo world only into a store
# that never had it, and resets the store to do so, so the demo goes in first and
# the bulk fixtures after it, with `cspd seed` next to the running server (WAL).
setup_cspd_store() {
  local dir=$1 store=$2 t0 t1
  shift 2
  local partners=${BULK_PARTNERS:-5000} locs=${BULK_LOCATIONS:-2}
  start_cspd "$dir/cspd" --store "$store" --sandbox --demo --no-access-log "$@" ||
    die "cspd did not start"
  SEEDED="demo world only"
  if [ "$partners" -gt 0 ]; then
    t0=$(date +%s%N)
    gen_bulk "$partners" "$locs" >"$dir/bulk.json"
    "$CSPD" seed --store "$store" "$dir/bulk.json" >"$dir/seed.out" 2>&1 ||
      { cat "$dir/seed.out" >&2; die "cspd seed failed"; }
    t1=$(date +%s%N)
    SEEDED="demo world + $partners partners x $locs locations ($(((t1 - t0) / 1000000)) ms to generate and seed)"
  fi
  TOKEN=$(get_token "$CSPD_URL")
  [ -n "$TOKEN" ] || die "no token from $CSPD_URL/common/oauth2/token"
  MPN_URL="$CSPD_URL/v1/profiles/mpn"
}

# check_mpn_answer DIR: before any load, GET /v1/profiles/mpn must answer 200,
# JSON, with the demo mpnId; and one bulk location must be there. Sets MPN_BYTES.
check_mpn_answer() {
  local dir=$1 code probe partners=${BULK_PARTNERS:-5000} locs=${BULK_LOCATIONS:-2}
  code=$(curl -sS -m 5 -D "$dir/mpn.headers" -o "$dir/mpn.body" -w '%{http_code}' \
    -H "Authorization: Bearer $TOKEN" "$MPN_URL")
  [ "$code" = 200 ] || die "GET $MPN_URL answered $code, not 200: $(cat "$dir/mpn.body")"
  grep -qi '^content-type: *application/json' "$dir/mpn.headers" ||
    die "GET $MPN_URL is not application/json"
  grep -q "\"mpnId\":\"$DEMO_MPN_ID\"" "$dir/mpn.body" ||
    die "GET $MPN_URL has no mpnId $DEMO_MPN_ID: $(cat "$dir/mpn.body")"
  MPN_BYTES=$(wc -c <"$dir/mpn.body")
  if [ "$partners" -gt 0 ]; then
    probe=$(printf '7%07d' $((partners * locs / 2 + 1)))
    code=$(curl -sS -m 5 -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
      "$MPN_URL?mpnId=$probe")
    [ "$code" = 200 ] || die "bulk location $probe is not there (GET answered $code)"
  fi
}

# ---- nginx ------------------------------------------------------------------------

# setup_nginx DIR WORKERS: nginx with its own prefix DIR serving DIR/www/mpn.json,
# a static 1024-byte JSON document shaped like the MPN profile, on a free
# 127.0.0.1 port: daemon off (a child of this shell, stopped by pid), pid file and
# error log in DIR, access_log off. keepalive_requests is raised from nginx's 1000
# because libmicrohttpd has no per-connection request limit. Sets NGINX_PID, NGINX_URL.
setup_nginx() {
  local ng=$1 workers=$2 try port i head pad code
  mkdir -p "$ng/www" "$ng/tmp"
  head='{"partnerName":"Contoso Direct B.V.","mpnId":"4100011","profileType":"mpn_profile","links":{"self":{"uri":"/v1/profiles/mpn","method":"GET","headers":[]}},"attributes":{"objectType":"MpnProfile"},"padding":"'
  pad=$((1024 - ${#head} - 3))
  printf '%s%s"}\n' "$head" "$(printf '%*s' "$pad" '' | tr ' ' x)" >"$ng/www/mpn.json"
  [ "$(wc -c <"$ng/www/mpn.json")" -eq 1024 ] || die "static file is not 1024 bytes"
  chmod -R a+rX "$ng"
  for ((try = 0; try < 20; try++)); do
    port=$((20000 + RANDOM % 10000)) # below the ephemeral range wrk's sockets use
    port_in_use "$port" && continue
    cat >"$ng/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes $workers;
pid $ng/nginx.pid;
error_log $ng/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $ng/tmp/body;
  proxy_temp_path $ng/tmp/proxy;
  fastcgi_temp_path $ng/tmp/fastcgi;
  uwsgi_temp_path $ng/tmp/uwsgi;
  scgi_temp_path $ng/tmp/scgi;
  types { application/json json; }
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$port;
    root $ng/www;
  }
}
EOF
    nginx -p "$ng/" -c "$ng/nginx.conf" -e "$ng/error.log" >"$ng/stdout" 2>&1 &
    NGINX_PID=$!
    PIDS_TO_STOP+=("$NGINX_PID")
    for ((i = 0; i < 100; i++)); do
      if curl -s -m 1 -o /dev/null "http://127.0.0.1:$port/mpn.json"; then
        NGINX_URL="http://127.0.0.1:$port"
        code=$(curl -sS -m 5 -o "$ng/check.body" -w '%{http_code}' "$NGINX_URL/mpn.json")
        [ "$code" = 200 ] && cmp -s "$ng/check.body" "$ng/www/mpn.json" ||
          die "nginx answered $code or a different body"
        return 0
      fi
      kill -0 "$NGINX_PID" 2>/dev/null || break
      sleep 0.05
    done
    stop_pid "$NGINX_PID"
    forget_pid "$NGINX_PID"
    grep -q 'Address already in use' "$ng/error.log" "$ng/stdout" 2>/dev/null && continue
    cat "$ng/error.log" "$ng/stdout" >&2
    return 1
  done
  return 1
}

# nginx_worker_pids: the pids of the workers of the nginx started by setup_nginx.
nginx_worker_pids() {
  local kids
  kids=$(cat "/proc/$NGINX_PID/task/$NGINX_PID/children" 2>/dev/null)
  [ -n "$kids" ] || kids=$(pgrep -P "$NGINX_PID")
  printf '%s\n' $kids
}

# cpu_ticks PID...: user + system CPU time of the processes (all their threads),
# in clock ticks (getconf CLK_TCK per second).
cpu_ticks() {
  local p sum=0 f
  for p in "$@"; do
    # fields after the ") " that ends the command name: utime is the 12th, stime the 13th
    f=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null) || continue
    set -- $f
    sum=$((sum + ${12} + ${13}))
  done
  echo "$sum"
}
