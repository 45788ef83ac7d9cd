/* test_model.c - the learned scorer and normalisation, through the public API: a hand-made
 * model whose scores can be worked out by hand (tests/unit/model/), the features the trainer
 * reads, loading errors, and underlines that stay exact when the text is disguised. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checked.h"
#include "postguard.h"

#ifndef PG_MODEL_PACK
#error "PG_MODEL_PACK must name tests/unit/model/pack.json"
#endif

static pg_ctx *ctx;

static void load_model_pack(void) { ctx = pgt_load(PG_MODEL_PACK); }

static void free_ctx(void) {
    pg_ctx_free(ctx);
    ctx = NULL;
}

/* The text a UTF-16 span covers, as UTF-8 (the extension's view of an underline). */
static char *covered(const char *text, pg_span sp) {
    static char buf[256];
    size_t n = sp.byte_end - sp.byte_start;
    ck_assert_uint_lt(n, sizeof buf);
    memcpy(buf, text + sp.byte_start, n);
    buf[n] = '\0';
    /* the UTF-16 offsets must name the same characters as the byte offsets */
    size_t bytes[2] = {sp.byte_start, sp.byte_end}, units[2];
    pg_utf16_offsets(text, strlen(text), bytes, units, 2);
    ck_assert_uint_eq(units[0], sp.start);
    ck_assert_uint_eq(units[1], sp.end);
    return buf;
}

static int underlines(const pg_finding *f, const char *text, const char *want) {
    for (size_t i = 0; i < f->nspans; i++)
        if (strcmp(covered(text, f->spans[i]), want) == 0) return 1;
    return 0;
}

/* ---- scoring ---- */

START_TEST(learned_rule_fires_at_its_threshold_and_underlines_the_heaviest_words) {
    /* z = -4 + 2 (snowmobile) + 1.5 (gimli) + 1 (last night) = 0.5: p = 0.62 >= 0.5 */
    const char *t = "Snowmobile crash in Gimli last night 😢";
    pg_result *r = pgt_check(ctx, t);
    const pg_finding *f = pgt_find_rule(r, "privacy.learned");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->severity, PG_SEV_MEDIUM);
    ck_assert_double_eq_tol(f->confidence, 0.622, 0.001);
    ck_assert_str_eq(covered(t, f->span), "Snowmobile"); /* the heaviest first */
    ck_assert(underlines(f, t, "Gimli"));
    ck_assert(underlines(f, t, "last night"));
    ck_assert(!underlines(f, t, "crash")); /* no weight: not underlined */
    pg_result_free(r);
}
END_TEST

START_TEST(learned_rule_stays_silent_below_its_threshold) {
    pg_result *r = pgt_check(ctx, "Snowmobile crash in Gimli"); /* z = -0.5 */
    ck_assert_ptr_null(pgt_find_rule(r, "privacy.learned"));
    pg_result_free(r);
    r = pgt_check(ctx, "hello, snowmobile crash in Gimli last night"); /* -1 for hello: z = -0.5 */
    ck_assert_ptr_null(pgt_find_rule(r, "privacy.learned"));
    pg_result_free(r);
}
END_TEST

START_TEST(learned_rule_adds_nothing_where_a_rule_of_its_category_stands) {
    /* respect.label (medium) fires; the model would also reach 0.5 + 3 for respect */
    pg_result *r = pgt_check(ctx, "lazy idiots, every frequent flyer");
    ck_assert_ptr_nonnull(pgt_find_rule(r, "respect.label"));
    ck_assert_ptr_null(pgt_find_rule(r, "respect.learned"));
    pg_result_free(r);
    r = pgt_check(ctx, "lazy idiots");
    ck_assert_ptr_nonnull(pgt_find_rule(r, "respect.learned"));
    pg_result_free(r);
}
END_TEST

START_TEST(rule_findings_and_lexicons_are_features_of_the_model) {
    /* low privacy.patient-word (0.5) + l:patient-refs (1.5) + 67M as w:0m (1.5) + gimli 1.5 */
    const char *t = "my patient, 67M from Gimli";
    pg_result *r = pgt_check(ctx, t);
    const pg_finding *f = pgt_find_rule(r, "privacy.learned");
    ck_assert_ptr_nonnull(f);
    ck_assert(underlines(f, t, "67M"));
    ck_assert(underlines(f, t, "patient"));
    pg_result_free(r);
}
END_TEST

START_TEST(a_disabled_learned_rule_is_silent) {
    pg_error err;
    const char *ov = "{\"disable\": [\"respect.learned\"]}";
    pg_status st = pg_ctx_set_overlay(ctx, ov, strlen(ov), &err);
    ck_assert_msg(st == PG_OK, "%s", err.message);
    pg_result *r = pgt_check(ctx, "lazy idiots");
    ck_assert_ptr_null(pgt_find_rule(r, "respect.learned"));
    pg_result_free(r);
}
END_TEST

/* ---- the features the trainer reads ---- */

typedef struct feats {
    char all[4096];
    int n;
} feats;

static int collect(void *ud, const char *f, size_t n) {
    feats *fs = ud;
    size_t l = strlen(fs->all);
    snprintf(fs->all + l, sizeof fs->all - l, "|%.*s", (int)n, f);
    fs->n++;
    return 0;
}

START_TEST(features_are_listed_once_each_with_digits_as_shapes) {
    feats fs = {"", 0};
    size_t words = 0;
    pg_error err;
    const char *t = "67M in bed 4, 67M again! @sam #tag";
    ck_assert_int_eq(pg_features(ctx, t, strlen(t), collect, &fs, &words, &err), PG_OK);
    ck_assert_uint_eq(words, 8); /* 67m in bed 4 67m again sam tag */
    ck_assert_ptr_nonnull(strstr(fs.all, "|w:0m|"));
    ck_assert_ptr_nonnull(strstr(fs.all, "|b:bed 0|"));
    ck_assert_ptr_nonnull(strstr(fs.all, "|c:bed>|"));
    ck_assert_ptr_null(strstr(fs.all, "|c:<0m")); /* words under three letters have no 4-grams */
    ck_assert_ptr_nonnull(strstr(fs.all, "|c:<bed|"));
    ck_assert_ptr_nonnull(strstr(fs.all, "|g:mention|"));
    ck_assert_ptr_nonnull(strstr(fs.all, "|g:hashtag|"));
    ck_assert_ptr_nonnull(strstr(fs.all, "|g:len0"));
    const char *first = strstr(fs.all, "|w:0m|");
    ck_assert_ptr_null(strstr(first + 1, "|w:0m|")); /* distinct */
    fs.all[0] = '\0';
    t = "my patient and a frequent flyer";
    ck_assert_int_eq(pg_features(ctx, t, strlen(t), collect, &fs, NULL, &err), PG_OK);
    ck_assert_ptr_nonnull(strstr(fs.all, "|l:patient-refs"));
    ck_assert_ptr_nonnull(strstr(fs.all, "|r:privacy.patient-word"));
    ck_assert_ptr_nonnull(strstr(fs.all, "|r:respect.label"));
    ck_assert_ptr_null(strstr(fs.all, "learned")); /* the learned rules never feed themselves */
}
END_TEST

/* ---- loading ---- */

static char dir[] = "/tmp/pg-model-XXXXXX";

static void write_file(const char *name, const char *body) {
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *fp = fopen(p, "w");
    ck_assert_ptr_nonnull(fp);
    fputs(body, fp);
    fclose(fp);
}

/* A one-file pack in dir naming weights file `model` (NULL: no "model" key). */
static pg_status load_with(const char *model, const char *weights, pg_error *err) {
    ck_assert_ptr_nonnull(mkdtemp(strcpy(dir, "/tmp/pg-model-XXXXXX")));
    char pack[2048];
    snprintf(pack, sizeof pack,
             "{\"id\": \"t\", \"version\": \"1\", %s%s%s \"sections\": {\"3.1\": {\"title\": \"P\", \"text\": \"T\"}},"
             " \"rules\": [{\"id\": \"privacy.learned\", \"category\": \"privacy\", \"section\": \"3.1\","
             " \"severity\": \"medium\", \"learned\": true, \"message\": \"m\", \"explanation\": \"e\","
             " \"suggestion\": \"s\", \"examples\": {\"match\": [\"x\"], \"nomatch\": []}}]}",
             model ? "\"model\": \"" : "", model ? model : "", model ? "\"," : "");
    write_file("pack.json", pack);
    if (weights) write_file("w.tsv", weights);
    char p[512];
    snprintf(p, sizeof p, "%s/pack.json", dir);
    pg_ctx *c;
    ck_assert_int_eq(pg_ctx_new(&c), PG_OK);
    pg_status st = pg_ctx_load(c, p, err);
    pg_ctx_free(c);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
    return st;
}

#define GOOD_HEAD "postguard-model\t1\ncategories\tprivacy\nfeatures\tw\nbias\t-1\nthreshold\t0.5\n"

START_TEST(a_missing_weights_file_is_named_with_what_to_do) {
    pg_error err;
    ck_assert_int_eq(load_with("w.tsv", NULL, &err), PG_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(err.message, "w.tsv"));
    ck_assert_ptr_nonnull(strstr(err.message, "train.sh"));
}
END_TEST

START_TEST(a_bad_weight_is_reported_with_its_line) {
    pg_error err;
    ck_assert_int_eq(load_with("w.tsv", GOOD_HEAD "w:a\t1\nw:b\tabc\n", &err), PG_ERULE);
    ck_assert_int_eq(err.offset, 7);
    ck_assert_ptr_nonnull(strstr(err.message, ":7:"));
    ck_assert_ptr_nonnull(strstr(err.message, "'abc' is not a number"));
}
END_TEST

START_TEST(a_weight_row_is_counted_before_its_weights_are_judged) {
    pg_error err;
    ck_assert_int_eq(load_with("w.tsv", GOOD_HEAD "w:a\tabc\t2\n", &err), PG_ERULE);
    ck_assert_ptr_nonnull(strstr(err.message, "one number per category"));
    ck_assert_int_eq(load_with("w.tsv", GOOD_HEAD "w:a\t0.5x\n", &err), PG_ERULE);
    ck_assert_ptr_nonnull(strstr(err.message, "'0.5x' is not a number"));
    ck_assert_int_eq(load_with("w.tsv", GOOD_HEAD "w:a\t\n", &err), PG_ERULE);
    ck_assert_ptr_nonnull(strstr(err.message, "'' is not a number"));
    /* forms the fast reading leaves to strtod, and a negative zero */
    ck_assert_int_eq(load_with("w.tsv", GOOD_HEAD "w:a\t1e-3\nw:b\t-0\nw:c\t0.1234567890123456789\n", &err),
                     PG_OK);
}
END_TEST

START_TEST(weights_files_with_faults_are_refused) {
    pg_error err;
    ck_assert_int_eq(load_with("w.tsv", "hello\n", &err), PG_ERULE);
    ck_assert_int_eq(load_with("w.tsv", GOOD_HEAD "w:a\t1\t2\n", &err), PG_ERULE);
    ck_assert_int_eq(load_with("w.tsv", "postguard-model\t1\ncategories\tgossip\n", &err), PG_ERULE);
    ck_assert_ptr_nonnull(strstr(err.message, "gossip"));
    ck_assert_int_eq(load_with("w.tsv", GOOD_HEAD "w:a\t1\nw:a\t2\n", &err), PG_ERULE);
    ck_assert_int_eq(load_with("w.tsv", "postguard-model\t1\ncategories\tprivacy\nfeatures\tw\nbias\t-1\nthreshold\t1.5\n", &err), PG_ERULE);
    ck_assert_int_eq(load_with("w.tsv", "postguard-model\t1\ncategories\trespect\nfeatures\tw\nbias\t-1\nthreshold\t0.5\n", &err), PG_ERULE);
    ck_assert_str_eq(err.rule, "privacy.learned"); /* the model has no privacy column */
    ck_assert_int_eq(load_with("w.tsv", GOOD_HEAD "w:a\t1\n", &err), PG_OK);
}
END_TEST

START_TEST(learned_rules_need_a_model_unless_asked_to_load_without) {
    pg_error err;
    ck_assert_int_eq(load_with(NULL, NULL, &err), PG_ERULE);
    ck_assert_ptr_nonnull(strstr(err.message, "model"));
    pg_ctx *c;
    ck_assert_int_eq(pg_ctx_new(&c), PG_OK);
    pg_ctx_set_load_flags(c, PG_LOAD_NO_MODEL);
    ck_assert_int_eq(pg_ctx_load(c, PG_MODEL_PACK, &err), PG_OK);
    pg_result *r = NULL;
    ck_assert_int_eq(pg_check(c, "lazy idiots", 11, &r, &err), PG_OK);
    ck_assert_ptr_null(pgt_find_rule(r, "respect.learned"));
    pg_result_free(r);
    pg_ctx_free(c);
}
END_TEST

/* ---- normalisation: underlines stay on the original characters ---- */

static void expect_underline(const char *t, const char *rule, const char *want) {
    pg_result *r = pgt_check(ctx, t);
    const pg_finding *f = pgt_find_rule(r, rule);
    ck_assert_msg(f != NULL, "%s: no %s", t, rule);
    ck_assert_str_eq(covered(t, f->span), want);
    pg_result_free(r);
}

START_TEST(spaced_letters_read_as_a_word_and_underline_as_written) {
    expect_underline("my p a t i e n t was fine", "privacy.patient-word", "p a t i e n t");
    expect_underline("my p.a.t.i.e.n.t was fine", "privacy.patient-word", "p.a.t.i.e.n.t");
    expect_underline("the p  a  t  i  e  n  t", "privacy.patient-word", "p  a  t  i  e  n  t");
    expect_underline("in b e d  f o u r tonight", "privacy.patient-word", "b e d  f o u r");
    pg_result *r = pgt_check(ctx, "a 9 y/o, p a t"); /* mixed gaps and three letters: left alone */
    ck_assert_ptr_null(pgt_find_rule(r, "privacy.patient-word"));
    pg_result_free(r);
}
END_TEST

START_TEST(emoji_between_words_read_as_spaces) {
    /* lexicons read words and never saw the emoji; a pattern reads the text and needs this */
    expect_underline("in 👏 bed 👏 four 👏 tonight", "privacy.bed-pattern", "bed 👏 four");
    expect_underline("in👏bed👏four👏tonight", "privacy.bed-pattern", "bed👏four");
    pg_result *r = pgt_check(ctx, "bed 👏 four"); /* once is an emoji, not a separator */
    ck_assert_ptr_null(pgt_find_rule(r, "privacy.bed-pattern"));
    pg_result_free(r);
}
END_TEST

START_TEST(hashtags_split_where_their_capitals_say) {
    expect_underline("tonight #BedFour again", "privacy.patient-word", "BedFour");
    expect_underline("#MyFrequentFlyer is back", "respect.label", "FrequentFlyer");
}
END_TEST

START_TEST(styled_fullwidth_and_leet_letters_read_plain) {
    expect_underline("my 𝐩𝐚𝐭𝐢𝐞𝐧𝐭 again", "privacy.patient-word", "𝐩𝐚𝐭𝐢𝐞𝐧𝐭");
    expect_underline("my ｐａｔｉｅｎｔ again", "privacy.patient-word", "ｐａｔｉｅｎｔ");
    expect_underline("my ᴘᴀᴛɪᴇɴᴛ again", "privacy.patient-word", "ᴘᴀᴛɪᴇɴᴛ");
    expect_underline("my p4t13nt again", "privacy.patient-word", "p4t13nt");
    expect_underline("a fr3qu3nt flyer", "respect.label", "fr3qu3nt flyer");
}
END_TEST

static Suite *suite(void) {
    Suite *s = suite_create("model");
    TCase *t = tcase_create("scoring");
    tcase_add_checked_fixture(t, load_model_pack, free_ctx);
    tcase_add_test(t, learned_rule_fires_at_its_threshold_and_underlines_the_heaviest_words);
    tcase_add_test(t, learned_rule_stays_silent_below_its_threshold);
    tcase_add_test(t, learned_rule_adds_nothing_where_a_rule_of_its_category_stands);
    tcase_add_test(t, rule_findings_and_lexicons_are_features_of_the_model);
    tcase_add_test(t, a_disabled_learned_rule_is_silent);
    tcase_add_test(t, features_are_listed_once_each_with_digits_as_shapes);
    suite_add_tcase(s, t);
    TCase *l = tcase_create("loading");
    tcase_add_test(l, a_missing_weights_file_is_named_with_what_to_do);
    tcase_add_test(l, a_bad_weight_is_reported_with_its_line);
    tcase_add_test(l, a_weight_row_is_counted_before_its_weights_are_judged);
    tcase_add_test(l, weights_files_with_faults_are_refused);
    tcase_add_test(l, learned_rules_need_a_model_unless_asked_to_load_without);
    suite_add_tcase(s, l);
    TCase *n = tcase_create("normalisation");
    tcase_add_checked_fixture(n, load_model_pack, free_ctx);
    tcase_add_test(n, spaced_letters_read_as_a_word_and_underline_as_written);
    tcase_add_test(n, emoji_between_words_read_as_spaces);
    tcase_add_test(n, hashtags_split_where_their_capitals_say);
    tcase_add_test(n, styled_fullwidth_and_leet_letters_read_plain);
    suite_add_tcase(s, n);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
