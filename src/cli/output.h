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
int csp_table(FILE *out, const char *const *headers, size_t ncols,
              const char *const *cells, size_t nrows, int indent);

/** A growable array of owned strings, used to collect table cells. */
typedef struct csp_cells {
    char **v;      /**< owned strings (free()), owned array */
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

/** Print JSON pretty (2-space indent) plus a newline to stdout. @return 0. */
int csp_print_json(const json_t *j);

/** One table column: header text and dotted field path in each item. */
typedef struct csp_column {
    const char *header;
    const char *field;
} csp_column;

/**
 * Print a collection: with --json the raw document, otherwise a table of
 * coll.items with the given columns.
 * @return 0.
 */
int csp_print_list(const csp_ctx *ctx, const json_t *coll, const csp_column *cols, size_t ncols);

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
int csp_list(csp_ctx *ctx, const char *path, const csp_strlist *query,
             const csp_column *cols, size_t ncols);

/**
 * The common path of the typed single-resource commands: send the request
 * (csp_call) and print the answer (csp_print_resource); with an empty
 * answer print done_message (human mode only).
 * @param body request body or NULL (borrowed)
 * @return 0 or -CSP_EXIT_x.
 */
int csp_show(csp_ctx *ctx, const char *method, const char *path, const csp_strlist *query,
             const json_t *body, const char *done_message);

#endif /* CSP_OUTPUT_H */
