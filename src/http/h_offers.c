/* h_offers.c -- the catalog: GET /v1/offers?country=, /v1/offers/{id},
 * /v1/offers/{id}/addons, and the operator's PUT /v1/operator/catalog. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/commerce.h"
#include "../core/json.h"
#include "../core/markets.h"
#include "render.h"

/** The country to price in: ?country=, else the caller's own. */
static int country_of(struct cspd_req *r, const char **out) {
  const char *cc = cspd_query(r, "country");
  if (cc == NULL) {
    struct cspd_tenant t;
    int rc = cspd_db_ops(r->ctx.db)->tenant_get(r->ctx.db, r->who.tenant_id, r->arena, &t);
    cc = rc == 0 ? t.country : NULL;
  }
  if (cc == NULL || cspd_market_of(cc) == NULL)
    return cspd_fail(&r->ctx, CSPD_E_UNKNOWN_COUNTRY, "(give ?country=, an ISO 3166 code)");
  *out = cc;
  return 0;
}

/** The Partner Center Offer, priced in @a country; NULL when not sold there. */
static json_t *render(struct cspd_req *r, struct cspd_offer *o, const char *country) {
  int64_t price;
  const char *cur;
  if (!cspd_offer_sold_in(o, country, &price, &cur))
    return NULL;
  json_t *d = o->doc;
  const char *billing = o->billing;
  json_t *doc = json_pack(
      "{s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:{s:s, s:s}, s:O, s:b, s:b, s:s, s:O, s:b, s:{s:s, "
      "s:s, s:s}, s:s, s:s, s:i, s:{s:s, s:I}, s:{s:o}, s:{s:s}}",
      "id", o->id, "name", o->name, "description",
      json_string_value(json_object_get(d, "description")) ?: "", "minimumQuantity",
      (json_int_t)o->min_q, "maximumQuantity", (json_int_t)o->max_q, "locale", "en-US", "country",
      country, "category", "id", json_string_value(json_object_get(d, "category")) ?: "", "name",
      json_string_value(json_object_get(d, "category")) ?: "", "prerequisiteOffers",
      json_object_get(d, "parentOffers"), "isAddOn", o->is_addon, "isAvailableForPurchase", 1,
      "billing", billing, "supportedBillingCycles", json_object_get(d, "supportedBillingCycles"),
      "isAutoRenewable", o->term_months > 0, "product", "id",
      json_string_value(json_object_get(d, "productId")) ?: o->id, "name", o->name, "unit",
      o->unit_type, "unitType", o->unit_type, "transferClass", o->transfer_class, "termMonths",
      o->term_months, "price", "currency", cur, "unitPriceMinor", (json_int_t)price, "links",
      "self",
      cspd_link(cspd_arena_printf(r->arena, "/v1/offers/%s?country=%s", o->id, country), "GET"),
      "attributes", "objectType", "Offer");
  return doc;
}

int h_offers_get(struct cspd_req *r) {
  const char *country;
  if (country_of(r, &country) != 0)
    return -1;
  char **docs;
  int n;
  int rc = cspd_db_ops(r->ctx.db)->offer_list(r->ctx.db, r->arena, &docs, &n);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  json_t *items = json_array();
  for (int i = 0; i < n; i++) {
    struct cspd_offer o = {0};
    json_t *d = json_loads(docs[i], 0, NULL);
    if (d == NULL)
      continue;
    o.doc = d;
    if (cspd_offer_get(&r->ctx, json_string_value(json_object_get(d, "id")), &o) == 0) {
      json_t *it = render(r, &o, country);
      if (it)
        json_array_append_new(items, it);
      json_decref(o.doc);
    }
    json_decref(d);
  }
  return cspd_reply_list(r, items);
}

int h_offer_get(struct cspd_req *r) {
  const char *country;
  struct cspd_offer o;
  if (country_of(r, &country) != 0 || cspd_offer_get(&r->ctx, r->params[0], &o) != 0)
    return -1;
  json_t *doc = render(r, &o, country);
  json_decref(o.doc);
  if (doc == NULL)
    return cspd_fail(&r->ctx, CSPD_E_OFFER_NOT_IN_MARKET, "(%s)", country);
  return cspd_reply_json(r, 200, doc);
}

/* GET /v1/offers/{id}/addons -- the add-ons that attach to this base offer. */
int h_offer_addons_get(struct cspd_req *r) {
  const char *country;
  struct cspd_offer base;
  if (country_of(r, &country) != 0 || cspd_offer_get(&r->ctx, r->params[0], &base) != 0)
    return -1;
  const char *base_id = base.id;
  json_decref(base.doc);
  char **docs;
  int n;
  int rc = cspd_db_ops(r->ctx.db)->offer_list(r->ctx.db, r->arena, &docs, &n);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  json_t *items = json_array();
  for (int i = 0; i < n; i++) {
    json_t *d = json_loads(docs[i], 0, NULL);
    json_t *parents = json_object_get(d, "parentOffers"), *p;
    size_t k;
    bool attaches = false;
    json_array_foreach(parents, k, p) {
      if (strcasecmp(json_string_value(p) ?: "", base_id) == 0)
        attaches = true;
    }
    struct cspd_offer o;
    if (attaches && cspd_offer_get(&r->ctx, json_string_value(json_object_get(d, "id")), &o) == 0) {
      json_t *it = render(r, &o, country);
      if (it)
        json_array_append_new(items, it);
      json_decref(o.doc);
    }
    json_decref(d);
  }
  return cspd_reply_list(r, items);
}

/* PUT /v1/operator/catalog -- replace the whole catalog (docs/catalog.md). */
int h_operator_catalog_put(struct cspd_req *r) {
  json_t *body;
  int n;
  if (cspd_body_object(r, &body) != 0)
    return -1;
  int rc = cspd_catalog_replace(&r->ctx, body, &n);
  if (rc != 0)
    return rc;
  return cspd_reply_json(
      r, 200,
      json_pack("{s:i, s:{s:s}}", "offers", n, "attributes", "objectType", "CatalogImport"));
}
