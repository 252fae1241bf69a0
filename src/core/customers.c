/* customers.c -- customer tenants and who holds them (see customers.h).
 * Each function runs inside the caller's transaction; rule ids name what
 * they enforce. */
#include "customers.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "events.h"
#include "identity.h"
#include "markets.h"
#include "program.h"
#include "util.h"

#define OPS(c) cspd_db_ops((c)->db)
#define MCA_CLOUD_END_MS 1580515200000LL /* 2020-02-01T00:00:00Z */

static bool is_operator(const struct cspd_ctx *c) {
  return c->who != NULL && c->who->kind == CSPD_TENANT_OPERATOR;
}

static const char *who_id(const struct cspd_ctx *c) {
  return c->who == NULL ? NULL : c->who->user_id[0] ? c->who->user_id : c->who->app_id;
}

/* ---- holding and visibility --------------------------------------------------------- */

int cspd_customer_holding(struct cspd_ctx *c, const char *customer_id, const char *partner,
                          struct cspd_holding *out) {
  memset(out, 0, sizeof *out);
  struct cspd_crel *rels;
  int n;
  int rc = OPS(c)->crel_list(c->db, customer_id, c->arena, &rels, &n);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  for (int i = 0; i < n; i++) {
    const struct cspd_crel *r = &rels[i];
    if (strcmp(r->partner_tenant_id, partner) != 0 || strcmp(r->state, "active") != 0)
      continue;
    if (r->delegated_admin)
      out->delegated_admin = true;
    switch (r->role) {
    case CSPD_CREL_DIRECT:
      out->direct = true;
      out->acquired_direct = r->acquired;
      break;
    case CSPD_CREL_RESELLER:
      out->reseller = true;
      out->reseller_via = r->via_tenant_id;
      break;
    case CSPD_CREL_PROVIDER:
      out->provider = true;
      out->provider_via = r->via_tenant_id;
      break;
    }
  }
  return 0;
}

int cspd_customer_read(struct cspd_ctx *c, const char *customer_id, struct cspd_customer *cu,
                       struct cspd_holding *h) {
  char g[37];
  if (customer_id == NULL || cspd_guid_normalize(customer_id, g) != 0)
    return cspd_fail(c, CSPD_E_BAD_GUID, "customer id");
  int rc = OPS(c)->customer_get(c->db, g, c->arena, cu);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_CUSTOMER_NOT_FOUND, 0);
  struct cspd_holding local;
  if (h == NULL)
    h = &local;
  memset(h, 0, sizeof *h);
  if (c->who == NULL || is_operator(c))
    return 0;
  if (c->who->kind == CSPD_TENANT_CUSTOMER)
    return strcmp(c->who->tenant_id, cu->tenant_id) == 0
               ? 0
               : cspd_fail(c, CSPD_E_CUSTOMER_NOT_FOUND, NULL);
  if ((rc = cspd_customer_holding(c, cu->tenant_id, c->who->tenant_id, h)) != 0)
    return rc;
  if (!h->direct && !h->reseller && !h->provider)
    return cspd_fail(c, CSPD_E_CUSTOMER_NOT_FOUND, NULL); /* not yours: as if absent */
  return 0;
}

json_t *cspd_capabilities_json(const struct cspd_holding *h, bool restricted) {
  /* R-CUS-6: capabilities differ by how the partner holds the customer */
  const char *holding = h->direct     ? "direct_bill"
                        : h->reseller ? "indirect_reseller"
                        : h->provider ? "indirect_provider"
                                      : "none";
  bool order = (h->direct && !restricted) || h->provider;
  json_t *j =
      json_pack("{s:s, s:b, s:b, s:b, s:b, s:b, s:b, s:b, s:b}", "holding", holding, "canOrder",
                order, "canManageReservations", h->direct && !restricted, "canViewOrderHistory",
                h->direct || h->provider, "canBuySoftware", h->direct && !restricted,
                "canBillCustomer", h->direct, "canManageSubscriptions",
                h->direct || h->reseller || h->provider, "canManageLicensesAndUsers",
                h->delegated_admin, "canHandleRenewals", h->direct || h->reseller);
  if (h->direct && restricted)
    json_object_set_new(j, "restrictedBy", json_string("R-DB-2"));
  if (h->reseller && !h->direct)
    json_object_set_new(j, "orderedBy", json_string(h->reseller_via ? h->reseller_via : ""));
  return j;
}

/* ---- rules -------------------------------------------------------------------------------- */

/** The partner organization of a partner tenant (empty when not a location). */
static int org_of(struct cspd_ctx *c, const char *tenant, char out[37]) {
  struct cspd_location l;
  int rc = OPS(c)->location_get(c->db, tenant, c->arena, &l);
  out[0] = '\0';
  if (rc == 0)
    memcpy(out, l.org_id, 37);
  return rc == 0 || rc == CSPD_STORE_NOTFOUND ? 0 : cspd_store_fail(c, rc, 0, 0);
}

int cspd_rule_self_dealing(struct cspd_ctx *c, const char *customer_id, const char *partner,
                           enum cspd_crel_role role) {
  struct cspd_customer cu;
  int rc = OPS(c)->customer_get(c->db, customer_id, c->arena, &cu);
  if (rc == CSPD_STORE_NOTFOUND) {
    /* R-SELF-2: a partner tenant is never a customer */
    struct cspd_location l;
    if (OPS(c)->location_get(c->db, customer_id, c->arena, &l) == 0)
      return cspd_fail(c, CSPD_E_SELF_PARTNER_TENANT, NULL);
    return cspd_fail(c, CSPD_E_CUSTOMER_NOT_FOUND, NULL);
  }
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  if (cu.owner_org_id == NULL)
    return 0;
  char org[37];
  if ((rc = org_of(c, partner, org)) != 0)
    return rc;
  /* R-SELF-1: not to itself or its affiliates */
  if (strcmp(org, cu.owner_org_id) == 0)
    return cspd_fail(c, CSPD_E_SELF_DEALING, NULL);
  /* R-SELF-3: an organization reselling through provider P is not P's end
   * customer -- whatever role P would hold */
  (void)role;
  {
    struct cspd_location *locs;
    int n;
    rc = OPS(c)->location_list(c->db, cu.owner_org_id, "", 500, c->arena, &locs, &n);
    if (rc != 0)
      return cspd_store_fail(c, rc, 0, 0);
    for (int i = 0; i < n; i++) {
      struct cspd_partnership ps;
      rc = OPS(c)->partnership_get(c->db, partner, locs[i].tenant_id, c->arena, &ps);
      if (rc == 0 && strcmp(ps.state, "active") == 0) {
        cspd_fail(c, CSPD_E_SELF_RESELLER_OF_PROVIDER, NULL);
        cspd_fail_data(c, "Use a separate tenant that has no reseller relationship with this "
                          "provider.");
        cspd_fail_data(c, "Have the operator end the relationship with this provider and buy "
                          "elsewhere.");
        cspd_fail_data(c, "Buy from this provider as customer while reselling through another "
                          "provider.");
        return -1;
      }
      if (rc != 0 && rc != CSPD_STORE_NOTFOUND)
        return cspd_store_fail(c, rc, 0, 0);
    }
  }
  return 0;
}

int cspd_rule_direct_purchase(struct cspd_ctx *c, const char *customer_id, const char *partner) {
  struct cspd_holding h;
  int rc = cspd_customer_holding(c, customer_id, partner, &h);
  if (rc != 0)
    return rc;
  if (h.direct)
    return cspd_rule_direct_bill_unrestricted(c, partner); /* R-DB-2 */
  if (h.reseller)
    return cspd_fail(c, CSPD_E_CUS_DIRECT_PURCHASE, NULL); /* R-CUS-5 */
  return cspd_fail(c, CSPD_E_CUS_NO_RELATIONSHIP, NULL);
}

int cspd_rule_provider_holds(struct cspd_ctx *c, const char *customer_id, const char *provider) {
  struct cspd_holding h;
  int rc = cspd_customer_holding(c, customer_id, provider, &h);
  if (rc != 0)
    return rc;
  return h.provider ? 0 : cspd_fail(c, CSPD_E_PROVIDER_NO_RELATIONSHIP, NULL); /* R-EXT-0 */
}

/* ---- create ------------------------------------------------------------------------------- */

static bool domain_valid(const char *d) {
  size_t n = d ? strlen(d) : 0;
  if (n < 3 || n > 253 || d[0] == '.' || d[0] == '-' || d[n - 1] == '.' || !strchr(d, '.'))
    return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)d[i];
    if (!(isalnum(ch) || ch == '-' || ch == '.'))
      return false;
    if (ch == '.' && d[i + 1] == '.')
      return false;
  }
  return true;
}

/** A partner tenant by tenant GUID or location PartnerID. @param[out] out. */
static int partner_ref(struct cspd_ctx *c, const char *ref, struct cspd_location *out) {
  char g[37];
  int rc = cspd_guid_normalize(ref, g) == 0
               ? OPS(c)->location_get(c->db, g, c->arena, out)
               : OPS(c)->location_get_by_mpn(c->db, ref, c->arena, out);
  return rc;
}

static const char *market_of(const char *country) {
  const struct cspd_market_country *mc = cspd_market_of(country);
  return mc ? mc->market : "";
}

static int add_rel(struct cspd_ctx *c, const char *customer, const char *partner,
                   enum cspd_crel_role role, const char *acquired, const char *via, bool dap) {
  struct cspd_crel r = {.role = role,
                        .acquired = acquired,
                        .via_tenant_id = via,
                        .delegated_admin = dap,
                        .state = "active",
                        .created_ms = c->now_ms};
  snprintf(r.customer_tenant_id, sizeof r.customer_tenant_id, "%s", customer);
  snprintf(r.partner_tenant_id, sizeof r.partner_tenant_id, "%s", partner);
  return cspd_store_fail(c, OPS(c)->crel_put(c->db, &r), 0, 0);
}

int cspd_customer_create_by_partner(struct cspd_ctx *c, const struct cspd_customer_create *in,
                                    struct cspd_customer *out) {
  if (c->who == NULL || c->who->kind != CSPD_TENANT_PARTNER)
    return cspd_fail(c, CSPD_E_TENANT_FORBIDDEN, "only partners create customers");
  const char *me = c->who->tenant_id;
  struct cspd_location loc;
  int rc = OPS(c)->location_get(c->db, me, c->arena, &loc);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_LOCATION_NOT_FOUND, 0);
  if (!domain_valid(in->domain))
    return cspd_fail(c, CSPD_E_CUS_BAD_DOMAIN, "'%s'", in->domain ? in->domain : "");
  if (in->company_name == NULL || in->company_name[0] == '\0')
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "billingProfile.companyName is required");
  const struct cspd_market_country *mc = cspd_market_of(in->country);
  if (mc == NULL)
    return cspd_fail(c, CSPD_E_UNKNOWN_COUNTRY, "'%s'", in->country ? in->country : "");
  /* R-REG-1: the customer's tenant country must lie in the partner's market */
  if (strcmp(mc->market, market_of(loc.country)) != 0)
    return cspd_fail(c, CSPD_E_CUS_OUTSIDE_MARKET, "(customer in %s, partner in %s)", mc->market,
                     market_of(loc.country));
  enum cspd_mstate db, prov;
  if ((rc = cspd_membership_state(c, me, CSPD_PROG_DIRECT_BILL, &db)) != 0 ||
      (rc = cspd_membership_state(c, me, CSPD_PROG_INDIRECT_PROVIDER, &prov)) != 0)
    return rc;
  struct cspd_location res = {0};
  bool for_reseller = in->associated_partner != NULL && in->associated_partner[0] != '\0';
  if (for_reseller) {
    /* R-CUS-4: the provider creates the tenant and names the reseller */
    if (prov != CSPD_MS_ACTIVE)
      return cspd_fail(c, CSPD_E_CUS_NOT_PROVIDERS_RESELLER,
                       "(only an active indirect provider names an associatedPartnerId)");
    rc = partner_ref(c, in->associated_partner, &res);
    if (rc == CSPD_STORE_NOTFOUND)
      return cspd_fail(c, CSPD_E_CUS_NOT_PROVIDERS_RESELLER, "(unknown partner '%s')",
                       in->associated_partner);
    if (rc != 0)
      return cspd_store_fail(c, rc, 0, 0);
    struct cspd_partnership ps;
    rc = OPS(c)->partnership_get(c->db, me, res.tenant_id, c->arena, &ps);
    if (rc == CSPD_STORE_NOTFOUND || (rc == 0 && strcmp(ps.state, "active") != 0))
      return cspd_fail(c, CSPD_E_CUS_NOT_PROVIDERS_RESELLER, NULL);
    if (rc != 0)
      return cspd_store_fail(c, rc, 0, 0);
    if ((rc = cspd_rule_mpa(c, me)) != 0 ||                                /* R-MPA-1 */
        (rc = cspd_rule_provider_for_reseller_mpa(c, res.tenant_id)) != 0) /* R-MPA-3 */
      return rc;
  } else if (db == CSPD_MS_ACTIVE) {
    if ((rc = cspd_rule_mpa(c, me)) != 0) /* R-MPA-1 */
      return rc;
  } else if (prov == CSPD_MS_ACTIVE) {
    /* an indirect provider sells through its resellers: it names one */
    return cspd_fail(c, CSPD_E_CUS_NOT_PROVIDERS_RESELLER,
                     "(an indirect provider names the reseller in associatedPartnerId)");
  } else if (db == CSPD_MS_RESTRICTED) {
    return cspd_fail(c, CSPD_E_DB_RESTRICTED, "(creating customer tenants)"); /* R-DB-2 */
  } else {
    return cspd_fail(c, CSPD_E_CUS_RESELLER_CANNOT_CREATE, NULL); /* R-CUS-4 */
  }
  memset(out, 0, sizeof *out);
  if (in->tenant_id != NULL && in->tenant_id[0] != '\0') {
    if (cspd_guid_normalize(in->tenant_id, out->tenant_id) != 0)
      return cspd_fail(c, CSPD_E_BAD_GUID, "tenantId");
    struct cspd_tenant t;
    rc = OPS(c)->tenant_get(c->db, out->tenant_id, c->arena, &t);
    if (rc == 0)
      return t.kind == CSPD_TENANT_PARTNER ? cspd_fail(c, CSPD_E_SELF_PARTNER_TENANT, NULL)
                                           : cspd_fail(c, CSPD_E_TENANT_ID_TAKEN, NULL);
  } else {
    cspd_guid_new(out->tenant_id);
  }
  const char *owner = NULL;
  if (in->own_use_partner != NULL && in->own_use_partner[0] != '\0') {
    struct cspd_org o;
    char g[37];
    rc = cspd_guid_normalize(in->own_use_partner, g) == 0
             ? OPS(c)->org_get(c->db, g, c->arena, &o)
             : OPS(c)->org_get_by_mpn(c->db, in->own_use_partner, c->arena, &o);
    if (rc != 0)
      return cspd_store_fail(c, rc, CSPD_E_PARTNER_NOT_FOUND, 0);
    owner = cspd_arena_strdup(c->arena, o.id);
  }
  out->company_name = in->company_name;
  out->domain = in->domain;
  memcpy(out->country, mc->country, 3);
  out->version = 1;
  out->created_ms = c->now_ms;
  out->billing_json = in->billing_json;
  out->billing_version = 1;
  out->owner_org_id = owner;
  out->created_by = me;
  struct cspd_tenant t = {.kind = CSPD_TENANT_CUSTOMER,
                          .name = in->company_name,
                          .country = out->country,
                          .created_ms = c->now_ms};
  memcpy(t.id, out->tenant_id, sizeof t.id);
  if ((rc = OPS(c)->tenant_insert(c->db, &t)) != 0)
    return cspd_store_fail(c, rc, 0, CSPD_E_TENANT_ID_TAKEN);
  if ((rc = OPS(c)->customer_insert(c->db, out)) != 0)
    return cspd_store_fail(c, rc, 0, CSPD_E_DOMAIN_TAKEN);
  if (for_reseller) {
    /* R-CUS-1: both hold a reseller relationship; R-CUS-3: the reseller has
     * delegated admin rights, the provider orders */
    if ((rc = cspd_rule_self_dealing(c, out->tenant_id, me, CSPD_CREL_PROVIDER)) != 0 ||
        (rc = cspd_rule_self_dealing(c, out->tenant_id, res.tenant_id, CSPD_CREL_RESELLER)) != 0 ||
        (rc = add_rel(c, out->tenant_id, me, CSPD_CREL_PROVIDER, "created", res.tenant_id, true)) !=
            0 ||
        (rc = add_rel(c, out->tenant_id, res.tenant_id, CSPD_CREL_RESELLER, "created", me, true)) !=
            0)
      return rc;
  } else {
    if ((rc = cspd_rule_self_dealing(c, out->tenant_id, me, CSPD_CREL_DIRECT)) != 0 ||
        (rc = add_rel(c, out->tenant_id, me, CSPD_CREL_DIRECT, "created", NULL, true)) != 0)
      return rc;
  }
  struct cspd_user_input ui = {.tenant_id = out->tenant_id,
                               .email = in->admin_user_name,
                               .display_name = "Customer admin",
                               .password_hash = in->admin_password_hash,
                               .roles = CSPD_ROLE_CUSTOMER_ADMIN};
  struct cspd_user u;
  const struct cspd_principal *who = c->who;
  c->who = NULL; /* the tenant's first admin is created by the system */
  rc = cspd_user_create(c, &ui, &u);
  c->who = who;
  if (rc != 0)
    return rc;
  const char *uri = cspd_arena_printf(c->arena, "/v1/customers/%s", out->tenant_id);
  if ((rc = cspd_audit(c, "create_customer", "Customer", out->tenant_id, NULL,
                       out->company_name)) != 0 ||
      (rc = cspd_event(c, me, "customer-created", uri, out->company_name)) != 0)
    return rc;
  if (for_reseller)
    rc = cspd_event(c, res.tenant_id, "customer-created", uri, out->company_name);
  return rc;
}

int cspd_customer_billing_update(struct cspd_ctx *c, struct cspd_customer *cu,
                                 const char *billing_json) {
  struct cspd_holding h = {0};
  int rc;
  if (c->who != NULL && c->who->kind == CSPD_TENANT_PARTNER) {
    if ((rc = cspd_customer_holding(c, cu->tenant_id, c->who->tenant_id, &h)) != 0)
      return rc;
    if (!h.direct && !h.reseller) /* the provider sees a copy (R-EXT-4), it does not edit */
      return cspd_fail(c, CSPD_E_EXT_BILLING_READ_ONLY, NULL);
  }
  const char *before = cu->billing_json;
  cu->billing_json = billing_json;
  cu->billing_version++;
  cu->version++;
  rc = OPS(c)->customer_update(c->db, cu);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_CUSTOMER_NOT_FOUND, 0);
  return cspd_audit(c, "update_customer_billing_profile", "CustomerBillingProfile", cu->tenant_id,
                    before, billing_json);
}

int cspd_customer_remove_relationship(struct cspd_ctx *c, const char *customer_id) {
  if (c->who == NULL || c->who->kind != CSPD_TENANT_PARTNER)
    return cspd_fail(c, CSPD_E_TENANT_FORBIDDEN, "only partners hold reseller relationships");
  struct cspd_customer cu;
  struct cspd_holding h;
  int rc = cspd_customer_read(c, customer_id, &cu, &h);
  if (rc != 0)
    return rc;
  struct cspd_crel *rels;
  int n;
  if ((rc = OPS(c)->crel_list(c->db, cu.tenant_id, c->arena, &rels, &n)) != 0)
    return cspd_store_fail(c, rc, 0, 0);
  int removed = 0;
  for (int i = 0; i < n; i++) {
    struct cspd_crel r = rels[i];
    if (strcmp(r.partner_tenant_id, c->who->tenant_id) != 0 || strcmp(r.state, "active") != 0)
      continue;
    r.state = "removed";
    r.removed_ms = c->now_ms;
    r.delegated_admin = false;
    if ((rc = cspd_store_fail(c, OPS(c)->crel_put(c->db, &r), 0, 0)) != 0)
      return rc;
    removed++;
  }
  if (removed == 0)
    return cspd_fail(c, CSPD_E_CUS_NO_RELATIONSHIP, NULL);
  return cspd_audit(c, "remove_reseller_relationship", "Customer", cu.tenant_id, c->who->tenant_id,
                    NULL);
}

/* ---- invitations ------------------------------------------------------------------------- */

/** The signed code of an invitation: base64url("i|<reseller>|<provider>" or
 * "d|<partner>") "." base64url(HMAC-SHA256). */
static const char *sign_code(struct cspd_ctx *c, const char *payload) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, c->sign_key, 32);
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)"cinvite:", 8);
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)payload, strlen(payload));
  crypto_auth_hmacsha256_final(&st, mac);
  char p64[256], m64[64];
  cspd_b64url_encode(payload, strlen(payload), p64, sizeof p64);
  cspd_b64url_encode(mac, sizeof mac, m64, sizeof m64);
  return cspd_arena_printf(c->arena, "%s.%s", p64, m64);
}

/** Verify @a code. @param[out] payload the signed text (arena). */
static int open_code(struct cspd_ctx *c, const char *code, char **payload) {
  const char *dot = code ? strchr(code, '.') : NULL;
  if (dot == NULL || c->sign_key == NULL)
    return cspd_fail(c, CSPD_E_CUS_INVITE_BAD_CODE, NULL);
  char buf[256];
  size_t n;
  if (cspd_b64url_decode(code, (size_t)(dot - code), buf, sizeof buf - 1, &n) != 0)
    return cspd_fail(c, CSPD_E_CUS_INVITE_BAD_CODE, NULL);
  buf[n] = '\0';
  const char *again = sign_code(c, buf);
  if (strlen(again) != strlen(code) || sodium_memcmp(again, code, strlen(code)) != 0)
    return cspd_fail(c, CSPD_E_CUS_INVITE_BAD_CODE, NULL);
  *payload = cspd_arena_strdup(c->arena, buf);
  return 0;
}

int cspd_customer_invitation(struct cspd_ctx *c, const char *reseller, const char *provider,
                             struct cspd_cinvite *out) {
  if (c->who == NULL || c->who->kind != CSPD_TENANT_PARTNER)
    return cspd_fail(c, CSPD_E_TENANT_FORBIDDEN, "only partners invite customers");
  const char *me = c->who->tenant_id;
  memset(out, 0, sizeof *out);
  struct cspd_location meloc;
  int rc = OPS(c)->location_get(c->db, me, c->arena, &meloc);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_LOCATION_NOT_FOUND, 0);
  const char *payload;
  const char *who_name = meloc.company_name;
  if (reseller != NULL || provider != NULL) {
    /* indirect reseller invitation (R-CUS-2): the reseller with one of its providers */
    struct cspd_location other;
    const char *ref = reseller != NULL ? reseller : provider;
    rc = partner_ref(c, ref, &other);
    if (rc == CSPD_STORE_NOTFOUND)
      return cspd_fail(c, CSPD_E_CUS_INVITE_NOT_PARTNERS, "(unknown partner '%s')", ref);
    if (rc != 0)
      return cspd_store_fail(c, rc, 0, 0);
    const char *res_t = reseller != NULL ? other.tenant_id : me;
    const char *prov_t = reseller != NULL ? me : other.tenant_id;
    struct cspd_partnership ps;
    rc = OPS(c)->partnership_get(c->db, prov_t, res_t, c->arena, &ps);
    if (rc == CSPD_STORE_NOTFOUND || (rc == 0 && strcmp(ps.state, "active") != 0))
      return cspd_fail(c, CSPD_E_CUS_INVITE_NOT_PARTNERS, NULL);
    if (rc != 0)
      return cspd_store_fail(c, rc, 0, 0);
    /* R-DB-3: a restricted direct-bill tenant that is an enabled reseller may
     * still generate indirect reseller invitations; R-MPA-1 for both */
    if ((rc = cspd_rule_indirect_invitation_allowed(c, res_t)) != 0 ||
        (rc = cspd_rule_mpa(c, prov_t)) != 0)
      return rc;
    out->reseller_tenant_id = cspd_arena_strdup(c->arena, res_t);
    out->partner_tenant_id = cspd_arena_strdup(c->arena, prov_t);
    payload = cspd_arena_printf(c->arena, "i|%s|%s", res_t, prov_t);
    struct cspd_location pl;
    if (OPS(c)->location_get(c->db, prov_t, c->arena, &pl) == 0 && reseller == NULL)
      who_name = cspd_arena_printf(c->arena, "%s and %s", meloc.company_name, pl.company_name);
    else if (reseller != NULL)
      who_name = cspd_arena_printf(c->arena, "%s and %s", other.company_name, meloc.company_name);
  } else {
    /* a direct reseller relationship request: R-DB-2 refuses a restricted tenant */
    enum cspd_mstate db;
    if ((rc = cspd_membership_state(c, me, CSPD_PROG_DIRECT_BILL, &db)) != 0)
      return rc;
    if (db == CSPD_MS_NONE || db == CSPD_MS_PENDING || db == CSPD_MS_REJECTED)
      return cspd_fail(c, CSPD_E_CUS_INVITE_NEEDS_PROVIDER, NULL);
    if ((rc = cspd_rule_direct_bill_unrestricted(c, me)) != 0 || (rc = cspd_rule_mpa(c, me)) != 0)
      return rc;
    out->partner_tenant_id = cspd_arena_strdup(c->arena, me);
    payload = cspd_arena_printf(c->arena, "d|%s", me);
  }
  out->code = sign_code(c, payload);
  out->url = cspd_arena_printf(c->arena, "%s/#/customer/invitations/accept?code=%s",
                               c->base_url ? c->base_url : "", out->code);
  out->subject =
      cspd_arena_printf(c->arena, "%s would like to be your Cloud Solution Provider", who_name);
  out->body = cspd_arena_printf(
      c->arena,
      "Hello,\n\n%s would like to manage your Microsoft cloud services as your Cloud Solution "
      "Provider%s.\n\nTo authorize this, a global admin of your organization signs in and "
      "follows this link:\n\n%s\n\n%s\n",
      who_name,
      out->reseller_tenant_id ? " (through its indirect provider, which places your orders)" : "",
      out->url,
      out->reseller_tenant_id
          ? "Accepting gives the reseller delegated administration rights for your subscriptions, "
            "licenses and users, and lets the provider submit orders for you."
          : "Accepting gives the partner delegated administration rights.");
  return 0;
}

int cspd_customer_invitation_accept(struct cspd_ctx *c, const char *code,
                                    struct cspd_cinvite *out) {
  if (c->who == NULL || c->who->kind != CSPD_TENANT_CUSTOMER ||
      !(c->who->roles & CSPD_ROLE_CUSTOMER_ADMIN))
    return cspd_fail(c, CSPD_E_CUS_INVITE_ROLE, NULL);
  char *payload = NULL;
  int rc = open_code(c, code, &payload);
  if (rc != 0)
    return rc;
  memset(out, 0, sizeof *out);
  const char *signed_text = cspd_arena_strdup(c->arena, payload); /* for the audit record */
  char *save = NULL;
  char *kind = strtok_r(payload, "|", &save);
  char *a = strtok_r(NULL, "|", &save);
  char *b = strtok_r(NULL, "|", &save);
  const char *cust = c->who->tenant_id;
  struct cspd_customer cu;
  if ((rc = OPS(c)->customer_get(c->db, cust, c->arena, &cu)) != 0)
    return cspd_store_fail(c, rc, CSPD_E_CUSTOMER_NOT_FOUND, 0);
  const char *cmarket = market_of(cu.country);
  const char *uri = cspd_arena_printf(c->arena, "/v1/customers/%s", cust);
  if (kind != NULL && strcmp(kind, "i") == 0 && a != NULL && b != NULL) {
    struct cspd_location rl, pl;
    if ((rc = OPS(c)->location_get(c->db, a, c->arena, &rl)) != 0 ||
        (rc = OPS(c)->location_get(c->db, b, c->arena, &pl)) != 0)
      return cspd_store_fail(c, rc, CSPD_E_CUS_INVITE_BAD_CODE, 0);
    struct cspd_partnership ps;
    rc = OPS(c)->partnership_get(c->db, b, a, c->arena, &ps);
    if (rc == CSPD_STORE_NOTFOUND || (rc == 0 && strcmp(ps.state, "active") != 0))
      return cspd_fail(c, CSPD_E_CUS_INVITE_NOT_PARTNERS, NULL);
    if (rc != 0)
      return cspd_store_fail(c, rc, 0, 0);
    /* R-REG-1 for both partners */
    if (strcmp(cmarket, market_of(rl.country)) != 0 || strcmp(cmarket, market_of(pl.country)) != 0)
      return cspd_fail(c, CSPD_E_CUS_OUTSIDE_MARKET, "(customer in %s)", cmarket);
    if ((rc = cspd_rule_indirect_invitation_allowed(c, a)) != 0 ||
        (rc = cspd_rule_self_dealing(c, cust, a, CSPD_CREL_RESELLER)) != 0 ||
        (rc = cspd_rule_self_dealing(c, cust, b, CSPD_CREL_PROVIDER)) != 0)
      return rc;
    /* R-CUS-2: both relationships in one step; R-CUS-3: delegated admin for
     * the reseller, the provider can order -- and, unlike an extension
     * (R-EXT-5), this path gives the provider delegated admin rights too. A
     * provider already holding the customer keeps its relationship. */
    struct cspd_holding ph;
    if ((rc = cspd_customer_holding(c, cust, b, &ph)) != 0 ||
        (rc = add_rel(c, cust, a, CSPD_CREL_RESELLER, "invitation", b, true)) != 0 ||
        (!ph.provider &&
         (rc = add_rel(c, cust, b, CSPD_CREL_PROVIDER, "invitation", a, true)) != 0))
      return rc;
    out->reseller_tenant_id = cspd_arena_strdup(c->arena, a);
    out->partner_tenant_id = cspd_arena_strdup(c->arena, b);
    if ((rc = cspd_audit(c, "accept_indirect_reseller_invitation", "Customer", cust, NULL,
                         signed_text)) != 0 ||
        (rc = cspd_event(c, a, "indirect-reseller-relationship-accepted-by-customer", uri,
                         cu.company_name)) != 0 ||
        (rc = cspd_event(c, b, "indirect-reseller-relationship-accepted-by-customer", uri,
                         cu.company_name)) != 0 ||
        (rc = cspd_notify(
             c, a, rl.contact.email, "customer_accepted",
             cspd_arena_printf(c->arena, "%s accepted your invitation", cu.company_name),
             cspd_arena_printf(c->arena,
                               "%s accepted you as indirect reseller, with %s as "
                               "indirect provider.\n",
                               cu.company_name, pl.company_name))) != 0)
      return rc;
    return cspd_notify(
        c, b, pl.contact.email, "customer_accepted",
        cspd_arena_printf(c->arena, "%s accepted an indirect reseller invitation", cu.company_name),
        cspd_arena_printf(c->arena,
                          "%s accepted %s as indirect reseller and you as its "
                          "indirect provider.\n",
                          cu.company_name, rl.company_name));
  }
  if (kind != NULL && strcmp(kind, "d") == 0 && a != NULL) {
    struct cspd_location dl;
    if ((rc = OPS(c)->location_get(c->db, a, c->arena, &dl)) != 0)
      return cspd_store_fail(c, rc, CSPD_E_CUS_INVITE_BAD_CODE, 0);
    if (strcmp(cmarket, market_of(dl.country)) != 0)
      return cspd_fail(c, CSPD_E_CUS_OUTSIDE_MARKET, "(customer in %s)", cmarket);
    /* the partner may have been restricted since it sent the link (R-DB-2) */
    if ((rc = cspd_rule_direct_bill_unrestricted(c, a)) != 0 ||
        (rc = cspd_rule_self_dealing(c, cust, a, CSPD_CREL_DIRECT)) != 0 ||
        (rc = add_rel(c, cust, a, CSPD_CREL_DIRECT, "invitation", NULL, true)) != 0)
      return rc;
    out->partner_tenant_id = cspd_arena_strdup(c->arena, a);
    if ((rc = cspd_audit(c, "accept_reseller_invitation", "Customer", cust, NULL, signed_text)) !=
            0 ||
        (rc = cspd_event(c, a, "reseller-relationship-accepted-by-customer", uri,
                         cu.company_name)) != 0)
      return rc;
    return cspd_notify(
        c, a, dl.contact.email, "customer_accepted",
        cspd_arena_printf(c->arena, "%s accepted your invitation", cu.company_name),
        cspd_arena_printf(c->arena, "%s accepted you as its partner.\n", cu.company_name));
  }
  return cspd_fail(c, CSPD_E_CUS_INVITE_BAD_CODE, NULL);
}

/* ---- relationship extension ------------------------------------------------------------------ */

int cspd_relationship_extend(struct cspd_ctx *c, const char *customer_id, const char *provider,
                             bool consent_attested) {
  if (c->who == NULL || c->who->kind != CSPD_TENANT_PARTNER)
    return cspd_fail(c, CSPD_E_TENANT_FORBIDDEN, "only partners extend relationships");
  /* R-EXT-8: an admin agent does it */
  if (!(c->who->roles & CSPD_ROLE_ADMIN_AGENT))
    return cspd_fail(c, CSPD_E_EXT_ROLE, NULL);
  const char *me = c->who->tenant_id;
  enum cspd_mstate st;
  int rc = cspd_membership_state(c, me, CSPD_PROG_INDIRECT_RESELLER, &st);
  if (rc != 0)
    return rc;
  enum cspd_mstate db;
  if ((rc = cspd_membership_state(c, me, CSPD_PROG_DIRECT_BILL, &db)) != 0)
    return rc;
  /* R-EXT-1: only transitioned partners that completed the enrollment */
  if (st != CSPD_MS_ACTIVE || (db != CSPD_MS_ACTIVE && db != CSPD_MS_RESTRICTED))
    return cspd_fail(c, CSPD_E_EXT_NOT_TRANSITIONED, NULL);
  struct cspd_customer cu;
  struct cspd_holding h;
  if ((rc = cspd_customer_read(c, customer_id, &cu, &h)) != 0)
    return rc;
  /* R-EXT-2: only existing direct-bill customers */
  if (!h.direct)
    return cspd_fail(c, CSPD_E_EXT_NOT_DIRECT_CUSTOMER, NULL);
  struct cspd_location pl;
  rc = partner_ref(c, provider ? provider : "", &pl);
  if (rc == CSPD_STORE_NOTFOUND)
    return cspd_fail(c, CSPD_E_EXT_NOT_PARTNERS, "(unknown provider)");
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  /* R-EXT-3: a provider whose partnership invitation the partner accepted */
  struct cspd_partnership ps;
  rc = OPS(c)->partnership_get(c->db, pl.tenant_id, me, c->arena, &ps);
  if (rc == CSPD_STORE_NOTFOUND || (rc == 0 && strcmp(ps.state, "active") != 0))
    return cspd_fail(c, CSPD_E_EXT_NOT_PARTNERS, NULL);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  /* R-EXT-7: the customer was informed and consented */
  if (!consent_attested)
    return cspd_fail(c, CSPD_E_EXT_CONSENT_REQUIRED, NULL);
  /* R-MPA-1: no new customer relationships for unsigned partners */
  if ((rc = cspd_rule_mpa(c, me)) != 0 || (rc = cspd_rule_mpa(c, pl.tenant_id)) != 0)
    return rc;
  struct cspd_holding ph;
  if ((rc = cspd_customer_holding(c, cu.tenant_id, pl.tenant_id, &ph)) != 0)
    return rc;
  if (ph.provider)
    return cspd_fail(c, CSPD_E_EXT_EXISTS, NULL);
  if ((rc = cspd_rule_self_dealing(c, cu.tenant_id, pl.tenant_id, CSPD_CREL_PROVIDER)) != 0)
    return rc;
  /* R-EXT-5: no delegated admin rights through an extension; R-EXT-6: the
   * provider is now a partner of the customer */
  if ((rc = add_rel(c, cu.tenant_id, pl.tenant_id, CSPD_CREL_PROVIDER, "extension", me, false)) !=
      0)
    return rc;
  struct cspd_location ml;
  if ((rc = OPS(c)->location_get(c->db, me, c->arena, &ml)) != 0)
    return cspd_store_fail(c, rc, 0, 0);
  const char *uri = cspd_arena_printf(c->arena, "/v1/customers/%s", cu.tenant_id);
  if ((rc = cspd_audit(c, "extend_reseller_relationship", "Customer", cu.tenant_id, NULL,
                       pl.tenant_id)) != 0 ||
      (rc = cspd_event(c, pl.tenant_id, "customer-created", uri, cu.company_name)) != 0)
    return rc;
  /* R-EXT-4: the provider now sees a copy of the billing profile */
  return cspd_notify(
      c, pl.tenant_id, pl.contact.email, "relationship_extension",
      cspd_arena_printf(c->arena, "%s extended a customer relationship to you", ml.company_name),
      cspd_arena_printf(c->arena,
                        "%s (PartnerID %s) extended its reseller relationship "
                        "with %s (%s) to you. You can now see the customer and "
                        "a copy of its billing information, and order for it; "
                        "no delegated admin rights come with an extension.\n",
                        ml.company_name, ml.mpn_id, cu.company_name, cu.domain));
}

/* ---- customer agreement -------------------------------------------------------------------- */

static const struct cspd_agreement_meta metas[] = {
    {"MicrosoftCustomerAgreement", "117a488c-1b4c-4b3e-9e2d-6b5ff6a7c5b1",
     "https://www.microsoft.com/licensing/docs/customeragreement", 0},
    {"MicrosoftCloudAgreement", "998b88de-aa99-4388-a42c-1b3517d49490",
     "https://go.microsoft.com/fwlink/?linkid=2022116", 0},
};

const struct cspd_agreement_meta *cspd_agreement_metadata(int *n) {
  *n = (int)(sizeof metas / sizeof metas[0]);
  return metas;
}

int cspd_cagreement_create(struct cspd_ctx *c, const char *customer_id,
                           struct cspd_cagreement *in) {
  struct cspd_customer cu;
  struct cspd_holding h;
  int rc = cspd_customer_read(c, customer_id, &cu, &h);
  if (rc != 0)
    return rc;
  const struct cspd_agreement_meta *m = NULL;
  for (size_t i = 0; i < sizeof metas / sizeof metas[0]; i++)
    if (in->type != NULL && strcasecmp(metas[i].type, in->type) == 0)
      m = &metas[i];
  if (m == NULL)
    return cspd_fail(c, CSPD_E_INVALID_INPUT,
                     "type must be MicrosoftCustomerAgreement or MicrosoftCloudAgreement");
  if (in->template_id == NULL || strcasecmp(in->template_id, m->template_id) != 0)
    return cspd_fail(c, CSPD_E_MCA_BAD_TEMPLATE, "(expected %s)", m->template_id);
  if (in->date_agreed_ms > c->now_ms)
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "dateAgreed is in the future");
  /* R-MCA-1: the Microsoft Cloud Agreement was valid until 2020-01-31 */
  if (strcmp(m->type, "MicrosoftCloudAgreement") == 0 && in->date_agreed_ms >= MCA_CLOUD_END_MS)
    return cspd_fail(c, CSPD_E_MCA_CLOUD_EXPIRED, NULL);
  if (in->contact.email != NULL && !cspd_email_valid(in->contact.email))
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "primaryContact.email is not an e-mail address");
  if (c->who != NULL && c->who->kind == CSPD_TENANT_PARTNER) {
    in->partner_tenant_id = c->who->tenant_id; /* a partner attestation, in its own name */
  } else if (c->who != NULL && c->who->kind == CSPD_TENANT_CUSTOMER) {
    if (!(c->who->roles & CSPD_ROLE_CUSTOMER_ADMIN))
      return cspd_fail(c, CSPD_E_ROLE_REQUIRED, "customer_admin role required");
    in->partner_tenant_id = NULL; /* the customer's own acceptance */
  } else if (c->who != NULL) {
    return cspd_fail(c, CSPD_E_TENANT_FORBIDDEN, "the operator does not accept agreements");
  }
  in->type = m->type;
  in->template_id = m->template_id;
  memcpy(in->customer_tenant_id, cu.tenant_id, sizeof in->customer_tenant_id);
  cspd_guid_new(in->id);
  in->user_id = in->user_id ? in->user_id : who_id(c);
  in->created_ms = c->now_ms;
  rc = OPS(c)->cagreement_insert(c->db, in);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  return cspd_audit(
      c, in->partner_tenant_id ? "attest_customer_agreement" : "accept_customer_agreement",
      "Agreement", cu.tenant_id, NULL, m->type);
}

int cspd_mca_status(struct cspd_ctx *c, const char *customer_id, const char *partner,
                    bool *accepted, bool *direct) {
  struct cspd_cagreement *ag;
  int n;
  *accepted = false;
  *direct = false;
  int rc = OPS(c)->cagreement_list(c->db, customer_id, c->arena, &ag, &n);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  for (int i = 0; i < n; i++) {
    if (strcmp(ag[i].type, "MicrosoftCustomerAgreement") != 0)
      continue;
    if (ag[i].partner_tenant_id == NULL) {
      *direct = true; /* R-MCA-2: the customer's own acceptance carries over */
      *accepted = true;
    } else if (partner != NULL && strcmp(ag[i].partner_tenant_id, partner) == 0) {
      *accepted = true; /* an attestation counts only for the partner that made it */
    }
  }
  return 0;
}

int cspd_rule_mca(struct cspd_ctx *c, const char *customer_id, const char *partner) {
  bool accepted, direct;
  int rc = cspd_mca_status(c, customer_id, partner, &accepted, &direct);
  if (rc != 0)
    return rc;
  return accepted ? 0 : cspd_fail(c, CSPD_E_MCA_REQUIRED, NULL); /* R-MCA-1 */
}
