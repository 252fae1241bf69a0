/* assets.h -- the dashboard's files (web/), embedded at build time by
 * tools/embed.c from the list in web/meson.build. */
#ifndef CSPD_ASSETS_H
#define CSPD_ASSETS_H

#include <stddef.h>

struct cspd_asset {
  const char *path; /* "/index.html", "/assets/app.js" */
  const char *data;
  size_t len;
  const char *etag; /* quoted, from the content */
};

/** The embedded files, ended by an entry with a NULL path. */
extern const struct cspd_asset cspd_web_assets[];
extern const int cspd_web_assets_count;

#endif
