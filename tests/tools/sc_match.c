/*
 * sc_match.c — RFC 6901 JSON pointers and expectation matching for cspd-scenario.
 *
 * Expected string conventions (in expect.json values and expect.headers values):
 *   "~text"   actual contains text
 *   "^re"     actual matches the POSIX extended regular expression "^re" (the ^ stays: anchored)
 *   "\~x", "\^x"  exactly "~x" / "^x" (the backslash only escapes a leading ~ or ^)
 *   anything else: exact equality; "{{name}}" alone stands for the variable's JSON value.
 * Special forms: {"$type": "array"|"object"|"string"|"number"|"boolean"|"null"} and {"$len": n}
 * (both keys may be combined).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include "scenario.h"

#include <errno.h>
#include <regex.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ JSON pointer */

int sc_ptr_check(const char *ptr, sc_buf *err) {
  if (ptr[0] == '\0')
    return 0;
  if (ptr[0] != '/') {
    sc_buf_printf(err, "JSON pointer \"%s\" must be empty or start with '/'", ptr);
    return -1;
  }
  for (const char *p = ptr; *p != '\0'; p++) {
    if (*p == '~' && p[1] != '0' && p[1] != '1') {
      sc_buf_printf(
          err, "JSON pointer \"%s\" has an invalid escape ('~' must be followed by 0 or 1)", ptr);
      return -1;
    }
  }
  return 0;
}

/** Parses an RFC 6901 array index ("0" or digits without a leading zero).  Returns 0 and sets *idx.
 */
static int parse_index(const char *tok, size_t *idx) {
  if (tok[0] == '\0' || (tok[0] == '0' && tok[1] != '\0'))
    return -1;
  for (const char *p = tok; *p != '\0'; p++) {
    if (*p < '0' || *p > '9')
      return -1;
  }
  errno = 0;
  unsigned long long n = strtoull(tok, NULL, 10);
  if (errno != 0 || n > (unsigned long long)SIZE_MAX)
    return -1;
  *idx = (size_t)n;
  return 0;
}

json_t *sc_ptr_get(json_t *doc, const char *ptr) {
  if (doc == NULL)
    return NULL;
  if (ptr[0] == '\0')
    return doc;
  if (ptr[0] != '/')
    return NULL;
  char *tok = malloc(strlen(ptr) + 1); /* owned here: one decoded reference token */
  if (tok == NULL)
    return NULL;
  json_t *cur = doc;
  const char *p = ptr + 1;
  for (;;) {
    size_t n = 0;
    while (*p != '\0' && *p != '/') {
      if (*p == '~') {
        if (p[1] == '0') {
          tok[n++] = '~';
        } else if (p[1] == '1') {
          tok[n++] = '/';
        } else {
          cur = NULL;
          goto done;
        }
        p += 2;
      } else {
        tok[n++] = *p++;
      }
    }
    tok[n] = '\0';
    if (json_is_object(cur)) {
      cur = json_object_get(cur, tok);
    } else if (json_is_array(cur)) {
      size_t idx;
      if (parse_index(tok, &idx) != 0) {
        cur = NULL;
      } else {
        cur = json_array_get(cur, idx);
      }
    } else {
      cur = NULL;
    }
    if (cur == NULL || *p == '\0')
      break;
    p++; /* skip '/' */
  }
done:
  free(tok);
  return cur;
}

/* ------------------------------------------------------------------ equality and types */

int sc_json_equal(const json_t *a, const json_t *b) {
  if (json_is_number(a) && json_is_number(b)) {
    if (json_is_integer(a) && json_is_integer(b))
      return json_integer_value(a) == json_integer_value(b);
    return json_number_value(a) == json_number_value(b);
  }
  if (json_typeof(a) != json_typeof(b))
    return 0;
  switch (json_typeof(a)) {
  case JSON_STRING:
    return json_string_length(a) == json_string_length(b) &&
           memcmp(json_string_value(a), json_string_value(b), json_string_length(a)) == 0;
  case JSON_ARRAY: {
    size_t n = json_array_size(a);
    if (n != json_array_size(b))
      return 0;
    for (size_t i = 0; i < n; i++) {
      if (!sc_json_equal(json_array_get(a, i), json_array_get(b, i)))
        return 0;
    }
    return 1;
  }
  case JSON_OBJECT: {
    if (json_object_size(a) != json_object_size(b))
      return 0;
    const char *key;
    json_t *va;
    json_object_foreach((json_t *)a, key, va) {
      json_t *vb = json_object_get(b, key);
      if (vb == NULL || !sc_json_equal(va, vb))
        return 0;
    }
    return 1;
  }
  default:
    return 1; /* true, false, null */
  }
}

/** Type name used by {"$type": ...}. */
static const char *type_name(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT:
    return "object";
  case JSON_ARRAY:
    return "array";
  case JSON_STRING:
    return "string";
  case JSON_INTEGER:
  case JSON_REAL:
    return "number";
  case JSON_TRUE:
  case JSON_FALSE:
    return "boolean";
  default:
    return "null";
  }
}

/** Number of UTF-8 code points in s[0..len). */
static size_t utf8_length(const char *s, size_t len) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    if (((unsigned char)s[i] & 0xC0) != 0x80)
      n++;
  }
  return n;
}

/** 1 when e is a special form object ({"$type"...} / {"$len"...}). */
static int is_special(const json_t *e) {
  return json_is_object(e) &&
         (json_object_get(e, "$type") != NULL || json_object_get(e, "$len") != NULL);
}

/** Shown instead of an empty pointer in messages. */
static const char *where_name(const char *where) {
  return where[0] != '\0' ? where : "(body)";
}

/* ------------------------------------------------------------------ load-time checks */

int sc_check_expected(json_t *e, sc_buf *err) {
  if (is_special(e)) {
    const char *key;
    json_t *val;
    json_object_foreach(e, key, val) {
      if (strcmp(key, "$type") == 0) {
        const char *t = json_string_value(val);
        static const char *const names[] = {"array",  "object",  "string",
                                            "number", "boolean", "null"};
        int known = 0;
        for (size_t i = 0; t != NULL && i < sizeof names / sizeof names[0]; i++)
          known |= strcmp(t, names[i]) == 0;
        if (!known) {
          sc_buf_puts(err, "\"$type\" must be one of array, object, string, number, boolean, null");
          return -1;
        }
      } else if (strcmp(key, "$len") == 0) {
        if (!json_is_integer(val) || json_integer_value(val) < 0) {
          sc_buf_puts(err, "\"$len\" must be a non-negative integer");
          return -1;
        }
      } else {
        sc_buf_printf(err, "special form object may only hold \"$type\" and \"$len\", not \"%s\"",
                      key);
        return -1;
      }
    }
    return 0;
  }
  if (json_is_string(e)) {
    const char *s = json_string_value(e);
    if (s[0] == '^' && strstr(s, "{{") == NULL) {
      regex_t re;
      int rc = regcomp(&re, s, REG_EXTENDED | REG_NOSUB);
      if (rc != 0) {
        char msg[256];
        regerror(rc, &re, msg, sizeof msg);
        sc_buf_printf(err, "invalid regular expression \"%s\": %s", s, msg);
        return -1;
      }
      regfree(&re);
    }
    return 0;
  }
  if (json_is_array(e)) {
    size_t i;
    json_t *item;
    json_array_foreach(e, i, item) {
      if (sc_check_expected(item, err) != 0)
        return -1;
    }
    return 0;
  }
  if (json_is_object(e)) {
    const char *key;
    json_t *item;
    json_object_foreach(e, key, item) {
      if (sc_check_expected(item, err) != 0)
        return -1;
    }
  }
  return 0;
}

/* ------------------------------------------------------------------ matching */

enum match_mode { MODE_EXACT, MODE_CONTAINS, MODE_REGEX };

/** Splits the ~ / ^ / \ prefix off an expected string.  Returns the text to substitute (borrowed).
 */
static const char *split_mode(const char *s, enum match_mode *mode) {
  if (s[0] == '~') {
    *mode = MODE_CONTAINS;
    return s + 1;
  }
  if (s[0] == '^') {
    *mode = MODE_REGEX;
    return s; /* the regex keeps its leading ^ */
  }
  *mode = MODE_EXACT;
  if (s[0] == '\\' && (s[1] == '~' || s[1] == '^'))
    return s + 1;
  return s;
}

/** Appends "<where>: expected <e>, got <a>" with both values as brief JSON. */
static int mismatch(const json_t *e, const json_t *a, const char *where, sc_buf *why) {
  sc_buf_printf(why, "%s: expected ", where_name(where));
  sc_json_brief(why, e);
  sc_buf_puts(why, ", got ");
  sc_json_brief(why, a);
  return -1;
}

/** Appends the description of an expected string ("x", a string containing "x", ...) to why. */
static void describe_text(enum match_mode mode, const char *want, sc_buf *why) {
  if (mode == MODE_CONTAINS) {
    sc_buf_puts(why, "a string containing ");
    sc_quote_brief(why, want);
  } else if (mode == MODE_REGEX) {
    sc_buf_puts(why, "a string matching ");
    sc_quote_brief(why, want);
  } else {
    sc_quote_brief(why, want);
  }
}

/**
 * Compares actual text (len bytes) with want according to mode.  Returns 0 on match, else appends
 * "<where>: expected ..., got ..." to why and returns -1.
 */
static int text_compare(enum match_mode mode, const char *want, const char *actual, size_t len,
                        const char *where, sc_buf *why) {
  size_t want_len = strlen(want);
  int ok = 0;
  if (mode == MODE_EXACT) {
    ok = want_len == len && memcmp(want, actual, len) == 0;
  } else if (mode == MODE_CONTAINS) {
    ok = memmem(actual, len, want, want_len) != NULL;
  } else {
    regex_t re;
    int rc = regcomp(&re, want, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
      char msg[256];
      regerror(rc, &re, msg, sizeof msg);
      sc_buf_printf(why, "%s: invalid regular expression ", where_name(where));
      sc_quote_brief(why, want);
      sc_buf_printf(why, ": %s", msg);
      return -1;
    }
    ok = regexec(&re, actual, 0, NULL, 0) == 0;
    regfree(&re);
  }
  if (ok)
    return 0;
  sc_buf_printf(why, "%s: expected ", where_name(where));
  describe_text(mode, want, why);
  sc_buf_puts(why, ", got ");
  sc_quote_brief(why, actual);
  return -1;
}

/** Matches a string template against an actual JSON value (see file comment). */
static int match_string_json(sc_vars *v, const char *tmpl, json_t *a, const char *where,
                             sc_buf *why) {
  enum match_mode mode;
  const char *rest = split_mode(tmpl, &mode);
  if (mode == MODE_EXACT) {
    char *name = NULL; /* owned here */
    int single = sc_single_ref(rest, &name);
    if (single < 0) {
      sc_buf_puts(why, "out of memory");
      return -1;
    }
    if (single == 1) {
      json_t *val = NULL; /* owned here */
      sc_buf err = {0};
      int rc = sc_vars_lookup(v, name, &val, &err);
      free(name);
      if (rc != 0) {
        sc_buf_printf(why, "%s: %s", where_name(where), sc_buf_str(&err));
        sc_buf_free(&err);
        return -1;
      }
      if (!json_is_string(val)) { /* typed comparison with a non-string variable */
        rc = sc_json_equal(val, a) ? 0 : mismatch(val, a, where, why);
        json_decref(val);
        return rc;
      }
      json_decref(val);
    }
  }
  char *want = NULL; /* owned here */
  sc_buf err = {0};
  if (sc_subst_text(v, rest, &want, &err) != 0) {
    sc_buf_printf(why, "%s: %s", where_name(where), sc_buf_str(&err));
    sc_buf_free(&err);
    return -1;
  }
  int rc;
  if (!json_is_string(a)) {
    sc_buf_printf(why, "%s: expected ", where_name(where));
    describe_text(mode, want, why);
    sc_buf_puts(why, ", got ");
    sc_json_brief(why, a);
    rc = -1;
  } else {
    rc = text_compare(mode, want, json_string_value(a), json_string_length(a), where, why);
  }
  free(want);
  return rc;
}

/** Checks a {"$type"...,"$len"...} special form against a. */
static int match_special(json_t *e, json_t *a, const char *where, sc_buf *why) {
  json_t *t = json_object_get(e, "$type");
  if (t != NULL && strcmp(json_string_value(t), type_name(a)) != 0) {
    sc_buf_printf(why, "%s: expected a value of type %s, got %s ", where_name(where),
                  json_string_value(t), type_name(a));
    sc_json_brief(why, a);
    return -1;
  }
  json_t *l = json_object_get(e, "$len");
  if (l != NULL) {
    size_t want = (size_t)json_integer_value(l);
    size_t have;
    if (json_is_array(a)) {
      have = json_array_size(a);
    } else if (json_is_object(a)) {
      have = json_object_size(a);
    } else if (json_is_string(a)) {
      have = utf8_length(json_string_value(a), json_string_length(a));
    } else {
      sc_buf_printf(why, "%s: expected length %zu, but the value is a %s: ", where_name(where),
                    want, type_name(a));
      sc_json_brief(why, a);
      return -1;
    }
    if (have != want) {
      sc_buf_printf(why, "%s: expected length %zu, got length %zu: ", where_name(where), want,
                    have);
      sc_json_brief(why, a);
      return -1;
    }
  }
  return 0;
}

/** Builds where + "/" + escaped key into out (reset first). */
static int child_where(sc_buf *out, const char *where, const char *key) {
  sc_buf_reset(out);
  if (sc_buf_printf(out, "%s/", where) != 0)
    return -1;
  for (const char *p = key; *p != '\0'; p++) {
    int rc;
    if (*p == '~')
      rc = sc_buf_puts(out, "~0");
    else if (*p == '/')
      rc = sc_buf_puts(out, "~1");
    else
      rc = sc_buf_append(out, p, 1);
    if (rc != 0)
      return -1;
  }
  return 0;
}

int sc_match_json(sc_vars *v, json_t *e, json_t *a, const char *where, sc_buf *why) {
  if (is_special(e))
    return match_special(e, a, where, why);
  if (json_is_string(e))
    return match_string_json(v, json_string_value(e), a, where, why);
  if (json_is_array(e)) {
    if (!json_is_array(a))
      return mismatch(e, a, where, why);
    if (json_array_size(e) != json_array_size(a)) {
      sc_buf_printf(why, "%s: expected an array of %zu items, got %zu items: ", where_name(where),
                    json_array_size(e), json_array_size(a));
      sc_json_brief(why, a);
      return -1;
    }
    sc_buf sub = {0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < json_array_size(e); i++) {
      sc_buf_reset(&sub);
      if (sc_buf_printf(&sub, "%s/%zu", where, i) != 0) {
        rc = -1;
        sc_buf_puts(why, "out of memory");
        break;
      }
      rc = sc_match_json(v, json_array_get(e, i), json_array_get(a, i), sub.data, why);
    }
    sc_buf_free(&sub);
    return rc;
  }
  if (json_is_object(e)) {
    if (!json_is_object(a))
      return mismatch(e, a, where, why);
    sc_buf sub = {0};
    int rc = 0;
    const char *key;
    json_t *ev;
    json_object_foreach(e, key, ev) {
      if (child_where(&sub, where, key) != 0) {
        sc_buf_puts(why, "out of memory");
        rc = -1;
        break;
      }
      json_t *av = json_object_get(a, key);
      if (av == NULL) {
        sc_buf_printf(why, "%s: missing (expected ", sub.data);
        sc_json_brief(why, ev);
        sc_buf_puts(why, ")");
        rc = -1;
        break;
      }
      rc = sc_match_json(v, ev, av, sub.data, why);
      if (rc != 0)
        break;
    }
    if (rc == 0) {
      json_t *av;
      json_object_foreach(a, key, av) {
        if (json_object_get(e, key) == NULL) {
          sc_buf_printf(why, "%s: unexpected member \"%s\" (objects must match exactly), got ",
                        where_name(where), key);
          sc_json_brief(why, a);
          rc = -1;
          break;
        }
      }
    }
    sc_buf_free(&sub);
    return rc;
  }
  return sc_json_equal(e, a) ? 0 : mismatch(e, a, where, why);
}

int sc_match_text(sc_vars *v, const char *expected, const char *actual, const char *where,
                  sc_buf *why) {
  enum match_mode mode;
  const char *rest = split_mode(expected, &mode);
  char *want = NULL; /* owned here */
  sc_buf err = {0};
  if (sc_subst_text(v, rest, &want, &err) != 0) {
    sc_buf_printf(why, "%s: %s", where_name(where), sc_buf_str(&err));
    sc_buf_free(&err);
    return -1;
  }
  int rc = text_compare(mode, want, actual, strlen(actual), where, why);
  free(want);
  return rc;
}
