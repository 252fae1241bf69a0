/* h_session.c -- /_cspd/session: the dashboard's sign-in.
 *
 * The browser signs in with e-mail and password and gets the same signed
 * access token an API client gets, but in an HttpOnly, SameSite=Strict
 * cookie it cannot read. Every state-changing request made with the cookie
 * must carry X-CSRF-Token: an HMAC of the session token under the server key
 * (crypto.h), returned by these endpoints, so it needs no storage and dies
 * with the session (dispatch.c checks it). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/crypto.h"
#include "../core/identity.h"
#include "../core/json.h"
#include "../core/log.h"
#include "../core/util.h"
#include "http.h"

/* the cost of a wrong e-mail matches that of a wrong password */
static char dummy_hash[128];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void dummy_init(void) {
  cspd_secret_hash("cspd-session-timing-equaliser", dummy_hash);
}

struct who_args {
  struct cspd_req *r;
  const struct cspd_principal *p;
  struct cspd_user u;
  struct cspd_tenant t;
};

static int who_fn(struct cspd_db *db, void *cls) {
  struct who_args *a = cls;
  const struct cspd_store_ops *ops = cspd_db_ops(db);
  int rc = ops->tenant_get(db, a->p->tenant_id, a->r->arena, &a->t);
  if (rc == 0 && a->p->user_id[0] != '\0')
    rc = ops->user_get(db, a->p->user_id, a->r->arena, &a->u);
  return rc;
}

/** The session document for principal @a p holding session token @a token. */
static int session_reply(struct cspd_req *r, int status, const struct cspd_principal *p,
                         const char *token) {
  struct who_args a = {.r = r, .p = p};
  int rc = cspd_store_tx(r->srv->store, false, who_fn, &a, NULL);
  if (rc == CSPD_STORE_BUSY)
    return -1;
  if (rc != 0) /* the user or tenant is gone: the session is */
    return cspd_fail(&r->ctx, CSPD_E_SESSION_REQUIRED, NULL);
  char csrf[CSPD_CSRF_LEN + 1], exp[32];
  cspd_csrf_token(r->srv->key, token, csrf);
  cspd_time_format(p->expires * 1000, false, exp);
  json_t *roles = json_array();
  for (unsigned bit = 1; bit <= CSPD_ROLE_OPERATOR; bit <<= 1)
    if (p->roles & bit)
      json_array_append_new(roles, json_string(cspd_role_name((enum cspd_role)bit)));
  json_t *doc =
      json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:o, s:s, s:s, s:b, s:{s:s}}", "userId",
                p->user_id, "tenantId", p->tenant_id, "tenantKind", cspd_tenant_kind_name(p->kind),
                "tenantName", a.t.name, "displayName", a.u.display_name, "email", a.u.email,
                "roles", roles, "csrfToken", csrf, "expiresOn", exp, "sandbox", r->srv->cfg.sandbox,
                "attributes", "objectType", "Session");
  return cspd_reply_json(r, status, doc);
}

struct signin_args {
  struct cspd_req *r;
  const char *username;
  const char *hash;
  struct cspd_principal p;
};

static int signin_fn(struct cspd_db *db, void *cls) {
  struct signin_args *a = cls;
  struct cspd_ctx *c = &a->r->ctx;
  c->db = db;
  memset(&c->err, 0, sizeof c->err);
  struct cspd_user u;
  int rc = cspd_auth_password_lookup(c, "organizations", a->username, NULL, &u, &a->p);
  if (rc == 0)
    a->hash = u.password_hash;
  return rc;
}

/** The cookie carrying @a token for @a max_age seconds (0: remove it). */
static const char *cookie(struct cspd_req *r, const char *token, int max_age) {
  bool https = strncmp(r->srv->base_url, "https:", 6) == 0;
  return cspd_arena_printf(r->arena, "%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s",
                           CSPD_SESSION_COOKIE, token, max_age, https ? "; Secure" : "");
}

int h_session_post(struct cspd_req *r) {
  const char *user = NULL, *password = NULL;
  json_t *body;
  /* JSON only: a cross-site HTML form cannot send it without a CORS preflight */
  const char *ct = cspd_header(r, "Content-Type");
  if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0)
    return cspd_fail(&r->ctx, CSPD_E_UNSUPPORTED_MEDIA_TYPE, "send application/json");
  if (cspd_body_object(r, &body) != 0)
    return -1;
  if (cspd_json_str(&r->ctx, body, "username", true, "", &user) != 0 ||
      cspd_json_str(&r->ctx, body, "password", true, "", &password) != 0)
    return -1;
  struct signin_args a = {.r = r, .username = user};
  int rc = cspd_store_tx(r->srv->store, false, signin_fn, &a, NULL);
  if (rc == CSPD_STORE_BUSY)
    return -1;
  bool ok;
  if (rc != 0) {
    if (r->ctx.err.id != CSPD_E_OAUTH_INVALID_GRANT &&
        r->ctx.err.id != CSPD_E_OAUTH_INVALID_REQUEST)
      return -1;
    pthread_once(&dummy_once, dummy_init);
    cspd_secret_verify(dummy_hash, password);
    ok = false;
  } else {
    ok = cspd_secret_verify(a.hash, password) == 0;
  }
  if (!ok) {
    cspd_log("info", "dashboard sign-in refused for %s", user);
    return cspd_fail(&r->ctx, CSPD_E_SIGNIN_FAILED, NULL);
  }
  int ttl = r->srv->cfg.token_ttl > 0 ? r->srv->cfg.token_ttl : CSPD_TOKEN_TTL;
  char *jwt = cspd_token_sign(r->srv->key, &a.p, cspd_wall_ms() / 1000, ttl);
  if (jwt == NULL)
    return cspd_fail(&r->ctx, CSPD_E_INTERNAL, "signing failed");
  const char *token = cspd_arena_strdup(r->arena, jwt);
  free(jwt);
  r->set_cookie = cookie(r, token, ttl);
  return session_reply(r, 200, &a.p, token);
}

int h_session_get(struct cspd_req *r) {
  if (r->session == NULL)
    return cspd_fail(&r->ctx, CSPD_E_SESSION_REQUIRED, NULL);
  return session_reply(r, 200, &r->who, r->session);
}

int h_session_delete(struct cspd_req *r) {
  r->set_cookie = cookie(r, "", 0);
  return cspd_reply_empty(r, 204);
}
