/* test_crypto.c -- access tokens (HS256 JWT) and secret hashing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/crypto.h"
#include "core/ctx.h"
#include "core/util.h"

#define NOW 1795341600LL /* 2026-11-22T10:00:00Z */

static unsigned char key[CSPD_KEY_BYTES];
static unsigned char other_key[CSPD_KEY_BYTES];

static int group_setup(void **state) {
  (void)state;
  if (cspd_crypto_init() != 0)
    return -1;
  randombytes_buf(key, sizeof key);
  randombytes_buf(other_key, sizeof other_key);
  return 0;
}

static struct cspd_principal partner_user(void) {
  struct cspd_principal p = {.kind = CSPD_TENANT_PARTNER,
                             .roles = CSPD_ROLE_GLOBAL_ADMIN | CSPD_ROLE_ADMIN_AGENT};
  strcpy(p.tenant_id, "c0000000-0000-4000-8000-000000000001");
  strcpy(p.user_id, "a1000000-0000-4000-8000-00000000000a");
  strcpy(p.app_id, "0a000000-0000-4000-8000-000000000011");
  return p;
}

/** The JWT with its payload segment replaced by @a payload_json (signature kept). */
static char *with_payload(const char *jwt, const char *payload_json) {
  const char *dot1 = strchr(jwt, '.');
  const char *dot2 = strchr(dot1 + 1, '.');
  size_t cap = strlen(jwt) + 2 * strlen(payload_json) + 16;
  char *out = malloc(cap);
  size_t hl = (size_t)(dot1 - jwt) + 1;
  memcpy(out, jwt, hl);
  cspd_b64url_encode(payload_json, strlen(payload_json), out + hl, cap - hl);
  strcat(out, dot2);
  return out;
}

/** The decoded payload of @a jwt as JSON (new reference). */
static json_t *payload_of(const char *jwt) {
  const char *dot1 = strchr(jwt, '.');
  const char *dot2 = strchr(dot1 + 1, '.');
  char buf[2048];
  size_t n;
  if (cspd_b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), buf, sizeof buf, &n) != 0)
    return NULL;
  return json_loadb(buf, n, 0, NULL);
}

/* ---- tokens ------------------------------------------------------------------------ */

static void test_token_round_trip_preserves_principal(void **state) {
  (void)state;
  struct cspd_principal p = partner_user();
  char *jwt = cspd_token_sign(key, &p, NOW, 3600);
  assert_non_null(jwt);
  assert_int_equal(p.expires, NOW + 3600);
  struct cspd_principal out;
  memset(&out, 0x55, sizeof out);
  assert_int_equal(cspd_token_verify(key, jwt, NOW, &out), CSPD_TOKEN_OK);
  assert_string_equal(out.tenant_id, p.tenant_id);
  assert_string_equal(out.user_id, p.user_id);
  assert_string_equal(out.app_id, p.app_id);
  assert_int_equal(out.kind, CSPD_TENANT_PARTNER);
  assert_int_equal(out.roles, CSPD_ROLE_GLOBAL_ADMIN | CSPD_ROLE_ADMIN_AGENT);
  assert_int_equal(out.expires, NOW + 3600);
  /* the documented claims */
  json_t *claims = payload_of(jwt);
  assert_non_null(claims);
  assert_string_equal(json_string_value(json_object_get(claims, "tid")), p.tenant_id);
  assert_string_equal(json_string_value(json_object_get(claims, "oid")), p.user_id);
  assert_string_equal(json_string_value(json_object_get(claims, "appid")), p.app_id);
  assert_string_equal(json_string_value(json_object_get(claims, "tkind")), "partner");
  assert_int_equal(json_integer_value(json_object_get(claims, "exp")), NOW + 3600);
  assert_int_equal(json_integer_value(json_object_get(claims, "iat")), NOW);
  assert_int_equal(json_array_size(json_object_get(claims, "roles")), 2);
  json_decref(claims);
  free(jwt);
}

static void test_token_app_only_has_no_user(void **state) {
  (void)state;
  struct cspd_principal p = {.kind = CSPD_TENANT_OPERATOR, .roles = CSPD_ROLE_OPERATOR};
  strcpy(p.tenant_id, "b0000000-0000-4000-8000-000000000001");
  strcpy(p.app_id, "0a000000-0000-4000-8000-000000000001");
  char *jwt = cspd_token_sign(key, &p, NOW, 60);
  struct cspd_principal out;
  assert_int_equal(cspd_token_verify(key, jwt, NOW, &out), CSPD_TOKEN_OK);
  assert_string_equal(out.user_id, "");
  assert_string_equal(out.app_id, p.app_id);
  assert_int_equal(out.kind, CSPD_TENANT_OPERATOR);
  assert_int_equal(out.roles, CSPD_ROLE_OPERATOR);
  json_t *claims = payload_of(jwt);
  assert_null(json_object_get(claims, "oid"));
  json_decref(claims);
  free(jwt);
}

static void test_token_signed_with_other_key_is_refused(void **state) {
  (void)state;
  struct cspd_principal p = partner_user(), out;
  char *jwt = cspd_token_sign(other_key, &p, NOW, 3600);
  assert_int_equal(cspd_token_verify(key, jwt, NOW, &out), CSPD_TOKEN_BAD_SIGNATURE);
  assert_int_equal(cspd_token_verify(other_key, jwt, NOW, &out), CSPD_TOKEN_OK);
  free(jwt);
}

static void test_token_tampered_payload_is_refused(void **state) {
  (void)state;
  struct cspd_principal p = partner_user(), out;
  char *jwt = cspd_token_sign(key, &p, NOW, 3600);
  /* promote the caller to operator, keep the signature */
  json_t *claims = payload_of(jwt);
  json_object_set_new(claims, "tkind", json_string("operator"));
  json_object_set_new(claims, "roles", json_pack("[s]", "operator"));
  char *forged_payload = json_dumps(claims, JSON_COMPACT);
  json_decref(claims);
  char *forged = with_payload(jwt, forged_payload);
  assert_int_equal(cspd_token_verify(key, forged, NOW, &out), CSPD_TOKEN_BAD_SIGNATURE);
  /* one character of the signature changed */
  size_t n = strlen(jwt);
  jwt[n - 2] = jwt[n - 2] == 'A' ? 'B' : 'A';
  assert_int_not_equal(cspd_token_verify(key, jwt, NOW, &out), CSPD_TOKEN_OK);
  free(forged_payload);
  free(forged);
  free(jwt);
}

static void test_token_with_wrong_segment_count_is_malformed(void **state) {
  (void)state;
  struct cspd_principal p = partner_user(), out;
  char *jwt = cspd_token_sign(key, &p, NOW, 3600);
  char buf[2048];
  /* header.payload */
  snprintf(buf, sizeof buf, "%.*s", (int)(strrchr(jwt, '.') - jwt), jwt);
  assert_int_equal(cspd_token_verify(key, buf, NOW, &out), CSPD_TOKEN_MALFORMED);
  /* four segments */
  snprintf(buf, sizeof buf, "%s.AAAA", jwt);
  assert_int_equal(cspd_token_verify(key, buf, NOW, &out), CSPD_TOKEN_MALFORMED);
  snprintf(buf, sizeof buf, "%s.", jwt);
  assert_int_equal(cspd_token_verify(key, buf, NOW, &out), CSPD_TOKEN_MALFORMED);
  assert_int_equal(cspd_token_verify(key, "", NOW, &out), CSPD_TOKEN_MALFORMED);
  assert_int_equal(cspd_token_verify(key, "abc", NOW, &out), CSPD_TOKEN_MALFORMED);
  assert_int_equal(cspd_token_verify(key, "a.b", NOW, &out), CSPD_TOKEN_MALFORMED);
  assert_int_equal(cspd_token_verify(key, "..", NOW, &out), CSPD_TOKEN_MALFORMED);
  free(jwt);
}

/** header.payload.signature with a correct HMAC-SHA256 over @a header_json. */
static char *sign_with_header(const char *header_json, const char *payload_json) {
  char *out = malloc(4096);
  cspd_b64url_encode(header_json, strlen(header_json), out, 4096);
  strcat(out, ".");
  size_t n = strlen(out);
  cspd_b64url_encode(payload_json, strlen(payload_json), out + n, 4096 - n);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, key, sizeof key);
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)out, strlen(out));
  crypto_auth_hmacsha256_final(&st, mac);
  strcat(out, ".");
  n = strlen(out);
  cspd_b64url_encode(mac, sizeof mac, out + n, 4096 - n);
  return out;
}

static void test_token_with_other_alg_header_is_refused(void **state) {
  (void)state;
  struct cspd_principal p = partner_user(), out;
  char *jwt = cspd_token_sign(key, &p, NOW, 3600);
  json_t *claims = payload_of(jwt);
  char *payload = json_dumps(claims, JSON_COMPACT);
  json_decref(claims);
  /* control: the same construction with the HS256 header verifies */
  char *same = sign_with_header("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload);
  assert_int_equal(cspd_token_verify(key, same, NOW, &out), CSPD_TOKEN_OK);
  /* a correct MAC does not make another algorithm acceptable */
  char *hs512 = sign_with_header("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", payload);
  assert_int_equal(cspd_token_verify(key, hs512, NOW, &out), CSPD_TOKEN_MALFORMED);
  char *none = sign_with_header("{\"alg\":\"none\",\"typ\":\"JWT\"}", payload);
  assert_int_equal(cspd_token_verify(key, none, NOW, &out), CSPD_TOKEN_MALFORMED);
  free(same);
  free(hs512);
  free(none);
  free(payload);
  free(jwt);
}

#ifndef CSPD_TOKEN_LEEWAY
#define CSPD_TOKEN_LEEWAY 0
#endif

/* Expired once now >= exp (+ the documented leeway of CSPD_TOKEN_LEEWAY s). */
static void test_token_expired_at_exp(void **state) {
  (void)state;
  struct cspd_principal p = partner_user(), out;
  char *jwt = cspd_token_sign(key, &p, NOW, 60);
  const int64_t exp = NOW + 60;
  assert_true(CSPD_TOKEN_LEEWAY >= 0 && CSPD_TOKEN_LEEWAY <= 5);
  assert_int_equal(cspd_token_verify(key, jwt, exp - 1, &out), CSPD_TOKEN_OK);
  assert_int_equal(cspd_token_verify(key, jwt, exp + CSPD_TOKEN_LEEWAY - 1, &out), CSPD_TOKEN_OK);
  assert_int_equal(cspd_token_verify(key, jwt, exp + CSPD_TOKEN_LEEWAY, &out), CSPD_TOKEN_EXPIRED);
  assert_int_equal(cspd_token_verify(key, jwt, NOW + 86400, &out), CSPD_TOKEN_EXPIRED);
  free(jwt);
}

static void test_token_payload_without_tenant_is_malformed(void **state) {
  (void)state;
  struct cspd_principal out;
  char *t = sign_with_header("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
                             "{\"tkind\":\"partner\",\"roles\":[],\"exp\":9999999999}");
  assert_int_equal(cspd_token_verify(key, t, NOW, &out), CSPD_TOKEN_MALFORMED);
  free(t);
  t = sign_with_header("{\"alg\":\"HS256\",\"typ\":\"JWT\"}",
                       "{\"tid\":\"c0000000-0000-4000-8000-000000000001\",\"tkind\":\"pirate\","
                       "\"roles\":[],\"exp\":9999999999}");
  assert_int_equal(cspd_token_verify(key, t, NOW, &out), CSPD_TOKEN_MALFORMED);
  free(t);
}

/* ---- secrets ------------------------------------------------------------------------ */

static void test_secret_hash_and_verify(void **state) {
  (void)state;
  char h1[128], h2[128];
  assert_int_equal(cspd_secret_hash("correct horse battery staple", h1), 0);
  assert_memory_equal(h1, "$argon2id$", 10);
  assert_int_equal(cspd_secret_verify(h1, "correct horse battery staple"), 0);
  assert_int_equal(cspd_secret_verify(h1, "correct horse battery stapl"), -1);
  assert_int_equal(cspd_secret_verify(h1, ""), -1);
  assert_int_equal(cspd_secret_verify(h1, NULL), -1);
  assert_int_equal(cspd_secret_verify(NULL, "correct horse battery staple"), -1);
  assert_int_equal(cspd_secret_verify("not a hash", "correct horse battery staple"), -1);
  /* salted: the same secret hashes differently */
  assert_int_equal(cspd_secret_hash("correct horse battery staple", h2), 0);
  assert_string_not_equal(h1, h2);
  assert_int_equal(cspd_secret_verify(h2, "correct horse battery staple"), 0);
}

static void test_secret_new_is_40_url_safe_characters(void **state) {
  (void)state;
  char a[48], b[48];
  cspd_secret_new(a);
  cspd_secret_new(b);
  assert_int_equal(strlen(a), 40);
  assert_int_equal(strlen(b), 40);
  assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
                   40);
  assert_string_not_equal(a, b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_token_round_trip_preserves_principal),
      cmocka_unit_test(test_token_app_only_has_no_user),
      cmocka_unit_test(test_token_signed_with_other_key_is_refused),
      cmocka_unit_test(test_token_tampered_payload_is_refused),
      cmocka_unit_test(test_token_with_wrong_segment_count_is_malformed),
      cmocka_unit_test(test_token_with_other_alg_header_is_refused),
      cmocka_unit_test(test_token_expired_at_exp),
      cmocka_unit_test(test_token_payload_without_tenant_is_malformed),
      cmocka_unit_test(test_secret_hash_and_verify),
      cmocka_unit_test(test_secret_new_is_40_url_safe_characters),
  };
  return cmocka_run_group_tests_name("crypto", tests, group_setup, NULL);
}
