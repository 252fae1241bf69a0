/* sqlite_int.h -- helpers shared by the SQLite backend's files.
 *
 * The backend is split by area (sqlite.c: sessions, transactions and
 * identities; sqlite_program.c: program memberships, agreements, enrollments,
 * partnerships, revenue; sqlite_events.c: jobs, notifications, webhooks,
 * audit). Module files prepare their statements through sq_stmt(), which
 * caches them per session keyed by the address of a static SQL string. */
#ifndef CSPD_SQLITE_INT_H
#define CSPD_SQLITE_INT_H

#include <sqlite3.h>

#include "../store_impl.h"

#define SQ_XSTMT_SLOTS 256

struct sq_xstmt {
  const char *sql;
  sqlite3_stmt *st;
};

/** The session's cached statement for the static string @a sql (prepared on
 * first use); NULL on error (logged). Reset it with sq_done() after use. */
sqlite3_stmt *sq_stmt(struct cspd_db *db, const char *sql);
/** Map an SQLite result code to a CSPD_STORE_* code (errors are logged). */
int sq_map_rc(struct cspd_db *db, int rc, const char *what);
void sq_done(sqlite3_stmt *s);
void sq_bind_text(sqlite3_stmt *s, int i, const char *v);
/** Column text copied into the arena (NULL for SQL NULL). */
char *sq_col_text(sqlite3_stmt *s, int i, struct cspd_arena *a);
void sq_col_copy(sqlite3_stmt *s, int i, char *dst, size_t cap);
/** Run a statement without rows; resets it. */
int sq_exec(struct cspd_db *db, sqlite3_stmt *s, const char *what);
/** Like sq_exec, but NOTFOUND when no row changed. */
int sq_exec_update(struct cspd_db *db, sqlite3_stmt *s, const char *what);
/** Step a one-row query: 0 with the row (read it, then sq_done), NOTFOUND,
 * or an error (statement already reset). */
int sq_step_one(struct cspd_db *db, sqlite3_stmt *s, const char *what);

typedef void (*row_reader)(sqlite3_stmt *s, struct cspd_arena *a, void *row);
/** Read up to @a limit rows of @a size bytes each into an arena array. */
int sq_list_rows(struct cspd_db *db, sqlite3_stmt *s, int limit, size_t size, row_reader read,
                 struct cspd_arena *a, void **out, int *n, const char *what);
/** Read the one row of @a s into @a out with @a read: 0, NOTFOUND or an
 * error; the statement is reset in every case. */
int sq_get_row(struct cspd_db *db, sqlite3_stmt *s, row_reader read, struct cspd_arena *a,
               void *out, const char *what);
/** sqlite3 connection of the session (for sqlite3_changes, last_insert_rowid). */
sqlite3 *sq_conn(struct cspd_db *db);

#define SQ_CUSTOMER_COLS                                                                           \
  "tenant_id, company_name, domain, country, version, created_ms, "                                \
  "billing_json, billing_version, owner_org_id, created_by"
/** Row reader of SQ_CUSTOMER_COLS (a struct cspd_customer). */
void sq_read_customer(sqlite3_stmt *s, struct cspd_arena *a, void *row);

/* Module implementations (sqlite_program.c, sqlite_events.c), wired into
 * the ops table in sqlite.c. Signatures as in struct cspd_store_ops. */
#define SQ_MODULE_OPS                                                                              \
  .org_set_program_fields = sq_org_set_program_fields,                                             \
  .org_get_program_fields = sq_org_get_program_fields, .membership_list = sq_membership_list,      \
  .membership_put = sq_membership_put, .membership_history = sq_membership_history,                \
  .members_list = sq_members_list, .mpa_get = sq_mpa_get, .mpa_put = sq_mpa_put,                   \
  .enrollment_insert = sq_enrollment_insert, .enrollment_update = sq_enrollment_update,            \
  .enrollment_get = sq_enrollment_get, .enrollment_get_by_tenant = sq_enrollment_get_by_tenant,    \
  .enrollment_list = sq_enrollment_list, .invitation_insert = sq_invitation_insert,                \
  .invitation_update = sq_invitation_update, .invitation_get = sq_invitation_get,                  \
  .invitation_list = sq_invitation_list, .revenue_insert = sq_revenue_insert,                      \
  .revenue_sum = sq_revenue_sum, .revenue_list = sq_revenue_list, .fx_get = sq_fx_get,             \
  .fx_put = sq_fx_put, .fx_list = sq_fx_list, .partnership_get = sq_partnership_get,               \
  .partnership_list_all = sq_partnership_list_all,                                                 \
  .partnership_set_state = sq_partnership_set_state, .job_schedule = sq_job_schedule,              \
  .job_next_due = sq_job_next_due, .job_finish = sq_job_finish, .job_cancel = sq_job_cancel,       \
  .notification_insert = sq_notification_insert, .notification_update = sq_notification_update,    \
  .notification_list = sq_notification_list, .notification_due = sq_notification_due,              \
  .webhook_get = sq_webhook_get, .webhook_put = sq_webhook_put,                                    \
  .webhook_delete = sq_webhook_delete, .delivery_insert = sq_delivery_insert,                      \
  .delivery_update = sq_delivery_update, .delivery_list = sq_delivery_list,                        \
  .delivery_due = sq_delivery_due, .audit_list = sq_audit_list,                                    \
  .customer_update = sq_customer_update, .customer_list = sq_customer_list,                        \
  .crel_put = sq_crel_put, .crel_list = sq_crel_list, .cagreement_insert = sq_cagreement_insert,   \
  .cagreement_list = sq_cagreement_list, .offer_replace = sq_offer_replace,                        \
  .offer_get = sq_offer_get, .offer_list = sq_offer_list, .order_insert = sq_order_insert,         \
  .order_get = sq_order_get, .order_list = sq_order_list, .sub_insert = sq_sub_insert,             \
  .sub_update = sq_sub_update, .sub_get = sq_sub_get, .sub_list = sq_sub_list,                     \
  .sub_list_all = sq_sub_list_all, .sub_history_add = sq_sub_history_add,                          \
  .sub_history = sq_sub_history, .usage_insert = sq_usage_insert, .usage_sum = sq_usage_sum,       \
  .invoice_insert = sq_invoice_insert, .invoice_line_insert = sq_invoice_line_insert,              \
  .invoice_get = sq_invoice_get, .invoice_list = sq_invoice_list,                                  \
  .invoice_lines = sq_invoice_lines, .transfer_insert = sq_transfer_insert,                        \
  .transfer_update = sq_transfer_update, .transfer_get = sq_transfer_get,                          \
  .transfer_list = sq_transfer_list, .transfer_lock = sq_transfer_lock,                            \
  .transfer_lock_get = sq_transfer_lock_get, .transfer_unlock = sq_transfer_unlock,

__typeof__(*((struct cspd_store_ops *)0)->org_set_program_fields) sq_org_set_program_fields;
__typeof__(*((struct cspd_store_ops *)0)->org_get_program_fields) sq_org_get_program_fields;
__typeof__(*((struct cspd_store_ops *)0)->membership_list) sq_membership_list;
__typeof__(*((struct cspd_store_ops *)0)->membership_put) sq_membership_put;
__typeof__(*((struct cspd_store_ops *)0)->membership_history) sq_membership_history;
__typeof__(*((struct cspd_store_ops *)0)->members_list) sq_members_list;
__typeof__(*((struct cspd_store_ops *)0)->mpa_get) sq_mpa_get;
__typeof__(*((struct cspd_store_ops *)0)->mpa_put) sq_mpa_put;
__typeof__(*((struct cspd_store_ops *)0)->enrollment_insert) sq_enrollment_insert;
__typeof__(*((struct cspd_store_ops *)0)->enrollment_update) sq_enrollment_update;
__typeof__(*((struct cspd_store_ops *)0)->enrollment_get) sq_enrollment_get;
__typeof__(*((struct cspd_store_ops *)0)->enrollment_get_by_tenant) sq_enrollment_get_by_tenant;
__typeof__(*((struct cspd_store_ops *)0)->enrollment_list) sq_enrollment_list;
__typeof__(*((struct cspd_store_ops *)0)->invitation_insert) sq_invitation_insert;
__typeof__(*((struct cspd_store_ops *)0)->invitation_update) sq_invitation_update;
__typeof__(*((struct cspd_store_ops *)0)->invitation_get) sq_invitation_get;
__typeof__(*((struct cspd_store_ops *)0)->invitation_list) sq_invitation_list;
__typeof__(*((struct cspd_store_ops *)0)->revenue_insert) sq_revenue_insert;
__typeof__(*((struct cspd_store_ops *)0)->revenue_sum) sq_revenue_sum;
__typeof__(*((struct cspd_store_ops *)0)->revenue_list) sq_revenue_list;
__typeof__(*((struct cspd_store_ops *)0)->fx_get) sq_fx_get;
__typeof__(*((struct cspd_store_ops *)0)->fx_put) sq_fx_put;
__typeof__(*((struct cspd_store_ops *)0)->fx_list) sq_fx_list;
__typeof__(*((struct cspd_store_ops *)0)->partnership_get) sq_partnership_get;
__typeof__(*((struct cspd_store_ops *)0)->partnership_list_all) sq_partnership_list_all;
__typeof__(*((struct cspd_store_ops *)0)->partnership_set_state) sq_partnership_set_state;
__typeof__(*((struct cspd_store_ops *)0)->job_schedule) sq_job_schedule;
__typeof__(*((struct cspd_store_ops *)0)->job_next_due) sq_job_next_due;
__typeof__(*((struct cspd_store_ops *)0)->job_finish) sq_job_finish;
__typeof__(*((struct cspd_store_ops *)0)->job_cancel) sq_job_cancel;
__typeof__(*((struct cspd_store_ops *)0)->notification_insert) sq_notification_insert;
__typeof__(*((struct cspd_store_ops *)0)->notification_update) sq_notification_update;
__typeof__(*((struct cspd_store_ops *)0)->notification_list) sq_notification_list;
__typeof__(*((struct cspd_store_ops *)0)->notification_due) sq_notification_due;
__typeof__(*((struct cspd_store_ops *)0)->webhook_get) sq_webhook_get;
__typeof__(*((struct cspd_store_ops *)0)->webhook_put) sq_webhook_put;
__typeof__(*((struct cspd_store_ops *)0)->webhook_delete) sq_webhook_delete;
__typeof__(*((struct cspd_store_ops *)0)->delivery_insert) sq_delivery_insert;
__typeof__(*((struct cspd_store_ops *)0)->delivery_update) sq_delivery_update;
__typeof__(*((struct cspd_store_ops *)0)->delivery_list) sq_delivery_list;
__typeof__(*((struct cspd_store_ops *)0)->delivery_due) sq_delivery_due;
__typeof__(*((struct cspd_store_ops *)0)->audit_list) sq_audit_list;
__typeof__(*((struct cspd_store_ops *)0)->customer_update) sq_customer_update;
__typeof__(*((struct cspd_store_ops *)0)->customer_list) sq_customer_list;
__typeof__(*((struct cspd_store_ops *)0)->crel_put) sq_crel_put;
__typeof__(*((struct cspd_store_ops *)0)->crel_list) sq_crel_list;
__typeof__(*((struct cspd_store_ops *)0)->cagreement_insert) sq_cagreement_insert;
__typeof__(*((struct cspd_store_ops *)0)->cagreement_list) sq_cagreement_list;
__typeof__(*((struct cspd_store_ops *)0)->offer_replace) sq_offer_replace;
__typeof__(*((struct cspd_store_ops *)0)->offer_get) sq_offer_get;
__typeof__(*((struct cspd_store_ops *)0)->offer_list) sq_offer_list;
__typeof__(*((struct cspd_store_ops *)0)->order_insert) sq_order_insert;
__typeof__(*((struct cspd_store_ops *)0)->order_get) sq_order_get;
__typeof__(*((struct cspd_store_ops *)0)->order_list) sq_order_list;
__typeof__(*((struct cspd_store_ops *)0)->sub_insert) sq_sub_insert;
__typeof__(*((struct cspd_store_ops *)0)->sub_update) sq_sub_update;
__typeof__(*((struct cspd_store_ops *)0)->sub_get) sq_sub_get;
__typeof__(*((struct cspd_store_ops *)0)->sub_list) sq_sub_list;
__typeof__(*((struct cspd_store_ops *)0)->sub_list_all) sq_sub_list_all;
__typeof__(*((struct cspd_store_ops *)0)->sub_history_add) sq_sub_history_add;
__typeof__(*((struct cspd_store_ops *)0)->sub_history) sq_sub_history;
__typeof__(*((struct cspd_store_ops *)0)->usage_insert) sq_usage_insert;
__typeof__(*((struct cspd_store_ops *)0)->usage_sum) sq_usage_sum;
__typeof__(*((struct cspd_store_ops *)0)->invoice_insert) sq_invoice_insert;
__typeof__(*((struct cspd_store_ops *)0)->invoice_line_insert) sq_invoice_line_insert;
__typeof__(*((struct cspd_store_ops *)0)->invoice_get) sq_invoice_get;
__typeof__(*((struct cspd_store_ops *)0)->invoice_list) sq_invoice_list;
__typeof__(*((struct cspd_store_ops *)0)->invoice_lines) sq_invoice_lines;
__typeof__(*((struct cspd_store_ops *)0)->transfer_insert) sq_transfer_insert;
__typeof__(*((struct cspd_store_ops *)0)->transfer_update) sq_transfer_update;
__typeof__(*((struct cspd_store_ops *)0)->transfer_get) sq_transfer_get;
__typeof__(*((struct cspd_store_ops *)0)->transfer_list) sq_transfer_list;
__typeof__(*((struct cspd_store_ops *)0)->transfer_lock) sq_transfer_lock;
__typeof__(*((struct cspd_store_ops *)0)->transfer_lock_get) sq_transfer_lock_get;
__typeof__(*((struct cspd_store_ops *)0)->transfer_unlock) sq_transfer_unlock;

#endif
