/* h_profiles.c -- GET /v1/profiles/mpn and /v1/profiles/legalbusiness. */
#include "../core/identity.h"
#include "render.h"

static json_t *mpn_profile(const char *name, const char *mpn_id) {
  return json_pack("{s:s, s:s, s:s, s:{s:o}, s:{s:s}}", "partnerName", name, "mpnId", mpn_id,
                   "profileType", "mpn_profile", "links", "self",
                   cspd_link("/v1/profiles/mpn", "GET"), "attributes", "objectType",
                   "MpnProfile");
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

int h_profiles_legalbusiness_get(struct cspd_req *r) {
  if (cspd_require_partner(r) != 0)
    return -1;
  struct cspd_location l;
  int rc = cspd_db_ops(r->ctx.db)->location_get(r->ctx.db, r->who.tenant_id, r->arena, &l);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, CSPD_E_LOCATION_NOT_FOUND, 0);
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
