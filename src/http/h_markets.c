/* h_markets.c -- GET /v1/markets: the CSP regional markets (R-REG-1/2). */
#include <string.h>

#include "../core/markets.h"
#include "http.h"

int h_markets_get(struct cspd_req *r) {
  size_t n;
  const struct cspd_market_country *all = cspd_markets_all(&n);
  json_t *items = json_array();
  json_t *by_name = json_object(); /* market -> item (borrowed) */
  for (size_t i = 0; i < n; i++) {
    json_t *m = json_object_get(by_name, all[i].market);
    if (m == NULL) {
      m = json_pack("{s:s, s:[], s:[], s:{s:s}}", "id", all[i].market, "countries", "currencies",
                    "attributes", "objectType", "Market");
      json_array_append_new(items, m);
      json_object_set(by_name, all[i].market, m);
    }
    json_array_append_new(
        json_object_get(m, "countries"),
        json_pack("{s:s, s:s}", "country", all[i].country, "currency", all[i].currency));
    json_t *curs = json_object_get(m, "currencies");
    bool seen = false;
    size_t k;
    json_t *c;
    json_array_foreach(curs, k, c) {
      if (strcmp(json_string_value(c), all[i].currency) == 0)
        seen = true;
    }
    if (!seen)
      json_array_append_new(curs, json_string(all[i].currency));
  }
  json_decref(by_name);
  return cspd_reply_list(r, items);
}
