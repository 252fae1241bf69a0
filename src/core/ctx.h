/* ctx.h -- what a core operation knows of its caller.
 *
 * The core knows program rules and nothing of HTTP. Every operation takes a
 * struct cspd_ctx: the store session inside the current transaction, the
 * request arena, the authenticated principal, the cspd clock reading taken
 * when the request started, and an error slot the operation fills when it
 * refuses. Operations return 0 on success, CSPD_STORE_BUSY (to have the
 * transaction retried) or -1 with ctx->err set. */
#ifndef CSPD_CTX_H
#define CSPD_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "errors.h"

#define CSPD_GUID_LEN 36

enum cspd_tenant_kind {
  CSPD_TENANT_NONE = 0,
  CSPD_TENANT_OPERATOR,
  CSPD_TENANT_PARTNER,
  CSPD_TENANT_CUSTOMER,
};

/* Roles (SPEC §1) as a bit set. */
enum cspd_role {
  CSPD_ROLE_GLOBAL_ADMIN = 1u << 0,
  CSPD_ROLE_ADMIN_AGENT = 1u << 1,
  CSPD_ROLE_SALES_AGENT = 1u << 2,
  CSPD_ROLE_HELPDESK_AGENT = 1u << 3,
  CSPD_ROLE_BILLING_ADMIN = 1u << 4,
  CSPD_ROLE_CUSTOMER_ADMIN = 1u << 5,
  CSPD_ROLE_OPERATOR = 1u << 6,
};
#define CSPD_ROLES_PARTNER                                                                         \
  (CSPD_ROLE_GLOBAL_ADMIN | CSPD_ROLE_ADMIN_AGENT | CSPD_ROLE_SALES_AGENT |                        \
   CSPD_ROLE_HELPDESK_AGENT | CSPD_ROLE_BILLING_ADMIN)
#define CSPD_ROLES_ALL 0x7Fu

/** The authenticated caller, from a verified token. */
struct cspd_principal {
  char tenant_id[CSPD_GUID_LEN + 1];
  char user_id[CSPD_GUID_LEN + 1]; /* "" for App-only tokens */
  char app_id[CSPD_GUID_LEN + 1];  /* "" when signed in without an app */
  enum cspd_tenant_kind kind;
  unsigned roles;
  int64_t expires; /* unix seconds */
};

struct cspd_db; /* store session, see store/store.h */

struct cspd_err {
  enum cspd_error_id id;
  const char *detail;   /* arena string appended to the description, or NULL */
  const char *data[12]; /* extra strings for the "data" array */
  int ndata;
};

struct cspd_ctx {
  struct cspd_db *db;
  struct cspd_arena *arena;
  const struct cspd_principal *who; /* NULL for unauthenticated calls */
  int64_t now_ms;                   /* cspd clock at request start */
  bool sandbox;
  const char *base_url;          /* e.g. http://127.0.0.1:7700, for links in e-mails */
  const unsigned char *sign_key; /* the server's 32-byte key, for signed links */
  struct cspd_err err;
};

/** Record a refusal in @a c and return -1. @a fmt may be NULL. */
int cspd_fail(struct cspd_ctx *c, enum cspd_error_id id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** Add a string to the error's data array (at most 4). */
void cspd_fail_data(struct cspd_ctx *c, const char *s);

/** Role names <-> bits. */
const char *cspd_role_name(enum cspd_role r);
int cspd_role_parse(const char *name, unsigned *out);
/** Roles a user of @a kind may hold. */
unsigned cspd_roles_for_kind(enum cspd_tenant_kind kind);
const char *cspd_tenant_kind_name(enum cspd_tenant_kind k);
enum cspd_tenant_kind cspd_tenant_kind_parse(const char *s);

#endif
