/* http.h -- the HTTP layer: request context, the route table, replies.
 *
 * Handlers are thin: they read the request (path parameters, query, JSON
 * body), call the core inside the transaction the dispatcher opened, and
 * render the result. One file per resource, named after its route
 * (h_<resource>.c); one route table (routes.c) that also generates the
 * OpenAPI document. */
#ifndef CSPD_HTTP_H
#define CSPD_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../core/ctx.h"
#include "../store/store.h"

struct MHD_Connection;
struct MHD_Daemon;
struct cspd_req;

typedef int (*cspd_handler)(struct cspd_req *r);

/** The dashboard's session cookie (h_session.c). */
#define CSPD_SESSION_COOKIE "cspd_session"

enum cspd_route_flags {
  ROUTE_PUBLIC = 1u << 0,   /* no authentication */
  ROUTE_TX_READ = 1u << 1,  /* handler runs in a read transaction */
  ROUTE_TX_WRITE = 1u << 2, /* handler runs in a write transaction, idempotent by MS-RequestId */
  ROUTE_SANDBOX = 1u << 3,  /* exists only in sandbox mode */
  ROUTE_FORM = 1u << 4,     /* body is application/x-www-form-urlencoded */
  ROUTE_RAW = 1u << 5,      /* reply is not JSON (metrics) */
};

struct cspd_route {
  const char *method;
  const char *pattern; /* "/v1/partners/{id}/locations" */
  cspd_handler fn;
  unsigned flags;
  unsigned roles; /* any of these roles; 0 = any authenticated caller */
  const char *tag;
  const char *summary;
  const char *object_type; /* of the answer, for the OpenAPI document */
  /** Optional: runs before the transaction, for slow pure work (argon2id
   * hashing) that must not hold the store's write lock. */
  cspd_handler prepare;
  /* filled at startup */
  int nseg;
  const char *seg[10];
};

extern struct cspd_route cspd_routes[];
extern const int cspd_nroutes;

/** Split patterns; call once before serving. */
void cspd_routes_init(void);
/** Find the route for @a method and @a path (sandbox routes only when
 * @a sandbox).
 * @param[out] params path parameters (arena copies), @param[out] nparams.
 * @param[out] allow methods allowed on the path, when the method is not.
 * @return the route; NULL when none (then *allow says whether the path
 * exists: "" means unknown path). */
const struct cspd_route *cspd_route_find(const char *method, const char *path, bool sandbox,
                                         struct cspd_arena *a, const char **params, int *nparams,
                                         char *allow, size_t allowlen);
/** OpenAPI 3.0 document of the route table (new reference). */
json_t *cspd_openapi(bool sandbox);

struct cspd_server_config {
  const char *listen; /* address, default 127.0.0.1 */
  int port;           /* 0: any free port */
  const char *store_url;
  bool sandbox;
  bool demo; /* sandbox: seed the demo world when the store is empty */
  bool log_json;
  bool access_log;  /* one line per request on stderr */
  int threads;      /* worker pool size */
  const char *poll; /* "poll", "select", "epoll" */
  size_t max_body;
  double throttle_rps; /* per tenant; 0 = off */
  int throttle_burst;
  int token_ttl;          /* seconds an access token is valid */
  const char *public_url; /* base URL in links and e-mails; default http://listen:port */
};

struct cspd_metrics;
struct cspd_throttle;
struct cspd_journal;

struct cspd_server {
  struct cspd_server_config cfg;
  struct cspd_store *store;
  struct MHD_Daemon *daemon;
  unsigned char key[32]; /* token signing key, from the store */
  int64_t started_ms;
  int port;
  struct cspd_metrics *metrics;
  struct cspd_throttle *throttle;
  struct cspd_journal *journal; /* sandbox mode: the last requests */
  int active;                   /* requests in progress (atomic) */
  char base_url[256];           /* public_url, or http://listen:port once listening */
  void (*kick)(void *cls);      /* wake the background worker (may be NULL) */
  void *kick_cls;
  int schema_version;
};

/** A request being served. Lives in its own arena. */
struct cspd_req {
  struct cspd_server *srv;
  struct MHD_Connection *conn;
  struct cspd_arena *arena;
  const char *method;
  const char *path;
  const struct cspd_route *route;
  const char *params[8];
  int nparams;
  const char *body;
  size_t body_len;
  json_t *json; /* parsed body (owned by the request) */
  struct cspd_principal who;
  bool authed;
  const char *session; /* the dashboard session token, when the cookie authenticated */
  struct cspd_ctx ctx;
  const char *request_id;
  const char *correlation_id;
  bool request_id_given;
  /* reply */
  int status;
  char *reply; /* malloc'ed; handed to libmicrohttpd */
  size_t reply_len;
  const char *content_type;
  const char *etag;
  const char *allow;
  const char *location;
  const char *set_cookie; /* Set-Cookie value (the dashboard session) */
  bool html;              /* a dashboard page: browser security headers */
  int retry_after;
  bool replayed; /* idempotent replay of an earlier response */
  void *scratch; /* handler state from prepare to the transaction */
  /** Runs after the transaction committed (in-memory state, e.g. the clock). */
  void (*on_commit)(struct cspd_req *r);
};

/* ---- replies (all return 0 so a handler can `return cspd_reply_...`) ---- */

/** Reply with @a doc (reference stolen) and @a status. */
int cspd_reply_json(struct cspd_req *r, int status, json_t *doc);
/** Reply with raw bytes (copied). */
int cspd_reply_raw(struct cspd_req *r, int status, const char *content_type, const char *bytes,
                   size_t len);
/** Reply 204 with no body. */
int cspd_reply_empty(struct cspd_req *r, int status);
/** Render r->ctx.err as the Partner Center error envelope. */
void cspd_reply_error(struct cspd_req *r);

/* ---- request helpers ---- */

/** Query parameter, name matched case-insensitively; NULL if absent. */
const char *cspd_query(struct cspd_req *r, const char *name);
/** Request header; NULL if absent. */
const char *cspd_header(struct cspd_req *r, const char *name);
/** Content-Type of a dashboard file by its extension. */
const char *cspd_content_type_of(const char *path);
/** The JSON body as an object, or -1 with an error set (400/415). */
int cspd_body_object(struct cspd_req *r, json_t **out);
/** Path parameter @a i as a normalized GUID in the arena, or -1 (400). */
int cspd_param_guid(struct cspd_req *r, int i, const char **out);

/* ---- collections and paging ---- */

struct cspd_page {
  int size;          /* requested page size */
  const char *after; /* decoded continuation key ("" from the start) */
};
/** Read ?size= and the continuation token (MS-ContinuationToken header or
 * ?continuationToken=). -1 with an error on bad input. */
int cspd_page_read(struct cspd_req *r, int default_size, struct cspd_page *out);
/** Collection envelope around @a items (stolen). When @a next_key is not
 * NULL a links.next is added that resumes after it. */
json_t *cspd_collection(struct cspd_req *r, json_t *items, const struct cspd_page *pg,
                        const char *next_key);

/** Reply 200 with a page of @a all (stolen): for short lists computed in
 * full, paged by position with ?size= and the continuation token. */
int cspd_reply_list(struct cspd_req *r, json_t *all);

/** "attributes" object: objectType and optional etag. */
json_t *cspd_attributes(const char *object_type, int64_t version);
/** Link object {"uri","method","headers":[]}. */
json_t *cspd_link(const char *uri, const char *method);
/** RFC 3339 string (arena) of unix milliseconds. */
const char *cspd_iso(struct cspd_req *r, int64_t ms);
/** Check If-Match against @a version (if the header is present): -1 with
 * 412 when stale. */
int cspd_check_if_match(struct cspd_req *r, int64_t version);
/** Set the reply's ETag from @a version. */
void cspd_set_etag(struct cspd_req *r, int64_t version);

/* ---- server ---- */

int cspd_server_start(struct cspd_server *srv, char *errbuf, size_t errlen);
/** Stop accepting, drain in-flight requests (up to @a drain_ms), stop. */
void cspd_server_stop(struct cspd_server *srv, int drain_ms);

/* ---- metrics ---- */
struct cspd_metrics *cspd_metrics_new(int nroutes);
void cspd_metrics_free(struct cspd_metrics *m);
void cspd_metrics_observe(struct cspd_metrics *m, int route, int status, int64_t us);
/** Prometheus text (malloc'ed; caller frees). */
char *cspd_metrics_render(struct cspd_server *srv, size_t *len);

/* ---- request journal (sandbox) ---- */
struct cspd_journal *cspd_journal_new(int capacity);
void cspd_journal_free(struct cspd_journal *j);
void cspd_journal_add(struct cspd_journal *j, const struct cspd_req *r, int64_t us);
/** The newest @a max entries, newest first (new reference). */
json_t *cspd_journal_json(struct cspd_journal *j, int max);
int h_cspd_journal(struct cspd_req *r);

/* ---- throttling ---- */
struct cspd_throttle *cspd_throttle_new(double rps, int burst);
void cspd_throttle_free(struct cspd_throttle *t);
/** 0 when allowed; otherwise the seconds to wait. */
int cspd_throttle_take(struct cspd_throttle *t, const char *tenant, int64_t now_us);

/* handlers, one file per resource */
int h_token(struct cspd_req *r);
int h_profiles_mpn_get(struct cspd_req *r);
int h_profiles_legalbusiness_get(struct cspd_req *r);
int h_profiles_legalbusiness_put(struct cspd_req *r);
int h_partner_patch(struct cspd_req *r);
int h_relationships_get(struct cspd_req *r);
int h_partners_post(struct cspd_req *r);
int h_partners_get(struct cspd_req *r);
int h_partner_get(struct cspd_req *r);
int h_partner_locations_post(struct cspd_req *r);
int h_partner_locations_get(struct cspd_req *r);
int h_location_get(struct cspd_req *r);
int h_tenant_users_prepare(struct cspd_req *r);
int h_tenant_users_post(struct cspd_req *r);
int h_tenant_apps_prepare(struct cspd_req *r);
int h_tenant_users_get(struct cspd_req *r);
int h_tenant_apps_post(struct cspd_req *r);
int h_markets_get(struct cspd_req *r);
/* partner program */
int h_profiles_programinfo_get(struct cspd_req *r);
int h_agreementstatus_get(struct cspd_req *r);
int h_agreements_mpa_post(struct cspd_req *r);
int h_agreements_mpa_get(struct cspd_req *r);
int h_enrollments_form_get(struct cspd_req *r);
int h_enrollments_post(struct cspd_req *r);
int h_enrollments_get(struct cspd_req *r);
int h_enrollment_get(struct cspd_req *r);
int h_enrollment_approve(struct cspd_req *r);
int h_enrollment_reject(struct cspd_req *r);
int h_enrollment_accept_agreement(struct cspd_req *r);
int h_enrollment_undo(struct cspd_req *r);
int h_providers_get(struct cspd_req *r);
int h_invitations_post(struct cspd_req *r);
int h_invitations_get(struct cspd_req *r);
int h_invitation_get(struct cspd_req *r);
int h_invitation_accept(struct cspd_req *r);
int h_partnership_delete(struct cspd_req *r);
int h_operator_partnerships_get(struct cspd_req *r);
int h_operator_settings_get(struct cspd_req *r);
int h_operator_settings_put(struct cspd_req *r);
int h_operator_memberships_put(struct cspd_req *r);
int h_operator_revenue_post(struct cspd_req *r);
int h_operator_revenue_get(struct cspd_req *r);
int h_operator_directbill_evaluate(struct cspd_req *r);
int h_operator_directbill_report(struct cspd_req *r);
int h_operator_fxrates_get(struct cspd_req *r);
int h_operator_fxrates_put(struct cspd_req *r);
int h_auditrecords_get(struct cspd_req *r);
/* customers */
int h_customers_prepare(struct cspd_req *r);
int h_customers_post(struct cspd_req *r);
int h_customers_get(struct cspd_req *r);
int h_customer_get(struct cspd_req *r);
int h_customer_patch(struct cspd_req *r);
int h_customer_company_get(struct cspd_req *r);
int h_customer_billing_get(struct cspd_req *r);
int h_customer_billing_put(struct cspd_req *r);
int h_customer_relationships_get(struct cspd_req *r);
int h_relationshiprequests_get(struct cspd_req *r);
int h_relationshiprequests_accept(struct cspd_req *r);
int h_relationshipextensions_post(struct cspd_req *r);
int h_relationshipextensions_get(struct cspd_req *r);
int h_agreements_get(struct cspd_req *r);
/* commerce */
int h_offers_get(struct cspd_req *r);
int h_offer_get(struct cspd_req *r);
int h_offer_addons_get(struct cspd_req *r);
int h_operator_catalog_put(struct cspd_req *r);
int h_orders_post(struct cspd_req *r);
int h_orders_get(struct cspd_req *r);
int h_order_get(struct cspd_req *r);
int h_subscriptions_get(struct cspd_req *r);
int h_subscription_get(struct cspd_req *r);
int h_subscription_addons_get(struct cspd_req *r);
int h_subscription_patch(struct cspd_req *r);
int h_usage_post(struct cspd_req *r);
int h_invoices_get(struct cspd_req *r);
int h_invoice_get(struct cspd_req *r);
int h_invoice_lines_get(struct cspd_req *r);
int h_operator_billing_run(struct cspd_req *r);
/* transfers */
int h_transfers_eligibility(struct cspd_req *r);
int h_transfers_post(struct cspd_req *r);
int h_transfers_get(struct cspd_req *r);
int h_transfer_get(struct cspd_req *r);
int h_transfer_accept(struct cspd_req *r);
int h_transfer_patch(struct cspd_req *r);
int h_transfer_delete(struct cspd_req *r);
int h_customer_agreements_post(struct cspd_req *r);
int h_customer_agreements_get(struct cspd_req *r);
int h_customer_direct_mca_status(struct cspd_req *r);
int h_notifications_get(struct cspd_req *r);
int h_webhook_get(struct cspd_req *r);
int h_webhook_post(struct cspd_req *r);
int h_webhook_put(struct cspd_req *r);
int h_webhook_delete(struct cspd_req *r);
int h_webhook_events_get(struct cspd_req *r);
int h_webhook_validation_post(struct cspd_req *r);
int h_webhook_deliveries_get(struct cspd_req *r);
int h_cspd_health(struct cspd_req *r);
int h_session_post(struct cspd_req *r);
int h_session_get(struct cspd_req *r);
int h_session_delete(struct cspd_req *r);
int h_cspd_info(struct cspd_req *r);
int h_cspd_metrics(struct cspd_req *r);
int h_cspd_openapi(struct cspd_req *r);
int h_cspd_errors(struct cspd_req *r);
int h_cspd_clock_get(struct cspd_req *r);
int h_cspd_clock_put(struct cspd_req *r);
int h_cspd_clock_advance(struct cspd_req *r);
int h_cspd_reset_prepare(struct cspd_req *r);
int h_cspd_reset(struct cspd_req *r);
int h_cspd_seed_prepare(struct cspd_req *r);
int h_cspd_seed(struct cspd_req *r);

/** Apply the demo world or reset (shared by `cspd serve --demo` and
 * /_cspd/reset). 0 or -1 with @a errbuf. */
int cspd_sandbox_seed_demo(struct cspd_server *srv, char *errbuf, size_t errlen);

#endif
