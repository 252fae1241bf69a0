/* h_profiles.c -- GET /v1/profiles/mpn and /v1/profiles/legalbusiness. */
#include <strings.h>

#include "../core/identity.h"
#include "../core/json.h"
#include "render.h"

static json_t *mpn_profile(const char *name, const char *mpn_id) {
  return json_pack("{s:s, s:s, s:s, s:{s:o}, s:{s:s}}", "partnerName", name, "mpnId", mpn_id,
                   "profileType", "mpn_profile", "links", "self",
                   cspd_link("/v1/profiles/mpn", "GET"), "attributes", "objectType", "MpnProfile");
}

int h_profiles_mpn_get(struct cspd_req *r) {
  const struct cspd_store_ops *ops = cspd_db_ops(r->ctx.db);
  const char *mpn = cspd_query(r, "mpnId");
  struct cspd_location l;
  int rc;
  if (mpn == NULL) {
    if (cspd_require_partner(r) != 0)
      return -1;
    rc = ops->location_get(r->ctx.db, r->who.tenant_id, r->arena, &l);
    if (rc != 0)
      return cspd_store_fail(&r->ctx, rc, CSPD_E_LOCATION_NOT_FOUND, 0);
    return cspd_reply_json(r, 200, mpn_profile(l.company_name, l.mpn_id));
  }
  /* any PartnerID: a location's, or a global account's */
  rc = ops->location_get_by_mpn(r->ctx.db, mpn, r->arena, &l);
  if (rc == 0)
    return cspd_reply_json(r, 200, mpn_profile(l.company_name, l.mpn_id));
  if (rc != CSPD_STORE_NOTFOUND)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  struct cspd_org o;
  rc = ops->org_get_by_mpn(r->ctx.db, mpn, r->arena, &o);
  if (rc == 0)
    return cspd_reply_json(r, 200, mpn_profile(o.name, o.mpn_id));
  if (rc == CSPD_STORE_NOTFOUND)
    return cspd_fail(&r->ctx, CSPD_E_MPN_NOT_FOUND, "'%s'", mpn);
  return cspd_store_fail(&r->ctx, rc, 0, 0);
}

static int legal_reply(struct cspd_req *r, const struct cspd_location *loc) {
  const struct cspd_location l = *loc;
  json_t *doc = json_pack(
      "{s:s, s:o, s:o, s:o, s:o, s:s, s:s, s:s, s:{s:o}, s:o}", "companyName", l.company_name,
      "address", cspd_render_address(&l), "primaryContact", cspd_render_contact(&l.contact),
      "companyApproverAddress", cspd_render_address(&l), "companyApproverEmail",
      l.contact.email ? json_string(l.contact.email) : json_null(), "vettingStatus", "authorized",
      "vettingSubStatus", "none", "profileType", "legal_business_profile", "links", "self",
      cspd_link("/v1/profiles/legalbusiness", "GET"), "attributes",
      cspd_attributes("LegalBusinessProfile", l.version));
  cspd_set_etag(r, l.version);
  return cspd_reply_json(r, 200, doc);
}

int h_profiles_legalbusiness_get(struct cspd_req *r) {
  if (cspd_require_partner(r) != 0)
    return -1;
  struct cspd_location l;
  int rc = cspd_db_ops(r->ctx.db)->location_get(r->ctx.db, r->who.tenant_id, r->arena, &l);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, CSPD_E_LOCATION_NOT_FOUND, 0);
  return legal_reply(r, &l);
}

/** Overwrite @a dst with the string member @a key of @a obj when present. */
static int take(struct cspd_req *r, const json_t *obj, const char *key, const char *path,
                const char **dst) {
  const char *v;
  if (cspd_json_str(&r->ctx, obj, key, false, path, &v) != 0)
    return -1;
  if (cspd_json_get(obj, key) != NULL)
    *dst = v; /* present: a string, or null to clear */
  return 0;
}

/* PUT /v1/profiles/legalbusiness: the whole profile back, with If-Match.
 * Address and primary contact change; companyName, vetting fields and
 * profileType are read-only and ignored; the country cannot change. */
int h_profiles_legalbusiness_put(struct cspd_req *r) {
  if (cspd_require_partner(r) != 0)
    return -1;
  json_t *body, *addr, *contact;
  if (cspd_body_object(r, &body) != 0 ||
      cspd_json_obj(&r->ctx, body, "address", false, "", &addr) != 0 ||
      cspd_json_obj(&r->ctx, body, "primaryContact", false, "", &contact) != 0)
    return -1;
  struct cspd_location l;
  int rc = cspd_db_ops(r->ctx.db)->location_get(r->ctx.db, r->who.tenant_id, r->arena, &l);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, CSPD_E_LOCATION_NOT_FOUND, 0);
  if (cspd_check_if_match(r, l.version) != 0)
    return -1;
  const char *country = NULL;
  if (addr != NULL) {
    if (cspd_json_str(&r->ctx, addr, "country", false, "address", &country) != 0)
      return -1;
    if (country != NULL && strcasecmp(country, l.country) != 0)
      return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT,
                       "address.country cannot change (a new country is a new location)");
    if (take(r, addr, "addressLine1", "address", &l.address.line1) != 0 ||
        take(r, addr, "addressLine2", "address", &l.address.line2) != 0 ||
        take(r, addr, "city", "address", &l.address.city) != 0 ||
        take(r, addr, "state", "address", &l.address.state) != 0 ||
        take(r, addr, "postalCode", "address", &l.address.postal_code) != 0)
      return -1;
  }
  if (contact != NULL &&
      (take(r, contact, "firstName", "primaryContact", &l.contact.first_name) != 0 ||
       take(r, contact, "lastName", "primaryContact", &l.contact.last_name) != 0 ||
       take(r, contact, "email", "primaryContact", &l.contact.email) != 0 ||
       take(r, contact, "phoneNumber", "primaryContact", &l.contact.phone) != 0))
    return -1;
  rc = cspd_location_update(&r->ctx, &l);
  if (rc != 0)
    return rc;
  return legal_reply(r, &l);
}
