/* main.c -- the cspd command: serve, init, migrate, seed, errors, openapi.
 *
 * Every flag has an environment equivalent (CSPD_LISTEN, CSPD_PORT,
 * CSPD_STORE, CSPD_SANDBOX, CSPD_LOG_FORMAT, ...); flags win. */
#include "../core/log.h"
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/clock.h"
#include "../core/commerce.h"
#include "../core/crypto.h"
#include "../core/events.h"
#include "../core/fixtures.h"
#include "../core/identity.h"
#include "../core/markets.h"
#include "../core/program.h"
#include "../core/util.h"
#include "../http/http.h"
#include "../store/store.h"
#include "cspd_config.h"
#include "worker.h"

static void usage(FILE *f) {
  fputs("usage: cspd COMMAND [OPTIONS]\n"
        "\n"
        "Commands:\n"
        "  serve     run the API server\n"
        "  init      create the operator tenant and its first user\n"
        "  migrate   bring the store's schema up to date and exit\n"
        "  seed FILE apply a fixtures document (docs/fixtures.md) to the store\n"
        "  errors    print the error registry (--markdown for docs/errors.md)\n"
        "  openapi   print the OpenAPI document\n"
        "  version   print the version\n"
        "\n"
        "Options (environment variable in brackets):\n"
        "  --store URL         sqlite:PATH | memory | postgres://... [CSPD_STORE]\n"
        "                      sqlite options: sqlite:PATH?synchronous=normal&mmap=BYTES\n"
        "  --listen ADDR       address to listen on, default 127.0.0.1 [CSPD_LISTEN]\n"
        "  --port N            port, default 7700; 0 picks a free one [CSPD_PORT]\n"
        "  --sandbox           enable sandbox controls (clock, reset, seed) [CSPD_SANDBOX=1]\n"
        "  --demo              with --sandbox: seed the demo world into an empty store "
        "[CSPD_DEMO=1]\n"
        "  --log-format F      text | json [CSPD_LOG_FORMAT]\n"
        "  --no-access-log     no per-request log line [CSPD_ACCESS_LOG=0]\n"
        "  --threads N         worker threads, default 2 [CSPD_THREADS]\n"
        "  --http-poll M       poll | select | epoll, default poll [CSPD_HTTP_POLL]\n"
        "  --max-body BYTES    request body limit, default 1048576 [CSPD_MAX_BODY]\n"
        "  --throttle RPS      per-tenant request rate, 0 = off (default) [CSPD_THROTTLE]\n"
        "  --throttle-burst N  burst size for --throttle [CSPD_THROTTLE_BURST]\n"
        "  --token-ttl SECS    access token lifetime, default 3600 [CSPD_TOKEN_TTL]\n"
        "  --public-url URL    base URL in links and e-mails [CSPD_PUBLIC_URL]\n"
        "  --smtp-url URL      SMTP relay for notifications, smtp://host:port [CSPD_SMTP_URL]\n"
        "                      (user and password: CSPD_SMTP_USER, CSPD_SMTP_PASSWORD)\n"
        "  --smtp-from ADDR    sender address, default cspd@localhost [CSPD_SMTP_FROM]\n"
        "  --worker-interval-ms N  how often background work looks for due jobs and\n"
        "                      deliveries, default 1000 [CSPD_WORKER_INTERVAL_MS]\n"
        "  init: --email E --password-stdin | --password P [--name N]\n"
        "  seed: --sandbox-only (identities sign in only in sandbox mode)\n",
        f);
}

static const char *env_or(const char *name, const char *def) {
  const char *v = getenv(name);
  return (v && v[0]) ? v : def;
}

static bool env_bool(const char *name) {
  const char *v = getenv(name);
  return v && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0);
}

struct opts {
  struct cspd_server_config cfg;
  struct cspd_worker_config worker;
  const char *email, *password, *name;
  bool password_stdin, markdown, sandbox_only;
  const char *file;
};

static int parse_int(const char *s, long min, long max, long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || *s == '\0' || *end != '\0' || v < min || v > max)
    return -1;
  *out = v;
  return 0;
}

static int parse_opts(int argc, char **argv, struct opts *o) {
  struct cspd_server_config *c = &o->cfg;
  c->listen = env_or("CSPD_LISTEN", "127.0.0.1");
  c->store_url = env_or("CSPD_STORE", NULL);
  c->sandbox = env_bool("CSPD_SANDBOX");
  c->demo = env_bool("CSPD_DEMO");
  c->log_json = strcmp(env_or("CSPD_LOG_FORMAT", "text"), "json") == 0;
  c->access_log = strcmp(env_or("CSPD_ACCESS_LOG", "1"), "0") != 0;
  c->poll = env_or("CSPD_HTTP_POLL", "poll");
  c->public_url = env_or("CSPD_PUBLIC_URL", NULL);
  o->worker.smtp_url = env_or("CSPD_SMTP_URL", NULL);
  o->worker.smtp_from = env_or("CSPD_SMTP_FROM", "cspd@localhost");
  o->worker.smtp_user = env_or("CSPD_SMTP_USER", NULL);
  o->worker.smtp_password = env_or("CSPD_SMTP_PASSWORD", NULL);
  long port, threads, maxbody, burst, ttl, wms;
  double rps = atof(env_or("CSPD_THROTTLE", "0"));
  struct num_env {
    const char *env;
    long def, min, max;
    long *dst;
  } nums[] = {
      {"CSPD_PORT", 7700, 0, 65535, &port},
      {"CSPD_THREADS", 2, 1, 256, &threads},
      {"CSPD_MAX_BODY", 1048576, 1024, 1L << 30, &maxbody},
      {"CSPD_THROTTLE_BURST", 0, 0, 1000000, &burst},
      {"CSPD_TOKEN_TTL", 3600, 1, 86400, &ttl},
      {"CSPD_WORKER_INTERVAL_MS", 1000, 10, 3600000, &wms},
  };
  for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
    const char *e = getenv(nums[i].env);
    *nums[i].dst = nums[i].def;
    if (e && e[0] && parse_int(e, nums[i].min, nums[i].max, nums[i].dst) != 0) {
      cspd_log("error", "%s=%s is not a number from %ld to %ld", nums[i].env, e, nums[i].min,
               nums[i].max);
      return -1;
    }
  }
  enum {
    O_STORE = 1000,
    O_LISTEN,
    O_PORT,
    O_SANDBOX,
    O_DEMO,
    O_LOGF,
    O_NOACC,
    O_THREADS,
    O_POLL,
    O_MAXBODY,
    O_THR,
    O_BURST,
    O_TTL,
    O_PUBURL,
    O_SMTP,
    O_SMTPFROM,
    O_WORKMS,
    O_EMAIL,
    O_PW,
    O_PWSTDIN,
    O_NAME,
    O_MD,
    O_SBO
  };
  static const struct option lo[] = {{"store", required_argument, NULL, O_STORE},
                                     {"listen", required_argument, NULL, O_LISTEN},
                                     {"port", required_argument, NULL, O_PORT},
                                     {"sandbox", no_argument, NULL, O_SANDBOX},
                                     {"demo", no_argument, NULL, O_DEMO},
                                     {"log-format", required_argument, NULL, O_LOGF},
                                     {"no-access-log", no_argument, NULL, O_NOACC},
                                     {"threads", required_argument, NULL, O_THREADS},
                                     {"http-poll", required_argument, NULL, O_POLL},
                                     {"max-body", required_argument, NULL, O_MAXBODY},
                                     {"throttle", required_argument, NULL, O_THR},
                                     {"throttle-burst", required_argument, NULL, O_BURST},
                                     {"token-ttl", required_argument, NULL, O_TTL},
                                     {"public-url", required_argument, NULL, O_PUBURL},
                                     {"smtp-url", required_argument, NULL, O_SMTP},
                                     {"smtp-from", required_argument, NULL, O_SMTPFROM},
                                     {"worker-interval-ms", required_argument, NULL, O_WORKMS},
                                     {"email", required_argument, NULL, O_EMAIL},
                                     {"password", required_argument, NULL, O_PW},
                                     {"password-stdin", no_argument, NULL, O_PWSTDIN},
                                     {"name", required_argument, NULL, O_NAME},
                                     {"markdown", no_argument, NULL, O_MD},
                                     {"sandbox-only", no_argument, NULL, O_SBO},
                                     {"help", no_argument, NULL, 'h'},
                                     {NULL, 0, NULL, 0}};
  int ch;
  optind = 2;
  while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
    switch (ch) {
    case O_STORE:
      c->store_url = optarg;
      break;
    case O_LISTEN:
      c->listen = optarg;
      break;
    case O_PORT:
      if (parse_int(optarg, 0, 65535, &port) != 0) {
        cspd_log("error", "--port takes 0..65535");
        return -1;
      }
      break;
    case O_SANDBOX:
      c->sandbox = true;
      break;
    case O_DEMO:
      c->demo = true;
      break;
    case O_LOGF:
      if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0) {
        cspd_log("error", "--log-format takes text or json");
        return -1;
      }
      c->log_json = strcmp(optarg, "json") == 0;
      break;
    case O_NOACC:
      c->access_log = false;
      break;
    case O_THREADS:
      if (parse_int(optarg, 1, 256, &threads) != 0) {
        cspd_log("error", "--threads takes 1..256");
        return -1;
      }
      break;
    case O_POLL:
      c->poll = optarg;
      break;
    case O_MAXBODY:
      if (parse_int(optarg, 1024, 1L << 30, &maxbody) != 0) {
        cspd_log("error", "--max-body takes 1024..1073741824");
        return -1;
      }
      break;
    case O_THR:
      rps = atof(optarg);
      break;
    case O_BURST:
      if (parse_int(optarg, 0, 1000000, &burst) != 0) {
        cspd_log("error", "--throttle-burst takes 0..1000000");
        return -1;
      }
      break;
    case O_TTL:
      if (parse_int(optarg, 1, 86400, &ttl) != 0) {
        cspd_log("error", "--token-ttl takes 1..86400 seconds");
        return -1;
      }
      break;
    case O_PUBURL:
      c->public_url = optarg;
      break;
    case O_SMTP:
      o->worker.smtp_url = optarg;
      break;
    case O_SMTPFROM:
      o->worker.smtp_from = optarg;
      break;
    case O_WORKMS: {
      long ms;
      if (parse_int(optarg, 10, 3600000, &ms) != 0) {
        cspd_log("error", "--worker-interval-ms takes 10..3600000");
        return -1;
      }
      o->worker.interval_ms = (int)ms;
      break;
    }
    case O_EMAIL:
      o->email = optarg;
      break;
    case O_PW:
      o->password = optarg;
      break;
    case O_PWSTDIN:
      o->password_stdin = true;
      break;
    case O_NAME:
      o->name = optarg;
      break;
    case O_MD:
      o->markdown = true;
      break;
    case O_SBO:
      o->sandbox_only = true;
      break;
    case 'h':
      usage(stdout);
      exit(0);
    default:
      usage(stderr);
      return -1;
    }
  }
  if (optind < argc)
    o->file = argv[optind];
  c->port = (int)port;
  c->threads = (int)threads;
  c->max_body = (size_t)maxbody;
  c->throttle_rps = rps < 0 ? 0 : rps;
  c->throttle_burst = (int)burst;
  c->token_ttl = (int)ttl;
  if (o->worker.interval_ms == 0)
    o->worker.interval_ms = (int)wms;
  cspd_log_set_json(c->log_json);
  if (c->demo && !c->sandbox) {
    cspd_log("error", "--demo needs --sandbox (the demo world's credentials are public)");
    return -1;
  }
  return 0;
}

static int open_store(const struct opts *o, struct cspd_store **s) {
  if (o->cfg.store_url == NULL) {
    cspd_log("error", "no store: give --store sqlite:PATH, memory or postgres://... "
                      "(or CSPD_STORE)");
    return -1;
  }
  char err[512];
  if (cspd_store_open(o->cfg.store_url, s, err, sizeof err) != 0) {
    cspd_log("error", "%s", err);
    return -1;
  }
  return 0;
}

/* ---- signing key and clock, kept in the store's settings --------------------------- */

struct boot {
  unsigned char *key;
  struct cspd_arena *arena;
};

static int boot_fn(struct cspd_db *db, void *cls) {
  struct boot *b = cls;
  const struct cspd_store_ops *ops = cspd_db_ops(db);
  char *v;
  int rc = ops->setting_get(db, "signing_key", b->arena, &v);
  if (rc == CSPD_STORE_NOTFOUND) {
    unsigned char k[CSPD_KEY_BYTES];
    char enc[64];
    randombytes_buf(k, sizeof k);
    cspd_b64url_encode(k, sizeof k, enc, sizeof enc);
    rc = ops->setting_put(db, "signing_key", enc);
    if (rc != 0)
      return rc;
    memcpy(b->key, k, sizeof k);
  } else if (rc == 0) {
    size_t n;
    if (cspd_b64url_decode(v, strlen(v), b->key, CSPD_KEY_BYTES, &n) != 0 || n != CSPD_KEY_BYTES)
      return CSPD_STORE_ERROR;
  } else {
    return rc;
  }
  rc = ops->setting_get(db, "clock", b->arena, &v);
  if (rc == 0) {
    struct cspd_clock_state s;
    if (cspd_clock_decode(v, &s) == 0)
      cspd_clock_set_state(&s);
  } else if (rc != CSPD_STORE_NOTFOUND) {
    return rc;
  }
  /* the shipped exchange rates, and the monthly direct-bill evaluation */
  struct cspd_ctx c = {.db = db, .arena = b->arena, .now_ms = cspd_clock_now()};
  if ((rc = cspd_fx_seed_defaults(&c)) != 0 || (rc = cspd_jobs_ensure_monthly(&c)) != 0 ||
      (rc = cspd_catalog_seed_default(&c)) != 0) {
    cspd_log("error", "%s %s", cspd_error_info(c.err.id)->description,
             c.err.detail ? c.err.detail : "");
    return rc;
  }
  return 0;
}

static int load_key_and_clock(struct cspd_store *s, unsigned char key[CSPD_KEY_BYTES],
                              bool sandbox) {
  struct cspd_arena *a = cspd_arena_new(4096);
  struct boot b = {key, a};
  int rc = cspd_store_tx(s, true, boot_fn, &b, NULL);
  cspd_arena_free(a);
  if (!sandbox) {
    /* the cspd clock is the wall clock outside sandbox mode */
    struct cspd_clock_state real = {0};
    cspd_clock_set_state(&real);
  }
  return rc;
}

/* ---- operator tenant (for serve --demo) ----------------------------------------------- */

static int ensure_operator_fn(struct cspd_db *db, void *cls) {
  struct cspd_ctx *c = cls;
  c->db = db;
  struct cspd_tenant t;
  int rc = cspd_db_ops(db)->tenant_operator(db, c->arena, &t);
  if (rc == 0)
    return 1;
  if (rc != CSPD_STORE_NOTFOUND)
    return rc;
  memset(&t, 0, sizeof t);
  cspd_guid_new(t.id);
  t.kind = CSPD_TENANT_OPERATOR;
  t.name = "cspd operator";
  t.created_ms = c->now_ms;
  return cspd_db_ops(db)->tenant_insert(db, &t);
}

static int ensure_operator(struct cspd_store *s) {
  struct cspd_ctx c = {.arena = cspd_arena_new(4096), .now_ms = cspd_clock_now()};
  int rc = cspd_store_tx(s, true, ensure_operator_fn, &c, NULL);
  cspd_arena_free(c.arena);
  return rc == 1 ? 0 : rc;
}

/* ---- commands ----------------------------------------------------------------------------- */

static void kick_worker(void *cls) {
  cspd_worker_kick(cls);
}

static int cmd_serve(struct opts *o) {
  struct cspd_server srv = {.cfg = o->cfg};
  srv.started_ms = cspd_wall_ms();
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, NULL); /* worker threads inherit the mask */
  signal(SIGPIPE, SIG_IGN);
  if (open_store(o, &srv.store) != 0)
    return 1;
  if (load_key_and_clock(srv.store, srv.key, o->cfg.sandbox) != 0) {
    cspd_log("error", "cannot read or create the signing key in the store");
    cspd_store_close(srv.store);
    return 1;
  }
  struct cspd_db *db;
  cspd_store_session(srv.store, &db);
  cspd_db_ops(db)->schema_version(db, &srv.schema_version);
  if (o->cfg.demo) {
    char err[512];
    if (ensure_operator(srv.store) != 0 || cspd_sandbox_seed_demo(&srv, err, sizeof err) != 0) {
      cspd_log("error", "%s", err);
      cspd_store_close(srv.store);
      return 1;
    }
  }
  cspd_notify_set_relay(o->worker.smtp_url != NULL);
  srv.metrics = cspd_metrics_new(cspd_nroutes);
  srv.throttle = cspd_throttle_new(o->cfg.throttle_rps, o->cfg.throttle_burst);
  if (o->cfg.sandbox)
    srv.journal = cspd_journal_new(1000);
  char err[512];
  if (cspd_server_start(&srv, err, sizeof err) != 0) {
    cspd_log("error", "%s", err);
    cspd_store_close(srv.store);
    return 1;
  }
  const char *host = o->cfg.listen;
  bool v6 = strchr(host, ':') != NULL;
  if (o->cfg.public_url != NULL)
    snprintf(srv.base_url, sizeof srv.base_url, "%s", o->cfg.public_url);
  else
    snprintf(srv.base_url, sizeof srv.base_url, "http://%s%s%s:%d", v6 ? "[" : "",
             strcmp(host, "0.0.0.0") == 0 ? "127.0.0.1" : host, v6 ? "]" : "", srv.port);
  struct cspd_worker worker;
  if (cspd_worker_start(&worker, &srv, &o->worker) != 0) {
    cspd_log("error", "cannot start the background worker");
    cspd_server_stop(&srv, 0);
    cspd_store_close(srv.store);
    return 1;
  }
  srv.kick = kick_worker;
  srv.kick_cls = &worker;
  printf("cspd %s listening on http://%s%s%s:%d (store %s, schema %d%s)\n", CSPD_VERSION,
         v6 ? "[" : "", host, v6 ? "]" : "", srv.port, srv.store->ops->kind, srv.schema_version,
         o->cfg.sandbox ? ", SANDBOX MODE" : "");
  if (o->cfg.demo)
    printf(
        "demo world: sign in with any demo user, password cspd-demo-password\n"
        "  operator          operator@cspd.test\n"
        "  direct-bill       admin@contoso-direct.test (global_admin), agent@contoso-direct.test\n"
        "  indirect provider admin@fabrikam-dist.test\n"
        "  reseller          admin@tailspin.test\n"
        "  customer admin    admin@wingtiptoys.test\n"
        "  e.g.  build/csp login --url http://%s:%d --user operator@cspd.test\n",
        host, srv.port);
  fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  cspd_log("info", "signal %d: draining in-flight requests", sig);
  cspd_server_stop(&srv, 10000);
  srv.kick = NULL;
  cspd_worker_stop(&worker);
  cspd_metrics_free(srv.metrics);
  cspd_throttle_free(srv.throttle);
  cspd_journal_free(srv.journal);
  cspd_store_close(srv.store);
  cspd_log("info", "stopped cleanly");
  return 0;
}

static int read_password(struct opts *o, char *buf, size_t len) {
  if (o->password != NULL) {
    snprintf(buf, len, "%s", o->password);
    return 0;
  }
  if (!o->password_stdin) {
    cspd_log("error", "give --password-stdin (or --password)");
    return -1;
  }
  if (fgets(buf, (int)len, stdin) == NULL) {
    cspd_log("error", "no password on standard input");
    return -1;
  }
  buf[strcspn(buf, "\r\n")] = '\0';
  return 0;
}

struct init_job {
  struct cspd_ctx c;
  const char *name, *email, *hash;
};

static int init_fn(struct cspd_db *db, void *cls) {
  struct init_job *j = cls;
  j->c.db = db;
  memset(&j->c.err, 0, sizeof j->c.err);
  struct cspd_tenant t;
  int rc = cspd_db_ops(db)->tenant_operator(db, j->c.arena, &t);
  if (rc == 0) {
    /* an operator tenant from `serve --demo` may exist; refuse only when it
     * already has a real (not sandbox-only) user */
    struct cspd_user *users;
    int n;
    rc = cspd_db_ops(db)->user_list(db, t.id, "", 100, j->c.arena, &users, &n);
    if (rc != 0)
      return cspd_store_fail(&j->c, rc, 0, 0);
    for (int i = 0; i < n; i++)
      if (!users[i].sandbox_only)
        return cspd_fail(&j->c, CSPD_E_ALREADY_INITIALISED, "(operator user %s)", users[i].email);
    struct cspd_user_input ui = {.tenant_id = t.id,
                                 .email = j->email,
                                 .display_name = "Operator",
                                 .password_hash = j->hash,
                                 .roles = CSPD_ROLE_OPERATOR};
    struct cspd_user u;
    return cspd_user_create(&j->c, &ui, &u);
  }
  return cspd_operator_init(&j->c, j->name, j->email, j->hash, false, &t);
}

static int cmd_init(struct opts *o) {
  char pw[300];
  if (o->email == NULL) {
    fprintf(stderr, "cspd init: --email is required\n");
    return 2;
  }
  if (read_password(o, pw, sizeof pw) != 0)
    return 2;
  struct cspd_store *s;
  if (open_store(o, &s) != 0)
    return 1;
  struct init_job j = {.c = {.arena = cspd_arena_new(8192), .now_ms = cspd_clock_now()},
                       .name = o->name,
                       .email = o->email};
  char hash[128];
  int rc = cspd_password_check(&j.c, pw);
  if (rc == 0) {
    if (cspd_secret_hash(pw, hash) != 0)
      rc = cspd_fail(&j.c, CSPD_E_INTERNAL, "hashing failed");
    j.hash = hash;
  }
  sodium_memzero(pw, sizeof pw);
  unsigned char key[CSPD_KEY_BYTES];
  if (rc == 0)
    rc = load_key_and_clock(s, key, false);
  if (rc == 0)
    rc = cspd_store_tx(s, true, init_fn, &j, NULL);
  if (rc != 0) {
    const struct cspd_error_info *e = cspd_error_info(j.c.err.id);
    fprintf(stderr, "cspd init: %s %s\n", e->description, j.c.err.detail ? j.c.err.detail : "");
  } else {
    printf("operator user %s created; sign in with: csp login --user %s\n", o->email, o->email);
  }
  cspd_arena_free(j.c.arena);
  cspd_store_close(s);
  return rc == 0 ? 0 : 1;
}

static int cmd_migrate(struct opts *o) {
  struct cspd_store *s;
  if (open_store(o, &s) != 0)
    return 1;
  struct cspd_db *db;
  int v = 0;
  cspd_store_session(s, &db);
  cspd_db_ops(db)->schema_version(db, &v);
  printf("store schema at version %d\n", v);
  cspd_store_close(s);
  return 0;
}

struct seed_cmd {
  struct cspd_ctx c;
  json_t *doc;
  json_t *summary;
  bool sandbox_only;
};

static int seed_fn(struct cspd_db *db, void *cls) {
  struct seed_cmd *j = cls;
  j->c.db = db;
  memset(&j->c.err, 0, sizeof j->c.err);
  json_decref(j->summary);
  j->summary = NULL;
  return cspd_fixtures_apply(&j->c, j->doc, j->sandbox_only, &j->summary);
}

static int cmd_seed(struct opts *o) {
  if (o->file == NULL) {
    fprintf(stderr, "cspd seed: give a fixtures FILE (- for standard input)\n");
    return 2;
  }
  json_error_t jerr;
  json_t *doc =
      strcmp(o->file, "-") == 0 ? json_loadf(stdin, 0, &jerr) : json_load_file(o->file, 0, &jerr);
  if (doc == NULL) {
    fprintf(stderr, "cspd seed: %s:%d:%d: %s\n", o->file, jerr.line, jerr.column, jerr.text);
    return 2;
  }
  struct cspd_store *s;
  if (open_store(o, &s) != 0) {
    json_decref(doc);
    return 1;
  }
  unsigned char key[CSPD_KEY_BYTES];
  struct seed_cmd j = {.c = {.arena = cspd_arena_new(65536), .now_ms = cspd_clock_now()},
                       .doc = doc,
                       .sandbox_only = o->sandbox_only};
  int rc = load_key_and_clock(s, key, false);
  if (rc == 0)
    rc = ensure_operator(s);
  if (rc == 0)
    rc = cspd_fixtures_prepare(&j.c, doc);
  if (rc == 0)
    rc = cspd_store_tx(s, true, seed_fn, &j, NULL);
  if (rc != 0) {
    const struct cspd_error_info *e = cspd_error_info(j.c.err.id);
    fprintf(stderr, "cspd seed: %s %s\n", e->description, j.c.err.detail ? j.c.err.detail : "");
  } else {
    char *txt = json_dumps(j.summary, JSON_COMPACT);
    printf("seeded: %s\n", txt ? txt : "");
    free(txt);
  }
  json_decref(j.summary);
  json_decref(doc);
  cspd_arena_free(j.c.arena);
  cspd_store_close(s);
  return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
    printf("cspd %s\n", CSPD_VERSION);
    return 0;
  }
  if (cspd_crypto_init() != 0 || cspd_markets_init() != 0) {
    cspd_log("error", "cannot initialise libsodium or the markets table");
    return 1;
  }
  cspd_routes_init();
  struct opts o = {0};
  if (parse_opts(argc, argv, &o) != 0)
    return 2;
  if (strcmp(cmd, "serve") == 0)
    return cmd_serve(&o);
  if (strcmp(cmd, "init") == 0)
    return cmd_init(&o);
  if (strcmp(cmd, "migrate") == 0)
    return cmd_migrate(&o);
  if (strcmp(cmd, "seed") == 0)
    return cmd_seed(&o);
  if (strcmp(cmd, "errors") == 0) {
    if (o.markdown) {
      char *md = cspd_errors_markdown();
      fputs(md ? md : "", stdout);
      free(md);
    } else {
      for (int i = 1; i <= cspd_error_count(); i++) {
        const struct cspd_error_info *e = cspd_error_info((enum cspd_error_id)i);
        printf("%-24s %8d %3d %-9s %s\n", e->name, e->code, e->http_status, e->rule ? e->rule : "-",
               e->description);
      }
    }
    return 0;
  }
  if (strcmp(cmd, "openapi") == 0) {
    json_t *doc = cspd_openapi(true);
    json_dumpf(doc, stdout, JSON_INDENT(2));
    putchar('\n');
    json_decref(doc);
    return 0;
  }
  cspd_log("error", "unknown command '%s'", cmd);
  usage(stderr);
  return 2;
}
