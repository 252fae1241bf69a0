/*
 * csp — operations commands: sandbox clock, sandbox reset/seed, server info/health.
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

int cmd_clock_show(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, NULL, 0, 0);
  if (rc != 0)
    return rc;
  return csp_show(ctx, "GET", "/_cspd/clock", NULL, NULL, NULL);
}

int cmd_clock_set(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  bool frozen = false;
  const csp_opt opts[] = {{"frozen", CSP_OPT_FLAG, &frozen}};
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), pos, 1, 1);
  if (rc != 0)
    return rc;
  /* The time is checked by the server, which also accepts offsets other than Z. */
  json_t *body = json_pack("{s:s, s:b}", "now", pos[0], "frozen", frozen);
  if (!body)
    return csp_usage_error(cmd, "the time is not valid UTF-8 text");
  rc = csp_show(ctx, "PUT", "/_cspd/clock", NULL, body, NULL);
  json_decref(body);
  return rc;
}

int cmd_clock_advance(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  static const char *const units[] = {"days", "hours", "minutes", "seconds"};
  const char *values[ARRAY_LEN(units)] = {NULL};
  const csp_opt opts[] = {
      {"days", CSP_OPT_STR, &values[0]},
      {"hours", CSP_OPT_STR, &values[1]},
      {"minutes", CSP_OPT_STR, &values[2]},
      {"seconds", CSP_OPT_STR, &values[3]},
  };
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
  if (rc != 0)
    return rc;

  json_t *body = json_object();
  if (!body)
    return -CSP_EXIT_REFUSED;
  for (size_t i = 0; i < ARRAY_LEN(units); i++) {
    long long n = 0;
    if (!values[i])
      continue;
    if (csp_parse_int(values[i], &n) != 0) {
      json_decref(body);
      return csp_usage_error(cmd, "--%s expects a whole number, got '%s'", units[i], values[i]);
    }
    json_object_set_new(body, units[i], json_integer((json_int_t)n));
  }
  if (json_object_size(body) == 0) {
    json_decref(body);
    return csp_usage_error(cmd, "give at least one of --days, --hours, --minutes, --seconds");
  }
  rc = csp_show(ctx, "POST", "/_cspd/clock/advance", NULL, body, NULL);
  json_decref(body);
  return rc;
}

int cmd_sandbox_reset(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *partner = NULL;
  const csp_opt opts[] = {{"partner", CSP_OPT_STR, &partner}};
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
  if (rc != 0)
    return rc;
  json_t *body = json_pack("{s:s*}", "partnerId", partner);
  if (!body)
    return csp_usage_error(cmd, "the partner id is not valid UTF-8 text");
  char *done = partner ? csp_xasprintf("Partner organization %s and all it owns removed.", partner)
                       : csp_xstrdup("Sandbox reset.");
  rc = csp_show(ctx, "POST", "/_cspd/reset", NULL, body, done);
  free(done);
  json_decref(body);
  return rc;
}

int cmd_sandbox_seed(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, pos, 1, 1);
  if (rc != 0)
    return rc;
  json_t *doc = NULL;
  rc = csp_read_json_arg(cmd, pos[0], &doc);
  if (rc != 0)
    return rc;
  rc = csp_show(ctx, "POST", "/_cspd/seed", NULL, doc, "Fixtures loaded.");
  json_decref(doc);
  return rc;
}

int cmd_server_info(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, NULL, 0, 0);
  if (rc != 0)
    return rc;
  json_t *info = NULL;
  rc = csp_call(ctx, "GET", "/_cspd/info", NULL, NULL, CSP_AUTH_NONE, &info);
  if (rc != 0)
    return rc;
  if (!ctx->json && json_is_object(info)) {
    /* Say where we asked: the info document does not carry the URL. */
    json_t *shown = json_pack("{s:s}", "url", ctx->base_url);
    if (shown)
      json_object_update(shown, info);
    rc = csp_print_resource(ctx, shown ? shown : info);
    json_decref(shown);
  } else if (info) {
    rc = csp_print_resource(ctx, info);
  }
  json_decref(info);
  return rc;
}

int cmd_server_health(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, NULL, 0, 0);
  if (rc != 0)
    return rc;
  json_t *health = NULL;
  rc = csp_call(ctx, "GET", "/_cspd/health", NULL, NULL, CSP_AUTH_NONE, &health);
  if (rc != 0)
    return rc;
  const char *status = json_string_value(json_object_get(health, "status"));
  if (ctx->json && health)
    csp_print_json(health);
  else
    printf("%s: %s\n", ctx->base_url, status ? status : "unknown");
  if (!status || strcmp(status, "ok") != 0) {
    fprintf(stderr, "csp: the server reports status '%s'\n", status ? status : "unknown");
    rc = -CSP_EXIT_SERVER;
  }
  json_decref(health);
  return rc;
}
