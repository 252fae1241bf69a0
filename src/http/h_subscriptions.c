/* h_subscriptions.c -- /v1/customers/{id}/subscriptions: list
 * (?mpn_id=, ?order_id=), one, its add-ons, PATCH (the whole resource back,
 * read-only fields ignored, If-Match), and the operator's usage records. */
#include <string.h>
#include <strings.h>

#include "../core/commerce.h"
#include "../core/customers.h"
#include "../core/json.h"
#include "../core/util.h"
#include "render.h"

static json_t *render(struct cspd_req *r, const struct cspd_subscription *s) {
  const char *self = cspd_arena_printf(r->arena, "/v1/customers/%s/subscriptions/%s",
                                       s->customer_tenant_id, s->id);
  json_t *links =
      json_pack("{s:o, s:o}", "self", cspd_link(self, "GET"), "offer",
                cspd_link(cspd_arena_printf(r->arena, "/v1/offers/%s", s->offer_id), "GET"));
  json_t *doc = json_pack(
      "{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s, s:o, "
      "s:o}",
      "id", s->id, "entitlementId", s->entitlement_id, "offerId", s->offer_id, "offerName",
      s->offer_name, "friendlyName", s->friendly_name, "quantity", (json_int_t)s->quantity,
      "unitType", s->unit_type, "creationDate", cspd_iso(r, s->created_ms), "effectiveStartDate",
      cspd_iso(r, s->effective_start_ms), "commitmentEndDate", cspd_iso(r, s->commitment_end_ms),
      "status", s->status, "autoRenewEnabled", s->auto_renew, "billingType", s->billing_type,
      "billingCycle", s->billing_cycle, "orderId", s->order_id, "transferClass", s->transfer_class,
      "links", links, "attributes", cspd_attributes("Subscription", s->version));
  json_object_set_new(doc, "parentSubscriptionId",
                      s->parent_subscription_id ? json_string(s->parent_subscription_id)
                                                : json_null());
  json_object_set_new(doc, "partnerId",
                      s->partner_id_on_record ? json_string(s->partner_id_on_record)
                                              : json_string(""));
  json_object_set_new(doc, "unitPrice",
                      json_pack("{s:s, s:I}", "currency", s->currency, "unitPriceMinor",
                                (json_int_t)s->unit_price_minor));
  if (s->parent_subscription_id)
    json_object_set_new(
        links, "parentSubscription",
        cspd_link(cspd_arena_printf(r->arena, "/v1/customers/%s/subscriptions/%s",
                                    s->customer_tenant_id, s->parent_subscription_id),
                  "GET"));
  return doc;
}

/** List @a f (with the caller's visibility) as a collection. */
static int list(struct cspd_req *r, struct cspd_sub_filter *f) {
  struct cspd_page pg;
  if (cspd_page_read(r, 100, &pg) != 0)
    return -1;
  if (r->who.kind == CSPD_TENANT_PARTNER)
    f->visible_to = r->who.tenant_id; /* the partner billed for it, or its reseller */
  struct cspd_subscription *rows;
  int n;
  int rc =
      cspd_db_ops(r->ctx.db)->sub_list(r->ctx.db, f, pg.after, pg.size + 1, r->arena, &rows, &n);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  json_t *items = json_array();
  for (int i = 0; i < n && i < pg.size; i++)
    json_array_append_new(items, render(r, &rows[i]));
  return cspd_reply_json(r, 200,
                         cspd_collection(r, items, &pg, n > pg.size ? rows[pg.size - 1].id : NULL));
}

int h_subscriptions_get(struct cspd_req *r) {
  struct cspd_customer cu;
  if (cspd_customer_read(&r->ctx, r->params[0], &cu, NULL) != 0)
    return -1;
  struct cspd_sub_filter f = {.customer_tenant_id = cu.tenant_id,
                              .order_id = cspd_query(r, "order_id"),
                              .partner_id_on_record = cspd_query(r, "mpn_id")};
  return list(r, &f);
}

int h_subscription_get(struct cspd_req *r) {
  struct cspd_subscription s;
  int rc = cspd_subscription_read(&r->ctx, r->params[0], r->params[1], &s);
  if (rc != 0)
    return rc;
  cspd_set_etag(r, s.version);
  return cspd_reply_json(r, 200, render(r, &s));
}

int h_subscription_addons_get(struct cspd_req *r) {
  struct cspd_subscription s;
  int rc = cspd_subscription_read(&r->ctx, r->params[0], r->params[1], &s);
  if (rc != 0)
    return rc;
  struct cspd_sub_filter f = {.customer_tenant_id = s.customer_tenant_id,
                              .parent_subscription_id = s.id};
  return list(r, &f);
}

/* PATCH takes the whole Subscription back: quantity, friendlyName, status,
 * autoRenewEnabled and partnerId change; everything else is ignored. */
int h_subscription_patch(struct cspd_req *r) {
  json_t *body;
  struct cspd_subscription s;
  int rc = cspd_subscription_read(&r->ctx, r->params[0], r->params[1], &s);
  if (rc != 0)
    return rc;
  if (cspd_check_if_match(r, s.version) != 0 || cspd_body_object(r, &body) != 0)
    return -1;
  struct cspd_sub_patch p = {.quantity = -1, .auto_renew = -1};
  long long q = -1;
  bool ar = false;
  if (cspd_json_str(&r->ctx, body, "friendlyName", false, "", &p.friendly_name) != 0 ||
      cspd_json_int(&r->ctx, body, "quantity", false, "", &q) != 0 ||
      cspd_json_str(&r->ctx, body, "status", false, "", &p.status) != 0 ||
      cspd_json_bool(&r->ctx, body, "autoRenewEnabled", false, "", &ar) != 0 ||
      cspd_json_str(&r->ctx, body, "partnerId", false, "", &p.partner_id) != 0)
    return -1;
  if (cspd_json_get(body, "quantity") != NULL && q < 0)
    return cspd_fail(&r->ctx, CSPD_E_ORDER_QUANTITY, "(%lld)", q);
  p.quantity = q;
  if (cspd_json_get(body, "autoRenewEnabled") != NULL)
    p.auto_renew = ar;
  if (p.partner_id != NULL && p.partner_id[0] == '\0')
    p.partner_id = NULL;
  if (p.status != NULL && strcasecmp(p.status, "active") != 0 &&
      strcasecmp(p.status, "suspended") != 0 && strcasecmp(p.status, "deleted") != 0)
    return cspd_fail(&r->ctx, CSPD_E_SUB_BAD_STATUS, "('%s')", p.status);
  if ((rc = cspd_subscription_update(&r->ctx, &s, &p)) != 0)
    return rc;
  cspd_set_etag(r, s.version);
  return cspd_reply_json(r, 200, render(r, &s));
}

/* POST /v1/customers/{id}/subscriptions/{sid}/usagerecords
 * {"date","amount" (minor units of the subscription's currency),"resource"?} (operator) */
int h_usage_post(struct cspd_req *r) {
  json_t *body;
  const char *date, *resource;
  long long amount;
  if (cspd_body_object(r, &body) != 0 ||
      cspd_json_str(&r->ctx, body, "date", true, "", &date) != 0 ||
      cspd_json_int(&r->ctx, body, "amount", true, "", &amount) != 0 ||
      cspd_json_str(&r->ctx, body, "resource", false, "", &resource) != 0)
    return -1;
  int64_t ms;
  if (cspd_time_parse(date, &ms) != 0)
    return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT, "date must be a date or RFC 3339 time");
  struct cspd_subscription s;
  int rc = cspd_subscription_read(&r->ctx, r->params[0], r->params[1], &s);
  if (rc == 0)
    rc = cspd_usage_record(&r->ctx, &s, ms, amount, resource);
  if (rc != 0)
    return rc;
  return cspd_reply_json(r, 201,
                         json_pack("{s:s, s:s, s:I, s:s, s:{s:s}}", "subscriptionId", s.id, "date",
                                   cspd_iso(r, ms), "amountMinor", (json_int_t)amount, "currency",
                                   s.currency, "attributes", "objectType", "UsageRecord"));
}
