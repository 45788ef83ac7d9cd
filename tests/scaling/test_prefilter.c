/* test_prefilter.c - Check suite for where patterns start (host/lib/pattern_start.c, start_table.c): every pattern
 * of the real pack, run only at its candidate starts, finds exactly what PCRE2 finds scanning
 * the whole text, on the rule examples, the labelled posts, generated and adversarial text. */
#include <check.h>
#include <dirent.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "fullscan.h"
#include "texts.h"

/* ---- the pack and a scratch that reads one text at a time ---- */

static pg_pack *pack;
static pg_scratch sc;
static pcre2_code **refs; /* the same sources compiled for a search, by matcher */
static size_t compared, anchored, hits;

static void setup(void) {
    pg_error err;
    ck_assert_int_eq(pg_pack_load(PG_PACK, 0, &pack, &err), PG_OK);
    memset(&sc, 0, sizeof sc);
    ck_assert_int_eq(pg_scratch_prepare(&sc, pack), 0);
    refs = calloc(pack->nmatchers, sizeof *refs);
    for (size_t i = 0; i < pack->nmatchers; i++) {
        const pg_pattern *p = &pack->matchers[i]->pat;
        if (!p->code || !p->owned) continue;
        refs[i] = pg_full_compile(p->src, p->caseless);
        ck_assert_ptr_nonnull(refs[i]);
    }
}

static void teardown(void) {
    for (size_t i = 0; i < pack->nmatchers; i++)
        if (refs[i]) pcre2_code_free(refs[i]);
    free(refs);
    pg_scratch_free(&sc);
    pg_pack_free(pack);
}

/* Every owned pattern on text: the filtered scan equals the reference. */
static void compare(const char *text, size_t len) {
    sc.src = text;
    sc.srclen = len;
    free(sc.raw);
    sc.raw = calloc(len + 17, 1);
    memcpy(sc.raw, text, len);
    ck_assert_int_eq(pg_fold_text(&sc.fold, text, len), 0);
    sc.candstate[0] = sc.candstate[1] = 0;
    pg_hitvec got = {0}, want = {0};
    for (size_t i = 0; i < pack->nmatchers; i++) {
        const pg_pattern *p = &pack->matchers[i]->pat;
        if (!p->code || !p->owned) continue;
        got.n = 0;
        int rc = pg_pattern_scan(p, &sc, &got);
        ck_assert_int_ge(rc, 0);
        int limited = pg_full_scan(refs[i], p->raw, &sc, pack->mctx, &want);
        ck_assert_int_ge(limited, 0);
        if (rc || limited) continue; /* a limit stops either at a different place */
        if (got.n != want.n || (got.n && memcmp(got.v, want.v, got.n * sizeof *got.v) != 0)) {
            fprintf(stderr, "pattern %s\n on \"%.*s\"\n filtered %zu hits, reference %zu\n",
                    p->src, (int)(len > 300 ? 300 : len), text, got.n, want.n);
            ck_abort_msg("the filtered scan differs from PCRE2's own");
        }
        compared++;
        anchored += p->anchored != 0;
        hits += want.n;
    }
    free(got.v);
    free(want.v);
}

/* The text as written, in capitals, and with each word capitalised. */
static void compare_cases(const char *text) {
    size_t len = strlen(text);
    char *v = malloc(len + 1);
    compare(text, len);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i <= len; i++) {
            char c = text[i];
            int start = i == 0 || text[i - 1] == ' ';
            v[i] = (c >= 'a' && c <= 'z' && (pass == 0 || start)) ? (char)(c - 32) : c;
        }
        compare(v, len);
    }
    free(v);
}

/* ---- the texts ---- */

static void examples_of(const cJSON *j) {
    if (cJSON_IsArray(j) || cJSON_IsObject(j)) {
        const cJSON *ex = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "examples") : NULL;
        if (ex)
            for (const cJSON *list = ex->child; list; list = list->next)
                for (const cJSON *s = list->child; s; s = s->next)
                    if (cJSON_IsString(s)) compare_cases(s->valuestring);
        for (const cJSON *c = j->child; c; c = c->next) examples_of(c);
    }
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot read %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

START_TEST(rule_examples_in_three_cases) {
    DIR *d = opendir(PG_PACK);
    ck_assert_ptr_nonnull(d);
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (l < 6 || strcmp(e->d_name + l - 5, ".json") != 0) continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", PG_PACK, e->d_name);
        char *buf = slurp(path);
        cJSON *j = cJSON_Parse(buf);
        ck_assert_ptr_nonnull(j);
        examples_of(j);
        cJSON_Delete(j);
        free(buf);
    }
    closedir(d);
    ck_assert_uint_gt(hits, 400); /* the examples make patterns fire, or this proves little */
}
END_TEST

START_TEST(labelled_posts_in_three_cases) {
    char *buf = slurp(PG_LABELLED);
    size_t posts = 0;
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        cJSON *j = cJSON_Parse(line);
        ck_assert_ptr_nonnull(j);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "text");
        ck_assert(cJSON_IsString(t));
        compare_cases(t->valuestring);
        posts++;
        cJSON_Delete(j);
    }
    free(buf);
    ck_assert_uint_gt(posts, 200);
    ck_assert_uint_gt(hits, 500);
}
END_TEST

START_TEST(generated_and_adversarial_text) {
    size_t n = 20000;
    char *buf = malloc(n + 1);
    for (int k = 0; pg_text_kinds[k]; k++) {
        size_t len = pg_make_text(pg_text_kinds[k], buf, n);
        ck_assert_uint_gt(len, 0);
        compare(buf, len);
    }
    /* bait built from each pattern's own literals */
    for (size_t i = 0; i < pack->nmatchers; i++) {
        const pg_pattern *p = &pack->matchers[i]->pat;
        if (!p->code || !p->owned) continue;
        size_t len = pg_make_bait(p->src, buf, 4000);
        compare(buf, len);
    }
    free(buf);
    ck_assert_uint_gt(anchored, 0);
}
END_TEST

START_TEST(odd_case_characters_and_edges) {
    /* the Kelvin sign and the long s match k and s caselessly: such a text is tried everywhere */
    static const char *const texts[] = {
        "\xE2\x84\xAA" "eep the patient in bed 4 at Johnson Memorial",
        "my patient\xC5\xBF mom googled her",
        "Patient", "patient", "PT", "4", "@a", "#", "", "a", "bed 4", "!!!", "Dr. Smith, you",
        "(1990)", "Chief Medical Officer Smith", "\xF0\x9F\x94\xA5 \xF0\x9F\x94\xA5",
        "Hi Sam, your results", "FIVE stars \xE2\xAD\x90\xE2\xAD\x90\xE2\xAD\x90", NULL};
    for (int i = 0; texts[i]; i++) {
        compare(texts[i], strlen(texts[i]));
        /* 2: every character was tried. The fold turns the long s into an s, so only the raw
         * text still holds it. */
        ck_assert_int_eq(sc.candstate[0], i == 0 ? 2 : 1);
        ck_assert_int_eq(sc.candstate[1], i < 2 ? 2 : 1);
    }
}
END_TEST

/* ---- the reading of a pattern's source into start keys ---- */

static int has(const uint8_t *c, unsigned b) {
    return (c[b >> 3] >> (b & 7)) & 1;
}

START_TEST(keys_of_small_patterns) {
    pg_startkey *k;
    int n;
    ck_assert_int_eq(pg_start_keys("\\bfoo", 1, &k, &n), 1);
    ck_assert_int_eq(n, 1);
    ck_assert(has(k[0].c0, 'f') && has(k[0].c0, 'F') && !has(k[0].c0, 'g'));
    ck_assert(has(k[0].c1, 'o') && has(k[0].c1, 'O') && !has(k[0].c1, 'f'));
    ck_assert_int_eq(k[0].prev, 2);
    free(k);
    /* case-sensitive: one case only; a lookbehind that rules out letters */
    ck_assert_int_eq(pg_start_keys("(?<![a-zA-Z])Ab", 0, &k, &n), 1);
    ck_assert(has(k[0].c0, 'A') && !has(k[0].c0, 'a'));
    ck_assert_int_eq(k[0].prev, 1);
    free(k);
    /* a ^ pins the match to the start of the text */
    ck_assert_int_eq(pg_start_keys("^x|y", 1, &k, &n), 1);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(k[0].bol + k[1].bol, 1);
    free(k);
    /* optional first item: both ways in */
    ck_assert_int_eq(pg_start_keys("(?:ab)?cd", 0, &k, &n), 1);
    int sawa = 0, sawc = 0;
    for (int i = 0; i < n; i++) {
        sawa |= has(k[i].c0, 'a') && has(k[i].c1, 'b');
        sawc |= has(k[i].c0, 'c') && has(k[i].c1, 'd');
    }
    ck_assert(sawa && sawc);
    free(k);
    /* a one-character match: any next byte, the end of the text included */
    ck_assert_int_eq(pg_start_keys("q", 0, &k, &n), 1);
    ck_assert(has(k[0].c1, 0) && has(k[0].c1, 'z'));
    free(k);
}
END_TEST

START_TEST(what_is_not_understood_runs_everywhere) {
    static const char *const srcs[] = {"a*", "x?", "(?i)abc", "(a)\\1", "\\Kab", "(*COMMIT)ab",
                                       "\\Gab", "(?(1)a|b)", "[[:alpha:]]x",
                                       "\\Qab\\E", "(?=a)", NULL};
    for (int i = 0; srcs[i]; i++) {
        pg_startkey *k = NULL;
        int n = 0;
        ck_assert_msg(pg_start_keys(srcs[i], 1, &k, &n) == 0, "%s should stay unfiltered", srcs[i]);
        ck_assert_ptr_null(k);
    }
}
END_TEST

static Suite *prefilter_suite(void) {
    Suite *s = suite_create("prefilter");
    TCase *t = tcase_create("pack");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 600);
    tcase_add_test(t, rule_examples_in_three_cases);
    tcase_add_test(t, labelled_posts_in_three_cases);
    tcase_add_test(t, generated_and_adversarial_text);
    tcase_add_test(t, odd_case_characters_and_edges);
    suite_add_tcase(s, t);
    TCase *u = tcase_create("keys");
    tcase_add_test(u, keys_of_small_patterns);
    tcase_add_test(u, what_is_not_understood_runs_everywhere);
    suite_add_tcase(s, u);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(prefilter_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
