/* h_invoices.c -- GET /v1/invoices, /v1/invoices/{id}, /v1/invoices/{id}/lineitems,
 * and the operator's POST /v1/operator/billing/run {"period":"YYYY-MM"}.
 * Amounts are integer minor units (`...Minor`) with the currency code; the
 * decimal rendering is a string, never a float. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/commerce.h"
#include "../core/json.h"
#include "../core/util.h"
#include "render.h"

/** "123.45" from 12345 with the currency's minor-unit digits. */
static const char *decimal(struct cspd_req *r, int64_t minor, const char *currency) {
  struct cspd_fx_rate fx;
  int digits = 2;
  if (cspd_db_ops(r->ctx.db)->fx_get(r->ctx.db, currency, &fx) == 0)
    digits = fx.exponent;
  int64_t div = 1;
  for (int i = 0; i < digits; i++)
    div *= 10;
  int64_t a = minor < 0 ? -minor : minor;
  if (digits == 0)
    return cspd_arena_printf(r->arena, "%s%lld", minor < 0 ? "-" : "", (long long)a);
  return cspd_arena_printf(r->arena, "%s%lld.%0*lld", minor < 0 ? "-" : "", (long long)(a / div),
                           digits, (long long)(a % div));
}

static json_t *render(struct cspd_req *r, const struct cspd_invoice *v) {
  const char *self = cspd_arena_printf(r->arena, "/v1/invoices/%s", v->id);
  return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:{s:o, s:o}, s:{s:s}}", "id",
                   v->id, "invoiceDate", cspd_iso(r, v->created_ms), "billingPeriodStartDate",
                   cspd_iso(r, v->start_ms), "billingPeriodEndDate", cspd_iso(r, v->end_ms),
                   "period", v->period, "totalCharges", decimal(r, v->total_minor, v->currency),
                   "totalChargesMinor", (json_int_t)v->total_minor, "currencyCode", v->currency,
                   "billedTenantId", v->billed_tenant_id, "links", "self", cspd_link(self, "GET"),
                   "lineItems", cspd_link(cspd_arena_printf(r->arena, "%s/lineitems", self), "GET"),
                   "attributes", "objectType", "Invoice");
}

static int read_invoice(struct cspd_req *r, struct cspd_invoice *v) {
  char g[37];
  if (cspd_guid_normalize(r->params[0], g) != 0)
    return cspd_fail(&r->ctx, CSPD_E_BAD_GUID, "invoice id");
  int rc = cspd_db_ops(r->ctx.db)->invoice_get(r->ctx.db, g, r->arena, v);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, CSPD_E_INVOICE_NOT_FOUND, 0);
  if (r->who.kind != CSPD_TENANT_OPERATOR && strcmp(v->billed_tenant_id, r->who.tenant_id) != 0)
    return cspd_fail(&r->ctx, CSPD_E_INVOICE_NOT_FOUND, NULL);
  return 0;
}

int h_invoices_get(struct cspd_req *r) {
  struct cspd_page pg;
  if (cspd_page_read(r, 100, &pg) != 0)
    return -1;
  const char *billed =
      r->who.kind == CSPD_TENANT_OPERATOR ? cspd_query(r, "tenantId") : r->who.tenant_id;
  struct cspd_invoice *rows;
  int n;
  int rc = cspd_db_ops(r->ctx.db)->invoice_list(r->ctx.db, billed, pg.after, pg.size + 1, r->arena,
                                                &rows, &n);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  json_t *items = json_array();
  for (int i = 0; i < n && i < pg.size; i++)
    json_array_append_new(items, render(r, &rows[i]));
  return cspd_reply_json(r, 200,
                         cspd_collection(r, items, &pg, n > pg.size ? rows[pg.size - 1].id : NULL));
}

int h_invoice_get(struct cspd_req *r) {
  struct cspd_invoice v;
  int rc = read_invoice(r, &v);
  return rc != 0 ? rc : cspd_reply_json(r, 200, render(r, &v));
}

int h_invoice_lines_get(struct cspd_req *r) {
  struct cspd_invoice v;
  int rc = read_invoice(r, &v);
  if (rc != 0)
    return rc;
  struct cspd_invoice_line *ls;
  int n;
  if ((rc = cspd_db_ops(r->ctx.db)->invoice_lines(r->ctx.db, v.id, r->arena, &ls, &n)) != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  json_t *items = json_array();
  for (int i = 0; i < n; i++) {
    const struct cspd_invoice_line *l = &ls[i];
    const char *provider = strcmp(l->kind, "usage") == 0      ? "azure"
                           : strcmp(l->kind, "one_time") == 0 ? "one_time"
                                                              : "office";
    json_array_append_new(
        items,
        json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:I, s:s, s:I, "
                  "s:s, s:s, s:{s:s}}",
                  "line", l->line, "invoiceLineItemType", "billing_line_items", "billingProvider",
                  provider, "customerId", l->customer_tenant_id, "customerName", l->customer_name,
                  "subscriptionId", l->subscription_id, "offerId", l->offer_id, "offerName",
                  l->offer_name, "chargeType", l->kind, "quantity", (json_int_t)l->quantity,
                  "chargeStartDate", cspd_iso(r, l->start_ms), "chargeEndDate",
                  cspd_iso(r, l->end_ms), "unitPriceMinor", (json_int_t)l->unit_price_minor,
                  "unitPrice", decimal(r, l->unit_price_minor, v.currency), "amountMinor",
                  (json_int_t)l->amount_minor, "amount", decimal(r, l->amount_minor, v.currency),
                  "currency", v.currency, "attributes", "objectType", "InvoiceLineItem"));
  }
  return cspd_reply_list(r, items);
}

/* POST /v1/operator/billing/run {"period":"YYYY-MM"} -- invoice a month now
 * (it runs by itself on the first of each month for the month before). */
int h_operator_billing_run(struct cspd_req *r) {
  json_t *body;
  const char *period;
  if (cspd_body_object(r, &body) != 0 ||
      cspd_json_str(&r->ctx, body, "period", true, "", &period) != 0)
    return -1;
  int64_t ms;
  char buf[16];
  snprintf(buf, sizeof buf, "%.7s-01", period);
  if (strlen(period) != 7 || cspd_time_parse(buf, &ms) != 0)
    return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT, "period must be YYYY-MM");
  json_t *report;
  int rc = cspd_billing_run(&r->ctx, ms, &report);
  return rc != 0 ? rc : cspd_reply_json(r, 200, report);
}
