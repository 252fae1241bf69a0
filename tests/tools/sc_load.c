/*
 * sc_load.c — loading and validating scenario files for cspd-scenario.
 *
 * Everything that can be checked before running is checked here (structure, types, unknown keys,
 * JSON pointer syntax, regular expressions without variables, special forms), and every problem is
 * reported, not just the first.  Step numbers in messages are 1-based.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include "scenario.h"

#include <stdlib.h>
#include <string.h>

/** Validation context: where we are, and how many problems were found. */
typedef struct vctx {
  const char *path;
  size_t step;           /* 1-based step number, 0 outside steps */
  const char *step_name; /* borrowed, may be NULL */
  int errors;
} vctx;

/** Reports one problem: "cspd-scenario: FILE: step N ("name"): message". */
static void SC_PRINTF(2, 3) verr(vctx *c, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "cspd-scenario: %s: ", c->path);
  if (c->step > 0) {
    if (c->step_name != NULL)
      fprintf(stderr, "step %zu (\"%s\"): ", c->step, c->step_name);
    else
      fprintf(stderr, "step %zu: ", c->step);
  }
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  c->errors++;
}

/** Name of a JSON type for messages. */
static const char *kind(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    return "an object";
  case JSON_ARRAY:
    return "an array";
  case JSON_STRING:
    return "a string";
  case JSON_INTEGER:
    return "an integer";
  case JSON_REAL:
    return "a real number";
  case JSON_TRUE:
  case JSON_FALSE:
    return "a boolean";
  default:
    return "null";
  }
}

/** Reports every key of obj that is not in the NULL-terminated list allowed; what names obj. */
static void check_keys(vctx *c, json_t *obj, const char *what, const char *const *allowed) {
  const char *key;
  json_t *val;
  json_object_foreach(obj, key, val) {
    int known = 0;
    for (const char *const *a = allowed; *a != NULL && !known; a++)
      known = strcmp(key, *a) == 0;
    if (!known) {
      sc_buf list = {0};
      for (const char *const *a = allowed; *a != NULL; a++)
        sc_buf_printf(&list, "%s%s", a == allowed ? "" : ", ", *a);
      verr(c, "%s: unknown key \"%s\" (allowed: %s)", what, key, sc_buf_str(&list));
      sc_buf_free(&list);
    }
  }
}

/** Checks a pointer string (skipped when it contains a {{reference}}, checked at run time then). */
static void check_pointer(vctx *c, const char *what, const char *ptr) {
  if (strstr(ptr, "{{") != NULL)
    return;
  sc_buf err = {0};
  if (sc_ptr_check(ptr, &err) != 0)
    verr(c, "%s: %s", what, sc_buf_str(&err));
  sc_buf_free(&err);
}

/** Checks that obj (if present) is an object whose values are strings, or also null when null_ok.
 */
static void check_string_map(vctx *c, json_t *obj, const char *what, int null_ok) {
  if (obj == NULL)
    return;
  if (!json_is_object(obj)) {
    verr(c, "%s must be an object, not %s", what, kind(obj));
    return;
  }
  const char *key;
  json_t *val;
  json_object_foreach(obj, key, val) {
    if (!json_is_string(val) && !(null_ok && json_is_null(val)))
      verr(c, "%s.%s must be a string%s, not %s", what, key, null_ok ? " or null" : "", kind(val));
  }
}

/** Checks an object of scalar parameters (form / query): string, number or boolean values. */
static void check_param_map(vctx *c, json_t *obj, const char *what) {
  if (obj == NULL)
    return;
  if (!json_is_object(obj)) {
    verr(c, "%s must be an object, not %s", what, kind(obj));
    return;
  }
  const char *key;
  json_t *val;
  json_object_foreach(obj, key, val) {
    if (!json_is_string(val) && !json_is_number(val) && !json_is_boolean(val))
      verr(c, "%s.%s must be a string, number or boolean, not %s", what, key, kind(val));
  }
}

/** Checks a list of pointers (expect.exists / expect.absent). */
static void check_pointer_list(vctx *c, json_t *list, const char *what) {
  if (list == NULL)
    return;
  if (!json_is_array(list)) {
    verr(c, "%s must be an array of JSON pointers, not %s", what, kind(list));
    return;
  }
  size_t i;
  json_t *item;
  json_array_foreach(list, i, item) {
    if (!json_is_string(item)) {
      verr(c, "%s[%zu] must be a string (a JSON pointer), not %s", what, i, kind(item));
      continue;
    }
    char label[64];
    snprintf(label, sizeof label, "%s[%zu]", what, i);
    check_pointer(c, label, json_string_value(item));
  }
}

/** Checks a variable name used as a capture or vars key. */
static void check_var_name(vctx *c, const char *what, const char *name) {
  if (!sc_valid_var_name(name))
    verr(c, "%s: \"%s\" is not a valid variable name (letters, digits, '_', '.', '-')", what, name);
  else if (sc_reserved_var_name(name))
    verr(c, "%s: \"%s\" is a builtin variable and cannot be set", what, name);
}

/** Validates step->request. */
static void check_request(vctx *c, json_t *rq) {
  static const char *const keys[] = {"method", "path", "headers", "query", "auth",
                                     "body",   "raw",  "form",    NULL};
  if (!json_is_object(rq)) {
    verr(c, "\"request\" must be an object%s", rq == NULL ? " (missing)" : "");
    return;
  }
  check_keys(c, rq, "request", keys);
  json_t *method = json_object_get(rq, "method");
  if (!json_is_string(method) || json_string_length(method) == 0)
    verr(c, "request.method must be a non-empty string%s", method == NULL ? " (missing)" : "");
  json_t *path = json_object_get(rq, "path");
  if (!json_is_string(path))
    verr(c, "request.path must be a string%s", path == NULL ? " (missing)" : "");
  check_string_map(c, json_object_get(rq, "headers"), "request.headers", 1);
  check_param_map(c, json_object_get(rq, "query"), "request.query");
  check_param_map(c, json_object_get(rq, "form"), "request.form");
  json_t *auth = json_object_get(rq, "auth");
  if (auth != NULL && !json_is_string(auth))
    verr(c, "request.auth must be a string such as \"{{token}}\", not %s", kind(auth));
  json_t *raw = json_object_get(rq, "raw");
  if (raw != NULL && !json_is_string(raw))
    verr(c, "request.raw must be a string, not %s", kind(raw));
  int bodies =
      (json_object_get(rq, "body") != NULL) + (raw != NULL) + (json_object_get(rq, "form") != NULL);
  if (bodies > 1)
    verr(c, "request may hold only one of \"body\", \"raw\" and \"form\"");
}

/** Validates step->expect. */
static void check_expect(vctx *c, json_t *ex) {
  static const char *const keys[] = {"status", "headers",       "json", "exists",
                                     "absent", "body_contains", NULL};
  if (ex == NULL)
    return;
  if (!json_is_object(ex)) {
    verr(c, "\"expect\" must be an object, not %s", kind(ex));
    return;
  }
  check_keys(c, ex, "expect", keys);
  json_t *status = json_object_get(ex, "status");
  if (status != NULL && (!json_is_integer(status) || json_integer_value(status) < 100 ||
                         json_integer_value(status) > 599))
    verr(c, "expect.status must be an integer HTTP status (100..599)");
  json_t *headers = json_object_get(ex, "headers");
  check_string_map(c, headers, "expect.headers", 1);
  if (json_is_object(headers)) {
    const char *key;
    json_t *val;
    json_object_foreach(headers, key, val) {
      sc_buf err = {0};
      if (json_is_string(val) && sc_check_expected(val, &err) != 0)
        verr(c, "expect.headers.%s: %s", key, sc_buf_str(&err));
      sc_buf_free(&err);
    }
  }
  json_t *js = json_object_get(ex, "json");
  if (js != NULL && !json_is_object(js)) {
    verr(c, "expect.json must be an object mapping JSON pointers to expected values, not %s",
         kind(js));
  } else if (js != NULL) {
    const char *ptr;
    json_t *val;
    json_object_foreach(js, ptr, val) {
      char label[96];
      snprintf(label, sizeof label, "expect.json \"%.60s\"", ptr);
      check_pointer(c, label, ptr);
      sc_buf err = {0};
      if (sc_check_expected(val, &err) != 0)
        verr(c, "%s: %s", label, sc_buf_str(&err));
      sc_buf_free(&err);
    }
  }
  check_pointer_list(c, json_object_get(ex, "exists"), "expect.exists");
  check_pointer_list(c, json_object_get(ex, "absent"), "expect.absent");
  json_t *bc = json_object_get(ex, "body_contains");
  if (bc != NULL && !json_is_string(bc)) {
    int ok = json_is_array(bc);
    size_t i;
    json_t *item;
    json_array_foreach(bc, i, item) {
      ok = ok && json_is_string(item);
    }
    if (!ok)
      verr(c, "expect.body_contains must be a string or an array of strings");
  }
}

/** Validates a capture / capture_headers map. */
static void check_captures(vctx *c, json_t *cap, const char *what, int pointers) {
  if (cap == NULL)
    return;
  if (!json_is_object(cap)) {
    verr(c, "%s must be an object, not %s", what, kind(cap));
    return;
  }
  const char *name;
  json_t *val;
  json_object_foreach(cap, name, val) {
    char label[96];
    snprintf(label, sizeof label, "%s.%.60s", what, name);
    check_var_name(c, label, name);
    if (!json_is_string(val)) {
      verr(c, "%s must be a string (%s), not %s", label,
           pointers ? "a JSON pointer" : "a header name", kind(val));
    } else if (pointers) {
      check_pointer(c, label, json_string_value(val));
    } else if (json_string_length(val) == 0) {
      verr(c, "%s: header name is empty", label);
    }
  }
}

/** Validates one step object. */
static void check_step(vctx *c, json_t *step) {
  static const char *const keys[] = {"name",    "description",     "request", "expect",
                                     "capture", "capture_headers", "repeat",  NULL};
  if (!json_is_object(step)) {
    verr(c, "a step must be an object, not %s", kind(step));
    return;
  }
  check_keys(c, step, "step", keys);
  json_t *name = json_object_get(step, "name");
  if (name != NULL && !json_is_string(name))
    verr(c, "\"name\" must be a string, not %s", kind(name));
  check_request(c, json_object_get(step, "request"));
  check_expect(c, json_object_get(step, "expect"));
  check_captures(c, json_object_get(step, "capture"), "capture", 1);
  check_captures(c, json_object_get(step, "capture_headers"), "capture_headers", 0);
  json_t *repeat = json_object_get(step, "repeat");
  if (repeat != NULL && (!json_is_integer(repeat) || json_integer_value(repeat) < 1 ||
                         json_integer_value(repeat) > 100000))
    verr(c, "\"repeat\" must be an integer from 1 to 100000");
}

/** Returns a malloc'd copy of the last path component of path (caller frees). */
static char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return strdup(slash != NULL ? slash + 1 : path);
}

int sc_load(const char *path, sc_scenario *out) {
  static const char *const keys[] = {"name", "description", "vars", "steps", NULL};
  vctx c = {.path = path};
  json_error_t jerr;
  memset(out, 0, sizeof *out);

  json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr); /* owned; moves to out */
  if (doc == NULL) {
    if (jerr.line > 0)
      fprintf(stderr, "cspd-scenario: %s:%d:%d: invalid JSON: %s\n", path, jerr.line, jerr.column,
              jerr.text);
    else
      fprintf(stderr, "cspd-scenario: %s: %s\n", path, jerr.text);
    return -1;
  }
  if (!json_is_object(doc)) {
    verr(&c, "the document must be an object with \"name\" and \"steps\", not %s", kind(doc));
    json_decref(doc);
    return -1;
  }
  check_keys(&c, doc, "scenario", keys);
  json_t *name = json_object_get(doc, "name");
  if (name != NULL && !json_is_string(name))
    verr(&c, "\"name\" must be a string, not %s", kind(name));
  json_t *vars = json_object_get(doc, "vars");
  if (vars != NULL && !json_is_object(vars)) {
    verr(&c, "\"vars\" must be an object, not %s", kind(vars));
  } else if (vars != NULL) {
    const char *key;
    json_t *val;
    json_object_foreach(vars, key, val) {
      check_var_name(&c, "vars", key);
    }
  }
  json_t *steps = json_object_get(doc, "steps");
  if (!json_is_array(steps) || json_array_size(steps) == 0) {
    verr(&c, "\"steps\" must be a non-empty array%s", steps == NULL ? " (missing)" : "");
  } else {
    size_t i;
    json_t *step;
    json_array_foreach(steps, i, step) {
      c.step = i + 1;
      c.step_name = json_string_value(json_object_get(step, "name"));
      check_step(&c, step);
    }
    c.step = 0;
    c.step_name = NULL;
  }
  if (c.errors > 0) {
    json_decref(doc);
    return -1;
  }
  out->path = strdup(path);
  out->name = json_is_string(name) && json_string_length(name) > 0 ? strdup(json_string_value(name))
                                                                   : base_name(path);
  out->doc = doc;
  out->vars = vars;
  out->steps = steps;
  if (out->path == NULL || out->name == NULL) {
    fprintf(stderr, "cspd-scenario: %s: out of memory\n", path);
    sc_scenario_free(out);
    return -1;
  }
  return 0;
}

void sc_scenario_free(sc_scenario *s) {
  free(s->path);
  free(s->name);
  json_decref(s->doc);
  memset(s, 0, sizeof *s);
}
