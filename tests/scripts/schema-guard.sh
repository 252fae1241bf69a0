#!/usr/bin/env bash
# schema-guard.sh -- cspd refuses stores it cannot serve, and migrate is
# idempotent.
#
#   - `cspd migrate` twice prints the same version and records each migration
#     once; a server on that store reports the same schemaVersion in /_cspd/info;
#   - a store whose schema_migrations has version 999 (newer than the binary):
#     `cspd serve` exits non-zero within 10 s, says "newer", never listens,
#     and leaves the file untouched; `cspd migrate` and `cspd init` refuse too;
#   - --store postgres://x: non-zero exit, "not built yet";
#   - --store bogus, --store sqlite: (no path), an unknown sqlite option and no
#     store at all: non-zero exit with a message that names the problem.
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

# refused DESC PATTERN cspd-args...: must exit non-zero within 10 s, stderr
# matching PATTERN (case-insensitive), and never print "listening"
refused() {
  local desc=$1 pat=$2
  shift 2
  local t0 rc ms
  t0=$(date +%s%N)
  timeout 10 "$CSPD" "$@" >"$DIR/out" 2>"$DIR/err" </dev/null
  rc=$?
  ms=$((($(date +%s%N) - t0) / 1000000))
  if [ $rc = 124 ]; then
    fail "$desc: still running after 10 s (want a quick refusal)"
  elif [ $rc = 0 ]; then
    fail "$desc: exit 0 (want non-zero); stdout: $(head -c 200 "$DIR/out")"
  elif ! grep -qiE "$pat" "$DIR/err"; then
    fail "$desc: exit $rc but stderr does not match /$pat/: $(head -c 300 "$DIR/err")"
  elif grep -q listening "$DIR/out"; then
    fail "$desc: printed 'listening' before refusing"
  else
    ok "$desc: exit $rc in ${ms} ms: $(head -1 "$DIR/err")"
  fi
}

F="$DIR/store.db"
STORE="sqlite:$F"

# migrate is idempotent
out1=$("$CSPD" migrate --store "$STORE" 2>&1)
rc1=$?
out2=$("$CSPD" migrate --store "$STORE" 2>&1)
rc2=$?
v1=$(sed -nE 's/.*version ([0-9]+).*/\1/p' <<<"$out1")
v2=$(sed -nE 's/.*version ([0-9]+).*/\1/p' <<<"$out2")
if [ $rc1 = 0 ] && [ $rc2 = 0 ] && [ -n "$v1" ] && [ "$out1" = "$out2" ]; then
  ok "cspd migrate twice: exit 0 both times, same output '$out1'"
else
  fail "cspd migrate twice: exit $rc1/$rc2, outputs '$out1' / '$out2'"
fi
rows=$(sqlite3 "$F" 'SELECT COUNT(*) || "/" || COUNT(DISTINCT version) || "/" || MAX(version) FROM schema_migrations')
[ "$rows" = "$v1/$v1/$v1" ] && ok "schema_migrations has versions 1..$v1 once each" ||
  fail "schema_migrations after two migrates: count/distinct/max = $rows, want $v1/$v1/$v1"
if start_server sguard --store "$STORE"; then
  sv=$(curl -s --max-time 5 "$SERVER_URL/_cspd/info" | jq -r .schemaVersion)
  [ "$sv" = "$v1" ] && ok "/_cspd/info schemaVersion $sv = migrate's version" ||
    fail "/_cspd/info schemaVersion '$sv' != migrate's '$v1'"
  stop_server sguard
else
  fail "cspd serve on the migrated store did not start: $(tail -3 "$TEST_OUTPUT/sguard.err")"
fi
out3=$("$CSPD" migrate --store "$STORE" 2>&1)
[ "$out3" = "$out1" ] && ok "migrate after a serve: same output" || fail "migrate after a serve: '$out3' (was '$out1')"

# a newer schema
sqlite3 "$F" "INSERT INTO schema_migrations(version, name, applied_ms) VALUES (999, 'from-the-future', 0)" ||
  fail "could not insert the version-999 row"
sum_before=$(sqlite3 "$F" .dump | sha256sum)
refused "serve on a store with schema 999" 'newer' serve --store "$STORE" --port 0
refused "serve --sandbox --demo on a store with schema 999" 'newer' serve --store "$STORE" --sandbox --demo --port 0
refused "migrate on a store with schema 999" 'newer' migrate --store "$STORE"
printf 'Some-password-123\n' >"$DIR/pw"
timeout 10 "$CSPD" init --store "$STORE" --email x@example.test --password-stdin <"$DIR/pw" >"$DIR/out" 2>"$DIR/err"
rc=$?
[ $rc != 0 ] && grep -qi newer "$DIR/err" && ok "init on a store with schema 999 refused (exit $rc)" ||
  fail "init on a store with schema 999: exit $rc, stderr $(head -c 200 "$DIR/err")"
sum_after=$(sqlite3 "$F" .dump | sha256sum)
[ "$sum_before" = "$sum_after" ] && ok "the newer store's content is untouched by the refusals" ||
  fail "the newer store's content changed although every command refused it"
maxv=$(sqlite3 "$F" 'SELECT MAX(version) FROM schema_migrations')
[ "$maxv" = 999 ] && ok "schema_migrations still at 999" || fail "schema_migrations now at $maxv"

# other stores that cannot be served
refused "--store postgres://x" 'not built yet' serve --store postgres://x --port 0
refused "--store postgresql://x" 'not built yet' serve --store postgresql://x --port 0
refused "--store bogus" "unknown store 'bogus'" serve --store bogus --port 0
refused "--store sqlite: (no path)" 'needs a path' serve --store sqlite: --port 0
refused "--store sqlite:PATH?foo=1" "unknown sqlite option 'foo=1'" serve --store "sqlite:$DIR/opt.db?foo=1" --port 0
refused "no --store and no CSPD_STORE" 'no store' serve --port 0
refused "--store on a directory" 'cannot open|unable|directory|not a database|WAL' serve --store "sqlite:$DIR" --port 0
printf 'this is not an sqlite database, just text that is long enough to fill a header......\n%.0s' $(seq 1 20) >"$DIR/garbage.db"
refused "--store on a non-SQLite file" 'not a database|file is not|WAL|cannot' serve --store "sqlite:$DIR/garbage.db" --port 0

if [ $fails -eq 0 ]; then
  echo "schema-guard: all checks passed"
  exit 0
fi
echo "schema-guard: $fails check(s) failed"
exit 1
