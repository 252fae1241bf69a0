/*
 * csp — subscription transfers, direct-bill → indirect provider
 * (docs/api-transfers.md): eligibility, create, list, show, and the
 * provider's accept / reject and the source's withdraw.
 *
 * Lists (bare arrays, not paged) go through csp_send_list(), a transfer
 * through csp_print_detail() (its header fields and a table of its lines,
 * add-ons under their base), so the printing lives in output.c only.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "csp.h"
#include "http.h"
#include "output.h"
#include "session.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define CSP_TRANSFER_TYPE "directtoindirect"

/* ---- formatters ---- */

/** "Name (tenant)" of a party of a transfer; value is its tenant id, the name is at name_key. */
static char *csp_party_text(const json_t *value, const json_t *item, const char *name_key) {
  const char *name = csp_json_str(item, name_key, "");
  char *id = csp_json_text(value);
  char *text = *name ? csp_xasprintf("%s (%s)", name, id) : csp_xstrdup(id);
  free(id);
  return text;
}

static char *fmt_customer(const json_t *value, const json_t *item) {
  return csp_party_text(value, item, "customerName");
}

static char *fmt_source(const json_t *value, const json_t *item) {
  return csp_party_text(value, item, "sourcePartnerName");
}

static char *fmt_target(const json_t *value, const json_t *item) {
  return csp_party_text(value, item, "targetPartnerName");
}

/** A partner's name for a table cell, its tenant id (value) when the name is empty. */
static char *csp_name_or_id(const json_t *value, const json_t *item, const char *name_key) {
  const char *name = csp_json_str(item, name_key, "");
  return *name ? csp_xstrdup(name) : csp_json_text(value);
}

static char *fmt_source_name(const json_t *value, const json_t *item) {
  return csp_name_or_id(value, item, "sourcePartnerName");
}

static char *fmt_target_name(const json_t *value, const json_t *item) {
  return csp_name_or_id(value, item, "targetPartnerName");
}

/** A transfer's lines (value: lineItems): "2", or "2 (+1 add-on)" when add-ons travel along. */
static char *fmt_lines(const json_t *value, const json_t *item) {
  (void)item;
  size_t addons = 0;
  size_t i;
  const json_t *line;
  json_array_foreach(value, i, line) addons += json_array_size(json_object_get(line, "addonItems"));
  if (addons == 0)
    return csp_xasprintf("%zu", json_array_size(value));
  return csp_xasprintf("%zu (+%zu add-on%s)", json_array_size(value), addons,
                       addons == 1 ? "" : "s");
}

/* ---- columns and field lists ---- */

static const csp_column eligibility_cols[] = {
    {"SUBSCRIPTION", "id"},
    {"ELIGIBLE", "isEligible", csp_fmt_yes_no},
    {"REASON", "reason"},
};
static const csp_column transfer_cols[] = {
    {"ID", "id"},
    {"STATUS", "status"},
    {"SOURCE", "sourcePartnerTenantId", fmt_source_name},
    {"TARGET", "targetPartnerTenantId", fmt_target_name},
    {"LINES", "lineItems", fmt_lines},
    {"CREATED", "createdTime"},
};
static const csp_column transfer_fields[] = {
    {"id", "id"},
    {"status", "status"},
    {"customer", "customerTenantId", fmt_customer},
    {"source", "sourcePartnerTenantId", fmt_source},
    {"target", "targetPartnerTenantId", fmt_target},
    {"created", "createdTime"},
    {"last modified", "lastModifiedTime"},
    {"modified by", "lastModifiedUser"},
};
/* The rows of csp_transfer_rows(): lines and, after each, its add-ons ("addOnOf": the base's line
 * id). */
static const csp_column transfer_line_cols[] = {
    {"#", "id"},
    {"SUBSCRIPTION", "subscriptionId"},
    {"OFFER", "offerId"},
    {"QUANTITY", "quantity"},
    {"CYCLE", "billingCycle"},
    {"ADD-ON OF", "addOnOf"},
    {"PARTNER OF RECORD", "partnerIdOnRecord"},
    {"STATUS", "status"},
    {"NEW SUBSCRIPTION", "newSubscriptionId"},
    {"ERROR", "transferError"},
};
static const csp_column accept_order_cols[] = {
    {"ORDER", "id"},
    {"CYCLE", "billingCycle"},
    {"CUSTOMER", "referenceCustomerId"},
};
static const csp_column accept_error_cols[] = {
    {"#", "lineItemId"},
    {"SUBSCRIPTION", "subscriptionId"},
    {"ERROR", "error"},
};

/* ---- helpers ---- */

/**
 * "/v1/customers/{customer}/transfers[/{id}][suffix]", ids URL-encoded.
 * @param id may be NULL (the collection); suffix may be NULL
 * @return owned by the caller (free()).
 */
static char *csp_transfer_path(csp_ctx *ctx, const char *customer, const char *id,
                               const char *suffix) {
  if (!id)
    return csp_id_path(ctx, "/v1/customers", customer, "/transfers");
  char *prefix = csp_id_path(ctx, "/v1/customers", customer, "/transfers");
  char *path = csp_id_path(ctx, prefix, id, suffix);
  free(prefix);
  return path;
}

/**
 * The line items of a transfer as table rows: each line, then its add-ons
 * with "addOnOf" set to the line's id.
 * @return a new array, owned by the caller (json_decref()).
 */
static json_t *csp_transfer_rows(const json_t *transfer) {
  json_t *rows = json_array();
  size_t i;
  const json_t *line;
  json_array_foreach(json_object_get(transfer, "lineItems"), i, line) {
    json_array_append(rows, (json_t *)line);
    size_t k;
    const json_t *addon;
    json_array_foreach(json_object_get(line, "addonItems"), k, addon) {
      json_t *row = json_copy((json_t *)addon);
      if (!row)
        continue;
      json_object_set(row, "addOnOf", json_object_get(line, "id"));
      json_array_append_new(rows, row);
    }
  }
  return rows;
}

/** Print a TransferEntity: raw with --json, else its fields and a table of its lines and add-ons.
 */
static int csp_print_transfer(const csp_ctx *ctx, const json_t *transfer) {
  if (ctx->json)
    return csp_print_json(transfer);
  json_t *rows = csp_transfer_rows(transfer);
  int rc = csp_print_detail(ctx, transfer, transfer, transfer_fields, ARRAY_LEN(transfer_fields),
                            rows, transfer_line_cols, ARRAY_LEN(transfer_line_cols));
  json_decref(rows);
  return rc;
}

/** Send a request answered by a TransferEntity and print it (csp_print_transfer). */
static int csp_transfer_call(csp_ctx *ctx, const char *method, const char *path,
                             const json_t *body) {
  json_t *transfer = NULL;
  int rc = csp_call(ctx, method, path, NULL, body, CSP_AUTH_REQUIRED, &transfer);
  if (rc == 0 && !json_is_object(transfer)) {
    fprintf(stderr, "csp: expected a transfer from %s\n", path);
    rc = -CSP_EXIT_SERVER;
  }
  if (rc == 0)
    rc = csp_print_transfer(ctx, transfer);
  json_decref(transfer);
  return rc;
}

/* ---- commands ---- */

int cmd_transfers_eligibility(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, pos, 1, 1);
  if (rc != 0)
    return rc;
  /* A bare array, not a paged collection. */
  char *path = csp_id_path(ctx, "/v1/customers", pos[0],
                           "/transferseligibility?transferType=" CSP_TRANSFER_TYPE);
  rc = csp_send_list(ctx, "GET", path, NULL, eligibility_cols, ARRAY_LEN(eligibility_cols));
  free(path);
  return rc;
}

int cmd_transfers_create(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *to = NULL;
  const char *partner = NULL;
  csp_strlist subs = {0};
  const csp_opt opts[] = {
      {"to", CSP_OPT_STR, &to},
      {"subscription", CSP_OPT_LIST, &subs},
      {"partner-id-on-record", CSP_OPT_STR, &partner},
  };
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), pos, 1, 1);
  if (rc != 0)
    return rc;
  if (!to || subs.n == 0)
    return csp_usage_error(cmd, "--to and at least one --subscription are required");
  if (partner && !*partner)
    return csp_usage_error(cmd, "--partner-id-on-record is empty");

  /* The source is always the caller's own tenant (the server refuses any other). */
  const char *from = ctx->session ? ctx->session->tenant_id : NULL;
  if (ctx->session && !from) {
    fputs("csp: the cached session does not name your tenant; run 'csp login' again\n", stderr);
    return -CSP_EXIT_AUTH;
  }

  json_t *lines = json_array();
  for (size_t i = 0; rc == 0 && i < subs.n; i++) {
    json_t *line =
        json_pack("{s:s, s:s*}", "subscriptionId", subs.v[i], "partnerIdOnRecord", partner);
    if (!line)
      rc = csp_bad_text(cmd);
    else
      json_array_append_new(lines, line);
  }
  json_t *body = NULL;
  if (rc == 0) {
    body = json_pack("{s:s*, s:s, s:O}", "sourcePartnerTenantId", from, "targetPartnerTenantId", to,
                     "lineItems", lines);
    if (!body)
      rc = csp_bad_text(cmd);
  }
  if (rc == 0) {
    char *path = csp_transfer_path(ctx, pos[0], NULL, NULL);
    rc = csp_transfer_call(ctx, "POST", path, body);
    free(path);
  }
  json_decref(body);
  json_decref(lines);
  return rc;
}

int cmd_transfers_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, pos, 1, 1);
  if (rc != 0)
    return rc;
  /* A bare array, not a paged collection. */
  char *path = csp_transfer_path(ctx, pos[0], NULL, NULL);
  rc = csp_send_list(ctx, "GET", path, NULL, transfer_cols, ARRAY_LEN(transfer_cols));
  free(path);
  return rc;
}

int cmd_transfers_show(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *pos[2];
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, pos, 2, 2);
  if (rc != 0)
    return rc;
  char *path = csp_transfer_path(ctx, pos[0], pos[1], NULL);
  rc = csp_transfer_call(ctx, "GET", path, NULL);
  free(path);
  return rc;
}

int cmd_transfers_accept(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *pos[2];
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, pos, 2, 2);
  if (rc != 0)
    return rc;
  char *path = csp_transfer_path(ctx, pos[0], pos[1], "/accept");
  json_t *result = NULL;
  rc = csp_call(ctx, "POST", path, NULL, NULL, CSP_AUTH_REQUIRED, &result);
  free(path);
  if (rc != 0)
    return rc;
  const json_t *orders = json_object_get(result, "orders");
  const json_t *errors = json_object_get(result, "transferErrors");
  size_t norders = json_array_size(orders);
  size_t nerrors = json_array_size(errors);
  if (ctx->json) {
    csp_print_json(result);
  } else {
    printf("Transfer %s accepted (%s): %zu order%s created, %s.\n", pos[1],
           nerrors == 0 ? "Complete" : "PartiallyComplete", norders, norders == 1 ? "" : "s",
           nerrors == 0 ? "every subscription moved" : "some subscriptions could not move");
    if (norders > 0) {
      putchar('\n');
      csp_print_list(ctx, orders, accept_order_cols, ARRAY_LEN(accept_order_cols));
    }
    if (nerrors > 0) {
      printf("\nTransfer errors:\n");
      csp_print_list(ctx, errors, accept_error_cols, ARRAY_LEN(accept_error_cols));
    }
  }
  json_decref(result);
  return 0;
}

int cmd_transfers_reject(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *pos[2];
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, pos, 2, 2);
  if (rc != 0)
    return rc;
  json_t *body = json_pack("{s:s, s:s}", "id", pos[1], "status", "reject");
  if (!body)
    return csp_bad_text(cmd);
  char *path = csp_transfer_path(ctx, pos[0], pos[1], NULL);
  rc = csp_transfer_call(ctx, "PATCH", path, body);
  free(path);
  json_decref(body);
  return rc;
}

int cmd_transfers_withdraw(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *pos[2];
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, pos, 2, 2);
  if (rc != 0)
    return rc;
  char *path = csp_transfer_path(ctx, pos[0], pos[1], NULL);
  char *done = csp_xasprintf("Transfer %s withdrawn.", pos[1]);
  rc = csp_show(ctx, "DELETE", path, NULL, NULL, done);
  free(done);
  free(path);
  return rc;
}
