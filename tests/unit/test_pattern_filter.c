/* test_pattern_filter.c - Check suite for the pattern prefilter and pattern sharing: a pattern
 * is skipped only when a byte every match needs is absent, and rules sharing a pattern all fire. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fullscan.h"
#include "internal.h"

/* Compile src and say whether the filter lets it run on text; also whether PCRE2 itself
 * finds a match, so every "skipped" below is checked against the real matcher. */
static int may_match(const char *src, int caseless, const char *text, int *matches) {
    pg_pattern p;
    pg_error err;
    ck_assert_int_eq(pg_pattern_compile(&p, src, caseless, 0, &err), PG_OK);
    uint8_t present[32];
    pg_bytes_present(text, strlen(text), present);
    int may = pg_pattern_may_match(&p, present, strlen(text));
    /* the engine's copy may be compiled anchored (start_table.c runs it only where a match can
     * start), so the answer comes from the same source compiled for a search */
    pcre2_code *re = pg_full_compile(src, caseless);
    ck_assert_ptr_nonnull(re);
    pcre2_match_data *md = pcre2_match_data_create(4, NULL);
    *matches = pcre2_match(re, (PCRE2_SPTR)text, strlen(text), 0, 0, md, NULL) >= 0;
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    pg_pattern_free(&p);
    return may;
}

START_TEST(a_pattern_is_skipped_when_its_required_literal_is_absent) {
    int m;
    const char *pat = "\\bbed\\s+(?:one|two)\\s+rounds";
    ck_assert_int_eq(may_match(pat, 1, "the patient in bed two rounds early", &m), 1);
    ck_assert_int_eq(m, 1);
    /* no 'b' (the first code unit) */
    ck_assert_int_eq(may_match(pat, 1, "the patient in red two rounds early", &m), 0);
    ck_assert_int_eq(m, 0);
    /* no 'd' at the end: PCRE2's required last code unit */
    ck_assert_int_eq(may_match("\\bbox\\w*d", 1, "a box of apples", &m), 0);
    ck_assert_int_eq(m, 0);
    ck_assert_int_eq(may_match("\\bbox\\w*d", 1, "a boxed set", &m), 1);
    ck_assert_int_eq(m, 1);
    /* too short for the minimum length */
    ck_assert_int_eq(may_match("abcdef", 1, "abc", &m), 0);
    ck_assert_int_eq(m, 0);
    /* a set of possible first bytes: none present */
    ck_assert_int_eq(may_match("(?:x|q)\\d", 0, "12 apples", &m), 0);
    ck_assert_int_eq(m, 0);
    ck_assert_int_eq(may_match("(?:x|q)\\d", 0, "code q7", &m), 1);
    ck_assert_int_eq(m, 1);
}
END_TEST

START_TEST(the_filter_never_skips_a_text_that_matches) {
    int m;
    /* caseless: the other case of the literal counts */
    ck_assert_int_eq(may_match("abc", 1, "ABC", &m), 1);
    ck_assert_int_eq(m, 1);
    /* an inline (?i) in a case-sensitive pattern */
    ck_assert_int_eq(may_match("(?i)abc", 0, "xABCx", &m), 1);
    ck_assert_int_eq(m, 1);
    ck_assert_int_eq(may_match("z(?i:q)", 0, "zQ", &m), 1);
    ck_assert_int_eq(m, 1);
    /* in UTF mode a caseless 's' matches the long s and 'k' the Kelvin sign */
    ck_assert_int_eq(may_match("s", 1, "\xc5\xbf", &m), 1);
    ck_assert_int_eq(m, 1);
    ck_assert_int_eq(may_match("k", 1, "\xe2\x84\xaa", &m), 1);
    ck_assert_int_eq(m, 1);
    /* a caseless accented letter: its capital */
    ck_assert_int_eq(may_match("\xc3\xa9t\xc3\xa9", 1, "\xc3\x89T\xc3\x89", &m), 1);
    ck_assert_int_eq(m, 1);
    /* an alternation with no common byte is not filtered wrongly */
    ck_assert_int_eq(may_match("cat|dog", 1, "hotdog", &m), 1);
    ck_assert_int_eq(m, 1);
}
END_TEST

static char tmpdir[64];

START_TEST(rules_sharing_a_pattern_share_its_code_and_all_fire) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/pg-filter-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    char path[128];
    snprintf(path, sizeof path, "%s/pack.json", tmpdir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
#define R(id, m)                                                                             \
    "{\"id\":\"" id "\",\"category\":\"privacy\",\"section\":\"3.1\",\"severity\":\"high\","  \
    "\"message\":\"m\",\"explanation\":\"e\",\"suggestion\":\"s\",\"examples\":"           \
    "{\"match\":[\"zorblax\"],\"nomatch\":[\"no\"]},\"match\":" m "}"
    fputs("{\"id\":\"t\",\"version\":\"1\",\"sections\":{\"3.1\":{\"title\":\"Privacy\","
          "\"text\":\"Registrants should avoid posting patient information.\"}},\"rules\":["
          R("privacy.a", "{\"pattern\":\"\\\\bzorblax\\\\b\"}") ","
          R("privacy.b", "{\"pattern\":\"\\\\bzorblax\\\\b\"}") ","
          R("privacy.c", "{\"pattern\":\"\\\\bzorblax\\\\b\",\"case\":true}") "]}",
          f);
#undef R
    fclose(f);

    /* a and b share one compiled pattern; c (case-sensitive, on the raw text) has its own */
    pg_pack *p = NULL;
    pg_error err;
    pg_status st = pg_pack_load(path, 0, &p, &err);
    ck_assert_msg(st == PG_OK, "loading: %s", err.message);
    ck_assert_uint_eq(p->nmatchers, 3);
    ck_assert_ptr_eq(p->matchers[0]->pat.code, p->matchers[1]->pat.code);
    ck_assert_int_eq(p->matchers[0]->pat.slot, p->matchers[1]->pat.slot);
    ck_assert_ptr_ne(p->matchers[0]->pat.code, p->matchers[2]->pat.code);
    ck_assert_int_ne(p->matchers[0]->pat.slot, p->matchers[2]->pat.slot);
    pg_pack_free(p);

    pg_ctx *c;
    ck_assert_int_eq(pg_ctx_new(&c), PG_OK);
    ck_assert_int_eq(pg_ctx_load(c, path, &err), PG_OK);
    const char *texts[] = {"ZORBLAX again", "zorblax again", "nothing here"};
    const size_t want[] = {2, 3, 0};
    for (int t = 0; t < 3; t++)
        for (int round = 0; round < 2; round++) { /* the cache is reset between checks */
            pg_result *r = NULL;
            ck_assert_int_eq(pg_check(c, texts[t], strlen(texts[t]), &r, &err), PG_OK);
            ck_assert_uint_eq(r->nfindings, want[t]);
            int a = 0, b = 0, cc = 0;
            for (size_t i = 0; i < r->nfindings; i++) {
                a |= strcmp(r->findings[i].rule, "privacy.a") == 0;
                b |= strcmp(r->findings[i].rule, "privacy.b") == 0;
                cc |= strcmp(r->findings[i].rule, "privacy.c") == 0;
            }
            ck_assert_int_eq(a, want[t] > 0);
            ck_assert_int_eq(b, want[t] > 0);
            ck_assert_int_eq(cc, want[t] == 3);
            pg_result_free(r);
        }
    pg_ctx_free(c);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* A rule whose supporting lexicon evidence is absent from the whole post makes no finding, so
 * its primary pattern is not run at all: a pattern built to hit the match limit shows it. */
START_TEST(a_rule_without_its_supporting_words_runs_no_pattern) {
    char dir[64], path[128];
    snprintf(dir, sizeof dir, "/tmp/pg-near-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/pack.json", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("{\"id\":\"t\",\"version\":\"1\",\"sections\":{\"3.1\":{\"title\":\"Privacy\","
          "\"text\":\"Registrants should avoid posting patient information.\"}},\"rules\":["
          "{\"id\":\"privacy.n\",\"category\":\"privacy\",\"section\":\"3.1\",\"severity\":\"high\","
          "\"message\":\"m\",\"explanation\":\"e\",\"suggestion\":\"s\",\"examples\":"
          "{\"match\":[\"support zab\"],\"nomatch\":[\"zab\"]},"
          "\"match\":{\"pattern\":\"\\\\bz(?:a|a)*b\"},"
          "\"near\":{\"any\":[{\"terms\":[\"support\"]}],\"window\":\"post\"}}]}",
          f);
    fclose(f);
    pg_ctx *c;
    pg_error err;
    ck_assert_int_eq(pg_ctx_new(&c), PG_OK);
    ck_assert_msg(pg_ctx_load(c, path, &err) == PG_OK, "%s", err.message);
    char text[128] = "support z";
    memset(text + 9, 'a', 40); /* (a|a)* on 40 a's not followed by b: past the match limit */
    strcpy(text + 49, "c b");
    pg_result *r = NULL;
    ck_assert_int_eq(pg_check(c, text, strlen(text), &r, &err), PG_OK);
    ck_assert_uint_eq(r->limit_hits, 1); /* with its support, the pattern runs */
    pg_result_free(r);
    ck_assert_int_eq(pg_check(c, text + 8, strlen(text + 8), &r, &err), PG_OK);
    ck_assert_uint_eq(r->limit_hits, 0); /* without it, it is never tried */
    ck_assert_uint_eq(r->nfindings, 0);
    pg_result_free(r);
    ck_assert_int_eq(pg_check(c, "support zaab", 12, &r, &err), PG_OK);
    ck_assert_uint_eq(r->nfindings, 1);
    pg_result_free(r);
    pg_ctx_free(c);
    unlink(path);
    rmdir(dir);
}
END_TEST

static Suite *filter_suite(void) {
    Suite *s = suite_create("pattern_filter");
    TCase *t = tcase_create("filter");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, a_pattern_is_skipped_when_its_required_literal_is_absent);
    tcase_add_test(t, the_filter_never_skips_a_text_that_matches);
    tcase_add_test(t, rules_sharing_a_pattern_share_its_code_and_all_fire);
    tcase_add_test(t, a_rule_without_its_supporting_words_runs_no_pattern);
    suite_add_tcase(s, t);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(filter_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
