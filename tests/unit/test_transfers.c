/* test_transfers.c -- subscription transfers from a transitioning direct-bill
 * partner to an indirect provider (core/transfers.c, SPEC §2.10 and §3.4)
 * against a memory store.
 *
 * Every rule R-TRF-1..14 has at least one test named after it
 * (test_R_TRF_N_...). A refusal is asserted with its ctx error id, the rule id
 * the registry gives that error and its code; each test also asserts the
 * allowed counterpart, so it fails both when the check is removed and when it
 * refuses everything. The state checks of accept, reject and withdraw (900102,
 * 900104) have tests of their own, as do R-MPA-1 and R-ORD-3 where transfers
 * must apply them as orders do.
 *
 * The world most tests start from: a transitioned partner (direct-bill and
 * indirect reseller, MPA signed), a provider it partnered with (MPA signed), a
 * customer the partner holds directly and that accepted the MCA itself, and
 * the relationship extended to the provider; the partner then buys
 * subscriptions for the customer with cspd_order_create.
 *
 * Principals are built by hand (no tokens, no sign-in); c.who == NULL is the
 * trusted system, which the setup helpers use. Every core call runs in its own
 * write transaction, committed when it returns 0 and rolled back otherwise,
 * as the HTTP layer does. */
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
#include "core/transfers.h"
#include "core/util.h"
#include "store/store.h"

#define NOW_MS 1795082400000LL /* Thursday 2026-11-19T10:00:00Z */
#define DAY_MS 86400000LL
#define FAKE_HASH "$argon2id$v=19$m=65536,t=2,p=1$fake$fake" /* nobody signs in */
#define USER_ID "a0000000-0000-4000-8000-0000000000ff"
#define BASE_URL "http://127.0.0.1:7700"
#define GA CSPD_ROLE_GLOBAL_ADMIN
#define AA CSPD_ROLE_ADMIN_AGENT
#define SA CSPD_ROLE_SALES_AGENT
#define HD CSPD_ROLE_HELPDESK_AGENT
#define BA CSPD_ROLE_BILLING_ADMIN
#define CADMIN CSPD_ROLE_CUSTOMER_ADMIN
#define DIRECT CSPD_PROG_DIRECT_BILL
#define PROVIDER CSPD_PROG_INDIRECT_PROVIDER
#define RESELLER CSPD_PROG_INDIRECT_RESELLER

/* offers of the shipped catalog (data/catalog.json) */
#define O365_E1 "91FD106F-4B2C-4938-95AC-F54F74E9A239"     /* license_based, monthly|annual */
#define O365_E3 "796B6B5F-613C-4E24-A17C-EBA730D49C02"     /* license_based, monthly|annual */
#define E5_SECURITY "A0ED880D-780F-46D4-B4E3-9E1958C89365" /* add-on of E3 */
#define ARCHIVING "2828BE95-46BA-4F91-B2FD-0BEF192ECF60"   /* add-on of E1, E3, ... */
#define AUDIO_CONF "C811F1BB-47D1-46C1-B106-531D6DB65072"  /* add-on of E1, E3 */
#define AZURE_PAYG "MS-AZR-0145P"                          /* azure_payg */
#define AZURE_PLAN "DZH318Z0BPS6"                          /* azure_plan */
#define RESERVATION "DZH318Z0BQ4M"                         /* azure_reservation */
#define WINDOWS_SERVER "DG7GMGF0D7HW"                      /* term_based */
#define MARKETPLACE "DZH318Z0C5FB"                         /* marketplace_saas */
#define SQL_SERVER "DG7GMGF0FKX2"                          /* perpetual_software */

static const unsigned char sign_key[32] = "cspd-unit-test-signing-key-0123";

/* ---- fixture ---------------------------------------------------------------------------- */

struct fx {
  struct cspd_store *st;
  struct cspd_arena *a; /* lives for the whole test: rows read back stay valid */
  struct cspd_ctx c;
  struct cspd_principal who;
};

#include "fixture.h"

/* ---- principals --------------------------------------------------------------------------- */

static void as_system(struct fx *f) {
  f->c.who = NULL;
}

static void as_principal(struct fx *f, enum cspd_tenant_kind kind, const char *tenant,
                         unsigned roles) {
  memset(&f->who, 0, sizeof f->who);
  snprintf(f->who.tenant_id, sizeof f->who.tenant_id, "%s", tenant);
  snprintf(f->who.user_id, sizeof f->who.user_id, "%s", USER_ID);
  f->who.kind = kind;
  f->who.roles = roles;
  f->who.expires = NOW_MS / 1000 + 3600;
  f->c.who = &f->who;
}

/** Run @a fn as the system; a refusal fails the test. */
static void sys_run(struct fx *f, op_fn fn, void *arg, const char *what) {
  as_system(f);
  int rc = run(f, fn, arg);
  if (rc != 0)
    fail_msg("setup %s: %s %s (rc %d)", what, err_name(f), err_detail(f), rc);
}

/* ---- setup and teardown ------------------------------------------------------------------ */

static int seed_fn(struct cspd_ctx *c, void *arg) {
  (void)arg;
  int rc = cspd_fx_seed_defaults(c);
  return rc != 0 ? rc : cspd_catalog_seed_default(c);
}

static int setup(void **state) {
  struct fx *f = calloc(1, sizeof *f);
  *state = f;
  f->a = cspd_arena_new(0);
  f->c.arena = f->a;
  f->c.now_ms = NOW_MS;
  f->c.base_url = BASE_URL;
  f->c.sign_key = sign_key;
  char err[512] = "";
  if (cspd_store_open("memory", &f->st, err, sizeof err) != 0) {
    print_error("store: %s\n", err);
    return -1;
  }
  if (run(f, seed_fn, NULL) != 0) {
    print_error("seed: %s %s\n", err_name(f), err_detail(f));
    return -1;
  }
  return 0;
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

/** A partner location (tenant). */
struct partner {
  char tenant_id[37], mpn_id[16];
  const char *name, *email;
};

/** "Wingtip Toys" -> "wingtiptoys" (arena). */
static const char *slug(struct fx *f, const char *name) {
  char *s = cspd_arena_strdup(f->a, name);
  char *w = s;
  for (const char *r = s; *r; r++)
    if (isalnum((unsigned char)*r))
      *w++ = (char)tolower((unsigned char)*r);
  *w = '\0';
  return s;
}

struct partner_args {
  const char *name, *email;
  struct cspd_location out;
};
static int partner_fn(struct cspd_ctx *c, void *arg) {
  struct partner_args *a = arg;
  struct cspd_org o;
  struct cspd_org_input oi = {.name = a->name};
  int rc = cspd_org_create(c, &oi, &o);
  if (rc != 0)
    return rc;
  struct cspd_location_input li = {
      .org_id = o.id,
      .country = "NL",
      .contact = {.first_name = "Ada", .last_name = "Admin", .email = a->email}};
  return cspd_location_create(c, &li, &a->out);
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
static void sign_mpa(struct fx *f, const struct partner *p) {
  sys_run(f, mpa_put_fn, (void *)p->tenant_id, "mpa");
}

/** A partner in NL with @a program active; no MPA. */
static struct partner partner_unsigned(struct fx *f, const char *name, enum cspd_program program) {
  struct partner_args a = {name, cspd_arena_printf(f->a, "admin@%s.test", slug(f, name)), {{0}}};
  sys_run(f, partner_fn, &a, "partner");
  struct partner p = {.name = name, .email = a.email};
  memcpy(p.tenant_id, a.out.tenant_id, sizeof p.tenant_id);
  memcpy(p.mpn_id, a.out.mpn_id, sizeof p.mpn_id);
  set_membership(f, &p, program, CSPD_MS_ACTIVE);
  return p;
}

/** A partner in NL with @a program active and the MPA signed. */
static struct partner partner_with(struct fx *f, const char *name, enum cspd_program program) {
  struct partner p = partner_unsigned(f, name, program);
  sign_mpa(f, &p);
  return p;
}

/** "a transitioned partner": direct-bill and enabled indirect reseller, MPA signed. */
static struct partner transitioned(struct fx *f, const char *name) {
  struct partner p = partner_with(f, name, DIRECT);
  set_membership(f, &p, RESELLER, CSPD_MS_ACTIVE);
  return p;
}

static int prt_insert_fn(struct cspd_ctx *c, void *arg) {
  const char *const *ids = arg; /* provider, reseller */
  struct cspd_partnership ps = {.state = "active", .created_ms = c->now_ms};
  snprintf(ps.provider_tenant_id, sizeof ps.provider_tenant_id, "%s", ids[0]);
  snprintf(ps.reseller_tenant_id, sizeof ps.reseller_tenant_id, "%s", ids[1]);
  return cspd_store_fail(c, cspd_db_ops(c->db)->partnership_insert(c->db, &ps), 0, 0);
}

/** @a res accepted @a prov's partnership invitation. */
static void partner_up(struct fx *f, const struct partner *prov, const struct partner *res) {
  const char *ids[2] = {prov->tenant_id, res->tenant_id};
  sys_run(f, prt_insert_fn, ids, "partnership");
}

/** "a provider partnered with it": a provider @a res accepted the invitation of. */
static struct partner provider_of(struct fx *f, const char *name, const struct partner *res) {
  struct partner p = partner_with(f, name, PROVIDER);
  partner_up(f, &p, res);
  return p;
}

static void as_partner(struct fx *f, const struct partner *p, unsigned roles) {
  as_principal(f, CSPD_TENANT_PARTNER, p->tenant_id, roles);
}

/* ---- customers, agreements, extension ------------------------------------------------------ */

struct customer_args {
  struct cspd_customer_create in;
  struct cspd_customer out;
};
static int customer_fn(struct cspd_ctx *c, void *arg) {
  struct customer_args *a = arg;
  return cspd_customer_create_by_partner(c, &a->in, &a->out);
}

/** "a customer of X": @a by's direct-bill customer in NL, created by its admin agent. */
static struct cspd_customer customer_of(struct fx *f, const struct partner *by, const char *name) {
  const char *domain = cspd_arena_printf(f->a, "%s.onmicrosoft.com", slug(f, name));
  struct customer_args a = {
      .in = {.domain = domain,
             .company_name = name,
             .country = "NL",
             .billing_json = cspd_arena_printf(f->a,
                                               "{\"companyName\":\"%s\",\"email\":\"billing@%s\","
                                               "\"defaultAddress\":{\"country\":\"NL\"}}",
                                               name, domain),
             .admin_user_name = cspd_arena_printf(f->a, "admin@%s", domain),
             .admin_password_hash = FAKE_HASH}};
  as_partner(f, by, AA);
  assert_ok(f, run(f, customer_fn, &a));
  return a.out;
}

static const char *mca_template(void) {
  int n;
  const struct cspd_agreement_meta *m = cspd_agreement_metadata(&n);
  for (int i = 0; i < n; i++)
    if (strcmp(m[i].type, "MicrosoftCustomerAgreement") == 0)
      return m[i].template_id;
  fail_msg("no MicrosoftCustomerAgreement template");
  return NULL;
}

struct agree_args {
  const char *customer;
  struct cspd_cagreement in;
};
static int agree_fn(struct cspd_ctx *c, void *arg) {
  struct agree_args *a = arg;
  return cspd_cagreement_create(c, a->customer, &a->in);
}

/** The current principal records the MCA for @a cu: a customer admin accepts
 * it, a partner attests it in its own name. */
static void record_mca(struct fx *f, const struct cspd_customer *cu) {
  struct agree_args a = {.customer = cu->tenant_id,
                         .in = {.type = "MicrosoftCustomerAgreement",
                                .template_id = mca_template(),
                                .date_agreed_ms = NOW_MS - DAY_MS,
                                .contact = {.first_name = "Cara",
                                            .last_name = "Customer",
                                            .email = "cara@customer.test"}}};
  assert_ok(f, run(f, agree_fn, &a));
}

/** The customer's own admin accepts the MCA (it carries over, R-MCA-2). */
static void customer_accepts_mca(struct fx *f, const struct cspd_customer *cu) {
  as_principal(f, CSPD_TENANT_CUSTOMER, cu->tenant_id, CADMIN);
  record_mca(f, cu);
}

/** An admin agent of @a by attests the customer's MCA acceptance. */
static void attest_mca(struct fx *f, const struct partner *by, const struct cspd_customer *cu) {
  as_partner(f, by, AA);
  record_mca(f, cu);
}

struct extend_args {
  const char *customer, *provider;
};
static int extend_fn(struct cspd_ctx *c, void *arg) {
  struct extend_args *a = arg;
  return cspd_relationship_extend(c, a->customer, a->provider, true);
}

/** An admin agent of @a by extends @a cu to @a prov, attesting consent (R-EXT-*). */
static void extend(struct fx *f, const struct partner *by, const struct cspd_customer *cu,
                   const struct partner *prov) {
  as_partner(f, by, AA);
  struct extend_args a = {cu->tenant_id, prov->tenant_id};
  assert_ok(f, run(f, extend_fn, &a));
}

/** The starting point: source @a t, target provider @a p, @a t's direct customer. */
struct world {
  struct partner t, p;
  struct cspd_customer cu;
};

/** Partners, partnership and customer; no MCA, no extension. */
static struct world world_bare(struct fx *f) {
  struct world w;
  w.t = transitioned(f, "Tailspin Toys");
  w.p = provider_of(f, "Fabrikam Distribution", &w.t);
  w.cu = customer_of(f, &w.t, "Wingtip Toys");
  return w;
}

/** The customer accepted the MCA itself and was moved to the provider. */
static struct world world(struct fx *f) {
  struct world w = world_bare(f);
  customer_accepts_mca(f, &w.cu);
  extend(f, &w.t, &w.cu, &w.p);
  return w;
}

/* ---- catalog, orders, subscriptions -------------------------------------------------------- */

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

/** The source's admin agent buys @a qty of @a offer for the customer, billed
 * per @a cycle (NULL: the offer's first), under @a parent (add-ons). */
static struct cspd_subscription buy(struct fx *f, const struct world *w, const char *offer,
                                    int64_t qty, const char *cycle,
                                    const struct cspd_subscription *parent) {
  struct cspd_order_line_in line = {
      .offer_id = offer, .quantity = qty, .parent_subscription_id = parent ? parent->id : NULL};
  struct order_args a = {.customer = w->cu.tenant_id,
                         .in = {.reference_customer_id = w->cu.tenant_id,
                                .billing_cycle = cycle,
                                .lines = &line,
                                .nlines = 1}};
  as_partner(f, &w->t, AA);
  assert_ok(f, run(f, order_fn, &a));
  return a.subs[0];
}

struct order_get_args {
  const char *customer, *id;
  struct cspd_order out;
};
static int order_get_fn(struct cspd_ctx *c, void *arg) {
  struct order_get_args *a = arg;
  return cspd_store_fail(
      c, cspd_db_ops(c->db)->order_get(c->db, a->customer, a->id, c->arena, &a->out),
      CSPD_E_NOT_FOUND, 0);
}

struct sub_args {
  const char *id;
  struct cspd_subscription out;
};
static int sub_get_fn(struct cspd_ctx *c, void *arg) {
  struct sub_args *a = arg;
  return cspd_store_fail(c, cspd_db_ops(c->db)->sub_get(c->db, a->id, c->arena, &a->out),
                         CSPD_E_SUB_NOT_FOUND, 0);
}

/** The stored row of subscription @a id (listed or not). */
static struct cspd_subscription sub_row(struct fx *f, const char *id) {
  struct sub_args a = {.id = id};
  sys_run(f, sub_get_fn, &a, "sub_get");
  return a.out;
}

struct sub_read_args {
  const char *customer, *id;
  struct cspd_subscription out;
};
static int sub_read_cb(struct cspd_ctx *c, void *arg) {
  struct sub_read_args *a = arg;
  return cspd_subscription_read(c, a->customer, a->id, &a->out);
}

/** GET .../subscriptions/{id} as an admin agent of @a by. */
static int read_sub_as(struct fx *f, const struct partner *by, const struct cspd_customer *cu,
                       const char *id) {
  as_partner(f, by, AA);
  struct sub_read_args a = {cu->tenant_id, id, {{0}}};
  return run(f, sub_read_cb, &a);
}

struct sub_list_args {
  struct cspd_sub_filter filter;
  struct cspd_subscription *rows;
  int n;
};
static int sub_list_fn(struct cspd_ctx *c, void *arg) {
  struct sub_list_args *a = arg;
  return cspd_store_fail(
      c, cspd_db_ops(c->db)->sub_list(c->db, &a->filter, "", 1000, c->arena, &a->rows, &a->n), 0,
      0);
}

/** The listed subscriptions of @a cu that @a p holds or resells. @param[out] n. */
static struct cspd_subscription *subs_of(struct fx *f, const struct cspd_customer *cu,
                                         const struct partner *p, int *n) {
  struct sub_list_args a = {
      .filter = {.customer_tenant_id = cu->tenant_id, .visible_to = p->tenant_id}};
  sys_run(f, sub_list_fn, &a, "sub_list");
  *n = a.n;
  return a.rows;
}

/** How many of @a cu's listed subscriptions @a p is billed for. */
static int held_by(struct fx *f, const struct cspd_customer *cu, const struct partner *p) {
  int n, held = 0;
  struct cspd_subscription *s = subs_of(f, cu, p, &n);
  for (int i = 0; i < n; i++)
    held += strcmp(s[i].holder_tenant_id, p->tenant_id) == 0;
  return held;
}

struct patch_args {
  const char *customer, *id;
  struct cspd_sub_patch patch;
};
static int patch_fn(struct cspd_ctx *c, void *arg) {
  struct patch_args *a = arg;
  struct cspd_subscription s;
  int rc = cspd_subscription_read(c, a->customer, a->id, &s);
  return rc != 0 ? rc : cspd_subscription_update(c, &s, &a->patch);
}

/** The source's admin agent PATCHes subscription @a s (quantity <0 and status
 * NULL leave them unchanged). */
static void patch_sub(struct fx *f, const struct world *w, const struct cspd_subscription *s,
                      int64_t quantity, const char *status) {
  struct patch_args a = {
      w->cu.tenant_id, s->id, {.quantity = quantity, .status = status, .auto_renew = -1}};
  as_partner(f, &w->t, AA);
  assert_ok(f, run(f, patch_fn, &a));
}

struct catalog_args {
  const char *offer, *market;
};
static int catalog_fn(struct cspd_ctx *c, void *arg) {
  struct catalog_args *a = arg;
  char **docs;
  int n;
  int rc = cspd_db_ops(c->db)->offer_list(c->db, c->arena, &docs, &n);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  json_t *offers = json_array();
  for (int i = 0; i < n; i++) {
    json_t *o = json_loads(docs[i], 0, NULL);
    if (strcmp(json_string_value(json_object_get(o, "id")), a->offer) == 0)
      json_object_set_new(o, "markets", json_pack("[s]", a->market));
    json_array_append_new(offers, o);
  }
  json_t *catalog = json_pack("{s:s, s:o}", "version", "test", "offers", offers);
  rc = cspd_catalog_replace(c, catalog, &n);
  json_decref(catalog);
  return rc;
}

/** The catalog is replaced by one where @a offer is sold only in @a market. */
static void sell_only_in(struct fx *f, const char *offer, const char *market) {
  struct catalog_args a = {offer, market};
  sys_run(f, catalog_fn, &a, "catalog replace");
}

/* ---- transfers ----------------------------------------------------------------------------- */

struct trf_args {
  const char *customer, *id;
  const char *source, *target;
  struct cspd_transfer_line_in lines[8];
  int n;
  struct cspd_transfer out;
  json_t *result;
  struct cspd_transfer *rows;
  int nrows;
};

static int create_fn(struct cspd_ctx *c, void *arg) {
  struct trf_args *a = arg;
  return cspd_transfer_create(c, a->customer, a->source, a->target, a->lines, a->n, &a->out);
}
static int accept_fn(struct cspd_ctx *c, void *arg) {
  struct trf_args *a = arg;
  return cspd_transfer_accept(c, a->customer, a->id, &a->out, &a->result);
}
static int reject_fn(struct cspd_ctx *c, void *arg) {
  struct trf_args *a = arg;
  return cspd_transfer_reject(c, a->customer, a->id, &a->out);
}
static int withdraw_fn(struct cspd_ctx *c, void *arg) {
  struct trf_args *a = arg;
  return cspd_transfer_withdraw(c, a->customer, a->id);
}
static int read_fn(struct cspd_ctx *c, void *arg) {
  struct trf_args *a = arg;
  return cspd_transfer_read(c, a->customer, a->id, &a->out);
}
/* GET /v1/customers/{cid}/transfers as h_transfers.c does it: the caller must
 * see the customer; the handler then drops other partners' transfers. */
static int list_fn(struct cspd_ctx *c, void *arg) {
  struct trf_args *a = arg;
  struct cspd_customer cu;
  int rc = cspd_customer_read(c, a->customer, &cu, NULL);
  if (rc != 0)
    return rc;
  return cspd_store_fail(
      c, cspd_db_ops(c->db)->transfer_list(c->db, cu.tenant_id, c->arena, &a->rows, &a->nrows), 0,
      0);
}

/** Run transfer operation @a fn as @a by with @a roles. The principal's
 * strings the core may point at (modified_by) are copied to the arena. */
static int trf_run(struct fx *f, const struct partner *by, unsigned roles, op_fn fn,
                   struct trf_args *a) {
  as_partner(f, by, roles);
  int rc = run(f, fn, a);
  if (a->out.modified_by != NULL)
    a->out.modified_by = cspd_arena_strdup(f->a, a->out.modified_by);
  return rc;
}

/** @a by (with @a roles) asks to transfer subscriptions @a subs of @a cu from
 * @a source to @a target. @param[out] out may be NULL. */
static int create_req(struct fx *f, const struct partner *by, unsigned roles, const char *source,
                      const char *target, const struct cspd_customer *cu,
                      const struct cspd_subscription *const *subs, int n,
                      struct cspd_transfer *out) {
  struct trf_args a = {.customer = cu->tenant_id, .source = source, .target = target, .n = n};
  assert_true(n <= 8);
  for (int i = 0; i < n; i++)
    a.lines[i].subscription_id = subs[i]->id;
  int rc = trf_run(f, by, roles, create_fn, &a);
  if (out != NULL)
    *out = a.out;
  return rc;
}

/** An admin agent of the source asks to transfer @a subs to the world's provider. */
static int ask(struct fx *f, const struct world *w, const struct cspd_subscription *const *subs,
               int n, struct cspd_transfer *out) {
  return create_req(f, &w->t, AA, w->t.tenant_id, w->p.tenant_id, &w->cu, subs, n, out);
}

/** ask() for one subscription naming @a por as its partner of record. */
static int ask_por(struct fx *f, const struct world *w, const struct cspd_subscription *sub,
                   const char *por, struct cspd_transfer *out) {
  struct trf_args a = {.customer = w->cu.tenant_id,
                       .source = w->t.tenant_id,
                       .target = w->p.tenant_id,
                       .lines = {{.subscription_id = sub->id, .partner_id_on_record = por}},
                       .n = 1};
  int rc = trf_run(f, &w->t, AA, create_fn, &a);
  *out = a.out;
  return rc;
}

/** ask() that must succeed; the new request. */
static struct cspd_transfer request(struct fx *f, const struct world *w,
                                    const struct cspd_subscription *const *subs, int n) {
  struct cspd_transfer t;
  assert_ok(f, ask(f, w, subs, n, &t));
  assert_string_equal(t.status, "Active");
  return t;
}

/** Transfer operation @a fn on @a t as @a by with @a roles. @param[out] out,
 * @param[out] result (accept; new ref) may be NULL. */
static int trf_op(struct fx *f, op_fn fn, const struct partner *by, unsigned roles,
                  const struct cspd_customer *cu, const char *id, struct cspd_transfer *out,
                  json_t **result) {
  struct trf_args a = {.customer = cu->tenant_id, .id = id};
  int rc = trf_run(f, by, roles, fn, &a);
  if (out != NULL)
    *out = a.out;
  if (result != NULL)
    *result = a.result;
  else
    json_decref(a.result);
  return rc;
}

#define accept_as(f, by, roles, cu, id, out, res) trf_op(f, accept_fn, by, roles, cu, id, out, res)
#define reject_as(f, by, roles, cu, id, out) trf_op(f, reject_fn, by, roles, cu, id, out, NULL)
#define withdraw_as(f, by, roles, cu, id) trf_op(f, withdraw_fn, by, roles, cu, id, NULL, NULL)
#define read_as(f, by, cu, id, out) trf_op(f, read_fn, by, AA, cu, id, out, NULL)

/** The provider's admin agent accepts @a t; the completed request. */
static struct cspd_transfer accepted(struct fx *f, const struct world *w,
                                     const struct cspd_transfer *t) {
  struct cspd_transfer out;
  assert_ok(f, accept_as(f, &w->p, AA, &w->cu, t->id, &out, NULL));
  return out;
}

/** request() and accepted(): the completed request. */
static struct cspd_transfer transferred(struct fx *f, const struct world *w,
                                        const struct cspd_subscription *const *subs, int n) {
  struct cspd_transfer t = request(f, w, subs, n);
  return accepted(f, w, &t);
}

/** GET transfers as @a by: whether transfer @a id is among them. */
static int list_as(struct fx *f, const struct partner *by, const struct cspd_customer *cu,
                   const char *id, bool *found) {
  struct trf_args a = {.customer = cu->tenant_id};
  int rc = trf_run(f, by, AA, list_fn, &a);
  *found = false;
  for (int i = 0; rc == 0 && i < a.nrows; i++)
    if (strcmp(a.rows[i].id, id) == 0)
      *found = true;
  return rc;
}

struct elig_args {
  const char *customer;
  json_t *out;
};
static int elig_fn(struct cspd_ctx *c, void *arg) {
  struct elig_args *a = arg;
  return cspd_transfer_eligibility(c, a->customer, &a->out);
}

/** GET transferseligibility as an admin agent of @a by. @param[out] out new
 * ref on success. */
static int eligibility_as(struct fx *f, const struct partner *by, const struct cspd_customer *cu,
                          json_t **out) {
  struct elig_args a = {cu->tenant_id, NULL};
  as_partner(f, by, AA);
  int rc = run(f, elig_fn, &a);
  if (rc != 0)
    json_decref(a.out);
  *out = rc == 0 ? a.out : NULL;
  return rc;
}

/** The eligibility entry of subscription @a id, or NULL. */
static const json_t *elig_of(const json_t *arr, const char *id) {
  size_t i;
  const json_t *it;
  json_array_foreach(arr, i, it) {
    if (strcmp(json_string_value(json_object_get(it, "id")), id) == 0)
      return it;
  }
  return NULL;
}

/** Assert @a id is listed eligible (true and no reason) or not (with a
 * reason containing @a needle). */
static void assert_eligibility(const json_t *arr, const char *id, bool eligible,
                               const char *needle) {
  const json_t *it = elig_of(arr, id);
  if (it == NULL)
    fail_msg("subscription %s is not in the eligibility answer", id);
  const json_t *ok = json_object_get(it, "isEligible");
  assert_true(json_is_boolean(ok));
  const char *reason = json_string_value(json_object_get(it, "reason"));
  if (eligible) {
    assert_true(json_is_true(ok));
    assert_null(json_object_get(it, "reason"));
    return;
  }
  assert_true(json_is_false(ok));
  if (reason == NULL || (needle != NULL && strstr(reason, needle) == NULL))
    fail_msg("subscription %s: reason '%s' lacks '%s'", id, reason ? reason : "(none)",
             needle ? needle : "");
}

/** The line items of @a t (new ref). */
static json_t *lines_of(const struct cspd_transfer *t) {
  json_t *j = json_loads(t->lines_json, 0, NULL);
  assert_non_null(j);
  assert_true(json_is_array(j));
  return j;
}

/** The line item or add-on item for subscription @a sub_id in @a lines (borrowed). */
static json_t *item_of(json_t *lines, const char *sub_id) {
  size_t i, k;
  json_t *l, *add;
  json_array_foreach(lines, i, l) {
    if (strcmp(json_string_value(json_object_get(l, "subscriptionId")), sub_id) == 0)
      return l;
    json_array_foreach(json_object_get(l, "addonItems"), k, add) {
      if (strcmp(json_string_value(json_object_get(add, "subscriptionId")), sub_id) == 0)
        return add;
    }
  }
  fail_msg("subscription %s is not in the transfer", sub_id);
  return NULL;
}

static const char *jstr(const json_t *o, const char *key) {
  return json_string_value(json_object_get(o, key));
}

/** The new subscription the transfer made of @a sub_id (the arena copy). */
static struct cspd_subscription moved_to(struct fx *f, const struct cspd_transfer *t,
                                         const char *sub_id) {
  json_t *lines = lines_of(t);
  const json_t *it = item_of(lines, sub_id);
  assert_string_equal(jstr(it, "status"), "Complete");
  const char *nid = cspd_arena_strdup(f->a, jstr(it, "newSubscriptionId"));
  json_decref(lines);
  return sub_row(f, nid);
}

/* ---- notifications -------------------------------------------------------------------------- */

struct notif_args {
  const char *tenant;
  struct cspd_notification *rows;
  int n;
};
static int notif_fn(struct cspd_ctx *c, void *arg) {
  struct notif_args *a = arg;
  return cspd_store_fail(
      c,
      cspd_db_ops(c->db)->notification_list(c->db, a->tenant, "", 1000, c->arena, &a->rows, &a->n),
      0, 0);
}

/** Notifications of kind "transfer" @a p may read, each sent to its contact. */
static int transfer_mails(struct fx *f, const struct partner *p) {
  struct notif_args a = {p->tenant_id, NULL, 0};
  sys_run(f, notif_fn, &a, "notification_list");
  int n = 0;
  for (int i = 0; i < a.n; i++) {
    if (strcmp(a.rows[i].kind, "transfer") != 0)
      continue;
    assert_string_equal(a.rows[i].recipient, p->email);
    n++;
  }
  return n;
}

/* ---- a lock the store holds ----------------------------------------------------------------- */

struct lock_args {
  const char *sub;
  char holder[37];
  int rc;
};
static int lock_fn(struct cspd_ctx *c, void *arg) {
  struct lock_args *a = arg;
  a->rc = cspd_db_ops(c->db)->transfer_lock_get(c->db, a->sub, a->holder);
  return 0;
}

/** The request holding subscription @a sub (arena), or NULL. */
static const char *lock_of(struct fx *f, const struct cspd_subscription *sub) {
  struct lock_args a = {sub->id, "", 0};
  sys_run(f, lock_fn, &a, "transfer_lock_get");
  if (a.rc == CSPD_STORE_NOTFOUND)
    return NULL;
  assert_int_equal(a.rc, 0);
  return cspd_arena_strdup(f->a, a.holder);
}

/* ==== R-TRF-1..14 ============================================================================ */

static void test_R_TRF_1_only_transitioned_partners_create(void **state) {
  struct fx *f = *state;
  struct world w = world(f);
  struct cspd_subscription e3 = buy(f, &w, O365_E3, 5, "monthly", NULL);
  const struct cspd_subscription *subs[] = {&e3};

  /* the indirect reseller agreement not accepted (approved only): no transfers */
  set_membership(f, &w.t, RESELLER, CSPD_MS_APPROVED);
  assert_refused(f, ask(f, &w, subs, 1, NULL), CSPD_E_TRF_NOT_TRANSITIONED, "R-TRF-1", 403);
  json_t *elig;
  assert_refused(f, eligibility_as(f, &w.t, &w.cu, &elig), CSPD_E_TRF_NOT_TRANSITIONED, "R-TRF-1",
                 403);
  assert_null(lock_of(f, &e3));

  /* a direct-bill partner that never enrolled, with its own customer */
  struct partner d = partner_with(f, "Contoso Direct", DIRECT);
  struct cspd_customer dcu = customer_of(f, &d, "Alpine Ski House");
  customer_accepts_mca(f, &dcu);
  struct world dw = {d, w.p, dcu};
  struct cspd_subscription de3 = buy(f, &dw, O365_E3, 1, "monthly", NULL);
  const struct cspd_subscription *dsubs[] = {&de3};
  assert_refused(f, ask(f, &dw, dsubs, 1, NULL), CSPD_E_TRF_NOT_TRANSITIONED, "R-TRF-1", 403);

  /* enrollment completed: allowed, also when the direct-bill side is restricted */
  set_membership(f, &w.t, RESELLER, CSPD_MS_ACTIVE);
  set_membership(f, &w.t, DIRECT, CSPD_MS_RESTRICTED);
  struct cspd_transfer t = request(f, &w, subs, 1);
  assert_string_equal(lock_of(f, &e3), t.id);
}

static void test_R_TRF_2_customer_must_be_moved_to_the_provider(void **state) {
  struct fx *f = *state;
  struct world w = world_bare(f);
  customer_accepts_mca(f, &w.cu);
  struct partner p2 = provider_of(f, "Northwind Distribution", &w.t);
  struct cspd_subscription e3 = buy(f, &w, O365_E3, 5, "monthly", NULL);
  const struct cspd_subscription *subs[] = {&e3};

  /* not moved to any provider */
  assert_refused(f, ask(f, &w, subs, 1, NULL), CSPD_E_TRF_CUSTOMER_NOT_MOVED, "R-TRF-2", 400);
  json_t *elig;
  assert_ok(f, eligibility_as(f, &w.t, &w.cu, &elig));
  assert_eligibility(elig, e3.id, false, "R-TRF-2");
  json_decref(elig);

  /* moved to p2, not to the target p */
  extend(f, &w.t, &w.cu, &p2);
  assert_refused(f, ask(f, &w, subs, 1, NULL), CSPD_E_TRF_CUSTOMER_NOT_MOVED, "R-TRF-2", 400);

  /* moved to the target: allowed */
  extend(f, &w.t, &w.cu, &w.p);
  assert_ok(f, eligibility_as(f, &w.t, &w.cu, &elig));
  assert_eligibility(elig, e3.id, true, NULL);
  json_decref(elig);
  request(f, &w, subs, 1);
}

static void test_R_TRF_3_reseller_attestation_does_not_carry_over(void **state) {
  struct fx *f = *state;
  struct world w = world_bare(f);
  attest_mca(f, &w.t, &w.cu); /* the source's own attestation: it may order */
  extend(f, &w.t, &w.cu, &w.p);
  struct cspd_subscription e3 = buy(f, &w, O365_E3, 5, "monthly", NULL);
  const struct cspd_subscription *subs[] = {&e3};

  assert_refused(f, ask(f, &w, subs, 1, NULL), CSPD_E_TRF_MCA, "R-TRF-3", 400);
  json_t *elig;
  assert_ok(f, eligibility_as(f, &w.t, &w.cu, &elig));
  assert_eligibility(elig, e3.id, false, "R-TRF-3");
  json_decref(elig);

  /* the provider attests in its own name: allowed */
  attest_mca(f, &w.p, &w.cu);
  assert_ok(f, eligibility_as(f, &w.t, &w.cu, &elig));
  assert_eligibility(elig, e3.id, true, NULL);
  json_decref(elig);
  request(f, &w, subs, 1);
}

static void test_R_TRF_3_customer_own_acceptance_carries_over(void **state) {
  struct fx *f = *state;
  struct world w = world_bare(f);
  extend(f, &w.t, &w.cu, &w.p);
  attest_mca(f, &w.t, &w.cu);
  struct cspd_subscription e3 = buy(f, &w, O365_E3, 5, "monthly", NULL);
  const struct cspd_subscription *subs[] = {&e3};
  assert_refused(f, ask(f, &w, subs, 1, NULL), CSPD_E_TRF_MCA, "R-TRF-3", 400);

  /* the customer accepts it itself (admin center): counts for the provider too */
  customer_accepts_mca(f, &w.cu);
  request(f, &w, subs, 1);
}

static void test_R_TRF_4_created_by_source_agents(void **state) {
  struct fx *f = *state;
  struct world w = world(f);
  struct cspd_subscription e3 = buy(f, &w, O365_E3, 5, "monthly", NULL);
  struct cspd_subscription e1 = buy(f, &w, O365_E1, 2, "monthly", NULL);
  const struct cspd_subscription *s3[] = {&e3}, *s1[] = {&e1};
  const char *t = w.t.tenant_id, *p = w.p.tenant_id;

  /* other roles of the source */
  const unsigned refused[] = {GA, HD, BA, HD | BA};
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++)
    assert_refused(f, create_req(f, &w.t, refused[i], t, p, &w.cu, s3, 1, NULL),
                   CSPD_E_TRF_SOURCE_ROLE, "R-TRF-4", 403);
  /* the source must be the caller: not another tenant, not the provider itself */
  assert_refused(f, create_req(f, &w.t, AA, p, p, &w.cu, s3, 1, NULL), CSPD_E_TRF_INVALID, NULL,
                 800002);
  assert_refused(f, create_req(f, &w.p, AA, t, p, &w.cu, s3, 1, NULL), CSPD_E_TRF_INVALID, NULL,
                 800002);
  /* subscriptions of one customer */
  struct cspd_customer other = customer_of(f, &w.t, "Coho Winery");
  customer_accepts_mca(f, &other);
  struct world ow = {w.t, w.p, other};
  struct cspd_subscription oe3 = buy(f, &ow, O365_E3, 1, "monthly", NULL);
  const struct cspd_subscription *mixed[] = {&e3, &oe3};
  assert_refused(f, create_req(f, &w.t, AA, t, p, &w.cu, mixed, 2, NULL), CSPD_E_SUB_NOT_FOUND,
                 NULL, 600008);
  assert_null(lock_of(f, &e3)); /* the refused request took nothing */

  /* an admin agent and a sales agent of the source */
  struct cspd_transfer r1, r2;
  assert_ok(f, create_req(f, &w.t, AA, t, p, &w.cu, s3, 1, &r1));
  assert_ok(f, create_req(f, &w.t, SA, t, p, &w.cu, s1, 1, &r2));
  assert_string_equal(r1.source_tenant_id, t);
  assert_string_equal(r1.target_tenant_id, p);
  assert_string_equal(r2.status, "Active");
}

static void test_R_TRF_5_target_agents_accept_or_reject_source_withdraws(void **state) {
  struct fx *f = *state;
  struct world w = world(f);
  struct cspd_subscription e3 = buy(f, &w, O365_E3, 5, "monthly", NULL);
  const struct cspd_subscription *subs[] = {&e3};
  struct cspd_transfer t = request(f, &w, subs, 1), out;

  /* the source does not accept or reject its own request */
  assert_refused(f, accept_as(f, &w.t, AA, &w.cu, t.id, NULL, NULL), CSPD_E_TRF_TARGET_ROLE,
                 "R-TRF-5", 403);
  assert_refused(f, reject_as(f, &w.t, AA, &w.cu, t.id, NULL), CSPD_E_TRF_TARGET_ROLE, "R-TRF-5",
                 403);
  /* other roles of the target */
  const unsigned refused[] = {GA, HD, BA};
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    assert_refused(f, accept_as(f, &w.p, refused[i], &w.cu, t.id, NULL, NULL),
                   CSPD_E_TRF_TARGET_ROLE, "R-TRF-5", 403);
    assert_refused(f, reject_as(f, &w.p, refused[i], &w.cu, t.id, NULL), CSPD_E_TRF_TARGET_ROLE,
                   "R-TRF-5", 403);
  }
  /* the target does not withdraw; nor does a helpdesk agent of the source */
  assert_refused(f, withdraw_as(f, &w.p, AA, &w.cu, t.id), CSPD_E_TRF_SOURCE_ROLE, "R-TRF-4", 403);
  assert_refused(f, withdraw_as(f, &w.t, HD, &w.cu, t.id), CSPD_E_TRF_SOURCE_ROLE, "R-TRF-4", 403);
  assert_ok(f, read_as(f, &w.p, &w.cu, t.id, &out));
  assert_string_equal(out.status, "Active");

  /* the target's sales agent rejects */
  assert_ok(f, reject_as(f, &w.p, SA, &w.cu, t.id, &out));
  assert_string_equal(out.status, "Reject");
  /* the source's sales agent withdraws a new request */
  t = request(f, &w, subs, 1);
  assert_ok(f, withdraw_as(f, &w.t, SA, &w.cu, t.id));
  assert_ok(f, read_as(f, &w.t, &w.cu, t.id, &out));
  assert_string_equal(out.status, "Withdrawn");
  /* the target's admin agent accepts a third */
  t = request(f, &w, subs, 1);
  assert_ok(f, accept_as(f, &w.p, AA, &w.cu, t.id, &out, NULL));
  assert_string_equal(out.status, "Complete");
}

static void test_R_TRF_6_accept_completes_with_orders(void **state) {
  struct fx *f = *state;
  struct world w = world(f);
  struct cspd_subscription e3 = buy(f, &w, O365_E3, 5, "monthly", NULL);
  struct cspd_subscription sec = buy(f, &w, E5_SECURITY, 5, "monthly", &e3);
  struct cspd_subscription e1 = buy(f, &w, O365_E1, 3, "annual", NULL);
  struct cspd_subscription az = buy(f, &w, AZURE_PAYG, 1, NULL, NULL);
  const struct cspd_subscription *subs[] = {&e3, &e1, &az};
  struct cspd_transfer t = request(f, &w, subs, 3), out;

  json_t *result;
  assert_ok(f, accept_as(f, &w.p, AA, &w.cu, t.id, &out, &result));
  assert_string_equal(out.status, "Complete");
  assert_string_equal(jstr(json_object_get(result, "attributes"), "objectType"),
                      "TransferSubmitResult");
  assert_int_equal(json_array_size(json_object_get(result, "transferErrors")), 0);
  /* one completed order per transfer group (billing cycle): monthly, annual, none */
  json_t *orders = json_object_get(result, "orders");
  assert_int_equal(json_array_size(orders), 3);

  /* both sides read Complete, every line Complete with its order */
  struct cspd_transfer as_src, as_tgt;
  assert_ok(f, read_as(f, &w.t, &w.cu, t.id, &as_src));
  assert_ok(f, read_as(f, &w.p, &w.cu, t.id, &as_tgt));
  assert_string_equal(as_src.status, "Complete");
  assert_string_equal(as_tgt.status, "Complete");
  json_t *lines = lines_of(&as_tgt);
  const struct cspd_subscription *all[] = {&e3, &sec, &e1, &az};
  for (size_t i = 0; i < 4; i++) {
    const json_t *it = item_of(lines, all[i]->id);
    assert_string_equal(jstr(it, "status"), "Complete");
    assert_null(json_object_get(it, "transferError"));
    const char *oid = jstr(it, "orderId");
    assert_non_null(oid);
    bool in_result = false;
    size_t k;
    const json_t *o;
    json_array_foreach(orders, k, o) {
      in_result |= strcmp(jstr(o, "id"), oid) == 0;
    }
    assert_true(in_result);
    /* the order exists: completed, placed by the provider, from a transfer */
    struct order_get_args oa = {w.cu.tenant_id, oid, {{0}}};
    sys_run(f, order_get_fn, &oa, "order_get");
    assert_string_equal(oa.out.partner_tenant_id, w.p.tenant_id);
    assert_string_equal(oa.out.status, "completed");
    assert_string_equal(oa.out.source, "transfer");
  }
  json_decref(lines);
  json_decref(result);
}

static void test_R_TRF_6_new_subscriptions_held_by_provider_for_source(void **state) {
  struct fx *f = *state;
  struct world w = world(f);
  struct cspd_subscription e3 = buy(f, &w, O365_E3, 5, "monthly", NULL);
  struct cspd_subscription az = buy(f, &w, AZURE_PAYG, 1, NULL, NULL);
  const struct cspd_subscription *subs[] = {&e3, &az};
  assert_int_equal(held_by(f, &w.cu, &w.p), 0);
  struct cspd_transfer t = transferred(f, &w, subs, 2);

  assert_int_equal(held_by(f, &w.cu, &w.p), 2);
  for (size_t i = 0; i < 2; i++) {
    struct cspd_subscription n = moved_to(f, &t, subs[i]->id);
    assert_string_equal(n.holder_tenant_id, w.p.tenant_id); /* billed by the provider */
    assert_non_null(n.reseller_tenant_id);
    assert_string_equal(n.reseller_tenant_id, w.t.tenant_id);
    assert_non_null(n.partner_id_on_record);
    assert_string_equal(n.partner_id_on_record, w.t.mpn_id);
    assert_string_equal(n.customer_tenant_id, w.cu.tenant_id);
    assert_string_equal(n.offer_id, subs[i]->offer_id);
    assert_string_equal(n.status, "active");
    assert_true(n.listed);
    /* its order: completed, placed by the provider, from a transfer */
    struct order_get_args oa = {w.cu.tenant_id, n.order_id, {{0}}};
    sys_run(f, order_get_fn, &oa, "order_get");
    assert_string_equal(oa.out.partner_tenant_id, w.p.tenant_id);
    assert_string_equal(oa.out.status, "completed");
    assert_string_equal(oa.out.source, "transfer");
    /* both sides see it: the holder and its reseller */
    assert_ok(f, read_sub_as(f, &w.p, &w.cu, n.id));
    assert_ok(f, read_sub_as(f, &w.t, &w.cu, n.id));
  }
}

static void test_R_TRF_6_failed_line_partially_complete(void **state) {
  struct fx *f = *state;
  struct world w = world(f);
  struct cspd_subscription e1 = buy(f, &w, O365_E1, 2, "monthly", NULL);
  struct cspd_subscription e3 = buy(f, &w, O365_E3, 5, "monthly", NULL);
  const struct cspd_subscription *subs[] = {&e1, &e3};
  struct cspd_transfer t = request(f, &w, subs, 2), out;

  /* between request and acceptance E1 stops being sold in the provider's market */
  sell_only_in(f, O365_E1, "japan");
  json_t *result;
  assert_ok(f, accept_as(f, &w.p, AA, &w.cu, t.id, &out, &result));
  assert_string_equal(out.status, "PartiallyComplete");
  json_t *errors = json_object_get(result, "transferErrors");
  assert_int_equal(json_array_size(errors), 1);
  assert_string_equal(jstr(json_array_get(errors, 0), "subscriptionId"), e1.id);
  assert_int_equal(json_array_size(json_object_get(result, "orders")), 1);
  json_decref(result);

  struct cspd_transfer as_src;
  assert_ok(f, read_as(f, &w.t, &w.cu, t.id, &as_src));
  assert_string_equal(as_src.status, "PartiallyComplete");
  json_t *lines = lines_of(&as_src);
  const json_t *bad = item_of(lines, e1.id), *good = item_of(lines, e3.id);
  assert_string_equal(jstr(bad, "status"), "Failed");
  assert_non_null(jstr(bad, "transferError"));
  assert_non_null(strstr(jstr(bad, "transferError"), "market"));
  assert_null(json_object_get(bad, "newSubscriptionId"));
  assert_string_equal(jstr(good, "status"), "Complete");
  assert_null(json_object_get(good, "transferError"));
  json_decref(lines);

  /* the failed line did not move at all; the other did */
  struct cspd_subscription src1 = sub_row(f, e1.id), src3 = sub_row(f, e3.id);
  assert_string_equal(src1.status, "active");
  assert_string_equal(src1.holder_tenant_id, w.t.tenant_id);
  assert_string_equal(src3.status, "suspended");
  assert_int_equal(held_by(f, &w.cu, &w.p), 1);

  /* the failed subscription is free again (R-TRF-9: released on completion) */
  assert_null(lock_of(f, &e1));
  const struct cspd_subscription *again[] = {&e1};
  request(f, &w, again, 1);
}

static void test_R_TRF_7_sources_after_completion(void **state) {
  struct fx *f = *state;
  struct world w = world(f);
  struct cspd_subscription e3 = buy(f, &w, O365_E3, 5, "monthly", NULL);
  struct cspd_subscription sec = buy(f, &w, E5_SECURITY, 5, "monthly", &e3);
  struct cspd_subscription az = buy(f, &w, AZURE_PAYG, 1, NULL, NULL);
  const struct cspd_subscription *subs[] = {&e3, &az};
  struct cspd_transfer t = request(f, &w, subs, 2);

  /* before acceptance the sources are untouched */
  int n;
  subs_of(f, &w.cu, &w.t, &n);
  assert_int_equal(n, 3);
  assert_string_equal(sub_row(f, e3.id).status, "active");
  assert_ok(f, read_sub_as(f, &w.t, &w.cu, az.id));

  accepted(f, &w, &t);
  /* PAYG: no longer appears at the source (neither listed nor readable) */
  struct cspd_subscription saz = sub_row(f, az.id);
  assert_false(saz.listed);
  assert_refused(f, read_sub_as(f, &w.t, &w.cu, az.id), CSPD_E_SUB_NOT_FOUND, NULL, 600008);
  struct cspd_subscription *rows = subs_of(f, &w.cu, &w.t, &n);
  for (int i = 0; i < n; i++)
    assert_string_not_equal(rows[i].id, az.id);
  /* license-based: remains at the source, suspended; so does its add-on */
  struct cspd_subscription s3 = sub_row(f, e3.id), ssec = sub_row(f, sec.id);
  assert_true(s3.listed);
  assert_string_equal(s3.status, "suspended");
  assert_string_equal(s3.holder_tenant_id, w.t.tenant_id);
  assert_ok(f, read_sub_as(f, &w.t, &w.cu, e3.id));
  assert_true(ssec.listed);
  assert_string_equal(ssec.status, "suspended");
  /* and stays so: reactivating a moved subscription at the source is refused */
  struct patch_args pa = {
      w.cu.tenant_id, e3.id, {.quantity = -1, .status = "active", .auto_renew = -1}};
  as_partner(f, &w.t, AA);
  assert_refused(f, run(f, patch_fn, &pa), CSPD_E_TRF_MOVED, "R-TRF-7", 400);
  assert_string_equal(sub_row(f, e3.id).status, "suspended");
}

static void test_R_TRF_8_new_ids_azure_keeps_entitlement(void **state) {
  struct fx *f = *state;
  struct world w = world(f);
  struct cspd_subscription e3 = buy(f, &w, O365_E3, 5, "monthly", NULL);
  struct cspd_subscription az = buy(f, &w, AZURE_PAYG, 1, NULL, NULL);
  const struct cspd_subscription *subs[] = {&e3, &az};
  struct cspd_transfer t = transferred(f, &w, subs, 2);

  struct cspd_subscription n3 = moved_to(f, &t, e3.id), naz = moved_to(f, &t, az.id);
  assert_string_not_equal(n3.id, e3.id);
  assert_string_not_equal(naz.id, az.id);
  /* the Azure subscription id (entitlementId) stays */
  assert_non_null(naz.entitlement_id);
  assert_string_equal(naz.entitlement_id, az.entitlement_id);
  /* a license subscription gets a new one */
  assert_non_null(n3.entitlement_id);
  assert_string_not_equal(n3.entitlement_id, e3.entitlement_id);
}

static void test_R_TRF_9_one_active_request_per_subscription(void **state) {
  struct fx *f = *state;
  struct world w = world(f);
  struct cspd_subscription e3 = buy(f, &w, O365_E3, 5, "monthly", NULL);
  struct cspd_subscription sec = buy(f, &w, E5_SECURITY, 5, "monthly", &e3);
  struct cspd_subscription e1 = buy(f, &w, O365_E1, 2, "monthly", NULL);
  const struct cspd_subscription *s3[] = {&e3}, *s13[] = {&e1, &e3};
  struct cspd_transfer a = request(f, &w, s3, 1), out;
  assert_string_equal(lock_of(f, &e3), a.id);
  assert_string_equal(lock_of(f, &sec), a.id); /* its add-on too */

  /* another request including it: refused, and rolled back entirely (E1 stays free) */
  assert_refused(f, ask(f, &w, s13, 2, NULL), CSPD_E_TRF_ALREADY_IN_REQUEST, "R-TRF-9", 409);
  assert_null(lock_of(f, &e1));
  json_t *elig;
  assert_ok(f, eligibility_as(f, &w.t, &w.cu, &elig));
  assert_eligibility(elig, e3.id, false, a.id);
  assert_eligibility(elig, e1.id, true, NULL);
  json_decref(elig);

  /* released by withdraw */
  assert_ok(f, withdraw_as(f, &w.t, AA, &w.cu, a.id));
  assert_null(lock_of(f, &e3));
  struct cspd_transfer b = request(f, &w, s13, 2);
  assert_refused(f, ask(f, &w, s3, 1, NULL), CSPD_E_TRF_ALREADY_IN_REQUEST, "R-TRF-9", 409);
  /* released by reject */
  assert_ok(f, reject_as(f, &w.p, AA, &w.cu, b.id, &out));
  assert_null(lock_of(f, &e3));
  assert_null(lock_of(f, &e1));
  struct cspd_transfer c = request(f, &w, s3, 1);
  /* completion: the moved subscriptions stay bound to the completed transfer (R-TRF-7),
   * so they never move twice; the others are free */
  accepted(f, &w, &c);
  assert_string_equal(lock_of(f, &e3), c.id);
  assert_string_equal(lock_of(f, &sec), c.id);
  assert_null(lock_of(f, &e1));
  const struct cspd_subscription *s1[] = {&e1};
  request(f, &w, s1, 1);
}

static void test_R_TRF_10_addons_travel_with_base(void **state) {
  struct fx *f = *state;
  struct world w = world(f);
  struct cspd_subscription e3 = buy(f, &w, O365_E3, 5, "monthly", NULL);
  struct cspd_subscription sec = buy(f, &w, E5_SECURITY, 4, "monthly", &e3);
  struct cspd_subscription arc = buy(f, &w, ARCHIVING, 3, "monthly", &e3);
  struct cspd_subscription aud = buy(f, &w, AUDIO_CONF, 2, "monthly", &e3);
  patch_sub(f, &w, &aud, -1, "deleted"); /* a cancelled add-on stays behind */

  /* an add-on alone */
  const struct cspd_subscription *alone[] = {&sec};
  assert_refused(f, ask(f, &w, alone, 1, NULL), CSPD_E_TRF_ADDON_ALONE, "R-TRF-10", 400);
  json_t *elig;
  assert_ok(f, eligibility_as(f, &w.t, &w.cu, &elig));
  assert_eligibility(elig, sec.id, false, "R-TRF-10");
  assert_eligibility(elig, e3.id, true, NULL);
  json_decref(elig);

  /* the base brings its live add-ons */
  const struct cspd_subscription *base[] = {&e3};
  struct cspd_transfer t = request(f, &w, base, 1);
  json_t *lines = lines_of(&t);
  assert_int_equal(json_array_size(lines), 1);
  json_t *adds = json_object_get(json_array_get(lines, 0), "addonItems");
  assert_int_equal(json_array_size(adds), 2);
  assert_int_equal(json_integer_value(json_object_get(item_of(lines, sec.id), "quantity")), 4);
  assert_int_equal(json_integer_value(json_object_get(item_of(lines, arc.id), "quantity")), 3);
  json_decref(lines);

  /* and they move under the new base */
  t = accepted(f, &w, &t);
  struct cspd_subscription nb = moved_to(f, &t, e3.id);
  struct cspd_subscription ns = moved_to(f, &t, sec.id), na = moved_to(f, &t, arc.id);
  assert_non_null(ns.parent_subscription_id);
  assert_non_null(na.parent_subscription_id);
  assert_string_equal(ns.parent_subscription_id, nb.id);
  assert_string_equal(na.parent_subscription_id, nb.id);
  assert_string_equal(ns.holder_tenant_id, w.p.tenant_id);
  assert_int_equal(ns.quantity, 4);
  assert_int_equal(held_by(f, &w.cu, &w.p), 3);
  assert_string_equal(sub_row(f, aud.id).status, "deleted");
}

static void test_R_TRF_11_quantity_snapshot(void **state) {
  struct fx *f = *state;
  struct world w = world(f);
  struct cspd_subscription e3 = buy(f, &w, O365_E3, 5, "monthly", NULL);
  const struct cspd_subscription *subs[] = {&e3};
  struct cspd_transfer t = request(f, &w, subs, 1), out;

  /* a later license-count change does not reach the request */
  patch_sub(f, &w, &e3, 8, NULL);
  assert_int_equal(sub_row(f, e3.id).quantity, 8);
  assert_ok(f, read_as(f, &w.p, &w.cu, t.id, &out));
  json_t *lines = lines_of(&out);
  assert_int_equal(json_integer_value(json_object_get(item_of(lines, e3.id), "quantity")), 5);
  json_decref(lines);

  /* to move the new quantity: withdraw and create again */
  assert_ok(f, withdraw_as(f, &w.t, AA, &w.cu, t.id));
  t = request(f, &w, subs, 1);
  lines = lines_of(&t);
  assert_int_equal(json_integer_value(json_object_get(item_of(lines, e3.id), "quantity")), 8);
  json_decref(lines);
  patch_sub(f, &w, &e3, 9, NULL);
  t = accepted(f, &w, &t);
  assert_int_equal(moved_to(f, &t, e3.id).quantity, 8); /* the snapshot, not 9 */
  assert_int_equal(sub_row(f, e3.id).quantity, 9);
}

static void test_R_TRF_12_only_license_based_and_azure_payg(void **state) {
  struct fx *f = *state;
  struct world w = world(f);
  static const struct {
    const char *offer, *cls;
  } ineligible[] = {{AZURE_PLAN, "azure_plan"},
                    {RESERVATION, "azure_reservation"},
                    {WINDOWS_SERVER, "term_based"},
                    {MARKETPLACE, "marketplace_saas"},
                    {SQL_SERVER, "perpetual_software"}};
  enum { N_INELIGIBLE = sizeof ineligible / sizeof ineligible[0] };
  struct cspd_subscription bad[N_INELIGIBLE];
  for (int i = 0; i < N_INELIGIBLE; i++) {
    bad[i] = buy(f, &w, ineligible[i].offer, 1, NULL, NULL);
    assert_string_equal(bad[i].transfer_class, ineligible[i].cls);
  }
  struct cspd_subscription e3 = buy(f, &w, O365_E3, 5, "monthly", NULL);
  struct cspd_subscription az = buy(f, &w, AZURE_PAYG, 1, NULL, NULL);

  json_t *elig;
  assert_ok(f, eligibility_as(f, &w.t, &w.cu, &elig));
  for (int i = 0; i < N_INELIGIBLE; i++) {
    const struct cspd_subscription *one[] = {&bad[i]};
    assert_refused(f, ask(f, &w, one, 1, NULL), CSPD_E_TRF_NOT_TRANSFERABLE, "R-TRF-12", 400);
    assert_eligibility(elig, bad[i].id, false, "R-TRF-12");
    assert_eligibility(elig, bad[i].id, false, ineligible[i].cls);
    assert_eligibility(elig, bad[i].id, false, "buy it anew through the indirect provider");
  }
  assert_eligibility(elig, e3.id, true, NULL);
  assert_eligibility(elig, az.id, true, NULL);
  json_decref(elig);
  const struct cspd_subscription *good[] = {&e3, &az};
  request(f, &w, good, 2);
}

static void test_R_TRF_13_eligibility_lists_every_held_subscription(void **state) {
  struct fx *f = *state;
  struct world w = world(f);
  struct cspd_subscription e3 = buy(f, &w, O365_E3, 5, "monthly", NULL);
  struct cspd_subscription sec = buy(f, &w, E5_SECURITY, 5, "monthly", &e3);
  struct cspd_subscription e1 = buy(f, &w, O365_E1, 2, "monthly", NULL);
  struct cspd_subscription az = buy(f, &w, AZURE_PAYG, 1, NULL, NULL);
  patch_sub(f, &w, &e1, -1, "suspended");

  json_t *elig;
  assert_ok(f, eligibility_as(f, &w.t, &w.cu, &elig));
  assert_true(json_is_array(elig));
  assert_int_equal(json_array_size(elig), 4);
  assert_eligibility(elig, e3.id, true, NULL);
  assert_eligibility(elig, az.id, true, NULL);
  assert_eligibility(elig, sec.id, false, "R-TRF-10");
  assert_eligibility(elig, e1.id, false, "suspended");
  json_decref(elig);

  /* a suspended subscription cannot be selected; an active one can */
  const struct cspd_subscription *s1[] = {&e1}, *s3[] = {&e3};
  assert_refused(f, ask(f, &w, s1, 1, NULL), CSPD_E_TRF_NOT_ACTIVE_SUB, "R-TRF-13", 400);
  request(f, &w, s3, 1);
  /* eligibility is the source's question: the provider did not transition */
  assert_refused(f, eligibility_as(f, &w.p, &w.cu, &elig), CSPD_E_TRF_NOT_TRANSITIONED, "R-TRF-1",
                 403);
}

static void test_R_TRF_13_eligibility_only_direct_bill_subscriptions(void **state) {
  struct fx *f = *state;
  struct world w = world(f);
  struct cspd_subscription e3 = buy(f, &w, O365_E3, 5, "monthly", NULL);
  struct cspd_subscription e1 = buy(f, &w, O365_E1, 2, "monthly", NULL);
  const struct cspd_subscription *s3[] = {&e3};
  struct cspd_transfer t = transferred(f, &w, s3, 1);
  struct cspd_subscription n3 = moved_to(f, &t, e3.id);

  /* "every subscription the caller is billed for directly" (docs/api-transfers.md):
   * the suspended source and E1, not the provider's new subscription */
  json_t *elig;
  assert_ok(f, eligibility_as(f, &w.t, &w.cu, &elig));
  assert_eligibility(elig, e3.id, false, "suspended");
  assert_eligibility(elig, e1.id, true, NULL);
  bool lists_new = elig_of(elig, n3.id) != NULL;
  size_t n = json_array_size(elig);
  json_decref(elig);
  if (lists_new)
    fail_msg("eligibility lists %s, billed by the provider, not by the caller", n3.id);
  assert_int_equal(n, 2);
}

static void test_R_TRF_13_list_and_get_for_both_sides_only(void **state) {
  struct fx *f = *state;
  struct world w = world(f);
  struct partner p2 = provider_of(f, "Northwind Distribution", &w.t);
  extend(f, &w.t, &w.cu, &p2); /* p2 sees the customer, but is no side of the request */
  struct partner stranger = partner_with(f, "Litware Direct", DIRECT);
  struct cspd_subscription e3 = buy(f, &w, O365_E3, 5, "monthly", NULL);
  const struct cspd_subscription *s3[] = {&e3};
  struct cspd_transfer t = request(f, &w, s3, 1), out;

  /* both sides: get and list */
  const struct partner *sides[] = {&w.t, &w.p};
  for (size_t i = 0; i < 2; i++) {
    bool found;
    assert_ok(f, read_as(f, sides[i], &w.cu, t.id, &out));
    assert_string_equal(out.id, t.id);
    assert_string_equal(out.source_tenant_id, w.t.tenant_id);
    assert_string_equal(out.target_tenant_id, w.p.tenant_id);
    assert_string_equal(out.customer_tenant_id, w.cu.tenant_id);
    assert_ok(f, list_as(f, sides[i], &w.cu, t.id, &found));
    assert_true(found);
  }
  /* a third partner holding the customer: as if the transfer did not exist */
  assert_refused(f, read_as(f, &p2, &w.cu, t.id, NULL), CSPD_E_TRF_NOT_FOUND, NULL, 900100);
  assert_refused(f, accept_as(f, &p2, AA, &w.cu, t.id, NULL, NULL), CSPD_E_TRF_NOT_FOUND, NULL,
                 900100);
  assert_refused(f, reject_as(f, &p2, AA, &w.cu, t.id, NULL), CSPD_E_TRF_NOT_FOUND, NULL, 900100);
  /* a partner without the customer does not see it at all */
  bool found;
  assert_refused(f, read_as(f, &stranger, &w.cu, t.id, NULL), CSPD_E_CUSTOMER_NOT_FOUND, NULL,
                 600008);
  assert_refused(f, list_as(f, &stranger, &w.cu, t.id, &found), CSPD_E_CUSTOMER_NOT_FOUND, NULL,
                 600008);
  assert_refused(f, withdraw_as(f, &stranger, AA, &w.cu, t.id), CSPD_E_CUSTOMER_NOT_FOUND, NULL,
                 600008);
  /* an unknown transfer id */
  char unknown[37];
  cspd_guid_new(unknown);
  assert_refused(f, read_as(f, &w.t, &w.cu, unknown, NULL), CSPD_E_TRF_NOT_FOUND, NULL, 900100);
  assert_refused(f, accept_as(f, &w.p, AA, &w.cu, unknown, NULL, NULL), CSPD_E_TRF_NOT_FOUND, NULL,
                 900100);
}

static void test_R_TRF_14_provider_notified_on_create_both_on_completion(void **state) {
  struct fx *f = *state;
  struct world w = world(f);
  struct cspd_subscription e3 = buy(f, &w, O365_E3, 5, "monthly", NULL);
  struct cspd_subscription e1 = buy(f, &w, O365_E1, 2, "monthly", NULL);
  const struct cspd_subscription *s3[] = {&e3}, *s1[] = {&e1};
  assert_int_equal(transfer_mails(f, &w.p), 0);
  assert_int_equal(transfer_mails(f, &w.t), 0);

  /* creating a request notifies the provider */
  struct cspd_transfer a = request(f, &w, s3, 1), b = request(f, &w, s1, 1);
  assert_int_equal(transfer_mails(f, &w.p), 2);
  assert_int_equal(transfer_mails(f, &w.t), 0);
  /* a refused request notifies nobody */
  assert_refused(f, ask(f, &w, s3, 1, NULL), CSPD_E_TRF_ALREADY_IN_REQUEST, "R-TRF-9", 409);
  assert_int_equal(transfer_mails(f, &w.p), 2);

  /* completion notifies both */
  accepted(f, &w, &a);
  assert_int_equal(transfer_mails(f, &w.p), 3);
  assert_int_equal(transfer_mails(f, &w.t), 1);
  /* so does a rejection */
  struct cspd_transfer out;
  assert_ok(f, reject_as(f, &w.p, AA, &w.cu, b.id, &out));
  assert_int_equal(transfer_mails(f, &w.p), 4);
  assert_int_equal(transfer_mails(f, &w.t), 2);
}

/* ==== the state checks of accept, reject and withdraw (§3.4 error codes) ===================== */

static void test_accept_twice_already_completed(void **state) {
  struct fx *f = *state;
  struct world w = world(f);
  struct cspd_subscription e3 = buy(f, &w, O365_E3, 5, "monthly", NULL);
  const struct cspd_subscription *s3[] = {&e3};
  struct cspd_transfer t = request(f, &w, s3, 1);
  accepted(f, &w, &t);

  assert_refused(f, accept_as(f, &w.p, AA, &w.cu, t.id, NULL, NULL), CSPD_E_TRF_COMPLETED, NULL,
                 900102);
  assert_refused(f, reject_as(f, &w.p, AA, &w.cu, t.id, NULL), CSPD_E_TRF_COMPLETED, NULL, 900102);
  assert_refused(f, withdraw_as(f, &w.t, AA, &w.cu, t.id), CSPD_E_TRF_COMPLETED, NULL, 900102);
  /* nothing moved twice */
  assert_int_equal(held_by(f, &w.cu, &w.p), 1);
}

static void test_accept_after_withdraw_processed(void **state) {
  struct fx *f = *state;
  struct world w = world(f);
  struct cspd_subscription e3 = buy(f, &w, O365_E3, 5, "monthly", NULL);
  const struct cspd_subscription *s3[] = {&e3};
  struct cspd_transfer t = request(f, &w, s3, 1), out;
  assert_ok(f, withdraw_as(f, &w.t, AA, &w.cu, t.id));

  assert_refused(f, accept_as(f, &w.p, AA, &w.cu, t.id, NULL, NULL), CSPD_E_TRF_PROCESSED, NULL,
                 900104);
  assert_refused(f, reject_as(f, &w.p, AA, &w.cu, t.id, NULL), CSPD_E_TRF_PROCESSED, NULL, 900104);
  assert_refused(f, withdraw_as(f, &w.t, AA, &w.cu, t.id), CSPD_E_TRF_PROCESSED, NULL, 900104);
  assert_int_equal(held_by(f, &w.cu, &w.p), 0);
  assert_string_equal(sub_row(f, e3.id).status, "active");

  /* after a rejection likewise */
  t = request(f, &w, s3, 1);
  assert_ok(f, reject_as(f, &w.p, AA, &w.cu, t.id, &out));
  assert_refused(f, accept_as(f, &w.p, AA, &w.cu, t.id, NULL, NULL), CSPD_E_TRF_PROCESSED, NULL,
                 900104);
  assert_ok(f, read_as(f, &w.t, &w.cu, t.id, &out));
  assert_string_equal(out.status, "Reject");
}

/* ==== rules transfers share with orders ====================================================== */

struct legacy_args {
  const struct partner *t, *p;
  const struct cspd_customer *cu;
  struct cspd_subscription sub;
};
static int legacy_fn(struct cspd_ctx *c, void *arg) {
  struct legacy_args *a = arg;
  const struct cspd_store_ops *ops = cspd_db_ops(c->db);
  struct cspd_crel direct = {.role = CSPD_CREL_DIRECT,
                             .acquired = "fixtures",
                             .delegated_admin = true,
                             .state = "active",
                             .created_ms = c->now_ms};
  struct cspd_crel prov = {.role = CSPD_CREL_PROVIDER,
                           .acquired = "extension",
                           .via_tenant_id = a->t->tenant_id,
                           .state = "active",
                           .created_ms = c->now_ms};
  memcpy(direct.customer_tenant_id, a->cu->tenant_id, 37);
  memcpy(direct.partner_tenant_id, a->t->tenant_id, 37);
  memcpy(prov.customer_tenant_id, a->cu->tenant_id, 37);
  memcpy(prov.partner_tenant_id, a->p->tenant_id, 37);
  int rc = ops->crel_put(c->db, &direct);
  if (rc == 0)
    rc = ops->crel_put(c->db, &prov);
  if (rc == 0)
    rc = ops->sub_insert(c->db, &a->sub);
  return cspd_store_fail(c, rc, 0, 0);
}

struct lone_args {
  struct cspd_customer_input in;
  struct cspd_customer out;
};
static int lone_fn(struct cspd_ctx *c, void *arg) {
  struct lone_args *a = arg;
  return cspd_customer_create(c, &a->in, &a->out);
}

static void test_R_MPA_1_unsigned_source_cannot_transfer(void **state) {
  struct fx *f = *state;
  struct world w = world(f);
  struct cspd_subscription model = buy(f, &w, O365_E3, 5, "monthly", NULL);
  /* a transitioned partner that never signed the MPA, with a customer and a
   * subscription from before (legacy data: it cannot order or extend now), and
   * the customer moved to a provider it partnered with */
  struct world u = {.t = partner_unsigned(f, "Proseware Legacy", DIRECT), .p = w.p};
  set_membership(f, &u.t, RESELLER, CSPD_MS_ACTIVE);
  partner_up(f, &u.p, &u.t);
  struct lone_args l = {.in = {.company_name = "Fourth Coffee",
                               .domain = "fourthcoffee.onmicrosoft.com",
                               .country = "NL"}};
  sys_run(f, lone_fn, &l, "customer tenant");
  u.cu = l.out;
  struct legacy_args g = {&u.t, &u.p, &u.cu, sub_row(f, model.id)};
  cspd_guid_new(g.sub.id);
  memcpy(g.sub.customer_tenant_id, u.cu.tenant_id, 37);
  memcpy(g.sub.holder_tenant_id, u.t.tenant_id, 37);
  sys_run(f, legacy_fn, &g, "legacy holdings");
  customer_accepts_mca(f, &u.cu);
  const struct cspd_subscription *subs[] = {&g.sub};

  /* R-MPA-1: "cannot transact: no orders, no transfers" */
  assert_refused(f, ask(f, &u, subs, 1, NULL), CSPD_E_MPA_REQUIRED, "R-MPA-1", 900124);
  sign_mpa(f, &u.t);
  request(f, &u, subs, 1);
}

static void test_R_ORD_3_transfer_partner_of_record_is_a_reseller_of_the_provider(void **state) {
  struct fx *f = *state;
  struct world w = world(f);
  struct partner stranger = transitioned(f, "Adventure Works Resellers"); /* not p's reseller */
  struct cspd_subscription e3 = buy(f, &w, O365_E3, 5, "monthly", NULL);
  const char *bad[] = {w.p.mpn_id, stranger.mpn_id};

  /* the provider's own PartnerID (2072) or a reseller not related to it
   * (800016) never ends up as partner of record: refused at creation, or the
   * line fails at acceptance */
  for (size_t i = 0; i < 2; i++) {
    struct cspd_transfer t, out;
    int rc = ask_por(f, &w, &e3, bad[i], &t);
    if (rc != 0) {
      assert_int_equal(rc, -1);
      assert_true(f->c.err.id == CSPD_E_POR_OWN || f->c.err.id == CSPD_E_POR_NOT_RESELLER);
      assert_string_equal(cspd_error_info(f->c.err.id)->rule, "R-ORD-3");
      continue;
    }
    assert_ok(f, accept_as(f, &w.p, AA, &w.cu, t.id, &out, NULL));
    json_t *lines = lines_of(&out);
    const json_t *it = item_of(lines, e3.id);
    bool failed = strcmp(jstr(it, "status"), "Failed") == 0;
    const char *nid = cspd_arena_strdup(f->a, failed ? "" : jstr(it, "newSubscriptionId"));
    json_decref(lines);
    if (!failed)
      fail_msg("partnerIdOnRecord %s (%s) accepted: the new subscription %s names it", bad[i],
               i == 0 ? "the provider's own" : "not the provider's reseller", nid);
  }
  /* the default: the transitioning partner */
  struct cspd_transfer t;
  assert_ok(f, ask_por(f, &w, &e3, NULL, &t));
  t = accepted(f, &w, &t);
  assert_string_equal(moved_to(f, &t, e3.id).partner_id_on_record, w.t.mpn_id);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_R_TRF_1_only_transitioned_partners_create),
      T(test_R_TRF_2_customer_must_be_moved_to_the_provider),
      T(test_R_TRF_3_reseller_attestation_does_not_carry_over),
      T(test_R_TRF_3_customer_own_acceptance_carries_over),
      T(test_R_TRF_4_created_by_source_agents),
      T(test_R_TRF_5_target_agents_accept_or_reject_source_withdraws),
      T(test_R_TRF_6_accept_completes_with_orders),
      T(test_R_TRF_6_new_subscriptions_held_by_provider_for_source),
      T(test_R_TRF_6_failed_line_partially_complete),
      T(test_R_TRF_7_sources_after_completion),
      T(test_R_TRF_8_new_ids_azure_keeps_entitlement),
      T(test_R_TRF_9_one_active_request_per_subscription),
      T(test_R_TRF_10_addons_travel_with_base),
      T(test_R_TRF_11_quantity_snapshot),
      T(test_R_TRF_12_only_license_based_and_azure_payg),
      T(test_R_TRF_13_eligibility_lists_every_held_subscription),
      T(test_R_TRF_13_eligibility_only_direct_bill_subscriptions),
      T(test_R_TRF_13_list_and_get_for_both_sides_only),
      T(test_R_TRF_14_provider_notified_on_create_both_on_completion),
      T(test_accept_twice_already_completed),
      T(test_accept_after_withdraw_processed),
      T(test_R_MPA_1_unsigned_source_cannot_transfer),
      T(test_R_ORD_3_transfer_partner_of_record_is_a_reseller_of_the_provider),
  };
  return cmocka_run_group_tests_name("transfers", tests, group_setup, NULL);
}
