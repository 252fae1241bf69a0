/*
 * csp — the operator's program controls: partnerships, program settings,
 * memberships, revenue, the direct-bill evaluation and exchange rates.
 * (Approving and rejecting enrollments lives with the enrollments in
 * cmd_program.c.)
 *
 * Money is handled in minor units only: amounts typed by the user are
 * converted with csp_parse_minor() and shown with csp_format_minor(), never
 * through floating point.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "csp.h"
#include "http.h"
#include "output.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/** USD and the threshold are in cents. */
#define CSP_USD_DIGITS 2

/* ---- formatters ---- */

/** USD minor units as "360,000.00". */
static char *fmt_usd(const json_t *value, const json_t *item) {
  (void)item;
  if (!json_is_integer(value))
    return csp_json_text(value);
  char text[40];
  csp_format_minor((long long)json_integer_value(value), CSP_USD_DIGITS, text);
  return csp_xstrdup(text);
}

/** anniversaryMonths as "9-12, 1-2". */
static char *fmt_months(const json_t *value, const json_t *item) {
  (void)item;
  if (!json_is_array(value) || json_array_size(value) == 0)
    return csp_xstrdup("none");
  char *acc = NULL;
  size_t i;
  const json_t *r;
  json_array_foreach(value, i, r) {
    json_int_t from = json_integer_value(json_object_get(r, "from"));
    json_int_t to = json_integer_value(json_object_get(r, "to"));
    char *range = from == to
                      ? csp_xasprintf("%" JSON_INTEGER_FORMAT, from)
                      : csp_xasprintf("%" JSON_INTEGER_FORMAT "-%" JSON_INTEGER_FORMAT, from, to);
    char *next = csp_xasprintf("%s%s%s", acc ? acc : "", acc ? ", " : "", range);
    free(range);
    free(acc);
    acc = next;
  }
  return acc;
}

/** Direct-bill report changes: "c000...=restricted, ..." or "-". */
static char *fmt_changes(const json_t *value, const json_t *item) {
  (void)item;
  if (json_array_size(value) == 0)
    return csp_xstrdup("-");
  char *acc = NULL;
  size_t i;
  const json_t *c;
  json_array_foreach(value, i, c) {
    char *next = csp_xasprintf("%s%s%s=%s", acc ? acc : "", acc ? ", " : "",
                               csp_json_str(c, "tenantId", "-"), csp_json_str(c, "state", "-"));
    free(acc);
    acc = next;
  }
  return acc;
}

/* ---- columns and field lists ---- */

static const csp_column settings_fields[] = {
    {"anniversary months", "anniversaryMonths", fmt_months},
    {"auto-approval business days", "autoApprovalBusinessDays"},
    {"incentive invitation days", "incentiveInvitationDays"},
    {"direct-bill threshold (USD)", "directBillThresholdUsdMinor", fmt_usd},
};
static const csp_column revenue_fields[] = {
    {"id", "id"},
    {"partner", "partnerId"},
    {"period", "period"},
    {"amount", "amount", csp_fmt_amount},
    {"amount (USD)", "amountUsd", fmt_usd},
    {"kind", "kind"},
    {"source", "source"},
    {"created", "createdDate"},
};
static const csp_column revenue_cols[] = {
    {"ID", "id"},
    {"PERIOD", "period"},
    {"KIND", "kind"},
    {"AMOUNT", "amount", csp_fmt_amount},
    {"USD", "amountUsd", fmt_usd},
    {"SOURCE", "source"},
    {"CREATED", "createdDate"},
};
static const csp_column directbill_cols[] = {
    {"COMPANY", "companyName"},
    {"MPN ID", "mpnId"},
    {"TRAILING REVENUE (USD)", "trailingRevenueUsdMinor", fmt_usd},
    {"THRESHOLD (USD)", "thresholdUsdMinor", fmt_usd},
    {"MEETS", "meetsRequirement", csp_fmt_yes_no},
    {"CHANGES", "changes", fmt_changes},
};
static const csp_column fxrate_cols[] = {
    {"CURRENCY", "currency"},
    {"USD PER UNIT", "usdPerUnit"},
    {"DIGITS", "minorUnitDigits"},
    {"UPDATED", "updatedDate"},
};

/* ---- partnerships, memberships ---- */

int cmd_operator_end_partnership(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *reason = NULL;
  const csp_opt opts[] = {{"reason", CSP_OPT_STR, &reason}};
  const char *pos[2];
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), pos, 2, 2);
  if (rc != 0)
    return rc;
  char *provider = csp_id_path(ctx, "/v1/partnerships", pos[0], NULL);
  char *path = csp_id_path(ctx, provider, pos[1], NULL);
  csp_strlist query = {0};
  csp_query_add(&query, "reason", reason);
  rc = csp_show(ctx, "DELETE", path, &query, NULL, "Partnership ended.");
  csp_query_free(&query);
  free(path);
  free(provider);
  return rc;
}

int cmd_operator_membership_set(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *reason = NULL;
  const csp_opt opts[] = {{"reason", CSP_OPT_STR, &reason}};
  const char *pos[3];
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), pos, 3, 3);
  if (rc != 0)
    return rc;
  json_t *body = json_pack("{s:s, s:s, s:s, s:s*}", "tenantId", pos[0], "program", pos[1], "state",
                           pos[2], "reason", reason);
  if (!body)
    return csp_bad_text(cmd);
  rc = csp_show(ctx, "PUT", "/v1/operator/memberships", NULL, body, NULL);
  json_decref(body);
  return rc;
}

/* ---- program settings ---- */

int cmd_operator_settings(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, NULL, 0, 0);
  if (rc != 0)
    return rc;
  return csp_show_fields(ctx, "GET", "/v1/operator/programsettings", NULL, NULL, settings_fields,
                         ARRAY_LEN(settings_fields));
}

/** Parse one month 1..12 from *p, advancing it. @return the month or -1. */
static int csp_parse_month(const char **p) {
  int m = 0;
  int ndigits = 0;
  while (isdigit((unsigned char)**p) && ndigits < 3) {
    m = m * 10 + (**p - '0');
    (*p)++;
    ndigits++;
  }
  return ndigits > 0 && m >= 1 && m <= 12 ? m : -1;
}

/**
 * Parse "9-12,1-2" (ranges FROM-TO or single months, comma-separated).
 * @param[out] out a new array of {"from","to"} objects (owned by the caller).
 * @return 0 or -1.
 */
static int csp_parse_months(const char *text, json_t **out) {
  json_t *arr = json_array();
  const char *p = text;
  for (;;) {
    int from = csp_parse_month(&p);
    int to = from;
    if (from > 0 && *p == '-') {
      p++;
      to = csp_parse_month(&p);
    }
    if (from < 0 || to < 0 || (*p != ',' && *p != '\0')) {
      json_decref(arr);
      return -1;
    }
    json_array_append_new(arr, json_pack("{s:i, s:i}", "from", from, "to", to));
    if (*p == '\0')
      break;
    p++;
  }
  *out = arr;
  return 0;
}

int cmd_operator_settings_set(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *months = NULL;
  const char *approval = NULL;
  const char *incentive = NULL;
  const char *threshold = NULL;
  const csp_opt opts[] = {
      {"months", CSP_OPT_STR, &months},
      {"approval-days", CSP_OPT_STR, &approval},
      {"incentive-days", CSP_OPT_STR, &incentive},
      {"threshold-usd", CSP_OPT_STR, &threshold},
  };
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
  if (rc != 0)
    return rc;

  json_t *body = json_object();
  if (!body)
    return -CSP_EXIT_REFUSED;
  json_t *ranges = NULL;
  long long n = 0;
  if (months && csp_parse_months(months, &ranges) != 0)
    rc = csp_usage_error(
        cmd, "--months expects ranges like 9-12 or 9-12,1-2 (months 1 to 12), got '%s'", months);
  else if (ranges)
    json_object_set_new(body, "anniversaryMonths", ranges);
  if (rc == 0 && approval) {
    if (csp_parse_int(approval, &n) != 0)
      rc = csp_usage_error(cmd, "--approval-days expects a whole number, got '%s'", approval);
    else
      json_object_set_new(body, "autoApprovalBusinessDays", json_integer((json_int_t)n));
  }
  if (rc == 0 && incentive) {
    if (csp_parse_int(incentive, &n) != 0)
      rc = csp_usage_error(cmd, "--incentive-days expects a whole number, got '%s'", incentive);
    else
      json_object_set_new(body, "incentiveInvitationDays", json_integer((json_int_t)n));
  }
  if (rc == 0 && threshold) {
    if (csp_parse_minor(threshold, CSP_USD_DIGITS, &n) != 0 || n < 0)
      rc = csp_usage_error(
          cmd, "--threshold-usd expects an amount like 300000 or 300000.00, got '%s'", threshold);
    else
      json_object_set_new(body, "directBillThresholdUsdMinor", json_integer((json_int_t)n));
  }
  if (rc == 0 && json_object_size(body) == 0)
    rc = csp_usage_error(
        cmd, "give at least one of --months, --approval-days, --incentive-days, --threshold-usd");
  if (rc == 0)
    rc = csp_show_fields(ctx, "PUT", "/v1/operator/programsettings", NULL, body, settings_fields,
                         ARRAY_LEN(settings_fields));
  json_decref(body);
  return rc;
}

/* ---- revenue ---- */

int cmd_operator_revenue_add(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *partner = NULL;
  const char *period = NULL;
  const char *amount = NULL;
  const char *currency = NULL;
  const char *kind = NULL;
  const csp_opt opts[] = {
      {"partner", CSP_OPT_STR, &partner}, {"period", CSP_OPT_STR, &period},
      {"amount", CSP_OPT_STR, &amount},   {"currency", CSP_OPT_STR, &currency},
      {"kind", CSP_OPT_STR, &kind},
  };
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
  if (rc != 0)
    return rc;
  if (!partner || !period || !amount || !currency)
    return csp_usage_error(cmd, "--partner, --period, --amount and --currency are required");
  char cur[4];
  if (!csp_upper_code(currency, 3, cur))
    return csp_usage_error(cmd, "--currency expects an ISO 4217 code like EUR, got '%s'", currency);
  if (kind && strcmp(kind, "cloud") != 0 && strcmp(kind, "perpetual_software") != 0)
    return csp_usage_error(cmd, "--kind must be cloud or perpetual_software");
  int digits = csp_currency_digits(cur);
  long long minor = 0;
  if (csp_parse_minor(amount, digits, &minor) != 0)
    return csp_usage_error(
        cmd, "--amount expects a decimal amount with at most %d decimals for %s, got '%s'", digits,
        cur, amount);

  json_t *body = json_pack("{s:s, s:s, s:I, s:s, s:s*}", "partnerId", partner, "period", period,
                           "amount", (json_int_t)minor, "currency", cur, "kind", kind);
  if (!body)
    return csp_bad_text(cmd);
  rc = csp_show_fields(ctx, "POST", "/v1/operator/revenue", NULL, body, revenue_fields,
                       ARRAY_LEN(revenue_fields));
  json_decref(body);
  return rc;
}

int cmd_operator_revenue_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *partner = NULL;
  const csp_opt opts[] = {{"partner", CSP_OPT_STR, &partner}};
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
  if (rc != 0)
    return rc;
  if (!partner)
    return csp_usage_error(cmd, "--partner is required");
  csp_strlist query = {0};
  csp_query_add(&query, "partnerId", partner);
  rc = csp_list(ctx, "/v1/operator/revenue", &query, revenue_cols, ARRAY_LEN(revenue_cols));
  csp_query_free(&query);
  return rc;
}

/* ---- direct-bill evaluation ---- */

/** `operator directbill evaluate` (POST, applies) and `operator directbill report` (GET). */
int cmd_operator_directbill(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *as_of = NULL;
  const csp_opt opts[] = {{"as-of", CSP_OPT_STR, &as_of}};
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
  if (rc != 0)
    return rc;
  bool evaluate = strcmp(cmd->subname, "directbill evaluate") == 0;

  json_t *report = NULL;
  if (evaluate) {
    json_t *body = json_pack("{s:s*}", "asOf", as_of);
    if (!body)
      return csp_bad_text(cmd);
    rc = csp_call(ctx, "POST", "/v1/operator/directbill/evaluate", NULL, body, CSP_AUTH_REQUIRED,
                  &report);
    json_decref(body);
  } else {
    csp_strlist query = {0};
    csp_query_add(&query, "asOf", as_of);
    rc = csp_call(ctx, "GET", "/v1/operator/directbill/report", &query, NULL, CSP_AUTH_REQUIRED,
                  &report);
    csp_query_free(&query);
  }
  if (rc != 0)
    return rc;
  if (!ctx->json) {
    printf("As of %s: cloud revenue %s..%s; %s.\n\n", csp_json_str(report, "asOf", "-"),
           csp_json_str(report, "fromPeriod", "?"), csp_json_str(report, "toPeriod", "?"),
           json_is_true(json_object_get(report, "applied")) ? "changes applied"
                                                            : "report only, nothing changed");
  }
  rc = csp_print_list(ctx, report, directbill_cols, ARRAY_LEN(directbill_cols));
  json_decref(report);
  return rc;
}

/* ---- exchange rates ---- */

int cmd_operator_fxrates(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, NULL, 0, 0);
  if (rc != 0)
    return rc;
  return csp_list(ctx, "/v1/operator/fxrates", NULL, fxrate_cols, ARRAY_LEN(fxrate_cols));
}

/** @return true for a positive decimal string like "1.08" or "150". */
static bool csp_is_decimal(const char *s) {
  size_t whole = strspn(s, "0123456789");
  if (whole == 0)
    return false;
  if (s[whole] == '\0')
    return true;
  return s[whole] == '.' && s[whole + 1] != '\0' &&
         strspn(s + whole + 1, "0123456789") == strlen(s + whole + 1);
}

/* Declared in csp.h: `fxrates set` and `usage record` both need the server's digits. */
int csp_fx_digits(csp_ctx *ctx, const char *currency, int *out) {
  *out = csp_currency_digits(currency);
  json_t *coll = NULL;
  int rc = csp_get_all(ctx, "/v1/operator/fxrates", NULL, &coll);
  if (rc != 0)
    return rc;
  size_t i;
  const json_t *item;
  json_array_foreach(json_object_get(coll, "items"), i, item) {
    const json_t *digits = json_object_get(item, "minorUnitDigits");
    if (csp_streq_ci(csp_json_str(item, "currency", NULL), currency) && json_is_integer(digits))
      *out = (int)json_integer_value(digits);
  }
  json_decref(coll);
  return 0;
}

int cmd_operator_fxrates_set(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *digits_text = NULL;
  const csp_opt opts[] = {{"digits", CSP_OPT_STR, &digits_text}};
  const char *pos[2];
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), pos, 2, 2);
  if (rc != 0)
    return rc;
  char cur[4];
  if (!csp_upper_code(pos[0], 3, cur))
    return csp_usage_error(cmd, "CUR must be an ISO 4217 code like EUR, got '%s'", pos[0]);
  if (!csp_is_decimal(pos[1]))
    return csp_usage_error(cmd, "RATE must be a decimal like 1.08, got '%s'", pos[1]);
  long long digits = 0;
  if (digits_text) {
    if (csp_parse_int(digits_text, &digits) != 0 || digits < 0 || digits > 4)
      return csp_usage_error(cmd, "--digits expects 0 to 4, got '%s'", digits_text);
  } else {
    /* The server resets an omitted value to 2: keep the current digits. */
    int current = 0;
    rc = csp_fx_digits(ctx, cur, &current);
    if (rc != 0)
      return rc;
    digits = current;
  }
  json_t *body = json_pack("{s:[{s:s, s:s, s:I}]}", "rates", "currency", cur, "usdPerUnit", pos[1],
                           "minorUnitDigits", (json_int_t)digits);
  if (!body)
    return csp_bad_text(cmd);
  rc = csp_send_list(ctx, "PUT", "/v1/operator/fxrates", body, fxrate_cols, ARRAY_LEN(fxrate_cols));
  json_decref(body);
  return rc;
}
