/* h_sandbox.c -- sandbox controls (routes exist only with --sandbox):
 * /_cspd/clock (read, set, advance), /_cspd/reset, /_cspd/seed. */
#include <string.h>

#include "../core/clock.h"
#include "../core/commerce.h"
#include "../core/fixtures.h"
#include "../core/identity.h"
#include "../core/json.h"
#include "../core/program.h"
#include "../core/util.h"
#include "http.h"

#define CLOCK_KEY "clock"

static json_t *render_clock(struct cspd_req *r, const struct cspd_clock_state *s) {
  int64_t now = s->frozen ? s->frozen_ms : cspd_wall_ms() + s->offset_ms;
  return json_pack("{s:s, s:b, s:I, s:{s:s}}", "now", cspd_iso(r, now), "frozen", s->frozen,
                   "offsetSeconds",
                   (json_int_t)(s->frozen ? (now - cspd_wall_ms()) / 1000 : s->offset_ms / 1000),
                   "attributes", "objectType", "Clock");
}

int h_cspd_clock_get(struct cspd_req *r) {
  struct cspd_clock_state s;
  cspd_clock_get(&s);
  return cspd_reply_json(r, 200, render_clock(r, &s));
}

/** Persist @a s in this transaction; installed in memory after commit. */
static int clock_store(struct cspd_req *r, const struct cspd_clock_state *s) {
  char enc[64];
  cspd_clock_encode(s, enc);
  int rc = cspd_db_ops(r->ctx.db)->setting_put(r->ctx.db, CLOCK_KEY, enc);
  if (rc != 0)
    return cspd_store_fail(&r->ctx, rc, 0, 0);
  struct cspd_clock_state *copy = cspd_arena_alloc(r->arena, sizeof *copy);
  *copy = *s;
  r->scratch = copy;
  return cspd_audit(&r->ctx, "set_clock", "Clock", NULL, NULL, enc);
}

/* After the clock moved: install it and run what became due (so that the
 * answer to "advance 5 days" already shows the auto-approved enrollment). */
static void clock_commit(struct cspd_req *r) {
  cspd_clock_set_state(r->scratch);
  cspd_jobs_run_due(r->srv->store, r->srv->cfg.sandbox, 10000);
}

int h_cspd_clock_put(struct cspd_req *r) {
  json_t *body;
  const char *now;
  bool frozen = false;
  if (cspd_body_object(r, &body) != 0 || cspd_json_str(&r->ctx, body, "now", true, "", &now) != 0 ||
      cspd_json_bool(&r->ctx, body, "frozen", false, "", &frozen) != 0)
    return -1;
  int64_t ms;
  if (cspd_time_parse(now, &ms) != 0)
    return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT,
                     "now must be an RFC 3339 time such as 2026-10-01T09:00:00Z");
  struct cspd_clock_state s;
  cspd_clock_state_at(ms, frozen, &s);
  if (ms < r->ctx.now_ms) {
    /* moved back: the monthly evaluation follows to the next month start */
    int64_t was = r->ctx.now_ms;
    r->ctx.now_ms = ms;
    int rc0 = cspd_jobs_reschedule_monthly(&r->ctx);
    r->ctx.now_ms = was;
    if (rc0 != 0)
      return rc0;
  }
  int rc = clock_store(r, &s);
  if (rc != 0)
    return rc;
  r->on_commit = clock_commit;
  return cspd_reply_json(r, 200, render_clock(r, &s));
}

int h_cspd_clock_advance(struct cspd_req *r) {
  json_t *body;
  long long d = 0, h = 0, m = 0, sec = 0;
  if (cspd_body_object(r, &body) != 0 || cspd_json_int(&r->ctx, body, "days", false, "", &d) != 0 ||
      cspd_json_int(&r->ctx, body, "hours", false, "", &h) != 0 ||
      cspd_json_int(&r->ctx, body, "minutes", false, "", &m) != 0 ||
      cspd_json_int(&r->ctx, body, "seconds", false, "", &sec) != 0)
    return -1;
  if (d < 0 || h < 0 || m < 0 || sec < 0 || d > 36500 || h > 876000 || m > 52560000 ||
      sec > 3153600000LL)
    return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT,
                     "days, hours, minutes and seconds must be >= 0 and at most 100 years; "
                     "the clock only moves forward (set it with PUT /_cspd/clock)");
  int64_t delta = ((d * 24 + h) * 60 + m) * 60000LL + sec * 1000LL;
  if (delta == 0)
    return cspd_fail(&r->ctx, CSPD_E_INVALID_INPUT, "give days, hours, minutes or seconds");
  struct cspd_clock_state s;
  cspd_clock_get(&s);
  if (s.frozen)
    s.frozen_ms += delta;
  else
    s.offset_ms += delta;
  int rc = clock_store(r, &s);
  if (rc != 0)
    return rc;
  r->on_commit = clock_commit;
  return cspd_reply_json(r, 200, render_clock(r, &s));
}

/* ---- reset and seed ------------------------------------------------------------------ */

/* Both run as write routes (one transaction, idempotent by MS-RequestId);
 * their prepare steps parse and hash the fixtures outside the transaction. */

struct reset_job {
  const char *org_id; /* NULL: everything */
  json_t *demo;       /* prepared demo world, or NULL */
  json_t *summary;
};

/** Reset inside the current transaction of @a c. @param[out] j->summary. */
static int reset_apply(struct cspd_ctx *c, struct reset_job *j) {
  const struct cspd_store_ops *ops = cspd_db_ops(c->db);
  json_decref(j->summary);
  j->summary = NULL;
  int rc;
  if (j->org_id != NULL) {
    rc = ops->reset_org(c->db, j->org_id);
    return rc == 0 ? cspd_audit(c, "reset_partner", "PartnerOrganization", j->org_id, NULL, NULL)
                   : cspd_store_fail(c, rc, CSPD_E_PARTNER_NOT_FOUND, 0);
  }
  rc = ops->reset_all(c->db);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  struct cspd_clock_state real = {0};
  char enc[64];
  cspd_clock_encode(&real, enc);
  rc = ops->setting_put(c->db, CLOCK_KEY, enc);
  if (rc != 0)
    return cspd_store_fail(c, rc, 0, 0);
  c->now_ms = cspd_wall_ms(); /* the world restarts at the real time */
  if ((rc = cspd_fx_seed_defaults(c)) != 0 || (rc = cspd_jobs_ensure_monthly(c)) != 0 ||
      (rc = cspd_catalog_seed_default(c)) != 0)
    return rc;
  if (j->demo != NULL) {
    const struct cspd_principal *who = c->who;
    c->who = NULL; /* fixtures are applied by the system, not the caller */
    rc = cspd_fixtures_apply(c, j->demo, true, &j->summary);
    c->who = who;
    if (rc != 0)
      return rc;
  }
  return cspd_audit(c, "reset", "Sandbox", NULL, NULL, NULL);
}

/** Parse and prepare the demo world. @param[out] out new reference. */
static int demo_prepare(struct cspd_ctx *c, json_t **out) {
  json_error_t jerr;
  json_t *doc = json_loads(cspd_demo_world(), 0, &jerr);
  if (doc == NULL)
    return cspd_fail(c, CSPD_E_INTERNAL, "demo world: %s", jerr.text);
  if (cspd_fixtures_prepare(c, doc) != 0) {
    json_decref(doc);
    return -1;
  }
  *out = doc;
  return 0;
}

static void reset_done(struct cspd_req *r) {
  struct reset_job *j = r->scratch;
  if (j->org_id == NULL) {
    struct cspd_clock_state real = {0};
    cspd_clock_set_state(&real);
  }
}

/** Free the job's JSON when the request ends (registered as an arena-owned
 * reference through the request's json slot). */
static void keep_json(struct cspd_req *r, json_t *doc) {
  /* the request owns r->json (decref'ed at completion); chain extra docs in it */
  if (r->json == NULL)
    r->json = json_object();
  char key[32];
  snprintf(key, sizeof key, "__keep%zu", json_object_size(r->json));
  json_object_set_new(r->json, key, doc);
}

int h_cspd_reset_prepare(struct cspd_req *r) {
  struct reset_job *j = cspd_arena_alloc(r->arena, sizeof *j);
  r->scratch = j;
  if (r->body_len > 0) {
    json_t *body;
    if (cspd_body_object(r, &body) != 0 ||
        cspd_json_str(&r->ctx, body, "partnerId", false, "", &j->org_id) != 0)
      return -1;
    char g[37];
    if (j->org_id != NULL) {
      if (cspd_guid_normalize(j->org_id, g) != 0)
        return cspd_fail(&r->ctx, CSPD_E_BAD_GUID, "partnerId");
      j->org_id = cspd_arena_strdup(r->arena, g);
    }
  }
  if (j->org_id == NULL && r->srv->cfg.demo) {
    if (demo_prepare(&r->ctx, &j->demo) != 0)
      return -1;
    keep_json(r, j->demo);
  }
  return 0;
}

int h_cspd_reset(struct cspd_req *r) {
  struct reset_job *j = r->scratch;
  int rc = reset_apply(&r->ctx, j);
  if (rc != 0)
    return rc;
  r->on_commit = reset_done;
  json_t *doc = json_pack("{s:s, s:{s:s}}", "reset", j->org_id ? "partner" : "all", "attributes",
                          "objectType", "ResetResult");
  if (j->org_id)
    json_object_set_new(doc, "partnerId", json_string(j->org_id));
  if (j->summary) {
    json_object_set_new(doc, "seeded", j->summary);
    j->summary = NULL;
  }
  return cspd_reply_json(r, 200, doc);
}

int h_cspd_seed_prepare(struct cspd_req *r) {
  json_t *body;
  if (cspd_body_object(r, &body) != 0)
    return -1;
  return cspd_fixtures_prepare(&r->ctx, body);
}

int h_cspd_seed(struct cspd_req *r) {
  const struct cspd_principal *who = r->ctx.who;
  json_t *summary = NULL;
  r->ctx.who = NULL; /* fixtures are applied by the system, not the caller */
  int rc = cspd_fixtures_apply(&r->ctx, r->json, true, &summary);
  r->ctx.who = who;
  if (rc == 0)
    rc = cspd_audit(&r->ctx, "seed", "Sandbox", NULL, NULL, NULL);
  if (rc != 0) {
    json_decref(summary);
    return rc;
  }
  json_object_set_new(summary, "attributes", json_pack("{s:s}", "objectType", "SeedResult"));
  return cspd_reply_json(r, 201, summary);
}

/* ---- used at start-up by `cspd serve --demo` ------------------------------------------- */

struct boot_seed {
  struct cspd_ctx *c;
  struct reset_job j;
};

static int seeded_fn(struct cspd_db *db, void *cls) {
  struct boot_seed *b = cls;
  struct cspd_ctx *c = b->c;
  c->db = db;
  memset(&c->err, 0, sizeof c->err);
  char *v;
  int rc = cspd_db_ops(db)->setting_get(db, "demo_seeded", c->arena, &v);
  if (rc == 0)
    return 1; /* already seeded: nothing to do */
  if (rc != CSPD_STORE_NOTFOUND)
    return rc;
  rc = reset_apply(c, &b->j);
  if (rc != 0)
    return rc;
  rc = cspd_db_ops(db)->setting_put(db, "demo_seeded", "1");
  return rc == 0 ? 0 : cspd_store_fail(c, rc, 0, 0);
}

int cspd_sandbox_seed_demo(struct cspd_server *srv, char *errbuf, size_t errlen) {
  struct cspd_ctx c = {.sandbox = true, .now_ms = cspd_clock_now()};
  c.arena = cspd_arena_new(65536);
  struct boot_seed b = {.c = &c};
  int rc = demo_prepare(&c, &b.j.demo);
  if (rc == 0)
    rc = cspd_store_tx(srv->store, true, seeded_fn, &b, NULL);
  json_decref(b.j.demo);
  json_decref(b.j.summary);
  if (rc == 0) {
    struct cspd_clock_state real = {0}; /* a fresh demo world runs on the real clock */
    cspd_clock_set_state(&real);
  }
  if (rc == 1)
    rc = 0;
  if (rc != 0) {
    const struct cspd_error_info *e = cspd_error_info(c.err.id);
    snprintf(errbuf, errlen, "seeding the demo world: %s %s", e->description,
             c.err.detail ? c.err.detail : "");
  }
  cspd_arena_free(c.arena);
  return rc;
}
