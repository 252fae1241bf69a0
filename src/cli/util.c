/*
 * csp — small helpers: allocation, random GUIDs, files, secrets, time.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <termios.h>
#include <unistd.h>

#define CSP_MAX_FILE_SIZE ((size_t)64 * 1024 * 1024)

static void csp_oom(void) {
  fputs("csp: out of memory\n", stderr);
  exit(1);
}

void *csp_xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p)
    csp_oom();
  return p;
}

void *csp_xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q)
    csp_oom();
  return q;
}

char *csp_xstrdup(const char *s) {
  char *d = strdup(s ? s : "");
  if (!d)
    csp_oom();
  return d;
}

char *csp_xasprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0)
    csp_oom();
  char *s = csp_xmalloc((size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(s, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return s;
}

/** Fill buf with random bytes. @return 0 or -1. */
static int csp_random(unsigned char *buf, size_t len) {
  size_t got = 0;
  while (got < len) {
    ssize_t n = getrandom(buf + got, len - got, 0);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      break;
    }
    got += (size_t)n;
  }
  if (got == len)
    return 0;

  /* Fallback for kernels without getrandom(). */
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  got = 0;
  while (got < len) {
    ssize_t n = read(fd, buf + got, len - got);
    if (n <= 0) {
      if (n < 0 && errno == EINTR)
        continue;
      close(fd);
      return -1;
    }
    got += (size_t)n;
  }
  close(fd);
  return 0;
}

int csp_guid_v4(char out[37]) {
  unsigned char b[16];
  if (csp_random(b, sizeof b) != 0)
    return -1;
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
  snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
           b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
           b[15]);
  return 0;
}

int csp_read_file(const char *path, char **out, size_t *len) {
  *out = NULL;
  bool use_stdin = strcmp(path, "-") == 0;
  FILE *f = use_stdin ? stdin : fopen(path, "rb");
  if (!f)
    return -1;

  size_t cap = 4096;
  size_t n = 0;
  char *buf = csp_xmalloc(cap);
  for (;;) {
    if (cap - n < 2) {
      if (cap >= CSP_MAX_FILE_SIZE) {
        free(buf);
        if (!use_stdin)
          fclose(f);
        errno = EFBIG;
        return -1;
      }
      cap *= 2;
      buf = csp_xrealloc(buf, cap);
    }
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0)
      break;
  }
  bool failed = ferror(f) != 0;
  if (!use_stdin)
    fclose(f);
  if (failed) {
    free(buf);
    errno = EIO;
    return -1;
  }
  buf[n] = '\0';
  *out = buf;
  if (len)
    *len = n;
  return 0;
}

bool csp_stdin_is_tty(void) {
  return isatty(STDIN_FILENO) == 1;
}

/* Terminal state saved while echo is off, restored on SIGINT/SIGTERM too. */
static struct termios saved_termios;
static volatile sig_atomic_t termios_saved;

static void csp_restore_tty_signal(int sig) {
  if (termios_saved)
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
  signal(sig, SIG_DFL);
  raise(sig);
}

int csp_read_secret(const char *prompt, char **out) {
  *out = NULL;
  bool tty = prompt && csp_stdin_is_tty();
  struct sigaction sa = {0};
  struct sigaction old_int;
  struct sigaction old_term;

  if (tty) {
    fputs(prompt, stderr);
    fflush(stderr);
    if (tcgetattr(STDIN_FILENO, &saved_termios) == 0) {
      struct termios quiet = saved_termios;
      quiet.c_lflag &= (tcflag_t) ~(ECHO | ECHOE | ECHOK | ECHONL);
      quiet.c_lflag |= ICANON;
      sa.sa_handler = csp_restore_tty_signal;
      sigemptyset(&sa.sa_mask);
      sigaction(SIGINT, &sa, &old_int);
      sigaction(SIGTERM, &sa, &old_term);
      termios_saved = 1;
      tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
  }

  char *line = NULL;
  size_t cap = 0;
  ssize_t n = getline(&line, &cap, stdin);

  if (tty) {
    if (termios_saved) {
      tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_termios);
      termios_saved = 0;
      sigaction(SIGINT, &old_int, NULL);
      sigaction(SIGTERM, &old_term, NULL);
    }
    fputc('\n', stderr);
  }
  if (n < 0) {
    if (line) {
      explicit_bzero(line, cap);
      free(line);
    }
    return -1;
  }
  while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
    line[--n] = '\0';
  *out = line;
  return 0;
}

void csp_secret_free(char *s) {
  if (!s)
    return;
  explicit_bzero(s, strlen(s));
  free(s);
}

void csp_format_time(time_t t, char out[32]) {
  struct tm tm;
  if (!gmtime_r(&t, &tm)) {
    snprintf(out, 32, "%lld", (long long)t);
    return;
  }
  strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int csp_parse_time(const char *s, time_t *out) {
  struct tm tm = {0};
  const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end)
    return -1;
  if (*end == '.') {
    end++;
    while (*end >= '0' && *end <= '9')
      end++;
  }
  if (strcmp(end, "Z") != 0 && strcmp(end, "z") != 0 && strcmp(end, "+00:00") != 0)
    return -1;
  time_t t = timegm(&tm);
  if (t == (time_t)-1)
    return -1;
  *out = t;
  return 0;
}

void csp_format_relative(time_t t, time_t now, char out[48]) {
  long long d = (long long)t - (long long)now;
  bool past = d < 0;
  long long a = past ? -d : d;
  char span[32];
  if (a < 60)
    snprintf(span, sizeof span, "%llds", a);
  else if (a < 3600)
    snprintf(span, sizeof span, "%lldm", a / 60);
  else if (a < 86400)
    snprintf(span, sizeof span, "%lldh%02lldm", a / 3600, (a % 3600) / 60);
  else
    snprintf(span, sizeof span, "%lldd%02lldh", a / 86400, (a % 86400) / 3600);
  snprintf(out, 48, past ? "%s ago" : "in %s", span);
}

int csp_parse_int(const char *s, long long *out) {
  if (!s || !*s)
    return -1;
  char *end = NULL;
  errno = 0;
  long long v = strtoll(s, &end, 10);
  if (errno != 0 || !end || *end != '\0')
    return -1;
  *out = v;
  return 0;
}

int csp_parse_minor(const char *s, int digits, long long *out) {
  if (!s || digits < 0 || digits > 6)
    return -1;
  bool negative = *s == '-';
  if (negative)
    s++;
  if (*s < '0' || *s > '9')
    return -1;
  unsigned long long v = 0;
  const unsigned long long limit = (unsigned long long)LLONG_MAX;
  int decimals = -1; /* -1 while in the integer part */
  for (; *s; s++) {
    if (*s == '.' && decimals < 0) {
      decimals = 0;
      continue;
    }
    if (*s < '0' || *s > '9' || decimals == digits)
      return -1;
    if (v > (limit - (unsigned)(*s - '0')) / 10)
      return -1;
    v = v * 10 + (unsigned)(*s - '0');
    if (decimals >= 0)
      decimals++;
  }
  if (decimals == 0)
    return -1; /* "12." */
  for (int k = decimals < 0 ? 0 : decimals; k < digits; k++) {
    if (v > limit / 10)
      return -1;
    v *= 10;
  }
  *out = negative ? -(long long)v : (long long)v;
  return 0;
}

void csp_format_minor(long long minor, int digits, char out[40]) {
  if (digits < 0)
    digits = 0;
  if (digits > 6)
    digits = 6;
  unsigned long long mag = minor < 0 ? 0ULL - (unsigned long long)minor : (unsigned long long)minor;
  unsigned long long scale = 1;
  for (int k = 0; k < digits; k++)
    scale *= 10;
  char whole[32];
  int n = snprintf(whole, sizeof whole, "%llu", mag / scale);
  char *p = out;
  if (minor < 0)
    *p++ = '-';
  for (int i = 0; i < n; i++) {
    if (i > 0 && (n - i) % 3 == 0)
      *p++ = ',';
    *p++ = whole[i];
  }
  if (digits > 0) {
    *p++ = '.';
    unsigned long long frac = mag % scale;
    for (int k = digits - 1; k >= 0; k--) {
      p[k] = (char)('0' + frac % 10);
      frac /= 10;
    }
    p += digits;
  }
  *p = '\0';
}

bool csp_confirm(const char *question) {
  fprintf(stderr, "%s [y/N] ", question);
  fflush(stderr);
  char *line = NULL;
  size_t cap = 0;
  ssize_t n = getline(&line, &cap, stdin);
  bool yes = false;
  if (n > 0) {
    line[strcspn(line, "\r\n")] = '\0';
    yes = strcasecmp(line, "y") == 0 || strcasecmp(line, "yes") == 0;
  } else {
    fputc('\n', stderr);
  }
  free(line);
  return yes;
}

bool csp_upper_code(const char *s, size_t len, char *out) {
  if (!s || strlen(s) != len)
    return false;
  for (size_t i = 0; i < len; i++) {
    if (!isalpha((unsigned char)s[i]))
      return false;
  }
  for (size_t i = 0; i < len; i++)
    out[i] = (char)toupper((unsigned char)s[i]);
  out[len] = '\0';
  return true;
}

int csp_currency_digits(const char *currency) {
  return csp_streq_ci(currency, "JPY") || csp_streq_ci(currency, "KRW") ? 0 : 2;
}

bool csp_streq_ci(const char *a, const char *b) {
  return a && b && strcasecmp(a, b) == 0;
}
