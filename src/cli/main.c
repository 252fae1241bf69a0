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

    {"program", "info", cmd_program_info, "",
     "Show your program memberships (state, since), MPA signature and enrollment.", NULL,
     "csp program info"},
    {"mpa", "sign", cmd_mpa_sign, "--name N --email E",
     "Sign the Microsoft Partner Agreement for your tenant (global_admin).",
     "  --name N                the signer's name\n"
     "  --email E               the signer's e-mail\n",
     "csp mpa sign --name 'Daan de Vries' --email daan@contoso.example"},
    {"mpa", "status", cmd_mpa_status, "[--mpn-id X | --tenant-id G]",
     "Show your MPA signature, or whether a partner (MPN ID or tenant) signed.",
     "  --mpn-id X              ask about this PartnerID (location or global)\n"
     "  --tenant-id G           ask about this partner tenant\n",
     "csp mpa status --mpn-id 4100011"},
    {"enroll", "indirect-reseller", cmd_enroll_indirect_reseller, "[--yes] [--contact-email E]",
     "Review your details and enroll your direct-bill tenant as indirect reseller.",
     "  --yes                   submit without asking; without a terminal on stdin\n"
     "                          the command refuses (exit 2) unless --yes is given\n"
     "  --contact-email E       primary contact e-mail for the enrollment\n",
     "csp enroll indirect-reseller --yes"},
    {"enroll", "status", cmd_enroll_status, "", "Show your tenant's enrollment.", NULL,
     "csp enroll status"},
    {"enroll", "list", cmd_enroll_list, "[--status pending|approved|active|rejected]",
     "List every enrollment (operator).",
     "  --status S              only enrollments in this status\n",
     "csp enroll list --status pending"},
    {"agreement", "accept", cmd_agreement_accept, "[ENROLLMENT_ID]",
     "Accept the indirect reseller agreement of an approved enrollment (default: yours).", NULL,
     "csp agreement accept"},
    {"providers", "find", cmd_providers_find, "[--market M]",
     "List the active indirect providers of your market (all pages).",
     "  --market M              this market instead (operator)\n",
     "csp providers find"},
    {"partnerships", "invite", cmd_partnerships_invite, "(--mpn-id X | --email E)",
     "Invite a reseller to partner with you (indirect provider).",
     "  --mpn-id X              the reseller's PartnerID\n"
     "  --email E               the reseller's e-mail\n",
     "csp partnerships invite --mpn-id 4100011"},
    {"partnerships", "accept", cmd_partnerships_accept, "INVITATION_ID",
     "Accept a partnership invitation (reseller global_admin).", NULL,
     "csp partnerships accept 5d0c...-..."},
    {"partnerships", "list", cmd_relationships_list,
     "[--type IsIndirectResellerOf|IsIndirectCloudSolutionProviderOf]",
     "List your partnerships, both kinds, with their relationship type (all pages).",
     "  --type T                only relationships of this type\n",
     "csp partnerships list"},
    {"partnerships", "invitations", cmd_partnerships_invitations, "",
     "List the partnership invitations you sent and received (all pages).", NULL,
     "csp partnerships invitations"},

    {"customers", "create", cmd_customers_create,
     "--domain D --company NAME --email E --country CC [--city C] [--address L1] [--postal-code P] "
     "[--reseller MPN_OR_TENANT] [--own-use-partner ORG]",
     "Create a customer tenant; prints its id and the admin's password (shown once).",
     "  --domain D              the customer's domain, e.g. wingtip.onmicrosoft.com\n"
     "  --company NAME          company name (billing profile)\n"
     "  --email E               billing e-mail\n"
     "  --country CC            ISO 3166 two-letter country code; must be in your market\n"
     "  --city C                city\n"
     "  --address L1            first address line\n"
     "  --postal-code P         postal code\n"
     "  --reseller X            indirect provider: create it for this reseller of yours\n"
     "                          (PartnerID or tenant id)\n"
     "  --own-use-partner ORG   the tenant is this partner organization's own-use tenant\n"
     "                          (organization id or global PartnerID)\n",
     "csp customers create --domain northwind.onmicrosoft.com --company 'Northwind Traders' "
     "--email billing@northwind.test --country NL --city Utrecht"},
    {"customers", "list", cmd_customers_list, "[--name PREFIX | --domain PREFIX | --reseller TENANT]",
     "List the customers you hold (all pages), optionally filtered.",
     "  --name PREFIX           company names starting with PREFIX\n"
     "  --domain PREFIX         domains starting with PREFIX\n"
     "  --reseller TENANT       indirect provider: the customers of this reseller (tenant id)\n",
     "csp customers list --name Wing"},
    {"customers", "show", cmd_customers_show, "ID",
     "Show a customer and what you may do with it (capabilities).", NULL,
     "csp customers show e0000000-0000-4000-8000-000000000001"},
    {"customers", "relationships", cmd_customers_relationships, "ID",
     "List every partner holding a reseller relationship with a customer.", NULL,
     "csp customers relationships e0000000-0000-4000-8000-000000000001"},
    {"customers", "billing", cmd_customers_billing, "ID", "Show a customer's billing profile.", NULL,
     "csp customers billing e0000000-0000-4000-8000-000000000001"},
    {"customers", "billing set", cmd_customers_billing_set,
     "ID [--company N] [--email E] [--first-name F] [--last-name L] [--culture C] [--language L] "
     "[--address L1] [--address2 L2] [--city C] [--state S] [--postal-code P] [--phone P]",
     "Change billing profile properties; the others stay (read, then PUT with If-Match).",
     "  --company N             company name\n"
     "  --email E               billing e-mail\n"
     "  --first-name F          contact first name\n"
     "  --last-name L           contact last name\n"
     "  --culture C             culture, e.g. nl-NL\n"
     "  --language L            language, e.g. nl\n"
     "  --address L1            first address line\n"
     "  --address2 L2           second address line\n"
     "  --city C                city\n"
     "  --state S               state or province\n"
     "  --postal-code P         postal code\n"
     "  --phone P               phone number\n"
     "                          (the country cannot change)\n",
     "csp customers billing set e0000000-0000-4000-8000-000000000001 --email ap@wingtiptoys.test --city Delft"},
    {"customers", "remove-relationship", cmd_customers_remove_relationship, "ID [--yes]",
     "Give up your reseller relationship with a customer.",
     "  --yes                   do not ask; without a terminal on stdin the command\n"
     "                          refuses (exit 2) unless --yes is given\n",
     "csp customers remove-relationship e0000000-0000-4000-8000-000000000002 --yes"},
    {"customers", "invite", cmd_customers_invite,
     "[--provider MPN_OR_TENANT | --reseller MPN_OR_TENANT] [--mailto]",
     "Get an invitation link for a new customer and a draft e-mail.",
     "  --provider X            reseller: invite together with this provider of yours\n"
     "  --reseller X            provider: invite for this reseller of yours\n"
     "                          (neither: a direct-bill partner's own invitation)\n"
     "  --mailto                print only the mailto: link of the draft e-mail\n",
     "csp customers invite --provider 4200011"},
    {"customers", "accept-invitation", cmd_customers_accept_invitation, "CODE_OR_URL",
     "Accept a partner's invitation (customer admin); takes the link or its code.", NULL,
     "csp customers accept-invitation 'http://127.0.0.1:7700/#/customer/invitations/accept?code=...'"},
    {"customers", "extend", cmd_customers_extend, "ID --provider MPN_OR_TENANT --consent",
     "Move a direct-bill customer to one of your indirect providers (admin_agent).",
     "  --provider X            the indirect provider (PartnerID or tenant id)\n"
     "  --consent               attest that the customer was informed and consented\n"
     "                          (rule R-EXT-7); required\n",
     "csp customers extend e0000000-0000-4000-8000-000000000001 --provider 4200011 --consent"},
    {"customers", "providers", cmd_customers_providers, "ID",
     "List a customer's indirect providers.", NULL,
     "csp customers providers e0000000-0000-4000-8000-000000000001"},
    {"agreements", "list", cmd_agreements_list,
     "[--type MicrosoftCustomerAgreement|MicrosoftCloudAgreement|All]",
     "List customer agreement templates (default type: MicrosoftCloudAgreement).",
     "  --type T                agreement type\n",
     "csp agreements list --type MicrosoftCustomerAgreement"},
    {"agreements", "attest", cmd_agreements_attest,
     "CUSTOMER --first-name F --last-name L --email E [--phone P] [--date RFC3339]",
     "Attest that a customer accepted the Microsoft Customer Agreement.",
     "  --first-name F          the customer contact who accepted: first name\n"
     "  --last-name L           last name\n"
     "  --email E               e-mail\n"
     "  --phone P               phone number\n"
     "  --date T                when it was accepted (RFC 3339); default: now (UTC)\n",
     "csp agreements attest e0000000-0000-4000-8000-000000000002 --first-name Ana --last-name Peeters "
     "--email ana@adatum.test"},
    {"agreements", "show", cmd_agreements_show, "CUSTOMER",
     "Show a customer's agreements and whether the MCA counts for you.", NULL,
     "csp agreements show e0000000-0000-4000-8000-000000000002"},

    {"offers", "list", cmd_offers_list, "[--country CC]",
     "List the offers sold in a country, priced in its currency (all pages).",
     "  --country CC            ISO 3166 two-letter code; default: your tenant's country\n",
     "csp offers list --country NL"},
    {"offers", "show", cmd_offers_show, "ID [--country CC]", "Show one offer and its price in a country.",
     "  --country CC            ISO 3166 two-letter code; default: your tenant's country\n",
     "csp offers show 796B6B5F-613C-4E24-A17C-EBA730D49C02 --country NL"},
    {"offers", "addons", cmd_offers_addons, "ID [--country CC]",
     "List the add-ons that can be bought under a base offer.",
     "  --country CC            ISO 3166 two-letter code; default: your tenant's country\n",
     "csp offers addons 796B6B5F-613C-4E24-A17C-EBA730D49C02"},
    {"orders", "create", cmd_orders_create,
     "CUSTOMER (--offer ID --quantity N [--name FRIENDLY] [--parent SUB_ID] | --line OFFER:QTY[:PARENT] ...) "
     "[--partner-of-record MPN] [--cycle monthly|annual|none]",
     "Place an order: one subscription per line, all lines or none.",
     "  --offer ID              the offer of a line\n"
     "  --quantity N            its quantity (within the offer's bounds)\n"
     "  --name FRIENDLY         its subscription's friendly name\n"
     "  --parent SUB_ID         for an add-on: the base subscription it is bought under\n"
     "  --line OFFER:QTY[:PARENT]\n"
     "                          one more line (repeatable); PARENT: an add-on's base subscription\n"
     "  --partner-of-record MPN\n"
     "                          indirect provider: the reseller's PartnerID, on every line\n"
     "  --cycle C               monthly, annual or none; default: each offer's first cycle\n",
     "csp orders create e0000000-0000-4000-8000-000000000001 --offer 796B6B5F-613C-4E24-A17C-EBA730D49C02 "
     "--quantity 10 --name E3"},
    {"orders", "list", cmd_orders_list, "CUSTOMER", "List the orders you placed for a customer (all pages).",
     NULL, "csp orders list e0000000-0000-4000-8000-000000000001"},
    {"orders", "show", cmd_orders_show, "CUSTOMER ORDER", "Show an order and its line items.", NULL,
     "csp orders show e0000000-0000-4000-8000-000000000001 5c0f...-..."},
    {"subscriptions", "list", cmd_subscriptions_list, "CUSTOMER [--order ID] [--mpn-id X]",
     "List a customer's subscriptions you are billed for or manage (all pages).",
     "  --order ID              only the subscriptions of this order\n"
     "  --mpn-id X              only those with this partner of record\n",
     "csp subscriptions list e0000000-0000-4000-8000-000000000001"},
    {"subscriptions", "show", cmd_subscriptions_show, "CUSTOMER SUB", "Show one subscription.", NULL,
     "csp subscriptions show e0000000-0000-4000-8000-000000000001 7a3e...-..."},
    {"subscriptions", "addons", cmd_subscriptions_show, "CUSTOMER SUB",
     "List the add-on subscriptions under a subscription.", NULL,
     "csp subscriptions addons e0000000-0000-4000-8000-000000000001 7a3e...-..."},
    {"subscriptions", "set-quantity", cmd_subscriptions_change, "CUSTOMER SUB N",
     "Change a license subscription's quantity (If-Match).", NULL,
     "csp subscriptions set-quantity e0000000-0000-4000-8000-000000000001 7a3e...-... 15"},
    {"subscriptions", "suspend", cmd_subscriptions_change, "CUSTOMER SUB",
     "Suspend a subscription and its add-ons (If-Match).", NULL,
     "csp subscriptions suspend e0000000-0000-4000-8000-000000000001 7a3e...-..."},
    {"subscriptions", "reactivate", cmd_subscriptions_change, "CUSTOMER SUB",
     "Reactivate a suspended subscription (If-Match).", NULL,
     "csp subscriptions reactivate e0000000-0000-4000-8000-000000000001 7a3e...-..."},
    {"subscriptions", "cancel", cmd_subscriptions_change, "CUSTOMER SUB [--yes]",
     "Cancel a subscription and its add-ons for good (If-Match).",
     "  --yes                   do not ask; without a terminal on stdin the command\n"
     "                          refuses (exit 2) unless --yes is given\n",
     "csp subscriptions cancel e0000000-0000-4000-8000-000000000001 7a3e...-... --yes"},
    {"subscriptions", "rename", cmd_subscriptions_change, "CUSTOMER SUB NAME",
     "Change a subscription's friendly name (If-Match).", NULL,
     "csp subscriptions rename e0000000-0000-4000-8000-000000000001 7a3e...-... 'E3 sales'"},
    {"subscriptions", "auto-renew", cmd_subscriptions_change, "CUSTOMER SUB on|off",
     "Switch a subscription's auto-renewal on or off (If-Match).", NULL,
     "csp subscriptions auto-renew e0000000-0000-4000-8000-000000000001 7a3e...-... off"},
    {"subscriptions", "set-partner-of-record", cmd_subscriptions_change, "CUSTOMER SUB MPN",
     "Change the partner of record (indirect provider; If-Match).", NULL,
     "csp subscriptions set-partner-of-record e0000000-0000-4000-8000-000000000003 7a3e...-... 4400011"},
    {"usage", "record", cmd_usage_record, "CUSTOMER SUB --date YYYY-MM-DD --amount AMOUNT [--resource R]",
     "Record usage of a usage-billed subscription (operator).",
     "  --date D                the day of the usage (YYYY-MM-DD or RFC 3339)\n"
     "  --amount AMOUNT         decimal amount in the subscription's currency, e.g. 123.45\n"
     "                          (at most as many decimals as the currency has)\n"
     "  --resource R            what was used, e.g. a meter or resource name\n",
     "csp usage record e0000000-0000-4000-8000-000000000001 7a3e...-... --date 2026-11-20 --amount 123.45"},
    {"transfers", "eligibility", cmd_transfers_eligibility, "CUSTOMER",
     "Show which of a customer's subscriptions can move to an indirect provider.", NULL,
     "csp transfers eligibility e0000000-0000-4000-8000-000000000001"},
    {"transfers", "create", cmd_transfers_create,
     "CUSTOMER --to PROVIDER_TENANT --subscription SUB [--subscription SUB ...] [--partner-id-on-record MPN]",
     "Ask an indirect provider to take over direct-bill subscriptions (admin_agent, sales_agent).",
     "  --to PROVIDER_TENANT    the indirect provider's tenant id\n"
     "  --subscription SUB      a base subscription to move (repeatable); its add-ons come along\n"
     "  --partner-id-on-record MPN\n"
     "                          partner of record on every line; default: your PartnerID\n",
     "csp transfers create e0000000-0000-4000-8000-000000000001 --to c0000000-0000-4000-8000-000000000002 "
     "--subscription 7a3e...-..."},
    {"transfers", "list", cmd_transfers_list, "CUSTOMER",
     "List a customer's transfer requests you send or receive.", NULL,
     "csp transfers list e0000000-0000-4000-8000-000000000001"},
    {"transfers", "show", cmd_transfers_show, "CUSTOMER TRANSFER",
     "Show a transfer request and its lines (status, new subscription, error).", NULL,
     "csp transfers show e0000000-0000-4000-8000-000000000001 01a2...-..."},
    {"transfers", "accept", cmd_transfers_accept, "CUSTOMER TRANSFER",
     "Accept a transfer request and complete it (indirect provider: admin_agent, sales_agent).", NULL,
     "csp transfers accept e0000000-0000-4000-8000-000000000001 01a2...-..."},
    {"transfers", "reject", cmd_transfers_reject, "CUSTOMER TRANSFER",
     "Reject a transfer request (indirect provider).", NULL,
     "csp transfers reject e0000000-0000-4000-8000-000000000001 01a2...-..."},
    {"transfers", "withdraw", cmd_transfers_withdraw, "CUSTOMER TRANSFER",
     "Withdraw a transfer request you created while it is still Active.", NULL,
     "csp transfers withdraw e0000000-0000-4000-8000-000000000001 01a2...-..."},
    {"invoices", "list", cmd_invoices_list, "[--tenant T]",
     "List your invoices, all pages (operator: everyone's, or one billed tenant's).",
     "  --tenant T              operator: only the invoices of this billed tenant\n",
     "csp invoices list"},
    {"invoices", "show", cmd_invoices_show, "ID", "Show an invoice and its line items.", NULL,
     "csp invoices show 0190...-..."},
    {"billing", "run", cmd_billing_run, "--period YYYY-MM",
     "Invoice a month now (operator); a month already invoiced stays as it was.",
     "  --period YYYY-MM        the month to invoice\n",
     "csp billing run --period 2026-11"},

    {"operator", "approve", cmd_operator_approve, "ENROLLMENT_ID",
     "Approve a pending enrollment (operator).", NULL, "csp operator approve 7e1f...-..."},
    {"operator", "reject", cmd_operator_reject, "ENROLLMENT_ID [--reason R]",
     "Reject a pending enrollment (operator).",
     "  --reason R              why; sent to the partner\n",
     "csp operator reject 7e1f...-... --reason 'PartnerID not verified'"},
    {"operator", "end-partnership", cmd_operator_end_partnership,
     "PROVIDER_TENANT RESELLER_TENANT [--reason R]",
     "End a provider-reseller partnership (operator).",
     "  --reason R              why; recorded and sent to both partners\n",
     "csp operator end-partnership f0000000-... c0000000-... --reason 'contract ended'"},
    {"operator", "settings", cmd_operator_settings, "",
     "Show the program settings (operator).", NULL, "csp operator settings"},
    {"operator", "settings set", cmd_operator_settings_set,
     "[--months 9-12[,1-2]] [--approval-days N] [--incentive-days N] [--threshold-usd AMOUNT]",
     "Change program settings; fields not given stay as they are (operator).",
     "  --months R[,R...]       anniversary months that may enroll: ranges FROM-TO (1-12,\n"
     "                          may wrap the year: 11-2) or single months\n"
     "  --approval-days N       auto-approval after N business days (0 = at once, at most 5)\n"
     "  --incentive-days N      incentive invitation N days after enrollment (0-30)\n"
     "  --threshold-usd AMOUNT  direct-bill revenue requirement in USD (300000 or 300000.00)\n",
     "csp operator settings set --months 9-12,1-2 --approval-days 0"},
    {"operator", "membership set", cmd_operator_membership_set,
     "TENANT PROGRAM STATE [--reason R]",
     "Set a tenant's program membership (operator).",
     "  PROGRAM                 direct_bill, indirect_provider or indirect_reseller\n"
     "  STATE                   pending, approved, active, restricted or rejected\n"
     "  --reason R              recorded in the membership history\n",
     "csp operator membership set c0000000-... direct_bill active --reason onboarding"},
    {"operator", "revenue add", cmd_operator_revenue_add,
     "--partner ORG --period YYYY-MM --amount AMOUNT --currency CUR [--kind cloud|perpetual_software]",
     "Record a partner's monthly revenue (operator).",
     "  --partner ORG           partner organization id\n"
     "  --period YYYY-MM        the month\n"
     "  --amount AMOUNT         decimal amount, e.g. 1234.56 (JPY, KRW: whole units)\n"
     "  --currency CUR          ISO 4217 code, e.g. EUR\n"
     "  --kind K                cloud (default) or perpetual_software\n",
     "csp operator revenue add --partner 3f2c...-... --period 2026-10 --amount 1234.56 --currency EUR"},
    {"operator", "revenue list", cmd_operator_revenue_list, "--partner ORG",
     "List a partner organization's revenue entries (operator).",
     "  --partner ORG           partner organization id\n",
     "csp operator revenue list --partner 3f2c...-..."},
    {"operator", "directbill evaluate", cmd_operator_directbill, "[--as-of RFC3339]",
     "Run the direct-bill revenue evaluation now: restrict or reinstate (operator).",
     "  --as-of T               evaluate as of this time instead of now\n",
     "csp operator directbill evaluate"},
    {"operator", "directbill report", cmd_operator_directbill, "[--as-of RFC3339]",
     "Show the direct-bill revenue figures without changing anything (operator).",
     "  --as-of T               report as of this time instead of now\n",
     "csp operator directbill report --as-of 2026-12-01T00:00:00Z"},
    {"operator", "fxrates", cmd_operator_fxrates, "", "Show the exchange rates to USD (operator).",
     NULL, "csp operator fxrates"},
    {"operator", "fxrates set", cmd_operator_fxrates_set, "CUR RATE [--digits N]",
     "Set the USD value of one unit of a currency (operator).",
     "  RATE                    decimal USD per unit, e.g. 1.08\n"
     "  --digits N              minor unit digits of the currency (0-4); default: the\n"
     "                          current ones, for a new currency 0 for JPY/KRW, else 2\n",
     "csp operator fxrates set EUR 1.08"},

    {"operator", "catalog import", cmd_operator_catalog_import, "FILE|-",
     "Replace the whole catalog with a catalog document (operator; docs/catalog.md).", NULL,
     "csp operator catalog import data/catalog.json"},

    {"notifications", NULL, cmd_notifications, "[--all]",
     "List the e-mails sent to your tenant: the latest 20, or every one with --all.",
     "  --all                   every notification, not only the latest 20\n",
     "csp notifications --all"},
    {"audit", NULL, cmd_audit, "[--from DATE] [--to DATE]",
     "List audit records (default: the last 30 days).",
     "  --from DATE             start: YYYY-MM-DD or RFC 3339\n"
     "  --to DATE               end: YYYY-MM-DD or RFC 3339\n",
     "csp audit --from 2026-11-01 --to 2026-12-01"},
    {"webhooks", "show", cmd_webhooks_show, "", "Show your webhook registration.", NULL,
     "csp webhooks show"},
    {"webhooks", "register", cmd_webhooks_register, "--url U --event E [--event E2 ...]",
     "Register a webhook; prints the WebhookSecret (shown once).",
     "  --url U                 http(s) URL that receives the events\n"
     "  --event E               event name (repeatable; see 'csp webhooks events')\n",
     "csp webhooks register --url https://hooks.example/csp --event enrollment-approved --event partnership-accepted"},
    {"webhooks", "update", cmd_webhooks_update, "[--url U] [--event E ...]",
     "Change the webhook URL and/or its events (the others stay).",
     "  --url U                 the new URL\n"
     "  --event E               replaces the event list (repeatable)\n",
     "csp webhooks update --event mpa-signed --event partnership-ended"},
    {"webhooks", "delete", cmd_webhooks_delete, "", "Delete your webhook registration.", NULL,
     "csp webhooks delete"},
    {"webhooks", "events", cmd_webhooks_events, "", "List the webhook event names.", NULL,
     "csp webhooks events"},
    {"webhooks", "deliveries", cmd_webhooks_deliveries, "",
     "List webhook deliveries: status, attempts, last error (all pages).", NULL,
     "csp webhooks deliveries"},
    {"webhooks", "test", cmd_webhooks_test, "", "Raise a test-created event to your webhook.", NULL,
     "csp webhooks test"},

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

/**
 * @return true when the command words of c begin with the words in prefix
 *         ("operator" or "operator directbill"); with strict, c's words must
 *         be longer than prefix.
 */
static bool csp_words_extend(const csp_command *c, const char *prefix, bool strict) {
  char words[64];
  csp_command_words(c, words, sizeof words);
  size_t len = strlen(prefix);
  if (strncmp(words, prefix, len) != 0)
    return false;
  return words[len] == ' ' || (!strict && words[len] == '\0');
}

/** Print the commands (all, or those whose words begin with prefix) as an aligned table. */
static void csp_print_command_list(FILE *out, const char *prefix, bool strict) {
  csp_cells rows = {0};
  for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
    const csp_command *c = &commands[i];
    if (prefix && !csp_words_extend(c, prefix, strict))
      continue;
    char words[64];
    csp_cells_add(&rows, csp_command_words(c, words, sizeof words));
    csp_cells_add(&rows, c->summary);
  }
  csp_table(out, NULL, 2, (const char *const *)rows.v, rows.n / 2, 2);
  csp_cells_free(&rows);
}

static void csp_print_main_help(FILE *out) {
  fprintf(out,
          "csp %s — command-line client for cspd (Partner Center compatible API)\n\n"
          "Usage: csp [--url URL] [--json] [--verbose] COMMAND [SUBCOMMAND] [ARGS...]\n"
          "       csp COMMAND [SUBCOMMAND] --help\n\n"
          "Commands:\n",
          CSP_VERSION);
  csp_print_command_list(out, NULL, false);
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

/** Help for "csp GROUP --help" when GROUP ("operator", "operator directbill") has subcommands. */
static void csp_print_group_help(const char *group) {
  printf("Usage: csp %s SUBCOMMAND [ARGS...]\n\nSubcommands:\n", group);
  csp_print_command_list(stdout, group, true);
  printf("\nRun 'csp %s SUBCOMMAND --help' for the options of one subcommand.\n", group);
}

/** @return true when a command with this first word exists. */
static bool csp_has_command(const char *name) {
  for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
    if (strcmp(commands[i].name, name) == 0)
      return true;
  }
  return false;
}

/** @return true when some command has more words than prefix and begins with them. */
static bool csp_has_subcommands(const char *prefix) {
  for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
    if (csp_words_extend(&commands[i], prefix, true))
      return true;
  }
  return false;
}

/**
 * @return how many of argv[0..argc) spell the subname words of a command
 *         (0 for a command without subname), or -1 when they do not.
 */
static int csp_match_subname(const char *subname, int argc, char **argv) {
  int n = 0;
  for (const char *w = subname; w && *w; n++) {
    size_t len = strcspn(w, " ");
    if (n >= argc || strlen(argv[n]) != len || strncmp(argv[n], w, len) != 0)
      return -1;
    w += len;
    w += *w == ' ';
  }
  return n;
}

/**
 * Find the command for argv: the one whose words match the most leading
 * arguments ("operator settings set" before "operator settings").
 * @param[out] words number of argv entries consumed.
 * @return the command, or NULL when argv[0] needs a subcommand that is missing/unknown.
 */
static const csp_command *csp_find_command(int argc, char **argv, int *words) {
  const csp_command *best = NULL;
  int best_words = 0;
  for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
    const csp_command *c = &commands[i];
    if (strcmp(c->name, argv[0]) != 0)
      continue;
    int n = csp_match_subname(c->subname, argc - 1, argv + 1);
    if (n >= 0 && 1 + n > best_words) {
      best = c;
      best_words = 1 + n;
    }
  }
  *words = best ? best_words : 1;
  return best;
}

/**
 * The longest run of leading arguments (up to the first option) that begins
 * some command's words, e.g. "operator directbill" for "operator directbill
 * frobnicate". @return owned by the caller (free()).
 */
static char *csp_group_prefix(int argc, char **argv) {
  char *prefix = csp_xstrdup(argv[0]);
  for (int i = 1; i < argc && argv[i][0] != '-'; i++) {
    char *longer = csp_xasprintf("%s %s", prefix, argv[i]);
    if (!csp_has_subcommands(longer)) {
      free(longer);
      break;
    }
    free(prefix);
    prefix = longer;
  }
  return prefix;
}

/** @return true when -h/--help appears before a "--". */
static bool csp_wants_help(int argc, char **argv) {
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0)
      return false;
    if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
      return true;
  }
  return false;
}

/** Parse the global options in front of the command. @return index of the command word or -exit. */
static int csp_parse_globals(csp_ctx *ctx, int argc, char **argv, bool *help, bool *version) {
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
static int csp_run(csp_ctx *ctx, int argc, char **argv) {
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
    char *group = csp_group_prefix(cmd_argc, cmd_argv);
    int group_words = 1;
    for (const char *p = group; *p; p++)
      group_words += *p == ' ';
    if (help || csp_wants_help(cmd_argc - 1, cmd_argv + 1)) {
      csp_print_group_help(group);
      free(group);
      return 0;
    }
    if (cmd_argc > group_words && cmd_argv[group_words][0] != '-')
      fprintf(stderr, "csp: unknown subcommand '%s %s'\n", group, cmd_argv[group_words]);
    else
      fprintf(stderr, "csp: '%s' needs a subcommand\n", group);
    fprintf(stderr, "Subcommands:\n");
    csp_print_command_list(stderr, group, true);
    free(group);
    return -CSP_EXIT_USAGE;
  }
  if (help || csp_wants_help(cmd_argc - words, cmd_argv + words)) {
    csp_print_command_help(cmd);
    /* A command that also has subcommands (clock, operator settings). */
    char cmd_words[64];
    csp_command_words(cmd, cmd_words, sizeof cmd_words);
    if (csp_has_subcommands(cmd_words)) {
      printf("\nSubcommands:\n");
      csp_print_command_list(stdout, cmd_words, true);
    }
    return 0;
  }

  /* A missing or unreadable session only matters to commands that need it. */
  csp_session_load(&ctx->session);

  return cmd->handler(ctx, cmd, cmd_argc - words, cmd_argv + words);
}

int main(int argc, char **argv) {
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
