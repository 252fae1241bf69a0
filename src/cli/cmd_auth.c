/*
 * csp — login, logout, whoami.
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
#include <time.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/**
 * Obtain the secret for a login from --password/--client-secret, standard
 * input, or an echo-less prompt when stdin is a terminal (prompt != NULL).
 * @param what   human name of the secret, for messages
 * @param option its option name without "--", for messages
 * @param[out] out the secret, owned by the caller (csp_secret_free()).
 * @return 0 or -CSP_EXIT_USAGE (message printed).
 */
static int csp_login_secret(const csp_command *cmd, const char *given, bool from_stdin,
                            const char *prompt, const char *what, const char *option, char **out) {
  *out = NULL;
  if (given) {
    *out = csp_xstrdup(given);
    return 0;
  }
  if (from_stdin) {
    if (csp_read_secret(NULL, out) != 0)
      return csp_usage_error(cmd, "no %s on standard input", what);
    return 0;
  }
  if (prompt && csp_stdin_is_tty()) {
    if (csp_read_secret(prompt, out) != 0)
      return csp_usage_error(cmd, "no %s entered", what);
    return 0;
  }
  return csp_usage_error(cmd, "no %s given (use --%s or --%s-stdin)", what, option, option);
}

int cmd_login(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *tenant = NULL;
  const char *user = NULL;
  const char *password = NULL;
  const char *client_id = NULL;
  const char *client_secret = NULL;
  bool password_stdin = false;
  bool secret_stdin = false;
  const csp_opt opts[] = {
      {"tenant", CSP_OPT_STR, &tenant},
      {"user", CSP_OPT_STR, &user},
      {"password", CSP_OPT_STR, &password},
      {"password-stdin", CSP_OPT_FLAG, &password_stdin},
      {"client-id", CSP_OPT_STR, &client_id},
      {"client-secret", CSP_OPT_STR, &client_secret},
      {"client-secret-stdin", CSP_OPT_FLAG, &secret_stdin},
  };
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
  if (rc != 0)
    return rc;

  if (!user && !client_id)
    return csp_usage_error(cmd, "give --user EMAIL or --client-id ID");
  if (password && password_stdin)
    return csp_usage_error(cmd, "--password and --password-stdin exclude each other");
  if (client_secret && secret_stdin)
    return csp_usage_error(cmd, "--client-secret and --client-secret-stdin exclude each other");
  if (user && (client_secret || secret_stdin))
    return csp_usage_error(cmd,
                           "--client-secret belongs to an app login (--client-id without --user)");
  if (!user && (password || password_stdin))
    return csp_usage_error(cmd, "--password belongs to a user login (--user)");
  if (!user && !client_secret && !secret_stdin)
    return csp_usage_error(cmd, "an app login needs --client-secret or --client-secret-stdin");

  rc = csp_resolve_base_url(ctx, true);
  if (rc != 0)
    return rc;

  char *secret = NULL; /* owned; wiped by csp_secret_free */
  if (user) {
    char *prompt = csp_xasprintf("Password for %s: ", user);
    rc = csp_login_secret(cmd, password, password_stdin, prompt, "password", "password", &secret);
    free(prompt);
  } else {
    rc = csp_login_secret(cmd, client_secret, secret_stdin, NULL, "client secret", "client-secret",
                          &secret);
  }
  if (rc != 0)
    return rc;

  /* Form body; every value URL-encoded. Owned here, wiped after use. */
  char *enc_secret = csp_url_encode(ctx, secret);
  char *enc_id = client_id ? csp_url_encode(ctx, client_id) : NULL;
  char *form;
  if (user) {
    char *enc_user = csp_url_encode(ctx, user);
    form = csp_xasprintf("grant_type=password&username=%s&password=%s%s%s", enc_user, enc_secret,
                         enc_id ? "&client_id=" : "", enc_id ? enc_id : "");
    free(enc_user);
  } else {
    form = csp_xasprintf("grant_type=client_credentials&client_id=%s&client_secret=%s", enc_id,
                         enc_secret);
  }
  csp_secret_free(enc_secret);
  csp_secret_free(secret);
  free(enc_id);

  char *enc_tenant = csp_url_encode(ctx, tenant ? tenant : "common");
  char *path = csp_xasprintf("/%s/oauth2/token", enc_tenant);
  free(enc_tenant);

  csp_req req = {
      .method = "POST",
      .path = path,
      .body = form,
      .body_len = strlen(form),
      .content_type = "application/x-www-form-urlencoded",
      .auth = CSP_AUTH_NONE,
  };
  csp_resp resp;
  rc = csp_http(ctx, &req, &resp);
  csp_secret_free(form);
  free(path);
  if (rc != 0)
    return rc;

  const char *token = json_string_value(json_object_get(resp.json, "access_token"));
  if (resp.status != 200 || !token) {
    rc = resp.status == 200 ? -CSP_EXIT_SERVER : csp_print_api_error(ctx, &resp);
    if (resp.status == 200)
      fputs("csp: the token response has no access_token\n", stderr);
    csp_resp_free(&resp);
    return rc;
  }

  json_t *claims = NULL;
  csp_jwt_payload(token, &claims); /* claims stays NULL for an opaque token */
  time_t now = time(NULL);
  const json_t *exp = json_object_get(claims, "exp");
  const json_t *expires_in = json_object_get(resp.json, "expires_in");
  time_t expires_at = now + 3600;
  if (json_is_integer(exp))
    expires_at = (time_t)json_integer_value(exp);
  else if (json_is_integer(expires_in))
    expires_at = now + (time_t)json_integer_value(expires_in);

  const char *tid = json_string_value(json_object_get(claims, "tid"));
  const char *kind = json_string_value(json_object_get(claims, "tkind"));
  csp_session session = {
      .url = ctx->base_url,
      .token = (char *)token,
      .tenant_id = (char *)(tid ? tid : tenant),
      .user = (char *)(user ? user : client_id),
      .expires_at = expires_at,
  };
  rc = csp_session_save(&session) == 0 ? 0 : -CSP_EXIT_REFUSED;

  if (rc == 0) {
    char when[32];
    char rel[48];
    csp_format_time(expires_at, when);
    csp_format_relative(expires_at, now, rel);
    if (ctx->json) {
      json_t *out =
          json_pack("{s:s, s:s, s:s?, s:s?, s:s}", "url", ctx->base_url, "user", session.user,
                    "tenantId", session.tenant_id, "kind", kind, "expiresAt", when);
      if (out)
        csp_print_json(out);
      json_decref(out);
    } else {
      printf("Logged in to %s as %s (%s, tenant %s); the token expires %s (%s).\n", ctx->base_url,
             session.user, kind ? kind : "unknown kind",
             session.tenant_id ? session.tenant_id : "unknown", when, rel);
    }
  }
  json_decref(claims);
  csp_resp_free(&resp);
  return rc;
}

int cmd_logout(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, NULL, 0, 0);
  if (rc != 0)
    return rc;
  rc = csp_session_remove();
  if (rc < 0)
    return -CSP_EXIT_REFUSED;
  if (!ctx->json)
    puts(rc == 1 ? "Logged out." : "Not logged in.");
  return 0;
}

/**
 * Ask the server for the caller's MPN profile (partner tenants only).
 * @param[out] out the profile, owned by the caller (json_decref()), or NULL
 *             when the server answered 403/404 (ignored quietly).
 * @return 0 or -CSP_EXIT_x (printed).
 */
static int csp_whoami_profile(csp_ctx *ctx, json_t **out) {
  *out = NULL;
  csp_req req = {.method = "GET", .path = "/v1/profiles/mpn", .auth = CSP_AUTH_REQUIRED};
  csp_resp resp;
  int rc = csp_http(ctx, &req, &resp);
  if (rc != 0)
    return rc;
  if (resp.status >= 200 && resp.status < 300 && json_is_object(resp.json)) {
    *out = resp.json; /* ownership moves to the caller */
    resp.json = NULL;
  } else if (resp.status != 403 && resp.status != 404) {
    rc = csp_print_api_error(ctx, &resp);
  }
  csp_resp_free(&resp);
  return rc;
}

int cmd_whoami(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, NULL, 0, 0);
  if (rc != 0)
    return rc;
  const csp_session *s = ctx->session;
  if (!s) {
    fputs("csp: not logged in; run 'csp login' first\n", stderr);
    return -CSP_EXIT_AUTH;
  }
  json_t *claims = NULL;
  if (csp_jwt_payload(s->token, &claims) != 0) {
    fputs("csp: the cached token is not a JWT; run 'csp login' again\n", stderr);
    return -CSP_EXIT_AUTH;
  }

  time_t now = time(NULL);
  const json_t *exp = json_object_get(claims, "exp");
  time_t expires_at = json_is_integer(exp) ? (time_t)json_integer_value(exp) : s->expires_at;
  bool expired = expires_at <= now;
  const char *tid = json_string_value(json_object_get(claims, "tid"));
  const char *oid = json_string_value(json_object_get(claims, "oid"));
  const char *appid = json_string_value(json_object_get(claims, "appid"));
  const char *tkind = json_string_value(json_object_get(claims, "tkind"));
  const json_t *roles = json_object_get(claims, "roles");

  json_t *profile = NULL;
  if (!expired && tkind && strcmp(tkind, "partner") == 0) {
    rc = csp_whoami_profile(ctx, &profile);
    if (rc == -CSP_EXIT_AUTH)
      expired = true; /* rejected by the server: report like an expired token */
  }

  char when[32];
  char rel[48];
  csp_format_time(expires_at, when);
  csp_format_relative(expires_at, now, rel);

  if (ctx->json) {
    json_t *out =
        json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:O?, s:s, s:b}", "url", s->url, "user",
                  s->user, "tenantId", tid ? tid : s->tenant_id, "kind", tkind, "userId", oid,
                  "appId", appid, "roles", roles, "expiresAt", when, "expired", expired);
    if (out && profile) {
      json_object_set(out, "partnerName", json_object_get(profile, "partnerName"));
      json_object_set(out, "mpnId", json_object_get(profile, "mpnId"));
    }
    if (out)
      csp_print_json(out);
    json_decref(out);
  } else {
    csp_cells rows = {0};
    csp_cells_add(&rows, "url:");
    csp_cells_add(&rows, s->url);
    csp_cells_add(&rows, "tenant:");
    csp_cells_add(&rows, tid ? tid : (s->tenant_id ? s->tenant_id : "-"));
    csp_cells_add(&rows, "kind:");
    csp_cells_push(
        &rows, csp_xasprintf("%s (%s)", tkind ? tkind : "unknown", oid ? "App+User" : "App-only"));
    csp_cells_add(&rows, "user:");
    if (oid)
      csp_cells_push(&rows, csp_xasprintf("%s (%s)", s->user ? s->user : "-", oid));
    else
      csp_cells_add(&rows, s->user ? s->user : "-");
    if (appid) {
      csp_cells_add(&rows, "app:");
      csp_cells_add(&rows, appid);
    }
    csp_cells_add(&rows, "roles:");
    csp_cells_push(&rows, csp_json_text(roles));
    csp_cells_add(&rows, "expires:");
    csp_cells_push(&rows, csp_xasprintf("%s (%s%s)", when, expired ? "expired " : "", rel));
    if (profile) {
      csp_cells_add(&rows, "partner:");
      csp_cells_push(&rows,
                     csp_xasprintf("%s (MPN ID %s)",
                                   json_string_value(json_object_get(profile, "partnerName"))
                                       ? json_string_value(json_object_get(profile, "partnerName"))
                                       : "-",
                                   json_string_value(json_object_get(profile, "mpnId"))
                                       ? json_string_value(json_object_get(profile, "mpnId"))
                                       : "-"));
    }
    csp_table(stdout, NULL, 2, (const char *const *)rows.v, rows.n / 2, 0);
    csp_cells_free(&rows);
  }
  json_decref(profile);
  json_decref(claims);
  if (rc != 0)
    return rc;
  if (expired) {
    fflush(stdout);
    fputs("csp: the session has expired; run 'csp login' again\n", stderr);
    return -CSP_EXIT_AUTH;
  }
  return 0;
}
