/*
 * sc_http.c — one HTTP exchange on a reused libcurl easy handle, for cspd-scenario.
 *
 * The handle is reset (curl_easy_reset keeps live connections, so keep-alive works) and configured
 * for each request: no redirects followed, 30 s timeout, no "Expect: 100-continue".
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include "scenario.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void sc_request_free(sc_request *req) {
  free(req->method);
  free(req->url);
  curl_slist_free_all(req->headers);
  free(req->body);
  memset(req, 0, sizeof *req);
}

/** Frees all stored headers, keeping the array. */
static void clear_headers(sc_response *resp) {
  for (size_t i = 0; i < resp->nheaders; i++) {
    free(resp->headers[i].name);
    free(resp->headers[i].value);
  }
  resp->nheaders = 0;
}

void sc_response_free(sc_response *resp) {
  clear_headers(resp);
  free(resp->headers);
  sc_buf_free(&resp->body);
  memset(resp, 0, sizeof *resp);
}

const char *sc_response_header(const sc_response *resp, const char *name, size_t *pos) {
  for (size_t i = *pos; i < resp->nheaders; i++) {
    if (strcasecmp(resp->headers[i].name, name) == 0) {
      *pos = i;
      return resp->headers[i].value;
    }
  }
  return NULL;
}

/** State shared with the curl callbacks during one transfer. */
typedef struct transfer {
  sc_response *resp;
  int too_big; /* body exceeded SC_MAX_BODY */
  int oom;     /* allocation failed in a callback */
} transfer;

/** curl write callback: appends body bytes. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata) {
  transfer *t = userdata;
  size_t len = size * nmemb;
  if (t->resp->body.len + len > SC_MAX_BODY) {
    t->too_big = 1;
    return 0;
  }
  if (sc_buf_append(&t->resp->body, data, len) != 0) {
    t->oom = 1;
    return 0;
  }
  return len;
}

/** Returns a malloc'd copy of s[0..len) without leading/trailing blanks (caller frees). */
static char *trimmed_copy(const char *s, size_t len) {
  while (len > 0 && (*s == ' ' || *s == '\t')) {
    s++;
    len--;
  }
  while (len > 0 &&
         (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n'))
    len--;
  return strndup(s, len);
}

/** curl header callback: keeps the headers of the final response (a status line starts a new set).
 */
static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata) {
  transfer *t = userdata;
  sc_response *resp = t->resp;
  size_t len = size * nmemb;
  if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
    clear_headers(resp); /* interim (1xx) responses are forgotten */
    return len;
  }
  const char *colon = memchr(data, ':', len);
  if (colon == NULL)
    return len; /* blank line ending the header block, or junk */
  if (resp->nheaders == resp->cap) {
    size_t cap = resp->cap ? resp->cap * 2 : 16;
    sc_header *h = realloc(resp->headers, cap * sizeof *h);
    if (h == NULL) {
      t->oom = 1;
      return 0;
    }
    resp->headers = h;
    resp->cap = cap;
  }
  char *name = trimmed_copy(data, (size_t)(colon - data)); /* owned by resp on success */
  char *value =
      trimmed_copy(colon + 1, len - (size_t)(colon - data) - 1); /* owned by resp on success */
  if (name == NULL || value == NULL) {
    free(name);
    free(value);
    t->oom = 1;
    return 0;
  }
  resp->headers[resp->nheaders].name = name;
  resp->headers[resp->nheaders].value = value;
  resp->nheaders++;
  return len;
}

int sc_http_perform(CURL *curl, const sc_request *req, sc_response *resp, sc_buf *err) {
  char errbuf[CURL_ERROR_SIZE];
  transfer t = {.resp = resp};
  errbuf[0] = '\0';

  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, req->url);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, SC_TIMEOUT_SECONDS);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "cspd-scenario/1");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, req->headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);

  if (strcmp(req->method, "HEAD") == 0) {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (strcmp(req->method, "GET") == 0 && !req->has_body) {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    if (req->has_body) {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
    }
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req->method);
  }

  CURLcode rc = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &resp->status);
  curl_easy_getinfo(curl, CURLINFO_TOTAL_TIME, &resp->seconds);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, NULL); /* errbuf goes out of scope */
  if (t.too_big) {
    sc_buf_printf(err, "response body larger than %zu bytes", SC_MAX_BODY);
    return -1;
  }
  if (t.oom) {
    sc_buf_puts(err, "out of memory while receiving the response");
    return -1;
  }
  if (rc != CURLE_OK) {
    sc_buf_printf(err, "request failed: %s%s%s", curl_easy_strerror(rc),
                  errbuf[0] != '\0' ? ": " : "", errbuf);
    return -1;
  }
  return 0;
}
