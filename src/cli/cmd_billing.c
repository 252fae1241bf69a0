/*
 * csp — billing (docs/api-commerce.md): invoices and their line items, the
 * operator's billing run and catalog import (docs/catalog.md).
 *
 * Amounts arrive in minor units with their currency and are shown with
 * csp_money_text() / csp_fmt_amount() (thousands separators, the currency's
 * digits).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "csp.h"
#include "http.h"
#include "output.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define CSP_INVOICES_PATH "/v1/invoices"

/* ---- formatters ---- */

/** An invoice's total (value: totalChargesMinor) in its currencyCode. */
static char *fmt_invoice_total(const json_t *value, const json_t *item) {
  return csp_money_text(value, csp_json_str(item, "currencyCode", NULL));
}

/**
 * "start .. end" of two RFC 3339 times; a time at midnight UTC shows as its
 * date only ("2026-11-01 .. 2026-12-01").
 * @return owned by the caller (free()).
 */
static char *csp_span_text(const char *start, const char *end) {
  const char *t[2] = {start ? start : "?", end ? end : "?"};
  int len[2];
  for (int i = 0; i < 2; i++) {
    const char *midnight = strstr(t[i], "T00:00:00");
    len[i] = midnight && (strcmp(midnight + 9, "Z") == 0 || strcmp(midnight + 9, ".000Z") == 0)
                 ? (int)(midnight - t[i])
                 : (int)strlen(t[i]);
  }
  return csp_xasprintf("%.*s .. %.*s", len[0], t[0], len[1], t[1]);
}

/** An invoice's billing period. */
static char *fmt_invoice_span(const json_t *value, const json_t *item) {
  (void)value;
  return csp_span_text(csp_json_str(item, "billingPeriodStartDate", NULL),
                       csp_json_str(item, "billingPeriodEndDate", NULL));
}

/** A line item's charge period. */
static char *fmt_charge_span(const json_t *value, const json_t *item) {
  (void)value;
  return csp_span_text(csp_json_str(item, "chargeStartDate", NULL),
                       csp_json_str(item, "chargeEndDate", NULL));
}

/* ---- columns and field lists ---- */

static const csp_column invoice_cols[] = {
    {"ID", "id"},
    {"PERIOD", "period"},
    {"INVOICE DATE", "invoiceDate"},
    {"TOTAL", "totalChargesMinor", fmt_invoice_total},
    {"BILLED TENANT", "billedTenantId"},
};
static const csp_column invoice_fields[] = {
    {"id", "id"},
    {"period", "period"},
    {"billing period", "", fmt_invoice_span},
    {"invoice date", "invoiceDate"},
    {"billed tenant", "billedTenantId"},
    {"total", "totalChargesMinor", fmt_invoice_total},
};
static const csp_column line_item_cols[] = {
    {"CUSTOMER", "customerName"},    {"OFFER", "offerName"},
    {"TYPE", "chargeType"},          {"QUANTITY", "quantity"},
    {"PERIOD", "", fmt_charge_span}, {"AMOUNT", "amountMinor", csp_fmt_amount},
};
static const csp_column billing_run_cols[] = {
    {"INVOICE", "invoiceId"},
    {"BILLED TENANT", "billedTenantId"},
    {"TOTAL", "totalMinor", csp_fmt_amount},
};

/* ---- invoices ---- */

int cmd_invoices_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *tenant = NULL;
  const csp_opt opts[] = {{"tenant", CSP_OPT_STR, &tenant}};
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
  if (rc != 0)
    return rc;
  csp_strlist query = {0};
  csp_query_add(&query, "tenantId", tenant);
  rc = csp_list(ctx, CSP_INVOICES_PATH, &query, invoice_cols, ARRAY_LEN(invoice_cols));
  csp_query_free(&query);
  return rc;
}

int cmd_invoices_show(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, pos, 1, 1);
  if (rc != 0)
    return rc;
  char *path = csp_id_path(ctx, CSP_INVOICES_PATH, pos[0], NULL);
  char *lines_path = csp_id_path(ctx, CSP_INVOICES_PATH, pos[0], "/lineitems");
  json_t *invoice = NULL;
  json_t *lines = NULL;
  rc = csp_call(ctx, "GET", path, NULL, NULL, CSP_AUTH_REQUIRED, &invoice);
  if (rc == 0)
    rc = csp_get_all(ctx, lines_path, NULL, &lines);
  if (rc == 0) {
    /* --json: both answers as they came, in one document. */
    json_t *doc = json_pack("{s:O?, s:O?}", "invoice", invoice, "lineItems", lines);
    csp_print_detail(ctx, doc, invoice, invoice_fields, ARRAY_LEN(invoice_fields), lines,
                     line_item_cols, ARRAY_LEN(line_item_cols));
    json_decref(doc);
  }
  json_decref(lines);
  json_decref(invoice);
  free(lines_path);
  free(path);
  return rc;
}

/* ---- operator: billing run, catalog import ---- */

/** @return true for "YYYY-MM" with a month 01..12. */
static bool csp_is_period(const char *s) {
  return strlen(s) == 7 && strspn(s, "0123456789") == 4 && s[4] == '-' &&
         strspn(s + 5, "0123456789") == 2 &&
         ((s[5] == '0' && s[6] >= '1') || (s[5] == '1' && s[6] <= '2'));
}

int cmd_billing_run(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *period = NULL;
  const csp_opt opts[] = {{"period", CSP_OPT_STR, &period}};
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
  if (rc != 0)
    return rc;
  if (!period)
    return csp_usage_error(cmd, "--period YYYY-MM is required");
  if (!csp_is_period(period))
    return csp_usage_error(cmd, "--period expects YYYY-MM, got '%s'", period);
  json_t *body = json_pack("{s:s}", "period", period);
  json_t *report = NULL;
  rc = csp_call(ctx, "POST", "/v1/operator/billing/run", NULL, body, CSP_AUTH_REQUIRED, &report);
  json_decref(body);
  if (rc != 0)
    return rc;
  const json_t *invoices = json_object_get(report, "invoices");
  if (ctx->json) {
    csp_print_json(report);
  } else if (json_array_size(invoices) == 0) {
    printf("Billing run for %s: no new invoices (a month already invoiced stays as it was).\n",
           csp_json_str(report, "period", period));
  } else {
    printf("Billing run for %s: %zu new invoice%s.\n\n", csp_json_str(report, "period", period),
           json_array_size(invoices), json_array_size(invoices) == 1 ? "" : "s");
    csp_print_list(ctx, invoices, billing_run_cols, ARRAY_LEN(billing_run_cols));
  }
  json_decref(report);
  return 0;
}

int cmd_operator_catalog_import(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, pos, 1, 1);
  if (rc != 0)
    return rc;
  json_t *catalog = NULL;
  rc = csp_read_json_arg(cmd, pos[0], &catalog);
  if (rc != 0)
    return rc;
  json_t *answer = NULL;
  rc = csp_call(ctx, "PUT", "/v1/operator/catalog", NULL, catalog, CSP_AUTH_REQUIRED, &answer);
  if (rc == 0 && ctx->json) {
    csp_print_json(answer);
  } else if (rc == 0) {
    const char *version = csp_json_str(catalog, "version", NULL);
    char *offers = csp_json_text(json_object_get(answer, "offers"));
    printf("Catalog replaced: %s offers%s%s%s.\n", offers, version ? " (version " : "",
           version ? version : "", version ? ")" : "");
    free(offers);
  }
  json_decref(answer);
  json_decref(catalog);
  return rc;
}
