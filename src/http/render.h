/* render.h -- JSON renderings of core rows shared by several handlers. */
#ifndef CSPD_RENDER_H
#define CSPD_RENDER_H

#include "../core/identity.h"
#include "http.h"

json_t *cspd_render_org(struct cspd_req *r, const struct cspd_org *o);
json_t *cspd_render_location(struct cspd_req *r, const struct cspd_location *l,
                             const char *global_mpn_id);
json_t *cspd_render_address(const struct cspd_location *l);
json_t *cspd_render_contact(const struct cspd_contact *k);
json_t *cspd_render_user(struct cspd_req *r, const struct cspd_user *u);

/** Caller must be a partner tenant; sets 403 otherwise. */
int cspd_require_partner(struct cspd_req *r);

#endif
