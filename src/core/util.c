/* util.c -- identifiers, time stamps, base64url. */
#include "util.h"

#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Random bytes for GUIDs come from a per-thread pool refilled 4 KiB at a
 * time: one getrandom() serves 256 GUIDs (every request makes one or two). */
static _Thread_local unsigned char pool[4096];
static _Thread_local size_t pool_left;

static void random16(unsigned char b[16]) {
  if (pool_left < 16) {
    randombytes_buf(pool, sizeof pool);
    pool_left = sizeof pool;
  }
  memcpy(b, pool + sizeof pool - pool_left, 16);
  sodium_memzero(pool + sizeof pool - pool_left, 16);
  pool_left -= 16;
}

/** 8-4-4-4-12 lower-case hex of @a b. */
static void guid_format(const unsigned char b[16], char out[37]) {
  static const char hex[] = "0123456789abcdef";
  char *o = out;
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10)
      *o++ = '-';
    *o++ = hex[b[i] >> 4];
    *o++ = hex[b[i] & 15];
  }
  *o = '\0';
}

void cspd_guid_new(char out[37]) {
  unsigned char b[16];
  random16(b);
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
  guid_format(b, out);
}

void cspd_guid_new_timed(char out[37], int64_t ms) {
  /* 48 bits of time, then a 26-bit per-process sequence (ids written in the
   * same millisecond still sort in the order they were made), then random */
  static uint32_t seq;
  uint32_t n = __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED) & 0x3ffffffu;
  unsigned char b[16];
  random16(b);
  uint64_t t = (uint64_t)(ms < 0 ? 0 : ms);
  for (int i = 0; i < 6; i++)
    b[i] = (unsigned char)(t >> (8 * (5 - i)));
  b[6] = (unsigned char)(0x70 | ((n >> 22) & 0x0f));
  b[7] = (unsigned char)((n >> 14) & 0xff);
  b[8] = (unsigned char)(0x80 | ((n >> 8) & 0x3f));
  b[9] = (unsigned char)(n & 0xff);
  guid_format(b, out);
}

bool cspd_guid_valid(const char *s) {
  if (s == NULL || strlen(s) != 36)
    return false;
  for (int i = 0; i < 36; i++) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-')
        return false;
    } else if (!isxdigit((unsigned char)s[i])) {
      return false;
    }
  }
  return true;
}

int cspd_guid_normalize(const char *s, char out[37]) {
  if (!cspd_guid_valid(s))
    return -1;
  for (int i = 0; i < 36; i++)
    out[i] = (char)tolower((unsigned char)s[i]);
  out[36] = '\0';
  return 0;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

void cspd_time_format(int64_t ms, bool millis, char out[32]) {
  time_t secs = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  unsigned frac = (unsigned)(ms - (int64_t)secs * 1000) % 1000u;
  struct tm tm;
  char buf[64];
  gmtime_r(&secs, &tm);
  if (millis)
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", (tm.tm_year + 1900) % 10000,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  else
    snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", (tm.tm_year + 1900) % 10000,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  size_t n = strlen(buf);
  if (n > 31)
    n = 31;
  memcpy(out, buf, n);
  out[n] = '\0';
}

static int digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)s[i]))
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

int cspd_time_parse(const char *s, int64_t *ms) {
  int y, mo, d, h = 0, mi = 0, se = 0, frac = 0;
  if (s == NULL || strlen(s) < 10)
    return -1;
  if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
      digits(s + 8, 2, &d))
    return -1;
  const char *p = s + 10;
  int64_t tz = 0;
  if (*p != '\0') {
    if (*p != 'T' && *p != 't' && *p != ' ')
      return -1;
    p++;
    if (strlen(p) < 8 || digits(p, 2, &h) || p[2] != ':' || digits(p + 3, 2, &mi) || p[5] != ':' ||
        digits(p + 6, 2, &se))
      return -1;
    p += 8;
    if (*p == '.') {
      p++;
      int n = 0;
      while (isdigit((unsigned char)*p)) {
        if (n < 3)
          frac = frac * 10 + (*p - '0');
        n++;
        p++;
      }
      if (n == 0)
        return -1;
      for (; n < 3; n++)
        frac *= 10;
    }
    if (*p == 'Z' || *p == 'z') {
      p++;
    } else if (*p == '+' || *p == '-') {
      int th, tm;
      if (strlen(p) != 6 || digits(p + 1, 2, &th) || p[3] != ':' || digits(p + 4, 2, &tm) ||
          th > 23 || tm > 59)
        return -1;
      tz = (int64_t)(th * 60 + tm) * 60 * (*p == '+' ? 1 : -1);
      p += 6;
    } else {
      return -1;
    }
    if (*p != '\0')
      return -1;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
    return -1;
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
    return -1;
  int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - tz;
  *ms = secs * 1000 + frac;
  return 0;
}

int64_t cspd_wall_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t cspd_mono_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void cspd_b64url_encode(const void *in, size_t n, char *out, size_t outcap) {
  sodium_bin2base64(out, outcap, in, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int cspd_b64url_decode(const char *in, size_t inlen, void *out, size_t cap, size_t *outlen) {
  while (inlen > 0 && in[inlen - 1] == '=')
    inlen--;
  if (sodium_base642bin(out, cap, in, inlen, NULL, outlen, NULL,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
    return -1;
  return 0;
}

void cspd_mpn_id_new(char out[16]) {
  uint32_t v = 1000000u + randombytes_uniform(9000000u);
  snprintf(out, 16, "%u", v);
}

bool cspd_mpn_id_valid(const char *s) {
  size_t n = s ? strlen(s) : 0;
  if (n == 0 || n > 10)
    return false;
  for (size_t i = 0; i < n; i++)
    if (!isdigit((unsigned char)s[i]))
      return false;
  return true;
}

bool cspd_email_valid(const char *s) {
  if (s == NULL)
    return false;
  size_t n = strlen(s);
  const char *at = strchr(s, '@');
  if (n == 0 || n > 254 || at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') != NULL)
    return false;
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (ch <= ' ' || ch == 0x7f || ch == '<' || ch == '>' || ch == ',' || ch == ';')
      return false;
  }
  return true;
}
