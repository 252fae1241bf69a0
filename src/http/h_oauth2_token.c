/* h_oauth2_token.c -- POST /{tenant}/oauth2/token and /{tenant}/oauth2/v2.0/token.
 *
 * Shaped like Azure AD's token endpoint: form-encoded request, answers
 * {"token_type","expires_in","access_token"} or an AAD error document.
 * Secrets are verified with argon2id outside any transaction. */
#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/crypto.h"
#include "../core/identity.h"
#include "../core/util.h"
#include "http.h"

/* A valid argon2id hash of a random string, verified against when the user
 * or app does not exist, so that unknown names cost as much as known ones. */
static char dummy_hash[128];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void dummy_init(void) {
  cspd_secret_hash("cspd-timing-equaliser", dummy_hash);
}

static bool is_oauth_error(enum cspd_error_id id) {
  return id == CSPD_E_OAUTH_INVALID_REQUEST || id == CSPD_E_OAUTH_INVALID_CLIENT ||
         id == CSPD_E_OAUTH_INVALID_GRANT || id == CSPD_E_OAUTH_WRONG_TENANT;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  c = (char)tolower((unsigned char)c);
  return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/** Decode application/x-www-form-urlencoded @a s (in place). */
static void form_decode(char *s) {
  char *o = s;
  for (char *p = s; *p; p++) {
    if (*p == '+') {
      *o++ = ' ';
    } else if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
      *o++ = (char)(hexval(p[1]) * 16 + hexval(p[2]));
      p += 2;
    } else {
      *o++ = *p;
    }
  }
  *o = '\0';
}

/** Value of @a key in the form body (arena copy), NULL if absent. */
static const char *form_get(struct cspd_req *r, const char *key) {
  char *copy = cspd_arena_strndup(r->arena, r->body, r->body_len);
  char *save = NULL;
  for (char *kv = strtok_r(copy, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
    char *eq = strchr(kv, '=');
    if (eq == NULL)
      continue;
    *eq = '\0';
    form_decode(kv);
    if (strcmp(kv, key) == 0) {
      form_decode(eq + 1);
      return eq + 1;
    }
  }
  return NULL;
}

static const char *aad_error(enum cspd_error_id id) {
  switch (id) {
  case CSPD_E_OAUTH_INVALID_CLIENT:
    return "invalid_client";
  case CSPD_E_OAUTH_INVALID_GRANT:
  case CSPD_E_OAUTH_WRONG_TENANT:
    return "invalid_grant";
  case CSPD_E_OAUTH_INVALID_REQUEST:
    return "invalid_request";
  default:
    return "server_error";
  }
}

static int oauth_error(struct cspd_req *r) {
  const struct cspd_error_info *e = cspd_error_info(r->ctx.err.id);
  char ts[32];
  cspd_time_format(cspd_wall_ms(), false, ts);
  const char *desc =
      cspd_arena_printf(r->arena, "AADSTS%d: %s%s%s", e->code, e->description,
                        r->ctx.err.detail ? " " : "", r->ctx.err.detail ? r->ctx.err.detail : "");
  return cspd_reply_json(r, e->http_status,
                         json_pack("{s:s, s:s, s:[i], s:s, s:s, s:s}", "error",
                                   aad_error(r->ctx.err.id), "error_description", desc,
                                   "error_codes", e->code, "timestamp", ts, "trace_id",
                                   r->request_id, "correlation_id", r->correlation_id));
}

struct lookup {
  struct cspd_req *r;
  const char *tenant, *grant, *client_id, *username;
  const char *hash; /* arena copy */
  struct cspd_principal p;
};

static int lookup_fn(struct cspd_db *db, void *cls) {
  struct lookup *l = cls;
  struct cspd_ctx *c = &l->r->ctx;
  c->db = db;
  memset(&c->err, 0, sizeof c->err);
  int rc;
  if (strcmp(l->grant, "password") == 0) {
    struct cspd_user u;
    rc = cspd_auth_password_lookup(c, l->tenant, l->username, l->client_id, &u, &l->p);
    if (rc == 0)
      l->hash = u.password_hash;
  } else {
    struct cspd_app app;
    rc = cspd_auth_client_lookup(c, l->tenant, l->client_id, &app, &l->p);
    if (rc == 0)
      l->hash = app.secret_hash;
  }
  return rc;
}

int h_token(struct cspd_req *r) {
  struct lookup l = {.r = r};
  const char *ct = cspd_header(r, "Content-Type");
  if (ct == NULL || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
    cspd_fail(&r->ctx, CSPD_E_OAUTH_INVALID_REQUEST,
              "the body must be application/x-www-form-urlencoded");
    return oauth_error(r);
  }
  l.tenant = r->params[0];
  l.grant = form_get(r, "grant_type");
  l.client_id = form_get(r, "client_id");
  l.username = form_get(r, "username");
  const char *secret;
  if (l.grant != NULL && strcmp(l.grant, "client_credentials") == 0) {
    secret = form_get(r, "client_secret");
    if (l.client_id == NULL || secret == NULL) {
      cspd_fail(&r->ctx, CSPD_E_OAUTH_INVALID_REQUEST, "client_id and client_secret are required");
      return oauth_error(r);
    }
  } else if (l.grant != NULL && strcmp(l.grant, "password") == 0) {
    secret = form_get(r, "password");
    if (l.username == NULL || secret == NULL) {
      cspd_fail(&r->ctx, CSPD_E_OAUTH_INVALID_REQUEST, "username and password are required");
      return oauth_error(r);
    }
  } else {
    cspd_fail(&r->ctx, CSPD_E_OAUTH_INVALID_REQUEST, "unsupported grant_type '%s'",
              l.grant ? l.grant : "");
    return oauth_error(r);
  }
  int rc = cspd_store_tx(r->srv->store, false, lookup_fn, &l, NULL);
  if (rc == CSPD_STORE_BUSY)
    return -1;
  if (rc != 0) {
    if (r->ctx.err.id == CSPD_E_OAUTH_INVALID_GRANT ||
        r->ctx.err.id == CSPD_E_OAUTH_INVALID_CLIENT) {
      pthread_once(&dummy_once, dummy_init);
      cspd_secret_verify(dummy_hash, secret);
    }
    if (is_oauth_error(r->ctx.err.id))
      return oauth_error(r);
    return -1;
  }
  if (cspd_secret_verify(l.hash, secret) != 0) {
    cspd_fail(&r->ctx,
              strcmp(l.grant, "password") == 0 ? CSPD_E_OAUTH_INVALID_GRANT
                                               : CSPD_E_OAUTH_INVALID_CLIENT,
              NULL);
    return oauth_error(r);
  }
  int ttl = r->srv->cfg.token_ttl > 0 ? r->srv->cfg.token_ttl : CSPD_TOKEN_TTL;
  char *jwt = cspd_token_sign(r->srv->key, &l.p, cspd_wall_ms() / 1000, ttl);
  if (jwt == NULL)
    return cspd_fail(&r->ctx, CSPD_E_INTERNAL, "signing failed");
  json_t *doc = json_pack("{s:s, s:i, s:i, s:s}", "token_type", "Bearer", "expires_in", ttl,
                          "ext_expires_in", ttl, "access_token", jwt);
  free(jwt);
  return cspd_reply_json(r, 200, doc);
}
