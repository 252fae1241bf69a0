/* markets.h -- CSP regional markets (data/markets.tsv, embedded at build).
 *
 * R-REG-1: a tenant's market follows its country. A market may have several
 * currencies (europe: EUR, DKK, GBP, ...); the currency follows the country. */
#ifndef CSPD_MARKETS_H
#define CSPD_MARKETS_H

#include <stddef.h>

struct cspd_market_country {
  char country[3];
  char currency[4];
  const char *market; /* static storage */
};

/** Parse the embedded table. Idempotent; 0 or -1 (message on stderr). */
int cspd_markets_init(void);
/** Parse @a tsv (replaces the table). Used by init and by tests. */
int cspd_markets_load(const char *tsv);
/** Country entry of @a cc (case-insensitive ISO alpha-2), NULL if in no market. */
const struct cspd_market_country *cspd_market_of(const char *cc);
/** All entries in file order. @param[out] n count. */
const struct cspd_market_country *cspd_markets_all(size_t *n);

#endif
