/* program.c -- the partner program (see program.h). Each function runs
 * inside the caller's transaction; rule ids name what they enforce. */
#include "program.h"
#include "log.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clock.h"
#include "commerce.h"
#include "events.h"
#include "identity.h"
#include "json.h"
#include "markets.h"
#include "util.h"

#define OPS(c) cspd_db_ops((c)->db)
#define DAY_MS 86400000LL

static const char *const program_names[CSPD_PROG__COUNT] = {"direct_bill", "indirect_provider",
                                                            "indirect_reseller"};
static const char *const mstate_names[] = {"none",   "pending",    "approved",
                                           "active", "restricted", "rejected"};

const char *cspd_program_name(enum cspd_program p) {
  return (p >= 0 && p < CSPD_PROG__COUNT) ? program_names[p] : "unknown";
}

int cspd_program_parse(const char *s, enum cspd_program *out) {
  for (int i = 0; s && i < CSPD_PROG__COUNT; i++)
    if (strcasecmp(s, program_names[i]) == 0) {
      *out = (enum cspd_program)i;
      return 0;
    }
  return -1;
}

const char *cspd_mstate_name(enum cspd_mstate s) {
  return (s >= 0 && s <= CSPD_MS_REJECTED) ? mstate_names[s] : "unknown";
}

int cspd_mstate_parse(const char *s, enum cspd_mstate *out) {
  for (int i = 0; s && i <= CSPD_MS_REJECTED; i++)
    if (strcasecmp(s, mstate_names[i]) == 0) {
      *out = (enum cspd_mstate)i;
      return 0;
    }
  return -1;
}

static bool is_operator(const struct cspd_ctx *c) {
  return c->who != NULL && c->who->kind == CSPD_TENANT_OPERATOR &&
         (c->who->roles & CSPD_ROLE_OPERATOR);
}

static bool is_global_admin_of(const struct cspd_ctx *c, const char *tenant_id) {
  return c->who != NULL && c->who->kind == CSPD_TENANT_PARTNER &&
         (c->who->roles & CSPD_ROLE_GLOBAL_ADMIN) && strcmp(c->who->tenant_id, tenant_id) == 0;
}

static int require_operator(struct cspd_ctx *c) {
  if (c->who == NULL || is_operator(c))
    return 0;
  cspd_fail(c, CSPD_E_ROLE_REQUIRED, "operator role required");
  cspd_fail_data(c, "operator");
  return -1;
}

static int require_partner(struct cspd_ctx *c) {
  if (c->who != NULL && c->who->kind == CSPD_TENANT_PARTNER)
    return 0;
  return cspd_fail(c, CSPD_E_TENANT_FORBIDDEN, "only partner tenants can do this");
}

/* ---- settings --------------------------------------------------------------------------- */

#define SETTINGS_KEY "program"

static void settings_default(struct cspd_program_settings *s) {
  memset(s, 0, sizeof *s);
  s->months[0].from = 9; /* R-ENR-4: initially September to December */
  s->months[0].to = 12;
  s->nmonths = 1;
  s->auto_approve_days = 5;          /* R-ENR-3: at most five business days */
  s->incentive_days = 7;             /* R-INC-1: within 30 days */
  s->threshold_usd_minor = 30000000; /* R-DB-1: USD 300,000 */
}

json_t *cspd_program_settings_json(const struct cspd_program_settings *s) {
  json_t *months = json_array();
  for (int i = 0; i < s->nmonths; i++)
    json_array_append_new(
        months, json_pack("{s:i, s:i}", "from", s->months[i].from, "to", s->months[i].to));
  return json_pack("{s:o, s:i, s:i, s:I, s:{s:s}}", "anniversaryMonths", months,
                   "autoApprovalBusinessDays", s->auto_approve_days, "incentiveInvitationDays",
                   s->incentive_days, "directBillThresholdUsdMinor",
                   (json_int_t)s->threshold_usd_minor, "attributes", "objectType",
                   "ProgramSettings");
}

int cspd_program_settings_parse(struct cspd_ctx *c, const json_t *doc,
                                struct cspd_program_settings *io) {
  json_t *months;
  long long days = io->auto_approve_days, inc = io->incentive_days, thr = io->threshold_usd_minor;
  if (cspd_json_arr(c, doc, "anniversaryMonths", false, "", &months) != 0 ||
      cspd_json_int(c, doc, "autoApprovalBusinessDays", false, "", &days) != 0 ||
      cspd_json_int(c, doc, "incentiveInvitationDays", false, "", &inc) != 0 ||
      cspd_json_int(c, doc, "directBillThresholdUsdMinor", false, "", &thr) != 0)
    return -1;
  if (months != NULL) {
    if (json_array_size(months) > CSPD_MAX_MONTH_RANGES)
      return cspd_fail(c, CSPD_E_INVALID_INPUT, "at most %d anniversaryMonths ranges",
                       CSPD_MAX_MONTH_RANGES);
    io->nmonths = 0;
    size_t i;
    json_t *m;
    json_array_foreach(months, i, m) {
      long long from = 0, to = 0;
      char *path = cspd_arena_printf(c->arena, "anniversaryMonths[%zu]", i);
      if (cspd_json_int(c, m, "from", true, path, &from) != 0 ||
          cspd_json_int(c, m, "to", true, path, &to) != 0)
        return -1;
      if (from < 1 || from > 12 || to < 1 || to > 12)
        return cspd_fail(c, CSPD_E_INVALID_INPUT, "%s: months are 1 to 12", path);
      io->months[io->nmonths].from = (int)from;
      io->months[io->nmonths].to = (int)to;
      io->nmonths++;
    }
  }
  /* R-ENR-3: approval within at most five business days */
  if (days < 0 || days > 5)
    return cspd_fail(c, CSPD_E_INVALID_INPUT,
                     "autoApprovalBusinessDays must be 0 (immediate) to 5 (R-ENR-3)");
  /* R-INC-1: the incentive invitation within 30 days */
  if (inc < 0 || inc > 30)
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "incentiveInvitationDays must be 0 to 30 (R-INC-1)");
  if (thr < 0)
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "directBillThresholdUsdMinor must be >= 0");
  io->auto_approve_days = (int)days;
  io->incentive_days = (int)inc;
  io->threshold_usd_minor = thr;
  return 0;
}

int cspd_program_settings_get(struct cspd_ctx *c, struct cspd_program_settings *out) {
  settings_default(out);
  char *v;
  int rc = OPS(c)->setting_get(c->db, SETTINGS_KEY, c->arena, &v);
  if (rc == CSPD_STORE_NOTFOUND)
    return 0;
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  json_t *doc = json_loads(v, 0, NULL);
  if (doc == NULL)
    return cspd_fail(c, CSPD_E_INTERNAL, "stored program settings are not JSON");
  rc = cspd_program_settings_parse(c, doc, out);
  json_decref(doc);
  return rc;
}

int cspd_program_settings_put(struct cspd_ctx *c, const struct cspd_program_settings *in) {
  if (require_operator(c) != 0)
    return -1;
  json_t *doc = cspd_program_settings_json(in);
  json_object_del(doc, "attributes");
  char *txt = json_dumps(doc, JSON_COMPACT);
  json_decref(doc);
  int rc = OPS(c)->setting_put(c->db, SETTINGS_KEY, txt);
  const char *after = cspd_arena_strdup(c->arena, txt);
  free(txt);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  return cspd_audit(c, "update_program_settings", "ProgramSettings", NULL, NULL, after);
}

/* ---- memberships -------------------------------------------------------------------------- */

int cspd_membership_state(struct cspd_ctx *c, const char *tenant_id, enum cspd_program program,
                          enum cspd_mstate *out) {
  struct cspd_membership *ms;
  int n;
  *out = CSPD_MS_NONE;
  int rc = OPS(c)->membership_list(c->db, tenant_id, c->arena, &ms, &n);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  for (int i = 0; i < n; i++)
    if (ms[i].program == program)
      *out = ms[i].state;
  return 0;
}

int cspd_membership_set(struct cspd_ctx *c, const char *tenant_id, enum cspd_program program,
                        enum cspd_mstate state, const char *reason) {
  enum cspd_mstate from;
  int rc = cspd_membership_state(c, tenant_id, program, &from);
  if (rc != 0)
    return rc;
  if (from == state)
    return 0;
  struct cspd_membership m = {.program = program, .state = state, .since_ms = c->now_ms};
  snprintf(m.tenant_id, sizeof m.tenant_id, "%s", tenant_id);
  rc = OPS(c)->membership_put(c->db, &m, from, reason);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  json_t *b =
      json_pack("{s:s, s:s}", "program", program_names[program], "state", mstate_names[from]);
  json_t *a = json_pack("{s:s, s:s, s:s?}", "program", program_names[program], "state",
                        mstate_names[state], "reason", reason);
  char *bt = json_dumps(b, JSON_COMPACT), *at = json_dumps(a, JSON_COMPACT);
  json_decref(b);
  json_decref(a);
  rc = cspd_audit(c, "update_program_membership", "ProgramMembership", tenant_id,
                  cspd_arena_strdup(c->arena, bt), cspd_arena_strdup(c->arena, at));
  free(bt);
  free(at);
  return rc;
}

int cspd_membership_set_by_operator(struct cspd_ctx *c, const char *tenant_id,
                                    enum cspd_program program, enum cspd_mstate state,
                                    const char *reason) {
  if (require_operator(c) != 0)
    return -1;
  struct cspd_location l;
  int rc = OPS(c)->location_get(c->db, tenant_id, c->arena, &l);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_LOCATION_NOT_FOUND, 0);
  enum cspd_mstate cur;
  if ((rc = cspd_membership_state(c, tenant_id, program, &cur)) != 0)
    return rc;
  /* R-ENR-7: no back door either: a reseller that came through the
   * transition stays one */
  if (program == CSPD_PROG_INDIRECT_RESELLER && cur == CSPD_MS_ACTIVE && state != CSPD_MS_ACTIVE) {
    struct cspd_enrollment e;
    rc = OPS(c)->enrollment_get_by_tenant(c->db, tenant_id, program, c->arena, &e);
    if (rc == 0)
      return cspd_fail(c, CSPD_E_ENR_IRREVERSIBLE, NULL);
    if (rc != CSPD_STORE_NOTFOUND)
      return cspd_store_fail(c, rc, 0, 0);
  }
  return cspd_membership_set(c, tenant_id, program, state, reason ? reason : "set by the operator");
}

/* ---- rules -------------------------------------------------------------------------------- */

int cspd_rule_mpa(struct cspd_ctx *c, const char *tenant_id) {
  struct cspd_mpa m;
  int rc = OPS(c)->mpa_get(c->db, tenant_id, c->arena, &m);
  if (rc == CSPD_STORE_NOTFOUND)
    return cspd_fail(c, CSPD_E_MPA_REQUIRED, NULL); /* R-MPA-1 */
  return cspd_store_fail(c, rc, 0, 0);
}

int cspd_rule_partner_of_record_mpa(struct cspd_ctx *c, const char *reseller_mpn_id) {
  struct cspd_location l;
  int rc = OPS(c)->location_get_by_mpn(c->db, reseller_mpn_id, c->arena, &l);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_MPN_NOT_FOUND, 0);
  struct cspd_mpa m;
  rc = OPS(c)->mpa_get(c->db, l.tenant_id, c->arena, &m);
  if (rc == CSPD_STORE_NOTFOUND) /* R-MPA-2 */
    return cspd_fail(c, CSPD_E_RESELLER_MPA_REQUIRED, "(PartnerID %s)", reseller_mpn_id);
  return cspd_store_fail(c, rc, 0, 0);
}

int cspd_rule_provider_for_reseller_mpa(struct cspd_ctx *c, const char *reseller_tenant_id) {
  struct cspd_mpa m;
  int rc = OPS(c)->mpa_get(c->db, reseller_tenant_id, c->arena, &m);
  if (rc == CSPD_STORE_NOTFOUND) /* R-MPA-3 */
    return cspd_fail(c, CSPD_E_RESELLER_MPA_REQUIRED_TX, NULL);
  return cspd_store_fail(c, rc, 0, 0);
}

int cspd_rule_reseller_enabled(struct cspd_ctx *c, const char *tenant_id) {
  enum cspd_mstate st;
  int rc = cspd_membership_state(c, tenant_id, CSPD_PROG_INDIRECT_RESELLER, &st);
  if (rc != 0)
    return rc;
  if (st == CSPD_MS_APPROVED || st == CSPD_MS_PENDING)
    return cspd_fail(c, CSPD_E_RESELLER_NOT_ENABLED, NULL); /* R-ENR-5 */
  if (st != CSPD_MS_ACTIVE)
    return cspd_fail(c, CSPD_E_RESELLER_NOT_ENROLLED, NULL); /* R-IR-1 (b) */
  return cspd_rule_mpa(c, tenant_id);                        /* R-IR-1 (c) */
}

int cspd_rule_direct_bill_unrestricted(struct cspd_ctx *c, const char *tenant_id) {
  enum cspd_mstate st;
  int rc = cspd_membership_state(c, tenant_id, CSPD_PROG_DIRECT_BILL, &st);
  if (rc != 0)
    return rc;
  if (st == CSPD_MS_RESTRICTED)
    return cspd_fail(c, CSPD_E_DB_RESTRICTED, NULL); /* R-DB-2 */
  if (st != CSPD_MS_ACTIVE)
    return cspd_fail(c, CSPD_E_TENANT_FORBIDDEN, "the tenant is not a direct-bill partner");
  return 0;
}

int cspd_rule_indirect_invitation_allowed(struct cspd_ctx *c, const char *tenant_id) {
  /* R-DB-3: restricted or not, an enrolled reseller may invite customers */
  return cspd_rule_reseller_enabled(c, tenant_id);
}

/* ---- MPA ---------------------------------------------------------------------------------- */

int cspd_mpa_sign(struct cspd_ctx *c, const char *signer_name, const char *signer_email,
                  struct cspd_mpa *out) {
  if (require_partner(c) != 0)
    return -1;
  if (!(c->who->roles & CSPD_ROLE_GLOBAL_ADMIN))
    return cspd_fail(c, CSPD_E_MPA_SIGNER_ROLE, NULL);
  if (signer_name == NULL || signer_name[0] == '\0' || signer_email == NULL ||
      !cspd_email_valid(signer_email))
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "signerName and signerEmail are required");
  struct cspd_mpa prev;
  int rc = OPS(c)->mpa_get(c->db, c->who->tenant_id, c->arena, &prev);
  if (rc == 0)
    return cspd_fail(c, CSPD_E_MPA_ALREADY_SIGNED, NULL);
  if (rc != CSPD_STORE_NOTFOUND)
    return cspd_store_fail(c, rc, 0, 0);
  memset(out, 0, sizeof *out);
  snprintf(out->tenant_id, sizeof out->tenant_id, "%s", c->who->tenant_id);
  out->signer_name = cspd_arena_strdup(c->arena, signer_name);
  out->signer_email = cspd_arena_strdup(c->arena, signer_email);
  out->signed_ms = c->now_ms;
  out->user_id = c->who->user_id[0] ? c->who->user_id : NULL;
  rc = OPS(c)->mpa_put(c->db, out);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, CSPD_E_MPA_ALREADY_SIGNED);
  if ((rc = cspd_audit(c, "sign_mpa", "MicrosoftPartnerAgreement", out->tenant_id, NULL, NULL)) !=
          0 ||
      (rc = cspd_event(c, out->tenant_id, "mpa-signed", "/v1/agreements/mpa", "MPA")) != 0)
    return rc;
  return cspd_notify(c, out->tenant_id, signer_email, "mpa_signed",
                     "You signed the Microsoft Partner Agreement",
                     cspd_arena_printf(c->arena,
                                       "Hello %s,\n\nthe Microsoft Partner Agreement is signed "
                                       "for your partner tenant %s.\n",
                                       signer_name, out->tenant_id));
}

int cspd_agreement_status(struct cspd_ctx *c, const char *mpn_id, const char *tenant_id,
                          bool *is_signed) {
  if ((mpn_id == NULL) == (tenant_id == NULL) || (mpn_id && !mpn_id[0]) ||
      (tenant_id && !tenant_id[0]))
    return cspd_fail(c, CSPD_E_AGREEMENTSTATUS_ARGS, NULL);
  struct cspd_location l;
  struct cspd_mpa m;
  int rc;
  if (tenant_id != NULL) {
    char tid[37];
    if (cspd_guid_normalize(tenant_id, tid) != 0)
      return cspd_fail(c, CSPD_E_BAD_GUID, "tenantId");
    rc = OPS(c)->location_get(c->db, tid, c->arena, &l);
    if (rc != 0)
      return cspd_store_fail(c, rc, CSPD_E_TENANT_NOT_FOUND, 0);
  } else {
    rc = OPS(c)->location_get_by_mpn(c->db, mpn_id, c->arena, &l);
    if (rc == CSPD_STORE_NOTFOUND) {
      /* a global PartnerID: signed when every location signed */
      struct cspd_org o;
      rc = OPS(c)->org_get_by_mpn(c->db, mpn_id, c->arena, &o);
      if (rc != 0)
        return cspd_store_fail(c, rc, CSPD_E_MPN_NOT_FOUND, 0);
      struct cspd_location *locs;
      int n;
      rc = OPS(c)->location_list(c->db, o.id, "", 500, c->arena, &locs, &n);
      if (rc != 0)
        return cspd_store_fail(c, rc, 0, 0);
      *is_signed = n > 0;
      for (int i = 0; i < n && *is_signed; i++) {
        rc = OPS(c)->mpa_get(c->db, locs[i].tenant_id, c->arena, &m);
        if (rc == CSPD_STORE_NOTFOUND)
          *is_signed = false;
        else if (rc != 0)
          return cspd_store_fail(c, rc, 0, 0);
      }
      return 0;
    }
    if (rc != 0)
      return cspd_store_fail(c, rc, 0, 0);
  }
  rc = OPS(c)->mpa_get(c->db, l.tenant_id, c->arena, &m);
  if (rc != 0 && rc != CSPD_STORE_NOTFOUND)
    return cspd_store_fail(c, rc, 0, 0);
  *is_signed = rc == 0;
  return 0;
}

/* ---- enrollment ---------------------------------------------------------------------------- */

int64_t cspd_add_business_days(int64_t ms, int n) {
  int64_t t = ms;
  while (n > 0) {
    t += DAY_MS;
    time_t secs = (time_t)(t / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    if (tm.tm_wday != 0 && tm.tm_wday != 6)
      n--;
  }
  return t;
}

static const char *blank_to_null(const char *s) {
  return (s && s[0]) ? s : NULL;
}

/** Fields of the legal profile missing for R-ENR-2, as a JSON array. */
static json_t *profile_missing(const struct cspd_location *l, const struct cspd_org *o) {
  json_t *m = json_array();
  struct {
    const char *name, *value;
  } req[] = {
      {"companyName", l->company_name},
      {"address.addressLine1", l->address.line1},
      {"address.city", l->address.city},
      {"address.postalCode", l->address.postal_code},
      {"primaryContact.firstName", l->contact.first_name},
      {"primaryContact.lastName", l->contact.last_name},
      {"primaryContact.email", l->contact.email},
  };
  for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
    if (blank_to_null(req[i].value) == NULL)
      json_array_append_new(m, json_string(req[i].name));
  if (!cspd_mpn_id_valid(l->mpn_id))
    json_array_append_new(m, json_string("mpnId"));
  if (o == NULL || !cspd_mpn_id_valid(o->mpn_id))
    json_array_append_new(m, json_string("globalMpnId"));
  return m;
}

/** Anniversary month of @a org (0 when unknown). */
static int anniversary_month(struct cspd_ctx *c, const char *org_id, int *month,
                             char **anniversary) {
  char *email;
  *month = 0;
  int rc = OPS(c)->org_get_program_fields(c->db, org_id, c->arena, anniversary, &email);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_PARTNER_NOT_FOUND, 0);
  if (*anniversary != NULL && strlen(*anniversary) >= 7)
    *month = atoi(*anniversary + 5);
  return 0;
}

static bool month_enabled(const struct cspd_program_settings *s, int month) {
  for (int i = 0; i < s->nmonths; i++) {
    int f = s->months[i].from, t = s->months[i].to;
    if (f <= t ? (month >= f && month <= t) : (month >= f || month <= t))
      return true;
  }
  return false;
}

struct enr_context {
  struct cspd_location loc;
  struct cspd_org org;
  json_t *missing; /* owned */
  int month;
  char *anniversary;
  bool available;
  const char *why;
  enum cspd_error_id why_id;
};

/** Gather what the form shows and submission checks. */
static int enr_gather(struct cspd_ctx *c, struct enr_context *e) {
  memset(e, 0, sizeof *e);
  int rc = OPS(c)->location_get(c->db, c->who->tenant_id, c->arena, &e->loc);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_LOCATION_NOT_FOUND, 0);
  rc = OPS(c)->org_get(c->db, e->loc.org_id, c->arena, &e->org);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_PARTNER_NOT_FOUND, 0);
  if ((rc = anniversary_month(c, e->org.id, &e->month, &e->anniversary)) != 0)
    return rc;
  struct cspd_program_settings s;
  if ((rc = cspd_program_settings_get(c, &s)) != 0)
    return rc;
  e->missing = profile_missing(&e->loc, &e->org);
  enum cspd_mstate db;
  if ((rc = cspd_membership_state(c, e->loc.tenant_id, CSPD_PROG_DIRECT_BILL, &db)) != 0) {
    json_decref(e->missing);
    return rc;
  }
  e->available = true;
  if (db != CSPD_MS_ACTIVE && db != CSPD_MS_RESTRICTED) {
    e->available = false;
    e->why_id = CSPD_E_ENR_NOT_DIRECT_BILL;
  } else if (e->month == 0 || !month_enabled(&s, e->month)) {
    e->available = false;
    e->why_id = CSPD_E_ENR_ANNIVERSARY;
  }
  if (!e->available)
    e->why = cspd_error_info(e->why_id)->description;
  return 0;
}

static json_t *str_or_null(const char *s) {
  return s ? json_string(s) : json_null();
}

static json_t *form_json(struct cspd_ctx *c, const struct enr_context *e) {
  const struct cspd_market_country *mc = cspd_market_of(e->loc.country);
  char etag[24];
  snprintf(etag, sizeof etag, "%lld", (long long)e->loc.version);
  json_t *partner = json_pack(
      "{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:{s:s, s:o, s:o, s:o, s:o, s:o}, "
      "s:{s:o, s:o, s:o, s:o}}",
      "tenantId", e->loc.tenant_id, "companyName", e->loc.company_name, "mpnId", e->loc.mpn_id,
      "globalMpnId", e->org.mpn_id, "country", e->loc.country, "market", mc ? mc->market : "",
      "anniversaryDate", str_or_null(e->anniversary), "address", "country", e->loc.country,
      "addressLine1", str_or_null(e->loc.address.line1), "addressLine2",
      str_or_null(e->loc.address.line2), "city", str_or_null(e->loc.address.city), "state",
      str_or_null(e->loc.address.state), "postalCode", str_or_null(e->loc.address.postal_code),
      "primaryContact", "firstName", str_or_null(e->loc.contact.first_name), "lastName",
      str_or_null(e->loc.contact.last_name), "email", str_or_null(e->loc.contact.email),
      "phoneNumber", str_or_null(e->loc.contact.phone));
  json_t *f = json_pack("{s:s, s:O, s:b, s:o, s:b, s:s, s:s}", "program", "indirect_reseller",
                        "partner", partner, "profileComplete", json_array_size(e->missing) == 0,
                        "missing", json_incref(e->missing), "available", e->available,
                        "profileEtag", etag, "tenantNote",
                        "Your indirect reseller business uses the same tenant (directory) as "
                        "your direct-bill business.");
  json_decref(partner);
  if (!e->available) {
    json_object_set_new(f, "reason", json_string(e->why));
    const char *rule = cspd_error_info(e->why_id)->rule;
    if (rule)
      json_object_set_new(f, "rule", json_string(rule));
  }
  (void)c;
  return f;
}

int cspd_enrollment_form(struct cspd_ctx *c, enum cspd_program program, json_t **form) {
  if (require_partner(c) != 0)
    return -1;
  if (program != CSPD_PROG_INDIRECT_RESELLER)
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "the only enrollment is program=indirect_reseller");
  if (!(c->who->roles & CSPD_ROLE_GLOBAL_ADMIN))
    return cspd_fail(c, CSPD_E_ENR_GLOBAL_ADMIN, NULL); /* R-ENR-1 */
  struct enr_context e;
  int rc = enr_gather(c, &e);
  if (rc != 0)
    return rc;
  *form = form_json(c, &e);
  struct cspd_enrollment prev;
  rc = OPS(c)->enrollment_get_by_tenant(c->db, e.loc.tenant_id, program, c->arena, &prev);
  if (rc == 0)
    json_object_set_new(*form, "existingEnrollment",
                        json_pack("{s:s, s:s}", "id", prev.id, "status", mstate_names[prev.state]));
  json_decref(e.missing);
  if (rc != 0 && rc != CSPD_STORE_NOTFOUND) {
    json_decref(*form);
    return cspd_store_fail(c, rc, 0, 0);
  }
  return 0;
}

static const char *ms_text(struct cspd_ctx *c, int64_t ms) {
  char buf[32];
  cspd_time_format(ms, false, buf);
  return cspd_arena_strdup(c->arena, buf);
}

/** Approval: pending -> approved, membership approved, notify (R-ENR-3). */
static int approve(struct cspd_ctx *c, struct cspd_enrollment *e, const char *by) {
  e->state = CSPD_MS_APPROVED;
  e->decided_ms = c->now_ms;
  e->decided_by = by;
  e->version++;
  int rc = OPS(c)->enrollment_update(c->db, e);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_ENROLLMENT_NOT_FOUND, 0);
  if ((rc = cspd_membership_set(c, e->tenant_id, e->program, CSPD_MS_APPROVED,
                                "enrollment approved")) != 0)
    return rc;
  if ((rc = cspd_store_fail(
           c, OPS(c)->job_cancel(c->db, "enrollment_auto_approve", e->id, c->now_ms), 0, 0)) != 0)
    return rc;
  if ((rc = cspd_audit(c, "approve_enrollment", "Enrollment", e->id, NULL, by)) != 0 ||
      (rc = cspd_event(c, e->tenant_id, "enrollment-approved",
                       cspd_arena_printf(c->arena, "/v1/enrollments/%s", e->id), e->id)) != 0)
    return rc;
  return cspd_notify(
      c, e->tenant_id, e->contact_email, "enrollment_approved",
      "Your indirect reseller enrollment is approved",
      cspd_arena_printf(c->arena,
                        "Your enrollment as indirect reseller (%s) was approved on %s.\n\n"
                        "Sign in again; on the Overview page you will see the indirect reseller "
                        "agreement. Select \"Accept and continue\" to switch on the indirect "
                        "reseller capabilities. You can check the status under Settings > "
                        "Account settings > Program info.\n",
                        e->id, ms_text(c, c->now_ms)));
}

int cspd_enrollment_submit(struct cspd_ctx *c, enum cspd_program program, const char *profile_etag,
                           const char *contact_email, struct cspd_enrollment *out) {
  if (require_partner(c) != 0)
    return -1;
  if (program != CSPD_PROG_INDIRECT_RESELLER)
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "the only enrollment is program=indirect_reseller");
  /* R-ENR-1: only a global admin of the existing direct-bill tenant */
  if (!(c->who->roles & CSPD_ROLE_GLOBAL_ADMIN))
    return cspd_fail(c, CSPD_E_ENR_GLOBAL_ADMIN, NULL);
  struct enr_context e;
  int rc = enr_gather(c, &e);
  if (rc != 0)
    return rc;
  json_t *form = form_json(c, &e);
  size_t nmissing = json_array_size(e.missing);
  if (nmissing > 0) {
    /* R-ENR-2: a current profile and a valid PartnerID */
    char *list = json_dumps(e.missing, JSON_COMPACT);
    cspd_fail(c, CSPD_E_ENR_PROFILE_INCOMPLETE, "missing: %s", list ? list : "");
    free(list);
    size_t k;
    json_t *m;
    json_array_foreach(e.missing, k, m)
        cspd_fail_data(c, cspd_arena_strdup(c->arena, json_string_value(m)));
  }
  json_decref(e.missing);
  if (nmissing > 0) {
    json_decref(form);
    return -1;
  }
  if (!e.available) { /* R-ENR-1 (not direct-bill) or R-ENR-4 (anniversary) */
    json_decref(form);
    if (e.why_id == CSPD_E_ENR_ANNIVERSARY)
      return cspd_fail(c, e.why_id, "(anniversary month %d)", e.month);
    return cspd_fail(c, e.why_id, NULL);
  }
  /* R-ENR-2: the details were reviewed: the etag of the reviewed profile */
  if (profile_etag == NULL || profile_etag[0] == '\0') {
    json_decref(form);
    return cspd_fail(c, CSPD_E_ENR_REVIEW_REQUIRED, NULL);
  }
  char etag[24];
  snprintf(etag, sizeof etag, "%lld", (long long)e.loc.version);
  if (strcmp(profile_etag, etag) != 0) {
    json_decref(form);
    return cspd_fail(c, CSPD_E_ENR_PROFILE_CHANGED, "(current profileEtag %s)", etag);
  }
  struct cspd_enrollment prev;
  rc = OPS(c)->enrollment_get_by_tenant(c->db, e.loc.tenant_id, program, c->arena, &prev);
  bool resubmit = false;
  if (rc == 0) {
    if (prev.state != CSPD_MS_REJECTED) {
      json_decref(form);
      return cspd_fail(c, CSPD_E_ENR_EXISTS, "(enrollment %s is %s)", prev.id,
                       mstate_names[prev.state]);
    }
    resubmit = true;
  } else if (rc != CSPD_STORE_NOTFOUND) {
    json_decref(form);
    return cspd_store_fail(c, rc, 0, 0);
  }
  enum cspd_mstate rs;
  if ((rc = cspd_membership_state(c, e.loc.tenant_id, program, &rs)) != 0) {
    json_decref(form);
    return rc;
  }
  if (rs == CSPD_MS_ACTIVE || rs == CSPD_MS_APPROVED || rs == CSPD_MS_PENDING) {
    json_decref(form);
    return cspd_fail(c, CSPD_E_ENR_EXISTS, "(already %s)", mstate_names[rs]);
  }
  const char *contact = blank_to_null(contact_email) ? contact_email : e.loc.contact.email;
  if (contact == NULL || !cspd_email_valid(contact)) {
    json_decref(form);
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "primaryContactEmail is not an e-mail address");
  }
  char *ftxt = json_dumps(form, JSON_COMPACT);
  json_decref(form);
  memset(out, 0, sizeof *out);
  if (resubmit)
    *out = prev;
  else
    cspd_guid_new(out->id);
  snprintf(out->tenant_id, sizeof out->tenant_id, "%s", e.loc.tenant_id);
  out->program = program;
  out->state = CSPD_MS_PENDING; /* R-ENR-3 */
  out->contact_email = cspd_arena_strdup(c->arena, contact);
  out->form_json = cspd_arena_strdup(c->arena, ftxt ? ftxt : "{}");
  free(ftxt);
  out->submitted_ms = c->now_ms;
  out->submitted_by = c->who->user_id[0] ? c->who->user_id : c->who->app_id;
  out->decided_ms = 0;
  out->decided_by = NULL;
  out->version = resubmit ? prev.version + 1 : 1;
  rc = resubmit ? OPS(c)->enrollment_update(c->db, out) : OPS(c)->enrollment_insert(c->db, out);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, CSPD_E_ENR_EXISTS);
  if ((rc = cspd_membership_set(c, out->tenant_id, program, CSPD_MS_PENDING,
                                "enrollment submitted")) != 0 ||
      (rc = cspd_audit(c, "submit_enrollment", "Enrollment", out->id, NULL, NULL)) != 0 ||
      (rc = cspd_event(c, out->tenant_id, "enrollment-submitted",
                       cspd_arena_printf(c->arena, "/v1/enrollments/%s", out->id), out->id)) != 0 ||
      (rc = cspd_notify(c, out->tenant_id, out->contact_email, "enrollment_submitted",
                        "We received your indirect reseller enrollment",
                        cspd_arena_printf(c->arena,
                                          "Your enrollment as indirect reseller (%s) is "
                                          "pending. Approval is usually immediate but can take "
                                          "up to five business days.\n",
                                          out->id))) != 0)
    return rc;
  struct cspd_program_settings s;
  if ((rc = cspd_program_settings_get(c, &s)) != 0)
    return rc;
  /* R-INC-1: the incentive invitation within 30 days of the enrollment */
  rc = OPS(c)->job_schedule(c->db, "incentive_invitation", out->id,
                            c->now_ms + (int64_t)s.incentive_days * DAY_MS, c->now_ms);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  /* R-ENR-3: approved by the operator, or by policy within five business days */
  if (s.auto_approve_days == 0) {
    const struct cspd_principal *who = c->who;
    c->who = NULL; /* the policy approves, not the partner */
    rc = approve(c, out, "policy:immediate");
    c->who = who;
    return rc;
  }
  rc = OPS(c)->job_schedule(c->db, "enrollment_auto_approve", out->id,
                            cspd_add_business_days(c->now_ms, s.auto_approve_days), c->now_ms);
  return cspd_store_fail(c, rc, 0, 0);
}

/** Load enrollment @a id visible to the caller (operator, or its tenant). */
int cspd_enrollment_read(struct cspd_ctx *c, const char *id, struct cspd_enrollment *out) {
  char g[37];
  if (id == NULL || cspd_guid_normalize(id, g) != 0)
    return cspd_fail(c, CSPD_E_BAD_GUID, "enrollment id");
  int rc = OPS(c)->enrollment_get(c->db, g, c->arena, out);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_ENROLLMENT_NOT_FOUND, 0);
  if (c->who != NULL && !is_operator(c) && strcmp(c->who->tenant_id, out->tenant_id) != 0)
    return cspd_fail(c, CSPD_E_ENROLLMENT_NOT_FOUND, NULL); /* not yours: as if absent */
  return 0;
}

int cspd_enrollment_approve(struct cspd_ctx *c, const char *id, struct cspd_enrollment *out) {
  if (require_operator(c) != 0)
    return -1;
  int rc = cspd_enrollment_read(c, id, out);
  if (rc != 0)
    return rc;
  if (out->state != CSPD_MS_PENDING)
    return cspd_fail(c, CSPD_E_ENR_NOT_PENDING, "(it is %s)", mstate_names[out->state]);
  return approve(c, out, c->who ? (c->who->user_id[0] ? c->who->user_id : "operator") : "policy");
}

int cspd_enrollment_reject(struct cspd_ctx *c, const char *id, const char *reason,
                           struct cspd_enrollment *out) {
  if (require_operator(c) != 0)
    return -1;
  int rc = cspd_enrollment_read(c, id, out);
  if (rc != 0)
    return rc;
  if (out->state != CSPD_MS_PENDING)
    return cspd_fail(c, CSPD_E_ENR_NOT_PENDING, "(it is %s)", mstate_names[out->state]);
  out->state = CSPD_MS_REJECTED;
  out->decided_ms = c->now_ms;
  out->decided_by = c->who && c->who->user_id[0] ? c->who->user_id : "operator";
  out->version++;
  rc = OPS(c)->enrollment_update(c->db, out);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_ENROLLMENT_NOT_FOUND, 0);
  if ((rc = cspd_membership_set(c, out->tenant_id, out->program, CSPD_MS_REJECTED, reason)) != 0 ||
      (rc = cspd_store_fail(
           c, OPS(c)->job_cancel(c->db, "enrollment_auto_approve", out->id, c->now_ms), 0, 0)) !=
          0 ||
      (rc = cspd_store_fail(
           c, OPS(c)->job_cancel(c->db, "incentive_invitation", out->id, c->now_ms), 0, 0)) != 0 ||
      (rc = cspd_audit(c, "reject_enrollment", "Enrollment", out->id, NULL, reason)) != 0 ||
      (rc = cspd_event(c, out->tenant_id, "enrollment-rejected",
                       cspd_arena_printf(c->arena, "/v1/enrollments/%s", out->id), out->id)) != 0)
    return rc;
  return cspd_notify(c, out->tenant_id, out->contact_email, "enrollment_rejected",
                     "Your indirect reseller enrollment was not approved",
                     cspd_arena_printf(c->arena, "Enrollment %s was rejected%s%s.\n", out->id,
                                       reason ? ": " : "", reason ? reason : ""));
}

int cspd_enrollment_accept_agreement(struct cspd_ctx *c, const char *id,
                                     struct cspd_enrollment *out) {
  if (require_partner(c) != 0)
    return -1;
  int rc = cspd_enrollment_read(c, id, out);
  if (rc != 0)
    return rc;
  if (!is_global_admin_of(c, out->tenant_id))
    return cspd_fail(c, CSPD_E_ENR_GLOBAL_ADMIN, "(accepting the agreement)");
  if (out->state == CSPD_MS_ACTIVE)
    return cspd_fail(c, CSPD_E_ENR_AGREEMENT_ACCEPTED, NULL);
  if (out->state != CSPD_MS_APPROVED)
    return cspd_fail(c, CSPD_E_ENR_NOT_APPROVED, "(it is %s)", mstate_names[out->state]);
  /* R-ENR-5: accepting switches the indirect reseller capabilities on */
  out->state = CSPD_MS_ACTIVE;
  out->agreement_accepted_ms = c->now_ms;
  out->agreement_accepted_by = c->who->user_id[0] ? c->who->user_id : c->who->app_id;
  out->version++;
  rc = OPS(c)->enrollment_update(c->db, out);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_ENROLLMENT_NOT_FOUND, 0);
  if ((rc = cspd_membership_set(c, out->tenant_id, out->program, CSPD_MS_ACTIVE,
                                "indirect reseller agreement accepted")) != 0 ||
      (rc = cspd_audit(c, "accept_indirect_reseller_agreement", "Enrollment", out->id, NULL,
                       NULL)) != 0 ||
      (rc = cspd_event(c, out->tenant_id, "indirect-reseller-agreement-accepted",
                       cspd_arena_printf(c->arena, "/v1/enrollments/%s", out->id), out->id)) != 0)
    return rc;
  return 0;
}

int cspd_enrollment_undo(struct cspd_ctx *c, const char *id) {
  struct cspd_enrollment e;
  int rc = cspd_enrollment_read(c, id, &e);
  if (rc != 0)
    return rc;
  /* R-ENR-7: there is no way back to a direct-bill-only tenant */
  return cspd_fail(c, CSPD_E_ENR_IRREVERSIBLE, NULL);
}

/* ---- partnerships --------------------------------------------------------------------------- */

int cspd_providers_lookup_allowed(struct cspd_ctx *c) {
  if (is_operator(c))
    return 0;
  if (require_partner(c) != 0)
    return -1;
  enum cspd_mstate st;
  int rc = cspd_membership_state(c, c->who->tenant_id, CSPD_PROG_INDIRECT_RESELLER, &st);
  if (rc != 0)
    return rc;
  if (st == CSPD_MS_ACTIVE)
    return 0;
  if (st == CSPD_MS_APPROVED || st == CSPD_MS_PENDING)
    return cspd_fail(c, CSPD_E_RESELLER_NOT_ENABLED, NULL);  /* R-ENR-5 */
  return cspd_fail(c, CSPD_E_PRT_LOOKUP_NOT_ENROLLED, NULL); /* R-PRT-1 */
}

static const char *market_of_location(const struct cspd_location *l) {
  const struct cspd_market_country *mc = cspd_market_of(l->country);
  return mc ? mc->market : "";
}

int cspd_invitation_create(struct cspd_ctx *c, const char *reseller_mpn_id, const char *email,
                           struct cspd_invitation *out) {
  if (require_partner(c) != 0)
    return -1;
  enum cspd_mstate st;
  int rc = cspd_membership_state(c, c->who->tenant_id, CSPD_PROG_INDIRECT_PROVIDER, &st);
  if (rc != 0)
    return rc;
  if (st != CSPD_MS_ACTIVE)
    return cspd_fail(c, CSPD_E_PRT_NOT_PROVIDER, NULL);
  reseller_mpn_id = blank_to_null(reseller_mpn_id);
  email = blank_to_null(email);
  if ((reseller_mpn_id == NULL) == (email == NULL))
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "give exactly one of resellerMpnId or email");
  if (email != NULL && !cspd_email_valid(email))
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "email is not an e-mail address");
  struct cspd_location prov, res;
  rc = OPS(c)->location_get(c->db, c->who->tenant_id, c->arena, &prov);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_LOCATION_NOT_FOUND, 0);
  const char *to = email;
  const char *res_tenant = NULL;
  if (reseller_mpn_id != NULL) {
    rc = OPS(c)->location_get_by_mpn(c->db, reseller_mpn_id, c->arena, &res);
    if (rc != 0)
      return cspd_store_fail(c, rc, CSPD_E_MPN_NOT_FOUND, 0);
    if (strcmp(res.tenant_id, prov.tenant_id) == 0)
      return cspd_fail(c, CSPD_E_PRT_SELF, NULL);
    /* R-REG-2: only within one market */
    if (strcmp(market_of_location(&res), market_of_location(&prov)) != 0)
      return cspd_fail(c, CSPD_E_REG_CROSS_MARKET, "(provider in %s, reseller in %s)",
                       market_of_location(&prov), market_of_location(&res));
    struct cspd_partnership ps;
    rc = OPS(c)->partnership_get(c->db, prov.tenant_id, res.tenant_id, c->arena, &ps);
    if (rc == 0 && strcmp(ps.state, "active") == 0)
      return cspd_fail(c, CSPD_E_PRT_EXISTS, NULL);
    if (rc != 0 && rc != CSPD_STORE_NOTFOUND)
      return cspd_store_fail(c, rc, 0, 0);
    to = res.contact.email;
    res_tenant = res.tenant_id;
  }
  if (email != NULL) {
    /* an address of a known user: its tenant can read the e-mail */
    struct cspd_user u;
    if (OPS(c)->user_get_by_email(c->db, email, c->arena, &u) == 0)
      res_tenant = cspd_arena_strdup(c->arena, u.tenant_id);
  }
  memset(out, 0, sizeof *out);
  cspd_guid_new(out->id);
  snprintf(out->provider_tenant_id, sizeof out->provider_tenant_id, "%s", prov.tenant_id);
  out->reseller_mpn_id = reseller_mpn_id ? cspd_arena_strdup(c->arena, reseller_mpn_id) : NULL;
  out->reseller_email = email ? cspd_arena_strdup(c->arena, email) : NULL;
  out->state = "pending";
  out->created_ms = c->now_ms;
  out->version = 1;
  rc = OPS(c)->invitation_insert(c->db, out);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  const char *link = cspd_arena_printf(c->arena, "%s/#/partnerships/invitations/%s",
                                       c->base_url ? c->base_url : "", out->id);
  if ((rc = cspd_audit(c, "create_partnership_invitation", "PartnershipInvitation", out->id, NULL,
                       NULL)) != 0 ||
      (rc = cspd_event(c, prov.tenant_id, "partnership-invitation-created",
                       cspd_arena_printf(c->arena, "/v1/partnerships/invitations/%s", out->id),
                       out->id)) != 0)
    return rc;
  return cspd_notify(
      c, res_tenant, to, "partnership_invitation",
      cspd_arena_printf(c->arena, "%s invites you to partner as indirect reseller",
                        prov.company_name),
      cspd_arena_printf(c->arena,
                        "%s (PartnerID %s), an indirect provider, invites you to become one of "
                        "its indirect resellers.\n\nYour global admin signs in and follows this "
                        "link to accept:\n%s\n",
                        prov.company_name, prov.mpn_id, link));
}

/** May the caller see invitation @a v? The provider that sent it, the
 * operator, or the partner it is addressed to. */
static int invitation_visible(struct cspd_ctx *c, const struct cspd_invitation *v,
                              bool *addressee) {
  *addressee = false;
  if (is_operator(c) || strcmp(c->who->tenant_id, v->provider_tenant_id) == 0)
    return 0;
  struct cspd_location me;
  int rc = OPS(c)->location_get(c->db, c->who->tenant_id, c->arena, &me);
  if (rc == CSPD_STORE_NOTFOUND)
    return cspd_fail(c, CSPD_E_INVITATION_NOT_FOUND, NULL);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  if (v->reseller_mpn_id != NULL && strcmp(v->reseller_mpn_id, me.mpn_id) == 0)
    *addressee = true;
  if (v->reseller_email != NULL) {
    if (me.contact.email != NULL && strcasecmp(me.contact.email, v->reseller_email) == 0)
      *addressee = true;
    struct cspd_user u;
    rc = OPS(c)->user_get_by_email(c->db, v->reseller_email, c->arena, &u);
    if (rc == 0 && strcmp(u.tenant_id, me.tenant_id) == 0)
      *addressee = true;
  }
  return *addressee ? 0 : cspd_fail(c, CSPD_E_INVITATION_NOT_FOUND, NULL);
}

int cspd_invitation_read(struct cspd_ctx *c, const char *id, struct cspd_invitation *out) {
  char g[37];
  if (id == NULL || cspd_guid_normalize(id, g) != 0)
    return cspd_fail(c, CSPD_E_BAD_GUID, "invitation id");
  int rc = OPS(c)->invitation_get(c->db, g, c->arena, out);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_INVITATION_NOT_FOUND, 0);
  bool addressee;
  return invitation_visible(c, out, &addressee);
}

int cspd_invitation_accept(struct cspd_ctx *c, const char *id, struct cspd_invitation *out) {
  if (require_partner(c) != 0)
    return -1;
  char g[37];
  if (id == NULL || cspd_guid_normalize(id, g) != 0)
    return cspd_fail(c, CSPD_E_BAD_GUID, "invitation id");
  int rc = OPS(c)->invitation_get(c->db, g, c->arena, out);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_INVITATION_NOT_FOUND, 0);
  if (strcmp(out->provider_tenant_id, c->who->tenant_id) == 0)
    return cspd_fail(c, CSPD_E_PRT_SELF, NULL);
  bool addressee;
  if (invitation_visible(c, out, &addressee) != 0) {
    if (c->err.id == CSPD_E_INVITATION_NOT_FOUND)
      return cspd_fail(c, CSPD_E_PRT_NOT_ADDRESSEE, NULL);
    return -1;
  }
  /* R-PRT-2: the reseller's global admin accepts */
  if (!(c->who->roles & CSPD_ROLE_GLOBAL_ADMIN))
    return cspd_fail(c, CSPD_E_PRT_ACCEPT_ROLE, NULL);
  if (strcmp(out->state, "pending") != 0)
    return cspd_fail(c, CSPD_E_PRT_NOT_PENDING, "(it is %s)", out->state);
  /* R-ENR-5 / R-IR-1: only an enrolled reseller with the agreement accepted */
  enum cspd_mstate st;
  if ((rc = cspd_membership_state(c, c->who->tenant_id, CSPD_PROG_INDIRECT_RESELLER, &st)) != 0)
    return rc;
  if (st == CSPD_MS_APPROVED || st == CSPD_MS_PENDING)
    return cspd_fail(c, CSPD_E_RESELLER_NOT_ENABLED, NULL); /* R-ENR-5 */
  if (st != CSPD_MS_ACTIVE)
    return cspd_fail(c, CSPD_E_RESELLER_NOT_ENROLLED, NULL); /* R-IR-1 */
  struct cspd_location prov, res;
  if ((rc = OPS(c)->location_get(c->db, out->provider_tenant_id, c->arena, &prov)) != 0 ||
      (rc = OPS(c)->location_get(c->db, c->who->tenant_id, c->arena, &res)) != 0)
    return cspd_store_fail(c, rc, CSPD_E_LOCATION_NOT_FOUND, 0);
  enum cspd_mstate pst;
  if ((rc = cspd_membership_state(c, prov.tenant_id, CSPD_PROG_INDIRECT_PROVIDER, &pst)) != 0)
    return rc;
  if (pst != CSPD_MS_ACTIVE) /* the provider is no longer an active provider */
    return cspd_fail(c, CSPD_E_PRT_NOT_PROVIDER, "(the inviting provider is %s)",
                     mstate_names[pst]);
  /* R-REG-2 */
  if (strcmp(market_of_location(&res), market_of_location(&prov)) != 0)
    return cspd_fail(c, CSPD_E_REG_CROSS_MARKET, "(provider in %s, reseller in %s)",
                     market_of_location(&prov), market_of_location(&res));
  struct cspd_partnership ps;
  rc = OPS(c)->partnership_get(c->db, prov.tenant_id, res.tenant_id, c->arena, &ps);
  if (rc == 0) {
    if (strcmp(ps.state, "active") == 0)
      return cspd_fail(c, CSPD_E_PRT_EXISTS, NULL);
    rc = OPS(c)->partnership_set_state(c->db, prov.tenant_id, res.tenant_id, "active", 0);
  } else if (rc == CSPD_STORE_NOTFOUND) {
    /* R-PRT-3: a reseller may partner with several providers */
    struct cspd_partnership np = {.state = "active", .created_ms = c->now_ms};
    memcpy(np.provider_tenant_id, prov.tenant_id, sizeof np.provider_tenant_id);
    memcpy(np.reseller_tenant_id, res.tenant_id, sizeof np.reseller_tenant_id);
    rc = OPS(c)->partnership_insert(c->db, &np);
  }
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, CSPD_E_PRT_EXISTS);
  out->state = "accepted";
  out->accepted_ms = c->now_ms;
  out->accepted_tenant_id = cspd_arena_strdup(c->arena, res.tenant_id);
  out->version++;
  rc = OPS(c)->invitation_update(c->db, out);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_INVITATION_NOT_FOUND, 0);
  const char *uri = cspd_arena_printf(c->arena, "/v1/relationships");
  if ((rc = cspd_audit(c, "accept_partnership_invitation", "PartnerRelationship", out->id, NULL,
                       res.tenant_id)) != 0 ||
      (rc = cspd_event(c, prov.tenant_id, "partnership-accepted", uri, res.company_name)) != 0 ||
      (rc = cspd_event(c, res.tenant_id, "partnership-accepted", uri, prov.company_name)) != 0)
    return rc;
  return cspd_notify(
      c, prov.tenant_id, prov.contact.email, "partnership_accepted",
      cspd_arena_printf(c->arena, "%s accepted your partnership invitation", res.company_name),
      cspd_arena_printf(c->arena,
                        "%s (PartnerID %s) is now one of your indirect "
                        "resellers.\n",
                        res.company_name, res.mpn_id));
}

int cspd_partnership_end(struct cspd_ctx *c, const char *provider, const char *reseller,
                         const char *reason) {
  /* R-PRT-4: never by either partner alone */
  if (c->who != NULL && !is_operator(c))
    return cspd_fail(c, CSPD_E_PRT_OPERATOR_ONLY, NULL);
  char p[37], r[37];
  if (cspd_guid_normalize(provider, p) != 0 || cspd_guid_normalize(reseller, r) != 0)
    return cspd_fail(c, CSPD_E_BAD_GUID, "tenant id");
  struct cspd_partnership ps;
  int rc = OPS(c)->partnership_get(c->db, p, r, c->arena, &ps);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_PRT_NOT_FOUND, 0);
  if (strcmp(ps.state, "active") != 0)
    return cspd_fail(c, CSPD_E_PRT_NOT_FOUND, "(already ended)");
  rc = OPS(c)->partnership_set_state(c->db, p, r, "ended", c->now_ms);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_PRT_NOT_FOUND, 0);
  struct cspd_location pl, rl;
  if ((rc = OPS(c)->location_get(c->db, p, c->arena, &pl)) != 0 ||
      (rc = OPS(c)->location_get(c->db, r, c->arena, &rl)) != 0)
    return cspd_store_fail(c, rc, CSPD_E_LOCATION_NOT_FOUND, 0);
  const char *body = cspd_arena_printf(
      c->arena, "The operator ended the relationship between provider %s and reseller %s%s%s.\n",
      pl.company_name, rl.company_name, reason ? ": " : "", reason ? reason : "");
  if ((rc = cspd_audit(c, "end_partnership", "PartnerRelationship",
                       cspd_arena_printf(c->arena, "%s/%s", p, r), NULL, reason)) != 0 ||
      (rc = cspd_event(c, p, "partnership-ended", "/v1/relationships", rl.company_name)) != 0 ||
      (rc = cspd_event(c, r, "partnership-ended", "/v1/relationships", pl.company_name)) != 0 ||
      (rc = cspd_notify(c, p, pl.contact.email, "partnership_ended",
                        "A reseller relationship was ended", body)) != 0)
    return rc;
  return cspd_notify(c, r, rl.contact.email, "partnership_ended",
                     "A provider relationship was ended", body);
}

/* ---- revenue -------------------------------------------------------------------------------- */

extern const char cspd_fx_rates_tsv[]; /* generated from data/fx-rates.tsv */

/** "1.080000" -> 1080000 (millionths); -1 when malformed. */
int64_t cspd_parse_ppm(const char *s) {
  if (s == NULL || !isdigit((unsigned char)*s))
    return -1;
  int64_t whole = 0, frac = 0;
  int digits = 0;
  while (isdigit((unsigned char)*s)) {
    whole = whole * 10 + (*s++ - '0');
    if (whole > 1000000000LL)
      return -1;
  }
  if (*s == '.') {
    s++;
    while (isdigit((unsigned char)*s)) {
      if (digits < 6) {
        frac = frac * 10 + (*s - '0');
        digits++;
      }
      s++;
    }
  }
  if (*s != '\0')
    return -1;
  for (; digits < 6; digits++)
    frac *= 10;
  return whole * 1000000 + frac;
}

int cspd_fx_seed_defaults(struct cspd_ctx *c) {
  struct cspd_fx_rate *rates;
  int n;
  int rc = OPS(c)->fx_list(c->db, c->arena, &rates, &n);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  if (n > 0)
    return 0; /* the operator's table stands */
  char *copy = cspd_arena_strdup(c->arena, cspd_fx_rates_tsv);
  char *save = NULL;
  for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    if (line[0] == '#' || line[0] == '\0')
      continue;
    char cur[8], rate[32];
    int exp;
    if (sscanf(line, "%7s %31s %d", cur, rate, &exp) != 3 || strlen(cur) != 3)
      return cspd_fail(c, CSPD_E_INTERNAL, "shipped fx-rates.tsv: bad line '%s'", line);
    struct cspd_fx_rate fx = {
        .usd_ppm = cspd_parse_ppm(rate), .exponent = exp, .updated_ms = c->now_ms};
    memcpy(fx.currency, cur, 4);
    if (fx.usd_ppm <= 0)
      return cspd_fail(c, CSPD_E_INTERNAL, "shipped fx-rates.tsv: bad rate '%s'", rate);
    if ((rc = OPS(c)->fx_put(c->db, &fx)) != 0)
      return cspd_store_fail(c, rc, 0, 0);
  }
  return 0;
}

int cspd_to_usd_minor(struct cspd_ctx *c, int64_t amount_minor, const char *currency,
                      int64_t *usd_minor) {
  struct cspd_fx_rate fx;
  char cur[4] = {0};
  for (int i = 0; i < 3 && currency && currency[i]; i++)
    cur[i] = (char)toupper((unsigned char)currency[i]);
  int rc = OPS(c)->fx_get(c->db, cur, &fx);
  if (rc == CSPD_STORE_NOTFOUND)
    return cspd_fail(c, CSPD_E_UNKNOWN_CURRENCY, "'%s'", currency ? currency : "");
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  /* usd cents = amount * 10^(2 - exponent) * ppm / 10^6, rounded half away from zero */
  __int128 v = (__int128)amount_minor * fx.usd_ppm;
  __int128 den = 1000000;
  for (int e = fx.exponent; e < 2; e++)
    v *= 10;
  for (int e = 2; e < fx.exponent; e++)
    den *= 10;
  __int128 q = v / den, rem = v % den;
  if (rem * 2 >= den)
    q++;
  else if (rem * 2 <= -den)
    q--;
  *usd_minor = (int64_t)q;
  return 0;
}

static bool period_valid(const char *p) {
  return p != NULL && strlen(p) == 7 && isdigit((unsigned char)p[0]) &&
         isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2]) &&
         isdigit((unsigned char)p[3]) && p[4] == '-' && isdigit((unsigned char)p[5]) &&
         isdigit((unsigned char)p[6]) && atoi(p + 5) >= 1 && atoi(p + 5) <= 12;
}

int cspd_revenue_record(struct cspd_ctx *c, const char *org_id, const char *tenant_id,
                        const char *period, int64_t amount_minor, const char *currency,
                        const char *kind, const char *source, struct cspd_revenue *out) {
  if (require_operator(c) != 0)
    return -1;
  char g[37];
  if (org_id == NULL || cspd_guid_normalize(org_id, g) != 0)
    return cspd_fail(c, CSPD_E_BAD_GUID, "partnerId");
  struct cspd_org o;
  int rc = OPS(c)->org_get(c->db, g, c->arena, &o);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_PARTNER_NOT_FOUND, 0);
  if (!period_valid(period))
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "period must be YYYY-MM");
  if (kind == NULL)
    kind = "cloud";
  if (strcmp(kind, "cloud") != 0 && strcmp(kind, "perpetual_software") != 0)
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "kind must be cloud or perpetual_software");
  memset(out, 0, sizeof *out);
  memcpy(out->org_id, g, sizeof out->org_id);
  out->tenant_id = tenant_id;
  snprintf(out->period, sizeof out->period, "%s", period);
  out->amount_minor = amount_minor;
  for (int i = 0; i < 3 && currency && currency[i]; i++)
    out->currency[i] = (char)toupper((unsigned char)currency[i]);
  if ((rc = cspd_to_usd_minor(c, amount_minor, out->currency, &out->usd_minor)) != 0)
    return rc;
  out->kind = kind;
  out->source = source ? source : "operator";
  out->created_ms = c->now_ms;
  rc = OPS(c)->revenue_insert(c->db, out);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  return cspd_audit(c, "record_revenue", "RevenueEntry",
                    cspd_arena_printf(c->arena, "%lld", (long long)out->id), NULL, NULL);
}

/** "YYYY-MM" of @a ms shifted by @a months. */
static void period_of(int64_t ms, int months, char out[8]) {
  time_t secs = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  unsigned idx = (unsigned)((tm.tm_year + 1900) * 12 + tm.tm_mon + months);
  snprintf(out, 8, "%04u-%02u", (idx / 12) % 10000u, idx % 12u + 1u);
}

int cspd_directbill_evaluate(struct cspd_ctx *c, int64_t as_of_ms, bool apply, json_t **report) {
  if (require_operator(c) != 0)
    return -1;
  struct cspd_program_settings s;
  int rc = cspd_program_settings_get(c, &s);
  if (rc != 0)
    return rc;
  /* R-DB-1: the 12 full months before the evaluation month */
  char from[8], to[8];
  period_of(as_of_ms, -12, from);
  period_of(as_of_ms, -1, to);
  json_t *items = json_array();
  const char *after = "";
  for (;;) {
    struct cspd_org *orgs;
    int n;
    rc = OPS(c)->org_list(c->db, after, 200, c->arena, &orgs, &n);
    if (rc != 0)
      break;
    for (int i = 0; i < n && rc == 0; i++) {
      struct cspd_location *locs;
      int nl;
      rc = OPS(c)->location_list(c->db, orgs[i].id, "", 500, c->arena, &locs, &nl);
      if (rc != 0)
        break;
      bool any = false;
      enum cspd_mstate st[500];
      for (int k = 0; k < nl && rc == 0; k++) {
        rc = cspd_membership_state(c, locs[k].tenant_id, CSPD_PROG_DIRECT_BILL, &st[k]);
        if (st[k] == CSPD_MS_ACTIVE || st[k] == CSPD_MS_RESTRICTED)
          any = true;
      }
      if (rc != 0 || !any)
        continue;
      int64_t usd = 0;
      rc = OPS(c)->revenue_sum(c->db, orgs[i].id, from, to, &usd);
      if (rc != 0)
        break;
      bool meets = usd >= s.threshold_usd_minor;
      char *anniv, *org_email;
      rc = OPS(c)->org_get_program_fields(c->db, orgs[i].id, c->arena, &anniv, &org_email);
      if (rc != 0)
        break;
      json_t *changed = json_array();
      bool org_told = false; /* the global account hears once per evaluation */
      for (int k = 0; k < nl && rc == 0; k++) {
        enum cspd_mstate want = st[k];
        if (st[k] == CSPD_MS_ACTIVE && !meets)
          want = CSPD_MS_RESTRICTED;
        else if (st[k] == CSPD_MS_RESTRICTED && meets)
          want = CSPD_MS_ACTIVE;
        if (want == st[k])
          continue;
        if (!apply) {
          json_array_append_new(changed, json_pack("{s:s, s:s}", "tenantId", locs[k].tenant_id,
                                                   "state", mstate_names[want]));
          continue;
        }
        const char *reason = cspd_arena_printf(
            c->arena,
            "trailing 12-month CSP revenue USD %lld.%02lld (%s..%s) %s the "
            "required USD %lld.%02lld",
            (long long)(usd / 100), (long long)(llabs(usd) % 100), from, to,
            meets ? "meets" : "is below", (long long)(s.threshold_usd_minor / 100),
            (long long)(s.threshold_usd_minor % 100));
        rc = cspd_membership_set(c, locs[k].tenant_id, CSPD_PROG_DIRECT_BILL, want, reason);
        if (rc != 0)
          break;
        const char *ev =
            want == CSPD_MS_RESTRICTED ? "direct-bill-restricted" : "direct-bill-reinstated";
        const char *subj = want == CSPD_MS_RESTRICTED
                               ? "Your direct-bill capabilities are restricted"
                               : "Your direct-bill capabilities are restored";
        const char *body = cspd_arena_printf(
            c->arena, "%s\n\n%s.\n\n%s", subj, reason,
            want == CSPD_MS_RESTRICTED
                ? "You can no longer create customer tenants, request direct reseller "
                  "relationships or make new purchases. Existing subscriptions stay valid: you "
                  "can still suspend them and change license counts. You may enroll as indirect "
                  "reseller and buy through an indirect provider.\n"
                : "");
        if ((rc = cspd_event(c, locs[k].tenant_id, ev, "/v1/profiles/programinfo",
                             locs[k].company_name)) != 0 ||
            (rc = cspd_notify(c, locs[k].tenant_id, locs[k].contact.email, ev, subj, body)) != 0)
          break;
        if (org_email != NULL && !org_told &&
            (locs[k].contact.email == NULL || strcasecmp(org_email, locs[k].contact.email) != 0)) {
          rc = cspd_notify(c, locs[k].tenant_id, org_email, ev, subj, body);
          org_told = true;
        }
        json_array_append_new(changed, json_pack("{s:s, s:s}", "tenantId", locs[k].tenant_id,
                                                 "state", mstate_names[want]));
      }
      json_array_append_new(items,
                            json_pack("{s:s, s:s, s:s, s:I, s:I, s:b, s:o}", "partnerId",
                                      orgs[i].id, "companyName", orgs[i].name, "mpnId",
                                      orgs[i].mpn_id, "trailingRevenueUsdMinor", (json_int_t)usd,
                                      "thresholdUsdMinor", (json_int_t)s.threshold_usd_minor,
                                      "meetsRequirement", meets, "changes", changed));
    }
    if (rc != 0 || n < 200)
      break;
    after = orgs[n - 1].id;
  }
  if (rc != 0) {
    json_decref(items);
    return rc == CSPD_STORE_BUSY || rc == -1 ? rc : cspd_store_fail(c, rc, 0, 0);
  }
  char asof[32];
  cspd_time_format(as_of_ms, false, asof);
  *report = json_pack("{s:s, s:s, s:s, s:b, s:o, s:{s:s}}", "asOf", asof, "fromPeriod", from,
                      "toPeriod", to, "applied", apply, "items", items, "attributes", "objectType",
                      "DirectBillEvaluation");
  if (!apply)
    return 0;
  return cspd_audit(c, "evaluate_direct_bill_requirement", "DirectBillEvaluation", NULL, NULL,
                    asof);
}

/* ---- jobs
 * ---------------------------------------------------------------------------------------- */

/** Midnight UTC of the first day of the month after @a ms. */
static int64_t next_month_start(int64_t ms) {
  char p[8];
  period_of(ms, 1, p);
  int64_t out = 0;
  char buf[16];
  snprintf(buf, sizeof buf, "%s-01", p);
  cspd_time_parse(buf, &out);
  return out;
}

int cspd_jobs_ensure_monthly(struct cspd_ctx *c) {
  char *v;
  int rc = OPS(c)->setting_get(c->db, "jobs.directbill_monthly", c->arena, &v);
  if (rc == 0)
    return 0;
  if (rc != CSPD_STORE_NOTFOUND)
    return cspd_store_fail(c, rc, 0, 0);
  rc = OPS(c)->job_schedule(c->db, "directbill_evaluate", "monthly", next_month_start(c->now_ms),
                            c->now_ms);
  if (rc == 0)
    rc = OPS(c)->setting_put(c->db, "jobs.directbill_monthly", "1");
  return cspd_store_fail(c, rc, 0, 0);
}

int cspd_jobs_reschedule_monthly(struct cspd_ctx *c) {
  int rc = OPS(c)->job_schedule(c->db, "directbill_evaluate", "monthly",
                                next_month_start(c->now_ms), c->now_ms);
  if (rc == 0)
    rc = OPS(c)->setting_put(c->db, "jobs.directbill_monthly", "1");
  return cspd_store_fail(c, rc, 0, 0);
}

static int job_incentive(struct cspd_ctx *c, const char *enrollment_id) {
  struct cspd_enrollment e;
  int rc = OPS(c)->enrollment_get(c->db, enrollment_id, c->arena, &e);
  if (rc == CSPD_STORE_NOTFOUND)
    return 0; /* the partner was reset meanwhile */
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  if (e.state == CSPD_MS_REJECTED)
    return 0; /* no incentive invitation for a rejected enrollment */
  struct cspd_location l;
  if ((rc = OPS(c)->location_get(c->db, e.tenant_id, c->arena, &l)) != 0)
    return rc == CSPD_STORE_NOTFOUND ? 0 : cspd_store_fail(c, rc, 0, 0);
  char *anniv, *org_email;
  if ((rc = OPS(c)->org_get_program_fields(c->db, l.org_id, c->arena, &anniv, &org_email)) != 0)
    return cspd_store_fail(c, rc, 0, 0);
  struct cspd_org o;
  if ((rc = OPS(c)->org_get(c->db, l.org_id, c->arena, &o)) != 0)
    return cspd_store_fail(c, rc, 0, 0);
  /* R-INC-1: to the e-mail of the partner's global (MPN) account */
  const char *to = org_email ? org_email : l.contact.email;
  return cspd_notify(c, e.tenant_id, to, "incentive_invitation",
                     "Invitation: enroll in the indirect reseller incentive program",
                     cspd_arena_printf(c->arena,
                                       "%s (global PartnerID %s) enrolled as indirect reseller "
                                       "on %s. You are invited to enroll in the indirect "
                                       "reseller incentive program. Direct-bill incentives on "
                                       "the same tenant remain a separate program.\n",
                                       o.name, o.mpn_id, ms_text(c, e.submitted_ms)));
}

int cspd_jobs_run_one(struct cspd_ctx *c) {
  struct cspd_job j;
  int rc = OPS(c)->job_next_due(c->db, c->now_ms, c->arena, &j);
  if (rc == CSPD_STORE_NOTFOUND)
    return 0;
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  const struct cspd_principal *who = c->who;
  int64_t now = c->now_ms;
  c->who = NULL;        /* the system acts */
  c->now_ms = j.due_ms; /* as of when it was due */
  if (strcmp(j.kind, "enrollment_auto_approve") == 0) {
    struct cspd_enrollment e;
    rc = OPS(c)->enrollment_get(c->db, j.ref, c->arena, &e);
    if (rc == 0 && e.state == CSPD_MS_PENDING)
      rc = approve(c, &e, "policy:business_days");
    else if (rc == CSPD_STORE_NOTFOUND)
      rc = 0;
    else if (rc != 0)
      rc = cspd_store_fail(c, rc, 0, 0);
  } else if (strcmp(j.kind, "incentive_invitation") == 0) {
    rc = job_incentive(c, j.ref);
  } else if (strcmp(j.kind, "directbill_evaluate") == 0) {
    /* the month closes: invoice the month before (its revenue feeds R-DB-1),
     * then evaluate the requirement */
    json_t *report = NULL;
    char prev[8];
    period_of(j.due_ms, -1, prev);
    int64_t prev_ms = 0;
    char buf[16];
    snprintf(buf, sizeof buf, "%s-01", prev);
    cspd_time_parse(buf, &prev_ms);
    rc = cspd_billing_run(c, prev_ms, &report);
    json_decref(report);
    report = NULL;
    if (rc == 0)
      rc = cspd_directbill_evaluate(c, j.due_ms, true, &report);
    json_decref(report);
    if (rc == 0)
      rc = cspd_store_fail(c,
                           OPS(c)->job_schedule(c->db, "directbill_evaluate", "monthly",
                                                next_month_start(j.due_ms + 1), now),
                           0, 0);
  } else {
    cspd_log("error", "unknown job kind '%s' (id %lld): cancelled", j.kind, (long long)j.id);
    rc = cspd_store_fail(c, OPS(c)->job_finish(c->db, j.id, "cancelled", now), 0, 0);
    c->who = who;
    c->now_ms = now;
    return rc == 0 ? 1 : rc;
  }
  c->who = who;
  c->now_ms = now;
  if (rc != 0)
    return rc;
  rc = OPS(c)->job_finish(c->db, j.id, "done", now);
  return rc == 0 ? 1 : cspd_store_fail(c, rc, 0, 0);
}

struct job_run {
  struct cspd_ctx c;
  int ran;
};

static int job_fn(struct cspd_db *db, void *cls) {
  struct job_run *j = cls;
  j->c.db = db;
  j->c.now_ms = cspd_clock_now();
  memset(&j->c.err, 0, sizeof j->c.err);
  cspd_arena_reset(j->c.arena);
  int rc = cspd_jobs_run_one(&j->c);
  if (rc < 0)
    return rc;
  j->ran = rc;
  return 0;
}

/** Whether a job is due, in a read transaction: the worker wakes after every
 * write request, and taking the write lock only to find nothing due would
 * make request writers queue behind it. */
static int peek_fn(struct cspd_db *db, void *cls) {
  struct job_run *j = cls;
  struct cspd_job job;
  cspd_arena_reset(j->c.arena);
  int rc = cspd_db_ops(db)->job_next_due(db, cspd_clock_now(), j->c.arena, &job);
  j->ran = rc == 0;
  return rc == CSPD_STORE_NOTFOUND ? 0 : rc;
}

int cspd_jobs_run_due(struct cspd_store *store, bool sandbox, int max) {
  struct job_run j = {.c = {.sandbox = sandbox, .arena = cspd_arena_new(16384)}};
  int count = 0;
  while (count < max) {
    j.ran = 0;
    if (cspd_store_tx(store, false, peek_fn, &j, NULL) == 0 && !j.ran)
      break; /* nothing due (a failed peek falls through to the write transaction) */
    j.ran = 0;
    int rc = cspd_store_tx(store, true, job_fn, &j, NULL);
    if (rc != 0) {
      const struct cspd_error_info *e = cspd_error_info(j.c.err.id);
      cspd_log("error", "scheduled job failed: %s %s", e->description,
               j.c.err.detail ? j.c.err.detail : "");
      count = -1;
      break;
    }
    if (!j.ran)
      break;
    count++;
  }
  cspd_arena_free(j.c.arena);
  return count;
}
