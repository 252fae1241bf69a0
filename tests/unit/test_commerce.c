/* test_commerce.c -- catalog, orders, subscriptions and the monthly billing
 * run (core/commerce.c, SPEC §2.9 and the purchase rules of §2.1, §2.5, §2.7,
 * §2.8, §2.3) against a memory store.
 *
 * Tests are named after the rule they prove (test_R_XXX_N_...). A refusal is
 * asserted with its ctx error id, the rule id and the Partner Center code the
 * registry gives that error; each test also asserts the allowed counterpart,
 * so it fails both when the check is removed and when it refuses everything.
 * Billing tests compute the expected amounts themselves (unit x quantity x
 * active time / month length, rounded half up) and compare exactly.
 *
 * Principals are built by hand; c.who == NULL is the trusted system, used by
 * the setup helpers. Every core call runs in its own write transaction that is
 * rolled back when the call refuses, as the HTTP layer does -- so "nothing was
 * created" is checked by reading the store after the refusal. The clock is
 * c.now_ms, moved by the tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/commerce.h"
#include "core/crypto.h"
#include "core/customers.h"
#include "core/identity.h"
#include "core/markets.h"
#include "core/program.h"
#include "core/util.h"
#include "store/store.h"

#define NOW_MS 1795082400000LL /* Thursday 2026-11-19T10:00:00Z */
#define USER_ID "a0000000-0000-4000-8000-0000000000ff"
#define OPERATOR_TENANT "a0000000-0000-4000-8000-000000000001"
/* stored as the customer admins' password hash; nobody signs in here */
#define FAKE_HASH "$argon2id$v=19$m=65536,t=2,p=1$dW5pdHRlc3Q$bm90LWEtcmVhbC1oYXNo"
#define AA CSPD_ROLE_ADMIN_AGENT
#define CADMIN CSPD_ROLE_CUSTOMER_ADMIN
#define DIRECT CSPD_PROG_DIRECT_BILL
#define PROVIDER CSPD_PROG_INDIRECT_PROVIDER
#define RESELLER CSPD_PROG_INDIRECT_RESELLER

/* offers of the shipped catalog (data/catalog.json) */
#define E1 "91FD106F-4B2C-4938-95AC-F54F74E9A239"          /* EUR 926 / month */
#define E3 "796B6B5F-613C-4E24-A17C-EBA730D49C02"          /* EUR 2100 / month, USD 2300 */
#define BASIC "BD938F12-058F-4927-BBA3-AE36B1D2501C"       /* 1..300 */
#define INTUNE "51E95709-DC35-4780-9040-22278CB7C0E1"      /* EUR 741 / month */
#define E5SEC "A0ED880D-780F-46D4-B4E3-9E1958C89365"       /* add-on of E3 only */
#define DEFENDER "A2706F86-868D-4048-989B-0C69E5C76B63"    /* add-on of E1, E3, Basic, Standard */
#define ARCHIVING "2828BE95-46BA-4F91-B2FD-0BEF192ECF60"   /* add-on of E1, E3, ... */
#define DYN_SALES "9587A239-1081-49BE-85C1-8DF3D80F021C"   /* EUR 9720 / month */
#define BIZ_CENTRAL "252A91B8-36E1-4273-9F7B-853C19C05F88" /* europe only, EUR 7410 */
#define TEAMS_PHONE "EFA05FB3-FF3D-497F-B58E-C52826DD1C01" /* not in brazil; USD 1500 */
#define AZURE_PAYG "MS-AZR-0145P"
#define AZURE_PLAN "DZH318Z0BPS6"  /* usage, 1..1, cycle none */
#define RESERVATION "DZH318Z0BQ4M" /* one-time EUR 45800 */
#define WINSERVER "DG7GMGF0D7HW"   /* term_based, annual only */
#define SQLSERVER "DG7GMGF0FKX2"   /* perpetual_software, one-time EUR 365000 */
#define SHIPPED_OFFERS 21

#define DAY_MS 86400000LL

/* ---- fixture ---------------------------------------------------------------------------- */

struct fx {
  struct cspd_store *st;
  struct cspd_arena *a; /* lives for the whole test: rows read back stay valid */
  struct cspd_ctx c;
  struct cspd_principal who;
};

#include "fixture.h"

static int64_t ms_at(const char *rfc3339) {
  int64_t ms = 0;
  if (cspd_time_parse(rfc3339, &ms) != 0)
    fail_msg("bad time %s", rfc3339);
  return ms;
}

/* ---- principals --------------------------------------------------------------------------- */

struct saved_who {
  struct cspd_principal who;
  bool set;
};

static struct saved_who save_who(const struct fx *f) {
  return (struct saved_who){f->who, f->c.who != NULL};
}

static void restore_who(struct fx *f, const struct saved_who *s) {
  f->who = s->who;
  f->c.who = s->set ? &f->who : NULL;
}

static void as_principal(struct fx *f, enum cspd_tenant_kind kind, const char *tenant,
                         unsigned roles) {
  memset(&f->who, 0, sizeof f->who);
  snprintf(f->who.tenant_id, sizeof f->who.tenant_id, "%s", tenant);
  snprintf(f->who.user_id, sizeof f->who.user_id, "%s", USER_ID);
  f->who.kind = kind;
  f->who.roles = roles;
  f->who.expires = f->c.now_ms / 1000 + 3600;
  f->c.who = &f->who;
}

static void as_operator(struct fx *f) {
  as_principal(f, CSPD_TENANT_OPERATOR, OPERATOR_TENANT, CSPD_ROLE_OPERATOR);
}

/** Run @a fn as the system; a refusal fails the test. The principal is kept. */
static void sys_run(struct fx *f, op_fn fn, void *arg, const char *what) {
  struct saved_who s = save_who(f);
  f->c.who = NULL;
  int rc = run(f, fn, arg);
  restore_who(f, &s);
  if (rc != 0)
    fail_msg("setup %s: %s %s (rc %d)", what, err_name(f), err_detail(f), rc);
}

/* ---- setup and teardown ------------------------------------------------------------------ */

static int seed_fn(struct cspd_ctx *c, void *arg) {
  (void)arg;
  int rc = cspd_fx_seed_defaults(c);
  return rc != 0 ? rc : cspd_catalog_seed_default(c);
}

static int fx_only_fn(struct cspd_ctx *c, void *arg) {
  (void)arg;
  return cspd_fx_seed_defaults(c);
}

static int open_fx(void **state, op_fn seed) {
  struct fx *f = calloc(1, sizeof *f);
  *state = f;
  f->a = cspd_arena_new(0);
  f->c.arena = f->a;
  f->c.now_ms = NOW_MS;
  f->c.base_url = "http://127.0.0.1:7700";
  f->c.sign_key = (const unsigned char *)"cspd-unit-test-signing-key-0123";
  char err[512] = "";
  if (cspd_store_open("memory", &f->st, err, sizeof err) != 0) {
    print_error("store: %s\n", err);
    return -1;
  }
  struct call k = {&f->c, seed, NULL};
  if (cspd_store_tx(f->st, true, call_cb, &k, NULL) != 0) {
    print_error("seed: %s\n", err_name(f));
    return -1;
  }
  f->c.db = NULL;
  return 0;
}

/** Memory store with the exchange rates and the shipped catalog. */
static int setup(void **state) {
  return open_fx(state, seed_fn);
}
/** Memory store with the exchange rates and no catalog. */
static int setup_bare(void **state) {
  return open_fx(state, fx_only_fn);
}

static int teardown(void **state) {
  struct fx *f = *state;
  cspd_store_close(f->st);
  cspd_arena_free(f->a);
  free(f);
  return 0;
}

static int group_setup(void **state) {
  (void)state;
  return cspd_crypto_init() != 0 || cspd_markets_init() != 0 ? -1 : 0;
}

/* ---- partners ------------------------------------------------------------------------------ */

struct partner {
  char org_id[37], tenant_id[37], mpn_id[16], global_mpn_id[16];
};

static const char *slug(struct fx *f, const char *name) {
  char *s = cspd_arena_strdup(f->a, name);
  char *w = s;
  for (const char *r = s; *r; r++)
    if (isalnum((unsigned char)*r))
      *w++ = (char)tolower((unsigned char)*r);
  *w = '\0';
  return s;
}

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

/** A partner organization with one location in @a country; no memberships, no MPA. */
static struct partner partner_in(struct fx *f, const char *name, const char *country) {
  struct org_args o = {.in = {.name = name}};
  sys_run(f, org_fn, &o, "organization");
  struct loc_args l = {
      .in = {.org_id = o.out.id,
             .country = country,
             .contact = {.first_name = "Ada",
                         .last_name = "Admin",
                         .email = cspd_arena_printf(f->a, "admin@%s.test", slug(f, name))}}};
  sys_run(f, loc_fn, &l, "location");
  struct partner p;
  memcpy(p.org_id, o.out.id, sizeof p.org_id);
  memcpy(p.tenant_id, l.out.tenant_id, sizeof p.tenant_id);
  memcpy(p.mpn_id, l.out.mpn_id, sizeof p.mpn_id);
  memcpy(p.global_mpn_id, o.out.mpn_id, sizeof p.global_mpn_id);
  return p;
}

struct ms_args {
  const char *tenant;
  enum cspd_program program;
  enum cspd_mstate state;
};
static int ms_set_fn(struct cspd_ctx *c, void *arg) {
  struct ms_args *a = arg;
  return cspd_membership_set(c, a->tenant, a->program, a->state, "test setup");
}

static void set_membership(struct fx *f, const struct partner *p, enum cspd_program program,
                           enum cspd_mstate state) {
  struct ms_args a = {p->tenant_id, program, state};
  sys_run(f, ms_set_fn, &a, "membership");
}

static int mpa_put_fn(struct cspd_ctx *c, void *arg) {
  struct cspd_mpa m = {
      .signer_name = "Ada Admin", .signer_email = "ada@signer.test", .signed_ms = c->now_ms};
  snprintf(m.tenant_id, sizeof m.tenant_id, "%s", (const char *)arg);
  return cspd_store_fail(c, cspd_db_ops(c->db)->mpa_put(c->db, &m), 0, 0);
}

/** The MPA is signed for @a p (written straight to the store). */
static void mpa_signed(struct fx *f, const struct partner *p) {
  sys_run(f, mpa_put_fn, (void *)p->tenant_id, "mpa");
}

/** An active member of @a program in @a country; MPA signed when @a mpa. */
static struct partner member(struct fx *f, const char *name, const char *country,
                             enum cspd_program program, bool mpa) {
  struct partner p = partner_in(f, name, country);
  set_membership(f, &p, program, CSPD_MS_ACTIVE);
  if (mpa)
    mpa_signed(f, &p);
  return p;
}

static struct partner direct_bill(struct fx *f, const char *name) {
  return member(f, name, "NL", DIRECT, true);
}
static struct partner provider(struct fx *f, const char *name) {
  return member(f, name, "NL", PROVIDER, true);
}
static struct partner reseller(struct fx *f, const char *name) {
  return member(f, name, "NL", RESELLER, true);
}
/** Direct-bill and enabled indirect reseller on the same tenant, MPA signed. */
static struct partner transitioned(struct fx *f, const char *name) {
  struct partner p = direct_bill(f, name);
  set_membership(f, &p, RESELLER, CSPD_MS_ACTIVE);
  return p;
}

struct prt_args {
  const char *provider, *reseller, *state;
};
static int prt_insert_fn(struct cspd_ctx *c, void *arg) {
  struct prt_args *a = arg;
  struct cspd_partnership ps = {.state = "active", .created_ms = c->now_ms};
  snprintf(ps.provider_tenant_id, sizeof ps.provider_tenant_id, "%s", a->provider);
  snprintf(ps.reseller_tenant_id, sizeof ps.reseller_tenant_id, "%s", a->reseller);
  return cspd_store_fail(c, cspd_db_ops(c->db)->partnership_insert(c->db, &ps), 0, 0);
}
static int prt_state_fn(struct cspd_ctx *c, void *arg) {
  struct prt_args *a = arg;
  return cspd_store_fail(c,
                         cspd_db_ops(c->db)->partnership_set_state(c->db, a->provider, a->reseller,
                                                                   a->state, c->now_ms),
                         0, 0);
}

/** @a res accepted @a prov's partnership invitation. */
static void partner_up(struct fx *f, const struct partner *prov, const struct partner *res) {
  struct prt_args a = {prov->tenant_id, res->tenant_id, NULL};
  sys_run(f, prt_insert_fn, &a, "partnership");
}

static void end_partnership(struct fx *f, const struct partner *prov, const struct partner *res) {
  struct prt_args a = {prov->tenant_id, res->tenant_id, "terminated"};
  sys_run(f, prt_state_fn, &a, "end partnership");
}

static void as_partner(struct fx *f, const struct partner *p, unsigned roles) {
  as_principal(f, CSPD_TENANT_PARTNER, p->tenant_id, roles);
}

/* ---- customers ------------------------------------------------------------------------------ */

struct create_args {
  struct cspd_customer_create in;
  struct cspd_customer out;
};
static int create_fn(struct cspd_ctx *c, void *arg) {
  struct create_args *a = arg;
  return cspd_customer_create_by_partner(c, &a->in, &a->out);
}

/** @a by creates customer @a name in @a country, for its reseller @a res when
 * given (associatedPartnerId). */
static struct cspd_customer customer_in(struct fx *f, const struct partner *by,
                                        const struct partner *res, const char *name,
                                        const char *country) {
  const char *domain = cspd_arena_printf(f->a, "%s.onmicrosoft.com", slug(f, name));
  struct create_args a = {
      .in = {.domain = domain,
             .company_name = name,
             .country = country,
             .billing_json = cspd_arena_printf(
                 f->a, "{\"companyName\":\"%s\",\"email\":\"billing@%s\"}", name, domain),
             .associated_partner = res ? res->tenant_id : NULL,
             .admin_user_name = cspd_arena_printf(f->a, "admin@%s", domain),
             .admin_password_hash = FAKE_HASH}};
  struct saved_who s = save_who(f);
  as_partner(f, by, AA);
  int rc = run(f, create_fn, &a);
  restore_who(f, &s);
  if (rc != 0)
    fail_msg("create customer %s: %s %s", name, err_name(f), err_detail(f));
  return a.out;
}

/** @a by's direct customer in NL. */
static struct cspd_customer customer_of(struct fx *f, const struct partner *by, const char *name) {
  return customer_in(f, by, NULL, name, "NL");
}

/** A customer in NL that @a prov creates for its reseller @a res. */
static struct cspd_customer customer_for(struct fx *f, const struct partner *prov,
                                         const struct partner *res, const char *name) {
  return customer_in(f, prov, res, name, "NL");
}

struct lone_args {
  struct cspd_customer_input in;
  struct cspd_customer out;
};
static int lone_fn(struct cspd_ctx *c, void *arg) {
  struct lone_args *a = arg;
  return cspd_customer_create(c, &a->in, &a->out);
}

/** A customer tenant no partner holds (created by the system). */
static struct cspd_customer lone_customer(struct fx *f, const char *name) {
  struct lone_args a = {
      .in = {.company_name = name,
             .domain = cspd_arena_printf(f->a, "%s.onmicrosoft.com", slug(f, name)),
             .country = "NL"}};
  sys_run(f, lone_fn, &a, "customer tenant");
  return a.out;
}

struct crel_args {
  struct cspd_crel r;
};
static int crel_put_fn(struct cspd_ctx *c, void *arg) {
  struct crel_args *a = arg;
  return cspd_store_fail(c, cspd_db_ops(c->db)->crel_put(c->db, &a->r), 0, 0);
}

/** @a p holds @a cu in @a role (via @a via), written straight to the store --
 * for partners whose missing MPA keeps the core from creating it. */
static void hold(struct fx *f, const struct cspd_customer *cu, const struct partner *p,
                 enum cspd_crel_role role, const struct partner *via) {
  struct crel_args a = {.r = {.role = role,
                              .acquired = "created",
                              .via_tenant_id = via ? via->tenant_id : NULL,
                              .delegated_admin = role != CSPD_CREL_PROVIDER,
                              .state = "active",
                              .created_ms = f->c.now_ms}};
  memcpy(a.r.customer_tenant_id, cu->tenant_id, sizeof a.r.customer_tenant_id);
  memcpy(a.r.partner_tenant_id, p->tenant_id, sizeof a.r.partner_tenant_id);
  sys_run(f, crel_put_fn, &a, "crel_put");
}

struct agree_args {
  const char *customer;
  struct cspd_cagreement in;
};
static int agree_fn(struct cspd_ctx *c, void *arg) {
  struct agree_args *a = arg;
  return cspd_cagreement_create(c, a->customer, &a->in);
}

static void agreement(struct fx *f, const struct cspd_customer *cu) {
  int n;
  const struct cspd_agreement_meta *m = cspd_agreement_metadata(&n);
  const char *tpl = NULL;
  for (int i = 0; i < n; i++)
    if (strcmp(m[i].type, "MicrosoftCustomerAgreement") == 0)
      tpl = m[i].template_id;
  struct agree_args a = {.customer = cu->tenant_id,
                         .in = {.type = "MicrosoftCustomerAgreement",
                                .template_id = tpl,
                                .date_agreed_ms = ms_at("2026-01-15T00:00:00Z"),
                                .contact = {.first_name = "Cara",
                                            .last_name = "Customer",
                                            .email = "cara@customer.test"}}};
  assert_ok(f, run(f, agree_fn, &a));
}

/** The customer's admin accepts the MCA itself (counts for every partner, R-MCA-2). */
static void mca_accepted(struct fx *f, const struct cspd_customer *cu) {
  struct saved_who s = save_who(f);
  as_principal(f, CSPD_TENANT_CUSTOMER, cu->tenant_id, CADMIN);
  agreement(f, cu);
  restore_who(f, &s);
}

/** @a by attests the MCA in its own name (counts only for @a by). */
static void mca_attested(struct fx *f, const struct partner *by, const struct cspd_customer *cu) {
  struct saved_who s = save_who(f);
  as_partner(f, by, AA);
  agreement(f, cu);
  restore_who(f, &s);
}

struct extend_args {
  const char *customer, *provider;
};
static int extend_fn(struct cspd_ctx *c, void *arg) {
  struct extend_args *a = arg;
  return cspd_relationship_extend(c, a->customer, a->provider, true);
}

/* ---- orders and subscriptions ---------------------------------------------------------------- */

typedef struct cspd_order_line_in line_in;

struct order_args {
  const char *customer;
  struct cspd_order_in in;
  struct cspd_order order;
  struct cspd_subscription *subs;
};
static int order_fn(struct cspd_ctx *c, void *arg) {
  struct order_args *a = arg;
  return cspd_order_create(c, a->customer, &a->in, &a->order, &a->subs);
}

/** @a by (an admin agent) orders @a n @a lines for @a cu; line numbers are
 * set to the index. @param[out] subs may be NULL. */
static int order_as(struct fx *f, const struct partner *by, const struct cspd_customer *cu,
                    const char *cycle, line_in *lines, int n, struct cspd_subscription **subs) {
  for (int i = 0; i < n; i++)
    lines[i].line_item_number = i;
  struct order_args a = {.customer = cu->tenant_id,
                         .in = {.reference_customer_id = cu->tenant_id,
                                .billing_cycle = cycle,
                                .lines = lines,
                                .nlines = n}};
  struct saved_who s = save_who(f);
  as_partner(f, by, AA);
  int rc = run(f, order_fn, &a);
  restore_who(f, &s);
  if (subs != NULL)
    *subs = rc == 0 ? a.subs : NULL;
  for (int i = 0; rc == 0 && i < n; i++) /* it points into a.order, gone on return */
    a.subs[i].order_id = cspd_arena_strdup(f->a, a.order.id);
  return rc;
}

/** One line of @a offer x @a qty (naming @a parent, @a por when given). */
static int order1(struct fx *f, const struct partner *by, const struct cspd_customer *cu,
                  const char *offer, int64_t qty, const char *parent, const char *por,
                  struct cspd_subscription *out) {
  line_in l = {.offer_id = offer,
               .quantity = qty,
               .parent_subscription_id = parent,
               .partner_id_on_record = por};
  struct cspd_subscription *subs;
  int rc = order_as(f, by, cu, NULL, &l, 1, &subs);
  if (rc == 0 && out != NULL)
    *out = subs[0];
  return rc;
}

/** @a by buys @a offer x @a qty for @a cu (a refusal fails the test). */
static struct cspd_subscription buy(struct fx *f, const struct partner *by,
                                    const struct cspd_customer *cu, const char *offer,
                                    int64_t qty) {
  struct cspd_subscription s;
  assert_ok(f, order1(f, by, cu, offer, qty, NULL, NULL, &s));
  return s;
}

static struct cspd_subscription buy_addon(struct fx *f, const struct partner *by,
                                          const struct cspd_customer *cu, const char *offer,
                                          int64_t qty, const struct cspd_subscription *parent) {
  struct cspd_subscription s;
  assert_ok(f, order1(f, by, cu, offer, qty, parent->id, NULL, &s));
  return s;
}

struct sub_get_args {
  const char *id;
  struct cspd_subscription out;
};
static int sub_get_fn(struct cspd_ctx *c, void *arg) {
  struct sub_get_args *a = arg;
  return cspd_store_fail(c, cspd_db_ops(c->db)->sub_get(c->db, a->id, c->arena, &a->out),
                         CSPD_E_SUB_NOT_FOUND, 0);
}

/** Subscription @a id as stored now. */
static struct cspd_subscription sub_now(struct fx *f, const char *id) {
  struct sub_get_args a = {.id = id};
  sys_run(f, sub_get_fn, &a, "sub_get");
  return a.out;
}

static const char *status_of(struct fx *f, const struct cspd_subscription *s) {
  return sub_now(f, s->id).status;
}

struct sub_list_args {
  struct cspd_sub_filter filter;
  struct cspd_subscription *rows;
  int n;
};
static int sub_list_fn(struct cspd_ctx *c, void *arg) {
  struct sub_list_args *a = arg;
  return cspd_store_fail(
      c, cspd_db_ops(c->db)->sub_list(c->db, &a->filter, "", 500, c->arena, &a->rows, &a->n), 0, 0);
}

/** How many subscriptions @a cu has (listed or not). */
static int sub_count(struct fx *f, const struct cspd_customer *cu) {
  struct sub_list_args a = {
      .filter = {.customer_tenant_id = cu->tenant_id, .include_unlisted = true}};
  sys_run(f, sub_list_fn, &a, "sub_list");
  return a.n;
}

struct order_list_args {
  const char *customer;
  struct cspd_order *rows;
  int n;
};
static int order_list_fn(struct cspd_ctx *c, void *arg) {
  struct order_list_args *a = arg;
  return cspd_store_fail(
      c,
      cspd_db_ops(c->db)->order_list(c->db, a->customer, NULL, "", 100, c->arena, &a->rows, &a->n),
      0, 0);
}

static int order_count(struct fx *f, const struct cspd_customer *cu) {
  struct order_list_args a = {.customer = cu->tenant_id};
  sys_run(f, order_list_fn, &a, "order_list");
  return a.n;
}

struct patch_args {
  const char *customer, *sub;
  struct cspd_sub_patch p;
  struct cspd_subscription out;
};
static int patch_fn(struct cspd_ctx *c, void *arg) {
  struct patch_args *a = arg;
  int rc = cspd_subscription_read(c, a->customer, a->sub, &a->out);
  return rc != 0 ? rc : cspd_subscription_update(c, &a->out, &a->p);
}

/** @a by PATCHes @a s (read afresh in the same transaction). */
static int patch_as(struct fx *f, const struct partner *by, const struct cspd_subscription *s,
                    struct cspd_sub_patch p) {
  struct patch_args a = {.customer = s->customer_tenant_id, .sub = s->id, .p = p};
  struct saved_who sw = save_who(f);
  as_partner(f, by, AA);
  int rc = run(f, patch_fn, &a);
  restore_who(f, &sw);
  return rc;
}

#define NO_PATCH .quantity = -1, .auto_renew = -1
static struct cspd_sub_patch p_status(const char *st) {
  return (struct cspd_sub_patch){NO_PATCH, .status = st};
}
static struct cspd_sub_patch p_qty(int64_t q) {
  return (struct cspd_sub_patch){.quantity = q, .auto_renew = -1};
}

/* ---- catalog ----------------------------------------------------------------------------------
 */

struct catalog_args {
  json_t *doc;
  int n;
};
static int catalog_fn(struct cspd_ctx *c, void *arg) {
  struct catalog_args *a = arg;
  return cspd_catalog_replace(c, a->doc, &a->n);
}
static int seed_catalog_fn(struct cspd_ctx *c, void *arg) {
  (void)arg;
  return cspd_catalog_seed_default(c);
}

/** The operator PUTs @a doc (kept). @param[out] n may be NULL. */
static int replace_catalog(struct fx *f, json_t *doc, int *n) {
  struct catalog_args a = {doc, -1};
  struct saved_who s = save_who(f);
  as_operator(f);
  int rc = run(f, catalog_fn, &a);
  restore_who(f, &s);
  if (n != NULL)
    *n = a.n;
  return rc;
}

struct offer_list_args {
  char **docs;
  int n;
};
static int offer_list_fn(struct cspd_ctx *c, void *arg) {
  struct offer_list_args *a = arg;
  return cspd_store_fail(c, cspd_db_ops(c->db)->offer_list(c->db, c->arena, &a->docs, &a->n), 0, 0);
}

/** The stored offer documents, in catalog order. @param[out] n. */
static char **offer_docs(struct fx *f, int *n) {
  struct offer_list_args a = {0};
  sys_run(f, offer_list_fn, &a, "offer_list");
  *n = a.n;
  return a.docs;
}

static int offer_count(struct fx *f) {
  int n;
  offer_docs(f, &n);
  return n;
}

struct offer_get_args {
  const char *id;
  struct cspd_offer out;
};
static int offer_get_fn(struct cspd_ctx *c, void *arg) {
  struct offer_get_args *a = arg;
  return cspd_offer_get(c, a->id, &a->out);
}

/** Whether offer @a id is in the catalog (OFFER_NOT_FOUND otherwise). */
static bool has_offer(struct fx *f, const char *id) {
  struct offer_get_args a = {.id = id};
  int rc = run(f, offer_get_fn, &a);
  if (rc == 0) {
    json_decref(a.out.doc);
    return true;
  }
  assert_int_equal(f->c.err.id, CSPD_E_OFFER_NOT_FOUND);
  return false;
}

/** A valid three-offer catalog: a base, an add-on of it, a usage offer. */
static json_t *mini_catalog(void) {
  static const char doc[] =
      "{\"version\":\"test\",\"offers\":["
      "{\"id\":\"BASE-1\",\"name\":\"Base One\",\"description\":\"d\",\"category\":\"Office\","
      "\"productId\":\"BASE-1\",\"unitType\":\"Licenses\",\"billing\":\"license\","
      "\"transferClass\":\"license_based\",\"minimumQuantity\":1,\"maximumQuantity\":50,"
      "\"isAddOn\":false,\"parentOffers\":[],\"supportedBillingCycles\":[\"monthly\"],"
      "\"termMonths\":12,\"markets\":[\"*\"],\"prices\":{\"EUR\":1000,\"USD\":1100}},"
      "{\"id\":\"ADDON-1\",\"name\":\"Add-on One\",\"description\":\"d\",\"category\":\"Office\","
      "\"productId\":\"ADDON-1\",\"unitType\":\"Licenses\",\"billing\":\"license\","
      "\"transferClass\":\"license_based\",\"minimumQuantity\":1,\"maximumQuantity\":50,"
      "\"isAddOn\":true,\"parentOffers\":[\"BASE-1\"],\"supportedBillingCycles\":[\"monthly\"],"
      "\"termMonths\":12,\"markets\":[\"*\"],\"prices\":{\"EUR\":100,\"USD\":110}},"
      "{\"id\":\"USAGE-1\",\"name\":\"Usage One\",\"description\":\"d\",\"category\":\"Azure\","
      "\"productId\":\"USAGE-1\",\"unitType\":\"Usage-based\",\"billing\":\"usage\","
      "\"transferClass\":\"azure_plan\",\"minimumQuantity\":1,\"maximumQuantity\":1,"
      "\"isAddOn\":false,\"parentOffers\":[],\"supportedBillingCycles\":[\"none\"],"
      "\"termMonths\":0,\"markets\":[\"*\"],\"prices\":{\"EUR\":0,\"USD\":0}}]}";
  json_error_t e;
  json_t *j = json_loads(doc, 0, &e);
  if (j == NULL)
    fail_msg("mini catalog: %s", e.text);
  return j;
}

static json_t *offer_at(json_t *doc, size_t i) {
  return json_array_get(json_object_get(doc, "offers"), i);
}

/** The operator's PUT of @a doc is refused as CATALOG_INVALID and the catalog
 * still holds @a count offers including @a sentinel. @a doc is released. */
static void catalog_refused(struct fx *f, json_t *doc, int count, const char *sentinel,
                            const char *what) {
  int rc = replace_catalog(f, doc, NULL);
  json_decref(doc);
  if (rc == 0)
    fail_msg("catalog with %s: accepted, want CATALOG_INVALID", what);
  if (f->c.err.id != CSPD_E_CATALOG_INVALID)
    fail_msg("catalog with %s: refused with %s %s, want CATALOG_INVALID", what, err_name(f),
             err_detail(f));
  assert_null(cspd_error_info(f->c.err.id)->rule);
  assert_int_equal(cspd_error_info(f->c.err.id)->code, 800002);
  assert_int_equal(offer_count(f), count);
  assert_true(has_offer(f, sentinel));
}

/* ---- billing ----------------------------------------------------------------------------------
 */

struct bill_args {
  int64_t month;
  json_t *report;
};
static int bill_fn(struct cspd_ctx *c, void *arg) {
  struct bill_args *a = arg;
  return cspd_billing_run(c, a->month, &a->report);
}

/** The month starting at @a month_start is invoiced (by the system at
 * @a month_start + 1 month). @return the number of invoices it created. */
static int bill(struct fx *f, int64_t month_start) {
  struct bill_args a = {month_start, NULL};
  sys_run(f, bill_fn, &a, "billing run");
  int n = (int)json_array_size(json_object_get(a.report, "invoices"));
  json_decref(a.report);
  return n;
}

struct inv_args {
  const char *billed;
  struct cspd_invoice *rows;
  int n;
};
static int inv_list_fn(struct cspd_ctx *c, void *arg) {
  struct inv_args *a = arg;
  return cspd_store_fail(
      c, cspd_db_ops(c->db)->invoice_list(c->db, a->billed, "", 100, c->arena, &a->rows, &a->n), 0,
      0);
}

/** Invoices billed to @a p (NULL: all). @param[out] n. */
static struct cspd_invoice *invoices_of(struct fx *f, const struct partner *p, int *n) {
  struct inv_args a = {.billed = p ? p->tenant_id : NULL};
  sys_run(f, inv_list_fn, &a, "invoice_list");
  *n = a.n;
  return a.rows;
}

/** @a p's invoice for @a period in @a currency, or NULL; there is at most one. */
static const struct cspd_invoice *invoice_of(struct fx *f, const struct partner *p,
                                             const char *period, const char *currency) {
  int n;
  struct cspd_invoice *rows = invoices_of(f, p, &n);
  const struct cspd_invoice *found = NULL;
  for (int i = 0; i < n; i++)
    if (strcmp(rows[i].period, period) == 0 && strcmp(rows[i].currency, currency) == 0) {
      if (found != NULL)
        fail_msg("two %s invoices for %s", currency, period);
      found = &rows[i];
    }
  return found;
}

struct lines_args {
  const char *invoice;
  struct cspd_invoice_line *rows;
  int n;
};
static int lines_fn(struct cspd_ctx *c, void *arg) {
  struct lines_args *a = arg;
  return cspd_store_fail(
      c, cspd_db_ops(c->db)->invoice_lines(c->db, a->invoice, c->arena, &a->rows, &a->n), 0, 0);
}

static struct cspd_invoice_line *lines_of(struct fx *f, const struct cspd_invoice *inv, int *n) {
  struct lines_args a = {.invoice = inv->id};
  sys_run(f, lines_fn, &a, "invoice_lines");
  *n = a.n;
  int64_t sum = 0;
  for (int i = 0; i < a.n; i++)
    sum += a.rows[i].amount_minor;
  assert_int_equal(sum, inv->total_minor); /* the total is the sum of its lines */
  return a.rows;
}

/** The line of subscription @a s starting at @a start (the test fails without one). */
static const struct cspd_invoice_line *line_of(const struct cspd_invoice_line *rows, int n,
                                               const struct cspd_subscription *s, int64_t start) {
  for (int i = 0; i < n; i++)
    if (strcmp(rows[i].subscription_id, s->id) == 0 && rows[i].start_ms == start)
      return &rows[i];
  fail_msg("no invoice line for %s (%s) starting at %lld", s->id, s->offer_name, (long long)start);
  return NULL;
}

static int lines_for(const struct cspd_invoice_line *rows, int n,
                     const struct cspd_subscription *s) {
  int k = 0;
  for (int i = 0; i < n; i++)
    k += strcmp(rows[i].subscription_id, s->id) == 0;
  return k;
}

/** unit x qty x span / month, rounded half up (amounts are never negative). */
static int64_t prorated(int64_t unit, int64_t qty, int64_t span, int64_t month) {
  int64_t v = unit * qty * span;
  return (2 * v + month) / (2 * month);
}

/** A license line: quantity, interval, unit price and the prorated amount. */
static void assert_license_line(const struct cspd_invoice_line *l, int64_t qty, int64_t start,
                                int64_t end, int64_t unit, int64_t month) {
  assert_string_equal(l->kind, "license");
  assert_int_equal(l->quantity, qty);
  assert_int_equal(l->start_ms, start);
  assert_int_equal(l->end_ms, end);
  assert_int_equal(l->unit_price_minor, unit);
  assert_int_equal(l->amount_minor, prorated(unit, qty, end - start, month));
}

struct usage_args {
  const char *sub;
  int64_t at, amount;
};
static int usage_fn(struct cspd_ctx *c, void *arg) {
  struct usage_args *a = arg;
  struct cspd_subscription s;
  int rc = cspd_db_ops(c->db)->sub_get(c->db, a->sub, c->arena, &s);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_SUB_NOT_FOUND, 0);
  return cspd_usage_record(c, &s, a->at, a->amount, "vm-1");
}

/** Operator metering: usage of @a s at @a at. */
static int usage(struct fx *f, const struct cspd_subscription *s, int64_t at, int64_t amount) {
  struct usage_args a = {s->id, at, amount};
  return run(f, usage_fn, &a);
}

struct rev_args {
  const char *org;
  struct cspd_revenue *rows;
  int n;
};
static int rev_fn(struct cspd_ctx *c, void *arg) {
  struct rev_args *a = arg;
  return cspd_store_fail(
      c, cspd_db_ops(c->db)->revenue_list(c->db, a->org, 0, 100, c->arena, &a->rows, &a->n), 0, 0);
}

static struct cspd_revenue *revenue_of(struct fx *f, const struct partner *p, int *n) {
  struct rev_args a = {.org = p->org_id};
  sys_run(f, rev_fn, &a, "revenue_list");
  *n = a.n;
  return a.rows;
}

struct eval_args {
  int64_t as_of;
  json_t *report;
};
static int eval_fn(struct cspd_ctx *c, void *arg) {
  struct eval_args *a = arg;
  return cspd_directbill_evaluate(c, a->as_of, false, &a->report);
}

/** The R-DB-1 report item of @a p's organization at @a as_of (new reference). */
static json_t *evaluation_of(struct fx *f, const struct partner *p, int64_t as_of) {
  struct eval_args a = {as_of, NULL};
  sys_run(f, eval_fn, &a, "direct-bill evaluation");
  json_t *items = json_object_get(a.report, "items"), *it, *found = NULL;
  size_t i;
  json_array_foreach(items, i, it) {
    if (strcmp(json_string_value(json_object_get(it, "partnerId")), p->org_id) == 0)
      found = json_incref(it);
  }
  json_decref(a.report);
  if (found == NULL)
    fail_msg("no evaluation item for %s", p->org_id);
  return found;
}

/* ==== R-ORD-1 catalog ========================================================================= */

static void test_R_ORD_1_shipped_catalog_loaded_once(void **state) {
  struct fx *f = *state;
  assert_int_equal(offer_count(f), 0);
  assert_false(has_offer(f, E3));
  sys_run(f, seed_catalog_fn, NULL, "seed catalog");
  assert_int_equal(offer_count(f), SHIPPED_OFFERS);
  struct offer_get_args g = {.id = E3};
  assert_ok(f, run(f, offer_get_fn, &g));
  assert_string_equal(g.out.name, "Office 365 E3");
  assert_string_equal(g.out.billing, "license");
  assert_string_equal(g.out.transfer_class, "license_based");
  assert_int_equal(g.out.min_q, 1);
  assert_int_equal(g.out.max_q, 10000);
  assert_false(g.out.is_addon);
  assert_int_equal(g.out.term_months, 12);
  int64_t price;
  const char *cur;
  assert_true(cspd_offer_sold_in(&g.out, "NL", &price, &cur));
  assert_int_equal(price, 2100);
  assert_string_equal(cur, "EUR");
  json_decref(g.out.doc);
  /* offer ids are compared without regard to case */
  assert_true(has_offer(f, "796b6b5f-613c-4e24-a17c-eba730d49c02"));

  /* seeding again loads nothing: not a second copy, not over the operator's catalog */
  sys_run(f, seed_catalog_fn, NULL, "seed catalog again");
  assert_int_equal(offer_count(f), SHIPPED_OFFERS);
  json_t *mini = mini_catalog();
  int n;
  assert_ok(f, replace_catalog(f, mini, &n));
  json_decref(mini);
  assert_int_equal(n, 3);
  sys_run(f, seed_catalog_fn, NULL, "seed over the operator's catalog");
  assert_int_equal(offer_count(f), 3);
  assert_true(has_offer(f, "BASE-1"));
  assert_false(has_offer(f, E3));
}

static void test_R_ORD_1_shipped_catalog_has_every_transfer_class(void **state) {
  struct fx *f = *state;
  static const char *const classes[] = {"license_based",     "azure_payg", "azure_plan",
                                        "azure_reservation", "term_based", "marketplace_saas",
                                        "perpetual_software"};
  int seen[7] = {0};
  int n;
  char **docs = offer_docs(f, &n);
  assert_int_equal(n, SHIPPED_OFFERS);
  json_t *all = json_object(); /* id -> isAddOn */
  for (int i = 0; i < n; i++) {
    json_t *o = json_loads(docs[i], 0, NULL);
    assert_non_null(o);
    json_object_set(all, json_string_value(json_object_get(o, "id")),
                    json_object_get(o, "isAddOn"));
    json_decref(o);
  }
  for (int i = 0; i < n; i++) {
    json_t *o = json_loads(docs[i], 0, NULL);
    const char *id = json_string_value(json_object_get(o, "id"));
    const char *cls = json_string_value(json_object_get(o, "transferClass"));
    const char *billing = json_string_value(json_object_get(o, "billing"));
    bool known = false;
    for (int k = 0; k < 7; k++)
      if (cls && strcmp(cls, classes[k]) == 0) {
        seen[k]++;
        known = true;
      }
    if (!known)
      fail_msg("%s: transferClass %s", id, cls ? cls : "(none)");
    assert_true(strcmp(billing, "license") == 0 || strcmp(billing, "usage") == 0 ||
                strcmp(billing, "none") == 0);
    /* azure_payg is MS-AZR-0145P and nothing else */
    assert_int_equal(strcmp(cls, "azure_payg") == 0, strcmp(id, AZURE_PAYG) == 0);
    /* prices are integers in minor units */
    const char *cur;
    json_t *v;
    json_object_foreach(json_object_get(o, "prices"), cur, v) {
      if (!json_is_integer(v) || json_integer_value(v) < 0)
        fail_msg("%s.prices.%s is not minor units", id, cur);
    }
    /* add-on parents exist and are base offers */
    size_t k;
    json_array_foreach(json_object_get(o, "parentOffers"), k, v) {
      json_t *isaddon = json_object_get(all, json_string_value(v));
      if (isaddon == NULL || json_is_true(isaddon))
        fail_msg("%s: parent %s is not a base offer", id, json_string_value(v));
    }
    json_decref(o);
  }
  json_decref(all);
  for (int k = 0; k < 7; k++)
    if (seen[k] == 0)
      fail_msg("no offer of transfer class %s in the shipped catalog", classes[k]);
}

static void test_R_ORD_1_catalog_replace_validates_offers(void **state) {
  struct fx *f = *state;
  json_t *d;
  /* values outside the allowed sets */
  d = mini_catalog();
  json_object_set_new(offer_at(d, 0), "billing", json_string("monthly"));
  catalog_refused(f, d, SHIPPED_OFFERS, E3, "billing monthly");
  d = mini_catalog();
  json_object_set_new(offer_at(d, 2), "transferClass", json_string("azure"));
  catalog_refused(f, d, SHIPPED_OFFERS, E3, "transferClass azure");
  /* an add-on's parent must exist; an add-on names parents, a base none */
  d = mini_catalog();
  json_array_set_new(json_object_get(offer_at(d, 1), "parentOffers"), 0, json_string("NOPE"));
  catalog_refused(f, d, SHIPPED_OFFERS, E3, "unknown add-on parent");
  d = mini_catalog();
  json_object_set_new(offer_at(d, 1), "parentOffers", json_array());
  catalog_refused(f, d, SHIPPED_OFFERS, E3, "add-on without parents");
  d = mini_catalog();
  json_object_set_new(offer_at(d, 0), "isAddOn", json_true());
  catalog_refused(f, d, SHIPPED_OFFERS, E3, "add-on flag without parents");
  /* duplicate ids */
  d = mini_catalog();
  json_object_set_new(offer_at(d, 2), "id", json_string("BASE-1"));
  catalog_refused(f, d, SHIPPED_OFFERS, E3, "duplicate id");
  /* prices in minor units: integers >= 0 */
  d = mini_catalog();
  json_object_set_new(json_object_get(offer_at(d, 0), "prices"), "EUR", json_real(10.5));
  catalog_refused(f, d, SHIPPED_OFFERS, E3, "decimal price");
  d = mini_catalog();
  json_object_set_new(json_object_get(offer_at(d, 0), "prices"), "EUR", json_string("1000"));
  catalog_refused(f, d, SHIPPED_OFFERS, E3, "price as a string");
  d = mini_catalog();
  json_object_set_new(json_object_get(offer_at(d, 2), "prices"), "USD", json_integer(-1));
  catalog_refused(f, d, SHIPPED_OFFERS, E3, "negative price");
  /* quantity bounds */
  d = mini_catalog();
  json_object_set_new(offer_at(d, 0), "minimumQuantity", json_integer(0));
  catalog_refused(f, d, SHIPPED_OFFERS, E3, "minimumQuantity 0");
  d = mini_catalog();
  json_object_set_new(offer_at(d, 0), "maximumQuantity", json_integer(0));
  catalog_refused(f, d, SHIPPED_OFFERS, E3, "maximum below minimum");
  /* a missing field, no offers at all */
  d = mini_catalog();
  json_object_del(offer_at(d, 2), "markets");
  catalog_refused(f, d, SHIPPED_OFFERS, E3, "no markets");
  d = json_pack("{s:s, s:[]}", "version", "empty", "offers");
  catalog_refused(f, d, SHIPPED_OFFERS, E3, "no offers");

  /* only the operator replaces the catalog */
  d = mini_catalog();
  struct catalog_args a = {d, -1};
  struct partner p = provider(f, "Fabrikam Distribution");
  as_partner(f, &p, CSPD_ROLE_GLOBAL_ADMIN);
  assert_refused(f, run(f, catalog_fn, &a), CSPD_E_ROLE_REQUIRED, NULL, 403);
  assert_int_equal(offer_count(f), SHIPPED_OFFERS);

  /* the valid document replaces the whole catalog */
  int n;
  assert_ok(f, replace_catalog(f, d, &n));
  json_decref(d);
  assert_int_equal(n, 3);
  assert_int_equal(offer_count(f), 3);
  assert_true(has_offer(f, "BASE-1"));
  assert_true(has_offer(f, "ADDON-1"));
  assert_false(has_offer(f, E3));
  assert_int_equal(cspd_error_info(CSPD_E_OFFER_NOT_FOUND)->code, 600008);
}

static void test_R_ORD_1_refused_catalog_leaves_the_old_one(void **state) {
  struct fx *f = *state;
  json_t *d = mini_catalog();
  assert_ok(f, replace_catalog(f, d, NULL));
  json_decref(d);
  /* two good new offers, then a bad one: nothing of it is stored */
  d = json_pack("{s:s, s:[]}", "version", "next", "offers");
  for (int i = 0; i < 3; i++) {
    json_t *m = mini_catalog();
    json_t *o = json_deep_copy(offer_at(m, 0));
    json_decref(m);
    json_object_set_new(o, "id", json_string(i == 0 ? "NEW-1" : i == 1 ? "NEW-2" : "NEW-3"));
    json_object_set_new(o, "name", json_string(i == 0 ? "New 1" : i == 1 ? "New 2" : "New 3"));
    if (i == 2)
      json_object_set_new(o, "transferClass", json_string("perpetual"));
    json_array_append_new(json_object_get(d, "offers"), o);
  }
  catalog_refused(f, d, 3, "BASE-1", "a bad last offer");
  assert_false(has_offer(f, "NEW-1"));
  assert_false(has_offer(f, "NEW-2"));

  /* a document the store itself refuses part-way (ids equal but for case
   * collide on the catalog's key) is rolled back as a whole too */
  d = mini_catalog();
  json_object_set_new(offer_at(d, 2), "id", json_string("base-1"));
  json_object_set_new(offer_at(d, 2), "name", json_string("Base One again"));
  assert_int_not_equal(replace_catalog(f, d, NULL), 0);
  json_decref(d);
  assert_int_equal(offer_count(f), 3);
  assert_true(has_offer(f, "USAGE-1"));

  /* subscriptions keep what they were bought with */
  struct partner dp = direct_bill(f, "Contoso");
  struct cspd_customer cu = customer_of(f, &dp, "Wingtip Toys");
  mca_accepted(f, &cu);
  struct cspd_subscription s = buy(f, &dp, &cu, "BASE-1", 2);
  d = mini_catalog();
  json_object_set_new(offer_at(d, 0), "name", json_string("Base One Renamed"));
  json_object_set_new(json_object_get(offer_at(d, 0), "prices"), "EUR", json_integer(5000));
  assert_ok(f, replace_catalog(f, d, NULL));
  json_decref(d);
  struct cspd_subscription now = sub_now(f, s.id);
  assert_string_equal(now.offer_name, "Base One");
  assert_int_equal(now.unit_price_minor, 1000);
}

/* docs/catalog.md: "ids and names are unique" with ids "compared without regard to case" */
static void test_R_ORD_1_duplicate_ids_compared_without_case(void **state) {
  struct fx *f = *state;
  json_t *d = mini_catalog();
  json_object_set_new(offer_at(d, 2), "id", json_string("base-1"));
  json_object_set_new(offer_at(d, 2), "name", json_string("Base One again"));
  catalog_refused(f, d, SHIPPED_OFFERS, E3, "ids equal but for case");
}

/* docs/catalog.md: parents "must be an offer of this catalog that is not itself an add-on" */
static void test_R_ORD_1_addon_parents_are_base_offers(void **state) {
  struct fx *f = *state;
  json_t *d = mini_catalog(), *o = json_deep_copy(offer_at(d, 1));
  json_object_set_new(o, "id", json_string("ADDON-2"));
  json_object_set_new(o, "name", json_string("Add-on of an add-on"));
  json_object_set_new(o, "parentOffers", json_pack("[s]", "ADDON-1"));
  json_array_append_new(json_object_get(d, "offers"), o);
  catalog_refused(f, d, SHIPPED_OFFERS, E3, "an add-on as parent");
  /* the same add-on under the base offer is fine */
  d = mini_catalog();
  o = json_deep_copy(offer_at(d, 1));
  json_object_set_new(o, "id", json_string("ADDON-2"));
  json_object_set_new(o, "name", json_string("Second add-on"));
  json_array_append_new(json_object_get(d, "offers"), o);
  int n;
  assert_ok(f, replace_catalog(f, d, &n));
  json_decref(d);
  assert_int_equal(n, 4);
}

/* docs/catalog.md: "market names exist in data/markets.tsv, and every market currency has a price"
 */
static void test_R_ORD_1_markets_exist_and_are_priced(void **state) {
  struct fx *f = *state;
  json_t *d = mini_catalog();
  json_object_set_new(offer_at(d, 0), "markets", json_pack("[s]", "atlantis"));
  catalog_refused(f, d, SHIPPED_OFFERS, E3, "an unknown market");
  /* europe bills in EUR, DKK, GBP, NOK, SEK and CHF: EUR and USD alone do not do */
  d = mini_catalog();
  json_object_set_new(offer_at(d, 0), "markets", json_pack("[s]", "europe"));
  catalog_refused(f, d, SHIPPED_OFFERS, E3, "europe without its currencies");
  d = mini_catalog();
  json_object_set_new(offer_at(d, 0), "markets", json_pack("[s]", "united-states"));
  int n;
  assert_ok(f, replace_catalog(f, d, &n)); /* USD is priced */
  json_decref(d);
}

/* docs/catalog.md: names unique; cycles `monthly`/`annual` for license offers, ["none"] otherwise
 */
static void test_R_ORD_1_names_unique_and_cycles_allowed(void **state) {
  struct fx *f = *state;
  json_t *d = mini_catalog();
  json_object_set_new(offer_at(d, 2), "name", json_string("Base One"));
  catalog_refused(f, d, SHIPPED_OFFERS, E3, "a duplicate name");
  d = mini_catalog();
  json_object_set_new(offer_at(d, 0), "supportedBillingCycles", json_pack("[s]", "weekly"));
  catalog_refused(f, d, SHIPPED_OFFERS, E3, "billing cycle weekly");
  d = mini_catalog();
  json_object_set_new(offer_at(d, 2), "supportedBillingCycles", json_pack("[s]", "monthly"));
  catalog_refused(f, d, SHIPPED_OFFERS, E3, "a usage offer billed monthly");
}

/* ==== R-ORD-2 orders ========================================================================= */

static void test_R_ORD_2_one_subscription_per_line(void **state) {
  struct fx *f = *state;
  struct partner d = direct_bill(f, "Contoso");
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");
  mca_accepted(f, &cu);
  line_in none[1] = {{.offer_id = E3, .quantity = 1}};
  assert_refused(f, order_as(f, &d, &cu, NULL, none, 0, NULL), CSPD_E_ORDER_NO_LINES, NULL, 800002);
  line_in *many = cspd_arena_alloc(f->a, sizeof *many * 101);
  for (int i = 0; i < 101; i++)
    many[i] = (line_in){.offer_id = E1, .quantity = 1};
  assert_refused(f, order_as(f, &d, &cu, NULL, many, 101, NULL), CSPD_E_ORDER_NO_LINES, NULL,
                 800002);
  assert_int_equal(sub_count(f, &cu), 0);

  line_in lines[] = {{.offer_id = E3, .quantity = 5, .friendly_name = "E3 for sales"},
                     {.offer_id = E1, .quantity = 2},
                     {.offer_id = AZURE_PLAN, .quantity = 1}};
  struct cspd_subscription *subs;
  assert_ok(f, order_as(f, &d, &cu, NULL, lines, 3, &subs));
  assert_int_equal(sub_count(f, &cu), 3);
  assert_int_equal(order_count(f, &cu), 1);
  const char *offers[] = {E3, E1, AZURE_PLAN};
  const int64_t qty[] = {5, 2, 1}, price[] = {2100, 926, 0};
  const char *cycles[] = {"monthly", "monthly", "none"}; /* each offer's first */
  for (int i = 0; i < 3; i++) {
    struct cspd_subscription s = sub_now(f, subs[i].id);
    assert_string_equal(s.offer_id, offers[i]);
    assert_int_equal(s.quantity, qty[i]);
    assert_int_equal(s.line_item_number, i);
    assert_string_equal(s.order_id, subs[0].order_id);
    assert_string_equal(s.status, "active");
    assert_string_equal(s.holder_tenant_id, d.tenant_id);
    assert_null(s.reseller_tenant_id);
    assert_null(s.partner_id_on_record);
    assert_null(s.parent_subscription_id);
    assert_string_equal(s.currency, "EUR");
    assert_int_equal(s.unit_price_minor, price[i]);
    assert_string_equal(s.billing_cycle, cycles[i]);
    for (int k = 0; k < i; k++)
      assert_string_not_equal(subs[k].id, subs[i].id);
  }
  assert_string_equal(subs[0].friendly_name, "E3 for sales");
  assert_string_equal(subs[1].friendly_name, "Office 365 E1");
  assert_string_equal(sub_now(f, subs[2].id).transfer_class, "azure_plan");
}

static void test_R_ORD_2_quantity_within_offer_bounds(void **state) {
  struct fx *f = *state;
  struct partner d = direct_bill(f, "Contoso");
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");
  mca_accepted(f, &cu);
  assert_refused(f, order1(f, &d, &cu, E3, 0, NULL, NULL, NULL), CSPD_E_ORDER_QUANTITY, "R-ORD-2",
                 2002);
  assert_refused(f, order1(f, &d, &cu, E3, 10001, NULL, NULL, NULL), CSPD_E_ORDER_QUANTITY,
                 "R-ORD-2", 2002);
  assert_refused(f, order1(f, &d, &cu, E3, -3, NULL, NULL, NULL), CSPD_E_ORDER_QUANTITY, "R-ORD-2",
                 2002);
  assert_refused(f, order1(f, &d, &cu, BASIC, 301, NULL, NULL, NULL), CSPD_E_ORDER_QUANTITY,
                 "R-ORD-2", 2002);
  assert_refused(f, order1(f, &d, &cu, AZURE_PLAN, 2, NULL, NULL, NULL), CSPD_E_ORDER_QUANTITY,
                 "R-ORD-2", 2002);
  assert_int_equal(sub_count(f, &cu), 0);
  struct cspd_subscription lo = buy(f, &d, &cu, E3, 1);
  buy(f, &d, &cu, E3, 10000);
  buy(f, &d, &cu, BASIC, 300);
  struct cspd_subscription az = buy(f, &d, &cu, AZURE_PLAN, 1);
  assert_int_equal(sub_count(f, &cu), 4);

  /* a license count change stays within the bounds too */
  assert_refused(f, patch_as(f, &d, &lo, p_qty(10001)), CSPD_E_ORDER_QUANTITY, "R-ORD-2", 2002);
  assert_refused(f, patch_as(f, &d, &lo, p_qty(0)), CSPD_E_ORDER_QUANTITY, "R-ORD-2", 2002);
  assert_int_equal(sub_now(f, lo.id).quantity, 1);
  assert_ok(f, patch_as(f, &d, &lo, p_qty(10000)));
  assert_int_equal(sub_now(f, lo.id).quantity, 10000);
  /* a usage subscription's quantity is fixed */
  assert_refused(f, patch_as(f, &d, &az, p_qty(2)), CSPD_E_SUB_FIXED_QUANTITY, "R-ORD-2", 2002);
  assert_ok(f, patch_as(f, &d, &az, p_qty(1)));
}

static void test_R_ORD_2_billing_cycle_supported(void **state) {
  struct fx *f = *state;
  struct partner d = direct_bill(f, "Contoso");
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");
  mca_accepted(f, &cu);
  line_in ws = {.offer_id = WINSERVER, .quantity = 4};
  assert_refused(f, order_as(f, &d, &cu, "monthly", &ws, 1, NULL), CSPD_E_ORDER_BILLING_CYCLE,
                 "R-ORD-2", 800002);
  line_in e3 = {.offer_id = E3, .quantity = 4};
  assert_refused(f, order_as(f, &d, &cu, "weekly", &e3, 1, NULL), CSPD_E_ORDER_BILLING_CYCLE,
                 "R-ORD-2", 800002);
  line_in az = {.offer_id = AZURE_PLAN, .quantity = 1};
  assert_refused(f, order_as(f, &d, &cu, "monthly", &az, 1, NULL), CSPD_E_ORDER_BILLING_CYCLE,
                 "R-ORD-2", 800002);
  /* an order with one unsupported line creates nothing */
  line_in both[] = {{.offer_id = E3, .quantity = 4}, {.offer_id = WINSERVER, .quantity = 4}};
  assert_refused(f, order_as(f, &d, &cu, "monthly", both, 2, NULL), CSPD_E_ORDER_BILLING_CYCLE,
                 "R-ORD-2", 800002);
  assert_int_equal(sub_count(f, &cu), 0);

  struct cspd_subscription *subs;
  assert_ok(f, order_as(f, &d, &cu, "annual", both, 2, &subs));
  assert_string_equal(sub_now(f, subs[0].id).billing_cycle, "annual");
  assert_string_equal(sub_now(f, subs[1].id).billing_cycle, "annual");
  assert_ok(f, order_as(f, &d, &cu, "monthly", &e3, 1, &subs));
  assert_string_equal(sub_now(f, subs[0].id).billing_cycle, "monthly");
  assert_ok(f, order_as(f, &d, &cu, "none", &az, 1, &subs));
  assert_string_equal(sub_now(f, subs[0].id).billing_cycle, "none");
}

static void test_R_ORD_2_addon_needs_parent_of_allowed_base(void **state) {
  struct fx *f = *state;
  struct partner d = direct_bill(f, "Contoso");
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");
  struct cspd_customer other = customer_of(f, &d, "Fourth Coffee");
  mca_accepted(f, &cu);
  mca_accepted(f, &other);
  struct cspd_subscription e3 = buy(f, &d, &cu, E3, 10);
  struct cspd_subscription e1 = buy(f, &d, &cu, E1, 10);
  struct cspd_subscription their_e3 = buy(f, &d, &other, E3, 10);
  int before = sub_count(f, &cu);

  /* no parent, a parent of a base it does not attach to, another customer's, none such */
  assert_refused(f, order1(f, &d, &cu, E5SEC, 5, NULL, NULL, NULL), CSPD_E_ORDER_ADDON_PARENT,
                 "R-ORD-2", 800002);
  assert_refused(f, order1(f, &d, &cu, E5SEC, 5, e1.id, NULL, NULL), CSPD_E_ORDER_ADDON_PARENT,
                 "R-ORD-2", 800002);
  assert_refused(f, order1(f, &d, &cu, E5SEC, 5, their_e3.id, NULL, NULL),
                 CSPD_E_ORDER_ADDON_PARENT, "R-ORD-2", 800002);
  assert_refused(f,
                 order1(f, &d, &cu, E5SEC, 5, "0a0a0a0a-0000-4000-8000-000000000000", NULL, NULL),
                 CSPD_E_ORDER_ADDON_PARENT, "R-ORD-2", 800002);
  /* an add-on cannot be the parent of an add-on */
  struct cspd_subscription arch = buy_addon(f, &d, &cu, ARCHIVING, 5, &e1);
  assert_refused(f, order1(f, &d, &cu, DEFENDER, 5, arch.id, NULL, NULL), CSPD_E_ORDER_ADDON_PARENT,
                 "R-ORD-2", 800002);
  assert_int_equal(sub_count(f, &cu), before + 1);

  struct cspd_subscription sec = buy_addon(f, &d, &cu, E5SEC, 5, &e3);
  assert_string_equal(sub_now(f, sec.id).parent_subscription_id, e3.id);
  struct cspd_subscription def = buy_addon(f, &d, &cu, DEFENDER, 5, &e1);
  assert_string_equal(sub_now(f, def.id).parent_subscription_id, e1.id);
  /* a base line needs no parent */
  assert_null(sub_now(f, e3.id).parent_subscription_id);
}

/* subscription ids are GUIDs: any case names the same subscription (as cspd_subscription_read) */
static void test_R_ORD_2_addon_parent_id_in_any_case(void **state) {
  struct fx *f = *state;
  struct partner d = direct_bill(f, "Contoso");
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");
  mca_accepted(f, &cu);
  struct cspd_subscription e3 = buy(f, &d, &cu, E3, 10);
  char upper[37];
  for (int i = 0; i < 37; i++)
    upper[i] = (char)toupper((unsigned char)e3.id[i]);
  struct cspd_subscription sec;
  assert_ok(f, order1(f, &d, &cu, E5SEC, 5, upper, NULL, &sec));
  assert_string_equal(sub_now(f, sec.id).parent_subscription_id, e3.id);
}

/* the parent is a subscription of the partner buying the add-on: another
 * partner's subscription is not even visible to it (cspd_subscription_read) */
static void test_R_ORD_2_addon_parent_is_the_buyers_subscription(void **state) {
  struct fx *f = *state;
  struct partner d = direct_bill(f, "Contoso");
  struct partner p = provider(f, "Fabrikam Distribution");
  struct partner r = reseller(f, "Litware Resellers");
  partner_up(f, &p, &r);
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");
  hold(f, &cu, &p, CSPD_CREL_PROVIDER, &r); /* multi-partner customer (R-CUS-7) */
  hold(f, &cu, &r, CSPD_CREL_RESELLER, &p);
  mca_accepted(f, &cu);
  struct cspd_subscription ds = buy(f, &d, &cu, E3, 10);
  struct cspd_subscription ps = buy(f, &p, &cu, E3, 10);
  buy_addon(f, &p, &cu, E5SEC, 5, &ps);
  int before = sub_count(f, &cu);
  assert_refused(f, order1(f, &p, &cu, E5SEC, 5, ds.id, NULL, NULL), CSPD_E_ORDER_ADDON_PARENT,
                 "R-ORD-2", 800002);
  assert_int_equal(sub_count(f, &cu), before);
}

static void test_R_ORD_2_order_is_all_or_nothing(void **state) {
  struct fx *f = *state;
  struct partner d = direct_bill(f, "Contoso");
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");
  mca_accepted(f, &cu);
  /* the second line fails: the first line's subscription is rolled back */
  line_in bad_qty[] = {{.offer_id = E3, .quantity = 5}, {.offer_id = E1, .quantity = 0}};
  assert_refused(f, order_as(f, &d, &cu, NULL, bad_qty, 2, NULL), CSPD_E_ORDER_QUANTITY, "R-ORD-2",
                 2002);
  assert_int_equal(sub_count(f, &cu), 0);
  assert_int_equal(order_count(f, &cu), 0);
  line_in bad_offer[] = {{.offer_id = E3, .quantity = 5},
                         {.offer_id = "NO-SUCH-OFFER", .quantity = 1}};
  assert_refused(f, order_as(f, &d, &cu, NULL, bad_offer, 2, NULL), CSPD_E_OFFER_NOT_FOUND, NULL,
                 600008);
  assert_int_equal(sub_count(f, &cu), 0);
  line_in bad_addon[] = {{.offer_id = E3, .quantity = 5}, {.offer_id = E5SEC, .quantity = 5}};
  assert_refused(f, order_as(f, &d, &cu, NULL, bad_addon, 2, NULL), CSPD_E_ORDER_ADDON_PARENT,
                 "R-ORD-2", 800002);
  assert_int_equal(sub_count(f, &cu), 0);
  assert_int_equal(order_count(f, &cu), 0);

  line_in good[] = {{.offer_id = E3, .quantity = 5}, {.offer_id = E1, .quantity = 1}};
  assert_ok(f, order_as(f, &d, &cu, NULL, good, 2, NULL));
  assert_int_equal(sub_count(f, &cu), 2);
  assert_int_equal(order_count(f, &cu), 1);
}

/* ==== R-ORD-3 partner of record ============================================================== */

static void test_R_ORD_3_partner_of_record_on_providers_order(void **state) {
  struct fx *f = *state;
  struct partner p = provider(f, "Fabrikam Distribution");
  struct partner r = reseller(f, "Litware Resellers");
  struct partner unsigned_r = member(f, "Unsigned Resellers", "NL", RESELLER, false);
  struct partner strange = reseller(f, "Stranger Resellers"); /* not partnered with p */
  struct partner ended = reseller(f, "Former Resellers");
  partner_up(f, &p, &r);
  partner_up(f, &p, &unsigned_r);
  partner_up(f, &p, &ended);
  end_partnership(f, &p, &ended);
  struct cspd_customer cu = customer_for(f, &p, &r, "Proseware");
  mca_accepted(f, &cu);

  assert_refused(f, order1(f, &p, &cu, E3, 1, NULL, p.mpn_id, NULL), CSPD_E_POR_OWN, "R-ORD-3",
                 2072);
  assert_refused(f, order1(f, &p, &cu, E3, 1, NULL, p.global_mpn_id, NULL), CSPD_E_POR_OWN,
                 "R-ORD-3", 2072);
  assert_refused(f, order1(f, &p, &cu, E3, 1, NULL, "9999999", NULL), CSPD_E_POR_UNKNOWN, "R-ORD-3",
                 800015);
  assert_refused(f, order1(f, &p, &cu, E3, 1, NULL, strange.mpn_id, NULL), CSPD_E_POR_NOT_RESELLER,
                 "R-ORD-3", 800016);
  assert_refused(f, order1(f, &p, &cu, E3, 1, NULL, ended.mpn_id, NULL), CSPD_E_POR_NOT_RESELLER,
                 "R-ORD-3", 800016);
  assert_refused(f, order1(f, &p, &cu, E3, 1, NULL, unsigned_r.mpn_id, NULL),
                 CSPD_E_RESELLER_MPA_REQUIRED, "R-MPA-2", 900123);
  assert_int_equal(sub_count(f, &cu), 0);

  struct cspd_subscription s;
  assert_ok(f, order1(f, &p, &cu, E3, 1, NULL, r.mpn_id, &s));
  s = sub_now(f, s.id);
  assert_string_equal(s.partner_id_on_record, r.mpn_id);
  assert_string_equal(s.holder_tenant_id, p.tenant_id);
  assert_string_equal(s.reseller_tenant_id, r.tenant_id);
  /* once the reseller signs the MPA its PartnerID may be named */
  mpa_signed(f, &unsigned_r);
  assert_ok(f, order1(f, &p, &cu, E3, 1, NULL, unsigned_r.mpn_id, &s));
  assert_string_equal(sub_now(f, s.id).partner_id_on_record, unsigned_r.mpn_id);

  /* a provider changing the partner of record is checked the same way */
  assert_refused(f, patch_as(f, &p, &s, (struct cspd_sub_patch){NO_PATCH, .partner_id = p.mpn_id}),
                 CSPD_E_POR_OWN, "R-ORD-3", 2072);
  assert_refused(
      f, patch_as(f, &p, &s, (struct cspd_sub_patch){NO_PATCH, .partner_id = strange.mpn_id}),
      CSPD_E_POR_NOT_RESELLER, "R-ORD-3", 800016);
  assert_ok(f, patch_as(f, &p, &s, (struct cspd_sub_patch){NO_PATCH, .partner_id = r.mpn_id}));
  assert_string_equal(sub_now(f, s.id).partner_id_on_record, r.mpn_id);
}

static void test_R_ORD_3_default_is_the_reseller_the_provider_serves(void **state) {
  struct fx *f = *state;
  struct partner p = provider(f, "Fabrikam Distribution");
  struct partner r1 = reseller(f, "Litware Resellers");
  struct partner r2 = reseller(f, "Northwind Resellers");
  partner_up(f, &p, &r1);
  partner_up(f, &p, &r2);
  struct cspd_customer c1 = customer_for(f, &p, &r1, "Proseware");
  struct cspd_customer c2 = customer_for(f, &p, &r2, "Adatum");
  mca_accepted(f, &c1);
  mca_accepted(f, &c2);
  struct cspd_subscription s1, s2, s3;
  assert_ok(f, order1(f, &p, &c1, E3, 3, NULL, NULL, &s1));
  assert_ok(f, order1(f, &p, &c2, E3, 3, NULL, "", &s2)); /* an empty PartnerID is none */
  s1 = sub_now(f, s1.id);
  s2 = sub_now(f, s2.id);
  assert_string_equal(s1.partner_id_on_record, r1.mpn_id);
  assert_string_equal(s1.reseller_tenant_id, r1.tenant_id);
  assert_string_equal(s2.partner_id_on_record, r2.mpn_id);
  assert_string_equal(s2.reseller_tenant_id, r2.tenant_id);
  /* the default is checked too: once the partnership ends it no longer holds */
  end_partnership(f, &p, &r1);
  assert_refused(f, order1(f, &p, &c1, E3, 3, NULL, NULL, NULL), CSPD_E_POR_NOT_RESELLER, "R-ORD-3",
                 800016);
  /* naming another of its resellers still works */
  assert_ok(f, order1(f, &p, &c1, E3, 3, NULL, r2.mpn_id, &s3));
  assert_string_equal(sub_now(f, s3.id).partner_id_on_record, r2.mpn_id);
}

static void test_R_ORD_3_direct_bill_order_carries_no_partner_of_record(void **state) {
  struct fx *f = *state;
  struct partner d = direct_bill(f, "Contoso");
  struct partner p = provider(f, "Fabrikam Distribution");
  struct partner r = reseller(f, "Litware Resellers");
  partner_up(f, &p, &r);
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");
  mca_accepted(f, &cu);
  assert_refused(f, order1(f, &d, &cu, E3, 1, NULL, r.mpn_id, NULL), CSPD_E_POR_DIRECT, "R-ORD-3",
                 800002);
  assert_refused(f, order1(f, &d, &cu, E3, 1, NULL, d.mpn_id, NULL), CSPD_E_POR_DIRECT, "R-ORD-3",
                 800002);
  assert_int_equal(sub_count(f, &cu), 0);
  struct cspd_subscription s = buy(f, &d, &cu, E3, 1);
  assert_null(sub_now(f, s.id).partner_id_on_record);
  assert_refused(f, patch_as(f, &d, &s, (struct cspd_sub_patch){NO_PATCH, .partner_id = r.mpn_id}),
                 CSPD_E_POR_DIRECT, "R-ORD-3", 800002);
  assert_null(sub_now(f, s.id).partner_id_on_record);
}

/* ==== R-SUB-1 subscription status ============================================================= */

static void test_R_SUB_1_suspended_cannot_change_quantity(void **state) {
  struct fx *f = *state;
  struct partner d = direct_bill(f, "Contoso");
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");
  mca_accepted(f, &cu);
  struct cspd_subscription s = buy(f, &d, &cu, E3, 10);
  assert_ok(f, patch_as(f, &d, &s, p_qty(12)));
  assert_ok(f, patch_as(f, &d, &s, p_status("suspended")));
  assert_refused(f, patch_as(f, &d, &s, p_qty(20)), CSPD_E_SUB_SUSPENDED_QUANTITY, "R-SUB-1", 2011);
  struct cspd_subscription now = sub_now(f, s.id);
  assert_int_equal(now.quantity, 12);
  assert_string_equal(now.status, "suspended");
  /* reactivating and resizing in one PATCH is allowed */
  assert_ok(
      f, patch_as(f, &d, &s,
                  (struct cspd_sub_patch){.quantity = 20, .auto_renew = -1, .status = "active"}));
  now = sub_now(f, s.id);
  assert_int_equal(now.quantity, 20);
  assert_string_equal(now.status, "active");
}

static void test_R_SUB_1_addon_not_active_under_inactive_parent(void **state) {
  struct fx *f = *state;
  struct partner d = direct_bill(f, "Contoso");
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");
  mca_accepted(f, &cu);
  struct cspd_subscription base = buy(f, &d, &cu, E3, 10);
  /* at purchase */
  assert_ok(f, patch_as(f, &d, &base, p_status("suspended")));
  assert_refused(f, order1(f, &d, &cu, E5SEC, 5, base.id, NULL, NULL),
                 CSPD_E_ORDER_ADDON_PARENT_INACTIVE, "R-SUB-1", 27009);
  assert_ok(f, patch_as(f, &d, &base, p_status("active")));
  struct cspd_subscription add = buy_addon(f, &d, &cu, E5SEC, 5, &base);

  /* at reactivation: the base's suspension took the add-on with it */
  assert_ok(f, patch_as(f, &d, &base, p_status("suspended")));
  assert_string_equal(status_of(f, &add), "suspended");
  assert_refused(f, patch_as(f, &d, &add, p_status("active")), CSPD_E_ORDER_ADDON_PARENT_INACTIVE,
                 "R-SUB-1", 27009);
  assert_string_equal(status_of(f, &add), "suspended");
  assert_ok(f, patch_as(f, &d, &base, p_status("active")));
  assert_ok(f, patch_as(f, &d, &add, p_status("active")));
  assert_string_equal(status_of(f, &add), "active");

  /* a deleted base takes no new add-ons */
  assert_ok(f, patch_as(f, &d, &base, p_status("deleted")));
  assert_refused(f, order1(f, &d, &cu, DEFENDER, 5, base.id, NULL, NULL),
                 CSPD_E_ORDER_ADDON_PARENT_INACTIVE, "R-SUB-1", 27009);
}

static void test_R_SUB_1_suspend_and_delete_cascade_to_addons(void **state) {
  struct fx *f = *state;
  struct partner d = direct_bill(f, "Contoso");
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");
  mca_accepted(f, &cu);
  struct cspd_subscription base = buy(f, &d, &cu, E3, 10);
  struct cspd_subscription a1 = buy_addon(f, &d, &cu, E5SEC, 5, &base);
  struct cspd_subscription a2 = buy_addon(f, &d, &cu, DEFENDER, 5, &base);
  struct cspd_subscription other = buy(f, &d, &cu, E1, 10);
  struct cspd_subscription a3 = buy_addon(f, &d, &cu, DEFENDER, 5, &other);

  assert_ok(f, patch_as(f, &d, &base, p_status("suspended")));
  assert_string_equal(status_of(f, &a1), "suspended");
  assert_string_equal(status_of(f, &a2), "suspended");
  assert_string_equal(status_of(f, &a3), "active");
  assert_string_equal(status_of(f, &other), "active");

  assert_ok(f, patch_as(f, &d, &base, p_status("active")));
  assert_ok(f, patch_as(f, &d, &a1, p_status("active"))); /* a2 stays suspended */
  assert_ok(f, patch_as(f, &d, &base, p_status("deleted")));
  assert_string_equal(status_of(f, &base), "deleted");
  assert_string_equal(status_of(f, &a1), "deleted");
  assert_string_equal(status_of(f, &a2), "deleted");
  assert_string_equal(status_of(f, &a3), "active");
}

static void test_R_SUB_1_deleted_never_changes(void **state) {
  struct fx *f = *state;
  struct partner d = direct_bill(f, "Contoso");
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");
  mca_accepted(f, &cu);
  struct cspd_subscription s = buy(f, &d, &cu, E3, 10);
  assert_ok(f, patch_as(f, &d, &s, (struct cspd_sub_patch){NO_PATCH, .friendly_name = "Sales"}));
  assert_string_equal(sub_now(f, s.id).friendly_name, "Sales");
  assert_ok(f, patch_as(f, &d, &s, p_status("deleted")));
  assert_refused(f, patch_as(f, &d, &s, p_status("active")), CSPD_E_SUB_DELETED, "R-SUB-1", 800091);
  assert_refused(f, patch_as(f, &d, &s, p_status("suspended")), CSPD_E_SUB_DELETED, "R-SUB-1",
                 800091);
  assert_refused(f, patch_as(f, &d, &s, p_qty(11)), CSPD_E_SUB_DELETED, "R-SUB-1", 800091);
  assert_refused(f, patch_as(f, &d, &s, (struct cspd_sub_patch){NO_PATCH, .friendly_name = "X"}),
                 CSPD_E_SUB_DELETED, "R-SUB-1", 800091);
  assert_refused(f, patch_as(f, &d, &s, (struct cspd_sub_patch){.quantity = -1, .auto_renew = 0}),
                 CSPD_E_SUB_DELETED, "R-SUB-1", 800091);
  struct cspd_subscription now = sub_now(f, s.id);
  assert_string_equal(now.status, "deleted");
  assert_int_equal(now.quantity, 10);
  assert_string_equal(now.friendly_name, "Sales");
}

static void test_R_SUB_1_status_transitions(void **state) {
  struct fx *f = *state;
  struct partner d = direct_bill(f, "Contoso");
  struct partner stranger = direct_bill(f, "Tailspin Toys");
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");
  mca_accepted(f, &cu);
  struct cspd_subscription s = buy(f, &d, &cu, E3, 10);
  static const char *const bad[] = {"pending", "expired", "disabled", "cancelled"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    assert_refused(f, patch_as(f, &d, &s, p_status(bad[i])), CSPD_E_SUB_BAD_STATUS, "R-SUB-1",
                   2001);
    assert_string_equal(status_of(f, &s), "active");
  }
  /* another partner does not see it at all */
  assert_int_not_equal(patch_as(f, &stranger, &s, p_status("suspended")), 0);
  assert_string_equal(status_of(f, &s), "active");

  assert_ok(f, patch_as(f, &d, &s, p_status("suspended")));
  assert_string_equal(status_of(f, &s), "suspended");
  assert_refused(f, patch_as(f, &d, &s, p_status("expired")), CSPD_E_SUB_BAD_STATUS, "R-SUB-1",
                 2001);
  assert_ok(f, patch_as(f, &d, &s, p_status("active")));
  assert_string_equal(status_of(f, &s), "active");
  assert_ok(f, patch_as(f, &d, &s, p_status("suspended")));
  assert_ok(f, patch_as(f, &d, &s, p_status("deleted"))); /* suspended -> deleted */
  assert_string_equal(status_of(f, &s), "deleted");
  struct cspd_subscription t = buy(f, &d, &cu, E1, 10);
  assert_ok(f, patch_as(f, &d, &t, p_status("deleted"))); /* active -> deleted */
  assert_string_equal(status_of(f, &t), "deleted");
}

/* ==== purchase rules ========================================================================= */

static void test_R_MPA_1_unsigned_buyer_cannot_order(void **state) {
  struct fx *f = *state;
  /* a direct-bill partner that has not signed (it holds the customer already) */
  struct partner d = member(f, "Contoso", "NL", DIRECT, false);
  struct cspd_customer cu = lone_customer(f, "Wingtip Toys");
  hold(f, &cu, &d, CSPD_CREL_DIRECT, NULL);
  mca_accepted(f, &cu);
  assert_refused(f, order1(f, &d, &cu, E3, 1, NULL, NULL, NULL), CSPD_E_MPA_REQUIRED, "R-MPA-1",
                 900124);
  assert_int_equal(sub_count(f, &cu), 0);
  mpa_signed(f, &d);
  buy(f, &d, &cu, E3, 1);

  /* a provider that has not signed */
  struct partner p = member(f, "Fabrikam Distribution", "NL", PROVIDER, false);
  struct partner r = reseller(f, "Litware Resellers");
  partner_up(f, &p, &r);
  struct cspd_customer c2 = lone_customer(f, "Proseware");
  hold(f, &c2, &p, CSPD_CREL_PROVIDER, &r);
  hold(f, &c2, &r, CSPD_CREL_RESELLER, &p);
  mca_accepted(f, &c2);
  assert_refused(f, order1(f, &p, &c2, E3, 1, NULL, NULL, NULL), CSPD_E_MPA_REQUIRED, "R-MPA-1",
                 900124);
  assert_int_equal(sub_count(f, &c2), 0);
  mpa_signed(f, &p);
  buy(f, &p, &c2, E3, 1);
}

static void test_R_MPA_3_provider_cannot_buy_for_unsigned_reseller(void **state) {
  struct fx *f = *state;
  struct partner p = provider(f, "Fabrikam Distribution");
  struct partner r = member(f, "Litware Resellers", "NL", RESELLER, false);
  partner_up(f, &p, &r);
  struct cspd_customer cu = lone_customer(f, "Proseware");
  hold(f, &cu, &p, CSPD_CREL_PROVIDER, &r);
  hold(f, &cu, &r, CSPD_CREL_RESELLER, &p);
  mca_accepted(f, &cu);
  assert_refused(f, order1(f, &p, &cu, E3, 1, NULL, NULL, NULL), CSPD_E_RESELLER_MPA_REQUIRED_TX,
                 "R-MPA-3", 900123);
  assert_int_equal(sub_count(f, &cu), 0);
  mpa_signed(f, &r);
  struct cspd_subscription s = buy(f, &p, &cu, E3, 1);
  assert_string_equal(sub_now(f, s.id).partner_id_on_record, r.mpn_id);
}

static void test_R_MCA_1_order_needs_customer_agreement(void **state) {
  struct fx *f = *state;
  struct partner d = direct_bill(f, "Contoso");
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");
  struct cspd_customer c2 = customer_of(f, &d, "Fourth Coffee");
  assert_refused(f, order1(f, &d, &cu, E3, 1, NULL, NULL, NULL), CSPD_E_MCA_REQUIRED, "R-MCA-1",
                 13605);
  assert_int_equal(sub_count(f, &cu), 0);
  mca_accepted(f, &cu);
  buy(f, &d, &cu, E3, 1);
  /* the partner's own attestation counts for itself */
  assert_refused(f, order1(f, &d, &c2, E3, 1, NULL, NULL, NULL), CSPD_E_MCA_REQUIRED, "R-MCA-1",
                 13605);
  mca_attested(f, &d, &c2);
  buy(f, &d, &c2, E3, 1);
}

static void test_R_MCA_2_customer_acceptance_carries_over_attestation_does_not(void **state) {
  struct fx *f = *state;
  struct partner p = provider(f, "Fabrikam Distribution");
  struct partner r = reseller(f, "Litware Resellers");
  partner_up(f, &p, &r);
  /* the reseller's attestation is not the provider's */
  struct cspd_customer c1 = customer_for(f, &p, &r, "Proseware");
  mca_attested(f, &r, &c1);
  assert_refused(f, order1(f, &p, &c1, E3, 1, NULL, NULL, NULL), CSPD_E_MCA_REQUIRED, "R-MCA-1",
                 13605);
  assert_int_equal(sub_count(f, &c1), 0);
  mca_attested(f, &p, &c1); /* the provider attests in its own name */
  buy(f, &p, &c1, E3, 1);
  /* the customer's own acceptance counts for the provider without more */
  struct cspd_customer c2 = customer_for(f, &p, &r, "Adatum");
  mca_accepted(f, &c2);
  buy(f, &p, &c2, E3, 1);
}

static void test_R_DB_2_restricted_partner_cannot_order_but_suspends_and_resizes(void **state) {
  struct fx *f = *state;
  struct partner d = direct_bill(f, "Contoso");
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");
  mca_accepted(f, &cu);
  struct cspd_subscription base = buy(f, &d, &cu, E3, 5);
  struct cspd_subscription add = buy_addon(f, &d, &cu, DEFENDER, 5, &base);
  set_membership(f, &d, DIRECT, CSPD_MS_RESTRICTED);
  int before = sub_count(f, &cu);
  assert_refused(f, order1(f, &d, &cu, E1, 1, NULL, NULL, NULL), CSPD_E_DB_RESTRICTED, "R-DB-2",
                 403);
  assert_refused(f, order1(f, &d, &cu, E5SEC, 1, base.id, NULL, NULL), CSPD_E_DB_RESTRICTED,
                 "R-DB-2", 403);
  assert_refused(f, order1(f, &d, &cu, RESERVATION, 1, NULL, NULL, NULL), CSPD_E_DB_RESTRICTED,
                 "R-DB-2", 403);
  assert_int_equal(sub_count(f, &cu), before);
  /* existing subscriptions and add-ons: license counts change, they suspend */
  assert_ok(f, patch_as(f, &d, &base, p_qty(8)));
  assert_ok(f, patch_as(f, &d, &add, p_qty(3)));
  assert_int_equal(sub_now(f, base.id).quantity, 8);
  assert_int_equal(sub_now(f, add.id).quantity, 3);
  assert_ok(f, patch_as(f, &d, &base, p_status("suspended")));
  assert_string_equal(status_of(f, &base), "suspended");
  /* reinstated, it buys again */
  set_membership(f, &d, DIRECT, CSPD_MS_ACTIVE);
  buy(f, &d, &cu, E1, 1);
}

static void
test_R_CUS_5_transitioning_partner_no_direct_purchase_for_indirect_customer(void **state) {
  struct fx *f = *state;
  struct partner t = transitioned(f, "Tailspin Toys");
  struct partner p = provider(f, "Fabrikam Distribution");
  partner_up(f, &p, &t);
  struct cspd_customer indirect = customer_for(f, &p, &t, "Proseware");
  struct cspd_customer own = customer_of(f, &t, "Wingtip Toys");
  mca_accepted(f, &indirect);
  mca_accepted(f, &own);
  assert_refused(f, order1(f, &t, &indirect, E3, 1, NULL, NULL, NULL), CSPD_E_CUS_DIRECT_PURCHASE,
                 "R-CUS-5", 403);
  set_membership(f, &t, DIRECT, CSPD_MS_RESTRICTED);
  assert_refused(f, order1(f, &t, &indirect, E3, 1, NULL, NULL, NULL), CSPD_E_CUS_DIRECT_PURCHASE,
                 "R-CUS-5", 403);
  set_membership(f, &t, DIRECT, CSPD_MS_ACTIVE);
  assert_int_equal(sub_count(f, &indirect), 0);
  /* its own direct-bill customer: it buys; the indirect one: the provider buys */
  struct cspd_subscription s = buy(f, &t, &own, E3, 1);
  assert_string_equal(sub_now(f, s.id).holder_tenant_id, t.tenant_id);
  s = buy(f, &p, &indirect, E3, 1);
  s = sub_now(f, s.id);
  assert_string_equal(s.holder_tenant_id, p.tenant_id);
  assert_string_equal(s.partner_id_on_record, t.mpn_id);
}

static void test_R_CUS_6_reseller_never_orders(void **state) {
  struct fx *f = *state;
  struct partner p = provider(f, "Fabrikam Distribution");
  struct partner r = reseller(f, "Litware Resellers");
  partner_up(f, &p, &r);
  struct cspd_customer cu = customer_for(f, &p, &r, "Proseware");
  mca_accepted(f, &cu);
  mca_attested(f, &r, &cu);
  assert_refused(f, order1(f, &r, &cu, E3, 1, NULL, NULL, NULL), CSPD_E_CUS_RESELLER_NO_ORDERS,
                 "R-CUS-6", 403);
  assert_int_equal(sub_count(f, &cu), 0);
  struct cspd_subscription s = buy(f, &p, &cu, E3, 10);
  /* the reseller manages the licenses the provider bought */
  assert_ok(f, patch_as(f, &r, &s, p_qty(12)));
  assert_int_equal(sub_now(f, s.id).quantity, 12);
}

static void test_R_EXT_0_provider_without_relationship_cannot_order(void **state) {
  struct fx *f = *state;
  struct partner t = transitioned(f, "Tailspin Toys");
  struct partner p = provider(f, "Fabrikam Distribution");
  struct partner p2 = provider(f, "Contoso Distribution");
  partner_up(f, &p, &t);
  partner_up(f, &p2, &t);
  struct cspd_customer cu = customer_of(f, &t, "Wingtip Toys");
  mca_accepted(f, &cu);
  assert_int_not_equal(order1(f, &p, &cu, E3, 1, NULL, NULL, NULL), 0);
  assert_int_equal(sub_count(f, &cu), 0);
  /* the relationship extension gives it one */
  struct extend_args x = {cu.tenant_id, p.tenant_id};
  as_partner(f, &t, AA);
  assert_ok(f, run(f, extend_fn, &x));
  struct cspd_subscription s = buy(f, &p, &cu, E3, 1);
  s = sub_now(f, s.id);
  assert_string_equal(s.holder_tenant_id, p.tenant_id);
  assert_string_equal(s.partner_id_on_record, t.mpn_id);
  /* the refusal names the rule: the other provider still holds nothing */
  assert_refused(f, order1(f, &p2, &cu, E3, 1, NULL, NULL, NULL), CSPD_E_PROVIDER_NO_RELATIONSHIP,
                 "R-EXT-0", 403);
}

static void test_R_REG_1_offer_not_sold_in_customers_market(void **state) {
  struct fx *f = *state;
  struct partner us = member(f, "Contoso US", "US", DIRECT, true);
  struct partner br = member(f, "Contoso Brasil", "BR", DIRECT, true);
  struct partner nl = direct_bill(f, "Contoso NL");
  struct cspd_customer cus = customer_in(f, &us, NULL, "Fourth Coffee", "US");
  struct cspd_customer cbr = customer_in(f, &br, NULL, "Wide World Importers", "BR");
  struct cspd_customer cnl = customer_of(f, &nl, "Wingtip Toys");
  mca_accepted(f, &cus);
  mca_accepted(f, &cbr);
  mca_accepted(f, &cnl);
  assert_refused(f, order1(f, &us, &cus, BIZ_CENTRAL, 1, NULL, NULL, NULL),
                 CSPD_E_OFFER_NOT_IN_MARKET, "R-REG-1", 400);
  assert_refused(f, order1(f, &br, &cbr, TEAMS_PHONE, 1, NULL, NULL, NULL),
                 CSPD_E_OFFER_NOT_IN_MARKET, "R-REG-1", 400);
  assert_int_equal(sub_count(f, &cus), 0);
  assert_int_equal(sub_count(f, &cbr), 0);
  /* sold where listed, priced in the market's currency */
  struct cspd_subscription s = sub_now(f, buy(f, &us, &cus, TEAMS_PHONE, 1).id);
  assert_string_equal(s.currency, "USD");
  assert_int_equal(s.unit_price_minor, 1500);
  s = sub_now(f, buy(f, &nl, &cnl, BIZ_CENTRAL, 1).id);
  assert_string_equal(s.currency, "EUR");
  assert_int_equal(s.unit_price_minor, 7410);
  s = sub_now(f, buy(f, &br, &cbr, E3, 1).id); /* brazil bills in USD */
  assert_string_equal(s.currency, "USD");
  assert_int_equal(s.unit_price_minor, 2300);
}

/* ==== billing ================================================================================ */

static void test_billing_license_prorated_half_up(void **state) {
  struct fx *f = *state;
  const int64_t oct = ms_at("2026-10-01T00:00:00Z"), nov = ms_at("2026-11-01T00:00:00Z");
  const int64_t month = nov - oct;
  assert_int_equal(month, 31 * DAY_MS);
  f->c.now_ms = ms_at("2026-09-20T09:00:00Z");
  struct partner d = direct_bill(f, "Contoso");
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");
  mca_accepted(f, &cu);
  struct cspd_subscription e1 = buy(f, &d, &cu, E1, 3); /* all of October */
  line_in ws = {.offer_id = WINSERVER, .quantity = 2};
  struct cspd_subscription *wss;
  assert_ok(f, order_as(f, &d, &cu, "annual", &ws, 1, &wss)); /* annual cycle, billed monthly */
  struct cspd_subscription win = wss[0];
  const int64_t mid = ms_at("2026-10-16T12:00:00Z"); /* exactly half of October left */
  f->c.now_ms = mid;
  struct cspd_subscription intune = buy(f, &d, &cu, INTUNE, 1);
  const int64_t odd = ms_at("2026-10-27T07:13:09.123Z");
  f->c.now_ms = odd;
  struct cspd_subscription e3 = buy(f, &d, &cu, E3, 7);

  f->c.now_ms = nov;
  assert_int_equal(bill(f, oct), 1);
  const struct cspd_invoice *inv = invoice_of(f, &d, "2026-10", "EUR");
  assert_non_null(inv);
  assert_int_equal(inv->start_ms, oct);
  assert_int_equal(inv->end_ms, nov);
  int n;
  struct cspd_invoice_line *lines = lines_of(f, inv, &n);
  assert_int_equal(n, 4);
  const struct cspd_invoice_line *l = line_of(lines, n, &e1, oct);
  assert_license_line(l, 3, oct, nov, 926, month);
  assert_int_equal(l->amount_minor, 2778); /* a full month is the full price */
  l = line_of(lines, n, &win, oct);
  assert_license_line(l, 2, oct, nov, 2310, month);
  assert_int_equal(l->amount_minor, 4620);
  l = line_of(lines, n, &intune, mid);
  assert_license_line(l, 1, mid, nov, 741, month);
  assert_int_equal(l->amount_minor, 371); /* 370.5 rounds up */
  l = line_of(lines, n, &e3, odd);
  assert_license_line(l, 7, odd, nov, 2100, month);
  assert_string_equal(l->customer_tenant_id, cu.tenant_id);
  assert_string_equal(l->offer_id, E3);
  /* the next month is whole for all three */
  f->c.now_ms = ms_at("2026-12-01T00:00:00Z");
  assert_int_equal(bill(f, nov), 1);
  inv = invoice_of(f, &d, "2026-11", "EUR");
  assert_non_null(inv);
  lines_of(f, inv, &n);
  assert_int_equal(n, 4);
  assert_int_equal(inv->total_minor, 2778 + 4620 + 741 + 7 * 2100);
}

static void test_billing_suspended_time_unbilled_quantity_change_splits(void **state) {
  struct fx *f = *state;
  const int64_t oct = ms_at("2026-10-01T00:00:00Z"), nov = ms_at("2026-11-01T00:00:00Z");
  const int64_t month = nov - oct;
  const int64_t t0 = ms_at("2026-10-10T06:00:00Z"), t1 = ms_at("2026-10-20T00:00:00Z"),
                t2 = ms_at("2026-10-25T12:00:00Z"), t3 = ms_at("2026-10-28T00:00:00Z");
  f->c.now_ms = ms_at("2026-09-20T09:00:00Z");
  struct partner d = direct_bill(f, "Contoso");
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");
  mca_accepted(f, &cu);
  /* a subscription deleted mid-month is billed up to its deletion */
  f->c.now_ms = ms_at("2026-09-25T00:00:00Z");
  struct cspd_subscription gone = buy(f, &d, &cu, E1, 2);
  const int64_t t4 = ms_at("2026-10-05T18:30:00Z");
  f->c.now_ms = t4;
  assert_ok(f, patch_as(f, &d, &gone, p_status("deleted")));
  f->c.now_ms = t0;
  struct cspd_subscription s = buy(f, &d, &cu, E3, 10);
  f->c.now_ms = t1;
  assert_ok(f, patch_as(f, &d, &s, p_qty(15)));
  f->c.now_ms = t2;
  assert_ok(f, patch_as(f, &d, &s, p_status("suspended")));
  f->c.now_ms = t3;
  assert_ok(f, patch_as(f, &d, &s, p_status("active")));

  f->c.now_ms = nov;
  assert_int_equal(bill(f, oct), 1);
  const struct cspd_invoice *inv = invoice_of(f, &d, "2026-10", "EUR");
  assert_non_null(inv);
  int n;
  struct cspd_invoice_line *lines = lines_of(f, inv, &n);
  assert_int_equal(lines_for(lines, n, &s), 3);
  assert_license_line(line_of(lines, n, &s, t0), 10, t0, t1, 2100, month);
  assert_license_line(line_of(lines, n, &s, t1), 15, t1, t2, 2100, month);
  assert_license_line(line_of(lines, n, &s, t3), 15, t3, nov, 2100, month);
  assert_int_equal(lines_for(lines, n, &gone), 1);
  assert_license_line(line_of(lines, n, &gone, oct), 2, oct, t4, 926, month);
  assert_int_equal(n, 4);
  assert_int_equal(inv->total_minor,
                   prorated(2100, 10, t1 - t0, month) + prorated(2100, 15, t2 - t1, month) +
                       prorated(2100, 15, nov - t3, month) + prorated(926, 2, t4 - oct, month));
}

static void test_billing_usage_records_of_the_month_only(void **state) {
  struct fx *f = *state;
  const int64_t oct = ms_at("2026-10-01T00:00:00Z"), nov = ms_at("2026-11-01T00:00:00Z");
  f->c.now_ms = ms_at("2026-09-20T09:00:00Z");
  struct partner d = direct_bill(f, "Contoso");
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");
  mca_accepted(f, &cu);
  struct cspd_subscription az = buy(f, &d, &cu, AZURE_PLAN, 1);
  struct cspd_subscription e3 = buy(f, &d, &cu, E3, 1);
  /* operator metering only, usage-billed subscriptions only */
  assert_refused(f, usage(f, &e3, oct, 100), CSPD_E_USAGE_NOT_USAGE, NULL, 800002);
  as_partner(f, &d, AA);
  assert_refused(f, usage(f, &az, oct, 100), CSPD_E_ROLE_REQUIRED, NULL, 403);
  as_operator(f);
  /* usage is metered after the fact: not in the future, not before the subscription started */
  assert_refused(f, usage(f, &az, ms_at("2026-09-21T00:00:00Z"), 1), CSPD_E_INVALID_INPUT, NULL,
                 800002);
  assert_refused(f, usage(f, &az, ms_at("2026-09-19T00:00:00Z"), 1), CSPD_E_INVALID_INPUT, NULL,
                 800002);
  f->c.now_ms = ms_at("2026-11-02T00:00:00Z");
  assert_ok(f, usage(f, &az, oct - 1, 1000));
  assert_ok(f, usage(f, &az, oct, 250));
  assert_ok(f, usage(f, &az, ms_at("2026-10-15T13:00:00Z"), 125));
  assert_ok(f, usage(f, &az, nov - 1, 5));
  assert_ok(f, usage(f, &az, nov, 7000));
  f->c.who = NULL;

  f->c.now_ms = nov;
  bill(f, oct);
  const struct cspd_invoice *inv = invoice_of(f, &d, "2026-10", "EUR");
  assert_non_null(inv);
  int n;
  struct cspd_invoice_line *lines = lines_of(f, inv, &n);
  assert_int_equal(lines_for(lines, n, &az), 1);
  const struct cspd_invoice_line *l = line_of(lines, n, &az, oct);
  assert_string_equal(l->kind, "usage");
  assert_int_equal(l->amount_minor, 250 + 125 + 5);
  assert_int_equal(l->end_ms, nov);
  /* October is invoiced: its usage would never be billed, so it is refused */
  as_operator(f);
  assert_refused(f, usage(f, &az, ms_at("2026-10-20T00:00:00Z"), 1), CSPD_E_INVALID_INPUT, NULL,
                 800002);
  f->c.who = NULL;
  /* September's and November's usage land in their months */
  f->c.now_ms = ms_at("2026-12-01T00:00:00Z");
  bill(f, nov);
  inv = invoice_of(f, &d, "2026-11", "EUR");
  assert_non_null(inv);
  lines = lines_of(f, inv, &n);
  assert_int_equal(line_of(lines, n, &az, nov)->amount_minor, 7000);
  bill(f, ms_at("2026-09-01T00:00:00Z"));
  inv = invoice_of(f, &d, "2026-09", "EUR");
  assert_non_null(inv);
  lines = lines_of(f, inv, &n);
  assert_int_equal(line_of(lines, n, &az, ms_at("2026-09-01T00:00:00Z"))->amount_minor, 1000);
}

static void test_billing_one_time_purchases_in_the_month_bought(void **state) {
  struct fx *f = *state;
  const int64_t oct = ms_at("2026-10-01T00:00:00Z"), nov = ms_at("2026-11-01T00:00:00Z"),
                dec = ms_at("2026-12-01T00:00:00Z");
  f->c.now_ms = ms_at("2026-09-20T09:00:00Z");
  struct partner d = direct_bill(f, "Contoso");
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");
  mca_accepted(f, &cu);
  const int64_t bought = ms_at("2026-10-15T10:00:00Z");
  f->c.now_ms = bought;
  struct cspd_subscription ri = buy(f, &d, &cu, RESERVATION, 2);
  struct cspd_subscription sql = buy(f, &d, &cu, SQLSERVER, 1);
  f->c.now_ms = nov;
  assert_int_equal(bill(f, ms_at("2026-09-01T00:00:00Z")), 0); /* nothing bought yet */
  assert_int_equal(bill(f, oct), 1);
  const struct cspd_invoice *inv = invoice_of(f, &d, "2026-10", "EUR");
  assert_non_null(inv);
  int n;
  struct cspd_invoice_line *lines = lines_of(f, inv, &n);
  assert_int_equal(n, 2);
  const struct cspd_invoice_line *l = line_of(lines, n, &ri, bought);
  assert_string_equal(l->kind, "one_time");
  assert_int_equal(l->quantity, 2);
  assert_int_equal(l->unit_price_minor, 45800);
  assert_int_equal(l->amount_minor, 91600);
  l = line_of(lines, n, &sql, bought);
  assert_string_equal(l->kind, "one_time");
  assert_int_equal(l->amount_minor, 365000);
  assert_int_equal(inv->total_minor, 91600 + 365000);
  /* not again the month after */
  f->c.now_ms = dec;
  assert_int_equal(bill(f, nov), 0);
  assert_null(invoice_of(f, &d, "2026-11", "EUR"));
}

static void test_billing_one_invoice_per_billed_partner_and_currency(void **state) {
  struct fx *f = *state;
  const int64_t oct = ms_at("2026-10-01T00:00:00Z"), nov = ms_at("2026-11-01T00:00:00Z");
  f->c.now_ms = ms_at("2026-09-20T09:00:00Z");
  struct partner d = direct_bill(f, "Contoso");
  struct partner p = provider(f, "Fabrikam Distribution");
  struct partner r = reseller(f, "Litware Resellers");
  partner_up(f, &p, &r);
  struct cspd_customer cd = customer_of(f, &d, "Wingtip Toys");
  struct cspd_customer cnl = customer_for(f, &p, &r, "Proseware");
  struct cspd_customer cnl2 = customer_for(f, &p, &r, "Adatum");
  struct cspd_customer cgb = customer_in(f, &p, &r, "Northwind Traders", "GB");
  mca_accepted(f, &cd);
  mca_accepted(f, &cnl);
  mca_accepted(f, &cnl2);
  mca_accepted(f, &cgb);
  buy(f, &d, &cd, E3, 2);
  buy(f, &p, &cnl, E1, 3);
  buy(f, &p, &cnl2, E3, 1);
  buy(f, &p, &cnl2, E1, 1);
  struct cspd_subscription gb = buy(f, &p, &cgb, E1, 4);
  assert_string_equal(sub_now(f, gb.id).currency, "GBP");

  f->c.now_ms = nov;
  assert_int_equal(bill(f, oct), 3);
  int n;
  invoices_of(f, NULL, &n);
  assert_int_equal(n, 3);
  invoices_of(f, &d, &n);
  assert_int_equal(n, 1);
  invoices_of(f, &p, &n);
  assert_int_equal(n, 2);
  invoices_of(f, &r, &n); /* the reseller is never billed */
  assert_int_equal(n, 0);
  const struct cspd_invoice *id = invoice_of(f, &d, "2026-10", "EUR");
  const struct cspd_invoice *ip = invoice_of(f, &p, "2026-10", "EUR");
  const struct cspd_invoice *ig = invoice_of(f, &p, "2026-10", "GBP");
  assert_non_null(id);
  assert_non_null(ip);
  assert_non_null(ig);
  assert_string_equal(id->billed_tenant_id, d.tenant_id);
  assert_int_equal(id->total_minor, 2 * 2100);
  lines_of(f, ip, &n);
  assert_int_equal(n, 3); /* both NL customers on one invoice */
  assert_int_equal(ip->total_minor, 3 * 926 + 2100 + 926);
  lines_of(f, ig, &n);
  assert_int_equal(n, 1);
  assert_int_equal(ig->total_minor, 4 * 787);
}

static void test_billing_month_run_twice_creates_nothing_new(void **state) {
  struct fx *f = *state;
  const int64_t oct = ms_at("2026-10-01T00:00:00Z"), nov = ms_at("2026-11-01T00:00:00Z");
  f->c.now_ms = ms_at("2026-09-20T09:00:00Z");
  struct partner d = direct_bill(f, "Contoso");
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");
  mca_accepted(f, &cu);
  buy(f, &d, &cu, E3, 2);
  buy(f, &d, &cu, SQLSERVER, 1);
  f->c.now_ms = ms_at("2026-10-03T00:00:00Z");
  buy(f, &d, &cu, SQLSERVER, 1); /* perpetual: recorded apart */

  /* only the operator (or the system's monthly close) runs billing */
  struct bill_args a = {oct, NULL};
  as_operator(f);
  f->c.now_ms = nov - 1; /* a month is closed once it has ended */
  assert_refused(f, run(f, bill_fn, &a), CSPD_E_INVALID_INPUT, NULL, 800002);
  f->c.now_ms = nov;
  as_partner(f, &d, CSPD_ROLE_GLOBAL_ADMIN);
  assert_refused(f, run(f, bill_fn, &a), CSPD_E_ROLE_REQUIRED, NULL, 403);
  int n;
  invoices_of(f, NULL, &n);
  assert_int_equal(n, 0);
  as_operator(f);
  assert_ok(f, run(f, bill_fn, &a));
  assert_int_equal(json_array_size(json_object_get(a.report, "invoices")), 1);
  json_decref(a.report);
  const struct cspd_invoice *inv = invoice_of(f, &d, "2026-10", "EUR");
  assert_non_null(inv);
  int64_t total = inv->total_minor;
  int nlines, nrev;
  lines_of(f, inv, &nlines);
  revenue_of(f, &d, &nrev);
  assert_int_equal(nrev, 2);

  f->c.now_ms = nov + DAY_MS;
  a.report = NULL;
  assert_ok(f, run(f, bill_fn, &a));
  assert_int_equal(json_array_size(json_object_get(a.report, "invoices")), 0);
  json_decref(a.report);
  invoices_of(f, NULL, &n);
  assert_int_equal(n, 1);
  inv = invoice_of(f, &d, "2026-10", "EUR");
  assert_int_equal(inv->total_minor, total);
  int again;
  lines_of(f, inv, &again);
  assert_int_equal(again, nlines);
  revenue_of(f, &d, &again);
  assert_int_equal(again, nrev);
}

static void test_R_DB_1_billed_revenue_recorded_perpetual_excluded(void **state) {
  struct fx *f = *state;
  const int64_t oct = ms_at("2026-10-01T00:00:00Z"), nov = ms_at("2026-11-01T00:00:00Z");
  f->c.now_ms = ms_at("2026-09-20T09:00:00Z");
  struct partner d = direct_bill(f, "Contoso");
  struct partner big = direct_bill(f, "Tailspin Toys");
  struct partner p = provider(f, "Fabrikam Distribution");
  struct partner r = reseller(f, "Litware Resellers");
  partner_up(f, &p, &r);
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");
  struct cspd_customer cb = customer_of(f, &big, "Fourth Coffee");
  struct cspd_customer ci = customer_for(f, &p, &r, "Proseware");
  mca_accepted(f, &cu);
  mca_accepted(f, &cb);
  mca_accepted(f, &ci);
  buy(f, &d, &cu, E3, 10);             /* EUR 21000 in October */
  buy(f, &big, &cb, DYN_SALES, 10000); /* EUR 97,200,000 in October */
  buy(f, &p, &ci, E1, 1);              /* billed to the provider */
  f->c.now_ms = ms_at("2026-10-15T10:00:00Z");
  buy(f, &d, &cu, SQLSERVER, 100); /* EUR 36,500,000, perpetual */

  f->c.now_ms = nov;
  assert_int_equal(bill(f, oct), 3);
  int n;
  struct cspd_revenue *rev = revenue_of(f, &d, &n);
  assert_int_equal(n, 2);
  const struct cspd_revenue *cloud = NULL, *perp = NULL;
  for (int i = 0; i < n; i++) {
    if (strcmp(rev[i].kind, "cloud") == 0)
      cloud = &rev[i];
    else if (strcmp(rev[i].kind, "perpetual_software") == 0)
      perp = &rev[i];
  }
  assert_non_null(cloud);
  assert_non_null(perp);
  assert_string_equal(cloud->period, "2026-10");
  assert_string_equal(cloud->currency, "EUR");
  assert_int_equal(cloud->amount_minor, 21000);
  assert_int_equal(cloud->usd_minor, 22680); /* EUR 1.08 */
  assert_string_equal(cloud->source, "billing");
  assert_string_equal(cloud->tenant_id, d.tenant_id);
  assert_int_equal(perp->amount_minor, 36500000);
  assert_int_equal(perp->usd_minor, 39420000);
  /* the provider's org is billed (and earns) for its indirect customers, not the reseller's */
  revenue_of(f, &p, &n);
  assert_int_equal(n, 1);
  revenue_of(f, &r, &n);
  assert_int_equal(n, 0);

  /* R-DB-1 sums cloud revenue only: perpetual software alone would exceed USD 300,000 */
  json_t *item = evaluation_of(f, &d, nov);
  assert_int_equal(json_integer_value(json_object_get(item, "trailingRevenueUsdMinor")), 22680);
  assert_false(json_is_true(json_object_get(item, "meetsRequirement")));
  json_decref(item);
  item = evaluation_of(f, &big, nov);
  assert_int_equal(json_integer_value(json_object_get(item, "trailingRevenueUsdMinor")), 104976000);
  assert_true(json_is_true(json_object_get(item, "meetsRequirement")));
  json_decref(item);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define TB(fn) cmocka_unit_test_setup_teardown(fn, setup_bare, teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      TB(test_R_ORD_1_shipped_catalog_loaded_once),
      T(test_R_ORD_1_shipped_catalog_has_every_transfer_class),
      T(test_R_ORD_1_catalog_replace_validates_offers),
      T(test_R_ORD_1_refused_catalog_leaves_the_old_one),
      T(test_R_ORD_1_duplicate_ids_compared_without_case),
      T(test_R_ORD_1_addon_parents_are_base_offers),
      T(test_R_ORD_1_markets_exist_and_are_priced),
      T(test_R_ORD_1_names_unique_and_cycles_allowed),
      T(test_R_ORD_2_one_subscription_per_line),
      T(test_R_ORD_2_quantity_within_offer_bounds),
      T(test_R_ORD_2_billing_cycle_supported),
      T(test_R_ORD_2_addon_needs_parent_of_allowed_base),
      T(test_R_ORD_2_addon_parent_id_in_any_case),
      T(test_R_ORD_2_addon_parent_is_the_buyers_subscription),
      T(test_R_ORD_2_order_is_all_or_nothing),
      T(test_R_ORD_3_partner_of_record_on_providers_order),
      T(test_R_ORD_3_default_is_the_reseller_the_provider_serves),
      T(test_R_ORD_3_direct_bill_order_carries_no_partner_of_record),
      T(test_R_SUB_1_suspended_cannot_change_quantity),
      T(test_R_SUB_1_addon_not_active_under_inactive_parent),
      T(test_R_SUB_1_suspend_and_delete_cascade_to_addons),
      T(test_R_SUB_1_deleted_never_changes),
      T(test_R_SUB_1_status_transitions),
      T(test_R_MPA_1_unsigned_buyer_cannot_order),
      T(test_R_MPA_3_provider_cannot_buy_for_unsigned_reseller),
      T(test_R_MCA_1_order_needs_customer_agreement),
      T(test_R_MCA_2_customer_acceptance_carries_over_attestation_does_not),
      T(test_R_DB_2_restricted_partner_cannot_order_but_suspends_and_resizes),
      T(test_R_CUS_5_transitioning_partner_no_direct_purchase_for_indirect_customer),
      T(test_R_CUS_6_reseller_never_orders),
      T(test_R_EXT_0_provider_without_relationship_cannot_order),
      T(test_R_REG_1_offer_not_sold_in_customers_market),
      T(test_billing_license_prorated_half_up),
      T(test_billing_suspended_time_unbilled_quantity_change_splits),
      T(test_billing_usage_records_of_the_month_only),
      T(test_billing_one_time_purchases_in_the_month_bought),
      T(test_billing_one_invoice_per_billed_partner_and_currency),
      T(test_billing_month_run_twice_creates_nothing_new),
      T(test_R_DB_1_billed_revenue_recorded_perpetual_excluded),
  };
  return cmocka_run_group_tests_name("commerce", tests, group_setup, NULL);
}
