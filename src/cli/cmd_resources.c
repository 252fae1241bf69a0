/*
 * csp — typed commands on API resources: partners, locations, users, apps,
 * profiles, relationships (also used by `partnerships list`). Every list goes
 * through csp_list(), every single resource through csp_show(), so the
 * printing lives in output.c only.
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

/* Table columns of the list commands. */
static const csp_column partner_cols[] = {
    {"ID", "id"},
    {"MPN ID", "mpnId"},
    {"COMPANY NAME", "companyName"},
    {"CREATED", "createdDate"},
};
static const csp_column location_cols[] = {
    {"TENANT ID", "tenantId"},       {"MPN ID", "mpnId"},  {"COUNTRY", "country"},
    {"COMPANY NAME", "companyName"}, {"MARKET", "market"}, {"CURRENCY", "currency"},
};
static const csp_column user_cols[] = {
    {"ID", "id"},       {"EMAIL", "email"},         {"DISPLAY NAME", "displayName"},
    {"ROLES", "roles"}, {"CREATED", "createdDate"},
};
static const csp_column relationship_cols[] = {
    {"ID", "id"},       {"NAME", "name"},    {"TYPE", "relationshipType"},
    {"STATE", "state"}, {"MPN ID", "mpnId"},
};

int cmd_partners_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, NULL, 0, 0);
  if (rc != 0)
    return rc;
  return csp_list(ctx, "/v1/partners", NULL, partner_cols, ARRAY_LEN(partner_cols));
}

int cmd_partners_show(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, pos, 1, 1);
  if (rc != 0)
    return rc;
  char *path = csp_id_path(ctx, "/v1/partners", pos[0], NULL);
  rc = csp_show(ctx, "GET", path, NULL, NULL, NULL);
  free(path);
  return rc;
}

int cmd_partners_create(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *name = NULL;
  const char *mpn_id = NULL;
  const csp_opt opts[] = {
      {"name", CSP_OPT_STR, &name},
      {"mpn-id", CSP_OPT_STR, &mpn_id},
  };
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
  if (rc != 0)
    return rc;
  if (!name)
    return csp_usage_error(cmd, "--name is required");
  json_t *body = json_pack("{s:s, s:s*}", "companyName", name, "mpnId", mpn_id);
  if (!body)
    return csp_bad_text(cmd);
  rc = csp_show(ctx, "POST", "/v1/partners", NULL, body, NULL);
  json_decref(body);
  return rc;
}

int cmd_locations_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, pos, 1, 1);
  if (rc != 0)
    return rc;
  char *path = csp_id_path(ctx, "/v1/partners", pos[0], "/locations");
  rc = csp_list(ctx, path, NULL, location_cols, ARRAY_LEN(location_cols));
  free(path);
  return rc;
}

int cmd_locations_create(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *country = NULL;
  const char *name = NULL;
  const char *email = NULL;
  const char *first = NULL;
  const char *last = NULL;
  const char *mpn_id = NULL;
  const csp_opt opts[] = {
      {"country", CSP_OPT_STR, &country}, {"name", CSP_OPT_STR, &name},
      {"email", CSP_OPT_STR, &email},     {"first-name", CSP_OPT_STR, &first},
      {"last-name", CSP_OPT_STR, &last},  {"mpn-id", CSP_OPT_STR, &mpn_id},
  };
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), pos, 1, 1);
  if (rc != 0)
    return rc;
  if (!country)
    return csp_usage_error(cmd, "--country is required");
  if (!first != !last)
    return csp_usage_error(cmd, "--first-name and --last-name go together");

  json_t *body =
      json_pack("{s:s, s:s*, s:s*}", "country", country, "companyName", name, "mpnId", mpn_id);
  if (!body)
    return csp_bad_text(cmd);
  if (email || first) {
    json_t *contact =
        json_pack("{s:s*, s:s*, s:s*}", "firstName", first, "lastName", last, "email", email);
    if (!contact) {
      json_decref(body);
      return csp_bad_text(cmd);
    }
    json_object_set_new(body, "primaryContact", contact);
  }
  char *path = csp_id_path(ctx, "/v1/partners", pos[0], "/locations");
  rc = csp_show(ctx, "POST", path, NULL, body, NULL);
  free(path);
  json_decref(body);
  return rc;
}

int cmd_users_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, pos, 1, 1);
  if (rc != 0)
    return rc;
  char *path = csp_id_path(ctx, "/v1/tenants", pos[0], "/users");
  rc = csp_list(ctx, path, NULL, user_cols, ARRAY_LEN(user_cols));
  free(path);
  return rc;
}

int cmd_users_create(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *email = NULL;
  const char *name = NULL;
  const char *password = NULL;
  bool password_stdin = false;
  csp_strlist roles = {0};
  const csp_opt opts[] = {
      {"email", CSP_OPT_STR, &email},
      {"name", CSP_OPT_STR, &name},
      {"role", CSP_OPT_LIST, &roles},
      {"password", CSP_OPT_STR, &password},
      {"password-stdin", CSP_OPT_FLAG, &password_stdin},
  };
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), pos, 1, 1);
  if (rc != 0)
    return rc;
  if (!email || !name || roles.n == 0)
    return csp_usage_error(cmd, "--email, --name and at least one --role are required");
  if (password && password_stdin)
    return csp_usage_error(cmd, "--password and --password-stdin exclude each other");

  char *secret = NULL; /* owned; wiped by csp_secret_free */
  if (password) {
    secret = csp_xstrdup(password);
  } else if (password_stdin) {
    if (csp_read_secret(NULL, &secret) != 0)
      return csp_usage_error(cmd, "no password on standard input");
  } else if (csp_stdin_is_tty()) {
    char *prompt = csp_xasprintf("Password for the new user %s: ", email);
    int got = csp_read_secret(prompt, &secret);
    free(prompt);
    if (got != 0)
      return csp_usage_error(cmd, "no password entered");
  }
  /* Without any password source the field is left out and the server decides. */

  json_t *body = json_pack("{s:s, s:s, s:s*, s:o}", "email", email, "displayName", name, "password",
                           secret, "roles", csp_string_array(&roles));
  if (!body) {
    csp_secret_free(secret);
    return csp_bad_text(cmd);
  }
  char *path = csp_id_path(ctx, "/v1/tenants", pos[0], "/users");
  rc = csp_show(ctx, "POST", path, NULL, body, NULL);
  free(path);
  if (secret) {
    /* Wipe the copy of the password held by the JSON body. */
    json_t *pw = json_object_get(body, "password");
    if (json_is_string(pw))
      explicit_bzero((char *)json_string_value(pw), json_string_length(pw));
  }
  json_decref(body);
  csp_secret_free(secret);
  return rc;
}

int cmd_apps_create(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *name = NULL;
  csp_strlist roles = {0};
  const csp_opt opts[] = {
      {"name", CSP_OPT_STR, &name},
      {"role", CSP_OPT_LIST, &roles},
  };
  const char *pos[1];
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), pos, 1, 1);
  if (rc != 0)
    return rc;
  if (!name)
    return csp_usage_error(cmd, "--name is required");
  json_t *role_arr = roles.n > 0 ? csp_string_array(&roles) : NULL;
  if (roles.n > 0 && !role_arr)
    return csp_bad_text(cmd);
  /* "o*" steals role_arr, also when json_pack fails. */
  json_t *body = json_pack("{s:s, s:o*}", "displayName", name, "roles", role_arr);
  if (!body)
    return csp_bad_text(cmd);
  char *path = csp_id_path(ctx, "/v1/tenants", pos[0], "/apps");
  rc = csp_show(ctx, "POST", path, NULL, body, NULL);
  free(path);
  json_decref(body);
  if (rc == 0)
    csp_note_shown_once(ctx, "client secret");
  return rc;
}

int cmd_profile_mpn(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  const char *mpn_id = NULL;
  const csp_opt opts[] = {{"mpn-id", CSP_OPT_STR, &mpn_id}};
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
  if (rc != 0)
    return rc;
  csp_strlist query = {0};
  csp_query_add(&query, "mpnId", mpn_id);
  rc = csp_show(ctx, "GET", "/v1/profiles/mpn", &query, NULL, NULL);
  csp_query_free(&query);
  return rc;
}

int cmd_profile_legal(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  int rc = csp_parse_args(ctx, cmd, argc, argv, NULL, 0, NULL, 0, 0);
  if (rc != 0)
    return rc;
  return csp_show(ctx, "GET", "/v1/profiles/legalbusiness", NULL, NULL, NULL);
}

int cmd_relationships_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv) {
  /* Accepted as written in requests or as they appear in answers. */
  static const char *const types[] = {"IsIndirectResellerOf", "IsIndirectCloudSolutionProviderOf"};
  static const char *const answer_types[] = {"is_indirect_reseller_of",
                                             "is_indirect_cloud_solution_provider_of"};
  const char *type = NULL;
  const csp_opt opts[] = {{"type", CSP_OPT_STR, &type}};
  int rc = csp_parse_args(ctx, cmd, argc, argv, opts, ARRAY_LEN(opts), NULL, 0, 0);
  if (rc != 0)
    return rc;
  csp_strlist query = {0};
  if (type) {
    const char *canonical = NULL;
    for (size_t i = 0; i < ARRAY_LEN(types); i++) {
      if (csp_streq_ci(type, types[i]) || csp_streq_ci(type, answer_types[i]))
        canonical = types[i];
    }
    if (!canonical)
      return csp_usage_error(cmd, "--type must be %s or %s", types[0], types[1]);
    csp_query_add(&query, "relationship_type", canonical);
  }
  rc = csp_list(ctx, "/v1/relationships", &query, relationship_cols, ARRAY_LEN(relationship_cols));
  csp_query_free(&query);
  return rc;
}
