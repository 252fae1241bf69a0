/*
 * csp — command-line client for the cspd REST API (Partner Center compatible).
 *
 * main(): global options, the command table, dispatch and help.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "csp.h"
#include "http.h"
#include "output.h"
#include "session.h"
#include "util.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* clang-format off */
static const csp_command commands[] = {
    {"login", NULL, cmd_login,
     "[--url URL] [--tenant T] (--user EMAIL [--password PW | --password-stdin] | "
     "--client-id ID (--client-secret S | --client-secret-stdin))",
     "Sign in and cache the token ($XDG_CONFIG_HOME/csp/session.json).",
     "  --tenant T              tenant GUID, 'common' (default) or 'organizations'\n"
     "  --user EMAIL            user login (grant_type=password)\n"
     "  --password PW           the password (visible to other local users; prefer --password-stdin)\n"
     "  --password-stdin        read the password from the first line of standard input\n"
     "                          (without either, a terminal prompts without echo)\n"
     "  --client-id ID          app login (grant_type=client_credentials); with --user: the client_id\n"
     "  --client-secret S       the app's secret\n"
     "  --client-secret-stdin   read the secret from the first line of standard input\n",
     "csp login --user admin@contoso.example --password-stdin < pw.txt"},
    {"logout", NULL, cmd_logout, "", "Remove the cached session.", NULL, "csp logout"},
    {"whoami", NULL, cmd_whoami, "",
     "Show the cached identity: tenant, kind, user, roles, expiry, partner.",
     NULL, "csp whoami"},

    {"get", NULL, cmd_raw, "PATH [--query K=V ...]",
     "Send GET PATH and print the JSON answer pretty-printed.",
     "  --query K=V             add a query parameter (repeatable; URL-encoded for you)\n",
     "csp get /v1/partners --query size=10"},
    {"post", NULL, cmd_raw, "PATH [--data JSON | --data-file F|-] [--query K=V ...]",
     "Send POST PATH with a JSON body and print the answer.",
     "  --data JSON             the request body (checked to be JSON)\n"
     "  --data-file F|-         read the body from file F or standard input\n"
     "  --query K=V             add a query parameter (repeatable)\n",
     "csp post /v1/partners --data '{\"companyName\":\"Fabrikam\"}'"},
    {"put", NULL, cmd_raw, "PATH [--data JSON | --data-file F|-] [--if-match ETAG] [--query K=V ...]",
     "Send PUT PATH with a JSON body and print the answer.",
     "  --data JSON             the request body (checked to be JSON)\n"
     "  --data-file F|-         read the body from file F or standard input\n"
     "  --if-match ETAG         send If-Match (optimistic concurrency)\n"
     "  --query K=V             add a query parameter (repeatable)\n",
     "csp put /_cspd/clock --data '{\"now\":\"2026-11-22T10:00:00Z\"}'"},
    {"patch", NULL, cmd_raw, "PATH [--data JSON | --data-file F|-] [--if-match ETAG] [--query K=V ...]",
     "Send PATCH PATH with a JSON body and print the answer.",
     "  --data JSON             the request body (checked to be JSON)\n"
     "  --data-file F|-         read the body from file F or standard input\n"
     "  --if-match ETAG         send If-Match (optimistic concurrency)\n"
     "  --query K=V             add a query parameter (repeatable)\n",
     "csp patch /v1/customers/ID --data-file patch.json --if-match 'W/\"3\"'"},
    {"delete", NULL, cmd_raw, "PATH [--if-match ETAG] [--query K=V ...]",
     "Send DELETE PATH and print the answer, if any.",
     "  --if-match ETAG         send If-Match\n"
     "  --query K=V             add a query parameter (repeatable)\n",
     "csp delete /v1/some/resource"},

    {"partners", "list", cmd_partners_list, "", "List partner organizations (all pages).", NULL,
     "csp partners list"},
    {"partners", "show", cmd_partners_show, "ID", "Show one partner organization.", NULL,
     "csp partners show 3f2c...-..."},
    {"partners", "create", cmd_partners_create, "--name NAME [--mpn-id X]",
     "Create a partner organization (operator role).",
     "  --name NAME             company name\n"
     "  --mpn-id X              MPN (PartnerID) to use instead of a generated one\n",
     "csp partners create --name 'Contoso Ltd' --mpn-id 1234567"},
    {"locations", "list", cmd_locations_list, "PARTNER_ID", "List the locations of a partner organization.",
     NULL, "csp locations list 3f2c...-..."},
    {"locations", "create", cmd_locations_create,
     "PARTNER_ID --country CC [--name N] [--email E] [--first-name F --last-name L] [--mpn-id X]",
     "Create a partner location (a tenant) in a country.",
     "  --country CC            ISO 3166 two-letter country code\n"
     "  --name N                company name of the location\n"
     "  --email E               primary contact e-mail\n"
     "  --first-name F          primary contact first name (with --last-name)\n"
     "  --last-name L           primary contact last name (with --first-name)\n"
     "  --mpn-id X              location MPN ID instead of a generated one\n",
     "csp locations create 3f2c...-... --country DE --name 'Contoso GmbH' --email ops@contoso.example"},
    {"users", "list", cmd_users_list, "TENANT_ID", "List the users of a tenant.", NULL,
     "csp users list 9a1b...-..."},
    {"users", "create", cmd_users_create,
     "TENANT_ID --email E --name N --role R [--role R2 ...] [--password-stdin | --password PW]",
     "Create a user in a tenant (operator or the tenant's global_admin).",
     "  --email E               sign-in e-mail\n"
     "  --name N                display name\n"
     "  --role R                role (repeatable): global_admin, admin_agent, sales_agent,\n"
     "                          helpdesk_agent, billing_admin, customer_admin, operator\n"
     "  --password PW           initial password\n"
     "  --password-stdin        read the password from standard input\n"
     "                          (without either, a terminal prompts without echo)\n",
     "csp users create 9a1b...-... --email agent@contoso.example --name Agent --role admin_agent --password-stdin"},
    {"apps", "create", cmd_apps_create, "TENANT_ID --name N [--role R ...]",
     "Register an app; prints clientId and clientSecret (shown once).",
     "  --name N                display name\n"
     "  --role R                application role (repeatable)\n",
     "csp apps create 9a1b...-... --name billing-sync --role admin_agent"},
    {"profile", "mpn", cmd_profile_mpn, "[--mpn-id X]",
     "Show your location's MPN profile, or any partner's by MPN ID.",
     "  --mpn-id X              look up this MPN ID / global PartnerID\n",
     "csp profile mpn --mpn-id 1234567"},
    {"profile", "legal", cmd_profile_legal, "", "Show your legal business profile.", NULL,
     "csp profile legal"},
    {"relationships", "list", cmd_relationships_list,
     "[--type IsIndirectResellerOf|IsIndirectCloudSolutionProviderOf]",
     "List partner relationships (all pages).",
     "  --type T                only relationships of this type\n",
     "csp relationships list --type IsIndirectResellerOf"},

    {"clock", NULL, cmd_clock_show, "", "Show the sandbox clock.", NULL, "csp clock"},
    {"clock", "set", cmd_clock_set, "RFC3339 [--frozen]",
     "Set the sandbox clock (operator); it keeps running unless --frozen.",
     "  --frozen                stop the clock at that time\n",
     "csp clock set 2026-12-01T00:00:00Z --frozen"},
    {"clock", "advance", cmd_clock_advance, "[--days N] [--hours N] [--minutes N] [--seconds N]",
     "Move the sandbox clock forward (operator).",
     "  --days N, --hours N, --minutes N, --seconds N   amounts to add (at least one)\n",
     "csp clock advance --days 30"},
    {"sandbox", "reset", cmd_sandbox_reset, "[--partner ID]",
     "Reset the sandbox, or remove one partner organization (operator).",
     "  --partner ID            remove only this partner organization and all it owns\n",
     "csp sandbox reset"},
    {"sandbox", "seed", cmd_sandbox_seed, "FILE|-", "Load a fixtures document (docs/fixtures.md).",
     NULL, "csp sandbox seed fixtures.json"},
    {"server", "info", cmd_server_info, "", "Show server version, store and mode (no login needed).",
     NULL, "csp server info"},
    {"server", "health", cmd_server_health, "", "Check the server health (no login needed).", NULL,
     "csp server health"},
};
/* clang-format on */

static const char exit_code_help[] =
    "Exit codes:\n"
    "  0  success\n"
    "  1  the API refused the request (HTTP 4xx not listed below) or a local failure\n"
    "  2  usage error\n"
    "  3  not logged in, token expired, or HTTP 401\n"
    "  4  forbidden (HTTP 403)\n"
    "  5  not found (HTTP 404)\n"
    "  6  conflict or failed precondition (HTTP 409, 412)\n"
    "  7  server error (HTTP 5xx) or connection failure\n";

/** Print the list of commands (all, or those named name) as an aligned table. */
static void csp_print_command_list(FILE *out, const char *name)
{
    csp_cells rows = {0};
    for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
        const csp_command *c = &commands[i];
        if (name && strcmp(c->name, name) != 0)
            continue;
        csp_cells_push(&rows, csp_xasprintf("%s%s%s", c->name, c->subname ? " " : "",
                                            c->subname ? c->subname : ""));
        csp_cells_add(&rows, c->summary);
    }
    csp_table(out, NULL, 2, (const char *const *)rows.v, rows.n / 2, 2);
    csp_cells_free(&rows);
}

static void csp_print_main_help(FILE *out)
{
    fprintf(out,
            "csp %s — command-line client for cspd (Partner Center compatible API)\n\n"
            "Usage: csp [--url URL] [--json] [--verbose] COMMAND [SUBCOMMAND] [ARGS...]\n"
            "       csp COMMAND [SUBCOMMAND] --help\n\n"
            "Commands:\n",
            CSP_VERSION);
    csp_print_command_list(out, NULL);
    fprintf(out,
            "\nGlobal options (before the command; also accepted after it):\n"
            "  --url URL      server base URL; default: the logged-in session's URL,\n"
            "                 then $CSP_URL, then %s\n"
            "                 (login: $CSP_URL before the previous session's URL)\n"
            "  --json         print the raw JSON instead of tables\n"
            "  --verbose      print each request line, status and MS-RequestId /\n"
            "                 MS-CorrelationId to stderr\n"
            "  -h, --help     show help (for any command or subcommand too)\n"
            "  --version      print the version\n\n"
            "%s\n"
            "Environment: CSP_URL (default server), XDG_CONFIG_HOME (session location,\n"
            "default ~/.config/csp/session.json).\n",
            CSP_DEFAULT_URL, exit_code_help);
}

/** Help for "csp NAME --help" when NAME has subcommands. */
static void csp_print_group_help(const char *name)
{
    printf("Usage: csp %s SUBCOMMAND [ARGS...]\n\nSubcommands:\n", name);
    csp_print_command_list(stdout, name);
    printf("\nRun 'csp %s SUBCOMMAND --help' for the options of one subcommand.\n", name);
}

/** @return true when a command with this first word exists. */
static bool csp_has_command(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
        if (strcmp(commands[i].name, name) == 0)
            return true;
    }
    return false;
}

/**
 * Find the command for argv[0] (and argv[1] as subcommand).
 * @param[out] words number of argv entries consumed (1 or 2).
 * @return the command, or NULL when argv[0] needs a subcommand that is missing/unknown.
 */
static const csp_command *csp_find_command(int argc, char **argv, int *words)
{
    const csp_command *bare = NULL;
    for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
        const csp_command *c = &commands[i];
        if (strcmp(c->name, argv[0]) != 0)
            continue;
        if (!c->subname) {
            bare = c;
        } else if (argc > 1 && strcmp(c->subname, argv[1]) == 0) {
            *words = 2;
            return c;
        }
    }
    *words = 1;
    return bare;
}

/** @return true when -h/--help appears before a "--". */
static bool csp_wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            return false;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return true;
    }
    return false;
}

/** Parse the global options in front of the command. @return index of the command word or -exit. */
static int csp_parse_globals(csp_ctx *ctx, int argc, char **argv, bool *help, bool *version)
{
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-')
            break;
        if (strcmp(a, "--json") == 0) {
            ctx->json = true;
        } else if (strcmp(a, "--verbose") == 0) {
            ctx->verbose = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            *help = true;
        } else if (strcmp(a, "--version") == 0) {
            *version = true;
        } else if (strcmp(a, "--url") == 0) {
            if (i + 1 >= argc)
                return csp_usage_error(NULL, "option '--url' needs a value");
            ctx->url_opt = argv[++i];
        } else if (strncmp(a, "--url=", 6) == 0) {
            ctx->url_opt = a + 6;
        } else {
            return csp_usage_error(NULL, "unknown option '%s'", a);
        }
    }
    return i;
}

/** Run the program. @return 0 or -CSP_EXIT_x. */
static int csp_run(csp_ctx *ctx, int argc, char **argv)
{
    bool help = false;
    bool version = false;
    int first = csp_parse_globals(ctx, argc, argv, &help, &version);
    if (first < 0)
        return first;
    if (version) {
        printf("csp %s (libcurl %s, jansson %s)\n", CSP_VERSION,
               curl_version_info(CURLVERSION_NOW)->version, jansson_version_str());
        return 0;
    }
    if (first >= argc) {
        csp_print_main_help(help ? stdout : stderr);
        return help ? 0 : -CSP_EXIT_USAGE;
    }

    int cmd_argc = argc - first;
    char **cmd_argv = argv + first;
    if (!csp_has_command(cmd_argv[0]))
        return csp_usage_error(NULL, "unknown command '%s'", cmd_argv[0]);

    int words = 1;
    const csp_command *cmd = csp_find_command(cmd_argc, cmd_argv, &words);
    if (!cmd) {
        if (help || csp_wants_help(cmd_argc - 1, cmd_argv + 1)) {
            csp_print_group_help(cmd_argv[0]);
            return 0;
        }
        if (cmd_argc > 1)
            fprintf(stderr, "csp: unknown subcommand '%s %s'\n", cmd_argv[0], cmd_argv[1]);
        else
            fprintf(stderr, "csp: '%s' needs a subcommand\n", cmd_argv[0]);
        fprintf(stderr, "Subcommands:\n");
        csp_print_command_list(stderr, cmd_argv[0]);
        return -CSP_EXIT_USAGE;
    }
    if (help || csp_wants_help(cmd_argc - words, cmd_argv + words)) {
        csp_print_command_help(cmd);
        if (!cmd->subname && words == 1) {
            /* A bare command that also has subcommands (clock). */
            bool has_sub = false;
            for (size_t i = 0; i < ARRAY_LEN(commands); i++)
                has_sub = has_sub || (strcmp(commands[i].name, cmd->name) == 0 && commands[i].subname);
            if (has_sub) {
                printf("\nSubcommands:\n");
                csp_print_command_list(stdout, cmd->name);
            }
        }
        return 0;
    }

    /* A missing or unreadable session only matters to commands that need it. */
    csp_session_load(&ctx->session);

    return cmd->handler(ctx, cmd, cmd_argc - words, cmd_argv + words);
}

int main(int argc, char **argv)
{
    csp_ctx ctx = {0};
    if (csp_guid_v4(ctx.correlation_id) != 0) {
        fputs("csp: no source of randomness\n", stderr);
        return CSP_EXIT_REFUSED;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fputs("csp: cannot initialize libcurl\n", stderr);
        return CSP_EXIT_SERVER;
    }

    int rc = csp_run(&ctx, argc, argv);

    csp_http_cleanup(&ctx);
    csp_session_free(ctx.session);
    free(ctx.base_url);
    curl_global_cleanup();
    if (fflush(stdout) != 0 && rc == 0)
        rc = -CSP_EXIT_REFUSED; /* e.g. stdout is a full disk */
    if (rc > 0 || rc < -CSP_EXIT_SERVER)
        return CSP_EXIT_REFUSED;
    return -rc;
}
