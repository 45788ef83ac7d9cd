/* test_lexicon_keys.c - every form a lexicon term expands into is matched, and no other: the
 * optional parts "(s)" (one or two per term), words run together as a hashtag, vowels hidden
 * with '*', and multi-word terms, whose word prefixes alone must not match. Guards the key
 * building in host/lib/lexicon.c (copied with memcpy since the benchmark found snprintf there
 * to be a fifth of the pack's load time). */
#include <check.h>
#include <string.h>

#include "postguard.h"

static pg_ctx *ctx;

static void setup(void) {
    pg_error err;
    ck_assert_int_eq(pg_ctx_new(&ctx), PG_OK);
    ck_assert_msg(pg_ctx_load(ctx, PG_LEXICON_PACK, &err) == PG_OK, "%s", err.message);
}

static void teardown(void) {
    pg_ctx_free(ctx);
}

static size_t hits(const char *text) {
    pg_result *r = NULL;
    pg_error err;
    ck_assert_int_eq(pg_check(ctx, text, strlen(text), &r, &err), PG_OK);
    size_t n = r->nfindings;
    pg_result_free(r);
    return n;
}

START_TEST(optional_parts_expand_into_every_combination) {
    const char *yes[] = {"a frequent flyer", "two frequent flyers", "admit", "readmit",
                         "admitted", "readmitted", "drug seeker", "drug seekers"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        ck_assert_msg(hits(yes[i]) == 1, "\"%s\" is not matched", yes[i]);
    const char *no[] = {"frequent flyerss", "readmitt", "readmittance", "seekers"};
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        ck_assert_msg(hits(no[i]) == 0, "\"%s\" is matched", no[i]);
}
END_TEST

START_TEST(hashtags_and_hidden_vowels_match_multi_word_terms) {
    ck_assert_uint_eq(hits("#FrequentFlyers again"), 1);
    ck_assert_uint_eq(hits("#drugseeker"), 1);
    ck_assert_uint_eq(hits("another dr*g s**ker"), 1);
}
END_TEST

START_TEST(a_multi_word_term_matches_whole_and_not_by_its_first_words) {
    ck_assert_uint_eq(hits("at Johnson Memorial Hospital today"), 1);
    ck_assert_uint_eq(hits("at Johnson Memorial today"), 0);
    ck_assert_uint_eq(hits("Johnson said"), 0);
}
END_TEST

int main(void) {
    Suite *s = suite_create("lexicon keys");
    TCase *tc = tcase_create("expansion");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, optional_parts_expand_into_every_combination);
    tcase_add_test(tc, hashtags_and_hidden_vowels_match_multi_word_terms);
    tcase_add_test(tc, a_multi_word_term_matches_whole_and_not_by_its_first_words);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_VERBOSE);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
