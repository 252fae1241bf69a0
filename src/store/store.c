/* store.c -- backend selection and the transaction runner. */
#include "store.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "migrations.h"
#include "store_impl.h"

int cspd_store_open(const char *url, struct cspd_store **out, char *errbuf, size_t errlen) {
  *out = NULL;
  if (url == NULL || url[0] == '\0') {
    snprintf(errbuf, errlen, "no store given (use --store sqlite:PATH, memory or postgres://...)");
    return -1;
  }
  if (strcmp(url, "memory") == 0)
    return cspd_sqlite_open(NULL, true, NULL, out, errbuf, errlen);
  if (strncmp(url, "sqlite:", 7) == 0) {
    char path[4096];
    snprintf(path, sizeof path, "%s", url + 7);
    char *q = strchr(path, '?');
    const char *options = NULL;
    if (q != NULL) {
      *q = '\0';
      options = q + 1;
    }
    if (path[0] == '\0') {
      snprintf(errbuf, errlen, "sqlite store needs a path: sqlite:PATH");
      return -1;
    }
    return cspd_sqlite_open(path, false, options, out, errbuf, errlen);
  }
  if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
    snprintf(errbuf, errlen,
             "the PostgreSQL store is not built yet; use --store sqlite:PATH or memory");
    return -1;
  }
  snprintf(errbuf, errlen, "unknown store '%s' (use sqlite:PATH, memory or postgres://...)", url);
  return -1;
}

void cspd_store_close(struct cspd_store *s) {
  if (s != NULL)
    s->ops->close(s);
}

int cspd_store_session(struct cspd_store *s, struct cspd_db **out) {
  return s->ops->session(s, out);
}

const struct cspd_store_ops *cspd_db_ops(struct cspd_db *db) {
  return ((struct cspd_db_base *)db)->store->ops;
}

int cspd_store_binary_schema_version(void) {
  return cspd_sqlite_migrations_count;
}

static void backoff(int attempt) {
  /* 1 ms, 2 ms, 4 ms ... capped at 64 ms, with jitter */
  long us = 1000L << (attempt < 6 ? attempt : 6);
  us += (long)randombytes_uniform((uint32_t)us);
  struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
  nanosleep(&ts, NULL);
}

#define MAX_ATTEMPTS 20

int cspd_store_tx(struct cspd_store *s, bool write, cspd_tx_fn fn, void *cls, int *attempts) {
  struct cspd_db *db;
  int rc = s->ops->session(s, &db);
  if (rc != 0)
    return rc;
  __atomic_fetch_add(write ? &s->tx_write : &s->tx_read, 1, __ATOMIC_RELAXED);
  int attempt;
  for (attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) {
      __atomic_fetch_add(&s->tx_retries, 1, __ATOMIC_RELAXED);
      backoff(attempt);
    }
    rc = s->ops->begin(db, write);
    if (rc == CSPD_STORE_BUSY)
      continue;
    if (rc != 0)
      break;
    rc = fn(db, cls);
    if (rc == 0) {
      rc = s->ops->commit(db);
      if (rc == CSPD_STORE_BUSY) {
        s->ops->rollback(db);
        continue;
      }
      break;
    }
    s->ops->rollback(db);
    if (rc != CSPD_STORE_BUSY)
      break;
  }
  if (attempts != NULL)
    *attempts = attempt < MAX_ATTEMPTS ? attempt + 1 : MAX_ATTEMPTS;
  if (rc != 0)
    __atomic_fetch_add(&s->tx_failed, 1, __ATOMIC_RELAXED);
  return rc;
}
