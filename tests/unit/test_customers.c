/* test_customers.c -- customers and who holds them (core/customers.c, SPEC
 * §2.5-2.8) against a memory store: creation by direct-bill partners and by
 * providers for their resellers, indirect and direct invitations with signed
 * links, relationship extension, the customer agreement and self-dealing,
 * plus the R-REG-1, R-DB-2/3 and R-MPA-1/3 checks customers make.
 *
 * Every rule id of §2.5-2.8 has at least one test named after it
 * (test_R_XXX_N_...). A refusal is asserted with its ctx error id and the rule
 * id the registry gives that error; each test also asserts the allowed
 * counterpart, so it fails both when the check is removed and when it refuses
 * everything. Rules that grant rather than refuse (R-CUS-1, R-CUS-3,
 * R-CUS-7..9, R-EXT-5) assert the relationships and capabilities made.
 *
 * Principals are built by hand (no tokens, no sign-in); c.who == NULL is the
 * trusted system, which the setup helpers use. Every core call runs in its own
 * write transaction, so a refusal rolls back only that call. The customer
 * admin's password hash is computed once per process (argon2id is slow). */
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

#include "core/crypto.h"
#include "core/customers.h"
#include "core/identity.h"
#include "core/markets.h"
#include "core/program.h"
#include "core/util.h"
#include "store/store.h"

#define NOW_MS 1795082400000LL /* Thursday 2026-11-19T10:00:00Z */
#define USER_ID "a0000000-0000-4000-8000-0000000000ff"
#define BASE_URL "http://127.0.0.1:7700"
#define ACCEPT_PATH "/#/customer/invitations/accept?code="
#define GA CSPD_ROLE_GLOBAL_ADMIN
#define AA CSPD_ROLE_ADMIN_AGENT
#define CADMIN CSPD_ROLE_CUSTOMER_ADMIN
#define DIRECT CSPD_PROG_DIRECT_BILL
#define PROVIDER CSPD_PROG_INDIRECT_PROVIDER
#define RESELLER CSPD_PROG_INDIRECT_RESELLER
#define MCA "MicrosoftCustomerAgreement"
#define CLOUD "MicrosoftCloudAgreement"

static const unsigned char sign_key[32] = "cspd-unit-test-signing-key-0123";
static const unsigned char other_key[32] = "another-signing-key-for-forgery";
static char admin_hash[128]; /* argon2id of the customer admins' password, computed once */

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

/* ---- setup and teardown ------------------------------------------------------------------ */

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
  if (cspd_crypto_init() != 0 || cspd_markets_init() != 0)
    return -1;
  return cspd_secret_hash("customer-admin-password", admin_hash);
}

/** Run @a fn as the system; a refusal fails the test. The caller's principal is kept. */
static void sys_run(struct fx *f, op_fn fn, void *arg, const char *what) {
  struct saved_who s = save_who(f);
  as_system(f);
  int rc = run(f, fn, arg);
  restore_who(f, &s);
  if (rc != 0)
    fail_msg("setup %s: %s %s (rc %d)", what, err_name(f), err_detail(f), rc);
}

/* ---- partners ------------------------------------------------------------------------------ */

/** A partner location (tenant) with its organization's ids. */
struct partner {
  char org_id[37], tenant_id[37], mpn_id[16], global_mpn_id[16];
  const char *name;
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

/** A location of organization @a org in @a country. */
static struct partner location_of(struct fx *f, const struct cspd_org *org, const char *country) {
  struct loc_args l = {
      .in = {.org_id = org->id,
             .country = country,
             .contact = {.first_name = "Ada",
                         .last_name = "Admin",
                         .email = cspd_arena_printf(f->a, "admin@%s%s.test", slug(f, org->name),
                                                    slug(f, country))}}};
  sys_run(f, loc_fn, &l, "location");
  struct partner p = {.name = org->name};
  memcpy(p.org_id, org->id, sizeof p.org_id);
  memcpy(p.tenant_id, l.out.tenant_id, sizeof p.tenant_id);
  memcpy(p.mpn_id, l.out.mpn_id, sizeof p.mpn_id);
  memcpy(p.global_mpn_id, org->mpn_id, sizeof p.global_mpn_id);
  return p;
}

/** A partner organization with one location in @a country; no memberships, no MPA. */
static struct partner partner_in(struct fx *f, const char *name, const char *country) {
  struct org_args o = {.in = {.name = name}};
  sys_run(f, org_fn, &o, "organization");
  return location_of(f, &o.out, country);
}

/** Another location (an affiliate) of @a p's organization. */
static struct partner affiliate_of(struct fx *f, const struct partner *p, const char *country) {
  struct cspd_org o = {.name = p->name};
  memcpy(o.id, p->org_id, sizeof o.id);
  memcpy(o.mpn_id, p->global_mpn_id, sizeof o.mpn_id);
  return location_of(f, &o, country);
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

/** "a direct-bill partner in NL with MPA" */
static struct partner direct_bill(struct fx *f, const char *name) {
  struct partner p = partner_in(f, name, "NL");
  set_membership(f, &p, DIRECT, CSPD_MS_ACTIVE);
  mpa_signed(f, &p);
  return p;
}

/** "a provider": an active indirect provider in NL that signed the MPA. */
static struct partner provider(struct fx *f, const char *name) {
  struct partner p = partner_in(f, name, "NL");
  set_membership(f, &p, PROVIDER, CSPD_MS_ACTIVE);
  mpa_signed(f, &p);
  return p;
}

/** "an enabled reseller": indirect reseller in NL, agreement accepted, MPA signed. */
static struct partner reseller(struct fx *f, const char *name) {
  struct partner p = partner_in(f, name, "NL");
  set_membership(f, &p, RESELLER, CSPD_MS_ACTIVE);
  mpa_signed(f, &p);
  return p;
}

/** "a transitioned partner": direct-bill and enabled indirect reseller, MPA signed. */
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

/** "an enabled reseller partnered with it": @a res accepted @a prov's invitation. */
static void partner_up(struct fx *f, const struct partner *prov, const struct partner *res) {
  struct prt_args a = {prov->tenant_id, res->tenant_id, NULL};
  sys_run(f, prt_insert_fn, &a, "partnership");
}

/** The operator ended the partnership of @a prov and @a res. */
static void end_partnership(struct fx *f, const struct partner *prov, const struct partner *res) {
  struct prt_args a = {prov->tenant_id, res->tenant_id, "ended"};
  sys_run(f, prt_state_fn, &a, "end partnership");
}

static void as_partner(struct fx *f, const struct partner *p, unsigned roles) {
  as_principal(f, CSPD_TENANT_PARTNER, p->tenant_id, roles);
}

static void as_customer(struct fx *f, const struct cspd_customer *cu, unsigned roles) {
  as_principal(f, CSPD_TENANT_CUSTOMER, cu->tenant_id, roles);
}

/* ---- customers ------------------------------------------------------------------------------ */

/** POST /v1/customers input for company @a name in @a country (domain from the name). */
static struct cspd_customer_create customer_input(struct fx *f, const char *name,
                                                  const char *country) {
  const char *domain = cspd_arena_printf(f->a, "%s.onmicrosoft.com", slug(f, name));
  return (struct cspd_customer_create){
      .domain = domain,
      .company_name = name,
      .country = country,
      .billing_json = cspd_arena_printf(f->a,
                                        "{\"companyName\":\"%s\",\"email\":\"billing@%s\","
                                        "\"defaultAddress\":{\"country\":\"%s\"}}",
                                        name, domain, country),
      .admin_user_name = cspd_arena_printf(f->a, "admin@%s", domain),
      .admin_password_hash = admin_hash,
  };
}

struct create_args {
  struct cspd_customer_create in;
  struct cspd_customer out;
};
static int create_fn(struct cspd_ctx *c, void *arg) {
  struct create_args *a = arg;
  return cspd_customer_create_by_partner(c, &a->in, &a->out);
}

/** @a by (an admin agent) creates a customer from @a in; the principal is kept.
 * @param[out] out may be NULL. */
static int create_as(struct fx *f, const struct partner *by, struct cspd_customer_create in,
                     struct cspd_customer *out) {
  struct saved_who s = save_who(f);
  as_partner(f, by, AA);
  struct create_args a = {.in = in};
  int rc = run(f, create_fn, &a);
  restore_who(f, &s);
  if (out != NULL)
    *out = a.out;
  return rc;
}

/** "a customer of X": @a by's direct customer in NL. */
static struct cspd_customer customer_of(struct fx *f, const struct partner *by, const char *name) {
  struct cspd_customer cu;
  assert_ok(f, create_as(f, by, customer_input(f, name, "NL"), &cu));
  return cu;
}

/** A customer @a prov creates for its reseller @a res (associatedPartnerId). */
static struct cspd_customer customer_for(struct fx *f, const struct partner *prov,
                                         const struct partner *res, const char *name) {
  struct cspd_customer_create in = customer_input(f, name, "NL");
  in.associated_partner = res->tenant_id;
  struct cspd_customer cu;
  assert_ok(f, create_as(f, prov, in, &cu));
  return cu;
}

/** An own-use tenant of @a owner's organization, created by @a by as its direct customer. */
static struct cspd_customer own_use_customer(struct fx *f, const struct partner *by,
                                             const struct partner *owner, const char *name) {
  struct cspd_customer_create in = customer_input(f, name, "NL");
  in.own_use_partner = owner->org_id;
  struct cspd_customer cu;
  assert_ok(f, create_as(f, by, in, &cu));
  return cu;
}

struct lone_args {
  struct cspd_customer_input in;
  struct cspd_customer out;
};
static int lone_fn(struct cspd_ctx *c, void *arg) {
  struct lone_args *a = arg;
  return cspd_customer_create(c, &a->in, &a->out);
}

/** A customer tenant no partner holds yet (created by the operator). */
static struct cspd_customer lone_customer(struct fx *f, const char *name, const char *country) {
  struct lone_args a = {
      .in = {.company_name = name,
             .domain = cspd_arena_printf(f->a, "%s.onmicrosoft.com", slug(f, name)),
             .country = country}};
  sys_run(f, lone_fn, &a, "customer tenant");
  return a.out;
}

struct read_args {
  const char *id;
  struct cspd_customer out;
  struct cspd_holding h;
};
static int read_fn(struct cspd_ctx *c, void *arg) {
  struct read_args *a = arg;
  return cspd_customer_read(c, a->id, &a->out, &a->h);
}

/** cspd_customer_read as @a by (an admin agent). @param[out] out may be NULL. */
static int read_as(struct fx *f, const struct partner *by, const struct cspd_customer *cu,
                   struct cspd_customer *out) {
  struct saved_who s = save_who(f);
  as_partner(f, by, AA);
  struct read_args a = {.id = cu->tenant_id};
  int rc = run(f, read_fn, &a);
  restore_who(f, &s);
  if (out != NULL)
    *out = a.out;
  return rc;
}

struct billing_args {
  const char *id, *billing;
};
static int billing_fn(struct cspd_ctx *c, void *arg) {
  struct billing_args *a = arg;
  struct cspd_customer cu;
  int rc = cspd_customer_read(c, a->id, &cu, NULL);
  return rc != 0 ? rc : cspd_customer_billing_update(c, &cu, a->billing);
}

static int billing_update_as(struct fx *f, const struct partner *by, const struct cspd_customer *cu,
                             const char *billing) {
  struct saved_who s = save_who(f);
  as_partner(f, by, AA);
  struct billing_args a = {cu->tenant_id, billing};
  int rc = run(f, billing_fn, &a);
  restore_who(f, &s);
  return rc;
}

static int remove_fn(struct cspd_ctx *c, void *arg) {
  return cspd_customer_remove_relationship(c, arg);
}

/* ---- holdings, relationships, listings ------------------------------------------------------ */

struct holding_args {
  const char *customer, *partner;
  struct cspd_holding out;
};
static int holding_fn(struct cspd_ctx *c, void *arg) {
  struct holding_args *a = arg;
  return cspd_customer_holding(c, a->customer, a->partner, &a->out);
}

/** How @a p holds @a cu (its active relationships). */
static struct cspd_holding holding(struct fx *f, const struct cspd_customer *cu,
                                   const struct partner *p) {
  struct holding_args a = {cu->tenant_id, p->tenant_id};
  sys_run(f, holding_fn, &a, "holding");
  return a.out;
}

static bool holds_nothing(const struct cspd_holding *h) {
  return !h->direct && !h->reseller && !h->provider && !h->delegated_admin;
}

/** The capabilities object of @a p for @a cu (new reference). */
static json_t *capabilities(struct fx *f, const struct cspd_customer *cu, const struct partner *p,
                            bool restricted) {
  struct cspd_holding h = holding(f, cu, p);
  json_t *j = cspd_capabilities_json(&h, restricted);
  assert_non_null(j);
  return j;
}

/** Boolean member @a key of @a caps (the test fails when it is not a boolean). */
static bool cap(const json_t *caps, const char *key) {
  const json_t *v = json_object_get(caps, key);
  if (!json_is_boolean(v))
    fail_msg("capabilities.%s is not a boolean", key);
  return json_is_true(v);
}

static const char *cap_str(const json_t *caps, const char *key) {
  return json_string_value(json_object_get(caps, key));
}

struct crel_args {
  const char *customer;
  struct cspd_crel *rels;
  int n;
};
static int crel_fn(struct cspd_ctx *c, void *arg) {
  struct crel_args *a = arg;
  return cspd_store_fail(
      c, cspd_db_ops(c->db)->crel_list(c->db, a->customer, c->arena, &a->rels, &a->n), 0, 0);
}

/** Every relationship of @a cu (active and removed). @param[out] n. */
static struct cspd_crel *crel_list(struct fx *f, const struct cspd_customer *cu, int *n) {
  struct crel_args a = {cu->tenant_id, NULL, 0};
  sys_run(f, crel_fn, &a, "crel_list");
  *n = a.n;
  return a.rels;
}

/** The relationship of @a p with role @a role in @a rels, or NULL. */
static const struct cspd_crel *crel_of(const struct cspd_crel *rels, int n, const struct partner *p,
                                       enum cspd_crel_role role) {
  for (int i = 0; i < n; i++)
    if (strcmp(rels[i].partner_tenant_id, p->tenant_id) == 0 && rels[i].role == role)
      return &rels[i];
  return NULL;
}

struct list_args {
  struct cspd_customer_filter filter;
  struct cspd_customer *rows;
  int n;
};
static int list_fn(struct cspd_ctx *c, void *arg) {
  struct list_args *a = arg;
  return cspd_store_fail(
      c, cspd_db_ops(c->db)->customer_list(c->db, &a->filter, "", 100, c->arena, &a->rows, &a->n),
      0, 0);
}

/** Whether @a cu shows in the customer list filtered by @a filter. */
static bool listed(struct fx *f, struct cspd_customer_filter filter,
                   const struct cspd_customer *cu) {
  struct list_args a = {.filter = filter};
  sys_run(f, list_fn, &a, "customer_list");
  for (int i = 0; i < a.n; i++)
    if (strcmp(a.rows[i].tenant_id, cu->tenant_id) == 0)
      return true;
  return false;
}

/* ---- rule checks -------------------------------------------------------------------------- */

typedef int (*rule_fn)(struct cspd_ctx *c, const char *customer_id, const char *partner);

struct rule_args {
  rule_fn fn;
  const char *customer, *partner;
  enum cspd_crel_role role;
};
static int rule_cb(struct cspd_ctx *c, void *arg) {
  struct rule_args *a = arg;
  return a->fn(c, a->customer, a->partner);
}
static int self_dealing_cb(struct cspd_ctx *c, void *arg) {
  struct rule_args *a = arg;
  return cspd_rule_self_dealing(c, a->customer, a->partner, a->role);
}

/** A rule check used by orders and transfers, for @a p and customer tenant @a customer. */
static int rule(struct fx *f, rule_fn fn, const char *customer, const struct partner *p) {
  struct rule_args a = {.fn = fn, .customer = customer, .partner = p->tenant_id};
  return run(f, rule_cb, &a);
}

static int self_dealing(struct fx *f, const char *customer, const struct partner *p,
                        enum cspd_crel_role role) {
  struct rule_args a = {.customer = customer, .partner = p->tenant_id, .role = role};
  return run(f, self_dealing_cb, &a);
}

/* ---- invitations -------------------------------------------------------------------------- */

struct invite_args {
  const char *reseller, *provider;
  struct cspd_cinvite out;
};
static int invite_fn(struct cspd_ctx *c, void *arg) {
  struct invite_args *a = arg;
  return cspd_customer_invitation(c, a->reseller, a->provider, &a->out);
}

/** @a by (an admin agent) asks for an invitation link: indirect when @a res or
 * @a prov is given (one of them is @a by), direct otherwise. @param[out] out may be NULL. */
static int invite_as(struct fx *f, const struct partner *by, const struct partner *res,
                     const struct partner *prov, struct cspd_cinvite *out) {
  struct saved_who s = save_who(f);
  as_partner(f, by, AA);
  struct invite_args a = {res ? res->tenant_id : NULL, prov ? prov->tenant_id : NULL, {0}};
  int rc = run(f, invite_fn, &a);
  /* a direct invitation's partner_tenant_id points at the caller's principal
   * (c->who->tenant_id), which restore_who overwrites: keep a copy */
  if (a.out.partner_tenant_id != NULL)
    a.out.partner_tenant_id = cspd_arena_strdup(f->a, a.out.partner_tenant_id);
  restore_who(f, &s);
  if (out != NULL)
    *out = a.out;
  return rc;
}

/** The reseller @a res asks for an indirect invitation naming its provider @a prov. */
static int indirect_invite(struct fx *f, const struct partner *res, const struct partner *prov,
                           struct cspd_cinvite *out) {
  return invite_as(f, res, NULL, prov, out);
}

struct accept_args {
  const char *code;
  struct cspd_cinvite out;
};
static int accept_fn(struct cspd_ctx *c, void *arg) {
  struct accept_args *a = arg;
  return cspd_customer_invitation_accept(c, a->code, &a->out);
}

/** A user of @a cu with @a roles accepts @a code. */
static int accept_as(struct fx *f, const struct cspd_customer *cu, unsigned roles,
                     const char *code) {
  struct saved_who s = save_who(f);
  as_customer(f, cu, roles);
  struct accept_args a = {code, {0}};
  int rc = run(f, accept_fn, &a);
  restore_who(f, &s);
  return rc;
}

/** "@a cu accepted @a res's indirect invitation with provider @a prov". */
static void invited(struct fx *f, const struct partner *res, const struct partner *prov,
                    const struct cspd_customer *cu) {
  struct cspd_cinvite inv;
  assert_ok(f, indirect_invite(f, res, prov, &inv));
  assert_ok(f, accept_as(f, cu, CADMIN, inv.code));
}

/* ---- relationship extension ------------------------------------------------------------------ */

struct extend_args {
  const char *customer, *provider;
  bool consent;
};
static int extend_fn(struct cspd_ctx *c, void *arg) {
  struct extend_args *a = arg;
  return cspd_relationship_extend(c, a->customer, a->provider, a->consent);
}

/** A user of @a by with @a roles extends @a cu to the provider @a provider_ref
 * (tenant id or PartnerID). */
static int extend_as(struct fx *f, const struct partner *by, unsigned roles,
                     const struct cspd_customer *cu, const char *provider_ref, bool consent) {
  struct saved_who s = save_who(f);
  as_partner(f, by, roles);
  struct extend_args a = {cu->tenant_id, provider_ref, consent};
  int rc = run(f, extend_fn, &a);
  restore_who(f, &s);
  return rc;
}

/** An admin agent of @a by extends @a cu to @a prov, attesting consent. */
static int extend(struct fx *f, const struct partner *by, const struct cspd_customer *cu,
                  const struct partner *prov) {
  return extend_as(f, by, AA, cu, prov->tenant_id, true);
}

/** "a transitioned partner with a direct-bill customer and a provider whose
 * partnership it accepted" -- the starting point of a relationship extension. */
struct ext_world {
  struct partner t, p;
  struct cspd_customer cu;
};
static struct ext_world ext_world(struct fx *f) {
  struct ext_world w;
  w.t = transitioned(f, "Tailspin Toys");
  w.p = provider(f, "Fabrikam Distribution");
  partner_up(f, &w.p, &w.t);
  w.cu = customer_of(f, &w.t, "Wingtip Toys");
  return w;
}

/* ---- customer agreement --------------------------------------------------------------------- */

static const char *template_of(const char *type) {
  int n;
  const struct cspd_agreement_meta *m = cspd_agreement_metadata(&n);
  for (int i = 0; i < n; i++)
    if (strcmp(m[i].type, type) == 0)
      return m[i].template_id;
  fail_msg("no agreement template for %s", type);
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

/** The current principal records agreement @a type dated @a date for @a cu:
 * a partner attests, a customer admin accepts. */
static int agree(struct fx *f, const struct cspd_customer *cu, const char *type, int64_t date) {
  struct agree_args a = {.customer = cu->tenant_id,
                         .in = {.type = type,
                                .template_id = template_of(type),
                                .date_agreed_ms = date,
                                .contact = {.first_name = "Cara",
                                            .last_name = "Customer",
                                            .email = "cara@customer.test"}}};
  return run(f, agree_fn, &a);
}

struct mca_args {
  const char *customer, *partner;
  bool accepted, direct;
};
static int mca_fn(struct cspd_ctx *c, void *arg) {
  struct mca_args *a = arg;
  return cspd_mca_status(c, a->customer, a->partner, &a->accepted, &a->direct);
}

/** Whether the MCA counts for @a p; @param[out] direct the customer accepted it itself. */
static bool mca_for(struct fx *f, const struct cspd_customer *cu, const struct partner *p,
                    bool *direct) {
  struct mca_args a = {cu->tenant_id, p->tenant_id, false, false};
  sys_run(f, mca_fn, &a, "mca status");
  *direct = a.direct;
  return a.accepted;
}

/* ==== §2.5 customers and reseller relationships ============================================= */

static void test_R_CUS_1_indirect_acceptance_creates_both_relationships(void **state) {
  struct fx *f = *state;
  struct partner p = provider(f, "Fabrikam Distribution");
  struct partner r = reseller(f, "Litware Resellers");
  partner_up(f, &p, &r);
  struct cspd_customer cu = lone_customer(f, "Fourth Coffee", "NL");

  /* before: neither holds the customer, the provider cannot order (R-EXT-0) */
  struct cspd_holding hr = holding(f, &cu, &r), hp = holding(f, &cu, &p);
  assert_true(holds_nothing(&hr));
  assert_true(holds_nothing(&hp));
  assert_refused(f, rule(f, cspd_rule_provider_holds, cu.tenant_id, &p),
                 CSPD_E_PROVIDER_NO_RELATIONSHIP, "R-EXT-0");

  invited(f, &r, &p, &cu);

  hr = holding(f, &cu, &r);
  assert_true(hr.reseller);
  assert_false(hr.provider);
  assert_false(hr.direct);
  assert_non_null(hr.reseller_via);
  assert_string_equal(hr.reseller_via, p.tenant_id);
  hp = holding(f, &cu, &p);
  assert_true(hp.provider);
  assert_false(hp.reseller);
  assert_false(hp.direct);
  assert_non_null(hp.provider_via);
  assert_string_equal(hp.provider_via, r.tenant_id);
  assert_ok(f, rule(f, cspd_rule_provider_holds, cu.tenant_id, &p));
  /* both see the customer now */
  assert_ok(f, read_as(f, &r, &cu, NULL));
  assert_ok(f, read_as(f, &p, &cu, NULL));
}

static void test_R_CUS_1_provider_created_customer_held_by_both(void **state) {
  struct fx *f = *state;
  struct partner p = provider(f, "Fabrikam Distribution");
  struct partner r = reseller(f, "Litware Resellers");
  struct partner other = reseller(f, "Northwind Resellers");
  partner_up(f, &p, &r);
  partner_up(f, &p, &other);
  struct cspd_customer cu = customer_for(f, &p, &r, "Proseware");

  struct cspd_holding hr = holding(f, &cu, &r), hp = holding(f, &cu, &p);
  assert_true(hr.reseller);
  assert_string_equal(hr.reseller_via, p.tenant_id);
  assert_true(hp.provider);
  assert_string_equal(hp.provider_via, r.tenant_id);
  assert_ok(f, rule(f, cspd_rule_provider_holds, cu.tenant_id, &p));
  /* another reseller of the same provider holds nothing */
  struct cspd_holding ho = holding(f, &cu, &other);
  assert_true(holds_nothing(&ho));
  assert_refused(f, read_as(f, &other, &cu, NULL), CSPD_E_CUSTOMER_NOT_FOUND, NULL);
}

static void test_R_CUS_2_invitation_link_signed_and_accepted(void **state) {
  struct fx *f = *state;
  struct partner p = provider(f, "Fabrikam Distribution");
  struct partner r = reseller(f, "Litware Resellers");
  partner_up(f, &p, &r);
  struct cspd_customer cu = lone_customer(f, "Fourth Coffee", "NL");

  /* the reseller chooses one of its providers */
  struct cspd_cinvite inv;
  assert_ok(f, indirect_invite(f, &r, &p, &inv));
  assert_non_null(inv.code);
  assert_non_null(inv.url);
  assert_string_equal(inv.reseller_tenant_id, r.tenant_id);
  assert_string_equal(inv.partner_tenant_id, p.tenant_id);
  const char *want_url = cspd_arena_printf(f->a, "%s%s%s", BASE_URL, ACCEPT_PATH, inv.code);
  assert_string_equal(inv.url, want_url);
  /* the draft e-mail carries the link */
  assert_non_null(inv.subject);
  assert_non_null(inv.body);
  assert_non_null(strstr(inv.body, inv.url));
  /* the provider may generate it for its reseller too: the same signed link */
  struct cspd_cinvite byp;
  assert_ok(f, invite_as(f, &p, &r, NULL, &byp));
  assert_string_equal(byp.reseller_tenant_id, r.tenant_id);
  assert_string_equal(byp.partner_tenant_id, p.tenant_id);
  assert_string_equal(byp.code, inv.code);

  /* only an admin of the customer accepts */
  assert_refused(f, accept_as(f, &cu, 0, inv.code), CSPD_E_CUS_INVITE_ROLE, "R-CUS-2");
  struct saved_who s = save_who(f);
  as_partner(f, &r, GA);
  struct accept_args a = {inv.code, {0}};
  assert_refused(f, run(f, accept_fn, &a), CSPD_E_CUS_INVITE_ROLE, "R-CUS-2");
  restore_who(f, &s);
  struct cspd_holding h = holding(f, &cu, &r);
  assert_true(holds_nothing(&h));

  assert_ok(f, accept_as(f, &cu, CADMIN, inv.code));
  assert_true(holding(f, &cu, &r).reseller);
  assert_true(holding(f, &cu, &p).provider);
}

static void test_R_CUS_2_reseller_invites_only_with_a_provider(void **state) {
  struct fx *f = *state;
  struct partner p = provider(f, "Fabrikam Distribution");
  struct partner r = reseller(f, "Litware Resellers");
  struct partner d = direct_bill(f, "Contoso");
  partner_up(f, &p, &r);
  /* a direct invitation is a direct-bill partner's; a reseller names its provider */
  assert_refused(f, invite_as(f, &r, NULL, NULL, NULL), CSPD_E_CUS_INVITE_NEEDS_PROVIDER,
                 "R-CUS-2");
  struct cspd_cinvite inv;
  assert_ok(f, indirect_invite(f, &r, &p, &inv));
  assert_non_null(inv.reseller_tenant_id);
  assert_ok(f, invite_as(f, &d, NULL, NULL, &inv));
  assert_null(inv.reseller_tenant_id);
  assert_string_equal(inv.partner_tenant_id, d.tenant_id);
  struct cspd_customer cu = lone_customer(f, "Fourth Coffee", "NL");
  assert_ok(f, accept_as(f, &cu, CADMIN, inv.code));
  struct cspd_holding h = holding(f, &cu, &d);
  assert_true(h.direct);
  assert_true(h.delegated_admin);
  assert_string_equal(h.acquired_direct, "invitation");
}

static void test_R_CUS_2_provider_keeps_extended_relationship(void **state) {
  struct fx *f = *state;
  struct partner t = transitioned(f, "Tailspin Toys");
  struct partner p = provider(f, "Fabrikam Distribution");
  partner_up(f, &p, &t);
  struct cspd_customer cu = customer_of(f, &t, "Wingtip Toys");
  assert_ok(f, extend(f, &t, &cu, &p));
  /* the customer later accepts Tailspin's indirect invitation with the same provider */
  invited(f, &t, &p, &cu);
  int n;
  struct cspd_crel *rels = crel_list(f, &cu, &n);
  assert_int_equal(n, 3);
  const struct cspd_crel *pr = crel_of(rels, n, &p, CSPD_CREL_PROVIDER);
  assert_non_null(pr);
  assert_string_equal(pr->acquired, "extension");
  assert_string_equal(pr->state, "active");
  const struct cspd_crel *rr = crel_of(rels, n, &t, CSPD_CREL_RESELLER);
  assert_non_null(rr);
  assert_string_equal(rr->acquired, "invitation");
  assert_true(rr->delegated_admin);
}

static void test_R_CUS_2_altered_code_refused(void **state) {
  struct fx *f = *state;
  struct partner p = provider(f, "Fabrikam Distribution");
  struct partner p2 = provider(f, "Contoso Distribution");
  struct partner r = reseller(f, "Litware Resellers");
  partner_up(f, &p, &r);
  partner_up(f, &p2, &r);
  struct cspd_customer cu = lone_customer(f, "Fourth Coffee", "NL");
  struct cspd_cinvite inv;
  assert_ok(f, indirect_invite(f, &r, &p, &inv));
  const char *dot = strchr(inv.code, '.');
  assert_non_null(dot);

  /* one character of the signature changed */
  char *mac_changed = cspd_arena_strdup(f->a, inv.code);
  char *m = mac_changed + (dot - inv.code) + 5;
  *m = *m == 'A' ? 'B' : 'A';
  assert_refused(f, accept_as(f, &cu, CADMIN, mac_changed), CSPD_E_CUS_INVITE_BAD_CODE, "R-CUS-2");

  /* the payload rewritten to name another provider, signature kept */
  const char *forged_payload = cspd_arena_printf(f->a, "i|%s|%s", r.tenant_id, p2.tenant_id);
  char p64[256];
  cspd_b64url_encode(forged_payload, strlen(forged_payload), p64, sizeof p64);
  const char *forged = cspd_arena_printf(f->a, "%s%s", p64, dot);
  assert_refused(f, accept_as(f, &cu, CADMIN, forged), CSPD_E_CUS_INVITE_BAD_CODE, "R-CUS-2");

  /* signed with another key */
  f->c.sign_key = other_key;
  struct cspd_cinvite foreign;
  assert_ok(f, indirect_invite(f, &r, &p2, &foreign));
  f->c.sign_key = sign_key;
  assert_refused(f, accept_as(f, &cu, CADMIN, foreign.code), CSPD_E_CUS_INVITE_BAD_CODE, "R-CUS-2");

  /* no signature at all */
  assert_refused(f, accept_as(f, &cu, CADMIN, "not-a-code"), CSPD_E_CUS_INVITE_BAD_CODE, "R-CUS-2");

  /* nothing was created; the genuine link still works */
  struct cspd_holding h2 = holding(f, &cu, &p2);
  assert_true(holds_nothing(&h2));
  struct cspd_holding hr = holding(f, &cu, &r);
  assert_true(holds_nothing(&hr));
  assert_ok(f, accept_as(f, &cu, CADMIN, inv.code));
  assert_true(holding(f, &cu, &p).provider);
  h2 = holding(f, &cu, &p2);
  assert_true(holds_nothing(&h2));
}

static void test_R_CUS_2_not_partners_refused(void **state) {
  struct fx *f = *state;
  struct partner p = provider(f, "Fabrikam Distribution");
  struct partner stranger = provider(f, "Contoso Distribution");
  struct partner r = reseller(f, "Litware Resellers");
  partner_up(f, &p, &r);
  struct cspd_customer cu = lone_customer(f, "Fourth Coffee", "NL");

  /* the reseller names a provider it is not partnered with, and vice versa */
  assert_refused(f, indirect_invite(f, &r, &stranger, NULL), CSPD_E_CUS_INVITE_NOT_PARTNERS,
                 "R-CUS-2");
  assert_refused(f, invite_as(f, &stranger, &r, NULL, NULL), CSPD_E_CUS_INVITE_NOT_PARTNERS,
                 "R-CUS-2");
  assert_refused(f, indirect_invite(f, &r, &(struct partner){.tenant_id = "99999999"}, NULL),
                 CSPD_E_CUS_INVITE_NOT_PARTNERS, "R-CUS-2");

  /* partners: allowed; the partnership ends before the customer accepts: refused */
  struct cspd_cinvite inv;
  assert_ok(f, indirect_invite(f, &r, &p, &inv));
  end_partnership(f, &p, &r);
  assert_refused(f, accept_as(f, &cu, CADMIN, inv.code), CSPD_E_CUS_INVITE_NOT_PARTNERS, "R-CUS-2");
  assert_refused(f, indirect_invite(f, &r, &p, NULL), CSPD_E_CUS_INVITE_NOT_PARTNERS, "R-CUS-2");
  struct cspd_holding h = holding(f, &cu, &p);
  assert_true(holds_nothing(&h));
}

static void test_R_CUS_3_reseller_delegated_admin_provider_orders(void **state) {
  struct fx *f = *state;
  struct partner p = provider(f, "Fabrikam Distribution");
  struct partner r = reseller(f, "Litware Resellers");
  partner_up(f, &p, &r);
  struct cspd_customer invited_cu = lone_customer(f, "Fourth Coffee", "NL");
  invited(f, &r, &p, &invited_cu);
  struct cspd_customer created_cu = customer_for(f, &p, &r, "Proseware");

  const struct cspd_customer *both[] = {&invited_cu, &created_cu};
  for (int i = 0; i < 2; i++) {
    const struct cspd_customer *cu = both[i];
    struct cspd_holding hr = holding(f, cu, &r), hp = holding(f, cu, &p);
    assert_true(hr.reseller);
    assert_true(hr.delegated_admin); /* the reseller manages */
    assert_true(hp.provider);
    /* the provider orders; on these paths (unlike an extension, R-EXT-5) it
     * holds delegated admin rights too */
    assert_true(hp.delegated_admin);
    json_t *rc = capabilities(f, cu, &r, false), *pc = capabilities(f, cu, &p, false);
    assert_true(cap(rc, "canManageLicensesAndUsers"));
    assert_true(cap(rc, "canManageSubscriptions"));
    assert_false(cap(rc, "canOrder"));
    assert_true(cap(pc, "canOrder"));
    assert_true(cap(pc, "canManageLicensesAndUsers")); /* it holds delegated admin here */
    json_decref(rc);
    json_decref(pc);
    /* the provider may order (R-EXT-0 passes); the reseller may not buy itself */
    assert_ok(f, rule(f, cspd_rule_provider_holds, cu->tenant_id, &p));
    assert_refused(f, rule(f, cspd_rule_provider_holds, cu->tenant_id, &r),
                   CSPD_E_PROVIDER_NO_RELATIONSHIP, "R-EXT-0");
  }
}

static void test_R_CUS_4_reseller_cannot_create_customers(void **state) {
  struct fx *f = *state;
  struct partner r = reseller(f, "Litware Resellers");
  struct partner d = direct_bill(f, "Contoso");
  assert_refused(f, create_as(f, &r, customer_input(f, "Fourth Coffee", "NL"), NULL),
                 CSPD_E_CUS_RESELLER_CANNOT_CREATE, "R-CUS-4");
  /* a direct-bill partner creates the same customer */
  struct cspd_customer cu;
  assert_ok(f, create_as(f, &d, customer_input(f, "Fourth Coffee", "NL"), &cu));
  assert_true(holding(f, &cu, &d).direct);
  assert_true(listed(f, (struct cspd_customer_filter){.partner_tenant_id = d.tenant_id}, &cu));
  assert_false(listed(f, (struct cspd_customer_filter){.partner_tenant_id = r.tenant_id}, &cu));
}

static void test_R_CUS_4_provider_creates_for_its_reseller(void **state) {
  struct fx *f = *state;
  struct partner p = provider(f, "Fabrikam Distribution");
  struct partner r = reseller(f, "Litware Resellers");
  partner_up(f, &p, &r);

  /* named by PartnerID */
  struct cspd_customer_create in = customer_input(f, "Proseware", "NL");
  in.associated_partner = r.mpn_id;
  struct cspd_customer cu;
  assert_ok(f, create_as(f, &p, in, &cu));
  assert_true(holding(f, &cu, &r).reseller);
  assert_true(holding(f, &cu, &p).provider);
  /* the customer shows in the reseller's list, and in the provider's list of that reseller */
  assert_true(listed(f, (struct cspd_customer_filter){.partner_tenant_id = r.tenant_id}, &cu));
  assert_true(listed(f,
                     (struct cspd_customer_filter){.partner_tenant_id = p.tenant_id,
                                                   .reseller_tenant_id = r.tenant_id},
                     &cu));
  assert_ok(f, read_as(f, &r, &cu, NULL));

  /* named by tenant id */
  struct cspd_customer cu2 = customer_for(f, &p, &r, "Fourth Coffee");
  assert_true(holding(f, &cu2, &r).reseller);
}

static void test_R_CUS_4_associated_partner_must_be_providers_reseller(void **state) {
  struct fx *f = *state;
  struct partner p = provider(f, "Fabrikam Distribution");
  struct partner r = reseller(f, "Litware Resellers");
  struct partner stranger = reseller(f, "Northwind Resellers");
  struct partner d = direct_bill(f, "Contoso");
  partner_up(f, &p, &r);
  partner_up(f, &p, &stranger);
  end_partnership(f, &p, &stranger);

  struct cspd_customer_create in = customer_input(f, "Proseware", "NL");
  in.associated_partner = stranger.tenant_id; /* the partnership ended */
  assert_refused(f, create_as(f, &p, in, NULL), CSPD_E_CUS_NOT_PROVIDERS_RESELLER, "R-CUS-4");
  struct partner never = reseller(f, "Adventure Works Resellers");
  in.associated_partner = never.tenant_id; /* never partnered */
  assert_refused(f, create_as(f, &p, in, NULL), CSPD_E_CUS_NOT_PROVIDERS_RESELLER, "R-CUS-4");
  in.associated_partner = "9999999"; /* unknown PartnerID */
  assert_refused(f, create_as(f, &p, in, NULL), CSPD_E_CUS_NOT_PROVIDERS_RESELLER, "R-CUS-4");
  in.associated_partner = r.tenant_id; /* only a provider names a reseller */
  assert_refused(f, create_as(f, &d, in, NULL), CSPD_E_CUS_NOT_PROVIDERS_RESELLER, "R-CUS-4");
  struct cspd_customer cu;
  assert_ok(f, create_as(f, &p, in, &cu));
  assert_true(holding(f, &cu, &r).reseller);
  /* only an active provider: the partnership alone is not enough */
  set_membership(f, &p, PROVIDER, CSPD_MS_RESTRICTED);
  struct cspd_customer_create again = customer_input(f, "Fourth Coffee", "NL");
  again.associated_partner = r.tenant_id;
  assert_refused(f, create_as(f, &p, again, NULL), CSPD_E_CUS_NOT_PROVIDERS_RESELLER, "R-CUS-4");
}

static void test_R_CUS_5_no_direct_purchase_for_indirect_customers(void **state) {
  struct fx *f = *state;
  struct partner t = transitioned(f, "Tailspin Toys");
  struct partner p = provider(f, "Fabrikam Distribution");
  partner_up(f, &p, &t);
  struct cspd_customer direct_cu = customer_of(f, &t, "Wingtip Toys");
  struct cspd_customer indirect_cu = lone_customer(f, "Fourth Coffee", "NL");
  invited(f, &t, &p, &indirect_cu);

  assert_refused(f, rule(f, cspd_rule_direct_purchase, indirect_cu.tenant_id, &t),
                 CSPD_E_CUS_DIRECT_PURCHASE, "R-CUS-5");
  assert_ok(f, rule(f, cspd_rule_direct_purchase, direct_cu.tenant_id, &t));
  /* a partner holding nothing does not buy either */
  assert_refused(f, rule(f, cspd_rule_direct_purchase, direct_cu.tenant_id, &p),
                 CSPD_E_CUS_NO_RELATIONSHIP, NULL);
}

static void test_R_CUS_6_capabilities_follow_holding(void **state) {
  struct fx *f = *state;
  struct partner d = direct_bill(f, "Contoso");
  struct partner p = provider(f, "Fabrikam Distribution");
  struct partner r = reseller(f, "Litware Resellers");
  partner_up(f, &p, &r);
  struct cspd_customer direct_cu = customer_of(f, &d, "Wingtip Toys");
  struct cspd_customer indirect_cu = customer_for(f, &p, &r, "Proseware");

  json_t *dc = capabilities(f, &direct_cu, &d, false);
  assert_string_equal(cap_str(dc, "holding"), "direct_bill");
  assert_true(cap(dc, "canOrder"));
  assert_true(cap(dc, "canManageReservations"));
  assert_true(cap(dc, "canViewOrderHistory"));
  assert_true(cap(dc, "canBuySoftware"));
  assert_true(cap(dc, "canBillCustomer"));
  assert_null(json_object_get(dc, "restrictedBy"));
  json_decref(dc);

  json_t *restricted = capabilities(f, &direct_cu, &d, true);
  assert_false(cap(restricted, "canOrder"));
  assert_false(cap(restricted, "canManageReservations"));
  assert_false(cap(restricted, "canBuySoftware"));
  assert_true(cap(restricted, "canBillCustomer")); /* existing subscriptions keep billing */
  assert_string_equal(cap_str(restricted, "restrictedBy"), "R-DB-2");
  json_decref(restricted);

  json_t *rc = capabilities(f, &indirect_cu, &r, false);
  assert_string_equal(cap_str(rc, "holding"), "indirect_reseller");
  assert_false(cap(rc, "canOrder")); /* no ordering options for the reseller */
  assert_false(cap(rc, "canManageReservations"));
  assert_false(cap(rc, "canBuySoftware"));
  assert_false(cap(rc, "canBillCustomer"));
  assert_true(cap(rc, "canManageLicensesAndUsers"));
  assert_true(cap(rc, "canHandleRenewals"));
  assert_string_equal(cap_str(rc, "orderedBy"), p.tenant_id);
  json_decref(rc);

  json_t *pc = capabilities(f, &indirect_cu, &p, false);
  assert_string_equal(cap_str(pc, "holding"), "indirect_provider");
  assert_true(cap(pc, "canOrder"));
  json_decref(pc);
}

/** A customer held by a direct-bill partner, a reseller and its provider at once. */
struct multi_world {
  struct partner d, p, r, stranger;
  struct cspd_customer cu;
};
static struct multi_world multi_world(struct fx *f) {
  struct multi_world w;
  w.d = direct_bill(f, "Contoso");
  w.p = provider(f, "Fabrikam Distribution");
  w.r = reseller(f, "Litware Resellers");
  w.stranger = direct_bill(f, "Northwind Traders");
  partner_up(f, &w.p, &w.r);
  w.cu = customer_of(f, &w.d, "Wingtip Toys");
  invited(f, &w.r, &w.p, &w.cu);
  return w;
}

static void test_R_CUS_7_customer_buys_from_several_partners(void **state) {
  struct fx *f = *state;
  struct multi_world w = multi_world(f);
  /* the direct-bill partner and the provider both sell to the customer */
  assert_ok(f, rule(f, cspd_rule_direct_purchase, w.cu.tenant_id, &w.d));
  assert_ok(f, rule(f, cspd_rule_provider_holds, w.cu.tenant_id, &w.p));
  json_t *dc = capabilities(f, &w.cu, &w.d, false), *pc = capabilities(f, &w.cu, &w.p, false);
  assert_true(cap(dc, "canOrder"));
  assert_true(cap(pc, "canOrder"));
  json_decref(dc);
  json_decref(pc);
  /* a partner that holds no relationship does not */
  assert_refused(f, rule(f, cspd_rule_direct_purchase, w.cu.tenant_id, &w.stranger),
                 CSPD_E_CUS_NO_RELATIONSHIP, NULL);
  assert_refused(f, rule(f, cspd_rule_provider_holds, w.cu.tenant_id, &w.stranger),
                 CSPD_E_PROVIDER_NO_RELATIONSHIP, "R-EXT-0");
}

static void test_R_CUS_8_several_partners_manage_one_customer(void **state) {
  struct fx *f = *state;
  struct multi_world w = multi_world(f);
  struct cspd_holding hd = holding(f, &w.cu, &w.d), hr = holding(f, &w.cu, &w.r),
                      hp = holding(f, &w.cu, &w.p);
  assert_true(hd.direct);
  assert_true(hd.delegated_admin);
  assert_true(hr.reseller);
  assert_true(hr.delegated_admin);
  assert_true(hp.provider);
  /* each of them sees the customer; a partner without a relationship does not */
  assert_ok(f, read_as(f, &w.d, &w.cu, NULL));
  assert_ok(f, read_as(f, &w.r, &w.cu, NULL));
  assert_ok(f, read_as(f, &w.p, &w.cu, NULL));
  assert_refused(f, read_as(f, &w.stranger, &w.cu, NULL), CSPD_E_CUSTOMER_NOT_FOUND, NULL);
  /* the customer's list of each */
  assert_true(listed(f, (struct cspd_customer_filter){.partner_tenant_id = w.d.tenant_id}, &w.cu));
  assert_true(listed(f, (struct cspd_customer_filter){.partner_tenant_id = w.r.tenant_id}, &w.cu));
  assert_true(listed(f, (struct cspd_customer_filter){.partner_tenant_id = w.p.tenant_id}, &w.cu));
  assert_false(
      listed(f, (struct cspd_customer_filter){.partner_tenant_id = w.stranger.tenant_id}, &w.cu));
}

static void test_R_CUS_9_relationships_list_every_partner(void **state) {
  struct fx *f = *state;
  struct multi_world w = multi_world(f);
  int n;
  struct cspd_crel *rels = crel_list(f, &w.cu, &n);
  assert_int_equal(n, 3);
  const struct cspd_crel *d = crel_of(rels, n, &w.d, CSPD_CREL_DIRECT),
                         *r = crel_of(rels, n, &w.r, CSPD_CREL_RESELLER),
                         *p = crel_of(rels, n, &w.p, CSPD_CREL_PROVIDER);
  assert_non_null(d);
  assert_non_null(r);
  assert_non_null(p);
  assert_string_equal(d->state, "active");
  assert_string_equal(d->acquired, "created");
  assert_true(d->delegated_admin);
  assert_string_equal(r->state, "active");
  assert_string_equal(r->acquired, "invitation");
  assert_string_equal(r->via_tenant_id, w.p.tenant_id);
  assert_true(r->delegated_admin);
  assert_string_equal(p->state, "active");
  assert_string_equal(p->acquired, "invitation");
  assert_string_equal(p->via_tenant_id, w.r.tenant_id);
  assert_true(p->delegated_admin); /* the invitation path gives the provider admin rights */

  /* the direct-bill partner gives up its relationship: it no longer holds it */
  struct saved_who s = save_who(f);
  as_partner(f, &w.d, AA);
  assert_ok(f, run(f, remove_fn, w.cu.tenant_id));
  assert_refused(f, run(f, remove_fn, w.cu.tenant_id), CSPD_E_CUSTOMER_NOT_FOUND, NULL);
  restore_who(f, &s);
  rels = crel_list(f, &w.cu, &n);
  assert_string_equal(crel_of(rels, n, &w.d, CSPD_CREL_DIRECT)->state, "removed");
  assert_string_equal(crel_of(rels, n, &w.r, CSPD_CREL_RESELLER)->state, "active");
  assert_string_equal(crel_of(rels, n, &w.p, CSPD_CREL_PROVIDER)->state, "active");
  struct cspd_holding hd = holding(f, &w.cu, &w.d);
  assert_true(holds_nothing(&hd));
}

/* ==== §2.6 own use, self-dealing ============================================================= */

static void test_R_SELF_1_no_sale_to_own_organization(void **state) {
  struct fx *f = *state;
  struct partner d = direct_bill(f, "Contoso");
  struct partner affiliate = affiliate_of(f, &d, "BE");
  set_membership(f, &affiliate, DIRECT, CSPD_MS_ACTIVE);
  mpa_signed(f, &affiliate);
  struct partner other = direct_bill(f, "Northwind Traders");

  /* an own-use tenant of Contoso: not by Contoso, not by its affiliate */
  struct cspd_customer_create in = customer_input(f, "Contoso Own Use", "NL");
  in.own_use_partner = d.org_id;
  assert_refused(f, create_as(f, &d, in, NULL), CSPD_E_SELF_DEALING, "R-SELF-1");
  assert_refused(f, create_as(f, &affiliate, in, NULL), CSPD_E_SELF_DEALING, "R-SELF-1");
  in.own_use_partner = d.global_mpn_id; /* named by global PartnerID */
  assert_refused(f, create_as(f, &d, in, NULL), CSPD_E_SELF_DEALING, "R-SELF-1");

  /* another organization sells to it */
  struct cspd_customer cu;
  assert_ok(f, create_as(f, &other, in, &cu));
  assert_non_null(cu.owner_org_id);
  assert_string_equal(cu.owner_org_id, d.org_id);
  assert_true(holding(f, &cu, &other).direct);
  assert_refused(f, self_dealing(f, cu.tenant_id, &d, CSPD_CREL_DIRECT), CSPD_E_SELF_DEALING,
                 "R-SELF-1");
  assert_refused(f, self_dealing(f, cu.tenant_id, &affiliate, CSPD_CREL_RESELLER),
                 CSPD_E_SELF_DEALING, "R-SELF-1");
  assert_ok(f, self_dealing(f, cu.tenant_id, &other, CSPD_CREL_DIRECT));
}

static void test_R_SELF_1_invitation_to_own_use_tenant_refused(void **state) {
  struct fx *f = *state;
  struct partner d = direct_bill(f, "Contoso");
  struct partner p = provider(f, "Fabrikam Distribution");
  struct partner r = reseller(f, "Litware Resellers");
  struct partner p2 = provider(f, "Adatum Distribution");
  struct partner r2 = reseller(f, "Northwind Resellers");
  partner_up(f, &p, &r);
  partner_up(f, &p2, &r2);
  /* Litware's own-use tenant, bought from Contoso */
  struct cspd_customer own = own_use_customer(f, &d, &r, "Litware Own Use");

  struct cspd_cinvite inv;
  assert_ok(f, indirect_invite(f, &r, &p, &inv));
  assert_refused(f, accept_as(f, &own, CADMIN, inv.code), CSPD_E_SELF_DEALING, "R-SELF-1");
  struct cspd_holding h = holding(f, &own, &r);
  assert_true(holds_nothing(&h));
  /* another organization's reseller may manage it */
  invited(f, &r2, &p2, &own);
  assert_true(holding(f, &own, &r2).reseller);
}

static void test_R_SELF_2_partner_tenant_never_a_customer(void **state) {
  struct fx *f = *state;
  struct partner d = direct_bill(f, "Contoso");
  struct partner x = partner_in(f, "Northwind Traders", "NL");

  struct cspd_customer_create in = customer_input(f, "Northwind Own Use", "NL");
  in.tenant_id = x.tenant_id; /* the partner tenant itself */
  assert_refused(f, create_as(f, &d, in, NULL), CSPD_E_SELF_PARTNER_TENANT, "R-SELF-2");
  in.tenant_id = d.tenant_id; /* the creating partner's own tenant */
  assert_refused(f, create_as(f, &d, in, NULL), CSPD_E_SELF_PARTNER_TENANT, "R-SELF-2");
  assert_refused(f, self_dealing(f, x.tenant_id, &d, CSPD_CREL_DIRECT), CSPD_E_SELF_PARTNER_TENANT,
                 "R-SELF-2");

  /* a separate tenant of type customer is fine */
  in.tenant_id = "b1000000-0000-4000-8000-000000000001";
  struct cspd_customer cu;
  assert_ok(f, create_as(f, &d, in, &cu));
  assert_string_equal(cu.tenant_id, "b1000000-0000-4000-8000-000000000001");
  assert_ok(f, self_dealing(f, cu.tenant_id, &d, CSPD_CREL_DIRECT));
}

/** The three R-SELF-3 remedies are in err.data. */
static void assert_self3_remedies(const struct fx *f) {
  assert_int_equal(f->c.err.ndata, 3);
  assert_non_null(strstr(f->c.err.data[0], "separate tenant"));
  assert_non_null(strstr(f->c.err.data[1], "end the relationship"));
  assert_non_null(strstr(f->c.err.data[2], "another provider"));
}

/** "an organization that resells through provider P" and its own-use tenant. */
struct self3_world {
  struct partner p, o, r2, p2, r3;
};
static struct self3_world self3_world(struct fx *f) {
  struct self3_world w;
  w.p = provider(f, "Fabrikam Distribution");
  w.o = reseller(f, "Litware Resellers"); /* resells through P */
  w.r2 = reseller(f, "Northwind Resellers");
  w.p2 = provider(f, "Adatum Distribution");
  w.r3 = reseller(f, "Proseware Resellers");
  partner_up(f, &w.p, &w.o);
  partner_up(f, &w.p, &w.r2);
  partner_up(f, &w.p2, &w.r3);
  return w;
}

static void test_R_SELF_3_reseller_own_use_not_its_providers_customer(void **state) {
  struct fx *f = *state;
  struct self3_world w = self3_world(f);
  struct cspd_customer_create in = customer_input(f, "Litware Own Use", "NL");
  in.own_use_partner = w.o.org_id;

  /* P creates Litware's own-use tenant for another of its resellers: refused */
  in.associated_partner = w.r2.tenant_id;
  assert_refused(f, create_as(f, &w.p, in, NULL), CSPD_E_SELF_RESELLER_OF_PROVIDER, "R-SELF-3");
  assert_self3_remedies(f);
  /* another provider may */
  in.associated_partner = w.r3.tenant_id;
  struct cspd_customer cu;
  assert_ok(f, create_as(f, &w.p2, in, &cu));
  assert_true(holding(f, &cu, &w.p2).provider);
  assert_refused(f, self_dealing(f, cu.tenant_id, &w.p, CSPD_CREL_PROVIDER),
                 CSPD_E_SELF_RESELLER_OF_PROVIDER, "R-SELF-3");
  assert_self3_remedies(f);
  assert_ok(f, self_dealing(f, cu.tenant_id, &w.p2, CSPD_CREL_PROVIDER));

  /* once the operator ends Litware's relationship with P, P may sell to it */
  end_partnership(f, &w.p, &w.o);
  assert_ok(f, self_dealing(f, cu.tenant_id, &w.p, CSPD_CREL_PROVIDER));
}

static void test_R_SELF_3_extension_to_resellers_provider_refused(void **state) {
  struct fx *f = *state;
  struct self3_world w = self3_world(f);
  struct partner t = transitioned(f, "Tailspin Toys");
  partner_up(f, &w.p, &t);
  partner_up(f, &w.p2, &t);
  /* Litware's own-use tenant, a direct-bill customer of Tailspin */
  struct cspd_customer own = own_use_customer(f, &t, &w.o, "Litware Own Use");

  assert_refused(f, extend(f, &t, &own, &w.p), CSPD_E_SELF_RESELLER_OF_PROVIDER, "R-SELF-3");
  assert_self3_remedies(f);
  assert_false(holding(f, &own, &w.p).provider);
  assert_ok(f, extend(f, &t, &own, &w.p2));
  assert_true(holding(f, &own, &w.p2).provider);
}

static void test_R_SELF_3_invitation_with_resellers_provider_refused(void **state) {
  struct fx *f = *state;
  struct self3_world w = self3_world(f);
  struct partner d = direct_bill(f, "Contoso");
  /* Litware's own-use tenant, bought from Contoso */
  struct cspd_customer own = own_use_customer(f, &d, &w.o, "Litware Own Use");
  /* another reseller of P invites it together with P: P would become its provider */
  struct cspd_cinvite inv;
  assert_ok(f, indirect_invite(f, &w.r2, &w.p, &inv));
  assert_refused(f, accept_as(f, &own, CADMIN, inv.code), CSPD_E_SELF_RESELLER_OF_PROVIDER,
                 "R-SELF-3");
  assert_self3_remedies(f);
  struct cspd_holding h = holding(f, &own, &w.p);
  assert_true(holds_nothing(&h));
  /* through another provider it may */
  invited(f, &w.r3, &w.p2, &own);
  assert_true(holding(f, &own, &w.p2).provider);
}

static void test_R_SELF_3_provider_own_customer_refused_too(void **state) {
  /* "cannot also become P's end customer": P creating the tenant as its own
   * direct customer (P is also a direct-bill partner; no associatedPartnerId)
   * is P's end customer as well. */
  struct fx *f = *state;
  struct self3_world w = self3_world(f);
  set_membership(f, &w.p, DIRECT, CSPD_MS_ACTIVE);
  set_membership(f, &w.p2, DIRECT, CSPD_MS_ACTIVE);
  struct cspd_customer_create in = customer_input(f, "Litware Own Use", "NL");
  in.own_use_partner = w.o.org_id;
  assert_refused(f, create_as(f, &w.p, in, NULL), CSPD_E_SELF_RESELLER_OF_PROVIDER, "R-SELF-3");
  assert_self3_remedies(f);
  struct cspd_customer cu;
  assert_ok(f, create_as(f, &w.p2, in, &cu));
}

/* ==== §2.7 moving direct-bill customers to an indirect provider ============================= */

static void test_R_EXT_0_provider_needs_relationship_to_order(void **state) {
  struct fx *f = *state;
  struct ext_world w = ext_world(f);
  struct partner p2 = provider(f, "Contoso Distribution");
  partner_up(f, &p2, &w.t);
  assert_refused(f, rule(f, cspd_rule_provider_holds, w.cu.tenant_id, &w.p),
                 CSPD_E_PROVIDER_NO_RELATIONSHIP, "R-EXT-0");
  assert_ok(f, extend(f, &w.t, &w.cu, &w.p));
  assert_ok(f, rule(f, cspd_rule_provider_holds, w.cu.tenant_id, &w.p));
  /* only the provider it was extended to */
  assert_refused(f, rule(f, cspd_rule_provider_holds, w.cu.tenant_id, &p2),
                 CSPD_E_PROVIDER_NO_RELATIONSHIP, "R-EXT-0");
  /* the direct-bill partner itself is not a provider of the customer */
  assert_refused(f, rule(f, cspd_rule_provider_holds, w.cu.tenant_id, &w.t),
                 CSPD_E_PROVIDER_NO_RELATIONSHIP, "R-EXT-0");
}

static void test_R_EXT_1_only_transitioned_partners_extend(void **state) {
  struct fx *f = *state;
  struct partner d = direct_bill(f, "Contoso"); /* not enrolled as reseller */
  struct partner p = provider(f, "Fabrikam Distribution");
  partner_up(f, &p, &d);
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");

  assert_refused(f, extend(f, &d, &cu, &p), CSPD_E_EXT_NOT_TRANSITIONED, "R-EXT-1");
  set_membership(f, &d, RESELLER, CSPD_MS_PENDING);
  assert_refused(f, extend(f, &d, &cu, &p), CSPD_E_EXT_NOT_TRANSITIONED, "R-EXT-1");
  set_membership(f, &d, RESELLER, CSPD_MS_APPROVED); /* agreement not yet accepted */
  assert_refused(f, extend(f, &d, &cu, &p), CSPD_E_EXT_NOT_TRANSITIONED, "R-EXT-1");
  assert_false(holding(f, &cu, &p).provider);
  set_membership(f, &d, RESELLER, CSPD_MS_ACTIVE); /* "Accept and continue" */
  assert_ok(f, extend(f, &d, &cu, &p));
  assert_true(holding(f, &cu, &p).provider);

  /* a pure reseller (no direct-bill business) has nothing to extend */
  struct partner r = reseller(f, "Litware Resellers");
  partner_up(f, &p, &r);
  assert_refused(f, extend(f, &r, &cu, &p), CSPD_E_EXT_NOT_TRANSITIONED, "R-EXT-1");
}

static void test_R_EXT_2_only_direct_bill_customers(void **state) {
  struct fx *f = *state;
  struct ext_world w = ext_world(f);
  struct partner p2 = provider(f, "Contoso Distribution");
  partner_up(f, &p2, &w.t);
  /* a customer Tailspin acquired as indirect reseller (through P) */
  struct cspd_customer indirect_cu = lone_customer(f, "Fourth Coffee", "NL");
  invited(f, &w.t, &w.p, &indirect_cu);

  assert_refused(f, extend(f, &w.t, &indirect_cu, &p2), CSPD_E_EXT_NOT_DIRECT_CUSTOMER, "R-EXT-2");
  assert_false(holding(f, &indirect_cu, &p2).provider);
  assert_ok(f, extend(f, &w.t, &w.cu, &p2));
  /* a customer it does not hold at all is not disclosed */
  struct cspd_customer foreign = lone_customer(f, "Adatum", "NL");
  assert_refused(f, extend(f, &w.t, &foreign, &p2), CSPD_E_CUSTOMER_NOT_FOUND, NULL);
}

static void test_R_EXT_3_target_must_be_accepted_provider(void **state) {
  struct fx *f = *state;
  struct ext_world w = ext_world(f);
  struct partner stranger = provider(f, "Contoso Distribution");
  struct partner ended = provider(f, "Adatum Distribution");
  partner_up(f, &ended, &w.t);
  end_partnership(f, &ended, &w.t);

  assert_refused(f, extend(f, &w.t, &w.cu, &stranger), CSPD_E_EXT_NOT_PARTNERS, "R-EXT-3");
  assert_refused(f, extend(f, &w.t, &w.cu, &ended), CSPD_E_EXT_NOT_PARTNERS, "R-EXT-3");
  assert_refused(f, extend_as(f, &w.t, AA, &w.cu, "9999999", true), CSPD_E_EXT_NOT_PARTNERS,
                 "R-EXT-3");
  assert_refused(f, extend(f, &w.t, &w.cu, &w.t), CSPD_E_EXT_NOT_PARTNERS, "R-EXT-3");
  assert_false(holding(f, &w.cu, &stranger).provider);
  /* the accepted provider, named by its PartnerID */
  assert_ok(f, extend_as(f, &w.t, AA, &w.cu, w.p.mpn_id, true));
  assert_true(holding(f, &w.cu, &w.p).provider);
}

static void test_R_EXT_4_provider_sees_billing_copy(void **state) {
  struct fx *f = *state;
  struct ext_world w = ext_world(f);
  struct cspd_customer seen;
  assert_refused(f, read_as(f, &w.p, &w.cu, NULL), CSPD_E_CUSTOMER_NOT_FOUND, NULL);
  assert_ok(f, extend(f, &w.t, &w.cu, &w.p));
  assert_ok(f, read_as(f, &w.p, &w.cu, &seen));
  assert_non_null(seen.billing_json);
  assert_string_equal(seen.billing_json, w.cu.billing_json);
  /* a copy: the provider does not edit it, the partner still does */
  const char *edited = "{\"companyName\":\"Wingtip Toys BV\"}";
  assert_refused(f, billing_update_as(f, &w.p, &w.cu, edited), CSPD_E_EXT_BILLING_READ_ONLY,
                 "R-EXT-4");
  assert_ok(f, billing_update_as(f, &w.t, &w.cu, edited));
  assert_ok(f, read_as(f, &w.p, &w.cu, &seen));
  assert_string_equal(seen.billing_json, edited);
}

static void test_R_EXT_5_no_delegated_admin_through_extension(void **state) {
  struct fx *f = *state;
  struct ext_world w = ext_world(f);
  assert_ok(f, extend(f, &w.t, &w.cu, &w.p));
  struct cspd_holding hp = holding(f, &w.cu, &w.p), ht = holding(f, &w.cu, &w.t);
  assert_true(hp.provider);
  assert_false(hp.delegated_admin);
  assert_true(ht.direct);
  assert_true(ht.delegated_admin); /* the partner keeps its own rights */
  json_t *pc = capabilities(f, &w.cu, &w.p, false);
  assert_false(cap(pc, "canManageLicensesAndUsers"));
  assert_true(cap(pc, "canOrder"));
  json_decref(pc);
  int n;
  struct cspd_crel *rels = crel_list(f, &w.cu, &n);
  assert_false(crel_of(rels, n, &w.p, CSPD_CREL_PROVIDER)->delegated_admin);
}

static void test_R_EXT_6_provider_listed_after_extension(void **state) {
  struct fx *f = *state;
  struct ext_world w = ext_world(f);
  int n;
  struct cspd_crel *rels = crel_list(f, &w.cu, &n);
  assert_null(crel_of(rels, n, &w.p, CSPD_CREL_PROVIDER));
  assert_ok(f, extend(f, &w.t, &w.cu, &w.p));
  rels = crel_list(f, &w.cu, &n);
  assert_int_equal(n, 2);
  const struct cspd_crel *pr = crel_of(rels, n, &w.p, CSPD_CREL_PROVIDER);
  assert_non_null(pr);
  assert_string_equal(pr->state, "active");
  assert_string_equal(pr->acquired, "extension");
  assert_string_equal(pr->via_tenant_id, w.t.tenant_id);
  assert_non_null(crel_of(rels, n, &w.t, CSPD_CREL_DIRECT));
  assert_true(listed(f, (struct cspd_customer_filter){.partner_tenant_id = w.p.tenant_id}, &w.cu));
  /* extending twice */
  assert_refused(f, extend(f, &w.t, &w.cu, &w.p), CSPD_E_EXT_EXISTS, "R-EXT-6");
}

static void test_R_EXT_7_consent_attestation_required(void **state) {
  struct fx *f = *state;
  struct ext_world w = ext_world(f);
  assert_refused(f, extend_as(f, &w.t, AA, &w.cu, w.p.tenant_id, false),
                 CSPD_E_EXT_CONSENT_REQUIRED, "R-EXT-7");
  struct cspd_holding hp = holding(f, &w.cu, &w.p);
  assert_true(holds_nothing(&hp));
  assert_ok(f, extend_as(f, &w.t, AA, &w.cu, w.p.tenant_id, true));
  assert_true(holding(f, &w.cu, &w.p).provider);
}

static void test_R_EXT_8_only_admin_agent_extends(void **state) {
  struct fx *f = *state;
  struct ext_world w = ext_world(f);
  unsigned others = CSPD_ROLES_PARTNER & ~AA;
  assert_refused(f, extend_as(f, &w.t, others, &w.cu, w.p.tenant_id, true), CSPD_E_EXT_ROLE,
                 "R-EXT-8");
  assert_refused(f, extend_as(f, &w.t, CSPD_ROLE_SALES_AGENT, &w.cu, w.p.tenant_id, true),
                 CSPD_E_EXT_ROLE, "R-EXT-8");
  assert_false(holding(f, &w.cu, &w.p).provider);
  assert_ok(f, extend_as(f, &w.t, AA, &w.cu, w.p.tenant_id, true));
  /* the provider is then among the customer's indirect providers */
  struct cspd_holding hp = holding(f, &w.cu, &w.p);
  assert_true(hp.provider);
  assert_string_equal(hp.provider_via, w.t.tenant_id);
}

/* ==== §2.8 customer agreement ================================================================ */

static void test_R_MCA_1_orders_need_customer_agreement(void **state) {
  struct fx *f = *state;
  struct partner d = direct_bill(f, "Contoso");
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");
  assert_refused(f, rule(f, cspd_rule_mca, cu.tenant_id, &d), CSPD_E_MCA_REQUIRED, "R-MCA-1");
  assert_int_equal(cspd_error_info(CSPD_E_MCA_REQUIRED)->code, 13605);
  /* an old Microsoft Cloud Agreement does not count */
  as_partner(f, &d, AA);
  assert_ok(f, agree(f, &cu, CLOUD, ms_at("2019-06-01T00:00:00Z")));
  assert_refused(f, rule(f, cspd_rule_mca, cu.tenant_id, &d), CSPD_E_MCA_REQUIRED, "R-MCA-1");
  /* the Microsoft Customer Agreement does */
  assert_ok(f, agree(f, &cu, MCA, ms_at("2026-11-01T00:00:00Z")));
  assert_ok(f, rule(f, cspd_rule_mca, cu.tenant_id, &d));
}

static void test_R_MCA_1_cloud_agreement_after_january_2020_refused(void **state) {
  struct fx *f = *state;
  struct partner d = direct_bill(f, "Contoso");
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");
  as_partner(f, &d, AA);
  assert_refused(f, agree(f, &cu, CLOUD, ms_at("2020-02-01T00:00:00Z")), CSPD_E_MCA_CLOUD_EXPIRED,
                 "R-MCA-1");
  assert_refused(f, agree(f, &cu, CLOUD, ms_at("2026-11-01T00:00:00Z")), CSPD_E_MCA_CLOUD_EXPIRED,
                 "R-MCA-1");
  as_customer(f, &cu, CADMIN);
  assert_refused(f, agree(f, &cu, CLOUD, ms_at("2020-02-01T00:00:00Z")), CSPD_E_MCA_CLOUD_EXPIRED,
                 "R-MCA-1");
  /* valid until 2020-01-31 (inclusive); the Customer Agreement any time */
  assert_ok(f, agree(f, &cu, CLOUD, ms_at("2020-01-31T23:59:59Z")));
  as_partner(f, &d, AA);
  assert_ok(f, agree(f, &cu, CLOUD, ms_at("2020-01-31T00:00:00Z")));
  assert_ok(f, agree(f, &cu, MCA, ms_at("2020-02-01T00:00:00Z")));
}

static void test_R_MCA_2_customer_acceptance_counts_for_every_partner(void **state) {
  struct fx *f = *state;
  struct ext_world w = ext_world(f);
  bool direct;
  assert_false(mca_for(f, &w.cu, &w.t, &direct));
  assert_false(direct);
  as_customer(f, &w.cu, CADMIN);
  assert_ok(f, agree(f, &w.cu, MCA, ms_at("2026-10-01T00:00:00Z")));
  assert_true(mca_for(f, &w.cu, &w.t, &direct));
  assert_true(direct);
  /* it carries over when the provider relationship is created */
  assert_ok(f, extend(f, &w.t, &w.cu, &w.p));
  assert_true(mca_for(f, &w.cu, &w.p, &direct));
  assert_true(direct);
  assert_ok(f, rule(f, cspd_rule_mca, w.cu.tenant_id, &w.p));
  assert_ok(f, rule(f, cspd_rule_mca, w.cu.tenant_id, &w.t));
  /* a customer user without the admin role does not accept */
  as_customer(f, &w.cu, 0);
  assert_refused(f, agree(f, &w.cu, MCA, ms_at("2026-10-01T00:00:00Z")), CSPD_E_ROLE_REQUIRED,
                 NULL);
}

static void test_R_MCA_2_attestation_counts_only_for_attesting_partner(void **state) {
  struct fx *f = *state;
  struct ext_world w = ext_world(f);
  as_partner(f, &w.t, AA);
  assert_ok(f, agree(f, &w.cu, MCA, ms_at("2026-10-01T00:00:00Z"))); /* Tailspin attests */
  bool direct;
  assert_true(mca_for(f, &w.cu, &w.t, &direct));
  assert_false(direct);
  assert_ok(f, rule(f, cspd_rule_mca, w.cu.tenant_id, &w.t));

  /* the provider taking over the customer must attest again, in its own name */
  assert_ok(f, extend(f, &w.t, &w.cu, &w.p));
  assert_false(mca_for(f, &w.cu, &w.p, &direct));
  assert_false(direct);
  assert_refused(f, rule(f, cspd_rule_mca, w.cu.tenant_id, &w.p), CSPD_E_MCA_REQUIRED, "R-MCA-1");
  as_partner(f, &w.p, AA);
  assert_ok(f, agree(f, &w.cu, MCA, ms_at("2026-11-02T00:00:00Z")));
  assert_true(mca_for(f, &w.cu, &w.p, &direct));
  assert_ok(f, rule(f, cspd_rule_mca, w.cu.tenant_id, &w.p));
}

/* ==== checks customers make for rules of other sections ===================================== */

static void test_R_REG_1_customer_outside_partner_market_refused(void **state) {
  struct fx *f = *state;
  struct partner d = direct_bill(f, "Contoso"); /* NL: europe */
  assert_refused(f, create_as(f, &d, customer_input(f, "Fourth Coffee", "US"), NULL),
                 CSPD_E_CUS_OUTSIDE_MARKET, "R-REG-1");
  assert_refused(f, create_as(f, &d, customer_input(f, "Fourth Coffee", "JP"), NULL),
                 CSPD_E_CUS_OUTSIDE_MARKET, "R-REG-1");
  assert_refused(f, create_as(f, &d, customer_input(f, "Fourth Coffee", "XX"), NULL),
                 CSPD_E_UNKNOWN_COUNTRY, "R-REG-1");
  struct cspd_customer cu; /* BE and GB are in the same market */
  assert_ok(f, create_as(f, &d, customer_input(f, "Fourth Coffee", "BE"), &cu));
  assert_string_equal(cu.country, "BE");
  assert_ok(f, create_as(f, &d, customer_input(f, "Adatum", "GB"), NULL));
}

static void test_R_REG_1_invitation_accepted_only_in_partner_market(void **state) {
  struct fx *f = *state;
  struct partner p = provider(f, "Fabrikam Distribution");
  struct partner r = reseller(f, "Litware Resellers");
  struct partner d = direct_bill(f, "Contoso");
  partner_up(f, &p, &r);
  struct cspd_customer us = lone_customer(f, "Fourth Coffee", "US");
  struct cspd_customer de = lone_customer(f, "Adatum", "DE");
  struct cspd_cinvite ind, dir;
  assert_ok(f, indirect_invite(f, &r, &p, &ind));
  assert_ok(f, invite_as(f, &d, NULL, NULL, &dir));
  assert_refused(f, accept_as(f, &us, CADMIN, ind.code), CSPD_E_CUS_OUTSIDE_MARKET, "R-REG-1");
  assert_refused(f, accept_as(f, &us, CADMIN, dir.code), CSPD_E_CUS_OUTSIDE_MARKET, "R-REG-1");
  struct cspd_holding h = holding(f, &us, &r);
  assert_true(holds_nothing(&h));
  assert_ok(f, accept_as(f, &de, CADMIN, ind.code));
  assert_ok(f, accept_as(f, &de, CADMIN, dir.code));
  assert_true(holding(f, &de, &r).reseller);
  assert_true(holding(f, &de, &d).direct);
}

static void test_R_DB_2_restricted_partner_cannot_create_or_invite_directly(void **state) {
  struct fx *f = *state;
  struct partner d = direct_bill(f, "Contoso");
  /* unrestricted: creates, invites directly, buys */
  struct cspd_customer cu = customer_of(f, &d, "Wingtip Toys");
  struct cspd_cinvite inv;
  assert_ok(f, invite_as(f, &d, NULL, NULL, &inv));
  assert_null(inv.reseller_tenant_id);
  assert_string_equal(inv.partner_tenant_id, d.tenant_id);
  assert_ok(f, rule(f, cspd_rule_direct_purchase, cu.tenant_id, &d));

  set_membership(f, &d, DIRECT, CSPD_MS_RESTRICTED);
  assert_refused(f, create_as(f, &d, customer_input(f, "Fourth Coffee", "NL"), NULL),
                 CSPD_E_DB_RESTRICTED, "R-DB-2");
  assert_refused(f, invite_as(f, &d, NULL, NULL, NULL), CSPD_E_DB_RESTRICTED, "R-DB-2");
  assert_refused(f, rule(f, cspd_rule_direct_purchase, cu.tenant_id, &d), CSPD_E_DB_RESTRICTED,
                 "R-DB-2");
  /* a link sent before the restriction no longer creates a relationship */
  struct cspd_customer later = lone_customer(f, "Adatum", "NL");
  assert_refused(f, accept_as(f, &later, CADMIN, inv.code), CSPD_E_DB_RESTRICTED, "R-DB-2");
  struct cspd_holding h = holding(f, &later, &d);
  assert_true(holds_nothing(&h));
  /* existing customers stay visible */
  assert_ok(f, read_as(f, &d, &cu, NULL));
}

static void test_R_DB_3_restricted_enrolled_reseller_may_invite_indirectly(void **state) {
  struct fx *f = *state;
  struct partner t = transitioned(f, "Tailspin Toys");
  struct partner d = direct_bill(f, "Contoso"); /* restricted, not enrolled */
  struct partner p = provider(f, "Fabrikam Distribution");
  partner_up(f, &p, &t);
  partner_up(f, &p, &d);
  set_membership(f, &t, DIRECT, CSPD_MS_RESTRICTED);
  set_membership(f, &d, DIRECT, CSPD_MS_RESTRICTED);

  assert_refused(f, invite_as(f, &t, NULL, NULL, NULL), CSPD_E_DB_RESTRICTED, "R-DB-2");
  struct cspd_cinvite inv;
  assert_ok(f, indirect_invite(f, &t, &p, &inv));
  assert_ok(f, invite_as(f, &p, &t, NULL, NULL)); /* generated by the provider as well */
  struct cspd_customer cu = lone_customer(f, "Fourth Coffee", "NL");
  assert_ok(f, accept_as(f, &cu, CADMIN, inv.code));
  assert_true(holding(f, &cu, &t).reseller);

  /* restricted but not enrolled as indirect reseller: no indirect invitations */
  assert_refused(f, indirect_invite(f, &d, &p, NULL), CSPD_E_RESELLER_NOT_ENROLLED, "R-IR-1");
  set_membership(f, &d, RESELLER, CSPD_MS_APPROVED);
  assert_refused(f, indirect_invite(f, &d, &p, NULL), CSPD_E_RESELLER_NOT_ENABLED, "R-ENR-5");
  set_membership(f, &d, RESELLER, CSPD_MS_ACTIVE);
  assert_ok(f, indirect_invite(f, &d, &p, NULL));
}

static void test_R_DB_3_reseller_enablement_checked_again_at_acceptance(void **state) {
  struct fx *f = *state;
  struct partner t = transitioned(f, "Tailspin Toys");
  struct partner p = provider(f, "Fabrikam Distribution");
  partner_up(f, &p, &t);
  set_membership(f, &t, DIRECT, CSPD_MS_RESTRICTED);
  struct cspd_cinvite inv;
  assert_ok(f, indirect_invite(f, &t, &p, &inv));
  struct cspd_customer cu = lone_customer(f, "Fourth Coffee", "NL");
  /* its indirect reseller membership ends before the customer accepts */
  set_membership(f, &t, RESELLER, CSPD_MS_REJECTED);
  assert_refused(f, accept_as(f, &cu, CADMIN, inv.code), CSPD_E_RESELLER_NOT_ENROLLED, "R-IR-1");
  struct cspd_holding h = holding(f, &cu, &t);
  assert_true(holds_nothing(&h));
  set_membership(f, &t, RESELLER, CSPD_MS_ACTIVE);
  assert_ok(f, accept_as(f, &cu, CADMIN, inv.code));
  assert_true(holding(f, &cu, &t).reseller);
}

static void test_R_MPA_1_unsigned_partner_cannot_create_customers(void **state) {
  struct fx *f = *state;
  struct partner d = partner_in(f, "Contoso", "NL");
  set_membership(f, &d, DIRECT, CSPD_MS_ACTIVE); /* onboarded, MPA not signed */
  struct partner p = partner_in(f, "Fabrikam Distribution", "NL");
  set_membership(f, &p, PROVIDER, CSPD_MS_ACTIVE);
  struct partner r = reseller(f, "Litware Resellers");
  partner_up(f, &p, &r);

  assert_refused(f, create_as(f, &d, customer_input(f, "Wingtip Toys", "NL"), NULL),
                 CSPD_E_MPA_REQUIRED, "R-MPA-1");
  assert_refused(f, invite_as(f, &d, NULL, NULL, NULL), CSPD_E_MPA_REQUIRED, "R-MPA-1");
  struct cspd_customer_create in = customer_input(f, "Proseware", "NL");
  in.associated_partner = r.tenant_id;
  assert_refused(f, create_as(f, &p, in, NULL), CSPD_E_MPA_REQUIRED, "R-MPA-1");
  assert_refused(f, indirect_invite(f, &r, &p, NULL), CSPD_E_MPA_REQUIRED, "R-MPA-1");

  mpa_signed(f, &d);
  mpa_signed(f, &p);
  assert_ok(f, create_as(f, &d, customer_input(f, "Wingtip Toys", "NL"), NULL));
  assert_ok(f, invite_as(f, &d, NULL, NULL, NULL));
  assert_ok(f, create_as(f, &p, in, NULL));
  assert_ok(f, indirect_invite(f, &r, &p, NULL));
}

static void test_R_MPA_1_unsigned_provider_gets_no_extended_relationship(void **state) {
  /* "no new customer relationships": an extension gives the provider one.
   * Fails today: cspd_relationship_extend checks no MPA (neither the
   * extending partner's nor the provider's). */
  struct fx *f = *state;
  struct partner t = transitioned(f, "Tailspin Toys");
  struct partner p = partner_in(f, "Fabrikam Distribution", "NL");
  set_membership(f, &p, PROVIDER, CSPD_MS_ACTIVE); /* MPA not signed */
  partner_up(f, &p, &t);
  struct cspd_customer cu = customer_of(f, &t, "Wingtip Toys");
  assert_refused(f, extend(f, &t, &cu, &p), CSPD_E_MPA_REQUIRED, "R-MPA-1");
  assert_false(holding(f, &cu, &p).provider);
  mpa_signed(f, &p);
  assert_ok(f, extend(f, &t, &cu, &p));
}

static void test_R_MPA_3_provider_cannot_create_for_unsigned_reseller(void **state) {
  struct fx *f = *state;
  struct partner p = provider(f, "Fabrikam Distribution");
  struct partner r = partner_in(f, "Litware Resellers", "NL");
  set_membership(f, &r, RESELLER, CSPD_MS_ACTIVE); /* MPA not signed */
  partner_up(f, &p, &r);
  struct cspd_customer_create in = customer_input(f, "Proseware", "NL");
  in.associated_partner = r.tenant_id;
  assert_refused(f, create_as(f, &p, in, NULL), CSPD_E_RESELLER_MPA_REQUIRED_TX, "R-MPA-3");
  mpa_signed(f, &r);
  struct cspd_customer cu;
  assert_ok(f, create_as(f, &p, in, &cu));
  assert_true(holding(f, &cu, &r).reseller);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_R_CUS_1_indirect_acceptance_creates_both_relationships),
      T(test_R_CUS_1_provider_created_customer_held_by_both),
      T(test_R_CUS_2_invitation_link_signed_and_accepted),
      T(test_R_CUS_2_reseller_invites_only_with_a_provider),
      T(test_R_CUS_2_provider_keeps_extended_relationship),
      T(test_R_CUS_2_altered_code_refused),
      T(test_R_CUS_2_not_partners_refused),
      T(test_R_CUS_3_reseller_delegated_admin_provider_orders),
      T(test_R_CUS_4_reseller_cannot_create_customers),
      T(test_R_CUS_4_provider_creates_for_its_reseller),
      T(test_R_CUS_4_associated_partner_must_be_providers_reseller),
      T(test_R_CUS_5_no_direct_purchase_for_indirect_customers),
      T(test_R_CUS_6_capabilities_follow_holding),
      T(test_R_CUS_7_customer_buys_from_several_partners),
      T(test_R_CUS_8_several_partners_manage_one_customer),
      T(test_R_CUS_9_relationships_list_every_partner),
      T(test_R_SELF_1_no_sale_to_own_organization),
      T(test_R_SELF_1_invitation_to_own_use_tenant_refused),
      T(test_R_SELF_2_partner_tenant_never_a_customer),
      T(test_R_SELF_3_reseller_own_use_not_its_providers_customer),
      T(test_R_SELF_3_extension_to_resellers_provider_refused),
      T(test_R_SELF_3_invitation_with_resellers_provider_refused),
      T(test_R_SELF_3_provider_own_customer_refused_too),
      T(test_R_EXT_0_provider_needs_relationship_to_order),
      T(test_R_EXT_1_only_transitioned_partners_extend),
      T(test_R_EXT_2_only_direct_bill_customers),
      T(test_R_EXT_3_target_must_be_accepted_provider),
      T(test_R_EXT_4_provider_sees_billing_copy),
      T(test_R_EXT_5_no_delegated_admin_through_extension),
      T(test_R_EXT_6_provider_listed_after_extension),
      T(test_R_EXT_7_consent_attestation_required),
      T(test_R_EXT_8_only_admin_agent_extends),
      T(test_R_MCA_1_orders_need_customer_agreement),
      T(test_R_MCA_1_cloud_agreement_after_january_2020_refused),
      T(test_R_MCA_2_customer_acceptance_counts_for_every_partner),
      T(test_R_MCA_2_attestation_counts_only_for_attesting_partner),
      T(test_R_REG_1_customer_outside_partner_market_refused),
      T(test_R_REG_1_invitation_accepted_only_in_partner_market),
      T(test_R_DB_2_restricted_partner_cannot_create_or_invite_directly),
      T(test_R_DB_3_restricted_enrolled_reseller_may_invite_indirectly),
      T(test_R_DB_3_reseller_enablement_checked_again_at_acceptance),
      T(test_R_MPA_1_unsigned_partner_cannot_create_customers),
      T(test_R_MPA_1_unsigned_provider_gets_no_extended_relationship),
      T(test_R_MPA_3_provider_cannot_create_for_unsigned_reseller),
  };
  return cmocka_run_group_tests_name("customers", tests, group_setup, NULL);
}
