/* render.c -- shared JSON renderings (see render.h). */
#include "render.h"

#include "../core/markets.h"

/** A JSON string, or null for NULL. */
static json_t *str_or_null(const char *s) {
  return s ? json_string(s) : json_null();
}

json_t *cspd_render_org(struct cspd_req *r, const struct cspd_org *o) {
  return json_pack("{s:s, s:s, s:s, s:s, s:o}", "id", o->id, "mpnId", o->mpn_id, "companyName",
                   o->name, "createdDate", cspd_iso(r, o->created_ms), "attributes",
                   cspd_attributes("PartnerOrganization", o->version));
}

json_t *cspd_render_address(const struct cspd_location *l) {
  return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "country", l->country, "city",
                   str_or_null(l->address.city), "state", str_or_null(l->address.state),
                   "addressLine1", str_or_null(l->address.line1), "addressLine2",
                   str_or_null(l->address.line2), "postalCode", str_or_null(l->address.postal_code),
                   "firstName", str_or_null(l->contact.first_name), "lastName",
                   str_or_null(l->contact.last_name), "phoneNumber", str_or_null(l->contact.phone));
}

json_t *cspd_render_contact(const struct cspd_contact *k) {
  return json_pack("{s:o, s:o, s:o, s:o}", "firstName", str_or_null(k->first_name), "lastName",
                   str_or_null(k->last_name), "email", str_or_null(k->email), "phoneNumber",
                   str_or_null(k->phone));
}

json_t *cspd_render_location(struct cspd_req *r, const struct cspd_location *l,
                             const char *global_mpn_id) {
  const struct cspd_market_country *mc = cspd_market_of(l->country);
  json_t *doc = json_pack(
      "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:o}", "tenantId", l->tenant_id, "mpnId",
      l->mpn_id, "partnerId", l->org_id, "companyName", l->company_name, "country", l->country,
      "market", mc ? mc->market : "", "currency", mc ? mc->currency : "", "address",
      cspd_render_address(l), "primaryContact", cspd_render_contact(&l->contact), "createdDate",
      cspd_iso(r, l->created_ms), "attributes", cspd_attributes("PartnerLocation", l->version));
  if (global_mpn_id != NULL)
    json_object_set_new(doc, "globalMpnId", json_string(global_mpn_id));
  return doc;
}

json_t *cspd_render_user(struct cspd_req *r, const struct cspd_user *u) {
  json_t *roles = json_array();
  for (unsigned bit = 1; bit <= CSPD_ROLE_OPERATOR; bit <<= 1)
    if (u->roles & bit)
      json_array_append_new(roles, json_string(cspd_role_name((enum cspd_role)bit)));
  return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:{s:s}}", "id", u->id, "tenantId", u->tenant_id,
                   "email", u->email, "displayName", u->display_name, "roles", roles, "createdDate",
                   cspd_iso(r, u->created_ms), "attributes", "objectType", "User");
}

int cspd_require_partner(struct cspd_req *r) {
  if (r->who.kind == CSPD_TENANT_PARTNER)
    return 0;
  return cspd_fail(&r->ctx, CSPD_E_TENANT_FORBIDDEN, "only partner tenants have this resource");
}
