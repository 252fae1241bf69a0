/* h_operator.c -- the operator's program controls under /v1/operator:
 * program settings (anniversary gating, approval policy, incentive delay,
 * direct-bill threshold), memberships, revenue entries, the direct-bill
 * evaluation and report, exchange rates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/identity.h"
#include "../core/json.h"
#include "../core/program.h"
#include "../core/util.h"
#include "render.h"

int h_operator_settings_get(struct cspd_req *r) {
  struct cspd_program_settings s;
  int rc = cspd_program_settings_get(&r->ctx, &s);
  return rc != 0 ? rc : cspd_reply_json(r, 200, cspd_program_settings_json(&s));
}

/* PUT /v1/operator/programsettings -- fields given replace the current ones. */
int h_operator_settings_put(struct cspd_req *r) {
  json_t *body;
  struct cspd_program_settings s;
  if (cspd_body_object(r, &body) != 0)
    return -1;
  int rc = cspd_program_settings_get(&r->ctx, &s);
  if (rc == 0)
    rc = cspd_program_settings_parse(&r->ctx, body, &s);
  if (rc == 0)
    rc = cspd_program_settings_put(&r->ctx, &s);
  return rc != 0 ? rc : cspd_reply_json(r, 200, cspd_program_settings_json(&s));
}

/* PUT /v1/operator/memberships {"tenantId","program","state","reason"?}:
 * onboard a partner into a program or change its state. */
int h_operator_memberships_put(struct cspd_req *r) {
  json_t *body;
  const char *tenant, *program, *state, *reason;
  if (cspd_body_object(r, &body) != 0 ||
      cspd_json_str(&r->ctx, body, "tenantId", true, "", &tenant) != 0 ||
      cspd_json_str(&r->ctx, body, "program", true, "", &program) != 0 ||
      cspd_json_str(&r->ctx, body, "state", true, "", &state) != 0 ||
      cspd_json_str(&r->ctx, body, "reason", false, "", &reason) != 0)
    return -1;
  enum cspd_program p;
  enum cspd_mstate st;
  if (cspd_program_parse(program, &p) != 0)
    return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT,
                     "program must be direct_bill, indirect_provider or indirect_reseller");
  if (cspd_mstate_parse(state, &st) != 0 || st == CSPD_MS_NONE)
    return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT,
                     "state must be pending, approved, active, restricted or rejected");
  char tid[37];
  if (cspd_guid_normalize(tenant, tid) != 0)
    return cspd_fail(&r->ctx, CSPD_E_BAD_GUID, "tenantId");
  int rc = cspd_membership_set_by_operator(&r->ctx, tid, p, st, reason);
  if (rc != 0)
    return rc;
  return cspd_reply_json(r, 200,
                         json_pack("{s:s, s:s, s:s, s:{s:s}}", "tenantId", tid, "program",
                                   cspd_program_name(p), "state", cspd_mstate_name(st),
                                   "attributes", "objectType", "ProgramMembership"));
}

static json_t *render_revenue(struct cspd_req *r, const struct cspd_revenue *v) {
  return json_pack("{s:I, s:s, s:s, s:I, s:s, s:I, s:s, s:s, s:s, s:{s:s}}", "id",
                   (json_int_t)v->id, "partnerId", v->org_id, "period", v->period, "amount",
                   (json_int_t)v->amount_minor, "currency", v->currency, "amountUsd",
                   (json_int_t)v->usd_minor, "kind", v->kind, "source", v->source, "createdDate",
                   cspd_iso(r, v->created_ms), "attributes", "objectType", "RevenueEntry");
}

/* POST /v1/operator/revenue {"partnerId","period","amount","currency","kind"?}
 * amount in minor units of currency. */
int h_operator_revenue_post(struct cspd_req *r) {
  json_t *body;
  const char *org, *period, *currency = "USD", *kind = "cloud", *tenant;
  long long amount;
  if (cspd_body_object(r, &body) != 0 ||
      cspd_json_str(&r->ctx, body, "partnerId", true, "", &org) != 0 ||
      cspd_json_str(&r->ctx, body, "period", true, "", &period) != 0 ||
      cspd_json_int(&r->ctx, body, "amount", true, "", &amount) != 0 ||
      cspd_json_str(&r->ctx, body, "currency", false, "", &currency) != 0 ||
      cspd_json_str(&r->ctx, body, "kind", false, "", &kind) != 0 ||
      cspd_json_str(&r->ctx, body, "tenantId", false, "", &tenant) != 0)
    return -1;
  struct cspd_revenue v;
  int rc = cspd_revenue_record(&r->ctx, org, tenant, period, amount, currency ? currency : "USD",
                               kind, "operator", &v);
  return rc != 0 ? rc : cspd_reply_json(r, 201, render_revenue(r, &v));
}

/* GET /v1/operator/revenue?partnerId= */
int h_operator_revenue_get(struct cspd_req *r) {
  const char *org = cspd_query(r, "partnerId");
  char g[37];
  if (org == NULL || cspd_guid_normalize(org, g) != 0)
    return cspd_fail(&r->ctx, CSPD_E_BAD_GUID, "partnerId is required");
  struct cspd_page pg;
  if (cspd_page_read(r, 100, &pg) != 0)
    return -1;
  long long after = pg.after[0] ? atoll(pg.after) : 0;
  struct cspd_revenue *rows;
  int n;
  int rc =
      cspd_db_ops(r->ctx.db)->revenue_list(r->ctx.db, g, after, pg.size + 1, r->arena, &rows, &n);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  json_t *items = json_array();
  for (int i = 0; i < n && i < pg.size; i++)
    json_array_append_new(items, render_revenue(r, &rows[i]));
  const char *next =
      n > pg.size ? cspd_arena_printf(r->arena, "%lld", (long long)rows[pg.size - 1].id) : NULL;
  return cspd_reply_json(r, 200, cspd_collection(r, items, &pg, next));
}

/* POST /v1/operator/directbill/evaluate {"asOf"?} -- run the R-DB-1 evaluation now. */
int h_operator_directbill_evaluate(struct cspd_req *r) {
  int64_t as_of = r->ctx.now_ms;
  if (r->body_len > 0) {
    json_t *body;
    const char *s;
    if (cspd_body_object(r, &body) != 0 || cspd_json_str(&r->ctx, body, "asOf", false, "", &s) != 0)
      return -1;
    if (s != NULL && cspd_time_parse(s, &as_of) != 0)
      return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT, "asOf must be an RFC 3339 time");
  }
  json_t *report;
  int rc = cspd_directbill_evaluate(&r->ctx, as_of, true, &report);
  return rc != 0 ? rc : cspd_reply_json(r, 200, report);
}

/* GET /v1/operator/directbill/report[?asOf=] -- the same figures, changing nothing. */
int h_operator_directbill_report(struct cspd_req *r) {
  int64_t as_of = r->ctx.now_ms;
  const char *s = cspd_query(r, "asOf");
  if (s != NULL && cspd_time_parse(s, &as_of) != 0)
    return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT, "asOf must be an RFC 3339 time");
  json_t *report;
  int rc = cspd_directbill_evaluate(&r->ctx, as_of, false, &report);
  return rc != 0 ? rc : cspd_reply_json(r, 200, report);
}

/* GET /v1/operator/fxrates */
int h_operator_fxrates_get(struct cspd_req *r) {
  struct cspd_fx_rate *rows;
  int n;
  int rc = cspd_db_ops(r->ctx.db)->fx_list(r->ctx.db, r->arena, &rows, &n);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  json_t *items = json_array();
  for (int i = 0; i < n; i++) {
    char rate[32];
    snprintf(rate, sizeof rate, "%lld.%06lld", (long long)(rows[i].usd_ppm / 1000000),
             (long long)(rows[i].usd_ppm % 1000000));
    json_array_append_new(items, json_pack("{s:s, s:s, s:i, s:s}", "currency", rows[i].currency,
                                           "usdPerUnit", rate, "minorUnitDigits", rows[i].exponent,
                                           "updatedDate", cspd_iso(r, rows[i].updated_ms)));
  }
  return cspd_reply_list(r, items);
}

/* PUT /v1/operator/fxrates {"rates":[{"currency","usdPerUnit":"1.08","minorUnitDigits"?}]}
 * Rates are decimal strings (never floats). */
int h_operator_fxrates_put(struct cspd_req *r) {
  json_t *body, *rates;
  if (cspd_body_object(r, &body) != 0 ||
      cspd_json_arr(&r->ctx, body, "rates", true, "", &rates) != 0)
    return -1;
  size_t i;
  json_t *it;
  json_array_foreach(rates, i, it) {
    char *path = cspd_arena_printf(r->arena, "rates[%zu]", i);
    const char *cur, *rate;
    long long digits = -1;
    if (cspd_json_str(&r->ctx, it, "currency", true, path, &cur) != 0 ||
        cspd_json_str(&r->ctx, it, "usdPerUnit", true, path, &rate) != 0 ||
        cspd_json_int(&r->ctx, it, "minorUnitDigits", false, path, &digits) != 0)
      return -1;
    struct cspd_fx_rate fx = {
        .usd_ppm = cspd_parse_ppm(rate), .exponent = (int)digits, .updated_ms = r->ctx.now_ms};
    if (strlen(cur) != 3)
      return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT, "%s.currency must be an ISO 4217 code", path);
    if (fx.usd_ppm <= 0)
      return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT,
                       "%s.usdPerUnit must be a positive decimal string like \"1.08\"", path);
    if (digits < -1 || digits > 4)
      return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT, "%s.minorUnitDigits must be 0 to 4", path);
    for (int k = 0; k < 3; k++)
      fx.currency[k] = (char)(cur[k] >= 'a' && cur[k] <= 'z' ? cur[k] - 32 : cur[k]);
    if (digits < 0) { /* not given: keep the currency's, 2 for a new one */
      struct cspd_fx_rate prev;
      fx.exponent =
          cspd_db_ops(r->ctx.db)->fx_get(r->ctx.db, fx.currency, &prev) == 0 ? prev.exponent : 2;
    }
    int rc = cspd_db_ops(r->ctx.db)->fx_put(r->ctx.db, &fx);
    if (rc != 0)
      return cspd_store_fail(&r->ctx, rc, 0, 0);
  }
  int rc = cspd_audit(&r->ctx, "update_fx_rates", "FxRates", NULL, NULL, NULL);
  return rc != 0 ? rc : h_operator_fxrates_get(r);
}
