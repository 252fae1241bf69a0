/* reply.c -- replies, the error envelope, request helpers, paging. */
#include <ctype.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/json.h"
#include "../core/util.h"
#include "http.h"

int cspd_reply_raw(struct cspd_req *r, int status, const char *content_type, const char *bytes,
                   size_t len) {
  free(r->reply);
  r->reply = malloc(len ? len : 1);
  if (r->reply == NULL) {
    r->reply_len = 0;
    r->status = 500;
    return 0;
  }
  memcpy(r->reply, bytes, len);
  r->reply_len = len;
  r->status = status;
  r->content_type = content_type;
  return 0;
}

int cspd_reply_json(struct cspd_req *r, int status, json_t *doc) {
  free(r->reply);
  r->reply = NULL;
  r->reply_len = 0;
  if (doc == NULL) {
    r->status = 500;
    return 0;
  }
  char *s = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(17));
  json_decref(doc);
  if (s == NULL) {
    r->status = 500;
    return 0;
  }
  r->reply = s;
  r->reply_len = strlen(s);
  r->status = status;
  r->content_type = "application/json; charset=utf-8";
  return 0;
}

int cspd_reply_empty(struct cspd_req *r, int status) {
  free(r->reply);
  r->reply = NULL;
  r->reply_len = 0;
  r->status = status;
  r->content_type = NULL;
  return 0;
}

void cspd_reply_error(struct cspd_req *r) {
  enum cspd_error_id id = r->ctx.err.id ? r->ctx.err.id : CSPD_E_INTERNAL;
  const struct cspd_error_info *e = cspd_error_info(id);
  json_t *data = json_array();
  for (int i = 0; i < r->ctx.err.ndata; i++)
    json_array_append_new(data, json_string(r->ctx.err.data[i]));
  const char *desc = e->description;
  if (r->ctx.err.detail != NULL && r->ctx.err.detail[0] != '\0')
    desc = cspd_arena_printf(r->arena, "%s %s", e->description, r->ctx.err.detail);
  json_t *doc = json_pack("{s:i, s:s, s:o, s:s, s:{s:s}}", "code", e->code, "description", desc,
                          "data", data, "source", "cspd", "attributes", "objectType", "Error");
  if (e->rule != NULL)
    json_object_set_new(doc, "rule", json_string(e->rule));
  if (e->remedy != NULL)
    json_object_set_new(doc, "remedy", json_string(e->remedy));
  r->etag = NULL;
  r->location = NULL;
  cspd_reply_json(r, e->http_status, doc);
}

struct qfind {
  const char *name;
  const char *value;
};

static enum MHD_Result qiter(void *cls, enum MHD_ValueKind kind, const char *key,
                             const char *value) {
  struct qfind *q = cls;
  (void)kind;
  if (strcasecmp(key, q->name) == 0) {
    q->value = value ? value : "";
    return MHD_NO;
  }
  return MHD_YES;
}

const char *cspd_query(struct cspd_req *r, const char *name) {
  struct qfind q = {name, NULL};
  MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, qiter, &q);
  return q.value;
}

const char *cspd_header(struct cspd_req *r, const char *name) {
  return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

int cspd_body_object(struct cspd_req *r, json_t **out) {
  *out = NULL;
  if (r->json != NULL) {
    *out = r->json;
    return 0;
  }
  const char *ct = cspd_header(r, "Content-Type");
  if (r->body_len == 0)
    return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT, "a JSON request body is required");
  if (ct != NULL && strncasecmp(ct, "application/json", 16) != 0 &&
      strncasecmp(ct, "text/json", 9) != 0)
    return cspd_fail(&r->ctx, CSPD_E_UNSUPPORTED_MEDIA_TYPE, "got '%s'", ct);
  json_error_t jerr;
  r->json = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
  if (r->json == NULL)
    return cspd_fail(&r->ctx, CSPD_E_MALFORMED_JSON, "line %d column %d: %s", jerr.line,
                     jerr.column, jerr.text);
  if (!json_is_object(r->json))
    return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT, "the body must be a JSON object");
  *out = r->json;
  return 0;
}

int cspd_param_guid(struct cspd_req *r, int i, const char **out) {
  char g[37];
  if (i >= r->nparams || cspd_guid_normalize(r->params[i], g) != 0)
    return cspd_fail(&r->ctx, CSPD_E_BAD_GUID, "'%s'", i < r->nparams ? r->params[i] : "");
  *out = cspd_arena_strdup(r->arena, g);
  return 0;
}

/* ---- paging ------------------------------------------------------------------- */

#define MAX_PAGE 500

int cspd_page_read(struct cspd_req *r, int default_size, struct cspd_page *out) {
  out->size = default_size;
  out->after = "";
  const char *size = cspd_query(r, "size");
  if (size != NULL) {
    char *end;
    long v = strtol(size, &end, 10);
    if (*size == '\0' || *end != '\0' || v < 1 || v > MAX_PAGE)
      return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT, "size must be an integer from 1 to %d",
                       MAX_PAGE);
    out->size = (int)v;
  }
  const char *tok = cspd_header(r, "MS-ContinuationToken");
  if (tok == NULL)
    tok = cspd_query(r, "continuationToken");
  if (tok != NULL && tok[0] != '\0') {
    char buf[512];
    size_t n;
    if (cspd_b64url_decode(tok, strlen(tok), buf, sizeof buf - 1, &n) != 0 || n < 2 ||
        buf[0] != 'k' || buf[1] != ':')
      return cspd_fail(&r->ctx, CSPD_E_BAD_CONTINUATION, NULL);
    out->after = cspd_arena_strndup(r->arena, buf + 2, n - 2);
  }
  return 0;
}

json_t *cspd_link(const char *uri, const char *method) {
  return json_pack("{s:s, s:s, s:[]}", "uri", uri, "method", method, "headers");
}

struct qbuild {
  struct cspd_req *r;
  char *buf;
  size_t len, cap;
};

static void qappend(struct qbuild *q, const char *s, bool encode) {
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    char tmp[4];
    size_t n = 1;
    if (encode && !(isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~')) {
      snprintf(tmp, sizeof tmp, "%%%02X", ch);
      n = 3;
    } else {
      tmp[0] = (char)ch;
    }
    if (q->len + n + 1 > q->cap) {
      size_t cap = q->cap * 2 + 64;
      char *nb = cspd_arena_alloc(q->r->arena, cap);
      memcpy(nb, q->buf, q->len);
      q->buf = nb;
      q->cap = cap;
    }
    memcpy(q->buf + q->len, tmp, n);
    q->len += n;
    q->buf[q->len] = '\0';
  }
}

static enum MHD_Result qcopy(void *cls, enum MHD_ValueKind kind, const char *key,
                             const char *value) {
  struct qbuild *q = cls;
  (void)kind;
  if (strcasecmp(key, "size") == 0 || strcasecmp(key, "continuationToken") == 0)
    return MHD_YES;
  qappend(q, "&", false);
  qappend(q, key, true);
  if (value != NULL) {
    qappend(q, "=", false);
    qappend(q, value, true);
  }
  return MHD_YES;
}

/** The request's path and query (filters kept) with ?size= and without any
 * continuation token, for links.self and links.next. */
static const char *self_uri(struct cspd_req *r, const struct cspd_page *pg) {
  struct qbuild q = {.r = r};
  qappend(&q, cspd_arena_printf(r->arena, "%s?size=%d", r->path, pg->size), false);
  if (r->conn != NULL)
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, qcopy, &q);
  return q.buf;
}

json_t *cspd_collection(struct cspd_req *r, json_t *items, const struct cspd_page *pg,
                        const char *next_key) {
  json_t *links = json_pack("{s:o}", "self", cspd_link(self_uri(r, pg), "GET"));
  if (next_key != NULL) {
    char *raw = cspd_arena_printf(r->arena, "k:%s", next_key);
    char tok[600];
    cspd_b64url_encode(raw, strlen(raw), tok, sizeof tok);
    json_t *next = cspd_link(self_uri(r, pg), "GET");
    json_array_append_new(json_object_get(next, "headers"),
                          json_pack("{s:s, s:s}", "key", "MS-ContinuationToken", "value", tok));
    json_object_set_new(links, "next", next);
  }
  return json_pack("{s:I, s:o, s:o, s:{s:s}}", "totalCount", (json_int_t)json_array_size(items),
                   "items", items, "links", links, "attributes", "objectType", "Collection");
}

json_t *cspd_attributes(const char *object_type, int64_t version) {
  json_t *a = json_pack("{s:s}", "objectType", object_type);
  if (version > 0) {
    char etag[32];
    snprintf(etag, sizeof etag, "%lld", (long long)version);
    json_object_set_new(a, "etag", json_string(etag));
  }
  return a;
}

const char *cspd_iso(struct cspd_req *r, int64_t ms) {
  char buf[32];
  cspd_time_format(ms, false, buf);
  return cspd_arena_strdup(r->arena, buf);
}

int cspd_check_if_match(struct cspd_req *r, int64_t version) {
  const char *h = cspd_header(r, "If-Match");
  if (h == NULL || strcmp(h, "*") == 0)
    return 0;
  if (strncmp(h, "W/", 2) == 0)
    h += 2;
  char want[32];
  snprintf(want, sizeof want, "%lld", (long long)version);
  size_t n = strlen(h);
  if (n >= 2 && h[0] == '"' && h[n - 1] == '"') {
    h++;
    n -= 2;
  }
  if (n == strlen(want) && memcmp(h, want, n) == 0)
    return 0;
  return cspd_fail(&r->ctx, CSPD_E_PRECONDITION_FAILED, "current etag is \"%s\"", want);
}

void cspd_set_etag(struct cspd_req *r, int64_t version) {
  r->etag = cspd_arena_printf(r->arena, "\"%lld\"", (long long)version);
}

int cspd_reply_list(struct cspd_req *r, json_t *all) {
  struct cspd_page pg;
  if (cspd_page_read(r, 100, &pg) != 0) {
    json_decref(all);
    return -1;
  }
  /* small, computed lists page by position: the continuation key is the
   * index of the last item returned */
  size_t start = 0;
  if (pg.after[0] != '\0') {
    char *end;
    unsigned long v = strtoul(pg.after, &end, 10);
    if (*end != '\0' || v >= json_array_size(all)) {
      json_decref(all);
      return cspd_fail(&r->ctx, CSPD_E_BAD_CONTINUATION, NULL);
    }
    start = v + 1;
  }
  json_t *items = json_array();
  size_t n = json_array_size(all), i;
  for (i = start; i < n && json_array_size(items) < (size_t)pg.size; i++)
    json_array_append(items, json_array_get(all, i));
  const char *next = i < n ? cspd_arena_printf(r->arena, "%zu", i - 1) : NULL;
  json_decref(all);
  return cspd_reply_json(r, 200, cspd_collection(r, items, &pg, next));
}
