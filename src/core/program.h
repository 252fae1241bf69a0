/* program.h -- the partner program (SPEC §2.1-2.4): memberships, the
 * Microsoft Partner Agreement, the direct-bill -> indirect-reseller
 * transition, provider-reseller partnerships, the direct-bill revenue
 * requirement and the incentive invitation. */
#ifndef CSPD_PROGRAM_H
#define CSPD_PROGRAM_H

#include <jansson.h>

#include "../store/store.h"
#include "ctx.h"

const char *cspd_program_name(enum cspd_program p);
int cspd_program_parse(const char *s, enum cspd_program *out);
const char *cspd_mstate_name(enum cspd_mstate s);
int cspd_mstate_parse(const char *s, enum cspd_mstate *out);

/* ---- operator settings --------------------------------------------------- */

#define CSPD_MAX_MONTH_RANGES 6

struct cspd_program_settings {
  struct {
    int from, to; /* months 1..12, inclusive; from > to wraps the year */
  } months[CSPD_MAX_MONTH_RANGES];
  int nmonths;
  int auto_approve_days;       /* business days; 0 = immediately */
  int incentive_days;          /* days after enrollment, 0..30 (R-INC-1) */
  int64_t threshold_usd_minor; /* R-DB-1, default 30,000,000 (USD 300,000) */
};

/** Read the settings (defaults: September-December, 5 business days, 7 days,
 * USD 300,000). @param[out] out. */
int cspd_program_settings_get(struct cspd_ctx *c, struct cspd_program_settings *out);
/** Validate and store (operator). */
int cspd_program_settings_put(struct cspd_ctx *c, const struct cspd_program_settings *in);
json_t *cspd_program_settings_json(const struct cspd_program_settings *s);
int cspd_program_settings_parse(struct cspd_ctx *c, const json_t *doc,
                                struct cspd_program_settings *io);

/* ---- memberships ---------------------------------------------------------------- */

/** State of @a tenant's membership in @a program (CSPD_MS_NONE if none). */
int cspd_membership_state(struct cspd_ctx *c, const char *tenant_id, enum cspd_program program,
                          enum cspd_mstate *out);
/** Set a membership state, with history, audit and (for restrictions) events. */
int cspd_membership_set(struct cspd_ctx *c, const char *tenant_id, enum cspd_program program,
                        enum cspd_mstate state, const char *reason);

/** The operator onboards a tenant into a program or changes its state;
 * refuses to undo a transition (R-ENR-7). */
int cspd_membership_set_by_operator(struct cspd_ctx *c, const char *tenant_id,
                                    enum cspd_program program, enum cspd_mstate state,
                                    const char *reason);

/* ---- rule checks used by transacting operations ----------------------------------- */

/** R-MPA-1: @a tenant_id has signed the MPA. */
int cspd_rule_mpa(struct cspd_ctx *c, const char *tenant_id);
/** R-IR-1 / R-ENR-5: @a tenant_id may act as indirect reseller (onboarded,
 * enrolled with the agreement accepted, MPA signed). */
int cspd_rule_reseller_enabled(struct cspd_ctx *c, const char *tenant_id);
/** R-MPA-2: the reseller named as partner of record (its location
 * PartnerID) has signed the MPA. Called by orders and transfers. */
int cspd_rule_partner_of_record_mpa(struct cspd_ctx *c, const char *reseller_mpn_id);
/** R-MPA-3: a provider may transact new business for @a reseller_tenant_id
 * only when that reseller has signed the MPA. */
int cspd_rule_provider_for_reseller_mpa(struct cspd_ctx *c, const char *reseller_tenant_id);
/** R-DB-2: @a tenant_id is a direct-bill partner that is not restricted. */
int cspd_rule_direct_bill_unrestricted(struct cspd_ctx *c, const char *tenant_id);
/** R-DB-2 / R-DB-3: may @a tenant_id create an indirect reseller invitation
 * for a customer? (restricted direct-bill tenants may, when enrolled) */
int cspd_rule_indirect_invitation_allowed(struct cspd_ctx *c, const char *tenant_id);

/* ---- MPA ---------------------------------------------------------------------------- */

/** The caller (a global admin) signs the MPA for its tenant. @param[out] out. */
int cspd_mpa_sign(struct cspd_ctx *c, const char *signer_name, const char *signer_email,
                  struct cspd_mpa *out);
/** Agreement status by PartnerID (location or global: every location must
 * have signed for a global id) or tenant id. Exactly one is non-NULL. */
int cspd_agreement_status(struct cspd_ctx *c, const char *mpn_id, const char *tenant_id,
                          bool *is_signed);

/* ---- enrollment ----------------------------------------------------------------------- */

/** The form a global admin reviews before enrolling: partner details, the
 * profile etag to submit, and whether the option is available (R-ENR-4).
 * @param[out] form new reference. */
int cspd_enrollment_form(struct cspd_ctx *c, enum cspd_program program, json_t **form);
/** Submit (R-ENR-1..4): pending, or approved at once under the
 * 'immediate' policy. Schedules auto-approval and the incentive invitation. */
int cspd_enrollment_submit(struct cspd_ctx *c, enum cspd_program program, const char *profile_etag,
                           const char *contact_email, struct cspd_enrollment *out);
/** Approve a pending enrollment (operator; @a c->who NULL for the policy job). */
int cspd_enrollment_approve(struct cspd_ctx *c, const char *id, struct cspd_enrollment *out);
int cspd_enrollment_reject(struct cspd_ctx *c, const char *id, const char *reason,
                           struct cspd_enrollment *out);
/** "Accept and continue" (R-ENR-5): the indirect reseller agreement. */
int cspd_enrollment_accept_agreement(struct cspd_ctx *c, const char *id,
                                     struct cspd_enrollment *out);
/** Any attempt to undo the transition (R-ENR-7): always refused. */
int cspd_enrollment_undo(struct cspd_ctx *c, const char *id);
/** Read an enrollment the caller may see. */
int cspd_enrollment_read(struct cspd_ctx *c, const char *id, struct cspd_enrollment *out);
/** Add @a n business days (Mon-Fri, UTC) to @a ms. */
int64_t cspd_add_business_days(int64_t ms, int n);

/* ---- partnerships ------------------------------------------------------------------------ */

/** R-PRT-1: may the caller look up providers? (enrolled, agreement accepted) */
int cspd_providers_lookup_allowed(struct cspd_ctx *c);
/** R-PRT-2: a provider invites a reseller by PartnerID or e-mail. */
int cspd_invitation_create(struct cspd_ctx *c, const char *reseller_mpn_id, const char *email,
                           struct cspd_invitation *out);
/** Read an invitation the caller sent or may accept. */
int cspd_invitation_read(struct cspd_ctx *c, const char *id, struct cspd_invitation *out);
/** R-PRT-2/3, R-REG-2: the reseller's global admin accepts. */
int cspd_invitation_accept(struct cspd_ctx *c, const char *id, struct cspd_invitation *out);
/** R-PRT-4: only the operator ends a relationship. */
int cspd_partnership_end(struct cspd_ctx *c, const char *provider, const char *reseller,
                         const char *reason);

/* ---- revenue and the direct-bill requirement (R-DB-1) ------------------------------------- */

/** Record revenue of a partner organization (operator, or the billing run).
 * @a amount_minor in @a currency minor units; converted to USD with the
 * rate table. @param[out] out. */
int cspd_revenue_record(struct cspd_ctx *c, const char *org_id, const char *tenant_id,
                        const char *period, int64_t amount_minor, const char *currency,
                        const char *kind, const char *source, struct cspd_revenue *out);
/** Fill the rate table from the shipped data/fx-rates.tsv when it is empty. */
int cspd_fx_seed_defaults(struct cspd_ctx *c);
/** "1.08" -> 1080000 (millionths); -1 when malformed. */
int64_t cspd_parse_ppm(const char *s);
/** Convert to USD minor units with the rate table. */
int cspd_to_usd_minor(struct cspd_ctx *c, int64_t amount_minor, const char *currency,
                      int64_t *usd_minor);
/** Evaluate every direct-bill global account at @a as_of_ms: trailing 12
 * full months; with @a apply, restrict or reinstate and notify; without, only
 * report. @param[out] report new ref. */
int cspd_directbill_evaluate(struct cspd_ctx *c, int64_t as_of_ms, bool apply, json_t **report);

/* ---- scheduled work ----------------------------------------------------------------------- */

/** Run one due job (if any) in the caller's write transaction.
 * @return 1 when a job ran, 0 when none was due, <0 on failure. */
int cspd_jobs_run_one(struct cspd_ctx *c);
/** Run every job due on the cspd clock, each in its own write transaction.
 * @return the number run, or <0 on a store failure (logged). */
int cspd_jobs_run_due(struct cspd_store *store, bool sandbox, int max);
/** Make sure the monthly direct-bill evaluation is scheduled. */
int cspd_jobs_ensure_monthly(struct cspd_ctx *c);
/** Schedule it at the next month start after c->now_ms (the sandbox clock
 * moved back). */
int cspd_jobs_reschedule_monthly(struct cspd_ctx *c);

#endif
