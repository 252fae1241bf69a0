/* h_customers.c -- /v1/customers: create (a direct-bill partner for itself,
 * a provider for a reseller), list with filter and seek paging, read,
 * relationshipToPartner: none, company and billing profiles, the customer's
 * partner relationships (R-CUS-9). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/crypto.h"
#include "../core/customers.h"
#include "../core/json.h"
#include "../core/program.h"
#include "../core/util.h"
#include "render.h"

/* ---- billing profile ------------------------------------------------------------------ */

static const char *const addr_fields[] = {"firstName",    "lastName", "addressLine1",
                                          "addressLine2", "city",     "state",
                                          "postalCode",   "country",  "phoneNumber"};
static const char *const bill_fields[] = {"firstName", "lastName", "email",
                                          "culture",   "language", "companyName"};

/** Normalize a BillingProfile document (any property case) into the stored
 * camelCase shape. @param[out] out JSON text (arena); @param[out] country. */
static int billing_normalize(struct cspd_req *r, const json_t *in, const char *path,
                             const char **out, const char **country) {
  json_t *doc = json_object(), *addr = json_object();
  json_t *din;
  int rc = cspd_json_obj(&r->ctx, in, "defaultAddress", true, path, &din);
  for (size_t i = 0; rc == 0 && i < sizeof bill_fields / sizeof bill_fields[0]; i++) {
    const char *v;
    rc = cspd_json_str(&r->ctx, in, bill_fields[i], false, path, &v);
    if (rc == 0 && v != NULL)
      json_object_set_new(doc, bill_fields[i], json_string(v));
  }
  char *apath = cspd_arena_printf(r->arena, "%s%sdefaultAddress", path, path[0] ? "." : "");
  for (size_t i = 0; rc == 0 && i < sizeof addr_fields / sizeof addr_fields[0]; i++) {
    const char *v;
    rc = cspd_json_str(&r->ctx, din, addr_fields[i], strcmp(addr_fields[i], "country") == 0, apath,
                       &v);
    if (rc == 0 && v != NULL)
      json_object_set_new(addr, addr_fields[i], json_string(v));
  }
  if (rc == 0 && !json_is_string(json_object_get(doc, "companyName")))
    rc = cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT, "%s.companyName is required", path);
  const char *email = json_string_value(json_object_get(doc, "email"));
  if (rc == 0 && (email == NULL || !cspd_email_valid(email)))
    rc = cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT, "%s.email must be an e-mail address", path);
  if (rc != 0) {
    json_decref(doc);
    json_decref(addr);
    return -1;
  }
  char *cc = cspd_arena_strdup(r->arena, json_string_value(json_object_get(addr, "country")));
  for (char *p = cc; *p; p++)
    *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
  json_object_set_new(addr, "country", json_string(cc)); /* ISO codes upper case */
  *country = cc;
  json_object_set_new(doc, "defaultAddress", addr);
  char *txt = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(doc);
  *out = cspd_arena_strdup(r->arena, txt ? txt : "{}");
  free(txt);
  return 0;
}

static json_t *render_billing(const struct cspd_customer *cu) {
  json_t *b = cu->billing_json ? json_loads(cu->billing_json, 0, NULL) : NULL;
  if (b == NULL)
    b = json_pack("{s:s}", "companyName", cu->company_name);
  json_object_set_new(b, "id", json_string(cu->tenant_id));
  json_object_set_new(b, "attributes",
                      cspd_attributes("CustomerBillingProfile", cu->billing_version));
  return b;
}

static json_t *render_company(const struct cspd_customer *cu) {
  return json_pack("{s:s, s:s, s:s, s:{s:s}}", "tenantId", cu->tenant_id, "domain", cu->domain,
                   "companyName", cu->company_name, "attributes", "objectType",
                   "CustomerCompanyProfile");
}

/** The Customer resource as the caller sees it. */
static json_t *render_customer(struct cspd_req *r, const struct cspd_customer *cu,
                               const struct cspd_holding *h) {
  bool holds = h->direct || h->reseller || h->provider;
  bool restricted = false;
  if (h->direct) {
    enum cspd_mstate st;
    if (cspd_membership_state(&r->ctx, r->who.tenant_id, CSPD_PROG_DIRECT_BILL, &st) == 0)
      restricted = st == CSPD_MS_RESTRICTED;
  }
  json_t *doc =
      json_pack("{s:s, s:s, s:o, s:o, s:s, s:b, s:s, s:{s:o}, s:o}", "id", cu->tenant_id,
                "commerceId", cu->tenant_id, "companyProfile", render_company(cu), "billingProfile",
                render_billing(cu), "relationshipToPartner", holds ? "reseller" : "none",
                "allowDelegatedAccess", h->delegated_admin, "country", cu->country, "links", "self",
                cspd_link(cspd_arena_printf(r->arena, "/v1/customers/%s", cu->tenant_id), "GET"),
                "attributes", cspd_attributes("Customer", cu->version));
  if (h->provider && h->provider_via)
    json_object_set_new(doc, "associatedPartnerId", json_string(h->provider_via));
  if (r->who.kind == CSPD_TENANT_PARTNER)
    json_object_set_new(doc, "capabilities", cspd_capabilities_json(h, restricted));
  if (cu->owner_org_id != NULL)
    json_object_set_new(doc, "ownUsePartnerId", json_string(cu->owner_org_id));
  return doc;
}

/* ---- POST /v1/customers ----------------------------------------------------------------- */

struct create_prep {
  struct cspd_customer_create in;
  char password[24];
  char hash[128];
};

int h_customers_prepare(struct cspd_req *r) {
  json_t *body, *company, *billing;
  struct create_prep *p = cspd_arena_alloc(r->arena, sizeof *p);
  if (cspd_body_object(r, &body) != 0 ||
      cspd_json_obj(&r->ctx, body, "companyProfile", true, "", &company) != 0 ||
      cspd_json_obj(&r->ctx, body, "billingProfile", true, "", &billing) != 0 ||
      cspd_json_str(&r->ctx, company, "domain", true, "companyProfile", &p->in.domain) != 0 ||
      cspd_json_str(&r->ctx, company, "tenantId", false, "companyProfile", &p->in.tenant_id) != 0 ||
      cspd_json_str(&r->ctx, body, "associatedPartnerId", false, "", &p->in.associated_partner) !=
          0 ||
      cspd_json_str(&r->ctx, body, "ownUsePartnerId", false, "", &p->in.own_use_partner) != 0)
    return -1;
  if (billing_normalize(r, billing, "billingProfile", &p->in.billing_json, &p->in.country) != 0)
    return -1;
  json_t *b = json_loads(p->in.billing_json, 0, NULL);
  p->in.company_name =
      cspd_arena_strdup(r->arena, json_string_value(json_object_get(b, "companyName")));
  json_decref(b);
  p->in.admin_user_name = cspd_arena_printf(r->arena, "admin@%s", p->in.domain);
  /* the customer's first admin: a generated password, shown once */
  char secret[48];
  cspd_secret_new(secret);
  snprintf(p->password, sizeof p->password, "%.20s", secret);
  if (cspd_secret_hash(p->password, p->hash) != 0)
    return cspd_fail(&r->ctx, CSPD_E_INTERNAL, "hashing failed");
  p->in.admin_password_hash = p->hash;
  r->scratch = p;
  return 0;
}

int h_customers_post(struct cspd_req *r) {
  struct create_prep *p = r->scratch;
  struct cspd_customer cu;
  int rc = cspd_customer_create_by_partner(&r->ctx, &p->in, &cu);
  if (rc != 0)
    return rc;
  struct cspd_holding h;
  if ((rc = cspd_customer_holding(&r->ctx, cu.tenant_id, r->who.tenant_id, &h)) != 0)
    return rc;
  json_t *doc = render_customer(r, &cu, &h);
  json_object_set_new(
      doc, "userCredentials",
      json_pack("{s:s, s:s}", "userName", p->in.admin_user_name, "password", p->password));
  r->location = cspd_arena_printf(r->arena, "/v1/customers/%s", cu.tenant_id);
  cspd_set_etag(r, cu.version);
  return cspd_reply_json(r, 201, doc);
}

/* ---- GET /v1/customers[?size=&filter=] -------------------------------------------------- */

/** filter={"Field":"CompanyName"|"Domain"|"IndirectReseller","Value":"...",
 * "Operator":"starts_with"} (Partner Center); IndirectReseller takes a
 * reseller tenant id and needs no operator. */
static int read_filter(struct cspd_req *r, struct cspd_customer_filter *f) {
  const char *q = cspd_query(r, "filter");
  if (q == NULL)
    return 0;
  json_t *doc = json_loads(q, 0, NULL);
  const char *field = NULL, *value = NULL, *op = NULL;
  int rc = 0;
  if (!json_is_object(doc))
    rc = cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT, "filter must be a JSON object");
  if (rc == 0 && (cspd_json_str(&r->ctx, doc, "field", true, "filter", &field) != 0 ||
                  cspd_json_str(&r->ctx, doc, "value", true, "filter", &value) != 0 ||
                  cspd_json_str(&r->ctx, doc, "operator", false, "filter", &op) != 0))
    rc = -1;
  if (rc == 0) {
    const char *v = cspd_arena_strdup(r->arena, value);
    bool sw = op == NULL || strcasecmp(op, "starts_with") == 0;
    if (strcasecmp(field, "CompanyName") == 0 && sw)
      f->company_prefix = v;
    else if (strcasecmp(field, "Domain") == 0 && sw)
      f->domain_prefix = v;
    else if (strcasecmp(field, "IndirectReseller") == 0) {
      char g[37];
      if (cspd_guid_normalize(v, g) != 0)
        rc = cspd_fail(&r->ctx, CSPD_E_BAD_GUID, "filter value of IndirectReseller");
      else
        f->reseller_tenant_id = cspd_arena_strdup(r->arena, g);
    } else
      rc = cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT,
                     "filter field must be CompanyName, Domain or IndirectReseller; operator "
                     "starts_with");
  }
  json_decref(doc);
  return rc;
}

int h_customers_get(struct cspd_req *r) {
  struct cspd_page pg;
  struct cspd_customer_filter f = {0};
  if (cspd_page_read(r, 100, &pg) != 0 || read_filter(r, &f) != 0)
    return -1;
  if (r->who.kind == CSPD_TENANT_PARTNER)
    f.partner_tenant_id = r->who.tenant_id; /* only the customers it holds */
  else if (r->who.kind != CSPD_TENANT_OPERATOR)
    return cspd_fail(&r->ctx, CSPD_E_TENANT_FORBIDDEN, NULL);
  struct cspd_customer *rows;
  int n;
  int rc = cspd_db_ops(r->ctx.db)->customer_list(r->ctx.db, &f, pg.after, pg.size + 1, r->arena,
                                                 &rows, &n);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  json_t *items = json_array();
  for (int i = 0; i < n && i < pg.size; i++) {
    struct cspd_holding h = {0};
    if (r->who.kind == CSPD_TENANT_PARTNER &&
        (rc = cspd_customer_holding(&r->ctx, rows[i].tenant_id, r->who.tenant_id, &h)) != 0) {
      json_decref(items);
      return rc;
    }
    json_array_append_new(items, render_customer(r, &rows[i], &h));
  }
  return cspd_reply_json(
      r, 200, cspd_collection(r, items, &pg, n > pg.size ? rows[pg.size - 1].tenant_id : NULL));
}

/* ---- one customer ----------------------------------------------------------------------- */

int h_customer_get(struct cspd_req *r) {
  struct cspd_customer cu;
  struct cspd_holding h;
  int rc = cspd_customer_read(&r->ctx, r->params[0], &cu, &h);
  if (rc != 0)
    return rc;
  cspd_set_etag(r, cu.version);
  return cspd_reply_json(r, 200, render_customer(r, &cu, &h));
}

/* PATCH /v1/customers/{id} {"relationshipToPartner":"none"} -- the only
 * change a partner makes to the customer resource itself. */
int h_customer_patch(struct cspd_req *r) {
  json_t *body;
  const char *rel;
  if (cspd_body_object(r, &body) != 0 ||
      cspd_json_str(&r->ctx, body, "relationshipToPartner", true, "", &rel) != 0)
    return -1;
  if (strcasecmp(rel, "none") != 0)
    return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT,
                     "relationshipToPartner can only be set to none (removing your reseller "
                     "relationship)");
  int rc = cspd_customer_remove_relationship(&r->ctx, r->params[0]);
  if (rc != 0)
    return rc;
  struct cspd_customer cu;
  if ((rc = cspd_db_ops(r->ctx.db)->customer_get(r->ctx.db, r->params[0], r->arena, &cu)) != 0)
    return cspd_store_fail(&r->ctx, rc, CSPD_E_CUSTOMER_NOT_FOUND, 0);
  struct cspd_holding none = {0};
  return cspd_reply_json(r, 200, render_customer(r, &cu, &none));
}

int h_customer_company_get(struct cspd_req *r) {
  struct cspd_customer cu;
  int rc = cspd_customer_read(&r->ctx, r->params[0], &cu, NULL);
  return rc != 0 ? rc : cspd_reply_json(r, 200, render_company(&cu));
}

int h_customer_billing_get(struct cspd_req *r) {
  struct cspd_customer cu;
  int rc = cspd_customer_read(&r->ctx, r->params[0], &cu, NULL);
  if (rc != 0)
    return rc;
  cspd_set_etag(r, cu.billing_version);
  return cspd_reply_json(r, 200, render_billing(&cu));
}

/* PUT /v1/customers/{id}/profiles/billing -- the whole profile, If-Match. */
int h_customer_billing_put(struct cspd_req *r) {
  json_t *body;
  struct cspd_customer cu;
  int rc = cspd_customer_read(&r->ctx, r->params[0], &cu, NULL);
  if (rc != 0)
    return rc;
  if (cspd_check_if_match(r, cu.billing_version) != 0 || cspd_body_object(r, &body) != 0)
    return -1;
  const char *billing, *country;
  if (billing_normalize(r, body, "", &billing, &country) != 0)
    return -1;
  if (strcasecmp(country, cu.country) != 0)
    return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT,
                     "defaultAddress.country cannot change (the tenant's country is %s)",
                     cu.country);
  if ((rc = cspd_customer_billing_update(&r->ctx, &cu, billing)) != 0)
    return rc;
  cspd_set_etag(r, cu.billing_version);
  return cspd_reply_json(r, 200, render_billing(&cu));
}

/* GET /v1/customers/{id}/relationships -- every partner holding a reseller
 * relationship with the customer (R-CUS-9, R-EXT-6). */
int h_customer_relationships_get(struct cspd_req *r) {
  struct cspd_customer cu;
  int rc = cspd_customer_read(&r->ctx, r->params[0], &cu, NULL);
  if (rc != 0)
    return rc;
  const struct cspd_store_ops *ops = cspd_db_ops(r->ctx.db);
  struct cspd_crel *rels;
  int n;
  if ((rc = ops->crel_list(r->ctx.db, cu.tenant_id, r->arena, &rels, &n)) != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  static const char *const types[] = {"is_direct_reseller_of", "is_indirect_reseller_of",
                                      "is_indirect_cloud_solution_provider_of"};
  json_t *items = json_array();
  for (int i = 0; i < n; i++) {
    if (strcmp(rels[i].state, "active") != 0)
      continue;
    struct cspd_location l;
    if (ops->location_get(r->ctx.db, rels[i].partner_tenant_id, r->arena, &l) != 0)
      continue;
    json_t *it =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:{s:s}}", "id", l.tenant_id,
                  "name", l.company_name, "relationshipType", types[rels[i].role], "state",
                  "active", "mpnId", l.mpn_id, "partnerId", l.tenant_id, "location", l.country,
                  "delegatedAdmin", rels[i].delegated_admin, "acquired", rels[i].acquired,
                  "attributes", "objectType", "PartnerRelationship");
    if (rels[i].via_tenant_id)
      json_object_set_new(it, "via", json_string(rels[i].via_tenant_id));
    json_array_append_new(items, it);
  }
  return cspd_reply_list(r, items);
}
