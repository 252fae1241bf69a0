/* h_transfers.c -- the Partner Center transfer API (SPEC §3.4):
 * GET  /v1/customers/{cid}/transferseligibility?transferType=directtoindirect (bare array)
 * POST /v1/customers/{cid}/transfers                         create (201 TransferEntity)
 * GET  /v1/customers/{cid}/transfers                         list (bare array)
 * GET  /v1/customers/{cid}/transfers/{tid}                   one
 * POST /v1/customers/{cid}/transfers/{tid}/accept            TransferSubmitResult
 * PATCH /v1/customers/{cid}/transfers/{tid} {"status":"reject"}
 * DELETE /v1/customers/{cid}/transfers/{tid}                 withdraw (204) */
#include <string.h>
#include <strings.h>

#include "../core/customers.h"
#include "../core/json.h"
#include "../core/transfers.h"
#include "render.h"

static const char *name_of(struct cspd_req *r, const char *tenant) {
  struct cspd_location l;
  if (cspd_db_ops(r->ctx.db)->location_get(r->ctx.db, tenant, r->arena, &l) == 0)
    return l.company_name;
  return "";
}

static json_t *render(struct cspd_req *r, const struct cspd_transfer *t) {
  json_t *lines = json_loads(t->lines_json, 0, NULL);
  struct cspd_customer cu;
  const char *cname = "";
  if (cspd_db_ops(r->ctx.db)->customer_get(r->ctx.db, t->customer_tenant_id, r->arena, &cu) == 0)
    cname = cu.company_name;
  return json_pack(
      "{s:s, s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:{s:o}, s:{s:s}}", "id",
      t->id, "status", t->status, "createdTime", cspd_iso(r, t->created_ms), "lastModifiedTime",
      cspd_iso(r, t->modified_ms), "lastModifiedUser", t->modified_by, "customerName", cname,
      "customerTenantId", t->customer_tenant_id, "partnertenantid", t->source_tenant_id,
      "sourcePartnerTenantId", t->source_tenant_id, "sourcePartnerName",
      name_of(r, t->source_tenant_id), "targetPartnerTenantId", t->target_tenant_id,
      "targetPartnerName", name_of(r, t->target_tenant_id), "lineItems",
      lines ? lines : json_array(), "links", "self",
      cspd_link(cspd_arena_printf(r->arena, "/v1/customers/%s/transfers/%s", t->customer_tenant_id,
                                  t->id),
                "GET"),
      "attributes", "objectType", "TransferEntity");
}

int h_transfers_eligibility(struct cspd_req *r) {
  const char *type = cspd_query(r, "transferType");
  if (type != NULL && strcasecmp(type, "directtoindirect") != 0)
    return cspd_fail(&r->ctx, CSPD_E_TRF_INVALID, "transferType must be directtoindirect");
  json_t *arr;
  int rc = cspd_transfer_eligibility(&r->ctx, r->params[0], &arr);
  return rc != 0 ? rc : cspd_reply_json(r, 200, arr);
}

int h_transfers_post(struct cspd_req *r) {
  json_t *body, *lines;
  const char *src, *tgt;
  if (cspd_body_object(r, &body) != 0 ||
      cspd_json_str(&r->ctx, body, "sourcePartnerTenantId", true, "", &src) != 0 ||
      cspd_json_str(&r->ctx, body, "targetPartnerTenantId", true, "", &tgt) != 0 ||
      cspd_json_arr(&r->ctx, body, "lineItems", true, "", &lines) != 0)
    return -1;
  int n = (int)json_array_size(lines);
  struct cspd_transfer_line_in *in = cspd_arena_alloc(r->arena, sizeof *in * (size_t)(n ? n : 1));
  for (int i = 0; i < n; i++) {
    json_t *l = json_array_get(lines, (size_t)i);
    char *p = cspd_arena_printf(r->arena, "lineItems[%d]", i);
    if (cspd_json_str(&r->ctx, l, "subscriptionId", true, p, &in[i].subscription_id) != 0 ||
        cspd_json_str(&r->ctx, l, "partnerIdOnRecord", false, p, &in[i].partner_id_on_record) != 0)
      return -1;
  }
  struct cspd_transfer t;
  int rc = cspd_transfer_create(&r->ctx, r->params[0], src, tgt, in, n, &t);
  if (rc != 0)
    return rc;
  r->location =
      cspd_arena_printf(r->arena, "/v1/customers/%s/transfers/%s", t.customer_tenant_id, t.id);
  return cspd_reply_json(r, 201, render(r, &t));
}

int h_transfers_get(struct cspd_req *r) {
  struct cspd_customer cu;
  int rc = cspd_customer_read(&r->ctx, r->params[0], &cu, NULL);
  if (rc != 0)
    return rc;
  struct cspd_transfer *ts;
  int n;
  if ((rc = cspd_db_ops(r->ctx.db)->transfer_list(r->ctx.db, cu.tenant_id, r->arena, &ts, &n)) != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  json_t *arr = json_array();
  for (int i = 0; i < n; i++) {
    if (r->who.kind == CSPD_TENANT_PARTNER &&
        strcmp(ts[i].source_tenant_id, r->who.tenant_id) != 0 &&
        strcmp(ts[i].target_tenant_id, r->who.tenant_id) != 0)
      continue; /* other partners' transfers */
    json_array_append_new(arr, render(r, &ts[i]));
  }
  return cspd_reply_json(r, 200, arr);
}

int h_transfer_get(struct cspd_req *r) {
  struct cspd_transfer t;
  int rc = cspd_transfer_read(&r->ctx, r->params[0], r->params[1], &t);
  return rc != 0 ? rc : cspd_reply_json(r, 200, render(r, &t));
}

int h_transfer_accept(struct cspd_req *r) {
  struct cspd_transfer t;
  json_t *result;
  int rc = cspd_transfer_accept(&r->ctx, r->params[0], r->params[1], &t, &result);
  return rc != 0 ? rc : cspd_reply_json(r, 200, result);
}

/* PATCH {"id","status":"reject"} -- the provider rejects. */
int h_transfer_patch(struct cspd_req *r) {
  json_t *body;
  const char *status;
  if (cspd_body_object(r, &body) != 0 ||
      cspd_json_str(&r->ctx, body, "status", true, "", &status) != 0)
    return -1;
  if (strcasecmp(status, "reject") != 0)
    return cspd_fail(&r->ctx, CSPD_E_TRF_INVALID, "status can only be set to reject");
  struct cspd_transfer t;
  int rc = cspd_transfer_reject(&r->ctx, r->params[0], r->params[1], &t);
  return rc != 0 ? rc : cspd_reply_json(r, 200, render(r, &t));
}

int h_transfer_delete(struct cspd_req *r) {
  int rc = cspd_transfer_withdraw(&r->ctx, r->params[0], r->params[1]);
  return rc != 0 ? rc : cspd_reply_empty(r, 204);
}
