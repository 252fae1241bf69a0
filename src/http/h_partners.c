/* h_partners.c -- operator resources for partner organizations and their
 * locations: /v1/partners, /v1/partners/{id}, /v1/partners/{id}/locations,
 * /v1/locations/{tenantId}. */
#include <string.h>

#include "../core/identity.h"
#include "../core/json.h"
#include "../core/util.h"
#include "render.h"

static json_t *render_org_full(struct cspd_req *r, const struct cspd_org *o);

int h_partners_post(struct cspd_req *r) {
  json_t *body;
  if (cspd_body_object(r, &body) != 0)
    return -1;
  struct cspd_org_input in = {0};
  if (cspd_json_str(&r->ctx, body, "companyName", true, "", &in.name) != 0 ||
      cspd_json_str(&r->ctx, body, "mpnId", false, "", &in.mpn_id) != 0)
    return -1;
  struct cspd_org o;
  int rc = cspd_org_create(&r->ctx, &in, &o);
  if (rc != 0)
    return rc;
  r->location = cspd_arena_printf(r->arena, "/v1/partners/%s", o.id);
  cspd_set_etag(r, o.version);
  return cspd_reply_json(r, 201, cspd_render_org(r, &o));
}

int h_partners_get(struct cspd_req *r) {
  struct cspd_page pg;
  if (cspd_page_read(r, 100, &pg) != 0)
    return -1;
  struct cspd_org *rows;
  int n;
  int rc = cspd_db_ops(r->ctx.db)->org_list(r->ctx.db, pg.after, pg.size + 1, r->arena, &rows, &n);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  json_t *items = json_array();
  for (int i = 0; i < n && i < pg.size; i++)
    json_array_append_new(items, cspd_render_org(r, &rows[i]));
  return cspd_reply_json(r, 200,
                         cspd_collection(r, items, &pg, n > pg.size ? rows[pg.size - 1].id : NULL));
}

int h_partner_get(struct cspd_req *r) {
  const char *id;
  if (cspd_param_guid(r, 0, &id) != 0)
    return -1;
  struct cspd_org o;
  int rc = cspd_db_ops(r->ctx.db)->org_get(r->ctx.db, id, r->arena, &o);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, CSPD_E_PARTNER_NOT_FOUND, 0);
  cspd_set_etag(r, o.version);
  return cspd_reply_json(r, 200, render_org_full(r, &o));
}

/** The organization with its program fields (anniversary, global account e-mail). */
static json_t *render_org_full(struct cspd_req *r, const struct cspd_org *o) {
  json_t *doc = cspd_render_org(r, o);
  char *anniversary = NULL, *email = NULL;
  if (cspd_db_ops(r->ctx.db)->org_get_program_fields(r->ctx.db, o->id, r->arena, &anniversary,
                                                     &email) == 0) {
    json_object_set_new(doc, "anniversaryDate",
                        anniversary ? json_string(anniversary) : json_null());
    json_object_set_new(doc, "email", email ? json_string(email) : json_null());
  }
  return doc;
}

/* PATCH /v1/partners/{id} {"companyName"?, "anniversaryDate"?, "email"?} with
 * If-Match (operator). The anniversary gates the transition (R-ENR-4); the
 * e-mail is the global (MPN) account's, for the incentive invitation (R-INC-1). */
int h_partner_patch(struct cspd_req *r) {
  const char *id;
  json_t *body;
  const char *name, *anniversary, *email;
  if (cspd_param_guid(r, 0, &id) != 0 || cspd_body_object(r, &body) != 0 ||
      cspd_json_str(&r->ctx, body, "companyName", false, "", &name) != 0 ||
      cspd_json_str(&r->ctx, body, "anniversaryDate", false, "", &anniversary) != 0 ||
      cspd_json_str(&r->ctx, body, "email", false, "", &email) != 0)
    return -1;
  const struct cspd_store_ops *ops = cspd_db_ops(r->ctx.db);
  struct cspd_org o;
  int rc = ops->org_get(r->ctx.db, id, r->arena, &o);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, CSPD_E_PARTNER_NOT_FOUND, 0);
  if (r->who.kind != CSPD_TENANT_OPERATOR)
    return cspd_fail(&r->ctx, CSPD_E_ROLE_REQUIRED, "operator role required");
  if (cspd_check_if_match(r, o.version) != 0)
    return -1;
  int64_t ms;
  if (anniversary != NULL && (strlen(anniversary) != 10 || cspd_time_parse(anniversary, &ms) != 0))
    return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT, "anniversaryDate must be YYYY-MM-DD");
  if (email != NULL && !cspd_email_valid(email))
    return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT, "email is not an e-mail address");
  rc = cspd_org_rename(&r->ctx, &o, name ? name : o.name);
  if (rc != 0)
    return rc;
  if (anniversary != NULL || email != NULL) {
    char *cur_a, *cur_e;
    rc = ops->org_get_program_fields(r->ctx.db, o.id, r->arena, &cur_a, &cur_e);
    if (rc == 0)
      rc = ops->org_set_program_fields(r->ctx.db, o.id, anniversary ? anniversary : cur_a,
                                       email ? email : cur_e);
    if (rc != 0)
      return cspd_store_fail(&r->ctx, rc, CSPD_E_PARTNER_NOT_FOUND, 0);
  }
  cspd_set_etag(r, o.version);
  return cspd_reply_json(r, 200, render_org_full(r, &o));
}

static void read_address(const json_t *o, struct cspd_address *a) {
  a->line1 = json_string_value(cspd_json_get(o, "addressLine1"));
  a->line2 = json_string_value(cspd_json_get(o, "addressLine2"));
  a->city = json_string_value(cspd_json_get(o, "city"));
  a->state = json_string_value(cspd_json_get(o, "state"));
  a->postal_code = json_string_value(cspd_json_get(o, "postalCode"));
}

static int read_contact(struct cspd_ctx *c, const json_t *o, struct cspd_contact *k) {
  if (cspd_json_str(c, o, "firstName", false, "primaryContact", &k->first_name) != 0 ||
      cspd_json_str(c, o, "lastName", false, "primaryContact", &k->last_name) != 0 ||
      cspd_json_str(c, o, "email", false, "primaryContact", &k->email) != 0 ||
      cspd_json_str(c, o, "phoneNumber", false, "primaryContact", &k->phone) != 0)
    return -1;
  return 0;
}

int h_partner_locations_post(struct cspd_req *r) {
  json_t *body, *addr, *contact;
  struct cspd_location_input in = {0};
  if (cspd_param_guid(r, 0, &in.org_id) != 0 || cspd_body_object(r, &body) != 0)
    return -1;
  if (cspd_json_str(&r->ctx, body, "country", true, "", &in.country) != 0 ||
      cspd_json_str(&r->ctx, body, "companyName", false, "", &in.company_name) != 0 ||
      cspd_json_str(&r->ctx, body, "tenantId", false, "", &in.tenant_id) != 0 ||
      cspd_json_str(&r->ctx, body, "mpnId", false, "", &in.mpn_id) != 0 ||
      cspd_json_obj(&r->ctx, body, "address", false, "", &addr) != 0 ||
      cspd_json_obj(&r->ctx, body, "primaryContact", false, "", &contact) != 0)
    return -1;
  read_address(addr, &in.address);
  if (read_contact(&r->ctx, contact, &in.contact) != 0)
    return -1;
  struct cspd_location l;
  int rc = cspd_location_create(&r->ctx, &in, &l);
  if (rc != 0)
    return rc;
  struct cspd_org o;
  rc = cspd_db_ops(r->ctx.db)->org_get(r->ctx.db, l.org_id, r->arena, &o);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, CSPD_E_PARTNER_NOT_FOUND, 0);
  r->location = cspd_arena_printf(r->arena, "/v1/locations/%s", l.tenant_id);
  cspd_set_etag(r, l.version);
  return cspd_reply_json(r, 201, cspd_render_location(r, &l, o.mpn_id));
}

int h_partner_locations_get(struct cspd_req *r) {
  const char *org_id;
  if (cspd_param_guid(r, 0, &org_id) != 0)
    return -1;
  struct cspd_page pg;
  if (cspd_page_read(r, 100, &pg) != 0)
    return -1;
  const struct cspd_store_ops *ops = cspd_db_ops(r->ctx.db);
  struct cspd_org o;
  int rc = ops->org_get(r->ctx.db, org_id, r->arena, &o);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, CSPD_E_PARTNER_NOT_FOUND, 0);
  struct cspd_location *rows;
  int n;
  rc = ops->location_list(r->ctx.db, org_id, pg.after, pg.size + 1, r->arena, &rows, &n);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  json_t *items = json_array();
  for (int i = 0; i < n && i < pg.size; i++)
    json_array_append_new(items, cspd_render_location(r, &rows[i], o.mpn_id));
  return cspd_reply_json(
      r, 200, cspd_collection(r, items, &pg, n > pg.size ? rows[pg.size - 1].tenant_id : NULL));
}

int h_location_get(struct cspd_req *r) {
  const char *tid;
  if (cspd_param_guid(r, 0, &tid) != 0)
    return -1;
  if (r->who.kind != CSPD_TENANT_OPERATOR && strcmp(r->who.tenant_id, tid) != 0)
    return cspd_fail(&r->ctx, CSPD_E_TENANT_FORBIDDEN, NULL);
  const struct cspd_store_ops *ops = cspd_db_ops(r->ctx.db);
  struct cspd_location l;
  int rc = ops->location_get(r->ctx.db, tid, r->arena, &l);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, CSPD_E_LOCATION_NOT_FOUND, 0);
  struct cspd_org o;
  rc = ops->org_get(r->ctx.db, l.org_id, r->arena, &o);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, CSPD_E_PARTNER_NOT_FOUND, 0);
  cspd_set_etag(r, l.version);
  return cspd_reply_json(r, 200, cspd_render_location(r, &l, o.mpn_id));
}
