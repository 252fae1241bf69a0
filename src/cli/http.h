/*
 * csp — the one HTTP request function, the error printer and paging.
 */
#ifndef CSP_HTTP_H
#define CSP_HTTP_H

#include <jansson.h>
#include <stdbool.h>

#include "csp.h"

/** Whether a request carries the cached bearer token. */
typedef enum csp_auth {
  CSP_AUTH_NONE,     /**< never (token endpoint, /_cspd/health, /_cspd/info) */
  CSP_AUTH_OPTIONAL, /**< when logged in (raw get/post/...: the server decides) */
  CSP_AUTH_REQUIRED, /**< must be logged in with an unexpired token, else exit 3 */
} csp_auth;

/** A request; every pointer is borrowed for the duration of the call. */
typedef struct csp_req {
  const char *method; /**< "GET", "POST", ... */
  const char *path; /**< "/v1/..." possibly with "?query"; or an absolute URL under the base URL */
  const csp_strlist *query; /**< "key=value" items appended URL-encoded; may be NULL */
  const char *body;         /**< request body or NULL */
  size_t body_len;
  const char *content_type; /**< default "application/json" when there is a body */
  const char *continuation; /**< MS-ContinuationToken header or NULL */
  const char *if_match;     /**< If-Match header or NULL */
  csp_auth auth;
} csp_req;

/** A response. Release with csp_resp_free(). */
typedef struct csp_resp {
  long status; /**< HTTP status */
  char *body;  /**< owned, NUL-terminated (empty when no body) */
  size_t body_len;
  json_t *json;             /**< owned; the parsed body, NULL when empty or not JSON */
  bool sent_auth;           /**< the request carried a token */
  char request_id[128];     /**< MS-RequestId response header */
  char correlation_id[128]; /**< MS-CorrelationId response header */
  char retry_after[32];     /**< Retry-After response header */
  char etag[128];           /**< ETag response header */
} csp_resp;

/**
 * Base URL: --url, else the session's URL, else $CSP_URL, else the default.
 * With for_login: --url, else $CSP_URL, else the session's URL, else the
 * default. Stores the result in ctx->base_url (owned by ctx).
 * csp_http() calls it (for_login = false) when ctx->base_url is still NULL.
 * @return 0, or -CSP_EXIT_USAGE when the URL is not http(s) (message printed).
 */
int csp_resolve_base_url(csp_ctx *ctx, bool for_login);

/**
 * Send one request. A fresh MS-RequestId is generated per call and reused for
 * the single retry made after a connection failure; MS-CorrelationId is the
 * invocation's. With --verbose the request line, status and ids go to stderr.
 * @param[out] resp filled on success; release with csp_resp_free().
 * @return 0 when an HTTP response arrived (whatever its status);
 *         -CSP_EXIT_SERVER on connection failure, -CSP_EXIT_AUTH when a token
 *         is required but missing/expired (message printed in both cases).
 */
int csp_http(csp_ctx *ctx, const csp_req *req, csp_resp *resp);

/** Release a response's contents (the struct itself is the caller's). */
void csp_resp_free(csp_resp *resp);

/** @return the exit code for an HTTP status (0 for 2xx). */
int csp_exit_for_status(long status);

/**
 * Print an error response to stderr:
 *   csp: error <code> (HTTP <status>): <description>
 *     rule: R-...
 *     remedy: ...
 * @return -(exit code for the status).
 */
int csp_print_api_error(const csp_ctx *ctx, const csp_resp *resp);

/**
 * Request + status check: the common path of the typed commands. A JSON body
 * is serialized compactly; errors are printed.
 * @param body request body or NULL (borrowed)
 * @param auth  whether the token is sent (CSP_AUTH_REQUIRED for /v1 routes)
 * @param[out] out the parsed response (may be NULL for an empty body), owned
 *             by the caller (json_decref()); pass NULL to discard it.
 * @return 0 or -CSP_EXIT_x.
 */
int csp_call(csp_ctx *ctx, const char *method, const char *path, const csp_strlist *query,
             const json_t *body, csp_auth auth, json_t **out);

/**
 * csp_call() with entity tags (optimistic concurrency): sends If-Match and
 * hands back the answer's ETag header.
 * @param if_match the entity tag to send, e.g. "\"3\"" (borrowed); NULL sends none
 * @param[out] etag the ETag header of a successful answer, owned by the caller
 *             (free()); NULL when there is none. Pass NULL to ignore it.
 * @return 0 or -CSP_EXIT_x (a 412 is printed and gives -CSP_EXIT_CONFLICT).
 */
int csp_call_etag(csp_ctx *ctx, const char *method, const char *path, const csp_strlist *query,
                  const json_t *body, const char *if_match, csp_auth auth, json_t **out,
                  char **etag);

/**
 * GET a collection and follow links.next (MS-ContinuationToken) to the end.
 * @param[out] out the first page with "items" holding the items of every page
 *             and links.next removed; owned by the caller (json_decref()).
 * @return 0 or -CSP_EXIT_x.
 */
int csp_get_all(csp_ctx *ctx, const char *path, const csp_strlist *query, json_t **out);

/**
 * URL-encode text (a path segment or a form value): everything but
 * unreserved characters is percent-encoded.
 * @return the encoded text, owned by the caller (free()).
 */
char *csp_url_encode(csp_ctx *ctx, const char *text);

/**
 * Decode percent-encoded text (a query value copied from a URL). A "%00"
 * ends the result early.
 * @return the decoded text, owned by the caller (free()).
 */
char *csp_url_decode(csp_ctx *ctx, const char *text);

/**
 * Build "prefix/{id}suffix" with id URL-encoded, e.g.
 * csp_id_path(ctx, "/v1/partners", id, "/locations").
 * @param suffix appended as is; may be NULL
 * @return the path, owned by the caller (free()).
 */
char *csp_id_path(csp_ctx *ctx, const char *prefix, const char *id, const char *suffix);

/**
 * Append "key=value" to a query list when value is not NULL (csp_http
 * URL-encodes it). Every item of a list built this way is owned by the list:
 * release them with csp_query_free().
 */
void csp_query_add(csp_strlist *query, const char *key, const char *value);

/** Free the items added by csp_query_add() and empty the list. */
void csp_query_free(csp_strlist *query);

/**
 * @return a JSON array of the strings in list (new reference, owned by the
 *         caller), or NULL when a string is not valid UTF-8.
 */
json_t *csp_string_array(const csp_strlist *list);

/** Release the CURL handle of ctx. */
void csp_http_cleanup(csp_ctx *ctx);

#endif /* CSP_HTTP_H */
