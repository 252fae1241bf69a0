/* h_notifications.c -- GET /v1/notifications: the e-mails cspd sent (or
 * stored, without an SMTP relay) to the caller's tenant; the operator sees
 * all. Oldest first, seek paging. */
#include "render.h"

int h_notifications_get(struct cspd_req *r) {
  struct cspd_page pg;
  if (cspd_page_read(r, 100, &pg) != 0)
    return -1;
  const char *tenant =
      r->who.kind == CSPD_TENANT_OPERATOR ? cspd_query(r, "tenantId") : r->who.tenant_id;
  struct cspd_notification *rows;
  int n;
  int rc = cspd_db_ops(r->ctx.db)->notification_list(r->ctx.db, tenant, pg.after, pg.size + 1,
                                                     r->arena, &rows, &n);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  json_t *items = json_array();
  for (int i = 0; i < n && i < pg.size; i++) {
    const struct cspd_notification *x = &rows[i];
    json_t *it =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:{s:s}}", "id", x->id, "recipient",
                  x->recipient, "kind", x->kind, "subject", x->subject, "body", x->body, "status",
                  x->status, "attempts", x->attempts, "createdDate", cspd_iso(r, x->created_ms),
                  "attributes", "objectType", "Notification");
    if (x->sent_ms)
      json_object_set_new(it, "sentDate", json_string(cspd_iso(r, x->sent_ms)));
    if (x->last_error)
      json_object_set_new(it, "lastError", json_string(x->last_error));
    if (x->tenant_id)
      json_object_set_new(it, "tenantId", json_string(x->tenant_id));
    json_array_append_new(items, it);
  }
  return cspd_reply_json(r, 200,
                         cspd_collection(r, items, &pg, n > pg.size ? rows[pg.size - 1].id : NULL));
}
