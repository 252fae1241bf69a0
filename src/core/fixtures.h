/* fixtures.h -- apply a fixtures document (docs/fixtures.md): partners,
 * locations, users, apps, customers and partnerships in one transaction.
 * Used by /_cspd/seed, /_cspd/reset (the demo world) and `cspd seed`. */
#ifndef CSPD_FIXTURES_H
#define CSPD_FIXTURES_H

#include <jansson.h>

#include "ctx.h"

/** Step 1, outside any transaction: validate the shape of @a doc and hash
 * every password and secret in it (stored in the document as "__hash").
 * Hashes of identical secrets are reused within the process. */
int cspd_fixtures_prepare(struct cspd_ctx *c, json_t *doc);

/** Step 2, inside a write transaction: create everything. Identities created
 * with @a sandbox_only can only sign in while the server is in sandbox mode.
 * @param[out] summary new object with counts (caller decrefs). */
int cspd_fixtures_apply(struct cspd_ctx *c, const json_t *doc, bool sandbox_only, json_t **summary);

/** The demo world shipped with cspd (data/demo-world.json). Borrowed. */
const char *cspd_demo_world(void);

#endif
