/* ctx.c -- error slot and role names. */
#include "ctx.h"

#include <stdarg.h>
#include <string.h>
#include <strings.h>

int cspd_fail(struct cspd_ctx *c, enum cspd_error_id id, const char *fmt, ...) {
  c->err.id = id;
  c->err.detail = NULL;
  c->err.ndata = 0;
  if (fmt != NULL) {
    va_list ap;
    va_start(ap, fmt);
    c->err.detail = cspd_arena_vprintf(c->arena, fmt, ap);
    va_end(ap);
  }
  return -1;
}

void cspd_fail_data(struct cspd_ctx *c, const char *s) {
  if (c->err.ndata < (int)(sizeof c->err.data / sizeof c->err.data[0]))
    c->err.data[c->err.ndata++] = s;
}

static const struct {
  enum cspd_role role;
  const char *name;
} roles[] = {
    {CSPD_ROLE_GLOBAL_ADMIN, "global_admin"},   {CSPD_ROLE_ADMIN_AGENT, "admin_agent"},
    {CSPD_ROLE_SALES_AGENT, "sales_agent"},     {CSPD_ROLE_HELPDESK_AGENT, "helpdesk_agent"},
    {CSPD_ROLE_BILLING_ADMIN, "billing_admin"}, {CSPD_ROLE_CUSTOMER_ADMIN, "customer_admin"},
    {CSPD_ROLE_OPERATOR, "operator"},
};

const char *cspd_role_name(enum cspd_role r) {
  for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
    if (roles[i].role == r)
      return roles[i].name;
  return NULL;
}

int cspd_role_parse(const char *name, unsigned *out) {
  for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
    if (strcasecmp(roles[i].name, name) == 0) {
      *out = roles[i].role;
      return 0;
    }
  }
  return -1;
}

unsigned cspd_roles_for_kind(enum cspd_tenant_kind kind) {
  switch (kind) {
  case CSPD_TENANT_OPERATOR:
    return CSPD_ROLE_OPERATOR;
  case CSPD_TENANT_PARTNER:
    return CSPD_ROLES_PARTNER;
  case CSPD_TENANT_CUSTOMER:
    return CSPD_ROLE_CUSTOMER_ADMIN;
  default:
    return 0;
  }
}

const char *cspd_tenant_kind_name(enum cspd_tenant_kind k) {
  switch (k) {
  case CSPD_TENANT_OPERATOR:
    return "operator";
  case CSPD_TENANT_PARTNER:
    return "partner";
  case CSPD_TENANT_CUSTOMER:
    return "customer";
  default:
    return "none";
  }
}

enum cspd_tenant_kind cspd_tenant_kind_parse(const char *s) {
  if (s == NULL)
    return CSPD_TENANT_NONE;
  if (strcmp(s, "operator") == 0)
    return CSPD_TENANT_OPERATOR;
  if (strcmp(s, "partner") == 0)
    return CSPD_TENANT_PARTNER;
  if (strcmp(s, "customer") == 0)
    return CSPD_TENANT_CUSTOMER;
  return CSPD_TENANT_NONE;
}
