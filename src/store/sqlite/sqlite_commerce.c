/* sqlite_commerce.c -- catalog, orders, subscriptions and their history,
 * usage records, invoices (SQLite). */
#include <stdio.h>
#include <string.h>

#include "sqlite_int.h"

#define PREP(var, sql)                                                                             \
  static const char var##_sql[] = sql;                                                             \
  sqlite3_stmt *var = sq_stmt(db, var##_sql);                                                      \
  if (var == NULL)                                                                                 \
    return CSPD_STORE_ERROR;

static void bind_ms0(sqlite3_stmt *s, int i, int64_t v) {
  sqlite3_bind_int64(s, i, v);
}

/* ---- offers ------------------------------------------------------------------------ */

int sq_offer_replace(struct cspd_db *db, const char *const *ids, const char *const *docs, int n) {
  PREP(d, "DELETE FROM offers");
  int rc = sq_exec(db, d, "offer_delete");
  if (rc != 0)
    return rc;
  PREP(s, "INSERT INTO offers(id, doc, position) VALUES (?1, ?2, ?3)");
  for (int i = 0; i < n; i++) {
    sq_bind_text(s, 1, ids[i]);
    sq_bind_text(s, 2, docs[i]);
    sqlite3_bind_int(s, 3, i);
    if ((rc = sq_exec(db, s, "offer_insert")) != 0)
      return rc;
  }
  return 0;
}

int sq_offer_get(struct cspd_db *db, const char *id, struct cspd_arena *a, char **doc) {
  PREP(s, "SELECT doc FROM offers WHERE id = ?1");
  sq_bind_text(s, 1, id);
  int rc = sq_step_one(db, s, "offer_get");
  if (rc != 0)
    return rc;
  *doc = sq_col_text(s, 0, a);
  sq_done(s);
  return 0;
}

static void read_doc(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  *(char **)row = sq_col_text(s, 0, a);
}

int sq_offer_list(struct cspd_db *db, struct cspd_arena *a, char ***docs, int *n) {
  PREP(s, "SELECT doc FROM offers ORDER BY position LIMIT 2000");
  return sq_list_rows(db, s, 2000, sizeof(char *), read_doc, a, (void **)docs, n, "offer_list");
}

/* ---- orders ------------------------------------------------------------------------ */

#define ORDER_COLS                                                                                 \
  "id, customer_tenant_id, partner_tenant_id, reference_customer_id, billing_cycle, status, "      \
  "source, created_ms"

static void read_order(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_order *o = row;
  sq_col_copy(s, 0, o->id, sizeof o->id);
  sq_col_copy(s, 1, o->customer_tenant_id, sizeof o->customer_tenant_id);
  sq_col_copy(s, 2, o->partner_tenant_id, sizeof o->partner_tenant_id);
  o->reference_customer_id = sq_col_text(s, 3, a);
  o->billing_cycle = sq_col_text(s, 4, a);
  o->status = sq_col_text(s, 5, a);
  o->source = sq_col_text(s, 6, a);
  o->created_ms = sqlite3_column_int64(s, 7);
}

int sq_order_insert(struct cspd_db *db, const struct cspd_order *in) {
  PREP(s, "INSERT INTO orders(" ORDER_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  sq_bind_text(s, 1, in->id);
  sq_bind_text(s, 2, in->customer_tenant_id);
  sq_bind_text(s, 3, in->partner_tenant_id);
  sq_bind_text(s, 4, in->reference_customer_id);
  sq_bind_text(s, 5, in->billing_cycle);
  sq_bind_text(s, 6, in->status);
  sq_bind_text(s, 7, in->source ? in->source : "order");
  bind_ms0(s, 8, in->created_ms);
  return sq_exec(db, s, "order_insert");
}

int sq_order_get(struct cspd_db *db, const char *customer, const char *id, struct cspd_arena *a,
                 struct cspd_order *out) {
  PREP(s, "SELECT " ORDER_COLS " FROM orders WHERE customer_tenant_id = ?1 AND id = ?2");
  sq_bind_text(s, 1, customer);
  sq_bind_text(s, 2, id);
  return sq_get_row(db, s, read_order, a, out, "order_get");
}

int sq_order_list(struct cspd_db *db, const char *customer, const char *partner, const char *after,
                  int limit, struct cspd_arena *a, struct cspd_order **out, int *n) {
  PREP(s, "SELECT " ORDER_COLS " FROM orders WHERE customer_tenant_id = ?1 AND id > ?2 "
          "AND (?4 IS NULL OR partner_tenant_id = ?4) ORDER BY id LIMIT ?3");
  sq_bind_text(s, 1, customer);
  sq_bind_text(s, 2, after ? after : "");
  sqlite3_bind_int(s, 3, limit);
  sq_bind_text(s, 4, partner);
  return sq_list_rows(db, s, limit, sizeof **out, read_order, a, (void **)out, n, "order_list");
}

/* ---- subscriptions -------------------------------------------------------------------- */

#define SUB_COLS                                                                                   \
  "id, customer_tenant_id, order_id, line_item_number, offer_id, offer_name, friendly_name, "      \
  "quantity, unit_type, parent_subscription_id, status, auto_renew, billing_type, "                \
  "billing_cycle, transfer_class, partner_id_on_record, holder_tenant_id, reseller_tenant_id, "    \
  "entitlement_id, currency, unit_price_minor, created_ms, effective_start_ms, "                   \
  "commitment_end_ms, listed, version"

static void read_sub(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_subscription *u = row;
  sq_col_copy(s, 0, u->id, sizeof u->id);
  sq_col_copy(s, 1, u->customer_tenant_id, sizeof u->customer_tenant_id);
  u->order_id = sq_col_text(s, 2, a);
  u->line_item_number = sqlite3_column_int(s, 3);
  u->offer_id = sq_col_text(s, 4, a);
  u->offer_name = sq_col_text(s, 5, a);
  u->friendly_name = sq_col_text(s, 6, a);
  u->quantity = sqlite3_column_int64(s, 7);
  u->unit_type = sq_col_text(s, 8, a);
  u->parent_subscription_id = sq_col_text(s, 9, a);
  u->status = sq_col_text(s, 10, a);
  u->auto_renew = sqlite3_column_int(s, 11) != 0;
  u->billing_type = sq_col_text(s, 12, a);
  u->billing_cycle = sq_col_text(s, 13, a);
  u->transfer_class = sq_col_text(s, 14, a);
  u->partner_id_on_record = sq_col_text(s, 15, a);
  sq_col_copy(s, 16, u->holder_tenant_id, sizeof u->holder_tenant_id);
  u->reseller_tenant_id = sq_col_text(s, 17, a);
  u->entitlement_id = sq_col_text(s, 18, a);
  sq_col_copy(s, 19, u->currency, sizeof u->currency);
  u->unit_price_minor = sqlite3_column_int64(s, 20);
  u->created_ms = sqlite3_column_int64(s, 21);
  u->effective_start_ms = sqlite3_column_int64(s, 22);
  u->commitment_end_ms = sqlite3_column_int64(s, 23);
  u->listed = sqlite3_column_int(s, 24) != 0;
  u->version = sqlite3_column_int64(s, 25);
}

static void bind_sub(sqlite3_stmt *s, const struct cspd_subscription *u) {
  sq_bind_text(s, 1, u->id);
  sq_bind_text(s, 2, u->customer_tenant_id);
  sq_bind_text(s, 3, u->order_id);
  sqlite3_bind_int(s, 4, u->line_item_number);
  sq_bind_text(s, 5, u->offer_id);
  sq_bind_text(s, 6, u->offer_name);
  sq_bind_text(s, 7, u->friendly_name);
  sqlite3_bind_int64(s, 8, u->quantity);
  sq_bind_text(s, 9, u->unit_type);
  sq_bind_text(s, 10, u->parent_subscription_id);
  sq_bind_text(s, 11, u->status);
  sqlite3_bind_int(s, 12, u->auto_renew);
  sq_bind_text(s, 13, u->billing_type);
  sq_bind_text(s, 14, u->billing_cycle);
  sq_bind_text(s, 15, u->transfer_class);
  sq_bind_text(s, 16, u->partner_id_on_record);
  sq_bind_text(s, 17, u->holder_tenant_id);
  sq_bind_text(s, 18, u->reseller_tenant_id);
  sq_bind_text(s, 19, u->entitlement_id);
  sq_bind_text(s, 20, u->currency);
  sqlite3_bind_int64(s, 21, u->unit_price_minor);
  sqlite3_bind_int64(s, 22, u->created_ms);
  sqlite3_bind_int64(s, 23, u->effective_start_ms);
  sqlite3_bind_int64(s, 24, u->commitment_end_ms);
  sqlite3_bind_int(s, 25, u->listed);
  sqlite3_bind_int64(s, 26, u->version);
}

int sq_sub_insert(struct cspd_db *db, const struct cspd_subscription *in) {
  PREP(s, "INSERT INTO subscriptions(" SUB_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
          "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)");
  bind_sub(s, in);
  return sq_exec(db, s, "sub_insert");
}

int sq_sub_update(struct cspd_db *db, const struct cspd_subscription *in) {
  PREP(s, "UPDATE subscriptions SET friendly_name = ?7, quantity = ?8, status = ?11, "
          "auto_renew = ?12, partner_id_on_record = ?16, holder_tenant_id = ?17, "
          "reseller_tenant_id = ?18, commitment_end_ms = ?24, listed = ?25, version = ?26 "
          "WHERE id = ?1");
  bind_sub(s, in);
  return sq_exec_update(db, s, "sub_update");
}

int sq_sub_get(struct cspd_db *db, const char *id, struct cspd_arena *a,
               struct cspd_subscription *out) {
  PREP(s, "SELECT " SUB_COLS " FROM subscriptions WHERE id = ?1");
  sq_bind_text(s, 1, id);
  return sq_get_row(db, s, read_sub, a, out, "sub_get");
}

int sq_sub_list(struct cspd_db *db, const struct cspd_sub_filter *f, const char *after, int limit,
                struct cspd_arena *a, struct cspd_subscription **out, int *n) {
  PREP(s, "SELECT " SUB_COLS " FROM subscriptions WHERE customer_tenant_id = ?1 AND id > ?2 AND "
          "(?3 IS NULL OR order_id = ?3) AND (?4 IS NULL OR partner_id_on_record = ?4) AND "
          "(?5 IS NULL OR parent_subscription_id = ?5) AND "
          "(?6 IS NULL OR holder_tenant_id = ?6 OR reseller_tenant_id = ?6) AND "
          "(?7 = 1 OR listed = 1) ORDER BY id LIMIT ?8");
  sq_bind_text(s, 1, f->customer_tenant_id);
  sq_bind_text(s, 2, after ? after : "");
  sq_bind_text(s, 3, f->order_id);
  sq_bind_text(s, 4, f->partner_id_on_record);
  sq_bind_text(s, 5, f->parent_subscription_id);
  sq_bind_text(s, 6, f->visible_to);
  sqlite3_bind_int(s, 7, f->include_unlisted);
  sqlite3_bind_int(s, 8, limit);
  return sq_list_rows(db, s, limit, sizeof **out, read_sub, a, (void **)out, n, "sub_list");
}

int sq_sub_list_all(struct cspd_db *db, int64_t before_ms, const char *after, int limit,
                    struct cspd_arena *a, struct cspd_subscription **out, int *n) {
  PREP(s, "SELECT " SUB_COLS " FROM subscriptions WHERE created_ms < ?1 AND id > ?2 "
          "ORDER BY id LIMIT ?3");
  sqlite3_bind_int64(s, 1, before_ms);
  sq_bind_text(s, 2, after ? after : "");
  sqlite3_bind_int(s, 3, limit);
  return sq_list_rows(db, s, limit, sizeof **out, read_sub, a, (void **)out, n, "sub_list_all");
}

int sq_sub_history_add(struct cspd_db *db, const char *sub_id, const struct cspd_sub_change *c) {
  PREP(s, "INSERT INTO subscription_history(subscription_id, at_ms, status, quantity) "
          "VALUES (?1, ?2, ?3, ?4)");
  sq_bind_text(s, 1, sub_id);
  sqlite3_bind_int64(s, 2, c->at_ms);
  sq_bind_text(s, 3, c->status);
  sqlite3_bind_int64(s, 4, c->quantity);
  return sq_exec(db, s, "sub_history_add");
}

static void read_change(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_sub_change *c = row;
  c->at_ms = sqlite3_column_int64(s, 0);
  c->status = sq_col_text(s, 1, a);
  c->quantity = sqlite3_column_int64(s, 2);
}

int sq_sub_history(struct cspd_db *db, const char *sub_id, struct cspd_arena *a,
                   struct cspd_sub_change **out, int *n) {
  PREP(s, "SELECT at_ms, status, quantity FROM subscription_history WHERE subscription_id = ?1 "
          "ORDER BY at_ms, id LIMIT 1000");
  sq_bind_text(s, 1, sub_id);
  return sq_list_rows(db, s, 1000, sizeof **out, read_change, a, (void **)out, n, "sub_history");
}

/* ---- usage ------------------------------------------------------------------------------ */

int sq_usage_insert(struct cspd_db *db, const char *sub_id, int64_t usage_ms, int64_t amount_minor,
                    const char *resource, int64_t created_ms) {
  PREP(s, "INSERT INTO usage_records(subscription_id, usage_ms, amount_minor, resource, "
          "created_ms) VALUES (?1, ?2, ?3, ?4, ?5)");
  sq_bind_text(s, 1, sub_id);
  sqlite3_bind_int64(s, 2, usage_ms);
  sqlite3_bind_int64(s, 3, amount_minor);
  sq_bind_text(s, 4, resource);
  sqlite3_bind_int64(s, 5, created_ms);
  return sq_exec(db, s, "usage_insert");
}

int sq_usage_sum(struct cspd_db *db, const char *sub_id, int64_t from_ms, int64_t to_ms,
                 int64_t *amount_minor) {
  PREP(s, "SELECT COALESCE(SUM(amount_minor), 0) FROM usage_records WHERE subscription_id = ?1 "
          "AND usage_ms >= ?2 AND usage_ms < ?3");
  sq_bind_text(s, 1, sub_id);
  sqlite3_bind_int64(s, 2, from_ms);
  sqlite3_bind_int64(s, 3, to_ms);
  int rc = sq_step_one(db, s, "usage_sum");
  if (rc != 0)
    return rc;
  *amount_minor = sqlite3_column_int64(s, 0);
  sq_done(s);
  return 0;
}

/* ---- invoices ---------------------------------------------------------------------------- */

#define INV_COLS "id, billed_tenant_id, period, currency, total_minor, start_ms, end_ms, created_ms"

static void read_invoice(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_invoice *v = row;
  (void)a;
  sq_col_copy(s, 0, v->id, sizeof v->id);
  sq_col_copy(s, 1, v->billed_tenant_id, sizeof v->billed_tenant_id);
  sq_col_copy(s, 2, v->period, sizeof v->period);
  sq_col_copy(s, 3, v->currency, sizeof v->currency);
  v->total_minor = sqlite3_column_int64(s, 4);
  v->start_ms = sqlite3_column_int64(s, 5);
  v->end_ms = sqlite3_column_int64(s, 6);
  v->created_ms = sqlite3_column_int64(s, 7);
}

int sq_invoice_insert(struct cspd_db *db, const struct cspd_invoice *in) {
  PREP(s, "INSERT INTO invoices(" INV_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  sq_bind_text(s, 1, in->id);
  sq_bind_text(s, 2, in->billed_tenant_id);
  sq_bind_text(s, 3, in->period);
  sq_bind_text(s, 4, in->currency);
  sqlite3_bind_int64(s, 5, in->total_minor);
  sqlite3_bind_int64(s, 6, in->start_ms);
  sqlite3_bind_int64(s, 7, in->end_ms);
  sqlite3_bind_int64(s, 8, in->created_ms);
  return sq_exec(db, s, "invoice_insert");
}

int sq_invoice_line_insert(struct cspd_db *db, const struct cspd_invoice_line *in) {
  PREP(s, "INSERT INTO invoice_lines(invoice_id, line, customer_tenant_id, customer_name, "
          "subscription_id, offer_id, offer_name, kind, quantity, start_ms, end_ms, "
          "unit_price_minor, amount_minor) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
          "?12, ?13)");
  sq_bind_text(s, 1, in->invoice_id);
  sqlite3_bind_int(s, 2, in->line);
  sq_bind_text(s, 3, in->customer_tenant_id);
  sq_bind_text(s, 4, in->customer_name);
  sq_bind_text(s, 5, in->subscription_id);
  sq_bind_text(s, 6, in->offer_id);
  sq_bind_text(s, 7, in->offer_name);
  sq_bind_text(s, 8, in->kind);
  sqlite3_bind_int64(s, 9, in->quantity);
  sqlite3_bind_int64(s, 10, in->start_ms);
  sqlite3_bind_int64(s, 11, in->end_ms);
  sqlite3_bind_int64(s, 12, in->unit_price_minor);
  sqlite3_bind_int64(s, 13, in->amount_minor);
  return sq_exec(db, s, "invoice_line_insert");
}

int sq_invoice_get(struct cspd_db *db, const char *id, struct cspd_arena *a,
                   struct cspd_invoice *out) {
  PREP(s, "SELECT " INV_COLS " FROM invoices WHERE id = ?1");
  sq_bind_text(s, 1, id);
  return sq_get_row(db, s, read_invoice, a, out, "invoice_get");
}

int sq_invoice_list(struct cspd_db *db, const char *billed, const char *after, int limit,
                    struct cspd_arena *a, struct cspd_invoice **out, int *n) {
  PREP(s, "SELECT " INV_COLS " FROM invoices WHERE (?1 IS NULL OR billed_tenant_id = ?1) AND "
          "id > ?2 ORDER BY id LIMIT ?3");
  sq_bind_text(s, 1, billed);
  sq_bind_text(s, 2, after ? after : "");
  sqlite3_bind_int(s, 3, limit);
  return sq_list_rows(db, s, limit, sizeof **out, read_invoice, a, (void **)out, n, "invoice_list");
}

static void read_line(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_invoice_line *l = row;
  sq_col_copy(s, 0, l->invoice_id, sizeof l->invoice_id);
  l->line = sqlite3_column_int(s, 1);
  l->customer_tenant_id = sq_col_text(s, 2, a);
  l->customer_name = sq_col_text(s, 3, a);
  l->subscription_id = sq_col_text(s, 4, a);
  l->offer_id = sq_col_text(s, 5, a);
  l->offer_name = sq_col_text(s, 6, a);
  l->kind = sq_col_text(s, 7, a);
  l->quantity = sqlite3_column_int64(s, 8);
  l->start_ms = sqlite3_column_int64(s, 9);
  l->end_ms = sqlite3_column_int64(s, 10);
  l->unit_price_minor = sqlite3_column_int64(s, 11);
  l->amount_minor = sqlite3_column_int64(s, 12);
}

int sq_invoice_lines(struct cspd_db *db, const char *invoice_id, struct cspd_arena *a,
                     struct cspd_invoice_line **out, int *n) {
  PREP(s, "SELECT invoice_id, line, customer_tenant_id, customer_name, subscription_id, offer_id, "
          "offer_name, kind, quantity, start_ms, end_ms, unit_price_minor, amount_minor FROM "
          "invoice_lines WHERE invoice_id = ?1 ORDER BY line LIMIT 10000");
  sq_bind_text(s, 1, invoice_id);
  return sq_list_rows(db, s, 10000, sizeof **out, read_line, a, (void **)out, n, "invoice_lines");
}

/* ---- transfers -------------------------------------------------------------------------- */

#define TRF_COLS                                                                                   \
  "id, customer_tenant_id, source_tenant_id, target_tenant_id, status, created_ms, "               \
  "modified_ms, modified_by, lines_json, version"

static void read_transfer(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_transfer *t = row;
  sq_col_copy(s, 0, t->id, sizeof t->id);
  sq_col_copy(s, 1, t->customer_tenant_id, sizeof t->customer_tenant_id);
  sq_col_copy(s, 2, t->source_tenant_id, sizeof t->source_tenant_id);
  sq_col_copy(s, 3, t->target_tenant_id, sizeof t->target_tenant_id);
  t->status = sq_col_text(s, 4, a);
  t->created_ms = sqlite3_column_int64(s, 5);
  t->modified_ms = sqlite3_column_int64(s, 6);
  t->modified_by = sq_col_text(s, 7, a);
  t->lines_json = sq_col_text(s, 8, a);
  t->version = sqlite3_column_int64(s, 9);
}

static void bind_transfer(sqlite3_stmt *s, const struct cspd_transfer *t) {
  sq_bind_text(s, 1, t->id);
  sq_bind_text(s, 2, t->customer_tenant_id);
  sq_bind_text(s, 3, t->source_tenant_id);
  sq_bind_text(s, 4, t->target_tenant_id);
  sq_bind_text(s, 5, t->status);
  sqlite3_bind_int64(s, 6, t->created_ms);
  sqlite3_bind_int64(s, 7, t->modified_ms);
  sq_bind_text(s, 8, t->modified_by);
  sq_bind_text(s, 9, t->lines_json);
  sqlite3_bind_int64(s, 10, t->version);
}

int sq_transfer_insert(struct cspd_db *db, const struct cspd_transfer *in) {
  PREP(s, "INSERT INTO transfers(" TRF_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  bind_transfer(s, in);
  return sq_exec(db, s, "transfer_insert");
}

int sq_transfer_update(struct cspd_db *db, const struct cspd_transfer *in) {
  PREP(s, "UPDATE transfers SET status = ?5, modified_ms = ?7, modified_by = ?8, "
          "lines_json = ?9, version = ?10 WHERE id = ?1");
  bind_transfer(s, in);
  return sq_exec_update(db, s, "transfer_update");
}

int sq_transfer_get(struct cspd_db *db, const char *customer, const char *id, struct cspd_arena *a,
                    struct cspd_transfer *out) {
  PREP(s, "SELECT " TRF_COLS " FROM transfers WHERE customer_tenant_id = ?1 AND id = ?2");
  sq_bind_text(s, 1, customer);
  sq_bind_text(s, 2, id);
  return sq_get_row(db, s, read_transfer, a, out, "transfer_get");
}

int sq_transfer_list(struct cspd_db *db, const char *customer, struct cspd_arena *a,
                     struct cspd_transfer **out, int *n) {
  PREP(s, "SELECT " TRF_COLS " FROM transfers WHERE customer_tenant_id = ?1 ORDER BY id "
          "LIMIT 1000");
  sq_bind_text(s, 1, customer);
  return sq_list_rows(db, s, 1000, sizeof **out, read_transfer, a, (void **)out, n,
                      "transfer_list");
}

int sq_transfer_lock(struct cspd_db *db, const char *sub_id, const char *transfer_id) {
  PREP(s, "INSERT INTO transfer_locks(subscription_id, transfer_id) VALUES (?1, ?2)");
  sq_bind_text(s, 1, sub_id);
  sq_bind_text(s, 2, transfer_id);
  return sq_exec(db, s, "transfer_lock");
}

int sq_transfer_lock_get(struct cspd_db *db, const char *sub_id, char *transfer_id) {
  PREP(s, "SELECT transfer_id FROM transfer_locks WHERE subscription_id = ?1");
  sq_bind_text(s, 1, sub_id);
  int rc = sq_step_one(db, s, "transfer_lock_get");
  if (rc != 0)
    return rc;
  sq_col_copy(s, 0, transfer_id, 37);
  sq_done(s);
  return 0;
}

int sq_transfer_unlock(struct cspd_db *db, const char *transfer_id) {
  PREP(s, "DELETE FROM transfer_locks WHERE transfer_id = ?1");
  sq_bind_text(s, 1, transfer_id);
  return sq_exec(db, s, "transfer_unlock");
}
