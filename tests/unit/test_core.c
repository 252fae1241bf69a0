/* test_core.c -- unit tests of the core's small parts: arena, error
 * registry, identifiers and time stamps, markets, clock, roles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/crypto.h"
#include "core/ctx.h"
#include "core/errors.h"
#include "core/markets.h"
#include "core/util.h"

/* the embedded data/markets.tsv (generated source of the library) */
extern const char cspd_markets_tsv[];

static int group_setup(void **state) {
  (void)state;
  return cspd_crypto_init() == 0 && cspd_markets_init() == 0 ? 0 : -1;
}

/* ---- arena ------------------------------------------------------------------- */

static void test_arena_alloc_is_aligned_and_zeroed(void **state) {
  (void)state;
  struct cspd_arena *a = cspd_arena_new(1024);
  assert_non_null(a);
  unsigned char *prev = NULL;
  size_t prev_n = 0;
  for (size_t n = 1; n <= 200; n++) {
    unsigned char *p = cspd_arena_alloc(a, n);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 16, 0);
    for (size_t i = 0; i < n; i++)
      assert_int_equal(p[i], 0);
    memset(p, 0xAB, n);
    /* the previous block is untouched by this one */
    if (prev != NULL)
      for (size_t i = 0; i < prev_n; i++)
        assert_int_equal(prev[i], 0xAB);
    prev = p;
    prev_n = n;
  }
  /* zero bytes still gives a usable, distinct, aligned pointer */
  void *z1 = cspd_arena_alloc(a, 0), *z2 = cspd_arena_alloc(a, 0);
  assert_non_null(z1);
  assert_ptr_not_equal(z1, z2);
  assert_int_equal((uintptr_t)z1 % 16, 0);
  cspd_arena_free(a);
}

static void test_arena_strdup_and_printf(void **state) {
  (void)state;
  struct cspd_arena *a = cspd_arena_new(0);
  char src[] = "hello arena";
  char *d = cspd_arena_strdup(a, src);
  assert_ptr_not_equal(d, src);
  assert_string_equal(d, "hello arena");
  src[0] = 'j';
  assert_string_equal(d, "hello arena");
  assert_null(cspd_arena_strdup(a, NULL));
  assert_null(cspd_arena_strndup(a, NULL, 3));
  assert_string_equal(cspd_arena_strndup(a, "hello", 3), "hel");
  assert_string_equal(cspd_arena_printf(a, "%s-%d-%03d", "x", 42, 7), "x-42-007");
  assert_string_equal(cspd_arena_printf(a, "%s", ""), "");
  /* longer than a chunk */
  char big[5001];
  memset(big, 'q', 5000);
  big[5000] = '\0';
  char *p = cspd_arena_printf(a, "<%s>", big);
  assert_int_equal(strlen(p), 5002);
  assert_int_equal(p[0], '<');
  assert_int_equal(p[5001], '>');
  assert_int_equal((uintptr_t)p % 16, 0);
  cspd_arena_free(a);
}

static void test_arena_reset_reuses_first_chunk(void **state) {
  (void)state;
  struct cspd_arena *a = cspd_arena_new(1024);
  char *first = cspd_arena_alloc(a, 8);
  for (int i = 0; i < 100; i++)
    cspd_arena_alloc(a, 500); /* spills into many chunks */
  cspd_arena_reset(a);
  char *again = cspd_arena_alloc(a, 8);
  assert_ptr_equal(first, again);
  /* and it keeps working after the reset */
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 50; i++) {
      char *s = cspd_arena_printf(a, "round %d item %d", round, i);
      assert_string_equal(s, cspd_arena_printf(a, "round %d item %d", round, i));
    }
    cspd_arena_reset(a);
  }
  cspd_arena_free(a);
  cspd_arena_free(NULL); /* accepted */
}

static void test_arena_many_chunks_keep_their_contents(void **state) {
  (void)state;
  struct cspd_arena *a = cspd_arena_new(1024);
  enum { N = 2000, SZ = 100 };
  unsigned char **ptrs = calloc(N, sizeof *ptrs);
  assert_non_null(ptrs);
  for (int i = 0; i < N; i++) {
    ptrs[i] = cspd_arena_alloc(a, SZ);
    memset(ptrs[i], i & 0xff, SZ);
  }
  unsigned char *huge = cspd_arena_alloc(a, 100000); /* bigger than a chunk */
  memset(huge, 0x5A, 100000);
  for (int i = 0; i < N; i++)
    for (int j = 0; j < SZ; j++)
      assert_int_equal(ptrs[i][j], i & 0xff);
  assert_int_equal(huge[0], 0x5A);
  assert_int_equal(huge[99999], 0x5A);
  free(ptrs);
  cspd_arena_free(a);
}

/* ---- error registry ------------------------------------------------------------ */

static void test_errors_every_entry_is_complete(void **state) {
  (void)state;
  int n = cspd_error_count();
  assert_int_equal(n, CSPD_E__COUNT - 1);
  assert_true(n > 10);
  for (int i = 1; i <= n; i++) {
    const struct cspd_error_info *e = cspd_error_info((enum cspd_error_id)i);
    assert_non_null(e->name);
    assert_true(e->name[0] != '\0');
    assert_true(e->code > 0);
    assert_in_range(e->http_status, 400, 599);
    assert_non_null(e->description);
    assert_true(e->description[0] != '\0');
    if (e->rule != NULL)
      assert_memory_equal(e->rule, "R-", 2);
    /* docs/errors.md is a Markdown table: a '|' or a newline would break its row */
    const char *fields[] = {e->name, e->description, e->rule, e->remedy};
    for (int k = 0; k < 4; k++)
      if (fields[k] != NULL && strpbrk(fields[k], "|\n") != NULL)
        fail_msg("%s: '%s' has '|' or a newline", e->name, fields[k]);
  }
}

static void test_errors_names_are_unique(void **state) {
  (void)state;
  int n = cspd_error_count();
  for (int i = 1; i <= n; i++)
    for (int j = i + 1; j <= n; j++)
      if (strcmp(cspd_error_info((enum cspd_error_id)i)->name,
                 cspd_error_info((enum cspd_error_id)j)->name) == 0)
        fail_msg("duplicate error name %s", cspd_error_info((enum cspd_error_id)i)->name);
}

static void test_errors_unknown_id_gives_internal(void **state) {
  (void)state;
  const struct cspd_error_info *internal = cspd_error_info(CSPD_E_INTERNAL);
  assert_string_equal(internal->name, "INTERNAL");
  assert_int_equal(internal->http_status, 500);
  assert_ptr_equal(cspd_error_info(CSPD_E__COUNT), internal);
  assert_ptr_equal(cspd_error_info((enum cspd_error_id)(CSPD_E__COUNT + 100)), internal);
  assert_ptr_equal(cspd_error_info((enum cspd_error_id) - 1), internal);
  /* a known id is its own entry */
  assert_string_equal(cspd_error_info(CSPD_E_UNKNOWN_COUNTRY)->name, "UNKNOWN_COUNTRY");
  assert_string_equal(cspd_error_info(CSPD_E_UNKNOWN_COUNTRY)->rule, "R-REG-1");
}

static void test_errors_markdown_has_one_row_per_entry(void **state) {
  (void)state;
  char *md = cspd_errors_markdown();
  assert_non_null(md);
  int rows = 0;
  for (char *line = md; line != NULL && *line != '\0';) {
    char *eol = strchr(line, '\n');
    if (strncmp(line, "| ", 2) == 0 && strncmp(line, "| name |", 8) != 0)
      rows++;
    line = eol ? eol + 1 : NULL;
  }
  assert_int_equal(rows, cspd_error_count());
  for (int i = 1; i <= cspd_error_count(); i++) {
    char needle[128];
    snprintf(needle, sizeof needle, "\n| %s | %d | %d |",
             cspd_error_info((enum cspd_error_id)i)->name,
             cspd_error_info((enum cspd_error_id)i)->code,
             cspd_error_info((enum cspd_error_id)i)->http_status);
    if (strstr(md, needle) == NULL)
      fail_msg("no markdown row starting with %s", needle + 1);
  }
  free(md);
}

/* ---- identifiers ------------------------------------------------------------------ */

static void test_guid_new_is_valid_v4_lower_case(void **state) {
  (void)state;
  char a[37], b[37];
  for (int i = 0; i < 50; i++) {
    cspd_guid_new(a);
    assert_int_equal(strlen(a), 36);
    assert_true(cspd_guid_valid(a));
    assert_int_equal(a[14], '4');           /* version 4 */
    assert_non_null(strchr("89ab", a[19])); /* RFC 4122 variant */
    for (int k = 0; k < 36; k++)
      assert_false(isupper((unsigned char)a[k]));
  }
  cspd_guid_new(b);
  assert_string_not_equal(a, b);
}

static void test_guid_valid_rejects_bad_input(void **state) {
  (void)state;
  assert_true(cspd_guid_valid("c0000000-0000-4000-8000-000000000001"));
  assert_true(cspd_guid_valid("C0FFEE00-ABCD-4000-8000-00000000000F"));
  assert_false(cspd_guid_valid(NULL));
  assert_false(cspd_guid_valid(""));
  assert_false(cspd_guid_valid("c0000000-0000-4000-8000-00000000001"));   /* 35 */
  assert_false(cspd_guid_valid("c0000000-0000-4000-8000-0000000000011")); /* 37 */
  assert_false(cspd_guid_valid("{c0000000-0000-4000-8000-000000000001}"));
  assert_false(cspd_guid_valid("g0000000-0000-4000-8000-000000000001"));
  assert_false(cspd_guid_valid("c0000000-0000-4000-8000-00000000000 "));
  assert_false(cspd_guid_valid("c00000000000-4000-8000-0000-00000001")); /* hyphens moved */
  assert_false(cspd_guid_valid("c0000000_0000_4000_8000_000000000001"));
  assert_false(cspd_guid_valid("c00000000000040008000000000000001abc"));
}

static void test_guid_normalize_lowercases(void **state) {
  (void)state;
  char out[37];
  assert_int_equal(cspd_guid_normalize("C0FFEE00-ABCD-4000-8000-00000000000F", out), 0);
  assert_string_equal(out, "c0ffee00-abcd-4000-8000-00000000000f");
  assert_int_equal(cspd_guid_normalize("{C0FFEE00-ABCD-4000-8000-00000000000F}", out), -1);
  assert_int_equal(cspd_guid_normalize("nope", out), -1);
}

static void test_mpn_ids(void **state) {
  (void)state;
  char m[16];
  for (int i = 0; i < 200; i++) {
    cspd_mpn_id_new(m);
    assert_int_equal(strlen(m), 7);
    assert_true(m[0] >= '1' && m[0] <= '9');
    assert_true(cspd_mpn_id_valid(m));
  }
  assert_true(cspd_mpn_id_valid("1"));
  assert_true(cspd_mpn_id_valid("1234567890"));
  assert_false(cspd_mpn_id_valid("12345678901"));
  assert_false(cspd_mpn_id_valid(""));
  assert_false(cspd_mpn_id_valid(NULL));
  assert_false(cspd_mpn_id_valid("12a4"));
  assert_false(cspd_mpn_id_valid("-123"));
  assert_false(cspd_mpn_id_valid(" 123"));
}

/* ---- time stamps ---------------------------------------------------------------- */

#define T_2026_11_22_10 1795341600000LL /* 2026-11-22T10:00:00Z */

static void test_time_format_known_values(void **state) {
  (void)state;
  char out[32];
  cspd_time_format(0, false, out);
  assert_string_equal(out, "1970-01-01T00:00:00Z");
  cspd_time_format(T_2026_11_22_10, false, out);
  assert_string_equal(out, "2026-11-22T10:00:00Z");
  cspd_time_format(T_2026_11_22_10 + 7, true, out);
  assert_string_equal(out, "2026-11-22T10:00:00.007Z");
  cspd_time_format(T_2026_11_22_10 + 999, false, out); /* truncated, not rounded */
  assert_string_equal(out, "2026-11-22T10:00:00Z");
  cspd_time_format(-1, true, out);
  assert_string_equal(out, "1969-12-31T23:59:59.999Z");
}

static void test_time_format_parse_round_trip(void **state) {
  (void)state;
  const int64_t samples[] = {0,
                             1,
                             999,
                             86399999,
                             951782400000LL /* 2000-02-29 */,
                             T_2026_11_22_10 + 123,
                             4102444799999LL /* 2099-12-31 */};
  for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
    char out[32];
    int64_t back = -42;
    cspd_time_format(samples[i], true, out);
    assert_int_equal(cspd_time_parse(out, &back), 0);
    assert_int_equal(back, samples[i]);
    cspd_time_format(samples[i], false, out);
    assert_int_equal(cspd_time_parse(out, &back), 0);
    assert_int_equal(back, samples[i] - samples[i] % 1000);
  }
}

static void test_time_parse_offsets(void **state) {
  (void)state;
  int64_t ms;
  assert_int_equal(cspd_time_parse("2026-11-22T12:00:00+02:00", &ms), 0);
  assert_int_equal(ms, T_2026_11_22_10);
  assert_int_equal(cspd_time_parse("2026-11-22T04:30:00-05:30", &ms), 0);
  assert_int_equal(ms, T_2026_11_22_10);
  assert_int_equal(cspd_time_parse("2026-11-22T10:00:00+00:00", &ms), 0);
  assert_int_equal(ms, T_2026_11_22_10);
  assert_int_equal(cspd_time_parse("2026-11-23T00:30:00+14:30", &ms), 0);
  assert_int_equal(ms, T_2026_11_22_10);
  assert_int_equal(cspd_time_parse("2026-11-22t10:00:00z", &ms), 0);
  assert_int_equal(ms, T_2026_11_22_10);
}

static void test_time_parse_fractional_seconds(void **state) {
  (void)state;
  int64_t ms;
  assert_int_equal(cspd_time_parse("2026-11-22T10:00:00.5Z", &ms), 0);
  assert_int_equal(ms, T_2026_11_22_10 + 500);
  assert_int_equal(cspd_time_parse("2026-11-22T10:00:00.05Z", &ms), 0);
  assert_int_equal(ms, T_2026_11_22_10 + 50);
  assert_int_equal(cspd_time_parse("2026-11-22T10:00:00.123456789Z", &ms), 0);
  assert_int_equal(ms, T_2026_11_22_10 + 123);
  assert_int_equal(cspd_time_parse("2026-11-22T12:00:00.250+02:00", &ms), 0);
  assert_int_equal(ms, T_2026_11_22_10 + 250);
  assert_int_equal(cspd_time_parse("2026-11-22T10:00:00.Z", &ms), -1);
}

static void test_time_parse_date_only_is_midnight_utc(void **state) {
  (void)state;
  int64_t ms;
  assert_int_equal(cspd_time_parse("2026-11-22", &ms), 0);
  assert_int_equal(ms, T_2026_11_22_10 - 10 * 3600 * 1000LL);
  assert_int_equal(cspd_time_parse("2028-02-29", &ms), 0); /* leap year */
  assert_int_equal(cspd_time_parse("1970-01-01", &ms), 0);
  assert_int_equal(ms, 0);
}

static void test_time_parse_rejects_invalid(void **state) {
  (void)state;
  static const char *const bad[] = {"2026-02-30",
                                    "2026-02-29",
                                    "2026-13-01",
                                    "2026-00-10",
                                    "2026-04-31",
                                    "2026-01-00",
                                    "2026-01-32",
                                    "garbage",
                                    "",
                                    "2026-11-22T25:00:00Z",
                                    "2026-11-22T10:60:00Z",
                                    "2026-11-22T10:00:00", /* no zone */
                                    "2026-11-22T10:00Z",
                                    "2026-11-22T10:00:00+0200",
                                    "2026-11-22T10:00:00Zjunk",
                                    "2026-11-22X10:00:00Z",
                                    "26-11-22",
                                    "2026/11/22",
                                    "2026-11-2a",
                                    "2026-11-22 "};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int64_t ms = 777;
    if (cspd_time_parse(bad[i], &ms) != -1)
      fail_msg("'%s' was accepted (%lld)", bad[i], (long long)ms);
  }
  int64_t ms;
  assert_int_equal(cspd_time_parse(NULL, &ms), -1);
}

/* RFC 3339 time-numoffset: hours 00-23, minutes 00-59. */
static void test_time_parse_rejects_out_of_range_offsets(void **state) {
  (void)state;
  static const char *const bad[] = {"2026-11-22T10:00:00+99:99", "2026-11-22T10:00:00+24:00",
                                    "2026-11-22T10:00:00+01:60", "2026-11-22T10:00:00-30:00"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int64_t ms = 777;
    if (cspd_time_parse(bad[i], &ms) != -1) {
      char back[32];
      cspd_time_format(ms, false, back);
      fail_msg("'%s' was accepted as %s", bad[i], back);
    }
  }
  int64_t ms;
  assert_int_equal(cspd_time_parse("2026-11-22T10:00:00+23:59", &ms), 0);
}

/* ---- base64url ------------------------------------------------------------------ */

static void test_b64url_round_trip(void **state) {
  (void)state;
  unsigned char in[64], out[64];
  for (size_t i = 0; i < sizeof in; i++)
    in[i] = (unsigned char)(i * 37 + 250); /* includes bytes that give '-' and '_' */
  for (size_t n = 0; n <= sizeof in; n++) {
    char enc[4 * sizeof in / 3 + 4];
    cspd_b64url_encode(in, n, enc, sizeof enc);
    assert_null(strchr(enc, '='));
    assert_null(strchr(enc, '+'));
    assert_null(strchr(enc, '/'));
    size_t outlen = 999;
    assert_int_equal(cspd_b64url_decode(enc, strlen(enc), out, sizeof out, &outlen), 0);
    assert_int_equal(outlen, n);
    assert_memory_equal(in, out, n);
  }
  char enc[8];
  unsigned char ff[2] = {0xfb, 0xff};
  cspd_b64url_encode(ff, 2, enc, sizeof enc);
  assert_string_equal(enc, "-_8");
}

static void test_b64url_decode_rejects_bad_input(void **state) {
  (void)state;
  unsigned char out[16];
  size_t n;
  assert_int_equal(cspd_b64url_decode("YWI", 3, out, sizeof out, &n), 0);
  assert_int_equal(n, 2);
  assert_memory_equal(out, "ab", 2);
  assert_int_equal(cspd_b64url_decode("YWI=", 4, out, sizeof out, &n), 0); /* padding ok */
  assert_int_equal(n, 2);
  assert_int_equal(cspd_b64url_decode("Y", 1, out, sizeof out, &n), -1);    /* length */
  assert_int_equal(cspd_b64url_decode("YW$I", 4, out, sizeof out, &n), -1); /* alphabet */
  assert_int_equal(cspd_b64url_decode("+/8", 3, out, sizeof out, &n), -1);  /* not url-safe */
  assert_int_equal(cspd_b64url_decode("YW I", 4, out, sizeof out, &n), -1); /* space */
  /* 24 bytes do not fit in 16 */
  assert_int_equal(cspd_b64url_decode("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 32, out, sizeof out, &n),
                   -1);
}

/* ---- markets ------------------------------------------------------------------------ */

static void test_markets_known_countries(void **state) {
  (void)state;
  const struct cspd_market_country *m = cspd_market_of("NL");
  assert_non_null(m);
  assert_string_equal(m->country, "NL");
  assert_string_equal(m->market, "europe");
  assert_string_equal(m->currency, "EUR");
  m = cspd_market_of("GB");
  assert_non_null(m);
  assert_string_equal(m->market, "europe");
  assert_string_equal(m->currency, "GBP");
  m = cspd_market_of("US");
  assert_non_null(m);
  assert_string_equal(m->market, "united-states");
  assert_string_equal(m->currency, "USD");
  size_t n;
  const struct cspd_market_country *all = cspd_markets_all(&n);
  assert_true(n > 200);
  assert_non_null(all);
}

static void test_markets_lookup_is_case_insensitive(void **state) {
  (void)state;
  const struct cspd_market_country *m = cspd_market_of("nl");
  assert_non_null(m);
  assert_string_equal(m->country, "NL");
  assert_ptr_equal(m, cspd_market_of("Nl"));
  assert_ptr_equal(cspd_market_of("gb"), cspd_market_of("GB"));
}

static void test_markets_unknown_country_is_refused(void **state) {
  (void)state;
  assert_null(cspd_market_of("XX"));
  assert_null(cspd_market_of("NLD"));
  assert_null(cspd_market_of("N"));
  assert_null(cspd_market_of(""));
  assert_null(cspd_market_of(NULL));
}

static void test_markets_init_is_idempotent(void **state) {
  (void)state;
  assert_int_equal(cspd_markets_init(), 0);
  assert_int_equal(cspd_markets_init(), 0);
  assert_non_null(cspd_market_of("NL"));
}

static void test_markets_load_replaces_table(void **state) {
  (void)state;
  assert_int_equal(cspd_markets_load("# comment\n"
                                     "alpha\tAA bb\tEUR\n"
                                     "\n"
                                     "beta\tCC\tUSD"),
                   0);
  size_t n;
  cspd_markets_all(&n);
  assert_int_equal(n, 3);
  assert_string_equal(cspd_market_of("bb")->market, "alpha");
  assert_string_equal(cspd_market_of("BB")->country, "BB");
  assert_string_equal(cspd_market_of("CC")->currency, "USD");
  assert_null(cspd_market_of("NL"));
  assert_int_equal(cspd_markets_load(cspd_markets_tsv), 0); /* restore */
  assert_string_equal(cspd_market_of("NL")->market, "europe");
}

static void test_markets_load_refuses_malformed_table(void **state) {
  (void)state;
  static const char *const bad[] = {
      "europe\tNL\n",        /* two fields */
      "europe NL EUR\n",     /* no tabs */
      "europe\tNLD\tEUR\n",  /* country of 3 letters */
      "europe\tNL\tEURO\n",  /* currency of 4 letters */
      "europe\tNL\tEUR\r\n", /* CRLF */
      "",                    /* empty */
      "# only a comment\n",  /* no entries */
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    if (cspd_markets_load(bad[i]) != -1)
      fail_msg("malformed table %zu was accepted", i);
  assert_int_equal(cspd_markets_load(cspd_markets_tsv), 0); /* restore */
  assert_non_null(cspd_market_of("NL"));
}

/* ---- clock ---------------------------------------------------------------------- */

static int clock_teardown(void **state) {
  (void)state;
  struct cspd_clock_state zero = {0};
  cspd_clock_set_state(&zero);
  return 0;
}

static void test_clock_state_at_frozen(void **state) {
  (void)state;
  struct cspd_clock_state s;
  cspd_clock_state_at(T_2026_11_22_10, true, &s);
  assert_true(s.frozen);
  assert_int_equal(s.frozen_ms, T_2026_11_22_10);
  cspd_clock_set_state(&s);
  assert_int_equal(cspd_clock_now(), T_2026_11_22_10);
  assert_int_equal(cspd_clock_now(), T_2026_11_22_10);
  struct cspd_clock_state got;
  cspd_clock_get(&got);
  assert_true(got.frozen);
  assert_int_equal(got.frozen_ms, T_2026_11_22_10);
}

static void test_clock_state_at_unfrozen_runs_from_there(void **state) {
  (void)state;
  struct cspd_clock_state s;
  const int64_t target = cspd_wall_ms() + 30LL * 86400 * 1000; /* 30 days ahead */
  cspd_clock_state_at(target, false, &s);
  assert_false(s.frozen);
  cspd_clock_set_state(&s);
  int64_t now = cspd_clock_now();
  assert_true(now >= target);
  assert_true(now < target + 5000);
  /* the offset is what moves it, not the wall clock */
  assert_true(s.offset_ms > 30LL * 86400 * 1000 - 5000);
}

static void test_clock_set_state_then_now_reflects_offset(void **state) {
  (void)state;
  struct cspd_clock_state s = {.offset_ms = -3600 * 1000LL, .frozen = false};
  cspd_clock_set_state(&s);
  int64_t wall = cspd_wall_ms();
  int64_t now = cspd_clock_now();
  assert_true(now <= wall - 3600 * 1000LL + 1000);
  assert_true(now >= wall - 3600 * 1000LL - 1000);
  struct cspd_clock_state zero = {0};
  cspd_clock_set_state(&zero);
  wall = cspd_wall_ms();
  now = cspd_clock_now();
  assert_true(now >= wall && now < wall + 1000);
}

static void test_clock_encode_decode_round_trip(void **state) {
  (void)state;
  const struct cspd_clock_state samples[] = {
      {0, false, 0},
      {-86400000LL, false, 0},
      {0, true, T_2026_11_22_10},
      {123456789012LL, true, -5},
  };
  for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
    char buf[64];
    struct cspd_clock_state back = {777, true, 777};
    cspd_clock_encode(&samples[i], buf);
    assert_int_equal(cspd_clock_decode(buf, &back), 0);
    assert_int_equal(back.offset_ms, samples[i].offset_ms);
    assert_int_equal(back.frozen, samples[i].frozen);
    assert_int_equal(back.frozen_ms, samples[i].frozen_ms);
  }
}

static void test_clock_decode_rejects_garbage(void **state) {
  (void)state;
  struct cspd_clock_state s = {11, true, 22};
  assert_int_equal(cspd_clock_decode("garbage", &s), -1);
  assert_int_equal(cspd_clock_decode("", &s), -1);
  assert_int_equal(cspd_clock_decode("1 2", &s), -1);
  assert_int_equal(cspd_clock_decode("1 x 2", &s), -1);
  /* untouched on failure */
  assert_int_equal(s.offset_ms, 11);
  assert_true(s.frozen);
  assert_int_equal(s.frozen_ms, 22);
}

/* ---- roles and tenant kinds ---------------------------------------------------------- */

static void test_role_parse_name_round_trip(void **state) {
  (void)state;
  int n = 0;
  for (unsigned bit = 1; bit <= CSPD_ROLE_OPERATOR; bit <<= 1) {
    const char *name = cspd_role_name((enum cspd_role)bit);
    assert_non_null(name);
    unsigned back = 0;
    assert_int_equal(cspd_role_parse(name, &back), 0);
    assert_int_equal(back, bit);
    n++;
  }
  assert_int_equal(n, 7);
  assert_string_equal(cspd_role_name(CSPD_ROLE_GLOBAL_ADMIN), "global_admin");
  assert_string_equal(cspd_role_name(CSPD_ROLE_CUSTOMER_ADMIN), "customer_admin");
  unsigned r = 0;
  assert_int_equal(cspd_role_parse("Global_Admin", &r), 0);
  assert_int_equal(r, CSPD_ROLE_GLOBAL_ADMIN);
  assert_int_equal(cspd_role_parse("root", &r), -1);
  assert_int_equal(cspd_role_parse("", &r), -1);
  assert_null(cspd_role_name((enum cspd_role)0));
  assert_null(cspd_role_name((enum cspd_role)(CSPD_ROLE_OPERATOR << 1)));
}

static void test_roles_for_kind(void **state) {
  (void)state;
  assert_int_equal(cspd_roles_for_kind(CSPD_TENANT_OPERATOR), CSPD_ROLE_OPERATOR);
  assert_int_equal(cspd_roles_for_kind(CSPD_TENANT_PARTNER),
                   CSPD_ROLE_GLOBAL_ADMIN | CSPD_ROLE_ADMIN_AGENT | CSPD_ROLE_SALES_AGENT |
                       CSPD_ROLE_HELPDESK_AGENT | CSPD_ROLE_BILLING_ADMIN);
  assert_int_equal(cspd_roles_for_kind(CSPD_TENANT_CUSTOMER), CSPD_ROLE_CUSTOMER_ADMIN);
  assert_int_equal(cspd_roles_for_kind(CSPD_TENANT_NONE), 0);
  /* no role belongs to two kinds */
  assert_int_equal(
      cspd_roles_for_kind(CSPD_TENANT_PARTNER) & cspd_roles_for_kind(CSPD_TENANT_CUSTOMER), 0);
  assert_int_equal(
      cspd_roles_for_kind(CSPD_TENANT_PARTNER) & cspd_roles_for_kind(CSPD_TENANT_OPERATOR), 0);
}

static void test_tenant_kind_name_parse_round_trip(void **state) {
  (void)state;
  for (int k = CSPD_TENANT_OPERATOR; k <= CSPD_TENANT_CUSTOMER; k++)
    assert_int_equal(cspd_tenant_kind_parse(cspd_tenant_kind_name((enum cspd_tenant_kind)k)), k);
  assert_int_equal(cspd_tenant_kind_parse("reseller"), CSPD_TENANT_NONE);
  assert_int_equal(cspd_tenant_kind_parse(NULL), CSPD_TENANT_NONE);
  assert_string_equal(cspd_tenant_kind_name(CSPD_TENANT_NONE), "none");
}

static void test_fail_records_error_and_data(void **state) {
  (void)state;
  struct cspd_arena *a = cspd_arena_new(0);
  struct cspd_ctx c = {.arena = a};
  assert_int_equal(cspd_fail(&c, CSPD_E_INVALID_INPUT, "field %s is %d", "x", 5), -1);
  assert_int_equal(c.err.id, CSPD_E_INVALID_INPUT);
  assert_string_equal(c.err.detail, "field x is 5");
  const int cap = (int)(sizeof c.err.data / sizeof c.err.data[0]);
  static const char *const items[] = {"d0",  "d1",  "d2",  "d3",  "d4",  "d5",  "d6",
                                      "d7",  "d8",  "d9",  "d10", "d11", "d12", "d13",
                                      "d14", "d15", "d16", "d17", "d18", "d19"};
  assert_true(cap < 20);
  for (int i = 0; i < 20; i++)
    cspd_fail_data(&c, items[i]); /* the surplus is dropped, not written past the array */
  assert_int_equal(c.err.ndata, cap);
  assert_string_equal(c.err.data[0], "d0");
  assert_string_equal(c.err.data[cap - 1], items[cap - 1]);
  assert_int_equal(cspd_fail(&c, CSPD_E_NOT_FOUND, NULL), -1);
  assert_int_equal(c.err.id, CSPD_E_NOT_FOUND);
  assert_null(c.err.detail);
  assert_int_equal(c.err.ndata, 0);
  cspd_arena_free(a);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_arena_alloc_is_aligned_and_zeroed),
      cmocka_unit_test(test_arena_strdup_and_printf),
      cmocka_unit_test(test_arena_reset_reuses_first_chunk),
      cmocka_unit_test(test_arena_many_chunks_keep_their_contents),
      cmocka_unit_test(test_errors_every_entry_is_complete),
      cmocka_unit_test(test_errors_names_are_unique),
      cmocka_unit_test(test_errors_unknown_id_gives_internal),
      cmocka_unit_test(test_errors_markdown_has_one_row_per_entry),
      cmocka_unit_test(test_guid_new_is_valid_v4_lower_case),
      cmocka_unit_test(test_guid_valid_rejects_bad_input),
      cmocka_unit_test(test_guid_normalize_lowercases),
      cmocka_unit_test(test_mpn_ids),
      cmocka_unit_test(test_time_format_known_values),
      cmocka_unit_test(test_time_format_parse_round_trip),
      cmocka_unit_test(test_time_parse_offsets),
      cmocka_unit_test(test_time_parse_fractional_seconds),
      cmocka_unit_test(test_time_parse_date_only_is_midnight_utc),
      cmocka_unit_test(test_time_parse_rejects_invalid),
      cmocka_unit_test(test_time_parse_rejects_out_of_range_offsets),
      cmocka_unit_test(test_b64url_round_trip),
      cmocka_unit_test(test_b64url_decode_rejects_bad_input),
      cmocka_unit_test(test_markets_known_countries),
      cmocka_unit_test(test_markets_lookup_is_case_insensitive),
      cmocka_unit_test(test_markets_unknown_country_is_refused),
      cmocka_unit_test(test_markets_init_is_idempotent),
      cmocka_unit_test(test_markets_load_replaces_table),
      cmocka_unit_test(test_markets_load_refuses_malformed_table),
      cmocka_unit_test_teardown(test_clock_state_at_frozen, clock_teardown),
      cmocka_unit_test_teardown(test_clock_state_at_unfrozen_runs_from_there, clock_teardown),
      cmocka_unit_test_teardown(test_clock_set_state_then_now_reflects_offset, clock_teardown),
      cmocka_unit_test(test_clock_encode_decode_round_trip),
      cmocka_unit_test(test_clock_decode_rejects_garbage),
      cmocka_unit_test(test_role_parse_name_round_trip),
      cmocka_unit_test(test_roles_for_kind),
      cmocka_unit_test(test_tenant_kind_name_parse_round_trip),
      cmocka_unit_test(test_fail_records_error_and_data),
  };
  return cmocka_run_group_tests_name("core", tests, group_setup, NULL);
}
