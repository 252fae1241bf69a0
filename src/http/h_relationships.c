/* h_relationships.c -- GET /v1/relationships[?relationship_type=].
 *
 * IsIndirectResellerOf (or is_indirect_reseller_of): the caller is a
 * provider; lists the indirect resellers related to it.
 * IsIndirectCloudSolutionProviderOf (or is_indirect_cloud_solution_provider_of):
 * the caller is a reseller; lists its indirect providers.
 * Without the parameter, both, resellers first. */
#include <string.h>
#include <strings.h>

#include "../core/identity.h"
#include "render.h"

static int parse_type(const char *t, int *kinds) {
  if (t == NULL || t[0] == '\0') {
    *kinds = 3;
    return 0;
  }
  if (strcasecmp(t, "IsIndirectResellerOf") == 0 || strcasecmp(t, "is_indirect_reseller_of") == 0) {
    *kinds = 1;
    return 0;
  }
  if (strcasecmp(t, "IsIndirectCloudSolutionProviderOf") == 0 ||
      strcasecmp(t, "is_indirect_cloud_solution_provider_of") == 0) {
    *kinds = 2;
    return 0;
  }
  return -1;
}

static json_t *render(struct cspd_req *r, const struct cspd_location *other, const char *type,
                      const char *state) {
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s}}", "id", other->tenant_id, "name",
                   other->company_name, "relationshipType", type, "state", state, "mpnId",
                   other->mpn_id, "partnerId", other->tenant_id, "location", other->country,
                   "attributes", "objectType", "PartnerRelationship");
}

int h_relationships_get(struct cspd_req *r) {
  int kinds;
  if (parse_type(cspd_query(r, "relationship_type"), &kinds) != 0)
    return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT,
                     "relationship_type must be IsIndirectResellerOf or "
                     "IsIndirectCloudSolutionProviderOf");
  if (cspd_require_partner(r) != 0)
    return -1;
  struct cspd_page pg;
  if (cspd_page_read(r, 100, &pg) != 0)
    return -1;
  const struct cspd_store_ops *ops = cspd_db_ops(r->ctx.db);
  /* keys: "1:<tenant>" in the reseller phase, "2:<tenant>" in the provider phase */
  int phase = 1;
  const char *after = "";
  if (pg.after[0] != '\0') {
    if ((pg.after[0] != '1' && pg.after[0] != '2') || pg.after[1] != ':')
      return cspd_fail(&r->ctx, CSPD_E_BAD_CONTINUATION, NULL);
    phase = pg.after[0] - '0';
    after = pg.after + 2;
  }
  json_t *items = json_array();
  const char *next = NULL;
  for (; phase <= 2 && next == NULL; phase++, after = "") {
    if (!(kinds & phase))
      continue;
    int want = pg.size - (int)json_array_size(items);
    if (want <= 0) {
      /* the page is full at a phase boundary: resume at this phase */
      next = cspd_arena_printf(r->arena, "%d:", phase);
      break;
    }
    struct cspd_partnership *ps;
    int n;
    enum cspd_partnership_side side = phase == 1 ? CSPD_SIDE_PROVIDER : CSPD_SIDE_RESELLER;
    int rc = ops->partnership_list(r->ctx.db, r->who.tenant_id, side, after, want + 1, r->arena,
                                   &ps, &n);
    if (rc != 0) {
      json_decref(items);
      return cspd_store_fail(&r->ctx, rc, 0, 0);
    }
    for (int i = 0; i < n && i < want; i++) {
      const char *other = phase == 1 ? ps[i].reseller_tenant_id : ps[i].provider_tenant_id;
      struct cspd_location l;
      rc = ops->location_get(r->ctx.db, other, r->arena, &l);
      if (rc != 0) {
        json_decref(items);
        return cspd_store_fail(&r->ctx, rc, CSPD_E_LOCATION_NOT_FOUND, 0);
      }
      json_array_append_new(items, render(r, &l,
                                          phase == 1 ? "is_indirect_reseller_of"
                                                     : "is_indirect_cloud_solution_provider_of",
                                          ps[i].state));
    }
    if (n > want) {
      const char *last =
          phase == 1 ? ps[want - 1].reseller_tenant_id : ps[want - 1].provider_tenant_id;
      next = cspd_arena_printf(r->arena, "%d:%s", phase, last);
    }
  }
  return cspd_reply_json(r, 200, cspd_collection(r, items, &pg, next));
}
