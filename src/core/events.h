/* events.h -- what a state change leaves behind besides the change itself:
 * e-mail notifications (an outbox, delivered to an SMTP relay when one is
 * configured) and webhook events (a delivery per subscribed registration).
 * Both are written in the same transaction as the change, so a refused or
 * rolled-back request leaves neither. */
#ifndef CSPD_EVENTS_H
#define CSPD_EVENTS_H

#include "ctx.h"

/** Whether an SMTP relay is configured (set once at start-up): notifications
 * are then 'queued' for delivery, otherwise 'stored' (readable only). */
void cspd_notify_set_relay(bool configured);

/** Queue an e-mail to @a recipient. @a tenant_id is the tenant that may read
 * it through GET /v1/notifications (NULL: operator only). */
int cspd_notify(struct cspd_ctx *c, const char *tenant_id, const char *recipient, const char *kind,
                const char *subject, const char *body);

/** Raise @a event_name for @a tenant_id: when the tenant has a webhook
 * registration subscribed to it, a delivery is queued with the Partner
 * Center payload {EventName, ResourceUri, ResourceName, AuditUri,
 * ResourceChangeUtcDate}. */
int cspd_event(struct cspd_ctx *c, const char *tenant_id, const char *event_name,
               const char *resource_uri, const char *resource_name);

/** Event names a registration may subscribe to (NULL-terminated). */
extern const char *const cspd_event_names[];
bool cspd_event_name_valid(const char *name);

#endif
