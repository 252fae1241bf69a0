/* h_tenants.c -- users and apps of a tenant: /v1/tenants/{tenantId}/users
 * and /v1/tenants/{tenantId}/apps. Passwords and secrets are hashed
 * (argon2id) in the prepare step, outside the transaction. */
#include <string.h>

#include "../core/crypto.h"
#include "../core/identity.h"
#include "../core/json.h"
#include "render.h"

struct user_prep {
  struct cspd_user_input in;
  char hash[128];
};

int h_tenant_users_prepare(struct cspd_req *r) {
  json_t *body;
  struct user_prep *p = cspd_arena_alloc(r->arena, sizeof *p);
  if (cspd_param_guid(r, 0, &p->in.tenant_id) != 0 || cspd_body_object(r, &body) != 0)
    return -1;
  const char *password;
  if (cspd_json_str(&r->ctx, body, "email", true, "", &p->in.email) != 0 ||
      cspd_json_str(&r->ctx, body, "displayName", true, "", &p->in.display_name) != 0 ||
      cspd_json_str(&r->ctx, body, "password", true, "", &password) != 0 ||
      cspd_json_roles(&r->ctx, body, "roles", true, "", &p->in.roles) != 0)
    return -1;
  /* authorisation before the expensive hash */
  if (!cspd_may_admin_tenant(&r->ctx, p->in.tenant_id)) {
    cspd_fail(&r->ctx, CSPD_E_ROLE_REQUIRED,
              "creating users needs the operator role or global_admin of the tenant");
    cspd_fail_data(&r->ctx, "operator");
    cspd_fail_data(&r->ctx, "global_admin");
    return -1;
  }
  if (cspd_password_check(&r->ctx, password) != 0)
    return -1;
  if (cspd_secret_hash(password, p->hash) != 0)
    return cspd_fail(&r->ctx, CSPD_E_INTERNAL, "hashing failed");
  p->in.password_hash = p->hash;
  r->scratch = p;
  return 0;
}

int h_tenant_users_post(struct cspd_req *r) {
  struct user_prep *p = r->scratch;
  struct cspd_user u;
  int rc = cspd_user_create(&r->ctx, &p->in, &u);
  if (rc != 0)
    return rc;
  return cspd_reply_json(r, 201, cspd_render_user(r, &u));
}

int h_tenant_users_get(struct cspd_req *r) {
  const char *tid;
  if (cspd_param_guid(r, 0, &tid) != 0)
    return -1;
  if (!cspd_may_admin_tenant(&r->ctx, tid))
    return cspd_fail(&r->ctx, CSPD_E_TENANT_FORBIDDEN, NULL);
  struct cspd_page pg;
  if (cspd_page_read(r, 100, &pg) != 0)
    return -1;
  const struct cspd_store_ops *ops = cspd_db_ops(r->ctx.db);
  struct cspd_tenant t;
  int rc = ops->tenant_get(r->ctx.db, tid, r->arena, &t);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, CSPD_E_TENANT_NOT_FOUND, 0);
  struct cspd_user *rows;
  int n;
  rc = ops->user_list(r->ctx.db, tid, pg.after, pg.size + 1, r->arena, &rows, &n);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  json_t *items = json_array();
  for (int i = 0; i < n && i < pg.size; i++)
    json_array_append_new(items, cspd_render_user(r, &rows[i]));
  return cspd_reply_json(r, 200,
                         cspd_collection(r, items, &pg, n > pg.size ? rows[pg.size - 1].id : NULL));
}

struct app_prep {
  struct cspd_app_input in;
  char secret[48];
  char hash[128];
};

int h_tenant_apps_prepare(struct cspd_req *r) {
  json_t *body;
  struct app_prep *p = cspd_arena_alloc(r->arena, sizeof *p);
  if (cspd_param_guid(r, 0, &p->in.tenant_id) != 0 || cspd_body_object(r, &body) != 0)
    return -1;
  if (cspd_json_str(&r->ctx, body, "displayName", true, "", &p->in.display_name) != 0 ||
      cspd_json_roles(&r->ctx, body, "roles", false, "", &p->in.roles) != 0)
    return -1;
  if (!cspd_may_admin_tenant(&r->ctx, p->in.tenant_id)) {
    cspd_fail(&r->ctx, CSPD_E_ROLE_REQUIRED,
              "registering apps needs the operator role or global_admin of the tenant");
    cspd_fail_data(&r->ctx, "operator");
    cspd_fail_data(&r->ctx, "global_admin");
    return -1;
  }
  cspd_secret_new(p->secret);
  if (cspd_secret_hash(p->secret, p->hash) != 0)
    return cspd_fail(&r->ctx, CSPD_E_INTERNAL, "hashing failed");
  p->in.secret_hash = p->hash;
  r->scratch = p;
  return 0;
}

int h_tenant_apps_post(struct cspd_req *r) {
  struct app_prep *p = r->scratch;
  struct cspd_app app;
  int rc = cspd_app_create(&r->ctx, &p->in, &app);
  if (rc != 0)
    return rc;
  json_t *roles = json_array();
  for (unsigned bit = 1; bit <= CSPD_ROLE_OPERATOR; bit <<= 1)
    if (app.roles & bit)
      json_array_append_new(roles, json_string(cspd_role_name((enum cspd_role)bit)));
  return cspd_reply_json(r, 201,
                         json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:{s:s}}", "clientId",
                                   app.client_id, "clientSecret", p->secret, "tenantId",
                                   app.tenant_id, "displayName", app.display_name, "roles", roles,
                                   "createdDate", cspd_iso(r, app.created_ms), "attributes",
                                   "objectType", "Application"));
}
