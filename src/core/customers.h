/* customers.h -- customer tenants and who holds them (SPEC §2.5-2.8):
 * creation by direct-bill partners and by providers for their resellers,
 * visibility, billing profiles, indirect reseller and direct invitations,
 * relationship extension, the customer agreement, self-dealing. */
#ifndef CSPD_CUSTOMERS_H
#define CSPD_CUSTOMERS_H

#include <jansson.h>

#include "../store/store.h"
#include "ctx.h"

/** How a partner holds a customer (its active relationships). */
struct cspd_holding {
  bool direct;                 /* direct-bill customer: the partner orders and bills */
  bool reseller;               /* indirect reseller: manages, the provider orders */
  bool provider;               /* indirect provider: orders for its reseller */
  bool delegated_admin;        /* any of them with delegated admin rights */
  const char *reseller_via;    /* for a reseller: its provider */
  const char *provider_via;    /* for a provider: the reseller it serves */
  const char *acquired_direct; /* how the direct relationship came, or NULL */
};

/** Read the active relationships of @a partner with @a customer. */
int cspd_customer_holding(struct cspd_ctx *c, const char *customer_id, const char *partner,
                          struct cspd_holding *out);

/** Load a customer the caller may see: the operator, the customer's own
 * users, or a partner holding an active relationship (R-CUS-1, R-CUS-4).
 * Otherwise CUSTOMER_NOT_FOUND. @param[out] cu, @param[out] h (may be NULL). */
int cspd_customer_read(struct cspd_ctx *c, const char *customer_id, struct cspd_customer *cu,
                       struct cspd_holding *h);

struct cspd_customer_create {
  const char *tenant_id; /* optional */
  const char *domain;
  const char *company_name;
  const char *country;
  const char *billing_json;       /* normalized CustomerBillingProfile */
  const char *associated_partner; /* reseller tenant GUID or PartnerID, or NULL */
  const char *own_use_partner;    /* org GUID or global PartnerID of an own-use tenant, or NULL */
  const char *admin_user_name;    /* admin@<domain> */
  const char *admin_password_hash;
};

/** POST /v1/customers: a direct-bill partner creates its customer; a
 * provider creates one for a reseller (R-CUS-4, R-DB-2, R-REG-1, R-MPA-1,
 * R-MPA-3, R-SELF-1..3). @param[out] out. */
int cspd_customer_create_by_partner(struct cspd_ctx *c, const struct cspd_customer_create *in,
                                    struct cspd_customer *out);

/** Replace the billing profile (If-Match checked by the caller). */
int cspd_customer_billing_update(struct cspd_ctx *c, struct cspd_customer *cu,
                                 const char *billing_json);

/** relationshipToPartner: none -- the caller gives up its relationships. */
int cspd_customer_remove_relationship(struct cspd_ctx *c, const char *customer_id);

/* ---- invitations (R-CUS-2, R-CUS-3, R-DB-2, R-DB-3) ---------------------------- */

struct cspd_cinvite {
  const char *url;
  const char *code;
  const char *subject;
  const char *body;
  const char *reseller_tenant_id; /* indirect: the reseller; NULL for direct */
  const char *partner_tenant_id;  /* indirect: the provider; direct: the partner */
};

/** An invitation link for a customer. Indirect when @a reseller and
 * @a provider are given (one of them is the caller); direct otherwise
 * (the caller is a direct-bill partner). @param[out] out arena strings. */
int cspd_customer_invitation(struct cspd_ctx *c, const char *reseller, const char *provider,
                             struct cspd_cinvite *out);
/** A customer admin accepts: the relationships are created in one step. */
int cspd_customer_invitation_accept(struct cspd_ctx *c, const char *code, struct cspd_cinvite *out);

/* ---- relationship extension (R-EXT-0..8) --------------------------------------------- */

int cspd_relationship_extend(struct cspd_ctx *c, const char *customer_id, const char *provider,
                             bool consent_attested);

/* ---- customer agreement (R-MCA-1, R-MCA-2) -------------------------------------------- */

struct cspd_agreement_meta {
  const char *type, *template_id, *link;
  int version_rank;
};
/** Agreement metadata of @a type ("All" or NULL: see docs). @param[out] n. */
const struct cspd_agreement_meta *cspd_agreement_metadata(int *n);

/** Record an agreement for @a customer_id: by a customer admin (its own
 * acceptance) or a partner holding the customer (attestation). */
int cspd_cagreement_create(struct cspd_ctx *c, const char *customer_id, struct cspd_cagreement *in);
/** Whether the MCA counts for @a partner: the customer accepted it itself, or
 * @a partner attested it (R-MCA-2). @param[out] direct set when the customer
 * signed itself. */
int cspd_mca_status(struct cspd_ctx *c, const char *customer_id, const char *partner,
                    bool *accepted, bool *direct);

/* ---- rules used by orders and transfers ------------------------------------------------- */

/** R-MCA-1: the MCA counts for @a partner. */
int cspd_rule_mca(struct cspd_ctx *c, const char *customer_id, const char *partner);
/** R-CUS-5 / R-CUS-6: @a partner may buy for the customer with its
 * direct-bill capability. */
int cspd_rule_direct_purchase(struct cspd_ctx *c, const char *customer_id, const char *partner);
/** R-EXT-0: the provider holds a reseller relationship with the customer. */
int cspd_rule_provider_holds(struct cspd_ctx *c, const char *customer_id, const char *provider);
/** R-SELF-1 / R-SELF-3: @a partner may serve @a customer_id (as @a role). */
int cspd_rule_self_dealing(struct cspd_ctx *c, const char *customer_id, const char *partner,
                           enum cspd_crel_role role);

/** Capabilities of @a h for the customer resource (R-CUS-6). New reference. */
json_t *cspd_capabilities_json(const struct cspd_holding *h, bool direct_bill_restricted);

#endif
