/* clock.c -- the cspd clock (see clock.h). */
#include "clock.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>

#include "util.h"

static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static struct cspd_clock_state state;

int64_t cspd_clock_now(void) {
  pthread_rwlock_rdlock(&lock);
  int64_t now = state.frozen ? state.frozen_ms : cspd_wall_ms() + state.offset_ms;
  pthread_rwlock_unlock(&lock);
  return now;
}

void cspd_clock_get(struct cspd_clock_state *out) {
  pthread_rwlock_rdlock(&lock);
  *out = state;
  pthread_rwlock_unlock(&lock);
}

void cspd_clock_set_state(const struct cspd_clock_state *s) {
  pthread_rwlock_wrlock(&lock);
  state = *s;
  pthread_rwlock_unlock(&lock);
}

void cspd_clock_state_at(int64_t now_ms, bool frozen, struct cspd_clock_state *out) {
  out->frozen = frozen;
  out->frozen_ms = frozen ? now_ms : 0;
  out->offset_ms = frozen ? 0 : now_ms - cspd_wall_ms();
}

void cspd_clock_encode(const struct cspd_clock_state *s, char out[64]) {
  snprintf(out, 64, "%" PRId64 " %d %" PRId64, s->offset_ms, s->frozen ? 1 : 0, s->frozen_ms);
}

int cspd_clock_decode(const char *s, struct cspd_clock_state *out) {
  int64_t off, fms;
  int fr;
  if (sscanf(s, "%" SCNd64 " %d %" SCNd64, &off, &fr, &fms) != 3)
    return -1;
  out->offset_ms = off;
  out->frozen = fr != 0;
  out->frozen_ms = fms;
  return 0;
}
