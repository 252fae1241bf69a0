/* worker.c -- scheduled jobs and outbox delivery (see worker.h). */
#include "worker.h"

#include <curl/curl.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/clock.h"
#include "../core/program.h"
#include "../core/util.h"

/* ---- outbox delivery ------------------------------------------------------------------ */

#define BATCH 20
#define NOTE_MAX_ATTEMPTS 8
#define HOOK_MAX_ATTEMPTS 10

/** Backoff after @a attempts failures: base * 2^(attempts-1), capped at 1 h. */
static int64_t backoff_ms(int attempts, int64_t base_ms) {
  int64_t d = base_ms;
  for (int i = 1; i < attempts && d < 3600000; i++)
    d *= 2;
  return d > 3600000 ? 3600000 : d;
}

struct due {
  struct cspd_arena *a;
  int64_t now;
  struct cspd_notification *notes;
  int nnotes;
  struct cspd_webhook_delivery *hooks;
  struct cspd_webhook_reg *regs; /* one per hook (url empty when gone) */
  int nhooks;
};

static int due_fn(struct cspd_db *db, void *cls) {
  struct due *d = cls;
  const struct cspd_store_ops *ops = cspd_db_ops(db);
  int rc = ops->notification_due(db, d->now, BATCH, d->a, &d->notes, &d->nnotes);
  if (rc != 0)
    return rc;
  rc = ops->delivery_due(db, d->now, BATCH, d->a, &d->hooks, &d->nhooks);
  if (rc != 0)
    return rc;
  d->regs = cspd_arena_alloc(d->a, sizeof *d->regs * (size_t)(d->nhooks ? d->nhooks : 1));
  for (int i = 0; i < d->nhooks; i++) {
    rc = ops->webhook_get(db, d->hooks[i].tenant_id, d->a, &d->regs[i]);
    if (rc == CSPD_STORE_NOTFOUND)
      d->regs[i].url = NULL;
    else if (rc != 0)
      return rc;
  }
  return 0;
}

struct upd {
  struct cspd_notification *note;
  struct cspd_webhook_delivery *hook;
};

static int upd_fn(struct cspd_db *db, void *cls) {
  struct upd *u = cls;
  const struct cspd_store_ops *ops = cspd_db_ops(db);
  int rc = u->note ? ops->notification_update(db, u->note) : ops->delivery_update(db, u->hook);
  return rc == CSPD_STORE_NOTFOUND ? 0 : rc; /* reset meanwhile: nothing to record */
}

struct payload {
  const char *data;
  size_t len, off;
};

static size_t read_cb(char *buf, size_t size, size_t nitems, void *cls) {
  struct payload *p = cls;
  size_t n = size * nitems;
  if (n > p->len - p->off)
    n = p->len - p->off;
  memcpy(buf, p->data + p->off, n);
  p->off += n;
  return n;
}

static size_t discard_cb(char *buf, size_t size, size_t nmemb, void *cls) {
  (void)buf;
  (void)cls;
  return size * nmemb;
}

/** Copy of @a s for a header line: CR, LF and other controls become spaces. */
static char *header_safe(const char *s) {
  char *o = strdup(s ? s : "");
  for (char *p = o; p && *p; p++)
    if ((unsigned char)*p < ' ' || *p == 0x7f)
      *p = ' ';
  return o;
}

/** Send one e-mail through the relay. @param[out] err message on failure. */
static int smtp_send(struct cspd_worker *w, const struct cspd_notification *n, char *err,
                     size_t errlen) {
  CURL *curl = curl_easy_init();
  if (curl == NULL) {
    snprintf(err, errlen, "curl_easy_init failed");
    return -1;
  }
  char date[64];
  time_t now = time(NULL);
  struct tm tm;
  gmtime_r(&now, &tm);
  strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  if (!cspd_email_valid(n->recipient) || !cspd_email_valid(w->cfg.smtp_from)) {
    curl_easy_cleanup(curl);
    snprintf(err, errlen, "invalid e-mail address");
    return -1;
  }
  char *msg = NULL;
  size_t len = 0;
  char *subject = header_safe(n->subject);
  FILE *f = open_memstream(&msg, &len);
  fprintf(f,
          "Date: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@cspd>\r\n"
          "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
          "Content-Transfer-Encoding: 8bit\r\n\r\n",
          date, w->cfg.smtp_from, n->recipient, subject, n->id);
  free(subject);
  /* CRLF line ends; libcurl does the SMTP dot-stuffing of the upload */
  for (const char *p = n->body; *p; p++) {
    if (*p == '\n')
      fputs("\r\n", f);
    else if (*p != '\r')
      fputc(*p, f);
  }
  fclose(f);
  struct payload pl = {msg, len, 0};
  char from[300], to[300]; /* addresses are at most 254 bytes (cspd_email_valid) */
  snprintf(from, sizeof from, "<%s>", w->cfg.smtp_from);
  snprintf(to, sizeof to, "<%s>", n->recipient);
  struct curl_slist *rcpt = curl_slist_append(NULL, to);
  curl_easy_setopt(curl, CURLOPT_URL, w->cfg.smtp_url);
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
  curl_easy_setopt(curl, CURLOPT_READDATA, &pl);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (w->cfg.smtp_user != NULL) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, w->cfg.smtp_user);
    curl_easy_setopt(curl, CURLOPT_PASSWORD, w->cfg.smtp_password ? w->cfg.smtp_password : "");
  }
  CURLcode rc = curl_easy_perform(curl);
  if (rc != CURLE_OK)
    snprintf(err, errlen, "smtp: %s", curl_easy_strerror(rc));
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(curl);
  free(msg);
  return rc == CURLE_OK ? 0 : -1;
}

/** POST one webhook delivery. @param[out] status HTTP status (0 if none). */
static int hook_send(const struct cspd_webhook_reg *reg, const struct cspd_webhook_delivery *d,
                     long *status, char *err, size_t errlen) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, (const unsigned char *)reg->secret, strlen(reg->secret));
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)d->payload, strlen(d->payload));
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[2 * sizeof mac + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  char h1[128], h2[128], h3[128];
  snprintf(h1, sizeof h1, "X-Cspd-Signature: sha256=%s", hex);
  snprintf(h2, sizeof h2, "X-Cspd-Event: %s", d->event_name);
  snprintf(h3, sizeof h3, "X-Cspd-Delivery: %s", d->id);
  struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
  hdr = curl_slist_append(hdr, h1);
  hdr = curl_slist_append(hdr, h2);
  hdr = curl_slist_append(hdr, h3);
  hdr = curl_slist_append(hdr, "User-Agent: cspd-webhooks/1");
  CURL *curl = curl_easy_init();
  *status = 0;
  if (curl == NULL) {
    curl_slist_free_all(hdr);
    snprintf(err, errlen, "curl_easy_init failed");
    return -1;
  }
  curl_easy_setopt(curl, CURLOPT_URL, reg->url);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, d->payload);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdr);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_cb);
  CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK)
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
  else
    snprintf(err, errlen, "%s", curl_easy_strerror(rc));
  curl_easy_cleanup(curl);
  curl_slist_free_all(hdr);
  if (rc != CURLE_OK)
    return -1;
  if (*status < 200 || *status > 299) {
    snprintf(err, errlen, "HTTP %ld", *status);
    return -1;
  }
  return 0;
}

int cspd_deliver_due(struct cspd_worker *w) {
  struct due d = {.a = cspd_arena_new(65536), .now = cspd_wall_ms()};
  int tried = 0;
  if (cspd_store_tx(w->srv->store, false, due_fn, &d, NULL) != 0) {
    cspd_arena_free(d.a);
    return -1;
  }
  for (int i = 0; i < d.nnotes; i++) {
    struct cspd_notification *n = &d.notes[i];
    char err[256] = "";
    n->attempts++;
    if (w->cfg.smtp_url != NULL && smtp_send(w, n, err, sizeof err) == 0) {
      n->status = "sent";
      n->sent_ms = cspd_wall_ms();
      n->last_error = NULL;
      n->next_attempt_ms = 0;
    } else {
      if (w->cfg.smtp_url == NULL)
        snprintf(err, sizeof err, "no SMTP relay configured");
      n->last_error = err;
      if (n->attempts >= NOTE_MAX_ATTEMPTS) {
        n->status = "failed";
        n->next_attempt_ms = 0;
      } else {
        n->next_attempt_ms = cspd_wall_ms() + backoff_ms(n->attempts, 30000);
      }
    }
    struct upd u = {.note = n};
    cspd_store_tx(w->srv->store, true, upd_fn, &u, NULL);
    tried++;
  }
  for (int i = 0; i < d.nhooks; i++) {
    struct cspd_webhook_delivery *h = &d.hooks[i];
    char err[256] = "";
    long status = 0;
    h->attempts++;
    int ok = -1;
    if (d.regs[i].url == NULL)
      snprintf(err, sizeof err, "the webhook registration was deleted");
    else
      ok = hook_send(&d.regs[i], h, &status, err, sizeof err);
    h->last_status_code = (int)status;
    if (ok == 0) {
      h->status = "delivered";
      h->delivered_ms = cspd_wall_ms();
      h->last_error = NULL;
      h->next_attempt_ms = 0;
    } else {
      h->last_error = err;
      if (h->attempts >= HOOK_MAX_ATTEMPTS || d.regs[i].url == NULL) {
        h->status = "failed";
        h->next_attempt_ms = 0;
      } else {
        h->next_attempt_ms = cspd_wall_ms() + backoff_ms(h->attempts, 5000);
      }
    }
    struct upd u = {.hook = h};
    cspd_store_tx(w->srv->store, true, upd_fn, &u, NULL);
    tried++;
  }
  cspd_arena_free(d.a);
  return tried;
}

/* ---- the thread ---------------------------------------------------------------------- */

static void *run(void *cls) {
  struct cspd_worker *w = cls;
  pthread_mutex_lock(&w->lock);
  while (!w->stop) {
    pthread_mutex_unlock(&w->lock);
    cspd_jobs_run_due(w->srv->store, w->srv->cfg.sandbox, 1000);
    int tried = cspd_deliver_due(w);
    pthread_mutex_lock(&w->lock);
    if (w->stop)
      break;
    if (tried >= 2 * BATCH)
      continue; /* more may be due */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t ns = (int64_t)ts.tv_nsec + (int64_t)w->cfg.interval_ms * 1000000;
    ts.tv_sec += (time_t)(ns / 1000000000);
    ts.tv_nsec = (long)(ns % 1000000000);
    pthread_cond_timedwait(&w->wake, &w->lock, &ts);
  }
  pthread_mutex_unlock(&w->lock);
  return NULL;
}

int cspd_worker_start(struct cspd_worker *w, struct cspd_server *srv,
                      const struct cspd_worker_config *cfg) {
  memset(w, 0, sizeof *w);
  w->srv = srv;
  w->cfg = *cfg;
  if (w->cfg.interval_ms <= 0)
    w->cfg.interval_ms = 1000;
  pthread_mutex_init(&w->lock, NULL);
  pthread_cond_init(&w->wake, NULL);
  if (pthread_create(&w->thread, NULL, run, w) != 0)
    return -1;
  w->running = true;
  return 0;
}

void cspd_worker_kick(struct cspd_worker *w) {
  if (w == NULL || !w->running)
    return;
  pthread_mutex_lock(&w->lock);
  pthread_cond_signal(&w->wake);
  pthread_mutex_unlock(&w->lock);
}

void cspd_worker_stop(struct cspd_worker *w) {
  if (!w->running)
    return;
  pthread_mutex_lock(&w->lock);
  w->stop = true;
  pthread_cond_signal(&w->wake);
  pthread_mutex_unlock(&w->lock);
  pthread_join(w->thread, NULL);
  w->running = false;
  pthread_cond_destroy(&w->wake);
  pthread_mutex_destroy(&w->lock);
}
