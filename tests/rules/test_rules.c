/* test_rules.c - runs the real rule pack (rules/) against its own examples, as LanguageTool
 * runs its rule examples, and against data-driven cases with exact underlined substrings.
 *
 * For every rule in every rule file (rules/NAME.json) (read here with cJSON, independently of the
 * engine's loader), each examples.match sentence must yield a finding of that rule and each
 * examples.nomatch sentence must not. tests/rules/cases.json holds whole posts with the
 * findings they must (and must not) produce, and the words each finding must underline,
 * located through the UTF-16 offsets the extension uses. */
#include <check.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "checked.h"
#include "postguard.h"

#ifndef PG_RULES_DIR
#error "PG_RULES_DIR must name the rules/ folder"
#endif
#ifndef PG_RULE_CASES
#error "PG_RULE_CASES must name tests/rules/cases.json"
#endif

/* Failure messages are collected so one run lists every broken example, not only the first. */
#define MAX_REPORT 16384

typedef struct report {
    char text[MAX_REPORT];
    size_t len;
    int failures;
} report;

__attribute__((format(printf, 2, 3))) static void note(report *rp, const char *fmt, ...) {
    rp->failures++;
    if (rp->len + 600 >= MAX_REPORT) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(rp->text + rp->len, MAX_REPORT - rp->len, fmt, ap);
    va_end(ap);
    if (n > 0) rp->len += (size_t)n;
}

static pg_ctx *ctx;

static void load_pack(void) { ctx = pgt_load(PG_RULES_DIR); }

static void free_pack(void) {
    pg_ctx_free(ctx);
    ctx = NULL;
}

/* Read a whole file into a NUL-terminated buffer the caller frees; NULL on failure. */
static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[8192];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char *b = realloc(buf, cap);
            if (!b) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = b;
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(f);
    if (!buf) buf = calloc(1, 1);
    else buf[len] = '\0';
    return buf;
}

static cJSON *load_json(const char *path) {
    char *s = slurp(path);
    ck_assert_msg(s != NULL, "cannot read %s", path);
    cJSON *j = cJSON_Parse(s);
    free(s);
    ck_assert_msg(j != NULL, "%s is not valid JSON", path);
    return j;
}

/* The byte offset in s of UTF-16 code unit u (what the extension would index). */
static size_t byte_of_unit(const char *s, size_t u) {
    size_t units = 0, i = 0, len = strlen(s);
    while (i < len && units < u) {
        unsigned char c = (unsigned char)s[i];
        size_t w = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        units += w == 4 ? 2 : 1;
        i += w;
    }
    return i;
}

/* Copy the text a span underlines, located by its UTF-16 offsets, into buf. */
static void underlined(const char *text, const pg_span *sp, char *buf, size_t cap) {
    size_t a = byte_of_unit(text, sp->start), b = byte_of_unit(text, sp->end);
    size_t n = b > a ? b - a : 0;
    if (n >= cap) n = cap - 1;
    memcpy(buf, text + a, n);
    buf[n] = '\0';
}

/* ---- every rule's own examples ---- */

static void run_rule_examples(const cJSON *rule, const char *file, report *rp, int *nrules,
                              int *nexamples) {
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(rule, "id");
    const cJSON *ex = cJSON_GetObjectItemCaseSensitive(rule, "examples");
    ck_assert_msg(cJSON_IsString(id), "%s: a rule without a string id", file);
    ck_assert_msg(cJSON_IsObject(ex), "%s: rule %s has no examples", file, id->valuestring);
    (*nrules)++;
    const cJSON *match = cJSON_GetObjectItemCaseSensitive(ex, "match");
    const cJSON *nomatch = cJSON_GetObjectItemCaseSensitive(ex, "nomatch");
    ck_assert_msg(cJSON_GetArraySize(match) > 0, "%s: rule %s has no match example", file,
                  id->valuestring);
    const cJSON *s;
    cJSON_ArrayForEach(s, match) {
        pg_result *r = pgt_check(ctx, s->valuestring);
        if (!pgt_find_rule(r, id->valuestring))
            note(rp, "%s: %s should fire on: %s\n", file, id->valuestring, s->valuestring);
        pg_result_free(r);
        (*nexamples)++;
    }
    cJSON_ArrayForEach(s, nomatch) {
        pg_result *r = pgt_check(ctx, s->valuestring);
        if (pgt_find_rule(r, id->valuestring))
            note(rp, "%s: %s should not fire on: %s\n", file, id->valuestring, s->valuestring);
        pg_result_free(r);
        (*nexamples)++;
    }
}

START_TEST(every_rule_fires_on_its_match_examples_and_not_on_its_nomatch_examples) {
    DIR *d = opendir(PG_RULES_DIR);
    ck_assert_msg(d != NULL, "cannot open %s", PG_RULES_DIR);
    static report rp;
    memset(&rp, 0, sizeof rp);
    int nfiles = 0, nrules = 0, nexamples = 0;
    /* the rule files are every .json but pack.json and the parts file pack.json names */
    char packpath[1024], partsname[256] = "";
    snprintf(packpath, sizeof packpath, "%s/pack.json", PG_RULES_DIR);
    cJSON *pack = load_json(packpath);
    const cJSON *parts = cJSON_GetObjectItemCaseSensitive(pack, "parts");
    if (cJSON_IsString(parts)) snprintf(partsname, sizeof partsname, "%s", parts->valuestring);
    cJSON_Delete(pack);
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l < 6 || strcmp(e->d_name + l - 5, ".json") ||
            strcmp(e->d_name, "pack.json") == 0 || strcmp(e->d_name, partsname) == 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", PG_RULES_DIR, e->d_name);
        cJSON *j = load_json(path);
        const cJSON *rules = cJSON_IsArray(j) ? j : cJSON_GetObjectItemCaseSensitive(j, "rules");
        ck_assert_msg(cJSON_IsArray(rules), "%s has no rules array", path);
        const cJSON *rule;
        cJSON_ArrayForEach(rule, rules) run_rule_examples(rule, e->d_name, &rp, &nrules, &nexamples);
        cJSON_Delete(j);
        nfiles++;
    }
    closedir(d);
    printf("rule examples: %d files, %d rules, %d sentences, %d failures\n", nfiles, nrules,
           nexamples, rp.failures);
    ck_assert_msg(nrules > 0 && (size_t)nrules == pg_ctx_rule_count(ctx),
                  "the files hold %d rules but the engine loaded %zu", nrules,
                  pg_ctx_rule_count(ctx));
    ck_assert_msg(rp.failures == 0, "%d rule examples failed:\n%s", rp.failures, rp.text);
}
END_TEST

/* ---- every category of DESIGN.md has rules ---- */

START_TEST(every_category_has_at_least_one_rule) {
    for (const char *const *c = pg_categories(); *c; c++) {
        int found = 0;
        for (size_t i = 0; i < pg_ctx_rule_count(ctx); i++) {
            pg_rule_info ri;
            ck_assert_int_eq(pg_ctx_rule_at(ctx, i, &ri), PG_OK);
            found |= strcmp(ri.category, *c) == 0;
        }
        ck_assert_msg(found, "no rule for category %s", *c);
    }
}
END_TEST

START_TEST(every_explanation_quotes_its_section) {
    for (size_t i = 0; i < pg_ctx_rule_count(ctx); i++) {
        pg_rule_info ri;
        ck_assert_int_eq(pg_ctx_rule_at(ctx, i, &ri), PG_OK);
        ck_assert_msg(strchr(ri.explanation, '"') || strstr(ri.explanation, "\xe2\x80\x9c"),
                      "%s: the explanation quotes nothing from the standard", ri.id);
        ck_assert_msg(ri.suggestion[0] != '\0', "%s: no suggestion", ri.id);
        ck_assert_msg(ri.section_text && ri.section_text[0], "%s: its section has no text", ri.id);
    }
}
END_TEST

/* ---- data-driven cases ---- */

static void check_case(const cJSON *c, int idx, report *rp) {
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(c, "text");
    ck_assert_msg(cJSON_IsString(text), "case %d has no text", idx);
    const char *t = text->valuestring;
    pg_result *r = pgt_check(ctx, t);
    const cJSON *want;
    cJSON_ArrayForEach(want, cJSON_GetObjectItemCaseSensitive(c, "expect")) {
        const char *rule = cJSON_GetObjectItemCaseSensitive(want, "rule")->valuestring;
        const cJSON *sev = cJSON_GetObjectItemCaseSensitive(want, "severity");
        const pg_finding *f = pgt_find_rule(r, rule);
        if (!f) {
            note(rp, "%s: no finding of %s\n", t, rule);
            continue;
        }
        if (cJSON_IsString(sev) && pg_severity_parse(sev->valuestring) != f->severity)
            note(rp, "%s: %s has severity %s, expected %s\n", t, rule,
                 pg_severity_name(f->severity), sev->valuestring);
        const cJSON *u;
        cJSON_ArrayForEach(u, cJSON_GetObjectItemCaseSensitive(want, "underlines")) {
            int seen = 0;
            char buf[512];
            for (size_t i = 0; i < f->nspans && !seen; i++) {
                underlined(t, &f->spans[i], buf, sizeof buf);
                seen = strcmp(buf, u->valuestring) == 0;
            }
            if (!seen) note(rp, "%s: %s does not underline \"%s\"\n", t, rule, u->valuestring);
        }
    }
    /* "quiet": nothing at medium or above (the standard protects this post) */
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "quiet")))
        for (size_t i = 0; i < r->nfindings; i++)
            if (r->findings[i].severity >= PG_SEV_MEDIUM)
                note(rp, "%s: should raise nothing at medium+, got %s (%s)\n", t,
                     r->findings[i].rule, pg_severity_name(r->findings[i].severity));
    /* "silent": no finding at all, not even low */
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "silent")) && r->nfindings)
        note(rp, "%s: should raise nothing at all, got %s\n", t, r->findings[0].rule);
    pg_result_free(r);
}

START_TEST(data_driven_cases_produce_the_expected_findings_and_underlines) {
    cJSON *cases = load_json(PG_RULE_CASES);
    ck_assert_msg(cJSON_IsArray(cases) && cJSON_GetArraySize(cases) > 0, "no cases in %s",
                  PG_RULE_CASES);
    static report rp;
    memset(&rp, 0, sizeof rp);
    int idx = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, cases) check_case(c, idx++, &rp);
    cJSON_Delete(cases);
    printf("rule cases: %d cases, %d failures\n", idx, rp.failures);
    ck_assert_msg(rp.failures == 0, "%d case checks failed:\n%s", rp.failures, rp.text);
}
END_TEST

static Suite *rules_suite(void) {
    Suite *s = suite_create("rules");
    TCase *tc = tcase_create("pack");
    tcase_add_checked_fixture(tc, load_pack, free_pack);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, every_rule_fires_on_its_match_examples_and_not_on_its_nomatch_examples);
    tcase_add_test(tc, every_category_has_at_least_one_rule);
    tcase_add_test(tc, every_explanation_quotes_its_section);
    tcase_add_test(tc, data_driven_cases_produce_the_expected_findings_and_underlines);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(rules_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
