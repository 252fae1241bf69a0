/*
 * csp — output: the table printer and JSON-to-text helpers.
 */
#ifndef CSP_OUTPUT_H
#define CSP_OUTPUT_H

#include <jansson.h>
#include <stdio.h>

#include "csp.h"

/**
 * Print a table with columns sized to their content.
 * @param out     destination stream
 * @param headers ncols header texts, or NULL for no header row (key/value lists)
 * @param ncols   number of columns
 * @param cells   nrows * ncols cells, row-major; a NULL cell prints as empty
 * @param nrows   number of rows
 * @param indent  spaces in front of every line
 * @return 0.
 */
int csp_table(FILE *out, const char *const *headers, size_t ncols, const char *const *cells,
              size_t nrows, int indent);

/** A growable array of owned strings, used to collect table cells. */
typedef struct csp_cells {
  char **v; /**< owned strings (free()), owned array */
  size_t n;
  size_t cap;
} csp_cells;

/** Append s; the array takes ownership of s (which may be NULL). */
void csp_cells_push(csp_cells *c, char *s);
/** Append a copy of s. */
void csp_cells_add(csp_cells *c, const char *s);
/** Free every string and the array; c can be reused afterwards. */
void csp_cells_free(csp_cells *c);

/**
 * Text of a JSON value for a table cell: strings as-is (control characters
 * replaced by spaces), numbers, true/false, "-" for null/missing, arrays
 * joined with ",", objects as compact JSON.
 * @return the text, owned by the caller (free()).
 */
char *csp_json_text(const json_t *v);

/**
 * Look up a dotted path ("primaryContact.email") in an object.
 * @return the value (borrowed from obj) or NULL.
 */
const json_t *csp_json_path(const json_t *obj, const char *path);

/**
 * The string at a dotted path of obj.
 * @return the string (borrowed from obj), or fallback when the value is
 *         missing or not a string.
 */
const char *csp_json_str(const json_t *obj, const char *path, const char *fallback);

/** Print JSON pretty (2-space indent) plus a newline to stdout. @return 0. */
int csp_print_json(const json_t *j);

/**
 * A cell formatter: the text for value (the item's field, may be NULL) of
 * item; owned by the caller (free()). NULL prints an empty cell in a table
 * and leaves the row out of a field list.
 */
typedef char *(*csp_cell_format)(const json_t *value, const json_t *item);

/**
 * One table column: header text, dotted field path in each item ("" for the
 * item itself) and an optional formatter (NULL: csp_json_text()).
 */
typedef struct csp_column {
  const char *header;
  const char *field;
  csp_cell_format format;
} csp_column;

/**
 * Print a collection: with --json the raw document, otherwise a table of
 * coll.items (or of coll itself when it is an array) with the given columns.
 * @return 0.
 */
int csp_print_list(const csp_ctx *ctx, const json_t *coll, const csp_column *cols, size_t ncols);

/**
 * Print a document made of one object and a collection, e.g. an order and its
 * line items: with --json the raw doc, otherwise the chosen fields of obj
 * (csp_print_fields), a blank line and the table of coll (items of a
 * collection, or a bare array) with the given columns.
 * @return 0.
 */
int csp_print_detail(const csp_ctx *ctx, const json_t *doc, const json_t *obj,
                     const csp_column *fields, size_t nfields, const json_t *coll,
                     const csp_column *cols, size_t ncols);

/**
 * Print chosen fields of one object as a key/value list (header = label,
 * field = dotted path, format = optional formatter) to out, whatever --json
 * says: the caller decides between this and the raw JSON. A field that is
 * missing and has no formatter is left out, and so is one whose formatter
 * returns NULL.
 * @return 0.
 */
int csp_print_fields(FILE *out, const json_t *obj, const csp_column *fields, size_t nfields);

/** The rows csp_print_fields() would print, appended to rows (label, value pairs). */
void csp_field_rows(csp_cells *rows, const json_t *obj, const csp_column *fields, size_t nfields);

/** Formatter: true → "yes", false → "no", otherwise as csp_json_text(). */
char *csp_fmt_yes_no(const json_t *value, const json_t *item);

/** Formatter: an address object on one line, "Herengracht 100, 1015 BS Amsterdam, NL". */
char *csp_fmt_address(const json_t *value, const json_t *item);

/**
 * Formatter: a contact object ({firstName, lastName, email, phoneNumber}) on
 * one line, "Daan de Vries <daan@...>, +31 20 555 0100".
 */
char *csp_fmt_contact(const json_t *value, const json_t *item);

/**
 * An amount in minor units as text with the currency's digits
 * (csp_currency_digits) and the code: 123456 EUR → "1,234.56 EUR". Without a
 * currency only the number; a minor that is not an integer as csp_json_text().
 * @return owned by the caller (free()).
 */
char *csp_money_text(const json_t *minor, const char *currency);

/** Formatter: an amount in minor units (value) in the item's "currency", "1,234.56 EUR". */
char *csp_fmt_amount(const json_t *value, const json_t *item);

/** Formatter: a price object {currency, unitPriceMinor} (value), "21.00 EUR". */
char *csp_fmt_price(const json_t *value, const json_t *item);

/**
 * Print one object: with --json the raw document, otherwise the chosen
 * fields (csp_print_fields) to stdout.
 * @return 0.
 */
int csp_print_object(const csp_ctx *ctx, const json_t *obj, const csp_column *fields,
                     size_t nfields);

/**
 * Print one resource: with --json the raw document, otherwise a key/value
 * list of its scalar fields (nested objects flattened with dotted keys,
 * "links" and "attributes" skipped except attributes.etag).
 * @return 0.
 */
int csp_print_resource(const csp_ctx *ctx, const json_t *obj);

/**
 * The common path of the typed list commands: GET every page of a collection
 * (csp_get_all) and print it (csp_print_list).
 * @return 0 or -CSP_EXIT_x.
 */
int csp_list(csp_ctx *ctx, const char *path, const csp_strlist *query, const csp_column *cols,
             size_t ncols);

/**
 * The common path of the typed single-resource commands: send the request
 * (csp_call) and print the answer (csp_print_resource); with an empty
 * answer print done_message (human mode only).
 * @param body request body or NULL (borrowed)
 * @return 0 or -CSP_EXIT_x.
 */
int csp_show(csp_ctx *ctx, const char *method, const char *path, const csp_strlist *query,
             const json_t *body, const char *done_message);

/**
 * Like csp_show(), but the answer is printed as the chosen fields
 * (csp_print_fields) instead of all of them; raw with --json.
 * @param body request body or NULL (borrowed)
 * @return 0 or -CSP_EXIT_x.
 */
int csp_show_fields(csp_ctx *ctx, const char *method, const char *path, const csp_strlist *query,
                    const json_t *body, const csp_column *fields, size_t nfields);

/**
 * Send one request whose answer is a collection (or a bare array) and print
 * it (csp_print_list): for answers that are not paged, or a PUT that answers
 * with the collection it changed.
 * @param body request body or NULL (borrowed)
 * @return 0 or -CSP_EXIT_x.
 */
int csp_send_list(csp_ctx *ctx, const char *method, const char *path, const json_t *body,
                  const csp_column *cols, size_t ncols);

/**
 * After printing a secret the server shows only once (human mode): tell
 * stderr to store it now. what: "client secret", "WebhookSecret".
 */
void csp_note_shown_once(const csp_ctx *ctx, const char *what);

#endif /* CSP_OUTPUT_H */
