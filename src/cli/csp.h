/*
 * csp — command-line client for the cspd REST API.
 *
 * Shared types of the client: invocation context, exit codes, the command
 * table entry and the small declarative option parser.
 *
 * Conventions used by every module of the client:
 *  - functions return int: 0 on success, a negative value on failure; where
 *    the failure maps to a process exit code the value is -CSP_EXIT_x;
 *  - a pointer documented as "owned by the caller" must be released by the
 *    caller with the function named next to it; "borrowed" pointers must not
 *    be freed and stay valid only as long as their owner.
 */
#ifndef CSP_CSP_H
#define CSP_CSP_H

#include <stdbool.h>
#include <stddef.h>

#ifndef CSP_VERSION
#define CSP_VERSION "0.1.0"
#endif

#define CSP_DEFAULT_URL "http://127.0.0.1:7700"

/** Process exit codes (documented in docs/cli.md and `csp --help`). */
enum csp_exit {
  CSP_EXIT_OK = 0,        /**< success */
  CSP_EXIT_REFUSED = 1,   /**< API refused the request (other 4xx) or local failure */
  CSP_EXIT_USAGE = 2,     /**< usage error */
  CSP_EXIT_AUTH = 3,      /**< not logged in, token expired, HTTP 401 */
  CSP_EXIT_FORBIDDEN = 4, /**< HTTP 403 */
  CSP_EXIT_NOT_FOUND = 5, /**< HTTP 404 */
  CSP_EXIT_CONFLICT = 6,  /**< HTTP 409 / 412 */
  CSP_EXIT_SERVER = 7,    /**< HTTP 5xx or connection failure */
};

struct csp_session;
struct json_t; /* jansson's json_t */

/** State of one `csp` invocation. */
typedef struct csp_ctx {
  const char *url_opt;         /**< --url value; borrowed from argv, may be NULL */
  char *base_url;              /**< effective base URL without trailing '/'; owned */
  bool json;                   /**< --json */
  bool verbose;                /**< --verbose */
  char correlation_id[37];     /**< MS-CorrelationId shared by all requests */
  struct csp_session *session; /**< cached login; owned, NULL when logged out */
  void *curl;                  /**< CURL easy handle, created lazily; owned */
} csp_ctx;

/** Up to CSP_MAX_LIST repeated option values; the strings are borrowed from argv. */
#define CSP_MAX_LIST 32
typedef struct csp_strlist {
  const char *v[CSP_MAX_LIST];
  size_t n;
} csp_strlist;

typedef struct csp_command csp_command;

/**
 * A command handler. argv holds the arguments after the command words
 * (argv[0] is the first argument, argc may be 0).
 * @return 0 on success or -CSP_EXIT_x.
 */
typedef int (*csp_handler)(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);

/** One row of the command table. */
struct csp_command {
  const char *name; /**< first command word, e.g. "partners" */
  const char
      *subname; /**< further words, space-separated, e.g. "list" or "settings set"; NULL for none */
  csp_handler handler;
  const char *usage;   /**< arguments after the command words */
  const char *summary; /**< one line */
  const char *options; /**< option help, one option per line; may be NULL */
  const char *example; /**< one example invocation; may be NULL */
};

/* ---- option parsing (args.c) ---- */

typedef enum csp_opt_kind {
  CSP_OPT_FLAG, /**< dest is bool* */
  CSP_OPT_STR,  /**< dest is const char**, borrowed from argv; last one wins */
  CSP_OPT_LIST, /**< dest is csp_strlist*, repeatable */
} csp_opt_kind;

typedef struct csp_opt {
  const char *name; /**< long name without the leading "--" */
  csp_opt_kind kind;
  void *dest;
} csp_opt;

/**
 * Parse a command's arguments. Accepts "--opt value", "--opt=value", "--" and
 * the global options --url, --json and --verbose anywhere.
 * @param[out] pos receives the positional arguments (borrowed from argv);
 *             must have room for max_pos entries, unused ones are set to NULL.
 * @return 0, or -CSP_EXIT_USAGE after printing a usage message.
 */
int csp_parse_args(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv, const csp_opt *opts,
                   size_t nopts, const char **pos, size_t min_pos, size_t max_pos);

/** Print "csp: <message>", the command's usage line and a hint. @return -CSP_EXIT_USAGE. */
int csp_usage_error(const csp_command *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** Print the full help of one command to stdout. */
void csp_print_command_help(const csp_command *cmd);

/** "partners list" or "login" into buf. @return buf. */
const char *csp_command_words(const csp_command *cmd, char *buf, size_t size);

/**
 * Confirm a step the user asked for, unless --yes (yes) was given: on a
 * terminal ask question (csp_confirm); without a terminal on standard input
 * refuse. The messages say not_done, e.g. "enrollment not submitted".
 * @return 0 to go ahead; -CSP_EXIT_USAGE without a terminal (pass --yes);
 *         -CSP_EXIT_REFUSED when the answer is not yes (messages printed).
 */
int csp_confirm_step(bool yes, const char *question, const char *not_done);

/** Report an argument that cannot go into a JSON body (not UTF-8). @return -CSP_EXIT_USAGE. */
int csp_bad_text(const csp_command *cmd);

/**
 * Read a JSON document from a file, or standard input for "-" (a command's
 * FILE|- argument).
 * @param[out] out the document, owned by the caller (json_decref()).
 * @return 0, or -CSP_EXIT_USAGE when it cannot be read or is not JSON (printed).
 */
int csp_read_json_arg(const csp_command *cmd, const char *path, struct json_t **out);

/* ---- helpers shared by the command modules ---- */

/**
 * The minor unit digits the server has for a currency, from
 * GET /v1/operator/fxrates (operator; cmd_operator.c).
 * @param[out] out the digits, or csp_currency_digits() for a currency the
 *             server does not list.
 * @return 0 or -CSP_EXIT_x (printed).
 */
int csp_fx_digits(csp_ctx *ctx, const char *currency, int *out);

/* ---- command handlers (cmd_*.c) ---- */

int cmd_login(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_logout(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_whoami(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);

int cmd_raw(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);

int cmd_partners_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_partners_show(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_partners_create(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_locations_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_locations_create(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_users_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_users_create(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_apps_create(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_profile_mpn(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_profile_legal(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_relationships_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);

int cmd_clock_show(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_clock_set(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_clock_advance(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_sandbox_reset(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_sandbox_seed(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_server_info(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_server_health(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);

int cmd_program_info(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_mpa_sign(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_mpa_status(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_enroll_indirect_reseller(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_enroll_status(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_enroll_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_agreement_accept(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);

int cmd_providers_find(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_partnerships_invite(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_partnerships_accept(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_partnerships_invitations(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);

int cmd_customers_create(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_customers_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_customers_show(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_customers_relationships(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_customers_billing(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_customers_billing_set(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_customers_remove_relationship(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_customers_invite(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_customers_accept_invitation(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_customers_extend(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_customers_providers(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_agreements_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_agreements_attest(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_agreements_show(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);

int cmd_offers_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_offers_show(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_offers_addons(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_orders_create(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_orders_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_orders_show(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_subscriptions_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_subscriptions_show(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_subscriptions_change(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_usage_record(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_transfers_eligibility(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_transfers_create(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_transfers_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_transfers_show(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_transfers_accept(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_transfers_reject(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_transfers_withdraw(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_invoices_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_invoices_show(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_billing_run(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_operator_catalog_import(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);

int cmd_operator_approve(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_operator_reject(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_operator_end_partnership(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_operator_settings(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_operator_settings_set(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_operator_membership_set(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_operator_revenue_add(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_operator_revenue_list(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_operator_directbill(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_operator_fxrates(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_operator_fxrates_set(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);

int cmd_notifications(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_audit(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_webhooks_show(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_webhooks_register(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_webhooks_update(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_webhooks_delete(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_webhooks_events(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_webhooks_deliveries(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);
int cmd_webhooks_test(csp_ctx *ctx, const csp_command *cmd, int argc, char **argv);

#endif /* CSP_CSP_H */
