/* arena.h -- per-request bump allocator.
 *
 * One arena serves one request: everything a handler allocates from it is
 * released at once by cspd_arena_reset() / cspd_arena_free(). Objects that
 * must outlive the request (response bodies handed to libmicrohttpd) are
 * malloc'ed and owned by whoever receives them. */
#ifndef CSPD_ARENA_H
#define CSPD_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct cspd_arena;

/** Create an arena whose chunks are at least @a chunk bytes. NULL on OOM. */
struct cspd_arena *cspd_arena_new(size_t chunk);
/** Release every chunk and the arena itself. NULL is accepted. */
void cspd_arena_free(struct cspd_arena *a);
/** Forget every allocation; keeps the first chunk for reuse. */
void cspd_arena_reset(struct cspd_arena *a);
/** Zeroed, 16-byte aligned memory, valid until the next reset. Aborts on OOM. */
void *cspd_arena_alloc(struct cspd_arena *a, size_t n);
/** Copy of @a s (NULL gives NULL). */
char *cspd_arena_strdup(struct cspd_arena *a, const char *s);
/** Copy of the first @a n bytes of @a s, NUL-terminated. */
char *cspd_arena_strndup(struct cspd_arena *a, const char *s, size_t n);
/** printf into the arena. */
char *cspd_arena_printf(struct cspd_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *cspd_arena_vprintf(struct cspd_arena *a, const char *fmt, va_list ap);

#endif
