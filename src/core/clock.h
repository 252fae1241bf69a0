/* clock.h -- the cspd clock.
 *
 * Every time-based program rule reads this clock, never the wall clock. In
 * production it is the wall clock. In sandbox mode it can be set, frozen and
 * advanced (/_cspd/clock); its state is persisted in the store's settings
 * so that it survives a restart. Token expiry and logs use the wall clock. */
#ifndef CSPD_CLOCK_H
#define CSPD_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct cspd_clock_state {
  int64_t offset_ms; /* added to the wall clock when not frozen */
  bool frozen;
  int64_t frozen_ms; /* the reading while frozen */
};

/** Current cspd time, unix milliseconds. Thread-safe. */
int64_t cspd_clock_now(void);
/** @param[out] out a snapshot of the state. */
void cspd_clock_get(struct cspd_clock_state *out);
/** Install @a s (after the transaction that persisted it committed). */
void cspd_clock_set_state(const struct cspd_clock_state *s);
/** State that makes the clock read @a now_ms from now on. */
void cspd_clock_state_at(int64_t now_ms, bool frozen, struct cspd_clock_state *out);
/** Settings encoding: "offset_ms frozen frozen_ms". */
void cspd_clock_encode(const struct cspd_clock_state *s, char out[64]);
int cspd_clock_decode(const char *s, struct cspd_clock_state *out);

#endif
