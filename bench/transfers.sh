#!/usr/bin/env bash
# bench/transfers.sh -- subscription transfer create+accept cycles per second
# on a store with 100 000 customers and 1 000 000 subscriptions, against a raw
# SQLite write-transaction loop (bench/sqlite_tx.c) with the same durability
# settings, in the same run. See bench/TRANSFERS.md.
#
# Builds nothing (run `make build` first). Everything listens on 127.0.0.1;
# every load run is bounded in time (and by `timeout`) and in count; every
# process started here is stopped by its pid. KEEP=1 keeps the temp directory.
#
# Environment: WORKERS (4), DURATION (20 s per side), SLICES (10), WARMUP (2 s),
# CUSTOMERS (100000), SUBS_PER_CUSTOMER (10), HISTORY (1: one
# subscription_history row per subscription), SERVE_FLAGS (extra serve flags,
# e.g. "--threads 1"), STORE_OPTS (e.g. "?synchronous=normal"), SYSCALLS
# (auto|0|1: count fdatasync, pwrite64 and sleeps of the server with
# `perf stat`), CSPD (the binary, default build/cspd; a copy is benchmarked).
# shellcheck shell=bash
set -uo pipefail

# shellcheck source=bench/lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh" # read-only: die, start_cspd, stop_pid, cpu_ticks...

WORKERS=${WORKERS:-4}
DURATION=${DURATION:-20}
SLICES=${SLICES:-10}
WARMUP=${WARMUP:-2}
CUSTOMERS=${CUSTOMERS:-100000}
SUBS_PER_CUSTOMER=${SUBS_PER_CUSTOMER:-10}
HISTORY=${HISTORY:-1}
SERVE_FLAGS=${SERVE_FLAGS:-}
STORE_OPTS=${STORE_OPTS:-}
SYSCALLS=${SYSCALLS:-auto}

for v in WORKERS DURATION SLICES CUSTOMERS SUBS_PER_CUSTOMER; do
  [[ ${!v} =~ ^[0-9]+$ ]] && [ "${!v}" -gt 0 ] || die "$v must be a positive integer"
done
[[ $WARMUP =~ ^[0-9]+$ ]] || die "WARMUP must be an integer"
[ "$DURATION" -le 600 ] || die "DURATION is at most 600 s"
[ "$WORKERS" -le 64 ] || die "WORKERS is at most 64"
[ "$SUBS_PER_CUSTOMER" -le 100 ] || die "SUBS_PER_CUSTOMER is at most 100"
for c in sqlite3 curl python3 cc awk sort timeout; do
  command -v "$c" >/dev/null 2>&1 || die "'$c' is missing"
done
[ -x "$CSPD" ] || die "$CSPD is missing: run make build"

CONTOSO=c0000000-0000-4000-8000-000000000001 # direct-bill, transitions (source)
FABRIKAM=c0000000-0000-4000-8000-000000000002 # indirect provider (target)
PASSWORD=cspd-demo-password
MCA_TEMPLATE=117a488c-1b4c-4b3e-9e2d-6b5ff6a7c5b1 # src/core/customers.c, MicrosoftCustomerAgreement
E3_OFFER=796B6B5F-613C-4E24-A17C-EBA730D49C02    # data/catalog.json, Office 365 E3
E3_EUR=2100                                       # its EUR price, minor units
BASE_MS=1704067200000                             # bulk customer k was created k s after 2024-01-01

bench_tmpdir
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
DIR=$TMP_DIR
DB=$DIR/cspd.db
REF=$DIR/ref.db

ms_now() { date +%s%3N; }
secs_since() { awk -v a="$1" -v b="$(ms_now)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

# The binary under test is a copy: build/cspd may be rebuilt while this runs.
CSPD_ORIG=$(readlink -f "$CSPD")
cp -L "$CSPD" "$DIR/cspd" || die "cannot copy $CSPD"
CSPD=$DIR/cspd
cc -O2 "$BENCH_DIR/sqlite_tx.c" -lsqlite3 -o "$DIR/sqlite_tx" || die "cannot build bench/sqlite_tx.c"
cd "$DIR" || die "cannot enter $DIR" # nothing this script writes lands anywhere else

echo "== transfers benchmark: $CUSTOMERS customers x $SUBS_PER_CUSTOMER subscriptions, $WORKERS workers, $DURATION s per side in $SLICES slices"
echo "   cspd: $("$CSPD" version 2>/dev/null | head -n1) (copy of $CSPD_ORIG, built $(date -u -r "$CSPD_ORIG" '+%F %H:%M UTC')); sqlite3 $(sqlite3 --version | cut -d' ' -f1); $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   tree $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?'); temp dir $DIR"

# ---- 1. store with the demo world ---------------------------------------------
"$CSPD" migrate --store "sqlite:$DB" >"$DIR/migrate.out" 2>&1 || { cat "$DIR/migrate.out" >&2; die "migrate failed"; }
start_cspd "$DIR/demo" --store "sqlite:$DB" --sandbox --demo --no-access-log || die "cspd serve --demo did not start"
code=$(curl -sS -m 5 -o /dev/null -w '%{http_code}' "$CSPD_URL/_cspd/health")
[ "$code" = 200 ] || die "health answered $code on the demo store"
stop_cspd
[ "$(sqlite3 "$DB" "SELECT count(*) FROM partner_locations WHERE tenant_id IN ('$CONTOSO', '$FABRIKAM')")" = 2 ] ||
  die "the demo world is not in the store"

# ---- 2. bulk load --------------------------------------------------------------
# Ids: customers '%08x-%04x-4000-8000-%012d' (spread over the key space, k in the
# last group); orders and subscriptions time-ordered like cspd_guid_new_timed
# (48 bits of their creation time first), so that rows cspd writes later sort
# after them, as in a store that grew over time.
N=$CUSTOMERS S=$SUBS_PER_CUSTOMER
load_sql() {
  cat <<EOF
PRAGMA journal_mode = OFF;
PRAGMA foreign_keys = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -1048576;
PRAGMA temp_store = MEMORY;
BEGIN;
CREATE TEMP TABLE bn(k INTEGER PRIMARY KEY, cid TEXT NOT NULL, ms INTEGER NOT NULL);
WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < $N)
INSERT INTO bn(k, cid, ms)
SELECT k, printf('%08x-%04x-4000-8000-%012d', (k * 2654435761) % 4294967296, k % 65536, k),
       $BASE_MS + k * 1000 FROM n;
INSERT INTO tenants(id, kind, name, country, sandbox_only, created_ms)
SELECT cid, 'customer', printf('Bench Customer %d', k), 'NL', 0, ms FROM bn;
INSERT INTO customers(tenant_id, company_name, domain, country, version, created_ms, billing_json,
                      billing_version, owner_org_id, created_by)
SELECT cid, printf('Bench Customer %d', k), printf('bench-customer-%d.test', k), 'NL', 1, ms,
       json_object('companyName', printf('Bench Customer %d', k), 'culture', 'en-US',
         'defaultAddress', json_object('addressLine1', printf('Benchstraat %d', k), 'city', 'Amsterdam',
           'country', 'NL', 'firstName', 'Bench', 'lastName', printf('Customer %d', k),
           'phoneNumber', '+31 20 555 0000', 'postalCode', '1015 BS'),
         'email', printf('billing@bench-customer-%d.test', k), 'firstName', 'Bench', 'language', 'en',
         'lastName', printf('Customer %d', k)),
       1, NULL, '$CONTOSO' FROM bn;
-- held directly by Contoso, extended to Fabrikam (R-EXT-0: provider via Contoso)
INSERT INTO customer_relationships(customer_tenant_id, partner_tenant_id, role, acquired, via_tenant_id,
                                   delegated_admin, state, created_ms, removed_ms)
SELECT cid, '$CONTOSO', 'direct', 'created', NULL, 1, 'active', ms, NULL FROM bn
UNION ALL
SELECT cid, '$FABRIKAM', 'provider', 'extension', '$CONTOSO', 0, 'active', ms + 500, NULL FROM bn;
-- the customer's own MCA acceptance (counts for the provider too, R-MCA-2)
INSERT INTO customer_agreements(id, customer_tenant_id, partner_tenant_id, type, template_id,
                                date_agreed_ms, user_id, created_ms)
SELECT printf('%08x-%04x-4000-8000-%012d', (k * 2246822519) % 4294967296, k % 65536, k), cid, NULL,
       'MicrosoftCustomerAgreement', '$MCA_TEMPLATE', ms + 100, NULL, ms + 100 FROM bn;
-- the order the subscriptions came from
INSERT INTO orders(id, customer_tenant_id, partner_tenant_id, reference_customer_id, billing_cycle,
                   status, source, created_ms)
SELECT printf('%08x-%04x-7000-8000-%012x', (ms + 200) / 65536, (ms + 200) % 65536, k), cid,
       '$CONTOSO', cid, 'monthly', 'completed', 'order', ms + 200 FROM bn;
-- Contoso transitioned (R-TRF-1): indirect reseller active next to direct bill,
-- and Fabrikam's reseller
INSERT OR REPLACE INTO memberships(tenant_id, program, state, since_ms)
VALUES ('$CONTOSO', 'indirect_reseller', 'active', $BASE_MS);
INSERT INTO membership_history(tenant_id, program, from_state, to_state, at_ms, reason)
VALUES ('$CONTOSO', 'indirect_reseller', NULL, 'active', $BASE_MS, 'bench/transfers.sh');
INSERT OR REPLACE INTO partnerships(provider_tenant_id, reseller_tenant_id, state, created_ms, ended_ms)
VALUES ('$FABRIKAM', '$CONTOSO', 'active', $BASE_MS, NULL);
COMMIT;
BEGIN;
WITH RECURSIVE j(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM j WHERE j < $S - 1)
INSERT INTO subscriptions(id, customer_tenant_id, order_id, line_item_number, offer_id, offer_name,
  friendly_name, quantity, unit_type, parent_subscription_id, status, auto_renew, billing_type,
  billing_cycle, transfer_class, partner_id_on_record, holder_tenant_id, reseller_tenant_id,
  entitlement_id, currency, unit_price_minor, created_ms, effective_start_ms, commitment_end_ms,
  listed, version)
SELECT printf('%08x-%04x-7000-8001-%012x', (ms + 200) / 65536, (ms + 200) % 65536, k * $S + j), cid,
       printf('%08x-%04x-7000-8000-%012x', (ms + 200) / 65536, (ms + 200) % 65536, k), j,
       '$E3_OFFER', 'Office 365 E3', 'Office 365 E3', 5 + j, 'Licenses', NULL,
       'active', 1, 'license', 'monthly', 'license_based', NULL, '$CONTOSO', NULL,
       printf('%08x-%04x-4000-8000-%012d', ((k * $S + j) * 2654435761) % 4294967296, j, k * $S + j),
       'EUR', $E3_EUR, ms + 200, ms + 200, ms + 200 + 31536000000, 1, 1
FROM bn, j ORDER BY k, j;
COMMIT;
EOF
}
history_sql() {
  cat <<EOF
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -1048576;
BEGIN;
INSERT INTO subscription_history(subscription_id, at_ms, status, quantity)
SELECT id, created_ms, 'active', quantity FROM subscriptions
WHERE created_ms >= $BASE_MS AND created_ms < $BASE_MS + ($N + 1) * 1000 AND holder_tenant_id = '$CONTOSO'
ORDER BY id;
COMMIT;
EOF
}
echo
echo "== bulk load (sqlite3 CLI, journal off during the load, then back to WAL)"
t0=$(ms_now)
load_sql | sqlite3 -bail "$DB" >"$DIR/load.out" 2>&1 || { cat "$DIR/load.out" >&2; die "bulk load failed"; }
t1=$(ms_now)
LOAD_S=$(secs_since "$t0")
HIST_S=-
if [ "$HISTORY" = 1 ]; then
  history_sql | sqlite3 -bail "$DB" >>"$DIR/load.out" 2>&1 || { cat "$DIR/load.out" >&2; die "history load failed"; }
  HIST_S=$(awk -v a="$t1" -v b="$(ms_now)" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
fi
jm=$(sqlite3 "$DB" "PRAGMA journal_mode = WAL") # cspd opens WAL stores; make it so before it does
[ "$jm" = wal ] || die "could not set WAL (got $jm)"
read -r n_cust n_subs n_hist n_rel < <(sqlite3 -separator ' ' "$DB" \
  "SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM subscriptions),
          (SELECT count(*) FROM subscription_history), (SELECT count(*) FROM customer_relationships)")
TOTAL_LOAD_S=$(secs_since "$t0")
echo "   loaded in ${TOTAL_LOAD_S} s (customers, relationships, agreements, orders, subscriptions: ${LOAD_S} s; subscription_history: ${HIST_S} s)"
echo "   store: $n_cust customers, $n_subs subscriptions, $n_hist history rows, $n_rel relationships; $(($(stat -c %s "$DB") / 1048576)) MiB"
[ "$n_subs" -ge $((N * S)) ] || die "expected $((N * S)) subscriptions"

# The cycles' customers: every bulk customer but the first (kept for the checks),
# in random order, each with one random subscription of its own. The workers
# take them in turn: no customer or subscription is used twice in a run.
sqlite3 -separator ' ' "$DB" \
  "SELECT c.tenant_id, (SELECT s.id FROM subscriptions s WHERE s.customer_tenant_id = c.tenant_id
                        ORDER BY random() LIMIT 1)
   FROM customers c WHERE c.domain LIKE 'bench-customer-%' AND c.domain <> 'bench-customer-1.test'
   ORDER BY random()" >"$DIR/pairs.txt" || die "cannot list the customers"
NPAIRS=$(wc -l <"$DIR/pairs.txt")
CHECK_CID=$(sqlite3 "$DB" "SELECT tenant_id FROM customers WHERE domain = 'bench-customer-1.test'")

# ---- 2b. the loaded store serves ----------------------------------------------------
get_token() { # USER -> access token (password grant)
  curl -sS -m 10 -X POST "$CSPD_URL/common/oauth2/token" --data-urlencode grant_type=password \
    --data-urlencode "username=$1" --data-urlencode "password=$PASSWORD" |
    sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p'
}
t0=$(ms_now)
start_cspd "$DIR/check" --store "sqlite:$DB" --sandbox --no-access-log || die "cspd did not start on the loaded store"
STARTUP_S=$(secs_since "$t0")
health=$(curl -sS -m 5 "$CSPD_URL/_cspd/health")
grep -q '"status" *: *"ok"' <<<"$health" || die "GET /_cspd/health on the loaded store: $health"
TOK_SRC=$(get_token agent@contoso-direct.test)
[ -n "$TOK_SRC" ] || die "no token for agent@contoso-direct.test"
elig=$(curl -sS -m 10 -H "Authorization: Bearer $TOK_SRC" \
  "$CSPD_URL/v1/customers/$CHECK_CID/transferseligibility?transferType=directtoindirect")
n_elig=$(grep -o '"isEligible" *: *true' <<<"$elig" | wc -l)
[ "$n_elig" -eq "$S" ] || die "customer $CHECK_CID: $n_elig of $S subscriptions eligible: $elig"
stop_cspd
echo "   cspd started on the loaded store in ${STARTUP_S} s, /_cspd/health ok; bulk customer $CHECK_CID: $n_elig/$S subscriptions eligible for transfer"

# The reference works on its own copy of the same loaded file (cspd stopped: no WAL).
[ ! -s "$DB-wal" ] || die "$DB-wal was left over"
cp "$DB" "$REF" || die "cannot copy the store"

# ---- 3. the load generator -------------------------------------------------------------
# Python standard library: http.client (keep-alive, one connection per worker),
# threading. Each cycle: POST .../transfers (201), POST .../transfers/{id}/accept
# (200, no transferErrors). Measured cycles are those that start and end inside
# the slice's window; latencies go to files for the run-wide percentiles.
cat >"$DIR/load.py" <<'PY'
import http.client, resource, sys, threading, time

(host, port, tok_src, tok_tgt, pairs_file, offset, workers, secs, warm, max_cycles, src, tgt,
 latdir) = sys.argv[1:14]
port, offset, workers, max_cycles = int(port), int(offset), int(workers), int(max_cycles)
secs, warm = float(secs), float(warm)
with open(pairs_file) as f:
    pairs = [l.split() for l in f][offset:offset + max_cycles]
t_measure = time.perf_counter() + warm
t_end = t_measure + secs
lock = threading.Lock()
out = {"cyc": [], "cre": [], "acc": [], "errors": 0, "msgs": [], "done": 0, "used": 0}

def worker(w):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    hs = {"Authorization": "Bearer " + tok_src, "Content-Type": "application/json"}
    ht = {"Authorization": "Bearer " + tok_tgt, "Content-Length": "0"}
    cyc, cre, acc, errors, msgs, done, used = [], [], [], 0, [], 0, 0
    for i in range(w, len(pairs), workers):
        if time.perf_counter() >= t_end:
            break
        used = i + 1
        cid, sid = pairs[i]
        body = ('{"sourcePartnerTenantId":"%s","targetPartnerTenantId":"%s",'
                '"lineItems":[{"subscriptionId":"%s"}]}' % (src, tgt, sid))
        t0 = time.perf_counter()
        try:
            conn.request("POST", "/v1/customers/%s/transfers" % cid, body, hs)
            r = conn.getresponse()
            data = r.read()
            t1 = time.perf_counter()
            if r.status != 201:
                raise RuntimeError("create %s: %d %s" % (cid, r.status, data[:300]))
            j = data.find(b'"id":"')
            tid = data[j + 6:j + 42].decode()
            conn.request("POST", "/v1/customers/%s/transfers/%s/accept" % (cid, tid), None, ht)
            r = conn.getresponse()
            data = r.read()
            t2 = time.perf_counter()
            if r.status != 200 or b'"transferErrors":[]' not in data:
                raise RuntimeError("accept %s: %d %s" % (tid, r.status, data[:300]))
        except Exception as e:  # any non-2xx answer or socket error is an error
            errors += 1
            if len(msgs) < 5:
                msgs.append(str(e))
            conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=10)
            continue
        done += 1
        if t0 >= t_measure and t2 <= t_end:
            cyc.append(t2 - t0)
            cre.append(t1 - t0)
            acc.append(t2 - t1)
    conn.close()
    with lock:
        out["cyc"] += cyc
        out["cre"] += cre
        out["acc"] += acc
        out["errors"] += errors
        out["msgs"] += msgs
        out["done"] += done
        out["used"] = max(out["used"], used)

threads = [threading.Thread(target=worker, args=(w,)) for w in range(workers)]
for t in threads:
    t.start()
for t in threads:
    t.join()
ru = resource.getrusage(resource.RUSAGE_SELF)
for name in ("cyc", "cre", "acc"):
    with open("%s/lat.%s" % (latdir, name), "a") as f:
        f.write("".join("%d\n" % (v * 1e6) for v in out[name]))
print("LOAD_RESULT cycles=%d completed=%d errors=%d used=%d exhausted=%d client_cpu_ms=%.0f" % (
    len(out["cyc"]), out["done"], out["errors"], out["used"], int(out["used"] >= len(pairs)),
    (ru.ru_utime + ru.ru_stime) * 1000))
for m in out["msgs"]:
    print("LOAD_ERROR", m)
PY

kv() { # kv LINE KEY -> value of KEY=value in LINE
  sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"
}
pctl() { # pctl FILE P -> the P-th percentile (same rule as load.py and sqlite_tx: v[floor(p*n)])
  sort -n "$1" | awk -v p="$2" '{ a[NR - 1] = $1 } END { if (NR == 0) { print 0; exit }
    i = int(p / 100 * NR); if (i >= NR) i = NR - 1; print a[i] }'
}
us_ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }

# ---- 3. cspd under the cycle load --------------------------------------------------------
echo
echo "== cspd serve (synchronous=FULL unless STORE_OPTS says otherwise) under $WORKERS workers"
# shellcheck disable=SC2086 # SERVE_FLAGS: several flags
start_cspd "$DIR/serve" --store "sqlite:$DB$STORE_OPTS" --sandbox --no-access-log $SERVE_FLAGS ||
  die "cspd did not start"
SERVE_PID=$CSPD_PID
TOK_SRC=$(get_token agent@contoso-direct.test)
TOK_TGT=$(get_token admin@fabrikam-dist.test)
TOK_OP=$(get_token operator@cspd.test)
[ -n "$TOK_SRC" ] && [ -n "$TOK_TGT" ] && [ -n "$TOK_OP" ] || die "no tokens"
PORT=${CSPD_URL##*:}
metric() { # metric TEXT NAME -> value
  awk -v n="$2" '$1 == n { print $2 }' <<<"$1"
}
metrics() {
  curl -sS -m 5 -H "Authorization: Bearer $TOK_OP" "$CSPD_URL/_cspd/metrics"
}

OFFSET=0
TOTAL_DONE=0
ERRORS=0
CLIENT_CPU_MS=0
SERVER_TICKS=0
LATDIR=$DIR/lat
REFLAT=$DIR/ref.lat
mkdir -p "$LATDIR"
: >"$REFLAT"
SLICE_S=$(awk -v d="$DURATION" -v s="$SLICES" 'BEGIN { printf "%.3f", d / s }')
SLICE_BUDGET=$(awk -v d="$SLICE_S" -v w="$WARMUP" 'BEGIN { printf "%d", 2 * (d + w) + 30 }')
CPS=() TPS=() REF_FAIL=0 DONE_MEASURED=0

# run_cspd SECS WARM: one slice of the cycle load; sets LAST_CYCLES.
run_cspd() {
  local secs=$1 warm=$2 out t_a t_b line rc
  local left=$((NPAIRS - OFFSET))
  [ "$left" -gt "$WORKERS" ] || die "out of fresh customers (raise CUSTOMERS)"
  t_a=$(cpu_ticks "$SERVE_PID")
  out=$(timeout -k 5 "$SLICE_BUDGET" python3 "$DIR/load.py" 127.0.0.1 "$PORT" "$TOK_SRC" "$TOK_TGT" \
    "$DIR/pairs.txt" "$OFFSET" "$WORKERS" "$secs" "$warm" "$left" "$CONTOSO" "$FABRIKAM" \
    "$([ "$warm" = 0 ] && echo "$LATDIR" || echo "$DIR/warm")" 2>&1)
  rc=$?
  t_b=$(cpu_ticks "$SERVE_PID")
  line=$(grep '^LOAD_RESULT ' <<<"$out")
  [ "$rc" = 0 ] && [ -n "$line" ] || { echo "$out" >&2; die "the load generator failed (exit $rc)"; }
  grep '^LOAD_ERROR ' <<<"$out" | sed 's/^/   /'
  OFFSET=$((OFFSET + $(kv "$line" used)))
  TOTAL_DONE=$((TOTAL_DONE + $(kv "$line" completed)))
  [ "$(kv "$line" exhausted)" = 0 ] || echo "   warning: the slice ran out of fresh customers"
  LAST_CYCLES=$(kv "$line" cycles)
  if [ "$warm" = 0 ]; then
    ERRORS=$((ERRORS + $(kv "$line" errors)))
    CLIENT_CPU_MS=$((CLIENT_CPU_MS + $(kv "$line" client_cpu_ms)))
    SERVER_TICKS=$((SERVER_TICKS + t_b - t_a))
    DONE_MEASURED=$((DONE_MEASURED + $(kv "$line" completed)))
  else
    WARM_ERRORS=$(kv "$line" errors)
  fi
}

# run_ref SECS SYNC LATFILE: one slice of bench/sqlite_tx; sets LAST_TX, LAST_REF.
run_ref() {
  local out rc
  out=$(timeout -k 5 "$(awk -v d="$1" 'BEGIN { printf "%d", 2 * d + 60 }')" \
    "$DIR/sqlite_tx" "$REF" "$1" "$2" 4000000 "$3" 2>&1)
  rc=$?
  LAST_REF=$(grep '^SQLITE_TX_RESULT ' <<<"$out")
  [ -n "$LAST_REF" ] || { echo "$out" >&2; die "sqlite_tx failed (exit $rc)"; }
  [ "$rc" = 0 ] || { echo "$out" | grep -v '^SQLITE_TX_RESULT' | sed 's/^/   /'; REF_FAIL=1; }
  LAST_TX=$(kv "$LAST_REF" tx)
}

if [ "$WARMUP" -gt 0 ]; then
  mkdir -p "$DIR/warm"
  run_cspd 0 "$WARMUP"
  echo "   warm-up: ${WARMUP} s, $TOTAL_DONE cycles (not counted)"
  [ "${WARM_ERRORS:-0}" = 0 ] || echo "   warm-up errors: $WARM_ERRORS"
  ERRORS=$((ERRORS + ${WARM_ERRORS:-0}))
fi

# syscall counts of the server over the measured slices (tracepoints: cheap)
PERF_PID=""
if [ "$SYSCALLS" != 0 ] && command -v perf >/dev/null 2>&1 &&
  perf stat -e syscalls:sys_enter_fdatasync -- true >/dev/null 2>&1; then
  timeout -s INT $((DURATION * 3 + SLICES * 90 + 60)) perf stat -x, -o "$DIR/perf.csv" \
    -e syscalls:sys_enter_fdatasync,syscalls:sys_enter_fsync,syscalls:sys_enter_pwrite64,syscalls:sys_enter_clock_nanosleep \
    -p "$SERVE_PID" >/dev/null 2>&1 &
  PERF_PID=$!
  PIDS_TO_STOP+=("$PERF_PID")
  sleep 0.5
elif [ "$SYSCALLS" = 1 ]; then
  die "SYSCALLS=1 but perf stat with syscall tracepoints does not work here"
fi
M0=$(metrics)

echo
echo "== measured: $SLICES slices of ${SLICE_S} s per side, cspd and SQLite alternating (ABBA)"
printf '   %-5s %-6s %10s %10s\n' slice side count per-s
for ((i = 1; i <= SLICES; i++)); do
  if ((i % 2)); then order="cspd sqlite"; else order="sqlite cspd"; fi
  for side in $order; do
    if [ "$side" = cspd ]; then
      run_cspd "$SLICE_S" 0
      r=$(awk -v n="$LAST_CYCLES" -v s="$SLICE_S" 'BEGIN { printf "%.1f", n / s }')
      CPS+=("$r")
      printf '   %-5s %-6s %10s %10s\n' "$i" cspd "$LAST_CYCLES" "$r"
    else
      run_ref "$SLICE_S" full "$REFLAT"
      r=$(kv "$LAST_REF" tps)
      TPS+=("$r")
      printf '   %-5s %-6s %10s %10s\n' "$i" sqlite "$LAST_TX" "$r"
    fi
  done
done
M1=$(metrics)
if [ -n "$PERF_PID" ]; then
  kill -INT "$PERF_PID" 2>/dev/null
  wait "$PERF_PID" 2>/dev/null
  forget_pid "$PERF_PID"
fi

# cspd still healthy, and the store agrees with the client: every cycle it saw
# complete is a Complete transfer, none is left Active or PartiallyComplete.
health=$(curl -sS -m 5 "$CSPD_URL/_cspd/health")
grep -q '"status" *: *"ok"' <<<"$health" || die "cspd unhealthy after the load: $health"
stop_cspd
read -r n_complete n_other n_suspended < <(sqlite3 -separator ' ' "$DB" \
  "SELECT (SELECT count(*) FROM transfers WHERE status = 'Complete'),
          (SELECT count(*) FROM transfers WHERE status <> 'Complete'),
          (SELECT count(*) FROM subscriptions WHERE holder_tenant_id = '$CONTOSO' AND status = 'suspended')")
CONSISTENT=1
if [ "$n_complete" != "$TOTAL_DONE" ] || [ "$n_other" != 0 ] || [ "$n_suspended" != "$TOTAL_DONE" ]; then
  CONSISTENT=0
fi

# ---- 4b. the reference at synchronous=NORMAL, for context ----------------------------------
run_ref "$DURATION" normal "$DIR/ref-normal.lat"
NORMAL=$LAST_REF

# ---- 5. results -------------------------------------------------------------------------------------
CYC=$(wc -l <"$LATDIR/lat.cyc")
CPS_ALL=$(awk -v n="$CYC" -v d="$DURATION" 'BEGIN { printf "%.1f", n / d }')
REF_N=$(wc -l <"$REFLAT")
TPS_ALL=$(awk -v n="$REF_N" -v d="$DURATION" 'BEGIN { printf "%.1f", n / d }')
RATIO=$(awk -v a="$CPS_ALL" -v b="$TPS_ALL" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')
RATIO_TX=$(awk -v a="$CPS_ALL" -v b="$TPS_ALL" 'BEGIN { printf "%.3f", (b > 0 ? 2 * a / b : 0) }')
slice_ratios=()
for ((i = 0; i < SLICES; i++)); do
  slice_ratios+=("$(awk -v a="${CPS[$i]}" -v b="${TPS[$i]}" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')")
done
R_MIN=$(printf '%s\n' "${slice_ratios[@]}" | sort -g | head -n1)
R_MAX=$(printf '%s\n' "${slice_ratios[@]}" | sort -g | tail -n1)
R_MED=$(printf '%s\n' "${slice_ratios[@]}" | sort -g | awk '{ a[NR] = $1 } END {
  if (NR % 2) printf "%.3f", a[(NR + 1) / 2]; else printf "%.3f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
C50=$(pctl "$LATDIR/lat.cyc" 50) C99=$(pctl "$LATDIR/lat.cyc" 99) CMAX=$(pctl "$LATDIR/lat.cyc" 100)
CR50=$(pctl "$LATDIR/lat.cre" 50) CR99=$(pctl "$LATDIR/lat.cre" 99)
AC50=$(pctl "$LATDIR/lat.acc" 50) AC99=$(pctl "$LATDIR/lat.acc" 99)
R50=$(pctl "$REFLAT" 50) R99=$(pctl "$REFLAT" 99) RMAX=$(pctl "$REFLAT" 100)
TCK=$(getconf CLK_TCK)
SRV_MS=$(awk -v t="$SERVER_TICKS" -v h="$TCK" -v n="$DONE_MEASURED" 'BEGIN { printf "%.2f", n ? t * 1000 / h / n : 0 }')
SRV_CORE=$(awk -v t="$SERVER_TICKS" -v h="$TCK" -v d="$DURATION" 'BEGIN { printf "%.0f", t / h / d * 100 }')
CLI_MS=$(awk -v c="$CLIENT_CPU_MS" -v n="$DONE_MEASURED" 'BEGIN { printf "%.2f", n ? c / n : 0 }')
CLI_CORE=$(awk -v c="$CLIENT_CPU_MS" -v d="$DURATION" 'BEGIN { printf "%.0f", c / 10 / d }')
W0=$(metric "$M0" 'cspd_store_transactions_total{kind="write"}')
W1=$(metric "$M1" 'cspd_store_transactions_total{kind="write"}')
RT0=$(metric "$M0" cspd_store_transaction_retries_total)
RT1=$(metric "$M1" cspd_store_transaction_retries_total)
F0=$(metric "$M0" cspd_store_transaction_failures_total)
F1=$(metric "$M1" cspd_store_transaction_failures_total)

echo
echo "== results ($(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo
printf '| %-44s | %10s | %8s | %8s | %8s |\n' "" "per s" "p50 ms" "p99 ms" "max ms"
printf '|%s|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..46})" "------------" "----------" "----------" "----------"
printf '| %-44s | %10s | %8s | %8s | %8s |\n' "cspd create+accept cycles ($WORKERS workers)" "$CPS_ALL" "$(us_ms "$C50")" "$(us_ms "$C99")" "$(us_ms "$CMAX")"
printf '| %-44s | %10s | %8s | %8s | %8s |\n' "  of which POST .../transfers (create)" "" "$(us_ms "$CR50")" "$(us_ms "$CR99")" ""
printf '| %-44s | %10s | %8s | %8s | %8s |\n' "  of which POST .../accept" "" "$(us_ms "$AC50")" "$(us_ms "$AC99")" ""
printf '| %-44s | %10s | %8s | %8s | %8s |\n' "SQLite tx loop, synchronous=FULL" "$TPS_ALL" "$(us_ms "$R50")" "$(us_ms "$R99")" "$(us_ms "$RMAX")"
printf '| %-44s | %10s | %8s | %8s | %8s |\n' "SQLite tx loop, synchronous=NORMAL (context)" "$(kv "$NORMAL" tps)" \
  "$(us_ms "$(kv "$NORMAL" p50_us)")" "$(us_ms "$(kv "$NORMAL" p99_us)")" "$(us_ms "$(kv "$NORMAL" max_us)")"
echo
echo "   ratio cycles/s / SQLite tx/s (FULL):          $RATIO   (median of the slices' ratios $R_MED, range $R_MIN..$R_MAX)"
echo "   slice ratios: ${slice_ratios[*]}"
echo "   ratio per transaction (2 x cycles/s / tx/s):  $RATIO_TX   (each cycle is 2 write transactions)"
echo "   cycles: $CYC measured in ${DURATION} s, errors (non-2xx or socket): $ERRORS"
echo "   cspd CPU: ${SRV_MS} ms per cycle (${SRV_CORE} % of one CPU); load generator (python3): ${CLI_MS} ms per cycle (${CLI_CORE} % of one CPU)"
if [ -n "$W1" ] && [ -n "$W0" ]; then
  echo "   store write transactions (metrics, incl. the background worker's): $((W1 - W0)), $(awk -v w="$((W1 - W0))" -v n="$DONE_MEASURED" 'BEGIN { printf "%.2f", n ? w / n : 0 }') per cycle; retries $((RT1 - RT0)), failures $((F1 - F0))"
fi
if [ -s "$DIR/perf.csv" ]; then
  pc() { awk -F, -v e="syscalls:sys_enter_$1" '$3 == e { print $1 + 0 }' "$DIR/perf.csv"; }
  per() { awk -v a="$1" -v n="$DONE_MEASURED" 'BEGIN { printf "%.1f", n ? a / n : 0 }'; }
  fds=$(( $(pc fdatasync) + $(pc fsync) ))
  echo "   server syscalls per cycle (perf stat): fdatasync+fsync $(per "$fds"), pwrite64 $(per "$(pc pwrite64)"), clock_nanosleep $(per "$(pc clock_nanosleep)") (SQLite busy-handler sleeps)"
fi
echo "   store check: $n_complete transfers Complete (client completed $TOTAL_DONE cycles incl. warm-up), $n_other in another state, $n_suspended source subscriptions suspended"
echo "   bulk load: ${TOTAL_LOAD_S} s; cspd startup on the loaded store: ${STARTUP_S} s"

fail=0
[ "$ERRORS" = 0 ] || { echo "FAIL: $ERRORS errors under load" >&2; fail=1; }
[ "$CONSISTENT" = 1 ] || { echo "FAIL: the store does not match the completed cycles" >&2; fail=1; }
[ "$REF_FAIL" = 0 ] || { echo "FAIL: a reference transaction failed" >&2; fail=1; }
[ "$CYC" -gt 0 ] || { echo "FAIL: no cycle completed" >&2; fail=1; }
exit "$fail"
