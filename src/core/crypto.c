/* crypto.c -- access tokens and secret hashing (see crypto.h). */
#include "crypto.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int cspd_crypto_init(void) {
  return sodium_init() < 0 ? -1 : 0;
}

/* header {"alg":"HS256","typ":"JWT"} */
static const char jwt_header[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

static void sign(const unsigned char key[CSPD_KEY_BYTES], const char *msg, size_t len,
                 unsigned char mac[crypto_auth_hmacsha256_BYTES]) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, key, CSPD_KEY_BYTES);
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg, len);
  crypto_auth_hmacsha256_final(&st, mac);
}

char *cspd_token_sign(const unsigned char key[CSPD_KEY_BYTES], struct cspd_principal *p,
                      int64_t now_s, int ttl) {
  char jti[37];
  cspd_guid_new(jti);
  p->expires = now_s + ttl;
  json_t *roles = json_array();
  for (unsigned bit = 1; bit <= CSPD_ROLE_OPERATOR; bit <<= 1)
    if (p->roles & bit)
      json_array_append_new(roles, json_string(cspd_role_name((enum cspd_role)bit)));
  json_t *claims = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:I, s:I, s:I, s:s}", "iss", "cspd",
                             "aud", "https://api.partnercenter.microsoft.com", "tid", p->tenant_id,
                             "tkind", cspd_tenant_kind_name(p->kind), "roles", roles, "jti", jti,
                             "iat", (json_int_t)now_s, "nbf", (json_int_t)now_s, "exp",
                             (json_int_t)p->expires, "ver", "1.0");
  if (claims == NULL)
    return NULL;
  if (p->user_id[0] != '\0')
    json_object_set_new(claims, "oid", json_string(p->user_id));
  if (p->app_id[0] != '\0')
    json_object_set_new(claims, "appid", json_string(p->app_id));
  char *payload = json_dumps(claims, JSON_COMPACT);
  json_decref(claims);
  if (payload == NULL)
    return NULL;
  size_t plen = strlen(payload);
  size_t cap = sizeof(jwt_header) + 1 +
               sodium_base64_ENCODED_LEN(plen, sodium_base64_VARIANT_URLSAFE_NO_PADDING) + 1 + 64;
  char *out = malloc(cap);
  if (out == NULL) {
    free(payload);
    return NULL;
  }
  size_t hl = strlen(jwt_header);
  memcpy(out, jwt_header, hl);
  out[hl] = '.';
  cspd_b64url_encode(payload, plen, out + hl + 1, cap - hl - 1);
  free(payload);
  size_t signed_len = strlen(out);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  sign(key, out, signed_len, mac);
  out[signed_len] = '.';
  cspd_b64url_encode(mac, sizeof mac, out + signed_len + 1, cap - signed_len - 1);
  return out;
}

int cspd_token_verify(const unsigned char key[CSPD_KEY_BYTES], const char *jwt, int64_t now_s,
                      struct cspd_principal *out) {
  const char *dot1 = strchr(jwt, '.');
  const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
  if (dot1 == NULL || dot2 == NULL || strchr(dot2 + 1, '.') != NULL)
    return CSPD_TOKEN_MALFORMED;
  size_t hl = (size_t)(dot1 - jwt);
  if (hl != strlen(jwt_header) || memcmp(jwt, jwt_header, hl) != 0)
    return CSPD_TOKEN_MALFORMED; /* only HS256 is ever issued */
  unsigned char mac[crypto_auth_hmacsha256_BYTES], want[crypto_auth_hmacsha256_BYTES];
  size_t maclen;
  if (cspd_b64url_decode(dot2 + 1, strlen(dot2 + 1), mac, sizeof mac, &maclen) != 0 ||
      maclen != sizeof mac)
    return CSPD_TOKEN_MALFORMED;
  sign(key, jwt, (size_t)(dot2 - jwt), want);
  if (sodium_memcmp(mac, want, sizeof mac) != 0)
    return CSPD_TOKEN_BAD_SIGNATURE;
  char payload[2048];
  size_t plen;
  if (cspd_b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), payload, sizeof payload - 1, &plen) !=
      0)
    return CSPD_TOKEN_MALFORMED;
  json_t *claims = json_loadb(payload, plen, 0, NULL);
  if (claims == NULL)
    return CSPD_TOKEN_MALFORMED;
  int rc = CSPD_TOKEN_OK;
  const char *tid = json_string_value(json_object_get(claims, "tid"));
  const char *oid = json_string_value(json_object_get(claims, "oid"));
  const char *appid = json_string_value(json_object_get(claims, "appid"));
  const char *tkind = json_string_value(json_object_get(claims, "tkind"));
  json_t *exp = json_object_get(claims, "exp");
  json_t *roles = json_object_get(claims, "roles");
  memset(out, 0, sizeof *out);
  if (tid == NULL || !cspd_guid_valid(tid) || !json_is_integer(exp) || !json_is_array(roles) ||
      (oid != NULL && !cspd_guid_valid(oid)) || (appid != NULL && !cspd_guid_valid(appid))) {
    rc = CSPD_TOKEN_MALFORMED;
    goto done;
  }
  memcpy(out->tenant_id, tid, 37);
  if (oid != NULL)
    memcpy(out->user_id, oid, 37);
  if (appid != NULL)
    memcpy(out->app_id, appid, 37);
  out->kind = cspd_tenant_kind_parse(tkind);
  out->expires = json_integer_value(exp);
  size_t i;
  json_t *r;
  json_array_foreach(roles, i, r) {
    unsigned bit;
    if (json_is_string(r) && cspd_role_parse(json_string_value(r), &bit) == 0)
      out->roles |= bit;
  }
  if (out->kind == CSPD_TENANT_NONE)
    rc = CSPD_TOKEN_MALFORMED;
  else if (out->expires + CSPD_TOKEN_LEEWAY <= now_s)
    rc = CSPD_TOKEN_EXPIRED;
done:
  json_decref(claims);
  return rc;
}

int cspd_secret_hash(const char *secret, char out[128]) {
  _Static_assert(crypto_pwhash_STRBYTES == 128, "pwhash string size");
  if (secret == NULL)
    return -1;
  if (crypto_pwhash_str_alg(out, secret, strlen(secret), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
    return -1;
  return 0;
}

int cspd_secret_verify(const char *hash, const char *secret) {
  if (hash == NULL || secret == NULL)
    return -1;
  return crypto_pwhash_str_verify(hash, secret, strlen(secret)) == 0 ? 0 : -1;
}

void cspd_secret_new(char out[48]) {
  unsigned char b[30];
  randombytes_buf(b, sizeof b);
  cspd_b64url_encode(b, sizeof b, out, 48);
}

void cspd_csrf_token(const unsigned char key[CSPD_KEY_BYTES], const char *session,
                     char out[CSPD_CSRF_LEN + 1]) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, key, CSPD_KEY_BYTES);
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)"csrf.", 5);
  crypto_auth_hmacsha256_update(&st, (const unsigned char *)session, strlen(session));
  crypto_auth_hmacsha256_final(&st, mac);
  char buf[64];
  cspd_b64url_encode(mac, sizeof mac, buf, sizeof buf);
  memcpy(out, buf, CSPD_CSRF_LEN);
  out[CSPD_CSRF_LEN] = '\0';
}

bool cspd_csrf_check(const unsigned char key[CSPD_KEY_BYTES], const char *session,
                     const char *given) {
  char want[CSPD_CSRF_LEN + 1];
  cspd_csrf_token(key, session, want);
  return given != NULL && strlen(given) == strlen(want) &&
         sodium_memcmp(want, given, strlen(want)) == 0;
}
