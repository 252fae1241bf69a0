/* h_relationship_extensions.c -- moving a direct-bill customer to an
 * indirect provider (R-EXT-0..8):
 * POST /v1/customers/{id}/relationshipextensions
 *   {"indirectProviderId": tenant GUID or PartnerID, "customerConsentAttested": true}
 * GET  /v1/customers/{id}/relationshipextensions -- the customer's indirect providers. */
#include <string.h>

#include "../core/customers.h"
#include "../core/json.h"
#include "render.h"

/** The customer's indirect providers, as PartnerRelationship items. */
static int providers_reply(struct cspd_req *r, const char *customer, int status) {
  const struct cspd_store_ops *ops = cspd_db_ops(r->ctx.db);
  struct cspd_crel *rels;
  int n;
  int rc = ops->crel_list(r->ctx.db, customer, r->arena, &rels, &n);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  json_t *items = json_array();
  for (int i = 0; i < n; i++) {
    if (rels[i].role != CSPD_CREL_PROVIDER || strcmp(rels[i].state, "active") != 0)
      continue;
    struct cspd_location l;
    if (ops->location_get(r->ctx.db, rels[i].partner_tenant_id, r->arena, &l) != 0)
      continue;
    json_array_append_new(
        items, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:b, s:{s:s}}", "id", l.tenant_id, "name",
                         l.company_name, "mpnId", l.mpn_id, "relationshipType",
                         "is_indirect_cloud_solution_provider_of", "acquired", rels[i].acquired,
                         "indirectResellerId", rels[i].via_tenant_id, "delegatedAdmin",
                         rels[i].delegated_admin, "attributes", "objectType", "IndirectProvider"));
  }
  rc = cspd_reply_list(r, items);
  if (rc == 0)
    r->status = status;
  return rc;
}

int h_relationshipextensions_post(struct cspd_req *r) {
  json_t *body;
  const char *provider;
  bool consent = false;
  if (cspd_body_object(r, &body) != 0 ||
      cspd_json_str(&r->ctx, body, "indirectProviderId", true, "", &provider) != 0 ||
      cspd_json_bool(&r->ctx, body, "customerConsentAttested", false, "", &consent) != 0)
    return -1;
  int rc = cspd_relationship_extend(&r->ctx, r->params[0], provider, consent);
  if (rc != 0)
    return rc;
  char g[37];
  snprintf(g, sizeof g, "%s", r->params[0]);
  for (char *p = g; *p; p++)
    *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
  return providers_reply(r, g, 201);
}

int h_relationshipextensions_get(struct cspd_req *r) {
  struct cspd_customer cu;
  int rc = cspd_customer_read(&r->ctx, r->params[0], &cu, NULL);
  return rc != 0 ? rc : providers_reply(r, cu.tenant_id, 200);
}
