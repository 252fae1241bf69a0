/* events.c -- notifications and webhook events (see events.h). */
#include "events.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../store/store.h"
#include "identity.h"
#include "util.h"

static bool relay_configured;

void cspd_notify_set_relay(bool configured) {
  relay_configured = configured;
}

const char *const cspd_event_names[] = {
    "test-created",
    /* partner program */
    "enrollment-submitted",
    "enrollment-approved",
    "enrollment-rejected",
    "indirect-reseller-agreement-accepted",
    "mpa-signed",
    "partnership-invitation-created",
    "partnership-accepted",
    "partnership-ended",
    "direct-bill-restricted",
    "direct-bill-reinstated",
    /* customers (Partner Center names) */
    "customer-created",
    "indirect-reseller-relationship-accepted-by-customer",
    "reseller-relationship-accepted-by-customer",
    /* commerce and transfers (Partner Center names) */
    "subscription-updated",
    "create-transfer",
    "update-transfer",
    "complete-transfer",
    "fail-transfer",
    NULL,
};

bool cspd_event_name_valid(const char *name) {
  for (int i = 0; cspd_event_names[i] != NULL; i++)
    if (strcasecmp(cspd_event_names[i], name) == 0)
      return true;
  return false;
}

int cspd_notify(struct cspd_ctx *c, const char *tenant_id, const char *recipient, const char *kind,
                const char *subject, const char *body) {
  if (recipient == NULL || recipient[0] == '\0')
    return 0; /* nobody to tell: the change itself stands */
  struct cspd_notification n = {
      .tenant_id = tenant_id,
      .recipient = recipient,
      .kind = kind,
      .subject = subject,
      .body = body,
      .status = relay_configured ? "queued" : "stored",
      .next_attempt_ms = relay_configured ? cspd_wall_ms() : 0,
      .created_ms = c->now_ms,
  };
  cspd_guid_new_timed(n.id, c->now_ms); /* listed in the order they were written */
  return cspd_store_fail(c, cspd_db_ops(c->db)->notification_insert(c->db, &n), 0, 0);
}

int cspd_event(struct cspd_ctx *c, const char *tenant_id, const char *event_name,
               const char *resource_uri, const char *resource_name) {
  if (tenant_id == NULL)
    return 0;
  const struct cspd_store_ops *ops = cspd_db_ops(c->db);
  struct cspd_webhook_reg reg;
  int rc = ops->webhook_get(c->db, tenant_id, c->arena, &reg);
  if (rc == CSPD_STORE_NOTFOUND)
    return 0;
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  json_t *events = json_loads(reg.events_json, 0, NULL);
  bool subscribed = false;
  size_t i;
  json_t *e;
  json_array_foreach(events, i, e) {
    if (json_is_string(e) && strcasecmp(json_string_value(e), event_name) == 0)
      subscribed = true;
  }
  json_decref(events);
  if (!subscribed)
    return 0;
  char when[32];
  cspd_time_format(c->now_ms, true, when);
  json_t *payload = json_pack("{s:s, s:s, s:s, s:s, s:s}", "EventName", event_name, "ResourceUri",
                              resource_uri ? resource_uri : "", "ResourceName",
                              resource_name ? resource_name : "", "AuditUri", "/v1/auditrecords",
                              "ResourceChangeUtcDate", when);
  char *txt = json_dumps(payload, JSON_COMPACT);
  json_decref(payload);
  if (txt == NULL)
    return cspd_fail(c, CSPD_E_INTERNAL, "event payload");
  struct cspd_webhook_delivery d = {
      .event_name = event_name,
      .payload = cspd_arena_strdup(c->arena, txt),
      .status = "pending",
      .next_attempt_ms = cspd_wall_ms(),
      .created_ms = c->now_ms,
  };
  free(txt);
  cspd_guid_new_timed(d.id, c->now_ms);
  memcpy(d.tenant_id, reg.tenant_id, sizeof d.tenant_id);
  return cspd_store_fail(c, ops->delivery_insert(c->db, &d), 0, 0);
}
