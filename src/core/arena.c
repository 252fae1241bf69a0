/* arena.c -- per-request bump allocator (see arena.h). */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct chunk {
  struct chunk *next;
  size_t size; /* usable bytes in data[] */
  size_t used;
  _Alignas(16) unsigned char data[];
};

struct cspd_arena {
  struct chunk *head; /* current chunk; the first chunk is last in the list */
  size_t chunk_size;
};

static struct chunk *chunk_new(size_t size) {
  struct chunk *c = malloc(sizeof(*c) + size);
  if (c == NULL) {
    fputs("cspd: out of memory\n", stderr);
    abort();
  }
  c->next = NULL;
  c->size = size;
  c->used = 0;
  return c;
}

struct cspd_arena *cspd_arena_new(size_t chunk) {
  struct cspd_arena *a = malloc(sizeof(*a));
  if (a == NULL)
    return NULL;
  a->chunk_size = chunk < 1024 ? 1024 : chunk;
  a->head = chunk_new(a->chunk_size);
  return a;
}

void cspd_arena_free(struct cspd_arena *a) {
  if (a == NULL)
    return;
  struct chunk *c = a->head;
  while (c != NULL) {
    struct chunk *next = c->next;
    free(c);
    c = next;
  }
  free(a);
}

void cspd_arena_reset(struct cspd_arena *a) {
  struct chunk *c = a->head;
  /* keep only the oldest chunk (the one created with the arena) */
  while (c->next != NULL) {
    struct chunk *next = c->next;
    free(c);
    c = next;
  }
  c->used = 0;
  a->head = c;
}

void *cspd_arena_alloc(struct cspd_arena *a, size_t n) {
  size_t need = (n + 15u) & ~(size_t)15u;
  if (need == 0)
    need = 16;
  struct chunk *c = a->head;
  if (c->size - c->used < need) {
    size_t size = need > a->chunk_size ? need : a->chunk_size;
    struct chunk *nc = chunk_new(size);
    nc->next = c;
    a->head = nc;
    c = nc;
  }
  void *p = c->data + c->used;
  c->used += need;
  memset(p, 0, n);
  return p;
}

char *cspd_arena_strndup(struct cspd_arena *a, const char *s, size_t n) {
  if (s == NULL)
    return NULL;
  char *p = cspd_arena_alloc(a, n + 1);
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

char *cspd_arena_strdup(struct cspd_arena *a, const char *s) {
  if (s == NULL)
    return NULL;
  return cspd_arena_strndup(a, s, strlen(s));
}

char *cspd_arena_vprintf(struct cspd_arena *a, const char *fmt, va_list ap) {
  va_list ap2;
  va_copy(ap2, ap);
  int n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (n < 0)
    return cspd_arena_strdup(a, "");
  char *p = cspd_arena_alloc(a, (size_t)n + 1);
  vsnprintf(p, (size_t)n + 1, fmt, ap);
  return p;
}

char *cspd_arena_printf(struct cspd_arena *a, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *p = cspd_arena_vprintf(a, fmt, ap);
  va_end(ap);
  return p;
}
