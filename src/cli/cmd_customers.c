/*
 * csp — customers (docs/api-customers.md): create, list with a filter,
 * show with capabilities, relationships, the billing profile (read, change
 * with If-Match), giving up the reseller relationship, invitations and their
 * acceptance, relationship extensions to an indirect provider; customer
 * agreements (the MCA attestation) under `csp agreements`.
 *
 * Lists go through csp_list(), single answers through csp_show_fields() /
 * csp_print_object(), so the printing lives in output.c only.
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

#define CSP_CUSTOMERS_PATH "/v1/customers"
#define CSP_MCA_TYPE "MicrosoftCustomerAgreement"

/* ---- columns and field lists ---- */

static const csp_column customer_cols[] = {
    {"ID", "id"},
    {"COMPANY", "companyProfile.companyName"},
    {"DOMAIN", "companyProfile.domain"},
    {"COUNTRY", "country"},
    {"HOLDING", "capabilities.holding"},
};
/* The customer, then what the caller may do with it (capabilities). */
static const csp_column customer_fields[] = {
    {"id", "id"},
    {"company", "companyProfile.companyName"},
    {"domain", "companyProfile.domain"},
    {"country", "country"},
    {"relationship", "relationshipToPartner"},
    {"delegated admin", "allowDelegatedAccess", csp_fmt_yes_no},
    {"reseller", "associatedPartnerId"},
    {"own use of", "ownUsePartnerId"},
    {"etag", "attributes.etag"},
};
static const csp_column capability_fields[] = {
    {"holding", "holding"},
    {"can order", "canOrder", csp_fmt_yes_no},
    {"can manage reservations", "canManageReservations", csp_fmt_yes_no},
    {"can view order history", "canViewOrderHistory", csp_fmt_yes_no},
    {"can buy software", "canBuySoftware", csp_fmt_yes_no},
    {"can bill customer", "canBillCustomer", csp_fmt_yes_no},
    {"can manage subscriptions", "canManageSubscriptions", csp_fmt_yes_no},
    {"can manage licenses, users", "canManageLicensesAndUsers", csp_fmt_yes_no},
    {"can handle renewals", "canHandleRenewals", csp_fmt_yes_no},
    {"restricted by", "restrictedBy"},
    {"orders placed by", "orderedBy"},
};
static const csp_column created_fields[] = {
    {"id", "id"},
    {"company", "companyProfile.companyName"},
    {"domain", "companyProfile.domain"},
    {"country", "country"},
    {"holding", "capabilities.holding"},
    {"reseller", "associatedPartnerId"},
    {"own use of", "ownUsePartnerId"},
    {"admin user", "userCredentials.userName"},
    {"admin password", "userCredentials.password"},
};
static const csp_column relationship_cols[] = {
    {"PARTNER", "id"},
    {"NAME", "name"},
    {"MPN ID", "mpnId"},
    {"TYPE", "relationshipType"},
    {"DELEGATED ADMIN", "delegatedAdmin", csp_fmt_yes_no},
    {"ACQUIRED", "acquired"},
    {"VIA", "via"},
};
static const csp_column billing_fields[] = {
    {"company", "companyName"},
    {"contact", "", csp_fmt_contact},
    {"address", "defaultAddress", csp_fmt_address},
    {"phone", "defaultAddress.phoneNumber"},
    {"culture", "culture"},
    {"language", "language"},
    {"etag", "attributes.etag"},
};
static const csp_column invitation_fields[] = {
    {"type", "type"},
    {"reseller", "indirectResellerId"},
    {"provider", "indirectProviderId"},
    {"link", "url"},
};
static const csp_column acceptance_fields[] = {
    {"customer", "customerId"},
    {"status", "status"},
    {"type", "type"},
    {"partner", "partnerId"},
    {"reseller", "indirectResellerId"},
    {"provider", "indirectProviderId"},
};
static const csp_column provider_cols[] = {
    {"PROVIDER", "id"},
    {"NAME", "name"},
    {"MPN ID", "mpnId"},
    {"ACQUIRED", "acquired"},
    {"FOR RESELLER", "indirectResellerId"},
    {"DELEGATED ADMIN", "delegatedAdmin", csp_fmt_yes_no},
};
static const csp_column agreement_meta_cols[] = {
    {"TEMPLATE ID", "templateId"},
    {"TYPE", "agreementType"},
    {"VERSION RANK", "versionRank"},
    {"LINK", "agreementLink"},
};
static const csp_column agreement_fields[] = {
    {"type", "type"},
    {"template", "templateId"},
    {"date agreed", "dateAgreed"},
    {"accepted by", "acceptedBy"},
    {"partner", "partnerTenantId"},
    {"contact", "primaryContact", csp_fmt_contact},
    {"user", "userId"},
};
static const csp_column agreement_cols[] = {
    {"TYPE", "type"},
    {"DATE AGREED", "dateAgreed"},
    {"ACCEPTED BY", "acceptedBy"},
    {"PARTNER", "partnerTenantId"},
    {"CONTACT", "primaryContact", csp_fmt_contact},
    {"TEMPLATE ID", "templateId"},
};
static const csp_column mca_status_fields[] = {
    {"MCA accepted by the customer", "isSigned", csp_fmt_yes_no},
    {"MCA counts for you", "acceptedForCaller", csp_fmt_yes_no},
};

/**
 * The billing profile properties `customers billing set` changes: option
 * name, property, and whether it lives in defaultAddress. The country is not
 * here: it cannot change.
 */
static const struct csp_billing_option {
  const char *option;
  const char *key;
  bool in_address;
} billing_options[] = {
    {"company", "companyName", false},
    {"email", "email", false},
    {"first-name", "firstName", false},
    {"last-name", "lastName", false},
    {"culture", "culture", false},
    {"language", "language", false},
    {"address", "addressLine1", true},
    {"address2", "addressLine2", true},
    {"city", "city", true},
    {"state", "state", true},
    {"postal-code", "postalCode", true},
    {"phone", "phoneNumber", true},
};

/* ---- helpers ---- */

/** "/v1/customers/{id}{suffix}"; owned by the caller (free()). */
static char *csp_customer_path(csp_ctx *ctx, const char *id, const char *suffix) {
  return csp_id_path(ctx, CSP_CUSTOMERS_PATH, id, suffix);
}

/** Print a Customer: raw with --json, else its fields and the capabilities in one list. */
static int csp_print_customer(const csp_ctx *ctx, const json_t *customer) {
  if (ctx->json)
    return csp_print_json(customer);
  csp_cells rows = {0};
  csp_field_rows(&rows, customer, customer_fields, ARRAY_LEN(customer_fields));
  const json_t *capabilities = json_object_get(customer, "capabilities"); /* partners only */
  if (capabilities)
    csp_field_rows(&rows, capabilities, capability_fields, ARRAY_LEN(capability_fields));
  csp_table(stdout, NULL, 2, (const char *const *)rows.v, rows.n / 2, 0);
  csp_cells_free(&rows);
  return 0;
}

/** Send a request answered by a Customer and print it (csp_print_customer). */
static int csp_customer_call(csp_ctx *ctx, const char *method, const char *path,
                             const json_t *body) {
  json_t *customer = NULL;
  int rc = csp_call(ctx, method, path, NULL, body, CSP_AUTH_REQUIRED, &customer);
  if (rc == 0)
    rc = csp_print_customer(ctx, customer);
  json_decref(customer);
  return rc;
}

/**
 * The common path of the commands on one customer that take only its id:
 * parse "ID" and return "/v1/customers/{id}{suffix}".
 * @param[out] path owned by the caller (free()).
 * @return 0 or -CSP_EXIT_USAGE.
 */
static int csp_customer_id_args(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv,
                                const char *suffix, char **path) {
  const char *pos[1];
  *path = NULL;
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, pos, 1, 1);
  if (rc == 0)
    *path = csp_customer_path(ctx, pos[0], suffix);
  return rc;
}

/* ---- create, list, show ---- */

int cmd_customers_create(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *domain = NULL;
  const char *company = NULL;
  const char *email = NULL;
  const char *country = NULL;
  const char *city = NULL;
  const char *address = NULL;
  const char *postal = NULL;
  const char *reseller = NULL;
  const char *own_use = NULL;
  const csp_opt opts[] = {
      {"domain", CSP_OPT_STR, &domain},
      {"company", CSP_OPT_STR, &company},
      {"email", CSP_OPT_STR, &email},
      {"country", CSP_OPT_STR, &country},
      {"city", CSP_OPT_STR, &city},
      {"address", CSP_OPT_STR, &address},
      {"postal-code", CSP_OPT_STR, &postal},
      {"reseller", CSP_OPT_STR, &reseller},
      {"own-use-partner", CSP_OPT_STR, &own_use},
  };
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
  if (rc != 0)
    return rc;
  if (!domain || !company || !email || !country)
    return csp_usage_error(cmd, "--domain, --company, --email and --country are required");
  /* ISO 3166 codes are upper case; the billing address keeps what is sent. */
  char cc[3];
  if (csp_upper_code(country, 2, cc))
    country = cc;

  json_t *body =
      json_pack("{s:{s:s}, s:{s:s, s:s, s:{s:s, s:s*, s:s*, s:s*}}, s:s*, s:s*}", "companyProfile",
                "domain", domain, "billingProfile", "companyName", company, "email", email,
                "defaultAddress", "country", country, "city", city, "addressLine1", address,
                "postalCode", postal, "associatedPartnerId", reseller, "ownUsePartnerId", own_use);
  if (!body)
    return csp_bad_text(cmd);
  rc = csp_show_fields(ctx, "POST", CSP_CUSTOMERS_PATH, NULL, body, created_fields,
                       ARRAY_LEN(created_fields));
  json_decref(body);
  if (rc == 0)
    csp_note_shown_once(ctx, "customer admin's password");
  return rc;
}

int cmd_customers_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *name = NULL;
  const char *domain = NULL;
  const char *reseller = NULL;
  const csp_opt opts[] = {
      {"name", CSP_OPT_STR, &name},
      {"domain", CSP_OPT_STR, &domain},
      {"reseller", CSP_OPT_STR, &reseller},
  };
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
  if (rc != 0)
    return rc;
  if (!!name + !!domain + !!reseller > 1)
    return csp_usage_error(cmd, "--name, --domain and --reseller exclude each other");

  /* Partner Center's filter: a JSON document in ?filter= (csp_http URL-encodes it). */
  json_t *filter = NULL;
  if (name || domain)
    filter = json_pack("{s:s, s:s, s:s}", "Field", name ? "CompanyName" : "Domain", "Value",
                       name ? name : domain, "Operator", "starts_with");
  else if (reseller)
    filter = json_pack("{s:s, s:s}", "Field", "IndirectReseller", "Value", reseller);
  char *text = filter ? json_dumps(filter, JSON_COMPACT) : NULL;
  json_decref(filter);
  if ((name || domain || reseller) && !text)
    return csp_bad_text(cmd);
  csp_strlist query = {0};
  csp_query_add(&query, "filter", text);
  free(text);
  rc = csp_list(ctx, CSP_CUSTOMERS_PATH, &query, customer_cols, ARRAY_LEN(customer_cols));
  csp_query_free(&query);
  return rc;
}

int cmd_customers_show(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  char *path = NULL;
  int rc = csp_customer_id_args(ctx, cmd, argc, argv, NULL, &path);
  if (rc == 0)
    rc = csp_customer_call(ctx, "GET", path, NULL);
  free(path);
  return rc;
}

int cmd_customers_relationships(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  char *path = NULL;
  int rc = csp_customer_id_args(ctx, cmd, argc, argv, "/relationships", &path);
  if (rc == 0)
    rc = csp_list(ctx, path, NULL, relationship_cols, ARRAY_LEN(relationship_cols));
  free(path);
  return rc;
}

int cmd_customers_remove_relationship(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  bool yes = false;
  const csp_opt opts[] = {{"yes", CSP_OPT_FLAG, &yes}};
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), pos, 1, 1);
  if (rc != 0)
    return rc;
  char *question = csp_xasprintf("Give up your reseller relationship with customer %s?", pos[0]);
  rc = csp_confirm_step(yes, question, "relationship not removed");
  free(question);
  if (rc != 0)
    return rc;
  json_t *body = json_pack("{s:s}", "relationshipToPartner", "none");
  char *path = csp_customer_path(ctx, pos[0], NULL);
  rc = csp_customer_call(ctx, "PATCH", path, body);
  free(path);
  json_decref(body);
  return rc;
}

/* ---- billing profile ---- */

int cmd_customers_billing(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  char *path = NULL;
  int rc = csp_customer_id_args(ctx, cmd, argc, argv, "/profiles/billing", &path);
  if (rc == 0)
    rc = csp_show_fields(ctx, "GET", path, NULL, NULL, billing_fields, ARRAY_LEN(billing_fields));
  free(path);
  return rc;
}

/**
 * Set the properties given on the command line in a billing profile.
 * @return 0 or -CSP_EXIT_x (printed).
 */
static int csp_billing_change(const csp_command *cmd, json_t *profile, const char *const *values) {
  json_t *address = json_object_get(profile, "defaultAddress");
  if (!json_is_object(address)) {
    address = json_object();
    json_object_set_new(profile, "defaultAddress", address);
  }
  for (size_t i = 0; i < ARRAY_LEN(billing_options); i++) {
    if (!values[i])
      continue;
    json_t *value = json_string(values[i]);
    if (!value)
      return csp_bad_text(cmd);
    json_object_set_new(billing_options[i].in_address ? address : profile, billing_options[i].key,
                        value);
  }
  return 0;
}

int cmd_customers_billing_set(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *values[ARRAY_LEN(billing_options)] = {0};
  csp_opt opts[ARRAY_LEN(billing_options)];
  for (size_t i = 0; i < ARRAY_LEN(billing_options); i++)
    opts[i] = (csp_opt){billing_options[i].option, CSP_OPT_STR, &values[i]};
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), pos, 1, 1);
  if (rc != 0)
    return rc;
  bool any = false;
  for (size_t i = 0; i < ARRAY_LEN(values); i++)
    any = any || values[i];
  if (!any)
    return csp_usage_error(cmd, "give at least one property to change");

  /* PUT replaces the whole profile: start from the current one and its ETag. */
  char *path = csp_customer_path(ctx, pos[0], "/profiles/billing");
  json_t *profile = NULL;
  char *if_match = NULL;
  rc = csp_call_etag(ctx, "GET", path, NULL, NULL, NULL, CSP_AUTH_REQUIRED, &profile, &if_match);
  if (rc == 0 && (!json_is_object(profile) || !if_match)) {
    fprintf(stderr, "csp: the billing profile from %s came without an ETag\n", path);
    rc = -CSP_EXIT_SERVER;
  }
  if (rc == 0) {
    json_object_del(profile, "id");
    json_object_del(profile, "attributes");
    rc = csp_billing_change(cmd, profile, values);
  }
  json_t *updated = NULL;
  if (rc == 0)
    rc =
        csp_call_etag(ctx, "PUT", path, NULL, profile, if_match, CSP_AUTH_REQUIRED, &updated, NULL);
  if (rc == 0)
    rc = csp_print_object(ctx, updated, billing_fields, ARRAY_LEN(billing_fields));
  json_decref(updated);
  json_decref(profile);
  free(if_match);
  free(path);
  return rc;
}

/* ---- invitations ---- */

int cmd_customers_invite(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *provider = NULL;
  const char *reseller = NULL;
  bool mailto = false;
  const csp_opt opts[] = {
      {"provider", CSP_OPT_STR, &provider},
      {"reseller", CSP_OPT_STR, &reseller},
      {"mailto", CSP_OPT_FLAG, &mailto},
  };
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
  if (rc != 0)
    return rc;
  if (provider && reseller)
    return csp_usage_error(cmd, "--provider and --reseller exclude each other");
  csp_strlist query = {0};
  csp_query_add(&query, "indirectProviderId", provider);
  csp_query_add(&query, "indirectResellerId", reseller);
  json_t *request = NULL;
  rc = csp_call(ctx, "GET", CSP_CUSTOMERS_PATH "/relationshiprequests", &query, NULL,
                CSP_AUTH_REQUIRED, &request);
  csp_query_free(&query);
  if (rc != 0)
    return rc;
  if (ctx->json) {
    csp_print_json(request);
  } else if (mailto) {
    puts(csp_json_str(request, "draftEmail.mailto", "-"));
  } else {
    csp_print_fields(stdout, request, invitation_fields, ARRAY_LEN(invitation_fields));
    const char *text = csp_json_str(request, "draftEmail.body", "");
    size_t len = strlen(text);
    printf("\nSubject: %s\n\n%s%s", csp_json_str(request, "draftEmail.subject", "-"), text,
           len > 0 && text[len - 1] == '\n' ? "" : "\n");
  }
  json_decref(request);
  return 0;
}

/**
 * The invitation code of an argument: the code= parameter of an invitation
 * link (percent-decoded), or the argument itself.
 * @return owned by the caller (free()).
 */
static char *csp_invitation_code(csp_ctx *ctx, const char *arg) {
  for (const char *p = strstr(arg, "code="); p; p = strstr(p + 1, "code=")) {
    if (p > arg && (p[-1] == '?' || p[-1] == '&')) {
      const char *value = p + 5;
      char *raw = strndup(value, strcspn(value, "&#"));
      if (!raw) {
        fputs("csp: out of memory\n", stderr);
        exit(1);
      }
      char *code = csp_url_decode(ctx, raw);
      free(raw);
      return code;
    }
  }
  return csp_xstrdup(arg);
}

int cmd_customers_accept_invitation(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, pos, 1, 1);
  if (rc != 0)
    return rc;
  char *code = csp_invitation_code(ctx, pos[0]);
  json_t *body = *code ? json_pack("{s:s}", "code", code) : NULL;
  if (!*code)
    rc = csp_usage_error(cmd, "the invitation link has an empty code");
  else if (!body)
    rc = csp_bad_text(cmd);
  else
    rc = csp_show_fields(ctx, "POST", CSP_CUSTOMERS_PATH "/relationshiprequests/accept", NULL, body,
                         acceptance_fields, ARRAY_LEN(acceptance_fields));
  json_decref(body);
  free(code);
  return rc;
}

/* ---- relationship extensions ---- */

int cmd_customers_extend(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *provider = NULL;
  bool consent = false;
  const csp_opt opts[] = {
      {"provider", CSP_OPT_STR, &provider},
      {"consent", CSP_OPT_FLAG, &consent},
  };
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), pos, 1, 1);
  if (rc != 0)
    return rc;
  if (!provider)
    return csp_usage_error(cmd, "--provider is required");
  if (!consent)
    return csp_usage_error(
        cmd, "nothing sent: the customer must be informed and consent before an indirect "
             "provider takes it over\n"
             "  rule: R-EXT-7\n"
             "  remedy: inform the customer first; once it has consented, run the command "
             "again with --consent to attest that");
  json_t *body =
      json_pack("{s:s, s:b}", "indirectProviderId", provider, "customerConsentAttested", 1);
  if (!body)
    return csp_bad_text(cmd);
  char *path = csp_customer_path(ctx, pos[0], "/relationshipextensions");
  rc = csp_send_list(ctx, "POST", path, body, provider_cols, ARRAY_LEN(provider_cols));
  free(path);
  json_decref(body);
  return rc;
}

int cmd_customers_providers(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  char *path = NULL;
  int rc = csp_customer_id_args(ctx, cmd, argc, argv, "/relationshipextensions", &path);
  if (rc == 0)
    rc = csp_list(ctx, path, NULL, provider_cols, ARRAY_LEN(provider_cols));
  free(path);
  return rc;
}

/* ---- customer agreements ---- */

int cmd_agreements_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *type = NULL;
  const csp_opt opts[] = {{"type", CSP_OPT_STR, &type}};
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
  if (rc != 0)
    return rc;
  csp_strlist query = {0};
  csp_query_add(&query, "agreementType", type);
  rc = csp_list(ctx, "/v1/agreements", &query, agreement_meta_cols, ARRAY_LEN(agreement_meta_cols));
  csp_query_free(&query);
  return rc;
}

/**
 * The templateId of the current Microsoft Customer Agreement (the highest
 * versionRank), from GET /v1/agreements?agreementType=MicrosoftCustomerAgreement.
 * @param[out] out owned by the caller (free()).
 * @return 0 or -CSP_EXIT_x (printed).
 */
static int csp_mca_template(csp_ctx *ctx, char **out) {
  *out = NULL;
  csp_strlist query = {0};
  csp_query_add(&query, "agreementType", CSP_MCA_TYPE);
  json_t *coll = NULL;
  int rc = csp_get_all(ctx, "/v1/agreements", &query, &coll);
  csp_query_free(&query);
  if (rc != 0)
    return rc;
  const char *best = NULL;
  json_int_t best_rank = 0;
  size_t i;
  const json_t *item;
  json_array_foreach(json_object_get(coll, "items"), i, item) {
    const char *id = csp_json_str(item, "templateId", NULL);
    json_int_t rank = json_integer_value(json_object_get(item, "versionRank"));
    if (id && csp_streq_ci(csp_json_str(item, "agreementType", NULL), CSP_MCA_TYPE) &&
        (!best || rank > best_rank)) {
      best = id;
      best_rank = rank;
    }
  }
  if (best) {
    *out = csp_xstrdup(best);
  } else {
    fputs("csp: the server lists no " CSP_MCA_TYPE " template\n", stderr);
    rc = -CSP_EXIT_SERVER;
  }
  json_decref(coll);
  return rc;
}

int cmd_agreements_attest(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *first = NULL;
  const char *last = NULL;
  const char *email = NULL;
  const char *phone = NULL;
  const char *date = NULL;
  const csp_opt opts[] = {
      {"first-name", CSP_OPT_STR, &first}, {"last-name", CSP_OPT_STR, &last},
      {"email", CSP_OPT_STR, &email},      {"phone", CSP_OPT_STR, &phone},
      {"date", CSP_OPT_STR, &date},
  };
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), pos, 1, 1);
  if (rc != 0)
    return rc;
  if (!first || !last || !email)
    return csp_usage_error(cmd, "--first-name, --last-name and --email are required");
  char now[32];
  csp_format_time(time(NULL), now);

  char *template_id = NULL;
  rc = csp_mca_template(ctx, &template_id);
  if (rc != 0)
    return rc;
  json_t *body =
      json_pack("{s:{s:s, s:s, s:s, s:s*}, s:s, s:s, s:s}", "primaryContact", "firstName", first,
                "lastName", last, "email", email, "phoneNumber", phone, "templateId", template_id,
                "dateAgreed", date ? date : now, "type", CSP_MCA_TYPE);
  free(template_id);
  if (!body)
    return csp_bad_text(cmd);
  char *path = csp_customer_path(ctx, pos[0], "/agreements");
  rc =
      csp_show_fields(ctx, "POST", path, NULL, body, agreement_fields, ARRAY_LEN(agreement_fields));
  free(path);
  json_decref(body);
  return rc;
}

int cmd_agreements_show(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, pos, 1, 1);
  if (rc != 0)
    return rc;
  char *path = csp_customer_path(ctx, pos[0], "/agreements");
  char *status_path =
      csp_customer_path(ctx, pos[0], "/directSignedMicrosoftCustomerAgreementStatus");
  json_t *agreements = NULL;
  json_t *status = NULL;
  rc = csp_get_all(ctx, path, NULL, &agreements);
  if (rc == 0)
    rc = csp_call(ctx, "GET", status_path, NULL, NULL, CSP_AUTH_REQUIRED, &status);
  if (rc == 0) {
    /* --json: both answers as they came, in one document. */
    json_t *doc = json_pack("{s:O?, s:O?}", "agreements", agreements,
                            "directSignedMicrosoftCustomerAgreementStatus", status);
    csp_print_detail(ctx, doc, status, mca_status_fields, ARRAY_LEN(mca_status_fields), agreements,
                     agreement_cols, ARRAY_LEN(agreement_cols));
    json_decref(doc);
  }
  json_decref(status);
  json_decref(agreements);
  free(status_path);
  free(path);
  return rc;
}
