/*
 * csp — commerce (docs/api-commerce.md): the catalog's offers, orders, the
 * subscriptions they create (read, change one field with If-Match) and the
 * operator's usage records.
 *
 * Lists go through csp_list(), single answers through csp_show_fields() /
 * csp_print_object() / csp_print_detail(), so the printing lives in output.c
 * only. Money arrives in minor units and is shown with csp_fmt_price() /
 * csp_fmt_amount(); amounts typed by the user become minor units with
 * csp_parse_minor(), never through floating point.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "csp.h"
#include "http.h"
#include "output.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define CSP_OFFERS_PATH "/v1/offers"

/* ---- formatters ---- */

/** transferClass, with " add-on" for an add-on: "license_based add-on". */
static char *fmt_offer_class(const json_t *value, const json_t *item) {
  const char *cls = json_string_value(value);
  if (!cls)
    return csp_json_text(value);
  return csp_xasprintf("%s%s", cls,
                       json_is_true(json_object_get(item, "isAddOn")) ? " add-on" : "");
}

/** An offer's quantity bounds, "1-10000". */
static char *fmt_offer_quantity(const json_t *value, const json_t *item) {
  (void)value;
  char *min = csp_json_text(json_object_get(item, "minimumQuantity"));
  char *max = csp_json_text(json_object_get(item, "maximumQuantity"));
  char *text = csp_xasprintf("%s-%s", min, max);
  free(min);
  free(max);
  return text;
}

/**
 * A price object with what it is for (billing: license, usage, none):
 * "21.00 EUR/month" per unit per month, "495.00 EUR one-time", "by usage"
 * for usage-billed offers and subscriptions (their price is 0).
 * @return owned by the caller (free()).
 */
static char *csp_price_text(const json_t *price, const char *billing) {
  if (billing && strcmp(billing, "usage") == 0)
    return csp_xstrdup("by usage");
  char *amount = csp_fmt_price(price, NULL);
  char *text = csp_xasprintf("%s%s", amount,
                             !billing                          ? ""
                             : strcmp(billing, "license") == 0 ? "/month"
                             : strcmp(billing, "none") == 0    ? " one-time"
                                                               : "");
  free(amount);
  return text;
}

/** An offer's price (value), by its billing. */
static char *fmt_offer_price(const json_t *value, const json_t *item) {
  return csp_price_text(value, csp_json_str(item, "billing", NULL));
}

/** A subscription's unit price (value), by its billingType. */
static char *fmt_sub_price(const json_t *value, const json_t *item) {
  return csp_price_text(value, csp_json_str(item, "billingType", NULL));
}

/** A subscription's quantity with its unit: "10 Licenses". */
static char *fmt_sub_quantity(const json_t *value, const json_t *item) {
  char *qty = csp_json_text(value);
  const char *unit = csp_json_str(item, "unitType", NULL);
  char *text = unit && *unit ? csp_xasprintf("%s %s", qty, unit) : csp_xstrdup(qty);
  free(qty);
  return text;
}

/** A string that may be empty (partnerId of a direct-bill subscription): "-" then. */
static char *fmt_or_dash(const json_t *value, const json_t *item) {
  (void)item;
  const char *s = json_string_value(value);
  return s && !*s ? csp_xstrdup("-") : csp_json_text(value);
}

/** The number of elements of an array: an order's line items. */
static char *fmt_count(const json_t *value, const json_t *item) {
  (void)item;
  return csp_xasprintf("%zu", json_array_size(value));
}

/* ---- columns and field lists ---- */

static const csp_column offer_cols[] = {
    {"ID", "id"},
    {"NAME", "name"},
    {"CLASS", "transferClass", fmt_offer_class},
    {"BILLING", "billing"},
    {"QUANTITY", "", fmt_offer_quantity},
    {"PRICE", "price", fmt_offer_price},
};
static const csp_column offer_fields[] = {
    {"id", "id"},
    {"name", "name"},
    {"description", "description"},
    {"category", "category.name"},
    {"product", "product.id"},
    {"class", "transferClass", fmt_offer_class},
    {"add-on of", "prerequisiteOffers"},
    {"billing", "billing"},
    {"billing cycles", "supportedBillingCycles"},
    {"term months", "termMonths"},
    {"auto-renewable", "isAutoRenewable", csp_fmt_yes_no},
    {"quantity", "", fmt_offer_quantity},
    {"unit", "unitType"},
    {"price", "price", fmt_offer_price},
    {"country", "country"},
    {"available", "isAvailableForPurchase", csp_fmt_yes_no},
};
static const csp_column order_cols[] = {
    {"ID", "id"},         {"CREATED", "creationDate"},       {"CYCLE", "billingCycle"},
    {"STATUS", "status"}, {"LINES", "lineItems", fmt_count},
};
static const csp_column order_fields[] = {
    {"id", "id"},         {"customer", "referenceCustomerId"}, {"billing cycle", "billingCycle"},
    {"status", "status"}, {"created", "creationDate"},
};
static const csp_column order_line_cols[] = {
    {"#", "lineItemNumber"},
    {"OFFER", "offerId"},
    {"SUBSCRIPTION", "subscriptionId"},
    {"NAME", "friendlyName"},
    {"QUANTITY", "quantity"},
    {"PARTNER OF RECORD", "partnerIdOnRecord"},
    {"PARENT", "parentSubscriptionId"},
};
static const csp_column sub_cols[] = {
    {"ID", "id"},
    {"OFFER", "offerName"},
    {"NAME", "friendlyName"},
    {"QUANTITY", "quantity"},
    {"STATUS", "status"},
    {"CYCLE", "billingCycle"},
    {"AUTO-RENEW", "autoRenewEnabled", csp_fmt_yes_no},
    {"UNIT PRICE", "unitPrice", fmt_sub_price},
};
static const csp_column sub_fields[] = {
    {"id", "id"},
    {"offer", "offerName"},
    {"offer id", "offerId"},
    {"name", "friendlyName"},
    {"quantity", "quantity", fmt_sub_quantity},
    {"status", "status"},
    {"billing", "billingType"},
    {"billing cycle", "billingCycle"},
    {"unit price", "unitPrice", fmt_sub_price},
    {"auto-renew", "autoRenewEnabled", csp_fmt_yes_no},
    {"class", "transferClass"},
    {"partner of record", "partnerId", fmt_or_dash},
    {"parent", "parentSubscriptionId"},
    {"order", "orderId"},
    {"entitlement", "entitlementId"},
    {"created", "creationDate"},
    {"start", "effectiveStartDate"},
    {"commitment end", "commitmentEndDate"},
    {"etag", "attributes.etag"},
};
static const csp_column usage_fields[] = {
    {"subscription", "subscriptionId"},
    {"date", "date"},
    {"amount", "amountMinor", csp_fmt_amount},
};

/**
 * The one-field changes of `csp subscriptions ...`: each reads the
 * subscription (for its ETag), sets one property of it and PATCHes the whole
 * resource back with If-Match (csp_sub_patch).
 */
typedef enum csp_sub_value {
  CSP_SUB_FIXED,    /**< the value is `status` of the entry */
  CSP_SUB_QUANTITY, /**< a whole number argument */
  CSP_SUB_TEXT,     /**< a text argument */
  CSP_SUB_ON_OFF,   /**< "on" or "off" → true / false */
} csp_sub_value;

static const struct csp_sub_change {
  const char *subname; /**< the command's subname */
  const char *field;   /**< the Subscription property set */
  csp_sub_value kind;
  const char *status;   /**< CSP_SUB_FIXED: the status sent */
  const char *ask;      /**< non-NULL: ask "<ask> subscription ...? <warning>" first (--yes) */
  const char *warning;  /**< the consequence named in the question */
  const char *not_done; /**< the message when the answer is not yes */
} sub_changes[] = {
    {"set-quantity", "quantity", CSP_SUB_QUANTITY},
    {"suspend", "status", CSP_SUB_FIXED, "suspended"},
    {"reactivate", "status", CSP_SUB_FIXED, "active"},
    {"cancel", "status", CSP_SUB_FIXED, "deleted", "Cancel",
     "Its add-ons are cancelled too, and a cancelled subscription cannot be reactivated.",
     "subscription not cancelled"},
    {"rename", "friendlyName", CSP_SUB_TEXT},
    {"auto-renew", "autoRenewEnabled", CSP_SUB_ON_OFF},
    {"set-partner-of-record", "partnerId", CSP_SUB_TEXT},
};

/* ---- helpers ---- */

/**
 * "/v1/customers/{customer}{collection}/{id}{suffix}", both ids URL-encoded,
 * e.g. (c, "/subscriptions", s, "/addons").
 * @return owned by the caller (free()).
 */
static char *csp_customer_child_path(csp_ctx *ctx, const char *customer, const char *collection,
                                     const char *id, const char *suffix) {
  char *prefix = csp_id_path(ctx, "/v1/customers", customer, collection);
  char *path = csp_id_path(ctx, prefix, id, suffix);
  free(prefix);
  return path;
}

/**
 * Parse a quantity option or argument: any whole number; the bounds are the
 * server's to check (R-ORD-2, code 2002).
 * @param what the option or argument named in the message, e.g. "--quantity"
 * @return 0, or -CSP_EXIT_USAGE after printing what is wrong.
 */
static int csp_quantity_arg(const csp_command *cmd, const char *what, const char *text,
                            json_int_t *out) {
  long long n = 0;
  if (csp_parse_int(text, &n) != 0)
    return csp_usage_error(cmd, "%s expects a whole number, got '%s'", what, text);
  *out = (json_int_t)n;
  return 0;
}

/* ---- offers ---- */

/**
 * The common part of the offer commands: parse [--country CC] and npos
 * positional arguments; the country goes into query (upper-cased).
 * @return 0 or -CSP_EXIT_USAGE.
 */
static int csp_offer_args(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv,
                          const char **pos, size_t npos, csp_strlist *query) {
  const char *country = NULL;
  const csp_opt opts[] = {{"country", CSP_OPT_STR, &country}};
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), pos, npos, npos);
  if (rc != 0)
    return rc;
  char cc[3];
  if (country && !csp_upper_code(country, 2, cc))
    return csp_usage_error(cmd, "--country expects an ISO 3166 two-letter code like NL, got '%s'",
                           country);
  csp_query_add(query, "country", country ? cc : NULL);
  return 0;
}

int cmd_offers_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  csp_strlist query = {0};
  int rc = csp_offer_args(ctx, cmd, argc, argv, NULL, 0, &query);
  if (rc == 0)
    rc = csp_list(ctx, CSP_OFFERS_PATH, &query, offer_cols, ARRAY_LEN(offer_cols));
  csp_query_free(&query);
  return rc;
}

int cmd_offers_show(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *pos[1];
  csp_strlist query = {0};
  int rc = csp_offer_args(ctx, cmd, argc, argv, pos, 1, &query);
  if (rc == 0) {
    char *path = csp_id_path(ctx, CSP_OFFERS_PATH, pos[0], NULL);
    rc = csp_show_fields(ctx, "GET", path, &query, NULL, offer_fields, ARRAY_LEN(offer_fields));
    free(path);
  }
  csp_query_free(&query);
  return rc;
}

int cmd_offers_addons(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *pos[1];
  csp_strlist query = {0};
  int rc = csp_offer_args(ctx, cmd, argc, argv, pos, 1, &query);
  if (rc == 0) {
    char *path = csp_id_path(ctx, CSP_OFFERS_PATH, pos[0], "/addons");
    rc = csp_list(ctx, path, &query, offer_cols, ARRAY_LEN(offer_cols));
    free(path);
  }
  csp_query_free(&query);
  return rc;
}

/* ---- orders ---- */

/** Print an Order: raw with --json, else its fields and a table of its line items. */
static int csp_print_order(const csp_ctx *ctx, const json_t *order) {
  return csp_print_detail(ctx, order, order, order_fields, ARRAY_LEN(order_fields),
                          json_object_get(order, "lineItems"), order_line_cols,
                          ARRAY_LEN(order_line_cols));
}

/**
 * Append one order line to lines.
 * @param name, partner, parent may be NULL (left out of the line)
 * @return 0, or -CSP_EXIT_USAGE when a text is not UTF-8 (printed).
 */
static int csp_order_line(const csp_command *cmd, json_t *lines, const char *offer,
                          json_int_t quantity, const char *name, const char *partner,
                          const char *parent) {
  json_t *line =
      json_pack("{s:I, s:s, s:I, s:s*, s:s*, s:s*}", "lineItemNumber",
                (json_int_t)json_array_size(lines), "offerId", offer, "quantity", quantity,
                "friendlyName", name, "partnerIdOnRecord", partner, "parentSubscriptionId", parent);
  if (!line)
    return csp_bad_text(cmd);
  json_array_append_new(lines, line);
  return 0;
}

/**
 * Append the line of one --line OFFER:QTY[:PARENT] to lines.
 * @return 0 or -CSP_EXIT_USAGE (printed).
 */
static int csp_order_line_spec(const csp_command *cmd, json_t *lines, const char *spec,
                               const char *partner) {
  const char *colon = strchr(spec, ':');
  if (!colon || colon == spec)
    return csp_usage_error(cmd, "--line expects OFFER:QUANTITY[:PARENT_SUBSCRIPTION], got '%s'",
                           spec);
  char *offer = strndup(spec, (size_t)(colon - spec));
  const char *parent = strchr(colon + 1, ':');
  char *qty_text = parent ? strndup(colon + 1, (size_t)(parent - colon - 1)) : strdup(colon + 1);
  if (!offer || !qty_text) {
    fputs("csp: out of memory\n", stderr);
    exit(1);
  }
  json_int_t qty = 0;
  int rc = 0;
  if (parent && !parent[1])
    rc = csp_usage_error(cmd, "--line '%s': the parent subscription after the second ':' is empty",
                         spec);
  if (rc == 0)
    rc = csp_quantity_arg(cmd, "--line QUANTITY", qty_text, &qty);
  if (rc == 0)
    rc = csp_order_line(cmd, lines, offer, qty, NULL, partner, parent ? parent + 1 : NULL);
  free(qty_text);
  free(offer);
  return rc;
}

int cmd_orders_create(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *offer = NULL;
  const char *quantity = NULL;
  const char *name = NULL;
  const char *partner = NULL;
  const char *parent = NULL;
  const char *cycle = NULL;
  csp_strlist line_specs = {0};
  const csp_opt opts[] = {
      {"offer", CSP_OPT_STR, &offer},      {"quantity", CSP_OPT_STR, &quantity},
      {"name", CSP_OPT_STR, &name},        {"partner-of-record", CSP_OPT_STR, &partner},
      {"parent", CSP_OPT_STR, &parent},    {"cycle", CSP_OPT_STR, &cycle},
      {"line", CSP_OPT_LIST, &line_specs},
  };
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), pos, 1, 1);
  if (rc != 0)
    return rc;
  if (!offer && line_specs.n == 0)
    return csp_usage_error(
        cmd, "give --offer ID --quantity N, or one or more --line OFFER:QUANTITY[:PARENT]");
  if (!offer && (quantity || name || parent))
    return csp_usage_error(
        cmd, "--quantity, --name and --parent describe the --offer line; give --offer");
  if (offer && !quantity)
    return csp_usage_error(cmd, "--offer needs --quantity N");
  if (cycle && strcmp(cycle, "monthly") != 0 && strcmp(cycle, "annual") != 0 &&
      strcmp(cycle, "none") != 0)
    return csp_usage_error(cmd, "--cycle must be monthly, annual or none, got '%s'", cycle);

  json_t *lines = json_array();
  if (offer) {
    json_int_t qty = 0;
    rc = csp_quantity_arg(cmd, "--quantity", quantity, &qty);
    if (rc == 0)
      rc = csp_order_line(cmd, lines, offer, qty, name, partner, parent);
  }
  for (size_t i = 0; rc == 0 && i < line_specs.n; i++)
    rc = csp_order_line_spec(cmd, lines, line_specs.v[i], partner);
  json_t *body = NULL;
  if (rc == 0) {
    /* Without --cycle the server takes each offer's first supported cycle. */
    body = json_pack("{s:s, s:s*, s:O}", "referenceCustomerId", pos[0], "billingCycle", cycle,
                     "lineItems", lines);
    if (!body)
      rc = csp_bad_text(cmd);
  }
  json_t *order = NULL;
  if (rc == 0) {
    char *path = csp_id_path(ctx, "/v1/customers", pos[0], "/orders");
    rc = csp_call(ctx, "POST", path, NULL, body, CSP_AUTH_REQUIRED, &order);
    free(path);
  }
  if (rc == 0)
    rc = csp_print_order(ctx, order);
  json_decref(order);
  json_decref(body);
  json_decref(lines);
  return rc;
}

int cmd_orders_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, pos, 1, 1);
  if (rc != 0)
    return rc;
  char *path = csp_id_path(ctx, "/v1/customers", pos[0], "/orders");
  rc = csp_list(ctx, path, NULL, order_cols, ARRAY_LEN(order_cols));
  free(path);
  return rc;
}

int cmd_orders_show(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *pos[2];
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, pos, 2, 2);
  if (rc != 0)
    return rc;
  char *path = csp_customer_child_path(ctx, pos[0], "/orders", pos[1], NULL);
  json_t *order = NULL;
  rc = csp_call(ctx, "GET", path, NULL, NULL, CSP_AUTH_REQUIRED, &order);
  if (rc == 0)
    rc = csp_print_order(ctx, order);
  json_decref(order);
  free(path);
  return rc;
}

/* ---- subscriptions ---- */

int cmd_subscriptions_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *order = NULL;
  const char *mpn_id = NULL;
  const csp_opt opts[] = {
      {"order", CSP_OPT_STR, &order},
      {"mpn-id", CSP_OPT_STR, &mpn_id},
  };
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), pos, 1, 1);
  if (rc != 0)
    return rc;
  csp_strlist query = {0};
  csp_query_add(&query, "order_id", order);
  csp_query_add(&query, "mpn_id", mpn_id);
  char *path = csp_id_path(ctx, "/v1/customers", pos[0], "/subscriptions");
  rc = csp_list(ctx, path, &query, sub_cols, ARRAY_LEN(sub_cols));
  free(path);
  csp_query_free(&query);
  return rc;
}

/** `subscriptions show` (a Subscription) and `subscriptions addons` (its add-ons' collection). */
int cmd_subscriptions_show(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *pos[2];
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, pos, 2, 2);
  if (rc != 0)
    return rc;
  bool addons = strcmp(cmd->subname, "addons") == 0;
  char *path =
      csp_customer_child_path(ctx, pos[0], "/subscriptions", pos[1], addons ? "/addons" : NULL);
  if (addons)
    rc = csp_list(ctx, path, NULL, sub_cols, ARRAY_LEN(sub_cols));
  else
    rc = csp_show_fields(ctx, "GET", path, NULL, NULL, sub_fields, ARRAY_LEN(sub_fields));
  free(path);
  return rc;
}

/**
 * Change one property of a subscription: GET it (for its ETag), set field to
 * value in the whole resource, and PATCH it back with If-Match; print the
 * answer. With change->ask the question names the subscription and is asked
 * after the read (csp_confirm_step: --yes, terminal).
 * @param value the new value; the reference is taken over (json_decref'd here)
 * @return 0 or -CSP_EXIT_x (a change in between gives 412 → -CSP_EXIT_CONFLICT).
 */
static int csp_sub_patch(csp_ctx *ctx, const char *path, const struct csp_sub_change *change,
                         json_t *value, bool yes) {
  json_t *sub = NULL;
  char *if_match = NULL;
  int rc = csp_call_etag(ctx, "GET", path, NULL, NULL, NULL, CSP_AUTH_REQUIRED, &sub, &if_match);
  if (rc == 0 && (!json_is_object(sub) || !if_match)) {
    fprintf(stderr, "csp: the subscription from %s came without an ETag\n", path);
    rc = -CSP_EXIT_SERVER;
  }
  if (rc == 0 && change->ask) {
    char *question = csp_xasprintf(
        "%s subscription '%s' (%s, quantity %" JSON_INTEGER_FORMAT ", id %s)? %s", change->ask,
        csp_json_str(sub, "friendlyName", "-"), csp_json_str(sub, "offerName", "-"),
        json_integer_value(json_object_get(sub, "quantity")), csp_json_str(sub, "id", "-"),
        change->warning);
    rc = csp_confirm_step(yes, question, change->not_done);
    free(question);
  }
  json_t *updated = NULL;
  if (rc == 0) {
    json_object_set(sub, change->field, value);
    rc = csp_call_etag(ctx, "PATCH", path, NULL, sub, if_match, CSP_AUTH_REQUIRED, &updated, NULL);
  }
  if (rc == 0)
    rc = csp_print_object(ctx, updated, sub_fields, ARRAY_LEN(sub_fields));
  json_decref(updated);
  json_decref(sub);
  json_decref(value);
  free(if_match);
  return rc;
}

/** set-quantity, suspend, reactivate, cancel, rename, auto-renew, set-partner-of-record
 * (sub_changes). */
int cmd_subscriptions_change(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const struct csp_sub_change *change = NULL;
  for (size_t i = 0; i < ARRAY_LEN(sub_changes); i++) {
    if (strcmp(cmd->subname, sub_changes[i].subname) == 0)
      change = &sub_changes[i];
  }
  if (!change) {
    fprintf(stderr, "csp: internal error: no change for 'subscriptions %s'\n", cmd->subname);
    return -CSP_EXIT_REFUSED;
  }
  bool yes = false;
  const csp_opt opts[] = {{"yes", CSP_OPT_FLAG, &yes}};
  size_t npos = change->kind == CSP_SUB_FIXED ? 2 : 3;
  const char *pos[3];
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, change->ask ? 1 : 0, pos, npos, npos);
  if (rc != 0)
    return rc;

  json_t *value = NULL;
  json_int_t qty = 0;
  switch (change->kind) {
  case CSP_SUB_FIXED:
    value = json_string(change->status);
    break;
  case CSP_SUB_QUANTITY:
    rc = csp_quantity_arg(cmd, "N", pos[2], &qty);
    if (rc != 0)
      return rc;
    value = json_integer(qty);
    break;
  case CSP_SUB_TEXT:
    value = json_string(pos[2]);
    if (!value)
      return csp_bad_text(cmd);
    break;
  case CSP_SUB_ON_OFF:
    if (strcmp(pos[2], "on") != 0 && strcmp(pos[2], "off") != 0)
      return csp_usage_error(cmd, "expected on or off, got '%s'", pos[2]);
    value = json_boolean(strcmp(pos[2], "on") == 0);
    break;
  }
  char *path = csp_customer_child_path(ctx, pos[0], "/subscriptions", pos[1], NULL);
  rc = csp_sub_patch(ctx, path, change, value, yes);
  free(path);
  return rc;
}

/* ---- usage records (operator) ---- */

/** @return true for "YYYY-MM-DD" (digits and dashes in place; the server checks the date itself).
 */
static bool csp_is_day(const char *s) {
  static const char shape[] = "9999-99-99";
  if (strlen(s) != sizeof shape - 1)
    return false;
  for (size_t i = 0; shape[i]; i++) {
    if (shape[i] == '-' ? s[i] != '-' : (s[i] < '0' || s[i] > '9'))
      return false;
  }
  return true;
}

int cmd_usage_record(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *date = NULL;
  const char *amount = NULL;
  const char *resource = NULL;
  const csp_opt opts[] = {
      {"date", CSP_OPT_STR, &date},
      {"amount", CSP_OPT_STR, &amount},
      {"resource", CSP_OPT_STR, &resource},
  };
  const char *pos[2];
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), pos, 2, 2);
  if (rc != 0)
    return rc;
  if (!date || !amount)
    return csp_usage_error(cmd, "--date and --amount are required");
  time_t when;
  if (!csp_is_day(date) && csp_parse_time(date, &when) != 0)
    return csp_usage_error(cmd, "--date expects YYYY-MM-DD or an RFC 3339 UTC time, got '%s'",
                           date);

  /* The amount is in the subscription's currency, with the digits the server has for it. */
  char *path = csp_customer_child_path(ctx, pos[0], "/subscriptions", pos[1], NULL);
  json_t *sub = NULL;
  rc = csp_call(ctx, "GET", path, NULL, NULL, CSP_AUTH_REQUIRED, &sub);
  const char *currency = csp_json_str(sub, "unitPrice.currency", NULL);
  if (rc == 0 && !currency) {
    fprintf(stderr, "csp: the subscription from %s has no unitPrice.currency\n", path);
    rc = -CSP_EXIT_SERVER;
  }
  int digits = 0;
  if (rc == 0)
    rc = csp_fx_digits(ctx, currency, &digits);
  long long minor = 0;
  if (rc == 0 && (csp_parse_minor(amount, digits, &minor) != 0 || minor < 0))
    rc = csp_usage_error(
        cmd,
        "--amount expects a decimal amount of at least 0 with at most %d decimals for %s, "
        "got '%s'",
        digits, currency, amount);
  json_t *body = NULL;
  if (rc == 0) {
    body = json_pack("{s:s, s:I, s:s*}", "date", date, "amount", (json_int_t)minor, "resource",
                     resource);
    if (!body)
      rc = csp_bad_text(cmd);
  }
  free(path);
  if (rc == 0) {
    path = csp_customer_child_path(ctx, pos[0], "/subscriptions", pos[1], "/usagerecords");
    rc = csp_show_fields(ctx, "POST", path, NULL, body, usage_fields, ARRAY_LEN(usage_fields));
    free(path);
  }
  json_decref(body);
  json_decref(sub);
  return rc;
}
