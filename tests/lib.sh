# tests/lib.sh -- helpers for test scripts (sourced).
#
#   start_server NAME [cspd serve options...]   start cspd on a free port;
#        sets SERVER_URL and SERVER_PID_<NAME>; logs to $TEST_OUTPUT/NAME.{out,err}
#   stop_server NAME                            SIGTERM and wait
#   token URL EMAIL [PASSWORD]                  print an access token (password grant)
: "${CSPD:=build/cspd}"
: "${TEST_OUTPUT:=test-output}"
mkdir -p "$TEST_OUTPUT"

start_server() {
  local name=$1; shift
  local out="$TEST_OUTPUT/$name.out" err="$TEST_OUTPUT/$name.err"
  "$CSPD" serve --port 0 "$@" >"$out" 2>"$err" &
  local pid=$!
  eval "SERVER_PID_${name}=$pid"
  local i
  for i in $(seq 1 100); do
    SERVER_URL=$(sed -nE 's/.*listening on (http:[^ ]+).*/\1/p' "$out" | head -1)
    if [ -n "$SERVER_URL" ]; then
      export SERVER_URL
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

stop_server() {
  local name=$1
  local pid
  eval "pid=\${SERVER_PID_${name}:-}"
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}

token() {
  local url=$1 user=$2 pw=${3:-cspd-demo-password}
  curl -sf -d grant_type=password --data-urlencode "username=$user" \
    --data-urlencode "password=$pw" "$url/common/oauth2/token" | jq -r .access_token
}
