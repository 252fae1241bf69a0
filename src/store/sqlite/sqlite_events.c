/* sqlite_events.c -- scheduled jobs, the e-mail outbox, webhook
 * registrations and deliveries, and reading audit records (SQLite). */
#include <stdio.h>
#include <string.h>

#include "sqlite_int.h"

#define PREP(var, sql)                                                                             \
  static const char var##_sql[] = sql;                                                             \
  sqlite3_stmt *var = sq_stmt(db, var##_sql);                                                      \
  if (var == NULL)                                                                                 \
    return CSPD_STORE_ERROR;

static void bind_ms(sqlite3_stmt *s, int i, int64_t ms) {
  if (ms)
    sqlite3_bind_int64(s, i, ms);
  else
    sqlite3_bind_null(s, i);
}

/* ---- jobs --------------------------------------------------------------------------- */

int sq_job_schedule(struct cspd_db *db, const char *kind, const char *ref, int64_t due_ms,
                    int64_t now_ms) {
  PREP(c, "UPDATE jobs SET state = 'cancelled', done_ms = ?3 WHERE kind = ?1 AND "
          "ref IS ?2 AND state = 'pending'");
  sq_bind_text(c, 1, kind);
  sq_bind_text(c, 2, ref);
  sqlite3_bind_int64(c, 3, now_ms);
  int rc = sq_exec(db, c, "job_schedule_cancel");
  if (rc != 0)
    return rc;
  PREP(s, "INSERT INTO jobs(kind, ref, due_ms, state, created_ms) VALUES (?1, ?2, ?3, "
          "'pending', ?4)");
  sq_bind_text(s, 1, kind);
  sq_bind_text(s, 2, ref);
  sqlite3_bind_int64(s, 3, due_ms);
  sqlite3_bind_int64(s, 4, now_ms);
  return sq_exec(db, s, "job_schedule");
}

int sq_job_next_due(struct cspd_db *db, int64_t now_ms, struct cspd_arena *a,
                    struct cspd_job *out) {
  PREP(s, "SELECT id, kind, ref, due_ms FROM jobs WHERE state = 'pending' AND due_ms <= ?1 "
          "ORDER BY due_ms, id LIMIT 1");
  sqlite3_bind_int64(s, 1, now_ms);
  int rc = sq_step_one(db, s, "job_next_due");
  if (rc != 0)
    return rc;
  out->id = sqlite3_column_int64(s, 0);
  out->kind = sq_col_text(s, 1, a);
  out->ref = sq_col_text(s, 2, a);
  out->due_ms = sqlite3_column_int64(s, 3);
  sq_done(s);
  return 0;
}

int sq_job_finish(struct cspd_db *db, int64_t id, const char *state, int64_t now_ms) {
  PREP(s, "UPDATE jobs SET state = ?2, done_ms = ?3 WHERE id = ?1");
  sqlite3_bind_int64(s, 1, id);
  sq_bind_text(s, 2, state);
  sqlite3_bind_int64(s, 3, now_ms);
  return sq_exec_update(db, s, "job_finish");
}

int sq_job_cancel(struct cspd_db *db, const char *kind, const char *ref, int64_t now_ms) {
  PREP(s, "UPDATE jobs SET state = 'cancelled', done_ms = ?3 WHERE kind = ?1 AND ref IS ?2 AND "
          "state = 'pending'");
  sq_bind_text(s, 1, kind);
  sq_bind_text(s, 2, ref);
  sqlite3_bind_int64(s, 3, now_ms);
  return sq_exec(db, s, "job_cancel");
}

/* ---- notifications ------------------------------------------------------------------- */

#define NOTE_COLS                                                                                  \
  "id, tenant_id, recipient, kind, subject, body, status, attempts, "                              \
  "next_attempt_ms, last_error, created_ms, sent_ms"

static void read_note(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_notification *n = row;
  sq_col_copy(s, 0, n->id, sizeof n->id);
  n->tenant_id = sq_col_text(s, 1, a);
  n->recipient = sq_col_text(s, 2, a);
  n->kind = sq_col_text(s, 3, a);
  n->subject = sq_col_text(s, 4, a);
  n->body = sq_col_text(s, 5, a);
  n->status = sq_col_text(s, 6, a);
  n->attempts = sqlite3_column_int(s, 7);
  n->next_attempt_ms = sqlite3_column_int64(s, 8);
  n->last_error = sq_col_text(s, 9, a);
  n->created_ms = sqlite3_column_int64(s, 10);
  n->sent_ms = sqlite3_column_int64(s, 11);
}

static void bind_note(sqlite3_stmt *s, const struct cspd_notification *n) {
  sq_bind_text(s, 1, n->id);
  sq_bind_text(s, 2, n->tenant_id);
  sq_bind_text(s, 3, n->recipient);
  sq_bind_text(s, 4, n->kind);
  sq_bind_text(s, 5, n->subject);
  sq_bind_text(s, 6, n->body);
  sq_bind_text(s, 7, n->status);
  sqlite3_bind_int(s, 8, n->attempts);
  bind_ms(s, 9, n->next_attempt_ms);
  sq_bind_text(s, 10, n->last_error);
  sqlite3_bind_int64(s, 11, n->created_ms);
  bind_ms(s, 12, n->sent_ms);
}

int sq_notification_insert(struct cspd_db *db, const struct cspd_notification *in) {
  PREP(s, "INSERT INTO notifications(" NOTE_COLS ") VALUES "
          "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
  bind_note(s, in);
  return sq_exec(db, s, "notification_insert");
}

int sq_notification_update(struct cspd_db *db, const struct cspd_notification *in) {
  PREP(s, "UPDATE notifications SET status = ?7, attempts = ?8, next_attempt_ms = ?9, "
          "last_error = ?10, sent_ms = ?12 WHERE id = ?1");
  bind_note(s, in);
  return sq_exec_update(db, s, "notification_update");
}

int sq_notification_list(struct cspd_db *db, const char *tenant_id, const char *after, int limit,
                         struct cspd_arena *a, struct cspd_notification **out, int *n) {
  PREP(s, "SELECT " NOTE_COLS " FROM notifications WHERE (?1 IS NULL OR tenant_id = ?1) AND "
          "id > ?2 ORDER BY id LIMIT ?3");
  sq_bind_text(s, 1, tenant_id);
  sq_bind_text(s, 2, after ? after : "");
  sqlite3_bind_int(s, 3, limit);
  return sq_list_rows(db, s, limit, sizeof **out, read_note, a, (void **)out, n,
                      "notification_list");
}

int sq_notification_due(struct cspd_db *db, int64_t now_ms, int limit, struct cspd_arena *a,
                        struct cspd_notification **out, int *n) {
  PREP(s, "SELECT " NOTE_COLS " FROM notifications WHERE status = 'queued' AND "
          "next_attempt_ms <= ?1 ORDER BY next_attempt_ms LIMIT ?2");
  sqlite3_bind_int64(s, 1, now_ms);
  sqlite3_bind_int(s, 2, limit);
  return sq_list_rows(db, s, limit, sizeof **out, read_note, a, (void **)out, n,
                      "notification_due");
}

/* ---- webhooks ---------------------------------------------------------------------------- */

int sq_webhook_get(struct cspd_db *db, const char *tenant_id, struct cspd_arena *a,
                   struct cspd_webhook_reg *out) {
  PREP(s, "SELECT tenant_id, url, events, secret, created_ms, updated_ms FROM "
          "webhook_registrations WHERE tenant_id = ?1");
  sq_bind_text(s, 1, tenant_id);
  int rc = sq_step_one(db, s, "webhook_get");
  if (rc != 0)
    return rc;
  sq_col_copy(s, 0, out->tenant_id, sizeof out->tenant_id);
  out->url = sq_col_text(s, 1, a);
  out->events_json = sq_col_text(s, 2, a);
  out->secret = sq_col_text(s, 3, a);
  out->created_ms = sqlite3_column_int64(s, 4);
  out->updated_ms = sqlite3_column_int64(s, 5);
  sq_done(s);
  return 0;
}

int sq_webhook_put(struct cspd_db *db, const struct cspd_webhook_reg *in) {
  PREP(s, "INSERT INTO webhook_registrations(tenant_id, url, events, secret, created_ms, "
          "updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(tenant_id) DO UPDATE SET "
          "url = excluded.url, events = excluded.events, secret = excluded.secret, "
          "updated_ms = excluded.updated_ms");
  sq_bind_text(s, 1, in->tenant_id);
  sq_bind_text(s, 2, in->url);
  sq_bind_text(s, 3, in->events_json);
  sq_bind_text(s, 4, in->secret);
  sqlite3_bind_int64(s, 5, in->created_ms);
  sqlite3_bind_int64(s, 6, in->updated_ms);
  return sq_exec(db, s, "webhook_put");
}

int sq_webhook_delete(struct cspd_db *db, const char *tenant_id) {
  PREP(s, "DELETE FROM webhook_registrations WHERE tenant_id = ?1");
  sq_bind_text(s, 1, tenant_id);
  return sq_exec_update(db, s, "webhook_delete");
}

#define DEL_COLS                                                                                   \
  "id, tenant_id, event_name, payload, status, attempts, next_attempt_ms, "                        \
  "last_status_code, last_error, created_ms, delivered_ms"

static void read_delivery(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_webhook_delivery *d = row;
  sq_col_copy(s, 0, d->id, sizeof d->id);
  sq_col_copy(s, 1, d->tenant_id, sizeof d->tenant_id);
  d->event_name = sq_col_text(s, 2, a);
  d->payload = sq_col_text(s, 3, a);
  d->status = sq_col_text(s, 4, a);
  d->attempts = sqlite3_column_int(s, 5);
  d->next_attempt_ms = sqlite3_column_int64(s, 6);
  d->last_status_code = sqlite3_column_int(s, 7);
  d->last_error = sq_col_text(s, 8, a);
  d->created_ms = sqlite3_column_int64(s, 9);
  d->delivered_ms = sqlite3_column_int64(s, 10);
}

static void bind_delivery(sqlite3_stmt *s, const struct cspd_webhook_delivery *d) {
  sq_bind_text(s, 1, d->id);
  sq_bind_text(s, 2, d->tenant_id);
  sq_bind_text(s, 3, d->event_name);
  sq_bind_text(s, 4, d->payload);
  sq_bind_text(s, 5, d->status);
  sqlite3_bind_int(s, 6, d->attempts);
  bind_ms(s, 7, d->next_attempt_ms);
  if (d->last_status_code)
    sqlite3_bind_int(s, 8, d->last_status_code);
  else
    sqlite3_bind_null(s, 8);
  sq_bind_text(s, 9, d->last_error);
  sqlite3_bind_int64(s, 10, d->created_ms);
  bind_ms(s, 11, d->delivered_ms);
}

int sq_delivery_insert(struct cspd_db *db, const struct cspd_webhook_delivery *in) {
  PREP(s, "INSERT INTO webhook_deliveries(" DEL_COLS ") VALUES "
          "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  bind_delivery(s, in);
  return sq_exec(db, s, "delivery_insert");
}

int sq_delivery_update(struct cspd_db *db, const struct cspd_webhook_delivery *in) {
  PREP(s, "UPDATE webhook_deliveries SET status = ?5, attempts = ?6, next_attempt_ms = ?7, "
          "last_status_code = ?8, last_error = ?9, delivered_ms = ?11 WHERE id = ?1");
  bind_delivery(s, in);
  return sq_exec_update(db, s, "delivery_update");
}

int sq_delivery_list(struct cspd_db *db, const char *tenant_id, const char *after, int limit,
                     struct cspd_arena *a, struct cspd_webhook_delivery **out, int *n) {
  PREP(s, "SELECT " DEL_COLS " FROM webhook_deliveries WHERE tenant_id = ?1 AND id > ?2 "
          "ORDER BY id LIMIT ?3");
  sq_bind_text(s, 1, tenant_id);
  sq_bind_text(s, 2, after ? after : "");
  sqlite3_bind_int(s, 3, limit);
  return sq_list_rows(db, s, limit, sizeof **out, read_delivery, a, (void **)out, n,
                      "delivery_list");
}

int sq_delivery_due(struct cspd_db *db, int64_t now_ms, int limit, struct cspd_arena *a,
                    struct cspd_webhook_delivery **out, int *n) {
  PREP(s, "SELECT " DEL_COLS " FROM webhook_deliveries WHERE status = 'pending' AND "
          "next_attempt_ms <= ?1 ORDER BY next_attempt_ms LIMIT ?2");
  sqlite3_bind_int64(s, 1, now_ms);
  sqlite3_bind_int(s, 2, limit);
  return sq_list_rows(db, s, limit, sizeof **out, read_delivery, a, (void **)out, n,
                      "delivery_due");
}

/* ---- audit records --------------------------------------------------------------------------- */

static void read_audit(sqlite3_stmt *s, struct cspd_arena *a, void *row) {
  struct cspd_audit_row *r = row;
  r->id = sqlite3_column_int64(s, 0);
  r->rec.ts_ms = sqlite3_column_int64(s, 1);
  r->rec.tenant_id = sq_col_text(s, 2, a);
  r->rec.user_id = sq_col_text(s, 3, a);
  r->rec.app_id = sq_col_text(s, 4, a);
  r->rec.operation = sq_col_text(s, 5, a);
  r->rec.resource_type = sq_col_text(s, 6, a);
  r->rec.resource_id = sq_col_text(s, 7, a);
  r->rec.before_json = sq_col_text(s, 8, a);
  r->rec.after_json = sq_col_text(s, 9, a);
  r->rec.request_id = sq_col_text(s, 10, a);
  r->rec.correlation_id = sq_col_text(s, 11, a);
}

int sq_audit_list(struct cspd_db *db, const char *tenant_id, int64_t start_ms, int64_t end_ms,
                  int64_t after, int limit, struct cspd_arena *a, struct cspd_audit_row **out,
                  int *n) {
  PREP(s, "SELECT id, ts_ms, tenant_id, user_id, app_id, operation, resource_type, resource_id, "
          "before_json, after_json, request_id, correlation_id FROM audit_records WHERE "
          "(?1 IS NULL OR tenant_id = ?1) AND ts_ms >= ?2 AND ts_ms < ?3 AND id > ?4 "
          "ORDER BY id LIMIT ?5");
  sq_bind_text(s, 1, tenant_id);
  sqlite3_bind_int64(s, 2, start_ms);
  sqlite3_bind_int64(s, 3, end_ms);
  sqlite3_bind_int64(s, 4, after);
  sqlite3_bind_int(s, 5, limit);
  return sq_list_rows(db, s, limit, sizeof **out, read_audit, a, (void **)out, n, "audit_list");
}
