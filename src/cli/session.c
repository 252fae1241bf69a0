/*
 * csp — the cached login ($XDG_CONFIG_HOME/csp/session.json) and JWT decoding.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "session.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/**
 * Directory of the session file.
 * @param[out] out owned by the caller (free()).
 * @param[out] parent the directory above it (e.g. ~/.config), owned by the caller.
 */
static int csp_session_dir(char **out, char **parent) {
  const char *xdg = getenv("XDG_CONFIG_HOME");
  if (xdg && xdg[0] == '/') {
    *parent = csp_xstrdup(xdg);
  } else {
    const char *home = getenv("HOME");
    if (!home || !*home) {
      struct passwd *pw = getpwuid(getuid());
      home = pw ? pw->pw_dir : NULL;
    }
    if (!home || !*home)
      return -1;
    *parent = csp_xasprintf("%s/.config", home);
  }
  *out = csp_xasprintf("%s/csp", *parent);
  return 0;
}

int csp_session_path(char **out) {
  char *dir = NULL;
  char *parent = NULL;
  if (csp_session_dir(&dir, &parent) != 0)
    return -1;
  *out = csp_xasprintf("%s/session.json", dir);
  free(dir);
  free(parent);
  return 0;
}

void csp_session_free(csp_session *s) {
  if (!s)
    return;
  free(s->url);
  if (s->token)
    explicit_bzero(s->token, strlen(s->token));
  free(s->token);
  free(s->tenant_id);
  free(s->user);
  free(s);
}

/** @return a copy of obj[key] when it is a string, else NULL; owned by the caller. */
static char *csp_dup_member(const json_t *obj, const char *key) {
  const char *v = json_string_value(json_object_get(obj, key));
  return v ? csp_xstrdup(v) : NULL;
}

int csp_session_load(csp_session **out) {
  *out = NULL;
  char *path = NULL;
  if (csp_session_path(&path) != 0)
    return 0;

  json_error_t err;
  json_t *root = json_load_file(path, 0, &err);
  if (!root) {
    int rc = 0;
    if (access(path, F_OK) == 0) {
      fprintf(stderr, "csp: warning: ignoring unreadable session %s: %s\n", path, err.text);
      rc = -1;
    }
    free(path);
    return rc;
  }

  csp_session *s = csp_xmalloc(sizeof *s);
  memset(s, 0, sizeof *s);
  s->url = csp_dup_member(root, "url");
  s->token = csp_dup_member(root, "token");
  s->tenant_id = csp_dup_member(root, "tenantId");
  s->user = csp_dup_member(root, "user");

  const json_t *exp = json_object_get(root, "expiresAt");
  int rc = 0;
  if (json_is_integer(exp))
    s->expires_at = (time_t)json_integer_value(exp);
  else if (!json_is_string(exp) || csp_parse_time(json_string_value(exp), &s->expires_at) != 0)
    rc = -1;
  json_decref(root);

  if (rc != 0 || !s->url || !s->token) {
    fprintf(stderr, "csp: warning: ignoring malformed session %s\n", path);
    csp_session_free(s);
    free(path);
    return -1;
  }
  free(path);
  *out = s;
  return 0;
}

/** mkdir that accepts an existing directory. @return 0 or -1 (errno set). */
static int csp_mkdir(const char *path, mode_t mode) {
  if (mkdir(path, mode) == 0)
    return 0;
  if (errno != EEXIST)
    return -1;
  struct stat st;
  if (stat(path, &st) != 0)
    return -1;
  if (!S_ISDIR(st.st_mode)) {
    errno = ENOTDIR;
    return -1;
  }
  return 0;
}

/** mkdir -p with the given mode for every directory it creates. @return 0 or -1. */
static int csp_mkdir_p(const char *path, mode_t mode) {
  char *copy = csp_xstrdup(path);
  int rc = 0;
  for (char *p = copy + 1; *p && rc == 0; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    rc = csp_mkdir(copy, mode);
    *p = '/';
  }
  if (rc == 0)
    rc = csp_mkdir(copy, mode);
  free(copy);
  return rc;
}

int csp_session_save(const csp_session *s) {
  char *dir = NULL;
  char *parent = NULL;
  if (csp_session_dir(&dir, &parent) != 0) {
    fputs("csp: cannot locate the configuration directory (set HOME or XDG_CONFIG_HOME)\n", stderr);
    return -1;
  }

  int rc = -1;
  char *path = csp_xasprintf("%s/session.json", dir);
  char *tmp = csp_xasprintf("%s/.session.json.XXXXXX", dir);
  char *text = NULL;
  int fd = -1;
  char expires[32];
  csp_format_time(s->expires_at, expires);

  json_t *root = json_pack("{s:s, s:s, s:s, s:s?, s:s?}", "url", s->url, "token", s->token,
                           "expiresAt", expires, "tenantId", s->tenant_id, "user", s->user);
  if (!root) {
    fputs("csp: cannot encode the session\n", stderr);
    goto out;
  }
  text = json_dumps(root, JSON_INDENT(2));
  json_decref(root);
  if (!text) {
    fputs("csp: cannot encode the session\n", stderr);
    goto out;
  }

  if (csp_mkdir_p(parent, 0700) != 0 || csp_mkdir(dir, 0700) != 0) {
    fprintf(stderr, "csp: cannot create %s: %s\n", dir, strerror(errno));
    goto out;
  }
  /* The directory is ours: make sure no one else can list it. */
  if (chmod(dir, 0700) != 0) {
    fprintf(stderr, "csp: cannot chmod %s: %s\n", dir, strerror(errno));
    goto out;
  }

  fd = mkstemp(tmp); /* created with mode 0600 */
  if (fd < 0) {
    fprintf(stderr, "csp: cannot create %s: %s\n", tmp, strerror(errno));
    goto out;
  }
  size_t len = strlen(text);
  size_t done = 0;
  while (done < len) {
    ssize_t n = write(fd, text + done, len - done);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      fprintf(stderr, "csp: cannot write %s: %s\n", tmp, strerror(errno));
      goto out_unlink;
    }
    done += (size_t)n;
  }
  if (write(fd, "\n", 1) != 1 || fchmod(fd, 0600) != 0 || fsync(fd) != 0) {
    fprintf(stderr, "csp: cannot write %s: %s\n", tmp, strerror(errno));
    goto out_unlink;
  }
  if (close(fd) != 0) {
    fd = -1;
    fprintf(stderr, "csp: cannot write %s: %s\n", tmp, strerror(errno));
    goto out_unlink;
  }
  fd = -1;
  if (rename(tmp, path) != 0) {
    fprintf(stderr, "csp: cannot rename %s to %s: %s\n", tmp, path, strerror(errno));
    goto out_unlink;
  }
  rc = 0;
  goto out;

out_unlink:
  unlink(tmp);
out:
  if (fd >= 0)
    close(fd);
  if (text) {
    explicit_bzero(text, strlen(text));
    free(text);
  }
  free(tmp);
  free(path);
  free(dir);
  free(parent);
  return rc;
}

int csp_session_remove(void) {
  char *path = NULL;
  if (csp_session_path(&path) != 0)
    return 0;
  int rc = 1;
  if (unlink(path) != 0) {
    if (errno == ENOENT) {
      rc = 0;
    } else {
      fprintf(stderr, "csp: cannot remove %s: %s\n", path, strerror(errno));
      rc = -1;
    }
  }
  free(path);
  return rc;
}

/** @return the value of one base64url digit, or -1. */
static int csp_b64url_digit(unsigned char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '-' || c == '+')
    return 62;
  if (c == '_' || c == '/')
    return 63;
  return -1;
}

/**
 * Decode base64url (padding optional).
 * @param[out] out decoded bytes, NUL-terminated, owned by the caller (free()).
 * @param[out] out_len number of decoded bytes.
 */
static int csp_b64url_decode(const char *in, size_t len, char **out, size_t *out_len) {
  while (len > 0 && in[len - 1] == '=')
    len--;
  if (len % 4 == 1)
    return -1;
  char *buf = csp_xmalloc(len / 4 * 3 + 3);
  size_t n = 0;
  unsigned acc = 0;
  int bits = 0;
  for (size_t i = 0; i < len; i++) {
    int d = csp_b64url_digit((unsigned char)in[i]);
    if (d < 0) {
      free(buf);
      return -1;
    }
    acc = (acc << 6) | (unsigned)d;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      buf[n++] = (char)((acc >> bits) & 0xff);
    }
  }
  buf[n] = '\0';
  *out = buf;
  *out_len = n;
  return 0;
}

int csp_jwt_payload(const char *token, json_t **out) {
  *out = NULL;
  const char *dot1 = strchr(token, '.');
  if (!dot1)
    return -1;
  const char *start = dot1 + 1;
  const char *dot2 = strchr(start, '.');
  if (!dot2)
    return -1;
  char *raw = NULL;
  size_t raw_len = 0;
  if (csp_b64url_decode(start, (size_t)(dot2 - start), &raw, &raw_len) != 0)
    return -1;
  json_t *claims = json_loadb(raw, raw_len, 0, NULL);
  free(raw);
  if (!json_is_object(claims)) {
    json_decref(claims);
    return -1;
  }
  *out = claims;
  return 0;
}
