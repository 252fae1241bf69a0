/* util.h -- identifiers, time stamps, base64url. */
#ifndef CSPD_UTIL_H
#define CSPD_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** A fresh random (v4) GUID, lower case. @param[out] out 37 bytes. */
void cspd_guid_new(char out[37]);
/** A GUID whose first 48 bits are @a ms (big-endian), like UUIDv7: ids
 * made this way sort by time. @param[out] out 37 bytes. */
void cspd_guid_new_timed(char out[37], int64_t ms);
/** True when @a s is a GUID (any case, no braces). */
bool cspd_guid_valid(const char *s);
/** Lower-case copy of a valid GUID. @param[out] out 37 bytes. -1 if invalid. */
int cspd_guid_normalize(const char *s, char out[37]);

/** Format unix milliseconds as RFC 3339 UTC ("2026-11-22T10:00:00Z", or with
 * ".123Z" when @a millis). @param[out] out at least 32 bytes. */
void cspd_time_format(int64_t ms, bool millis, char out[32]);
/** Parse RFC 3339 ("YYYY-MM-DDTHH:MM:SS[.fff](Z|+hh:mm)") or a date
 * "YYYY-MM-DD" (midnight UTC). @param[out] ms unix milliseconds. */
int cspd_time_parse(const char *s, int64_t *ms);
/** Wall clock, unix milliseconds. Only for security and logs: program rules
 * read the cspd clock (clock.h). */
int64_t cspd_wall_ms(void);
/** Monotonic microseconds, for durations. */
int64_t cspd_mono_us(void);

/** base64url without padding. @param[out] out needs 4*n/3+4 bytes. */
void cspd_b64url_encode(const void *in, size_t n, char *out, size_t outcap);
/** Decode base64url (padding optional). @param[out] outlen bytes written.
 * -1 when malformed or too long for @a cap. */
int cspd_b64url_decode(const char *in, size_t inlen, void *out, size_t cap, size_t *outlen);

/** True when @a s is a plausible e-mail address: one '@' with text on both
 * sides, at most 254 bytes, and no spaces or control characters (so it can
 * never smuggle a header into an e-mail). */
bool cspd_email_valid(const char *s);

/** A random decimal PartnerID of 7 digits, first digit non-zero. */
void cspd_mpn_id_new(char out[16]);
/** True when @a s looks like a PartnerID (1..10 decimal digits). */
bool cspd_mpn_id_valid(const char *s);

#endif
