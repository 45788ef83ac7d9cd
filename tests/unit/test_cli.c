/* test_cli.c - Check suite that runs the real `postguard` binary: its exit statuses (0 clean,
 * 1 something reaches medium, 2 an error), its text and JSON output, explain, rules. */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"

#ifndef PG_CLI
#error "PG_CLI must name the built postguard binary"
#endif
#ifndef PG_UNIT_PACK
#error "PG_UNIT_PACK must name tests/unit/pack.json"
#endif

/* The configuration files of the machine running the tests must not change the results. */
static const char *const iso_env[] = {"POSTGUARD_USER_CONFIG=/nonexistent/pg-user.json",
                                      "POSTGUARD_CONFIG=/nonexistent/pg-system.json",
                                      "POSTGUARD_RULES", NULL};

static char *out, *err;
static size_t outlen;
static char dir[64];

static void setup(void) {
    snprintf(dir, sizeof dir, "/tmp/pg-cli-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    out = err = NULL;
}

static void teardown(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(out);
    free(err);
    out = err = NULL;
}

static const char *fixture(const char *name, const char *content) {
    static char paths[4][256];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, 256, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(content, f);
    fclose(f);
    return p;
}

/* Run postguard with up to 8 arguments (NULL-terminated) and stdin; returns the exit status. */
static int run(const char *in, const char *a0, ...) {
    char *argv[12] = {PG_CLI};
    int n = 1;
    va_list ap;
    va_start(ap, a0);
    for (const char *a = a0; a && n < 11; a = va_arg(ap, const char *)) argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    free(out);
    free(err);
    int rc = pg_child_run(argv, iso_env, in, in ? strlen(in) : 0, &out, &outlen, &err);
    ck_assert_msg(rc >= 0, "postguard did not finish (hung or could not start)");
    ck_assert_msg(rc < 128, "postguard was killed by signal %d; stderr: %s", rc - 128, err);
    return rc;
}

#define RULES "--rules", PG_UNIT_PACK

START_TEST(a_clean_post_exits_0_and_prints_nothing) {
    const char *f = fixture("clean.txt", "Get your flu shot this fall.\n");
    ck_assert_int_eq(run(NULL, "check", RULES, f, NULL), 0);
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(a_low_severity_finding_alone_still_exits_0) {
    /* one detail about a patient is a low-severity hint, not a flag */
    ck_assert_int_eq(run("my patient was lovely today", "check", RULES, "-", NULL), 0);
    ck_assert_ptr_nonnull(strstr(out, " low privacy "));
}
END_TEST

START_TEST(a_flagged_post_exits_1_and_prints_file_line_col) {
    const char *f = fixture("post.txt", "Hello\n🧧 é DM me your symptoms\n");
    ck_assert_int_eq(run(NULL, "check", RULES, f, NULL), 1);
    char want[512];
    /* line 2, column 5 in characters: the emoji and é count one each */
    snprintf(want, sizeof want,
             "%s:2:5 medium advice Inviting people to send you their symptoms. "
             "[advice.invite-symptoms]\n", f);
    ck_assert_str_eq(out, want);
}
END_TEST

START_TEST(stdin_is_read_when_no_file_or_a_dash_is_given) {
    ck_assert_int_eq(run("PHN 9734 281 656", "check", RULES, NULL), 1);
    ck_assert_ptr_nonnull(strstr(out, "-:1:5 high privacy "));
    ck_assert_int_eq(run("PHN 9734 281 656", "check", RULES, "-", NULL), 1);
    ck_assert_ptr_nonnull(strstr(out, "[privacy.health-number.bc]"));
}
END_TEST

START_TEST(json_output_is_the_protocols_result_without_type_and_id) {
    ck_assert_int_eq(run("PHN 9734 281 656", "check", "--format", "json", RULES, "-", NULL), 1);
    ck_assert_ptr_nonnull(strchr(out, '\n'));
    ck_assert_ptr_eq(strchr(out, '\n'), out + outlen - 1); /* one line */
    cJSON *j = cJSON_Parse(out);
    ck_assert(cJSON_IsObject(j));
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(j, "type"));
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(j, "id"));
    ck_assert_ptr_null(cJSON_GetObjectItemCaseSensitive(j, "file"));
    const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "findings"), 0);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(f, "rule")->valuestring, "privacy.health-number.bc");
    ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(f, "start")->valueint, 4);
    ck_assert_int_eq(cJSON_GetObjectItemCaseSensitive(f, "end")->valueint, 16);
    ck_assert(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(f, "spans")));
    ck_assert(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "sections")));
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j, "max_severity")->valuestring, "high");
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(j, "truncated")));
    ck_assert(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(j, "elapsed")));
    cJSON_Delete(j);
}
END_TEST

START_TEST(several_files_give_one_json_line_each_with_its_file) {
    char a[256], b[256];
    snprintf(a, sizeof a, "%s", fixture("a.txt", "sick of the drug seekers"));
    snprintf(b, sizeof b, "%s", fixture("b.txt", "Get your flu shot."));
    ck_assert_int_eq(run(NULL, "check", "--format=json", RULES, a, b, NULL), 1);
    char *nl = strchr(out, '\n');
    ck_assert_ptr_nonnull(nl);
    *nl = '\0';
    cJSON *j1 = cJSON_Parse(out), *j2 = cJSON_Parse(nl + 1);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j1, "file")->valuestring, a);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j1, "max_severity")->valuestring, "medium");
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j2, "file")->valuestring, b);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j2, "findings")), 0);
    cJSON_Delete(j1);
    cJSON_Delete(j2);
    /* only clean files: 0 */
    ck_assert_int_eq(run(NULL, "check", RULES, b, b, NULL), 0);
}
END_TEST

START_TEST(bad_usage_exits_2_with_a_hint) {
    ck_assert_int_eq(run(NULL, NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "no command"));
    ck_assert_int_eq(run(NULL, "lint", RULES, NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "unknown command 'lint'"));
    ck_assert_int_eq(run(NULL, "check", "--frobnicate", RULES, NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "unknown option --frobnicate"));
    ck_assert_int_eq(run(NULL, "check", "--format", "xml", RULES, NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "text or json"));
    ck_assert_int_eq(run(NULL, "check", "--rules", NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "--help"));
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(an_unreadable_file_exits_2_and_the_others_are_still_checked) {
    const char *f = fixture("post.txt", "DM me your symptoms");
    char missing[300];
    snprintf(missing, sizeof missing, "%s/missing.txt", dir);
    ck_assert_int_eq(run(NULL, "check", RULES, missing, f, NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "cannot read"));
    ck_assert_ptr_nonnull(strstr(err, "missing.txt"));
    ck_assert_ptr_nonnull(strstr(out, "[advice.invite-symptoms]"));
}
END_TEST

START_TEST(invalid_utf8_exits_2_naming_the_byte_and_what_to_do) {
    ck_assert_int_eq(run("caf\xe9 DM me your symptoms", "check", RULES, NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "not valid UTF-8 (byte 3)"));
    ck_assert_ptr_nonnull(strstr(err, "iconv"));
}
END_TEST

START_TEST(a_file_over_the_text_cap_exits_2) {
    char path[300];
    snprintf(path, sizeof path, "%s/big.txt", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 1100; i++) {
        char line[1024];
        memset(line, 'a', sizeof line - 1);
        line[sizeof line - 1] = '\n';
        fwrite(line, 1, sizeof line, f);
    }
    fclose(f);
    ck_assert_int_eq(run(NULL, "check", RULES, path, NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "1 MiB"));
}
END_TEST

START_TEST(no_rule_pack_exits_2_saying_what_to_do) {
    char missing[300];
    snprintf(missing, sizeof missing, "%s/no-pack", dir);
    ck_assert_int_eq(run("x", "check", "--rules", missing, NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "--rules PATH"));
    /* a pack that does not parse */
    const char *bad = fixture("bad.json", "{\"id\": \"x\", ");
    ck_assert_int_eq(run("x", "check", "--rules", bad, NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "cannot load the rule pack"));
    ck_assert_ptr_nonnull(strstr(err, "invalid JSON"));
}
END_TEST

START_TEST(a_broken_config_is_a_warning_and_checking_still_works) {
    const char *cfg = fixture("config.json", "{\"disable\": [\"no.such-rule\"]}");
    ck_assert_int_eq(run("DM me your symptoms", "check", RULES, "--config", cfg, NULL), 1);
    ck_assert_ptr_nonnull(strstr(err, "warning"));
    ck_assert_ptr_nonnull(strstr(err, cfg));
    ck_assert_ptr_nonnull(strstr(err, "no.such-rule"));
    ck_assert_ptr_nonnull(strstr(out, "[advice.invite-symptoms]"));
}
END_TEST

START_TEST(a_good_config_applies_and_a_missing_one_is_an_error) {
    const char *cfg = fixture("config.json", "{\"disable\": [\"advice.invite-symptoms\"]}");
    ck_assert_int_eq(run("DM me your symptoms", "check", RULES, "--config", cfg, NULL), 0);
    ck_assert_str_eq(out, "");
    ck_assert_str_eq(err, "");
    char missing[300];
    snprintf(missing, sizeof missing, "%s/nope.json", dir);
    ck_assert_int_eq(run("x", "check", RULES, "--config", missing, NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "cannot read the configuration"));
}
END_TEST

START_TEST(explain_prints_the_rule_and_the_standards_text) {
    ck_assert_int_eq(run(NULL, "explain", RULES, "advice.invite-symptoms", NULL), 0);
    ck_assert_ptr_nonnull(strstr(out, "advice.invite-symptoms"));
    ck_assert_ptr_nonnull(strstr(out, "4.2 Communicating Medical Information"));
    ck_assert_ptr_nonnull(strstr(out, "must not provide specific medical advice"));
    ck_assert_ptr_nonnull(strstr(out, "Say you can't advise individuals here."));
    ck_assert_int_eq(run(NULL, "explain", RULES, "no.such-rule", NULL), 2);
    ck_assert_ptr_nonnull(strstr(err, "postguard rules"));
    ck_assert_int_eq(run(NULL, "explain", RULES, NULL), 2);
}
END_TEST

START_TEST(rules_lists_every_rule_with_category_section_severity_enabled) {
    ck_assert_int_eq(run(NULL, "rules", RULES, NULL), 0);
    const char *ids[] = {"privacy.health-number.bc", "privacy.health-number.ohip",
                         "privacy.health-number.mb", "respect.demeaning-label",
                         "advice.invite-symptoms", "privacy.identifiable-patient"};
    for (size_t i = 0; i < 6; i++) ck_assert_ptr_nonnull(strstr(out, ids[i]));
    int lines = 0;
    for (const char *p = out; *p; p++) lines += *p == '\n';
    ck_assert_int_eq(lines, 7); /* a header and one line per rule */
    const char *line = strstr(out, "advice.invite-symptoms");
    char cat[32], sec[32], sev[32], en[32];
    ck_assert_int_eq(sscanf(line, "%*s %31s %31s %31s %31s", cat, sec, sev, en), 4);
    ck_assert_str_eq(cat, "advice");
    ck_assert_str_eq(sec, "4.2");
    ck_assert_str_eq(sev, "medium");
    ck_assert_str_eq(en, "yes");
}
END_TEST

START_TEST(help_and_version_exit_0) {
    ck_assert_int_eq(run(NULL, "--help", NULL), 0);
    ck_assert_ptr_nonnull(strstr(out, "usage: postguard check"));
    ck_assert_ptr_nonnull(strstr(out, "Exit status"));
    ck_assert_int_eq(run(NULL, "--version", NULL), 0);
    ck_assert_ptr_nonnull(strstr(out, "postguard 0."));
}
END_TEST

static Suite *cli_suite(void) {
    Suite *s = suite_create("cli");
    TCase *t = tcase_create("exit statuses");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 300);
    tcase_add_test(t, a_clean_post_exits_0_and_prints_nothing);
    tcase_add_test(t, a_low_severity_finding_alone_still_exits_0);
    tcase_add_test(t, a_flagged_post_exits_1_and_prints_file_line_col);
    tcase_add_test(t, stdin_is_read_when_no_file_or_a_dash_is_given);
    tcase_add_test(t, json_output_is_the_protocols_result_without_type_and_id);
    tcase_add_test(t, several_files_give_one_json_line_each_with_its_file);
    tcase_add_test(t, bad_usage_exits_2_with_a_hint);
    tcase_add_test(t, an_unreadable_file_exits_2_and_the_others_are_still_checked);
    tcase_add_test(t, invalid_utf8_exits_2_naming_the_byte_and_what_to_do);
    tcase_add_test(t, a_file_over_the_text_cap_exits_2);
    tcase_add_test(t, no_rule_pack_exits_2_saying_what_to_do);
    tcase_add_test(t, a_broken_config_is_a_warning_and_checking_still_works);
    tcase_add_test(t, a_good_config_applies_and_a_missing_one_is_an_error);
    tcase_add_test(t, explain_prints_the_rule_and_the_standards_text);
    tcase_add_test(t, rules_lists_every_rule_with_category_section_severity_enabled);
    tcase_add_test(t, help_and_version_exit_0);
    suite_add_tcase(s, t);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(cli_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
