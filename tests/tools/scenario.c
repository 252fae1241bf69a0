/*
 * scenario.c — cspd-scenario: runs API scenarios described as JSON files against a base URL.
 *
 *   cspd-scenario --base-url http://127.0.0.1:7700 [--var name=value ...] [--verbose] FILE...
 *
 * Prints "ok - <name>" or "not ok - <name>" (plus indented details of the failing step) per file
 * and finally "N passed, N failed".  Exit status: 0 all passed, 1 some failed, 2 usage or file
 * errors. The file format is documented in tests/scenarios/README.md.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include "scenario.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_BASE_URL "http://127.0.0.1:7700"

/** Program-wide state.  Owned by main; released by runner_free. */
typedef struct runner {
  CURL *curl;       /* owned: one easy handle reused for every request (keep-alive) */
  char *base_url;   /* owned: base URL without trailing '/' */
  json_t *cli_vars; /* owned: name -> string, from --var */
  int verbose;
} runner;

/** Everything about one executed step.  Zero-initialise; members owned, released by
 * step_result_free. */
typedef struct step_result {
  sc_request req;
  int built; /* request fully built */
  int sent;  /* a response was received (resp is valid) */
  sc_response resp;
  json_t *doc;     /* response body parsed as JSON, or NULL */
  char *doc_error; /* why doc is NULL (malloc'd), or NULL */
  sc_buf fail;     /* failed checks, one per line */
} step_result;

/** Releases what res owns. */
static void step_result_free(step_result *res) {
  sc_request_free(&res->req);
  sc_response_free(&res->resp);
  json_decref(res->doc);
  free(res->doc_error);
  sc_buf_free(&res->fail);
  memset(res, 0, sizeof *res);
}

/** Records one failed check (a line of the report). */
static void SC_PRINTF(2, 3) failf(step_result *res, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  sc_buf_vprintf(&res->fail, fmt, ap);
  va_end(ap);
  sc_buf_puts(&res->fail, "\n");
}

/* ------------------------------------------------------------------ building the request */

/** Appends a header line to *list: "Name: value", "Name;" (empty value) or "Name:" (value NULL:
 * remove). */
static int add_header(struct curl_slist **list, const char *name, const char *value) {
  sc_buf line = {0};
  int rc;
  if (value == NULL)
    rc = sc_buf_printf(&line, "%s:", name);
  else if (value[0] == '\0')
    rc = sc_buf_printf(&line, "%s;", name);
  else
    rc = sc_buf_printf(&line, "%s: %s", name, value);
  if (rc == 0) {
    struct curl_slist *l = curl_slist_append(*list, line.data);
    if (l == NULL)
      rc = -1;
    else
      *list = l;
  }
  sc_buf_free(&line);
  return rc;
}

/** Substitutes tmpl; on failure records "<what>: <reason>" and returns -1.  *out: caller frees. */
static int subst_or_fail(sc_vars *v, const char *tmpl, char **out, step_result *res,
                         const char *what) {
  sc_buf err = {0};
  int rc = sc_subst_text(v, tmpl, out, &err);
  if (rc != 0)
    failf(res, "%s: %s", what, sc_buf_str(&err));
  sc_buf_free(&err);
  return rc;
}

/** URL-encodes the form / query object params as k=v&k=v appended to out (which may be non-empty).
 */
static int encode_params(runner *r, sc_vars *v, json_t *params, sc_buf *out, step_result *res,
                         const char *what) {
  const char *key;
  json_t *val;
  json_object_foreach(params, key, val) {
    char *text = NULL; /* owned here */
    if (json_is_string(val)) {
      char label[128];
      snprintf(label, sizeof label, "%s.%.80s", what, key);
      if (subst_or_fail(v, json_string_value(val), &text, res, label) != 0)
        return -1;
    } else {
      text = sc_json_text(val);
    }
    char *ek = curl_easy_escape(r->curl, key, 0); /* owned here (curl_free) */
    char *ev =
        text != NULL ? curl_easy_escape(r->curl, text, 0) : NULL; /* owned here (curl_free) */
    int rc = -1;
    if (ek != NULL && ev != NULL)
      rc = sc_buf_printf(out, "%s%s=%s", out->len > 0 ? "&" : "", ek, ev);
    curl_free(ek);
    curl_free(ev);
    free(text);
    if (rc != 0) {
      failf(res, "%s: out of memory", what);
      return -1;
    }
  }
  return 0;
}

/** 1 when the step's request.headers mentions name (case-insensitive), with any value or null. */
static int has_header_key(json_t *headers, const char *name) {
  const char *key;
  json_t *val;
  json_object_foreach(headers, key, val) {
    if (strcasecmp(key, name) == 0)
      return 1;
  }
  return 0;
}

/** Builds res->req from the step's "request" template.  Failures are recorded in res. */
static int build_request(runner *r, sc_vars *v, json_t *rq, step_result *res) {
  sc_request *out = &res->req;
  json_t *headers = json_object_get(rq, "headers"); /* borrowed, may be NULL */
  char *path = NULL;                                /* owned here */
  sc_buf url = {0};
  int rc = -1;

  if (subst_or_fail(v, json_string_value(json_object_get(rq, "method")), &out->method, res,
                    "request.method") != 0)
    goto done;
  if (subst_or_fail(v, json_string_value(json_object_get(rq, "path")), &path, res,
                    "request.path") != 0)
    goto done;
  if (strncmp(path, "http://", 7) == 0 || strncmp(path, "https://", 8) == 0) {
    sc_buf_puts(&url, path);
  } else {
    sc_buf_printf(&url, "%s%s%s", r->base_url, path[0] == '/' ? "" : "/", path);
  }
  json_t *query = json_object_get(rq, "query");
  if (query != NULL && json_object_size(query) > 0) {
    sc_buf q = {0};
    if (encode_params(r, v, query, &q, res, "request.query") != 0) {
      sc_buf_free(&q);
      goto done;
    }
    sc_buf_printf(&url, "%s%s", strchr(sc_buf_str(&url), '?') != NULL ? "&" : "?", sc_buf_str(&q));
    sc_buf_free(&q);
  }
  out->url = sc_buf_take(&url);
  if (out->url == NULL) {
    failf(res, "out of memory");
    goto done;
  }

  /* Headers given by the step; null means "do not send". */
  const char *key;
  json_t *val;
  json_object_foreach(headers, key, val) {
    char *value = NULL; /* owned here */
    if (json_is_string(val)) {
      char label[128];
      snprintf(label, sizeof label, "request.headers.%.80s", key);
      if (subst_or_fail(v, json_string_value(val), &value, res, label) != 0)
        goto done;
    }
    int hrc = add_header(&out->headers, key, value);
    free(value);
    if (hrc != 0) {
      failf(res, "out of memory");
      goto done;
    }
  }
  int has_ct = has_header_key(headers, "Content-Type");

  json_t *auth = json_object_get(rq, "auth");
  if (auth != NULL && !has_header_key(headers, "Authorization")) {
    char *token = NULL; /* owned here */
    if (subst_or_fail(v, json_string_value(auth), &token, res, "request.auth") != 0)
      goto done;
    sc_buf line = {0};
    sc_buf_printf(&line, "Bearer %s", token);
    int hrc = add_header(&out->headers, "Authorization", sc_buf_str(&line));
    sc_buf_free(&line);
    free(token);
    if (hrc != 0) {
      failf(res, "out of memory");
      goto done;
    }
  }
  if (!has_header_key(headers, "MS-RequestId")) {
    char id[37];
    if (sc_uuid_v4(id) != 0 || add_header(&out->headers, "MS-RequestId", id) != 0) {
      failf(res, "cannot generate the MS-RequestId header");
      goto done;
    }
  }

  /* Body. */
  const char *content_type = NULL; /* default Content-Type to add, NULL: remove curl's default */
  json_t *body = json_object_get(rq, "body");
  json_t *raw = json_object_get(rq, "raw");
  json_t *form = json_object_get(rq, "form");
  if (body != NULL) {
    json_t *doc = NULL; /* owned here */
    sc_buf err = {0};
    if (sc_subst_json(v, body, &doc, &err) != 0) {
      failf(res, "request.body: %s", sc_buf_str(&err));
      sc_buf_free(&err);
      goto done;
    }
    out->body = sc_json_text(doc);
    json_decref(doc);
    if (out->body == NULL) {
      failf(res, "request.body: cannot encode as JSON");
      goto done;
    }
    content_type = "application/json";
  } else if (raw != NULL) {
    if (subst_or_fail(v, json_string_value(raw), &out->body, res, "request.raw") != 0)
      goto done;
  } else if (form != NULL) {
    sc_buf f = {0};
    if (encode_params(r, v, form, &f, res, "request.form") != 0) {
      sc_buf_free(&f);
      goto done;
    }
    out->body = sc_buf_take(&f);
    if (out->body == NULL) {
      failf(res, "out of memory");
      goto done;
    }
    content_type = "application/x-www-form-urlencoded";
  } else if (strcmp(out->method, "POST") == 0 || strcmp(out->method, "PUT") == 0 ||
             strcmp(out->method, "PATCH") == 0) {
    out->body = strdup(""); /* empty body: "Content-Length: 0" */
    if (out->body == NULL) {
      failf(res, "out of memory");
      goto done;
    }
  }
  if (out->body != NULL) {
    out->has_body = 1;
    out->body_len = strlen(out->body);
    if (!has_ct && add_header(&out->headers, "Content-Type", content_type) != 0) {
      failf(res, "out of memory");
      goto done;
    }
  }
  if (add_header(&out->headers, "Expect", NULL) != 0) { /* no "Expect: 100-continue" round trip */
    failf(res, "out of memory");
    goto done;
  }
  res->built = 1;
  rc = 0;
done:
  free(path);
  sc_buf_free(&url);
  return rc;
}

/* ------------------------------------------------------------------ checking the response */

/** Substitutes and syntax-checks a pointer template.  *out: caller frees.  Failures recorded in
 * res. */
static int resolve_pointer(sc_vars *v, const char *tmpl, char **out, step_result *res,
                           const char *what) {
  if (subst_or_fail(v, tmpl, out, res, what) != 0)
    return -1;
  sc_buf err = {0};
  int rc = sc_ptr_check(*out, &err);
  if (rc != 0) {
    failf(res, "%s: %s", what, sc_buf_str(&err));
    free(*out);
    *out = NULL;
  }
  sc_buf_free(&err);
  return rc;
}

/** 1 when the response body is JSON; otherwise records why (once per step) and returns 0. */
static int need_doc(step_result *res, int *reported) {
  if (res->doc != NULL)
    return 1;
  if (!*reported)
    failf(res, "%s", res->doc_error != NULL ? res->doc_error : "the response body is not JSON");
  *reported = 1;
  return 0;
}

/** Checks expect.headers against the response. */
static void check_headers(sc_vars *v, json_t *headers, step_result *res) {
  const char *name;
  json_t *want;
  json_object_foreach(headers, name, want) {
    size_t pos = 0;
    const char *have = sc_response_header(&res->resp, name, &pos);
    if (json_is_null(want)) {
      if (have != NULL) {
        sc_buf why = {0};
        sc_quote_brief(&why, have);
        failf(res, "header %s: expected absent, got %s", name, sc_buf_str(&why));
        sc_buf_free(&why);
      }
      continue;
    }
    if (have == NULL) {
      sc_buf why = {0};
      sc_quote_brief(&why, json_string_value(want));
      failf(res, "header %s: missing (expected %s)", name, sc_buf_str(&why));
      sc_buf_free(&why);
      continue;
    }
    char where[160];
    snprintf(where, sizeof where, "header %.140s", name);
    sc_buf first = {0}; /* explanation for the first occurrence */
    int matched = 0;
    while (have != NULL && !matched) {
      sc_buf why = {0};
      matched = sc_match_text(v, json_string_value(want), have, where, &why) == 0;
      if (!matched && first.len == 0)
        sc_buf_puts(&first, sc_buf_str(&why));
      sc_buf_free(&why);
      pos++;
      have = sc_response_header(&res->resp, name, &pos);
    }
    if (!matched)
      failf(res, "%s", sc_buf_str(&first));
    sc_buf_free(&first);
  }
}

/** Checks the step's "expect" object against the response; failures recorded in res. */
static void check_expect(sc_vars *v, json_t *ex, step_result *res) {
  int reported = 0; /* "body is not JSON" already said */
  if (ex == NULL)
    return;
  json_t *status = json_object_get(ex, "status");
  if (status != NULL && json_integer_value(status) != res->resp.status)
    failf(res, "status: expected %lld, got %ld", (long long)json_integer_value(status),
          res->resp.status);

  json_t *headers = json_object_get(ex, "headers");
  if (headers != NULL)
    check_headers(v, headers, res);

  json_t *js = json_object_get(ex, "json");
  if (js != NULL && json_object_size(js) > 0 && need_doc(res, &reported)) {
    const char *tmpl;
    json_t *want;
    json_object_foreach(js, tmpl, want) {
      char *ptr = NULL; /* owned here */
      if (resolve_pointer(v, tmpl, &ptr, res, "expect.json pointer") != 0)
        continue;
      json_t *have = sc_ptr_get(res->doc, ptr); /* borrowed */
      if (have == NULL) {
        sc_buf why = {0};
        sc_json_brief(&why, want);
        failf(res, "%s: not found (expected %s)", ptr, sc_buf_str(&why));
        sc_buf_free(&why);
      } else {
        sc_buf why = {0};
        if (sc_match_json(v, want, have, ptr, &why) != 0)
          failf(res, "%s", sc_buf_str(&why));
        sc_buf_free(&why);
      }
      free(ptr);
    }
  }

  json_t *exists = json_object_get(ex, "exists");
  if (exists != NULL && json_array_size(exists) > 0 && need_doc(res, &reported)) {
    size_t i;
    json_t *item;
    json_array_foreach(exists, i, item) {
      char *ptr = NULL; /* owned here */
      if (resolve_pointer(v, json_string_value(item), &ptr, res, "expect.exists") != 0)
        continue;
      if (sc_ptr_get(res->doc, ptr) == NULL)
        failf(res, "%s: expected to exist, not found", ptr);
      free(ptr);
    }
  }

  json_t *absent = json_object_get(ex, "absent");
  if (absent != NULL && json_array_size(absent) > 0 && need_doc(res, &reported)) {
    size_t i;
    json_t *item;
    json_array_foreach(absent, i, item) {
      char *ptr = NULL; /* owned here */
      if (resolve_pointer(v, json_string_value(item), &ptr, res, "expect.absent") != 0)
        continue;
      json_t *have = sc_ptr_get(res->doc, ptr);
      if (have != NULL) {
        sc_buf why = {0};
        sc_json_brief(&why, have);
        failf(res, "%s: expected absent, found %s", ptr[0] != '\0' ? ptr : "(body)",
              sc_buf_str(&why));
        sc_buf_free(&why);
      }
      free(ptr);
    }
  }

  json_t *bc = json_object_get(ex, "body_contains");
  if (bc != NULL) {
    size_t n = json_is_array(bc) ? json_array_size(bc) : 1;
    for (size_t i = 0; i < n; i++) {
      json_t *item = json_is_array(bc) ? json_array_get(bc, i) : bc;
      char *text = NULL; /* owned here */
      if (subst_or_fail(v, json_string_value(item), &text, res, "expect.body_contains") != 0)
        continue;
      const char *body = sc_buf_str(&res->resp.body);
      if (memmem(body, res->resp.body.len, text, strlen(text)) == NULL) {
        sc_buf why = {0};
        sc_quote_brief(&why, text);
        failf(res, "body: expected to contain %s", sc_buf_str(&why));
        sc_buf_free(&why);
      }
      free(text);
    }
  }
}

/** Stores the step's captures into v (only called when all expectations passed). */
static void do_captures(sc_vars *v, json_t *step, step_result *res) {
  int reported = 0;
  json_t *cap = json_object_get(step, "capture");
  const char *name;
  json_t *val;
  json_object_foreach(cap, name, val) {
    if (!need_doc(res, &reported))
      break;
    char *ptr = NULL; /* owned here */
    if (resolve_pointer(v, json_string_value(val), &ptr, res, "capture") != 0)
      continue;
    json_t *have = sc_ptr_get(res->doc, ptr); /* borrowed; v takes its own reference */
    if (have == NULL)
      failf(res, "capture \"%s\": %s not found in the response body", name, ptr);
    else if (sc_vars_set(v, name, have) != 0)
      failf(res, "capture \"%s\": out of memory", name);
    free(ptr);
  }
  json_t *caph = json_object_get(step, "capture_headers");
  json_object_foreach(caph, name, val) {
    size_t pos = 0;
    const char *have = sc_response_header(&res->resp, json_string_value(val), &pos);
    if (have == NULL) {
      failf(res, "capture_headers \"%s\": the response has no header %s", name,
            json_string_value(val));
      continue;
    }
    json_t *str = json_string(have); /* owned here */
    if (str == NULL || sc_vars_set(v, name, str) != 0)
      failf(res, "capture_headers \"%s\": header %s is not valid UTF-8", name,
            json_string_value(val));
    json_decref(str);
  }
}

/* ------------------------------------------------------------------ running */

/** Prints the request headers as sent (verbose mode). */
static void print_request_headers(const sc_request *req) {
  for (const struct curl_slist *l = req->headers; l != NULL; l = l->next) {
    size_t n = strlen(l->data);
    if (n > 0 && l->data[n - 1] == ':')
      continue; /* "Name:" only tells curl not to send Name */
    if (n > 0 && l->data[n - 1] == ';')
      printf("#     > %.*s:\n", (int)(n - 1), l->data); /* "Name;" sends an empty Name */
    else
      printf("#     > %s\n", l->data);
  }
}

/** Executes one step (one repetition).  Returns 0 when every check passed; details are left in res.
 */
static int run_step(runner *r, sc_vars *v, json_t *step, step_result *res, const char *label) {
  if (build_request(r, v, json_object_get(step, "request"), res) != 0)
    return -1;
  if (r->verbose) {
    printf("# %s: %s %s\n", label, res->req.method, res->req.url);
    print_request_headers(&res->req);
    if (res->req.body_len > 0)
      sc_print_block(stdout, "#     > ", res->req.body, res->req.body_len, SC_SHOW_LIMIT);
  }
  sc_buf err = {0};
  if (sc_http_perform(r->curl, &res->req, &res->resp, &err) != 0) {
    failf(res, "%s", sc_buf_str(&err));
    sc_buf_free(&err);
    return -1;
  }
  sc_buf_free(&err);
  res->sent = 1;

  if (res->resp.body.len == 0) {
    res->doc_error = strdup("the response body is empty (not JSON)");
  } else {
    json_error_t jerr;
    res->doc = json_loadb(res->resp.body.data, res->resp.body.len, JSON_DECODE_ANY, &jerr);
    if (res->doc == NULL) {
      sc_buf msg = {0};
      sc_buf_printf(&msg, "the response body is not JSON (line %d, column %d: %s)", jerr.line,
                    jerr.column, jerr.text);
      res->doc_error = sc_buf_take(&msg);
    }
  }
  if (r->verbose) {
    printf("#   -> %ld (%.1f ms, %zu bytes)\n", res->resp.status, res->resp.seconds * 1000.0,
           res->resp.body.len);
    for (size_t i = 0; i < res->resp.nheaders; i++)
      printf("#     < %s: %s\n", res->resp.headers[i].name, res->resp.headers[i].value);
    sc_print_block(stdout, "#     < ", sc_buf_str(&res->resp.body), res->resp.body.len,
                   SC_SHOW_LIMIT);
  }

  check_expect(v, json_object_get(step, "expect"), res);
  if (res->fail.len == 0)
    do_captures(v, step, res);
  return res->fail.len == 0 ? 0 : -1;
}

/** Prints the indented details of a failed step after its "not ok" line. */
static void print_failure(const sc_scenario *s, const char *label, step_result *res) {
  printf("  file: %s\n", s->path);
  printf("  %s\n", label);
  if (res->req.url != NULL)
    printf("  request: %s %s%s\n", res->req.method, res->req.url, res->built ? "" : " (not sent)");
  else
    printf("  request: (not sent)\n");
  if (res->built && res->req.body_len > 0) {
    printf("  request body:\n");
    sc_print_block(stdout, "    ", res->req.body, res->req.body_len, SC_SHOW_LIMIT);
  }
  printf("  failed:\n");
  const char *p = sc_buf_str(&res->fail);
  while (*p != '\0') {
    const char *nl = strchr(p, '\n');
    size_t n = nl != NULL ? (size_t)(nl - p) : strlen(p);
    printf("    - %.*s\n", (int)n, p);
    p += n + (nl != NULL);
  }
  if (res->sent) {
    printf("  response: %ld (%.1f ms, %zu bytes)\n", res->resp.status, res->resp.seconds * 1000.0,
           res->resp.body.len);
    printf("  response body:\n");
    sc_print_block(stdout, "    ", sc_buf_str(&res->resp.body), res->resp.body.len, SC_SHOW_LIMIT);
  }
}

/** Sets up the scenario's variables (--var values win over the file's "vars").  Failures printed.
 */
static int init_vars(runner *r, const sc_scenario *s, sc_vars *v) {
  const char *key;
  json_t *val;
  json_object_foreach(r->cli_vars, key, val) {
    if (sc_vars_set(v, key, val) != 0)
      return -1;
  }
  if (s->vars == NULL)
    return 0;
  json_object_foreach(s->vars, key, val) {
    if (json_object_get(r->cli_vars, key) != NULL)
      continue;
    json_t *value = NULL; /* owned here */
    sc_buf err = {0};
    if (sc_subst_json(v, val, &value, &err) != 0) {
      printf("not ok - %s\n  file: %s\n  failed:\n    - vars.%s: %s\n", s->name, s->path, key,
             sc_buf_str(&err));
      sc_buf_free(&err);
      return -1;
    }
    int rc = sc_vars_set(v, key, value);
    json_decref(value);
    if (rc != 0)
      return -1;
  }
  return 0;
}

/** Runs one scenario, printing its result lines.  Returns 0 when it passed, -1 otherwise. */
static int run_scenario(runner *r, const sc_scenario *s) {
  sc_vars v;
  if (sc_vars_init(&v, r->base_url) != 0) {
    printf("not ok - %s\n  file: %s\n  failed:\n    - out of memory\n", s->name, s->path);
    return -1;
  }
  if (r->verbose)
    printf("# scenario \"%s\" (%s)\n", s->name, s->path);
  int rc = init_vars(r, s, &v);
  size_t nsteps = json_array_size(s->steps);
  for (size_t i = 0; rc == 0 && i < nsteps; i++) {
    json_t *step = json_array_get(s->steps, i);
    const char *sname = json_string_value(json_object_get(step, "name"));
    json_t *rep = json_object_get(step, "repeat");
    long long reps = rep != NULL ? json_integer_value(rep) : 1;
    for (long long k = 1; rc == 0 && k <= reps; k++) {
      char label[512];
      int n = snprintf(label, sizeof label, "step %zu of %zu", i + 1, nsteps);
      if (sname != NULL && n > 0 && (size_t)n < sizeof label)
        n += snprintf(label + n, sizeof label - (size_t)n, ": \"%.300s\"", sname);
      if (reps > 1 && n > 0 && (size_t)n < sizeof label)
        snprintf(label + n, sizeof label - (size_t)n, " (repetition %lld of %lld)", k, reps);
      step_result res;
      memset(&res, 0, sizeof res);
      rc = run_step(r, &v, step, &res, label);
      if (rc != 0) {
        printf("not ok - %s\n", s->name);
        print_failure(s, label, &res);
      }
      step_result_free(&res);
    }
  }
  if (rc == 0)
    printf("ok - %s\n", s->name);
  sc_vars_free(&v);
  fflush(stdout);
  return rc;
}

/* ------------------------------------------------------------------ command line */

/** Prints the usage text to out. */
static void usage(FILE *out) {
  fprintf(out,
          "usage: cspd-scenario [--base-url URL] [--var name=value ...] [--verbose] FILE...\n"
          "  --base-url URL     server to test (default " DEFAULT_BASE_URL ")\n"
          "  --var name=value   set a variable (wins over the scenario's \"vars\"); repeatable\n"
          "  -v, --verbose      print every request and response as '#' lines\n"
          "Runs each scenario FILE (format: tests/scenarios/README.md); prints \"ok - NAME\" or\n"
          "\"not ok - NAME\" per file and \"N passed, N failed\". Exit 0 all passed, 1 failures, 2 "
          "usage/file errors.\n");
}

/** Parses one --var argument "name=value" into r->cli_vars; prints the problem and returns -1 if
 * bad. */
static int parse_var(runner *r, const char *arg) {
  const char *eq = strchr(arg, '=');
  if (eq == NULL || eq == arg) {
    fprintf(stderr, "cspd-scenario: --var expects name=value, got \"%s\"\n", arg);
    return -1;
  }
  char *name = strndup(arg, (size_t)(eq - arg)); /* owned here */
  if (name == NULL)
    return -1;
  int rc = -1;
  if (!sc_valid_var_name(name)) {
    fprintf(stderr,
            "cspd-scenario: --var: \"%s\" is not a valid variable name (letters, digits, '_', '.', "
            "'-')\n",
            name);
  } else if (sc_reserved_var_name(name)) {
    fprintf(stderr, "cspd-scenario: --var: \"%s\" is a builtin variable and cannot be set\n", name);
  } else {
    json_t *val = json_string(eq + 1); /* owned here; NULL when not UTF-8 */
    if (val == NULL)
      fprintf(stderr, "cspd-scenario: --var %s: value is not valid UTF-8\n", name);
    else
      rc = json_object_set_new(r->cli_vars, name, val) == 0 ? 0 : -1;
  }
  free(name);
  return rc;
}

/** Sets r->base_url from arg (must be http:// or https://); trailing '/' removed. */
static int set_base_url(runner *r, const char *arg) {
  if (strncmp(arg, "http://", 7) != 0 && strncmp(arg, "https://", 8) != 0) {
    fprintf(stderr, "cspd-scenario: --base-url must start with http:// or https://, got \"%s\"\n",
            arg);
    return -1;
  }
  free(r->base_url);
  r->base_url = strdup(arg);
  if (r->base_url == NULL)
    return -1;
  size_t n = strlen(r->base_url);
  while (n > 0 && r->base_url[n - 1] == '/')
    r->base_url[--n] = '\0';
  return 0;
}

/** Releases everything r owns. */
static void runner_free(runner *r) {
  if (r->curl != NULL)
    curl_easy_cleanup(r->curl);
  free(r->base_url);
  json_decref(r->cli_vars);
  memset(r, 0, sizeof *r);
}

int main(int argc, char **argv) {
  runner r = {0};
  const char **files = calloc((size_t)argc, sizeof *files); /* owned; entries borrowed from argv */
  sc_scenario *scenarios = NULL;                            /* owned array of nfiles entries */
  size_t nfiles = 0;
  int status = 2;
  int curl_ready = 0;

  r.cli_vars = json_object();
  if (files == NULL || r.cli_vars == NULL) {
    fprintf(stderr, "cspd-scenario: out of memory\n");
    goto out;
  }
  int only_files = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (only_files || a[0] != '-' || a[1] == '\0') {
      files[nfiles++] = a;
    } else if (strcmp(a, "--") == 0) {
      only_files = 1;
    } else if (strcmp(a, "--base-url") == 0 || strcmp(a, "--var") == 0) {
      if (i + 1 >= argc) {
        fprintf(stderr, "cspd-scenario: %s needs a value\n", a);
        usage(stderr);
        goto out;
      }
      int rc = a[2] == 'b' ? set_base_url(&r, argv[i + 1]) : parse_var(&r, argv[i + 1]);
      i++;
      if (rc != 0)
        goto out;
    } else if (strncmp(a, "--base-url=", 11) == 0) {
      if (set_base_url(&r, a + 11) != 0)
        goto out;
    } else if (strncmp(a, "--var=", 6) == 0) {
      if (parse_var(&r, a + 6) != 0)
        goto out;
    } else if (strcmp(a, "--verbose") == 0 || strcmp(a, "-v") == 0) {
      r.verbose = 1;
    } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
      usage(stdout);
      status = 0;
      goto out;
    } else {
      fprintf(stderr, "cspd-scenario: unknown option \"%s\"\n", a);
      usage(stderr);
      goto out;
    }
  }
  if (nfiles == 0) {
    fprintf(stderr, "cspd-scenario: no scenario files given\n");
    usage(stderr);
    goto out;
  }
  if (r.base_url == NULL && set_base_url(&r, DEFAULT_BASE_URL) != 0)
    goto out;

  /* Load and validate every file before running anything. */
  scenarios = calloc(nfiles, sizeof *scenarios);
  if (scenarios == NULL) {
    fprintf(stderr, "cspd-scenario: out of memory\n");
    goto out;
  }
  int load_errors = 0;
  for (size_t i = 0; i < nfiles; i++) {
    if (sc_load(files[i], &scenarios[i]) != 0)
      load_errors++;
  }
  if (load_errors > 0) {
    fprintf(stderr, "cspd-scenario: %d of %zu scenario file(s) unusable; nothing was run\n",
            load_errors, nfiles);
    goto out;
  }

  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    fprintf(stderr, "cspd-scenario: curl_global_init failed\n");
    goto out;
  }
  curl_ready = 1;
  r.curl = curl_easy_init();
  if (r.curl == NULL) {
    fprintf(stderr, "cspd-scenario: curl_easy_init failed\n");
    goto out;
  }

  size_t passed = 0;
  size_t failed = 0;
  for (size_t i = 0; i < nfiles; i++) {
    if (run_scenario(&r, &scenarios[i]) == 0)
      passed++;
    else
      failed++;
  }
  printf("%zu passed, %zu failed\n", passed, failed);
  status = failed > 0 ? 1 : 0;

out:
  for (size_t i = 0; scenarios != NULL && i < nfiles; i++)
    sc_scenario_free(&scenarios[i]);
  free(scenarios);
  free(files);
  runner_free(&r);
  if (curl_ready)
    curl_global_cleanup();
  fflush(stdout);
  return status;
}
