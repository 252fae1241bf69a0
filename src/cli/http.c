/*
 * csp — the one HTTP request function, the error printer and paging.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "http.h"
#include "session.h"
#include "util.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define CSP_MAX_BODY ((size_t)256 * 1024 * 1024)
#define CSP_CONNECT_TIMEOUT 10L
#define CSP_TOTAL_TIMEOUT 300L
#define CSP_MAX_PAGES 100000

int csp_resolve_base_url(csp_ctx *ctx, bool for_login) {
  const char *env = getenv("CSP_URL");
  if (env && !*env)
    env = NULL;
  const char *session_url = ctx->session ? ctx->session->url : NULL;
  const char *url = ctx->url_opt;
  /* A token belongs to the server that issued it, so the session's URL
   * comes before $CSP_URL -- except for login, which picks the server. */
  if (!url)
    url = for_login ? env : session_url;
  if (!url)
    url = for_login ? session_url : env;
  if (!url)
    url = CSP_DEFAULT_URL;
  if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0) {
    fprintf(stderr, "csp: invalid URL '%s': expected http://HOST[:PORT] or https://...\n", url);
    return -CSP_EXIT_USAGE;
  }
  char *copy = csp_xstrdup(url);
  size_t len = strlen(copy);
  while (len > 0 && copy[len - 1] == '/')
    copy[--len] = '\0';
  free(ctx->base_url);
  ctx->base_url = copy;
  return 0;
}

/** @return the invocation's CURL handle, created on first use (owned by ctx). */
static CURL *csp_curl(csp_ctx *ctx) {
  if (!ctx->curl) {
    ctx->curl = curl_easy_init();
    if (!ctx->curl) {
      fputs("csp: cannot initialize libcurl\n", stderr);
      exit(CSP_EXIT_SERVER);
    }
  }
  return ctx->curl;
}

void csp_http_cleanup(csp_ctx *ctx) {
  if (ctx->curl) {
    curl_easy_cleanup(ctx->curl);
    ctx->curl = NULL;
  }
}

/** URL-encode s; @return owned by the caller (free()). */
static char *csp_escape(csp_ctx *ctx, const char *s, size_t len) {
  char *e = curl_easy_escape(csp_curl(ctx), s, (int)len);
  if (!e) {
    fputs("csp: out of memory\n", stderr);
    exit(1);
  }
  char *copy = csp_xstrdup(e);
  curl_free(e);
  return copy;
}

char *csp_url_encode(csp_ctx *ctx, const char *text) {
  return csp_escape(ctx, text, strlen(text));
}

char *csp_url_decode(csp_ctx *ctx, const char *text) {
  int len = 0;
  char *d = curl_easy_unescape(csp_curl(ctx), text, (int)strlen(text), &len);
  if (!d) {
    fputs("csp: out of memory\n", stderr);
    exit(1);
  }
  char *copy = strndup(d, (size_t)len);
  curl_free(d);
  if (!copy) {
    fputs("csp: out of memory\n", stderr);
    exit(1);
  }
  return copy;
}

char *csp_id_path(csp_ctx *ctx, const char *prefix, const char *id, const char *suffix) {
  char *enc = csp_url_encode(ctx, id);
  char *path = csp_xasprintf("%s/%s%s", prefix, enc, suffix ? suffix : "");
  free(enc);
  return path;
}

void csp_query_add(csp_strlist *query, const char *key, const char *value) {
  if (!value)
    return;
  if (query->n == CSP_MAX_LIST) {
    fputs("csp: too many query parameters\n", stderr);
    exit(1);
  }
  query->v[query->n++] = csp_xasprintf("%s=%s", key, value);
}

void csp_query_free(csp_strlist *query) {
  for (size_t i = 0; i < query->n; i++)
    free((char *)query->v[i]);
  query->n = 0;
}

json_t *csp_string_array(const csp_strlist *list) {
  json_t *arr = json_array();
  for (size_t i = 0; arr && i < list->n; i++) {
    json_t *item = json_string(list->v[i]);
    if (!item || json_array_append_new(arr, item) != 0) {
      json_decref(arr);
      return NULL;
    }
  }
  return arr;
}

/**
 * Full request URL.
 * @param[out] out owned by the caller (free()).
 */
static int csp_build_url(csp_ctx *ctx, const csp_req *req, char **out) {
  char *url;
  const char *path = req->path;
  if (strncasecmp(path, "http://", 7) == 0 || strncasecmp(path, "https://", 8) == 0) {
    size_t blen = strlen(ctx->base_url);
    if (strncmp(path, ctx->base_url, blen) != 0 || (path[blen] != '/' && path[blen] != '\0')) {
      fprintf(stderr, "csp: refusing to send a request outside %s: %s\n", ctx->base_url, path);
      return -CSP_EXIT_REFUSED;
    }
    url = csp_xstrdup(path);
  } else {
    url = csp_xasprintf("%s%s%s", ctx->base_url, path[0] == '/' ? "" : "/", path);
  }

  for (size_t i = 0; req->query && i < req->query->n; i++) {
    const char *item = req->query->v[i];
    const char *eq = strchr(item, '=');
    char *key = csp_escape(ctx, item, eq ? (size_t)(eq - item) : strlen(item));
    char *val = eq ? csp_escape(ctx, eq + 1, strlen(eq + 1)) : NULL;
    char *next = csp_xasprintf("%s%c%s%s%s", url, strchr(url, '?') ? '&' : '?', key, val ? "=" : "",
                               val ? val : "");
    free(key);
    free(val);
    free(url);
    url = next;
  }
  *out = url;
  return 0;
}

/** Response accumulator passed to the curl callbacks. */
typedef struct csp_sink {
  csp_resp *resp;
  size_t cap;
  bool too_big;
} csp_sink;

static size_t csp_on_body(char *data, size_t size, size_t nmemb, void *userdata) {
  csp_sink *sink = userdata;
  csp_resp *resp = sink->resp;
  size_t n = size * nmemb;
  if (resp->body_len + n + 1 > CSP_MAX_BODY) {
    sink->too_big = true;
    return 0;
  }
  if (resp->body_len + n + 1 > sink->cap) {
    size_t cap = sink->cap ? sink->cap : 4096;
    while (cap < resp->body_len + n + 1)
      cap *= 2;
    resp->body = csp_xrealloc(resp->body, cap);
    sink->cap = cap;
  }
  memcpy(resp->body + resp->body_len, data, n);
  resp->body_len += n;
  resp->body[resp->body_len] = '\0';
  return n;
}

/** Copy a header value (trimmed) into dst when line is "name: value". */
static void csp_take_header(const char *line, size_t len, const char *name, char *dst,
                            size_t dst_size) {
  size_t nlen = strlen(name);
  if (len <= nlen || strncasecmp(line, name, nlen) != 0 || line[nlen] != ':')
    return;
  const char *v = line + nlen + 1;
  const char *end = line + len;
  while (v < end && (*v == ' ' || *v == '\t'))
    v++;
  while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
    end--;
  size_t vlen = (size_t)(end - v);
  if (vlen >= dst_size)
    vlen = dst_size - 1;
  memcpy(dst, v, vlen);
  dst[vlen] = '\0';
}

static size_t csp_on_header(char *data, size_t size, size_t nmemb, void *userdata) {
  csp_sink *sink = userdata;
  csp_resp *resp = sink->resp;
  size_t n = size * nmemb;
  if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
    /* A new response (e.g. after 100 Continue): forget earlier headers. */
    resp->request_id[0] = '\0';
    resp->correlation_id[0] = '\0';
    resp->retry_after[0] = '\0';
    resp->etag[0] = '\0';
    return n;
  }
  csp_take_header(data, n, "MS-RequestId", resp->request_id, sizeof resp->request_id);
  csp_take_header(data, n, "MS-CorrelationId", resp->correlation_id, sizeof resp->correlation_id);
  csp_take_header(data, n, "Retry-After", resp->retry_after, sizeof resp->retry_after);
  csp_take_header(data, n, "ETag", resp->etag, sizeof resp->etag);
  return n;
}

/** @return true for failures where the request most likely never reached the server. */
static bool csp_is_connection_failure(CURLcode code) {
  return code == CURLE_COULDNT_CONNECT || code == CURLE_SEND_ERROR || code == CURLE_RECV_ERROR ||
         code == CURLE_GOT_NOTHING;
}

/** Append "Name: value" to a header list; exits on allocation failure. */
static struct curl_slist *csp_add_header(struct curl_slist *list, const char *name,
                                         const char *value) {
  char *line = csp_xasprintf("%s: %s", name, value);
  struct curl_slist *next = curl_slist_append(list, line);
  free(line);
  if (!next) {
    fputs("csp: out of memory\n", stderr);
    exit(1);
  }
  return next;
}

/** @return milliseconds between two monotonic times. */
static long csp_elapsed_ms(const struct timespec *a, const struct timespec *b) {
  return (long)((b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000);
}

/** Check the session for an authenticated request. @return 0 or -CSP_EXIT_AUTH. */
static int csp_check_session(const csp_ctx *ctx, csp_auth auth) {
  if (auth != CSP_AUTH_REQUIRED)
    return 0;
  if (!ctx->session) {
    fputs("csp: not logged in; run 'csp login' first\n", stderr);
    return -CSP_EXIT_AUTH;
  }
  if (ctx->session->expires_at <= time(NULL)) {
    char when[32];
    csp_format_time(ctx->session->expires_at, when);
    fprintf(stderr, "csp: the session expired at %s; run 'csp login' again\n", when);
    return -CSP_EXIT_AUTH;
  }
  return 0;
}

int csp_http(csp_ctx *ctx, const csp_req *req, csp_resp *resp) {
  memset(resp, 0, sizeof *resp);
  int rc = 0;
  if (!ctx->base_url)
    rc = csp_resolve_base_url(ctx, false);
  if (rc == 0)
    rc = csp_check_session(ctx, req->auth);
  if (rc != 0)
    return rc;

  char *url = NULL;
  rc = csp_build_url(ctx, req, &url);
  if (rc != 0)
    return rc;

  char request_id[37];
  if (csp_guid_v4(request_id) != 0) {
    fputs("csp: no source of randomness for MS-RequestId\n", stderr);
    free(url);
    return -CSP_EXIT_REFUSED;
  }

  struct curl_slist *headers = NULL;
  headers = csp_add_header(headers, "Accept", "application/json");
  headers = csp_add_header(headers, "MS-RequestId", request_id);
  headers = csp_add_header(headers, "MS-CorrelationId", ctx->correlation_id);
  headers = csp_add_header(headers, "Expect", ""); /* no 100-continue round trip */
  bool send_body = req->body || strcmp(req->method, "POST") == 0 ||
                   strcmp(req->method, "PUT") == 0 || strcmp(req->method, "PATCH") == 0;
  if (req->body)
    headers = csp_add_header(headers, "Content-Type",
                             req->content_type ? req->content_type : "application/json");
  else if (send_body)
    headers = csp_add_header(headers, "Content-Type", ""); /* drop curl's form default */
  if (req->continuation)
    headers = csp_add_header(headers, "MS-ContinuationToken", req->continuation);
  if (req->if_match)
    headers = csp_add_header(headers, "If-Match", req->if_match);
  if (req->auth != CSP_AUTH_NONE && ctx->session && ctx->session->token) {
    char *bearer = csp_xasprintf("Bearer %s", ctx->session->token);
    headers = csp_add_header(headers, "Authorization", bearer);
    csp_secret_free(bearer);
    resp->sent_auth = true;
  }

  if (ctx->verbose) {
    fprintf(stderr, "> %s %s\n> MS-RequestId: %s\n> MS-CorrelationId: %s\n", req->method, url,
            request_id, ctx->correlation_id);
  }

  CURL *curl = csp_curl(ctx);
  char errbuf[CURL_ERROR_SIZE];
  csp_sink sink = {.resp = resp};
  CURLcode code = CURLE_OK;
  struct timespec t0;
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);

  for (int attempt = 0; attempt < 2; attempt++) {
    curl_easy_reset(curl);
    errbuf[0] = '\0';
    free(resp->body);
    resp->body = NULL;
    resp->body_len = 0;
    sink.cap = 0;
    sink.too_big = false;

    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "csp/" CSP_VERSION);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, CSP_CONNECT_TIMEOUT);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, CSP_TOTAL_TIMEOUT);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, csp_on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, csp_on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &sink);
    if (strcmp(req->method, "GET") == 0) {
      curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
    } else {
      if (strcmp(req->method, "POST") != 0)
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req->method);
      if (send_body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(req->body ? req->body_len : 0));
      }
    }

    code = curl_easy_perform(curl);
    if (code == CURLE_OK || attempt > 0 || !csp_is_connection_failure(code))
      break;
    if (ctx->verbose)
      fprintf(stderr, "* %s; retrying once with the same MS-RequestId\n",
              errbuf[0] ? errbuf : curl_easy_strerror(code));
    struct timespec pause = {.tv_sec = 0, .tv_nsec = 300 * 1000000L};
    nanosleep(&pause, NULL);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (code == CURLE_OK)
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp->status);
  /* The handle outlives this call: drop its pointers to headers, sink and errbuf. */
  curl_easy_reset(curl);
  curl_slist_free_all(headers);

  if (code != CURLE_OK) {
    if (sink.too_big)
      fprintf(stderr, "csp: response from %s is larger than %zu bytes\n", url, CSP_MAX_BODY);
    else
      fprintf(stderr, "csp: cannot reach %s: %s\n", url,
              errbuf[0] ? errbuf : curl_easy_strerror(code));
    free(url);
    csp_resp_free(resp);
    return -CSP_EXIT_SERVER;
  }
  free(url);

  if (!resp->body)
    resp->body = csp_xstrdup("");
  if (resp->body_len > 0)
    resp->json = json_loadb(resp->body, resp->body_len, JSON_DECODE_ANY, NULL);

  if (ctx->verbose) {
    fprintf(stderr, "< HTTP %ld (%ld ms)\n< MS-RequestId: %s\n< MS-CorrelationId: %s\n",
            resp->status, csp_elapsed_ms(&t0, &t1),
            resp->request_id[0] ? resp->request_id : "(none)",
            resp->correlation_id[0] ? resp->correlation_id : "(none)");
  }
  return 0;
}

void csp_resp_free(csp_resp *resp) {
  free(resp->body);
  resp->body = NULL;
  resp->body_len = 0;
  json_decref(resp->json);
  resp->json = NULL;
}

int csp_exit_for_status(long status) {
  if (status >= 200 && status < 300)
    return CSP_EXIT_OK;
  if (status == 401)
    return CSP_EXIT_AUTH;
  if (status == 403)
    return CSP_EXIT_FORBIDDEN;
  if (status == 404)
    return CSP_EXIT_NOT_FOUND;
  if (status == 409 || status == 412)
    return CSP_EXIT_CONFLICT;
  if (status >= 500)
    return CSP_EXIT_SERVER;
  return CSP_EXIT_REFUSED;
}

/** @return a short reason phrase for statuses without a JSON error body. */
static const char *csp_reason(long status) {
  static const struct {
    long status;
    const char *text;
  } reasons[] = {
      {400, "Bad Request"},         {401, "Unauthorized"},          {403, "Forbidden"},
      {404, "Not Found"},           {405, "Method Not Allowed"},    {409, "Conflict"},
      {412, "Precondition Failed"}, {413, "Payload Too Large"},     {415, "Unsupported Media Type"},
      {429, "Too Many Requests"},   {500, "Internal Server Error"}, {502, "Bad Gateway"},
      {503, "Service Unavailable"}, {504, "Gateway Timeout"},
  };
  for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
    if (reasons[i].status == status)
      return reasons[i].text;
  }
  return "unexpected response";
}

int csp_print_api_error(const csp_ctx *ctx, const csp_resp *resp) {
  int rc = csp_exit_for_status(resp->status);
  if (rc == CSP_EXIT_OK)
    rc = CSP_EXIT_REFUSED; /* a 2xx the caller could not use */
  const json_t *j = json_is_object(resp->json) ? resp->json : NULL;
  const json_t *code = json_object_get(j, "code");
  const char *desc = json_string_value(json_object_get(j, "description"));
  if (!code && json_is_string(json_object_get(j, "error"))) {
    /* Azure AD token endpoint shape. */
    code = json_object_get(j, "error");
    desc = json_string_value(json_object_get(j, "error_description"));
  }

  char *code_text; /* owned here */
  if (json_is_integer(code))
    code_text = csp_xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(code));
  else if (json_is_string(code))
    code_text = csp_xstrdup(json_string_value(code));
  else
    code_text = csp_xasprintf("%ld", resp->status);

  char *fallback = NULL;
  if (!desc) {
    /* Not our error shape: show the first line of the body, if any. */
    size_t len = strcspn(resp->body ? resp->body : "", "\r\n");
    if (len > 200)
      len = 200;
    fallback = len ? strndup(resp->body, len) : NULL;
    desc = fallback ? fallback : csp_reason(resp->status);
  }
  fprintf(stderr, "csp: error %s (HTTP %ld): %s\n", code_text, resp->status, desc);
  free(code_text);
  free(fallback);

  const char *rule = json_string_value(json_object_get(j, "rule"));
  const char *remedy = json_string_value(json_object_get(j, "remedy"));
  if (rule)
    fprintf(stderr, "  rule: %s\n", rule);
  if (remedy)
    fprintf(stderr, "  remedy: %s\n", remedy);
  if (resp->status == 429 && resp->retry_after[0])
    fprintf(stderr, "  retry after: %s s\n", resp->retry_after);
  if (resp->status == 401 && resp->sent_auth)
    fputs("  hint: run 'csp login' to sign in again\n", stderr);
  const json_t *data = json_object_get(j, "data");
  if (ctx->verbose && json_is_array(data) && json_array_size(data) > 0) {
    char *text = json_dumps(data, JSON_COMPACT);
    if (text)
      fprintf(stderr, "  data: %s\n", text);
    free(text);
  }
  return -rc;
}

int csp_call(csp_ctx *ctx, const char *method, const char *path, const csp_strlist *query,
             const json_t *body, csp_auth auth, json_t **out) {
  return csp_call_etag(ctx, method, path, query, body, NULL, auth, out, NULL);
}

int csp_call_etag(csp_ctx *ctx, const char *method, const char *path, const csp_strlist *query,
                  const json_t *body, const char *if_match, csp_auth auth, json_t **out,
                  char **etag) {
  if (out)
    *out = NULL;
  if (etag)
    *etag = NULL;
  char *text = NULL;
  if (body) {
    text = json_dumps(body, JSON_COMPACT);
    if (!text) {
      fputs("csp: cannot encode the request body\n", stderr);
      return -CSP_EXIT_REFUSED;
    }
  }
  csp_req req = {
      .method = method,
      .path = path,
      .query = query,
      .body = text,
      .body_len = text ? strlen(text) : 0,
      .if_match = if_match,
      .auth = auth,
  };
  csp_resp resp;
  int rc = csp_http(ctx, &req, &resp);
  free(text);
  if (rc != 0)
    return rc;
  if (resp.status < 200 || resp.status >= 300) {
    rc = csp_print_api_error(ctx, &resp);
  } else if (resp.body_len > 0 && !resp.json) {
    fprintf(stderr, "csp: the server answered HTTP %ld with a body that is not JSON\n",
            resp.status);
    rc = -CSP_EXIT_SERVER;
  } else {
    if (out) {
      *out = resp.json; /* ownership moves to the caller */
      resp.json = NULL;
    }
    if (etag && resp.etag[0])
      *etag = csp_xstrdup(resp.etag);
  }
  csp_resp_free(&resp);
  return rc;
}

/** @return the MS-ContinuationToken of a link (borrowed from link) or NULL. */
static const char *csp_link_token(const json_t *link) {
  size_t i;
  const json_t *h;
  json_array_foreach(json_object_get(link, "headers"), i, h) {
    if (csp_streq_ci(json_string_value(json_object_get(h, "key")), "MS-ContinuationToken"))
      return json_string_value(json_object_get(h, "value"));
  }
  return NULL;
}

int csp_get_all(csp_ctx *ctx, const char *path, const csp_strlist *query, json_t **out) {
  *out = NULL;
  json_t *first = NULL;
  int rc = csp_call(ctx, "GET", path, query, NULL, CSP_AUTH_REQUIRED, &first);
  if (rc != 0)
    return rc;
  json_t *items = json_object_get(first, "items");
  if (!json_is_object(first) || !json_is_array(items)) {
    fprintf(stderr, "csp: expected a collection from %s\n", path);
    json_decref(first);
    return -CSP_EXIT_SERVER;
  }

  json_t *page = json_incref(first);
  char *prev_token = NULL;
  for (int n = 0; rc == 0 && n < CSP_MAX_PAGES; n++) {
    const json_t *next = json_object_get(json_object_get(page, "links"), "next");
    const char *uri = json_string_value(json_object_get(next, "uri"));
    if (!uri)
      break;
    const char *token = csp_link_token(next);
    if (token && prev_token && strcmp(token, prev_token) == 0) {
      fputs("csp: the server repeated a continuation token; stopping\n", stderr);
      rc = -CSP_EXIT_SERVER;
      break;
    }
    free(prev_token);
    prev_token = token ? csp_xstrdup(token) : NULL;

    /* uri stays valid while page is alive, i.e. until the end of this iteration. */
    csp_req req = {
        .method = "GET", .path = uri, .continuation = prev_token, .auth = CSP_AUTH_REQUIRED};
    csp_resp resp;
    rc = csp_http(ctx, &req, &resp);
    if (rc != 0)
      break;
    if (resp.status < 200 || resp.status >= 300) {
      rc = csp_print_api_error(ctx, &resp);
      csp_resp_free(&resp);
      break;
    }
    const json_t *more = json_object_get(resp.json, "items");
    if (!json_is_array(more)) {
      fprintf(stderr, "csp: expected a collection from %s\n", uri);
      csp_resp_free(&resp);
      rc = -CSP_EXIT_SERVER;
      break;
    }
    json_array_extend(items, (json_t *)more);
    json_decref(page);
    page = resp.json; /* keep this page: its links lead on */
    resp.json = NULL;
    csp_resp_free(&resp);
  }
  free(prev_token);
  json_decref(page);
  if (rc != 0) {
    json_decref(first);
    return rc;
  }
  json_object_del(json_object_get(first, "links"), "next");
  if (json_object_get(first, "totalCount"))
    json_object_set_new(first, "totalCount", json_integer((json_int_t)json_array_size(items)));
  *out = first;
  return 0;
}
