/* test_http.c -- the HTTP layer's pure parts: route table and matching,
 * the OpenAPI document generated from it, throttling, metrics. No network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

static struct cspd_arena *arena;

static int group_setup(void **state) {
  (void)state;
  cspd_routes_init();
  arena = cspd_arena_new(0);
  return 0;
}

static int group_teardown(void **state) {
  (void)state;
  cspd_arena_free(arena);
  return 0;
}

struct found {
  const struct cspd_route *rt;
  const char *params[8];
  int nparams;
  char allow[128];
};

static struct found find_in(bool sandbox, const char *method, const char *path) {
  struct found f;
  memset(&f, 0, sizeof f);
  f.nparams = -1;
  strcpy(f.allow, "garbage");
  f.rt =
      cspd_route_find(method, path, sandbox, arena, f.params, &f.nparams, f.allow, sizeof f.allow);
  return f;
}

/** A lookup on a sandbox-mode server (every route exists). */
static struct found find(const char *method, const char *path) {
  return find_in(true, method, path);
}

/* ---- route matching ---------------------------------------------------------------------- */

static void test_route_exact_match(void **state) {
  (void)state;
  struct found f = find("GET", "/v1/partners");
  assert_non_null(f.rt);
  assert_string_equal(f.rt->pattern, "/v1/partners");
  assert_string_equal(f.rt->method, "GET");
  assert_ptr_equal(f.rt->fn, h_partners_get);
  assert_int_equal(f.nparams, 0);
  f = find("POST", "/v1/partners");
  assert_non_null(f.rt);
  assert_ptr_equal(f.rt->fn, h_partners_post);
  f = find("GET", "/_cspd/health");
  assert_non_null(f.rt);
  assert_true(f.rt->flags & ROUTE_PUBLIC);
  f = find("POST", "/_cspd/clock/advance");
  assert_non_null(f.rt);
  assert_ptr_equal(f.rt->fn, h_cspd_clock_advance);
}

static void test_route_literal_segments_ignore_case(void **state) {
  (void)state;
  struct found f = find("GET", "/V1/Partners");
  assert_non_null(f.rt);
  assert_string_equal(f.rt->pattern, "/v1/partners");
  f = find("GET", "/v1/PROFILES/MPN");
  assert_non_null(f.rt);
  assert_ptr_equal(f.rt->fn, h_profiles_mpn_get);
}

static void test_route_captures_path_parameters(void **state) {
  (void)state;
  struct found f = find("GET", "/v1/partners/D0000000-0000-4000-8000-000000000001/locations");
  assert_non_null(f.rt);
  assert_string_equal(f.rt->pattern, "/v1/partners/{partnerId}/locations");
  assert_int_equal(f.nparams, 1);
  assert_string_equal(f.params[0], "D0000000-0000-4000-8000-000000000001"); /* as sent */
  f = find("POST", "/common/oauth2/v2.0/token");
  assert_non_null(f.rt);
  assert_string_equal(f.rt->pattern, "/{tenant}/oauth2/v2.0/token");
  assert_int_equal(f.nparams, 1);
  assert_string_equal(f.params[0], "common");
  f = find("POST", "/v1/tenants/abc/users");
  assert_non_null(f.rt);
  assert_ptr_equal(f.rt->fn, h_tenant_users_post);
  assert_ptr_equal(f.rt->prepare, h_tenant_users_prepare);
  assert_string_equal(f.params[0], "abc");
}

static void test_route_tolerates_trailing_slash(void **state) {
  (void)state;
  struct found f = find("GET", "/v1/partners/");
  assert_non_null(f.rt);
  assert_string_equal(f.rt->pattern, "/v1/partners");
  f = find("GET", "/v1/locations/x/");
  assert_non_null(f.rt);
  assert_string_equal(f.rt->pattern, "/v1/locations/{tenantId}");
  assert_string_equal(f.params[0], "x");
}

static void test_route_unknown_path_has_empty_allow(void **state) {
  (void)state;
  static const char *const paths[] = {"/v1/nothing",
                                      "/",
                                      "",
                                      "/v1/partners/x/y/z",
                                      "/v1/partners/x/locations/y",
                                      "/_cspd",
                                      "/a/b/c/d/e/f/g/h/i/j/k/l"};
  for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
    struct found f = find("GET", paths[i]);
    if (f.rt != NULL)
      fail_msg("'%s' matched %s", paths[i], f.rt->pattern);
    assert_string_equal(f.allow, "");
  }
}

static void test_route_wrong_method_lists_allowed(void **state) {
  (void)state;
  struct found f = find("DELETE", "/v1/partners");
  assert_null(f.rt);
  assert_non_null(strstr(f.allow, "GET"));
  assert_non_null(strstr(f.allow, "POST"));
  assert_null(strstr(f.allow, "DELETE"));
  f = find("PUT", "/_cspd/clock/advance");
  assert_null(f.rt);
  assert_string_equal(f.allow, "POST");
  f = find("POST", "/_cspd/clock");
  assert_null(f.rt);
  assert_non_null(strstr(f.allow, "GET"));
  assert_non_null(strstr(f.allow, "PUT"));
  f = find("get", "/v1/partners"); /* methods are case-sensitive */
  assert_null(f.rt);
  assert_true(f.allow[0] != '\0');
}

static void test_route_sandbox_routes_exist_only_in_sandbox(void **state) {
  (void)state;
  struct found f = find_in(false, "GET", "/_cspd/clock");
  assert_null(f.rt);
  assert_string_equal(f.allow, ""); /* an unknown path, whatever the method */
  f = find_in(false, "DELETE", "/_cspd/clock");
  assert_null(f.rt);
  assert_string_equal(f.allow, "");
  f = find_in(true, "GET", "/_cspd/clock");
  assert_non_null(f.rt);
  assert_true(f.rt->flags & ROUTE_SANDBOX);
  /* the others do not depend on it */
  f = find_in(false, "GET", "/v1/partners");
  assert_non_null(f.rt);
  for (int i = 0; i < cspd_nroutes; i++) {
    const struct cspd_route *rt = &cspd_routes[i];
    struct found g = find_in(false, rt->method, rt->pattern);
    if ((rt->flags & ROUTE_SANDBOX) && g.rt == rt)
      fail_msg("sandbox route %s %s found outside sandbox mode", rt->method, rt->pattern);
  }
}

static void test_route_table_is_consistent(void **state) {
  (void)state;
  assert_true(cspd_nroutes > 20);
  for (int i = 0; i < cspd_nroutes; i++) {
    const struct cspd_route *rt = &cspd_routes[i];
    assert_non_null(rt->fn);
    assert_non_null(rt->summary);
    assert_true(rt->nseg > 0);
    /* no two routes share method and pattern */
    for (int j = i + 1; j < cspd_nroutes; j++)
      if (strcmp(rt->method, cspd_routes[j].method) == 0 &&
          strcmp(rt->pattern, cspd_routes[j].pattern) == 0)
        fail_msg("duplicate route %s %s", rt->method, rt->pattern);
    /* every route is found by its own pattern */
    struct found f = find(rt->method, rt->pattern);
    if (f.rt != rt)
      fail_msg("%s %s finds %s", rt->method, rt->pattern, f.rt ? f.rt->pattern : "nothing");
  }
}

/* ---- OpenAPI -------------------------------------------------------------------------------- */

static void lower(const char *in, char *out) {
  size_t i;
  for (i = 0; in[i]; i++)
    out[i] = (char)(in[i] >= 'A' && in[i] <= 'Z' ? in[i] + 32 : in[i]);
  out[i] = '\0';
}

static int count_operations(json_t *paths) {
  int n = 0;
  const char *k;
  json_t *item;
  json_object_foreach(paths, k, item) {
    n += (int)json_object_size(item);
  }
  return n;
}

static void test_openapi_has_every_route(void **state) {
  (void)state;
  json_t *doc = cspd_openapi(true);
  assert_non_null(doc);
  assert_string_equal(json_string_value(json_object_get(doc, "openapi")), "3.0.3");
  json_t *paths = json_object_get(doc, "paths");
  assert_true(json_is_object(paths));
  for (int i = 0; i < cspd_nroutes; i++) {
    char m[8];
    lower(cspd_routes[i].method, m);
    json_t *op = json_object_get(json_object_get(paths, cspd_routes[i].pattern), m);
    if (op == NULL)
      fail_msg("no %s %s in the OpenAPI document", m, cspd_routes[i].pattern);
    assert_string_equal(json_string_value(json_object_get(op, "summary")), cspd_routes[i].summary);
  }
  assert_int_equal(count_operations(paths), cspd_nroutes);
  /* path parameters are declared */
  json_t *params = json_object_get(
      json_object_get(json_object_get(paths, "/v1/partners/{partnerId}/locations"), "get"),
      "parameters");
  assert_int_equal(json_array_size(params), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(params, 0), "name")),
                      "partnerId");
  assert_string_equal(json_string_value(json_object_get(json_array_get(params, 0), "in")), "path");
  /* write routes say they are idempotent by MS-RequestId */
  json_t *post = json_object_get(json_object_get(paths, "/v1/partners"), "post");
  assert_string_equal(json_string_value(json_object_get(post, "x-cspd-idempotent-by")),
                      "MS-RequestId");
  json_decref(doc);
}

static void test_openapi_sandbox_routes_only_when_asked(void **state) {
  (void)state;
  json_t *doc = cspd_openapi(false);
  json_t *paths = json_object_get(doc, "paths");
  int expected = 0;
  for (int i = 0; i < cspd_nroutes; i++) {
    char m[8];
    lower(cspd_routes[i].method, m);
    json_t *op = json_object_get(json_object_get(paths, cspd_routes[i].pattern), m);
    if (cspd_routes[i].flags & ROUTE_SANDBOX) {
      if (op != NULL)
        fail_msg("sandbox route %s %s is in the production document", m, cspd_routes[i].pattern);
    } else {
      assert_non_null(op);
      expected++;
    }
  }
  assert_true(expected < cspd_nroutes);
  assert_int_equal(count_operations(paths), expected);
  assert_null(json_object_get(paths, "/_cspd/clock"));
  json_decref(doc);
  doc = cspd_openapi(true);
  json_t *clock =
      json_object_get(json_object_get(json_object_get(doc, "paths"), "/_cspd/clock"), "put");
  assert_non_null(clock);
  assert_true(json_is_true(json_object_get(clock, "x-cspd-sandbox-only")));
  json_decref(doc);
}

/* ---- throttling -------------------------------------------------------------------------- */

#define T0 1000000000LL /* microseconds */

static void test_throttle_allows_burst_then_refuses(void **state) {
  (void)state;
  struct cspd_throttle *t = cspd_throttle_new(2, 2);
  assert_non_null(t);
  const char *a = "c0000000-0000-4000-8000-000000000001";
  assert_int_equal(cspd_throttle_take(t, a, T0), 0);
  assert_int_equal(cspd_throttle_take(t, a, T0), 0);
  int wait = cspd_throttle_take(t, a, T0);
  assert_true(wait >= 1);
  assert_true(cspd_throttle_take(t, a, T0 + 100000) >= 1); /* 0.1 s: not yet */
  /* half a second at 2 rps gives one token back */
  assert_int_equal(cspd_throttle_take(t, a, T0 + 500000), 0);
  assert_true(cspd_throttle_take(t, a, T0 + 500000) >= 1);
  /* a long pause refills no more than the burst */
  assert_int_equal(cspd_throttle_take(t, a, T0 + 60000000), 0);
  assert_int_equal(cspd_throttle_take(t, a, T0 + 60000000), 0);
  assert_true(cspd_throttle_take(t, a, T0 + 60000000) >= 1);
  cspd_throttle_free(t);
}

static void test_throttle_is_per_tenant(void **state) {
  (void)state;
  struct cspd_throttle *t = cspd_throttle_new(1, 1);
  const char *a = "c0000000-0000-4000-8000-000000000001";
  const char *b = "c0000000-0000-4000-8000-000000000002";
  assert_int_equal(cspd_throttle_take(t, a, T0), 0);
  assert_true(cspd_throttle_take(t, a, T0) >= 1);
  assert_int_equal(cspd_throttle_take(t, b, T0), 0);
  assert_true(cspd_throttle_take(t, b, T0) >= 1);
  assert_true(cspd_throttle_take(t, a, T0 + 10) >= 1);
  cspd_throttle_free(t);
}

static void test_throttle_wait_is_whole_seconds_to_next_token(void **state) {
  (void)state;
  struct cspd_throttle *t = cspd_throttle_new(0.25, 1); /* one request per 4 s */
  const char *a = "c0000000-0000-4000-8000-000000000001";
  assert_int_equal(cspd_throttle_take(t, a, T0), 0);
  assert_int_equal(cspd_throttle_take(t, a, T0), 4);
  assert_int_equal(cspd_throttle_take(t, a, T0 + 1000000), 3);
  assert_int_equal(cspd_throttle_take(t, a, T0 + 4000000), 0);
  cspd_throttle_free(t);
  assert_null(cspd_throttle_new(0, 5)); /* 0 rps: throttling off */
  cspd_throttle_free(NULL);
}

/* FNV-1a as metrics.c hashes a tenant into one of its 1024 slots. */
static unsigned slot_of(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 16777619u;
  return h % 1024;
}

/* Two tenants whose ids share a slot must still be limited each. */
static void test_throttle_colliding_tenants_are_each_limited(void **state) {
  (void)state;
  char a[37] = "c0000000-0000-4000-8000-000000000001", b[37];
  int i;
  for (i = 2; i < 100000; i++) {
    snprintf(b, sizeof b, "c0000000-0000-4000-8000-%012d", i);
    if (slot_of(b) == slot_of(a))
      break;
  }
  assert_true(i < 100000);
  struct cspd_throttle *t = cspd_throttle_new(1, 2);
  int allowed_a = 0, allowed_b = 0;
  for (int k = 0; k < 10; k++) { /* ten requests each, all at the same instant */
    allowed_a += cspd_throttle_take(t, a, T0) == 0;
    allowed_b += cspd_throttle_take(t, b, T0) == 0;
  }
  cspd_throttle_free(t);
  if (allowed_a > 2 || allowed_b > 2)
    fail_msg("burst 2, yet %s got %d and %s got %d of 10 requests through", a, allowed_a, b,
             allowed_b);
}

/* ---- metrics ---------------------------------------------------------------------------- */

static void test_metrics_render_contains_counters(void **state) {
  (void)state;
  struct cspd_metrics *m = cspd_metrics_new(cspd_nroutes);
  assert_non_null(m);
  struct cspd_store st = {.tx_read = 7, .tx_write = 3, .tx_retries = 2, .tx_failed = 1};
  struct cspd_server srv = {.metrics = m, .store = &st, .active = 5};
  int partners = -1;
  for (int i = 0; i < cspd_nroutes; i++)
    if (strcmp(cspd_routes[i].pattern, "/v1/partners") == 0 &&
        strcmp(cspd_routes[i].method, "GET") == 0)
      partners = i;
  assert_true(partners >= 0);
  cspd_metrics_observe(m, partners, 200, 1500); /* 1.5 ms */
  cspd_metrics_observe(m, partners, 200, 1500);
  cspd_metrics_observe(m, partners, 404, 3000000);    /* 3 s: beyond the last bucket */
  cspd_metrics_observe(m, partners, 418, 10);         /* an unlisted status */
  cspd_metrics_observe(m, cspd_nroutes, 404, 10);     /* unmatched */
  cspd_metrics_observe(m, cspd_nroutes + 1, 200, 10); /* out of range: ignored */
  cspd_metrics_observe(m, -1, 200, 10);
  size_t len = 0;
  char *text = cspd_metrics_render(&srv, &len);
  assert_non_null(text);
  assert_int_equal(len, strlen(text));
  static const char *const want[] = {
      "cspd_http_requests_total{route=\"/v1/partners\",method=\"GET\",status=\"200\"} 2\n",
      "cspd_http_requests_total{route=\"/v1/partners\",method=\"GET\",status=\"404\"} 1\n",
      "cspd_http_requests_total{route=\"/v1/partners\",method=\"GET\",status=\"other\"} 1\n",
      "cspd_http_requests_total{route=\"unmatched\",method=\"any\",status=\"404\"} 1\n",
      "cspd_http_request_duration_seconds_bucket{route=\"/v1/partners\",method=\"GET\","
      "le=\"0.001\"} 1\n", /* the 10 us one */
      "cspd_http_request_duration_seconds_bucket{route=\"/v1/partners\",method=\"GET\","
      "le=\"0.0025\"} 3\n",
      "cspd_http_request_duration_seconds_bucket{route=\"/v1/partners\",method=\"GET\","
      "le=\"2.5\"} 3\n",
      "cspd_http_request_duration_seconds_bucket{route=\"/v1/partners\",method=\"GET\","
      "le=\"+Inf\"} 4\n",
      "cspd_http_request_duration_seconds_count{route=\"/v1/partners\",method=\"GET\"} 4\n",
      "cspd_http_request_duration_seconds_sum{route=\"/v1/partners\",method=\"GET\"} 3.003010\n",
      "cspd_store_transactions_total{kind=\"read\"} 7\n",
      "cspd_store_transactions_total{kind=\"write\"} 3\n",
      "cspd_store_transaction_retries_total 2\n",
      "cspd_store_transaction_failures_total 1\n",
      "cspd_http_requests_in_flight 5\n",
      "# TYPE cspd_http_requests_total counter\n",
      "# TYPE cspd_http_request_duration_seconds histogram\n",
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
    if (strstr(text, want[i]) == NULL)
      fail_msg("metrics lack: %s\n--- got ---\n%s", want[i], text);
  /* routes without traffic are not listed */
  assert_null(strstr(text, "route=\"/_cspd/health\""));
  free(text);
  cspd_metrics_free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_route_exact_match),
      cmocka_unit_test(test_route_literal_segments_ignore_case),
      cmocka_unit_test(test_route_captures_path_parameters),
      cmocka_unit_test(test_route_tolerates_trailing_slash),
      cmocka_unit_test(test_route_unknown_path_has_empty_allow),
      cmocka_unit_test(test_route_wrong_method_lists_allowed),
      cmocka_unit_test(test_route_sandbox_routes_exist_only_in_sandbox),
      cmocka_unit_test(test_route_table_is_consistent),
      cmocka_unit_test(test_openapi_has_every_route),
      cmocka_unit_test(test_openapi_sandbox_routes_only_when_asked),
      cmocka_unit_test(test_throttle_allows_burst_then_refuses),
      cmocka_unit_test(test_throttle_is_per_tenant),
      cmocka_unit_test(test_throttle_wait_is_whole_seconds_to_next_token),
      cmocka_unit_test(test_throttle_colliding_tenants_are_each_limited),
      cmocka_unit_test(test_metrics_render_contains_counters),
  };
  return cmocka_run_group_tests_name("http", tests, group_setup, group_teardown);
}
