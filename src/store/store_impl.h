/* store_impl.h -- what backends share; not for the core. */
#ifndef CSPD_STORE_IMPL_H
#define CSPD_STORE_IMPL_H

#include "store.h"

/** Every backend's session begins with this. */
struct cspd_db_base {
  struct cspd_store *store;
};

int cspd_sqlite_open(const char *path, bool memory, const char *options, struct cspd_store **out,
                     char *errbuf, size_t errlen);

#endif
