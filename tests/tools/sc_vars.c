/*
 * sc_vars.c — scenario variables and {{name}} substitution for cspd-scenario.
 *
 * A reference is "{{" name "}}" where name (blanks around it allowed) consists of letters, digits
 * and
 * "_.:-".  Anything else between braces (e.g. JSON text such as {{"a":1}}) is left as literal text.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include "scenario.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int sc_vars_init(sc_vars *v, const char *base_url) {
  v->table = json_object();
  v->uuids = json_object();
  v->base_url = base_url;
  if (v->table == NULL || v->uuids == NULL) {
    sc_vars_free(v);
    return -1;
  }
  return 0;
}

void sc_vars_free(sc_vars *v) {
  json_decref(v->table);
  json_decref(v->uuids);
  v->table = NULL;
  v->uuids = NULL;
}

int sc_vars_set(sc_vars *v, const char *name, json_t *value) {
  return json_object_set(v->table, name, value) == 0 ? 0 : -1;
}

/** Makes a new reference to a JSON string holding a fresh GUID (caller decref's), or NULL. */
static json_t *new_uuid_string(void) {
  char u[37];
  if (sc_uuid_v4(u) != 0)
    return NULL;
  return json_string(u);
}

int sc_vars_lookup(sc_vars *v, const char *name, json_t **out, sc_buf *err) {
  *out = NULL;
  if (strcmp(name, "uuid") == 0) {
    *out = new_uuid_string();
    if (*out == NULL) {
      sc_buf_puts(err, "cannot generate a GUID");
      return -1;
    }
    return 0;
  }
  if (strncmp(name, "uuid:", 5) == 0) {
    const char *key = name + 5;
    if (key[0] == '\0') {
      sc_buf_puts(err, "\"{{uuid:}}\" needs a name after the colon");
      return -1;
    }
    json_t *have = json_object_get(v->uuids, key); /* borrowed */
    if (have == NULL) {
      json_t *fresh = new_uuid_string(); /* owned until stored */
      if (fresh == NULL || json_object_set_new(v->uuids, key, fresh) != 0) {
        sc_buf_puts(err, "cannot generate a GUID");
        return -1;
      }
      have = fresh;
    }
    *out = json_incref(have);
    return 0;
  }
  if (strcmp(name, "base_url") == 0) {
    *out = json_string(v->base_url);
    return *out != NULL ? 0 : -1;
  }
  json_t *val = json_object_get(v->table, name); /* borrowed */
  if (val == NULL) {
    sc_buf_printf(err, "unknown variable \"%s\" (not set by \"vars\", --var or an earlier capture)",
                  name);
    return -1;
  }
  *out = json_incref(val);
  return 0;
}

/** Position of one {{name}} reference inside a string (byte offsets). */
typedef struct ref_pos {
  size_t start;    /* offset of "{{" */
  size_t end;      /* offset just past "}}" */
  size_t name_off; /* offset of the trimmed name */
  size_t name_len;
} ref_pos;

/** 1 when c may appear in a reference name. */
static int ref_char(char c) {
  return isalnum((unsigned char)c) || c == '_' || c == '.' || c == ':' || c == '-';
}

/** Finds the first reference in s at or after offset from.  Returns 1 and fills r, or 0 when none.
 */
static int find_ref(const char *s, size_t from, ref_pos *r) {
  const char *p = s + from;
  for (;;) {
    const char *open = strstr(p, "{{");
    if (open == NULL)
      return 0;
    const char *close = strstr(open + 2, "}}");
    if (close == NULL)
      return 0;
    const char *a = open + 2;
    const char *b = close;
    while (a < b && (*a == ' ' || *a == '\t'))
      a++;
    while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
      b--;
    int ok = a < b;
    for (const char *q = a; ok && q < b; q++)
      ok = ref_char(*q);
    if (ok) {
      r->start = (size_t)(open - s);
      r->end = (size_t)(close + 2 - s);
      r->name_off = (size_t)(a - s);
      r->name_len = (size_t)(b - a);
      return 1;
    }
    p = open + 1; /* not a reference: keep looking */
  }
}

int sc_single_ref(const char *s, char **name) {
  *name = NULL;
  ref_pos r;
  if (!find_ref(s, 0, &r) || r.start != 0 || s[r.end] != '\0')
    return 0;
  *name = strndup(s + r.name_off, r.name_len);
  return *name != NULL ? 1 : -1;
}

int sc_subst_text(sc_vars *v, const char *tmpl, char **out, sc_buf *err) {
  sc_buf b = {0}; /* owned until handed to *out */
  size_t pos = 0;
  ref_pos r;
  *out = NULL;
  while (find_ref(tmpl, pos, &r)) {
    if (sc_buf_append(&b, tmpl + pos, r.start - pos) != 0)
      goto oom;
    char *name = strndup(tmpl + r.name_off, r.name_len); /* owned here */
    if (name == NULL)
      goto oom;
    json_t *val = NULL; /* owned here */
    int rc = sc_vars_lookup(v, name, &val, err);
    free(name);
    if (rc != 0) {
      sc_buf_free(&b);
      return -1;
    }
    if (json_is_string(val)) {
      rc = sc_buf_append(&b, json_string_value(val), json_string_length(val));
    } else {
      char *text = sc_json_text(val); /* owned here */
      rc = text != NULL ? sc_buf_puts(&b, text) : -1;
      free(text);
    }
    json_decref(val);
    if (rc != 0)
      goto oom;
    pos = r.end;
  }
  if (sc_buf_puts(&b, tmpl + pos) != 0)
    goto oom;
  *out = sc_buf_take(&b);
  if (*out == NULL)
    goto oom;
  return 0;
oom:
  sc_buf_free(&b);
  sc_buf_puts(err, "out of memory");
  return -1;
}

int sc_subst_json(sc_vars *v, json_t *tmpl, json_t **out, sc_buf *err) {
  *out = NULL;
  if (json_is_string(tmpl)) {
    const char *s = json_string_value(tmpl);
    char *name = NULL; /* owned here */
    int single = sc_single_ref(s, &name);
    if (single < 0)
      goto oom;
    if (single == 1) {
      int rc = sc_vars_lookup(v, name, out, err);
      free(name);
      return rc;
    }
    char *text = NULL; /* owned here */
    if (sc_subst_text(v, s, &text, err) != 0)
      return -1;
    *out = json_string(text);
    free(text);
    if (*out == NULL)
      goto oom;
    return 0;
  }
  if (json_is_array(tmpl)) {
    json_t *arr = json_array(); /* owned until handed to *out */
    if (arr == NULL)
      goto oom;
    size_t i;
    json_t *item;
    json_array_foreach(tmpl, i, item) {
      json_t *copy = NULL;
      if (sc_subst_json(v, item, &copy, err) != 0) {
        json_decref(arr);
        return -1;
      }
      if (json_array_append_new(arr, copy) != 0) {
        json_decref(arr);
        goto oom;
      }
    }
    *out = arr;
    return 0;
  }
  if (json_is_object(tmpl)) {
    json_t *obj = json_object(); /* owned until handed to *out */
    if (obj == NULL)
      goto oom;
    const char *key;
    json_t *item;
    json_object_foreach(tmpl, key, item) {
      json_t *copy = NULL;
      if (sc_subst_json(v, item, &copy, err) != 0) {
        json_decref(obj);
        return -1;
      }
      if (json_object_set_new(obj, key, copy) != 0) {
        json_decref(obj);
        goto oom;
      }
    }
    *out = obj;
    return 0;
  }
  *out = json_incref(tmpl); /* numbers, booleans, null are immutable here */
  return 0;
oom:
  sc_buf_puts(err, "out of memory");
  return -1;
}
