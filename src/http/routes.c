/* routes.c -- THE route table, route matching and the OpenAPI document
 * generated from the same table. */
#include <string.h>
#include <strings.h>

#include "../core/errors.h"
#include "cspd_config.h"
#include "http.h"

#define OP CSPD_ROLE_OPERATOR
#define GA CSPD_ROLE_GLOBAL_ADMIN
#define AA CSPD_ROLE_ADMIN_AGENT
#define PA CSPD_ROLES_PARTNER
#define SA CSPD_ROLE_SALES_AGENT
#define BA CSPD_ROLE_BILLING_ADMIN
#define CA CSPD_ROLE_CUSTOMER_ADMIN
#define R ROUTE_TX_READ
#define W ROUTE_TX_WRITE

struct cspd_route cspd_routes[] = {
    /* tokens, shaped like Azure AD */
    {"POST", "/{tenant}/oauth2/token", h_token, ROUTE_PUBLIC | ROUTE_FORM, 0, "auth",
     "Get an access token (client_credentials or password grant)", "Token"},
    {"POST", "/{tenant}/oauth2/v2.0/token", h_token, ROUTE_PUBLIC | ROUTE_FORM, 0, "auth",
     "Get an access token (v2.0 endpoint)", "Token"},
    /* Partner Center compatible */
    {"GET", "/v1/profiles/mpn", h_profiles_mpn_get, R, 0, "profiles",
     "The caller's MPN profile, or any partner's with ?mpnId=", "MpnProfile"},
    {"GET", "/v1/profiles/legalbusiness", h_profiles_legalbusiness_get, R, CSPD_ROLES_PARTNER,
     "profiles", "The caller's legal business profile", "LegalBusinessProfile"},
    {"PUT", "/v1/profiles/legalbusiness", h_profiles_legalbusiness_put, W, GA, "profiles",
     "Update the caller's legal business profile (If-Match; global_admin)", "LegalBusinessProfile"},
    {"GET", "/v1/relationships", h_relationships_get, R, CSPD_ROLES_PARTNER, "relationships",
     "The caller's provider/reseller relationships (?relationship_type=)", "Collection"},
    {"GET", "/v1/compliance/csp/agreementstatus", h_agreementstatus_get, R, 0, "agreements",
     "Whether a partner signed the MPA (exactly one of ?mpnId= or ?tenantId=)", "AgreementStatus"},
    {"GET", "/v1/auditrecords", h_auditrecords_get, R, 0, "audit",
     "Audit records (?startDate=&endDate=; partners: their tenant; operator: all)", "Collection"},
    {"GET", "/webhooks/v1/registration", h_webhook_get, R, PA, "webhooks",
     "The tenant's webhook registration", "WebhookRegistration"},
    {"POST", "/webhooks/v1/registration", h_webhook_post, W, GA | AA, "webhooks",
     "Register a webhook (its WebhookSecret is shown once)", "WebhookRegistration"},
    {"PUT", "/webhooks/v1/registration", h_webhook_put, W, GA | AA, "webhooks",
     "Update the webhook registration", "WebhookRegistration"},
    {"DELETE", "/webhooks/v1/registration", h_webhook_delete, W, GA | AA, "webhooks",
     "Delete the webhook registration", NULL},
    {"GET", "/webhooks/v1/registration/events", h_webhook_events_get, 0, 0, "webhooks",
     "Event names a registration can subscribe to (bare array)", NULL},
    {"POST", "/webhooks/v1/registration/validationEvents", h_webhook_validation_post, W, PA,
     "webhooks", "Raise a test-created event", "ValidationEvent"},
    {"GET", "/webhooks/v1/registration/deliveries", h_webhook_deliveries_get, R, PA, "webhooks",
     "The tenant's webhook deliveries with their status (cspd)", "Collection"},
    /* customers (literal paths before /v1/customers/{customerId}) */
    {"GET", "/v1/customers/relationshiprequests", h_relationshiprequests_get, R, PA, "customers",
     "An invitation link and draft e-mail for a customer (?indirectResellerId= or "
     "?indirectProviderId= for an indirect reseller invitation)",
     "RelationshipRequest"},
    {"POST", "/v1/customers/relationshiprequests/accept", h_relationshiprequests_accept, W, 0,
     "customers", "A customer admin accepts an invitation (its code)",
     "RelationshipRequestAcceptance"},
    {"POST", "/v1/customers", h_customers_post, W, GA | AA | SA, "customers",
     "Create a customer tenant (a provider names the reseller: associatedPartnerId)", "Customer",
     h_customers_prepare},
    {"GET", "/v1/customers", h_customers_get, R, PA | OP, "customers",
     "The customers the caller holds (?filter=, ?size=)", "Collection"},
    {"GET", "/v1/customers/{customerId}", h_customer_get, R, 0, "customers", "One customer",
     "Customer"},
    {"PATCH", "/v1/customers/{customerId}", h_customer_patch, W, GA | AA, "customers",
     "relationshipToPartner: none -- remove your reseller relationship", "Customer"},
    {"GET", "/v1/customers/{customerId}/profiles/company", h_customer_company_get, R, 0,
     "customers", "The customer's company profile", "CustomerCompanyProfile"},
    {"GET", "/v1/customers/{customerId}/profiles/billing", h_customer_billing_get, R, 0,
     "customers", "The customer's billing profile", "CustomerBillingProfile"},
    {"PUT", "/v1/customers/{customerId}/profiles/billing", h_customer_billing_put, W,
     GA | AA | BA | CA, "customers", "Replace the billing profile (If-Match)",
     "CustomerBillingProfile"},
    {"GET", "/v1/customers/{customerId}/relationships", h_customer_relationships_get, R, 0,
     "customers", "Every partner holding a reseller relationship with the customer", "Collection"},
    {"POST", "/v1/customers/{customerId}/relationshipextensions", h_relationshipextensions_post, W,
     PA, "customers",
     "Extend the reseller relationship of a direct-bill customer to an indirect provider",
     "Collection"},
    {"GET", "/v1/customers/{customerId}/relationshipextensions", h_relationshipextensions_get, R, 0,
     "customers", "The customer's indirect providers", "Collection"},
    {"POST", "/v1/customers/{customerId}/agreements", h_customer_agreements_post, W, PA | CA,
     "agreements", "Attest (partner) or accept (customer admin) a customer agreement", "Agreement"},
    {"GET", "/v1/customers/{customerId}/agreements", h_customer_agreements_get, R, 0, "agreements",
     "The customer's agreements (?agreementType=)", "Collection"},
    {"GET", "/v1/customers/{customerId}/directSignedMicrosoftCustomerAgreementStatus",
     h_customer_direct_mca_status, R, 0, "agreements",
     "Whether the customer accepted the Microsoft Customer Agreement itself",
     "DirectSignedCustomerAgreementStatus"},
    {"GET", "/v1/agreements", h_agreements_get, 0, 0, "agreements",
     "Agreement metadata (?agreementType=, MicrosoftCloudAgreement when omitted)", "Collection"},
    /* catalog, orders, subscriptions, invoices */
    {"GET", "/v1/offers", h_offers_get, R, 0, "commerce",
     "Offers sold in a country (?country=, default the caller's)", "Collection"},
    {"GET", "/v1/offers/{offerId}", h_offer_get, R, 0, "commerce", "One offer (?country=)",
     "Offer"},
    {"GET", "/v1/offers/{offerId}/addons", h_offer_addons_get, R, 0, "commerce",
     "The add-ons of a base offer (?country=)", "Collection"},
    {"POST", "/v1/customers/{customerId}/orders", h_orders_post, W, GA | AA | SA, "commerce",
     "Place an order: one subscription per line, all or nothing", "Order"},
    {"GET", "/v1/customers/{customerId}/orders", h_orders_get, R, 0, "commerce",
     "The customer's orders placed by the caller", "Collection"},
    {"GET", "/v1/customers/{customerId}/orders/{orderId}", h_order_get, R, 0, "commerce",
     "One order", "Order"},
    {"GET", "/v1/customers/{customerId}/subscriptions", h_subscriptions_get, R, 0, "commerce",
     "The customer's subscriptions (?mpn_id=, ?order_id=)", "Collection"},
    {"GET", "/v1/customers/{customerId}/subscriptions/{subscriptionId}", h_subscription_get, R, 0,
     "commerce", "One subscription", "Subscription"},
    {"PATCH", "/v1/customers/{customerId}/subscriptions/{subscriptionId}", h_subscription_patch, W,
     PA, "commerce",
     "Change quantity, friendly name, status, auto-renew or partner of record (If-Match)",
     "Subscription"},
    {"GET", "/v1/customers/{customerId}/subscriptions/{subscriptionId}/addons",
     h_subscription_addons_get, R, 0, "commerce", "The add-ons of a subscription", "Collection"},
    {"POST", "/v1/customers/{customerId}/subscriptions/{subscriptionId}/usagerecords", h_usage_post,
     W, OP, "commerce", "Record usage of a usage-billed subscription (operator)", "UsageRecord"},
    {"GET", "/v1/customers/{customerId}/transferseligibility", h_transfers_eligibility, R, PA,
     "transfers",
     "Which subscriptions can be transferred, with a reason for the others "
     "(?transferType=directtoindirect; bare array)",
     NULL},
    {"POST", "/v1/customers/{customerId}/transfers", h_transfers_post, W, PA, "transfers",
     "Create a transfer request to an indirect provider", "TransferEntity"},
    {"GET", "/v1/customers/{customerId}/transfers", h_transfers_get, R, PA | OP, "transfers",
     "The customer's transfers the caller is a side of (bare array)", NULL},
    {"GET", "/v1/customers/{customerId}/transfers/{transferId}", h_transfer_get, R, PA | OP,
     "transfers", "One transfer", "TransferEntity"},
    {"POST", "/v1/customers/{customerId}/transfers/{transferId}/accept", h_transfer_accept, W, PA,
     "transfers", "The provider accepts: the transfer completes", "TransferSubmitResult"},
    {"PATCH", "/v1/customers/{customerId}/transfers/{transferId}", h_transfer_patch, W, PA,
     "transfers", "The provider rejects ({\"status\":\"reject\"})", "TransferEntity"},
    {"DELETE", "/v1/customers/{customerId}/transfers/{transferId}", h_transfer_delete, W, PA,
     "transfers", "The source partner withdraws an active request", NULL},
    {"GET", "/v1/invoices", h_invoices_get, R, PA | OP, "commerce",
     "The caller's invoices (operator: all, ?tenantId=)", "Collection"},
    {"GET", "/v1/invoices/{invoiceId}", h_invoice_get, R, PA | OP, "commerce", "One invoice",
     "Invoice"},
    {"GET", "/v1/invoices/{invoiceId}/lineitems", h_invoice_lines_get, R, PA | OP, "commerce",
     "An invoice's line items", "Collection"},
    {"PUT", "/v1/operator/catalog", h_operator_catalog_put, W, OP, "operator",
     "Replace the catalog (docs/catalog.md)", "CatalogImport"},
    {"POST", "/v1/operator/billing/run", h_operator_billing_run, W, OP, "operator",
     "Invoice a month now ({\"period\":\"YYYY-MM\"})", "BillingRun"},
    /* cspd's own resources: the partner program */
    {"GET", "/v1/profiles/programinfo", h_profiles_programinfo_get, R, PA, "program",
     "Program info: memberships, MPA, indirect reseller enrollment", "ProgramInfo"},
    {"POST", "/v1/agreements/mpa", h_agreements_mpa_post, W, PA, "program",
     "Sign the Microsoft Partner Agreement (global_admin)", "MicrosoftPartnerAgreement"},
    {"GET", "/v1/agreements/mpa", h_agreements_mpa_get, R, PA, "program",
     "The tenant's MPA signature", "MicrosoftPartnerAgreement"},
    {"GET", "/v1/enrollments/form", h_enrollments_form_get, R, PA, "program",
     "The enrollment form to review (?program=indirect_reseller; global_admin)", "EnrollmentForm"},
    {"POST", "/v1/enrollments", h_enrollments_post, W, PA, "program",
     "Enroll the direct-bill tenant as indirect reseller (global_admin)", "Enrollment"},
    {"GET", "/v1/enrollments", h_enrollments_get, R, PA | OP, "program",
     "Enrollments (partner: its own; operator: all, ?status=)", "Collection"},
    {"GET", "/v1/enrollments/{enrollmentId}", h_enrollment_get, R, PA | OP, "program",
     "One enrollment", "Enrollment"},
    {"POST", "/v1/enrollments/{enrollmentId}/approve", h_enrollment_approve, W, OP, "program",
     "Approve a pending enrollment (operator)", "Enrollment"},
    {"POST", "/v1/enrollments/{enrollmentId}/reject", h_enrollment_reject, W, OP, "program",
     "Reject a pending enrollment (operator)", "Enrollment"},
    {"POST", "/v1/enrollments/{enrollmentId}/agreement/accept", h_enrollment_accept_agreement, W,
     PA, "program", "Accept the indirect reseller agreement: \"Accept and continue\"",
     "Enrollment"},
    {"DELETE", "/v1/enrollments/{enrollmentId}", h_enrollment_undo, W, 0, "program",
     "Undo the transition: always refused (R-ENR-7)", NULL},
    {"PATCH", "/v1/enrollments/{enrollmentId}", h_enrollment_undo, W, 0, "program",
     "Change an enrollment: always refused (R-ENR-7)", NULL},
    {"GET", "/v1/providers", h_providers_get, R, PA | OP, "partnerships",
     "Indirect providers of the caller's market (R-PRT-1)", "Collection"},
    {"POST", "/v1/partnerships/invitations", h_invitations_post, W, GA | AA, "partnerships",
     "A provider invites an indirect reseller (by resellerMpnId or email)",
     "PartnershipInvitation"},
    {"GET", "/v1/partnerships/invitations", h_invitations_get, R, PA, "partnerships",
     "Partnership invitations sent and received", "Collection"},
    {"GET", "/v1/partnerships/invitations/{invitationId}", h_invitation_get, R, PA | OP,
     "partnerships", "One partnership invitation", "PartnershipInvitation"},
    {"POST", "/v1/partnerships/invitations/{invitationId}/accept", h_invitation_accept, W, PA,
     "partnerships", "The reseller's global admin accepts an invitation", "PartnershipInvitation"},
    {"DELETE", "/v1/partnerships/{providerTenantId}/{resellerTenantId}", h_partnership_delete, W, 0,
     "partnerships", "End a provider-reseller relationship (operator only, R-PRT-4)", NULL},
    {"GET", "/v1/operator/partnerships", h_operator_partnerships_get, R, OP, "program",
     "All provider-reseller relationships[?state=active|terminated] (operator)", "Collection"},
    {"GET", "/v1/notifications", h_notifications_get, R, 0, "notifications",
     "E-mails sent to the caller's tenant (operator: all)", "Collection"},
    /* operator controls */
    {"GET", "/v1/operator/programsettings", h_operator_settings_get, R, OP, "operator",
     "Program settings: anniversary months, approval policy, incentives, threshold",
     "ProgramSettings"},
    {"PUT", "/v1/operator/programsettings", h_operator_settings_put, W, OP, "operator",
     "Change program settings", "ProgramSettings"},
    {"PUT", "/v1/operator/memberships", h_operator_memberships_put, W, OP, "operator",
     "Set a tenant's program membership (onboarding)", "ProgramMembership"},
    {"POST", "/v1/operator/revenue", h_operator_revenue_post, W, OP, "operator",
     "Record CSP revenue of a partner organization", "RevenueEntry"},
    {"GET", "/v1/operator/revenue", h_operator_revenue_get, R, OP, "operator",
     "Revenue entries of a partner organization (?partnerId=)", "Collection"},
    {"POST", "/v1/operator/directbill/evaluate", h_operator_directbill_evaluate, W, OP, "operator",
     "Evaluate the direct-bill revenue requirement now (R-DB-1)", "DirectBillEvaluation"},
    {"GET", "/v1/operator/directbill/report", h_operator_directbill_report, R, OP, "operator",
     "Trailing 12-month revenue per global account against the threshold", "DirectBillEvaluation"},
    {"GET", "/v1/operator/fxrates", h_operator_fxrates_get, R, OP, "operator",
     "Exchange rates to USD", "Collection"},
    {"PUT", "/v1/operator/fxrates", h_operator_fxrates_put, W, OP, "operator",
     "Set exchange rates to USD (decimal strings)", "Collection"},
    /* cspd's own resources: identities */
    {"GET", "/v1/markets", h_markets_get, 0, 0, "markets",
     "CSP regional markets with their countries and currencies", "Collection"},
    {"POST", "/v1/partners", h_partners_post, W, OP, "partners",
     "Create a partner organization (operator)", "PartnerOrganization"},
    {"GET", "/v1/partners", h_partners_get, R, OP, "partners",
     "List partner organizations (operator)", "Collection"},
    {"GET", "/v1/partners/{partnerId}", h_partner_get, R, OP, "partners",
     "One partner organization (operator)", "PartnerOrganization"},
    {"PATCH", "/v1/partners/{partnerId}", h_partner_patch, W, OP, "partners",
     "Rename a partner organization (If-Match; operator)", "PartnerOrganization"},
    {"POST", "/v1/partners/{partnerId}/locations", h_partner_locations_post, W, OP, "partners",
     "Create a partner location (a CSP tenant) (operator)", "PartnerLocation"},
    {"GET", "/v1/partners/{partnerId}/locations", h_partner_locations_get, R, OP, "partners",
     "List an organization's locations (operator)", "Collection"},
    {"GET", "/v1/locations/{tenantId}", h_location_get, R, 0, "partners",
     "One partner location (operator, or a user of that tenant)", "PartnerLocation"},
    {"POST", "/v1/tenants/{tenantId}/users", h_tenant_users_post, W, OP | GA, "identities",
     "Create a user (operator, or global_admin of the tenant)", "User", h_tenant_users_prepare},
    {"GET", "/v1/tenants/{tenantId}/users", h_tenant_users_get, R, OP | GA, "identities",
     "List a tenant's users (operator, or global_admin of the tenant)", "Collection"},
    {"POST", "/v1/tenants/{tenantId}/apps", h_tenant_apps_post, W, OP | GA, "identities",
     "Register an app; its secret is shown once (operator, or global_admin)", "Application",
     h_tenant_apps_prepare},
    /* the dashboard's sign-in (cookie session; web/ is served at /) */
    {"POST", "/_cspd/session", h_session_post, ROUTE_PUBLIC, 0, "dashboard",
     "Sign in with e-mail and password: sets the HttpOnly session cookie, answers the session "
     "with its csrfToken",
     "Session"},
    {"GET", "/_cspd/session", h_session_get, 0, 0, "dashboard",
     "The signed-in session (cookie), with its csrfToken", "Session"},
    {"DELETE", "/_cspd/session", h_session_delete, 0, 0, "dashboard",
     "Sign out: removes the session cookie (X-CSRF-Token required)", NULL},
    /* operations */
    {"GET", "/_cspd/health", h_cspd_health, ROUTE_PUBLIC, 0, "operations",
     "Liveness and store check", "Health"},
    {"GET", "/_cspd/info", h_cspd_info, ROUTE_PUBLIC, 0, "operations",
     "Version, store kind, schema version, sandbox flag", "Info"},
    {"GET", "/_cspd/metrics", h_cspd_metrics, ROUTE_RAW, OP, "operations",
     "Prometheus metrics (operator)", NULL},
    {"GET", "/_cspd/openapi.json", h_cspd_openapi, ROUTE_PUBLIC, 0, "operations",
     "This OpenAPI document", NULL},
    {"GET", "/_cspd/errors", h_cspd_errors, ROUTE_PUBLIC, 0, "operations",
     "The error registry (code, HTTP status, rule, description, remedy)", "Collection"},
    /* sandbox controls */
    {"GET", "/_cspd/clock", h_cspd_clock_get, ROUTE_SANDBOX, 0, "sandbox", "Read the cspd clock",
     "Clock"},
    {"PUT", "/_cspd/clock", h_cspd_clock_put, ROUTE_SANDBOX | W, OP, "sandbox",
     "Set the cspd clock (operator)", "Clock"},
    {"POST", "/_cspd/clock/advance", h_cspd_clock_advance, ROUTE_SANDBOX | W, OP, "sandbox",
     "Advance the cspd clock (operator)", "Clock"},
    {"GET", "/_cspd/journal", h_cspd_journal, ROUTE_SANDBOX, OP, "sandbox",
     "The last requests served, newest first (?size=, operator)", "Collection"},
    {"POST", "/_cspd/reset", h_cspd_reset, ROUTE_SANDBOX | W, OP, "sandbox",
     "Reset everything, or one partner organization (operator)", "ResetResult",
     h_cspd_reset_prepare},
    {"POST", "/_cspd/seed", h_cspd_seed, ROUTE_SANDBOX | W, OP, "sandbox",
     "Apply a fixtures document (operator)", "SeedResult", h_cspd_seed_prepare},
};
const int cspd_nroutes = sizeof cspd_routes / sizeof cspd_routes[0];

static int split(const char *path, const char **seg, int max, char *buf, size_t buflen) {
  snprintf(buf, buflen, "%s", path);
  int n = 0;
  char *save = NULL;
  for (char *t = strtok_r(buf, "/", &save); t != NULL; t = strtok_r(NULL, "/", &save)) {
    if (n == max)
      return -1;
    seg[n++] = t;
  }
  return n;
}

void cspd_routes_init(void) {
  static char storage[32768];
  size_t used = 0;
  for (int i = 0; i < cspd_nroutes; i++) {
    struct cspd_route *rt = &cspd_routes[i];
    size_t len = strlen(rt->pattern) + 1;
    rt->nseg = split(rt->pattern, rt->seg, 10, storage + used, sizeof storage - used);
    used += len;
  }
}

static bool match(const struct cspd_route *rt, const char **seg, int nseg, struct cspd_arena *a,
                  const char **params, int *nparams) {
  if (rt->nseg != nseg)
    return false;
  int np = 0;
  for (int i = 0; i < nseg; i++) {
    if (rt->seg[i][0] == '{') {
      if (params != NULL && np < 8)
        params[np] = cspd_arena_strdup(a, seg[i]);
      np++;
    } else if (strcasecmp(rt->seg[i], seg[i]) != 0) {
      return false;
    }
  }
  if (nparams != NULL)
    *nparams = np;
  return true;
}

const struct cspd_route *cspd_route_find(const char *method, const char *path, bool sandbox,
                                         struct cspd_arena *a, const char **params, int *nparams,
                                         char *allow, size_t allowlen) {
  char buf[2048];
  const char *seg[10];
  allow[0] = '\0';
  if (strlen(path) >= sizeof buf)
    return NULL;
  int nseg = split(path, seg, 10, buf, sizeof buf);
  if (nseg < 0)
    return NULL;
  size_t alen = 0;
  for (int i = 0; i < cspd_nroutes; i++) {
    const struct cspd_route *rt = &cspd_routes[i];
    if ((rt->flags & ROUTE_SANDBOX) && !sandbox)
      continue;
    if (!match(rt, seg, nseg, NULL, NULL, NULL))
      continue;
    if (strcmp(rt->method, method) == 0) {
      match(rt, seg, nseg, a, params, nparams);
      return rt;
    }
    int w = snprintf(allow + alen, allowlen - alen, "%s%s", alen ? ", " : "", rt->method);
    if (w > 0 && (size_t)w < allowlen - alen)
      alen += (size_t)w;
  }
  return NULL;
}

/* ---- OpenAPI ------------------------------------------------------------------ */

static json_t *error_schema(void) {
  return json_pack("{s:s, s:{s:{s:s}, s:{s:s}, s:{s:s, s:{s:s}}, s:{s:s}, s:{s:s}, s:{s:s}}}",
                   "type", "object", "properties", "code", "type", "integer", "description", "type",
                   "string", "data", "type", "array", "items", "type", "string", "source", "type",
                   "string", "rule", "type", "string", "remedy", "type", "string");
}

json_t *cspd_openapi(bool sandbox) {
  json_t *paths = json_object();
  for (int i = 0; i < cspd_nroutes; i++) {
    const struct cspd_route *rt = &cspd_routes[i];
    if ((rt->flags & ROUTE_SANDBOX) && !sandbox)
      continue;
    json_t *item = json_object_get(paths, rt->pattern);
    if (item == NULL) {
      item = json_object();
      json_object_set_new(paths, rt->pattern, item);
    }
    json_t *params = json_array();
    for (int s = 0; s < rt->nseg; s++) {
      if (rt->seg[s][0] != '{')
        continue;
      char name[64];
      snprintf(name, sizeof name, "%.*s", (int)strlen(rt->seg[s]) - 2, rt->seg[s] + 1);
      json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:{s:s}}", "name", name, "in",
                                              "path", "required", 1, "schema", "type", "string"));
    }
    json_t *responses = json_pack("{s:{s:s}, s:{s:s, s:{s:{s:{s:s}}}}}", "200", "description",
                                  rt->object_type ? rt->object_type : "OK", "default",
                                  "description", "Error envelope", "content", "application/json",
                                  "schema", "$ref", "#/components/schemas/Error");
    json_t *op = json_pack("{s:s, s:[s], s:o, s:o, s:s}", "summary", rt->summary, "tags", rt->tag,
                           "parameters", params, "responses", responses, "operationId", "");
    char opid[160];
    snprintf(opid, sizeof opid, "%s %s", rt->method, rt->pattern);
    json_object_set_new(op, "operationId", json_string(opid));
    if (rt->flags & ROUTE_PUBLIC) {
      json_object_set_new(op, "security", json_array());
    } else if (rt->roles != 0) {
      json_t *roles = json_array();
      for (unsigned bit = 1; bit <= CSPD_ROLE_OPERATOR; bit <<= 1)
        if (rt->roles & bit)
          json_array_append_new(roles, json_string(cspd_role_name((enum cspd_role)bit)));
      json_object_set_new(op, "x-cspd-roles", roles);
    }
    if (rt->flags & ROUTE_TX_WRITE)
      json_object_set_new(op, "x-cspd-idempotent-by", json_string("MS-RequestId"));
    if (rt->flags & ROUTE_SANDBOX)
      json_object_set_new(op, "x-cspd-sandbox-only", json_true());
    char method[8];
    size_t k;
    for (k = 0; rt->method[k] && k < sizeof method - 1; k++)
      method[k] = (char)(rt->method[k] | 0x20);
    method[k] = '\0';
    json_object_set_new(item, method, op);
  }
  return json_pack("{s:s, s:{s:s, s:s, s:s}, s:o, s:{s:{s:o}, s:{s:{s:s, s:s, s:s}}}, "
                   "s:[{s:[]}]}",
                   "openapi", "3.0.3", "info", "title", "cspd API", "version", CSPD_VERSION,
                   "description", "Partner Center compatible CSP API plus cspd's own resources.",
                   "paths", paths, "components", "schemas", "Error", error_schema(),
                   "securitySchemes", "bearer", "type", "http", "scheme", "bearer", "bearerFormat",
                   "JWT", "security", "bearer");
}
