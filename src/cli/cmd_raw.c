/*
 * csp — the generic escape hatch: get, post, put, patch, delete.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "csp.h"
#include "http.h"
#include "output.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/**
 * Load and validate the request body of post/put/patch.
 * @param[out] out the body text, owned by the caller (free()); NULL when
 *             neither --data nor --data-file was given.
 * @param[out] out_len its length.
 * @return 0 or -CSP_EXIT_USAGE (printed).
 */
static int csp_raw_body(const csp_command *cmd, const char *data, const char *data_file, char **out,
                        size_t *out_len) {
  *out = NULL;
  *out_len = 0;
  if (data && data_file)
    return csp_usage_error(cmd, "--data and --data-file exclude each other");
  if (data) {
    *out = csp_xstrdup(data);
    *out_len = strlen(data);
  } else if (data_file) {
    if (csp_read_file(data_file, out, out_len) != 0)
      return csp_usage_error(cmd, "cannot read %s: %s",
                             strcmp(data_file, "-") == 0 ? "standard input" : data_file,
                             strerror(errno));
  } else {
    return 0;
  }

  json_error_t err;
  json_t *parsed = json_loadb(*out, *out_len, JSON_DECODE_ANY, &err);
  if (!parsed) {
    free(*out);
    *out = NULL;
    return csp_usage_error(cmd, "the request body is not valid JSON (line %d, column %d): %s",
                           err.line, err.column, err.text);
  }
  json_decref(parsed);
  return 0;
}

int cmd_raw(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  char method[8];
  size_t i;
  for (i = 0; cmd->name[i] && i + 1 < sizeof method; i++)
    method[i] = (char)toupper((unsigned char)cmd->name[i]);
  method[i] = '\0';
  bool has_body = strcmp(method, "GET") != 0 && strcmp(method, "DELETE") != 0;

  csp_strlist query = {0};
  const char *data = NULL;
  const char *data_file = NULL;
  const char *if_match = NULL;
  const csp_opt opts[] = {
      {"query", CSP_OPT_LIST, &query},
      {"if-match", CSP_OPT_STR, &if_match},
      {"data", CSP_OPT_STR, &data},
      {"data-file", CSP_OPT_STR, &data_file},
  };
  const char *pos[1];
  /* get/delete take no body: leave --data/--data-file out of their option set. */
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, has_body ? ARRAY_LEN(opts) : 2, pos, 1, 1);
  if (rc != 0)
    return rc;
  for (size_t q = 0; q < query.n; q++) {
    if (!strchr(query.v[q], '='))
      return csp_usage_error(cmd, "--query expects KEY=VALUE, got '%s'", query.v[q]);
  }

  char *body = NULL; /* owned */
  size_t body_len = 0;
  rc = csp_raw_body(cmd, data, data_file, &body, &body_len);
  if (rc != 0)
    return rc;

  csp_req req = {
      .method = method,
      .path = pos[0],
      .query = &query,
      .body = body,
      .body_len = body_len,
      .if_match = if_match,
      .auth = CSP_AUTH_OPTIONAL,
  };
  csp_resp resp;
  rc = csp_http(ctx, &req, &resp);
  free(body);
  if (rc != 0)
    return rc;

  if (resp.status < 200 || resp.status >= 300) {
    rc = csp_print_api_error(ctx, &resp);
  } else if (resp.json) {
    csp_print_json(resp.json);
  } else if (resp.body_len > 0) {
    /* Not JSON (e.g. /_cspd/metrics): print as received. */
    fwrite(resp.body, 1, resp.body_len, stdout);
    if (resp.body[resp.body_len - 1] != '\n')
      fputc('\n', stdout);
  }
  csp_resp_free(&resp);
  return rc;
}
