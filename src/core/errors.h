/* errors.h -- the error registry (errors.def) as an enum and lookups. */
#ifndef CSPD_ERRORS_H
#define CSPD_ERRORS_H

enum cspd_error_id {
  CSPD_E_NONE = 0,
#define X(name, code, http, rule, text, remedy) CSPD_E_##name,
#include "errors.def"
#undef X
  CSPD_E__COUNT
};

struct cspd_error_info {
  const char *name;
  int code;
  int http_status;
  const char *rule; /* NULL when no program rule is involved */
  const char *description;
  const char *remedy; /* NULL when there is none */
};

/** Registry entry of @a id; CSPD_E_INTERNAL's for an unknown id. */
const struct cspd_error_info *cspd_error_info(enum cspd_error_id id);
/** Number of entries (excluding CSPD_E_NONE). */
int cspd_error_count(void);
/** The registry as a Markdown table (malloc'ed; caller frees). */
char *cspd_errors_markdown(void);

#endif
