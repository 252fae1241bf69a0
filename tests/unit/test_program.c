/* test_program.c -- the partner program (core/program.c, SPEC §2.1-2.4)
 * against a memory store: MPA, the direct-bill -> indirect-reseller
 * transition, markets, provider-reseller partnerships and the direct-bill
 * revenue requirement.
 *
 * Every rule id has at least one test named after it (test_R_XXX_N_...).
 * Each asserts the refusal -- the ctx error id and the rule id that error
 * carries in the registry -- and the allowed counterpart, so it fails both
 * when the check is removed and when it refuses everything.
 *
 * Principals are built by hand (no users, no argon2); c.who == NULL is the
 * trusted system, which the setup helpers use. Every core call runs in its
 * own write transaction, so a refusal rolls back only that call. */
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
#include "core/identity.h"
#include "core/markets.h"
#include "core/program.h"
#include "core/util.h"
#include "store/store.h"

#define NOW_MS 1795082400000LL /* Thursday 2026-11-19T10:00:00Z */
#define DAY_MS 86400000LL
#define FAKE_HASH "$argon2id$v=19$m=65536,t=2,p=1$fake$fake"
#define USER_ID "a0000000-0000-4000-8000-0000000000ff"
#define GA CSPD_ROLE_GLOBAL_ADMIN
#define AA CSPD_ROLE_ADMIN_AGENT
#define RESELLER CSPD_PROG_INDIRECT_RESELLER
#define DIRECT CSPD_PROG_DIRECT_BILL
#define PROVIDER CSPD_PROG_INDIRECT_PROVIDER
#define USD_300K 30000000LL /* the R-DB-1 threshold in USD minor units */

/* ---- fixture ---------------------------------------------------------------------------- */

struct fx {
  struct cspd_store *st;
  struct cspd_arena *a; /* lives for the whole test: rows read back stay valid */
  struct cspd_ctx c;
  struct cspd_principal who;
  struct cspd_tenant op; /* the operator tenant */
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

static void as_operator(struct fx *f) {
  as_principal(f, CSPD_TENANT_OPERATOR, f->op.id, CSPD_ROLE_OPERATOR);
}

/* ---- setup and teardown ------------------------------------------------------------------ */

static int op_init_fn(struct cspd_ctx *c, void *arg) {
  return cspd_operator_init(c, "Operator", "root@op.test", FAKE_HASH, false, arg);
}

static int fx_seed_fn(struct cspd_ctx *c, void *arg) {
  (void)arg;
  return cspd_fx_seed_defaults(c);
}

static int setup(void **state) {
  struct fx *f = calloc(1, sizeof *f);
  *state = f;
  f->a = cspd_arena_new(0);
  f->c.arena = f->a;
  f->c.now_ms = NOW_MS;
  char err[512] = "";
  if (cspd_store_open("memory", &f->st, err, sizeof err) != 0) {
    print_error("store: %s\n", err);
    return -1;
  }
  if (run(f, op_init_fn, &f->op) != 0 || run(f, fx_seed_fn, NULL) != 0) {
    print_error("setup: %s %s\n", err_name(f), err_detail(f));
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
  return cspd_crypto_init() == 0 && cspd_markets_init() == 0 ? 0 : -1;
}

/* ---- setup helpers (run as the trusted system; the caller's principal is kept) ------------ */

/** Run @a fn as the system; a refusal fails the test. */
static void sys_run(struct fx *f, op_fn fn, void *arg, const char *what) {
  struct saved_who s = save_who(f);
  as_system(f);
  int rc = run(f, fn, arg);
  restore_who(f, &s);
  if (rc != 0)
    fail_msg("setup %s: %s %s (rc %d)", what, err_name(f), err_detail(f), rc);
}

/** A partner location (tenant) with its organization's ids. */
struct partner {
  char org_id[37], tenant_id[37], mpn_id[16], global_mpn_id[16];
  const char *name;
  const char *email; /* primary contact e-mail (arena) */
};

/** The legal profile of a location; NULL fields are left empty. */
struct profile {
  struct cspd_address address;
  struct cspd_contact contact;
};

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

/** "Contoso Direct", "NL" -> "contosodirectnl" (arena). */
static const char *slug(struct fx *f, const char *name, const char *country) {
  char *s = cspd_arena_printf(f->a, "%s%s", name, country);
  char *w = s;
  for (const char *r = s; *r; r++)
    if (isalnum((unsigned char)*r))
      *w++ = (char)tolower((unsigned char)*r);
  *w = '\0';
  return s;
}

/** A complete legal profile whose contact e-mail is admin@<slug>.test. */
static struct profile complete_profile(struct fx *f, const char *name, const char *country) {
  return (struct profile){
      .address = {.line1 = "Stationsplein 1", .city = "Amsterdam", .postal_code = "1012 AB"},
      .contact = {.first_name = "Ada",
                  .last_name = "Admin",
                  .email = cspd_arena_printf(f->a, "admin@%s.test", slug(f, name, country)),
                  .phone = "+31 20 000 0000"},
  };
}

static struct partner location_in(struct fx *f, const struct cspd_org *o, const char *country,
                                  const struct profile *pr) {
  struct loc_args l = {
      .in = {.org_id = o->id, .country = country, .address = pr->address, .contact = pr->contact}};
  sys_run(f, loc_fn, &l, "location");
  struct partner p = {.name = o->name, .email = pr->contact.email};
  memcpy(p.org_id, o->id, sizeof p.org_id);
  memcpy(p.tenant_id, l.out.tenant_id, sizeof p.tenant_id);
  memcpy(p.mpn_id, l.out.mpn_id, sizeof p.mpn_id);
  memcpy(p.global_mpn_id, o->mpn_id, sizeof p.global_mpn_id);
  return p;
}

/** A partner organization with one location in @a country and profile @a pr;
 * no memberships, no MPA, no anniversary. */
static struct partner partner_with(struct fx *f, const char *name, const char *country,
                                   const struct profile *pr) {
  struct org_args o = {.in = {.name = name}};
  sys_run(f, org_fn, &o, "organization");
  return location_in(f, &o.out, country, pr);
}

/** The same, with a complete legal profile. */
static struct partner partner_in(struct fx *f, const char *name, const char *country) {
  struct profile pr = complete_profile(f, name, country);
  return partner_with(f, name, country, &pr);
}

/** Another location of @a p's organization, with a complete profile. */
static struct partner second_location(struct fx *f, const struct partner *p, const char *country) {
  struct cspd_org o = {.name = p->name};
  memcpy(o.id, p->org_id, sizeof o.id);
  memcpy(o.mpn_id, p->global_mpn_id, sizeof o.mpn_id);
  struct profile pr = complete_profile(f, p->name, country);
  return location_in(f, &o, country, &pr);
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
static int ms_get_fn(struct cspd_ctx *c, void *arg) {
  struct ms_args *a = arg;
  return cspd_membership_state(c, a->tenant, a->program, &a->state);
}

static void set_membership(struct fx *f, const char *tenant, enum cspd_program program,
                           enum cspd_mstate state) {
  struct ms_args a = {tenant, program, state};
  sys_run(f, ms_set_fn, &a, "membership");
}

static enum cspd_mstate membership(struct fx *f, const char *tenant, enum cspd_program program) {
  struct ms_args a = {.tenant = tenant, .program = program};
  sys_run(f, ms_get_fn, &a, "membership state");
  return a.state;
}

static int mpa_put_fn(struct cspd_ctx *c, void *arg) {
  struct cspd_mpa m = {
      .signer_name = "Ada Admin", .signer_email = "ada@signer.test", .signed_ms = c->now_ms};
  snprintf(m.tenant_id, sizeof m.tenant_id, "%s", (const char *)arg);
  return cspd_store_fail(c, cspd_db_ops(c->db)->mpa_put(c->db, &m), 0, 0);
}

/** The MPA is signed for @a tenant (written straight to the store). */
static void mpa_signed(struct fx *f, const char *tenant) {
  sys_run(f, mpa_put_fn, (void *)tenant, "mpa");
}

struct fields_args {
  const char *org, *anniversary, *email;
};
static int fields_fn(struct cspd_ctx *c, void *arg) {
  struct fields_args *a = arg;
  return cspd_store_fail(
      c, cspd_db_ops(c->db)->org_set_program_fields(c->db, a->org, a->anniversary, a->email), 0, 0);
}

/** Program anniversary ("YYYY-MM-DD" or NULL) and global account e-mail of an organization. */
static void set_program_fields(struct fx *f, const struct partner *p, const char *anniversary,
                               const char *email) {
  struct fields_args a = {p->org_id, anniversary, email};
  sys_run(f, fields_fn, &a, "program fields");
}

/** Make @a p an onboarded direct-bill partner: active membership, MPA
 * signed, anniversary in October (inside the default September-December). */
static void make_direct_bill(struct fx *f, const struct partner *p) {
  set_membership(f, p->tenant_id, DIRECT, CSPD_MS_ACTIVE);
  mpa_signed(f, p->tenant_id);
  set_program_fields(f, p, "2017-10-15", NULL);
}

/** "a direct-bill partner in NL with a complete profile" */
static struct partner direct_bill_partner(struct fx *f, const char *name) {
  struct partner p = partner_in(f, name, "NL");
  make_direct_bill(f, &p);
  return p;
}

/** An active indirect provider that signed the MPA. */
static struct partner provider(struct fx *f, const char *name, const char *country) {
  struct partner p = partner_in(f, name, country);
  set_membership(f, p.tenant_id, PROVIDER, CSPD_MS_ACTIVE);
  mpa_signed(f, p.tenant_id);
  return p;
}

/** An onboarded, enrolled indirect reseller that signed the MPA. */
static struct partner reseller(struct fx *f, const char *name, const char *country) {
  struct partner p = partner_in(f, name, country);
  set_membership(f, p.tenant_id, RESELLER, CSPD_MS_ACTIVE);
  mpa_signed(f, p.tenant_id);
  return p;
}

static void as_partner(struct fx *f, const struct partner *p, unsigned roles) {
  as_principal(f, CSPD_TENANT_PARTNER, p->tenant_id, roles);
}

static int settings_fn(struct cspd_ctx *c, void *arg) {
  json_t *doc = json_loads(arg, 0, NULL);
  if (doc == NULL)
    return cspd_fail(c, CSPD_E_MALFORMED_JSON, NULL);
  struct cspd_program_settings s;
  int rc = cspd_program_settings_get(c, &s);
  if (rc == 0)
    rc = cspd_program_settings_parse(c, doc, &s);
  json_decref(doc);
  return rc != 0 ? rc : cspd_program_settings_put(c, &s);
}

/** Change the operator's program settings with a PUT-like JSON document
 * (the fields it names); returns the core's answer. */
static int program_settings(struct fx *f, const char *json) {
  struct saved_who s = save_who(f);
  as_operator(f);
  int rc = run(f, settings_fn, (void *)json);
  restore_who(f, &s);
  return rc;
}

/* ---- core calls --------------------------------------------------------------------------- */

struct str_call {
  int (*fn)(struct cspd_ctx *, const char *);
  const char *arg;
};
static int str_call_fn(struct cspd_ctx *c, void *arg) {
  struct str_call *k = arg;
  return k->fn(c, k->arg);
}

/** A core call taking one string -- a rule check (tenant id, PartnerID) or
 * cspd_enrollment_undo (enrollment id) -- as the current principal. */
static int check(struct fx *f, int (*fn)(struct cspd_ctx *, const char *), const char *arg) {
  struct str_call k = {fn, arg};
  return run(f, str_call_fn, &k);
}

static int lookup_fn(struct cspd_ctx *c, void *arg) {
  (void)arg;
  return cspd_providers_lookup_allowed(c);
}
/** R-PRT-1: may the current principal look up providers? */
static int providers_lookup(struct fx *f) {
  return run(f, lookup_fn, NULL);
}

struct mpa_args {
  const char *name, *email;
  struct cspd_mpa out;
};
static int mpa_sign_fn(struct cspd_ctx *c, void *arg) {
  struct mpa_args *a = arg;
  return cspd_mpa_sign(c, a->name, a->email, &a->out);
}
static int sign_mpa(struct fx *f, struct cspd_mpa *out) {
  struct mpa_args a = {"Ada Admin", "ada@signer.test"};
  int rc = run(f, mpa_sign_fn, &a);
  if (out != NULL)
    *out = a.out;
  return rc;
}

struct status_args {
  const char *mpn, *tenant;
  bool is_signed;
};
static int status_fn(struct cspd_ctx *c, void *arg) {
  struct status_args *a = arg;
  return cspd_agreement_status(c, a->mpn, a->tenant, &a->is_signed);
}
/** cspd_agreement_status; a refusal fails the test. */
static bool agreement_signed(struct fx *f, const char *mpn, const char *tenant) {
  struct status_args a = {mpn, tenant, false};
  assert_ok(f, run(f, status_fn, &a));
  return a.is_signed;
}

/* The enrollment form as the current principal, reduced to what tests look at. */
struct form_view {
  bool available, complete;
  char etag[24], rule[16];
  char missing[256]; /* the "missing" array as compact JSON */
};
static int form_fn(struct cspd_ctx *c, void *arg) {
  struct form_view *v = arg;
  json_t *form = NULL;
  int rc = cspd_enrollment_form(c, RESELLER, &form);
  if (rc != 0)
    return rc;
  memset(v, 0, sizeof *v);
  v->available = json_is_true(json_object_get(form, "available"));
  v->complete = json_is_true(json_object_get(form, "profileComplete"));
  const char *etag = json_string_value(json_object_get(form, "profileEtag"));
  const char *rule = json_string_value(json_object_get(form, "rule"));
  snprintf(v->etag, sizeof v->etag, "%s", etag ? etag : "");
  snprintf(v->rule, sizeof v->rule, "%s", rule ? rule : "");
  char *missing = json_dumps(json_object_get(form, "missing"), JSON_COMPACT | JSON_ENCODE_ANY);
  snprintf(v->missing, sizeof v->missing, "%s", missing ? missing : "");
  free(missing);
  json_decref(form);
  return 0;
}
static int review(struct fx *f, struct form_view *v) {
  return run(f, form_fn, v);
}

struct enr_args {
  const char *id, *etag, *email, *reason;
  struct cspd_enrollment out;
};
static int submit_fn(struct cspd_ctx *c, void *arg) {
  struct enr_args *a = arg;
  return cspd_enrollment_submit(c, RESELLER, a->etag, a->email, &a->out);
}
static int approve_fn(struct cspd_ctx *c, void *arg) {
  struct enr_args *a = arg;
  return cspd_enrollment_approve(c, a->id, &a->out);
}
static int reject_fn(struct cspd_ctx *c, void *arg) {
  struct enr_args *a = arg;
  return cspd_enrollment_reject(c, a->id, a->reason, &a->out);
}
static int accept_fn(struct cspd_ctx *c, void *arg) {
  struct enr_args *a = arg;
  return cspd_enrollment_accept_agreement(c, a->id, &a->out);
}
static int read_fn(struct cspd_ctx *c, void *arg) {
  struct enr_args *a = arg;
  return cspd_enrollment_read(c, a->id, &a->out);
}

/** Run one enrollment operation; @a out (may be NULL) gets the row. */
static int enr_op(struct fx *f, op_fn fn, struct enr_args a, struct cspd_enrollment *out) {
  int rc = run(f, fn, &a);
  if (out != NULL)
    *out = a.out;
  return rc;
}
static int submit(struct fx *f, const char *etag, const char *email, struct cspd_enrollment *out) {
  return enr_op(f, submit_fn, (struct enr_args){.etag = etag, .email = email}, out);
}
static int approve(struct fx *f, const char *id, struct cspd_enrollment *out) {
  return enr_op(f, approve_fn, (struct enr_args){.id = id}, out);
}
static int reject(struct fx *f, const char *id, const char *reason, struct cspd_enrollment *out) {
  return enr_op(f, reject_fn, (struct enr_args){.id = id, .reason = reason}, out);
}
static int accept_agreement(struct fx *f, const char *id, struct cspd_enrollment *out) {
  return enr_op(f, accept_fn, (struct enr_args){.id = id}, out);
}

/** The enrollment as the operator sees it now. */
static struct cspd_enrollment enrollment_now(struct fx *f, const char *id) {
  struct saved_who s = save_who(f);
  as_operator(f);
  struct cspd_enrollment e;
  int rc = enr_op(f, read_fn, (struct enr_args){.id = id}, &e);
  restore_who(f, &s);
  if (rc != 0)
    fail_msg("read enrollment %s: %s", id, err_name(f));
  return e;
}

/* ---- the transition, step by step (each as the party that takes it) ------------------------- */

/** @a p's global admin reviews the form and submits: the enrollment. */
static struct cspd_enrollment enroll(struct fx *f, const struct partner *p) {
  struct saved_who s = save_who(f);
  as_partner(f, p, GA);
  struct form_view v;
  struct cspd_enrollment e;
  assert_ok(f, review(f, &v));
  assert_ok(f, submit(f, v.etag, NULL, &e));
  restore_who(f, &s);
  return e;
}

/** The operator approves enrollment @a id. */
static void operator_approves(struct fx *f, const char *id) {
  struct saved_who s = save_who(f);
  as_operator(f);
  assert_ok(f, approve(f, id, NULL));
  restore_who(f, &s);
}

/** @a p's global admin accepts the indirect reseller agreement. */
static void partner_accepts(struct fx *f, const struct partner *p, const char *id) {
  struct saved_who s = save_who(f);
  as_partner(f, p, GA);
  assert_ok(f, accept_agreement(f, id, NULL));
  restore_who(f, &s);
}

/** The whole transition: enrolled, approved, agreement accepted. */
static struct cspd_enrollment transition(struct fx *f, const struct partner *p) {
  struct cspd_enrollment e = enroll(f, p);
  operator_approves(f, e.id);
  partner_accepts(f, p, e.id);
  return e;
}

/* ---- jobs, notifications, partnerships ------------------------------------------------------ */

static int job_fn(struct cspd_ctx *c, void *arg) {
  int rc = cspd_jobs_run_one(c);
  if (rc < 0)
    return rc;
  *(int *)arg = rc;
  return 0;
}

/** Run one job due at @a now_ms (the cspd clock moved there): 1 ran, 0 none due. */
static int run_job_at(struct fx *f, int64_t now_ms) {
  f->c.now_ms = now_ms;
  int ran = -1;
  assert_ok(f, run(f, job_fn, &ran));
  return ran;
}

/** Run every job due at @a now_ms: how many ran. */
static int run_jobs_at(struct fx *f, int64_t now_ms) {
  int n = 0;
  while (run_job_at(f, now_ms) == 1)
    n++;
  return n;
}

struct notes_args {
  const char *tenant, *kind, *recipient;
  int count;
};
static int notes_fn(struct cspd_ctx *c, void *arg) {
  struct notes_args *a = arg;
  struct cspd_notification *ns;
  int n;
  int rc = cspd_db_ops(c->db)->notification_list(c->db, a->tenant, "", 200, c->arena, &ns, &n);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  for (int i = 0; i < n; i++)
    if (strcmp(ns[i].kind, a->kind) == 0 &&
        (a->recipient == NULL || strcmp(ns[i].recipient, a->recipient) == 0))
      a->count++;
  return 0;
}

/** Notifications of @a tenant of @a kind to @a recipient (NULL: anyone),
 * read back from the store's outbox. */
static int notes(struct fx *f, const char *tenant, const char *kind, const char *recipient) {
  struct notes_args a = {tenant, kind, recipient, 0};
  sys_run(f, notes_fn, &a, "notification_list");
  return a.count;
}

struct plist_args {
  const char *tenant;
  enum cspd_partnership_side side;
  int active;
};
static int plist_fn(struct cspd_ctx *c, void *arg) {
  struct plist_args *a = arg;
  struct cspd_partnership *ps;
  int n;
  int rc =
      cspd_db_ops(c->db)->partnership_list(c->db, a->tenant, a->side, "", 100, c->arena, &ps, &n);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  for (int i = 0; i < n; i++)
    if (strcmp(ps[i].state, "active") == 0)
      a->active++;
  return 0;
}

/** Active partnerships of @a tenant: its resellers (PROVIDER side) or its providers. */
static int active_partnerships(struct fx *f, const char *tenant, enum cspd_partnership_side side) {
  struct plist_args a = {tenant, side, 0};
  sys_run(f, plist_fn, &a, "partnership_list");
  return a.active;
}

struct inv_args {
  const char *mpn, *email, *id;
  struct cspd_invitation out;
};
static int invite_fn(struct cspd_ctx *c, void *arg) {
  struct inv_args *a = arg;
  return cspd_invitation_create(c, a->mpn, a->email, &a->out);
}
static int inv_accept_fn(struct cspd_ctx *c, void *arg) {
  struct inv_args *a = arg;
  return cspd_invitation_accept(c, a->id, &a->out);
}

/** The current principal invites a reseller by PartnerID or e-mail. */
static int invite(struct fx *f, const char *mpn, const char *email, struct cspd_invitation *out) {
  struct inv_args a = {.mpn = mpn, .email = email};
  int rc = run(f, invite_fn, &a);
  if (out != NULL)
    *out = a.out;
  return rc;
}

/** The current principal accepts invitation @a id. */
static int accept_invitation(struct fx *f, const char *id) {
  struct inv_args a = {.id = id};
  return run(f, inv_accept_fn, &a);
}

/** @a prov invites @a res by PartnerID and @a res's global admin accepts. */
static void partner_up(struct fx *f, const struct partner *prov, const struct partner *res) {
  struct saved_who s = save_who(f);
  struct cspd_invitation v;
  as_partner(f, prov, GA);
  assert_ok(f, invite(f, res->mpn_id, NULL, &v));
  as_partner(f, res, GA);
  assert_ok(f, accept_invitation(f, v.id));
  restore_who(f, &s);
}

struct end_args {
  const char *provider, *reseller;
};
static int end_fn(struct cspd_ctx *c, void *arg) {
  struct end_args *a = arg;
  return cspd_partnership_end(c, a->provider, a->reseller, "support request");
}
static int end_partnership(struct fx *f, const struct partner *prov, const struct partner *res) {
  struct end_args a = {prov->tenant_id, res->tenant_id};
  return run(f, end_fn, &a);
}

/* ---- revenue and the direct-bill evaluation -------------------------------------------------- */

struct rev_args {
  const char *org, *tenant, *period, *currency, *kind;
  int64_t amount;
  struct cspd_revenue out;
};
static int rev_fn(struct cspd_ctx *c, void *arg) {
  struct rev_args *a = arg;
  return cspd_revenue_record(c, a->org, a->tenant, a->period, a->amount, a->currency, a->kind, NULL,
                             &a->out);
}

/** Record revenue of @a p's organization (booked on its location); the USD minor units. */
static int64_t revenue(struct fx *f, const struct partner *p, const char *period, int64_t amount,
                       const char *currency, const char *kind) {
  struct rev_args a = {p->org_id, p->tenant_id, period, currency, kind, amount};
  sys_run(f, rev_fn, &a, "revenue");
  return a.out.usd_minor;
}

struct usd_args {
  int64_t amount;
  const char *currency;
  int64_t usd;
};
static int usd_fn(struct cspd_ctx *c, void *arg) {
  struct usd_args *a = arg;
  return cspd_to_usd_minor(c, a->amount, a->currency, &a->usd);
}
static int to_usd(struct fx *f, int64_t amount, const char *currency, int64_t *usd) {
  struct usd_args a = {amount, currency, 0};
  int rc = run(f, usd_fn, &a);
  *usd = a.usd;
  return rc;
}
/** USD minor units of @a amount; a refusal fails the test. */
static int64_t usd(struct fx *f, int64_t amount, const char *currency) {
  int64_t out;
  assert_ok(f, to_usd(f, amount, currency, &out));
  return out;
}

/** One global account's line of the evaluation report. */
struct db_line {
  bool found, meets;
  int64_t trailing;
  int changes;
  char from[8], to[8];
};
struct eval_args {
  int64_t as_of;
  bool apply;
  const char *org;
  struct db_line line;
};
static int eval_fn(struct cspd_ctx *c, void *arg) {
  struct eval_args *a = arg;
  json_t *report = NULL;
  int rc = cspd_directbill_evaluate(c, a->as_of, a->apply, &report);
  if (rc != 0)
    return rc;
  memset(&a->line, 0, sizeof a->line);
  snprintf(a->line.from, sizeof a->line.from, "%s",
           json_string_value(json_object_get(report, "fromPeriod")));
  snprintf(a->line.to, sizeof a->line.to, "%s",
           json_string_value(json_object_get(report, "toPeriod")));
  size_t i;
  json_t *it;
  json_array_foreach(json_object_get(report, "items"), i, it) {
    if (strcmp(json_string_value(json_object_get(it, "partnerId")), a->org) != 0)
      continue;
    a->line.found = true;
    a->line.meets = json_is_true(json_object_get(it, "meetsRequirement"));
    a->line.trailing = json_integer_value(json_object_get(it, "trailingRevenueUsdMinor"));
    a->line.changes = (int)json_array_size(json_object_get(it, "changes"));
  }
  json_decref(report);
  return 0;
}

/** Evaluate R-DB-1 at @a as_of as the operator (@a apply: restrict and
 * reinstate); the report line of @a p's organization. */
static struct db_line evaluate(struct fx *f, int64_t as_of, bool apply, const struct partner *p) {
  struct saved_who s = save_who(f);
  as_operator(f);
  struct eval_args a = {as_of, apply, p->org_id};
  assert_ok(f, run(f, eval_fn, &a));
  restore_who(f, &s);
  return a.line;
}

#define EVAL_NOV_2026 1793491200000LL /* 2026-11-01T00:00:00Z: window 2025-11..2026-10 */

/* ================================================================================================
 * 2.1 Program membership and agreements
 * ============================================================================================== */

static void test_R_MPA_1_unsigned_partner_cannot_transact(void **state) {
  struct fx *f = *state;
  struct partner p = partner_in(f, "Contoso Direct", "NL");
  set_membership(f, p.tenant_id, DIRECT, CSPD_MS_ACTIVE); /* onboarded, not signed */
  assert_refused(f, check(f, cspd_rule_mpa, p.tenant_id), CSPD_E_MPA_REQUIRED, "R-MPA-1");
  as_partner(f, &p, GA);
  struct cspd_mpa m;
  assert_ok(f, sign_mpa(f, &m));
  assert_string_equal(m.tenant_id, p.tenant_id);
  assert_int_equal(m.signed_ms, NOW_MS);
  assert_ok(f, check(f, cspd_rule_mpa, p.tenant_id));
  assert_int_equal(notes(f, p.tenant_id, "mpa_signed", "ada@signer.test"), 1);
}

static void test_R_MPA_1_only_global_admin_signs_once(void **state) {
  struct fx *f = *state;
  struct partner p = partner_in(f, "Contoso Direct", "NL");
  as_partner(f, &p, AA | CSPD_ROLE_BILLING_ADMIN);
  assert_refused(f, sign_mpa(f, NULL), CSPD_E_MPA_SIGNER_ROLE, "R-MPA-1");
  assert_refused(f, check(f, cspd_rule_mpa, p.tenant_id), CSPD_E_MPA_REQUIRED, "R-MPA-1");
  as_operator(f); /* the operator does not sign for a partner */
  assert_refused(f, sign_mpa(f, NULL), CSPD_E_TENANT_FORBIDDEN, NULL);
  as_partner(f, &p, GA);
  assert_ok(f, sign_mpa(f, NULL));
  assert_ok(f, check(f, cspd_rule_mpa, p.tenant_id));
  assert_refused(f, sign_mpa(f, NULL), CSPD_E_MPA_ALREADY_SIGNED, "R-MPA-1");
}

static void test_R_MPA_1_agreement_status_follows_signatures(void **state) {
  struct fx *f = *state;
  struct partner nl = partner_in(f, "Contoso", "NL");
  struct partner de = second_location(f, &nl, "DE");
  as_operator(f);
  assert_false(agreement_signed(f, NULL, nl.tenant_id));
  assert_false(agreement_signed(f, nl.mpn_id, NULL));
  assert_false(agreement_signed(f, nl.global_mpn_id, NULL));
  mpa_signed(f, nl.tenant_id);
  assert_true(agreement_signed(f, NULL, nl.tenant_id));
  assert_true(agreement_signed(f, nl.mpn_id, NULL));
  assert_false(agreement_signed(f, de.mpn_id, NULL));
  /* a global PartnerID: signed only when every location signed */
  assert_false(agreement_signed(f, nl.global_mpn_id, NULL));
  mpa_signed(f, de.tenant_id);
  assert_true(agreement_signed(f, nl.global_mpn_id, NULL));
  struct status_args both = {nl.mpn_id, nl.tenant_id, false};
  assert_refused(f, run(f, status_fn, &both), CSPD_E_AGREEMENTSTATUS_ARGS, NULL);
  struct status_args unknown = {"9999999", NULL, false};
  assert_refused(f, run(f, status_fn, &unknown), CSPD_E_MPN_NOT_FOUND, NULL);
}

static void test_R_MPA_2_partner_of_record_needs_signed_reseller(void **state) {
  struct fx *f = *state;
  struct partner prov = provider(f, "Fabrikam", "NL");
  struct partner r = partner_in(f, "Tailspin", "DE");
  set_membership(f, r.tenant_id, RESELLER, CSPD_MS_ACTIVE); /* enrolled, MPA not signed */
  as_partner(f, &prov, AA);
  assert_refused(f, check(f, cspd_rule_partner_of_record_mpa, r.mpn_id),
                 CSPD_E_RESELLER_MPA_REQUIRED, "R-MPA-2");
  assert_non_null(strstr(err_detail(f), r.mpn_id));
  assert_refused(f, check(f, cspd_rule_partner_of_record_mpa, "9999999"), CSPD_E_MPN_NOT_FOUND,
                 NULL);
  mpa_signed(f, r.tenant_id);
  assert_ok(f, check(f, cspd_rule_partner_of_record_mpa, r.mpn_id));
}

static void test_R_MPA_3_provider_cannot_transact_for_unsigned_reseller(void **state) {
  struct fx *f = *state;
  struct partner prov = provider(f, "Fabrikam", "NL");
  struct partner r = partner_in(f, "Tailspin", "DE");
  set_membership(f, r.tenant_id, RESELLER, CSPD_MS_ACTIVE);
  partner_up(f, &prov, &r); /* partners, but the reseller never signed */
  as_partner(f, &prov, AA);
  assert_refused(f, check(f, cspd_rule_provider_for_reseller_mpa, r.tenant_id),
                 CSPD_E_RESELLER_MPA_REQUIRED_TX, "R-MPA-3");
  mpa_signed(f, r.tenant_id);
  assert_ok(f, check(f, cspd_rule_provider_for_reseller_mpa, r.tenant_id));
}

static void test_R_IR_1_reseller_must_be_enrolled_and_signed(void **state) {
  struct fx *f = *state;
  struct partner r = partner_in(f, "Tailspin", "DE"); /* (a) onboarded only */
  assert_refused(f, check(f, cspd_rule_reseller_enabled, r.tenant_id), CSPD_E_RESELLER_NOT_ENROLLED,
                 "R-IR-1");
  set_membership(f, r.tenant_id, RESELLER, CSPD_MS_REJECTED);
  assert_refused(f, check(f, cspd_rule_reseller_enabled, r.tenant_id), CSPD_E_RESELLER_NOT_ENROLLED,
                 "R-IR-1");
  set_membership(f, r.tenant_id, RESELLER, CSPD_MS_ACTIVE); /* (b) enrolled, (c) not signed */
  assert_refused(f, check(f, cspd_rule_reseller_enabled, r.tenant_id), CSPD_E_MPA_REQUIRED,
                 "R-MPA-1");
  mpa_signed(f, r.tenant_id);
  assert_ok(f, check(f, cspd_rule_reseller_enabled, r.tenant_id));
}

static void test_R_IR_1_unenrolled_partner_cannot_accept_partnership(void **state) {
  struct fx *f = *state;
  struct partner prov = provider(f, "Fabrikam", "NL");
  struct partner p = direct_bill_partner(f, "Contoso Direct"); /* never enrolled */
  struct cspd_invitation v;
  as_partner(f, &prov, GA);
  assert_ok(f, invite(f, p.mpn_id, NULL, &v));
  as_partner(f, &p, GA);
  assert_refused(f, accept_invitation(f, v.id), CSPD_E_RESELLER_NOT_ENROLLED, "R-IR-1");
  assert_int_equal(active_partnerships(f, p.tenant_id, CSPD_SIDE_RESELLER), 0);
  set_membership(f, p.tenant_id, RESELLER, CSPD_MS_ACTIVE);
  assert_ok(f, accept_invitation(f, v.id));
  assert_int_equal(active_partnerships(f, p.tenant_id, CSPD_SIDE_RESELLER), 1);
}

/* ================================================================================================
 * 2.2 The transition: direct-bill tenant -> indirect reseller
 * ============================================================================================== */

static void test_R_ENR_1_only_global_admin_enrolls(void **state) {
  struct fx *f = *state;
  struct partner p = direct_bill_partner(f, "Contoso Direct");
  struct form_view v;
  as_partner(f, &p, AA | CSPD_ROLE_SALES_AGENT | CSPD_ROLE_BILLING_ADMIN);
  assert_refused(f, review(f, &v), CSPD_E_ENR_GLOBAL_ADMIN, "R-ENR-1");
  assert_refused(f, submit(f, "1", NULL, NULL), CSPD_E_ENR_GLOBAL_ADMIN, "R-ENR-1");
  assert_int_equal(membership(f, p.tenant_id, RESELLER), CSPD_MS_NONE);
  as_partner(f, &p, GA);
  assert_ok(f, review(f, &v));
  assert_true(v.available);
  struct cspd_enrollment e;
  assert_ok(f, submit(f, v.etag, NULL, &e));
  /* the same tenant (directory) enrolls: no new tenant */
  assert_string_equal(e.tenant_id, p.tenant_id);
  assert_int_equal(membership(f, p.tenant_id, RESELLER), CSPD_MS_PENDING);
}

static void test_R_ENR_1_only_direct_bill_tenant_enrolls(void **state) {
  struct fx *f = *state;
  struct partner prov = provider(f, "Fabrikam", "NL");
  set_program_fields(f, &prov, "2017-10-15", NULL); /* anniversary enabled: only R-ENR-1 is left */
  struct form_view v;
  as_partner(f, &prov, GA);
  assert_ok(f, review(f, &v));
  assert_false(v.available);
  assert_string_equal(v.rule, "R-ENR-1");
  assert_refused(f, submit(f, v.etag, NULL, NULL), CSPD_E_ENR_NOT_DIRECT_BILL, "R-ENR-1");
  assert_int_equal(membership(f, prov.tenant_id, RESELLER), CSPD_MS_NONE);
  /* a direct-bill partner may, restricted (R-DB-1) or not */
  struct partner p = direct_bill_partner(f, "Contoso Direct");
  struct partner q = direct_bill_partner(f, "Litware Direct");
  set_membership(f, q.tenant_id, DIRECT, CSPD_MS_RESTRICTED);
  struct cspd_enrollment e = enroll(f, &p);
  assert_string_equal(e.tenant_id, p.tenant_id);
  e = enroll(f, &q);
  assert_string_equal(e.tenant_id, q.tenant_id);
}

static void test_R_ENR_1_only_its_global_admin_accepts_the_agreement(void **state) {
  struct fx *f = *state;
  struct partner p = direct_bill_partner(f, "Contoso Direct");
  struct partner other = direct_bill_partner(f, "Litware Direct");
  struct cspd_enrollment e = enroll(f, &p);
  operator_approves(f, e.id);
  as_partner(f, &p, AA);
  assert_refused(f, accept_agreement(f, e.id, NULL), CSPD_E_ENR_GLOBAL_ADMIN, "R-ENR-1");
  as_partner(f, &other, GA); /* another tenant does not even see it */
  assert_refused(f, accept_agreement(f, e.id, NULL), CSPD_E_ENROLLMENT_NOT_FOUND, NULL);
  as_operator(f); /* nor does the operator accept for the partner */
  assert_refused(f, accept_agreement(f, e.id, NULL), CSPD_E_TENANT_FORBIDDEN, NULL);
  assert_int_equal(membership(f, p.tenant_id, RESELLER), CSPD_MS_APPROVED);
  as_partner(f, &p, GA);
  assert_ok(f, accept_agreement(f, e.id, NULL));
  assert_int_equal(membership(f, p.tenant_id, RESELLER), CSPD_MS_ACTIVE);
}

struct profile_update {
  const char *tenant, *city, *last_name;
};
static int profile_update_fn(struct cspd_ctx *c, void *arg) {
  struct profile_update *u = arg;
  struct cspd_location l;
  int rc = cspd_db_ops(c->db)->location_get(c->db, u->tenant, c->arena, &l);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_LOCATION_NOT_FOUND, 0);
  l.address.city = u->city;
  l.contact.last_name = u->last_name;
  return cspd_location_update(c, &l);
}
/** @a p's global admin updates the legal profile (version +1). */
static void update_profile(struct fx *f, const struct partner *p, const char *city,
                           const char *last_name) {
  struct saved_who s = save_who(f);
  as_partner(f, p, GA);
  struct profile_update u = {p->tenant_id, city, last_name};
  assert_ok(f, run(f, profile_update_fn, &u));
  restore_who(f, &s);
}

static void test_R_ENR_2_incomplete_profile_names_missing_fields(void **state) {
  struct fx *f = *state;
  struct profile pr = complete_profile(f, "Litware Direct", "NL");
  pr.address.city = NULL;
  pr.contact.last_name = "";
  struct partner p = partner_with(f, "Litware Direct", "NL", &pr);
  make_direct_bill(f, &p);
  as_partner(f, &p, GA);
  struct form_view v;
  assert_ok(f, review(f, &v));
  assert_false(v.complete);
  assert_string_equal(v.missing, "[\"address.city\",\"primaryContact.lastName\"]");
  assert_refused(f, submit(f, v.etag, NULL, NULL), CSPD_E_ENR_PROFILE_INCOMPLETE, "R-ENR-2");
  assert_int_equal(f->c.err.ndata, 2);
  assert_string_equal(f->c.err.data[0], "address.city");
  assert_string_equal(f->c.err.data[1], "primaryContact.lastName");
  assert_non_null(strstr(err_detail(f), "address.city"));
  assert_int_equal(membership(f, p.tenant_id, RESELLER), CSPD_MS_NONE);
  update_profile(f, &p, "Amsterdam", "Admin");
  assert_ok(f, review(f, &v));
  assert_true(v.complete);
  assert_string_equal(v.missing, "[]");
  struct cspd_enrollment e;
  assert_ok(f, submit(f, v.etag, NULL, &e));
  assert_int_equal(e.state, CSPD_MS_PENDING);
}

static void test_R_ENR_2_missing_or_stale_profile_etag_refused(void **state) {
  struct fx *f = *state;
  struct partner p = direct_bill_partner(f, "Contoso Direct");
  as_partner(f, &p, GA);
  struct form_view reviewed, current;
  assert_ok(f, review(f, &reviewed));
  assert_refused(f, submit(f, NULL, NULL, NULL), CSPD_E_ENR_REVIEW_REQUIRED, "R-ENR-2");
  assert_refused(f, submit(f, "", NULL, NULL), CSPD_E_ENR_REVIEW_REQUIRED, "R-ENR-2");
  update_profile(f, &p, "Utrecht", "Admin"); /* the profile changes after the review */
  assert_refused(f, submit(f, reviewed.etag, NULL, NULL), CSPD_E_ENR_PROFILE_CHANGED, "R-ENR-2");
  assert_int_equal(cspd_error_info(CSPD_E_ENR_PROFILE_CHANGED)->http_status, 412);
  assert_int_equal(membership(f, p.tenant_id, RESELLER), CSPD_MS_NONE);
  assert_ok(f, review(f, &current));
  assert_string_not_equal(current.etag, reviewed.etag);
  assert_ok(f, submit(f, current.etag, NULL, NULL));
}

static void test_R_ENR_3_submitted_enrollment_is_pending(void **state) {
  struct fx *f = *state;
  struct partner p = direct_bill_partner(f, "Contoso Direct");
  struct cspd_enrollment e = enroll(f, &p);
  assert_int_equal(e.state, CSPD_MS_PENDING);
  assert_int_equal(e.submitted_ms, NOW_MS);
  assert_int_equal(e.decided_ms, 0);
  assert_int_equal(membership(f, p.tenant_id, RESELLER), CSPD_MS_PENDING);
  assert_int_equal(notes(f, p.tenant_id, "enrollment_submitted", p.email), 1);
  assert_int_equal(notes(f, p.tenant_id, "enrollment_approved", NULL), 0);
  /* a second submission while pending is a conflict */
  as_partner(f, &p, GA);
  struct form_view v;
  assert_ok(f, review(f, &v));
  assert_refused(f, submit(f, v.etag, NULL, NULL), CSPD_E_ENR_EXISTS, NULL);
}

static void test_R_ENR_3_only_pending_enrollment_approved_or_rejected(void **state) {
  struct fx *f = *state;
  struct partner a = direct_bill_partner(f, "Contoso Direct");
  struct partner b = direct_bill_partner(f, "Litware Direct");
  struct cspd_enrollment ea = enroll(f, &a), eb = enroll(f, &b), e;
  as_partner(f, &a, GA); /* a partner does not approve itself */
  assert_refused(f, approve(f, ea.id, NULL), CSPD_E_ROLE_REQUIRED, NULL);
  as_operator(f);
  assert_ok(f, approve(f, ea.id, &e));
  assert_int_equal(e.state, CSPD_MS_APPROVED);
  assert_int_equal(e.decided_ms, NOW_MS);
  assert_int_equal(membership(f, a.tenant_id, RESELLER), CSPD_MS_APPROVED);
  assert_refused(f, approve(f, ea.id, NULL), CSPD_E_ENR_NOT_PENDING, "R-ENR-3");
  assert_refused(f, reject(f, ea.id, "no", NULL), CSPD_E_ENR_NOT_PENDING, "R-ENR-3");
  assert_ok(f, reject(f, eb.id, "tax details do not match", &e));
  assert_int_equal(e.state, CSPD_MS_REJECTED);
  assert_int_equal(membership(f, b.tenant_id, RESELLER), CSPD_MS_REJECTED);
  assert_refused(f, approve(f, eb.id, NULL), CSPD_E_ENR_NOT_PENDING, "R-ENR-3");
  assert_int_equal(enrollment_now(f, eb.id).state, CSPD_MS_REJECTED);
}

static void test_R_ENR_3_approval_notifies_primary_contact(void **state) {
  struct fx *f = *state;
  struct partner p = direct_bill_partner(f, "Contoso Direct");
  as_partner(f, &p, GA);
  struct form_view v;
  struct cspd_enrollment e;
  assert_ok(f, review(f, &v));
  assert_ok(f, submit(f, v.etag, "partners@contoso.test", &e));
  assert_string_equal(e.contact_email, "partners@contoso.test");
  assert_int_equal(notes(f, p.tenant_id, "enrollment_approved", NULL), 0);
  operator_approves(f, e.id);
  assert_int_equal(notes(f, p.tenant_id, "enrollment_approved", "partners@contoso.test"), 1);
  assert_int_equal(notes(f, p.tenant_id, "enrollment_approved", NULL), 1);
}

static void test_R_ENR_3_auto_approval_after_business_days(void **state) {
  struct fx *f = *state;
  assert_ok(f, program_settings(f, "{\"autoApprovalBusinessDays\":3,"
                                   "\"incentiveInvitationDays\":30}"));
  struct partner p = direct_bill_partner(f, "Contoso Direct");
  struct cspd_enrollment e = enroll(f, &p);    /* Thursday 10:00 */
  int64_t due = ms_at("2026-11-24T10:00:00Z"); /* Fri, Mon, Tue */
  assert_true(cspd_add_business_days(NOW_MS, 3) == due);
  assert_int_equal(run_job_at(f, due - 1), 0);
  assert_int_equal(enrollment_now(f, e.id).state, CSPD_MS_PENDING);
  assert_int_equal(notes(f, p.tenant_id, "enrollment_approved", NULL), 0);
  assert_int_equal(run_job_at(f, due), 1);
  struct cspd_enrollment now = enrollment_now(f, e.id);
  assert_int_equal(now.state, CSPD_MS_APPROVED);
  assert_true(now.decided_ms == due);
  assert_string_equal(now.decided_by, "policy:business_days");
  assert_int_equal(membership(f, p.tenant_id, RESELLER), CSPD_MS_APPROVED);
  assert_int_equal(notes(f, p.tenant_id, "enrollment_approved", p.email), 1);
  assert_int_equal(run_job_at(f, due), 0); /* done; the incentive is 30 days out */
}

static void test_R_ENR_3_operator_approval_cancels_auto_approval(void **state) {
  struct fx *f = *state;
  assert_ok(f, program_settings(f, "{\"autoApprovalBusinessDays\":2}"));
  struct partner p = direct_bill_partner(f, "Contoso Direct");
  struct cspd_enrollment e = enroll(f, &p);
  operator_approves(f, e.id);
  /* two business days later (Monday) nothing is due: the policy job was
   * cancelled; only the incentive invitation (7 days) remains */
  assert_int_equal(run_jobs_at(f, ms_at("2026-11-23T10:00:00Z")), 0);
  assert_int_equal(enrollment_now(f, e.id).state, CSPD_MS_APPROVED);
  assert_int_equal(notes(f, p.tenant_id, "enrollment_approved", NULL), 1);
  assert_int_equal(run_jobs_at(f, NOW_MS + 7 * DAY_MS), 1);
}

static void test_R_ENR_3_immediate_policy_and_at_most_five_days(void **state) {
  struct fx *f = *state;
  assert_refused(f, program_settings(f, "{\"autoApprovalBusinessDays\":6}"), CSPD_E_INVALID_INPUT,
                 NULL);
  assert_non_null(strstr(err_detail(f), "R-ENR-3"));
  assert_ok(f, program_settings(f, "{\"autoApprovalBusinessDays\":5}"));
  assert_ok(f, program_settings(f, "{\"autoApprovalBusinessDays\":0}"));
  struct partner p = direct_bill_partner(f, "Contoso Direct");
  struct cspd_enrollment e = enroll(f, &p);
  assert_int_equal(e.state, CSPD_MS_APPROVED);
  assert_string_equal(e.decided_by, "policy:immediate");
  assert_int_equal(membership(f, p.tenant_id, RESELLER), CSPD_MS_APPROVED);
  assert_int_equal(notes(f, p.tenant_id, "enrollment_approved", p.email), 1);
}

static void test_R_ENR_3_business_days_skip_weekends(void **state) {
  (void)state;
  int64_t thu = ms_at("2026-11-19T10:00:00Z"), fri = ms_at("2026-11-20T10:00:00Z"),
          sat = ms_at("2026-11-21T10:00:00Z"), sun = ms_at("2026-11-22T10:00:00Z"),
          mon = ms_at("2026-11-23T10:00:00Z"), next_mon = ms_at("2026-11-30T10:00:00Z");
  assert_true(cspd_add_business_days(fri, 1) == mon);
  assert_true(cspd_add_business_days(sat, 1) == mon);
  assert_true(cspd_add_business_days(sun, 1) == mon);
  assert_true(cspd_add_business_days(mon, 5) == next_mon);
  assert_true(cspd_add_business_days(thu, 1) == fri);
  assert_true(cspd_add_business_days(thu, 2) == mon);
  assert_true(cspd_add_business_days(fri, 0) == fri);
  assert_true(cspd_add_business_days(ms_at("2026-12-31T23:59:59Z"), 1) ==
              ms_at("2027-01-01T23:59:59Z")); /* a Friday, across the year */
}

/** Is the transition available to @a p with anniversary @a date? (the form) */
static bool available_for(struct fx *f, const struct partner *p, const char *date,
                          struct form_view *v) {
  set_program_fields(f, p, date, NULL);
  struct saved_who s = save_who(f);
  as_partner(f, p, GA);
  assert_ok(f, review(f, v));
  restore_who(f, &s);
  return v->available;
}

static void test_R_ENR_4_anniversary_outside_enabled_months_refused(void **state) {
  struct fx *f = *state;
  struct partner p = direct_bill_partner(f, "Contoso Direct");
  struct form_view v;
  for (int m = 1; m <= 12; m++) { /* initially September-December */
    char date[16];
    snprintf(date, sizeof date, "2017-%02d-15", m);
    bool want = m >= 9;
    if (available_for(f, &p, date, &v) != want)
      fail_msg("anniversary month %d: available %d, want %d", m, !want, want);
    assert_string_equal(v.rule, want ? "" : "R-ENR-4");
  }
  assert_false(available_for(f, &p, "2017-03-15", &v));
  as_partner(f, &p, GA);
  assert_refused(f, submit(f, v.etag, NULL, NULL), CSPD_E_ENR_ANNIVERSARY, "R-ENR-4");
  assert_non_null(strstr(err_detail(f), "3"));
  assert_int_equal(membership(f, p.tenant_id, RESELLER), CSPD_MS_NONE);
  assert_true(available_for(f, &p, "2017-09-01", &v));
  assert_ok(f, submit(f, v.etag, NULL, NULL));
}

static void test_R_ENR_4_month_ranges_wrap_the_year(void **state) {
  struct fx *f = *state;
  assert_ok(f, program_settings(f, "{\"anniversaryMonths\":[{\"from\":11,\"to\":2}]}"));
  struct partner p = direct_bill_partner(f, "Contoso Direct");
  struct form_view v;
  for (int m = 1; m <= 12; m++) {
    char date[16];
    snprintf(date, sizeof date, "2017-%02d-15", m);
    bool want = m >= 11 || m <= 2;
    if (available_for(f, &p, date, &v) != want)
      fail_msg("range 11-2, anniversary month %d: available %d, want %d", m, !want, want);
  }
  /* several ranges */
  assert_ok(f, program_settings(f, "{\"anniversaryMonths\":[{\"from\":3,\"to\":3},"
                                   "{\"from\":6,\"to\":7}]}"));
  assert_true(available_for(f, &p, "2017-03-31", &v));
  assert_false(available_for(f, &p, "2017-04-01", &v));
  assert_false(available_for(f, &p, "2017-05-01", &v));
  assert_true(available_for(f, &p, "2017-07-01", &v));
  assert_false(available_for(f, &p, "2017-08-01", &v));
  assert_refused(f, program_settings(f, "{\"anniversaryMonths\":[{\"from\":0,\"to\":13}]}"),
                 CSPD_E_INVALID_INPUT, NULL);
  /* the submission follows the same ranges */
  assert_ok(f, program_settings(f, "{\"anniversaryMonths\":[{\"from\":11,\"to\":2}]}"));
  assert_false(available_for(f, &p, "2017-10-15", &v));
  as_partner(f, &p, GA);
  assert_refused(f, submit(f, v.etag, NULL, NULL), CSPD_E_ENR_ANNIVERSARY, "R-ENR-4");
  assert_true(available_for(f, &p, "2017-01-15", &v));
  assert_ok(f, submit(f, v.etag, NULL, NULL));
}

static void test_R_ENR_4_unknown_anniversary_refused(void **state) {
  struct fx *f = *state;
  struct partner p = direct_bill_partner(f, "Contoso Direct");
  struct form_view v;
  assert_false(available_for(f, &p, NULL, &v));
  assert_string_equal(v.rule, "R-ENR-4");
  as_partner(f, &p, GA);
  assert_refused(f, submit(f, v.etag, NULL, NULL), CSPD_E_ENR_ANNIVERSARY, "R-ENR-4");
  assert_true(available_for(f, &p, "2017-10-15", &v));
  assert_ok(f, submit(f, v.etag, NULL, NULL));
}

static void test_R_ENR_5_agreement_only_after_approval(void **state) {
  struct fx *f = *state;
  struct partner p = direct_bill_partner(f, "Contoso Direct");
  struct partner q = direct_bill_partner(f, "Litware Direct");
  struct cspd_enrollment e = enroll(f, &p), eq = enroll(f, &q), out;
  as_partner(f, &p, GA);
  assert_refused(f, accept_agreement(f, e.id, NULL), CSPD_E_ENR_NOT_APPROVED, "R-ENR-5");
  assert_int_equal(membership(f, p.tenant_id, RESELLER), CSPD_MS_PENDING);
  operator_approves(f, e.id);
  f->c.now_ms = NOW_MS + 3600000;
  assert_ok(f, accept_agreement(f, e.id, &out));
  assert_int_equal(out.state, CSPD_MS_ACTIVE);
  assert_true(out.agreement_accepted_ms == NOW_MS + 3600000);
  assert_int_equal(membership(f, p.tenant_id, RESELLER), CSPD_MS_ACTIVE);
  assert_refused(f, accept_agreement(f, e.id, NULL), CSPD_E_ENR_AGREEMENT_ACCEPTED, "R-ENR-5");
  /* a rejected enrollment has no agreement to accept */
  as_operator(f);
  assert_ok(f, reject(f, eq.id, NULL, NULL));
  as_partner(f, &q, GA);
  assert_refused(f, accept_agreement(f, eq.id, NULL), CSPD_E_ENR_NOT_APPROVED, "R-ENR-5");
}

/** Every indirect-reseller capability of @a p is refused with R-ENR-5. */
#define assert_reseller_capabilities_off(f, p, inv_id)                                             \
  do {                                                                                             \
    as_partner((f), (p), GA);                                                                      \
    assert_refused((f), check((f), cspd_rule_reseller_enabled, (p)->tenant_id),                    \
                   CSPD_E_RESELLER_NOT_ENABLED, "R-ENR-5");                                        \
    assert_refused((f), check((f), cspd_rule_indirect_invitation_allowed, (p)->tenant_id),         \
                   CSPD_E_RESELLER_NOT_ENABLED, "R-ENR-5");                                        \
    assert_refused((f), providers_lookup(f), CSPD_E_RESELLER_NOT_ENABLED, "R-ENR-5");              \
    assert_refused((f), accept_invitation((f), (inv_id)), CSPD_E_RESELLER_NOT_ENABLED, "R-ENR-5"); \
  } while (0)

static void test_R_ENR_5_reseller_capabilities_off_until_agreement_accepted(void **state) {
  struct fx *f = *state;
  struct partner prov = provider(f, "Fabrikam", "NL");
  struct partner p = direct_bill_partner(f, "Contoso Direct");
  struct cspd_enrollment e = enroll(f, &p);
  struct cspd_invitation v;
  as_partner(f, &prov, GA);
  assert_ok(f, invite(f, p.mpn_id, NULL, &v));
  assert_reseller_capabilities_off(f, &p, v.id); /* pending */
  operator_approves(f, e.id);
  assert_reseller_capabilities_off(f, &p, v.id); /* approved, agreement not accepted */
  assert_int_equal(active_partnerships(f, p.tenant_id, CSPD_SIDE_RESELLER), 0);
  partner_accepts(f, &p, e.id);
  as_partner(f, &p, GA);
  assert_ok(f, check(f, cspd_rule_reseller_enabled, p.tenant_id));
  assert_ok(f, check(f, cspd_rule_indirect_invitation_allowed, p.tenant_id));
  assert_ok(f, providers_lookup(f));
  assert_ok(f, accept_invitation(f, v.id));
  assert_int_equal(active_partnerships(f, p.tenant_id, CSPD_SIDE_RESELLER), 1);
}

struct ms_list_args {
  const char *tenant;
  enum cspd_mstate state[CSPD_PROG__COUNT];
  int n, reseller_changes;
};
static int ms_list_fn(struct cspd_ctx *c, void *arg) {
  struct ms_list_args *a = arg;
  const struct cspd_store_ops *ops = cspd_db_ops(c->db);
  struct cspd_membership *ms;
  struct cspd_membership_change *h;
  int nh;
  int rc = ops->membership_list(c->db, a->tenant, c->arena, &ms, &a->n);
  if (rc == 0)
    rc = ops->membership_history(c->db, a->tenant, c->arena, &h, &nh);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  for (int i = 0; i < a->n; i++)
    a->state[ms[i].program] = ms[i].state;
  for (int i = 0; i < nh; i++)
    a->reseller_changes += h[i].program == RESELLER;
  return 0;
}

static void test_R_ENR_6_profile_shows_direct_bill_and_indirect_reseller(void **state) {
  struct fx *f = *state;
  struct partner p = direct_bill_partner(f, "Contoso Direct");
  struct cspd_enrollment e = enroll(f, &p);
  operator_approves(f, e.id);
  struct ms_list_args before = {.tenant = p.tenant_id};
  sys_run(f, ms_list_fn, &before, "memberships");
  assert_int_equal(before.n, 2);
  assert_int_equal(before.state[DIRECT], CSPD_MS_ACTIVE);
  assert_int_equal(before.state[RESELLER], CSPD_MS_APPROVED); /* not yet a reseller */
  partner_accepts(f, &p, e.id);
  struct ms_list_args after = {.tenant = p.tenant_id};
  sys_run(f, ms_list_fn, &after, "memberships");
  assert_int_equal(after.n, 2);
  assert_int_equal(after.state[DIRECT], CSPD_MS_ACTIVE);
  assert_int_equal(after.state[RESELLER], CSPD_MS_ACTIVE);
  assert_int_equal(after.state[PROVIDER], CSPD_MS_NONE);
  assert_int_equal(after.reseller_changes, 3); /* pending, approved, active */
}

static void test_R_ENR_7_transition_cannot_be_undone(void **state) {
  struct fx *f = *state;
  struct partner p = direct_bill_partner(f, "Contoso Direct");
  struct partner other = direct_bill_partner(f, "Litware Direct");
  struct cspd_enrollment e = enroll(f, &p);
  as_partner(f, &p, GA);
  assert_refused(f, check(f, cspd_enrollment_undo, e.id), CSPD_E_ENR_IRREVERSIBLE, "R-ENR-7");
  operator_approves(f, e.id);
  assert_refused(f, check(f, cspd_enrollment_undo, e.id), CSPD_E_ENR_IRREVERSIBLE, "R-ENR-7");
  partner_accepts(f, &p, e.id);
  assert_refused(f, check(f, cspd_enrollment_undo, e.id), CSPD_E_ENR_IRREVERSIBLE, "R-ENR-7");
  as_operator(f);
  assert_refused(f, check(f, cspd_enrollment_undo, e.id), CSPD_E_ENR_IRREVERSIBLE, "R-ENR-7");
  as_system(f);
  assert_refused(f, check(f, cspd_enrollment_undo, e.id), CSPD_E_ENR_IRREVERSIBLE, "R-ENR-7");
  /* the refusal is about this enrollment: others' and unknown ones are not found */
  as_partner(f, &other, GA);
  assert_refused(f, check(f, cspd_enrollment_undo, e.id), CSPD_E_ENROLLMENT_NOT_FOUND, NULL);
  as_partner(f, &p, GA);
  assert_refused(f, check(f, cspd_enrollment_undo, "e0000000-0000-4000-8000-000000000099"),
                 CSPD_E_ENROLLMENT_NOT_FOUND, NULL);
  assert_int_equal(enrollment_now(f, e.id).state, CSPD_MS_ACTIVE);
  assert_int_equal(membership(f, p.tenant_id, RESELLER), CSPD_MS_ACTIVE);
  assert_int_equal(membership(f, p.tenant_id, DIRECT), CSPD_MS_ACTIVE);
}

/** The direct-bill side of @a p is untouched: membership active, checks pass. */
#define assert_direct_bill_intact(f, p)                                                            \
  do {                                                                                             \
    assert_int_equal(membership((f), (p)->tenant_id, DIRECT), CSPD_MS_ACTIVE);                     \
    assert_ok((f), check((f), cspd_rule_direct_bill_unrestricted, (p)->tenant_id));                \
    assert_ok((f), check((f), cspd_rule_mpa, (p)->tenant_id));                                     \
  } while (0)

static void test_R_ENR_8_direct_bill_unchanged_during_transition(void **state) {
  struct fx *f = *state;
  struct partner p = direct_bill_partner(f, "Contoso Direct");
  as_partner(f, &p, GA);
  assert_direct_bill_intact(f, &p);
  struct cspd_enrollment e = enroll(f, &p);
  assert_direct_bill_intact(f, &p);
  operator_approves(f, e.id);
  assert_direct_bill_intact(f, &p);
  partner_accepts(f, &p, e.id);
  assert_direct_bill_intact(f, &p);
  /* ...and at the same time it works as an indirect reseller */
  assert_ok(f, check(f, cspd_rule_reseller_enabled, p.tenant_id));
  /* the check does look at the membership: a tenant without direct bill is refused */
  struct partner prov = provider(f, "Fabrikam", "NL");
  assert_refused(f, check(f, cspd_rule_direct_bill_unrestricted, prov.tenant_id),
                 CSPD_E_TENANT_FORBIDDEN, NULL);
}

static void test_R_INC_1_incentive_invitation_to_global_account_email(void **state) {
  struct fx *f = *state;
  struct partner p = direct_bill_partner(f, "Contoso Direct");
  set_program_fields(f, &p, "2017-10-15", "mpn@contoso-global.test");
  struct cspd_enrollment e = enroll(f, &p); /* default: 7 days */
  operator_approves(f, e.id);               /* only the incentive job remains */
  int64_t due = NOW_MS + 7 * DAY_MS;
  assert_int_equal(run_jobs_at(f, due - 1), 0);
  assert_int_equal(notes(f, p.tenant_id, "incentive_invitation", NULL), 0);
  assert_int_equal(run_job_at(f, due), 1);
  assert_int_equal(notes(f, p.tenant_id, "incentive_invitation", "mpn@contoso-global.test"), 1);
  assert_int_equal(notes(f, p.tenant_id, "incentive_invitation", NULL), 1); /* not the contact */
  assert_int_equal(run_job_at(f, due + 30 * DAY_MS), 0);                    /* sent once */
}

static void test_R_INC_1_incentive_days_at_most_30(void **state) {
  struct fx *f = *state;
  assert_refused(f, program_settings(f, "{\"incentiveInvitationDays\":31}"), CSPD_E_INVALID_INPUT,
                 NULL);
  assert_non_null(strstr(err_detail(f), "R-INC-1"));
  assert_refused(f, program_settings(f, "{\"incentiveInvitationDays\":-1}"), CSPD_E_INVALID_INPUT,
                 NULL);
  assert_ok(f, program_settings(f, "{\"incentiveInvitationDays\":30}"));
  struct partner p = direct_bill_partner(f, "Contoso Direct");
  set_program_fields(f, &p, "2017-10-15", "mpn@contoso-global.test");
  enroll(f, &p);
  int64_t due = NOW_MS + 30 * DAY_MS;
  assert_int_equal(run_jobs_at(f, due - 1), 1); /* the auto-approval only */
  assert_int_equal(notes(f, p.tenant_id, "incentive_invitation", NULL), 0);
  assert_int_equal(run_jobs_at(f, due), 1);
  assert_int_equal(notes(f, p.tenant_id, "incentive_invitation", "mpn@contoso-global.test"), 1);
}

/* ================================================================================================
 * 2.3 Markets
 * ============================================================================================== */

static void test_R_REG_1_location_in_unknown_country_refused(void **state) {
  struct fx *f = *state;
  struct org_args o = {.in = {.name = "Contoso"}};
  sys_run(f, org_fn, &o, "organization");
  as_system(f);
  struct loc_args bad = {.in = {.org_id = o.out.id, .country = "XX"}};
  assert_refused(f, run(f, loc_fn, &bad), CSPD_E_UNKNOWN_COUNTRY, "R-REG-1");
  struct loc_args nl = {.in = {.org_id = o.out.id, .country = "nl"}};
  assert_ok(f, run(f, loc_fn, &nl));
  assert_string_equal(nl.out.country, "NL");
  assert_string_equal(cspd_market_of(nl.out.country)->market, "europe");
  assert_string_equal(cspd_market_of("DE")->market, "europe");
  assert_string_equal(cspd_market_of("US")->market, "united-states");
  assert_string_equal(cspd_market_of("JP")->market, "japan");
  assert_null(cspd_market_of("XX"));
}

static void test_R_REG_2_invitation_to_reseller_of_other_market_refused(void **state) {
  struct fx *f = *state;
  struct partner prov = provider(f, "Fabrikam", "NL");
  struct partner us = reseller(f, "Wingtip", "US");
  struct partner de = reseller(f, "Tailspin", "DE");
  as_partner(f, &prov, GA);
  assert_refused(f, invite(f, us.mpn_id, NULL, NULL), CSPD_E_REG_CROSS_MARKET, "R-REG-2");
  assert_int_equal(notes(f, us.tenant_id, "partnership_invitation", NULL), 0);
  struct cspd_invitation v;
  assert_ok(f, invite(f, de.mpn_id, NULL, &v)); /* NL and DE: both europe */
  assert_string_equal(v.state, "pending");
  assert_int_equal(notes(f, de.tenant_id, "partnership_invitation", de.email), 1);
}

static void test_R_REG_2_acceptance_across_markets_refused(void **state) {
  struct fx *f = *state;
  struct partner prov = provider(f, "Fabrikam", "NL");
  struct partner us = reseller(f, "Wingtip", "US");
  struct partner de = reseller(f, "Tailspin", "DE");
  struct cspd_invitation to_us, to_de;
  as_partner(f, &prov, GA); /* by e-mail: the market is known only on acceptance */
  assert_ok(f, invite(f, NULL, us.email, &to_us));
  assert_ok(f, invite(f, NULL, de.email, &to_de));
  as_partner(f, &us, GA);
  assert_refused(f, accept_invitation(f, to_us.id), CSPD_E_REG_CROSS_MARKET, "R-REG-2");
  assert_int_equal(active_partnerships(f, us.tenant_id, CSPD_SIDE_RESELLER), 0);
  as_partner(f, &de, GA);
  assert_ok(f, accept_invitation(f, to_de.id));
  assert_int_equal(active_partnerships(f, de.tenant_id, CSPD_SIDE_RESELLER), 1);
}

/* ================================================================================================
 * 2.4 Provider-reseller partnerships
 * ============================================================================================== */

static void test_R_PRT_1_provider_lookup_needs_enrolled_reseller(void **state) {
  struct fx *f = *state;
  struct partner p = direct_bill_partner(f, "Contoso Direct"); /* not enrolled */
  struct partner r = reseller(f, "Tailspin", "DE");
  as_partner(f, &p, GA);
  assert_refused(f, providers_lookup(f), CSPD_E_PRT_LOOKUP_NOT_ENROLLED, "R-PRT-1");
  set_membership(f, p.tenant_id, RESELLER, CSPD_MS_REJECTED);
  assert_refused(f, providers_lookup(f), CSPD_E_PRT_LOOKUP_NOT_ENROLLED, "R-PRT-1");
  as_partner(f, &r, CSPD_ROLE_SALES_AGENT);
  assert_ok(f, providers_lookup(f));
  as_operator(f);
  assert_ok(f, providers_lookup(f));
}

static void test_R_PRT_2_only_active_provider_invites(void **state) {
  struct fx *f = *state;
  struct partner r = reseller(f, "Tailspin", "DE");
  struct partner pending = partner_in(f, "Proseware", "NL");
  set_membership(f, pending.tenant_id, PROVIDER, CSPD_MS_PENDING);
  struct partner db = direct_bill_partner(f, "Contoso Direct");
  as_partner(f, &pending, GA);
  assert_refused(f, invite(f, r.mpn_id, NULL, NULL), CSPD_E_PRT_NOT_PROVIDER, "R-PRT-2");
  as_partner(f, &db, GA);
  assert_refused(f, invite(f, r.mpn_id, NULL, NULL), CSPD_E_PRT_NOT_PROVIDER, "R-PRT-2");
  as_partner(f, &r, GA);
  assert_refused(f, invite(f, db.mpn_id, NULL, NULL), CSPD_E_PRT_NOT_PROVIDER, "R-PRT-2");
  assert_int_equal(notes(f, r.tenant_id, "partnership_invitation", NULL), 0);
  set_membership(f, pending.tenant_id, PROVIDER, CSPD_MS_ACTIVE);
  as_partner(f, &pending, AA);
  struct cspd_invitation v;
  assert_ok(f, invite(f, r.mpn_id, NULL, &v));
  assert_string_equal(v.provider_tenant_id, pending.tenant_id);
  assert_int_equal(notes(f, r.tenant_id, "partnership_invitation", r.email), 1);
}

static void test_R_PRT_2_only_reseller_global_admin_accepts(void **state) {
  struct fx *f = *state;
  struct partner prov = provider(f, "Fabrikam", "NL");
  struct partner r = reseller(f, "Tailspin", "DE");
  struct cspd_invitation v;
  as_partner(f, &prov, GA);
  assert_ok(f, invite(f, r.mpn_id, NULL, &v));
  as_partner(f, &r, AA | CSPD_ROLE_SALES_AGENT);
  assert_refused(f, accept_invitation(f, v.id), CSPD_E_PRT_ACCEPT_ROLE, "R-PRT-2");
  assert_int_equal(active_partnerships(f, r.tenant_id, CSPD_SIDE_RESELLER), 0);
  as_partner(f, &r, GA);
  assert_ok(f, accept_invitation(f, v.id));
  /* both sides see it */
  assert_int_equal(active_partnerships(f, r.tenant_id, CSPD_SIDE_RESELLER), 1);
  assert_int_equal(active_partnerships(f, prov.tenant_id, CSPD_SIDE_PROVIDER), 1);
  assert_int_equal(notes(f, prov.tenant_id, "partnership_accepted", prov.email), 1);
  assert_refused(f, accept_invitation(f, v.id), CSPD_E_PRT_NOT_PENDING, "R-PRT-2");
}

static void test_R_PRT_2_only_addressee_accepts(void **state) {
  struct fx *f = *state;
  struct partner prov = provider(f, "Fabrikam", "NL");
  struct partner r1 = reseller(f, "Tailspin", "DE");
  struct partner r2 = reseller(f, "Adatum", "DE");
  struct cspd_invitation v;
  as_partner(f, &prov, GA);
  assert_ok(f, invite(f, r1.mpn_id, NULL, &v));
  assert_refused(f, accept_invitation(f, v.id), CSPD_E_PRT_SELF, "R-PRT-2");
  as_partner(f, &r2, GA);
  assert_refused(f, accept_invitation(f, v.id), CSPD_E_PRT_NOT_ADDRESSEE, "R-PRT-2");
  assert_int_equal(active_partnerships(f, r2.tenant_id, CSPD_SIDE_RESELLER), 0);
  as_partner(f, &r1, GA);
  assert_ok(f, accept_invitation(f, v.id));
  assert_int_equal(active_partnerships(f, r1.tenant_id, CSPD_SIDE_RESELLER), 1);
}

static void test_R_PRT_3_reseller_partners_with_several_providers(void **state) {
  struct fx *f = *state;
  struct partner p1 = provider(f, "Fabrikam", "NL");
  struct partner p2 = provider(f, "Proseware", "DE");
  struct partner r = reseller(f, "Tailspin", "NL");
  partner_up(f, &p1, &r);
  partner_up(f, &p2, &r);
  assert_int_equal(active_partnerships(f, r.tenant_id, CSPD_SIDE_RESELLER), 2);
  assert_int_equal(active_partnerships(f, p1.tenant_id, CSPD_SIDE_PROVIDER), 1);
  assert_int_equal(active_partnerships(f, p2.tenant_id, CSPD_SIDE_PROVIDER), 1);
  /* but the same pair only once */
  as_partner(f, &p1, GA);
  assert_refused(f, invite(f, r.mpn_id, NULL, NULL), CSPD_E_PRT_EXISTS, "R-PRT-3");
}

static void test_R_PRT_4_only_operator_ends_partnership(void **state) {
  struct fx *f = *state;
  struct partner prov = provider(f, "Fabrikam", "NL");
  struct partner r = reseller(f, "Tailspin", "DE");
  partner_up(f, &prov, &r);
  as_partner(f, &prov, GA);
  assert_refused(f, end_partnership(f, &prov, &r), CSPD_E_PRT_OPERATOR_ONLY, "R-PRT-4");
  as_partner(f, &r, GA);
  assert_refused(f, end_partnership(f, &prov, &r), CSPD_E_PRT_OPERATOR_ONLY, "R-PRT-4");
  assert_int_equal(active_partnerships(f, r.tenant_id, CSPD_SIDE_RESELLER), 1);
  as_operator(f);
  assert_ok(f, end_partnership(f, &prov, &r));
  assert_int_equal(active_partnerships(f, r.tenant_id, CSPD_SIDE_RESELLER), 0);
  assert_int_equal(active_partnerships(f, prov.tenant_id, CSPD_SIDE_PROVIDER), 0);
  assert_int_equal(notes(f, prov.tenant_id, "partnership_ended", prov.email), 1);
  assert_int_equal(notes(f, r.tenant_id, "partnership_ended", r.email), 1);
  assert_refused(f, end_partnership(f, &prov, &r), CSPD_E_PRT_NOT_FOUND, NULL);
}

/* ================================================================================================
 * 2.1 The direct-bill revenue requirement
 * ============================================================================================== */

static void test_R_DB_1_below_threshold_restricts_and_notifies(void **state) {
  struct fx *f = *state;
  struct partner p = direct_bill_partner(f, "Litware Direct");
  set_program_fields(f, &p, "2017-11-15", "mpn@litware-global.test");
  revenue(f, &p, "2026-10", USD_300K - 1, "USD", "cloud");
  struct db_line report = evaluate(f, EVAL_NOV_2026, false, &p); /* report only */
  assert_true(report.found);
  assert_false(report.meets);
  assert_true(report.trailing == USD_300K - 1);
  assert_int_equal(report.changes, 1);
  assert_int_equal(membership(f, p.tenant_id, DIRECT), CSPD_MS_ACTIVE);
  struct db_line applied = evaluate(f, EVAL_NOV_2026, true, &p);
  assert_false(applied.meets);
  assert_int_equal(membership(f, p.tenant_id, DIRECT), CSPD_MS_RESTRICTED);
  assert_int_equal(notes(f, p.tenant_id, "direct-bill-restricted", p.email), 1);
  assert_int_equal(notes(f, p.tenant_id, "direct-bill-restricted", "mpn@litware-global.test"), 1);
  as_partner(f, &p, GA);
  assert_refused(f, check(f, cspd_rule_direct_bill_unrestricted, p.tenant_id), CSPD_E_DB_RESTRICTED,
                 "R-DB-2");
}

static void test_R_DB_1_at_or_above_threshold_keeps_or_reinstates(void **state) {
  struct fx *f = *state;
  struct partner at = direct_bill_partner(f, "Contoso Direct");
  struct partner back = direct_bill_partner(f, "Northwind Direct");
  struct partner below = direct_bill_partner(f, "Litware Direct");
  set_membership(f, back.tenant_id, DIRECT, CSPD_MS_RESTRICTED);
  revenue(f, &at, "2026-10", USD_300K, "USD", "cloud");
  revenue(f, &back, "2026-01", USD_300K + 1, "USD", "cloud");
  revenue(f, &below, "2026-10", USD_300K - 1, "USD", "cloud");
  struct db_line l = evaluate(f, EVAL_NOV_2026, true, &at);
  assert_true(l.meets);
  assert_int_equal(l.changes, 0);
  assert_int_equal(membership(f, at.tenant_id, DIRECT), CSPD_MS_ACTIVE);
  assert_true(evaluate(f, EVAL_NOV_2026, false, &back).meets);
  assert_int_equal(membership(f, back.tenant_id, DIRECT), CSPD_MS_ACTIVE);
  assert_int_equal(notes(f, back.tenant_id, "direct-bill-reinstated", back.email), 1);
  assert_int_equal(membership(f, below.tenant_id, DIRECT), CSPD_MS_RESTRICTED);
  assert_int_equal(notes(f, at.tenant_id, "direct-bill-restricted", NULL), 0);
}

static void test_R_DB_1_perpetual_software_excluded(void **state) {
  struct fx *f = *state;
  struct partner p = direct_bill_partner(f, "Litware Direct");
  revenue(f, &p, "2026-09", 20000000, "USD", "cloud");
  revenue(f, &p, "2026-09", 20000000, "USD", "perpetual_software");
  struct db_line l = evaluate(f, EVAL_NOV_2026, true, &p);
  assert_true(l.trailing == 20000000);
  assert_false(l.meets);
  assert_int_equal(membership(f, p.tenant_id, DIRECT), CSPD_MS_RESTRICTED);
  revenue(f, &p, "2026-09", 10000000, "USD", "cloud");
  l = evaluate(f, EVAL_NOV_2026, true, &p);
  assert_true(l.trailing == USD_300K);
  assert_int_equal(membership(f, p.tenant_id, DIRECT), CSPD_MS_ACTIVE);
}

static void test_R_DB_1_revenue_summed_over_all_locations(void **state) {
  struct fx *f = *state;
  struct partner nl = direct_bill_partner(f, "Contoso");
  struct partner de = second_location(f, &nl, "DE");
  struct partner us = second_location(f, &nl, "US"); /* not a direct-bill location */
  set_membership(f, de.tenant_id, DIRECT, CSPD_MS_ACTIVE);
  revenue(f, &nl, "2026-03", 15000000, "USD", "cloud");
  revenue(f, &de, "2026-04", USD_300K - 15000000 - 1, "USD", "cloud");
  struct db_line l = evaluate(f, EVAL_NOV_2026, true, &nl);
  assert_true(l.trailing == USD_300K - 1);
  assert_int_equal(membership(f, nl.tenant_id, DIRECT), CSPD_MS_RESTRICTED);
  assert_int_equal(membership(f, de.tenant_id, DIRECT), CSPD_MS_RESTRICTED);
  assert_int_equal(membership(f, us.tenant_id, DIRECT), CSPD_MS_NONE);
  revenue(f, &us, "2026-05", 1, "USD", "cloud"); /* any location of the global account */
  l = evaluate(f, EVAL_NOV_2026, true, &nl);
  assert_true(l.trailing == USD_300K);
  assert_true(l.meets);
  assert_int_equal(membership(f, nl.tenant_id, DIRECT), CSPD_MS_ACTIVE);
  assert_int_equal(membership(f, de.tenant_id, DIRECT), CSPD_MS_ACTIVE);
  assert_int_equal(membership(f, us.tenant_id, DIRECT), CSPD_MS_NONE);
}

static void test_R_DB_1_only_twelve_full_months_before_evaluation_month(void **state) {
  struct fx *f = *state;
  struct partner p = direct_bill_partner(f, "Contoso Direct");
  revenue(f, &p, "2026-11", 50000000, "USD", "cloud"); /* the evaluation month itself */
  revenue(f, &p, "2025-10", 50000000, "USD", "cloud"); /* 13 months back */
  revenue(f, &p, "2025-11", 10000000, "USD", "cloud"); /* first month of the window */
  revenue(f, &p, "2026-10", 10000000, "USD", "cloud"); /* last month of the window */
  struct db_line l = evaluate(f, ms_at("2026-11-15T12:00:00Z"), true, &p);
  assert_string_equal(l.from, "2025-11");
  assert_string_equal(l.to, "2026-10");
  assert_true(l.trailing == 20000000);
  assert_int_equal(membership(f, p.tenant_id, DIRECT), CSPD_MS_RESTRICTED);
  /* a month later the November entry is in the window */
  l = evaluate(f, ms_at("2026-12-01T00:00:00Z"), true, &p);
  assert_string_equal(l.from, "2025-12");
  assert_string_equal(l.to, "2026-11");
  assert_true(l.trailing == 60000000);
  assert_int_equal(membership(f, p.tenant_id, DIRECT), CSPD_MS_ACTIVE);
  /* across a year boundary */
  l = evaluate(f, ms_at("2027-01-31T23:59:59Z"), false, &p);
  assert_string_equal(l.from, "2026-01");
  assert_string_equal(l.to, "2026-12");
}

static void test_R_DB_1_currency_conversion_to_usd(void **state) {
  struct fx *f = *state;
  assert_true(usd(f, 10000, "EUR") == 10800); /* EUR 100.00 at 1.08 */
  assert_true(usd(f, 10000, "eur") == 10800);
  assert_true(usd(f, 123456, "USD") == 123456);
  assert_true(usd(f, 1000, "JPY") == 670); /* JPY 1,000 (0 digits) at 0.0067: USD 6.70 */
  assert_true(usd(f, 50, "JPY") == 34);    /* 33.5 cents: half away from zero */
  assert_true(usd(f, -50, "JPY") == -34);  /* a credit, too */
  assert_true(usd(f, 49, "JPY") == 33);    /* 32.83 */
  assert_true(usd(f, 1, "JPY") == 1);      /* 0.67 */
  assert_true(usd(f, -1, "JPY") == -1);
  assert_true(usd(f, 1, "EUR") == 1);  /* 1.08 */
  assert_true(usd(f, 10, "KRW") == 1); /* 0.73 */
  int64_t out;
  assert_refused(f, to_usd(f, 100, "XYZ", &out), CSPD_E_UNKNOWN_CURRENCY, NULL);
  /* the evaluation sums converted amounts: EUR 277,777.78 = USD 300,000.0024 */
  struct partner meets = direct_bill_partner(f, "Contoso Direct");
  struct partner short_ = direct_bill_partner(f, "Litware Direct");
  assert_true(revenue(f, &meets, "2026-06", 27777778, "EUR", "cloud") == USD_300K);
  assert_true(revenue(f, &short_, "2026-06", 27777777, "EUR", "cloud") == USD_300K - 1);
  assert_true(evaluate(f, EVAL_NOV_2026, true, &meets).meets);
  assert_int_equal(membership(f, meets.tenant_id, DIRECT), CSPD_MS_ACTIVE);
  assert_int_equal(membership(f, short_.tenant_id, DIRECT), CSPD_MS_RESTRICTED);
  assert_true(revenue(f, &short_, "2026-07", 50, "JPY", "cloud") == 34);
  struct db_line l = evaluate(f, EVAL_NOV_2026, true, &short_);
  assert_true(l.trailing == USD_300K + 33);
  assert_int_equal(membership(f, short_.tenant_id, DIRECT), CSPD_MS_ACTIVE);
}

static int ensure_monthly_fn(struct cspd_ctx *c, void *arg) {
  (void)arg;
  return cspd_jobs_ensure_monthly(c);
}

static void test_R_DB_1_monthly_job_evaluates_on_first_of_month(void **state) {
  struct fx *f = *state;
  struct partner p = direct_bill_partner(f, "Litware Direct");
  revenue(f, &p, "2026-11", 100, "USD", "cloud");
  sys_run(f, ensure_monthly_fn, NULL, "monthly job");
  int64_t dec1 = ms_at("2026-12-01T00:00:00Z");
  assert_int_equal(run_jobs_at(f, dec1 - 1), 0);
  assert_int_equal(membership(f, p.tenant_id, DIRECT), CSPD_MS_ACTIVE);
  assert_int_equal(run_jobs_at(f, dec1), 1);
  assert_int_equal(membership(f, p.tenant_id, DIRECT), CSPD_MS_RESTRICTED);
  assert_int_equal(notes(f, p.tenant_id, "direct-bill-restricted", p.email), 1);
  /* the next one is due on January 1st */
  assert_int_equal(run_jobs_at(f, ms_at("2026-12-31T23:59:59Z")), 0);
  assert_int_equal(run_jobs_at(f, ms_at("2027-01-01T00:00:00Z")), 1);
}

static void test_R_DB_2_restricted_tenant_refused(void **state) {
  struct fx *f = *state;
  struct partner p = direct_bill_partner(f, "Litware Direct");
  as_partner(f, &p, GA);
  assert_ok(f, check(f, cspd_rule_direct_bill_unrestricted, p.tenant_id));
  set_membership(f, p.tenant_id, DIRECT, CSPD_MS_RESTRICTED);
  assert_refused(f, check(f, cspd_rule_direct_bill_unrestricted, p.tenant_id), CSPD_E_DB_RESTRICTED,
                 "R-DB-2");
  assert_int_equal(cspd_error_info(CSPD_E_DB_RESTRICTED)->http_status, 403);
  set_membership(f, p.tenant_id, DIRECT, CSPD_MS_ACTIVE);
  assert_ok(f, check(f, cspd_rule_direct_bill_unrestricted, p.tenant_id));
}

static void test_R_DB_3_restricted_enrolled_reseller_may_invite_indirectly(void **state) {
  struct fx *f = *state;
  struct partner p = direct_bill_partner(f, "Litware Direct");
  set_membership(f, p.tenant_id, DIRECT, CSPD_MS_RESTRICTED);
  as_partner(f, &p, GA);
  /* restricted and not enrolled: no indirect invitations either */
  assert_refused(f, check(f, cspd_rule_indirect_invitation_allowed, p.tenant_id),
                 CSPD_E_RESELLER_NOT_ENROLLED, "R-IR-1");
  transition(f, &p); /* the restricted partner enrolls as indirect reseller */
  assert_ok(f, check(f, cspd_rule_indirect_invitation_allowed, p.tenant_id));
  /* still restricted as a direct-bill partner */
  assert_int_equal(membership(f, p.tenant_id, DIRECT), CSPD_MS_RESTRICTED);
  assert_refused(f, check(f, cspd_rule_direct_bill_unrestricted, p.tenant_id), CSPD_E_DB_RESTRICTED,
                 "R-DB-2");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void) {
  const struct CMUnitTest tests[] = {
      T(test_R_MPA_1_unsigned_partner_cannot_transact),
      T(test_R_MPA_1_only_global_admin_signs_once),
      T(test_R_MPA_1_agreement_status_follows_signatures),
      T(test_R_MPA_2_partner_of_record_needs_signed_reseller),
      T(test_R_MPA_3_provider_cannot_transact_for_unsigned_reseller),
      T(test_R_IR_1_reseller_must_be_enrolled_and_signed),
      T(test_R_IR_1_unenrolled_partner_cannot_accept_partnership),
      T(test_R_ENR_1_only_global_admin_enrolls),
      T(test_R_ENR_1_only_direct_bill_tenant_enrolls),
      T(test_R_ENR_1_only_its_global_admin_accepts_the_agreement),
      T(test_R_ENR_2_incomplete_profile_names_missing_fields),
      T(test_R_ENR_2_missing_or_stale_profile_etag_refused),
      T(test_R_ENR_3_submitted_enrollment_is_pending),
      T(test_R_ENR_3_only_pending_enrollment_approved_or_rejected),
      T(test_R_ENR_3_approval_notifies_primary_contact),
      T(test_R_ENR_3_auto_approval_after_business_days),
      T(test_R_ENR_3_operator_approval_cancels_auto_approval),
      T(test_R_ENR_3_immediate_policy_and_at_most_five_days),
      T(test_R_ENR_3_business_days_skip_weekends),
      T(test_R_ENR_4_anniversary_outside_enabled_months_refused),
      T(test_R_ENR_4_month_ranges_wrap_the_year),
      T(test_R_ENR_4_unknown_anniversary_refused),
      T(test_R_ENR_5_agreement_only_after_approval),
      T(test_R_ENR_5_reseller_capabilities_off_until_agreement_accepted),
      T(test_R_ENR_6_profile_shows_direct_bill_and_indirect_reseller),
      T(test_R_ENR_7_transition_cannot_be_undone),
      T(test_R_ENR_8_direct_bill_unchanged_during_transition),
      T(test_R_INC_1_incentive_invitation_to_global_account_email),
      T(test_R_INC_1_incentive_days_at_most_30),
      T(test_R_REG_1_location_in_unknown_country_refused),
      T(test_R_REG_2_invitation_to_reseller_of_other_market_refused),
      T(test_R_REG_2_acceptance_across_markets_refused),
      T(test_R_PRT_1_provider_lookup_needs_enrolled_reseller),
      T(test_R_PRT_2_only_active_provider_invites),
      T(test_R_PRT_2_only_reseller_global_admin_accepts),
      T(test_R_PRT_2_only_addressee_accepts),
      T(test_R_PRT_3_reseller_partners_with_several_providers),
      T(test_R_PRT_4_only_operator_ends_partnership),
      T(test_R_DB_1_below_threshold_restricts_and_notifies),
      T(test_R_DB_1_at_or_above_threshold_keeps_or_reinstates),
      T(test_R_DB_1_perpetual_software_excluded),
      T(test_R_DB_1_revenue_summed_over_all_locations),
      T(test_R_DB_1_only_twelve_full_months_before_evaluation_month),
      T(test_R_DB_1_currency_conversion_to_usd),
      T(test_R_DB_1_monthly_job_evaluates_on_first_of_month),
      T(test_R_DB_2_restricted_tenant_refused),
      T(test_R_DB_3_restricted_enrolled_reseller_may_invite_indirectly),
  };
  return cmocka_run_group_tests_name("program", tests, group_setup, NULL);
}
