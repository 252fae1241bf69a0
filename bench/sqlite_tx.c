/* sqlite_tx.c -- the raw-SQLite reference of bench/transfers.sh.
 *
 * Opens a (copy of a) cspd store with the settings cspd's SQLite backend uses
 * for every connection (src/store/sqlite/sqlite.c: WAL, foreign_keys = ON,
 * synchronous = FULL unless told otherwise, temp_store = MEMORY,
 * cache_size = -65536, mmap_size = 256 MiB, busy timeout 5 s) and runs, for a
 * bounded time and count, a loop of write transactions shaped like the
 * smallest useful write cspd does:
 *
 *   BEGIN IMMEDIATE;
 *   INSERT INTO bench_scratch(id, sub_id, at_ms, body) VALUES (?, ?, ?, ?);  -- ~600-byte row
 *   UPDATE subscriptions SET version = version + 1, friendly_name = ? WHERE id = ?;
 *   COMMIT;
 *
 * one connection, one thread, each transaction on a random subscription of the
 * store. Prints one machine-readable line:
 *
 *   SQLITE_TX_RESULT sync=FULL tx=N errors=E secs=S tps=T p50_us=.. p90_us=.. p99_us=.. max_us=..
 *
 * Build: cc -O2 bench/sqlite_tx.c -lsqlite3 -o sqlite_tx
 * Usage: sqlite_tx DB [SECONDS=20] [full|normal] [MAX_TX=2000000] [LATENCY_FILE]
 * LATENCY_FILE: every transaction's latency in microseconds is appended to it,
 * one per line (bench/transfers.sh pools the slices of a run to take p99).
 * Exit status: 0, or 1 when a transaction failed (or 2 on bad arguments).
 */
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static int64_t mono_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void die(sqlite3 *db, const char *what) {
  fprintf(stderr, "sqlite_tx: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
  exit(1);
}

static void exec(sqlite3 *db, const char *sql) {
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
    fprintf(stderr, "sqlite_tx: %s: %s\n", sql, msg ? msg : "?");
    exit(1);
  }
}

static sqlite3_stmt *prep(sqlite3 *db, const char *sql) {
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
    die(db, sql);
  return s;
}

/* xorshift64*: a cheap PRNG; the seed comes from the clock */
static uint64_t rng;
static uint64_t rnd(void) {
  rng ^= rng >> 12;
  rng ^= rng << 25;
  rng ^= rng >> 27;
  return rng * 2685821657736338717ULL;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return x < y ? -1 : x > y;
}

static int64_t pct(const int64_t *v, size_t n, double p) {
  if (n == 0)
    return 0;
  size_t i = (size_t)(p / 100.0 * (double)n);
  return v[i >= n ? n - 1 : i];
}

/* Run one statement that returns no rows; SQLITE_BUSY is returned to the caller. */
static int step_done(sqlite3_stmt *s) {
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DB [SECONDS=20] [full|normal] [MAX_TX=2000000] [LATENCY_FILE]\n",
            argv[0]);
    return 2;
  }
  const char *path = argv[1];
  double secs = argc > 2 ? atof(argv[2]) : 20;
  const char *sync = argc > 3 ? argv[3] : "full";
  long max_tx = argc > 4 ? atol(argv[4]) : 2000000;
  const char *latfile = argc > 5 ? argv[5] : NULL;
  if (secs <= 0 || secs > 3600 || max_tx <= 0 ||
      (strcasecmp(sync, "full") != 0 && strcasecmp(sync, "normal") != 0)) {
    fprintf(stderr, "sqlite_tx: bad arguments\n");
    return 2;
  }
  rng = (uint64_t)mono_us() * 0x9E3779B97F4A7C15ULL | 1;

  sqlite3 *db = NULL;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    die(db, "open");
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);
  /* exactly cspd's per-connection setup (conn_setup in src/store/sqlite/sqlite.c) */
  char setup[512];
  snprintf(setup, sizeof setup,
           "PRAGMA journal_mode = WAL;"
           "PRAGMA foreign_keys = ON;"
           "PRAGMA synchronous = %s;"
           "PRAGMA temp_store = MEMORY;"
           "PRAGMA cache_size = -65536;"
           "PRAGMA mmap_size = 268435456;",
           strcasecmp(sync, "full") == 0 ? "FULL" : "NORMAL");
  exec(db, setup);
  exec(db, "CREATE TABLE IF NOT EXISTS bench_scratch ("
           " id TEXT PRIMARY KEY, sub_id TEXT NOT NULL, at_ms INTEGER NOT NULL,"
           " body TEXT NOT NULL) WITHOUT ROWID");

  /* the subscriptions to update: every id of the store (1 000 000 here) */
  size_t cap = 1 << 20, nsubs = 0;
  char(*subs)[37] = malloc(cap * sizeof *subs);
  sqlite3_stmt *q = prep(db, "SELECT id FROM subscriptions");
  int rc;
  while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
    if (nsubs == cap) {
      cap *= 2;
      subs = realloc(subs, cap * sizeof *subs);
    }
    const unsigned char *t = sqlite3_column_text(q, 0);
    snprintf(subs[nsubs++], 37, "%s", t ? (const char *)t : "");
  }
  if (rc != SQLITE_DONE)
    die(db, "select subscriptions");
  sqlite3_finalize(q);
  if (nsubs == 0) {
    fprintf(stderr, "sqlite_tx: the store has no subscriptions\n");
    return 1;
  }

  sqlite3_stmt *begin = prep(db, "BEGIN IMMEDIATE");
  sqlite3_stmt *commit = prep(db, "COMMIT");
  sqlite3_stmt *rollback = prep(db, "ROLLBACK");
  sqlite3_stmt *ins = prep(db, "INSERT INTO bench_scratch(id, sub_id, at_ms, body) "
                               "VALUES (?1, ?2, ?3, ?4)");
  sqlite3_stmt *upd = prep(db, "UPDATE subscriptions SET version = version + 1, "
                               "friendly_name = ?1 WHERE id = ?2");
  /* a body about the size of a transfer's lines_json */
  char body[601];
  memset(body, 'x', sizeof body - 1);
  body[sizeof body - 1] = '\0';

  size_t lat_cap = (size_t)max_tx;
  if (lat_cap > 4000000)
    lat_cap = 4000000;
  int64_t *lat = malloc(lat_cap * sizeof *lat);
  size_t n = 0;
  long errors = 0;
  int64_t t0 = mono_us(), end = t0 + (int64_t)(secs * 1e6);
  int64_t now = t0;
  static uint32_t seq;
  while (now < end && (long)n < max_tx && n < lat_cap) {
    const char *sid = subs[rnd() % nsubs];
    char id[40], fname[40];
    int64_t ms = wall_ms();
    /* a time-ordered id, like cspd_guid_new_timed: new rows go to the right edge */
    snprintf(id, sizeof id, "%012llx-%08x-%016llx", (unsigned long long)ms, seq++,
             (unsigned long long)(rnd() >> 1));
    snprintf(fname, sizeof fname, "Office 365 E3 #%u", seq);
    int64_t a = mono_us();
    rc = step_done(begin);
    if (rc == SQLITE_OK) {
      sqlite3_bind_text(ins, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(ins, 2, sid, -1, SQLITE_STATIC);
      sqlite3_bind_int64(ins, 3, ms);
      sqlite3_bind_text(ins, 4, body, -1, SQLITE_STATIC);
      rc = step_done(ins);
    }
    if (rc == SQLITE_OK) {
      sqlite3_bind_text(upd, 1, fname, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(upd, 2, sid, -1, SQLITE_STATIC);
      rc = step_done(upd);
      if (rc == SQLITE_OK && sqlite3_changes(db) != 1)
        rc = SQLITE_NOTFOUND;
    }
    if (rc == SQLITE_OK)
      rc = step_done(commit);
    now = mono_us();
    if (rc != SQLITE_OK) {
      if (errors++ < 5)
        fprintf(stderr, "sqlite_tx: transaction failed: %s\n", sqlite3_errstr(rc));
      if (!sqlite3_get_autocommit(db))
        step_done(rollback);
      continue;
    }
    lat[n++] = now - a;
  }
  double elapsed = (double)(now - t0) / 1e6;
  if (latfile != NULL) {
    FILE *f = fopen(latfile, "a");
    if (f == NULL) {
      perror(latfile);
      return 1;
    }
    for (size_t i = 0; i < n; i++)
      fprintf(f, "%lld\n", (long long)lat[i]);
    fclose(f);
  }
  qsort(lat, n, sizeof *lat, cmp_i64);
  printf("SQLITE_TX_RESULT sync=%s tx=%zu errors=%ld secs=%.3f tps=%.1f p50_us=%lld p90_us=%lld "
         "p99_us=%lld max_us=%lld subs=%zu\n",
         strcasecmp(sync, "full") == 0 ? "FULL" : "NORMAL", n, errors, elapsed,
         elapsed > 0 ? (double)n / elapsed : 0.0, (long long)pct(lat, n, 50),
         (long long)pct(lat, n, 90), (long long)pct(lat, n, 99), (long long)(n ? lat[n - 1] : 0),
         nsubs);
  sqlite3_finalize(begin);
  sqlite3_finalize(commit);
  sqlite3_finalize(rollback);
  sqlite3_finalize(ins);
  sqlite3_finalize(upd);
  sqlite3_close(db);
  free(subs);
  free(lat);
  return errors == 0 ? 0 : 1;
}
