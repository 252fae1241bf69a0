/* store.h -- the store interface.
 *
 * A store is a struct of function pointers (struct cspd_store_ops) over a
 * backend: SQLite today (store/sqlite/), PostgreSQL to follow without
 * touching the core. The core sees only this header.
 *
 * Sessions: every thread works through its own session (struct cspd_db),
 * got from cspd_store_session(); a session is one database connection with
 * its prepared statements. Work happens in transactions run by
 * cspd_store_tx(), which retries the whole unit of work when the backend
 * reports contention (SQLITE_BUSY, serialization failures).
 *
 * Return convention of every op: 0 success, CSPD_STORE_NOTFOUND,
 * CSPD_STORE_CONFLICT (unique key taken), CSPD_STORE_BUSY (retry the
 * transaction), CSPD_STORE_ERROR (logged by the backend).
 *
 * Rows: strings in output rows are allocated from the arena passed in and
 * live as long as it does. Input rows are only read. */
#ifndef CSPD_STORE_H
#define CSPD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../core/arena.h"
#include "../core/ctx.h"

enum {
  CSPD_STORE_OK = 0,
  CSPD_STORE_ERROR = -1,
  CSPD_STORE_NOTFOUND = -2,
  CSPD_STORE_BUSY = -3,
  CSPD_STORE_CONFLICT = -4,
};

typedef char cspd_guid[CSPD_GUID_LEN + 1];

struct cspd_tenant {
  cspd_guid id;
  enum cspd_tenant_kind kind;
  const char *name;
  const char *country; /* NULL for the operator */
  bool sandbox_only;
  int64_t created_ms;
};

struct cspd_org {
  cspd_guid id;
  char mpn_id[16]; /* global PartnerID */
  const char *name;
  int64_t version;
  int64_t created_ms;
};

struct cspd_address {
  const char *line1, *line2, *city, *state, *postal_code;
};

struct cspd_contact {
  const char *first_name, *last_name, *email, *phone;
};

struct cspd_location {
  cspd_guid tenant_id;
  cspd_guid org_id;
  char mpn_id[16]; /* location PartnerID */
  const char *company_name;
  char country[3];
  struct cspd_address address;
  struct cspd_contact contact;
  int64_t version;
  int64_t created_ms;
};

struct cspd_customer {
  cspd_guid tenant_id;
  const char *company_name;
  const char *domain;
  char country[3];
  int64_t version;
  int64_t created_ms;
  const char *billing_json; /* CustomerBillingProfile as stored, or NULL */
  int64_t billing_version;
  const char *owner_org_id; /* partner organization of an own-use tenant, or NULL */
  const char *created_by;   /* tenant that created it, or NULL */
};

enum cspd_crel_role {
  CSPD_CREL_DIRECT = 0, /* direct-bill partner (or direct reseller) */
  CSPD_CREL_RESELLER,   /* indirect reseller */
  CSPD_CREL_PROVIDER,   /* indirect provider */
};

/** A partner's reseller relationship with a customer. */
struct cspd_crel {
  cspd_guid customer_tenant_id;
  cspd_guid partner_tenant_id;
  enum cspd_crel_role role;
  const char *acquired;      /* created, invitation, extension, fixtures */
  const char *via_tenant_id; /* provider's reseller / reseller's provider, or NULL */
  bool delegated_admin;
  const char *state; /* active, removed */
  int64_t created_ms;
  int64_t removed_ms;
};

/** Filter of a customer listing. */
struct cspd_customer_filter {
  const char *partner_tenant_id;  /* NULL: every customer (operator) */
  const char *company_prefix;     /* CompanyName starts_with, or NULL */
  const char *domain_prefix;      /* Domain starts_with, or NULL */
  const char *reseller_tenant_id; /* IndirectReseller: customers of this reseller, or NULL */
};

/** A customer agreement: the customer's own acceptance (partner_tenant_id
 * NULL) or a partner's attestation. */
struct cspd_cagreement {
  cspd_guid id;
  cspd_guid customer_tenant_id;
  const char *partner_tenant_id;
  const char *type; /* MicrosoftCustomerAgreement, MicrosoftCloudAgreement */
  const char *template_id;
  int64_t date_agreed_ms;
  const char *user_id;
  struct cspd_contact contact;
  int64_t created_ms;
};

struct cspd_user {
  cspd_guid id;
  cspd_guid tenant_id;
  const char *email;
  const char *display_name;
  const char *password_hash; /* argon2id string */
  unsigned roles;
  bool sandbox_only;
  int64_t created_ms;
};

struct cspd_app {
  cspd_guid client_id;
  cspd_guid tenant_id;
  const char *display_name;
  const char *secret_hash; /* argon2id string */
  unsigned roles;
  bool sandbox_only;
  int64_t created_ms;
};

struct cspd_partnership {
  cspd_guid provider_tenant_id;
  cspd_guid reseller_tenant_id;
  const char *state; /* "active", "terminated" */
  int64_t created_ms;
};

/** A stored response to an idempotent request (MS-RequestId). */
struct cspd_idem {
  const char *scope; /* caller tenant */
  const char *request_id;
  const char *method;
  const char *path;
  int status;
  const char *body; /* response bytes */
  size_t body_len;
  const char *etag;     /* or NULL */
  const char *location; /* or NULL */
  int64_t created_ms;
};

struct cspd_audit {
  int64_t ts_ms;                            /* cspd clock */
  const char *tenant_id, *user_id, *app_id; /* the actor */
  const char *operation;                    /* e.g. "create_partner" */
  const char *resource_type, *resource_id;
  const char *before_json, *after_json; /* or NULL */
  const char *request_id, *correlation_id;
};

enum cspd_program {
  CSPD_PROG_DIRECT_BILL = 0,
  CSPD_PROG_INDIRECT_PROVIDER,
  CSPD_PROG_INDIRECT_RESELLER,
  CSPD_PROG__COUNT
};

enum cspd_mstate {
  CSPD_MS_NONE = 0, /* not a member */
  CSPD_MS_PENDING,
  CSPD_MS_APPROVED, /* enrollment approved, agreement not yet accepted */
  CSPD_MS_ACTIVE,
  CSPD_MS_RESTRICTED,
  CSPD_MS_REJECTED,
};

struct cspd_membership {
  cspd_guid tenant_id;
  enum cspd_program program;
  enum cspd_mstate state;
  int64_t since_ms;
};

struct cspd_membership_change {
  enum cspd_program program;
  enum cspd_mstate from, to;
  int64_t at_ms;
  const char *reason;
};

struct cspd_mpa {
  cspd_guid tenant_id;
  const char *signer_name, *signer_email, *user_id;
  int64_t signed_ms;
};

struct cspd_enrollment {
  cspd_guid id;
  cspd_guid tenant_id;
  enum cspd_program program;
  enum cspd_mstate state; /* pending, approved, active, rejected */
  const char *contact_email;
  const char *form_json;
  int64_t submitted_ms;
  const char *submitted_by;
  int64_t decided_ms; /* 0 while pending */
  const char *decided_by;
  int64_t agreement_accepted_ms; /* 0 until "accept and continue" */
  const char *agreement_accepted_by;
  int64_t version;
};

struct cspd_invitation {
  cspd_guid id;
  cspd_guid provider_tenant_id;
  const char *reseller_mpn_id; /* or NULL */
  const char *reseller_email;  /* or NULL */
  const char *state;           /* pending, accepted, revoked */
  int64_t created_ms;
  int64_t accepted_ms;
  const char *accepted_tenant_id;
  int64_t version;
};

struct cspd_revenue {
  int64_t id;
  cspd_guid org_id;
  const char *tenant_id;
  char period[8]; /* YYYY-MM */
  int64_t amount_minor;
  char currency[4];
  int64_t usd_minor;
  const char *kind;   /* cloud, perpetual_software */
  const char *source; /* operator, billing */
  int64_t created_ms;
};

struct cspd_fx_rate {
  char currency[4];
  int64_t usd_ppm; /* USD per unit of currency, in millionths */
  int exponent;    /* minor-unit digits: 2 for EUR, 0 for JPY */
  int64_t updated_ms;
};

struct cspd_job {
  int64_t id;
  const char *kind;
  const char *ref;
  int64_t due_ms;
};

struct cspd_notification {
  cspd_guid id;
  const char *tenant_id; /* or NULL */
  const char *recipient;
  const char *kind;
  const char *subject;
  const char *body;
  const char *status; /* queued, sent, failed, stored */
  int attempts;
  int64_t next_attempt_ms;
  const char *last_error;
  int64_t created_ms;
  int64_t sent_ms;
};

struct cspd_webhook_reg {
  cspd_guid tenant_id;
  const char *url;
  const char *events_json;
  const char *secret;
  int64_t created_ms, updated_ms;
};

struct cspd_webhook_delivery {
  cspd_guid id;
  cspd_guid tenant_id;
  const char *event_name;
  const char *payload;
  const char *status; /* pending, delivered, failed */
  int attempts;
  int64_t next_attempt_ms;
  int last_status_code;
  const char *last_error;
  int64_t created_ms, delivered_ms;
};

/** An audit record as read back. */
struct cspd_audit_row {
  int64_t id;
  struct cspd_audit rec;
};

struct cspd_order {
  cspd_guid id;
  cspd_guid customer_tenant_id;
  cspd_guid partner_tenant_id; /* the buyer: the direct-bill partner or the provider */
  const char *reference_customer_id;
  const char *billing_cycle;
  const char *status;
  const char *source; /* order, transfer */
  int64_t created_ms;
};

struct cspd_subscription {
  cspd_guid id;
  cspd_guid customer_tenant_id;
  const char *order_id;
  int line_item_number;
  const char *offer_id, *offer_name, *friendly_name;
  int64_t quantity;
  const char *unit_type;
  const char *parent_subscription_id; /* add-ons */
  const char *status;                 /* active, suspended, deleted, expired, pending, disabled */
  bool auto_renew;
  const char *billing_type;   /* license, usage, none */
  const char *billing_cycle;  /* monthly, annual, none */
  const char *transfer_class; /* R-ORD-1 */
  const char *partner_id_on_record;
  cspd_guid holder_tenant_id; /* who is billed */
  const char *reseller_tenant_id;
  const char *entitlement_id;
  char currency[4];
  int64_t unit_price_minor;
  int64_t created_ms, effective_start_ms, commitment_end_ms;
  bool listed;
  int64_t version;
};

struct cspd_sub_filter {
  const char *customer_tenant_id; /* required */
  const char *order_id;
  const char *partner_id_on_record;
  const char *parent_subscription_id;
  const char *visible_to; /* holder or reseller tenant; NULL: all */
  bool include_unlisted;
};

struct cspd_sub_change {
  int64_t at_ms;
  const char *status;
  int64_t quantity;
};

struct cspd_invoice {
  cspd_guid id;
  cspd_guid billed_tenant_id;
  char period[8];
  char currency[4];
  int64_t total_minor, start_ms, end_ms, created_ms;
};

struct cspd_invoice_line {
  cspd_guid invoice_id;
  int line;
  const char *customer_tenant_id, *customer_name, *subscription_id, *offer_id, *offer_name, *kind;
  int64_t quantity, start_ms, end_ms, unit_price_minor, amount_minor;
};

struct cspd_transfer {
  cspd_guid id;
  cspd_guid customer_tenant_id;
  cspd_guid source_tenant_id;
  cspd_guid target_tenant_id;
  const char *status; /* Active, Complete, PartiallyComplete, Reject, Withdrawn */
  int64_t created_ms, modified_ms;
  const char *modified_by;
  const char *lines_json; /* the line items as rendered (with add-on items, outcomes) */
  int64_t version;
};

/** Which side of a partnership the listing tenant is on. */
enum cspd_partnership_side {
  CSPD_SIDE_PROVIDER, /* list resellers of the tenant */
  CSPD_SIDE_RESELLER, /* list providers of the tenant */
};

struct cspd_db;
struct cspd_store;

struct cspd_store_ops {
  const char *kind; /* "sqlite", "memory", "postgres" */

  /* --- lifecycle and transactions ----------------------------------- */
  /** This thread's session (created on first use). */
  int (*session)(struct cspd_store *s, struct cspd_db **out);
  void (*close)(struct cspd_store *s);
  int (*begin)(struct cspd_db *db, bool write);
  int (*commit)(struct cspd_db *db);
  void (*rollback)(struct cspd_db *db);
  /** Highest applied migration. */
  int (*schema_version)(struct cspd_db *db, int *out);

  /* --- settings ------------------------------------------------------ */
  int (*setting_get)(struct cspd_db *db, const char *key, struct cspd_arena *a, char **out);
  int (*setting_put)(struct cspd_db *db, const char *key, const char *value);

  /* --- idempotency --------------------------------------------------- */
  int (*idem_get)(struct cspd_db *db, const char *scope, const char *request_id,
                  struct cspd_arena *a, struct cspd_idem *out);
  int (*idem_put)(struct cspd_db *db, const struct cspd_idem *in);
  int (*idem_purge)(struct cspd_db *db, int64_t before_ms);

  /* --- tenants, partners, customers ---------------------------------- */
  int (*tenant_insert)(struct cspd_db *db, const struct cspd_tenant *in);
  int (*tenant_get)(struct cspd_db *db, const char *id, struct cspd_arena *a,
                    struct cspd_tenant *out);
  /** The operator tenant (there is at most one). */
  int (*tenant_operator)(struct cspd_db *db, struct cspd_arena *a, struct cspd_tenant *out);

  int (*org_insert)(struct cspd_db *db, const struct cspd_org *in);
  /** Store name and version of org @a in->id. */
  int (*org_update)(struct cspd_db *db, const struct cspd_org *in);
  int (*org_get)(struct cspd_db *db, const char *id, struct cspd_arena *a, struct cspd_org *out);
  int (*org_get_by_mpn)(struct cspd_db *db, const char *mpn_id, struct cspd_arena *a,
                        struct cspd_org *out);
  /** Up to @a limit orgs with id > @a after ("" from the start), by id. */
  int (*org_list)(struct cspd_db *db, const char *after, int limit, struct cspd_arena *a,
                  struct cspd_org **out, int *n);

  int (*location_insert)(struct cspd_db *db, const struct cspd_location *in);
  /** Replace the mutable fields of location @a in->tenant_id and store
   * version @a in->version (the caller increments it). */
  int (*location_update)(struct cspd_db *db, const struct cspd_location *in);
  int (*location_get)(struct cspd_db *db, const char *tenant_id, struct cspd_arena *a,
                      struct cspd_location *out);
  int (*location_get_by_mpn)(struct cspd_db *db, const char *mpn_id, struct cspd_arena *a,
                             struct cspd_location *out);
  int (*location_list)(struct cspd_db *db, const char *org_id, const char *after, int limit,
                       struct cspd_arena *a, struct cspd_location **out, int *n);

  int (*customer_insert)(struct cspd_db *db, const struct cspd_customer *in);
  int (*customer_get)(struct cspd_db *db, const char *tenant_id, struct cspd_arena *a,
                      struct cspd_customer *out);

  /* --- customers (sqlite_customers.c) ------------------------------------- */
  /** Store company name, billing profile and its version, owner. */
  int (*customer_update)(struct cspd_db *db, const struct cspd_customer *in);
  /** Customers matching @a f, by tenant id after @a after. */
  int (*customer_list)(struct cspd_db *db, const struct cspd_customer_filter *f, const char *after,
                       int limit, struct cspd_arena *a, struct cspd_customer **out, int *n);
  /** Insert or update (by customer, partner, role). */
  int (*crel_put)(struct cspd_db *db, const struct cspd_crel *in);
  /** Every relationship of a customer (active and removed), by partner. */
  int (*crel_list)(struct cspd_db *db, const char *customer_tenant_id, struct cspd_arena *a,
                   struct cspd_crel **out, int *n);
  int (*cagreement_insert)(struct cspd_db *db, const struct cspd_cagreement *in);
  int (*cagreement_list)(struct cspd_db *db, const char *customer_tenant_id, struct cspd_arena *a,
                         struct cspd_cagreement **out, int *n);

  /* --- users and apps ------------------------------------------------ */
  int (*user_insert)(struct cspd_db *db, const struct cspd_user *in);
  int (*user_get)(struct cspd_db *db, const char *id, struct cspd_arena *a, struct cspd_user *out);
  int (*user_get_by_email)(struct cspd_db *db, const char *email, struct cspd_arena *a,
                           struct cspd_user *out);
  int (*user_list)(struct cspd_db *db, const char *tenant_id, const char *after, int limit,
                   struct cspd_arena *a, struct cspd_user **out, int *n);
  int (*app_insert)(struct cspd_db *db, const struct cspd_app *in);
  int (*app_get)(struct cspd_db *db, const char *client_id, struct cspd_arena *a,
                 struct cspd_app *out);

  /* --- partnerships (provider <-> indirect reseller) ------------------ */
  int (*partnership_insert)(struct cspd_db *db, const struct cspd_partnership *in);
  /** Partnerships of @a tenant_id seen from @a side, ordered by the other
   * tenant's id, after @a after. */
  int (*partnership_list)(struct cspd_db *db, const char *tenant_id,
                          enum cspd_partnership_side side, const char *after, int limit,
                          struct cspd_arena *a, struct cspd_partnership **out, int *n);

  /** All partnerships (operator view), @a state NULL for any, ordered by
   * provider then reseller tenant id, after the key "provider/reseller"
   * @a after. */
  int (*partnership_list_all)(struct cspd_db *db, const char *state, const char *after, int limit,
                              struct cspd_arena *a, struct cspd_partnership **out, int *n);
  int (*partnership_get)(struct cspd_db *db, const char *provider, const char *reseller,
                         struct cspd_arena *a, struct cspd_partnership *out);
  int (*partnership_set_state)(struct cspd_db *db, const char *provider, const char *reseller,
                               const char *state, int64_t ended_ms);

  /* --- audit ----------------------------------------------------------- */
  int (*audit_insert)(struct cspd_db *db, const struct cspd_audit *in);
  /** Records of @a tenant_id (NULL: all) with start <= ts < end, id > after. */
  int (*audit_list)(struct cspd_db *db, const char *tenant_id, int64_t start_ms, int64_t end_ms,
                    int64_t after, int limit, struct cspd_arena *a, struct cspd_audit_row **out,
                    int *n);

  /* --- program (sqlite_program.c) ------------------------------------------ */
  int (*org_set_program_fields)(struct cspd_db *db, const char *org_id, const char *anniversary,
                                const char *email);
  int (*org_get_program_fields)(struct cspd_db *db, const char *org_id, struct cspd_arena *a,
                                char **anniversary, char **email);
  int (*membership_list)(struct cspd_db *db, const char *tenant_id, struct cspd_arena *a,
                         struct cspd_membership **out, int *n);
  /** Insert or update a membership and append a history row. */
  int (*membership_put)(struct cspd_db *db, const struct cspd_membership *m, enum cspd_mstate from,
                        const char *reason);
  int (*membership_history)(struct cspd_db *db, const char *tenant_id, struct cspd_arena *a,
                            struct cspd_membership_change **out, int *n);
  /** Active members of @a program, by tenant id after @a after. */
  int (*members_list)(struct cspd_db *db, enum cspd_program program, enum cspd_mstate state,
                      const char *after, int limit, struct cspd_arena *a,
                      struct cspd_membership **out, int *n);
  int (*mpa_get)(struct cspd_db *db, const char *tenant_id, struct cspd_arena *a,
                 struct cspd_mpa *out);
  int (*mpa_put)(struct cspd_db *db, const struct cspd_mpa *in);
  int (*enrollment_insert)(struct cspd_db *db, const struct cspd_enrollment *in);
  int (*enrollment_update)(struct cspd_db *db, const struct cspd_enrollment *in);
  int (*enrollment_get)(struct cspd_db *db, const char *id, struct cspd_arena *a,
                        struct cspd_enrollment *out);
  int (*enrollment_get_by_tenant)(struct cspd_db *db, const char *tenant_id,
                                  enum cspd_program program, struct cspd_arena *a,
                                  struct cspd_enrollment *out);
  /** Enrollments in @a state (CSPD_MS_NONE: any), by id after @a after. */
  int (*enrollment_list)(struct cspd_db *db, enum cspd_mstate state, const char *after, int limit,
                         struct cspd_arena *a, struct cspd_enrollment **out, int *n);
  int (*invitation_insert)(struct cspd_db *db, const struct cspd_invitation *in);
  int (*invitation_update)(struct cspd_db *db, const struct cspd_invitation *in);
  int (*invitation_get)(struct cspd_db *db, const char *id, struct cspd_arena *a,
                        struct cspd_invitation *out);
  /** Invitations sent by @a provider (non-NULL) or addressed to the
   * PartnerID @a mpn_id / e-mail @a email, by id after @a after. */
  int (*invitation_list)(struct cspd_db *db, const char *provider, const char *mpn_id,
                         const char *email, const char *after, int limit, struct cspd_arena *a,
                         struct cspd_invitation **out, int *n);
  int (*revenue_insert)(struct cspd_db *db, struct cspd_revenue *in);
  /** Sum of usd_minor of @a org_id's cloud revenue in periods [from, to]. */
  int (*revenue_sum)(struct cspd_db *db, const char *org_id, const char *from_period,
                     const char *to_period, int64_t *usd_minor);
  int (*revenue_list)(struct cspd_db *db, const char *org_id, int64_t after, int limit,
                      struct cspd_arena *a, struct cspd_revenue **out, int *n);
  int (*fx_get)(struct cspd_db *db, const char *currency, struct cspd_fx_rate *out);
  int (*fx_put)(struct cspd_db *db, const struct cspd_fx_rate *in);
  int (*fx_list)(struct cspd_db *db, struct cspd_arena *a, struct cspd_fx_rate **out, int *n);

  /* --- commerce (sqlite_commerce.c) ------------------------------------------ */
  /** Replace the whole catalog: @a n offers (ids, JSON documents). */
  int (*offer_replace)(struct cspd_db *db, const char *const *ids, const char *const *docs, int n);
  int (*offer_get)(struct cspd_db *db, const char *id, struct cspd_arena *a, char **doc);
  /** Every offer document in catalog order. */
  int (*offer_list)(struct cspd_db *db, struct cspd_arena *a, char ***docs, int *n);
  int (*order_insert)(struct cspd_db *db, const struct cspd_order *in);
  int (*order_get)(struct cspd_db *db, const char *customer, const char *id, struct cspd_arena *a,
                   struct cspd_order *out);
  /** Orders of @a customer placed by @a partner (NULL: any), by id after @a after. */
  int (*order_list)(struct cspd_db *db, const char *customer, const char *partner,
                    const char *after, int limit, struct cspd_arena *a, struct cspd_order **out,
                    int *n);
  int (*sub_insert)(struct cspd_db *db, const struct cspd_subscription *in);
  int (*sub_update)(struct cspd_db *db, const struct cspd_subscription *in);
  int (*sub_get)(struct cspd_db *db, const char *id, struct cspd_arena *a,
                 struct cspd_subscription *out);
  int (*sub_list)(struct cspd_db *db, const struct cspd_sub_filter *f, const char *after, int limit,
                  struct cspd_arena *a, struct cspd_subscription **out, int *n);
  /** Every subscription created before @a before_ms, by id after @a after (billing). */
  int (*sub_list_all)(struct cspd_db *db, int64_t before_ms, const char *after, int limit,
                      struct cspd_arena *a, struct cspd_subscription **out, int *n);
  int (*sub_history_add)(struct cspd_db *db, const char *sub_id, const struct cspd_sub_change *c);
  int (*sub_history)(struct cspd_db *db, const char *sub_id, struct cspd_arena *a,
                     struct cspd_sub_change **out, int *n);
  int (*usage_insert)(struct cspd_db *db, const char *sub_id, int64_t usage_ms,
                      int64_t amount_minor, const char *resource, int64_t created_ms);
  /** Sum of usage with @a from_ms <= usage_ms < @a to_ms. */
  int (*usage_sum)(struct cspd_db *db, const char *sub_id, int64_t from_ms, int64_t to_ms,
                   int64_t *amount_minor);
  int (*invoice_insert)(struct cspd_db *db, const struct cspd_invoice *in);
  int (*invoice_line_insert)(struct cspd_db *db, const struct cspd_invoice_line *in);
  int (*invoice_get)(struct cspd_db *db, const char *id, struct cspd_arena *a,
                     struct cspd_invoice *out);
  /** Invoices of @a billed (NULL: all), by id after @a after. */
  int (*invoice_list)(struct cspd_db *db, const char *billed, const char *after, int limit,
                      struct cspd_arena *a, struct cspd_invoice **out, int *n);
  int (*invoice_lines)(struct cspd_db *db, const char *invoice_id, struct cspd_arena *a,
                       struct cspd_invoice_line **out, int *n);

  /* --- transfers (sqlite_commerce.c) ----------------------------------------- */
  int (*transfer_insert)(struct cspd_db *db, const struct cspd_transfer *in);
  int (*transfer_update)(struct cspd_db *db, const struct cspd_transfer *in);
  int (*transfer_get)(struct cspd_db *db, const char *customer, const char *id,
                      struct cspd_arena *a, struct cspd_transfer *out);
  int (*transfer_list)(struct cspd_db *db, const char *customer, struct cspd_arena *a,
                       struct cspd_transfer **out, int *n);
  /** Lock @a sub_id for @a transfer_id: CONFLICT when another transfer holds it. */
  int (*transfer_lock)(struct cspd_db *db, const char *sub_id, const char *transfer_id);
  /** The transfer holding @a sub_id. @param[out] transfer_id 37 bytes. */
  int (*transfer_lock_get)(struct cspd_db *db, const char *sub_id, char *transfer_id);
  int (*transfer_unlock)(struct cspd_db *db, const char *transfer_id);

  /* --- jobs, notifications, webhooks (sqlite_events.c) ---------------------- */
  /** Schedule (kind, ref) at @a due_ms; replaces a pending job of the same
   * kind and ref. */
  int (*job_schedule)(struct cspd_db *db, const char *kind, const char *ref, int64_t due_ms,
                      int64_t now_ms);
  /** The earliest pending job due at or before @a now_ms. */
  int (*job_next_due)(struct cspd_db *db, int64_t now_ms, struct cspd_arena *a,
                      struct cspd_job *out);
  int (*job_finish)(struct cspd_db *db, int64_t id, const char *state, int64_t now_ms);
  int (*job_cancel)(struct cspd_db *db, const char *kind, const char *ref, int64_t now_ms);
  int (*notification_insert)(struct cspd_db *db, const struct cspd_notification *in);
  int (*notification_update)(struct cspd_db *db, const struct cspd_notification *in);
  /** Notifications of @a tenant_id (NULL: all), oldest first (ids are
   * time-ordered), after id @a after ("" from the start). */
  int (*notification_list)(struct cspd_db *db, const char *tenant_id, const char *after, int limit,
                           struct cspd_arena *a, struct cspd_notification **out, int *n);
  int (*notification_due)(struct cspd_db *db, int64_t now_ms, int limit, struct cspd_arena *a,
                          struct cspd_notification **out, int *n);
  int (*webhook_get)(struct cspd_db *db, const char *tenant_id, struct cspd_arena *a,
                     struct cspd_webhook_reg *out);
  int (*webhook_put)(struct cspd_db *db, const struct cspd_webhook_reg *in);
  int (*webhook_delete)(struct cspd_db *db, const char *tenant_id);
  int (*delivery_insert)(struct cspd_db *db, const struct cspd_webhook_delivery *in);
  int (*delivery_update)(struct cspd_db *db, const struct cspd_webhook_delivery *in);
  int (*delivery_list)(struct cspd_db *db, const char *tenant_id, const char *after, int limit,
                       struct cspd_arena *a, struct cspd_webhook_delivery **out, int *n);
  int (*delivery_due)(struct cspd_db *db, int64_t now_ms, int limit, struct cspd_arena *a,
                      struct cspd_webhook_delivery **out, int *n);

  /* --- sandbox ----------------------------------------------------------- */
  /** Delete everything but the operator tenant, its users and apps that are
   * not sandbox-only, and the signing key: partners, customers, program
   * state, outboxes, jobs, exchange rates, settings, audit. */
  int (*reset_all)(struct cspd_db *db);
  /** Delete one partner organization and everything it owns. */
  int (*reset_org)(struct cspd_db *db, const char *org_id);
};

struct cspd_store {
  const struct cspd_store_ops *ops;
  void *impl;
  /* counters for /_cspd/metrics (updated atomically) */
  uint64_t tx_read, tx_write, tx_retries, tx_failed;
};

/** Open the store named by @a url ("sqlite:PATH", "memory", "postgres://...")
 * and bring its schema up to date. A store whose schema is newer than this
 * binary's migrations is refused.
 * @param[out] out the store, closed with cspd_store_close().
 * @param[out] errbuf a message on failure. */
int cspd_store_open(const char *url, struct cspd_store **out, char *errbuf, size_t errlen);
void cspd_store_close(struct cspd_store *s);
/** This thread's session. */
int cspd_store_session(struct cspd_store *s, struct cspd_db **out);

/** A unit of work: returns 0 to commit, CSPD_STORE_BUSY to be run again,
 * anything else to roll back (and that value is returned). */
typedef int (*cspd_tx_fn)(struct cspd_db *db, void *cls);

/** Run @a fn in a transaction on this thread's session, retrying on
 * contention with backoff (at most 20 attempts).
 * @param[out] attempts how many runs it took (may be NULL). */
int cspd_store_tx(struct cspd_store *s, bool write, cspd_tx_fn fn, void *cls, int *attempts);

/** The ops table of the session's store (for the core). */
const struct cspd_store_ops *cspd_db_ops(struct cspd_db *db);

/** Latest migration version this binary knows. */
int cspd_store_binary_schema_version(void);

#endif
