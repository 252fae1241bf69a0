/* commerce.c -- catalog, orders, subscriptions, billing (see commerce.h).
 * Each function runs inside the caller's transaction; rule ids name what
 * they enforce. Money is integer minor units with an ISO currency. */
#include "commerce.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "customers.h"
#include "events.h"
#include "identity.h"
#include "json.h"
#include "markets.h"
#include "program.h"
#include "util.h"

#define OPS(c) cspd_db_ops((c)->db)

extern const char cspd_catalog_json[]; /* generated from data/catalog.json */

static const char *const classes[] = {"license_based",      "azure_payg", "azure_plan",
                                      "azure_reservation",  "term_based", "marketplace_saas",
                                      "perpetual_software", NULL};
static const char *const billings[] = {"license", "usage", "none", NULL};

static bool one_of(const char *v, const char *const *set) {
  for (int i = 0; v && set[i]; i++)
    if (strcmp(v, set[i]) == 0)
      return true;
  return false;
}

/* ---- catalog ---------------------------------------------------------------------- */

/** Lower-case arena copy of @a v (ASCII), for case-insensitive keys. */
static const char *lower(struct cspd_ctx *c, const char *v) {
  char *r = cspd_arena_strdup(c->arena, v);
  for (char *q = r; *q; q++)
    if (*q >= 'A' && *q <= 'Z')
      *q = (char)(*q - 'A' + 'a');
  return r;
}

/** Check one offer document; the detail names the offer. */
static int offer_check(struct cspd_ctx *c, const json_t *o, size_t i, const json_t *ids) {
  char *p = cspd_arena_printf(c->arena, "offers[%zu]", i);
  const char *id, *name, *billing, *cls, *unit;
  long long minq, maxq, term;
  bool addon;
  json_t *parents, *cycles, *markets, *prices;
  if (cspd_json_str(c, o, "id", true, p, &id) != 0 ||
      cspd_json_str(c, o, "name", true, p, &name) != 0 ||
      cspd_json_str(c, o, "billing", true, p, &billing) != 0 ||
      cspd_json_str(c, o, "transferClass", true, p, &cls) != 0 ||
      cspd_json_str(c, o, "unitType", true, p, &unit) != 0 ||
      cspd_json_int(c, o, "minimumQuantity", true, p, &minq) != 0 ||
      cspd_json_int(c, o, "maximumQuantity", true, p, &maxq) != 0 ||
      cspd_json_int(c, o, "termMonths", true, p, &term) != 0 ||
      cspd_json_bool(c, o, "isAddOn", true, p, &addon) != 0 ||
      cspd_json_arr(c, o, "parentOffers", true, p, &parents) != 0 ||
      cspd_json_arr(c, o, "supportedBillingCycles", true, p, &cycles) != 0 ||
      cspd_json_arr(c, o, "markets", true, p, &markets) != 0 ||
      cspd_json_obj(c, o, "prices", true, p, &prices) != 0) {
    c->err.id = CSPD_E_CATALOG_INVALID;
    return -1;
  }
  if (!one_of(billing, billings) || !one_of(cls, classes))
    return cspd_fail(c, CSPD_E_CATALOG_INVALID, "%s: billing or transferClass not allowed", p);
  if (minq < 1 || maxq < minq || term < 0 || term > 120)
    return cspd_fail(c, CSPD_E_CATALOG_INVALID, "%s: quantities or termMonths out of range", p);
  if (addon != (json_array_size(parents) > 0))
    return cspd_fail(c, CSPD_E_CATALOG_INVALID, "%s: an add-on names its parentOffers", p);
  size_t k;
  json_t *v;
  json_array_foreach(parents, k, v) {
    const json_t *po =
        json_is_string(v) ? json_object_get(ids, lower(c, json_string_value(v))) : NULL;
    if (po == NULL)
      return cspd_fail(c, CSPD_E_CATALOG_INVALID, "%s.parentOffers[%zu] is not an offer", p, k);
    if (json_is_true(cspd_json_get(po, "isAddOn")))
      return cspd_fail(c, CSPD_E_CATALOG_INVALID,
                       "%s.parentOffers[%zu] is an add-on, not a base offer", p, k);
  }
  /* license offers bill monthly and/or annual; usage and one-time offers exactly ["none"] */
  bool lic = strcmp(billing, "license") == 0;
  if (json_array_size(cycles) == 0 || (!lic && json_array_size(cycles) != 1))
    return cspd_fail(c, CSPD_E_CATALOG_INVALID, "%s.supportedBillingCycles: %s", p,
                     lic ? "monthly and/or annual" : "exactly [\"none\"]");
  json_array_foreach(cycles, k, v) {
    const char *cy = json_string_value(v);
    bool ok = cy != NULL && (lic ? (strcmp(cy, "monthly") == 0 || strcmp(cy, "annual") == 0)
                                 : strcmp(cy, "none") == 0);
    for (size_t j = 0; ok && j < k; j++)
      ok = !json_equal(v, json_array_get(cycles, j));
    if (!ok)
      return cspd_fail(c, CSPD_E_CATALOG_INVALID,
                       "%s.supportedBillingCycles[%zu] not allowed for "
                       "billing %s",
                       p, k, billing);
  }
  const char *cur;
  json_object_foreach(prices, cur, v) {
    if (!json_is_integer(v) || json_integer_value(v) < 0 || strlen(cur) != 3)
      return cspd_fail(c, CSPD_E_CATALOG_INVALID, "%s.prices.%s must be minor units >= 0", p, cur);
  }
  /* every market named exists and has a price in each currency it bills in; "*" sells in
   * every market whose currency is priced */
  size_t nmc;
  const struct cspd_market_country *mcs = cspd_markets_all(&nmc);
  if (json_array_size(markets) == 0)
    return cspd_fail(c, CSPD_E_CATALOG_INVALID, "%s.markets is empty", p);
  json_array_foreach(markets, k, v) {
    const char *m = json_string_value(v);
    bool all = m != NULL && strcmp(m, "*") == 0, known = all;
    for (size_t j = 0; m != NULL && j < nmc; j++) {
      if (!all && strcasecmp(mcs[j].market, m) != 0)
        continue;
      known = true;
      if (!all && json_object_get(prices, mcs[j].currency) == NULL)
        return cspd_fail(c, CSPD_E_CATALOG_INVALID, "%s.prices has no %s (billed in market %s)", p,
                         mcs[j].currency, mcs[j].market);
    }
    if (!known)
      return cspd_fail(c, CSPD_E_CATALOG_INVALID,
                       "%s.markets[%zu] is not a market of "
                       "data/markets.tsv",
                       p, k);
  }
  return 0;
}

int cspd_catalog_replace(struct cspd_ctx *c, const json_t *catalog, int *n) {
  if (c->who != NULL && c->who->kind != CSPD_TENANT_OPERATOR)
    return cspd_fail(c, CSPD_E_ROLE_REQUIRED, "operator role required");
  json_t *offers;
  if (cspd_json_arr(c, catalog, "offers", true, "", &offers) != 0) {
    c->err.id = CSPD_E_CATALOG_INVALID;
    return -1;
  }
  size_t count = json_array_size(offers), i;
  if (count == 0 || count > 2000)
    return cspd_fail(c, CSPD_E_CATALOG_INVALID, "1 to 2000 offers");
  /* ids and names are unique without regard to case: both maps are keyed lower-case */
  json_t *ids = json_object(), *names = json_object(), *o;
  int rc = 0;
  json_array_foreach(offers, i, o) {
    const char *id = json_string_value(cspd_json_get(o, "id"));
    const char *name = json_string_value(cspd_json_get(o, "name"));
    if (!json_is_object(o) || id == NULL || *id == '\0' ||
        json_object_get(ids, lower(c, id)) != NULL) {
      rc = cspd_fail(c, CSPD_E_CATALOG_INVALID, "offers[%zu]: missing or duplicate id", i);
      break;
    }
    if (name != NULL && json_object_get(names, lower(c, name)) != NULL) {
      rc = cspd_fail(c, CSPD_E_CATALOG_INVALID, "offers[%zu]: duplicate name \"%s\"", i, name);
      break;
    }
    json_object_set(ids, lower(c, id), o);
    if (name != NULL)
      json_object_set_new(names, lower(c, name), json_true());
  }
  json_decref(names);
  const char **idv = cspd_arena_alloc(c->arena, sizeof *idv * count);
  const char **docs = cspd_arena_alloc(c->arena, sizeof *docs * count);
  for (i = 0; rc == 0 && i < count; i++) {
    o = json_array_get(offers, i);
    if ((rc = offer_check(c, o, i, ids)) != 0)
      break;
    char *txt = json_dumps(o, JSON_COMPACT);
    idv[i] = json_string_value(cspd_json_get(o, "id"));
    docs[i] = cspd_arena_strdup(c->arena, txt ? txt : "{}");
    free(txt);
  }
  if (rc == 0)
    rc = cspd_store_fail(c, OPS(c)->offer_replace(c->db, idv, docs, (int)count), 0, 0);
  json_decref(ids);
  if (rc != 0)
    return rc;
  *n = (int)count;
  return c->who ? cspd_audit(c, "replace_catalog", "Catalog", NULL, NULL,
                             cspd_arena_printf(c->arena, "%zu offers", count))
                : 0;
}

int cspd_catalog_seed_default(struct cspd_ctx *c) {
  char **docs;
  int n;
  int rc = OPS(c)->offer_list(c->db, c->arena, &docs, &n);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  if (n > 0)
    return 0;
  json_error_t jerr;
  json_t *doc = json_loads(cspd_catalog_json, 0, &jerr);
  if (doc == NULL)
    return cspd_fail(c, CSPD_E_INTERNAL, "shipped catalog: %s", jerr.text);
  const struct cspd_principal *who = c->who;
  c->who = NULL;
  rc = cspd_catalog_replace(c, doc, &n);
  c->who = who;
  json_decref(doc);
  return rc;
}

static void offer_fill(struct cspd_ctx *c, json_t *doc, struct cspd_offer *o) {
  o->doc = doc;
  o->id = cspd_arena_strdup(c->arena, json_string_value(json_object_get(doc, "id")));
  o->name = cspd_arena_strdup(c->arena, json_string_value(json_object_get(doc, "name")));
  o->billing = cspd_arena_strdup(c->arena, json_string_value(json_object_get(doc, "billing")));
  o->transfer_class =
      cspd_arena_strdup(c->arena, json_string_value(json_object_get(doc, "transferClass")));
  o->unit_type = cspd_arena_strdup(c->arena, json_string_value(json_object_get(doc, "unitType")));
  o->min_q = json_integer_value(json_object_get(doc, "minimumQuantity"));
  o->max_q = json_integer_value(json_object_get(doc, "maximumQuantity"));
  o->is_addon = json_is_true(json_object_get(doc, "isAddOn"));
  o->term_months = (int)json_integer_value(json_object_get(doc, "termMonths"));
}

int cspd_offer_get(struct cspd_ctx *c, const char *id, struct cspd_offer *out) {
  char *doc;
  memset(out, 0, sizeof *out);
  int rc = OPS(c)->offer_get(c->db, id ? id : "", c->arena, &doc);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_OFFER_NOT_FOUND, 0);
  json_t *j = json_loads(doc, 0, NULL);
  if (j == NULL)
    return cspd_fail(c, CSPD_E_INTERNAL, "stored offer is not JSON");
  offer_fill(c, j, out);
  return 0;
}

bool cspd_offer_sold_in(const struct cspd_offer *o, const char *country, int64_t *price,
                        const char **currency) {
  const struct cspd_market_country *mc = cspd_market_of(country);
  if (mc == NULL)
    return false;
  json_t *markets = json_object_get(o->doc, "markets"), *m;
  size_t i;
  bool in = false;
  json_array_foreach(markets, i, m) {
    const char *v = json_string_value(m);
    if (v && (strcmp(v, "*") == 0 || strcasecmp(v, mc->market) == 0))
      in = true;
  }
  json_t *p = json_object_get(json_object_get(o->doc, "prices"), mc->currency);
  if (!in || !json_is_integer(p))
    return false;
  *price = json_integer_value(p);
  *currency = mc->currency;
  return true;
}

/* ---- orders ------------------------------------------------------------------------- */

static bool cycle_supported(const struct cspd_offer *o, const char *cycle) {
  json_t *cycles = json_object_get(o->doc, "supportedBillingCycles"), *v;
  size_t i;
  json_array_foreach(cycles, i, v) {
    if (json_is_string(v) && strcasecmp(json_string_value(v), cycle) == 0)
      return true;
  }
  return false;
}

static bool parent_allowed(const struct cspd_offer *addon, const char *parent_offer) {
  json_t *parents = json_object_get(addon->doc, "parentOffers"), *v;
  size_t i;
  json_array_foreach(parents, i, v) {
    if (json_is_string(v) && strcasecmp(json_string_value(v), parent_offer) == 0)
      return true;
  }
  return false;
}

/** UTC month arithmetic: @a ms plus @a months. */
static int64_t add_months(int64_t ms, int months) {
  time_t secs = (time_t)(ms / 1000);
  struct tm tm;
  gmtime_r(&secs, &tm);
  tm.tm_mon += months;
  return (int64_t)timegm(&tm) * 1000 + ms % 1000;
}

/** R-ORD-3: the partner of record on a provider's order. */
int cspd_rule_partner_of_record(struct cspd_ctx *c, const char *provider, const char *mpn) {
  struct cspd_location me, l;
  int rc = OPS(c)->location_get(c->db, provider, c->arena, &me);
  if (rc != 0)
    return cspd_store_fail(c, rc, CSPD_E_LOCATION_NOT_FOUND, 0);
  if (strcmp(me.mpn_id, mpn) == 0)
    return cspd_fail(c, CSPD_E_POR_OWN, NULL); /* 2072 */
  struct cspd_org o;
  if (OPS(c)->org_get(c->db, me.org_id, c->arena, &o) == 0 && strcmp(o.mpn_id, mpn) == 0)
    return cspd_fail(c, CSPD_E_POR_OWN, NULL);
  rc = OPS(c)->location_get_by_mpn(c->db, mpn, c->arena, &l);
  if (rc == CSPD_STORE_NOTFOUND)
    return cspd_fail(c, CSPD_E_POR_UNKNOWN, "('%s')", mpn); /* 800015 */
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  struct cspd_partnership ps;
  rc = OPS(c)->partnership_get(c->db, provider, l.tenant_id, c->arena, &ps);
  if (rc == CSPD_STORE_NOTFOUND || (rc == 0 && strcmp(ps.state, "active") != 0))
    return cspd_fail(c, CSPD_E_POR_NOT_RESELLER, "('%s')", mpn); /* 800016 */
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  return cspd_rule_partner_of_record_mpa(c, mpn); /* R-MPA-2: 900123 */
}

static int history(struct cspd_ctx *c, const struct cspd_subscription *s) {
  struct cspd_sub_change ch = {.at_ms = c->now_ms, .status = s->status, .quantity = s->quantity};
  return cspd_store_fail(c, OPS(c)->sub_history_add(c->db, s->id, &ch), 0, 0);
}

/** Whether @a provider is in an active partnership with a partner that holds
 * @a customer_id: the provider knows of the customer through its reseller but
 * has no relationship of its own yet, which R-EXT-0 names (rather than a bare
 * not-found). */
static bool partners_customer(struct cspd_ctx *c, const char *customer_id, const char *provider) {
  char g[37];
  struct cspd_crel *rels;
  int n;
  if (cspd_guid_normalize(customer_id, g) != 0 ||
      OPS(c)->crel_list(c->db, g, c->arena, &rels, &n) != 0)
    return false;
  for (int i = 0; i < n; i++) {
    struct cspd_partnership ps;
    if (strcmp(rels[i].state, "active") == 0 && rels[i].role != CSPD_CREL_PROVIDER &&
        OPS(c)->partnership_get(c->db, provider, rels[i].partner_tenant_id, c->arena, &ps) == 0 &&
        strcmp(ps.state, "active") == 0)
      return true;
  }
  return false;
}

int cspd_order_create(struct cspd_ctx *c, const char *customer_id, const struct cspd_order_in *in,
                      struct cspd_order *order, struct cspd_subscription **subs) {
  if (c->who == NULL || c->who->kind != CSPD_TENANT_PARTNER)
    return cspd_fail(c, CSPD_E_TENANT_FORBIDDEN, "only partners place orders");
  const char *me = c->who->tenant_id;
  struct cspd_customer cu;
  struct cspd_holding h;
  int rc = cspd_customer_read(c, customer_id, &cu, &h);
  if (rc != 0 && c->err.id == CSPD_E_CUSTOMER_NOT_FOUND && partners_customer(c, customer_id, me))
    return cspd_fail(c, CSPD_E_PROVIDER_NO_RELATIONSHIP, NULL); /* R-EXT-0 */
  if (rc != 0)
    return rc;
  if (in->nlines < 1 || in->nlines > 100)
    return cspd_fail(c, CSPD_E_ORDER_NO_LINES, NULL);
  /* who buys, and may it */
  const char *reseller = NULL;
  if (h.direct) {
    if ((rc = cspd_rule_direct_purchase(c, cu.tenant_id, me)) != 0 || /* R-DB-2 */
        (rc = cspd_rule_mpa(c, me)) != 0)                             /* R-MPA-1 */
      return rc;
  } else if (h.provider) {
    reseller = h.provider_via;
    if ((rc = cspd_rule_mpa(c, me)) != 0) /* R-MPA-1 */
      return rc;
    if (reseller && (rc = cspd_rule_provider_for_reseller_mpa(c, reseller)) != 0) /* R-MPA-3 */
      return rc;
  } else if (h.reseller) {
    enum cspd_mstate db;
    if ((rc = cspd_membership_state(c, me, CSPD_PROG_DIRECT_BILL, &db)) != 0)
      return rc;
    if (db == CSPD_MS_ACTIVE || db == CSPD_MS_RESTRICTED) /* R-CUS-5 */
      return cspd_fail(c, CSPD_E_CUS_DIRECT_PURCHASE, NULL);
    return cspd_fail(c, CSPD_E_CUS_RESELLER_NO_ORDERS, NULL); /* R-CUS-6 */
  }
  if ((rc = cspd_rule_mca(c, cu.tenant_id, me)) != 0) /* R-MCA-1: 13605 */
    return rc;
  const char *default_por = NULL;
  if (reseller != NULL) {
    struct cspd_location rl;
    if (OPS(c)->location_get(c->db, reseller, c->arena, &rl) == 0)
      default_por = cspd_arena_strdup(c->arena, rl.mpn_id);
  }
  memset(order, 0, sizeof *order);
  cspd_guid_new_timed(order->id, c->now_ms);
  memcpy(order->customer_tenant_id, cu.tenant_id, sizeof order->customer_tenant_id);
  snprintf(order->partner_tenant_id, sizeof order->partner_tenant_id, "%s", me);
  order->reference_customer_id = cu.tenant_id;
  order->billing_cycle = in->billing_cycle ? in->billing_cycle : "monthly";
  order->status = "completed";
  order->source = "order";
  order->created_ms = c->now_ms;
  *subs = cspd_arena_alloc(c->arena, sizeof **subs * (size_t)in->nlines);
  for (int i = 0; i < in->nlines; i++) {
    const struct cspd_order_line_in *l = &in->lines[i];
    struct cspd_offer of;
    if ((rc = cspd_offer_get(c, l->offer_id, &of)) != 0)
      return rc;
    int64_t price;
    const char *cur;
    bool sold = cspd_offer_sold_in(&of, cu.country, &price, &cur);
    const char *cycle = in->billing_cycle;
    if (cycle == NULL)
      cycle =
          json_string_value(json_array_get(json_object_get(of.doc, "supportedBillingCycles"), 0));
    bool cycle_ok = cycle_supported(&of, cycle);
    cycle = cspd_arena_strdup(c->arena, cycle);
    if (i == 0 && in->billing_cycle == NULL)
      order->billing_cycle = cycle; /* the order reads as its first line's cycle */
    struct cspd_offer copy = of;
    json_t *doc = of.doc;
    if (!sold) {
      json_decref(doc);
      return cspd_fail(c, CSPD_E_OFFER_NOT_IN_MARKET, "(line %d: %s in %s)", l->line_item_number,
                       copy.id, cu.country);
    }
    if (!cycle_ok) {
      json_decref(doc);
      return cspd_fail(c, CSPD_E_ORDER_BILLING_CYCLE, "(line %d: %s)", l->line_item_number, cycle);
    }
    /* R-ORD-2: quantities within the offer's bounds */
    if (l->quantity < copy.min_q || l->quantity > copy.max_q) {
      json_decref(doc);
      return cspd_fail(c, CSPD_E_ORDER_QUANTITY, "(line %d: %lld, allowed %lld..%lld)",
                       l->line_item_number, (long long)l->quantity, (long long)copy.min_q,
                       (long long)copy.max_q);
    }
    for (int k = 0; k < i; k++)
      if (in->lines[k].line_item_number == l->line_item_number) {
        json_decref(doc);
        return cspd_fail(c, CSPD_E_INVALID_INPUT, "lineItemNumber %d appears twice",
                         l->line_item_number);
      }
    if (!copy.is_addon && l->parent_subscription_id != NULL && l->parent_subscription_id[0]) {
      json_decref(doc);
      return cspd_fail(c, CSPD_E_INVALID_INPUT,
                       "(line %d: %s is not an add-on and takes no "
                       "parentSubscriptionId)",
                       l->line_item_number, copy.id);
    }
    const char *parent = NULL;
    if (copy.is_addon) {
      /* R-ORD-2: the parent is one of this customer's subscriptions that the buyer holds (a
       * partner never hangs an add-on under another partner's subscription), of an allowed base
       * offer. Add-ons are bought in a later order than their base. */
      struct cspd_subscription ps;
      char pg[37];
      if (l->parent_subscription_id == NULL ||
          cspd_guid_normalize(l->parent_subscription_id, pg) != 0 ||
          OPS(c)->sub_get(c->db, pg, c->arena, &ps) != 0 || !ps.listed ||
          strcmp(ps.customer_tenant_id, cu.tenant_id) != 0 ||
          strcmp(ps.holder_tenant_id, me) != 0 || !parent_allowed(&copy, ps.offer_id)) {
        json_decref(doc);
        return cspd_fail(c, CSPD_E_ORDER_ADDON_PARENT, "(line %d)", l->line_item_number);
      }
      if (strcmp(ps.status, "active") != 0) { /* R-SUB-1 */
        json_decref(doc);
        return cspd_fail(c, CSPD_E_ORDER_ADDON_PARENT_INACTIVE, "(line %d)", l->line_item_number);
      }
      parent = cspd_arena_strdup(c->arena, ps.id);
    }
    json_decref(doc);
    /* R-ORD-3: the partner of record on a provider's order */
    const char *por = l->partner_id_on_record;
    if (por != NULL && por[0] == '\0')
      por = NULL;
    if (h.direct && por != NULL)
      return cspd_fail(c, CSPD_E_POR_DIRECT, NULL);
    if (h.provider) {
      if (por == NULL)
        por = default_por; /* the reseller the provider serves this customer for */
      if (por != NULL && (rc = cspd_rule_partner_of_record(c, me, por)) != 0)
        return rc;
    }
    struct cspd_subscription *s = &(*subs)[i];
    memset(s, 0, sizeof *s);
    cspd_guid_new_timed(s->id, c->now_ms);
    memcpy(s->customer_tenant_id, cu.tenant_id, sizeof s->customer_tenant_id);
    s->order_id = order->id;
    s->line_item_number = l->line_item_number;
    s->offer_id = copy.id;
    s->offer_name = copy.name;
    s->friendly_name = l->friendly_name && l->friendly_name[0]
                           ? cspd_arena_strdup(c->arena, l->friendly_name)
                           : copy.name;
    s->quantity = l->quantity;
    s->unit_type = copy.unit_type;
    s->parent_subscription_id = parent;
    s->status = "active";
    s->auto_renew = copy.term_months > 0;
    s->billing_type = copy.billing;
    s->billing_cycle = cycle;
    s->transfer_class = copy.transfer_class;
    s->partner_id_on_record = por ? cspd_arena_strdup(c->arena, por) : NULL;
    snprintf(s->holder_tenant_id, sizeof s->holder_tenant_id, "%s", me);
    s->reseller_tenant_id = reseller;
    char ent[37];
    cspd_guid_new(ent); /* MS-AZR-0145P: the Azure subscription id */
    s->entitlement_id = cspd_arena_strdup(c->arena, ent);
    memcpy(s->currency, cur, 4);
    s->unit_price_minor = price;
    s->created_ms = s->effective_start_ms = c->now_ms;
    s->commitment_end_ms =
        copy.term_months > 0 ? add_months(c->now_ms, copy.term_months) : c->now_ms;
    s->listed = true;
    s->version = 1;
    if ((rc = cspd_store_fail(c, OPS(c)->sub_insert(c->db, s), 0, 0)) != 0 ||
        (rc = history(c, s)) != 0)
      return rc;
  }
  if ((rc = cspd_store_fail(c, OPS(c)->order_insert(c->db, order), 0, 0)) != 0)
    return rc;
  const char *uri =
      cspd_arena_printf(c->arena, "/v1/customers/%s/orders/%s", cu.tenant_id, order->id);
  if ((rc = cspd_audit(c, "create_order", "Order", order->id, NULL, uri)) != 0)
    return rc;
  for (int i = 0; i < in->nlines; i++) {
    const char *suri = cspd_arena_printf(c->arena, "/v1/customers/%s/subscriptions/%s",
                                         cu.tenant_id, (*subs)[i].id);
    if ((rc = cspd_event(c, me, "subscription-updated", suri, (*subs)[i].friendly_name)) != 0 ||
        (reseller && (rc = cspd_event(c, reseller, "subscription-updated", suri,
                                      (*subs)[i].friendly_name)) != 0))
      return rc;
  }
  return 0;
}

/* ---- subscriptions ------------------------------------------------------------------ */

int cspd_subscription_read(struct cspd_ctx *c, const char *customer_id, const char *sub_id,
                           struct cspd_subscription *out) {
  struct cspd_customer cu;
  int rc = cspd_customer_read(c, customer_id, &cu, NULL);
  if (rc != 0)
    return rc;
  char g[37];
  if (sub_id == NULL || cspd_guid_normalize(sub_id, g) != 0)
    return cspd_fail(c, CSPD_E_BAD_GUID, "subscription id");
  rc = OPS(c)->sub_get(c->db, g, c->arena, out);
  if (rc != 0 || strcmp(out->customer_tenant_id, cu.tenant_id) != 0 || !out->listed)
    return rc != 0 && rc != CSPD_STORE_NOTFOUND ? cspd_store_fail(c, rc, 0, 0)
                                                : cspd_fail(c, CSPD_E_SUB_NOT_FOUND, NULL);
  if (c->who != NULL && c->who->kind == CSPD_TENANT_PARTNER &&
      strcmp(out->holder_tenant_id, c->who->tenant_id) != 0 &&
      (out->reseller_tenant_id == NULL || strcmp(out->reseller_tenant_id, c->who->tenant_id) != 0))
    return cspd_fail(c, CSPD_E_SUB_NOT_FOUND, NULL); /* another partner's subscription */
  return 0;
}

static int set_status(struct cspd_ctx *c, struct cspd_subscription *s, const char *status);

/** Add-ons follow their base when it is suspended or deleted. */
static int cascade(struct cspd_ctx *c, const struct cspd_subscription *base, const char *status) {
  struct cspd_sub_filter f = {.customer_tenant_id = base->customer_tenant_id,
                              .parent_subscription_id = base->id};
  struct cspd_subscription *adds;
  int n;
  int rc = OPS(c)->sub_list(c->db, &f, "", 500, c->arena, &adds, &n);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  for (int i = 0; i < n; i++) {
    if (strcmp(adds[i].status, "deleted") == 0 || strcmp(adds[i].status, status) == 0)
      continue;
    if (strcmp(status, "suspended") == 0 && strcmp(adds[i].status, "active") != 0)
      continue;
    if ((rc = set_status(c, &adds[i], status)) != 0)
      return rc;
  }
  return 0;
}

static int set_status(struct cspd_ctx *c, struct cspd_subscription *s, const char *status) {
  s->status = status;
  s->version++;
  int rc = cspd_store_fail(c, OPS(c)->sub_update(c->db, s), CSPD_E_SUB_NOT_FOUND, 0);
  if (rc == 0)
    rc = history(c, s);
  if (rc == 0 && (strcmp(status, "suspended") == 0 || strcmp(status, "deleted") == 0))
    rc = cascade(c, s, status);
  return rc;
}

int cspd_subscription_update(struct cspd_ctx *c, struct cspd_subscription *s,
                             const struct cspd_sub_patch *p) {
  bool holder = c->who != NULL && strcmp(s->holder_tenant_id, c->who->tenant_id) == 0;
  bool reseller = c->who != NULL && s->reseller_tenant_id != NULL &&
                  strcmp(s->reseller_tenant_id, c->who->tenant_id) == 0;
  if (c->who != NULL && !holder && !reseller)
    return cspd_fail(c, CSPD_E_SUB_NOT_HOLDER, NULL);
  if (strcmp(s->status, "deleted") == 0)
    return cspd_fail(c, CSPD_E_SUB_DELETED, NULL); /* R-SUB-1: 800091 */
  const char *before = cspd_arena_printf(c->arena, "{\"status\":\"%s\",\"quantity\":%lld}",
                                         s->status, (long long)s->quantity);
  bool qchange = p->quantity >= 0 && p->quantity != s->quantity;
  const char *new_status = p->status && strcasecmp(p->status, s->status) != 0 ? p->status : NULL;
  int rc;
  if (qchange) {
    if (strcmp(s->billing_type, "license") != 0)
      return cspd_fail(c, CSPD_E_SUB_FIXED_QUANTITY, NULL);
    /* R-SUB-1: a suspended license subscription cannot change quantity */
    if (strcmp(s->status, "active") != 0 && !(new_status && strcmp(new_status, "active") == 0))
      return cspd_fail(c, CSPD_E_SUB_SUSPENDED_QUANTITY, NULL);
    struct cspd_offer of;
    if ((rc = cspd_offer_get(c, s->offer_id, &of)) != 0)
      return rc;
    json_decref(of.doc);
    if (p->quantity < of.min_q || p->quantity > of.max_q) /* R-ORD-2: 2002 */
      return cspd_fail(c, CSPD_E_ORDER_QUANTITY, "(%lld, allowed %lld..%lld)",
                       (long long)p->quantity, (long long)of.min_q, (long long)of.max_q);
  }
  if (new_status != NULL) {
    bool ok = (strcmp(new_status, "suspended") == 0 && strcmp(s->status, "active") == 0) ||
              (strcmp(new_status, "active") == 0 && strcmp(s->status, "suspended") == 0) ||
              strcmp(new_status, "deleted") == 0;
    if (!ok)
      return cspd_fail(c, CSPD_E_SUB_BAD_STATUS, "(%s -> %s)", s->status, new_status);
    char tid[37];
    struct cspd_transfer t;
    if (strcmp(new_status, "active") == 0 && OPS(c)->transfer_lock_get(c->db, s->id, tid) == 0 &&
        OPS(c)->transfer_get(c->db, s->customer_tenant_id, tid, c->arena, &t) == 0 &&
        strcmp(t.status, "Active") != 0) /* R-TRF-7: moved away, stays suspended */
      return cspd_fail(c, CSPD_E_TRF_MOVED, "(transfer %s)", tid);
    if (strcmp(new_status, "active") == 0 && s->parent_subscription_id != NULL) {
      struct cspd_subscription parent;
      rc = OPS(c)->sub_get(c->db, s->parent_subscription_id, c->arena, &parent);
      if (rc != 0 || strcmp(parent.status, "active") != 0) /* R-SUB-1: 27009 */
        return cspd_fail(c, CSPD_E_ORDER_ADDON_PARENT_INACTIVE, NULL);
    }
  }
  if (p->partner_id != NULL &&
      (s->partner_id_on_record == NULL || strcmp(p->partner_id, s->partner_id_on_record) != 0)) {
    if (!holder || s->reseller_tenant_id == NULL) /* only a provider names a partner of record */
      return cspd_fail(c, CSPD_E_POR_DIRECT, NULL);
    if ((rc = cspd_rule_partner_of_record(c, s->holder_tenant_id, p->partner_id)) != 0)
      return rc;
    s->partner_id_on_record = p->partner_id;
  }
  if (p->friendly_name != NULL)
    s->friendly_name = p->friendly_name;
  if (p->auto_renew >= 0)
    s->auto_renew = p->auto_renew != 0;
  if (new_status != NULL && strcmp(new_status, "active") == 0) {
    s->status = "active"; /* reactivate before the quantity changes */
  }
  if (qchange)
    s->quantity = p->quantity;
  if (new_status != NULL) {
    if ((rc = set_status(c, s, cspd_arena_strdup(c->arena, new_status))) != 0)
      return rc;
  } else {
    s->version++;
    if ((rc = cspd_store_fail(c, OPS(c)->sub_update(c->db, s), CSPD_E_SUB_NOT_FOUND, 0)) != 0)
      return rc;
    if (qchange && (rc = history(c, s)) != 0)
      return rc;
  }
  const char *after = cspd_arena_printf(c->arena, "{\"status\":\"%s\",\"quantity\":%lld}",
                                        s->status, (long long)s->quantity);
  const char *uri = cspd_arena_printf(c->arena, "/v1/customers/%s/subscriptions/%s",
                                      s->customer_tenant_id, s->id);
  if ((rc = cspd_audit(c, "update_subscription", "Subscription", s->id, before, after)) != 0 ||
      (rc = cspd_event(c, s->holder_tenant_id, "subscription-updated", uri, s->friendly_name)) != 0)
    return rc;
  if (s->reseller_tenant_id)
    rc = cspd_event(c, s->reseller_tenant_id, "subscription-updated", uri, s->friendly_name);
  return rc;
}

/** Whether @a billed has an invoice for @a period (YYYY-MM), in @a currency
 * (NULL: any). @param[out] out. */
static int month_invoiced(struct cspd_ctx *c, const char *billed, const char *period,
                          const char *currency, bool *out) {
  struct cspd_invoice *inv;
  int n;
  const char *after = "";
  *out = false;
  do {
    int rc = OPS(c)->invoice_list(c->db, billed, after, 200, c->arena, &inv, &n);
    if (rc != 0)
      return cspd_store_fail(c, rc, 0, 0);
    for (int k = 0; k < n; k++)
      if (strcmp(inv[k].period, period) == 0 &&
          (currency == NULL || strcmp(inv[k].currency, currency) == 0))
        *out = true;
    if (n > 0)
      after = inv[n - 1].id;
  } while (n == 200 && !*out);
  return 0;
}

int cspd_usage_record(struct cspd_ctx *c, struct cspd_subscription *s, int64_t usage_ms,
                      int64_t amount_minor, const char *resource) {
  if (c->who != NULL && c->who->kind != CSPD_TENANT_OPERATOR)
    return cspd_fail(c, CSPD_E_ROLE_REQUIRED, "usage is metered by the operator");
  if (strcmp(s->billing_type, "usage") != 0)
    return cspd_fail(c, CSPD_E_USAGE_NOT_USAGE, NULL);
  if (amount_minor < 0)
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "amount must be >= 0 (minor units)");
  /* usage falls in the subscription's life up to now, in a month not yet invoiced */
  if (usage_ms < s->effective_start_ms || usage_ms > c->now_ms)
    return cspd_fail(c, CSPD_E_INVALID_INPUT,
                     "the usage date must lie between the subscription's "
                     "start and now (cspd clock)");
  char stamp[32];
  cspd_time_format(usage_ms, false, stamp);
  stamp[7] = '\0'; /* YYYY-MM */
  bool closed;
  int rc = month_invoiced(c, s->holder_tenant_id, stamp, NULL, &closed);
  if (rc != 0)
    return rc;
  if (closed)
    return cspd_fail(c, CSPD_E_INVALID_INPUT,
                     "%s is invoiced already: usage of a closed month is not billed", stamp);
  rc = OPS(c)->usage_insert(c->db, s->id, usage_ms, amount_minor, resource, c->now_ms);
  return cspd_store_fail(c, rc, 0, 0);
}

/* ---- billing ------------------------------------------------------------------------ */

struct bill_line {
  struct cspd_invoice_line line;
  char holder[37];
  char currency[4];
  bool perpetual;
};

struct bill {
  struct bill_line *lines;
  int n, cap;
};

static void bill_add(struct cspd_ctx *c, struct bill *b, const struct cspd_subscription *s,
                     const char *customer_name, const char *kind, int64_t qty, int64_t start,
                     int64_t end, int64_t unit, int64_t amount) {
  if (amount == 0)
    return;
  if (b->n == b->cap) {
    int cap = b->cap ? b->cap * 2 : 64;
    struct bill_line *nl = cspd_arena_alloc(c->arena, sizeof *nl * (size_t)cap);
    if (b->n)
      memcpy(nl, b->lines, sizeof *nl * (size_t)b->n);
    b->lines = nl;
    b->cap = cap;
  }
  struct bill_line *l = &b->lines[b->n++];
  memset(l, 0, sizeof *l);
  memcpy(l->holder, s->holder_tenant_id, 37);
  memcpy(l->currency, s->currency, 4);
  l->perpetual = strcmp(s->transfer_class, "perpetual_software") == 0;
  l->line.customer_tenant_id = s->customer_tenant_id;
  l->line.customer_name = customer_name;
  l->line.subscription_id = s->id;
  l->line.offer_id = s->offer_id;
  l->line.offer_name = s->offer_name;
  l->line.kind = kind;
  l->line.quantity = qty;
  l->line.start_ms = start;
  l->line.end_ms = end;
  l->line.unit_price_minor = unit;
  l->line.amount_minor = amount;
}

/** unit * qty * span / month, rounded half away from zero. */
static int64_t prorate(int64_t unit, int64_t qty, int64_t span, int64_t month) {
  __int128 v = (__int128)unit * qty * span;
  __int128 q = v / month, r = v % month;
  if (r * 2 >= month)
    q++;
  return (int64_t)q;
}

/** The lines of subscription @a s for the month [@a from, @a to). */
static int bill_sub(struct cspd_ctx *c, struct bill *b, const struct cspd_subscription *s,
                    const char *customer_name, int64_t from, int64_t to) {
  if (strcmp(s->billing_type, "usage") == 0) {
    int64_t sum = 0;
    int rc = OPS(c)->usage_sum(c->db, s->id, from, to, &sum);
    if (rc != 0)
      return cspd_store_fail(c, rc, 0, 0);
    bill_add(c, b, s, customer_name, "usage", 1, from, to, sum, sum);
    return 0;
  }
  if (strcmp(s->billing_type, "none") == 0) { /* one-time: the month it was bought */
    if (s->created_ms >= from && s->created_ms < to)
      bill_add(c, b, s, customer_name, "one_time", s->quantity, s->created_ms, s->created_ms,
               s->unit_price_minor, s->unit_price_minor * s->quantity);
    return 0;
  }
  /* license: every active interval of the month, prorated by time */
  struct cspd_sub_change *h;
  int n;
  int rc = OPS(c)->sub_history(c->db, s->id, c->arena, &h, &n);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  for (int i = 0; i < n; i++) {
    int64_t a = h[i].at_ms, z = i + 1 < n ? h[i + 1].at_ms : INT64_MAX;
    if (strcmp(h[i].status, "active") != 0)
      continue;
    if (a < from)
      a = from;
    if (z > to)
      z = to;
    if (z <= a)
      continue;
    bill_add(c, b, s, customer_name, "license", h[i].quantity, a, z, s->unit_price_minor,
             prorate(s->unit_price_minor, h[i].quantity, z - a, to - from));
  }
  return 0;
}

int cspd_billing_run(struct cspd_ctx *c, int64_t month_start_ms, json_t **report) {
  if (c->who != NULL && c->who->kind != CSPD_TENANT_OPERATOR)
    return cspd_fail(c, CSPD_E_ROLE_REQUIRED, "operator role required");
  int64_t from = month_start_ms, to = add_months(month_start_ms, 1);
  if (to > c->now_ms) /* usage may still arrive: only a month that ended is closed */
    return cspd_fail(c, CSPD_E_INVALID_INPUT, "the month has not ended yet (cspd clock)");
  char stamp[32], period[8];
  cspd_time_format(from, false, stamp);
  memcpy(period, stamp, 7);
  period[7] = '\0';
  struct bill b = {0};
  const char *after = "";
  int rc;
  for (;;) {
    struct cspd_subscription *subs;
    int n;
    if ((rc = OPS(c)->sub_list_all(c->db, to, after, 500, c->arena, &subs, &n)) != 0)
      return cspd_store_fail(c, rc, 0, 0);
    for (int i = 0; i < n; i++) {
      struct cspd_customer cu;
      const char *name = "";
      if (OPS(c)->customer_get(c->db, subs[i].customer_tenant_id, c->arena, &cu) == 0)
        name = cu.company_name;
      if ((rc = bill_sub(c, &b, &subs[i], name, from, to)) != 0)
        return rc;
    }
    if (n < 500)
      break;
    after = subs[n - 1].id;
  }
  /* one invoice per billed partner and currency */
  json_t *items = json_array();
  bool *done = cspd_arena_alloc(c->arena, (size_t)(b.n ? b.n : 1));
  for (int i = 0; i < b.n; i++) {
    if (done[i])
      continue;
    struct cspd_invoice inv = {.start_ms = from, .end_ms = to, .created_ms = c->now_ms};
    memcpy(inv.billed_tenant_id, b.lines[i].holder, 37);
    memcpy(inv.currency, b.lines[i].currency, 4);
    snprintf(inv.period, sizeof inv.period, "%s", period);
    /* a month invoiced already stays as it was */
    bool have;
    if ((rc = month_invoiced(c, inv.billed_tenant_id, inv.period, inv.currency, &have)) != 0) {
      json_decref(items);
      return rc;
    }
    int64_t cloud = 0, perpetual = 0;
    int line = 0;
    cspd_guid_new_timed(inv.id, c->now_ms);
    for (int k = i; k < b.n; k++) {
      if (done[k] || strcmp(b.lines[k].holder, inv.billed_tenant_id) != 0 ||
          strcmp(b.lines[k].currency, inv.currency) != 0)
        continue;
      done[k] = true;
      inv.total_minor += b.lines[k].line.amount_minor;
      if (b.lines[k].perpetual)
        perpetual += b.lines[k].line.amount_minor;
      else
        cloud += b.lines[k].line.amount_minor;
      b.lines[k].line.line = line++;
      memcpy(b.lines[k].line.invoice_id, inv.id, 37);
    }
    if (have)
      continue;
    if ((rc = cspd_store_fail(c, OPS(c)->invoice_insert(c->db, &inv), 0, 0)) != 0) {
      json_decref(items);
      return rc;
    }
    for (int k = i; k < b.n; k++)
      if (strcmp(b.lines[k].line.invoice_id, inv.id) == 0 &&
          (rc = cspd_store_fail(c, OPS(c)->invoice_line_insert(c->db, &b.lines[k].line), 0, 0)) !=
              0) {
        json_decref(items);
        return rc;
      }
    /* the billed amounts are the revenue that feeds R-DB-1 (perpetual
     * software is recorded, and excluded from the requirement) */
    struct cspd_location l;
    if (OPS(c)->location_get(c->db, inv.billed_tenant_id, c->arena, &l) == 0) {
      const struct cspd_principal *who = c->who;
      c->who = NULL;
      struct cspd_revenue rv;
      if (cloud != 0)
        rc = cspd_revenue_record(c, l.org_id, l.tenant_id, inv.period, cloud, inv.currency, "cloud",
                                 "billing", &rv);
      if (rc == 0 && perpetual != 0)
        rc = cspd_revenue_record(c, l.org_id, l.tenant_id, inv.period, perpetual, inv.currency,
                                 "perpetual_software", "billing", &rv);
      c->who = who;
      if (rc != 0) {
        json_decref(items);
        return rc;
      }
      cspd_notify(c, l.tenant_id, l.contact.email, "invoice",
                  cspd_arena_printf(c->arena, "Your invoice for %s", inv.period),
                  cspd_arena_printf(c->arena, "Invoice %s for %s: %lld %s (minor units).\n", inv.id,
                                    inv.period, (long long)inv.total_minor, inv.currency));
    }
    json_array_append_new(items,
                          json_pack("{s:s, s:s, s:s, s:I}", "invoiceId", inv.id, "billedTenantId",
                                    inv.billed_tenant_id, "currency", inv.currency, "totalMinor",
                                    (json_int_t)inv.total_minor));
  }
  *report = json_pack("{s:s, s:o, s:{s:s}}", "period", period, "invoices", items, "attributes",
                      "objectType", "BillingRun");
  return c->who ? cspd_audit(c, "run_billing", "BillingRun", NULL, NULL, period) : 0;
}
