/* h_orders.c -- POST/GET /v1/customers/{id}/orders, GET .../orders/{oid}. */
#include <string.h>

#include "../core/commerce.h"
#include "../core/customers.h"
#include "../core/json.h"
#include "render.h"

static json_t *render_line(struct cspd_req *r, const struct cspd_subscription *s) {
  json_t *l =
      json_pack("{s:i, s:s, s:s, s:s, s:I, s:{s:o}}", "lineItemNumber", s->line_item_number,
                "offerId", s->offer_id, "subscriptionId", s->id, "friendlyName", s->friendly_name,
                "quantity", (json_int_t)s->quantity, "links", "subscription",
                cspd_link(cspd_arena_printf(r->arena, "/v1/customers/%s/subscriptions/%s",
                                            s->customer_tenant_id, s->id),
                          "GET"));
  if (s->partner_id_on_record)
    json_object_set_new(l, "partnerIdOnRecord", json_string(s->partner_id_on_record));
  if (s->parent_subscription_id)
    json_object_set_new(l, "parentSubscriptionId", json_string(s->parent_subscription_id));
  return l;
}

static json_t *render(struct cspd_req *r, const struct cspd_order *o, json_t *lines) {
  return json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:{s:o}, s:{s:s}}", "id", o->id,
                   "referenceCustomerId", o->customer_tenant_id, "billingCycle", o->billing_cycle,
                   "lineItems", lines, "creationDate", cspd_iso(r, o->created_ms), "status",
                   o->status, "source", o->source, "links", "self",
                   cspd_link(cspd_arena_printf(r->arena, "/v1/customers/%s/orders/%s",
                                               o->customer_tenant_id, o->id),
                             "GET"),
                   "attributes", "objectType", "Order");
}

int h_orders_post(struct cspd_req *r) {
  json_t *body, *lines;
  struct cspd_order_in in = {0};
  if (cspd_body_object(r, &body) != 0 ||
      cspd_json_str(&r->ctx, body, "referenceCustomerId", false, "", &in.reference_customer_id) !=
          0 ||
      cspd_json_str(&r->ctx, body, "billingCycle", false, "", &in.billing_cycle) != 0 ||
      cspd_json_arr(&r->ctx, body, "lineItems", true, "", &lines) != 0)
    return -1;
  in.nlines = (int)json_array_size(lines);
  if (in.nlines < 1 || in.nlines > 100)
    return cspd_fail(&r->ctx, CSPD_E_ORDER_NO_LINES, NULL);
  in.lines = cspd_arena_alloc(r->arena, sizeof *in.lines * (size_t)in.nlines);
  for (int i = 0; i < in.nlines; i++) {
    json_t *l = json_array_get(lines, (size_t)i);
    char *p = cspd_arena_printf(r->arena, "lineItems[%d]", i);
    long long num = i, qty = 0;
    struct cspd_order_line_in *x = &in.lines[i];
    if (!json_is_object(l))
      return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT, "%s must be an object", p);
    if (cspd_json_int(&r->ctx, l, "lineItemNumber", false, p, &num) != 0 ||
        cspd_json_str(&r->ctx, l, "offerId", true, p, &x->offer_id) != 0 ||
        cspd_json_int(&r->ctx, l, "quantity", true, p, &qty) != 0 ||
        cspd_json_str(&r->ctx, l, "friendlyName", false, p, &x->friendly_name) != 0 ||
        cspd_json_str(&r->ctx, l, "partnerIdOnRecord", false, p, &x->partner_id_on_record) != 0 ||
        cspd_json_str(&r->ctx, l, "parentSubscriptionId", false, p, &x->parent_subscription_id) !=
            0)
      return -1;
    x->line_item_number = (int)num;
    x->quantity = qty;
  }
  if (in.reference_customer_id != NULL && strcasecmp(in.reference_customer_id, r->params[0]) != 0)
    return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT,
                     "referenceCustomerId differs from the customer in the path");
  struct cspd_order o;
  struct cspd_subscription *subs;
  int rc = cspd_order_create(&r->ctx, r->params[0], &in, &o, &subs);
  if (rc != 0)
    return rc;
  json_t *items = json_array();
  for (int i = 0; i < in.nlines; i++)
    json_array_append_new(items, render_line(r, &subs[i]));
  r->location =
      cspd_arena_printf(r->arena, "/v1/customers/%s/orders/%s", o.customer_tenant_id, o.id);
  return cspd_reply_json(r, 201, render(r, &o, items));
}

static int lines_of(struct cspd_req *r, const struct cspd_order *o, json_t **out) {
  struct cspd_sub_filter f = {
      .customer_tenant_id = o->customer_tenant_id, .order_id = o->id, .include_unlisted = true};
  struct cspd_subscription *subs;
  int n;
  int rc = cspd_db_ops(r->ctx.db)->sub_list(r->ctx.db, &f, "", 500, r->arena, &subs, &n);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  *out = json_array();
  for (int i = 0; i < n; i++)
    json_array_append_new(*out, render_line(r, &subs[i]));
  return 0;
}

/** Orders are visible to the partner that placed them (and the operator, the customer). */
static bool mine(struct cspd_req *r, const struct cspd_order *o) {
  return r->who.kind != CSPD_TENANT_PARTNER || strcmp(o->partner_tenant_id, r->who.tenant_id) == 0;
}

int h_orders_get(struct cspd_req *r) {
  struct cspd_customer cu;
  struct cspd_page pg;
  if (cspd_customer_read(&r->ctx, r->params[0], &cu, NULL) != 0 || cspd_page_read(r, 100, &pg) != 0)
    return -1;
  struct cspd_order *rows;
  int n;
  const char *partner = r->who.kind == CSPD_TENANT_PARTNER ? r->who.tenant_id : NULL;
  int rc = cspd_db_ops(r->ctx.db)->order_list(r->ctx.db, cu.tenant_id, partner, pg.after,
                                              pg.size + 1, r->arena, &rows, &n);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  json_t *items = json_array();
  for (int i = 0; i < n && i < pg.size; i++) {
    json_t *lines;
    if (lines_of(r, &rows[i], &lines) != 0) {
      json_decref(items);
      return -1;
    }
    json_array_append_new(items, render(r, &rows[i], lines));
  }
  return cspd_reply_json(r, 200,
                         cspd_collection(r, items, &pg, n > pg.size ? rows[pg.size - 1].id : NULL));
}

int h_order_get(struct cspd_req *r) {
  struct cspd_customer cu;
  if (cspd_customer_read(&r->ctx, r->params[0], &cu, NULL) != 0)
    return -1;
  struct cspd_order o;
  int rc = cspd_db_ops(r->ctx.db)->order_get(r->ctx.db, cu.tenant_id, r->params[1], r->arena, &o);
  if (rc != 0 || !mine(r, &o))
    return rc != 0 && rc != CSPD_STORE_NOTFOUND ? cspd_store_fail(&r->ctx, rc, 0, 0)
                                                : cspd_fail(&r->ctx, CSPD_E_NOT_FOUND, "(order)");
  json_t *lines;
  if (lines_of(r, &o, &lines) != 0)
    return -1;
  return cspd_reply_json(r, 200, render(r, &o, lines));
}
