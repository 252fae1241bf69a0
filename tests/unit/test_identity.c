/* test_identity.c -- core identity operations (core/identity.c) and
 * fixtures (core/fixtures.c) against a real store: organizations,
 * locations, customers, users, apps, the two token-grant lookups, audit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/crypto.h"
#include "core/fixtures.h"
#include "core/identity.h"
#include "core/markets.h"
#include "core/program.h"
#include "core/util.h"
#include "store/store.h"

#define NOW_MS 1795341600000LL /* 2026-11-22T10:00:00Z */
#define FAKE_HASH "$argon2id$v=19$m=65536,t=2,p=1$fake$fake"

/* ---- fixture -------------------------------------------------------------------------- */

struct fx {
  struct cspd_store *st;
  struct cspd_arena *a;
  struct cspd_ctx c;
  struct cspd_principal who;
  struct cspd_tenant op; /* the operator tenant made by setup */
  char dir[64], path[128];
};

typedef int (*op_fn)(struct cspd_ctx *c, void *arg);

struct call {
  struct cspd_ctx *c;
  op_fn fn;
  void *arg;
};

static int call_cb(struct cspd_db *db, void *cls) {
  struct call *k = cls;
  k->c->db = db;
  k->c->err = (struct cspd_err){0};
  return k->fn(k->c, k->arg);
}

/** Run @a fn with f->c in a transaction (committed when it returns 0). */
static int run_tx(struct fx *f, bool write, op_fn fn, void *arg) {
  struct call k = {&f->c, fn, arg};
  int rc = cspd_store_tx(f->st, write, call_cb, &k, NULL);
  f->c.db = NULL;
  return rc;
}
#define RUN(f, fn, arg) run_tx((f), true, (fn), (arg))

/** The refusal of the last run: its registry id. */
#define assert_refused(f, rc, want)                                                                \
  do {                                                                                             \
    assert_int_equal((rc), -1);                                                                    \
    if ((f)->c.err.id != (want))                                                                   \
      fail_msg("refused with %s (%s), want %s", cspd_error_info((f)->c.err.id)->name,              \
               (f)->c.err.detail ? (f)->c.err.detail : "", cspd_error_info(want)->name);           \
  } while (0)

static void as_local(struct fx *f) {
  f->c.who = NULL;
}

static void as(struct fx *f, enum cspd_tenant_kind kind, const char *tenant, unsigned roles) {
  memset(&f->who, 0, sizeof f->who);
  snprintf(f->who.tenant_id, sizeof f->who.tenant_id, "%s", tenant);
  snprintf(f->who.user_id, sizeof f->who.user_id, "a0000000-0000-4000-8000-0000000000ff");
  f->who.kind = kind;
  f->who.roles = roles;
  f->who.expires = NOW_MS / 1000 + 3600;
  f->c.who = &f->who;
}

struct op_init_args {
  struct cspd_tenant out;
};

static int op_init_fn(struct cspd_ctx *c, void *arg) {
  struct op_init_args *a = arg;
  return cspd_operator_init(c, "Operator", "root@op.test", FAKE_HASH, false, &a->out);
}

static int open_fx(void **state, bool file) {
  struct fx *f = calloc(1, sizeof *f);
  *state = f;
  f->a = cspd_arena_new(0);
  f->c.arena = f->a;
  f->c.now_ms = NOW_MS;
  char url[200] = "memory", err[512] = "";
  if (file) {
    snprintf(f->dir, sizeof f->dir, "/tmp/cspd-unit-identity-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
      return -1;
    snprintf(f->path, sizeof f->path, "%s/cspd.db", f->dir);
    snprintf(url, sizeof url, "sqlite:%s", f->path);
  }
  if (cspd_store_open(url, &f->st, err, sizeof err) != 0) {
    print_error("store: %s\n", err);
    return -1;
  }
  struct op_init_args oi;
  if (RUN(f, op_init_fn, &oi) != 0) {
    print_error("operator init: %s\n", cspd_error_info(f->c.err.id)->name);
    return -1;
  }
  f->op = oi.out;
  return 0;
}

static int setup(void **state) {
  return open_fx(state, false);
}
static int setup_file(void **state) {
  return open_fx(state, true);
}

static int teardown(void **state) {
  struct fx *f = *state;
  cspd_store_close(f->st);
  if (f->dir[0] != '\0') {
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
      char p[200];
      snprintf(p, sizeof p, "%s%s", f->path, suffixes[i]);
      unlink(p);
    }
    rmdir(f->dir);
  }
  cspd_arena_free(f->a);
  free(f);
  return 0;
}

static int group_setup(void **state) {
  (void)state;
  return cspd_crypto_init() == 0 && cspd_markets_init() == 0 ? 0 : -1;
}

/* ---- operation wrappers ------------------------------------------------------------------ */

struct org_args {
  struct cspd_org_input in;
  struct cspd_org out;
};
static int org_fn(struct cspd_ctx *c, void *arg) {
  struct org_args *a = arg;
  return cspd_org_create(c, &a->in, &a->out);
}

struct loc_args {
  struct cspd_location_input in;
  struct cspd_location out;
};
static int loc_fn(struct cspd_ctx *c, void *arg) {
  struct loc_args *a = arg;
  return cspd_location_create(c, &a->in, &a->out);
}

struct cust_args {
  struct cspd_customer_input in;
  struct cspd_customer out;
};
static int cust_fn(struct cspd_ctx *c, void *arg) {
  struct cust_args *a = arg;
  return cspd_customer_create(c, &a->in, &a->out);
}

struct user_args {
  struct cspd_user_input in;
  struct cspd_user out;
};
static int user_fn(struct cspd_ctx *c, void *arg) {
  struct user_args *a = arg;
  return cspd_user_create(c, &a->in, &a->out);
}

struct app_args {
  struct cspd_app_input in;
  struct cspd_app out;
};
static int app_fn(struct cspd_ctx *c, void *arg) {
  struct app_args *a = arg;
  return cspd_app_create(c, &a->in, &a->out);
}

struct pw_args {
  const char *tenant, *email, *client_id;
  struct cspd_user u;
  struct cspd_principal p;
};
static int pw_fn(struct cspd_ctx *c, void *arg) {
  struct pw_args *a = arg;
  return cspd_auth_password_lookup(c, a->tenant, a->email, a->client_id, &a->u, &a->p);
}

struct client_args {
  const char *tenant, *client_id;
  struct cspd_app app;
  struct cspd_principal p;
};
static int client_fn(struct cspd_ctx *c, void *arg) {
  struct client_args *a = arg;
  return cspd_auth_client_lookup(c, a->tenant, a->client_id, &a->app, &a->p);
}

/** Reads for checks: one op by name. */
struct get_args {
  const char *id;
  int rc;
  struct cspd_tenant tenant;
  struct cspd_org org;
  int n;
};
static int get_tenant_fn(struct cspd_ctx *c, void *arg) {
  struct get_args *a = arg;
  a->rc = cspd_db_ops(c->db)->tenant_get(c->db, a->id, c->arena, &a->tenant);
  return 0;
}
static int get_org_by_mpn_fn(struct cspd_ctx *c, void *arg) {
  struct get_args *a = arg;
  a->rc = cspd_db_ops(c->db)->org_get_by_mpn(c->db, a->id, c->arena, &a->org);
  return 0;
}
static int count_orgs_fn(struct cspd_ctx *c, void *arg) {
  struct get_args *a = arg;
  struct cspd_org *rows;
  a->rc = cspd_db_ops(c->db)->org_list(c->db, "", 1000, c->arena, &rows, &a->n);
  return 0;
}

/* ---- helpers that must succeed -------------------------------------------------------- */

static struct cspd_org make_org(struct fx *f, const char *name, const char *mpn) {
  struct org_args a = {.in = {.name = name, .mpn_id = mpn}};
  int rc = RUN(f, org_fn, &a);
  if (rc != 0)
    fail_msg("org create: %s %s", cspd_error_info(f->c.err.id)->name,
             f->c.err.detail ? f->c.err.detail : "");
  return a.out;
}

static struct cspd_location make_location(struct fx *f, const char *org_id, const char *country,
                                          const char *mpn) {
  struct loc_args a = {.in = {.org_id = org_id, .country = country, .mpn_id = mpn}};
  int rc = RUN(f, loc_fn, &a);
  if (rc != 0)
    fail_msg("location create: %s %s", cspd_error_info(f->c.err.id)->name,
             f->c.err.detail ? f->c.err.detail : "");
  return a.out;
}

static struct cspd_user make_user(struct fx *f, const char *tenant, const char *email,
                                  unsigned roles, bool sandbox_only) {
  struct user_args a = {.in = {.tenant_id = tenant,
                               .email = email,
                               .display_name = "User",
                               .password_hash = FAKE_HASH,
                               .roles = roles,
                               .sandbox_only = sandbox_only}};
  int rc = RUN(f, user_fn, &a);
  if (rc != 0)
    fail_msg("user create: %s %s", cspd_error_info(f->c.err.id)->name,
             f->c.err.detail ? f->c.err.detail : "");
  return a.out;
}

static struct cspd_app make_app(struct fx *f, const char *tenant, unsigned roles,
                                bool sandbox_only) {
  struct app_args a = {.in = {.tenant_id = tenant,
                              .display_name = "App",
                              .roles = roles,
                              .secret_hash = FAKE_HASH,
                              .sandbox_only = sandbox_only}};
  int rc = RUN(f, app_fn, &a);
  if (rc != 0)
    fail_msg("app create: %s %s", cspd_error_info(f->c.err.id)->name,
             f->c.err.detail ? f->c.err.detail : "");
  return a.out;
}

/* ---- organizations ----------------------------------------------------------------------- */

static void test_org_create_generates_7_digit_mpn(void **state) {
  struct fx *f = *state;
  struct cspd_org o = make_org(f, "Contoso", NULL);
  assert_true(cspd_guid_valid(o.id));
  assert_int_equal(strlen(o.mpn_id), 7);
  assert_true(o.mpn_id[0] >= '1' && o.mpn_id[0] <= '9');
  assert_true(cspd_mpn_id_valid(o.mpn_id));
  assert_string_equal(o.name, "Contoso");
  assert_int_equal(o.version, 1);
  assert_int_equal(o.created_ms, NOW_MS);
  struct get_args g = {.id = o.mpn_id};
  assert_int_equal(run_tx(f, false, get_org_by_mpn_fn, &g), 0);
  assert_int_equal(g.rc, 0);
  assert_string_equal(g.org.id, o.id);
  /* an empty mpn also means "generate" */
  struct cspd_org o2 = make_org(f, "Fabrikam", "");
  assert_int_equal(strlen(o2.mpn_id), 7);
  assert_string_not_equal(o2.mpn_id, o.mpn_id);
}

static void test_org_create_with_explicit_mpn_and_id(void **state) {
  struct fx *f = *state;
  struct org_args a = {
      .in = {.name = "Contoso", .mpn_id = "4100001", .id = "D0000000-0000-4000-8000-00000000000A"}};
  assert_int_equal(RUN(f, org_fn, &a), 0);
  assert_string_equal(a.out.mpn_id, "4100001");
  assert_string_equal(a.out.id, "d0000000-0000-4000-8000-00000000000a");
  /* the same id again is a conflict, not a PartnerID clash */
  struct org_args b = {
      .in = {.name = "Other", .mpn_id = "4100002", .id = "d0000000-0000-4000-8000-00000000000a"}};
  assert_refused(f, RUN(f, org_fn, &b), CSPD_E_CONFLICT);
  /* not a GUID */
  struct org_args c = {.in = {.name = "Other", .id = "not-a-guid"}};
  assert_refused(f, RUN(f, org_fn, &c), CSPD_E_BAD_GUID);
}

static void test_org_create_duplicate_mpn_is_refused(void **state) {
  struct fx *f = *state;
  struct cspd_org first = make_org(f, "Contoso", "4100001");
  struct org_args a = {.in = {.name = "Copycat", .mpn_id = "4100001"}};
  assert_refused(f, RUN(f, org_fn, &a), CSPD_E_MPN_ID_TAKEN);
  assert_int_equal(cspd_error_info(CSPD_E_MPN_ID_TAKEN)->http_status, 409);
  struct get_args g = {.id = "4100001"};
  run_tx(f, false, get_org_by_mpn_fn, &g);
  assert_string_equal(g.org.id, first.id);
  assert_string_equal(g.org.name, "Contoso");
  struct get_args n = {0};
  run_tx(f, false, count_orgs_fn, &n);
  assert_int_equal(n.n, 1);
}

static void test_org_create_blank_name_is_refused(void **state) {
  struct fx *f = *state;
  struct org_args a = {.in = {.name = "   "}};
  assert_refused(f, RUN(f, org_fn, &a), CSPD_E_INVALID_INPUT);
  a = (struct org_args){.in = {.name = NULL}};
  assert_refused(f, RUN(f, org_fn, &a), CSPD_E_INVALID_INPUT);
  a = (struct org_args){.in = {.name = "Contoso", .mpn_id = "41a0001"}};
  assert_refused(f, RUN(f, org_fn, &a), CSPD_E_INVALID_INPUT);
  assert_non_null(strstr(f->c.err.detail, "mpnId"));
  struct get_args n = {0};
  run_tx(f, false, count_orgs_fn, &n);
  assert_int_equal(n.n, 0);
}

static void test_org_create_needs_operator(void **state) {
  struct fx *f = *state;
  as(f, CSPD_TENANT_PARTNER, "c0000000-0000-4000-8000-000000000001",
     CSPD_ROLE_GLOBAL_ADMIN | CSPD_ROLE_ADMIN_AGENT);
  struct org_args a = {.in = {.name = "Contoso"}};
  assert_refused(f, RUN(f, org_fn, &a), CSPD_E_ROLE_REQUIRED);
  assert_int_equal(f->c.err.ndata, 1);
  assert_string_equal(f->c.err.data[0], "operator");
  /* the operator role in the operator tenant may */
  as(f, CSPD_TENANT_OPERATOR, f->op.id, CSPD_ROLE_OPERATOR);
  assert_int_equal(RUN(f, org_fn, &a), 0);
  /* an "operator" role claimed in a partner tenant is not the operator */
  as(f, CSPD_TENANT_PARTNER, "c0000000-0000-4000-8000-000000000001", CSPD_ROLE_OPERATOR);
  assert_refused(f, RUN(f, org_fn, &a), CSPD_E_ROLE_REQUIRED);
  /* no principal: a trusted local command (cspd init / seed) */
  as_local(f);
  struct org_args b = {.in = {.name = "Local"}};
  assert_int_equal(RUN(f, org_fn, &b), 0);
}

/* ---- locations and customers -------------------------------------------------------------- */

static void test_location_market_follows_country(void **state) {
  struct fx *f = *state;
  struct cspd_org o = make_org(f, "Contoso Direct", "4100001");
  struct cspd_location l = make_location(f, o.id, "nl", NULL);
  assert_string_equal(l.country, "NL");
  const struct cspd_market_country *m = cspd_market_of(l.country);
  assert_non_null(m);
  assert_string_equal(m->market, "europe");
  assert_string_equal(m->currency, "EUR");
  assert_string_equal(l.org_id, o.id);
  assert_string_equal(l.company_name, "Contoso Direct"); /* defaults to the org's name */
  assert_int_equal(strlen(l.mpn_id), 7);
  assert_string_not_equal(l.mpn_id, o.mpn_id);
  assert_true(cspd_guid_valid(l.tenant_id));
  struct get_args g = {.id = l.tenant_id};
  run_tx(f, false, get_tenant_fn, &g);
  assert_int_equal(g.rc, 0);
  assert_int_equal(g.tenant.kind, CSPD_TENANT_PARTNER);
  assert_string_equal(g.tenant.country, "NL");
  struct cspd_location us = make_location(f, o.id, "US", "4100012");
  assert_string_equal(cspd_market_of(us.country)->market, "united-states");
  assert_string_equal(us.mpn_id, "4100012");
}

static void test_location_unknown_country_is_refused(void **state) {
  struct fx *f = *state;
  struct cspd_org o = make_org(f, "Contoso", NULL);
  struct loc_args a = {.in = {.org_id = o.id, .country = "XX"}};
  assert_refused(f, RUN(f, loc_fn, &a), CSPD_E_UNKNOWN_COUNTRY);
  const struct cspd_error_info *e = cspd_error_info(CSPD_E_UNKNOWN_COUNTRY);
  assert_non_null(e->rule);
  assert_string_equal(e->rule, "R-REG-1");
  assert_int_equal(e->http_status, 400);
  assert_non_null(strstr(f->c.err.detail, "XX"));
  a.in.country = "  ";
  assert_refused(f, RUN(f, loc_fn, &a), CSPD_E_INVALID_INPUT);
  a.in.country = NULL;
  assert_refused(f, RUN(f, loc_fn, &a), CSPD_E_INVALID_INPUT);
}

static void test_location_unknown_org_is_refused(void **state) {
  struct fx *f = *state;
  struct loc_args a = {.in = {.org_id = "d0000000-0000-4000-8000-0000000000ee", .country = "NL"}};
  assert_refused(f, RUN(f, loc_fn, &a), CSPD_E_PARTNER_NOT_FOUND);
}

static void test_location_mpn_cannot_equal_an_org_mpn(void **state) {
  struct fx *f = *state;
  struct cspd_org o = make_org(f, "Contoso", "4100001");
  struct loc_args a = {.in = {.org_id = o.id, .country = "NL", .mpn_id = "4100001"}};
  assert_refused(f, RUN(f, loc_fn, &a), CSPD_E_MPN_ID_TAKEN);
  /* nor another location's */
  make_location(f, o.id, "NL", "4100011");
  a.in.mpn_id = "4100011";
  assert_refused(f, RUN(f, loc_fn, &a), CSPD_E_MPN_ID_TAKEN);
  /* and an organization's cannot equal a location's */
  struct org_args b = {.in = {.name = "Other", .mpn_id = "4100011"}};
  assert_refused(f, RUN(f, org_fn, &b), CSPD_E_MPN_ID_TAKEN);
}

static void test_location_refused_tenant_is_rolled_back(void **state) {
  struct fx *f = *state;
  struct cspd_org o = make_org(f, "Contoso", "4100001");
  /* the tenant row is written before the PartnerID clash is found */
  struct loc_args a = {.in = {.org_id = o.id,
                              .country = "NL",
                              .mpn_id = "4100001",
                              .tenant_id = "c0000000-0000-4000-8000-000000000077"}};
  assert_refused(f, RUN(f, loc_fn, &a), CSPD_E_MPN_ID_TAKEN);
  struct get_args g = {.id = "c0000000-0000-4000-8000-000000000077"};
  run_tx(f, false, get_tenant_fn, &g);
  assert_int_equal(g.rc, CSPD_STORE_NOTFOUND);
  /* so the same tenant id can be used afterwards */
  a.in.mpn_id = NULL;
  assert_int_equal(RUN(f, loc_fn, &a), 0);
  assert_string_equal(a.out.tenant_id, "c0000000-0000-4000-8000-000000000077");
  struct loc_args dup = a;
  assert_refused(f, RUN(f, loc_fn, &dup), CSPD_E_TENANT_ID_TAKEN);
}

static void test_customer_create(void **state) {
  struct fx *f = *state;
  struct cust_args a = {
      .in = {.company_name = "Wingtip", .domain = "wingtip.test", .country = "be"}};
  assert_int_equal(RUN(f, cust_fn, &a), 0);
  assert_string_equal(a.out.country, "BE");
  struct get_args g = {.id = a.out.tenant_id};
  run_tx(f, false, get_tenant_fn, &g);
  assert_int_equal(g.tenant.kind, CSPD_TENANT_CUSTOMER);
  struct cust_args b = {.in = {.company_name = "Other", .domain = "WINGTIP.test", .country = "NL"}};
  assert_refused(f, RUN(f, cust_fn, &b), CSPD_E_DOMAIN_TAKEN);
  b.in.domain = "other.test";
  b.in.country = "XX";
  assert_refused(f, RUN(f, cust_fn, &b), CSPD_E_UNKNOWN_COUNTRY);
  b.in.country = "NL";
  b.in.company_name = "";
  assert_refused(f, RUN(f, cust_fn, &b), CSPD_E_INVALID_INPUT);
}

/* ---- users ---------------------------------------------------------------------------------- */

static void test_user_roles_must_fit_tenant_kind(void **state) {
  struct fx *f = *state;
  struct cspd_org o = make_org(f, "Contoso", NULL);
  struct cspd_location l = make_location(f, o.id, "NL", NULL);
  struct user_args a = {.in = {.tenant_id = l.tenant_id,
                               .email = "x@contoso.test",
                               .display_name = "X",
                               .password_hash = FAKE_HASH,
                               .roles = CSPD_ROLE_OPERATOR}};
  assert_refused(f, RUN(f, user_fn, &a), CSPD_E_ROLE_NOT_FOR_TENANT);
  a.in.roles = CSPD_ROLE_ADMIN_AGENT | CSPD_ROLE_CUSTOMER_ADMIN;
  assert_refused(f, RUN(f, user_fn, &a), CSPD_E_ROLE_NOT_FOR_TENANT);
  a.in.roles = 0;
  assert_refused(f, RUN(f, user_fn, &a), CSPD_E_INVALID_INPUT);
  a.in.roles = CSPD_ROLE_GLOBAL_ADMIN | CSPD_ROLE_BILLING_ADMIN;
  assert_int_equal(RUN(f, user_fn, &a), 0);
  assert_int_equal(a.out.roles, CSPD_ROLE_GLOBAL_ADMIN | CSPD_ROLE_BILLING_ADMIN);
  assert_string_equal(a.out.tenant_id, l.tenant_id);
  /* partner roles do not fit the operator tenant */
  struct user_args b = {.in = {.tenant_id = f->op.id,
                               .email = "y@op.test",
                               .display_name = "Y",
                               .password_hash = FAKE_HASH,
                               .roles = CSPD_ROLE_GLOBAL_ADMIN}};
  assert_refused(f, RUN(f, user_fn, &b), CSPD_E_ROLE_NOT_FOR_TENANT);
  b.in.roles = CSPD_ROLE_OPERATOR;
  assert_int_equal(RUN(f, user_fn, &b), 0);
}

static void test_user_create_refuses_bad_input(void **state) {
  struct fx *f = *state;
  struct user_args a = {.in = {.tenant_id = "nope",
                               .email = "x@op.test",
                               .display_name = "X",
                               .password_hash = FAKE_HASH,
                               .roles = CSPD_ROLE_OPERATOR}};
  assert_refused(f, RUN(f, user_fn, &a), CSPD_E_BAD_GUID);
  a.in.tenant_id = "c0000000-0000-4000-8000-0000000000ee";
  assert_refused(f, RUN(f, user_fn, &a), CSPD_E_TENANT_NOT_FOUND);
  a.in.tenant_id = f->op.id;
  a.in.email = "not-an-address";
  assert_refused(f, RUN(f, user_fn, &a), CSPD_E_INVALID_INPUT);
  a.in.email = "two@@op.test";
  assert_refused(f, RUN(f, user_fn, &a), CSPD_E_INVALID_INPUT);
  a.in.email = "x@op.test";
  a.in.display_name = " ";
  assert_refused(f, RUN(f, user_fn, &a), CSPD_E_INVALID_INPUT);
  a.in.display_name = "X";
  a.in.password_hash = NULL;
  assert_refused(f, RUN(f, user_fn, &a), CSPD_E_WEAK_PASSWORD);
}

static void test_user_create_by_other_tenant_principal_is_refused(void **state) {
  struct fx *f = *state;
  struct cspd_org o = make_org(f, "Contoso", NULL);
  struct cspd_location l1 = make_location(f, o.id, "NL", NULL);
  struct cspd_location l2 = make_location(f, o.id, "DE", NULL);
  struct user_args a = {.in = {.tenant_id = l1.tenant_id,
                               .email = "x@contoso.test",
                               .display_name = "X",
                               .password_hash = FAKE_HASH,
                               .roles = CSPD_ROLE_ADMIN_AGENT}};
  /* global_admin of another tenant */
  as(f, CSPD_TENANT_PARTNER, l2.tenant_id, CSPD_ROLE_GLOBAL_ADMIN | CSPD_ROLE_ADMIN_AGENT);
  assert_refused(f, RUN(f, user_fn, &a), CSPD_E_ROLE_REQUIRED);
  assert_int_equal(f->c.err.ndata, 2);
  assert_string_equal(f->c.err.data[0], "operator");
  assert_string_equal(f->c.err.data[1], "global_admin");
  /* same tenant but not global_admin */
  as(f, CSPD_TENANT_PARTNER, l1.tenant_id, CSPD_ROLE_ADMIN_AGENT | CSPD_ROLE_SALES_AGENT);
  assert_refused(f, RUN(f, user_fn, &a), CSPD_E_ROLE_REQUIRED);
}

static void test_user_create_by_global_admin_of_tenant_is_allowed(void **state) {
  struct fx *f = *state;
  struct cspd_org o = make_org(f, "Contoso", NULL);
  struct cspd_location l = make_location(f, o.id, "NL", NULL);
  as(f, CSPD_TENANT_PARTNER, l.tenant_id, CSPD_ROLE_GLOBAL_ADMIN);
  struct user_args a = {.in = {.tenant_id = l.tenant_id,
                               .email = "x@contoso.test",
                               .display_name = "X",
                               .password_hash = FAKE_HASH,
                               .roles = CSPD_ROLE_SALES_AGENT}};
  assert_int_equal(RUN(f, user_fn, &a), 0);
  assert_true(cspd_may_admin_tenant(&f->c, l.tenant_id));
  assert_false(cspd_may_admin_tenant(&f->c, f->op.id));
  /* the operator may too */
  as(f, CSPD_TENANT_OPERATOR, f->op.id, CSPD_ROLE_OPERATOR);
  a.in.email = "y@contoso.test";
  assert_int_equal(RUN(f, user_fn, &a), 0);
  assert_true(cspd_may_admin_tenant(&f->c, l.tenant_id));
}

static void test_user_duplicate_email_is_refused(void **state) {
  struct fx *f = *state;
  make_user(f, f->op.id, "Admin@Op.test", CSPD_ROLE_OPERATOR, false);
  struct user_args a = {.in = {.tenant_id = f->op.id,
                               .email = "admin@OP.TEST",
                               .display_name = "Dup",
                               .password_hash = FAKE_HASH,
                               .roles = CSPD_ROLE_OPERATOR}};
  assert_refused(f, RUN(f, user_fn, &a), CSPD_E_EMAIL_TAKEN);
  /* the operator's own user from setup too */
  a.in.email = "root@op.test";
  assert_refused(f, RUN(f, user_fn, &a), CSPD_E_EMAIL_TAKEN);
}

/* A clash on an explicit user id is not an e-mail clash. */
static void test_user_duplicate_id_is_not_reported_as_email_taken(void **state) {
  struct fx *f = *state;
  struct user_args a = {.in = {.tenant_id = f->op.id,
                               .email = "one@op.test",
                               .display_name = "One",
                               .password_hash = FAKE_HASH,
                               .roles = CSPD_ROLE_OPERATOR,
                               .id = "a0000000-0000-4000-8000-000000000001"}};
  assert_int_equal(RUN(f, user_fn, &a), 0);
  a.in.email = "two@op.test";
  assert_int_equal(RUN(f, user_fn, &a), -1);
  if (f->c.err.id == CSPD_E_EMAIL_TAKEN)
    fail_msg("a taken user id is reported as '%s' though two@op.test is free",
             cspd_error_info(CSPD_E_EMAIL_TAKEN)->description);
  assert_int_equal(cspd_error_info(f->c.err.id)->http_status, 409);
}

static void test_password_check_needs_12_characters(void **state) {
  struct fx *f = *state;
  assert_refused(f, cspd_password_check(&f->c, "12345678901"), CSPD_E_WEAK_PASSWORD);
  assert_refused(f, cspd_password_check(&f->c, ""), CSPD_E_WEAK_PASSWORD);
  assert_refused(f, cspd_password_check(&f->c, NULL), CSPD_E_WEAK_PASSWORD);
  f->c.err = (struct cspd_err){0};
  assert_int_equal(cspd_password_check(&f->c, "123456789012"), 0);
  assert_int_equal(f->c.err.id, CSPD_E_NONE);
  char longpw[300];
  memset(longpw, 'p', sizeof longpw - 1);
  longpw[sizeof longpw - 1] = '\0';
  assert_refused(f, cspd_password_check(&f->c, longpw), CSPD_E_INVALID_INPUT);
}

static void test_operator_init_twice_is_refused(void **state) {
  struct fx *f = *state;
  struct op_init_args oi;
  assert_refused(f, RUN(f, op_init_fn, &oi), CSPD_E_ALREADY_INITIALISED);
}

static void test_app_create_default_roles_by_kind(void **state) {
  struct fx *f = *state;
  struct cspd_org o = make_org(f, "Contoso", NULL);
  struct cspd_location l = make_location(f, o.id, "NL", NULL);
  struct cspd_app p = make_app(f, l.tenant_id, 0, false);
  assert_int_equal(p.roles, CSPD_ROLE_ADMIN_AGENT);
  assert_true(cspd_guid_valid(p.client_id));
  struct cspd_app q = make_app(f, f->op.id, 0, false);
  assert_int_equal(q.roles, CSPD_ROLE_OPERATOR);
  struct app_args a = {.in = {.tenant_id = l.tenant_id,
                              .display_name = "App",
                              .roles = CSPD_ROLE_CUSTOMER_ADMIN,
                              .secret_hash = FAKE_HASH}};
  assert_refused(f, RUN(f, app_fn, &a), CSPD_E_ROLE_NOT_FOR_TENANT);
}

/* ---- token grant lookups ---------------------------------------------------------------- */

static void test_password_lookup_unknown_user(void **state) {
  struct fx *f = *state;
  struct pw_args a = {.email = "nobody@op.test"};
  assert_refused(f, RUN(f, pw_fn, &a), CSPD_E_OAUTH_INVALID_GRANT);
  a.email = "";
  assert_refused(f, RUN(f, pw_fn, &a), CSPD_E_OAUTH_INVALID_REQUEST);
}

static void test_password_lookup_sandbox_only_user_needs_sandbox(void **state) {
  struct fx *f = *state;
  struct cspd_org o = make_org(f, "Contoso", NULL);
  struct cspd_location l = make_location(f, o.id, "NL", NULL);
  struct cspd_user u = make_user(f, l.tenant_id, "demo@contoso.test",
                                 CSPD_ROLE_GLOBAL_ADMIN | CSPD_ROLE_ADMIN_AGENT, true);
  struct pw_args a = {.email = "demo@contoso.test"};
  f->c.sandbox = false;
  assert_refused(f, RUN(f, pw_fn, &a), CSPD_E_OAUTH_INVALID_GRANT);
  f->c.sandbox = true;
  assert_int_equal(RUN(f, pw_fn, &a), 0);
  assert_string_equal(a.u.id, u.id);
  assert_string_equal(a.u.password_hash, FAKE_HASH);
  assert_string_equal(a.p.tenant_id, l.tenant_id);
  assert_string_equal(a.p.user_id, u.id);
  assert_string_equal(a.p.app_id, "");
  assert_int_equal(a.p.kind, CSPD_TENANT_PARTNER);
  assert_int_equal(a.p.roles, CSPD_ROLE_GLOBAL_ADMIN | CSPD_ROLE_ADMIN_AGENT);
  /* a user that is not sandbox-only signs in either way */
  f->c.sandbox = false;
  a.email = "root@op.test";
  assert_int_equal(RUN(f, pw_fn, &a), 0);
  assert_int_equal(a.p.kind, CSPD_TENANT_OPERATOR);
  assert_int_equal(a.p.roles, CSPD_ROLE_OPERATOR);
}

static void test_password_lookup_tenant_must_match_or_be_common(void **state) {
  struct fx *f = *state;
  struct cspd_org o = make_org(f, "Contoso", NULL);
  struct cspd_location l = make_location(f, o.id, "NL", NULL);
  make_user(f, l.tenant_id, "admin@contoso.test", CSPD_ROLE_GLOBAL_ADMIN, false);
  struct pw_args a = {.email = "ADMIN@contoso.test"};
  const char *ok[] = {NULL, "common", "COMMON", "organizations", l.tenant_id};
  for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    a.tenant = ok[i];
    if (RUN(f, pw_fn, &a) != 0)
      fail_msg("tenant '%s' refused: %s", ok[i] ? ok[i] : "(null)",
               cspd_error_info(f->c.err.id)->name);
    assert_string_equal(a.p.tenant_id, l.tenant_id);
  }
  char upper[37];
  for (int i = 0; i < 37; i++)
    upper[i] = (char)(l.tenant_id[i] >= 'a' && l.tenant_id[i] <= 'f' ? l.tenant_id[i] - 32
                                                                     : l.tenant_id[i]);
  a.tenant = upper;
  assert_int_equal(RUN(f, pw_fn, &a), 0);
  a.tenant = f->op.id;
  assert_refused(f, RUN(f, pw_fn, &a), CSPD_E_OAUTH_WRONG_TENANT);
  a.tenant = "consumers";
  assert_refused(f, RUN(f, pw_fn, &a), CSPD_E_OAUTH_WRONG_TENANT);
}

static void test_password_lookup_with_client_id(void **state) {
  struct fx *f = *state;
  struct cspd_app app = make_app(f, f->op.id, 0, false);
  struct pw_args a = {.email = "root@op.test", .client_id = app.client_id};
  assert_int_equal(RUN(f, pw_fn, &a), 0);
  assert_string_equal(a.p.app_id, app.client_id);
  assert_true(a.p.user_id[0] != '\0');
  a.client_id = "0a000000-0000-4000-8000-0000000000ee";
  assert_refused(f, RUN(f, pw_fn, &a), CSPD_E_OAUTH_INVALID_CLIENT);
  a.client_id = "not-a-guid";
  assert_refused(f, RUN(f, pw_fn, &a), CSPD_E_OAUTH_INVALID_CLIENT);
  struct cspd_app demo = make_app(f, f->op.id, 0, true);
  a.client_id = demo.client_id;
  f->c.sandbox = false;
  assert_refused(f, RUN(f, pw_fn, &a), CSPD_E_OAUTH_INVALID_CLIENT);
  f->c.sandbox = true;
  assert_int_equal(RUN(f, pw_fn, &a), 0);
}

static void test_client_lookup(void **state) {
  struct fx *f = *state;
  struct cspd_org o = make_org(f, "Contoso", NULL);
  struct cspd_location l = make_location(f, o.id, "NL", NULL);
  struct cspd_app app = make_app(f, l.tenant_id, CSPD_ROLE_ADMIN_AGENT, false);
  struct client_args a = {.client_id = app.client_id};
  assert_int_equal(RUN(f, client_fn, &a), 0);
  assert_string_equal(a.app.client_id, app.client_id);
  assert_string_equal(a.app.secret_hash, FAKE_HASH);
  assert_string_equal(a.p.app_id, app.client_id);
  assert_string_equal(a.p.user_id, "");
  assert_string_equal(a.p.tenant_id, l.tenant_id);
  assert_int_equal(a.p.kind, CSPD_TENANT_PARTNER);
  assert_int_equal(a.p.roles, CSPD_ROLE_ADMIN_AGENT);
  a.tenant = "common";
  assert_int_equal(RUN(f, client_fn, &a), 0);
  a.tenant = l.tenant_id;
  assert_int_equal(RUN(f, client_fn, &a), 0);
  a.tenant = f->op.id;
  assert_refused(f, RUN(f, client_fn, &a), CSPD_E_OAUTH_WRONG_TENANT);
  a.tenant = NULL;
  a.client_id = "0a000000-0000-4000-8000-0000000000ee";
  assert_refused(f, RUN(f, client_fn, &a), CSPD_E_OAUTH_INVALID_CLIENT);
  a.client_id = "nope";
  assert_refused(f, RUN(f, client_fn, &a), CSPD_E_OAUTH_INVALID_CLIENT);
  a.client_id = NULL;
  assert_refused(f, RUN(f, client_fn, &a), CSPD_E_OAUTH_INVALID_CLIENT);
}

static void test_client_lookup_sandbox_only_app_needs_sandbox(void **state) {
  struct fx *f = *state;
  struct cspd_app app = make_app(f, f->op.id, 0, true);
  struct client_args a = {.client_id = app.client_id};
  f->c.sandbox = false;
  assert_refused(f, RUN(f, client_fn, &a), CSPD_E_OAUTH_INVALID_CLIENT);
  f->c.sandbox = true;
  assert_int_equal(RUN(f, client_fn, &a), 0);
  assert_int_equal(a.p.kind, CSPD_TENANT_OPERATOR);
  assert_int_equal(a.p.roles, CSPD_ROLE_OPERATOR);
}

/* ---- audit ----------------------------------------------------------------------------------- */

static void test_audit_rows_are_written(void **state) {
  struct fx *f = *state;
  as(f, CSPD_TENANT_OPERATOR, f->op.id, CSPD_ROLE_OPERATOR);
  cspd_current_request = (struct cspd_request_ids){"req-42", "corr-42"};
  struct cspd_org o = make_org(f, "Contoso", "4100001");
  struct cspd_location l = make_location(f, o.id, "NL", NULL);
  make_user(f, l.tenant_id, "x@contoso.test", CSPD_ROLE_ADMIN_AGENT, false);
  /* refused: nothing is recorded */
  struct org_args dup = {.in = {.name = "Dup", .mpn_id = "4100001"}};
  assert_refused(f, RUN(f, org_fn, &dup), CSPD_E_MPN_ID_TAKEN);
  cspd_current_request = (struct cspd_request_ids){0};

  sqlite3 *conn;
  assert_int_equal(sqlite3_open_v2(f->path, &conn, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  sqlite3_stmt *s;
  assert_int_equal(sqlite3_prepare_v2(conn,
                                      "SELECT operation, resource_type, resource_id, tenant_id, "
                                      "user_id, request_id, correlation_id, ts_ms "
                                      "FROM audit_records ORDER BY id",
                                      -1, &s, NULL),
                   SQLITE_OK);
  /* setup's operator init (a local caller) wrote the first row */
  static const char *const want_ops[] = {"create_user", "create_partner_organization",
                                         "create_partner_location", "create_user"};
  const char *want_ids[] = {NULL, o.id, l.tenant_id, NULL};
  int n = 0;
  while (sqlite3_step(s) == SQLITE_ROW) {
    assert_true(n < 4);
    assert_string_equal((const char *)sqlite3_column_text(s, 0), want_ops[n]);
    if (want_ids[n] != NULL)
      assert_string_equal((const char *)sqlite3_column_text(s, 2), want_ids[n]);
    assert_int_equal(sqlite3_column_int64(s, 7), NOW_MS);
    if (n == 0) {
      assert_null(sqlite3_column_text(s, 3)); /* trusted local caller */
    } else {
      assert_string_equal((const char *)sqlite3_column_text(s, 3), f->op.id);
      assert_string_equal((const char *)sqlite3_column_text(s, 4),
                          "a0000000-0000-4000-8000-0000000000ff");
      assert_string_equal((const char *)sqlite3_column_text(s, 5), "req-42");
      assert_string_equal((const char *)sqlite3_column_text(s, 6), "corr-42");
    }
    n++;
  }
  assert_int_equal(n, 4);
  sqlite3_finalize(s);
  sqlite3_close(conn);
}

/* ---- fixtures ------------------------------------------------------------------------------- */

struct fix_args {
  json_t *doc;
  bool sandbox_only;
  json_t *summary;
};
static int fix_fn(struct cspd_ctx *c, void *arg) {
  struct fix_args *a = arg;
  return cspd_fixtures_apply(c, a->doc, a->sandbox_only, &a->summary);
}

static int fx_seed_fn(struct cspd_ctx *c, void *arg) {
  (void)arg;
  return cspd_fx_seed_defaults(c);
}

struct ship_args {
  const char *tenant;
  enum cspd_partnership_side side;
  int n;
  char other[37];
};
static int ships_fn(struct cspd_ctx *c, void *arg) {
  struct ship_args *a = arg;
  struct cspd_partnership *rows;
  int rc = cspd_db_ops(c->db)->partnership_list(c->db, a->tenant, a->side, "", 10, c->arena, &rows,
                                                &a->n);
  if (rc == 0 && a->n > 0)
    snprintf(a->other, sizeof a->other, "%s",
             a->side == CSPD_SIDE_PROVIDER ? rows[0].reseller_tenant_id
                                           : rows[0].provider_tenant_id);
  return rc;
}

/** Users and apps declared anywhere in a fixtures document. */
static void count_principals(const json_t *doc, int *users, int *apps) {
  if (json_is_object(doc)) {
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)doc, k, v) {
      if (strcmp(k, "users") == 0 && json_is_array(v))
        *users += (int)json_array_size(v);
      else if (strcmp(k, "apps") == 0 && json_is_array(v))
        *apps += (int)json_array_size(v);
      else
        count_principals(v, users, apps);
    }
  } else if (json_is_array(doc)) {
    size_t i;
    json_t *v;
    json_array_foreach(doc, i, v) count_principals(v, users, apps);
  }
}

static void test_fixtures_demo_world(void **state) {
  struct fx *f = *state;
  json_error_t je;
  json_t *doc = json_loads(cspd_demo_world(), 0, &je);
  assert_non_null(doc);
  assert_int_equal(cspd_fixtures_prepare(&f->c, doc), 0);
  /* as the server does at boot: the demo world's revenue needs exchange rates */
  assert_int_equal(RUN(f, fx_seed_fn, NULL), 0);
  struct fix_args a = {.doc = doc, .sandbox_only = true};
  int rc = RUN(f, fix_fn, &a);
  if (rc != 0)
    fail_msg("apply: %s %s", cspd_error_info(f->c.err.id)->name,
             f->c.err.detail ? f->c.err.detail : "");
  assert_non_null(a.summary);
  /* everything the document declares was created (the demo world has at least
   * 4 partners with a location each, its customers and 1 partnership) */
  json_t *partners = json_object_get(doc, "partners");
  int locations = 0;
  size_t i;
  json_t *el;
  json_array_foreach(partners, i, el) {
    locations += (int)json_array_size(json_object_get(el, "locations"));
  }
  assert_true(json_array_size(partners) >= 4);
  assert_true(locations >= 4);
  assert_int_equal(json_integer_value(json_object_get(a.summary, "partners")),
                   json_array_size(partners));
  assert_int_equal(json_integer_value(json_object_get(a.summary, "locations")), locations);
  assert_int_equal(json_integer_value(json_object_get(a.summary, "customers")),
                   json_array_size(json_object_get(doc, "customers")));
  assert_int_equal(json_integer_value(json_object_get(a.summary, "partnerships")), 1);
  int users = 0, apps = 0;
  count_principals(doc, &users, &apps);
  assert_true(users >= 8);
  assert_int_equal(json_integer_value(json_object_get(a.summary, "users")), users);
  assert_int_equal(json_integer_value(json_object_get(a.summary, "apps")), apps);
  json_decref(a.summary);
  json_decref(doc);

  /* the partnership resolved PartnerIDs to tenants */
  struct ship_args s = {.tenant = "c0000000-0000-4000-8000-000000000002",
                        .side = CSPD_SIDE_PROVIDER};
  assert_int_equal(run_tx(f, false, ships_fn, &s), 0);
  assert_int_equal(s.n, 1);
  assert_string_equal(s.other, "c0000000-0000-4000-8000-000000000004");
  /* demo users are sandbox-only and their passwords were hashed */
  struct pw_args p = {.email = "admin@contoso-direct.test"};
  f->c.sandbox = false;
  assert_refused(f, RUN(f, pw_fn, &p), CSPD_E_OAUTH_INVALID_GRANT);
  f->c.sandbox = true;
  assert_int_equal(RUN(f, pw_fn, &p), 0);
  assert_string_equal(p.p.tenant_id, "c0000000-0000-4000-8000-000000000001");
  assert_int_equal(p.p.roles, CSPD_ROLE_GLOBAL_ADMIN | CSPD_ROLE_ADMIN_AGENT);
  assert_int_equal(cspd_secret_verify(p.u.password_hash, "cspd-demo-password"), 0);
  /* customers' users default to customer_admin */
  p.email = "admin@wingtiptoys.test";
  assert_int_equal(RUN(f, pw_fn, &p), 0);
  assert_int_equal(p.p.kind, CSPD_TENANT_CUSTOMER);
  assert_int_equal(p.p.roles, CSPD_ROLE_CUSTOMER_ADMIN);
  struct client_args c = {.client_id = "0a000000-0000-4000-8000-000000000001"};
  assert_int_equal(RUN(f, client_fn, &c), 0);
  assert_string_equal(c.p.tenant_id, f->op.id);
  assert_int_equal(cspd_secret_verify(c.app.secret_hash, "operator-demo-app-secret"), 0);
  /* applying it twice collides */
  doc = json_loads(cspd_demo_world(), 0, &je);
  assert_int_equal(cspd_fixtures_prepare(&f->c, doc), 0);
  a = (struct fix_args){.doc = doc, .sandbox_only = true};
  assert_int_equal(RUN(f, fix_fn, &a), -1);
  json_decref(doc);
}

static void test_fixtures_bad_field_names_its_path(void **state) {
  struct fx *f = *state;
  json_t *doc = json_pack("{s:[{s:s, s:[{s:i}]}]}", "partners", "companyName", "Broken",
                          "locations", "country", 5);
  assert_non_null(doc);
  assert_int_equal(cspd_fixtures_prepare(&f->c, doc), 0);
  struct fix_args a = {.doc = doc};
  assert_refused(f, RUN(f, fix_fn, &a), CSPD_E_INVALID_INPUT);
  assert_non_null(f->c.err.detail);
  if (strstr(f->c.err.detail, "partners[0].locations[0].country must be a string") == NULL)
    fail_msg("detail: %s", f->c.err.detail);
  assert_null(a.summary);
  /* nothing of it stays: the organization was rolled back */
  struct get_args n = {0};
  run_tx(f, false, count_orgs_fn, &n);
  assert_int_equal(n.n, 0);
  json_decref(doc);
}

static void test_fixtures_prepare_refuses_bad_shapes(void **state) {
  struct fx *f = *state;
  json_t *doc = json_pack("{s:{s:[{s:s, s:s}]}}", "operator", "users", "email", "o2@op.test",
                          "password", "short");
  assert_refused(f, cspd_fixtures_prepare(&f->c, doc), CSPD_E_WEAK_PASSWORD);
  assert_non_null(strstr(f->c.err.detail, "operator.users[0].password"));
  assert_non_null(strstr(f->c.err.detail, "12"));
  json_decref(doc);
  doc = json_pack("{s:[i]}", "partners", 3);
  assert_refused(f, cspd_fixtures_prepare(&f->c, doc), CSPD_E_INVALID_INPUT);
  assert_non_null(strstr(f->c.err.detail, "partners[0]"));
  json_decref(doc);
  doc = json_pack("{s:s}", "customers", "many");
  assert_refused(f, cspd_fixtures_prepare(&f->c, doc), CSPD_E_INVALID_INPUT);
  assert_string_equal(f->c.err.detail, "customers must be an array");
  json_decref(doc);
  doc = json_pack("[]");
  assert_refused(f, cspd_fixtures_prepare(&f->c, doc), CSPD_E_INVALID_INPUT);
  json_decref(doc);
}

/* A password over 256 characters is refused as too long, not "too short". */
static void test_fixtures_long_password_is_not_called_short(void **state) {
  struct fx *f = *state;
  char longpw[300];
  memset(longpw, 'p', sizeof longpw - 1);
  longpw[sizeof longpw - 1] = '\0';
  json_t *doc = json_pack("{s:{s:[{s:s, s:s}]}}", "operator", "users", "email", "o2@op.test",
                          "password", longpw);
  assert_int_equal(cspd_fixtures_prepare(&f->c, doc), -1);
  json_decref(doc);
  assert_non_null(f->c.err.detail);
  assert_non_null(strstr(f->c.err.detail, "operator.users[0].password"));
  if (strstr(f->c.err.detail, "shorter") != NULL)
    fail_msg("a 299-character password is refused with: %s", f->c.err.detail);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_org_create_generates_7_digit_mpn),
      T(test_org_create_with_explicit_mpn_and_id),
      T(test_org_create_duplicate_mpn_is_refused),
      T(test_org_create_blank_name_is_refused),
      T(test_org_create_needs_operator),
      T(test_location_market_follows_country),
      T(test_location_unknown_country_is_refused),
      T(test_location_unknown_org_is_refused),
      T(test_location_mpn_cannot_equal_an_org_mpn),
      T(test_location_refused_tenant_is_rolled_back),
      T(test_customer_create),
      T(test_user_roles_must_fit_tenant_kind),
      T(test_user_create_refuses_bad_input),
      T(test_user_create_by_other_tenant_principal_is_refused),
      T(test_user_create_by_global_admin_of_tenant_is_allowed),
      T(test_user_duplicate_email_is_refused),
      T(test_user_duplicate_id_is_not_reported_as_email_taken),
      T(test_password_check_needs_12_characters),
      T(test_operator_init_twice_is_refused),
      T(test_app_create_default_roles_by_kind),
      T(test_password_lookup_unknown_user),
      T(test_password_lookup_sandbox_only_user_needs_sandbox),
      T(test_password_lookup_tenant_must_match_or_be_common),
      T(test_password_lookup_with_client_id),
      T(test_client_lookup),
      T(test_client_lookup_sandbox_only_app_needs_sandbox),
      cmocka_unit_test_setup_teardown(test_audit_rows_are_written, setup_file, teardown),
      T(test_fixtures_demo_world),
      T(test_fixtures_bad_field_names_its_path),
      T(test_fixtures_prepare_refuses_bad_shapes),
      T(test_fixtures_long_password_is_not_called_short),
  };
  return cmocka_run_group_tests_name("identity", tests, group_setup, NULL);
}
