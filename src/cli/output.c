/*
 * csp — output: the table printer and JSON-to-text helpers.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "output.h"
#include "http.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/** Display width of UTF-8 text: the number of code points. */
static size_t csp_text_width(const char *s) {
  size_t w = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if ((*p & 0xc0) != 0x80)
      w++;
  }
  return w;
}

/** Print one table line; the last column is not padded. */
static void csp_table_line(FILE *out, const char *const *row, const size_t *width, size_t ncols,
                           int indent) {
  fprintf(out, "%*s", indent, "");
  for (size_t c = 0; c < ncols; c++) {
    const char *text = row[c] ? row[c] : "";
    fputs(text, out);
    if (c + 1 < ncols) {
      size_t pad = width[c] - csp_text_width(text) + 2;
      fprintf(out, "%*s", (int)pad, "");
    }
  }
  fputc('\n', out);
}

int csp_table(FILE *out, const char *const *headers, size_t ncols, const char *const *cells,
              size_t nrows, int indent) {
  if (ncols == 0)
    return 0;
  size_t *width = csp_xmalloc(ncols * sizeof *width);
  for (size_t c = 0; c < ncols; c++) {
    width[c] = headers ? csp_text_width(headers[c]) : 0;
    for (size_t r = 0; r < nrows; r++) {
      const char *text = cells[r * ncols + c];
      size_t w = text ? csp_text_width(text) : 0;
      if (w > width[c])
        width[c] = w;
    }
  }
  if (headers)
    csp_table_line(out, headers, width, ncols, indent);
  for (size_t r = 0; r < nrows; r++)
    csp_table_line(out, cells + r * ncols, width, ncols, indent);
  free(width);
  return 0;
}

void csp_cells_push(csp_cells *c, char *s) {
  if (c->n == c->cap) {
    c->cap = c->cap ? c->cap * 2 : 16;
    c->v = csp_xrealloc(c->v, c->cap * sizeof *c->v);
  }
  c->v[c->n++] = s;
}

void csp_cells_add(csp_cells *c, const char *s) {
  csp_cells_push(c, csp_xstrdup(s));
}

void csp_cells_free(csp_cells *c) {
  for (size_t i = 0; i < c->n; i++)
    free(c->v[i]);
  free(c->v);
  c->v = NULL;
  c->n = 0;
  c->cap = 0;
}

char *csp_json_text(const json_t *v) {
  char *s = NULL;
  if (!v)
    return csp_xstrdup("-");
  switch (json_typeof(v)) {
  case JSON_STRING:
    s = csp_xstrdup(json_string_value(v));
    for (char *p = s; *p; p++) {
      if ((unsigned char)*p < 0x20 || *p == 0x7f)
        *p = ' ';
    }
    return s;
  case JSON_INTEGER:
    return csp_xasprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
  case JSON_REAL:
    return csp_xasprintf("%g", json_real_value(v));
  case JSON_TRUE:
    return csp_xstrdup("true");
  case JSON_FALSE:
    return csp_xstrdup("false");
  case JSON_ARRAY: {
    if (json_array_size(v) == 0)
      return csp_xstrdup("-");
    size_t i;
    const json_t *item;
    char *acc = csp_xstrdup("");
    json_array_foreach(v, i, item) {
      char *part = csp_json_text(item);
      char *joined = csp_xasprintf("%s%s%s", acc, i ? "," : "", part);
      free(part);
      free(acc);
      acc = joined;
    }
    return acc;
  }
  case JSON_OBJECT:
    /* jansson allocates with its default allocator, malloc(). */
    s = json_dumps(v, JSON_COMPACT);
    return s ? s : csp_xstrdup("{}");
  case JSON_NULL:
  default:
    return csp_xstrdup("-");
  }
}

const json_t *csp_json_path(const json_t *obj, const char *path) {
  const json_t *cur = obj;
  const char *p = path;
  while (cur && *p) {
    const char *dot = strchr(p, '.');
    size_t len = dot ? (size_t)(dot - p) : strlen(p);
    char key[128];
    if (len >= sizeof key)
      return NULL;
    memcpy(key, p, len);
    key[len] = '\0';
    cur = json_object_get(cur, key);
    p = dot ? dot + 1 : p + len;
  }
  return cur;
}

const char *csp_json_str(const json_t *obj, const char *path, const char *fallback) {
  const char *s = json_string_value(csp_json_path(obj, path));
  return s ? s : fallback;
}

int csp_print_json(const json_t *j) {
  json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
  fputc('\n', stdout);
  return 0;
}

/** The table of csp_print_list() (human mode) to stdout. */
static void csp_print_table_of(const json_t *coll, const csp_column *cols, size_t ncols) {
  const json_t *items = json_object_get(coll, "items");
  if (!json_is_array(items) && json_is_array(coll))
    items = coll;

  const char **headers = csp_xmalloc(ncols * sizeof *headers);
  for (size_t c = 0; c < ncols; c++)
    headers[c] = cols[c].header;

  csp_cells cells = {0};
  size_t i;
  const json_t *item;
  json_array_foreach(items, i, item) {
    for (size_t c = 0; c < ncols; c++) {
      const json_t *value = csp_json_path(item, cols[c].field);
      csp_cells_push(&cells, cols[c].format ? cols[c].format(value, item) : csp_json_text(value));
    }
  }
  csp_table(stdout, headers, ncols, (const char *const *)cells.v, json_array_size(items), 0);
  csp_cells_free(&cells);
  free(headers);
}

int csp_print_list(const csp_ctx *ctx, const json_t *coll, const csp_column *cols, size_t ncols) {
  if (ctx->json)
    return csp_print_json(coll);
  csp_print_table_of(coll, cols, ncols);
  return 0;
}

int csp_print_detail(const csp_ctx *ctx, const json_t *doc, const json_t *obj,
                     const csp_column *fields, size_t nfields, const json_t *coll,
                     const csp_column *cols, size_t ncols) {
  if (ctx->json)
    return csp_print_json(doc);
  csp_print_fields(stdout, obj, fields, nfields);
  putchar('\n');
  csp_print_table_of(coll, cols, ncols);
  return 0;
}

void csp_field_rows(csp_cells *rows, const json_t *obj, const csp_column *fields, size_t nfields) {
  for (size_t i = 0; i < nfields; i++) {
    const json_t *value = csp_json_path(obj, fields[i].field);
    if (!value && !fields[i].format)
      continue;
    char *text = fields[i].format ? fields[i].format(value, obj) : csp_json_text(value);
    if (!text)
      continue;
    csp_cells_add(rows, fields[i].header);
    csp_cells_push(rows, text);
  }
}

int csp_print_fields(FILE *out, const json_t *obj, const csp_column *fields, size_t nfields) {
  csp_cells rows = {0};
  csp_field_rows(&rows, obj, fields, nfields);
  csp_table(out, NULL, 2, (const char *const *)rows.v, rows.n / 2, 0);
  csp_cells_free(&rows);
  return 0;
}

char *csp_fmt_yes_no(const json_t *value, const json_t *item) {
  (void)item;
  if (json_is_boolean(value))
    return csp_xstrdup(json_is_true(value) ? "yes" : "no");
  return csp_json_text(value);
}

char *csp_money_text(const json_t *minor, const char *currency) {
  if (!json_is_integer(minor))
    return csp_json_text(minor);
  char text[40];
  csp_format_minor((long long)json_integer_value(minor), csp_currency_digits(currency), text);
  return currency && *currency ? csp_xasprintf("%s %s", text, currency) : csp_xstrdup(text);
}

char *csp_fmt_amount(const json_t *value, const json_t *item) {
  return csp_money_text(value, csp_json_str(item, "currency", NULL));
}

char *csp_fmt_price(const json_t *value, const json_t *item) {
  (void)item;
  if (!value)
    return csp_json_text(value);
  return csp_money_text(json_object_get(value, "unitPriceMinor"),
                        csp_json_str(value, "currency", NULL));
}

/** Join the non-empty strings of parts with ", "; "-" when there are none. */
static char *csp_join_parts(const char *const *parts, size_t n) {
  char *acc = NULL;
  for (size_t i = 0; i < n; i++) {
    if (!parts[i] || !*parts[i])
      continue;
    char *next = csp_xasprintf("%s%s%s", acc ? acc : "", acc ? ", " : "", parts[i]);
    free(acc);
    acc = next;
  }
  return acc ? acc : csp_xstrdup("-");
}

char *csp_fmt_address(const json_t *value, const json_t *item) {
  (void)item;
  const char *postal = csp_json_str(value, "postalCode", NULL);
  const char *city = csp_json_str(value, "city", NULL);
  char *place =
      csp_xasprintf("%s%s%s", postal ? postal : "", postal && city ? " " : "", city ? city : "");
  const char *parts[] = {
      csp_json_str(value, "addressLine1", NULL), csp_json_str(value, "addressLine2", NULL), place,
      csp_json_str(value, "state", NULL),        csp_json_str(value, "country", NULL),
  };
  char *text = csp_join_parts(parts, sizeof parts / sizeof parts[0]);
  free(place);
  return text;
}

char *csp_fmt_contact(const json_t *value, const json_t *item) {
  (void)item;
  const char *first = csp_json_str(value, "firstName", NULL);
  const char *last = csp_json_str(value, "lastName", NULL);
  const char *email = csp_json_str(value, "email", NULL);
  char *name =
      csp_xasprintf("%s%s%s", first ? first : "", first && last ? " " : "", last ? last : "");
  char *who = email ? csp_xasprintf("%s%s<%s>", name, *name ? " " : "", email) : csp_xstrdup(name);
  const char *parts[] = {who, csp_json_str(value, "phoneNumber", NULL)};
  char *text = csp_join_parts(parts, sizeof parts / sizeof parts[0]);
  free(who);
  free(name);
  return text;
}

/** Append "prefix.key value" rows for every scalar member of obj. */
static void csp_flatten(const json_t *obj, const char *prefix, csp_cells *rows) {
  const char *key;
  const json_t *val;
  json_object_foreach((json_t *)obj, key, val) {
    if (!prefix && strcmp(key, "links") == 0)
      continue;
    if (!prefix && strcmp(key, "attributes") == 0) {
      const json_t *etag = json_object_get(val, "etag");
      if (etag) {
        csp_cells_add(rows, "etag");
        csp_cells_push(rows, csp_json_text(etag));
      }
      continue;
    }
    char *name = prefix ? csp_xasprintf("%s.%s", prefix, key) : csp_xstrdup(key);
    if (json_is_object(val) && json_object_size(val) > 0) {
      csp_flatten(val, name, rows);
      free(name);
    } else {
      csp_cells_push(rows, name);
      csp_cells_push(rows, csp_json_text(val));
    }
  }
}

int csp_print_resource(const csp_ctx *ctx, const json_t *obj) {
  if (ctx->json || !json_is_object(obj))
    return csp_print_json(obj);
  csp_cells rows = {0};
  csp_flatten(obj, NULL, &rows);
  csp_table(stdout, NULL, 2, (const char *const *)rows.v, rows.n / 2, 0);
  csp_cells_free(&rows);
  return 0;
}

int csp_list(csp_ctx *ctx, const char *path, const csp_strlist *query, const csp_column *cols,
             size_t ncols) {
  json_t *coll = NULL;
  int rc = csp_get_all(ctx, path, query, &coll);
  if (rc != 0)
    return rc;
  rc = csp_print_list(ctx, coll, cols, ncols);
  json_decref(coll);
  return rc;
}

int csp_show(csp_ctx *ctx, const char *method, const char *path, const csp_strlist *query,
             const json_t *body, const char *done_message) {
  json_t *res = NULL;
  int rc = csp_call(ctx, method, path, query, body, CSP_AUTH_REQUIRED, &res);
  if (rc != 0)
    return rc;
  bool empty = !res || (json_is_object(res) && json_object_size(res) == 0);
  if (empty && !ctx->json) {
    if (done_message)
      puts(done_message);
  } else if (res) {
    rc = csp_print_resource(ctx, res);
  }
  json_decref(res);
  return rc;
}

int csp_show_fields(csp_ctx *ctx, const char *method, const char *path, const csp_strlist *query,
                    const json_t *body, const csp_column *fields, size_t nfields) {
  json_t *res = NULL;
  int rc = csp_call(ctx, method, path, query, body, CSP_AUTH_REQUIRED, &res);
  if (rc != 0)
    return rc;
  rc = csp_print_object(ctx, res, fields, nfields);
  json_decref(res);
  return rc;
}

int csp_print_object(const csp_ctx *ctx, const json_t *obj, const csp_column *fields,
                     size_t nfields) {
  if (ctx->json)
    return csp_print_json(obj);
  return csp_print_fields(stdout, obj, fields, nfields);
}

int csp_send_list(csp_ctx *ctx, const char *method, const char *path, const json_t *body,
                  const csp_column *cols, size_t ncols) {
  json_t *coll = NULL;
  int rc = csp_call(ctx, method, path, NULL, body, CSP_AUTH_REQUIRED, &coll);
  if (rc != 0)
    return rc;
  if (!json_is_array(coll) && !json_is_array(json_object_get(coll, "items"))) {
    fprintf(stderr, "csp: expected a collection from %s\n", path);
    rc = -CSP_EXIT_SERVER;
  } else {
    rc = csp_print_list(ctx, coll, cols, ncols);
  }
  json_decref(coll);
  return rc;
}

void csp_note_shown_once(const csp_ctx *ctx, const char *what) {
  if (ctx->json)
    return;
  fflush(stdout);
  fprintf(stderr, "csp: note: the %s is shown only once; store it now.\n", what);
}
