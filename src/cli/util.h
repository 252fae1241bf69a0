/*
 * csp — small helpers: allocation, random GUIDs, files, secrets, time.
 */
#ifndef CSP_UTIL_H
#define CSP_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/*
 * Allocation wrappers: they never return NULL; on out-of-memory they print a
 * message and terminate the process with exit code 1. The returned memory is
 * owned by the caller (free()).
 */
void *csp_xmalloc(size_t n);
void *csp_xrealloc(void *p, size_t n);
char *csp_xstrdup(const char *s);
char *csp_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * Format a random (version 4) GUID, lower case, 36 characters.
 * @param[out] out receives the NUL-terminated GUID.
 * @return 0, or -1 when no randomness is available.
 */
int csp_guid_v4(char out[37]);

/**
 * Read a whole file, or standard input when path is "-".
 * @param[out] out NUL-terminated content, owned by the caller (free()).
 * @param[out] len content length without the terminator; may be NULL.
 * @return 0, or -1 with errno set (message not printed).
 */
int csp_read_file(const char *path, char **out, size_t *len);

/**
 * Read one line from standard input (trailing CR/LF removed).
 * With prompt != NULL and stdin a terminal the prompt goes to stderr and
 * echo is switched off while reading.
 * @param[out] out the secret, owned by the caller (free with csp_secret_free()).
 * @return 0, or -1 on end of input / read error.
 */
int csp_read_secret(const char *prompt, char **out);

/** Wipe and free a secret (NULL is fine). */
void csp_secret_free(char *s);

/** @return true when standard input is a terminal. */
bool csp_stdin_is_tty(void);

/**
 * Format a UTC time as RFC 3339 ("2026-11-22T10:00:00Z").
 * @param[out] out receives the text.
 */
void csp_format_time(time_t t, char out[32]);

/**
 * Parse an RFC 3339 UTC time "YYYY-MM-DDTHH:MM:SS[.frac]Z" (or +00:00).
 * @param[out] out seconds since the epoch.
 * @return 0 or -1.
 */
int csp_parse_time(const char *s, time_t *out);

/**
 * Describe a duration relative to now, e.g. "in 59m", "3h ago".
 * @param[out] out receives the text.
 */
void csp_format_relative(time_t t, time_t now, char out[48]);

/**
 * Parse a whole decimal integer (optional sign, no trailing junk).
 * @param[out] out the value.
 * @return 0 or -1.
 */
int csp_parse_int(const char *s, long long *out);

/**
 * Parse a decimal amount ("1234", "1234.5", "1234.56", optional leading '-')
 * into minor units with `digits` decimals (0..6), without floating point:
 * "1234.5" with 2 digits is 123450. More decimals than `digits`, a '.'
 * without digits after it, other characters or an overflow are refused.
 * @param[out] out the amount in minor units.
 * @return 0 or -1.
 */
int csp_parse_minor(const char *s, int digits, long long *out);

/**
 * Format an amount in minor units as a decimal with `digits` decimals (0..6) and
 * thousands separators: 36000000 with 2 digits is "360,000.00".
 * @param[out] out receives the text (at most 40 bytes with the NUL).
 */
void csp_format_minor(long long minor, int digits, char out[40]);

/**
 * Ask a yes/no question on the terminal: "question [y/N] " goes to stderr,
 * the answer is read from standard input.
 * @return true only for "y" or "yes" (any case).
 */
bool csp_confirm(const char *question);

/**
 * Check that s is exactly len ASCII letters (an ISO code: country 2, currency 3)
 * and copy it upper-cased into out, which has room for len + 1 bytes.
 * @return true when s is such a code (out filled), false otherwise (out untouched).
 */
bool csp_upper_code(const char *s, size_t len, char *out);

/**
 * Minor unit digits the CLI assumes for a currency when formatting: 0 for
 * JPY and KRW, else 2 (the shipped data/fx-rates.tsv).
 */
int csp_currency_digits(const char *currency);

/** ASCII case-insensitive string equality. */
bool csp_streq_ci(const char *a, const char *b);

#endif /* CSP_UTIL_H */
