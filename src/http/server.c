/* server.c -- libmicrohttpd glue: request state, body accumulation with a
 * size limit, the access log, start and graceful stop. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../core/log.h"
#include "../core/util.h"
#include "dispatch.h"
#include "http.h"

/** Per-request state, from the first callback to the completion callback. */
struct conn_state {
  struct cspd_req req;
  char *body;
  size_t body_len, body_cap;
  bool too_large;
  int64_t start_us;
  int route_index;
};

static void access_log(struct cspd_server *srv, struct conn_state *st, int64_t us) {
  struct cspd_req *r = &st->req;
  char ts[32];
  cspd_time_format(cspd_wall_ms(), true, ts);
  const char *tenant = r->authed ? r->who.tenant_id : "-";
  if (srv->cfg.log_json) {
    json_t *line =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:I, s:I, s:s, s:b}", "ts", ts, "requestId",
                  r->request_id ? r->request_id : "-", "correlationId",
                  r->correlation_id ? r->correlation_id : "-", "method", r->method, "path", r->path,
                  "status", r->status, "bytes", (json_int_t)r->reply_len, "durationUs",
                  (json_int_t)us, "tenant", tenant, "replayed", r->replayed);
    if (r->status >= 400 && r->ctx.err.id != CSPD_E_NONE)
      json_object_set_new(line, "error", json_string(cspd_error_info(r->ctx.err.id)->name));
    char *s = json_dumps(line, JSON_COMPACT);
    json_decref(line);
    if (s != NULL) {
      fprintf(stderr, "%s\n", s);
      free(s);
    }
  } else {
    fprintf(stderr, "%s %s %s %s %d %zuB %lldus tenant=%s rid=%s%s%s\n", ts, "http", r->method,
            r->path, r->status, r->reply_len, (long long)us, tenant,
            r->request_id ? r->request_id : "-", r->replayed ? " replayed" : "",
            (r->status >= 400 && r->ctx.err.id != CSPD_E_NONE)
                ? cspd_arena_printf(r->arena, " error=%s", cspd_error_info(r->ctx.err.id)->name)
                : "");
  }
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe) {
  struct cspd_server *srv = cls;
  struct conn_state *st = *con_cls;
  (void)conn;
  (void)toe;
  if (st == NULL)
    return;
  int64_t us = cspd_mono_us() - st->start_us;
  if (st->req.status != 0) {
    cspd_metrics_observe(srv->metrics, st->route_index, st->req.status, us);
    cspd_journal_add(srv->journal, &st->req, us);
    if (srv->cfg.access_log)
      access_log(srv, st, us);
  }
  json_decref(st->req.json);
  free(st->req.reply); /* NULL unless the reply was never queued */
  free(st->body);
  cspd_arena_free(st->req.arena);
  free(st);
  *con_cls = NULL;
  __atomic_fetch_sub(&srv->active, 1, __ATOMIC_RELAXED);
}

static enum MHD_Result queue(struct cspd_server *srv, struct conn_state *st) {
  struct cspd_req *r = &st->req;
  struct MHD_Response *resp;
  if (r->reply != NULL) {
    resp = MHD_create_response_from_buffer(r->reply_len, r->reply, MHD_RESPMEM_MUST_FREE);
    if (resp != NULL)
      r->reply = NULL; /* now owned by the response */
  } else {
    resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
  }
  if (resp == NULL)
    return MHD_NO;
  if (r->content_type != NULL)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r->content_type);
  if (r->request_id != NULL)
    MHD_add_response_header(resp, "MS-RequestId", r->request_id);
  if (r->correlation_id != NULL)
    MHD_add_response_header(resp, "MS-CorrelationId", r->correlation_id);
  if (r->etag != NULL)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, r->etag);
  if (r->location != NULL)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
  if (r->allow != NULL)
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
  if (r->retry_after > 0) {
    char ra[16];
    snprintf(ra, sizeof ra, "%d", r->retry_after);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
  }
  if (r->status == 401 &&
      (r->ctx.err.id == CSPD_E_AUTH_REQUIRED || r->ctx.err.id == CSPD_E_TOKEN_INVALID ||
       r->ctx.err.id == CSPD_E_TOKEN_EXPIRED)) {
    const char *why = r->ctx.err.id == CSPD_E_TOKEN_EXPIRED   ? "invalid_token"
                      : r->ctx.err.id == CSPD_E_AUTH_REQUIRED ? NULL
                                                              : "invalid_token";
    char wa[160];
    if (why)
      snprintf(wa, sizeof wa, "Bearer realm=\"cspd\", error=\"%s\"", why);
    else
      snprintf(wa, sizeof wa, "Bearer realm=\"cspd\"");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, wa);
  }
  if (r->set_cookie != NULL) {
    MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->set_cookie);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  }
  if (r->html) { /* the dashboard: its own scripts and styles only, never framed */
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
  }
  if (srv->cfg.sandbox)
    MHD_add_response_header(resp, "X-Cspd-Sandbox", "true");
  enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
  MHD_destroy_response(resp);
  return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls) {
  struct cspd_server *srv = cls;
  (void)version;
  struct conn_state *st = *con_cls;
  if (st == NULL) {
    st = calloc(1, sizeof *st);
    if (st == NULL)
      return MHD_NO;
    st->req.arena = cspd_arena_new(8192);
    if (st->req.arena == NULL) {
      free(st);
      return MHD_NO;
    }
    st->start_us = cspd_mono_us();
    st->req.srv = srv;
    st->req.conn = conn;
    st->req.method = cspd_arena_strdup(st->req.arena, method);
    st->req.path = cspd_arena_strdup(st->req.arena, url);
    st->route_index = cspd_nroutes;
    __atomic_fetch_add(&srv->active, 1, __ATOMIC_RELAXED);
    *con_cls = st;
    const char *cl =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl != NULL && strtoull(cl, NULL, 10) > srv->cfg.max_body)
      st->too_large = true;
    return MHD_YES;
  }
  if (*upload_data_size != 0) {
    size_t n = *upload_data_size;
    *upload_data_size = 0;
    if (st->too_large || st->body_len + n > srv->cfg.max_body) {
      st->too_large = true;
      return MHD_YES; /* discard; answered 413 at the end */
    }
    if (st->body_len + n + 1 > st->body_cap) {
      size_t cap = st->body_cap ? st->body_cap * 2 : 4096;
      while (cap < st->body_len + n + 1)
        cap *= 2;
      char *b = realloc(st->body, cap);
      if (b == NULL)
        return MHD_NO;
      st->body = b;
      st->body_cap = cap;
    }
    memcpy(st->body + st->body_len, upload_data, n);
    st->body_len += n;
    st->body[st->body_len] = '\0';
    return MHD_YES;
  }
  struct cspd_req *r = &st->req;
  r->body = st->body ? st->body : "";
  r->body_len = st->body_len;
  if (st->too_large) {
    r->ctx.arena = r->arena;
    cspd_fail(&r->ctx, CSPD_E_BODY_TOO_LARGE, "limit %zu bytes", srv->cfg.max_body);
    cspd_reply_error(r);
  } else {
    cspd_dispatch(r);
    if (r->route != NULL)
      st->route_index = (int)(r->route - cspd_routes);
  }
  return queue(srv, st);
}

static void log_mhd(void *cls, const char *fmt, va_list ap) {
  (void)cls;
  char msg[1024];
  vsnprintf(msg, sizeof msg, fmt, ap);
  cspd_log("warn", "libmicrohttpd: %s", msg);
}

int cspd_server_start(struct cspd_server *srv, char *errbuf, size_t errlen) {
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;
  const char *poll = srv->cfg.poll ? srv->cfg.poll : "poll";
  if (strcmp(poll, "poll") == 0)
    flags |= MHD_USE_POLL;
  else if (strcmp(poll, "epoll") == 0)
    flags |= MHD_USE_EPOLL;
  else if (strcmp(poll, "select") != 0) {
    snprintf(errbuf, errlen, "unknown --http-poll '%s' (poll, select, epoll)", poll);
    return -1;
  }
  struct sockaddr_in v4;
  struct sockaddr_in6 v6;
  struct sockaddr *sa;
  const char *listen = srv->cfg.listen ? srv->cfg.listen : "127.0.0.1";
  memset(&v4, 0, sizeof v4);
  memset(&v6, 0, sizeof v6);
  if (inet_pton(AF_INET, listen, &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons((uint16_t)srv->cfg.port);
    sa = (struct sockaddr *)&v4;
  } else if (inet_pton(AF_INET6, listen, &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons((uint16_t)srv->cfg.port);
    sa = (struct sockaddr *)&v6;
    flags |= MHD_USE_IPv6;
  } else {
    snprintf(errbuf, errlen, "--listen '%s' is not an IPv4 or IPv6 address", listen);
    return -1;
  }
  int threads = srv->cfg.threads > 0 ? srv->cfg.threads : 2;
  srv->daemon = MHD_start_daemon(
      flags, (uint16_t)srv->cfg.port, NULL, NULL, handle, srv, MHD_OPTION_EXTERNAL_LOGGER, log_mhd,
      NULL, MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
      MHD_OPTION_NOTIFY_COMPLETED, completed, srv, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
      MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024, MHD_OPTION_END);
  if (srv->daemon == NULL) {
    snprintf(errbuf, errlen, "cannot listen on %s port %d: %s", listen, srv->cfg.port,
             errno ? strerror(errno) : "libmicrohttpd refused the options");
    return -1;
  }
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
  srv->port = info ? info->port : srv->cfg.port;
  return 0;
}

void cspd_server_stop(struct cspd_server *srv, int drain_ms) {
  if (srv->daemon == NULL)
    return;
  MHD_socket s = MHD_quiesce_daemon(srv->daemon);
  if (s != MHD_INVALID_SOCKET)
    close(s);
  int waited = 0;
  while (__atomic_load_n(&srv->active, __ATOMIC_RELAXED) > 0 && waited < drain_ms) {
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
    waited += 10;
  }
  MHD_stop_daemon(srv->daemon);
  srv->daemon = NULL;
}
