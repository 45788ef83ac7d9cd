/* test_adversarial.c - no input makes a check hang or fail: 1 MiB runs of one character, of
 * emoji, without spaces, in capitals, and backtracking bait for every pattern of the real pack
 * all finish; a rule whose pattern hits the PCRE2 match limit is reported by the library, the
 * command line and the host. "Finish" is ctest's timeout, not a speed threshold. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/valgrind.h>

#include "child.h"
#include "postguard.h"
#include "texts.h"

static const char *const iso_env[] = {"POSTGUARD_USER_CONFIG=/nonexistent/pg-user.json",
                                      "POSTGUARD_CONFIG=/nonexistent/pg-system.json",
                                      "POSTGUARD_RULES", NULL};

/* Under valgrind memcheck the engine runs ~50x slower: the same inputs, shorter (memcheck is
 * there for memory errors; the plain and sanitizer runs take the full 1 MiB). */
static size_t big(void) {
    return RUNNING_ON_VALGRIND ? 64u * 1024 : PG_MAX_TEXT_BYTES;
}

static pg_ctx *load(const char *pack) {
    pg_ctx *ctx = NULL;
    pg_error err;
    ck_assert_int_eq(pg_ctx_new(&ctx), PG_OK);
    pg_status st = pg_ctx_load(ctx, pack, &err);
    ck_assert_msg(st == PG_OK, "cannot load %s: %s", pack, err.message);
    return ctx;
}

static pg_result *check(pg_ctx *ctx, const char *text, size_t len, const char *what) {
    pg_result *r = NULL;
    pg_error err;
    pg_status st = pg_check(ctx, text, len, &r, &err);
    ck_assert_msg(st == PG_OK, "%s: pg_check failed: %s", what, err.message);
    return r;
}

START_TEST(every_adversarial_kind_of_a_full_size_text_is_checked) {
    pg_ctx *ctx = load(PG_PACK);
    size_t n = big();
    char *text = malloc(n + 1);
    ck_assert_ptr_nonnull(text);
    for (int k = 0; pg_text_kinds[k]; k++) {
        size_t len = pg_make_text(pg_text_kinds[k], text, n);
        ck_assert_uint_gt(len, n - 64);
        pg_result *r = check(ctx, text, len, pg_text_kinds[k]);
        printf("%-10s %7zu bytes: %3zu findings%s, %zu rules at the match limit", pg_text_kinds[k],
               len, r->nfindings, r->truncated ? " (truncated)" : "", r->limit_hits);
        for (size_t i = 0; i < r->limit_hits && i < 8; i++) printf(" %s", r->limit_rules[i]);
        printf("\n");
        pg_result_free(r);
    }
    free(text);
    pg_ctx_free(ctx);
}
END_TEST

START_TEST(backtracking_bait_for_every_pattern_of_the_pack_is_checked) {
    size_t np = 0;
    char **pats = pg_pack_patterns(PG_PACK, &np);
    ck_assert_msg(pats && np >= 10, "found only %zu patterns in %s", np, PG_PACK);
    pg_ctx *ctx = load(PG_PACK);
    size_t n = RUNNING_ON_VALGRIND ? 2048 : 32768, limited = 0;
    char *text = malloc(n + 1);
    ck_assert_ptr_nonnull(text);
    for (size_t i = 0; i < np; i++) {
        size_t len = pg_make_bait(pats[i], text, n);
        ck_assert_uint_gt(len, 0);
        pg_result *r = check(ctx, text, len, pats[i]);
        if (r->limit_hits) { /* reported, which is what the limit is for; worth knowing */
            limited++;
            printf("bait for pattern %zu stopped %zu rule(s) at the match limit:", i, r->limit_hits);
            for (size_t k = 0; k < r->limit_hits && k < 8; k++) printf(" %s", r->limit_rules[k]);
            printf("\n");
        }
        pg_result_free(r);
    }
    printf("%zu patterns baited (%zu bytes each); %zu baits hit a match limit\n", np, n, limited);
    free(text);
    pg_free_patterns(pats);
    pg_ctx_free(ctx);
}
END_TEST

/* A run of a's with a b far away: (?:a+)+b tries every way to split the run. */
static char *catastrophic_text(size_t *len) {
    static const char head[] = "My patient says hi. ";
    size_t run = 4000;
    char *t = malloc(sizeof head + run + 8);
    ck_assert_ptr_nonnull(t);
    memcpy(t, head, sizeof head - 1);
    memset(t + sizeof head - 1, 'a', run);
    strcpy(t + sizeof head - 1 + run, " c b");
    *len = strlen(t);
    return t;
}

START_TEST(a_pattern_at_the_match_limit_is_reported_and_the_other_rules_still_run) {
    pg_ctx *ctx = load(PG_CATASTROPHIC);
    size_t len;
    char *t = catastrophic_text(&len);
    pg_result *r = check(ctx, t, len, "catastrophic");
    ck_assert_uint_eq(r->limit_hits, 1);
    ck_assert_str_eq(r->limit_rules[0], "test.catastrophic");
    ck_assert_uint_eq(r->nfindings, 1);
    ck_assert_str_eq(r->findings[0].rule, "test.patient");
    pg_result_free(r);
    /* the limit does not stick: the next, harmless text has no limit hit */
    r = check(ctx, "aaab and a patient", 18, "harmless");
    ck_assert_uint_eq(r->limit_hits, 0);
    ck_assert_uint_eq(r->nfindings, 2);
    pg_result_free(r);
    free(t);
    pg_ctx_free(ctx);
}
END_TEST

START_TEST(the_command_line_reports_the_limit_in_json_and_warns_on_stderr) {
    size_t len;
    char *t = catastrophic_text(&len);
    char *argv[] = {PG_CLI, "check", "--format", "json", "--rules", PG_CATASTROPHIC, "-", NULL};
    char *out = NULL, *err = NULL;
    size_t outlen = 0;
    int rc = pg_child_run(argv, iso_env, t, len, &out, &outlen, &err);
    ck_assert_msg(rc == 0, "postguard exited %d; stderr: %s", rc, err);
    ck_assert_msg(strstr(out, "\"limit_rules\":[\"test.catastrophic\"]"), "stdout: %s", out);
    ck_assert_msg(strstr(out, "\"limit_hits\":1"), "stdout: %s", out);
    ck_assert_msg(strstr(err, "test.catastrophic") && strstr(err, "match limit"), "stderr: %s", err);
    free(out);
    free(err);
    free(t);
}
END_TEST

START_TEST(the_host_reports_the_limit_in_its_result) {
    size_t len;
    char *t = catastrophic_text(&len);
    char body[8192];
    int n = snprintf(body, sizeof body, "{\"type\":\"check\",\"id\":5,\"text\":\"%s\"}", t);
    ck_assert_int_lt(n, (int)sizeof body);
    uint32_t blen = (uint32_t)n;
    char *in = malloc(4 + (size_t)n);
    memcpy(in, &blen, 4);
    memcpy(in + 4, body, (size_t)n);
    char *argv[] = {PG_HOST, "--rules", PG_CATASTROPHIC, NULL};
    char *out = NULL, *err = NULL;
    size_t outlen = 0;
    int rc = pg_child_run(argv, iso_env, in, 4 + (size_t)n, &out, &outlen, &err);
    ck_assert_msg(rc == 0, "postguard-host exited %d; stderr: %s", rc, err);
    ck_assert_uint_gt(outlen, 4);
    uint32_t rlen;
    memcpy(&rlen, out, 4);
    ck_assert_uint_eq(rlen, outlen - 4);
    ck_assert_msg(strstr(out + 4, "\"type\":\"result\""), "reply: %s", out + 4);
    ck_assert_msg(strstr(out + 4, "\"limit_rules\":[\"test.catastrophic\"]"), "reply: %s", out + 4);
    ck_assert_msg(strstr(out + 4, "\"limit_hits\":1"), "reply: %s", out + 4);
    free(in);
    free(out);
    free(err);
    free(t);
}
END_TEST

int main(void) {
    Suite *s = suite_create("adversarial");
    TCase *tc = tcase_create("inputs");
    tcase_set_timeout(tc, 1200); /* a hang is forever; this only bounds a broken build */
    tcase_add_test(tc, every_adversarial_kind_of_a_full_size_text_is_checked);
    tcase_add_test(tc, backtracking_bait_for_every_pattern_of_the_pack_is_checked);
    tcase_add_test(tc, a_pattern_at_the_match_limit_is_reported_and_the_other_rules_still_run);
    tcase_add_test(tc, the_command_line_reports_the_limit_in_json_and_warns_on_stderr);
    tcase_add_test(tc, the_host_reports_the_limit_in_its_result);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_VERBOSE);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
