/* sqlite_program.c -- program memberships, MPA signatures, enrollments,
 * partnership invitations, revenue and currency rates (SQLite). */
#include <stdio.h>
#include <string.h>

#include "sqlite_int.h"

static const char *const program_names[CSPD_PROG__COUNT] = {"direct_bill", "indirect_provider",
                                                            "indirect_reseller"};
static const char *const state_names[] = {"none",   "pending",    "approved",
                                          "active", "restricted", "rejected"};

static enum cspd_program program_of(const unsigned char *s) {
  for (int i = 0; i < CSPD_PROG__COUNT; i++)
    if (s && strcmp((const char *)s, program_names[i]) == 0)
      return (enum cspd_program)i;
  return CSPD_PROG_DIRECT_BILL;
}

static enum cspd_mstate state_of(const unsigned char *s) {
  for (size_t i = 0; i < sizeof state_names / sizeof state_names[0]; i++)
    if (s && strcmp((const char *)s, state_names[i]) == 0)
      return (enum cspd_mstate)i;
  return CSPD_MS_NONE;
}

#define PREP(var, sql)                                                                             \
  static const char var##_sql[] = sql;                                                             \
  sqlite3_stmt *var = sq_stmt(db, var##_sql);                                                      \
  if (var == NULL)                                                                                 \
    return CSPD_STORE_ERROR;

/* ---- partner organization program fields ------------------------------------- */

int sq_org_set_program_fields(struct cspd_db *db, const char *org_id, const char *anniversary,
                              const char *email) {
  PREP(s, "UPDATE partner_orgs SET anniversary = ?2, email = ?3 WHERE id = ?1");
  sq_bind_text(s, 1, org_id);
  sq_bind_text(s, 2, anniversary);
  sq_bind_text(s, 3, email);
  return sq_exec_update(db, s, "org_set_program_fields");
}

int sq_org_get_program_fields(struct cspd_db *db, const char *org_id, struct cspd_arena *a,
                              char **anniversary, char **email) {
  PREP(s, "SELECT anniversary, email FROM partner_orgs WHERE id = ?1");
  sq_bind_text(s, 1, org_id);
  int rc = sq_step_one(db, s, "org_get_program_fields");
  if (rc != 0)
    return rc;
  *anniversary = sq_col_text(s, 0, a);
  *email = sq_col_text(s, 1, a);
  sq_done(s);
  return 0;
}

/* ---- memberships ------------------------------------------------------------------- */

static void read_membership(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_membership *m = row;
  (void)a;
  sq_col_copy(s, 0, m->tenant_id, sizeof m->tenant_id);
  m->program = program_of(sqlite3_column_text(s, 1));
  m->state = state_of(sqlite3_column_text(s, 2));
  m->since_ms = sqlite3_column_int64(s, 3);
}

int sq_membership_list(struct cspd_db *db, const char *tenant_id, struct cspd_arena *a,
                       struct cspd_membership **out, int *n) {
  PREP(s, "SELECT tenant_id, program, state, since_ms FROM memberships WHERE tenant_id = ?1 "
          "ORDER BY program");
  sq_bind_text(s, 1, tenant_id);
  return sq_list_rows(db, s, CSPD_PROG__COUNT, sizeof **out, read_membership, a, (void **)out, n,
                      "membership_list");
}

int sq_membership_put(struct cspd_db *db, const struct cspd_membership *m, enum cspd_mstate from,
                      const char *reason) {
  PREP(s, "INSERT INTO memberships(tenant_id, program, state, since_ms) VALUES (?1, ?2, ?3, ?4) "
          "ON CONFLICT(tenant_id, program) DO UPDATE SET state = excluded.state, "
          "since_ms = excluded.since_ms");
  sq_bind_text(s, 1, m->tenant_id);
  sq_bind_text(s, 2, program_names[m->program]);
  sq_bind_text(s, 3, state_names[m->state]);
  sqlite3_bind_int64(s, 4, m->since_ms);
  int rc = sq_exec(db, s, "membership_put");
  if (rc != 0)
    return rc;
  PREP(h, "INSERT INTO membership_history(tenant_id, program, from_state, to_state, at_ms, "
          "reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  sq_bind_text(h, 1, m->tenant_id);
  sq_bind_text(h, 2, program_names[m->program]);
  sq_bind_text(h, 3, from == CSPD_MS_NONE ? NULL : state_names[from]);
  sq_bind_text(h, 4, state_names[m->state]);
  sqlite3_bind_int64(h, 5, m->since_ms);
  sq_bind_text(h, 6, reason);
  return sq_exec(db, h, "membership_history_insert");
}

static void read_change(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_membership_change *c = row;
  c->program = program_of(sqlite3_column_text(s, 0));
  c->from = state_of(sqlite3_column_text(s, 1));
  c->to = state_of(sqlite3_column_text(s, 2));
  c->at_ms = sqlite3_column_int64(s, 3);
  c->reason = sq_col_text(s, 4, a);
}

int sq_membership_history(struct cspd_db *db, const char *tenant_id, struct cspd_arena *a,
                          struct cspd_membership_change **out, int *n) {
  PREP(s, "SELECT program, from_state, to_state, at_ms, reason FROM membership_history "
          "WHERE tenant_id = ?1 ORDER BY id LIMIT 200");
  sq_bind_text(s, 1, tenant_id);
  return sq_list_rows(db, s, 200, sizeof **out, read_change, a, (void **)out, n,
                      "membership_history");
}

int sq_members_list(struct cspd_db *db, enum cspd_program program, enum cspd_mstate state,
                    const char *after, int limit, struct cspd_arena *a,
                    struct cspd_membership **out, int *n) {
  PREP(s, "SELECT tenant_id, program, state, since_ms FROM memberships WHERE program = ?1 AND "
          "state = ?2 AND tenant_id > ?3 ORDER BY tenant_id LIMIT ?4");
  sq_bind_text(s, 1, program_names[program]);
  sq_bind_text(s, 2, state_names[state]);
  sq_bind_text(s, 3, after ? after : "");
  sqlite3_bind_int(s, 4, limit);
  return sq_list_rows(db, s, limit, sizeof **out, read_membership, a, (void **)out, n,
                      "members_list");
}

/* ---- MPA -------------------------------------------------------------------------- */

int sq_mpa_get(struct cspd_db *db, const char *tenant_id, struct cspd_arena *a,
               struct cspd_mpa *out) {
  PREP(s, "SELECT tenant_id, signer_name, signer_email, signed_ms, user_id FROM mpa_signatures "
          "WHERE tenant_id = ?1");
  sq_bind_text(s, 1, tenant_id);
  int rc = sq_step_one(db, s, "mpa_get");
  if (rc != 0)
    return rc;
  sq_col_copy(s, 0, out->tenant_id, sizeof out->tenant_id);
  out->signer_name = sq_col_text(s, 1, a);
  out->signer_email = sq_col_text(s, 2, a);
  out->signed_ms = sqlite3_column_int64(s, 3);
  out->user_id = sq_col_text(s, 4, a);
  sq_done(s);
  return 0;
}

int sq_mpa_put(struct cspd_db *db, const struct cspd_mpa *in) {
  PREP(s, "INSERT INTO mpa_signatures(tenant_id, signer_name, signer_email, signed_ms, user_id) "
          "VALUES (?1, ?2, ?3, ?4, ?5)");
  sq_bind_text(s, 1, in->tenant_id);
  sq_bind_text(s, 2, in->signer_name);
  sq_bind_text(s, 3, in->signer_email);
  sqlite3_bind_int64(s, 4, in->signed_ms);
  sq_bind_text(s, 5, in->user_id);
  return sq_exec(db, s, "mpa_put");
}

/* ---- enrollments --------------------------------------------------------------------- */

#define ENR_COLS                                                                                   \
  "id, tenant_id, program, state, contact_email, form_json, submitted_ms, "                        \
  "submitted_by, decided_ms, decided_by, agreement_accepted_ms, "                                  \
  "agreement_accepted_by, version"

static void read_enrollment(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_enrollment *e = row;
  sq_col_copy(s, 0, e->id, sizeof e->id);
  sq_col_copy(s, 1, e->tenant_id, sizeof e->tenant_id);
  e->program = program_of(sqlite3_column_text(s, 2));
  e->state = state_of(sqlite3_column_text(s, 3));
  e->contact_email = sq_col_text(s, 4, a);
  e->form_json = sq_col_text(s, 5, a);
  e->submitted_ms = sqlite3_column_int64(s, 6);
  e->submitted_by = sq_col_text(s, 7, a);
  e->decided_ms = sqlite3_column_int64(s, 8);
  e->decided_by = sq_col_text(s, 9, a);
  e->agreement_accepted_ms = sqlite3_column_int64(s, 10);
  e->agreement_accepted_by = sq_col_text(s, 11, a);
  e->version = sqlite3_column_int64(s, 12);
}

static void bind_enrollment(sqlite3_stmt *s, const struct cspd_enrollment *e) {
  sq_bind_text(s, 1, e->id);
  sq_bind_text(s, 2, e->tenant_id);
  sq_bind_text(s, 3, program_names[e->program]);
  sq_bind_text(s, 4, state_names[e->state]);
  sq_bind_text(s, 5, e->contact_email);
  sq_bind_text(s, 6, e->form_json);
  sqlite3_bind_int64(s, 7, e->submitted_ms);
  sq_bind_text(s, 8, e->submitted_by);
  if (e->decided_ms)
    sqlite3_bind_int64(s, 9, e->decided_ms);
  else
    sqlite3_bind_null(s, 9);
  sq_bind_text(s, 10, e->decided_by);
  if (e->agreement_accepted_ms)
    sqlite3_bind_int64(s, 11, e->agreement_accepted_ms);
  else
    sqlite3_bind_null(s, 11);
  sq_bind_text(s, 12, e->agreement_accepted_by);
  sqlite3_bind_int64(s, 13, e->version);
}

int sq_enrollment_insert(struct cspd_db *db, const struct cspd_enrollment *in) {
  PREP(s, "INSERT INTO enrollments(" ENR_COLS ") VALUES "
          "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
  bind_enrollment(s, in);
  return sq_exec(db, s, "enrollment_insert");
}

int sq_enrollment_update(struct cspd_db *db, const struct cspd_enrollment *in) {
  PREP(s, "UPDATE enrollments SET state = ?4, contact_email = ?5, form_json = ?6, "
          "decided_ms = ?9, decided_by = ?10, agreement_accepted_ms = ?11, "
          "agreement_accepted_by = ?12, version = ?13 WHERE id = ?1");
  bind_enrollment(s, in);
  return sq_exec_update(db, s, "enrollment_update");
}

int sq_enrollment_get(struct cspd_db *db, const char *id, struct cspd_arena *a,
                      struct cspd_enrollment *out) {
  PREP(s, "SELECT " ENR_COLS " FROM enrollments WHERE id = ?1");
  sq_bind_text(s, 1, id);
  return sq_get_row(db, s, read_enrollment, a, out, "enrollment_get");
}

int sq_enrollment_get_by_tenant(struct cspd_db *db, const char *tenant_id,
                                enum cspd_program program, struct cspd_arena *a,
                                struct cspd_enrollment *out) {
  PREP(s, "SELECT " ENR_COLS " FROM enrollments WHERE tenant_id = ?1 AND program = ?2");
  sq_bind_text(s, 1, tenant_id);
  sq_bind_text(s, 2, program_names[program]);
  return sq_get_row(db, s, read_enrollment, a, out, "enrollment_get_by_tenant");
}

int sq_enrollment_list(struct cspd_db *db, enum cspd_mstate state, const char *after, int limit,
                       struct cspd_arena *a, struct cspd_enrollment **out, int *n) {
  PREP(s, "SELECT " ENR_COLS " FROM enrollments WHERE (?1 IS NULL OR state = ?1) AND id > ?2 "
          "ORDER BY id LIMIT ?3");
  sq_bind_text(s, 1, state == CSPD_MS_NONE ? NULL : state_names[state]);
  sq_bind_text(s, 2, after ? after : "");
  sqlite3_bind_int(s, 3, limit);
  return sq_list_rows(db, s, limit, sizeof **out, read_enrollment, a, (void **)out, n,
                      "enrollment_list");
}

/* ---- invitations ---------------------------------------------------------------------- */

#define INV_COLS                                                                                   \
  "id, provider_tenant_id, reseller_mpn_id, reseller_email, state, created_ms, "                   \
  "accepted_ms, accepted_tenant_id, version"

static void read_invitation(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_invitation *v = row;
  sq_col_copy(s, 0, v->id, sizeof v->id);
  sq_col_copy(s, 1, v->provider_tenant_id, sizeof v->provider_tenant_id);
  v->reseller_mpn_id = sq_col_text(s, 2, a);
  v->reseller_email = sq_col_text(s, 3, a);
  v->state = sq_col_text(s, 4, a);
  v->created_ms = sqlite3_column_int64(s, 5);
  v->accepted_ms = sqlite3_column_int64(s, 6);
  v->accepted_tenant_id = sq_col_text(s, 7, a);
  v->version = sqlite3_column_int64(s, 8);
}

static void bind_invitation(sqlite3_stmt *s, const struct cspd_invitation *v) {
  sq_bind_text(s, 1, v->id);
  sq_bind_text(s, 2, v->provider_tenant_id);
  sq_bind_text(s, 3, v->reseller_mpn_id);
  sq_bind_text(s, 4, v->reseller_email);
  sq_bind_text(s, 5, v->state);
  sqlite3_bind_int64(s, 6, v->created_ms);
  if (v->accepted_ms)
    sqlite3_bind_int64(s, 7, v->accepted_ms);
  else
    sqlite3_bind_null(s, 7);
  sq_bind_text(s, 8, v->accepted_tenant_id);
  sqlite3_bind_int64(s, 9, v->version);
}

int sq_invitation_insert(struct cspd_db *db, const struct cspd_invitation *in) {
  PREP(s, "INSERT INTO invitations(" INV_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  bind_invitation(s, in);
  return sq_exec(db, s, "invitation_insert");
}

int sq_invitation_update(struct cspd_db *db, const struct cspd_invitation *in) {
  PREP(s, "UPDATE invitations SET state = ?5, accepted_ms = ?7, accepted_tenant_id = ?8, "
          "version = ?9 WHERE id = ?1");
  bind_invitation(s, in);
  return sq_exec_update(db, s, "invitation_update");
}

int sq_invitation_get(struct cspd_db *db, const char *id, struct cspd_arena *a,
                      struct cspd_invitation *out) {
  PREP(s, "SELECT " INV_COLS " FROM invitations WHERE id = ?1");
  sq_bind_text(s, 1, id);
  return sq_get_row(db, s, read_invitation, a, out, "invitation_get");
}

int sq_invitation_list(struct cspd_db *db, const char *provider, const char *mpn_id,
                       const char *email, const char *after, int limit, struct cspd_arena *a,
                       struct cspd_invitation **out, int *n) {
  PREP(s, "SELECT " INV_COLS " FROM invitations WHERE id > ?4 AND "
          "(provider_tenant_id = ?1 OR reseller_mpn_id = ?2 OR reseller_email = ?3 COLLATE NOCASE "
          "OR reseller_email IN (SELECT email FROM users WHERE tenant_id = ?1)) "
          "ORDER BY id LIMIT ?5");
  sq_bind_text(s, 1, provider);
  sq_bind_text(s, 2, mpn_id);
  sq_bind_text(s, 3, email);
  sq_bind_text(s, 4, after ? after : "");
  sqlite3_bind_int(s, 5, limit);
  return sq_list_rows(db, s, limit, sizeof **out, read_invitation, a, (void **)out, n,
                      "invitation_list");
}

/* ---- revenue and currency rates ---------------------------------------------------------- */

int sq_revenue_insert(struct cspd_db *db, struct cspd_revenue *in) {
  PREP(s, "INSERT INTO revenue_entries(org_id, tenant_id, period, amount_minor, currency, "
          "usd_minor, kind, source, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  sq_bind_text(s, 1, in->org_id);
  sq_bind_text(s, 2, in->tenant_id);
  sq_bind_text(s, 3, in->period);
  sqlite3_bind_int64(s, 4, in->amount_minor);
  sq_bind_text(s, 5, in->currency);
  sqlite3_bind_int64(s, 6, in->usd_minor);
  sq_bind_text(s, 7, in->kind);
  sq_bind_text(s, 8, in->source);
  sqlite3_bind_int64(s, 9, in->created_ms);
  int rc = sq_exec(db, s, "revenue_insert");
  if (rc == 0)
    in->id = sqlite3_last_insert_rowid(sq_conn(db));
  return rc;
}

int sq_revenue_sum(struct cspd_db *db, const char *org_id, const char *from_period,
                   const char *to_period, int64_t *usd_minor) {
  PREP(s, "SELECT COALESCE(SUM(usd_minor), 0) FROM revenue_entries WHERE org_id = ?1 AND "
          "kind = 'cloud' AND period >= ?2 AND period <= ?3");
  sq_bind_text(s, 1, org_id);
  sq_bind_text(s, 2, from_period);
  sq_bind_text(s, 3, to_period);
  int rc = sq_step_one(db, s, "revenue_sum");
  if (rc != 0)
    return rc;
  *usd_minor = sqlite3_column_int64(s, 0);
  sq_done(s);
  return 0;
}

static void read_revenue(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_revenue *r = row;
  r->id = sqlite3_column_int64(s, 0);
  sq_col_copy(s, 1, r->org_id, sizeof r->org_id);
  r->tenant_id = sq_col_text(s, 2, a);
  sq_col_copy(s, 3, r->period, sizeof r->period);
  r->amount_minor = sqlite3_column_int64(s, 4);
  sq_col_copy(s, 5, r->currency, sizeof r->currency);
  r->usd_minor = sqlite3_column_int64(s, 6);
  r->kind = sq_col_text(s, 7, a);
  r->source = sq_col_text(s, 8, a);
  r->created_ms = sqlite3_column_int64(s, 9);
}

int sq_revenue_list(struct cspd_db *db, const char *org_id, int64_t after, int limit,
                    struct cspd_arena *a, struct cspd_revenue **out, int *n) {
  PREP(s, "SELECT id, org_id, tenant_id, period, amount_minor, currency, usd_minor, kind, "
          "source, created_ms FROM revenue_entries WHERE org_id = ?1 AND id > ?2 ORDER BY id "
          "LIMIT ?3");
  sq_bind_text(s, 1, org_id);
  sqlite3_bind_int64(s, 2, after);
  sqlite3_bind_int(s, 3, limit);
  return sq_list_rows(db, s, limit, sizeof **out, read_revenue, a, (void **)out, n, "revenue_list");
}

static void read_fx(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_fx_rate *f = row;
  (void)a;
  sq_col_copy(s, 0, f->currency, sizeof f->currency);
  f->usd_ppm = sqlite3_column_int64(s, 1);
  f->exponent = sqlite3_column_int(s, 2);
  f->updated_ms = sqlite3_column_int64(s, 3);
}

int sq_fx_get(struct cspd_db *db, const char *currency, struct cspd_fx_rate *out) {
  PREP(s, "SELECT currency, usd_ppm, exponent, updated_ms FROM fx_rates WHERE currency = ?1");
  sq_bind_text(s, 1, currency);
  int rc = sq_step_one(db, s, "fx_get");
  if (rc != 0)
    return rc;
  read_fx(s, NULL, out);
  sq_done(s);
  return 0;
}

int sq_fx_put(struct cspd_db *db, const struct cspd_fx_rate *in) {
  PREP(s, "INSERT INTO fx_rates(currency, usd_ppm, exponent, updated_ms) VALUES (?1, ?2, ?3, ?4) "
          "ON CONFLICT(currency) DO UPDATE SET usd_ppm = excluded.usd_ppm, "
          "exponent = excluded.exponent, updated_ms = excluded.updated_ms");
  sq_bind_text(s, 1, in->currency);
  sqlite3_bind_int64(s, 2, in->usd_ppm);
  sqlite3_bind_int(s, 3, in->exponent);
  sqlite3_bind_int64(s, 4, in->updated_ms);
  return sq_exec(db, s, "fx_put");
}

int sq_fx_list(struct cspd_db *db, struct cspd_arena *a, struct cspd_fx_rate **out, int *n) {
  PREP(s, "SELECT currency, usd_ppm, exponent, updated_ms FROM fx_rates ORDER BY currency "
          "LIMIT 500");
  return sq_list_rows(db, s, 500, sizeof **out, read_fx, a, (void **)out, n, "fx_list");
}

/* ---- partnerships (state) ------------------------------------------------------------------ */

static void read_partnership_row(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_partnership *p = row;
  sq_col_copy(s, 0, p->provider_tenant_id, sizeof p->provider_tenant_id);
  sq_col_copy(s, 1, p->reseller_tenant_id, sizeof p->reseller_tenant_id);
  p->state = sq_col_text(s, 2, a);
  p->created_ms = sqlite3_column_int64(s, 3);
}

int sq_partnership_get(struct cspd_db *db, const char *provider, const char *reseller,
                       struct cspd_arena *a, struct cspd_partnership *out) {
  PREP(s, "SELECT provider_tenant_id, reseller_tenant_id, state, created_ms FROM partnerships "
          "WHERE provider_tenant_id = ?1 AND reseller_tenant_id = ?2");
  sq_bind_text(s, 1, provider);
  sq_bind_text(s, 2, reseller);
  int rc = sq_step_one(db, s, "partnership_get");
  if (rc != 0)
    return rc;
  sq_col_copy(s, 0, out->provider_tenant_id, sizeof out->provider_tenant_id);
  sq_col_copy(s, 1, out->reseller_tenant_id, sizeof out->reseller_tenant_id);
  out->state = sq_col_text(s, 2, a);
  out->created_ms = sqlite3_column_int64(s, 3);
  sq_done(s);
  return 0;
}

int sq_partnership_list_all(struct cspd_db *db, const char *state, const char *after, int limit,
                            struct cspd_arena *a, struct cspd_partnership **out, int *n) {
  PREP(s, "SELECT provider_tenant_id, reseller_tenant_id, state, created_ms FROM partnerships "
          "WHERE (?1 IS NULL OR state = ?1) AND "
          "provider_tenant_id || '/' || reseller_tenant_id > ?2 "
          "ORDER BY provider_tenant_id, reseller_tenant_id LIMIT ?3");
  sq_bind_text(s, 1, state);
  sq_bind_text(s, 2, after ? after : "");
  sqlite3_bind_int(s, 3, limit);
  return sq_list_rows(db, s, limit, sizeof **out, read_partnership_row, a, (void **)out, n,
                      "partnership_list_all");
}

int sq_partnership_set_state(struct cspd_db *db, const char *provider, const char *reseller,
                             const char *state, int64_t ended_ms) {
  PREP(s, "UPDATE partnerships SET state = ?3, ended_ms = ?4 WHERE provider_tenant_id = ?1 AND "
          "reseller_tenant_id = ?2");
  sq_bind_text(s, 1, provider);
  sq_bind_text(s, 2, reseller);
  sq_bind_text(s, 3, state);
  if (ended_ms)
    sqlite3_bind_int64(s, 4, ended_ms);
  else
    sqlite3_bind_null(s, 4);
  return sq_exec_update(db, s, "partnership_set_state");
}
