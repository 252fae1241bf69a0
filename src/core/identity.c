/* identity.c -- identities and authentication lookups (see identity.h). */
#include "identity.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "markets.h"
#include "util.h"

_Thread_local struct cspd_request_ids cspd_current_request;

#define OPS(c) cspd_db_ops((c)->db)

int cspd_store_fail(struct cspd_ctx *c, int rc, enum cspd_error_id notfound,
                    enum cspd_error_id conflict) {
  switch (rc) {
  case CSPD_STORE_OK:
    return 0;
  case CSPD_STORE_BUSY:
    return CSPD_STORE_BUSY;
  case CSPD_STORE_NOTFOUND:
    return cspd_fail(c, notfound ? notfound : CSPD_E_NOT_FOUND, NULL);
  case CSPD_STORE_CONFLICT:
    return cspd_fail(c, conflict ? conflict : CSPD_E_CONFLICT, NULL);
  default:
    return cspd_fail(c, CSPD_E_INTERNAL, "store error");
  }
}

int cspd_audit(struct cspd_ctx *c, const char *operation, const char *resource_type,
               const char *resource_id, const char *before_json, const char *after_json) {
  const struct cspd_principal *w = c->who;
  struct cspd_audit a = {
      .ts_ms = c->now_ms,
      .tenant_id = w ? w->tenant_id : NULL,
      .user_id = (w && w->user_id[0]) ? w->user_id : NULL,
      .app_id = (w && w->app_id[0]) ? w->app_id : NULL,
      .operation = operation,
      .resource_type = resource_type,
      .resource_id = resource_id,
      .before_json = before_json,
      .after_json = after_json,
      .request_id = cspd_current_request.request_id,
      .correlation_id = cspd_current_request.correlation_id,
  };
  return cspd_store_fail(c, OPS(c)->audit_insert(c->db, &a), 0, 0);
}

static bool is_operator(const struct cspd_ctx *c) {
  return c->who != NULL && c->who->kind == CSPD_TENANT_OPERATOR &&
         (c->who->roles & CSPD_ROLE_OPERATOR);
}

bool cspd_may_admin_tenant(const struct cspd_ctx *c, const char *tenant_id) {
  if (is_operator(c))
    return true;
  return c->who != NULL && (c->who->roles & CSPD_ROLE_GLOBAL_ADMIN) &&
         strcmp(c->who->tenant_id, tenant_id) == 0;
}

static int require_operator(struct cspd_ctx *c) {
  if (c->who == NULL || is_operator(c))
    return 0; /* NULL: trusted local command (cspd init / seed) */
  cspd_fail(c, CSPD_E_ROLE_REQUIRED, "operator role required");
  cspd_fail_data(c, "operator");
  return -1;
}

static bool blank(const char *s) {
  if (s == NULL)
    return true;
  while (*s)
    if (!isspace((unsigned char)*s++))
      return false;
  return true;
}

/** An optional GUID from input, or a fresh one. */
static int take_guid(struct cspd_ctx *c, const char *in, const char *what, char out[37]) {
  if (in == NULL || in[0] == '\0') {
    cspd_guid_new(out);
    return 0;
  }
  if (cspd_guid_normalize(in, out) != 0)
    return cspd_fail(c, CSPD_E_BAD_GUID, "%s '%s' is not a GUID", what, in);
  return 0;
}

int cspd_org_create(struct cspd_ctx *c, const struct cspd_org_input *in, struct cspd_org *out) {
  if (require_operator(c) != 0)
    return -1;
  if (blank(in->name))
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "companyName is required");
  if (strlen(in->name) > 256)
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "companyName is longer than 256 characters");
  memset(out, 0, sizeof *out);
  if (take_guid(c, in->id, "id", out->id) != 0)
    return -1;
  out->name = cspd_arena_strdup(c->arena, in->name);
  out->version = 1;
  out->created_ms = c->now_ms;
  bool generated = in->mpn_id == NULL || in->mpn_id[0] == '\0';
  if (!generated && !cspd_mpn_id_valid(in->mpn_id))
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "mpnId must be 1 to 10 digits");
  for (int attempt = 0; attempt < 16; attempt++) {
    if (generated)
      cspd_mpn_id_new(out->mpn_id);
    else
      snprintf(out->mpn_id, sizeof out->mpn_id, "%s", in->mpn_id);
    /* PartnerIDs are unique across organizations and locations */
    struct cspd_location l;
    int rc = OPS(c)->location_get_by_mpn(c->db, out->mpn_id, c->arena, &l);
    if (rc == 0) {
      if (!generated)
        return cspd_fail(c, CSPD_E_MPN_ID_TAKEN, "PartnerID %s", out->mpn_id);
      continue;
    }
    if (rc != CSPD_STORE_NOTFOUND)
      return cspd_store_fail(c, rc, 0, 0);
    rc = OPS(c)->org_insert(c->db, out);
    if (rc == CSPD_STORE_CONFLICT) {
      struct cspd_org dup;
      if (OPS(c)->org_get(c->db, out->id, c->arena, &dup) == 0)
        return cspd_fail(c, CSPD_E_CONFLICT, "partner organization %s exists", out->id);
      if (!generated)
        return cspd_fail(c, CSPD_E_MPN_ID_TAKEN, "PartnerID %s", out->mpn_id);
      continue;
    }
    if (rc != 0)
      return cspd_store_fail(c, rc, 0, 0);
    return cspd_audit(c, "create_partner_organization", "PartnerOrganization", out->id, NULL, NULL);
  }
  return cspd_fail(c, CSPD_E_INTERNAL, "could not generate a free PartnerID");
}

int cspd_location_create(struct cspd_ctx *c, const struct cspd_location_input *in,
                         struct cspd_location *out) {
  if (require_operator(c) != 0)
    return -1;
  struct cspd_org org;
  int rc = OPS(c)->org_get(c->db, in->org_id, c->arena, &org);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_PARTNER_NOT_FOUND, 0);
  if (blank(in->country))
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "country is required");
  /* R-REG-1: a tenant's market follows its country */
  const struct cspd_market_country *mc = cspd_market_of(in->country);
  if (mc == NULL)
    return cspd_fail(c, CSPD_E_UNKNOWN_COUNTRY, "country '%s'", in->country);
  memset(out, 0, sizeof *out);
  if (take_guid(c, in->tenant_id, "tenantId", out->tenant_id) != 0)
    return -1;
  memcpy(out->org_id, org.id, sizeof out->org_id);
  memcpy(out->country, mc->country, 3);
  out->company_name =
      blank(in->company_name) ? org.name : cspd_arena_strdup(c->arena, in->company_name);
  out->address = in->address;
  out->contact = in->contact;
  if (out->contact.email != NULL && !cspd_email_valid(out->contact.email))
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "primaryContact.email is not an e-mail address");
  out->version = 1;
  out->created_ms = c->now_ms;
  bool generated = in->mpn_id == NULL || in->mpn_id[0] == '\0';
  if (!generated && !cspd_mpn_id_valid(in->mpn_id))
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "mpnId must be 1 to 10 digits");
  struct cspd_tenant t = {.kind = CSPD_TENANT_PARTNER,
                          .name = out->company_name,
                          .country = out->country,
                          .created_ms = c->now_ms};
  memcpy(t.id, out->tenant_id, sizeof t.id);
  rc = OPS(c)->tenant_insert(c->db, &t);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, CSPD_E_TENANT_ID_TAKEN);
  for (int attempt = 0; attempt < 16; attempt++) {
    if (generated)
      cspd_mpn_id_new(out->mpn_id);
    else
      snprintf(out->mpn_id, sizeof out->mpn_id, "%s", in->mpn_id);
    struct cspd_org o2;
    rc = OPS(c)->org_get_by_mpn(c->db, out->mpn_id, c->arena, &o2);
    if (rc == 0) {
      if (!generated)
        return cspd_fail(c, CSPD_E_MPN_ID_TAKEN, "PartnerID %s", out->mpn_id);
      continue;
    }
    if (rc != CSPD_STORE_NOTFOUND)
      return cspd_store_fail(c, rc, 0, 0);
    rc = OPS(c)->location_insert(c->db, out);
    if (rc == CSPD_STORE_CONFLICT) {
      if (!generated)
        return cspd_fail(c, CSPD_E_MPN_ID_TAKEN, "PartnerID %s", out->mpn_id);
      continue;
    }
    if (rc != 0)
      return cspd_store_fail(c, rc, 0, 0);
    return cspd_audit(c, "create_partner_location", "PartnerLocation", out->tenant_id, NULL, NULL);
  }
  return cspd_fail(c, CSPD_E_INTERNAL, "could not generate a free PartnerID");
}

/** {"key": value} as JSON text in the arena. */
static const char *json_kv(struct cspd_ctx *c, const char *key, const char *value) {
  json_t *o = json_pack("{s:s?}", key, value);
  char *txt = o ? json_dumps(o, JSON_COMPACT) : NULL;
  json_decref(o);
  const char *out = cspd_arena_strdup(c->arena, txt ? txt : "{}");
  free(txt);
  return out;
}

int cspd_org_rename(struct cspd_ctx *c, struct cspd_org *o, const char *name) {
  if (require_operator(c) != 0)
    return -1;
  if (blank(name))
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "companyName is required");
  if (strlen(name) > 256)
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "companyName is longer than 256 characters");
  const char *before = o->name;
  o->name = cspd_arena_strdup(c->arena, name);
  o->version++;
  int rc = OPS(c)->org_update(c->db, o);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_PARTNER_NOT_FOUND, 0);
  return cspd_audit(c, "update_partner_organization", "PartnerOrganization", o->id,
                    json_kv(c, "companyName", before), json_kv(c, "companyName", o->name));
}

int cspd_location_update(struct cspd_ctx *c, struct cspd_location *l) {
  if (c->who != NULL && !cspd_may_admin_tenant(c, l->tenant_id)) {
    cspd_fail(c, CSPD_E_ROLE_REQUIRED,
              "updating the legal profile needs global_admin of the tenant or the operator");
    cspd_fail_data(c, "global_admin");
    cspd_fail_data(c, "operator");
    return -1;
  }
  if (l->contact.email != NULL && !cspd_email_valid(l->contact.email))
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "primaryContact.email is not an e-mail address");
  if (blank(l->company_name))
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "companyName is required");
  l->version++;
  int rc = OPS(c)->location_update(c->db, l);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_LOCATION_NOT_FOUND, 0);
  return cspd_audit(c, "update_legal_business_profile", "PartnerLocation", l->tenant_id, NULL,
                    NULL);
}

int cspd_customer_create(struct cspd_ctx *c, const struct cspd_customer_input *in,
                         struct cspd_customer *out) {
  if (require_operator(c) != 0)
    return -1;
  if (blank(in->company_name) || blank(in->domain) || blank(in->country))
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "companyName, domain and country are required");
  const struct cspd_market_country *mc = cspd_market_of(in->country);
  if (mc == NULL)
    return cspd_fail(c, CSPD_E_UNKNOWN_COUNTRY, "country '%s'", in->country);
  memset(out, 0, sizeof *out);
  if (take_guid(c, in->tenant_id, "tenantId", out->tenant_id) != 0)
    return -1;
  out->company_name = cspd_arena_strdup(c->arena, in->company_name);
  out->domain = cspd_arena_strdup(c->arena, in->domain);
  memcpy(out->country, mc->country, 3);
  out->version = 1;
  out->billing_version = 1;
  out->created_ms = c->now_ms;
  struct cspd_tenant t = {.kind = CSPD_TENANT_CUSTOMER,
                          .name = out->company_name,
                          .country = out->country,
                          .created_ms = c->now_ms};
  memcpy(t.id, out->tenant_id, sizeof t.id);
  int rc = OPS(c)->tenant_insert(c->db, &t);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, CSPD_E_TENANT_ID_TAKEN);
  rc = OPS(c)->customer_insert(c->db, out);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, CSPD_E_DOMAIN_TAKEN);
  return cspd_audit(c, "create_customer", "Customer", out->tenant_id, NULL, NULL);
}

int cspd_password_check(struct cspd_ctx *c, const char *password) {
  if (password == NULL || strlen(password) < 12)
    return cspd_fail(c, CSPD_E_WEAK_PASSWORD, NULL);
  if (strlen(password) > 256)
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "password longer than 256 characters");
  return 0;
}

static bool email_valid(const char *e) {
  return cspd_email_valid(e);
}

int cspd_user_create(struct cspd_ctx *c, const struct cspd_user_input *in, struct cspd_user *out) {
  struct cspd_tenant t;
  char tid[37];
  if (in->tenant_id == NULL || cspd_guid_normalize(in->tenant_id, tid) != 0)
    return cspd_fail(c, CSPD_E_BAD_GUID, "tenant id");
  if (c->who != NULL && !cspd_may_admin_tenant(c, tid)) {
    cspd_fail(c, CSPD_E_ROLE_REQUIRED,
              "creating users needs the operator role or global_admin of the tenant");
    cspd_fail_data(c, "operator");
    cspd_fail_data(c, "global_admin");
    return -1;
  }
  int rc = OPS(c)->tenant_get(c->db, tid, c->arena, &t);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_TENANT_NOT_FOUND, 0);
  if (!email_valid(in->email))
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "email is not an e-mail address");
  if (blank(in->display_name))
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "displayName is required");
  if (in->roles == 0)
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "at least one role is required");
  if ((in->roles & ~cspd_roles_for_kind(t.kind)) != 0)
    return cspd_fail(c, CSPD_E_ROLE_NOT_FOR_TENANT, "tenant kind %s",
                     cspd_tenant_kind_name(t.kind));
  if (in->password_hash == NULL)
    return cspd_fail(c, CSPD_E_WEAK_PASSWORD, NULL);
  memset(out, 0, sizeof *out);
  if (take_guid(c, in->id, "id", out->id) != 0)
    return -1;
  memcpy(out->tenant_id, tid, sizeof out->tenant_id);
  out->email = cspd_arena_strdup(c->arena, in->email);
  out->display_name = cspd_arena_strdup(c->arena, in->display_name);
  out->password_hash = in->password_hash;
  out->roles = in->roles;
  out->sandbox_only = in->sandbox_only;
  out->created_ms = c->now_ms;
  rc = OPS(c)->user_insert(c->db, out);
  if (rc == CSPD_STORE_CONFLICT) {
    struct cspd_user dup;
    if (OPS(c)->user_get(c->db, out->id, c->arena, &dup) == 0)
      return cspd_fail(c, CSPD_E_CONFLICT, "user id %s is taken", out->id);
  }
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, CSPD_E_EMAIL_TAKEN);
  return cspd_audit(c, "create_user", "User", out->id, NULL, NULL);
}

int cspd_app_create(struct cspd_ctx *c, const struct cspd_app_input *in, struct cspd_app *out) {
  char tid[37];
  if (in->tenant_id == NULL || cspd_guid_normalize(in->tenant_id, tid) != 0)
    return cspd_fail(c, CSPD_E_BAD_GUID, "tenant id");
  if (c->who != NULL && !cspd_may_admin_tenant(c, tid)) {
    cspd_fail(c, CSPD_E_ROLE_REQUIRED,
              "registering apps needs the operator role or global_admin of the tenant");
    cspd_fail_data(c, "operator");
    cspd_fail_data(c, "global_admin");
    return -1;
  }
  struct cspd_tenant t;
  int rc = OPS(c)->tenant_get(c->db, tid, c->arena, &t);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_TENANT_NOT_FOUND, 0);
  unsigned roles = in->roles;
  if (roles == 0)
    roles = t.kind == CSPD_TENANT_PARTNER ? CSPD_ROLE_ADMIN_AGENT : cspd_roles_for_kind(t.kind);
  if ((roles & ~cspd_roles_for_kind(t.kind)) != 0)
    return cspd_fail(c, CSPD_E_ROLE_NOT_FOR_TENANT, "tenant kind %s",
                     cspd_tenant_kind_name(t.kind));
  if (blank(in->display_name))
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "displayName is required");
  if (in->secret_hash == NULL)
    return cspd_fail(c, CSPD_E_INTERNAL, "app secret not hashed");
  memset(out, 0, sizeof *out);
  if (take_guid(c, in->client_id, "clientId", out->client_id) != 0)
    return -1;
  memcpy(out->tenant_id, tid, sizeof out->tenant_id);
  out->display_name = cspd_arena_strdup(c->arena, in->display_name);
  out->secret_hash = in->secret_hash;
  out->roles = roles;
  out->sandbox_only = in->sandbox_only;
  out->created_ms = c->now_ms;
  rc = OPS(c)->app_insert(c->db, out);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, CSPD_E_CONFLICT);
  return cspd_audit(c, "create_application", "Application", out->client_id, NULL, NULL);
}

/** Resolve the token endpoint's {tenant}: NULL/common/organizations match
 * any; otherwise it must equal @a tenant_id. */
static bool tenant_matches(const char *path_tenant, const char *tenant_id) {
  if (path_tenant == NULL || strcasecmp(path_tenant, "common") == 0 ||
      strcasecmp(path_tenant, "organizations") == 0)
    return true;
  return strcasecmp(path_tenant, tenant_id) == 0;
}

static int fill_principal(struct cspd_ctx *c, const char *tenant_id, unsigned roles,
                          struct cspd_principal *p) {
  struct cspd_tenant t;
  int rc = OPS(c)->tenant_get(c->db, tenant_id, c->arena, &t);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_OAUTH_INVALID_GRANT, 0);
  memset(p, 0, sizeof *p);
  memcpy(p->tenant_id, t.id, sizeof p->tenant_id);
  p->kind = t.kind;
  p->roles = roles & cspd_roles_for_kind(t.kind);
  return 0;
}

int cspd_auth_password_lookup(struct cspd_ctx *c, const char *tenant, const char *email,
                              const char *client_id, struct cspd_user *u,
                              struct cspd_principal *p) {
  if (blank(email))
    return cspd_fail(c, CSPD_E_OAUTH_INVALID_REQUEST, "username is required");
  int rc = OPS(c)->user_get_by_email(c->db, email, c->arena, u);
  if (rc == CSPD_STORE_NOTFOUND)
    return cspd_fail(c, CSPD_E_OAUTH_INVALID_GRANT, NULL);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  /* the demo world's well-known credentials exist only in sandbox mode */
  if (u->sandbox_only && !c->sandbox)
    return cspd_fail(c, CSPD_E_OAUTH_INVALID_GRANT, NULL);
  if (!tenant_matches(tenant, u->tenant_id))
    return cspd_fail(c, CSPD_E_OAUTH_WRONG_TENANT, NULL);
  if (client_id != NULL && client_id[0] != '\0') {
    struct cspd_app app;
    char cid[37];
    if (cspd_guid_normalize(client_id, cid) != 0)
      return cspd_fail(c, CSPD_E_OAUTH_INVALID_CLIENT, NULL);
    rc = OPS(c)->app_get(c->db, cid, c->arena, &app);
    if (rc == CSPD_STORE_NOTFOUND || (rc == 0 && app.sandbox_only && !c->sandbox))
      return cspd_fail(c, CSPD_E_OAUTH_INVALID_CLIENT, NULL);
    if (rc != 0)
      return cspd_store_fail(c, rc, 0, 0);
  }
  rc = fill_principal(c, u->tenant_id, u->roles, p);
  if (rc != 0)
    return rc;
  memcpy(p->user_id, u->id, sizeof p->user_id);
  if (client_id != NULL && client_id[0] != '\0')
    cspd_guid_normalize(client_id, p->app_id);
  return 0;
}

int cspd_auth_client_lookup(struct cspd_ctx *c, const char *tenant, const char *client_id,
                            struct cspd_app *app, struct cspd_principal *p) {
  char cid[37];
  if (client_id == NULL || cspd_guid_normalize(client_id, cid) != 0)
    return cspd_fail(c, CSPD_E_OAUTH_INVALID_CLIENT, NULL);
  int rc = OPS(c)->app_get(c->db, cid, c->arena, app);
  if (rc == CSPD_STORE_NOTFOUND || (rc == 0 && app->sandbox_only && !c->sandbox))
    return cspd_fail(c, CSPD_E_OAUTH_INVALID_CLIENT, NULL);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  if (!tenant_matches(tenant, app->tenant_id))
    return cspd_fail(c, CSPD_E_OAUTH_WRONG_TENANT, NULL);
  rc = fill_principal(c, app->tenant_id, app->roles, p);
  if (rc != 0)
    return rc;
  memcpy(p->app_id, app->client_id, sizeof p->app_id);
  return 0;
}

int cspd_operator_init(struct cspd_ctx *c, const char *name, const char *email,
                       const char *password_hash, bool sandbox_only, struct cspd_tenant *out) {
  int rc = OPS(c)->tenant_operator(c->db, c->arena, out);
  if (rc == 0)
    return cspd_fail(c, CSPD_E_ALREADY_INITIALISED, NULL);
  if (rc != CSPD_STORE_NOTFOUND)
    return cspd_store_fail(c, rc, 0, 0);
  memset(out, 0, sizeof *out);
  cspd_guid_new(out->id);
  out->kind = CSPD_TENANT_OPERATOR;
  out->name = blank(name) ? "cspd operator" : name;
  out->created_ms = c->now_ms;
  rc = OPS(c)->tenant_insert(c->db, out);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  struct cspd_user_input ui = {.tenant_id = out->id,
                               .email = email,
                               .display_name = "Operator",
                               .password_hash = password_hash,
                               .roles = CSPD_ROLE_OPERATOR,
                               .sandbox_only = sandbox_only};
  struct cspd_user u;
  return cspd_user_create(c, &ui, &u);
}
