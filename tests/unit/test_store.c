/* test_store.c -- the store interface over the SQLite backend, both as a
 * private in-memory store ("memory") and as a file store (sqlite:PATH in a
 * temporary directory): migrations, rows, paging, resets, transactions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/crypto.h"
#include "store/store.h"

/* ---- fixture ----------------------------------------------------------------------- */

struct fx {
  struct cspd_store *st;
  struct cspd_arena *a;
  struct cspd_db *db; /* inside begin()..commit() */
  bool in_tx;
  char dir[64];   /* "" for the memory store */
  char path[128]; /* the database file */
  char url[160];
};

static int open_store(struct fx *f) {
  char err[512] = "";
  if (cspd_store_open(f->url, &f->st, err, sizeof err) != 0) {
    print_error("cspd_store_open(%s): %s\n", f->url, err);
    return -1;
  }
  return 0;
}

static int setup_memory(void **state) {
  struct fx *f = calloc(1, sizeof *f);
  f->a = cspd_arena_new(0);
  snprintf(f->url, sizeof f->url, "memory");
  *state = f;
  return open_store(f);
}

static int setup_file(void **state) {
  struct fx *f = calloc(1, sizeof *f);
  f->a = cspd_arena_new(0);
  snprintf(f->dir, sizeof f->dir, "/tmp/cspd-unit-store-XXXXXX");
  if (mkdtemp(f->dir) == NULL)
    return -1;
  snprintf(f->path, sizeof f->path, "%s/cspd.db", f->dir);
  snprintf(f->url, sizeof f->url, "sqlite:%s", f->path);
  *state = f;
  return open_store(f);
}

static void remove_files(struct fx *f) {
  if (f->dir[0] == '\0')
    return;
  static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
  for (size_t i = 0; i < 4; i++) {
    char p[200];
    snprintf(p, sizeof p, "%s%s", f->path, suffixes[i]);
    unlink(p);
  }
  rmdir(f->dir);
}

static int teardown(void **state) {
  struct fx *f = *state;
  if (f->in_tx)
    cspd_db_ops(f->db)->rollback(f->db);
  cspd_store_close(f->st);
  remove_files(f);
  cspd_arena_free(f->a);
  free(f);
  return 0;
}

static const struct cspd_store_ops *begin(struct fx *f, bool write) {
  assert_int_equal(cspd_store_session(f->st, &f->db), 0);
  const struct cspd_store_ops *ops = cspd_db_ops(f->db);
  assert_int_equal(ops->begin(f->db, write), 0);
  f->in_tx = true;
  return ops;
}

static void commit(struct fx *f) {
  f->in_tx = false;
  assert_int_equal(cspd_db_ops(f->db)->commit(f->db), 0);
}

/* ---- rows ----------------------------------------------------------------------------- */

#define OPERATOR_ID "b0000000-0000-4000-8000-000000000001"
#define ORG1 "d0000000-0000-4000-8000-000000000001"
#define ORG2 "d0000000-0000-4000-8000-000000000002"
#define LOC1 "c0000000-0000-4000-8000-000000000001"
#define LOC2 "c0000000-0000-4000-8000-000000000002"
#define LOC3 "c0000000-0000-4000-8000-000000000003"
#define CUST1 "e0000000-0000-4000-8000-000000000001"
#define USER1 "a0000000-0000-4000-8000-000000000001"
#define USER2 "a0000000-0000-4000-8000-000000000002"
#define USER3 "a0000000-0000-4000-8000-000000000003"
#define APP1 "0a000000-0000-4000-8000-000000000001"
#define APP2 "0a000000-0000-4000-8000-000000000002"

static void guid_n(char out[37], char prefix, int n) {
  snprintf(out, 37, "%c0000000-0000-4000-8000-%012d", prefix, n);
}

static int put_tenant(struct cspd_db *db, const char *id, enum cspd_tenant_kind kind) {
  struct cspd_tenant t = {.kind = kind, .name = "tenant", .country = "NL", .created_ms = 1};
  if (kind == CSPD_TENANT_OPERATOR)
    t.country = NULL;
  snprintf(t.id, sizeof t.id, "%s", id);
  return cspd_db_ops(db)->tenant_insert(db, &t);
}

static int put_org(struct cspd_db *db, const char *id, const char *mpn) {
  struct cspd_org o = {.name = "Org", .version = 1, .created_ms = 2};
  snprintf(o.id, sizeof o.id, "%s", id);
  snprintf(o.mpn_id, sizeof o.mpn_id, "%s", mpn);
  return cspd_db_ops(db)->org_insert(db, &o);
}

/** A partner tenant and its location row. */
static int put_location(struct cspd_db *db, const char *tenant_id, const char *org_id,
                        const char *mpn) {
  int rc = put_tenant(db, tenant_id, CSPD_TENANT_PARTNER);
  if (rc != 0)
    return rc;
  struct cspd_location l = {
      .company_name = "Location B.V.",
      .country = "NL",
      .address = {.line1 = "Herengracht 100", .city = "Amsterdam", .postal_code = "1015 BS"},
      .contact = {.first_name = "Daan",
                  .last_name = "de Vries",
                  .email = "daan@example.test",
                  .phone = "+31"},
      .version = 1,
      .created_ms = 3};
  snprintf(l.tenant_id, sizeof l.tenant_id, "%s", tenant_id);
  snprintf(l.org_id, sizeof l.org_id, "%s", org_id);
  snprintf(l.mpn_id, sizeof l.mpn_id, "%s", mpn);
  return cspd_db_ops(db)->location_insert(db, &l);
}

static int put_user(struct cspd_db *db, const char *id, const char *tenant_id, const char *email,
                    bool sandbox_only) {
  struct cspd_user u = {.email = email,
                        .display_name = "User",
                        .password_hash = "$argon2id$fake",
                        .roles = CSPD_ROLE_ADMIN_AGENT,
                        .sandbox_only = sandbox_only,
                        .created_ms = 4};
  snprintf(u.id, sizeof u.id, "%s", id);
  snprintf(u.tenant_id, sizeof u.tenant_id, "%s", tenant_id);
  return cspd_db_ops(db)->user_insert(db, &u);
}

static int put_app(struct cspd_db *db, const char *client_id, const char *tenant_id,
                   bool sandbox_only) {
  struct cspd_app p = {.display_name = "App",
                       .secret_hash = "$argon2id$fake",
                       .roles = CSPD_ROLE_ADMIN_AGENT,
                       .sandbox_only = sandbox_only,
                       .created_ms = 5};
  snprintf(p.client_id, sizeof p.client_id, "%s", client_id);
  snprintf(p.tenant_id, sizeof p.tenant_id, "%s", tenant_id);
  return cspd_db_ops(db)->app_insert(db, &p);
}

/* ---- opening --------------------------------------------------------------------------- */

static void test_store_open_applies_migrations(void **state) {
  struct fx *f = *state;
  assert_true(cspd_store_binary_schema_version() >= 1);
  const struct cspd_store_ops *ops = begin(f, false);
  int v = -1;
  assert_int_equal(ops->schema_version(f->db, &v), 0);
  assert_int_equal(v, cspd_store_binary_schema_version());
  assert_string_equal(ops->kind, f->dir[0] ? "sqlite" : "memory");
  /* the schema is there: a table of the first migration is queryable */
  struct cspd_tenant t;
  assert_int_equal(ops->tenant_operator(f->db, f->a, &t), CSPD_STORE_NOTFOUND);
  commit(f);
}

static void test_store_file_reopen_keeps_data(void **state) {
  struct fx *f = *state;
  const struct cspd_store_ops *ops = begin(f, true);
  assert_int_equal(ops->setting_put(f->db, "signing_key", "k1"), 0);
  assert_int_equal(put_org(f->db, ORG1, "4100001"), 0);
  commit(f);
  cspd_store_close(f->st);
  f->st = NULL;
  assert_int_equal(open_store(f), 0);
  ops = begin(f, false);
  char *v = NULL;
  assert_int_equal(ops->setting_get(f->db, "signing_key", f->a, &v), 0);
  assert_string_equal(v, "k1");
  struct cspd_org o;
  assert_int_equal(ops->org_get(f->db, ORG1, f->a, &o), 0);
  assert_string_equal(o.mpn_id, "4100001");
  int ver = 0;
  assert_int_equal(ops->schema_version(f->db, &ver), 0);
  assert_int_equal(ver, cspd_store_binary_schema_version()); /* not applied twice */
  commit(f);
}

static void test_store_refuses_newer_schema(void **state) {
  struct fx *f = *state;
  cspd_store_close(f->st);
  f->st = NULL;
  sqlite3 *conn;
  assert_int_equal(sqlite3_open(f->path, &conn), SQLITE_OK);
  char sql[256];
  snprintf(sql, sizeof sql,
           "INSERT INTO schema_migrations(version, name, applied_ms) VALUES (%d, 'future', 0)",
           cspd_store_binary_schema_version() + 1);
  char *msg = NULL;
  int rc = sqlite3_exec(conn, sql, NULL, NULL, &msg);
  if (rc != SQLITE_OK)
    fail_msg("insert: %s", msg);
  sqlite3_close(conn);
  char err[512] = "";
  static struct cspd_store sentinel;
  struct cspd_store *s = &sentinel; /* must be reset to NULL */
  assert_int_equal(cspd_store_open(f->url, &s, err, sizeof err), -1);
  assert_null(s);
  assert_non_null(strstr(err, "newer"));
}

static void test_store_refuses_unknown_urls(void **state) {
  (void)state;
  static const struct {
    const char *url, *needle;
  } cases[] = {
      {"mysql://db.example/cspd", "unknown store"},
      {"sqlite3:/tmp/x.db", "unknown store"},
      {"postgres://cspd@localhost/cspd", "PostgreSQL"},
      {"postgresql://cspd@localhost/cspd", "PostgreSQL"},
      {"", "no store given"},
      {"sqlite:", "needs a path"},
      {"sqlite:/tmp/cspd-unit-never.db?bogus=1", "unknown sqlite option"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char err[512] = "";
    struct cspd_store *s = NULL;
    if (cspd_store_open(cases[i].url, &s, err, sizeof err) != -1)
      fail_msg("'%s' was accepted", cases[i].url);
    assert_null(s);
    if (strstr(err, cases[i].needle) == NULL)
      fail_msg("'%s': message '%s' lacks '%s'", cases[i].url, err, cases[i].needle);
  }
  char err[512] = "";
  struct cspd_store *s = NULL;
  assert_int_equal(cspd_store_open(NULL, &s, err, sizeof err), -1);
  assert_true(err[0] != '\0');
}

/* ---- settings and idempotency ---------------------------------------------------------- */

static void test_store_settings_get_put(void **state) {
  struct fx *f = *state;
  const struct cspd_store_ops *ops = begin(f, true);
  char *v = NULL;
  assert_int_equal(ops->setting_get(f->db, "clock", f->a, &v), CSPD_STORE_NOTFOUND);
  assert_int_equal(ops->setting_put(f->db, "clock", "0 1 1795341600000"), 0);
  assert_int_equal(ops->setting_get(f->db, "clock", f->a, &v), 0);
  assert_string_equal(v, "0 1 1795341600000");
  assert_int_equal(ops->setting_put(f->db, "clock", "5 0 0"), 0); /* upsert */
  assert_int_equal(ops->setting_get(f->db, "clock", f->a, &v), 0);
  assert_string_equal(v, "5 0 0");
  assert_int_equal(ops->setting_get(f->db, "Clock", f->a, &v), CSPD_STORE_NOTFOUND);
  commit(f);
}

static void test_store_idempotency_put_get(void **state) {
  struct fx *f = *state;
  const struct cspd_store_ops *ops = begin(f, true);
  static const char body[] = "{\"id\":\"x\"}\0tail"; /* bytes, not a C string */
  struct cspd_idem in = {.scope = LOC1,
                         .request_id = "req-1",
                         .method = "POST",
                         .path = "/v1/partners",
                         .status = 201,
                         .body = body,
                         .body_len = sizeof body - 1,
                         .etag = "W/\"1\"",
                         .created_ms = 1000};
  assert_int_equal(ops->idem_put(f->db, &in), 0);
  struct cspd_idem out;
  assert_int_equal(ops->idem_get(f->db, LOC1, "req-1", f->a, &out), 0);
  assert_string_equal(out.method, "POST");
  assert_string_equal(out.path, "/v1/partners");
  assert_int_equal(out.status, 201);
  assert_int_equal(out.body_len, sizeof body - 1);
  assert_memory_equal(out.body, body, sizeof body - 1);
  assert_string_equal(out.etag, "W/\"1\"");
  assert_int_equal(out.created_ms, 1000);
  /* scoped by tenant */
  assert_int_equal(ops->idem_get(f->db, LOC2, "req-1", f->a, &out), CSPD_STORE_NOTFOUND);
  assert_int_equal(ops->idem_get(f->db, LOC1, "req-2", f->a, &out), CSPD_STORE_NOTFOUND);
  assert_int_equal(ops->idem_put(f->db, &in), CSPD_STORE_CONFLICT);
  /* no etag */
  in.request_id = "req-2";
  in.etag = NULL;
  in.created_ms = 5000;
  assert_int_equal(ops->idem_put(f->db, &in), 0);
  assert_int_equal(ops->idem_get(f->db, LOC1, "req-2", f->a, &out), 0);
  assert_null(out.etag);
  /* purge removes the older one only */
  assert_int_equal(ops->idem_purge(f->db, 2000), 0);
  assert_int_equal(ops->idem_get(f->db, LOC1, "req-1", f->a, &out), CSPD_STORE_NOTFOUND);
  assert_int_equal(ops->idem_get(f->db, LOC1, "req-2", f->a, &out), 0);
  commit(f);
}

/* ---- tenants, organizations, locations, customers ------------------------------------ */

static void test_store_tenant_operator_is_unique(void **state) {
  struct fx *f = *state;
  const struct cspd_store_ops *ops = begin(f, true);
  struct cspd_tenant t;
  assert_int_equal(ops->tenant_operator(f->db, f->a, &t), CSPD_STORE_NOTFOUND);
  assert_int_equal(put_tenant(f->db, OPERATOR_ID, CSPD_TENANT_OPERATOR), 0);
  assert_int_equal(ops->tenant_operator(f->db, f->a, &t), 0);
  assert_string_equal(t.id, OPERATOR_ID);
  assert_int_equal(t.kind, CSPD_TENANT_OPERATOR);
  assert_null(t.country);
  assert_int_equal(put_tenant(f->db, "b0000000-0000-4000-8000-000000000002", CSPD_TENANT_OPERATOR),
                   CSPD_STORE_CONFLICT);
  assert_int_equal(put_tenant(f->db, OPERATOR_ID, CSPD_TENANT_PARTNER), CSPD_STORE_CONFLICT);
  assert_int_equal(ops->tenant_get(f->db, LOC1, f->a, &t), CSPD_STORE_NOTFOUND);
  commit(f);
}

static void test_store_org_insert_get_conflict(void **state) {
  struct fx *f = *state;
  const struct cspd_store_ops *ops = begin(f, true);
  assert_int_equal(put_org(f->db, ORG1, "4100001"), 0);
  struct cspd_org o;
  assert_int_equal(ops->org_get(f->db, ORG1, f->a, &o), 0);
  assert_string_equal(o.id, ORG1);
  assert_string_equal(o.mpn_id, "4100001");
  assert_string_equal(o.name, "Org");
  assert_int_equal(o.version, 1);
  assert_int_equal(o.created_ms, 2);
  memset(&o, 0, sizeof o);
  assert_int_equal(ops->org_get_by_mpn(f->db, "4100001", f->a, &o), 0);
  assert_string_equal(o.id, ORG1);
  assert_int_equal(ops->org_get(f->db, ORG2, f->a, &o), CSPD_STORE_NOTFOUND);
  assert_int_equal(ops->org_get_by_mpn(f->db, "4100002", f->a, &o), CSPD_STORE_NOTFOUND);
  assert_int_equal(put_org(f->db, ORG2, "4100001"), CSPD_STORE_CONFLICT); /* same mpn */
  assert_int_equal(put_org(f->db, ORG1, "4100009"), CSPD_STORE_CONFLICT); /* same id */
  commit(f);
}

static void test_store_location_insert_get_conflict(void **state) {
  struct fx *f = *state;
  const struct cspd_store_ops *ops = begin(f, true);
  assert_int_equal(put_org(f->db, ORG1, "4100001"), 0);
  assert_int_equal(put_location(f->db, LOC1, ORG1, "4100011"), 0);
  struct cspd_location l;
  assert_int_equal(ops->location_get(f->db, LOC1, f->a, &l), 0);
  assert_string_equal(l.tenant_id, LOC1);
  assert_string_equal(l.org_id, ORG1);
  assert_string_equal(l.mpn_id, "4100011");
  assert_string_equal(l.company_name, "Location B.V.");
  assert_string_equal(l.country, "NL");
  assert_string_equal(l.address.line1, "Herengracht 100");
  assert_null(l.address.line2);
  assert_string_equal(l.address.city, "Amsterdam");
  assert_string_equal(l.address.postal_code, "1015 BS");
  assert_string_equal(l.contact.first_name, "Daan");
  assert_string_equal(l.contact.last_name, "de Vries");
  assert_string_equal(l.contact.email, "daan@example.test");
  assert_string_equal(l.contact.phone, "+31");
  assert_int_equal(l.version, 1);
  assert_int_equal(l.created_ms, 3);
  memset(&l, 0, sizeof l);
  assert_int_equal(ops->location_get_by_mpn(f->db, "4100011", f->a, &l), 0);
  assert_string_equal(l.tenant_id, LOC1);
  assert_int_equal(ops->location_get(f->db, LOC2, f->a, &l), CSPD_STORE_NOTFOUND);
  assert_int_equal(ops->location_get_by_mpn(f->db, "4100001", f->a, &l), CSPD_STORE_NOTFOUND);
  assert_int_equal(put_location(f->db, LOC2, ORG1, "4100011"), CSPD_STORE_CONFLICT);
  struct cspd_tenant t;
  assert_int_equal(ops->tenant_get(f->db, LOC1, f->a, &t), 0);
  assert_int_equal(t.kind, CSPD_TENANT_PARTNER);
  assert_string_equal(t.country, "NL");
  commit(f);
}

static void test_store_customer_insert_get_conflict(void **state) {
  struct fx *f = *state;
  const struct cspd_store_ops *ops = begin(f, true);
  assert_int_equal(put_tenant(f->db, CUST1, CSPD_TENANT_CUSTOMER), 0);
  struct cspd_customer c = {
      .company_name = "Wingtip", .domain = "wingtip.test", .country = "NL", .created_ms = 9};
  snprintf(c.tenant_id, sizeof c.tenant_id, "%s", CUST1);
  assert_int_equal(ops->customer_insert(f->db, &c), 0);
  struct cspd_customer out;
  assert_int_equal(ops->customer_get(f->db, CUST1, f->a, &out), 0);
  assert_string_equal(out.company_name, "Wingtip");
  assert_string_equal(out.domain, "wingtip.test");
  assert_string_equal(out.country, "NL");
  assert_int_equal(ops->customer_get(f->db, LOC1, f->a, &out), CSPD_STORE_NOTFOUND);
  /* the domain is unique ignoring case */
  assert_int_equal(put_tenant(f->db, LOC1, CSPD_TENANT_CUSTOMER), 0);
  snprintf(c.tenant_id, sizeof c.tenant_id, "%s", LOC1);
  c.domain = "WingTip.TEST";
  assert_int_equal(ops->customer_insert(f->db, &c), CSPD_STORE_CONFLICT);
  commit(f);
}

/* ---- users and apps --------------------------------------------------------------------- */

static void test_store_user_insert_get_conflict(void **state) {
  struct fx *f = *state;
  const struct cspd_store_ops *ops = begin(f, true);
  assert_int_equal(put_tenant(f->db, LOC1, CSPD_TENANT_PARTNER), 0);
  assert_int_equal(put_user(f->db, USER1, LOC1, "Admin@Contoso.test", true), 0);
  struct cspd_user u;
  assert_int_equal(ops->user_get(f->db, USER1, f->a, &u), 0);
  assert_string_equal(u.id, USER1);
  assert_string_equal(u.tenant_id, LOC1);
  assert_string_equal(u.email, "Admin@Contoso.test");
  assert_string_equal(u.display_name, "User");
  assert_string_equal(u.password_hash, "$argon2id$fake");
  assert_int_equal(u.roles, CSPD_ROLE_ADMIN_AGENT);
  assert_true(u.sandbox_only);
  assert_int_equal(u.created_ms, 4);
  /* lookup by e-mail ignores case */
  memset(&u, 0, sizeof u);
  assert_int_equal(ops->user_get_by_email(f->db, "admin@contoso.TEST", f->a, &u), 0);
  assert_string_equal(u.id, USER1);
  assert_int_equal(ops->user_get_by_email(f->db, "nobody@contoso.test", f->a, &u),
                   CSPD_STORE_NOTFOUND);
  assert_int_equal(ops->user_get(f->db, USER2, f->a, &u), CSPD_STORE_NOTFOUND);
  /* e-mail is unique ignoring case */
  assert_int_equal(put_user(f->db, USER2, LOC1, "ADMIN@CONTOSO.TEST", false), CSPD_STORE_CONFLICT);
  assert_int_equal(put_user(f->db, USER1, LOC1, "other@contoso.test", false), CSPD_STORE_CONFLICT);
  assert_int_equal(put_user(f->db, USER2, LOC1, "other@contoso.test", false), 0);
  commit(f);
}

static void test_store_app_insert_get_conflict(void **state) {
  struct fx *f = *state;
  const struct cspd_store_ops *ops = begin(f, true);
  assert_int_equal(put_tenant(f->db, LOC1, CSPD_TENANT_PARTNER), 0);
  assert_int_equal(put_app(f->db, APP1, LOC1, true), 0);
  struct cspd_app p;
  assert_int_equal(ops->app_get(f->db, APP1, f->a, &p), 0);
  assert_string_equal(p.client_id, APP1);
  assert_string_equal(p.tenant_id, LOC1);
  assert_string_equal(p.display_name, "App");
  assert_string_equal(p.secret_hash, "$argon2id$fake");
  assert_int_equal(p.roles, CSPD_ROLE_ADMIN_AGENT);
  assert_true(p.sandbox_only);
  assert_int_equal(ops->app_get(f->db, APP2, f->a, &p), CSPD_STORE_NOTFOUND);
  assert_int_equal(put_app(f->db, APP1, LOC1, false), CSPD_STORE_CONFLICT);
  commit(f);
}

/* ---- paging ------------------------------------------------------------------------------ */

static void test_store_org_list_pages_with_after(void **state) {
  struct fx *f = *state;
  const struct cspd_store_ops *ops = begin(f, true);
  /* inserted out of order; listed by id */
  const int order[] = {3, 1, 5, 2, 4};
  for (int i = 0; i < 5; i++) {
    char id[37], mpn[16];
    guid_n(id, 'd', order[i]);
    snprintf(mpn, sizeof mpn, "410000%d", order[i]);
    assert_int_equal(put_org(f->db, id, mpn), 0);
  }
  struct cspd_org *rows;
  int n = -1;
  char after[37] = "";
  int seen = 0;
  for (int page = 0; page < 3; page++) {
    assert_int_equal(ops->org_list(f->db, after, 2, f->a, &rows, &n), 0);
    assert_int_equal(n, page < 2 ? 2 : 1);
    for (int i = 0; i < n; i++) {
      char want[37];
      guid_n(want, 'd', ++seen);
      assert_string_equal(rows[i].id, want);
    }
    snprintf(after, sizeof after, "%s", rows[n - 1].id);
  }
  assert_int_equal(ops->org_list(f->db, after, 2, f->a, &rows, &n), 0);
  assert_int_equal(n, 0);
  assert_int_equal(ops->org_list(f->db, "", 100, f->a, &rows, &n), 0);
  assert_int_equal(n, 5);
  commit(f);
}

static void test_store_location_and_user_list_page_within_owner(void **state) {
  struct fx *f = *state;
  const struct cspd_store_ops *ops = begin(f, true);
  assert_int_equal(put_org(f->db, ORG1, "4100001"), 0);
  assert_int_equal(put_org(f->db, ORG2, "4200001"), 0);
  assert_int_equal(put_location(f->db, LOC3, ORG1, "4100013"), 0);
  assert_int_equal(put_location(f->db, LOC1, ORG1, "4100011"), 0);
  assert_int_equal(put_location(f->db, LOC2, ORG2, "4200012"), 0);
  struct cspd_location *locs;
  int n;
  assert_int_equal(ops->location_list(f->db, ORG1, "", 1, f->a, &locs, &n), 0);
  assert_int_equal(n, 1);
  assert_string_equal(locs[0].tenant_id, LOC1);
  assert_int_equal(ops->location_list(f->db, ORG1, LOC1, 10, f->a, &locs, &n), 0);
  assert_int_equal(n, 1);
  assert_string_equal(locs[0].tenant_id, LOC3);
  assert_string_equal(locs[0].mpn_id, "4100013");
  assert_int_equal(ops->location_list(f->db, ORG2, "", 10, f->a, &locs, &n), 0);
  assert_int_equal(n, 1);
  assert_string_equal(locs[0].tenant_id, LOC2);

  assert_int_equal(put_user(f->db, USER3, LOC1, "u3@x.test", false), 0);
  assert_int_equal(put_user(f->db, USER1, LOC1, "u1@x.test", false), 0);
  assert_int_equal(put_user(f->db, USER2, LOC2, "u2@x.test", false), 0);
  struct cspd_user *users;
  assert_int_equal(ops->user_list(f->db, LOC1, "", 10, f->a, &users, &n), 0);
  assert_int_equal(n, 2);
  assert_string_equal(users[0].id, USER1);
  assert_string_equal(users[1].id, USER3);
  assert_int_equal(ops->user_list(f->db, LOC1, USER1, 10, f->a, &users, &n), 0);
  assert_int_equal(n, 1);
  assert_string_equal(users[0].id, USER3);
  assert_string_equal(users[0].email, "u3@x.test");
  commit(f);
}

static void test_store_partnerships_list_both_sides(void **state) {
  struct fx *f = *state;
  const struct cspd_store_ops *ops = begin(f, true);
  /* LOC1 provides to LOC2 and LOC3; LOC2 provides to LOC3 */
  assert_int_equal(put_tenant(f->db, LOC1, CSPD_TENANT_PARTNER), 0);
  assert_int_equal(put_tenant(f->db, LOC2, CSPD_TENANT_PARTNER), 0);
  assert_int_equal(put_tenant(f->db, LOC3, CSPD_TENANT_PARTNER), 0);
  const char *pairs[][2] = {{LOC1, LOC3}, {LOC1, LOC2}, {LOC2, LOC3}};
  for (int i = 0; i < 3; i++) {
    struct cspd_partnership p = {.state = "active", .created_ms = 7};
    snprintf(p.provider_tenant_id, sizeof p.provider_tenant_id, "%s", pairs[i][0]);
    snprintf(p.reseller_tenant_id, sizeof p.reseller_tenant_id, "%s", pairs[i][1]);
    assert_int_equal(ops->partnership_insert(f->db, &p), 0);
    assert_int_equal(ops->partnership_insert(f->db, &p), CSPD_STORE_CONFLICT);
  }
  struct cspd_partnership *rows;
  int n;
  assert_int_equal(ops->partnership_list(f->db, LOC1, CSPD_SIDE_PROVIDER, "", 10, f->a, &rows, &n),
                   0);
  assert_int_equal(n, 2);
  assert_string_equal(rows[0].reseller_tenant_id, LOC2);
  assert_string_equal(rows[1].reseller_tenant_id, LOC3);
  assert_string_equal(rows[0].provider_tenant_id, LOC1);
  assert_string_equal(rows[0].state, "active");
  assert_int_equal(
      ops->partnership_list(f->db, LOC1, CSPD_SIDE_PROVIDER, LOC2, 10, f->a, &rows, &n), 0);
  assert_int_equal(n, 1);
  assert_string_equal(rows[0].reseller_tenant_id, LOC3);
  assert_int_equal(ops->partnership_list(f->db, LOC3, CSPD_SIDE_RESELLER, "", 10, f->a, &rows, &n),
                   0);
  assert_int_equal(n, 2);
  assert_string_equal(rows[0].provider_tenant_id, LOC1);
  assert_string_equal(rows[1].provider_tenant_id, LOC2);
  assert_int_equal(ops->partnership_list(f->db, LOC3, CSPD_SIDE_RESELLER, "", 1, f->a, &rows, &n),
                   0);
  assert_int_equal(n, 1);
  assert_int_equal(ops->partnership_list(f->db, LOC3, CSPD_SIDE_PROVIDER, "", 10, f->a, &rows, &n),
                   0);
  assert_int_equal(n, 0);
  assert_int_equal(ops->partnership_list(f->db, LOC1, CSPD_SIDE_RESELLER, "", 10, f->a, &rows, &n),
                   0);
  assert_int_equal(n, 0);
  commit(f);
}

/* ---- resets and foreign keys ---------------------------------------------------------- */

static void test_store_reset_all_keeps_operator_only(void **state) {
  struct fx *f = *state;
  const struct cspd_store_ops *ops = begin(f, true);
  assert_int_equal(put_tenant(f->db, OPERATOR_ID, CSPD_TENANT_OPERATOR), 0);
  assert_int_equal(put_user(f->db, USER1, OPERATOR_ID, "op@x.test", false), 0);
  assert_int_equal(put_user(f->db, USER2, OPERATOR_ID, "demo-op@x.test", true), 0);
  assert_int_equal(put_app(f->db, APP1, OPERATOR_ID, false), 0);
  assert_int_equal(put_app(f->db, APP2, OPERATOR_ID, true), 0);
  assert_int_equal(put_org(f->db, ORG1, "4100001"), 0);
  assert_int_equal(put_location(f->db, LOC1, ORG1, "4100011"), 0);
  assert_int_equal(put_user(f->db, USER3, LOC1, "partner@x.test", false), 0);
  assert_int_equal(put_tenant(f->db, CUST1, CSPD_TENANT_CUSTOMER), 0);
  assert_int_equal(ops->setting_put(f->db, "signing_key", "k"), 0);
  commit(f);

  ops = begin(f, true);
  assert_int_equal(ops->reset_all(f->db), 0);
  commit(f);

  ops = begin(f, false);
  struct cspd_tenant t;
  struct cspd_user u;
  struct cspd_app p;
  struct cspd_org o;
  struct cspd_location l;
  char *v;
  assert_int_equal(ops->tenant_operator(f->db, f->a, &t), 0);
  assert_string_equal(t.id, OPERATOR_ID);
  assert_int_equal(ops->user_get(f->db, USER1, f->a, &u), 0);
  assert_int_equal(ops->user_get(f->db, USER2, f->a, &u), CSPD_STORE_NOTFOUND);
  assert_int_equal(ops->app_get(f->db, APP1, f->a, &p), 0);
  assert_int_equal(ops->app_get(f->db, APP2, f->a, &p), CSPD_STORE_NOTFOUND);
  assert_int_equal(ops->org_get(f->db, ORG1, f->a, &o), CSPD_STORE_NOTFOUND);
  assert_int_equal(ops->location_get(f->db, LOC1, f->a, &l), CSPD_STORE_NOTFOUND);
  assert_int_equal(ops->tenant_get(f->db, LOC1, f->a, &t), CSPD_STORE_NOTFOUND);
  assert_int_equal(ops->user_get(f->db, USER3, f->a, &u), CSPD_STORE_NOTFOUND);
  assert_int_equal(ops->tenant_get(f->db, CUST1, f->a, &t), CSPD_STORE_NOTFOUND);
  assert_int_equal(ops->setting_get(f->db, "signing_key", f->a, &v), 0);
  assert_string_equal(v, "k");
  commit(f);
}

static void test_store_reset_org_removes_only_that_org(void **state) {
  struct fx *f = *state;
  const struct cspd_store_ops *ops = begin(f, true);
  assert_int_equal(put_org(f->db, ORG1, "4100001"), 0);
  assert_int_equal(put_org(f->db, ORG2, "4200001"), 0);
  assert_int_equal(put_location(f->db, LOC1, ORG1, "4100011"), 0);
  assert_int_equal(put_location(f->db, LOC3, ORG1, "4100013"), 0);
  assert_int_equal(put_location(f->db, LOC2, ORG2, "4200011"), 0);
  assert_int_equal(put_user(f->db, USER1, LOC1, "u1@x.test", false), 0);
  assert_int_equal(put_user(f->db, USER2, LOC2, "u2@x.test", false), 0);
  assert_int_equal(put_app(f->db, APP1, LOC1, false), 0);
  struct cspd_partnership ps = {.state = "active"};
  snprintf(ps.provider_tenant_id, sizeof ps.provider_tenant_id, "%s", LOC2);
  snprintf(ps.reseller_tenant_id, sizeof ps.reseller_tenant_id, "%s", LOC1);
  assert_int_equal(ops->partnership_insert(f->db, &ps), 0);
  assert_int_equal(ops->reset_org(f->db, ORG1), 0);
  struct cspd_org o;
  struct cspd_location l;
  struct cspd_tenant t;
  struct cspd_user u;
  struct cspd_app p;
  assert_int_equal(ops->org_get(f->db, ORG1, f->a, &o), CSPD_STORE_NOTFOUND);
  assert_int_equal(ops->location_get(f->db, LOC1, f->a, &l), CSPD_STORE_NOTFOUND);
  assert_int_equal(ops->location_get(f->db, LOC3, f->a, &l), CSPD_STORE_NOTFOUND);
  assert_int_equal(ops->tenant_get(f->db, LOC1, f->a, &t), CSPD_STORE_NOTFOUND);
  assert_int_equal(ops->tenant_get(f->db, LOC3, f->a, &t), CSPD_STORE_NOTFOUND);
  assert_int_equal(ops->user_get(f->db, USER1, f->a, &u), CSPD_STORE_NOTFOUND);
  assert_int_equal(ops->app_get(f->db, APP1, f->a, &p), CSPD_STORE_NOTFOUND);
  /* the other organization is untouched (its partnership with the removed one goes) */
  assert_int_equal(ops->org_get(f->db, ORG2, f->a, &o), 0);
  assert_int_equal(ops->location_get(f->db, LOC2, f->a, &l), 0);
  assert_int_equal(ops->user_get(f->db, USER2, f->a, &u), 0);
  struct cspd_partnership *rows;
  int n = -1;
  assert_int_equal(ops->partnership_list(f->db, LOC2, CSPD_SIDE_PROVIDER, "", 10, f->a, &rows, &n),
                   0);
  assert_int_equal(n, 0);
  assert_int_equal(ops->reset_org(f->db, ORG1), CSPD_STORE_NOTFOUND);
  commit(f);
}

static void test_store_foreign_keys_are_enforced(void **state) {
  struct fx *f = *state;
  const struct cspd_store_ops *ops = begin(f, true);
  /* rows that point at nothing are refused */
  int rc = put_user(f->db, USER1, LOC1, "ghost@x.test", false);
  assert_int_not_equal(rc, 0);
  assert_int_not_equal(rc, CSPD_STORE_BUSY);
  assert_int_not_equal(put_location(f->db, LOC1, ORG1, "4100011"), 0); /* no org */
  /* deleting a tenant deletes its users and apps */
  assert_int_equal(put_org(f->db, ORG1, "4100001"), 0);
  struct cspd_location l;
  assert_int_equal(ops->location_get(f->db, LOC1, f->a, &l), CSPD_STORE_NOTFOUND);
  assert_int_equal(put_location(f->db, LOC2, ORG1, "4100012"), 0);
  assert_int_equal(put_user(f->db, USER2, LOC2, "u2@x.test", false), 0);
  assert_int_equal(put_app(f->db, APP2, LOC2, false), 0);
  assert_int_equal(ops->reset_org(f->db, ORG1), 0); /* deletes the tenants */
  struct cspd_user u;
  struct cspd_app p;
  assert_int_equal(ops->user_get(f->db, USER2, f->a, &u), CSPD_STORE_NOTFOUND);
  assert_int_equal(ops->app_get(f->db, APP2, f->a, &p), CSPD_STORE_NOTFOUND);
  commit(f);
}

/* ---- transactions -------------------------------------------------------------------------- */

struct counter_tx {
  struct cspd_arena *a;
  int calls;
  int busy_first; /* return BUSY on this many first calls */
  int result;     /* then return this */
};

/** Increment the "counter" setting; BUSY on the first runs. */
static int counter_fn(struct cspd_db *db, void *cls) {
  struct counter_tx *k = cls;
  const struct cspd_store_ops *ops = cspd_db_ops(db);
  k->calls++;
  char *v = NULL;
  int rc = ops->setting_get(db, "counter", k->a, &v);
  if (rc != 0 && rc != CSPD_STORE_NOTFOUND)
    return rc;
  char buf[32];
  snprintf(buf, sizeof buf, "%d", (v ? atoi(v) : 0) + 1);
  rc = ops->setting_put(db, "counter", buf);
  if (rc != 0)
    return rc;
  if (k->calls <= k->busy_first)
    return CSPD_STORE_BUSY;
  return k->result;
}

static int read_counter(struct fx *f) {
  const struct cspd_store_ops *ops = begin(f, false);
  char *v = NULL;
  int rc = ops->setting_get(f->db, "counter", f->a, &v);
  commit(f);
  if (rc == CSPD_STORE_NOTFOUND)
    return 0;
  assert_int_equal(rc, 0);
  return atoi(v);
}

static void test_store_tx_retries_busy_and_rolls_back_attempts(void **state) {
  struct fx *f = *state;
  struct counter_tx k = {.a = f->a, .busy_first = 2, .result = 0};
  int attempts = 0;
  uint64_t retries = f->st->tx_retries;
  assert_int_equal(cspd_store_tx(f->st, true, counter_fn, &k, &attempts), 0);
  assert_int_equal(attempts, 3);
  assert_int_equal(k.calls, 3);
  assert_int_equal(f->st->tx_retries - retries, 2);
  /* only the committed attempt's write remains */
  assert_int_equal(read_counter(f), 1);
  k = (struct counter_tx){.a = f->a};
  assert_int_equal(cspd_store_tx(f->st, true, counter_fn, &k, &attempts), 0);
  assert_int_equal(attempts, 1);
  assert_int_equal(read_counter(f), 2);
}

static void test_store_tx_failure_rolls_back(void **state) {
  struct fx *f = *state;
  uint64_t failed = f->st->tx_failed;
  struct counter_tx k = {.a = f->a, .result = -1};
  int attempts = 0;
  assert_int_equal(cspd_store_tx(f->st, true, counter_fn, &k, &attempts), -1);
  assert_int_equal(attempts, 1);
  assert_int_equal(read_counter(f), 0);
  /* another refusal code is passed through, not retried */
  k = (struct counter_tx){.a = f->a, .result = CSPD_STORE_CONFLICT};
  assert_int_equal(cspd_store_tx(f->st, true, counter_fn, &k, &attempts), CSPD_STORE_CONFLICT);
  assert_int_equal(attempts, 1);
  assert_int_equal(k.calls, 1);
  assert_int_equal(read_counter(f), 0);
  assert_int_equal(f->st->tx_failed - failed, 2);
  /* and the session is usable afterwards */
  k = (struct counter_tx){.a = f->a};
  assert_int_equal(cspd_store_tx(f->st, true, counter_fn, &k, NULL), 0);
  assert_int_equal(read_counter(f), 1);
}

static int always_busy_fn(struct cspd_db *db, void *cls) {
  (void)db;
  (*(int *)cls)++;
  return CSPD_STORE_BUSY;
}

/* store.h: at most 20 attempts; *attempts is "how many runs it took". */
static void test_store_tx_gives_up_after_20_attempts(void **state) {
  struct fx *f = *state;
  int calls = 0, attempts = 0;
  uint64_t failed = f->st->tx_failed;
  assert_int_equal(cspd_store_tx(f->st, true, always_busy_fn, &calls, &attempts), CSPD_STORE_BUSY);
  assert_int_equal(calls, 20);
  assert_int_equal(f->st->tx_failed - failed, 1);
  assert_int_equal(attempts, calls);
}

struct reader {
  struct cspd_store *st;
  struct cspd_db *session;
  int rc;
  char value[64];
};

static int read_fn(struct cspd_db *db, void *cls) {
  struct reader *r = cls;
  struct cspd_arena *a = cspd_arena_new(0);
  char *v = NULL;
  r->session = db;
  r->rc = cspd_db_ops(db)->setting_get(db, "shared", a, &v);
  if (r->rc == 0)
    snprintf(r->value, sizeof r->value, "%s", v);
  cspd_arena_free(a);
  return 0;
}

static void *reader_thread(void *arg) {
  struct reader *r = arg;
  int rc = cspd_store_tx(r->st, false, read_fn, r, NULL);
  if (rc != 0)
    r->rc = rc;
  return NULL;
}

static int write_shared_fn(struct cspd_db *db, void *cls) {
  return cspd_db_ops(db)->setting_put(db, "shared", (const char *)cls);
}

static void test_store_tx_commit_visible_from_other_thread(void **state) {
  struct fx *f = *state;
  assert_int_equal(cspd_store_tx(f->st, true, write_shared_fn, "from main", NULL), 0);
  struct reader r = {.st = f->st, .rc = -99};
  pthread_t th;
  assert_int_equal(pthread_create(&th, NULL, reader_thread, &r), 0);
  assert_int_equal(pthread_join(th, NULL), 0);
  assert_int_equal(r.rc, 0);
  assert_string_equal(r.value, "from main");
  struct cspd_db *mine;
  assert_int_equal(cspd_store_session(f->st, &mine), 0);
  assert_ptr_not_equal(r.session, mine); /* its own connection */
}

struct incr_worker {
  struct cspd_store *st;
  int n, failures;
};

static void *incr_thread(void *arg) {
  struct incr_worker *w = arg;
  struct cspd_arena *a = cspd_arena_new(0);
  for (int i = 0; i < w->n; i++) {
    struct counter_tx k = {.a = a};
    if (cspd_store_tx(w->st, true, counter_fn, &k, NULL) != 0)
      w->failures++;
    cspd_arena_reset(a);
  }
  cspd_arena_free(a);
  return NULL;
}

static void test_store_tx_concurrent_writers_lose_no_update(void **state) {
  struct fx *f = *state;
  enum { THREADS = 3, EACH = 15 };
  struct incr_worker w[THREADS];
  pthread_t th[THREADS];
  for (int i = 0; i < THREADS; i++) {
    w[i] = (struct incr_worker){.st = f->st, .n = EACH};
    assert_int_equal(pthread_create(&th[i], NULL, incr_thread, &w[i]), 0);
  }
  for (int i = 0; i < THREADS; i++) {
    assert_int_equal(pthread_join(th[i], NULL), 0);
    assert_int_equal(w[i].failures, 0);
  }
  assert_int_equal(read_counter(f), THREADS * EACH);
}

#define BOTH(fn)                                                                                   \
  {#fn " (memory)", fn, setup_memory, teardown, NULL}, {                                           \
#fn " (file)", fn, setup_file, teardown, NULL                                                  \
  }
#define FILE_ONLY(fn)                                                                              \
  { #fn, fn, setup_file, teardown, NULL }

int main(void) {
  if (cspd_crypto_init() != 0)
    return 1;
  const struct CMUnitTest tests[] = {
      BOTH(test_store_open_applies_migrations),
      FILE_ONLY(test_store_file_reopen_keeps_data),
      FILE_ONLY(test_store_refuses_newer_schema),
      cmocka_unit_test(test_store_refuses_unknown_urls),
      BOTH(test_store_settings_get_put),
      BOTH(test_store_idempotency_put_get),
      BOTH(test_store_tenant_operator_is_unique),
      BOTH(test_store_org_insert_get_conflict),
      BOTH(test_store_location_insert_get_conflict),
      BOTH(test_store_customer_insert_get_conflict),
      BOTH(test_store_user_insert_get_conflict),
      BOTH(test_store_app_insert_get_conflict),
      BOTH(test_store_org_list_pages_with_after),
      BOTH(test_store_location_and_user_list_page_within_owner),
      BOTH(test_store_partnerships_list_both_sides),
      BOTH(test_store_reset_all_keeps_operator_only),
      BOTH(test_store_reset_org_removes_only_that_org),
      BOTH(test_store_foreign_keys_are_enforced),
      BOTH(test_store_tx_retries_busy_and_rolls_back_attempts),
      BOTH(test_store_tx_failure_rolls_back),
      {"test_store_tx_gives_up_after_20_attempts", test_store_tx_gives_up_after_20_attempts,
       setup_memory, teardown, NULL},
      FILE_ONLY(test_store_tx_commit_visible_from_other_thread),
      BOTH(test_store_tx_concurrent_writers_lose_no_update),
  };
  return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
