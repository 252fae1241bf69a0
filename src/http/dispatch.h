/* dispatch.h -- the request pipeline, called by server.c. */
#ifndef CSPD_DISPATCH_H
#define CSPD_DISPATCH_H

#include "http.h"

/** Serve @a r: sets r->status and r->reply (or the error envelope). */
void cspd_dispatch(struct cspd_req *r);
/** Free this worker thread's token cache. */
void cspd_dispatch_thread_cleanup(void);

#endif
