/*
 * csp — the cached login ($XDG_CONFIG_HOME/csp/session.json) and JWT decoding.
 */
#ifndef CSP_SESSION_H
#define CSP_SESSION_H

#include <jansson.h>
#include <time.h>

/** A cached login. Every string is owned by the struct. */
typedef struct csp_session {
  char *url;       /**< server base URL the token was issued by */
  char *token;     /**< the bearer JWT */
  char *tenant_id; /**< tenant GUID (tid claim) */
  char *user;      /**< e-mail (password grant) or client id (client credentials) */
  time_t expires_at;
} csp_session;

/**
 * Path of the session file: $XDG_CONFIG_HOME/csp/session.json, falling back
 * to ~/.config/csp/session.json.
 * @param[out] out the path, owned by the caller (free()).
 * @return 0, or -1 when neither XDG_CONFIG_HOME nor a home directory is known.
 */
int csp_session_path(char **out);

/**
 * Load the session file.
 * @param[out] out the session (free with csp_session_free()), or NULL when
 *             there is no session file.
 * @return 0 (also when there is no file), or -1 when the file is unreadable
 *         or malformed (a warning is printed).
 */
int csp_session_load(csp_session **out);

/**
 * Write the session atomically (temporary file + rename), creating the
 * directory with mode 0700; the file gets mode 0600.
 * @return 0, or -1 after printing an error.
 */
int csp_session_save(const csp_session *s);

/**
 * Remove the session file.
 * @return 1 when a file was removed, 0 when there was none, -1 on error (printed).
 */
int csp_session_remove(void);

/** Free a session (NULL is fine). */
void csp_session_free(csp_session *s);

/**
 * Decode the payload (second part) of a JWT without verifying it.
 * @param[out] out the claims object, owned by the caller (json_decref()).
 * @return 0 or -1.
 */
int csp_jwt_payload(const char *token, json_t **out);

#endif /* CSP_SESSION_H */
