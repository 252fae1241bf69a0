/* h_customer_invitations.c -- inviting customers (R-CUS-2, R-CUS-3):
 * GET /v1/customers/relationshiprequests[?indirectResellerId=|?indirectProviderId=]
 * and the customer admin's acceptance,
 * POST /v1/customers/relationshiprequests/accept {"code"}. */
#include <string.h>

#include "../core/customers.h"
#include "../core/json.h"
#include "render.h"

/** mailto: link with the draft (subject and body percent-encoded). */
static const char *mailto(struct cspd_req *r, const char *subject, const char *body) {
  const char *parts[2] = {subject, body};
  char *enc[2];
  for (int k = 0; k < 2; k++) {
    size_t n = strlen(parts[k]);
    char *o = cspd_arena_alloc(r->arena, 3 * n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
      unsigned char ch = (unsigned char)parts[k][i];
      if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
          ch == '-' || ch == '.' || ch == '_' || ch == '~') {
        o[j++] = (char)ch;
      } else {
        snprintf(o + j, 4, "%%%02X", ch);
        j += 3;
      }
    }
    o[j] = '\0';
    enc[k] = o;
  }
  return cspd_arena_printf(r->arena, "mailto:?subject=%s&body=%s", enc[0], enc[1]);
}

/* The Partner Center RelationshipRequest {"url"} plus cspd's draft e-mail to
 * copy or open in a mail client. A provider names the reseller
 * (indirectResellerId); a reseller names one of its providers
 * (indirectProviderId); neither: a direct-bill partner's own invitation. */
int h_relationshiprequests_get(struct cspd_req *r) {
  struct cspd_cinvite inv;
  int rc = cspd_customer_invitation(&r->ctx, cspd_query(r, "indirectResellerId"),
                                    cspd_query(r, "indirectProviderId"), &inv);
  if (rc != 0)
    return rc;
  json_t *doc = json_pack("{s:s, s:s, s:{s:s, s:s, s:s}, s:s, s:{s:s}}", "url", inv.url, "code",
                          inv.code, "draftEmail", "subject", inv.subject, "body", inv.body,
                          "mailto", mailto(r, inv.subject, inv.body), "type",
                          inv.reseller_tenant_id ? "indirect_reseller" : "direct", "attributes",
                          "objectType", "RelationshipRequest");
  if (inv.reseller_tenant_id) {
    json_object_set_new(doc, "indirectResellerId", json_string(inv.reseller_tenant_id));
    json_object_set_new(doc, "indirectProviderId", json_string(inv.partner_tenant_id));
  }
  return cspd_reply_json(r, 200, doc);
}

/* POST /v1/customers/relationshiprequests/accept {"code"} -- by a customer admin. */
int h_relationshiprequests_accept(struct cspd_req *r) {
  json_t *body;
  const char *code;
  if (cspd_body_object(r, &body) != 0 || cspd_json_str(&r->ctx, body, "code", true, "", &code) != 0)
    return -1;
  struct cspd_cinvite inv;
  int rc = cspd_customer_invitation_accept(&r->ctx, code, &inv);
  if (rc != 0)
    return rc;
  json_t *doc =
      json_pack("{s:s, s:s, s:s, s:{s:s}}", "customerId", r->who.tenant_id, "status", "accepted",
                "type", inv.reseller_tenant_id ? "indirect_reseller" : "direct", "attributes",
                "objectType", "RelationshipRequestAcceptance");
  if (inv.reseller_tenant_id) {
    json_object_set_new(doc, "indirectResellerId", json_string(inv.reseller_tenant_id));
    json_object_set_new(doc, "indirectProviderId", json_string(inv.partner_tenant_id));
  } else {
    json_object_set_new(doc, "partnerId", json_string(inv.partner_tenant_id));
  }
  return cspd_reply_json(r, 200, doc);
}
