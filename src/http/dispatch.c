/* dispatch.c -- one request through the pipeline:
 *   route -> sandbox gate -> authentication -> role -> throttle ->
 *   transaction (with MS-RequestId idempotency for writes) -> handler ->
 *   reply or error envelope. */
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/clock.h"
#include "../core/crypto.h"
#include "../core/identity.h"
#include "../core/log.h"
#include "../core/util.h"
#include "assets.h"
#include "dispatch.h"
#include "http.h"

static void reset_reply(struct cspd_req *r) {
  free(r->reply);
  r->reply = NULL;
  r->reply_len = 0;
  r->status = 0;
  r->etag = NULL;
  r->location = NULL;
  r->content_type = NULL;
  r->replayed = false;
  r->on_commit = NULL;
  memset(&r->ctx.err, 0, sizeof r->ctx.err);
}

static int read_fn(struct cspd_db *db, void *cls) {
  struct cspd_req *r = cls;
  reset_reply(r);
  r->ctx.db = db;
  return r->route->fn(r);
}

static int write_fn(struct cspd_db *db, void *cls) {
  struct cspd_req *r = cls;
  reset_reply(r);
  r->ctx.db = db;
  const struct cspd_store_ops *ops = cspd_db_ops(db);
  const char *scope = r->authed ? r->who.tenant_id : "anonymous";
  if (r->request_id_given) {
    struct cspd_idem prev;
    int rc = ops->idem_get(db, scope, r->request_id, r->arena, &prev);
    if (rc == 0) {
      if (strcmp(prev.method, r->method) != 0 || strcmp(prev.path, r->path) != 0)
        return cspd_fail(&r->ctx, CSPD_E_REQUEST_ID_REUSED, "it was used for %s %s", prev.method,
                         prev.path);
      cspd_reply_raw(r, prev.status, "application/json; charset=utf-8", prev.body, prev.body_len);
      if (prev.body_len == 0)
        r->content_type = NULL;
      r->etag = prev.etag;
      r->location = prev.location;
      r->replayed = true;
      return 0;
    }
    if (rc != CSPD_STORE_NOTFOUND)
      return cspd_store_fail(&r->ctx, rc, 0, 0);
  }
  int rc = r->route->fn(r);
  if (rc != 0)
    return rc;
  if (r->request_id_given && r->status >= 200 && r->status < 300) {
    struct cspd_idem rec = {.scope = scope,
                            .request_id = r->request_id,
                            .method = r->method,
                            .path = r->path,
                            .status = r->status,
                            .body = r->reply,
                            .body_len = r->reply_len,
                            .etag = r->etag,
                            .location = r->location,
                            .created_ms = cspd_wall_ms()};
    rc = ops->idem_put(db, &rec);
    if (rc != 0)
      return cspd_store_fail(&r->ctx, rc, 0, CSPD_E_REQUEST_ID_REUSED);
  }
  return 0;
}

/** Token cache: verified tokens per worker thread, so that a client reusing
 * its token costs one hash lookup instead of an HMAC and a JSON parse. */
#define TOKEN_CACHE 64
struct token_slot {
  uint64_t hash;
  size_t len;
  char *token;
  struct cspd_principal who;
};
static _Thread_local struct token_slot token_cache[TOKEN_CACHE];

const char *cspd_content_type_of(const char *path) {
  static const struct {
    const char *ext, *type;
  } types[] = {{".html", "text/html; charset=utf-8"},
               {".js", "text/javascript; charset=utf-8"},
               {".mjs", "text/javascript; charset=utf-8"},
               {".css", "text/css; charset=utf-8"},
               {".svg", "image/svg+xml"},
               {".png", "image/png"},
               {".ico", "image/x-icon"},
               {".json", "application/json; charset=utf-8"},
               {".txt", "text/plain; charset=utf-8"}};
  const char *dot = strrchr(path, '.');
  for (size_t i = 0; dot != NULL && i < sizeof types / sizeof types[0]; i++)
    if (strcmp(dot, types[i].ext) == 0)
      return types[i].type;
  return "application/octet-stream";
}

static uint64_t fnv1a(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ULL;
  }
  return h;
}

static bool safe_method(const char *m) {
  return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || strcmp(m, "OPTIONS") == 0;
}

/** The dashboard's session cookie stands in for the bearer token; a request
 * that changes state must then prove it comes from the dashboard's own page
 * with the session's CSRF token (h_session.c). */
static int authenticate_cookie(struct cspd_req *r, const char **tok) {
  const char *c = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, CSPD_SESSION_COOKIE);
  if (c == NULL || c[0] == '\0')
    return cspd_fail(&r->ctx, CSPD_E_AUTH_REQUIRED, NULL);
  if (!safe_method(r->method) && !cspd_csrf_check(r->srv->key, c, cspd_header(r, "X-CSRF-Token"))) {
    cspd_log("warn", "CSRF token missing or wrong on %s %s", r->method, r->path);
    return cspd_fail(&r->ctx, CSPD_E_CSRF_INVALID, NULL);
  }
  r->session = c;
  *tok = c;
  return 0;
}

static int authenticate(struct cspd_req *r) {
  const char *h = cspd_header(r, "Authorization");
  const char *tok = NULL;
  if (h == NULL) {
    if (authenticate_cookie(r, &tok) != 0)
      return -1;
  } else {
    if (strncasecmp(h, "Bearer ", 7) != 0)
      return cspd_fail(&r->ctx, CSPD_E_AUTH_REQUIRED, NULL);
    tok = h + 7;
  }
  while (*tok == ' ')
    tok++;
  size_t len = strlen(tok);
  int64_t now_s = cspd_wall_ms() / 1000;
  uint64_t hash = fnv1a(tok, len);
  struct token_slot *slot = &token_cache[hash % TOKEN_CACHE];
  if (slot->token != NULL && slot->hash == hash && slot->len == len &&
      memcmp(slot->token, tok, len) == 0) {
    if (slot->who.expires + CSPD_TOKEN_LEEWAY <= now_s)
      return cspd_fail(&r->ctx, r->session ? CSPD_E_SESSION_REQUIRED : CSPD_E_TOKEN_EXPIRED, NULL);
    r->who = slot->who;
    r->authed = true;
    return 0;
  }
  int rc = cspd_token_verify(r->srv->key, tok, now_s, &r->who);
  if (rc != CSPD_TOKEN_OK && r->session != NULL)
    return cspd_fail(&r->ctx, CSPD_E_SESSION_REQUIRED, NULL);
  if (rc == CSPD_TOKEN_EXPIRED)
    return cspd_fail(&r->ctx, CSPD_E_TOKEN_EXPIRED, NULL);
  if (rc != CSPD_TOKEN_OK)
    return cspd_fail(&r->ctx, CSPD_E_TOKEN_INVALID, NULL);
  r->authed = true;
  if (len < 4096) {
    free(slot->token);
    slot->token = malloc(len);
    if (slot->token != NULL) {
      memcpy(slot->token, tok, len);
      slot->hash = hash;
      slot->len = len;
      slot->who = r->who;
    }
  }
  return 0;
}

void cspd_dispatch_thread_cleanup(void) {
  for (int i = 0; i < TOKEN_CACHE; i++) {
    free(token_cache[i].token);
    token_cache[i].token = NULL;
  }
}

static int role_check(struct cspd_req *r) {
  unsigned need = r->route->roles;
  if (need == 0 || (r->who.roles & need) != 0)
    return 0;
  cspd_fail(&r->ctx, CSPD_E_ROLE_REQUIRED, "this operation needs one of the roles in data");
  for (unsigned bit = 1; bit <= CSPD_ROLE_OPERATOR; bit <<= 1)
    if (need & bit)
      cspd_fail_data(&r->ctx, cspd_role_name((enum cspd_role)bit));
  return -1;
}

/** The dashboard (web/, embedded): "/" is its page, /assets/ its files. */
static int dashboard(struct cspd_req *r, bool *served) {
  const char *p = strcmp(r->path, "/") == 0 ? "/index.html" : r->path;
  *served = false;
  if (strcmp(p, "/index.html") != 0 && strncmp(p, "/assets/", 8) != 0)
    return 0;
  for (const struct cspd_asset *a = cspd_web_assets; a->path != NULL; a++) {
    if (strcmp(a->path, p) != 0)
      continue;
    *served = true;
    if (!safe_method(r->method)) {
      r->allow = "GET, HEAD";
      return cspd_fail(&r->ctx, CSPD_E_METHOD_NOT_ALLOWED, "allowed: GET, HEAD");
    }
    r->html = true;
    r->etag = a->etag;
    const char *inm = cspd_header(r, "If-None-Match");
    if (inm != NULL && strcmp(inm, a->etag) == 0)
      return cspd_reply_empty(r, 304);
    return cspd_reply_raw(r, 200, cspd_content_type_of(a->path), a->data, a->len);
  }
  return 0;
}

static int run(struct cspd_req *r) {
  char allow[128];
  bool served;
  int drc = dashboard(r, &served);
  if (served)
    return drc;
  bool sandbox = r->srv->cfg.sandbox;
  r->route = cspd_route_find(r->method, r->path, sandbox, r->arena, r->params, &r->nparams, allow,
                             sizeof allow);
  if (r->route == NULL && allow[0] == '\0' && !sandbox) {
    /* a sandbox control, with any method: say why it is not there */
    char allow2[128];
    const char *p2[8];
    int n2;
    if (cspd_route_find(r->method, r->path, true, r->arena, p2, &n2, allow2, sizeof allow2) !=
            NULL ||
        allow2[0] != '\0')
      return cspd_fail(&r->ctx, CSPD_E_SANDBOX_ONLY, NULL);
  }
  if (r->route == NULL) {
    if (allow[0] != '\0') {
      r->allow = cspd_arena_strdup(r->arena, allow);
      return cspd_fail(&r->ctx, CSPD_E_METHOD_NOT_ALLOWED, "allowed: %s", allow);
    }
    return cspd_fail(&r->ctx, CSPD_E_ROUTE_NOT_FOUND, NULL);
  }
  if (!(r->route->flags & ROUTE_PUBLIC)) {
    if (authenticate(r) != 0)
      return -1;
    r->ctx.who = &r->who;
    if (role_check(r) != 0)
      return -1;
    if (r->srv->throttle != NULL) {
      int wait = cspd_throttle_take(r->srv->throttle, r->who.tenant_id, cspd_mono_us());
      if (wait > 0) {
        r->retry_after = wait;
        return cspd_fail(&r->ctx, CSPD_E_THROTTLED, NULL);
      }
    }
  }
  if (r->route->prepare != NULL && r->route->prepare(r) != 0)
    return -1;
  unsigned f = r->route->flags;
  int rc;
  if (f & ROUTE_TX_WRITE)
    rc = cspd_store_tx(r->srv->store, true, write_fn, r, NULL);
  else if (f & ROUTE_TX_READ)
    rc = cspd_store_tx(r->srv->store, false, read_fn, r, NULL);
  else
    rc = r->route->fn(r);
  if (rc == 0 && r->on_commit != NULL)
    r->on_commit(r);
  if (rc == 0 && (f & ROUTE_TX_WRITE) && r->srv->kick != NULL)
    r->srv->kick(r->srv->kick_cls); /* new outbox entries may wait */
  return rc;
}

void cspd_dispatch(struct cspd_req *r) {
  r->ctx.arena = r->arena;
  r->ctx.sandbox = r->srv->cfg.sandbox;
  r->ctx.now_ms = cspd_clock_now();
  r->ctx.base_url = r->srv->base_url;
  r->ctx.sign_key = r->srv->key;
  const char *rid = cspd_header(r, "MS-RequestId");
  r->request_id_given = rid != NULL && rid[0] != '\0' && strlen(rid) <= 128;
  if (r->request_id_given) {
    r->request_id = rid;
  } else {
    char g[37];
    cspd_guid_new(g);
    r->request_id = cspd_arena_strdup(r->arena, g);
  }
  const char *cid = cspd_header(r, "MS-CorrelationId");
  if (cid != NULL && cid[0] != '\0' && strlen(cid) <= 128) {
    r->correlation_id = cid;
  } else {
    char g[37];
    cspd_guid_new(g);
    r->correlation_id = cspd_arena_strdup(r->arena, g);
  }
  cspd_current_request.request_id = r->request_id;
  cspd_current_request.correlation_id = r->correlation_id;
  int rc = run(r);
  if (rc != 0) {
    if (rc == CSPD_STORE_BUSY)
      cspd_fail(&r->ctx, CSPD_E_STORE_UNAVAILABLE, NULL);
    else if (r->ctx.err.id == CSPD_E_NONE)
      cspd_fail(&r->ctx, CSPD_E_INTERNAL, NULL);
    cspd_reply_error(r);
  } else if (r->status == 0) {
    cspd_fail(&r->ctx, CSPD_E_INTERNAL, "the handler gave no reply");
    cspd_reply_error(r);
  }
  cspd_current_request.request_id = NULL;
  cspd_current_request.correlation_id = NULL;
}
