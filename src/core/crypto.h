/* crypto.h -- access tokens (HS256 JWT) and secret hashing (argon2id). */
#ifndef CSPD_CRYPTO_H
#define CSPD_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

#define CSPD_KEY_BYTES 32
#define CSPD_TOKEN_TTL 3600
/* Seconds a token is still accepted after its exp: exp is whole seconds, so
 * without it a 1-second token could die at once. */
#define CSPD_TOKEN_LEEWAY 1

/** Initialise libsodium. 0 or -1. */
int cspd_crypto_init(void);

/** Sign a token for @a p (its expires field is set to @a now_s + ttl).
 * @return malloc'ed JWT, caller frees; NULL on failure. */
char *cspd_token_sign(const unsigned char key[CSPD_KEY_BYTES], struct cspd_principal *p,
                      int64_t now_s, int ttl);

enum cspd_token_result {
  CSPD_TOKEN_OK = 0,
  CSPD_TOKEN_MALFORMED = -1,
  CSPD_TOKEN_BAD_SIGNATURE = -2,
  CSPD_TOKEN_EXPIRED = -3,
};
/** Verify signature and expiry (against @a now_s, the wall clock).
 * @param[out] out the principal on CSPD_TOKEN_OK. */
int cspd_token_verify(const unsigned char key[CSPD_KEY_BYTES], const char *jwt, int64_t now_s,
                      struct cspd_principal *out);

/** argon2id hash of @a secret in libsodium's string format.
 * @param[out] out crypto_pwhash_STRBYTES (128) bytes. 0 or -1. */
int cspd_secret_hash(const char *secret, char out[128]);
/** 0 when @a secret matches @a hash, -1 otherwise. */
int cspd_secret_verify(const char *hash, const char *secret);

/** A random secret of 40 base64url characters. @param[out] out 48 bytes. */
void cspd_secret_new(char out[48]);

/** Length of a CSRF token: base64url of an HMAC-SHA256. */
#define CSPD_CSRF_LEN 43
/** The dashboard's CSRF token for session token @a session: an HMAC of it
 * under the server key, so it needs no storage and dies with the session.
 * @param[out] out CSPD_CSRF_LEN + 1 bytes. */
void cspd_csrf_token(const unsigned char key[CSPD_KEY_BYTES], const char *session,
                     char out[CSPD_CSRF_LEN + 1]);
/** Constant-time check of @a given against the token of @a session. */
bool cspd_csrf_check(const unsigned char key[CSPD_KEY_BYTES], const char *session,
                     const char *given);

#endif
