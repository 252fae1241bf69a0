/*
 * csp — partner program commands: program info, the MPA, the direct-bill →
 * indirect-reseller enrollment (review, submit, status, operator approval,
 * agreement), providers and partnership invitations.
 *
 * Lists go through csp_list(), plain resources through csp_show(); the
 * enrollment, which carries its whole review form, is printed as a short
 * list of fields by csp_enrollment_call().
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

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- formatters ---- */

/** "4100011 (global 4100001)" from an object with mpnId and globalMpnId. */
static char *fmt_partner_id(const json_t *value, const json_t *item) {
  const char *global = csp_json_str(item, "globalMpnId", NULL);
  const char *own = json_string_value(value);
  if (global && own && strcmp(global, own) != 0)
    return csp_xasprintf("%s (global PartnerID %s)", own, global);
  return csp_json_text(value);
}

/** "NL (market europe)" from an object with country and market. */
static char *fmt_country(const json_t *value, const json_t *item) {
  const char *market = csp_json_str(item, "market", NULL);
  if (market && *market && json_is_string(value))
    return csp_xasprintf("%s (market %s)", json_string_value(value), market);
  return csp_json_text(value);
}

/** "signed by N <E> on D" or "not signed" from an MPA object. */
static char *fmt_mpa(const json_t *value, const json_t *item) {
  (void)item;
  if (!json_is_true(json_object_get(value, "isAgreementSigned")))
    return csp_xstrdup("not signed");
  return csp_xasprintf("signed by %s <%s> on %s", csp_json_str(value, "signerName", "-"),
                       csp_json_str(value, "signerEmail", "-"),
                       csp_json_str(value, "dateSigned", "-"));
}

/** Program info's indirectResellerEnrollment: "ID: status, submitted D, agreement ..." or "none".
 */
static char *fmt_enrollment_summary(const json_t *value, const json_t *item) {
  (void)item;
  if (!json_is_object(value))
    return csp_xstrdup("none");
  return csp_xasprintf(
      "%s: %s, submitted %s, agreement %s", csp_json_str(value, "id", "-"),
      csp_json_str(value, "status", "-"), csp_json_str(value, "submittedDate", "-"),
      json_is_true(json_object_get(value, "agreementAccepted")) ? "accepted" : "not accepted");
}

/** Enrollment.agreement: "accepted on D" or "not accepted". */
static char *fmt_agreement(const json_t *value, const json_t *item) {
  (void)item;
  if (!json_is_true(json_object_get(value, "accepted")))
    return csp_xstrdup("not accepted");
  return csp_xasprintf("accepted on %s", csp_json_str(value, "acceptedDate", "-"));
}

/** The form's availability: "yes" or "no: <reason> (rule R-...)". */
static char *fmt_available(const json_t *value, const json_t *item) {
  if (json_is_true(value))
    return csp_xstrdup("yes");
  const char *rule = csp_json_str(item, "rule", NULL);
  return csp_xasprintf("no: %s%s%s%s", csp_json_str(item, "reason", "not available"),
                       rule ? " (rule " : "", rule ? rule : "", rule ? ")" : "");
}

/** The form's existingEnrollment: "ID (status)"; no row without one. */
static char *fmt_existing(const json_t *value, const json_t *item) {
  (void)item;
  if (!value)
    return NULL;
  return csp_xasprintf("%s (%s)", csp_json_str(value, "id", "-"),
                       csp_json_str(value, "status", "-"));
}

/** The form's missing profile fields; no row when nothing is missing. */
static char *fmt_missing(const json_t *value, const json_t *item) {
  (void)item;
  return json_array_size(value) > 0 ? csp_json_text(value) : NULL;
}

/* ---- columns and field lists ---- */

static const csp_column program_info_fields[] = {
    {"company", "companyName"},
    {"tenant", "tenantId"},
    {"PartnerID", "mpnId", fmt_partner_id},
    {"country", "country", fmt_country},
    {"MPA", "mpa", fmt_mpa},
    {"enrollment", "indirectResellerEnrollment", fmt_enrollment_summary},
};
static const csp_column program_cols[] = {
    {"PROGRAM", "program"},
    {"STATE", "state"},
    {"SINCE", "since"},
};
/* The review of the enrollment form: partner details, then availability. */
static const csp_column review_partner_fields[] = {
    {"company", "companyName"},
    {"tenant", "tenantId"},
    {"PartnerID", "mpnId", fmt_partner_id},
    {"country", "country", fmt_country},
    {"address", "address", csp_fmt_address},
    {"primary contact", "primaryContact", csp_fmt_contact},
    {"anniversary", "anniversaryDate"},
};
static const csp_column review_form_fields[] = {
    {"available", "available", fmt_available},
    {"missing", "missing", fmt_missing},
    {"enrollment", "existingEnrollment", fmt_existing},
};
static const csp_column enrollment_fields[] = {
    {"id", "id"},
    {"tenant", "tenantId"},
    {"program", "program"},
    {"status", "status"},
    {"contact", "primaryContactEmail"},
    {"submitted", "submittedDate"},
    {"decided", "decidedDate"},
    {"decided by", "decidedBy"},
    {"agreement", "agreement", fmt_agreement},
    {"etag", "attributes.etag"},
};
static const csp_column enrollment_cols[] = {
    {"ID", "id"},
    {"TENANT ID", "tenantId"},
    {"STATUS", "status"},
    {"SUBMITTED", "submittedDate"},
    {"DECIDED", "decidedDate"},
    {"AGREEMENT", "agreement", fmt_agreement},
    {"CONTACT", "primaryContactEmail"},
};
static const csp_column provider_cols[] = {
    {"TENANT ID", "tenantId"}, {"NAME", "name"},     {"MPN ID", "mpnId"},
    {"COUNTRY", "country"},    {"MARKET", "market"}, {"CONTACT", "primaryContact.email"},
};

/** Invitation: the reseller as invited, by PartnerID or e-mail. */
static char *fmt_invitee(const json_t *value, const json_t *item) {
  (void)value;
  const char *mpn = csp_json_str(item, "resellerMpnId", NULL);
  return csp_xstrdup(mpn ? mpn : csp_json_str(item, "email", "-"));
}

static const csp_column invitation_cols[] = {
    {"ID", "id"},
    {"DIRECTION", "direction"},
    {"PROVIDER", "providerName"},
    {"RESELLER", "", fmt_invitee},
    {"STATUS", "status"},
    {"CREATED", "createdDate"},
};

/* ---- program info, MPA ---- */

int cmd_program_info(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, NULL, 0, 0);
  if (rc != 0)
    return rc;
  json_t *info = NULL;
  rc = csp_call(ctx, "GET", "/v1/profiles/programinfo", NULL, NULL, CSP_AUTH_REQUIRED, &info);
  if (rc != 0)
    return rc;
  if (ctx->json) {
    csp_print_json(info);
  } else {
    csp_print_fields(stdout, info, program_info_fields, ARRAY_LEN(program_info_fields));
    putchar('\n');
    csp_print_list(ctx, json_object_get(info, "programs"), program_cols, ARRAY_LEN(program_cols));
  }
  json_decref(info);
  return 0;
}

int cmd_mpa_sign(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *name = NULL;
  const char *email = NULL;
  const csp_opt opts[] = {
      {"name", CSP_OPT_STR, &name},
      {"email", CSP_OPT_STR, &email},
  };
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
  if (rc != 0)
    return rc;
  if (!name || !email)
    return csp_usage_error(cmd, "--name and --email are required");
  json_t *body = json_pack("{s:s, s:s}", "signerName", name, "signerEmail", email);
  if (!body)
    return csp_bad_text(cmd);
  rc = csp_show(ctx, "POST", "/v1/agreements/mpa", NULL, body, NULL);
  json_decref(body);
  return rc;
}

int cmd_mpa_status(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *mpn_id = NULL;
  const char *tenant_id = NULL;
  const csp_opt opts[] = {
      {"mpn-id", CSP_OPT_STR, &mpn_id},
      {"tenant-id", CSP_OPT_STR, &tenant_id},
  };
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
  if (rc != 0)
    return rc;
  if (mpn_id && tenant_id)
    return csp_usage_error(cmd, "--mpn-id and --tenant-id exclude each other");
  if (!mpn_id && !tenant_id)
    return csp_show(ctx, "GET", "/v1/agreements/mpa", NULL, NULL, NULL);
  csp_strlist query = {0};
  csp_query_add(&query, "mpnId", mpn_id);
  csp_query_add(&query, "tenantId", tenant_id);
  rc = csp_show(ctx, "GET", "/v1/compliance/csp/agreementstatus", &query, NULL, NULL);
  csp_query_free(&query);
  return rc;
}

/* ---- enrollments ---- */

/** Print an Enrollment answer: its main fields, not the review form it carries. */
static int csp_enrollment_call(csp_ctx *ctx, const char *method, const char *path,
                               const json_t *body) {
  return csp_show_fields(ctx, method, path, NULL, body, enrollment_fields,
                         ARRAY_LEN(enrollment_fields));
}

/** Print the review of an enrollment form to out. */
static void csp_print_review(FILE *out, const json_t *form) {
  csp_cells rows = {0};
  csp_field_rows(&rows, json_object_get(form, "partner"), review_partner_fields,
                 ARRAY_LEN(review_partner_fields));
  csp_field_rows(&rows, form, review_form_fields, ARRAY_LEN(review_form_fields));
  fputs("Enrollment as indirect reseller -- please review your details:\n\n", out);
  csp_table(out, NULL, 2, (const char *const *)rows.v, rows.n / 2, 2);
  const char *note = csp_json_str(form, "tenantNote", NULL);
  if (note)
    fprintf(out, "\n%s\n", note);
  fputc('\n', out);
  csp_cells_free(&rows);
}

/**
 * Refuse to submit a form the server would refuse anyway (message printed),
 * checked in the server's order: incomplete profile (400, R-ENR-2), not
 * available (403, R-ENR-1 / R-ENR-4), enrolled already (409; a rejected
 * enrollment may be submitted again).
 * @return 0 when the form can be submitted, else -CSP_EXIT_x.
 */
static int csp_check_form(const json_t *form) {
  const json_t *missing = json_object_get(form, "missing");
  if (json_array_size(missing) > 0) {
    char *list = csp_json_text(missing);
    fprintf(stderr, "csp: the partner profile is incomplete; missing: %s\n  rule: R-ENR-2\n", list);
    free(list);
    return -CSP_EXIT_REFUSED;
  }
  if (!json_is_true(json_object_get(form, "available"))) {
    const char *rule = csp_json_str(form, "rule", NULL);
    fprintf(stderr, "csp: the enrollment is not available: %s\n",
            csp_json_str(form, "reason", "no reason given"));
    if (rule)
      fprintf(stderr, "  rule: %s\n", rule);
    return -CSP_EXIT_FORBIDDEN;
  }
  const json_t *existing = json_object_get(form, "existingEnrollment");
  const char *status = csp_json_str(existing, "status", "-");
  if (existing && strcmp(status, "rejected") != 0) {
    fprintf(stderr,
            "csp: this tenant is already enrolled (enrollment %s, status %s); see 'csp enroll "
            "status'\n",
            csp_json_str(existing, "id", "-"), status);
    return -CSP_EXIT_CONFLICT;
  }
  return 0;
}

int cmd_enroll_indirect_reseller(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  bool yes = false;
  const char *contact_email = NULL;
  const csp_opt opts[] = {
      {"yes", CSP_OPT_FLAG, &yes},
      {"contact-email", CSP_OPT_STR, &contact_email},
  };
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
  if (rc != 0)
    return rc;

  csp_strlist query = {0};
  csp_query_add(&query, "program", "indirect_reseller");
  json_t *form = NULL;
  rc = csp_call(ctx, "GET", "/v1/enrollments/form", &query, NULL, CSP_AUTH_REQUIRED, &form);
  csp_query_free(&query);
  if (rc != 0)
    return rc;
  /* With --json stdout carries only the enrollment; the review goes to stderr. */
  csp_print_review(ctx->json ? stderr : stdout, form);
  fflush(stdout); /* the review before any message on stderr */
  rc = csp_check_form(form);

  const char *etag = csp_json_str(form, "profileEtag", NULL);
  if (rc == 0 && !etag) {
    fputs("csp: the enrollment form has no profileEtag\n", stderr);
    rc = -CSP_EXIT_SERVER;
  }
  if (rc == 0)
    rc = csp_confirm_step(yes, "Submit enrollment?", "enrollment not submitted");
  if (rc == 0) {
    json_t *body = json_pack("{s:s, s:s, s:s*}", "program", "indirect_reseller", "profileEtag",
                             etag, "primaryContactEmail", contact_email);
    rc = body ? csp_enrollment_call(ctx, "POST", "/v1/enrollments", body) : csp_bad_text(cmd);
    json_decref(body);
  }
  json_decref(form);
  return rc;
}

/** List enrollments (GET /v1/enrollments[?status=S]) as a table. */
static int csp_enrollment_list(csp_ctx *ctx, const char *status) {
  csp_strlist query = {0};
  csp_query_add(&query, "status", status);
  int rc = csp_list(ctx, "/v1/enrollments", &query, enrollment_cols, ARRAY_LEN(enrollment_cols));
  csp_query_free(&query);
  return rc;
}

int cmd_enroll_status(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, NULL, 0, 0);
  if (rc != 0)
    return rc;
  return csp_enrollment_list(ctx, NULL);
}

int cmd_enroll_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *status = NULL;
  const csp_opt opts[] = {{"status", CSP_OPT_STR, &status}};
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
  if (rc != 0)
    return rc;
  return csp_enrollment_list(ctx, status);
}

/**
 * The caller's own enrollment id, from GET /v1/enrollments.
 * @param[out] out owned by the caller (free()).
 * @return 0 or -CSP_EXIT_x (printed).
 */
static int csp_own_enrollment_id(csp_ctx *ctx, const csp_command *cmd, char **out) {
  *out = NULL;
  json_t *coll = NULL;
  int rc = csp_get_all(ctx, "/v1/enrollments", NULL, &coll);
  if (rc != 0)
    return rc;
  const json_t *items = json_object_get(coll, "items");
  const char *id = csp_json_str(json_array_get(items, 0), "id", NULL);
  if (json_array_size(items) > 1) {
    rc = csp_usage_error(cmd, "you can see %zu enrollments; give ENROLLMENT_ID",
                         json_array_size(items));
  } else if (!id) {
    fputs("csp: your tenant has no enrollment; run 'csp enroll indirect-reseller' first\n", stderr);
    rc = -CSP_EXIT_NOT_FOUND;
  } else {
    *out = csp_xstrdup(id);
  }
  json_decref(coll);
  return rc;
}

/**
 * POST /v1/enrollments/{id}{action} with body and print the enrollment: the
 * common path of agreement accept, operator approve and operator reject.
 */
static int csp_enrollment_action(csp_ctx *ctx, const char *id, const char *action,
                                 const json_t *body) {
  char *path = csp_id_path(ctx, "/v1/enrollments", id, action);
  int rc = csp_enrollment_call(ctx, "POST", path, body);
  free(path);
  return rc;
}

int cmd_agreement_accept(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, pos, 0, 1);
  if (rc != 0)
    return rc;
  char *id = pos[0] ? csp_xstrdup(pos[0]) : NULL;
  if (!id)
    rc = csp_own_enrollment_id(ctx, cmd, &id);
  if (rc == 0)
    rc = csp_enrollment_action(ctx, id, "/agreement/accept", NULL);
  free(id);
  return rc;
}

int cmd_operator_approve(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, pos, 1, 1);
  if (rc != 0)
    return rc;
  return csp_enrollment_action(ctx, pos[0], "/approve", NULL);
}

int cmd_operator_reject(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *reason = NULL;
  const csp_opt opts[] = {{"reason", CSP_OPT_STR, &reason}};
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), pos, 1, 1);
  if (rc != 0)
    return rc;
  json_t *body = json_pack("{s:s*}", "reason", reason);
  if (!body)
    return csp_bad_text(cmd);
  rc = csp_enrollment_action(ctx, pos[0], "/reject", body);
  json_decref(body);
  return rc;
}

/* ---- providers and partnerships ---- */

int cmd_providers_find(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *market = NULL;
  const csp_opt opts[] = {{"market", CSP_OPT_STR, &market}};
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
  if (rc != 0)
    return rc;
  csp_strlist query = {0};
  csp_query_add(&query, "market", market);
  rc = csp_list(ctx, "/v1/providers", &query, provider_cols, ARRAY_LEN(provider_cols));
  csp_query_free(&query);
  return rc;
}

int cmd_partnerships_invite(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *mpn_id = NULL;
  const char *email = NULL;
  const csp_opt opts[] = {
      {"mpn-id", CSP_OPT_STR, &mpn_id},
      {"email", CSP_OPT_STR, &email},
  };
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
  if (rc != 0)
    return rc;
  if (!mpn_id == !email)
    return csp_usage_error(cmd, "give exactly one of --mpn-id and --email");
  json_t *body = json_pack("{s:s*, s:s*}", "resellerMpnId", mpn_id, "email", email);
  if (!body)
    return csp_bad_text(cmd);
  rc = csp_show(ctx, "POST", "/v1/partnerships/invitations", NULL, body, NULL);
  json_decref(body);
  return rc;
}

int cmd_partnerships_accept(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, pos, 1, 1);
  if (rc != 0)
    return rc;
  char *path = csp_id_path(ctx, "/v1/partnerships/invitations", pos[0], "/accept");
  rc = csp_show(ctx, "POST", path, NULL, NULL, NULL);
  free(path);
  return rc;
}

int cmd_partnerships_invitations(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, NULL, 0, 0);
  if (rc != 0)
    return rc;
  return csp_list(ctx, "/v1/partnerships/invitations", NULL, invitation_cols,
                  ARRAY_LEN(invitation_cols));
}
