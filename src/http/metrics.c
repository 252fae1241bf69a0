/* metrics.c -- Prometheus metrics and per-tenant throttling. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/clock.h"
#include "../core/util.h"
#include "http.h"

/* ---- metrics --------------------------------------------------------------------- */

static const int status_codes[] = {200, 201, 202, 204, 400, 401, 403, 404,
                                   405, 409, 412, 413, 415, 429, 500, 503};
#define NSTATUS ((int)(sizeof status_codes / sizeof status_codes[0]) + 1) /* + other */
static const double buckets[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                 0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5};
#define NBUCKET ((int)(sizeof buckets / sizeof buckets[0]))

struct route_metrics {
  uint64_t by_status[NSTATUS];
  uint64_t hist[NBUCKET + 1]; /* non-cumulative; last = +Inf */
  uint64_t sum_us;
  uint64_t count;
};

struct cspd_metrics {
  int nroutes;
  struct route_metrics r[]; /* nroutes + 1 (unmatched) */
};

struct cspd_metrics *cspd_metrics_new(int nroutes) {
  struct cspd_metrics *m =
      calloc(1, sizeof *m + sizeof(struct route_metrics) * (size_t)(nroutes + 1));
  if (m != NULL)
    m->nroutes = nroutes;
  return m;
}

void cspd_metrics_free(struct cspd_metrics *m) {
  free(m);
}

void cspd_metrics_observe(struct cspd_metrics *m, int route, int status, int64_t us) {
  if (m == NULL || route < 0 || route > m->nroutes)
    return;
  struct route_metrics *rm = &m->r[route];
  int si = NSTATUS - 1;
  for (int i = 0; i < NSTATUS - 1; i++)
    if (status_codes[i] == status) {
      si = i;
      break;
    }
  __atomic_fetch_add(&rm->by_status[si], 1, __ATOMIC_RELAXED);
  double s = (double)us / 1e6;
  int b = NBUCKET;
  for (int i = 0; i < NBUCKET; i++)
    if (s <= buckets[i]) {
      b = i;
      break;
    }
  __atomic_fetch_add(&rm->hist[b], 1, __ATOMIC_RELAXED);
  __atomic_fetch_add(&rm->sum_us, (uint64_t)us, __ATOMIC_RELAXED);
  __atomic_fetch_add(&rm->count, 1, __ATOMIC_RELAXED);
}

static uint64_t ld(const uint64_t *p) {
  return __atomic_load_n(p, __ATOMIC_RELAXED);
}

char *cspd_metrics_render(struct cspd_server *srv, size_t *len) {
  struct cspd_metrics *m = srv->metrics;
  char *buf = NULL;
  FILE *f = open_memstream(&buf, len);
  if (f == NULL)
    return NULL;
  fputs("# HELP cspd_http_requests_total HTTP requests by route, method and status.\n"
        "# TYPE cspd_http_requests_total counter\n",
        f);
  for (int i = 0; i <= m->nroutes; i++) {
    const char *route = i < m->nroutes ? cspd_routes[i].pattern : "unmatched";
    const char *method = i < m->nroutes ? cspd_routes[i].method : "any";
    for (int s = 0; s < NSTATUS; s++) {
      uint64_t v = ld(&m->r[i].by_status[s]);
      if (v == 0)
        continue;
      if (s < NSTATUS - 1)
        fprintf(f, "cspd_http_requests_total{route=\"%s\",method=\"%s\",status=\"%d\"} %llu\n",
                route, method, status_codes[s], (unsigned long long)v);
      else
        fprintf(f, "cspd_http_requests_total{route=\"%s\",method=\"%s\",status=\"other\"} %llu\n",
                route, method, (unsigned long long)v);
    }
  }
  fputs("# HELP cspd_http_request_duration_seconds Time from the first byte of a request to "
        "its completion.\n# TYPE cspd_http_request_duration_seconds histogram\n",
        f);
  for (int i = 0; i <= m->nroutes; i++) {
    uint64_t count = ld(&m->r[i].count);
    if (count == 0)
      continue;
    const char *route = i < m->nroutes ? cspd_routes[i].pattern : "unmatched";
    const char *method = i < m->nroutes ? cspd_routes[i].method : "any";
    uint64_t cum = 0;
    for (int b = 0; b < NBUCKET; b++) {
      cum += ld(&m->r[i].hist[b]);
      fprintf(f,
              "cspd_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"%g\"} "
              "%llu\n",
              route, method, buckets[b], (unsigned long long)cum);
    }
    cum += ld(&m->r[i].hist[NBUCKET]);
    fprintf(f,
            "cspd_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",le=\"+Inf\"} "
            "%llu\n",
            route, method, (unsigned long long)cum);
    fprintf(f, "cspd_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\"} %.6f\n", route,
            method, (double)ld(&m->r[i].sum_us) / 1e6);
    fprintf(f, "cspd_http_request_duration_seconds_count{route=\"%s\",method=\"%s\"} %llu\n", route,
            method, (unsigned long long)count);
  }
  struct cspd_store *st = srv->store;
  fprintf(f,
          "# HELP cspd_store_transactions_total Store transactions by kind.\n"
          "# TYPE cspd_store_transactions_total counter\n"
          "cspd_store_transactions_total{kind=\"read\"} %llu\n"
          "cspd_store_transactions_total{kind=\"write\"} %llu\n"
          "# HELP cspd_store_transaction_retries_total Transactions run again after contention.\n"
          "# TYPE cspd_store_transaction_retries_total counter\n"
          "cspd_store_transaction_retries_total %llu\n"
          "# HELP cspd_store_transaction_failures_total Transactions rolled back (refusals "
          "included).\n"
          "# TYPE cspd_store_transaction_failures_total counter\n"
          "cspd_store_transaction_failures_total %llu\n"
          "# HELP cspd_http_requests_in_flight Requests being served.\n"
          "# TYPE cspd_http_requests_in_flight gauge\n"
          "cspd_http_requests_in_flight %d\n",
          (unsigned long long)ld(&st->tx_read), (unsigned long long)ld(&st->tx_write),
          (unsigned long long)ld(&st->tx_retries), (unsigned long long)ld(&st->tx_failed),
          __atomic_load_n(&srv->active, __ATOMIC_RELAXED));
  fclose(f);
  return buf;
}

/* ---- throttling: a token bucket per tenant ------------------------------------- */

#define SLOTS 4096
#define PROBE 16

struct bucket {
  char tenant[37];
  double tokens;
  int64_t last_us;
};

/* Open addressing: a tenant lives in one of PROBE slots after its hash; when
 * they are all taken by others, the least recently used bucket is reused (its
 * tenant starts again with a full bucket, which only ever errs on the side of
 * letting a request through after a long pause). */
struct cspd_throttle {
  double rps;
  double burst;
  pthread_mutex_t lock;
  struct bucket b[SLOTS];
};

struct cspd_throttle *cspd_throttle_new(double rps, int burst) {
  if (rps <= 0)
    return NULL;
  struct cspd_throttle *t = calloc(1, sizeof *t);
  if (t == NULL)
    return NULL;
  t->rps = rps;
  t->burst = burst > 0 ? burst : (rps < 1 ? 1 : rps);
  pthread_mutex_init(&t->lock, NULL);
  return t;
}

void cspd_throttle_free(struct cspd_throttle *t) {
  if (t == NULL)
    return;
  pthread_mutex_destroy(&t->lock);
  free(t);
}

int cspd_throttle_take(struct cspd_throttle *t, const char *tenant, int64_t now_us) {
  uint32_t h = 2166136261u;
  for (const char *p = tenant; *p; p++)
    h = (h ^ (unsigned char)*p) * 16777619u;
  pthread_mutex_lock(&t->lock);
  struct bucket *b = NULL, *lru = NULL;
  for (int i = 0; i < PROBE; i++) {
    struct bucket *c = &t->b[(h + (uint32_t)i) % SLOTS];
    if (strcmp(c->tenant, tenant) == 0) {
      b = c;
      break;
    }
    if (c->tenant[0] == '\0') { /* buckets are never freed: the tenant is not further on */
      lru = c;
      break;
    }
    if (lru == NULL || c->last_us < lru->last_us)
      lru = c;
  }
  if (b == NULL) {
    b = lru;
    snprintf(b->tenant, sizeof b->tenant, "%s", tenant);
    b->tokens = t->burst;
    b->last_us = now_us;
  }
  b->tokens += (double)(now_us - b->last_us) / 1e6 * t->rps;
  if (b->tokens > t->burst)
    b->tokens = t->burst;
  b->last_us = now_us;
  int wait = 0;
  if (b->tokens >= 1.0) {
    b->tokens -= 1.0;
  } else {
    wait = (int)ceil((1.0 - b->tokens) / t->rps);
    if (wait < 1)
      wait = 1;
  }
  pthread_mutex_unlock(&t->lock);
  return wait;
}

/* ---- request journal: the last requests, for developers (sandbox) ------------- */

struct journal_entry {
  int64_t ts_ms;
  int status;
  int64_t us;
  char method[8];
  char path[160];
  char request_id[64];
  char tenant[37];
  char error[40];
};

struct cspd_journal {
  pthread_mutex_t lock;
  int cap, next, count;
  struct journal_entry e[];
};

struct cspd_journal *cspd_journal_new(int capacity) {
  struct cspd_journal *j = calloc(1, sizeof *j + sizeof(struct journal_entry) * (size_t)capacity);
  if (j == NULL)
    return NULL;
  pthread_mutex_init(&j->lock, NULL);
  j->cap = capacity;
  return j;
}

void cspd_journal_free(struct cspd_journal *j) {
  if (j == NULL)
    return;
  pthread_mutex_destroy(&j->lock);
  free(j);
}

void cspd_journal_add(struct cspd_journal *j, const struct cspd_req *r, int64_t us) {
  if (j == NULL)
    return;
  pthread_mutex_lock(&j->lock);
  struct journal_entry *e = &j->e[j->next];
  j->next = (j->next + 1) % j->cap;
  if (j->count < j->cap)
    j->count++;
  e->ts_ms = cspd_clock_now();
  e->status = r->status;
  e->us = us;
  snprintf(e->method, sizeof e->method, "%s", r->method);
  snprintf(e->path, sizeof e->path, "%s", r->path);
  snprintf(e->request_id, sizeof e->request_id, "%s", r->request_id ? r->request_id : "");
  snprintf(e->tenant, sizeof e->tenant, "%s", r->authed ? r->who.tenant_id : "");
  snprintf(e->error, sizeof e->error, "%s",
           (r->status >= 400 && r->ctx.err.id) ? cspd_error_info(r->ctx.err.id)->name : "");
  pthread_mutex_unlock(&j->lock);
}

json_t *cspd_journal_json(struct cspd_journal *j, int max) {
  json_t *items = json_array();
  if (j == NULL)
    return items;
  pthread_mutex_lock(&j->lock);
  for (int k = 0; k < j->count && k < max; k++) {
    const struct journal_entry *e = &j->e[(j->next - 1 - k + j->cap) % j->cap];
    char ts[32];
    cspd_time_format(e->ts_ms, true, ts);
    json_t *it = json_pack("{s:s, s:s, s:s, s:i, s:I, s:s}", "time", ts, "method", e->method,
                           "path", e->path, "status", e->status, "durationUs", (json_int_t)e->us,
                           "requestId", e->request_id);
    if (e->tenant[0])
      json_object_set_new(it, "tenantId", json_string(e->tenant));
    if (e->error[0])
      json_object_set_new(it, "error", json_string(e->error));
    json_array_append_new(items, it);
  }
  pthread_mutex_unlock(&j->lock);
  return items;
}
