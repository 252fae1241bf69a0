/* h_cspd.c -- operations endpoints: /_cspd/health, /_cspd/info,
 * /_cspd/metrics, /_cspd/openapi.json, /_cspd/errors. */
#include <stdlib.h>

#include "../core/clock.h"
#include "cspd_config.h"
#include "http.h"

static int ping(struct cspd_db *db, void *cls) {
  int *v = cls;
  return cspd_db_ops(db)->schema_version(db, v);
}

int h_cspd_health(struct cspd_req *r) {
  int v = 0;
  int rc = cspd_store_tx(r->srv->store, false, ping, &v, NULL);
  if (rc != 0)
    return cspd_reply_json(
        r, 503, json_pack("{s:s, s:s}", "status", "unavailable", "store", "not answering"));
  return cspd_reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

int h_cspd_info(struct cspd_req *r) {
  return cspd_reply_json(
      r, 200,
      json_pack("{s:s, s:s, s:i, s:b, s:s, s:s, s:I, s:s, s:{s:s}}", "version", CSPD_VERSION,
                "storeKind", r->srv->store->ops->kind, "schemaVersion", r->srv->schema_version,
                "sandbox", r->srv->cfg.sandbox, "startedAt", cspd_iso(r, r->srv->started_ms), "now",
                cspd_iso(r, cspd_clock_now()), "maxBodyBytes", (json_int_t)r->srv->cfg.max_body,
                "api", "/v1", "attributes", "objectType", "Info"));
}

int h_cspd_metrics(struct cspd_req *r) {
  size_t len = 0;
  char *text = cspd_metrics_render(r->srv, &len);
  if (text == NULL)
    return cspd_fail(&r->ctx, CSPD_E_INTERNAL, "metrics");
  free(r->reply);
  r->reply = text;
  r->reply_len = len;
  r->status = 200;
  r->content_type = "text/plain; version=0.0.4; charset=utf-8";
  return 0;
}

int h_cspd_openapi(struct cspd_req *r) {
  return cspd_reply_json(r, 200, cspd_openapi(r->srv->cfg.sandbox));
}

int h_cspd_errors(struct cspd_req *r) {
  json_t *items = json_array();
  for (int i = 1; i <= cspd_error_count(); i++) {
    const struct cspd_error_info *e = cspd_error_info((enum cspd_error_id)i);
    json_t *it = json_pack("{s:s, s:i, s:i, s:s}", "name", e->name, "code", e->code, "httpStatus",
                           e->http_status, "description", e->description);
    if (e->rule)
      json_object_set_new(it, "rule", json_string(e->rule));
    if (e->remedy)
      json_object_set_new(it, "remedy", json_string(e->remedy));
    json_array_append_new(items, it);
  }
  return cspd_reply_list(r, items);
}

/* GET /_cspd/journal[?size=N]: the last requests, newest first (sandbox). */
int h_cspd_journal(struct cspd_req *r) {
  struct cspd_page pg;
  if (cspd_page_read(r, 100, &pg) != 0)
    return -1;
  json_t *items = cspd_journal_json(r->srv->journal, pg.size);
  return cspd_reply_json(r, 200, cspd_collection(r, items, &pg, NULL));
}
