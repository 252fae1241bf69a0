/* fixtures.c -- fixtures documents (see fixtures.h and docs/fixtures.md). */
#include "fixtures.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../store/store.h"
#include "crypto.h"
#include "customers.h"
#include "identity.h"
#include "json.h"
#include "program.h"
#include "util.h"
#include <time.h>

extern const char cspd_demo_world_json[];

const char *cspd_demo_world(void) {
  return cspd_demo_world_json;
}

/* ---- hash cache: fixtures reuse the same demo passwords on every reset ---- */

struct hash_entry {
  char *secret;
  char hash[128];
  struct hash_entry *next;
};
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hash_entry *cache;

static int cached_hash(const char *secret, char out[128]) {
  pthread_mutex_lock(&cache_lock);
  for (struct hash_entry *e = cache; e != NULL; e = e->next) {
    if (strcmp(e->secret, secret) == 0) {
      memcpy(out, e->hash, 128);
      pthread_mutex_unlock(&cache_lock);
      return 0;
    }
  }
  pthread_mutex_unlock(&cache_lock);
  if (cspd_secret_hash(secret, out) != 0)
    return -1;
  struct hash_entry *e = calloc(1, sizeof *e);
  if (e == NULL)
    return 0;
  e->secret = strdup(secret);
  memcpy(e->hash, out, 128);
  pthread_mutex_lock(&cache_lock);
  e->next = cache;
  cache = e;
  pthread_mutex_unlock(&cache_lock);
  return 0;
}

/** Hash the secret named @a key of every element of array @a arr. */
static int hash_all(struct cspd_ctx *c, json_t *arr, const char *key, const char *path) {
  size_t i;
  json_t *el;
  json_array_foreach(arr, i, el) {
    char *p = cspd_arena_printf(c->arena, "%s[%zu]", path, i);
    if (!json_is_object(el))
      return cspd_fail(c, CSPD_E_INVALID_INPUT, "%s must be an object", p);
    const char *secret;
    if (cspd_json_str(c, el, key, true, p, &secret) != 0)
      return -1;
    if (strcmp(key, "password") == 0 && cspd_password_check(c, secret) != 0) {
      c->err.detail = cspd_arena_printf(c->arena, "%s.password: %s", p,
                                        c->err.detail ? c->err.detail
                                                      : cspd_error_info(c->err.id)->description);
      return -1;
    }
    char h[128];
    if (cached_hash(secret, h) != 0)
      return cspd_fail(c, CSPD_E_INTERNAL, "hashing failed");
    json_object_set_new(el, "__hash", json_string(h));
  }
  return 0;
}

static int prepare_principals(struct cspd_ctx *c, json_t *owner, const char *path) {
  json_t *users, *apps;
  if (cspd_json_arr(c, owner, "users", false, path, &users) != 0 ||
      cspd_json_arr(c, owner, "apps", false, path, &apps) != 0)
    return -1;
  if (users != NULL &&
      hash_all(c, users, "password", cspd_arena_printf(c->arena, "%s.users", path)) != 0)
    return -1;
  if (apps != NULL &&
      hash_all(c, apps, "clientSecret", cspd_arena_printf(c->arena, "%s.apps", path)) != 0)
    return -1;
  return 0;
}

int cspd_fixtures_prepare(struct cspd_ctx *c, json_t *doc) {
  if (!json_is_object(doc))
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "a fixtures document is a JSON object");
  json_t *op, *partners, *customers, *ships;
  if (cspd_json_obj(c, doc, "operator", false, "", &op) != 0 ||
      cspd_json_arr(c, doc, "partners", false, "", &partners) != 0 ||
      cspd_json_arr(c, doc, "customers", false, "", &customers) != 0 ||
      cspd_json_arr(c, doc, "partnerships", false, "", &ships) != 0)
    return -1;
  if (op != NULL && prepare_principals(c, op, "operator") != 0)
    return -1;
  size_t i, j;
  json_t *p, *l;
  json_array_foreach(partners, i, p) {
    char *pp = cspd_arena_printf(c->arena, "partners[%zu]", i);
    json_t *locs;
    if (!json_is_object(p))
      return cspd_fail(c, CSPD_E_INVALID_INPUT, "%s must be an object", pp);
    if (cspd_json_arr(c, p, "locations", false, pp, &locs) != 0)
      return -1;
    json_array_foreach(locs, j, l) {
      char *lp = cspd_arena_printf(c->arena, "%s.locations[%zu]", pp, j);
      if (!json_is_object(l))
        return cspd_fail(c, CSPD_E_INVALID_INPUT, "%s must be an object", lp);
      if (prepare_principals(c, l, lp) != 0)
        return -1;
    }
  }
  json_array_foreach(customers, i, p) {
    char *cp = cspd_arena_printf(c->arena, "customers[%zu]", i);
    if (!json_is_object(p))
      return cspd_fail(c, CSPD_E_INVALID_INPUT, "%s must be an object", cp);
    if (prepare_principals(c, p, cp) != 0)
      return -1;
  }
  return 0;
}

/* ---- apply -------------------------------------------------------------------- */

struct counts {
  int partners, locations, customers, users, apps, partnerships;
};

/** The prefixed error message of a failed step: "<path>: <detail>". */
static int at(struct cspd_ctx *c, int rc, const char *path) {
  if (rc == 0 || rc == CSPD_STORE_BUSY)
    return rc;
  const char *d = c->err.detail;
  c->err.detail = d ? cspd_arena_printf(c->arena, "%s: %s", path, d) : path;
  return rc;
}

static int apply_principals(struct cspd_ctx *c, const json_t *owner, const char *tenant_id,
                            unsigned default_roles, const char *path, bool sandbox_only,
                            struct counts *n) {
  json_t *users = cspd_json_get(owner, "users"), *apps = cspd_json_get(owner, "apps");
  size_t i;
  json_t *el;
  json_array_foreach(users, i, el) {
    char *p = cspd_arena_printf(c->arena, "%s.users[%zu]", path, i);
    struct cspd_user_input ui = {.tenant_id = tenant_id,
                                 .password_hash = json_string_value(json_object_get(el, "__hash")),
                                 .sandbox_only = sandbox_only};
    int rc;
    if ((rc = at(c, cspd_json_str(c, el, "email", true, p, &ui.email), p)) != 0 ||
        (rc = at(c, cspd_json_str(c, el, "displayName", false, p, &ui.display_name), p)) != 0 ||
        (rc = at(c, cspd_json_str(c, el, "id", false, p, &ui.id), p)) != 0 ||
        (rc = at(c, cspd_json_roles(c, el, "roles", false, p, &ui.roles), p)) != 0)
      return rc;
    if (ui.display_name == NULL)
      ui.display_name = ui.email;
    if (ui.roles == 0)
      ui.roles = default_roles;
    struct cspd_user u;
    rc = at(c, cspd_user_create(c, &ui, &u), p);
    if (rc != 0)
      return rc;
    n->users++;
  }
  json_array_foreach(apps, i, el) {
    char *p = cspd_arena_printf(c->arena, "%s.apps[%zu]", path, i);
    struct cspd_app_input ai = {.tenant_id = tenant_id,
                                .secret_hash = json_string_value(json_object_get(el, "__hash")),
                                .sandbox_only = sandbox_only};
    int rc;
    if ((rc = at(c, cspd_json_str(c, el, "clientId", false, p, &ai.client_id), p)) != 0 ||
        (rc = at(c, cspd_json_str(c, el, "displayName", false, p, &ai.display_name), p)) != 0 ||
        (rc = at(c, cspd_json_roles(c, el, "roles", false, p, &ai.roles), p)) != 0)
      return rc;
    if (ai.display_name == NULL)
      ai.display_name = "fixture app";
    struct cspd_app app;
    rc = at(c, cspd_app_create(c, &ai, &app), p);
    if (rc != 0)
      return rc;
    n->apps++;
  }
  return 0;
}

static void read_address(const json_t *o, struct cspd_address *a) {
  a->line1 = json_string_value(cspd_json_get(o, "addressLine1"));
  a->line2 = json_string_value(cspd_json_get(o, "addressLine2"));
  a->city = json_string_value(cspd_json_get(o, "city"));
  a->state = json_string_value(cspd_json_get(o, "state"));
  a->postal_code = json_string_value(cspd_json_get(o, "postalCode"));
}

static void read_contact(const json_t *o, struct cspd_contact *k) {
  k->first_name = json_string_value(cspd_json_get(o, "firstName"));
  k->last_name = json_string_value(cspd_json_get(o, "lastName"));
  k->email = json_string_value(cspd_json_get(o, "email"));
  k->phone = json_string_value(cspd_json_get(o, "phoneNumber"));
}

/** Program memberships and MPA of a location (cspd extension fields). */
static int apply_location_program(struct cspd_ctx *c, const json_t *l, const char *tenant_id,
                                  const char *path) {
  json_t *programs, *mpa;
  int rc;
  if ((rc = cspd_json_arr(c, l, "programs", false, path, &programs)) != 0 ||
      (rc = cspd_json_obj(c, l, "mpa", false, path, &mpa)) != 0)
    return rc;
  size_t i;
  json_t *p;
  json_array_foreach(programs, i, p) {
    char *pp = cspd_arena_printf(c->arena, "%s.programs[%zu]", path, i);
    const char *name = json_string_value(p), *state = "active";
    if (json_is_object(p) && ((rc = cspd_json_str(c, p, "program", true, pp, &name)) != 0 ||
                              (rc = cspd_json_str(c, p, "state", false, pp, &state)) != 0))
      return rc;
    enum cspd_program prog;
    enum cspd_mstate st;
    if (name == NULL || cspd_program_parse(name, &prog) != 0)
      return cspd_fail(c, CSPD_E_INVALID_INPUT,
                       "%s: program must be direct_bill, indirect_provider or indirect_reseller",
                       pp);
    if (state == NULL)
      state = "active";
    if (cspd_mstate_parse(state, &st) != 0 || st == CSPD_MS_NONE)
      return cspd_fail(c, CSPD_E_INVALID_INPUT,
                       "%s: state must be pending, approved, active, restricted or rejected", pp);
    if ((rc = cspd_membership_set(c, tenant_id, prog, st, "fixtures")) != 0)
      return rc;
  }
  if (mpa != NULL) {
    char *mp = cspd_arena_printf(c->arena, "%s.mpa", path);
    struct cspd_mpa m = {.signed_ms = c->now_ms};
    const char *date = NULL;
    if ((rc = cspd_json_str(c, mpa, "signerName", true, mp, &m.signer_name)) != 0 ||
        (rc = cspd_json_str(c, mpa, "signerEmail", true, mp, &m.signer_email)) != 0 ||
        (rc = cspd_json_str(c, mpa, "signedDate", false, mp, &date)) != 0)
      return rc;
    if (date != NULL && cspd_time_parse(date, &m.signed_ms) != 0)
      return cspd_fail(c, CSPD_E_INVALID_INPUT, "%s.signedDate is not a date", mp);
    snprintf(m.tenant_id, sizeof m.tenant_id, "%s", tenant_id);
    rc = cspd_db_ops(c->db)->mpa_put(c->db, &m);
    if (rc != 0)
      return cspd_store_fail(c, rc, 0, CSPD_E_MPA_ALREADY_SIGNED);
  }
  return 0;
}

/** Program fields and revenue of a partner organization. */
static int apply_org_program(struct cspd_ctx *c, const json_t *p, const char *org_id,
                             const char *path) {
  const char *anniversary, *email;
  json_t *revenue;
  int rc;
  if ((rc = cspd_json_str(c, p, "anniversary", false, path, &anniversary)) != 0 ||
      (rc = cspd_json_str(c, p, "email", false, path, &email)) != 0 ||
      (rc = cspd_json_arr(c, p, "revenue", false, path, &revenue)) != 0)
    return rc;
  int64_t ms;
  if (anniversary != NULL && (strlen(anniversary) != 10 || cspd_time_parse(anniversary, &ms) != 0))
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "%s.anniversary must be YYYY-MM-DD", path);
  if (anniversary != NULL || email != NULL) {
    rc = cspd_db_ops(c->db)->org_set_program_fields(c->db, org_id, anniversary, email);
    if (rc != 0)
      return cspd_store_fail(c, rc, CSPD_E_PARTNER_NOT_FOUND, 0);
  }
  size_t i;
  json_t *r;
  json_array_foreach(revenue, i, r) {
    char *rp = cspd_arena_printf(c->arena, "%s.revenue[%zu]", path, i);
    const char *period = NULL, *currency = "USD", *kind = "cloud";
    long long amount = 0, ago = -1;
    if ((rc = cspd_json_str(c, r, "period", false, rp, &period)) != 0 ||
        (rc = cspd_json_int(c, r, "monthsAgo", false, rp, &ago)) != 0 ||
        (rc = cspd_json_int(c, r, "amount", true, rp, &amount)) != 0 ||
        (rc = cspd_json_str(c, r, "currency", false, rp, &currency)) != 0 ||
        (rc = cspd_json_str(c, r, "kind", false, rp, &kind)) != 0)
      return rc;
    char rel[8];
    if (period == NULL) {
      if (ago < 0 || ago > 1200)
        return cspd_fail(c, CSPD_E_INVALID_INPUT, "%s: give period (YYYY-MM) or monthsAgo", rp);
      time_t secs = (time_t)(c->now_ms / 1000);
      struct tm tm;
      gmtime_r(&secs, &tm);
      unsigned idx = (unsigned)((tm.tm_year + 1900) * 12 + tm.tm_mon) - (unsigned)ago;
      snprintf(rel, sizeof rel, "%04u-%02u", (idx / 12) % 10000u, idx % 12u + 1u);
      period = rel;
    }
    struct cspd_revenue out;
    if ((rc = cspd_revenue_record(c, org_id, NULL, period, amount, currency ? currency : "USD",
                                  kind ? kind : "cloud", "fixtures", &out)) != 0)
      return rc;
  }
  return 0;
}

/** A tenant named by tenant GUID or PartnerID. @param[out] out 37 bytes. */
static int resolve_tenant(struct cspd_ctx *c, const char *ref, char out[37]) {
  struct cspd_location l;
  int rc = cspd_db_ops(c->db)->location_get_by_mpn(c->db, ref, c->arena, &l);
  if (rc == 0) {
    memcpy(out, l.tenant_id, 37);
    return 0;
  }
  if (rc != CSPD_STORE_NOTFOUND)
    return cspd_store_fail(c, rc, 0, 0);
  rc = cspd_db_ops(c->db)->location_get(c->db, ref, c->arena, &l);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_LOCATION_NOT_FOUND, 0);
  memcpy(out, l.tenant_id, 37);
  return 0;
}

/** Billing profile, own-use owner, partner relationships and agreements of a
 * fixture customer. */
static int apply_customer_extras(struct cspd_ctx *c, const json_t *el, struct cspd_customer *cu,
                                 const char *path) {
  const struct cspd_store_ops *ops = cspd_db_ops(c->db);
  json_t *billing, *partners, *agreements;
  const char *owner;
  int rc;
  if ((rc = cspd_json_obj(c, el, "billingProfile", false, path, &billing)) != 0 ||
      (rc = cspd_json_arr(c, el, "partners", false, path, &partners)) != 0 ||
      (rc = cspd_json_arr(c, el, "agreements", false, path, &agreements)) != 0 ||
      (rc = cspd_json_str(c, el, "ownUsePartnerId", false, path, &owner)) != 0)
    return rc;
  if (billing != NULL || owner != NULL) {
    if (billing != NULL) {
      char *txt = json_dumps(billing, JSON_COMPACT | JSON_SORT_KEYS);
      cu->billing_json = cspd_arena_strdup(c->arena, txt ? txt : "{}");
      free(txt);
    }
    if (owner != NULL) {
      struct cspd_org o;
      rc = ops->org_get_by_mpn(c->db, owner, c->arena, &o);
      if (rc == CSPD_STORE_NOTFOUND)
        rc = ops->org_get(c->db, owner, c->arena, &o);
      if (rc != 0)
        return cspd_store_fail(c, rc, CSPD_E_PARTNER_NOT_FOUND, 0);
      cu->owner_org_id = cspd_arena_strdup(c->arena, o.id);
    }
    if ((rc = cspd_store_fail(c, ops->customer_update(c->db, cu), 0, 0)) != 0)
      return rc;
  }
  size_t i;
  json_t *p;
  json_array_foreach(partners, i, p) {
    char *pp = cspd_arena_printf(c->arena, "%s.partners[%zu]", path, i);
    const char *ref, *role, *via = NULL, *acquired = "fixtures";
    bool dap = true;
    if ((rc = cspd_json_str(c, p, "partner", true, pp, &ref)) != 0 ||
        (rc = cspd_json_str(c, p, "role", true, pp, &role)) != 0 ||
        (rc = cspd_json_str(c, p, "via", false, pp, &via)) != 0 ||
        (rc = cspd_json_str(c, p, "acquired", false, pp, &acquired)) != 0 ||
        (rc = cspd_json_bool(c, p, "delegatedAdmin", false, pp, &dap)) != 0)
      return rc;
    struct cspd_crel r = {.acquired = acquired ? acquired : "fixtures",
                          .delegated_admin = dap,
                          .state = "active",
                          .created_ms = c->now_ms};
    if (strcmp(role, "direct") == 0)
      r.role = CSPD_CREL_DIRECT;
    else if (strcmp(role, "reseller") == 0)
      r.role = CSPD_CREL_RESELLER;
    else if (strcmp(role, "provider") == 0)
      r.role = CSPD_CREL_PROVIDER;
    else
      return cspd_fail(c, CSPD_E_INVALID_INPUT, "%s.role must be direct, reseller or provider", pp);
    memcpy(r.customer_tenant_id, cu->tenant_id, sizeof r.customer_tenant_id);
    if ((rc = resolve_tenant(c, ref, r.partner_tenant_id)) != 0)
      return rc;
    if (via != NULL) {
      char v[37];
      if ((rc = resolve_tenant(c, via, v)) != 0)
        return rc;
      r.via_tenant_id = cspd_arena_strdup(c->arena, v);
    }
    if ((rc = cspd_rule_self_dealing(c, cu->tenant_id, r.partner_tenant_id, r.role)) != 0 ||
        (rc = cspd_store_fail(c, ops->crel_put(c->db, &r), 0, 0)) != 0)
      return rc;
  }
  json_array_foreach(agreements, i, p) {
    char *ap = cspd_arena_printf(c->arena, "%s.agreements[%zu]", path, i);
    const char *type = "MicrosoftCustomerAgreement", *by = "customer", *date = NULL;
    if ((rc = cspd_json_str(c, p, "type", false, ap, &type)) != 0 ||
        (rc = cspd_json_str(c, p, "acceptedBy", false, ap, &by)) != 0 ||
        (rc = cspd_json_str(c, p, "dateAgreed", false, ap, &date)) != 0)
      return rc;
    int n;
    const struct cspd_agreement_meta *m = cspd_agreement_metadata(&n);
    struct cspd_cagreement g = {.type = type ? type : "MicrosoftCustomerAgreement",
                                .date_agreed_ms = c->now_ms,
                                .created_ms = c->now_ms};
    for (int k = 0; k < n; k++)
      if (strcmp(m[k].type, g.type) == 0)
        g.template_id = m[k].template_id;
    if (g.template_id == NULL)
      return cspd_fail(c, CSPD_E_INVALID_INPUT, "%s.type is not an agreement type", ap);
    if (date != NULL && cspd_time_parse(date, &g.date_agreed_ms) != 0)
      return cspd_fail(c, CSPD_E_INVALID_INPUT, "%s.dateAgreed is not a date", ap);
    if (by != NULL && strcmp(by, "customer") != 0) {
      char t[37];
      if ((rc = resolve_tenant(c, by, t)) != 0)
        return rc;
      g.partner_tenant_id = cspd_arena_strdup(c->arena, t);
    }
    cspd_guid_new(g.id);
    memcpy(g.customer_tenant_id, cu->tenant_id, sizeof g.customer_tenant_id);
    if ((rc = cspd_store_fail(c, ops->cagreement_insert(c->db, &g), 0, 0)) != 0)
      return rc;
  }
  return 0;
}

int cspd_fixtures_apply(struct cspd_ctx *c, const json_t *doc, bool sandbox_only,
                        json_t **summary) {
  struct counts n = {0};
  const struct cspd_store_ops *ops = cspd_db_ops(c->db);
  int rc;
  size_t i, j;
  json_t *el, *l;

  json_t *op = cspd_json_get(doc, "operator");
  if (op != NULL) {
    struct cspd_tenant t;
    rc = ops->tenant_operator(c->db, c->arena, &t);
    if (rc != 0)
      return at(c, cspd_store_fail(c, rc, CSPD_E_TENANT_NOT_FOUND, 0), "operator");
    rc = apply_principals(c, op, t.id, CSPD_ROLE_OPERATOR, "operator", sandbox_only, &n);
    if (rc != 0)
      return rc;
  }
  json_array_foreach(cspd_json_get(doc, "partners"), i, el) {
    char *pp = cspd_arena_printf(c->arena, "partners[%zu]", i);
    struct cspd_org_input oi = {0};
    if ((rc = at(c, cspd_json_str(c, el, "companyName", true, pp, &oi.name), pp)) != 0 ||
        (rc = at(c, cspd_json_str(c, el, "mpnId", false, pp, &oi.mpn_id), pp)) != 0 ||
        (rc = at(c, cspd_json_str(c, el, "id", false, pp, &oi.id), pp)) != 0)
      return rc;
    struct cspd_org org;
    rc = at(c, cspd_org_create(c, &oi, &org), pp);
    if (rc != 0)
      return rc;
    rc = at(c, apply_org_program(c, el, org.id, pp), pp);
    if (rc != 0)
      return rc;
    n.partners++;
    json_array_foreach(cspd_json_get(el, "locations"), j, l) {
      char *lp = cspd_arena_printf(c->arena, "%s.locations[%zu]", pp, j);
      struct cspd_location_input li = {.org_id = org.id};
      if ((rc = at(c, cspd_json_str(c, l, "country", true, lp, &li.country), lp)) != 0 ||
          (rc = at(c, cspd_json_str(c, l, "tenantId", false, lp, &li.tenant_id), lp)) != 0 ||
          (rc = at(c, cspd_json_str(c, l, "mpnId", false, lp, &li.mpn_id), lp)) != 0 ||
          (rc = at(c, cspd_json_str(c, l, "companyName", false, lp, &li.company_name), lp)) != 0)
        return rc;
      read_address(cspd_json_get(l, "address"), &li.address);
      read_contact(cspd_json_get(l, "primaryContact"), &li.contact);
      struct cspd_location loc;
      rc = at(c, cspd_location_create(c, &li, &loc), lp);
      if (rc != 0)
        return rc;
      n.locations++;
      rc = apply_principals(c, l, loc.tenant_id, 0, lp, sandbox_only, &n);
      if (rc != 0)
        return rc;
      rc = at(c, apply_location_program(c, l, loc.tenant_id, lp), lp);
      if (rc != 0)
        return rc;
    }
  }
  json_array_foreach(cspd_json_get(doc, "partnerships"), i, el) {
    char *sp = cspd_arena_printf(c->arena, "partnerships[%zu]", i);
    const char *prov, *res;
    if ((rc = at(c, cspd_json_str(c, el, "provider", true, sp, &prov), sp)) != 0 ||
        (rc = at(c, cspd_json_str(c, el, "reseller", true, sp, &res), sp)) != 0)
      return rc;
    struct cspd_partnership ps = {.state = "active", .created_ms = c->now_ms};
    if ((rc = at(c, resolve_tenant(c, prov, ps.provider_tenant_id), sp)) != 0 ||
        (rc = at(c, resolve_tenant(c, res, ps.reseller_tenant_id), sp)) != 0)
      return rc;
    rc = at(c, cspd_store_fail(c, ops->partnership_insert(c->db, &ps), 0, CSPD_E_CONFLICT), sp);
    if (rc != 0)
      return rc;
    n.partnerships++;
  }
  json_array_foreach(cspd_json_get(doc, "customers"), i, el) {
    char *cp = cspd_arena_printf(c->arena, "customers[%zu]", i);
    struct cspd_customer_input ci = {0};
    if ((rc = at(c, cspd_json_str(c, el, "companyName", true, cp, &ci.company_name), cp)) != 0 ||
        (rc = at(c, cspd_json_str(c, el, "domain", true, cp, &ci.domain), cp)) != 0 ||
        (rc = at(c, cspd_json_str(c, el, "country", true, cp, &ci.country), cp)) != 0 ||
        (rc = at(c, cspd_json_str(c, el, "tenantId", false, cp, &ci.tenant_id), cp)) != 0)
      return rc;
    struct cspd_customer cu;
    rc = at(c, cspd_customer_create(c, &ci, &cu), cp);
    if (rc != 0)
      return rc;
    n.customers++;
    rc = apply_principals(c, el, cu.tenant_id, CSPD_ROLE_CUSTOMER_ADMIN, cp, sandbox_only, &n);
    if (rc != 0)
      return rc;
    rc = at(c, apply_customer_extras(c, el, &cu, cp), cp);
    if (rc != 0)
      return rc;
  }
  *summary = json_pack("{s:i, s:i, s:i, s:i, s:i, s:i}", "partners", n.partners, "locations",
                       n.locations, "customers", n.customers, "users", n.users, "apps", n.apps,
                       "partnerships", n.partnerships);
  return 0;
}
