/* log.h -- the server's diagnostic messages on stderr, as plain text
 * ("cspd: ...") or, with --log-format json, one JSON object per line
 * ({"ts","level","msg"}), like the access log. */
#ifndef CSPD_LOG_H
#define CSPD_LOG_H

#include <stdarg.h>
#include <stdbool.h>

void cspd_log_set_json(bool json);
bool cspd_log_is_json(void);
/** @a level: "info", "warn", "error". */
void cspd_log(const char *level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cspd_vlog(const char *level, const char *fmt, va_list ap);

#endif
