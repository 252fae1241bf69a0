/* identity.h -- operator, partner organizations and locations, customer
 * tenants, users and apps (SPEC §1); authentication of users and apps. */
#ifndef CSPD_IDENTITY_H
#define CSPD_IDENTITY_H

#include "../store/store.h"
#include "ctx.h"

/** Input of cspd_org_create. mpn_id NULL or "" generates one. */
struct cspd_org_input {
  const char *name;
  const char *mpn_id;
  const char *id; /* optional GUID (fixtures) */
};
/** Create a partner organization (operator only).
 * @param[out] out the new row. */
int cspd_org_create(struct cspd_ctx *c, const struct cspd_org_input *in, struct cspd_org *out);

struct cspd_location_input {
  const char *org_id;
  const char *tenant_id;    /* optional GUID */
  const char *mpn_id;       /* optional; generated when absent */
  const char *company_name; /* defaults to the organization's name */
  const char *country;
  struct cspd_address address;
  struct cspd_contact contact;
};
/** Create a partner location (tenant) of an organization (operator only).
 * Its market follows its country (R-REG-1). @param[out] out the new row. */
int cspd_location_create(struct cspd_ctx *c, const struct cspd_location_input *in,
                         struct cspd_location *out);

/** Rename a partner organization (operator only). @a o holds the current
 * row (version checked by the caller); on success o->version is bumped. */
int cspd_org_rename(struct cspd_ctx *c, struct cspd_org *o, const char *name);

/** Update a location's legal profile (address, primary contact): the
 * operator or a global_admin of that tenant. @a l holds the new values and
 * the current version; on success l->version is bumped. The country (and so
 * the market) cannot change. */
int cspd_location_update(struct cspd_ctx *c, struct cspd_location *l);

struct cspd_customer_input {
  const char *tenant_id; /* optional GUID */
  const char *company_name;
  const char *domain;
  const char *country;
};
/** Create a customer tenant (operator / fixtures; the partner-facing
 * POST /v1/customers arrives with the customers issue). */
int cspd_customer_create(struct cspd_ctx *c, const struct cspd_customer_input *in,
                         struct cspd_customer *out);

struct cspd_user_input {
  const char *tenant_id;
  const char *email;
  const char *display_name;
  const char *password_hash; /* cspd_secret_hash() of the password, computed
                                outside the transaction (argon2id is slow) */
  unsigned roles;
  const char *id; /* optional GUID */
  bool sandbox_only;
};
/** Create a user of a tenant: the operator, or a global_admin of that tenant.
 * Roles must suit the tenant's kind. @param[out] out the row. */
int cspd_user_create(struct cspd_ctx *c, const struct cspd_user_input *in, struct cspd_user *out);

struct cspd_app_input {
  const char *tenant_id;
  const char *display_name;
  unsigned roles;          /* 0: admin_agent for partners, the kind's role otherwise */
  const char *client_id;   /* optional GUID */
  const char *secret_hash; /* cspd_secret_hash() of the secret, computed
                              outside the transaction */
  bool sandbox_only;
};
/** Register an app whose secret was hashed by the caller. */
int cspd_app_create(struct cspd_ctx *c, const struct cspd_app_input *in, struct cspd_app *out);
/** Refuse passwords under 12 characters (before hashing). */
int cspd_password_check(struct cspd_ctx *c, const char *password);

/** True when the caller may administer @a tenant_id (operator, or a
 * global_admin of that tenant). */
bool cspd_may_admin_tenant(const struct cspd_ctx *c, const char *tenant_id);

/** Password grant, step 1 (inside a read transaction): find the user and
 * check tenant, sandbox flag and client. @a tenant NULL for 'common'.
 * @param[out] u the user; @param[out] p its principal (roles, kind). */
int cspd_auth_password_lookup(struct cspd_ctx *c, const char *tenant, const char *email,
                              const char *client_id, struct cspd_user *u, struct cspd_principal *p);
/** Client-credentials grant, step 1 (inside a read transaction).
 * @param[out] app the app; @param[out] p its principal. */
int cspd_auth_client_lookup(struct cspd_ctx *c, const char *tenant, const char *client_id,
                            struct cspd_app *app, struct cspd_principal *p);
/* Step 2 of both grants is cspd_secret_verify() outside the transaction. */

/** Create the operator tenant and its first user (`cspd init`). */
int cspd_operator_init(struct cspd_ctx *c, const char *name, const char *email,
                       const char *password_hash, bool sandbox_only, struct cspd_tenant *out);

/** Write an audit record for a state change made by the caller. */
int cspd_audit(struct cspd_ctx *c, const char *operation, const char *resource_type,
               const char *resource_id, const char *before_json, const char *after_json);

/** Request identifiers the HTTP layer sets for audit records (may be NULL). */
struct cspd_request_ids {
  const char *request_id, *correlation_id;
};
extern _Thread_local struct cspd_request_ids cspd_current_request;

/** Map a store return code to ctx error (BUSY passes through). */
int cspd_store_fail(struct cspd_ctx *c, int rc, enum cspd_error_id notfound,
                    enum cspd_error_id conflict);

#endif
