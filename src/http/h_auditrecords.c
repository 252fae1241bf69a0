/* h_auditrecords.c -- GET /v1/auditrecords?startDate=&endDate= (Partner
 * Center shape). A partner sees the records of actions taken in its tenant;
 * the operator sees all (or one tenant with ?tenantId=). */
#include <stdlib.h>
#include <string.h>

#include "../core/util.h"
#include "render.h"

#define DAY_MS 86400000LL

int h_auditrecords_get(struct cspd_req *r) {
  struct cspd_page pg;
  if (cspd_page_read(r, 100, &pg) != 0)
    return -1;
  int64_t start = r->ctx.now_ms - 30 * DAY_MS, end = r->ctx.now_ms + 1;
  const char *s = cspd_query(r, "startDate"), *e = cspd_query(r, "endDate");
  if (s != NULL && cspd_time_parse(s, &start) != 0)
    return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT, "startDate must be a date or RFC 3339 time");
  if (e != NULL && cspd_time_parse(e, &end) != 0)
    return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT, "endDate must be a date or RFC 3339 time");
  if (end <= start)
    return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT, "endDate must be after startDate");
  const char *tenant = r->who.tenant_id;
  if (r->who.kind == CSPD_TENANT_OPERATOR) {
    tenant = cspd_query(r, "tenantId"); /* NULL: all */
  }
  long long after = pg.after[0] ? atoll(pg.after) : 0;
  const struct cspd_store_ops *ops = cspd_db_ops(r->ctx.db);
  struct cspd_audit_row *rows;
  int n;
  int rc = ops->audit_list(r->ctx.db, tenant, start, end, after, pg.size + 1, r->arena, &rows, &n);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  json_t *items = json_array();
  for (int i = 0; i < n && i < pg.size; i++) {
    const struct cspd_audit *a = &rows[i].rec;
    const char *upn = NULL;
    struct cspd_user u;
    if (a->user_id != NULL && ops->user_get(r->ctx.db, a->user_id, r->arena, &u) == 0)
      upn = u.email;
    json_t *custom = json_array();
    if (a->request_id)
      json_array_append_new(custom,
                            json_pack("{s:s, s:s}", "key", "MS-RequestId", "value", a->request_id));
    if (a->correlation_id)
      json_array_append_new(
          custom, json_pack("{s:s, s:s}", "key", "MS-CorrelationId", "value", a->correlation_id));
    json_array_append_new(
        items,
        json_pack("{s:s, s:s?, s:s?, s:s, s:s?, s:s?, s:s?, s:s, s:s, s:s, s:s?, s:o, s:{s:s}}",
                  "id", cspd_arena_printf(r->arena, "%lld", (long long)rows[i].id), "partnerId",
                  a->tenant_id, "userPrincipalName", upn, "resourceType", a->resource_type,
                  "resourceId", a->resource_id, "resourceOldValue", a->before_json,
                  "resourceNewValue", a->after_json, "operationType", a->operation,
                  "operationStatus", "succeeded", "operationDate", cspd_iso(r, a->ts_ms),
                  "applicationId", a->app_id, "customizedData", custom, "attributes", "objectType",
                  "AuditRecord"));
  }
  const char *next =
      n > pg.size ? cspd_arena_printf(r->arena, "%lld", (long long)rows[pg.size - 1].id) : NULL;
  return cspd_reply_json(r, 200, cspd_collection(r, items, &pg, next));
}
