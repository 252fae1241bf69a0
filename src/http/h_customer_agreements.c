/* h_customer_agreements.c -- the customer agreement (R-MCA-1, R-MCA-2):
 * GET /v1/agreements?agreementType=, POST and GET /v1/customers/{id}/agreements,
 * GET /v1/customers/{id}/directSignedMicrosoftCustomerAgreementStatus. */
#include <string.h>
#include <strings.h>

#include "../core/customers.h"
#include "../core/json.h"
#include "../core/util.h"
#include "render.h"

/* GET /v1/agreements?agreementType=MicrosoftCustomerAgreement|MicrosoftCloudAgreement|All
 * -- MicrosoftCloudAgreement when omitted, as Partner Center. */
int h_agreements_get(struct cspd_req *r) {
  const char *type = cspd_query(r, "agreementType");
  if (type == NULL)
    type = "MicrosoftCloudAgreement";
  int n;
  const struct cspd_agreement_meta *m = cspd_agreement_metadata(&n);
  json_t *items = json_array();
  bool known = strcasecmp(type, "All") == 0;
  for (int i = 0; i < n; i++) {
    if (!known && strcasecmp(type, m[i].type) != 0)
      continue;
    json_array_append_new(
        items, json_pack("{s:s, s:s, s:s, s:i, s:{s:s}}", "templateId", m[i].template_id,
                         "agreementType", m[i].type, "agreementLink", m[i].link, "versionRank",
                         m[i].version_rank, "attributes", "objectType", "AgreementMetaData"));
  }
  if (json_array_size(items) == 0) {
    json_decref(items);
    return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT,
                     "agreementType must be MicrosoftCustomerAgreement, MicrosoftCloudAgreement "
                     "or All");
  }
  return cspd_reply_list(r, items);
}

static json_t *render(struct cspd_req *r, const struct cspd_cagreement *g) {
  return json_pack("{s:{s:s?, s:s?, s:s?, s:s?}, s:s, s:s, s:s, s:s?, s:s, s:s?, s:{s:s}}",
                   "primaryContact", "firstName", g->contact.first_name, "lastName",
                   g->contact.last_name, "email", g->contact.email, "phoneNumber", g->contact.phone,
                   "templateId", g->template_id, "dateAgreed", cspd_iso(r, g->date_agreed_ms),
                   "type", g->type, "userId", g->user_id, "acceptedBy",
                   g->partner_tenant_id ? "partner_attestation" : "customer", "partnerTenantId",
                   g->partner_tenant_id, "attributes", "objectType", "Agreement");
}

/* POST /v1/customers/{id}/agreements -- a partner's attestation, or the
 * customer admin's own acceptance. */
int h_customer_agreements_post(struct cspd_req *r) {
  json_t *body, *contact;
  struct cspd_cagreement g = {0};
  const char *date;
  if (cspd_body_object(r, &body) != 0 ||
      cspd_json_obj(&r->ctx, body, "primaryContact", true, "", &contact) != 0 ||
      cspd_json_str(&r->ctx, body, "templateId", true, "", &g.template_id) != 0 ||
      cspd_json_str(&r->ctx, body, "dateAgreed", true, "", &date) != 0 ||
      cspd_json_str(&r->ctx, body, "type", true, "", &g.type) != 0 ||
      cspd_json_str(&r->ctx, body, "userId", false, "", &g.user_id) != 0 ||
      cspd_json_str(&r->ctx, contact, "firstName", true, "primaryContact", &g.contact.first_name) !=
          0 ||
      cspd_json_str(&r->ctx, contact, "lastName", true, "primaryContact", &g.contact.last_name) !=
          0 ||
      cspd_json_str(&r->ctx, contact, "email", true, "primaryContact", &g.contact.email) != 0 ||
      cspd_json_str(&r->ctx, contact, "phoneNumber", false, "primaryContact", &g.contact.phone) !=
          0)
    return -1;
  if (cspd_time_parse(date, &g.date_agreed_ms) != 0)
    return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT, "dateAgreed must be an RFC 3339 time");
  int rc = cspd_cagreement_create(&r->ctx, r->params[0], &g);
  return rc != 0 ? rc : cspd_reply_json(r, 201, render(r, &g));
}

/* GET /v1/customers/{id}/agreements[?agreementType=] -- the customer's own
 * acceptances, and the attestations the caller made (all for the operator and
 * the customer). */
int h_customer_agreements_get(struct cspd_req *r) {
  struct cspd_customer cu;
  int rc = cspd_customer_read(&r->ctx, r->params[0], &cu, NULL);
  if (rc != 0)
    return rc;
  const char *type = cspd_query(r, "agreementType");
  struct cspd_cagreement *ag;
  int n;
  if ((rc = cspd_db_ops(r->ctx.db)->cagreement_list(r->ctx.db, cu.tenant_id, r->arena, &ag, &n)) !=
      0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  json_t *items = json_array();
  for (int i = 0; i < n; i++) {
    if (type != NULL && strcasecmp(type, "All") != 0 && strcasecmp(type, ag[i].type) != 0)
      continue;
    if (r->who.kind == CSPD_TENANT_PARTNER && ag[i].partner_tenant_id != NULL &&
        strcmp(ag[i].partner_tenant_id, r->who.tenant_id) != 0)
      continue; /* another partner's attestation */
    json_array_append_new(items, render(r, &ag[i]));
  }
  return cspd_reply_list(r, items);
}

/* GET /v1/customers/{id}/directSignedMicrosoftCustomerAgreementStatus */
int h_customer_direct_mca_status(struct cspd_req *r) {
  struct cspd_customer cu;
  int rc = cspd_customer_read(&r->ctx, r->params[0], &cu, NULL);
  if (rc != 0)
    return rc;
  bool accepted, direct;
  const char *partner = r->who.kind == CSPD_TENANT_PARTNER ? r->who.tenant_id : NULL;
  if ((rc = cspd_mca_status(&r->ctx, cu.tenant_id, partner, &accepted, &direct)) != 0)
    return rc;
  return cspd_reply_json(r, 200,
                         json_pack("{s:b, s:b, s:{s:s}}", "isSigned", direct, "acceptedForCaller",
                                   accepted, "attributes", "objectType",
                                   "DirectSignedCustomerAgreementStatus"));
}
