/* json.c -- case-insensitive reading of request documents (see json.h). */
#include "json.h"

#include <strings.h>

json_t *cspd_json_get(const json_t *obj, const char *key) {
  if (!json_is_object(obj))
    return NULL;
  json_t *v = json_object_get(obj, key);
  if (v != NULL)
    return v;
  const char *k;
  json_object_foreach((json_t *)obj, k, v) {
    if (strcasecmp(k, key) == 0)
      return v;
  }
  return NULL;
}

static const char *dot(const char *path) {
  return path[0] ? "." : "";
}

static json_t *member(struct cspd_ctx *c, const json_t *obj, const char *key, bool required,
                      const char *path, int *rc) {
  json_t *v = cspd_json_get(obj, key);
  *rc = 0;
  if (v == NULL || json_is_null(v)) {
    if (required)
      *rc = cspd_fail(c, CSPD_E_INVALID_INPUT, "%s%s%s is required", path, dot(path), key);
    return NULL;
  }
  return v;
}

static int type_error(struct cspd_ctx *c, const char *path, const char *key, const char *type) {
  return cspd_fail(c, CSPD_E_INVALID_INPUT, "%s%s%s must be %s", path, dot(path), key, type);
}

int cspd_json_str(struct cspd_ctx *c, const json_t *obj, const char *key, bool required,
                  const char *path, const char **out) {
  int rc;
  json_t *v = member(c, obj, key, required, path, &rc);
  *out = NULL;
  if (v == NULL)
    return rc;
  if (!json_is_string(v))
    return type_error(c, path, key, "a string");
  *out = json_string_value(v);
  return 0;
}

int cspd_json_int(struct cspd_ctx *c, const json_t *obj, const char *key, bool required,
                  const char *path, long long *out) {
  int rc;
  json_t *v = member(c, obj, key, required, path, &rc);
  if (v == NULL)
    return rc;
  if (!json_is_integer(v))
    return type_error(c, path, key, "an integer");
  *out = json_integer_value(v);
  return 0;
}

int cspd_json_bool(struct cspd_ctx *c, const json_t *obj, const char *key, bool required,
                   const char *path, bool *out) {
  int rc;
  json_t *v = member(c, obj, key, required, path, &rc);
  if (v == NULL)
    return rc;
  if (!json_is_boolean(v))
    return type_error(c, path, key, "true or false");
  *out = json_is_true(v);
  return 0;
}

int cspd_json_obj(struct cspd_ctx *c, const json_t *obj, const char *key, bool required,
                  const char *path, json_t **out) {
  int rc;
  json_t *v = member(c, obj, key, required, path, &rc);
  *out = NULL;
  if (v == NULL)
    return rc;
  if (!json_is_object(v))
    return type_error(c, path, key, "an object");
  *out = v;
  return 0;
}

int cspd_json_arr(struct cspd_ctx *c, const json_t *obj, const char *key, bool required,
                  const char *path, json_t **out) {
  int rc;
  json_t *v = member(c, obj, key, required, path, &rc);
  *out = NULL;
  if (v == NULL)
    return rc;
  if (!json_is_array(v))
    return type_error(c, path, key, "an array");
  *out = v;
  return 0;
}

int cspd_json_roles(struct cspd_ctx *c, const json_t *obj, const char *key, bool required,
                    const char *path, unsigned *out) {
  json_t *arr;
  *out = 0;
  if (cspd_json_arr(c, obj, key, required, path, &arr) != 0)
    return -1;
  if (arr == NULL)
    return 0;
  size_t i;
  json_t *r;
  json_array_foreach(arr, i, r) {
    unsigned bit;
    if (!json_is_string(r) || cspd_role_parse(json_string_value(r), &bit) != 0)
      return cspd_fail(c, CSPD_E_INVALID_INPUT,
                       "%s%s%s[%zu] is not a role (global_admin, admin_agent, sales_agent, "
                       "helpdesk_agent, billing_admin, customer_admin, operator)",
                       path, dot(path), key, i);
    *out |= bit;
  }
  return 0;
}
