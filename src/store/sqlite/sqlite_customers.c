/* sqlite_customers.c -- customers' billing profiles, partner <-> customer
 * relationships and customer agreements (SQLite). */
#include <stdio.h>
#include <string.h>

#include "sqlite_int.h"

#define PREP(var, sql)                                                                             \
  static const char var##_sql[] = sql;                                                             \
  sqlite3_stmt *var = sq_stmt(db, var##_sql);                                                      \
  if (var == NULL)                                                                                 \
    return CSPD_STORE_ERROR;

static const char *const role_names[] = {"direct", "reseller", "provider"};

static enum cspd_crel_role role_of(const unsigned char *s) {
  for (int i = 0; i < 3; i++)
    if (s && strcmp((const char *)s, role_names[i]) == 0)
      return (enum cspd_crel_role)i;
  return CSPD_CREL_DIRECT;
}

int sq_customer_update(struct cspd_db *db, const struct cspd_customer *in) {
  PREP(s, "UPDATE customers SET company_name = ?2, billing_json = ?3, billing_version = ?4, "
          "owner_org_id = ?5, version = ?6 WHERE tenant_id = ?1");
  sq_bind_text(s, 1, in->tenant_id);
  sq_bind_text(s, 2, in->company_name);
  sq_bind_text(s, 3, in->billing_json);
  sqlite3_bind_int64(s, 4, in->billing_version);
  sq_bind_text(s, 5, in->owner_org_id);
  sqlite3_bind_int64(s, 6, in->version);
  return sq_exec_update(db, s, "customer_update");
}

/** "abc" -> "abc%" with LIKE wildcards in the input escaped by '\'. */
static char *like_prefix(const char *p, struct cspd_arena *a) {
  if (p == NULL)
    return NULL;
  size_t n = strlen(p);
  char *o = cspd_arena_alloc(a, 2 * n + 2);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    if (p[i] == '%' || p[i] == '_' || p[i] == '\\')
      o[k++] = '\\';
    o[k++] = p[i];
  }
  o[k++] = '%';
  o[k] = '\0';
  return o;
}

int sq_customer_list(struct cspd_db *db, const struct cspd_customer_filter *f, const char *after,
                     int limit, struct cspd_arena *a, struct cspd_customer **out, int *n) {
  PREP(s, "SELECT " SQ_CUSTOMER_COLS " FROM customers c WHERE c.tenant_id > ?1 AND "
          "(?2 IS NULL OR EXISTS (SELECT 1 FROM customer_relationships r WHERE "
          "  r.customer_tenant_id = c.tenant_id AND r.partner_tenant_id = ?2 AND "
          "  r.state = 'active')) AND "
          "(?3 IS NULL OR c.company_name LIKE ?3 ESCAPE '\\') AND "
          "(?4 IS NULL OR c.domain LIKE ?4 ESCAPE '\\') AND "
          /* IndirectReseller: the reseller holds the customer, or the listing
           * provider holds it for that reseller (extension or invitation) */
          "(?5 IS NULL OR EXISTS (SELECT 1 FROM customer_relationships r WHERE "
          "  r.customer_tenant_id = c.tenant_id AND r.state = 'active' AND "
          "  ((r.partner_tenant_id = ?5 AND r.role = 'reseller') OR "
          "   (r.role = 'provider' AND r.via_tenant_id = ?5 AND r.partner_tenant_id = ?2)))) "
          "ORDER BY c.tenant_id LIMIT ?6");
  sq_bind_text(s, 1, after ? after : "");
  sq_bind_text(s, 2, f->partner_tenant_id);
  sq_bind_text(s, 3, like_prefix(f->company_prefix, a));
  sq_bind_text(s, 4, like_prefix(f->domain_prefix, a));
  sq_bind_text(s, 5, f->reseller_tenant_id);
  sqlite3_bind_int(s, 6, limit);
  return sq_list_rows(db, s, limit, sizeof **out, sq_read_customer, a, (void **)out, n,
                      "customer_list");
}

int sq_crel_put(struct cspd_db *db, const struct cspd_crel *in) {
  PREP(s, "INSERT INTO customer_relationships(customer_tenant_id, partner_tenant_id, role, "
          "acquired, via_tenant_id, delegated_admin, state, created_ms, removed_ms) VALUES "
          "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(customer_tenant_id, "
          "partner_tenant_id, role) DO UPDATE SET acquired = excluded.acquired, "
          "via_tenant_id = excluded.via_tenant_id, delegated_admin = excluded.delegated_admin, "
          "state = excluded.state, created_ms = excluded.created_ms, "
          "removed_ms = excluded.removed_ms");
  sq_bind_text(s, 1, in->customer_tenant_id);
  sq_bind_text(s, 2, in->partner_tenant_id);
  sq_bind_text(s, 3, role_names[in->role]);
  sq_bind_text(s, 4, in->acquired);
  sq_bind_text(s, 5, in->via_tenant_id);
  sqlite3_bind_int(s, 6, in->delegated_admin);
  sq_bind_text(s, 7, in->state ? in->state : "active");
  sqlite3_bind_int64(s, 8, in->created_ms);
  if (in->removed_ms)
    sqlite3_bind_int64(s, 9, in->removed_ms);
  else
    sqlite3_bind_null(s, 9);
  return sq_exec(db, s, "crel_put");
}

static void read_crel(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_crel *r = row;
  sq_col_copy(s, 0, r->customer_tenant_id, sizeof r->customer_tenant_id);
  sq_col_copy(s, 1, r->partner_tenant_id, sizeof r->partner_tenant_id);
  r->role = role_of(sqlite3_column_text(s, 2));
  r->acquired = sq_col_text(s, 3, a);
  r->via_tenant_id = sq_col_text(s, 4, a);
  r->delegated_admin = sqlite3_column_int(s, 5) != 0;
  r->state = sq_col_text(s, 6, a);
  r->created_ms = sqlite3_column_int64(s, 7);
  r->removed_ms = sqlite3_column_int64(s, 8);
}

int sq_crel_list(struct cspd_db *db, const char *customer_tenant_id, struct cspd_arena *a,
                 struct cspd_crel **out, int *n) {
  PREP(s, "SELECT customer_tenant_id, partner_tenant_id, role, acquired, via_tenant_id, "
          "delegated_admin, state, created_ms, removed_ms FROM customer_relationships WHERE "
          "customer_tenant_id = ?1 ORDER BY partner_tenant_id, role LIMIT 200");
  sq_bind_text(s, 1, customer_tenant_id);
  return sq_list_rows(db, s, 200, sizeof **out, read_crel, a, (void **)out, n, "crel_list");
}

int sq_cagreement_insert(struct cspd_db *db, const struct cspd_cagreement *in) {
  PREP(s, "INSERT INTO customer_agreements(id, customer_tenant_id, partner_tenant_id, type, "
          "template_id, date_agreed_ms, user_id, contact_first, contact_last, contact_email, "
          "contact_phone, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  sq_bind_text(s, 1, in->id);
  sq_bind_text(s, 2, in->customer_tenant_id);
  sq_bind_text(s, 3, in->partner_tenant_id);
  sq_bind_text(s, 4, in->type);
  sq_bind_text(s, 5, in->template_id);
  sqlite3_bind_int64(s, 6, in->date_agreed_ms);
  sq_bind_text(s, 7, in->user_id);
  sq_bind_text(s, 8, in->contact.first_name);
  sq_bind_text(s, 9, in->contact.last_name);
  sq_bind_text(s, 10, in->contact.email);
  sq_bind_text(s, 11, in->contact.phone);
  sqlite3_bind_int64(s, 12, in->created_ms);
  return sq_exec(db, s, "cagreement_insert");
}

static void read_cagreement(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_cagreement *g = row;
  sq_col_copy(s, 0, g->id, sizeof g->id);
  sq_col_copy(s, 1, g->customer_tenant_id, sizeof g->customer_tenant_id);
  g->partner_tenant_id = sq_col_text(s, 2, a);
  g->type = sq_col_text(s, 3, a);
  g->template_id = sq_col_text(s, 4, a);
  g->date_agreed_ms = sqlite3_column_int64(s, 5);
  g->user_id = sq_col_text(s, 6, a);
  g->contact.first_name = sq_col_text(s, 7, a);
  g->contact.last_name = sq_col_text(s, 8, a);
  g->contact.email = sq_col_text(s, 9, a);
  g->contact.phone = sq_col_text(s, 10, a);
  g->created_ms = sqlite3_column_int64(s, 11);
}

int sq_cagreement_list(struct cspd_db *db, const char *customer_tenant_id, struct cspd_arena *a,
                       struct cspd_cagreement **out, int *n) {
  PREP(s, "SELECT id, customer_tenant_id, partner_tenant_id, type, template_id, date_agreed_ms, "
          "user_id, contact_first, contact_last, contact_email, contact_phone, created_ms FROM "
          "customer_agreements WHERE customer_tenant_id = ?1 ORDER BY created_ms, id LIMIT 200");
  sq_bind_text(s, 1, customer_tenant_id);
  return sq_list_rows(db, s, 200, sizeof **out, read_cagreement, a, (void **)out, n,
                      "cagreement_list");
}
