/* log.c -- diagnostic messages (see log.h). */
#include "log.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static bool as_json;

void cspd_log_set_json(bool json) {
  as_json = json;
}
bool cspd_log_is_json(void) {
  return as_json;
}

void cspd_vlog(const char *level, const char *fmt, va_list ap) {
  char msg[2048];
  vsnprintf(msg, sizeof msg, fmt, ap);
  size_t n = strlen(msg);
  while (n > 0 && msg[n - 1] == '\n')
    msg[--n] = '\0';
  if (!as_json) {
    fprintf(stderr, "cspd: %s\n", msg);
    return;
  }
  char ts[32];
  cspd_time_format(cspd_wall_ms(), true, ts);
  json_t *line = json_pack("{s:s, s:s, s:s}", "ts", ts, "level", level, "msg", msg);
  char *txt = line ? json_dumps(line, JSON_COMPACT) : NULL;
  json_decref(line);
  if (txt != NULL) {
    fprintf(stderr, "%s\n", txt);
    free(txt);
  }
}

void cspd_log(const char *level, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  cspd_vlog(level, fmt, ap);
  va_end(ap);
}
