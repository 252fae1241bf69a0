/*
 * csp — what state changes leave behind: notifications (the e-mail outbox),
 * audit records and webhooks (/webhooks/v1/registration, PascalCase
 * properties as in Partner Center).
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

/** `csp notifications` without --all shows this many, the latest. */
#define CSP_LATEST_NOTIFICATIONS 20

#define CSP_WEBHOOK_PATH "/webhooks/v1/registration"

static const csp_column notification_cols[] = {
    {"CREATED", "createdDate"}, {"RECIPIENT", "recipient"}, {"KIND", "kind"},
    {"STATUS", "status"},       {"SUBJECT", "subject"},
};
static const csp_column audit_cols[] = {
    {"DATE", "operationDate"},      {"TENANT", "partnerId"},      {"USER", "userPrincipalName"},
    {"OPERATION", "operationType"}, {"RESOURCE", "resourceType"}, {"RESOURCE ID", "resourceId"},
};
static const csp_column event_cols[] = {{"EVENT", ""}};
static const csp_column delivery_cols[] = {
    {"ID", "id"},
    {"EVENT", "eventName"},
    {"STATUS", "status"},
    {"ATTEMPTS", "attempts"},
    {"LAST STATUS", "lastStatusCode"},
    {"CREATED", "createdDate"},
    {"DELIVERED", "deliveredDate"},
    {"LAST ERROR", "lastError"},
};

int cmd_notifications(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  bool all = false;
  const csp_opt opts[] = {{"all", CSP_OPT_FLAG, &all}};
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
  if (rc != 0)
    return rc;
  json_t *coll = NULL;
  rc = csp_get_all(ctx, "/v1/notifications", NULL, &coll);
  if (rc != 0)
    return rc;
  /* Oldest first: the latest are at the end. */
  json_t *items = json_object_get(coll, "items");
  size_t total = json_array_size(items);
  size_t skip = !all && total > CSP_LATEST_NOTIFICATIONS ? total - CSP_LATEST_NOTIFICATIONS : 0;
  for (size_t i = 0; i < skip; i++)
    json_array_remove(items, 0);
  if (skip > 0)
    json_object_set_new(coll, "totalCount", json_integer((json_int_t)json_array_size(items)));
  rc = csp_print_list(ctx, coll, notification_cols, ARRAY_LEN(notification_cols));
  if (skip > 0 && !ctx->json) {
    fflush(stdout);
    fprintf(stderr, "csp: showing the latest %d of %zu notifications; --all shows every one\n",
            CSP_LATEST_NOTIFICATIONS, total);
  }
  json_decref(coll);
  return rc;
}

int cmd_audit(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *from = NULL;
  const char *to = NULL;
  const csp_opt opts[] = {
      {"from", CSP_OPT_STR, &from},
      {"to", CSP_OPT_STR, &to},
  };
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
  if (rc != 0)
    return rc;
  csp_strlist query = {0};
  csp_query_add(&query, "startDate", from);
  csp_query_add(&query, "endDate", to);
  rc = csp_list(ctx, "/v1/auditrecords", &query, audit_cols, ARRAY_LEN(audit_cols));
  csp_query_free(&query);
  return rc;
}

/* ---- webhooks ---- */

int cmd_webhooks_show(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, NULL, 0, 0);
  if (rc != 0)
    return rc;
  return csp_show(ctx, "GET", CSP_WEBHOOK_PATH, NULL, NULL, NULL);
}

/**
 * Parse --url and --event of register/update.
 * @param[out] url, events the values (events borrowed from argv).
 * @return 0 or -CSP_EXIT_USAGE.
 */
static int csp_webhook_args(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv,
                            const char **url, csp_strlist *events) {
  const csp_opt opts[] = {
      {"url", CSP_OPT_STR, url},
      {"event", CSP_OPT_LIST, events},
  };
  return csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
}

/**
 * Set WebhookUrl and/or WebhookEvents of a registration body.
 * @return 0 or -CSP_EXIT_USAGE (not UTF-8).
 */
static int csp_webhook_fill(const csp_command *cmd, json_t *body, const char *url,
                            const csp_strlist *events) {
  if (url && json_object_set_new(body, "WebhookUrl", json_string(url)) != 0)
    return csp_bad_text(cmd);
  if (events->n > 0) {
    json_t *arr = csp_string_array(events);
    if (!arr || json_object_set_new(body, "WebhookEvents", arr) != 0)
      return csp_bad_text(cmd);
  }
  return 0;
}

int cmd_webhooks_register(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *url = NULL;
  csp_strlist events = {0};
  int rc = csp_webhook_args(ctx, cmd, argc, argv, &url, &events);
  if (rc != 0)
    return rc;
  if (!url || events.n == 0)
    return csp_usage_error(cmd, "--url and at least one --event are required");
  json_t *body = json_object();
  rc = csp_webhook_fill(cmd, body, url, &events);
  if (rc == 0)
    rc = csp_show(ctx, "POST", CSP_WEBHOOK_PATH, NULL, body, NULL);
  if (rc == 0)
    csp_note_shown_once(ctx, "WebhookSecret (the key of the X-Cspd-Signature HMAC)");
  json_decref(body);
  return rc;
}

int cmd_webhooks_update(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *url = NULL;
  csp_strlist events = {0};
  int rc = csp_webhook_args(ctx, cmd, argc, argv, &url, &events);
  if (rc != 0)
    return rc;
  if (!url && events.n == 0)
    return csp_usage_error(cmd, "give --url and/or --event");
  /* PUT replaces the registration: start from the current one. */
  json_t *body = NULL;
  rc = csp_call(ctx, "GET", CSP_WEBHOOK_PATH, NULL, NULL, CSP_AUTH_REQUIRED, &body);
  if (rc == 0 && !json_is_object(body)) {
    fputs("csp: the webhook registration is not a JSON object\n", stderr);
    rc = -CSP_EXIT_SERVER;
  }
  if (rc == 0) {
    json_object_del(body, "SubscriberTenantId");
    rc = csp_webhook_fill(cmd, body, url, &events);
  }
  if (rc == 0)
    rc = csp_show(ctx, "PUT", CSP_WEBHOOK_PATH, NULL, body, NULL);
  json_decref(body);
  return rc;
}

int cmd_webhooks_delete(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, NULL, 0, 0);
  if (rc != 0)
    return rc;
  return csp_show(ctx, "DELETE", CSP_WEBHOOK_PATH, NULL, NULL, "Webhook registration deleted.");
}

int cmd_webhooks_events(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, NULL, 0, 0);
  if (rc != 0)
    return rc;
  /* A bare array of names, not a paged collection. */
  return csp_send_list(ctx, "GET", CSP_WEBHOOK_PATH "/events", NULL, event_cols,
                       ARRAY_LEN(event_cols));
}

int cmd_webhooks_deliveries(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, NULL, 0, 0);
  if (rc != 0)
    return rc;
  return csp_list(ctx, CSP_WEBHOOK_PATH "/deliveries", NULL, delivery_cols,
                  ARRAY_LEN(delivery_cols));
}

int cmd_webhooks_test(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, NULL, 0, 0);
  if (rc != 0)
    return rc;
  return csp_show(ctx, "POST", CSP_WEBHOOK_PATH "/validationEvents", NULL, NULL, NULL);
}
