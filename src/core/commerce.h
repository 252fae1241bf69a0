/* commerce.h -- the catalog, orders, subscriptions and the monthly billing
 * run (SPEC §2.9 and the purchasing side of §2.1 and §2.5). */
#ifndef CSPD_COMMERCE_H
#define CSPD_COMMERCE_H

#include <jansson.h>

#include "../store/store.h"
#include "ctx.h"

/** An offer, read from its catalog document (arena strings). */
struct cspd_offer {
  const char *id, *name, *billing, *transfer_class, *unit_type;
  int64_t min_q, max_q;
  bool is_addon;
  int term_months;
  json_t *doc; /* the document (owned by the caller: json_decref) */
};

/** Validate a catalog document and replace the catalog (operator, or the
 * system at first start when @a c->who is NULL). @param[out] n offers. */
int cspd_catalog_replace(struct cspd_ctx *c, const json_t *catalog, int *n);
/** Load the shipped catalog (data/catalog.json) when the store has none. */
int cspd_catalog_seed_default(struct cspd_ctx *c);
/** The offer @a id. @param[out] out (json_decref out->doc). */
int cspd_offer_get(struct cspd_ctx *c, const char *id, struct cspd_offer *out);
/** Whether @a offer is sold in @a country; @param[out] price in the
 * country's currency, @param[out] currency. */
bool cspd_offer_sold_in(const struct cspd_offer *o, const char *country, int64_t *price,
                        const char **currency);

struct cspd_order_line_in {
  int line_item_number;
  const char *offer_id;
  int64_t quantity;
  const char *friendly_name;
  const char *partner_id_on_record;
  const char *parent_subscription_id;
};

struct cspd_order_in {
  const char *reference_customer_id;
  const char *billing_cycle; /* NULL: the offer's first */
  struct cspd_order_line_in *lines;
  int nlines;
};

/** Place an order for @a customer_id: one subscription per line, all or
 * nothing (R-ORD-1..3, R-MPA-1..3, R-MCA-1, R-DB-2, R-CUS-5, R-CUS-6,
 * R-EXT-0, R-REG-1, R-SUB-1). @param[out] order, @param[out] subs (arena
 * array of in->nlines). */
int cspd_order_create(struct cspd_ctx *c, const char *customer_id, const struct cspd_order_in *in,
                      struct cspd_order *order, struct cspd_subscription **subs);

/** Read a subscription the caller may see (holder, its reseller, the
 * customer, the operator). */
int cspd_subscription_read(struct cspd_ctx *c, const char *customer_id, const char *sub_id,
                           struct cspd_subscription *out);

struct cspd_sub_patch {
  const char *friendly_name; /* NULL: unchanged */
  int64_t quantity;          /* <0: unchanged */
  const char *status;        /* NULL: unchanged */
  int auto_renew;            /* <0: unchanged */
  const char *partner_id;    /* partner of record; NULL: unchanged */
};

/** PATCH a subscription (R-SUB-1; R-DB-2 keeps suspending and resizing
 * allowed). Add-ons follow a suspended or deleted base. @a s is updated. */
int cspd_subscription_update(struct cspd_ctx *c, struct cspd_subscription *s,
                             const struct cspd_sub_patch *p);

/** Record usage of a usage-billed subscription (operator metering). */
int cspd_usage_record(struct cspd_ctx *c, struct cspd_subscription *s, int64_t usage_ms,
                      int64_t amount_minor, const char *resource);

/** Invoice the month starting at @a month_start_ms (UTC): one invoice per
 * billed partner and currency, and the revenue entries that feed R-DB-1.
 * Running a month twice changes nothing. @param[out] report new ref. */
int cspd_billing_run(struct cspd_ctx *c, int64_t month_start_ms, json_t **report);

/** R-ORD-3: @a mpn may be named partner of record on @a provider's sale: not
 * the provider's own PartnerID (2072), a known partner (800015) in an active
 * partnership with the provider (800016) that signed the MPA (R-MPA-2). */
int cspd_rule_partner_of_record(struct cspd_ctx *c, const char *provider, const char *mpn);

#endif
