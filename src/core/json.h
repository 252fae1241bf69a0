/* json.h -- reading request documents: property names are matched
 * case-insensitively (official samples post PascalCase), and every type
 * error names the property's path. */
#ifndef CSPD_JSON_H
#define CSPD_JSON_H

#include <jansson.h>
#include <stdbool.h>

#include "ctx.h"

/** Member of @a obj whose name equals @a key ignoring case; NULL if none or
 * @a obj is not an object. Borrowed reference. */
json_t *cspd_json_get(const json_t *obj, const char *key);

/** String member. Absent or null: *out = NULL, an error if @a required.
 * @param[out] out borrowed from the document. @a path names @a obj in
 * messages ("" for the top level). */
int cspd_json_str(struct cspd_ctx *c, const json_t *obj, const char *key, bool required,
                  const char *path, const char **out);
/** Integer member. @param[out] out untouched when absent and optional. */
int cspd_json_int(struct cspd_ctx *c, const json_t *obj, const char *key, bool required,
                  const char *path, long long *out);
/** Boolean member. @param[out] out untouched when absent and optional. */
int cspd_json_bool(struct cspd_ctx *c, const json_t *obj, const char *key, bool required,
                   const char *path, bool *out);
/** Object or array member (borrowed; NULL when absent and optional). */
int cspd_json_obj(struct cspd_ctx *c, const json_t *obj, const char *key, bool required,
                  const char *path, json_t **out);
int cspd_json_arr(struct cspd_ctx *c, const json_t *obj, const char *key, bool required,
                  const char *path, json_t **out);
/** Array of role names -> role bits. */
int cspd_json_roles(struct cspd_ctx *c, const json_t *obj, const char *key, bool required,
                    const char *path, unsigned *out);

#endif
