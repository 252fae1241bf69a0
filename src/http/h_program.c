/* h_program.c -- program info, the MPA and agreement status:
 * GET /v1/profiles/programinfo, GET /v1/compliance/csp/agreementstatus,
 * POST and GET /v1/agreements/mpa. */
#include <string.h>

#include "../core/identity.h"
#include "../core/json.h"
#include "../core/markets.h"
#include "../core/program.h"
#include "render.h"

static json_t *render_mpa(struct cspd_req *r, const struct cspd_mpa *m) {
  return json_pack("{s:b, s:s, s:s, s:s, s:s, s:{s:s}}", "isAgreementSigned", 1, "signerName",
                   m->signer_name, "signerEmail", m->signer_email, "dateSigned",
                   cspd_iso(r, m->signed_ms), "tenantId", m->tenant_id, "attributes", "objectType",
                   "MicrosoftPartnerAgreement");
}

/* GET /v1/profiles/programinfo -- the seed's Settings > Account settings >
 * Partner profile > Program info: memberships (R-ENR-6), MPA, enrollment. */
int h_profiles_programinfo_get(struct cspd_req *r) {
  if (cspd_require_partner(r) != 0)
    return -1;
  const struct cspd_store_ops *ops = cspd_db_ops(r->ctx.db);
  const char *tid = r->who.tenant_id;
  struct cspd_location l;
  struct cspd_org o;
  int rc = ops->location_get(r->ctx.db, tid, r->arena, &l);
  if (rc == 0)
    rc = ops->org_get(r->ctx.db, l.org_id, r->arena, &o);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, CSPD_E_LOCATION_NOT_FOUND, 0);
  struct cspd_membership *ms;
  int n;
  rc = ops->membership_list(r->ctx.db, tid, r->arena, &ms, &n);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  json_t *programs = json_array();
  for (int i = 0; i < n; i++)
    json_array_append_new(
        programs, json_pack("{s:s, s:s, s:s}", "program", cspd_program_name(ms[i].program), "state",
                            cspd_mstate_name(ms[i].state), "since", cspd_iso(r, ms[i].since_ms)));
  struct cspd_membership_change *hist;
  int nh;
  rc = ops->membership_history(r->ctx.db, tid, r->arena, &hist, &nh);
  if (rc != 0) {
    json_decref(programs);
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  }
  json_t *history = json_array();
  for (int i = 0; i < nh; i++) {
    json_t *h = json_pack("{s:s, s:s, s:s}", "program", cspd_program_name(hist[i].program), "to",
                          cspd_mstate_name(hist[i].to), "date", cspd_iso(r, hist[i].at_ms));
    if (hist[i].from != CSPD_MS_NONE)
      json_object_set_new(h, "from", json_string(cspd_mstate_name(hist[i].from)));
    if (hist[i].reason)
      json_object_set_new(h, "reason", json_string(hist[i].reason));
    json_array_append_new(history, h);
  }
  struct cspd_mpa m;
  json_t *mpa;
  rc = ops->mpa_get(r->ctx.db, tid, r->arena, &m);
  if (rc == 0)
    mpa = render_mpa(r, &m);
  else if (rc == CSPD_STORE_NOTFOUND)
    mpa = json_pack("{s:b}", "isAgreementSigned", 0);
  else {
    json_decref(programs);
    json_decref(history);
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  }
  const struct cspd_market_country *mc = cspd_market_of(l.country);
  json_t *doc =
      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:{s:s}}", "tenantId", tid,
                "companyName", l.company_name, "mpnId", l.mpn_id, "globalMpnId", o.mpn_id,
                "country", l.country, "market", mc ? mc->market : "", "programs", programs, "mpa",
                mpa, "history", history, "attributes", "objectType", "ProgramInfo");
  struct cspd_enrollment e;
  rc = ops->enrollment_get_by_tenant(r->ctx.db, tid, CSPD_PROG_INDIRECT_RESELLER, r->arena, &e);
  if (rc == 0)
    json_object_set_new(doc, "indirectResellerEnrollment",
                        json_pack("{s:s, s:s, s:s, s:b}", "id", e.id, "status",
                                  cspd_mstate_name(e.state), "submittedDate",
                                  cspd_iso(r, e.submitted_ms), "agreementAccepted",
                                  e.agreement_accepted_ms != 0));
  else if (rc != CSPD_STORE_NOTFOUND) {
    json_decref(doc);
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  }
  return cspd_reply_json(r, 200, doc);
}

/* GET /v1/compliance/csp/agreementstatus?mpnId=|tenantId= -- exactly one. */
int h_agreementstatus_get(struct cspd_req *r) {
  bool is_signed = false;
  int rc =
      cspd_agreement_status(&r->ctx, cspd_query(r, "mpnId"), cspd_query(r, "tenantId"), &is_signed);
  if (rc != 0)
    return rc;
  return cspd_reply_json(r, 200, json_pack("{s:b}", "isAgreementSigned", is_signed));
}

/* POST /v1/agreements/mpa {"signerName","signerEmail"} -- a global admin signs. */
int h_agreements_mpa_post(struct cspd_req *r) {
  json_t *body;
  const char *name, *email;
  if (cspd_body_object(r, &body) != 0 ||
      cspd_json_str(&r->ctx, body, "signerName", true, "", &name) != 0 ||
      cspd_json_str(&r->ctx, body, "signerEmail", true, "", &email) != 0)
    return -1;
  struct cspd_mpa m;
  int rc = cspd_mpa_sign(&r->ctx, name, email, &m);
  if (rc != 0)
    return rc;
  return cspd_reply_json(r, 201, render_mpa(r, &m));
}

int h_agreements_mpa_get(struct cspd_req *r) {
  if (cspd_require_partner(r) != 0)
    return -1;
  struct cspd_mpa m;
  int rc = cspd_db_ops(r->ctx.db)->mpa_get(r->ctx.db, r->who.tenant_id, r->arena, &m);
  if (rc == CSPD_STORE_NOTFOUND)
    return cspd_reply_json(r, 200,
                           json_pack("{s:b, s:s, s:{s:s}}", "isAgreementSigned", 0, "tenantId",
                                     r->who.tenant_id, "attributes", "objectType",
                                     "MicrosoftPartnerAgreement"));
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  return cspd_reply_json(r, 200, render_mpa(r, &m));
}
