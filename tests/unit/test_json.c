/* test_json.c -- reading request documents (core/json.c): case-insensitive
 * member lookup, typed getters and their error details. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "core/json.h"

struct fx {
  struct cspd_arena *arena;
  struct cspd_ctx c;
  json_t *doc;
};

static const char doc_text[] =
    "{\"CompanyName\": \"Contoso\", \"count\": 3, \"Big\": 9007199254740993,"
    " \"ratio\": 1.5, \"enabled\": true, \"off\": false, \"nothing\": null,"
    " \"Address\": {\"City\": \"Amsterdam\", \"zip\": 1015, \"geo\": {\"lat\": \"x\"}},"
    " \"roles\": [\"global_admin\", \"Sales_Agent\"], \"badRoles\": [\"admin_agent\", \"root\"],"
    " \"numRoles\": [\"admin_agent\", 7], \"tags\": [], \"name\": \"exact\", \"NAME\": \"upper\"}";

static int setup(void **state) {
  struct fx *f = calloc(1, sizeof *f);
  f->arena = cspd_arena_new(0);
  f->c.arena = f->arena;
  json_error_t e;
  f->doc = json_loads(doc_text, 0, &e);
  if (f->doc == NULL) {
    print_error("test document: %s\n", e.text);
    return -1;
  }
  *state = f;
  return 0;
}

static int teardown(void **state) {
  struct fx *f = *state;
  json_decref(f->doc);
  cspd_arena_free(f->arena);
  free(f);
  return 0;
}

static void expect_error(struct fx *f, const char *detail) {
  assert_int_equal(f->c.err.id, CSPD_E_INVALID_INPUT);
  assert_non_null(f->c.err.detail);
  assert_string_equal(f->c.err.detail, detail);
  f->c.err = (struct cspd_err){0};
}

/* ---- lookup ------------------------------------------------------------------------ */

static void test_json_get_is_case_insensitive(void **state) {
  struct fx *f = *state;
  json_t *v = cspd_json_get(f->doc, "companyname");
  assert_non_null(v);
  assert_string_equal(json_string_value(v), "Contoso");
  assert_ptr_equal(cspd_json_get(f->doc, "COMPANYNAME"), v);
  assert_ptr_equal(cspd_json_get(f->doc, "CompanyName"), v);
  assert_string_equal(json_string_value(cspd_json_get(cspd_json_get(f->doc, "address"), "city")),
                      "Amsterdam");
  /* an exact match wins over a case-insensitive one */
  assert_string_equal(json_string_value(cspd_json_get(f->doc, "name")), "exact");
  assert_string_equal(json_string_value(cspd_json_get(f->doc, "NAME")), "upper");
  assert_null(cspd_json_get(f->doc, "companyNam"));
  assert_null(cspd_json_get(f->doc, ""));
  assert_null(cspd_json_get(cspd_json_get(f->doc, "roles"), "x")); /* not an object */
  assert_null(cspd_json_get(NULL, "x"));
}

/* ---- strings ---------------------------------------------------------------------- */

static void test_json_str_required_present(void **state) {
  struct fx *f = *state;
  const char *s = NULL;
  assert_int_equal(cspd_json_str(&f->c, f->doc, "companyName", true, "", &s), 0);
  assert_string_equal(s, "Contoso");
  json_t *addr = cspd_json_get(f->doc, "address");
  assert_int_equal(cspd_json_str(&f->c, addr, "city", true, "address", &s), 0);
  assert_string_equal(s, "Amsterdam");
  assert_int_equal(f->c.err.id, CSPD_E_NONE);
}

static void test_json_str_missing_required_names_path(void **state) {
  struct fx *f = *state;
  const char *s = "untouched";
  assert_int_equal(cspd_json_str(&f->c, f->doc, "domain", true, "", &s), -1);
  assert_null(s);
  expect_error(f, "domain is required");
  json_t *addr = cspd_json_get(f->doc, "address");
  assert_int_equal(cspd_json_str(&f->c, addr, "street", true, "address", &s), -1);
  expect_error(f, "address.street is required");
  /* null counts as absent */
  assert_int_equal(cspd_json_str(&f->c, f->doc, "nothing", true, "", &s), -1);
  expect_error(f, "nothing is required");
}

static void test_json_str_optional_absent_or_null(void **state) {
  struct fx *f = *state;
  const char *s = "untouched";
  assert_int_equal(cspd_json_str(&f->c, f->doc, "domain", false, "", &s), 0);
  assert_null(s);
  s = "untouched";
  assert_int_equal(cspd_json_str(&f->c, f->doc, "nothing", false, "", &s), 0);
  assert_null(s);
  assert_int_equal(f->c.err.id, CSPD_E_NONE);
}

static void test_json_str_wrong_type_names_path(void **state) {
  struct fx *f = *state;
  const char *s = "untouched";
  json_t *addr = cspd_json_get(f->doc, "address");
  assert_int_equal(cspd_json_str(&f->c, addr, "zip", true, "address", &s), -1);
  assert_null(s);
  expect_error(f, "address.zip must be a string");
  /* optional does not excuse a wrong type */
  assert_int_equal(cspd_json_str(&f->c, f->doc, "count", false, "", &s), -1);
  expect_error(f, "count must be a string");
  json_t *geo = cspd_json_get(addr, "geo");
  assert_int_equal(cspd_json_str(&f->c, addr, "geo", false, "address", &s), -1);
  expect_error(f, "address.geo must be a string");
  long long n;
  assert_int_equal(cspd_json_int(&f->c, geo, "lat", true, "address.geo", &n), -1);
  expect_error(f, "address.geo.lat must be an integer");
}

/* ---- integers and booleans --------------------------------------------------------- */

static void test_json_int(void **state) {
  struct fx *f = *state;
  long long n = -1;
  assert_int_equal(cspd_json_int(&f->c, f->doc, "COUNT", true, "", &n), 0);
  assert_int_equal(n, 3);
  assert_int_equal(cspd_json_int(&f->c, f->doc, "big", true, "", &n), 0);
  assert_true(n == 9007199254740993LL);
  n = 42;
  assert_int_equal(cspd_json_int(&f->c, f->doc, "absent", false, "", &n), 0);
  assert_int_equal(n, 42); /* untouched */
  assert_int_equal(cspd_json_int(&f->c, f->doc, "nothing", false, "", &n), 0);
  assert_int_equal(n, 42);
  assert_int_equal(cspd_json_int(&f->c, f->doc, "absent", true, "", &n), -1);
  expect_error(f, "absent is required");
  assert_int_equal(cspd_json_int(&f->c, f->doc, "ratio", false, "", &n), -1);
  expect_error(f, "ratio must be an integer");
  assert_int_equal(cspd_json_int(&f->c, f->doc, "companyName", true, "", &n), -1);
  expect_error(f, "companyName must be an integer");
  assert_int_equal(n, 42);
}

static void test_json_bool(void **state) {
  struct fx *f = *state;
  bool b = false;
  assert_int_equal(cspd_json_bool(&f->c, f->doc, "Enabled", true, "", &b), 0);
  assert_true(b);
  assert_int_equal(cspd_json_bool(&f->c, f->doc, "off", true, "", &b), 0);
  assert_false(b);
  b = true;
  assert_int_equal(cspd_json_bool(&f->c, f->doc, "absent", false, "", &b), 0);
  assert_true(b); /* untouched */
  assert_int_equal(cspd_json_bool(&f->c, f->doc, "absent", true, "x", &b), -1);
  expect_error(f, "x.absent is required");
  assert_int_equal(cspd_json_bool(&f->c, f->doc, "count", true, "", &b), -1);
  expect_error(f, "count must be true or false");
  json_t *addr = cspd_json_get(f->doc, "address");
  assert_int_equal(cspd_json_bool(&f->c, addr, "city", false, "address", &b), -1);
  expect_error(f, "address.city must be true or false");
}

/* ---- objects and arrays ------------------------------------------------------------ */

static void test_json_obj(void **state) {
  struct fx *f = *state;
  json_t *o = NULL;
  assert_int_equal(cspd_json_obj(&f->c, f->doc, "address", true, "", &o), 0);
  assert_ptr_equal(o, cspd_json_get(f->doc, "Address"));
  assert_int_equal(cspd_json_obj(&f->c, f->doc, "absent", false, "", &o), 0);
  assert_null(o);
  assert_int_equal(cspd_json_obj(&f->c, f->doc, "nothing", true, "", &o), -1);
  expect_error(f, "nothing is required");
  assert_int_equal(cspd_json_obj(&f->c, f->doc, "roles", true, "", &o), -1);
  assert_null(o);
  expect_error(f, "roles must be an object");
  assert_int_equal(
      cspd_json_obj(&f->c, cspd_json_get(f->doc, "address"), "city", false, "address", &o), -1);
  expect_error(f, "address.city must be an object");
}

static void test_json_arr(void **state) {
  struct fx *f = *state;
  json_t *a = NULL;
  assert_int_equal(cspd_json_arr(&f->c, f->doc, "TAGS", true, "", &a), 0);
  assert_true(json_is_array(a));
  assert_int_equal(json_array_size(a), 0);
  assert_int_equal(cspd_json_arr(&f->c, f->doc, "absent", false, "", &a), 0);
  assert_null(a);
  assert_int_equal(cspd_json_arr(&f->c, f->doc, "absent", true, "partners[0]", &a), -1);
  expect_error(f, "partners[0].absent is required");
  assert_int_equal(cspd_json_arr(&f->c, f->doc, "address", true, "", &a), -1);
  expect_error(f, "address must be an array");
}

/* ---- roles ------------------------------------------------------------------------- */

static void test_json_roles(void **state) {
  struct fx *f = *state;
  unsigned r = 0xFFFF;
  assert_int_equal(cspd_json_roles(&f->c, f->doc, "roles", true, "", &r), 0);
  assert_int_equal(r, CSPD_ROLE_GLOBAL_ADMIN | CSPD_ROLE_SALES_AGENT);
  assert_int_equal(cspd_json_roles(&f->c, f->doc, "tags", true, "", &r), 0);
  assert_int_equal(r, 0);
  r = 0xFFFF;
  assert_int_equal(cspd_json_roles(&f->c, f->doc, "absent", false, "", &r), 0);
  assert_int_equal(r, 0);
  assert_int_equal(cspd_json_roles(&f->c, f->doc, "absent", true, "", &r), -1);
  expect_error(f, "absent is required");
  assert_int_equal(cspd_json_roles(&f->c, f->doc, "badRoles", true, "users[2]", &r), -1);
  assert_int_equal(f->c.err.id, CSPD_E_INVALID_INPUT);
  assert_non_null(strstr(f->c.err.detail, "users[2].badRoles[1] is not a role"));
  f->c.err = (struct cspd_err){0};
  assert_int_equal(cspd_json_roles(&f->c, f->doc, "numRoles", true, "", &r), -1);
  assert_non_null(strstr(f->c.err.detail, "numRoles[1] is not a role"));
  f->c.err = (struct cspd_err){0};
  assert_int_equal(cspd_json_roles(&f->c, f->doc, "companyName", true, "", &r), -1);
  expect_error(f, "companyName must be an array");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_json_get_is_case_insensitive, setup, teardown),
      cmocka_unit_test_setup_teardown(test_json_str_required_present, setup, teardown),
      cmocka_unit_test_setup_teardown(test_json_str_missing_required_names_path, setup, teardown),
      cmocka_unit_test_setup_teardown(test_json_str_optional_absent_or_null, setup, teardown),
      cmocka_unit_test_setup_teardown(test_json_str_wrong_type_names_path, setup, teardown),
      cmocka_unit_test_setup_teardown(test_json_int, setup, teardown),
      cmocka_unit_test_setup_teardown(test_json_bool, setup, teardown),
      cmocka_unit_test_setup_teardown(test_json_obj, setup, teardown),
      cmocka_unit_test_setup_teardown(test_json_arr, setup, teardown),
      cmocka_unit_test_setup_teardown(test_json_roles, setup, teardown),
  };
  return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
