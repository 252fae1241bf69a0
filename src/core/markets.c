/* markets.c -- CSP regional markets (see markets.h). */
#include "markets.h"
#include "log.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

extern const char cspd_markets_tsv[]; /* generated from data/markets.tsv */

#define MAX_ENTRIES 512
#define MAX_MARKETS 64

static struct cspd_market_country table[MAX_ENTRIES];
static size_t ntable;
static char market_names[MAX_MARKETS][48];
static size_t nmarkets;

static const char *intern_market(const char *name, size_t len) {
  for (size_t i = 0; i < nmarkets; i++)
    if (strlen(market_names[i]) == len && memcmp(market_names[i], name, len) == 0)
      return market_names[i];
  if (nmarkets == MAX_MARKETS || len >= sizeof(market_names[0]))
    return NULL;
  memcpy(market_names[nmarkets], name, len);
  market_names[nmarkets][len] = '\0';
  return market_names[nmarkets++];
}

static int load(const char *tsv);

/* Parse into the table; on failure the previous table is restored. */
int cspd_markets_load(const char *tsv) {
  static struct cspd_market_country saved[MAX_ENTRIES];
  static char saved_names[MAX_MARKETS][48];
  size_t sn = ntable, sm = nmarkets;
  memcpy(saved, table, sizeof saved);
  memcpy(saved_names, market_names, sizeof saved_names);
  if (load(tsv) == 0)
    return 0;
  memcpy(table, saved, sizeof table);
  memcpy(market_names, saved_names, sizeof market_names);
  ntable = sn;
  nmarkets = sm;
  return -1;
}

static int load(const char *tsv) {
  ntable = 0;
  nmarkets = 0;
  int lineno = 0;
  const char *p = tsv;
  while (*p != '\0') {
    const char *eol = strchr(p, '\n');
    size_t len = eol ? (size_t)(eol - p) : strlen(p);
    lineno++;
    if (len > 0 && p[0] != '#') {
      const char *t1 = memchr(p, '\t', len);
      const char *t2 = t1 ? memchr(t1 + 1, '\t', len - (size_t)(t1 + 1 - p)) : NULL;
      if (t1 == NULL || t2 == NULL) {
        cspd_log("error", "markets line %d: expected 3 tab-separated fields", lineno);
        return -1;
      }
      const char *market = intern_market(p, (size_t)(t1 - p));
      size_t curlen = len - (size_t)(t2 + 1 - p);
      if (market == NULL || curlen != 3) {
        cspd_log("error", "markets line %d: bad market or currency", lineno);
        return -1;
      }
      const char *c = t1 + 1;
      while (c < t2) {
        while (c < t2 && *c == ' ')
          c++;
        const char *e = c;
        while (e < t2 && *e != ' ')
          e++;
        if (e - c == 2) {
          if (ntable == MAX_ENTRIES)
            return -1;
          struct cspd_market_country *mc = &table[ntable++];
          mc->country[0] = (char)toupper((unsigned char)c[0]);
          mc->country[1] = (char)toupper((unsigned char)c[1]);
          mc->country[2] = '\0';
          memcpy(mc->currency, t2 + 1, 3);
          mc->currency[3] = '\0';
          mc->market = market;
        } else if (e > c) {
          cspd_log("error", "markets line %d: bad country code", lineno);
          return -1;
        }
        c = e;
      }
    }
    p += len;
    if (*p == '\n')
      p++;
  }
  return ntable > 0 ? 0 : -1;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_rc = -1;
static void init_once(void) {
  init_rc = cspd_markets_load(cspd_markets_tsv);
}

int cspd_markets_init(void) {
  pthread_once(&once, init_once);
  return init_rc;
}

const struct cspd_market_country *cspd_market_of(const char *cc) {
  if (cc == NULL || strlen(cc) != 2)
    return NULL;
  for (size_t i = 0; i < ntable; i++)
    if (strcasecmp(table[i].country, cc) == 0)
      return &table[i];
  return NULL;
}

const struct cspd_market_country *cspd_markets_all(size_t *n) {
  *n = ntable;
  return table;
}
