/* sqlite.c -- the SQLite store backend.
 *
 * File stores: WAL, one connection per thread (a session, created on first
 * use and found again through a pthread key), prepared statements cached per
 * session, foreign keys on, synchronous=FULL unless the store URL says
 * ?synchronous=normal. Write transactions are BEGIN IMMEDIATE so that a
 * writer never has to upgrade a read snapshot; contention surfaces as
 * CSPD_STORE_BUSY and the runner in store.c retries.
 *
 * The memory store ("memory") is one private in-memory connection shared by
 * every thread, serialized by a mutex held from begin to commit/rollback. */
#include "../../core/log.h"
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../migrations.h"
#include "../store_impl.h"
#include "sqlite_int.h"

/* ---- statements ----------------------------------------------------------- */

enum stmt_id {
  ST_BEGIN_READ,
  ST_BEGIN_WRITE,
  ST_COMMIT,
  ST_ROLLBACK,
  ST_SCHEMA_VERSION,
  ST_SETTING_GET,
  ST_SETTING_PUT,
  ST_IDEM_GET,
  ST_IDEM_PUT,
  ST_IDEM_PURGE,
  ST_TENANT_INSERT,
  ST_TENANT_GET,
  ST_TENANT_OPERATOR,
  ST_ORG_INSERT,
  ST_ORG_GET,
  ST_ORG_UPDATE,
  ST_LOC_UPDATE,
  ST_ORG_GET_BY_MPN,
  ST_ORG_LIST,
  ST_LOC_INSERT,
  ST_LOC_GET,
  ST_LOC_GET_BY_MPN,
  ST_LOC_LIST,
  ST_CUSTOMER_INSERT,
  ST_CUSTOMER_GET,
  ST_USER_INSERT,
  ST_USER_GET,
  ST_USER_GET_BY_EMAIL,
  ST_USER_LIST,
  ST_APP_INSERT,
  ST_APP_GET,
  ST_PARTNERSHIP_INSERT,
  ST_PARTNERSHIP_LIST_PROVIDER,
  ST_PARTNERSHIP_LIST_RESELLER,
  ST_AUDIT_INSERT,
  ST_RESET_ALL_TENANTS,
  ST_RESET_ALL_ORGS,
  ST_RESET_ALL_IDEM,
  ST_RESET_ALL_AUDIT,
  ST_RESET_SANDBOX_USERS,
  ST_RESET_SANDBOX_APPS,
  ST_RESET_NOTIFICATIONS,
  ST_RESET_JOBS,
  ST_RESET_FX,
  ST_RESET_OFFERS,
  ST_RESET_SETTINGS,
  ST_RESET_ORG_NOTIFICATIONS,
  ST_RESET_ORG_SUBS,
  ST_RESET_ORG_ORDERS,
  ST_RESET_ORG_TENANTS,
  ST_RESET_ORG,
  ST__COUNT
};

#define LOC_COLS                                                                                   \
  "tenant_id, org_id, mpn_id, company_name, country, address_line1, "                              \
  "address_line2, city, state, postal_code, contact_first, contact_last, "                         \
  "contact_email, contact_phone, version, created_ms"
#define USER_COLS                                                                                  \
  "id, tenant_id, email, display_name, password_hash, roles, sandbox_only, "                       \
  "created_ms"

static const char *const stmt_sql[ST__COUNT] = {
    [ST_BEGIN_READ] = "BEGIN DEFERRED",
    [ST_BEGIN_WRITE] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_SCHEMA_VERSION] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
    [ST_SETTING_GET] = "SELECT value FROM settings WHERE key = ?1",
    [ST_SETTING_PUT] = "INSERT INTO settings(key, value) VALUES (?1, ?2) "
                       "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    [ST_IDEM_GET] =
        "SELECT method, path, status, body, etag, created_ms, location FROM idempotency "
        "WHERE scope = ?1 AND request_id = ?2",
    [ST_IDEM_PUT] = "INSERT INTO idempotency(scope, request_id, method, path, status, body, "
                    "etag, created_ms, location) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [ST_IDEM_PURGE] = "DELETE FROM idempotency WHERE created_ms < ?1",
    [ST_TENANT_INSERT] = "INSERT INTO tenants(id, kind, name, country, sandbox_only, created_ms) "
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_TENANT_GET] = "SELECT id, kind, name, country, sandbox_only, created_ms FROM tenants "
                      "WHERE id = ?1",
    [ST_TENANT_OPERATOR] = "SELECT id, kind, name, country, sandbox_only, created_ms FROM "
                           "tenants WHERE kind = 'operator'",
    [ST_ORG_INSERT] = "INSERT INTO partner_orgs(id, mpn_id, name, version, created_ms) "
                      "VALUES (?1, ?2, ?3, 1, ?4)",
    [ST_ORG_UPDATE] = "UPDATE partner_orgs SET name = ?2, version = ?3 WHERE id = ?1",
    [ST_LOC_UPDATE] = "UPDATE partner_locations SET company_name = ?4, address_line1 = ?6, "
                      "address_line2 = ?7, city = ?8, state = ?9, postal_code = ?10, "
                      "contact_first = ?11, contact_last = ?12, contact_email = ?13, "
                      "contact_phone = ?14, version = ?15 WHERE tenant_id = ?1",
    [ST_ORG_GET] = "SELECT id, mpn_id, name, version, created_ms FROM partner_orgs WHERE id = ?1",
    [ST_ORG_GET_BY_MPN] = "SELECT id, mpn_id, name, version, created_ms FROM partner_orgs "
                          "WHERE mpn_id = ?1",
    [ST_ORG_LIST] = "SELECT id, mpn_id, name, version, created_ms FROM partner_orgs "
                    "WHERE id > ?1 ORDER BY id LIMIT ?2",
    [ST_LOC_INSERT] = "INSERT INTO partner_locations(" LOC_COLS ") VALUES "
                      "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 1, ?16)",
    [ST_LOC_GET] = "SELECT " LOC_COLS " FROM partner_locations WHERE tenant_id = ?1",
    [ST_LOC_GET_BY_MPN] = "SELECT " LOC_COLS " FROM partner_locations WHERE mpn_id = ?1",
    [ST_LOC_LIST] = "SELECT " LOC_COLS " FROM partner_locations WHERE org_id = ?1 AND "
                    "tenant_id > ?2 ORDER BY tenant_id LIMIT ?3",
    [ST_CUSTOMER_INSERT] = "INSERT INTO customers(tenant_id, company_name, domain, country, "
                           "version, created_ms, billing_json, billing_version, owner_org_id, "
                           "created_by) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, 1, ?7, ?8)",
    [ST_CUSTOMER_GET] = "SELECT " SQ_CUSTOMER_COLS " FROM customers WHERE tenant_id = ?1",
    [ST_USER_INSERT] = "INSERT INTO users(" USER_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_USER_GET] = "SELECT " USER_COLS " FROM users WHERE id = ?1",
    [ST_USER_GET_BY_EMAIL] = "SELECT " USER_COLS " FROM users WHERE email = ?1",
    [ST_USER_LIST] = "SELECT " USER_COLS " FROM users WHERE tenant_id = ?1 AND id > ?2 "
                     "ORDER BY id LIMIT ?3",
    [ST_APP_INSERT] = "INSERT INTO apps(client_id, tenant_id, display_name, secret_hash, roles, "
                      "sandbox_only, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_APP_GET] = "SELECT client_id, tenant_id, display_name, secret_hash, roles, "
                   "sandbox_only, created_ms FROM apps WHERE client_id = ?1",
    [ST_PARTNERSHIP_INSERT] = "INSERT INTO partnerships(provider_tenant_id, reseller_tenant_id, "
                              "state, created_ms) VALUES (?1, ?2, ?3, ?4)",
    [ST_PARTNERSHIP_LIST_PROVIDER] =
        "SELECT provider_tenant_id, reseller_tenant_id, state, created_ms FROM partnerships "
        "WHERE provider_tenant_id = ?1 AND reseller_tenant_id > ?2 AND state = 'active' "
        "ORDER BY reseller_tenant_id LIMIT ?3",
    [ST_PARTNERSHIP_LIST_RESELLER] =
        "SELECT provider_tenant_id, reseller_tenant_id, state, created_ms FROM partnerships "
        "WHERE reseller_tenant_id = ?1 AND provider_tenant_id > ?2 AND state = 'active' "
        "ORDER BY provider_tenant_id LIMIT ?3",
    [ST_AUDIT_INSERT] = "INSERT INTO audit_records(ts_ms, tenant_id, user_id, app_id, operation, "
                        "resource_type, resource_id, before_json, after_json, request_id, "
                        "correlation_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [ST_RESET_ALL_TENANTS] = "DELETE FROM tenants WHERE kind <> 'operator'",
    [ST_RESET_ALL_ORGS] = "DELETE FROM partner_orgs",
    [ST_RESET_ALL_IDEM] = "DELETE FROM idempotency",
    [ST_RESET_ALL_AUDIT] = "DELETE FROM audit_records",
    [ST_RESET_SANDBOX_USERS] = "DELETE FROM users WHERE sandbox_only = 1",
    [ST_RESET_SANDBOX_APPS] = "DELETE FROM apps WHERE sandbox_only = 1",
    [ST_RESET_NOTIFICATIONS] = "DELETE FROM notifications",
    [ST_RESET_JOBS] = "DELETE FROM jobs",
    [ST_RESET_FX] = "DELETE FROM fx_rates",
    [ST_RESET_OFFERS] = "DELETE FROM offers",
    /* the signing key stays (tokens survive a reset); the rest starts anew */
    [ST_RESET_SETTINGS] = "DELETE FROM settings WHERE key NOT IN ('signing_key', 'demo_seeded')",
    [ST_RESET_ORG_NOTIFICATIONS] = "DELETE FROM notifications WHERE tenant_id IN "
                                   "(SELECT tenant_id FROM partner_locations WHERE org_id = ?1)",
    [ST_RESET_ORG_SUBS] = "DELETE FROM subscriptions WHERE holder_tenant_id IN "
                          "(SELECT tenant_id FROM partner_locations WHERE org_id = ?1)",
    [ST_RESET_ORG_ORDERS] = "DELETE FROM orders WHERE partner_tenant_id IN "
                            "(SELECT tenant_id FROM partner_locations WHERE org_id = ?1)",
    [ST_RESET_ORG_TENANTS] = "DELETE FROM tenants WHERE id IN "
                             "(SELECT tenant_id FROM partner_locations WHERE org_id = ?1)",
    [ST_RESET_ORG] = "DELETE FROM partner_orgs WHERE id = ?1",
};

/* ---- store and sessions ----------------------------------------------------- */

struct sq_store;

struct cspd_db {
  struct cspd_db_base base;
  struct sq_store *sq;
  sqlite3 *conn;
  sqlite3_stmt *stmts[ST__COUNT];
  struct sq_xstmt xstmts[SQ_XSTMT_SLOTS]; /* statements of the module files */
  struct cspd_db *next;                   /* in sq_store.sessions */
};

struct sq_store {
  struct cspd_store pub;
  char *path; /* NULL for memory */
  bool memory;
  bool sync_normal;
  long long mmap_size;
  pthread_key_t key;
  pthread_mutex_t lock;     /* guards sessions; in memory mode, the connection */
  pthread_mutex_t mem_lock; /* memory mode: held during a transaction */
  struct cspd_db *sessions;
  struct cspd_db *shared; /* memory mode: the one session */
};

static const struct cspd_store_ops sqlite_ops;
static const struct cspd_store_ops memory_ops;

int sq_map_rc(struct cspd_db *db, int rc, const char *what) {
  switch (rc & 0xff) {
  case SQLITE_OK:
  case SQLITE_DONE:
  case SQLITE_ROW:
    return CSPD_STORE_OK;
  case SQLITE_BUSY:
  case SQLITE_LOCKED:
    return CSPD_STORE_BUSY;
  case SQLITE_CONSTRAINT:
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
      return CSPD_STORE_CONFLICT;
    cspd_log("error", "sqlite %s: %s", what, sqlite3_errmsg(db->conn));
    return CSPD_STORE_ERROR;
  default:
    cspd_log("error", "sqlite %s: %s (%d)", what, sqlite3_errmsg(db->conn), rc);
    return CSPD_STORE_ERROR;
  }
}

sqlite3_stmt *sq_stmt(struct cspd_db *db, const char *sql) {
  /* open addressing on the address of the (static) SQL string */
  uintptr_t h = ((uintptr_t)sql >> 3) * 2654435761u;
  for (unsigned i = 0; i < SQ_XSTMT_SLOTS; i++) {
    struct sq_xstmt *x = &db->xstmts[(h + i) % SQ_XSTMT_SLOTS];
    if (x->sql == sql)
      return x->st;
    if (x->sql == NULL) {
      int rc = sqlite3_prepare_v3(db->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &x->st, NULL);
      if (rc != SQLITE_OK) {
        cspd_log("error", "sqlite prepare: %s\n  in: %s", sqlite3_errmsg(db->conn), sql);
        sqlite3_finalize(x->st);
        x->st = NULL;
        return NULL;
      }
      x->sql = sql;
      return x->st;
    }
  }
  cspd_log("error", "statement cache full (raise SQ_XSTMT_SLOTS)");
  return NULL;
}

/** The cached statement @a id, reset and with no bindings. */
static sqlite3_stmt *stmt(struct cspd_db *db, enum stmt_id id) {
  sqlite3_stmt *s = db->stmts[id];
  if (s == NULL) {
    int rc = sqlite3_prepare_v3(db->conn, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
    if (rc != SQLITE_OK) {
      cspd_log("error", "sqlite prepare %d: %s", id, sqlite3_errmsg(db->conn));
      return NULL;
    }
    db->stmts[id] = s;
  }
  return s;
}

void sq_done(sqlite3_stmt *s) {
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
}

void sq_bind_text(sqlite3_stmt *s, int i, const char *v) {
  if (v == NULL)
    sqlite3_bind_null(s, i);
  else
    sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

char *sq_col_text(sqlite3_stmt *s, int i, struct cspd_arena *a) {
  const unsigned char *t = sqlite3_column_text(s, i);
  if (t == NULL)
    return NULL;
  return cspd_arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(s, i));
}

void sq_col_copy(sqlite3_stmt *s, int i, char *dst, size_t cap) {
  const unsigned char *t = sqlite3_column_text(s, i);
  size_t n = t ? (size_t)sqlite3_column_bytes(s, i) : 0;
  if (n >= cap)
    n = cap - 1;
  if (n)
    memcpy(dst, t, n);
  dst[n] = '\0';
}

/** Run a statement that returns no rows; maps errors. */
int sq_exec(struct cspd_db *db, sqlite3_stmt *s, const char *what) {
  int rc = sqlite3_step(s);
  int r = sq_map_rc(db, rc, what);
  sq_done(s);
  return r;
}

static int conn_setup(sqlite3 *conn, const struct sq_store *sq, char *errbuf, size_t errlen) {
  char sql[512];
  snprintf(sql, sizeof sql,
           "PRAGMA foreign_keys = ON;"
           "PRAGMA synchronous = %s;"
           "PRAGMA temp_store = MEMORY;"
           "PRAGMA cache_size = -65536;"
           "PRAGMA mmap_size = %lld;",
           sq->sync_normal ? "NORMAL" : "FULL", sq->memory ? 0LL : sq->mmap_size);
  char *msg = NULL;
  sqlite3_busy_timeout(conn, 5000);
  if (sqlite3_exec(conn, sql, NULL, NULL, &msg) != SQLITE_OK) {
    snprintf(errbuf, errlen, "sqlite setup: %s", msg ? msg : "?");
    sqlite3_free(msg);
    return -1;
  }
  return 0;
}

static int conn_open(struct sq_store *sq, sqlite3 **out, char *errbuf, size_t errlen) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const char *name = sq->memory ? ":memory:" : sq->path;
  sqlite3 *conn = NULL;
  int rc = sqlite3_open_v2(name, &conn, flags, NULL);
  if (rc != SQLITE_OK) {
    snprintf(errbuf, errlen, "cannot open %s: %s", name,
             conn ? sqlite3_errmsg(conn) : sqlite3_errstr(rc));
    sqlite3_close(conn);
    return -1;
  }
  sqlite3_extended_result_codes(conn, 1); /* tell UNIQUE from other constraints */
  if (conn_setup(conn, sq, errbuf, errlen) != 0) {
    sqlite3_close(conn);
    return -1;
  }
  *out = conn;
  return 0;
}

static void session_free(struct cspd_db *db) {
  for (int i = 0; i < ST__COUNT; i++)
    sqlite3_finalize(db->stmts[i]);
  for (int i = 0; i < SQ_XSTMT_SLOTS; i++)
    sqlite3_finalize(db->xstmts[i].st);
  sqlite3_close(db->conn);
  free(db);
}

static struct cspd_db *session_new(struct sq_store *sq, sqlite3 *conn) {
  struct cspd_db *db = calloc(1, sizeof *db);
  if (db == NULL)
    return NULL;
  db->base.store = &sq->pub;
  db->sq = sq;
  db->conn = conn;
  return db;
}

static int sq_session(struct cspd_store *s, struct cspd_db **out) {
  struct sq_store *sq = (struct sq_store *)s;
  if (sq->memory) {
    *out = sq->shared;
    return 0;
  }
  struct cspd_db *db = pthread_getspecific(sq->key);
  if (db != NULL) {
    *out = db;
    return 0;
  }
  char err[256];
  sqlite3 *conn;
  if (conn_open(sq, &conn, err, sizeof err) != 0) {
    cspd_log("error", "%s", err);
    return CSPD_STORE_ERROR;
  }
  db = session_new(sq, conn);
  if (db == NULL) {
    sqlite3_close(conn);
    return CSPD_STORE_ERROR;
  }
  pthread_mutex_lock(&sq->lock);
  db->next = sq->sessions;
  sq->sessions = db;
  pthread_mutex_unlock(&sq->lock);
  pthread_setspecific(sq->key, db);
  *out = db;
  return 0;
}

static void sq_close(struct cspd_store *s) {
  struct sq_store *sq = (struct sq_store *)s;
  struct cspd_db *db = sq->sessions;
  while (db != NULL) {
    struct cspd_db *next = db->next;
    session_free(db);
    db = next;
  }
  if (sq->shared != NULL)
    session_free(sq->shared);
  pthread_key_delete(sq->key);
  pthread_mutex_destroy(&sq->lock);
  pthread_mutex_destroy(&sq->mem_lock);
  free(sq->path);
  free(sq);
}

static int sq_begin(struct cspd_db *db, bool write) {
  if (db->sq->memory)
    pthread_mutex_lock(&db->sq->mem_lock);
  sqlite3_stmt *s = stmt(db, write ? ST_BEGIN_WRITE : ST_BEGIN_READ);
  int rc = s ? sq_exec(db, s, "begin") : CSPD_STORE_ERROR;
  if (rc != 0 && db->sq->memory)
    pthread_mutex_unlock(&db->sq->mem_lock);
  return rc;
}

static int sq_commit(struct cspd_db *db) {
  sqlite3_stmt *s = stmt(db, ST_COMMIT);
  int rc = s ? sq_exec(db, s, "commit") : CSPD_STORE_ERROR;
  if (rc == CSPD_STORE_BUSY)
    return rc; /* caller rolls back, which releases the lock */
  if (rc != 0) {
    /* a failed COMMIT leaves the transaction open: end it */
    if (!sqlite3_get_autocommit(db->conn))
      sqlite3_exec(db->conn, "ROLLBACK", NULL, NULL, NULL);
  }
  if (db->sq->memory)
    pthread_mutex_unlock(&db->sq->mem_lock);
  return rc;
}

static void sq_rollback(struct cspd_db *db) {
  if (!sqlite3_get_autocommit(db->conn)) {
    sqlite3_stmt *s = stmt(db, ST_ROLLBACK);
    if (s != NULL)
      sq_exec(db, s, "rollback");
  }
  if (db->sq->memory)
    pthread_mutex_unlock(&db->sq->mem_lock);
}

static int sq_schema_version(struct cspd_db *db, int *out) {
  sqlite3_stmt *s = stmt(db, ST_SCHEMA_VERSION);
  if (s == NULL)
    return CSPD_STORE_ERROR;
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    *out = sqlite3_column_int(s, 0);
    sq_done(s);
    return 0;
  }
  int r = sq_map_rc(db, rc, "schema_version");
  sq_done(s);
  return r == 0 ? CSPD_STORE_ERROR : r;
}

/* ---- generic row helpers ----------------------------------------------------- */

/** Step a single-row query: 0 with the row, NOTFOUND, or an error. The
 * caller reads columns then calls done(). On anything but 0 the statement is
 * already reset. */
int sq_step_one(struct cspd_db *db, sqlite3_stmt *s, const char *what) {
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    return 0;
  int r = rc == SQLITE_DONE ? CSPD_STORE_NOTFOUND : sq_map_rc(db, rc, what);
  sq_done(s);
  return r;
}

/* A list query: rows read by @a read into an arena array of @a size bytes each. */
int sq_list_rows(struct cspd_db *db, sqlite3_stmt *s, int limit, size_t size, row_reader read,
                 struct cspd_arena *a, void **out, int *n, const char *what) {
  char *rows = cspd_arena_alloc(a, size * (size_t)(limit > 0 ? limit : 1));
  int count = 0, rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW && count < limit) {
    read(s, a, rows + size * (size_t)count);
    count++;
  }
  int r = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? 0 : sq_map_rc(db, rc, what);
  sq_done(s);
  *out = rows;
  *n = count;
  return r;
}

int sq_get_row(struct cspd_db *db, sqlite3_stmt *s, row_reader read, struct cspd_arena *a,
               void *out, const char *what) {
  int rc = sq_step_one(db, s, what);
  if (rc != 0)
    return rc;
  read(s, a, out);
  sq_done(s);
  return 0;
}

/* ---- settings ------------------------------------------------------------------ */

static int sq_setting_get(struct cspd_db *db, const char *key, struct cspd_arena *a, char **out) {
  sqlite3_stmt *s = stmt(db, ST_SETTING_GET);
  if (s == NULL)
    return CSPD_STORE_ERROR;
  sq_bind_text(s, 1, key);
  int rc = sq_step_one(db, s, "setting_get");
  if (rc != 0)
    return rc;
  *out = sq_col_text(s, 0, a);
  sq_done(s);
  return 0;
}

static int sq_setting_put(struct cspd_db *db, const char *key, const char *value) {
  sqlite3_stmt *s = stmt(db, ST_SETTING_PUT);
  if (s == NULL)
    return CSPD_STORE_ERROR;
  sq_bind_text(s, 1, key);
  sq_bind_text(s, 2, value);
  return sq_exec(db, s, "setting_put");
}

/* ---- idempotency --------------------------------------------------------------- */

static int sq_idem_get(struct cspd_db *db, const char *scope, const char *request_id,
                       struct cspd_arena *a, struct cspd_idem *out) {
  sqlite3_stmt *s = stmt(db, ST_IDEM_GET);
  if (s == NULL)
    return CSPD_STORE_ERROR;
  sq_bind_text(s, 1, scope);
  sq_bind_text(s, 2, request_id);
  int rc = sq_step_one(db, s, "idem_get");
  if (rc != 0)
    return rc;
  out->scope = cspd_arena_strdup(a, scope);
  out->request_id = cspd_arena_strdup(a, request_id);
  out->method = sq_col_text(s, 0, a);
  out->path = sq_col_text(s, 1, a);
  out->status = sqlite3_column_int(s, 2);
  out->body_len = (size_t)sqlite3_column_bytes(s, 3);
  out->body = cspd_arena_strndup(a, sqlite3_column_blob(s, 3), out->body_len);
  out->etag = sq_col_text(s, 4, a);
  out->created_ms = sqlite3_column_int64(s, 5);
  out->location = sq_col_text(s, 6, a);
  sq_done(s);
  return 0;
}

static int sq_idem_put(struct cspd_db *db, const struct cspd_idem *in) {
  sqlite3_stmt *s = stmt(db, ST_IDEM_PUT);
  if (s == NULL)
    return CSPD_STORE_ERROR;
  sq_bind_text(s, 1, in->scope);
  sq_bind_text(s, 2, in->request_id);
  sq_bind_text(s, 3, in->method);
  sq_bind_text(s, 4, in->path);
  sqlite3_bind_int(s, 5, in->status);
  sqlite3_bind_blob(s, 6, in->body ? in->body : "", (int)in->body_len, SQLITE_STATIC);
  sq_bind_text(s, 7, in->etag);
  sqlite3_bind_int64(s, 8, in->created_ms);
  sq_bind_text(s, 9, in->location);
  return sq_exec(db, s, "idem_put");
}

static int sq_idem_purge(struct cspd_db *db, int64_t before_ms) {
  sqlite3_stmt *s = stmt(db, ST_IDEM_PURGE);
  if (s == NULL)
    return CSPD_STORE_ERROR;
  sqlite3_bind_int64(s, 1, before_ms);
  return sq_exec(db, s, "idem_purge");
}

/* ---- tenants --------------------------------------------------------------------- */

static void read_tenant(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_tenant *t = row;
  sq_col_copy(s, 0, t->id, sizeof t->id);
  t->kind = cspd_tenant_kind_parse((const char *)sqlite3_column_text(s, 1));
  t->name = sq_col_text(s, 2, a);
  t->country = sq_col_text(s, 3, a);
  t->sandbox_only = sqlite3_column_int(s, 4) != 0;
  t->created_ms = sqlite3_column_int64(s, 5);
}

static int sq_tenant_insert(struct cspd_db *db, const struct cspd_tenant *in) {
  sqlite3_stmt *s = stmt(db, ST_TENANT_INSERT);
  if (s == NULL)
    return CSPD_STORE_ERROR;
  sq_bind_text(s, 1, in->id);
  sq_bind_text(s, 2, cspd_tenant_kind_name(in->kind));
  sq_bind_text(s, 3, in->name);
  sq_bind_text(s, 4, in->country);
  sqlite3_bind_int(s, 5, in->sandbox_only);
  sqlite3_bind_int64(s, 6, in->created_ms);
  return sq_exec(db, s, "tenant_insert");
}

static int get_one(struct cspd_db *db, enum stmt_id id, const char *key, row_reader read,
                   struct cspd_arena *a, void *out, const char *what) {
  sqlite3_stmt *s = stmt(db, id);
  if (s == NULL)
    return CSPD_STORE_ERROR;
  if (key != NULL)
    sq_bind_text(s, 1, key);
  int rc = sq_step_one(db, s, what);
  if (rc != 0)
    return rc;
  read(s, a, out);
  sq_done(s);
  return 0;
}

static int sq_tenant_get(struct cspd_db *db, const char *id, struct cspd_arena *a,
                         struct cspd_tenant *out) {
  return get_one(db, ST_TENANT_GET, id, read_tenant, a, out, "tenant_get");
}

static int sq_tenant_operator(struct cspd_db *db, struct cspd_arena *a, struct cspd_tenant *out) {
  return get_one(db, ST_TENANT_OPERATOR, NULL, read_tenant, a, out, "tenant_operator");
}

/* ---- partner organizations ------------------------------------------------------- */

static void read_org(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_org *o = row;
  sq_col_copy(s, 0, o->id, sizeof o->id);
  sq_col_copy(s, 1, o->mpn_id, sizeof o->mpn_id);
  o->name = sq_col_text(s, 2, a);
  o->version = sqlite3_column_int64(s, 3);
  o->created_ms = sqlite3_column_int64(s, 4);
}

static int sq_org_insert(struct cspd_db *db, const struct cspd_org *in) {
  sqlite3_stmt *s = stmt(db, ST_ORG_INSERT);
  if (s == NULL)
    return CSPD_STORE_ERROR;
  sq_bind_text(s, 1, in->id);
  sq_bind_text(s, 2, in->mpn_id);
  sq_bind_text(s, 3, in->name);
  sqlite3_bind_int64(s, 4, in->created_ms);
  return sq_exec(db, s, "org_insert");
}

/** Run an UPDATE; NOTFOUND when it changed no row. */
int sq_exec_update(struct cspd_db *db, sqlite3_stmt *s, const char *what) {
  int rc = sq_exec(db, s, what);
  if (rc != 0)
    return rc;
  return sqlite3_changes(db->conn) > 0 ? 0 : CSPD_STORE_NOTFOUND;
}

static int sq_org_update(struct cspd_db *db, const struct cspd_org *in) {
  sqlite3_stmt *s = stmt(db, ST_ORG_UPDATE);
  if (s == NULL)
    return CSPD_STORE_ERROR;
  sq_bind_text(s, 1, in->id);
  sq_bind_text(s, 2, in->name);
  sqlite3_bind_int64(s, 3, in->version);
  return sq_exec_update(db, s, "org_update");
}

static int sq_org_get(struct cspd_db *db, const char *id, struct cspd_arena *a,
                      struct cspd_org *out) {
  return get_one(db, ST_ORG_GET, id, read_org, a, out, "org_get");
}

static int sq_org_get_by_mpn(struct cspd_db *db, const char *mpn, struct cspd_arena *a,
                             struct cspd_org *out) {
  return get_one(db, ST_ORG_GET_BY_MPN, mpn, read_org, a, out, "org_get_by_mpn");
}

static int sq_org_list(struct cspd_db *db, const char *after, int limit, struct cspd_arena *a,
                       struct cspd_org **out, int *n) {
  sqlite3_stmt *s = stmt(db, ST_ORG_LIST);
  if (s == NULL)
    return CSPD_STORE_ERROR;
  sq_bind_text(s, 1, after ? after : "");
  sqlite3_bind_int(s, 2, limit);
  return sq_list_rows(db, s, limit, sizeof **out, read_org, a, (void **)out, n, "org_list");
}

/* ---- partner locations --------------------------------------------------------- */

static void read_location(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_location *l = row;
  sq_col_copy(s, 0, l->tenant_id, sizeof l->tenant_id);
  sq_col_copy(s, 1, l->org_id, sizeof l->org_id);
  sq_col_copy(s, 2, l->mpn_id, sizeof l->mpn_id);
  l->company_name = sq_col_text(s, 3, a);
  sq_col_copy(s, 4, l->country, sizeof l->country);
  l->address.line1 = sq_col_text(s, 5, a);
  l->address.line2 = sq_col_text(s, 6, a);
  l->address.city = sq_col_text(s, 7, a);
  l->address.state = sq_col_text(s, 8, a);
  l->address.postal_code = sq_col_text(s, 9, a);
  l->contact.first_name = sq_col_text(s, 10, a);
  l->contact.last_name = sq_col_text(s, 11, a);
  l->contact.email = sq_col_text(s, 12, a);
  l->contact.phone = sq_col_text(s, 13, a);
  l->version = sqlite3_column_int64(s, 14);
  l->created_ms = sqlite3_column_int64(s, 15);
}

static void bind_location(sqlite3_stmt *s, const struct cspd_location *in) {
  sq_bind_text(s, 1, in->tenant_id);
  sq_bind_text(s, 2, in->org_id);
  sq_bind_text(s, 3, in->mpn_id);
  sq_bind_text(s, 4, in->company_name);
  sq_bind_text(s, 5, in->country);
  sq_bind_text(s, 6, in->address.line1);
  sq_bind_text(s, 7, in->address.line2);
  sq_bind_text(s, 8, in->address.city);
  sq_bind_text(s, 9, in->address.state);
  sq_bind_text(s, 10, in->address.postal_code);
  sq_bind_text(s, 11, in->contact.first_name);
  sq_bind_text(s, 12, in->contact.last_name);
  sq_bind_text(s, 13, in->contact.email);
  sq_bind_text(s, 14, in->contact.phone);
}

static int sq_location_insert(struct cspd_db *db, const struct cspd_location *in) {
  sqlite3_stmt *s = stmt(db, ST_LOC_INSERT);
  if (s == NULL)
    return CSPD_STORE_ERROR;
  bind_location(s, in);
  sqlite3_bind_int64(s, 16, in->created_ms);
  return sq_exec(db, s, "location_insert");
}

static int sq_location_update(struct cspd_db *db, const struct cspd_location *in) {
  sqlite3_stmt *s = stmt(db, ST_LOC_UPDATE);
  if (s == NULL)
    return CSPD_STORE_ERROR;
  bind_location(s, in);
  sqlite3_bind_int64(s, 15, in->version);
  return sq_exec_update(db, s, "location_update");
}

static int sq_location_get(struct cspd_db *db, const char *tenant_id, struct cspd_arena *a,
                           struct cspd_location *out) {
  return get_one(db, ST_LOC_GET, tenant_id, read_location, a, out, "location_get");
}

static int sq_location_get_by_mpn(struct cspd_db *db, const char *mpn, struct cspd_arena *a,
                                  struct cspd_location *out) {
  return get_one(db, ST_LOC_GET_BY_MPN, mpn, read_location, a, out, "location_get_by_mpn");
}

static int sq_location_list(struct cspd_db *db, const char *org_id, const char *after, int limit,
                            struct cspd_arena *a, struct cspd_location **out, int *n) {
  sqlite3_stmt *s = stmt(db, ST_LOC_LIST);
  if (s == NULL)
    return CSPD_STORE_ERROR;
  sq_bind_text(s, 1, org_id);
  sq_bind_text(s, 2, after ? after : "");
  sqlite3_bind_int(s, 3, limit);
  return sq_list_rows(db, s, limit, sizeof **out, read_location, a, (void **)out, n,
                      "location_list");
}

/* ---- customers -------------------------------------------------------------------- */

void sq_read_customer(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_customer *c = row;
  sq_col_copy(s, 0, c->tenant_id, sizeof c->tenant_id);
  c->company_name = sq_col_text(s, 1, a);
  c->domain = sq_col_text(s, 2, a);
  sq_col_copy(s, 3, c->country, sizeof c->country);
  c->version = sqlite3_column_int64(s, 4);
  c->created_ms = sqlite3_column_int64(s, 5);
  c->billing_json = sq_col_text(s, 6, a);
  c->billing_version = sqlite3_column_int64(s, 7);
  c->owner_org_id = sq_col_text(s, 8, a);
  c->created_by = sq_col_text(s, 9, a);
}

static int sq_customer_insert(struct cspd_db *db, const struct cspd_customer *in) {
  sqlite3_stmt *s = stmt(db, ST_CUSTOMER_INSERT);
  if (s == NULL)
    return CSPD_STORE_ERROR;
  sq_bind_text(s, 1, in->tenant_id);
  sq_bind_text(s, 2, in->company_name);
  sq_bind_text(s, 3, in->domain);
  sq_bind_text(s, 4, in->country);
  sqlite3_bind_int64(s, 5, in->created_ms);
  sq_bind_text(s, 6, in->billing_json);
  sq_bind_text(s, 7, in->owner_org_id);
  sq_bind_text(s, 8, in->created_by);
  return sq_exec(db, s, "customer_insert");
}

static int sq_customer_get(struct cspd_db *db, const char *tenant_id, struct cspd_arena *a,
                           struct cspd_customer *out) {
  return get_one(db, ST_CUSTOMER_GET, tenant_id, sq_read_customer, a, out, "customer_get");
}

/* ---- users and apps --------------------------------------------------------------- */

static void read_user(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_user *u = row;
  sq_col_copy(s, 0, u->id, sizeof u->id);
  sq_col_copy(s, 1, u->tenant_id, sizeof u->tenant_id);
  u->email = sq_col_text(s, 2, a);
  u->display_name = sq_col_text(s, 3, a);
  u->password_hash = sq_col_text(s, 4, a);
  u->roles = (unsigned)sqlite3_column_int(s, 5);
  u->sandbox_only = sqlite3_column_int(s, 6) != 0;
  u->created_ms = sqlite3_column_int64(s, 7);
}

static int sq_user_insert(struct cspd_db *db, const struct cspd_user *in) {
  sqlite3_stmt *s = stmt(db, ST_USER_INSERT);
  if (s == NULL)
    return CSPD_STORE_ERROR;
  sq_bind_text(s, 1, in->id);
  sq_bind_text(s, 2, in->tenant_id);
  sq_bind_text(s, 3, in->email);
  sq_bind_text(s, 4, in->display_name);
  sq_bind_text(s, 5, in->password_hash);
  sqlite3_bind_int(s, 6, (int)in->roles);
  sqlite3_bind_int(s, 7, in->sandbox_only);
  sqlite3_bind_int64(s, 8, in->created_ms);
  return sq_exec(db, s, "user_insert");
}

static int sq_user_get(struct cspd_db *db, const char *id, struct cspd_arena *a,
                       struct cspd_user *out) {
  return get_one(db, ST_USER_GET, id, read_user, a, out, "user_get");
}

static int sq_user_get_by_email(struct cspd_db *db, const char *email, struct cspd_arena *a,
                                struct cspd_user *out) {
  return get_one(db, ST_USER_GET_BY_EMAIL, email, read_user, a, out, "user_get_by_email");
}

static int sq_user_list(struct cspd_db *db, const char *tenant_id, const char *after, int limit,
                        struct cspd_arena *a, struct cspd_user **out, int *n) {
  sqlite3_stmt *s = stmt(db, ST_USER_LIST);
  if (s == NULL)
    return CSPD_STORE_ERROR;
  sq_bind_text(s, 1, tenant_id);
  sq_bind_text(s, 2, after ? after : "");
  sqlite3_bind_int(s, 3, limit);
  return sq_list_rows(db, s, limit, sizeof **out, read_user, a, (void **)out, n, "user_list");
}

static void read_app(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_app *p = row;
  sq_col_copy(s, 0, p->client_id, sizeof p->client_id);
  sq_col_copy(s, 1, p->tenant_id, sizeof p->tenant_id);
  p->display_name = sq_col_text(s, 2, a);
  p->secret_hash = sq_col_text(s, 3, a);
  p->roles = (unsigned)sqlite3_column_int(s, 4);
  p->sandbox_only = sqlite3_column_int(s, 5) != 0;
  p->created_ms = sqlite3_column_int64(s, 6);
}

static int sq_app_insert(struct cspd_db *db, const struct cspd_app *in) {
  sqlite3_stmt *s = stmt(db, ST_APP_INSERT);
  if (s == NULL)
    return CSPD_STORE_ERROR;
  sq_bind_text(s, 1, in->client_id);
  sq_bind_text(s, 2, in->tenant_id);
  sq_bind_text(s, 3, in->display_name);
  sq_bind_text(s, 4, in->secret_hash);
  sqlite3_bind_int(s, 5, (int)in->roles);
  sqlite3_bind_int(s, 6, in->sandbox_only);
  sqlite3_bind_int64(s, 7, in->created_ms);
  return sq_exec(db, s, "app_insert");
}

static int sq_app_get(struct cspd_db *db, const char *client_id, struct cspd_arena *a,
                      struct cspd_app *out) {
  return get_one(db, ST_APP_GET, client_id, read_app, a, out, "app_get");
}

/* ---- partnerships --------------------------------------------------------------- */

static void read_partnership(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_partnership *p = row;
  sq_col_copy(s, 0, p->provider_tenant_id, sizeof p->provider_tenant_id);
  sq_col_copy(s, 1, p->reseller_tenant_id, sizeof p->reseller_tenant_id);
  p->state = sq_col_text(s, 2, a);
  p->created_ms = sqlite3_column_int64(s, 3);
}

static int sq_partnership_insert(struct cspd_db *db, const struct cspd_partnership *in) {
  sqlite3_stmt *s = stmt(db, ST_PARTNERSHIP_INSERT);
  if (s == NULL)
    return CSPD_STORE_ERROR;
  sq_bind_text(s, 1, in->provider_tenant_id);
  sq_bind_text(s, 2, in->reseller_tenant_id);
  sq_bind_text(s, 3, in->state ? in->state : "active");
  sqlite3_bind_int64(s, 4, in->created_ms);
  return sq_exec(db, s, "partnership_insert");
}

static int sq_partnership_list(struct cspd_db *db, const char *tenant_id,
                               enum cspd_partnership_side side, const char *after, int limit,
                               struct cspd_arena *a, struct cspd_partnership **out, int *n) {
  sqlite3_stmt *s = stmt(db, side == CSPD_SIDE_PROVIDER ? ST_PARTNERSHIP_LIST_PROVIDER
                                                        : ST_PARTNERSHIP_LIST_RESELLER);
  if (s == NULL)
    return CSPD_STORE_ERROR;
  sq_bind_text(s, 1, tenant_id);
  sq_bind_text(s, 2, after ? after : "");
  sqlite3_bind_int(s, 3, limit);
  return sq_list_rows(db, s, limit, sizeof **out, read_partnership, a, (void **)out, n,
                      "partnership_list");
}

/* ---- audit ------------------------------------------------------------------------ */

static int sq_audit_insert(struct cspd_db *db, const struct cspd_audit *in) {
  sqlite3_stmt *s = stmt(db, ST_AUDIT_INSERT);
  if (s == NULL)
    return CSPD_STORE_ERROR;
  sqlite3_bind_int64(s, 1, in->ts_ms);
  sq_bind_text(s, 2, in->tenant_id);
  sq_bind_text(s, 3, in->user_id);
  sq_bind_text(s, 4, in->app_id);
  sq_bind_text(s, 5, in->operation);
  sq_bind_text(s, 6, in->resource_type);
  sq_bind_text(s, 7, in->resource_id);
  sq_bind_text(s, 8, in->before_json);
  sq_bind_text(s, 9, in->after_json);
  sq_bind_text(s, 10, in->request_id);
  sq_bind_text(s, 11, in->correlation_id);
  return sq_exec(db, s, "audit_insert");
}

/* ---- sandbox resets ----------------------------------------------------------------- */

static int sq_reset_all(struct cspd_db *db) {
  static const enum stmt_id seq[] = {
      ST_RESET_ALL_TENANTS,   ST_RESET_ALL_ORGS,      ST_RESET_ALL_IDEM,
      ST_RESET_ALL_AUDIT,     ST_RESET_SANDBOX_USERS, ST_RESET_SANDBOX_APPS,
      ST_RESET_NOTIFICATIONS, ST_RESET_JOBS,          ST_RESET_FX,
      ST_RESET_OFFERS,        ST_RESET_SETTINGS};
  for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
    sqlite3_stmt *s = stmt(db, seq[i]);
    if (s == NULL)
      return CSPD_STORE_ERROR;
    int rc = sq_exec(db, s, "reset_all");
    if (rc != 0)
      return rc;
  }
  return 0;
}

static int sq_reset_org(struct cspd_db *db, const char *org_id) {
  static const enum stmt_id first[] = {ST_RESET_ORG_NOTIFICATIONS, ST_RESET_ORG_SUBS,
                                       ST_RESET_ORG_ORDERS};
  sqlite3_stmt *s;
  for (size_t i = 0; i < sizeof first / sizeof first[0]; i++) {
    s = stmt(db, first[i]);
    if (s == NULL)
      return CSPD_STORE_ERROR;
    sq_bind_text(s, 1, org_id);
    int rc0 = sq_exec(db, s, "reset_org");
    if (rc0 != 0)
      return rc0;
  }
  s = stmt(db, ST_RESET_ORG_TENANTS);
  if (s == NULL)
    return CSPD_STORE_ERROR;
  sq_bind_text(s, 1, org_id);
  int rc = sq_exec(db, s, "reset_org");
  if (rc != 0)
    return rc;
  s = stmt(db, ST_RESET_ORG);
  if (s == NULL)
    return CSPD_STORE_ERROR;
  sq_bind_text(s, 1, org_id);
  rc = sq_exec(db, s, "reset_org");
  if (rc != 0)
    return rc;
  return sqlite3_changes(db->conn) > 0 ? 0 : CSPD_STORE_NOTFOUND;
}

/* ---- opening and migrations ------------------------------------------------------ */

/** No global memory statistics: every allocation would take SQLite's one
 * global mutex, which the worker threads then contend on. */
static void sq_global_init(void) {
  sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  sqlite3_initialize();
}

#define OPS_BODY                                                                                   \
  .session = sq_session, .close = sq_close, .begin = sq_begin, .commit = sq_commit,                \
  .rollback = sq_rollback, .schema_version = sq_schema_version, .setting_get = sq_setting_get,     \
  .setting_put = sq_setting_put, .idem_get = sq_idem_get, .idem_put = sq_idem_put,                 \
  .idem_purge = sq_idem_purge, .tenant_insert = sq_tenant_insert, .tenant_get = sq_tenant_get,     \
  .tenant_operator = sq_tenant_operator, .org_insert = sq_org_insert, .org_update = sq_org_update, \
  .location_update = sq_location_update, .org_get = sq_org_get,                                    \
  .org_get_by_mpn = sq_org_get_by_mpn, .org_list = sq_org_list,                                    \
  .location_insert = sq_location_insert, .location_get = sq_location_get,                          \
  .location_get_by_mpn = sq_location_get_by_mpn, .location_list = sq_location_list,                \
  .customer_insert = sq_customer_insert, .customer_get = sq_customer_get,                          \
  .user_insert = sq_user_insert, .user_get = sq_user_get,                                          \
  .user_get_by_email = sq_user_get_by_email, .user_list = sq_user_list,                            \
  .app_insert = sq_app_insert, .app_get = sq_app_get, .partnership_insert = sq_partnership_insert, \
  .partnership_list = sq_partnership_list, .audit_insert = sq_audit_insert,                        \
  .reset_all = sq_reset_all, .reset_org = sq_reset_org, SQ_MODULE_OPS

static const struct cspd_store_ops sqlite_ops = {.kind = "sqlite", OPS_BODY};
static const struct cspd_store_ops memory_ops = {.kind = "memory", OPS_BODY};

/** Apply pending migrations in one IMMEDIATE transaction; refuse a newer
 * schema. */
static int migrate(sqlite3 *conn, char *errbuf, size_t errlen) {
  char *msg = NULL;
  if (sqlite3_exec(conn,
                   "BEGIN IMMEDIATE;"
                   "CREATE TABLE IF NOT EXISTS schema_migrations ("
                   " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                   " applied_ms INTEGER NOT NULL)",
                   NULL, NULL, &msg) != SQLITE_OK) {
    snprintf(errbuf, errlen, "cannot start migration: %s", msg ? msg : "?");
    sqlite3_free(msg);
    sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
    return -1;
  }
  sqlite3_stmt *s = NULL;
  int current = 0;
  if (sqlite3_prepare_v2(conn, "SELECT COALESCE(MAX(version),0) FROM schema_migrations", -1, &s,
                         NULL) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW)
    current = sqlite3_column_int(s, 0);
  sqlite3_finalize(s);
  if (current > cspd_sqlite_migrations_count) {
    snprintf(errbuf, errlen,
             "the store's schema (version %d) is newer than this cspd knows (version %d): "
             "run a newer cspd, or restore a backup made for this version",
             current, cspd_sqlite_migrations_count);
    sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
    return -1;
  }
  for (int i = current; i < cspd_sqlite_migrations_count; i++) {
    const struct cspd_migration *m = &cspd_sqlite_migrations[i];
    if (sqlite3_exec(conn, m->sql, NULL, NULL, &msg) != SQLITE_OK) {
      snprintf(errbuf, errlen, "migration %04d-%s failed: %s", m->version, m->name,
               msg ? msg : "?");
      sqlite3_free(msg);
      sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
      return -1;
    }
    char rec[256];
    snprintf(rec, sizeof rec,
             "INSERT INTO schema_migrations(version, name, applied_ms) VALUES "
             "(%d, '%s', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER))",
             m->version, m->name);
    if (sqlite3_exec(conn, rec, NULL, NULL, &msg) != SQLITE_OK) {
      snprintf(errbuf, errlen, "recording migration %d: %s", m->version, msg ? msg : "?");
      sqlite3_free(msg);
      sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
      return -1;
    }
  }
  if (sqlite3_exec(conn, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
    snprintf(errbuf, errlen, "committing migrations: %s", msg ? msg : "?");
    sqlite3_free(msg);
    sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
    return -1;
  }
  return 0;
}

static int parse_options(struct sq_store *sq, const char *options, char *errbuf, size_t errlen) {
  sq->mmap_size = 268435456LL; /* 256 MiB: keeps hot pages mapped */
  if (options == NULL)
    return 0;
  char buf[256];
  snprintf(buf, sizeof buf, "%s", options);
  char *save = NULL;
  for (char *kv = strtok_r(buf, "&", &save); kv != NULL; kv = strtok_r(NULL, "&", &save)) {
    if (strcmp(kv, "synchronous=normal") == 0)
      sq->sync_normal = true;
    else if (strcmp(kv, "synchronous=full") == 0)
      sq->sync_normal = false;
    else if (strncmp(kv, "mmap=", 5) == 0)
      sq->mmap_size = atoll(kv + 5);
    else {
      snprintf(errbuf, errlen,
               "unknown sqlite option '%s' (known: synchronous=full|normal, mmap=BYTES)", kv);
      return -1;
    }
  }
  return 0;
}

int cspd_sqlite_open(const char *path, bool memory, const char *options, struct cspd_store **out,
                     char *errbuf, size_t errlen) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, sq_global_init);
  if (!sqlite3_threadsafe()) {
    snprintf(errbuf, errlen, "this SQLite library is built without thread support");
    return -1;
  }
  struct sq_store *sq = calloc(1, sizeof *sq);
  if (sq == NULL)
    return -1;
  sq->pub.ops = memory ? &memory_ops : &sqlite_ops;
  sq->pub.impl = sq;
  sq->memory = memory;
  sq->path = path ? strdup(path) : NULL;
  pthread_mutex_init(&sq->lock, NULL);
  pthread_mutex_init(&sq->mem_lock, NULL);
  pthread_key_create(&sq->key, NULL);
  if (parse_options(sq, options, errbuf, errlen) != 0) {
    sq_close(&sq->pub);
    return -1;
  }
  sqlite3 *conn;
  if (conn_open(sq, &conn, errbuf, errlen) != 0) {
    sq_close(&sq->pub);
    return -1;
  }
  if (!memory) {
    char *msg = NULL;
    sqlite3_stmt *s = NULL;
    const char *mode = NULL;
    if (sqlite3_prepare_v2(conn, "PRAGMA journal_mode = WAL", -1, &s, NULL) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW)
      mode = (const char *)sqlite3_column_text(s, 0);
    if (mode == NULL || strcmp(mode, "wal") != 0) {
      snprintf(errbuf, errlen, "cannot put %s in WAL mode: %s", path,
               msg ? msg : sqlite3_errmsg(conn));
      sqlite3_finalize(s);
      sqlite3_close(conn);
      sq_close(&sq->pub);
      return -1;
    }
    sqlite3_finalize(s);
  }
  if (migrate(conn, errbuf, errlen) != 0) {
    sqlite3_close(conn);
    sq_close(&sq->pub);
    return -1;
  }
  if (memory) {
    sq->shared = session_new(sq, conn);
  } else {
    /* the setup connection becomes the opening thread's session */
    struct cspd_db *db = session_new(sq, conn);
    db->next = sq->sessions;
    sq->sessions = db;
    pthread_setspecific(sq->key, db);
  }
  *out = &sq->pub;
  return 0;
}

sqlite3 *sq_conn(struct cspd_db *db) {
  return db->conn;
}
