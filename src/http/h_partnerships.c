/* h_partnerships.c -- providers and provider-reseller partnerships:
 * GET /v1/providers (R-PRT-1), /v1/partnerships/invitations (R-PRT-2),
 * DELETE /v1/partnerships/{provider}/{reseller} (operator only, R-PRT-4). */
#include <string.h>
#include <strings.h>

#include "../core/json.h"
#include "../core/markets.h"
#include "../core/program.h"
#include "render.h"

/* GET /v1/providers[?market=] -- the indirect providers of the caller's
 * market (the operator may name any market). */
int h_providers_get(struct cspd_req *r) {
  int rc = cspd_providers_lookup_allowed(&r->ctx);
  if (rc != 0)
    return rc;
  struct cspd_page pg;
  if (cspd_page_read(r, 100, &pg) != 0)
    return -1;
  const struct cspd_store_ops *ops = cspd_db_ops(r->ctx.db);
  const char *market = cspd_query(r, "market");
  if (r->who.kind != CSPD_TENANT_OPERATOR) {
    struct cspd_location me;
    rc = ops->location_get(r->ctx.db, r->who.tenant_id, r->arena, &me);
    if (rc != 0)
      return cspd_store_fail(&r->ctx, rc, CSPD_E_LOCATION_NOT_FOUND, 0);
    const struct cspd_market_country *mc = cspd_market_of(me.country);
    market = mc ? mc->market : ""; /* R-PRT-1: of its own market */
  }
  json_t *items = json_array();
  const char *after = pg.after, *next = NULL;
  bool more = false;
  /* scan active providers in tenant order, keeping those of the market; one
   * match beyond the page means there is a next page */
  while (!more) {
    struct cspd_membership *ms;
    int n;
    rc = ops->members_list(r->ctx.db, CSPD_PROG_INDIRECT_PROVIDER, CSPD_MS_ACTIVE, after, 200,
                           r->arena, &ms, &n);
    if (rc != 0) {
      json_decref(items);
      return cspd_store_fail(&r->ctx, rc, 0, 0);
    }
    for (int i = 0; i < n && !more; i++) {
      struct cspd_location l;
      if (ops->location_get(r->ctx.db, ms[i].tenant_id, r->arena, &l) != 0)
        continue;
      const struct cspd_market_country *mc = cspd_market_of(l.country);
      if (market != NULL && (mc == NULL || strcasecmp(mc->market, market) != 0))
        continue;
      if ((int)json_array_size(items) == pg.size) {
        more = true;
        break;
      }
      json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:{s:s}}", "tenantId",
                                             l.tenant_id, "name", l.company_name, "mpnId", l.mpn_id,
                                             "country", l.country, "market", mc ? mc->market : "",
                                             "primaryContact", cspd_render_contact(&l.contact),
                                             "attributes", "objectType", "IndirectProvider"));
      next = cspd_arena_strdup(r->arena, l.tenant_id);
    }
    if (n < 200)
      break;
    after = ms[n - 1].tenant_id;
  }
  if (!more)
    next = NULL;
  return cspd_reply_json(r, 200, cspd_collection(r, items, &pg, next));
}

static json_t *render_invitation(struct cspd_req *r, const struct cspd_invitation *v) {
  struct cspd_location p;
  const char *pname = "";
  if (cspd_db_ops(r->ctx.db)->location_get(r->ctx.db, v->provider_tenant_id, r->arena, &p) == 0)
    pname = p.company_name;
  json_t *doc = json_pack(
      "{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:o}, s:o}", "id", v->id, "providerTenantId",
      v->provider_tenant_id, "providerName", pname, "status", v->state, "createdDate",
      cspd_iso(r, v->created_ms), "url",
      cspd_arena_printf(r->arena, "%s/#/partnerships/invitations/%s",
                        r->ctx.base_url ? r->ctx.base_url : "", v->id),
      "links", "accept",
      cspd_link(cspd_arena_printf(r->arena, "/v1/partnerships/invitations/%s/accept", v->id),
                "POST"),
      "attributes", cspd_attributes("PartnershipInvitation", v->version));
  if (v->reseller_mpn_id)
    json_object_set_new(doc, "resellerMpnId", json_string(v->reseller_mpn_id));
  if (v->reseller_email)
    json_object_set_new(doc, "email", json_string(v->reseller_email));
  if (v->accepted_ms) {
    json_object_set_new(doc, "acceptedDate", json_string(cspd_iso(r, v->accepted_ms)));
    json_object_set_new(doc, "resellerTenantId", json_string(v->accepted_tenant_id));
  }
  return doc;
}

/* POST /v1/partnerships/invitations {"resellerMpnId"} or {"email"} */
int h_invitations_post(struct cspd_req *r) {
  json_t *body;
  const char *mpn, *email;
  if (cspd_body_object(r, &body) != 0 ||
      cspd_json_str(&r->ctx, body, "resellerMpnId", false, "", &mpn) != 0 ||
      cspd_json_str(&r->ctx, body, "email", false, "", &email) != 0)
    return -1;
  struct cspd_invitation v;
  int rc = cspd_invitation_create(&r->ctx, mpn, email, &v);
  if (rc != 0)
    return rc;
  r->location = cspd_arena_printf(r->arena, "/v1/partnerships/invitations/%s", v.id);
  return cspd_reply_json(r, 201, render_invitation(r, &v));
}

/* GET /v1/partnerships/invitations: sent (provider) and received (reseller). */
int h_invitations_get(struct cspd_req *r) {
  if (cspd_require_partner(r) != 0)
    return -1;
  struct cspd_page pg;
  if (cspd_page_read(r, 100, &pg) != 0)
    return -1;
  const struct cspd_store_ops *ops = cspd_db_ops(r->ctx.db);
  struct cspd_location me;
  int rc = ops->location_get(r->ctx.db, r->who.tenant_id, r->arena, &me);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, CSPD_E_LOCATION_NOT_FOUND, 0);
  struct cspd_invitation *rows;
  int n;
  rc = ops->invitation_list(r->ctx.db, me.tenant_id, me.mpn_id, me.contact.email, pg.after,
                            pg.size + 1, r->arena, &rows, &n);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  json_t *items = json_array();
  for (int i = 0; i < n && i < pg.size; i++) {
    json_t *it = render_invitation(r, &rows[i]);
    json_object_set_new(
        it, "direction",
        json_string(strcmp(rows[i].provider_tenant_id, me.tenant_id) == 0 ? "sent" : "received"));
    json_array_append_new(items, it);
  }
  return cspd_reply_json(r, 200,
                         cspd_collection(r, items, &pg, n > pg.size ? rows[pg.size - 1].id : NULL));
}

int h_invitation_get(struct cspd_req *r) {
  struct cspd_invitation v;
  int rc = cspd_invitation_read(&r->ctx, r->params[0], &v);
  return rc != 0 ? rc : cspd_reply_json(r, 200, render_invitation(r, &v));
}

int h_invitation_accept(struct cspd_req *r) {
  struct cspd_invitation v;
  int rc = cspd_invitation_accept(&r->ctx, r->params[0], &v);
  return rc != 0 ? rc : cspd_reply_json(r, 200, render_invitation(r, &v));
}

/* DELETE /v1/partnerships/{providerTenantId}/{resellerTenantId}[?reason=] */
int h_partnership_delete(struct cspd_req *r) {
  int rc = cspd_partnership_end(&r->ctx, r->params[0], r->params[1], cspd_query(r, "reason"));
  return rc != 0 ? rc : cspd_reply_empty(r, 204);
}

/* GET /v1/operator/partnerships[?state=active|terminated] -- every
 * provider-reseller relationship, for the operator to end (R-PRT-4). The
 * store keeps an ended relationship as "ended"; the API calls it
 * "terminated". Continuation key: "provider/reseller". */
int h_operator_partnerships_get(struct cspd_req *r) {
  struct cspd_page pg;
  if (cspd_page_read(r, 100, &pg) != 0)
    return -1;
  const char *state = cspd_query(r, "state"), *stored = NULL;
  if (state != NULL) {
    if (strcmp(state, "active") == 0)
      stored = "active";
    else if (strcmp(state, "terminated") == 0)
      stored = "ended";
    else
      return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT, "state must be active or terminated");
  }
  const struct cspd_store_ops *ops = cspd_db_ops(r->ctx.db);
  struct cspd_partnership *rows;
  int n;
  int rc = ops->partnership_list_all(r->ctx.db, stored, pg.after, pg.size + 1, r->arena, &rows, &n);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  json_t *items = json_array();
  for (int i = 0; i < n && i < pg.size; i++) {
    const struct cspd_partnership *p = &rows[i];
    struct cspd_location pl, rl;
    const char *pname = "", *pmpn = "", *rname = "", *rmpn = "";
    if (ops->location_get(r->ctx.db, p->provider_tenant_id, r->arena, &pl) == 0) {
      pname = pl.company_name;
      pmpn = pl.mpn_id;
    }
    if (ops->location_get(r->ctx.db, p->reseller_tenant_id, r->arena, &rl) == 0) {
      rname = rl.company_name;
      rmpn = rl.mpn_id;
    }
    json_array_append_new(
        items,
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s}}", "providerTenantId",
                  p->provider_tenant_id, "providerName", pname ? pname : "", "providerMpnId",
                  pmpn ? pmpn : "", "resellerTenantId", p->reseller_tenant_id, "resellerName",
                  rname ? rname : "", "resellerMpnId", rmpn ? rmpn : "", "state",
                  strcmp(p->state, "active") == 0 ? "active" : "terminated", "createdDate",
                  cspd_iso(r, p->created_ms), "attributes", "objectType", "Partnership"));
  }
  const char *next = NULL;
  if (n > pg.size)
    next = cspd_arena_printf(r->arena, "%s/%s", rows[pg.size - 1].provider_tenant_id,
                             rows[pg.size - 1].reseller_tenant_id);
  return cspd_reply_json(r, 200, cspd_collection(r, items, &pg, next));
}
