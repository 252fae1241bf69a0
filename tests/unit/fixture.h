/* fixture.h -- what the core unit tests share: running an operation in its
 * own store transaction as the current principal, and asserting that it was
 * allowed, or refused with a given error, rule id and Partner Center code.
 *
 * Include it after <cmocka.h> and after defining `struct fx` with at least
 *   struct cspd_store *st;  the store under test
 *   struct cspd_ctx c;      the context operations run with (principal, clock)
 * (each test file adds what its own fixture needs). */
#ifndef CSPD_TEST_FIXTURE_H
#define CSPD_TEST_FIXTURE_H

#include "core/ctx.h"
#include "core/errors.h"
#include "store/store.h"

typedef int (*op_fn)(struct cspd_ctx *c, void *arg);

struct call {
  struct cspd_ctx *c;
  op_fn fn;
  void *arg;
};

static inline int call_cb(struct cspd_db *db, void *cls) {
  struct call *k = cls;
  k->c->db = db;
  k->c->err = (struct cspd_err){0};
  return k->fn(k->c, k->arg);
}

/** Run @a fn as the current principal in its own write transaction
 * (committed when it returns 0, rolled back otherwise). */
static inline int run(struct fx *f, op_fn fn, void *arg) {
  struct call k = {&f->c, fn, arg};
  int rc = cspd_store_tx(f->st, true, call_cb, &k, NULL);
  f->c.db = NULL;
  return rc;
}

static inline const char *err_name(const struct fx *f) {
  return cspd_error_info(f->c.err.id)->name;
}
static inline const char *err_detail(const struct fx *f) {
  return f->c.err.detail ? f->c.err.detail : "";
}

/** The call succeeded. */
#define assert_ok(f, expr)                                                                         \
  do {                                                                                             \
    int rc_ = (expr);                                                                              \
    if (rc_ != 0)                                                                                  \
      fail_msg("%s: refused with %s %s (rc %d)", #expr, err_name(f), err_detail(f), rc_);          \
  } while (0)

/** The call was refused with @a want, and the registry gives @a want the
 * program rule @a rule_id (NULL: no rule). */
#define assert_refused_rule(f, expr, want, rule_id)                                                \
  do {                                                                                             \
    int rc_ = (expr);                                                                              \
    if (rc_ == 0)                                                                                  \
      fail_msg("%s: allowed, want refusal %s", #expr, cspd_error_info(want)->name);                \
    assert_int_equal(rc_, -1);                                                                     \
    if ((f)->c.err.id != (want))                                                                   \
      fail_msg("%s: refused with %s %s, want %s", #expr, err_name(f), err_detail(f),               \
               cspd_error_info(want)->name);                                                       \
    const char *rule_ = cspd_error_info((f)->c.err.id)->rule, *want_rule_ = (rule_id);             \
    if (want_rule_ == NULL)                                                                        \
      assert_null(rule_);                                                                          \
    else {                                                                                         \
      assert_non_null(rule_);                                                                      \
      assert_string_equal(rule_, want_rule_);                                                      \
    }                                                                                              \
  } while (0)

/** As assert_refused_rule, and the registry gives @a want the Partner Center
 * code @a pc_code. */
#define assert_refused_code(f, expr, want, rule_id, pc_code)                                       \
  do {                                                                                             \
    assert_refused_rule(f, expr, want, rule_id);                                                   \
    assert_int_equal(cspd_error_info((f)->c.err.id)->code, (pc_code));                             \
  } while (0)

/** assert_refused(f, expr, want, rule_id[, pc_code]) */
#define CSPD_REFUSED_PICK(_1, _2, _3, _4, _5, name, ...) name
#define assert_refused(...)                                                                        \
  CSPD_REFUSED_PICK(__VA_ARGS__, assert_refused_code, assert_refused_rule, unused)(__VA_ARGS__)

#endif
