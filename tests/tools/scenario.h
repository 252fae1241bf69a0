/*
 * scenario.h — shared declarations of cspd-scenario, the API scenario runner.
 *
 * The runner reads scenario files (JSON, format in tests/scenarios/README.md), sends each step's
 * HTTP request to a base URL with libcurl and checks the response.  Modules: sc_util.c   growable
 * buffers, GUIDs, JSON text helpers, report printing sc_vars.c   variables and {{name}}
 * substitution sc_match.c  JSON pointers (RFC 6901) and expectation matching sc_http.c   one HTTP
 * exchange on a reused CURL easy handle sc_load.c   loading and validating scenario files
 *   scenario.c  command line, step execution, report
 *
 * Conventions: functions returning int return 0 on success and a negative value on failure.  Every
 * pointer-returning or out-parameter function states who frees the result.
 */
#ifndef CSPD_SCENARIO_H
#define CSPD_SCENARIO_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <curl/curl.h>
#include <jansson.h>

/** Bytes of a body shown in reports (request and response bodies are truncated to this). */
#define SC_SHOW_LIMIT 2048
/** Characters of a JSON value shown in an "expected X, got Y" line. */
#define SC_BRIEF_LIMIT 300
/** Largest response body accepted (bigger responses fail the step). */
#define SC_MAX_BODY ((size_t)64 * 1024 * 1024)
/** Per-request timeout, seconds (connect included). */
#define SC_TIMEOUT_SECONDS 30L

#if defined(__GNUC__)
#define SC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define SC_PRINTF(f, a)
#endif

/* ---------------------------------------------------------------- sc_util.c */

/**
 * Growable byte buffer.  Zero-initialise ({0}) before use.  When data is non-NULL it is always
 * NUL-terminated.  The owner releases it with sc_buf_free (or takes data over and frees it with
 * free()).
 */
typedef struct sc_buf {
  char *data;
  size_t len;
  size_t cap;
} sc_buf;

/** Appends len bytes. */
int sc_buf_append(sc_buf *b, const void *data, size_t len);
/** Appends a NUL-terminated string. */
int sc_buf_puts(sc_buf *b, const char *s);
/** Appends printf-formatted text. */
int sc_buf_printf(sc_buf *b, const char *fmt, ...) SC_PRINTF(2, 3);
/** Appends vprintf-formatted text. */
int sc_buf_vprintf(sc_buf *b, const char *fmt, va_list ap) SC_PRINTF(2, 0);
/** Empties the buffer, keeping its storage. */
void sc_buf_reset(sc_buf *b);
/** Releases the storage and zeroes the buffer. */
void sc_buf_free(sc_buf *b);
/** Returns the content, or "" when nothing was ever appended.  Borrowed from b. */
const char *sc_buf_str(const sc_buf *b);
/** Takes the content over: returns a malloc'd NUL-terminated string (caller frees) and zeroes b. */
char *sc_buf_take(sc_buf *b);

/** Writes a fresh random (version 4) GUID, lower-case, 36 characters + NUL, into out. */
int sc_uuid_v4(char out[37]);

/** Compact JSON text of any value; NULL on failure.  Caller frees with free(). */
char *sc_json_text(const json_t *v);
/** Appends the compact JSON text of v to b, cut to SC_BRIEF_LIMIT characters ("..." marks a cut).
 */
int sc_json_brief(sc_buf *b, const json_t *v);
/** Appends s as a quoted, escaped JSON string, cut to SC_BRIEF_LIMIT characters. */
int sc_quote_brief(sc_buf *b, const char *s);

/**
 * Prints len bytes of data to out, each line preceded by indent, at most limit bytes (a note gives
 * the total when cut); control characters other than newline and tab are shown as \xNN.
 */
void sc_print_block(FILE *out, const char *indent, const char *data, size_t len, size_t limit);

/** 1 when name is a valid user variable name ([A-Za-z0-9_.-]+), else 0. */
int sc_valid_var_name(const char *name);
/** 1 when name is reserved for a builtin (uuid, uuid:NAME, base_url), else 0. */
int sc_reserved_var_name(const char *name);

/* ---------------------------------------------------------------- sc_vars.c */

/** Variables of one scenario run.  Initialise with sc_vars_init, release with sc_vars_free. */
typedef struct sc_vars {
  json_t *table;        /* owned: name -> JSON value (file vars, --var, captures) */
  json_t *uuids;        /* owned: NAME -> GUID string, for {{uuid:NAME}} */
  const char *base_url; /* borrowed: value of {{base_url}} */
} sc_vars;

/** Initialises an empty variable set; base_url is borrowed and must outlive v. */
int sc_vars_init(sc_vars *v, const char *base_url);
/** Releases everything v owns. */
void sc_vars_free(sc_vars *v);
/** Sets (or replaces) variable name to value; value is borrowed (v takes its own reference). */
int sc_vars_set(sc_vars *v, const char *name, json_t *value);
/**
 * Looks name up, builtins included.  On success *out is a new reference (caller json_decref's it).
 * On failure a message is appended to err.
 */
int sc_vars_lookup(sc_vars *v, const char *name, json_t **out, sc_buf *err);
/**
 * If s is exactly one reference "{{name}}" (blanks around name allowed), returns 1 and sets *name
 * to a malloc'd copy of the name (caller frees); otherwise returns 0 and sets *name to NULL.  -1 on
 * OOM.
 */
int sc_single_ref(const char *s, char **name);
/**
 * Replaces every {{name}} in tmpl.  Non-string values are inserted as compact JSON text.  On
 * success *out is a malloc'd string (caller frees).  On failure (unknown variable) a message is
 * appended to err.
 */
int sc_subst_text(sc_vars *v, const char *tmpl, char **out, sc_buf *err);
/**
 * Deep copy of tmpl with substitution in every string leaf (object keys are left alone).  A string
 * that is exactly "{{name}}" becomes the variable's JSON value, whatever its type.  *out is a new
 * reference (caller json_decref's it).  On failure a message is appended to err.
 */
int sc_subst_json(sc_vars *v, json_t *tmpl, json_t **out, sc_buf *err);

/* ---------------------------------------------------------------- sc_match.c */

/** Checks the syntax of an RFC 6901 JSON pointer; on failure appends a message to err. */
int sc_ptr_check(const char *ptr, sc_buf *err);
/** Resolves ptr in doc.  Returns a borrowed reference into doc, or NULL when absent or invalid. */
json_t *sc_ptr_get(json_t *doc, const char *ptr);
/** Deep equality where numbers compare by value (1 == 1.0).  Returns 1 when equal, else 0. */
int sc_json_equal(const json_t *a, const json_t *b);
/**
 * Checks the special forms ({"$type": ...}, {"$len": n}) anywhere inside an expected value at load
 * time; on failure appends a message to err.
 */
int sc_check_expected(json_t *expected, sc_buf *err);
/**
 * Matches the actual JSON value against an expected value template (substitution, ~contains,
 * ^regex, $type / $len forms, exact objects and arrays).  where is the pointer used in messages.
 * Returns 0 on match; -1 on mismatch or error with one explanatory line appended to why.
 */
int sc_match_json(sc_vars *v, json_t *expected, json_t *actual, const char *where, sc_buf *why);
/**
 * Matches an actual text (e.g. a header value) against an expected string template with the same
 * ~ / ^ / \~ conventions.  Returns 0 on match; -1 with one line appended to why otherwise.
 */
int sc_match_text(sc_vars *v, const char *expected, const char *actual, const char *where,
                  sc_buf *why);

/* ---------------------------------------------------------------- sc_http.c */

/** A request ready to send.  All members owned; release with sc_request_free. */
typedef struct sc_request {
  char *method;               /* e.g. "POST" */
  char *url;                  /* absolute URL */
  struct curl_slist *headers; /* "Name: value" lines (curl_slist_free_all) */
  char *body;                 /* request body or NULL; has_body tells whether one is sent */
  size_t body_len;
  int has_body;
} sc_request;

/** One response header, both strings owned by the sc_response. */
typedef struct sc_header {
  char *name;
  char *value;
} sc_header;

/** A received response.  Zero-initialise; release with sc_response_free. */
typedef struct sc_response {
  long status;
  sc_header *headers; /* owned array of nheaders entries, in arrival order */
  size_t nheaders;
  size_t cap;
  sc_buf body;
  double seconds;
} sc_response;

/** Releases what req owns and zeroes it. */
void sc_request_free(sc_request *req);
/** Releases what resp owns and zeroes it. */
void sc_response_free(sc_response *resp);
/**
 * Sends req on the (reused, keep-alive) handle curl and fills resp.  On a transport error appends a
 * message to err and returns -1.
 */
int sc_http_perform(CURL *curl, const sc_request *req, sc_response *resp, sc_buf *err);
/**
 * Finds the next header called name (case-insensitive) at index >= *pos.  Returns its value
 * (borrowed from resp) and sets *pos to its index, or returns NULL.
 */
const char *sc_response_header(const sc_response *resp, const char *name, size_t *pos);

/* ---------------------------------------------------------------- sc_load.c */

/** A loaded, validated scenario file.  Release with sc_scenario_free. */
typedef struct sc_scenario {
  char *path;    /* owned copy of the file name */
  char *name;    /* owned: "name" of the file, or its base name */
  json_t *doc;   /* owned: the whole document; vars and steps are borrowed from it */
  json_t *vars;  /* object or NULL */
  json_t *steps; /* non-empty array of validated step objects */
} sc_scenario;

/**
 * Loads and validates path.  Every problem found is printed to stderr as
 * "cspd-scenario: FILE: step N ("name"): what is wrong".  Returns 0, or -1 when the file is
 * unusable.
 */
int sc_load(const char *path, sc_scenario *out);
/** Releases what s owns and zeroes it. */
void sc_scenario_free(sc_scenario *s);

#endif /* CSPD_SCENARIO_H */
