/* h_webhooks.c -- Partner Center webhooks: /webhooks/v1/registration
 * (GET, POST, PUT, DELETE), /webhooks/v1/registration/events,
 * /webhooks/v1/registration/validationEvents, and cspd's delivery log
 * /webhooks/v1/registration/deliveries. As in Partner Center, these
 * resources use PascalCase property names.
 *
 * Deliveries are POSTed by the delivery worker with a signature header
 * X-Cspd-Signature: sha256=<hex HMAC-SHA256 of the body with WebhookSecret>. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/crypto.h"
#include "../core/events.h"
#include "../core/identity.h"
#include "../core/json.h"
#include "../core/util.h"
#include "render.h"

static json_t *render(const struct cspd_webhook_reg *w) {
  json_t *events = json_loads(w->events_json, 0, NULL);
  return json_pack("{s:s, s:s, s:o}", "SubscriberTenantId", w->tenant_id, "WebhookUrl", w->url,
                   "WebhookEvents", events ? events : json_array());
}

/** Validate the body into @a w (url, events_json). */
static int read_body(struct cspd_req *r, struct cspd_webhook_reg *w) {
  json_t *body, *events;
  if (cspd_body_object(r, &body) != 0 ||
      cspd_json_str(&r->ctx, body, "WebhookUrl", true, "", &w->url) != 0 ||
      cspd_json_arr(&r->ctx, body, "WebhookEvents", true, "", &events) != 0)
    return -1;
  if ((strncasecmp(w->url, "http://", 7) != 0 && strncasecmp(w->url, "https://", 8) != 0) ||
      strlen(w->url) > 2048 || strchr(w->url, ' ') != NULL)
    return cspd_fail(&r->ctx, CSPD_E_WEBHOOK_BAD_URL, "'%s'", w->url);
  if (json_array_size(events) == 0)
    return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT, "WebhookEvents must name at least one event");
  size_t i;
  json_t *e;
  json_array_foreach(events, i, e) {
    if (!json_is_string(e) || !cspd_event_name_valid(json_string_value(e)))
      return cspd_fail(&r->ctx, CSPD_E_WEBHOOK_UNKNOWN_EVENT, "WebhookEvents[%zu]", i);
  }
  char *txt = json_dumps(events, JSON_COMPACT);
  w->events_json = cspd_arena_strdup(r->arena, txt ? txt : "[]");
  free(txt);
  return 0;
}

static int put(struct cspd_req *r, bool create) {
  if (cspd_require_partner(r) != 0)
    return -1;
  struct cspd_webhook_reg w = {0}, prev;
  if (read_body(r, &w) != 0)
    return -1;
  const struct cspd_store_ops *ops = cspd_db_ops(r->ctx.db);
  int rc = ops->webhook_get(r->ctx.db, r->who.tenant_id, r->arena, &prev);
  if (rc == 0 && create)
    return cspd_fail(&r->ctx, CSPD_E_WEBHOOK_EXISTS, NULL);
  if (rc == CSPD_STORE_NOTFOUND && !create)
    return cspd_fail(&r->ctx, CSPD_E_WEBHOOK_NOT_REGISTERED, NULL);
  if (rc != 0 && rc != CSPD_STORE_NOTFOUND)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  snprintf(w.tenant_id, sizeof w.tenant_id, "%s", r->who.tenant_id);
  char secret[48];
  if (create) {
    cspd_secret_new(secret);
    w.secret = secret;
    w.created_ms = r->ctx.now_ms;
  } else {
    w.secret = prev.secret;
    w.created_ms = prev.created_ms;
  }
  w.updated_ms = r->ctx.now_ms;
  rc = ops->webhook_put(r->ctx.db, &w);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  rc = cspd_audit(&r->ctx, create ? "create_webhook_registration" : "update_webhook_registration",
                  "WebhookRegistration", w.tenant_id, NULL, w.url);
  if (rc != 0)
    return rc;
  json_t *doc = render(&w);
  if (create) /* shown once: the key to verify X-Cspd-Signature */
    json_object_set_new(doc, "WebhookSecret", json_string(secret));
  return cspd_reply_json(r, 200, doc);
}

int h_webhook_post(struct cspd_req *r) {
  return put(r, true);
}
int h_webhook_put(struct cspd_req *r) {
  return put(r, false);
}

int h_webhook_get(struct cspd_req *r) {
  if (cspd_require_partner(r) != 0)
    return -1;
  struct cspd_webhook_reg w;
  int rc = cspd_db_ops(r->ctx.db)->webhook_get(r->ctx.db, r->who.tenant_id, r->arena, &w);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, CSPD_E_WEBHOOK_NOT_REGISTERED, 0);
  return cspd_reply_json(r, 200, render(&w));
}

int h_webhook_delete(struct cspd_req *r) {
  if (cspd_require_partner(r) != 0)
    return -1;
  int rc = cspd_db_ops(r->ctx.db)->webhook_delete(r->ctx.db, r->who.tenant_id);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, CSPD_E_WEBHOOK_NOT_REGISTERED, 0);
  rc = cspd_audit(&r->ctx, "delete_webhook_registration", "WebhookRegistration", r->who.tenant_id,
                  NULL, NULL);
  return rc != 0 ? rc : cspd_reply_empty(r, 204);
}

/* GET /webhooks/v1/registration/events -- a bare array of event names. */
int h_webhook_events_get(struct cspd_req *r) {
  json_t *arr = json_array();
  for (int i = 0; cspd_event_names[i] != NULL; i++)
    json_array_append_new(arr, json_string(cspd_event_names[i]));
  return cspd_reply_json(r, 200, arr);
}

/* POST /webhooks/v1/registration/validationEvents -- raise test-created. */
int h_webhook_validation_post(struct cspd_req *r) {
  if (cspd_require_partner(r) != 0)
    return -1;
  struct cspd_webhook_reg w;
  int rc = cspd_db_ops(r->ctx.db)->webhook_get(r->ctx.db, r->who.tenant_id, r->arena, &w);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, CSPD_E_WEBHOOK_NOT_REGISTERED, 0);
  char corr[37];
  cspd_guid_new(corr);
  rc = cspd_event(
      &r->ctx, r->who.tenant_id, "test-created",
      cspd_arena_printf(r->arena, "/webhooks/v1/registration/validationEvents/%s", corr), "test");
  return rc != 0 ? rc : cspd_reply_json(r, 200, json_pack("{s:s}", "CorrelationId", corr));
}

/* GET /webhooks/v1/registration/deliveries -- cspd's delivery log. */
int h_webhook_deliveries_get(struct cspd_req *r) {
  if (cspd_require_partner(r) != 0)
    return -1;
  struct cspd_page pg;
  if (cspd_page_read(r, 100, &pg) != 0)
    return -1;
  struct cspd_webhook_delivery *rows;
  int n;
  int rc = cspd_db_ops(r->ctx.db)->delivery_list(r->ctx.db, r->who.tenant_id, pg.after, pg.size + 1,
                                                 r->arena, &rows, &n);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  json_t *items = json_array();
  for (int i = 0; i < n && i < pg.size; i++) {
    const struct cspd_webhook_delivery *d = &rows[i];
    json_t *payload = json_loads(d->payload, 0, NULL);
    json_t *it = json_pack(
        "{s:s, s:s, s:o, s:s, s:i, s:s, s:{s:s}}", "id", d->id, "eventName", d->event_name,
        "payload", payload ? payload : json_null(), "status", d->status, "attempts", d->attempts,
        "createdDate", cspd_iso(r, d->created_ms), "attributes", "objectType", "WebhookDelivery");
    if (d->last_status_code)
      json_object_set_new(it, "lastStatusCode", json_integer(d->last_status_code));
    if (d->last_error)
      json_object_set_new(it, "lastError", json_string(d->last_error));
    if (d->delivered_ms)
      json_object_set_new(it, "deliveredDate", json_string(cspd_iso(r, d->delivered_ms)));
    if (d->next_attempt_ms && strcmp(d->status, "pending") == 0)
      json_object_set_new(it, "nextAttemptDate", json_string(cspd_iso(r, d->next_attempt_ms)));
    json_array_append_new(items, it);
  }
  return cspd_reply_json(r, 200,
                         cspd_collection(r, items, &pg, n > pg.size ? rows[pg.size - 1].id : NULL));
}
