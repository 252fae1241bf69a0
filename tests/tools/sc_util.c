/*
 * sc_util.c — growable buffers, GUIDs, JSON text helpers and report printing for cspd-scenario.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include "scenario.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/** Makes room for extra more bytes plus the terminating NUL. */
static int buf_reserve(sc_buf *b, size_t extra) {
  if (extra > SIZE_MAX - b->len - 1)
    return -1;
  size_t need = b->len + extra + 1;
  if (need <= b->cap)
    return 0;
  size_t cap = b->cap ? b->cap : 128;
  while (cap < need) {
    if (cap > SIZE_MAX / 2)
      return -1;
    cap *= 2;
  }
  char *p = realloc(b->data, cap);
  if (p == NULL)
    return -1;
  b->data = p;
  b->cap = cap;
  return 0;
}

int sc_buf_append(sc_buf *b, const void *data, size_t len) {
  if (buf_reserve(b, len) != 0)
    return -1;
  if (len > 0)
    memcpy(b->data + b->len, data, len);
  b->len += len;
  b->data[b->len] = '\0';
  return 0;
}

int sc_buf_puts(sc_buf *b, const char *s) {
  return sc_buf_append(b, s, strlen(s));
}

int sc_buf_vprintf(sc_buf *b, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0)
    return -1;
  if (buf_reserve(b, (size_t)n) != 0)
    return -1;
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
  return 0;
}

int sc_buf_printf(sc_buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = sc_buf_vprintf(b, fmt, ap);
  va_end(ap);
  return rc;
}

void sc_buf_reset(sc_buf *b) {
  b->len = 0;
  if (b->data != NULL)
    b->data[0] = '\0';
}

void sc_buf_free(sc_buf *b) {
  free(b->data);
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
}

const char *sc_buf_str(const sc_buf *b) {
  return b->data != NULL ? b->data : "";
}

char *sc_buf_take(sc_buf *b) {
  if (b->data == NULL && sc_buf_append(b, "", 0) != 0)
    return NULL;
  char *s = b->data;
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  return s;
}

int sc_uuid_v4(char out[37]) {
  unsigned char r[16];
  size_t got = 0;
  while (got < sizeof r) {
    ssize_t n = getrandom(r + got, sizeof r - got, 0);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return -1;
    }
    got += (size_t)n;
  }
  r[6] = (unsigned char)((r[6] & 0x0f) | 0x40); /* version 4 */
  r[8] = (unsigned char)((r[8] & 0x3f) | 0x80); /* RFC 4122 variant */
  snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0],
           r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14],
           r[15]);
  return 0;
}

char *sc_json_text(const json_t *v) {
  return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/** Appends text cut to SC_BRIEF_LIMIT bytes (on a UTF-8 boundary), with "..." when cut. */
static int append_brief(sc_buf *b, const char *text) {
  size_t n = strlen(text);
  if (n <= SC_BRIEF_LIMIT)
    return sc_buf_append(b, text, n);
  size_t cut = SC_BRIEF_LIMIT;
  while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
    cut--;
  if (sc_buf_append(b, text, cut) != 0)
    return -1;
  return sc_buf_printf(b, "...(%zu bytes)", n);
}

int sc_json_brief(sc_buf *b, const json_t *v) {
  char *text = sc_json_text(v); /* owned here */
  if (text == NULL)
    return sc_buf_puts(b, "<unprintable>");
  int rc = append_brief(b, text);
  free(text);
  return rc;
}

int sc_quote_brief(sc_buf *b, const char *s) {
  json_t *str = json_string(s); /* owned here; NULL when s is not valid UTF-8 */
  if (str == NULL)
    return sc_buf_printf(b, "\"%s\"", s);
  int rc = sc_json_brief(b, str);
  json_decref(str);
  return rc;
}

void sc_print_block(FILE *out, const char *indent, const char *data, size_t len, size_t limit) {
  if (len == 0) {
    fprintf(out, "%s(empty)\n", indent);
    return;
  }
  size_t shown = len < limit ? len : limit;
  fputs(indent, out);
  for (size_t i = 0; i < shown; i++) {
    unsigned char c = (unsigned char)data[i];
    if (c == '\n') {
      fputc('\n', out);
      if (i + 1 < shown)
        fputs(indent, out);
    } else if (c == '\t' || c >= 0x20) {
      fputc(c, out);
    } else {
      fprintf(out, "\\x%02x", c);
    }
  }
  if (data[shown - 1] != '\n')
    fputc('\n', out);
  if (shown < len)
    fprintf(out, "%s... (truncated, %zu bytes in total)\n", indent, len);
}

int sc_valid_var_name(const char *name) {
  if (name[0] == '\0')
    return 0;
  for (const char *p = name; *p != '\0'; p++) {
    if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
      return 0;
  }
  return 1;
}

int sc_reserved_var_name(const char *name) {
  return strcmp(name, "uuid") == 0 || strncmp(name, "uuid:", 5) == 0 ||
         strcmp(name, "base_url") == 0;
}
