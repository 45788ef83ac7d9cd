/* test_engine.c - Check suites for the engine library: UTF-16 offsets, folding, lexicons,
 * validators, windows and exceptions, combination rules, pack loading errors, clinic config. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checked.h"
#include "postguard.h"

#ifndef PG_UNIT_PACK
#error "PG_UNIT_PACK must name tests/unit/pack.json"
#endif

static pg_ctx *ctx;

static void load_unit_pack(void) { ctx = pgt_load(PG_UNIT_PACK); }

static void free_ctx(void) {
    pg_ctx_free(ctx);
    ctx = NULL;
}

/* ---- UTF-16 offsets ---- */

static size_t u16(const char *s, size_t byte) {
    size_t out;
    pg_utf16_offsets(s, strlen(s), &byte, &out, 1);
    return out;
}

START_TEST(ascii_offsets_equal_byte_offsets) {
    const char *s = "hello world";
    ck_assert_uint_eq(u16(s, 0), 0);
    ck_assert_uint_eq(u16(s, 6), 6);
    ck_assert_uint_eq(u16(s, 11), 11);
}
END_TEST

START_TEST(accented_letters_count_one_unit_each) {
    const char *s = "Bérubé x"; /* é is 2 bytes, 1 unit */
    ck_assert_uint_eq(u16(s, strlen("Bérubé")), 6);
    ck_assert_uint_eq(u16(s, strlen(s)), 8);
}
END_TEST

START_TEST(cjk_counts_one_unit_per_character) {
    const char *s = "新年快乐 ok"; /* 3 bytes, 1 unit each */
    ck_assert_uint_eq(u16(s, 12), 4);
    ck_assert_uint_eq(u16(s, 15), 7);
}
END_TEST

START_TEST(emoji_and_astral_characters_count_two_units) {
    const char *s = "🧧🐍 ok 𝔘"; /* 4-byte characters are surrogate pairs */
    ck_assert_uint_eq(u16(s, 4), 2);
    ck_assert_uint_eq(u16(s, 8), 4);
    ck_assert_uint_eq(u16(s, strlen(s)), 10);
}
END_TEST

START_TEST(combining_marks_count_as_their_own_units) {
    const char *s = "Be\xcc\x81rube\xcc\x81 x"; /* e + U+0301 */
    ck_assert_uint_eq(u16(s, strlen("Be\xcc\x81rube\xcc\x81")), 8);
}
END_TEST

START_TEST(offsets_can_be_asked_in_any_order) {
    const char *s = "é🐍a";
    size_t bytes[] = {7, 0, 2, 6}, units[4];
    pg_utf16_offsets(s, strlen(s), bytes, units, 4);
    ck_assert_uint_eq(units[0], 4);
    ck_assert_uint_eq(units[1], 0);
    ck_assert_uint_eq(units[2], 1);
    ck_assert_uint_eq(units[3], 3);
}
END_TEST

START_TEST(invalid_utf8_is_refused_with_its_offset) {
    size_t units, bad = 99;
    ck_assert_int_eq(pg_utf8_validate("ok\xc3(", 4, &units, &bad), -1);
    ck_assert_uint_eq(bad, 2);
    ck_assert_int_eq(pg_utf8_validate("\xed\xa0\x80", 3, &units, &bad), -1); /* surrogate */
    ck_assert_int_eq(pg_utf8_validate("\xc0\xaf", 2, &units, &bad), -1);     /* overlong */
    ck_assert_int_eq(pg_utf8_validate("\xf4\x90\x80\x80", 4, &units, &bad), -1);
    ck_assert_int_eq(pg_utf8_validate("a\xf0\x9f\x90\x8d", 5, &units, &bad), 0);
    ck_assert_uint_eq(units, 3);
}
END_TEST

START_TEST(check_refuses_invalid_utf8_and_names_the_byte) {
    pg_result *r = NULL;
    pg_error err;
    ck_assert_int_eq(pg_check(ctx, "abc\xff", 4, &r, &err), PG_EUTF8);
    ck_assert_int_eq(err.offset, 3);
    ck_assert_ptr_null(r);
    ck_assert_ptr_nonnull(strstr(err.message, "byte 3"));
}
END_TEST

/* ---- findings and their offsets ---- */

START_TEST(finding_offsets_are_utf16_after_emoji_and_accents) {
    const char *text = "🎉🎊 Félicitations: sick of the drug seekers";
    pg_result *r = pgt_check(ctx, text);
    const pg_finding *f = pgt_find_rule(r, "respect.demeaning-label");
    ck_assert_ptr_nonnull(f);
    /* JavaScript: text.indexOf("drug seekers") === 32 (each emoji is two code units) */
    ck_assert_uint_eq(f->span.start, 32);
    ck_assert_uint_eq(f->span.end, 44);
    ck_assert_uint_eq(f->span.byte_end - f->span.byte_start, strlen("drug seekers"));
    ck_assert_int_eq(memcmp(text + f->span.byte_start, "drug seekers", 12), 0);
    pg_result_free(r);
}
END_TEST

START_TEST(case_hashtags_obfuscation_and_emoji_between_words_still_match) {
    const char *texts[] = {"DRUG SEEKERS again", "#DrugSeekers", "dr*g s33kers", "drug 💊 seekers",
                           "drug   seekers", "Drug\u00a0Seekers"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        pg_result *r = pgt_check(ctx, texts[i]);
        ck_assert_msg(pgt_find_rule(r, "respect.demeaning-label"), "no finding for \"%s\"", texts[i]);
        pg_result_free(r);
    }
}
END_TEST

START_TEST(words_inside_other_words_do_not_match) {
    pg_result *r = pgt_check(ctx, "The drugseekersclub is a band name; ptosis is an eyelid sign.");
    ck_assert_ptr_null(pgt_find_rule(r, "respect.demeaning-label"));
    pg_result_free(r);
}
END_TEST

START_TEST(an_exception_before_the_term_suppresses_it) {
    pg_result *r = pgt_check(ctx, "Stop calling people drug seekers.");
    ck_assert_uint_eq(r->nfindings, 0);
    pg_result_free(r);
}
END_TEST

START_TEST(a_term_inside_quotation_marks_is_not_flagged) {
    pg_result *r = pgt_check(ctx, "He wrote “drug seekers” in the chart and I objected.");
    ck_assert_ptr_null(pgt_find_rule(r, "respect.demeaning-label"));
    pg_result_free(r);
    r = pgt_check(ctx, "Those drug seekers again.");
    ck_assert_ptr_nonnull(pgt_find_rule(r, "respect.demeaning-label"));
    pg_result_free(r);
}
END_TEST

START_TEST(supporting_evidence_must_be_inside_the_window) {
    pg_result *r = pgt_check(ctx, "DM me your symptoms");
    const pg_finding *f = pgt_find_rule(r, "advice.invite-symptoms");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(f->nspans, 2); /* "DM me" and "symptoms" */
    pg_result_free(r);
    r = pgt_check(ctx, "DM me about the job. We are hiring nurses, clerks, porters and more. Symptoms of burnout are common.");
    ck_assert_ptr_null(pgt_find_rule(r, "advice.invite-symptoms"));
    pg_result_free(r);
}
END_TEST

START_TEST(health_numbers_are_validated) {
    pg_result *r = pgt_check(ctx, "PharmaNet rejects PHN 9734 281 656 again");
    ck_assert_ptr_nonnull(pgt_find_rule(r, "privacy.health-number.bc"));
    ck_assert_int_eq(pgt_find_rule(r, "privacy.health-number.bc")->severity, PG_SEV_HIGH);
    pg_result_free(r);
    r = pgt_check(ctx, "PharmaNet rejects PHN 9734 281 657 again"); /* bad check digit */
    ck_assert_ptr_null(pgt_find_rule(r, "privacy.health-number.bc"));
    pg_result_free(r);
    r = pgt_check(ctx, "OHIP 4532 015 114 on file");
    ck_assert_ptr_nonnull(pgt_find_rule(r, "privacy.health-number.ohip"));
    pg_result_free(r);
    r = pgt_check(ctx, "OHIP 4532 015 115 on file"); /* fails Luhn */
    ck_assert_ptr_null(pgt_find_rule(r, "privacy.health-number.ohip"));
    pg_result_free(r);
    r = pgt_check(ctx, "her PHIN is 123-456-789");
    ck_assert_ptr_nonnull(pgt_find_rule(r, "privacy.health-number.mb"));
    pg_result_free(r);
    r = pgt_check(ctx, "call 204 456 7890 for the PHIN office"); /* ten digits: not a PHIN */
    ck_assert_ptr_null(pgt_find_rule(r, "privacy.health-number.mb"));
    pg_result_free(r);
}
END_TEST

START_TEST(identifiable_patient_severity_rises_with_the_number_of_details) {
    pg_result *r = pgt_check(ctx, "67M from Gimli in bed 4 at Johnson Memorial last night with a rare sarcoma");
    const pg_finding *f = pgt_find_rule(r, "privacy.identifiable-patient");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->severity, PG_SEV_HIGH);
    ck_assert_uint_ge(f->nspans, 6);
    int saw_gimli = 0, saw_hospital = 0;
    const char *t = "67M from Gimli in bed 4 at Johnson Memorial last night with a rare sarcoma";
    for (size_t i = 0; i < f->nspans; i++) {
        saw_gimli |= strncmp(t + f->spans[i].byte_start, "Gimli", 5) == 0;
        saw_hospital |= strncmp(t + f->spans[i].byte_start, "Johnson Memorial", 16) == 0;
    }
    ck_assert(saw_gimli && saw_hospital);
    ck_assert_uint_eq(r->nsections, 1);
    ck_assert_str_eq(r->sections[0].section, "3.1");
    ck_assert_int_eq(r->sections[0].level, PG_SEV_HIGH);
    ck_assert(r->sections[0].score > 0.5 && r->sections[0].score <= 1.0);
    pg_result_free(r);

    r = pgt_check(ctx, "My patient came in yesterday.");
    f = pgt_find_rule(r, "privacy.identifiable-patient");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->severity, PG_SEV_LOW);
    pg_result_free(r);
    r = pgt_check(ctx, "My patient from Gimli came in yesterday.");
    ck_assert_int_eq(pgt_find_rule(r, "privacy.identifiable-patient")->severity, PG_SEV_MEDIUM);
    pg_result_free(r);
}
END_TEST

/* Underlines of one finding never overlap or touch: "67M" is one span, not "67M", "67" and
 * "M"; "rare sarcoma" swallows "sarcoma". The primary evidence stays in span, inside spans[0]. */
START_TEST(a_findings_spans_are_merged_where_they_overlap_or_touch) {
    const char *t = "67M from Gimli in bed 4 at Johnson Memorial last night with a rare sarcoma";
    pg_result *r = pgt_check(ctx, t);
    const pg_finding *f = pgt_find_rule(r, "privacy.identifiable-patient");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_ge(f->nspans, 2);
    ck_assert_uint_le(f->spans[0].start, f->span.start);
    ck_assert_uint_ge(f->spans[0].end, f->span.end);
    ck_assert_uint_lt(f->span.start, f->span.end);
    int saw_67m = 0, saw_sarcoma = 0;
    for (size_t i = 0; i < f->nspans; i++) {
        const pg_span *a = &f->spans[i];
        size_t len = a->byte_end - a->byte_start;
        saw_67m += len == 3 && strncmp(t + a->byte_start, "67M", 3) == 0;
        saw_sarcoma += len == 12 && strncmp(t + a->byte_start, "rare sarcoma", 12) == 0;
        for (size_t j = 0; j < f->nspans; j++) {
            const pg_span *b = &f->spans[j];
            ck_assert_msg(i == j || a->end < b->start || b->end < a->start,
                          "spans %zu [%zu,%zu) and %zu [%zu,%zu) overlap or touch", i,
                          a->start, a->end, j, b->start, b->end);
        }
        /* after the primary one, in order of position */
        if (i >= 2) ck_assert_uint_lt(f->spans[i - 1].start, a->start);
    }
    ck_assert_int_eq(saw_67m, 1);
    ck_assert_int_eq(saw_sarcoma, 1);
    pg_result_free(r);
}
END_TEST

START_TEST(advocacy_raises_nothing) {
    pg_result *r = pgt_check(ctx, "ER wait times in Manitoba are a disgrace and the province must fund more beds");
    ck_assert_uint_eq(r->nfindings, 0);
    ck_assert_uint_eq(r->nsections, 0);
    ck_assert_int_eq(r->max_severity, PG_SEV_NONE);
    pg_result_free(r);
}
END_TEST

START_TEST(french_with_decomposed_accents_matches_folded_terms) {
    const char *t = "Mme Be\xcc\x81rube\xcc\x81 de Rimouski, ma patiente, 101 ans hier";
    pg_result *r = pgt_check(ctx, t);
    const pg_finding *f = pgt_find_rule(r, "privacy.identifiable-patient");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->severity, PG_SEV_HIGH);
    pg_result_free(r);
}
END_TEST

START_TEST(empty_and_nul_containing_texts_are_checked) {
    pg_result *r = NULL;
    pg_error err;
    ck_assert_int_eq(pg_check(ctx, "", 0, &r, &err), PG_OK);
    ck_assert_uint_eq(r->nfindings, 0);
    pg_result_free(r);
    const char with_nul[] = "drug\0seekers here";
    ck_assert_int_eq(pg_check(ctx, with_nul, sizeof with_nul - 1, &r, &err), PG_OK);
    ck_assert_ptr_nonnull(pgt_find_rule(r, "respect.demeaning-label"));
    pg_result_free(r);
}
END_TEST

START_TEST(a_text_over_the_cap_is_refused) {
    size_t n = PG_MAX_TEXT_BYTES + 1;
    char *big = malloc(n);
    ck_assert_ptr_nonnull(big);
    memset(big, 'a', n);
    pg_result *r = NULL;
    pg_error err;
    ck_assert_int_eq(pg_check(ctx, big, n, &r, &err), PG_ETOOBIG);
    ck_assert_ptr_null(r);
    free(big);
}
END_TEST

START_TEST(many_findings_are_capped_and_marked_truncated) {
    const char *unit = "drug seekers. ";
    size_t n = strlen(unit) * 400;
    char *t = malloc(n + 1);
    ck_assert_ptr_nonnull(t);
    for (int i = 0; i < 400; i++) memcpy(t + i * strlen(unit), unit, strlen(unit));
    t[n] = '\0';
    pg_result *r = pgt_check(ctx, t);
    ck_assert_uint_eq(r->nfindings, PG_MAX_FINDINGS);
    ck_assert_int_eq(r->truncated, 1);
    for (size_t i = 1; i < r->nfindings; i++)
        ck_assert_uint_le(r->findings[i - 1].span.start, r->findings[i].span.start);
    pg_result_free(r);
    free(t);
}
END_TEST

/* ---- the pack, read back ---- */

START_TEST(rules_can_be_listed_and_looked_up) {
    pg_pack_info info;
    ck_assert_int_eq(pg_ctx_pack_info(ctx, &info), PG_OK);
    ck_assert_str_eq(info.id, "unit-test-pack");
    ck_assert_uint_eq(info.nrules, 6);
    ck_assert_uint_eq(pg_ctx_rule_count(ctx), 6);
    pg_rule_info ri;
    ck_assert_int_eq(pg_ctx_rule(ctx, "advice.invite-symptoms", &ri), PG_OK);
    ck_assert_str_eq(ri.section, "4.2");
    ck_assert_str_eq(ri.section_title, "Communicating Medical Information");
    ck_assert_ptr_nonnull(strstr(ri.section_text, "specific medical advice"));
    ck_assert_int_eq(pg_ctx_rule(ctx, "no.such.rule", &ri), PG_ENOTFOUND);
    ck_assert_int_eq(pg_ctx_rule_at(ctx, 6, &ri), PG_EINVAL);
}
END_TEST

START_TEST(checking_without_a_pack_is_an_error) {
    pg_ctx *c;
    pg_result *r = NULL;
    pg_error err;
    ck_assert_int_eq(pg_ctx_new(&c), PG_OK);
    ck_assert_int_eq(pg_check(c, "x", 1, &r, &err), PG_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "no rule pack"));
    pg_ctx_free(c);
}
END_TEST

/* ---- loading errors name the file, the rule and the field ---- */

static char tmpdir[64];

static void make_tmpdir(void) {
    snprintf(tmpdir, sizeof tmpdir, "/tmp/pg-unit-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void rm_tmpdir(void) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

static const char *write_file(const char *name, const char *content) {
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(content, f);
    fclose(f);
    return path;
}

#define PACK_START                                                                           \
    "{\"id\":\"t\",\"version\":\"1\",\"sections\":{\"3.1\":{\"title\":\"Privacy\","          \
    "\"text\":\"Registrants should avoid posting patient information.\"}},"                  \
    "\"lexicons\":{\"pt\":[\"patient\"]},"
#define PACK_HEAD PACK_START "\"rules\":["
#define RULE(extra)                                                                          \
    "{\"id\":\"privacy.x\",\"category\":\"privacy\",\"section\":\"3.1\",\"severity\":"      \
    "\"high\",\"message\":\"m\",\"explanation\":\"e\",\"suggestion\":\"s\","                 \
    "\"examples\":{\"match\":[\"patient\"],\"nomatch\":[]}" extra "}"

static void expect_load_error(const char *json, pg_status want, const char *field,
                              const char *words) {
    pg_ctx *c;
    pg_error err;
    const char *path = write_file("pack.json", json);
    ck_assert_int_eq(pg_ctx_new(&c), PG_OK);
    pg_status st = pg_ctx_load(c, path, &err);
    ck_assert_msg(st == want, "status %d, wanted %d (%s)", st, want, err.message);
    if (field) ck_assert_str_eq(err.field, field);
    ck_assert_msg(strstr(err.message, words), "message \"%s\" lacks \"%s\"", err.message, words);
    ck_assert_str_eq(err.file, path);
    pg_ctx_free(c);
}

START_TEST(loader_errors_name_file_rule_and_field) {
    make_tmpdir();
    expect_load_error(PACK_HEAD RULE(",\"match\":{\"pattern\":\"(unclosed\"}") "]}", PG_ERULE,
                      "match.pattern", "does not compile");
    expect_load_error(PACK_HEAD RULE(",\"match\":{\"lexicon\":\"nope\"}") "]}", PG_ERULE,
                      "match.lexicon", "no lexicon named 'nope'");
    expect_load_error(PACK_HEAD RULE(",\"match\":{\"terms\":[\"a\"]},\"severty\":1") "]}", PG_ERULE,
                      "severty", "unknown field");
    expect_load_error(PACK_HEAD RULE(",\"match\":{\"terms\":[\"a\"]},\"factors\":{\"age\":{\"terms\":[\"67\"]}}") "]}",
                      PG_ERULE, "levels", "needs levels");
    expect_load_error(PACK_HEAD RULE(",\"match\":{\"terms\":[\"a\"]},\"near\":{\"any\":[{\"terms\":[\"b\"]}],\"window\":\"para\"}") "]}",
                      PG_ERULE, "near.window", "sentence");
    expect_load_error(PACK_HEAD "{\"id\":\"privacy.y\",\"category\":\"gossip\",\"section\":\"3.1\","
                      "\"severity\":\"high\",\"message\":\"m\",\"explanation\":\"e\",\"suggestion\":\"s\"}]}",
                      PG_ERULE, "category", "gossip");
    expect_load_error(PACK_HEAD "{\"id\":\"privacy.y\",\"category\":\"privacy\"}]}", PG_ERULE,
                      "section", "is required");
    expect_load_error(PACK_HEAD RULE(",\"match\":{\"terms\":[\"a\"]}") "," RULE(",\"match\":{\"terms\":[\"b\"]}") "]}",
                      PG_ERULE, "id", "used twice");
    expect_load_error("{\"id\": \"t\",\n \"version\": }", PG_ERULE, NULL, "line 2");
    rm_tmpdir();
}
END_TEST

START_TEST(a_bad_pack_leaves_the_loaded_one_working) {
    make_tmpdir();
    pg_error err;
    const char *path = write_file("bad.json", "{\"id\": 7}");
    ck_assert_int_eq(pg_ctx_load(ctx, path, &err), PG_ERULE);
    ck_assert_str_eq(err.field, "id");
    pg_result *r = pgt_check(ctx, "DM me your symptoms");
    ck_assert_ptr_nonnull(pgt_find_rule(r, "advice.invite-symptoms"));
    pg_result_free(r);
    rm_tmpdir();
}
END_TEST

START_TEST(a_missing_pack_says_where_to_look) {
    pg_ctx *c;
    pg_error err;
    ck_assert_int_eq(pg_ctx_new(&c), PG_OK);
    ck_assert_int_eq(pg_ctx_load(c, "/nonexistent/rules", &err), PG_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(err.message, "POSTGUARD_RULES"));
    pg_ctx_free(c);
    char buf[256];
    setenv("POSTGUARD_RULES", "/nonexistent/rules", 1);
    ck_assert_int_eq(pg_find_rules("/usr/bin/postguard", buf, sizeof buf, &err), PG_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(err.message, "POSTGUARD_RULES is set"));
    setenv("POSTGUARD_RULES", PG_UNIT_PACK, 1);
    ck_assert_int_eq(pg_find_rules("/usr/bin/postguard", buf, sizeof buf, &err), PG_OK);
    ck_assert_str_eq(buf, PG_UNIT_PACK);
    unsetenv("POSTGUARD_RULES");
}
END_TEST

START_TEST(a_pattern_that_backtracks_forever_is_stopped_and_reported) {
    make_tmpdir();
    const char *path = write_file(
        "pack.json", PACK_HEAD RULE(",\"match\":{\"pattern\":\"(a+)+$\"}") "]}");
    pg_ctx *c;
    pg_error err;
    ck_assert_int_eq(pg_ctx_new(&c), PG_OK);
    ck_assert_int_eq(pg_ctx_load(c, path, &err), PG_OK);
    char text[4001];
    memset(text, 'a', 4000);
    text[3999] = '!';
    text[4000] = '\0';
    pg_result *r = NULL;
    ck_assert_int_eq(pg_check(c, text, 4000, &r, &err), PG_OK);
    ck_assert_uint_ge(r->limit_hits, 1);
    ck_assert_str_eq(r->limit_rules[0], "privacy.x");
    pg_result_free(r);
    pg_ctx_free(c);
    rm_tmpdir();
}
END_TEST

/* ---- clinic configuration ---- */

START_TEST(clinic_config_adds_terms_disables_rules_and_changes_severity) {
    make_tmpdir();
    const char *path = write_file("config.json",
                                  "{\"lexicons\":{\"places\":[\"Riverbend Memorial\"]},"
                                  "\"disable\":[\"advice.invite-symptoms\"],"
                                  "\"severity\":{\"respect.demeaning-label\":\"high\"}}");
    pg_ctx *c;
    pg_error err;
    ck_assert_int_eq(pg_ctx_new(&c), PG_OK);
    ck_assert_int_eq(pg_ctx_add_config(c, path), PG_OK);
    ck_assert_int_eq(pg_ctx_add_config(c, "/nonexistent/config.json"), PG_OK); /* skipped */
    ck_assert_int_eq(pg_ctx_load(c, PG_UNIT_PACK, &err), PG_OK);
    ck_assert_ptr_null(pg_ctx_config_problem(c));
    pg_result *r = NULL;
    const char *t = "my patient at Riverbend Memorial, DM me your symptoms, drug seekers";
    ck_assert_int_eq(pg_check(c, t, strlen(t), &r, &err), PG_OK);
    const pg_finding *f = pgt_find_rule(r, "privacy.identifiable-patient");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(f->nspans, 2);
    ck_assert_ptr_null(pgt_find_rule(r, "advice.invite-symptoms"));
    ck_assert_int_eq(pgt_find_rule(r, "respect.demeaning-label")->severity, PG_SEV_HIGH);
    pg_rule_info ri;
    ck_assert_int_eq(pg_ctx_rule(c, "advice.invite-symptoms", &ri), PG_OK);
    ck_assert_int_eq(ri.enabled, 0);
    pg_result_free(r);
    pg_ctx_free(c);
    rm_tmpdir();
}
END_TEST

START_TEST(a_broken_clinic_config_is_reported_and_the_base_pack_keeps_working) {
    make_tmpdir();
    const char *path = write_file("config.json",
                                  "{\"disable\":[\"advice.invite-symptoms\"],"
                                  "\"severity\":{\"respect.demeaning-label\":\"extreme\"}}");
    pg_ctx *c;
    pg_error err;
    ck_assert_int_eq(pg_ctx_new(&c), PG_OK);
    ck_assert_int_eq(pg_ctx_add_config(c, path), PG_OK);
    ck_assert_int_eq(pg_ctx_load(c, PG_UNIT_PACK, &err), PG_OK);
    const pg_error *p = pg_ctx_config_problem(c);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(p->status, PG_ECONFIG);
    ck_assert_str_eq(p->file, path);
    ck_assert_str_eq(p->field, "severity.respect.demeaning-label");
    pg_result *r = NULL;
    const char *t = "DM me your symptoms";
    ck_assert_int_eq(pg_check(c, t, strlen(t), &r, &err), PG_OK);
    /* nothing of the broken file applies: the rule it disables still fires */
    ck_assert_ptr_nonnull(pgt_find_rule(r, "advice.invite-symptoms"));
    pg_result_free(r);
    pg_ctx_free(c);

    path = write_file("config.json", "{\"lexicons\": {\"places\": [\"x\"],}");
    ck_assert_int_eq(pg_ctx_new(&c), PG_OK);
    ck_assert_int_eq(pg_ctx_add_config(c, path), PG_OK);
    ck_assert_int_eq(pg_ctx_load(c, PG_UNIT_PACK, &err), PG_OK);
    ck_assert_ptr_nonnull(pg_ctx_config_problem(c));
    ck_assert_ptr_nonnull(strstr(pg_ctx_config_problem(c)->message, "invalid JSON"));
    pg_ctx_free(c);
    rm_tmpdir();
}
END_TEST

START_TEST(the_system_config_wins_over_the_user_config) {
    make_tmpdir();
    char user[256], sys[256];
    snprintf(user, sizeof user, "%s", write_file("user.json", "{\"severity\":{\"respect.demeaning-label\":\"low\"}}"));
    snprintf(sys, sizeof sys, "%s", write_file("sys.json", "{\"severity\":{\"respect.demeaning-label\":\"high\"}}"));
    setenv("POSTGUARD_USER_CONFIG", user, 1);
    setenv("POSTGUARD_CONFIG", sys, 1);
    pg_ctx *c;
    pg_error err;
    ck_assert_int_eq(pg_ctx_new(&c), PG_OK);
    ck_assert_int_eq(pg_ctx_add_default_configs(c), PG_OK);
    ck_assert_int_eq(pg_ctx_load(c, PG_UNIT_PACK, &err), PG_OK);
    pg_rule_info ri;
    ck_assert_int_eq(pg_ctx_rule(c, "respect.demeaning-label", &ri), PG_OK);
    ck_assert_int_eq(ri.severity, PG_SEV_HIGH);
    pg_ctx_free(c);
    unsetenv("POSTGUARD_USER_CONFIG");
    unsetenv("POSTGUARD_CONFIG");
    rm_tmpdir();
}
END_TEST

/* ---- the configure overlay and the pack's sections ---- */

static int fires(pg_ctx *c, const char *text, const char *rule, pg_severity *sev) {
    pg_result *r = NULL;
    pg_error err;
    ck_assert_int_eq(pg_check(c, text, strlen(text), &r, &err), PG_OK);
    const pg_finding *f = pgt_find_rule(r, rule);
    int found = f != NULL;
    if (f && sev) *sev = f->severity;
    pg_result_free(r);
    return found;
}

START_TEST(the_overlay_adds_terms_disables_rules_and_changes_severity_at_once) {
    pg_error err;
    const char *t = "sick of the crackheads";
    ck_assert(!fires(ctx, t, "respect.demeaning-label", NULL));
    const char *ov = "{\"lexicons\":{\"demeaning\":[\"crackhead(s)\"]},"
                     "\"disable\":[\"advice.invite-symptoms\"],"
                     "\"severity\":{\"respect.demeaning-label\":\"high\"}}";
    pg_status st = pg_ctx_set_overlay(ctx, ov, strlen(ov), &err);
    ck_assert_msg(st == PG_OK, "%s", err.message);
    pg_severity sev = PG_SEV_NONE;
    ck_assert(fires(ctx, t, "respect.demeaning-label", &sev));
    ck_assert_int_eq(sev, PG_SEV_HIGH);
    ck_assert(!fires(ctx, "DM me your symptoms", "advice.invite-symptoms", NULL));
    ck_assert_ptr_null(pg_ctx_config_problem(ctx));
}
END_TEST

START_TEST(the_overlay_wins_over_the_configuration_files) {
    make_tmpdir();
    const char *path = write_file("sys.json", "{\"severity\":{\"respect.demeaning-label\":\"low\"}}");
    pg_ctx *c;
    pg_error err;
    ck_assert_int_eq(pg_ctx_new(&c), PG_OK);
    ck_assert_int_eq(pg_ctx_add_config(c, path), PG_OK);
    ck_assert_int_eq(pg_ctx_load(c, PG_UNIT_PACK, &err), PG_OK);
    pg_rule_info ri;
    ck_assert_int_eq(pg_ctx_rule(c, "respect.demeaning-label", &ri), PG_OK);
    ck_assert_int_eq(ri.severity, PG_SEV_LOW);
    const char *ov = "{\"severity\":{\"respect.demeaning-label\":\"high\"}}";
    ck_assert_int_eq(pg_ctx_set_overlay(c, ov, strlen(ov), &err), PG_OK);
    ck_assert_int_eq(pg_ctx_rule(c, "respect.demeaning-label", &ri), PG_OK);
    ck_assert_int_eq(ri.severity, PG_SEV_HIGH);
    /* and it is kept when the pack is loaded again */
    ck_assert_int_eq(pg_ctx_load(c, PG_UNIT_PACK, &err), PG_OK);
    ck_assert_int_eq(pg_ctx_rule(c, "respect.demeaning-label", &ri), PG_OK);
    ck_assert_int_eq(ri.severity, PG_SEV_HIGH);
    pg_ctx_free(c);
    rm_tmpdir();
}
END_TEST

START_TEST(an_empty_overlay_removes_the_previous_one) {
    pg_error err;
    const char *ov = "{\"disable\":[\"advice.invite-symptoms\"]}";
    ck_assert_int_eq(pg_ctx_set_overlay(ctx, ov, strlen(ov), &err), PG_OK);
    ck_assert(!fires(ctx, "DM me your symptoms", "advice.invite-symptoms", NULL));
    ck_assert_int_eq(pg_ctx_set_overlay(ctx, "{}", 2, &err), PG_OK);
    ck_assert(fires(ctx, "DM me your symptoms", "advice.invite-symptoms", NULL));
    ck_assert_int_eq(pg_ctx_set_overlay(ctx, ov, strlen(ov), &err), PG_OK);
    ck_assert_int_eq(pg_ctx_set_overlay(ctx, NULL, 0, &err), PG_OK);
    ck_assert(fires(ctx, "DM me your symptoms", "advice.invite-symptoms", NULL));
}
END_TEST

START_TEST(a_broken_overlay_is_refused_names_the_fault_and_changes_nothing) {
    pg_error err;
    const char *good = "{\"disable\":[\"advice.invite-symptoms\"]}";
    ck_assert_int_eq(pg_ctx_set_overlay(ctx, good, strlen(good), &err), PG_OK);
    struct {
        const char *json, *field, *words;
    } cases[] = {
        {"{\"disable\":[\"no.such-rule\"]}", "disable", "no.such-rule"},
        {"{\"lexicons\":{\"nope\":[\"x\"]}}", "lexicons.nope", "no lexicon"},
        {"{\"severity\":{\"respect.demeaning-label\":\"extreme\"}}",
         "severity.respect.demeaning-label", "low"},
        {"{\"colour\":1}", "colour", "unknown setting"},
        {"[1,2]", "(top level)", "object"},
        {"{\"disable\": [", "", "invalid JSON"},
        {"{\"lexicons\":{\"places\":[\"\xff\"]}}", "", "UTF-8"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        pg_status st = pg_ctx_set_overlay(ctx, cases[i].json, strlen(cases[i].json), &err);
        ck_assert_msg(st == PG_ECONFIG, "case %zu: status %d", i, st);
        ck_assert_str_eq(err.file, "configure");
        ck_assert_str_eq(err.field, cases[i].field);
        ck_assert_msg(strstr(err.message, cases[i].words), "case %zu: \"%s\" lacks \"%s\"", i,
                      err.message, cases[i].words);
        /* the previous overlay still holds */
        ck_assert(!fires(ctx, "DM me your symptoms", "advice.invite-symptoms", NULL));
    }
}
END_TEST

START_TEST(an_overlay_set_before_loading_applies_at_the_load) {
    pg_ctx *c;
    pg_error err;
    ck_assert_int_eq(pg_ctx_new(&c), PG_OK);
    const char *ov = "{\"disable\":[\"advice.invite-symptoms\"]}";
    ck_assert_int_eq(pg_ctx_set_overlay(c, ov, strlen(ov), &err), PG_OK);
    ck_assert_int_eq(pg_ctx_load(c, PG_UNIT_PACK, &err), PG_OK);
    ck_assert(!fires(c, "DM me your symptoms", "advice.invite-symptoms", NULL));
    pg_ctx_free(c);
}
END_TEST

START_TEST(the_packs_sections_can_be_listed) {
    ck_assert_uint_eq(pg_ctx_section_count(ctx), 3);
    int seen = 0;
    for (size_t i = 0; i < pg_ctx_section_count(ctx); i++) {
        pg_section_info si;
        ck_assert_int_eq(pg_ctx_section_at(ctx, i, &si), PG_OK);
        ck_assert(si.section[0] && si.title[0] && si.text[0]);
        if (strcmp(si.section, "3.1") == 0) {
            ck_assert_str_eq(si.title, "Privacy and Confidentiality");
            ck_assert_ptr_nonnull(strstr(si.text, "avoid posting patient information"));
            seen++;
        }
    }
    ck_assert_int_eq(seen, 1);
    pg_section_info si;
    ck_assert_int_eq(pg_ctx_section_at(ctx, 3, &si), PG_EINVAL);
    pg_ctx *c;
    ck_assert_int_eq(pg_ctx_new(&c), PG_OK);
    ck_assert_uint_eq(pg_ctx_section_count(c), 0);
    ck_assert_int_eq(pg_ctx_section_at(c, 0, &si), PG_EINVAL);
    pg_ctx_free(c);
}
END_TEST

/* ---- named parts: {{name}} in a pattern ---- */

/* A one-file pack whose parts are `parts` (a JSON object) and whose one rule's pattern is
 * `pattern`. */
#define PARTS_PACK(parts, pattern)                                                           \
    PACK_START "\"parts\":" parts ",\"rules\":[" RULE(",\"match\":{\"pattern\":\"" pattern "\"}") "]}"

START_TEST(a_pattern_refers_to_parts_that_refer_to_parts) {
    make_tmpdir();
    pg_ctx *c;
    pg_error err;
    const char *path = write_file("pack.json", PARTS_PACK("{\"who\":\"(?:{{pt}}|client)\","
                                                          "\"pt\":\"pati{{ent}}\",\"ent\":\"ent\"}",
                                                          "my {{who}} in room (?:{{ent}})?4"));
    ck_assert_int_eq(pg_ctx_new(&c), PG_OK);
    ck_assert_msg(pg_ctx_load(c, path, &err) == PG_OK, "%s", err.message);
    ck_assert(fires(c, "Saw my patient in room 4 today", "privacy.x", NULL));
    ck_assert(fires(c, "Saw my client in room ent4 today", "privacy.x", NULL));
    ck_assert(!fires(c, "Saw my pati in room 4 today", "privacy.x", NULL));
    pg_ctx_free(c);
    rm_tmpdir();
}
END_TEST

START_TEST(a_folder_pack_reads_the_parts_file_its_pack_json_names) {
    make_tmpdir();
    write_file("pack.json", "{\"id\":\"t\",\"version\":\"1\",\"parts\":\"parts.json\","
                            "\"sections\":{\"3.1\":{\"title\":\"Privacy\",\"text\":\"No.\"}}}");
    write_file("parts.json", "{\"parts\":{\"pt\":\"patient\"}}");
    write_file("rules.json", "{\"rules\":[" RULE(",\"match\":{\"pattern\":\"my {{pt}}\"}") "]}");
    pg_ctx *c = pgt_load(tmpdir);
    ck_assert(fires(c, "Saw my patient today", "privacy.x", NULL));
    pg_ctx_free(c);
    /* a fault in the parts file is reported in the parts file's name */
    const char *parts = write_file("parts.json", "{\"parts\":{\"pt\":\"{{nope}}\"}}");
    pg_error err;
    ck_assert_int_eq(pg_ctx_new(&c), PG_OK);
    ck_assert_int_eq(pg_ctx_load(c, tmpdir, &err), PG_ERULE);
    ck_assert_str_eq(err.file, parts);
    ck_assert_str_eq(err.field, "parts.pt");
    ck_assert_msg(strstr(err.message, "unknown part 'nope'"), "%s", err.message);
    pg_ctx_free(c);
    rm_tmpdir();
}
END_TEST

START_TEST(part_errors_name_the_file_the_field_and_the_part) {
    make_tmpdir();
    /* an unknown part, in a rule's pattern and in a part */
    expect_load_error(PARTS_PACK("{\"a\":\"x\"}", "my {{nope}}"), PG_ERULE, "match.pattern",
                      "unknown part 'nope'");
    expect_load_error(PARTS_PACK("{\"a\":\"x{{b}}\"}", "{{a}}"), PG_ERULE, "parts.a",
                      "unknown part 'b'");
    /* a cycle, spelled from where it starts */
    expect_load_error(PARTS_PACK("{\"a\":\"x{{b}}\",\"b\":\"y{{c}}\",\"c\":\"{{a}}\"}", "{{a}}"),
                      PG_ERULE, "parts.c", "cycle: a -> b -> c -> a");
    expect_load_error(PARTS_PACK("{\"a\":\"(?:x|{{a}})\"}", "{{a}}"), PG_ERULE, "parts.a",
                      "cycle: a -> a");
    /* a bad name, where the part is defined and where it is referred to */
    expect_load_error(PARTS_PACK("{\"Big Name\":\"x\"}", "x"), PG_ERULE, "parts.Big Name",
                      "'Big Name' is not a part name");
    expect_load_error(PARTS_PACK("{\"a\":\"x\"}", "{{A}}"), PG_ERULE, "match.pattern",
                      "'{{A}}' at byte 0 is not a part reference");
    expect_load_error(PARTS_PACK("{\"a\":\"x\"}", "my {{a"), PG_ERULE, "match.pattern",
                      "no '}}' closes it");
    /* a part that is not a string */
    expect_load_error(PARTS_PACK("{\"a\":[\"x\"]}", "{{a}}"), PG_ERULE, "parts.a",
                      "must be a non-empty string");
    expect_load_error(PARTS_PACK("[\"x\"]", "x"), PG_ERULE, "parts", "must be an object");
    /* an expansion over PG_PARTS_MAX_EXPANSION (64 KiB): 16 bytes doubled 13 times */
    expect_load_error(PARTS_PACK("{\"p0\":\"0123456789abcdef\",\"p1\":\"{{p0}}{{p0}}\","
                                 "\"p2\":\"{{p1}}{{p1}}\",\"p3\":\"{{p2}}{{p2}}\","
                                 "\"p4\":\"{{p3}}{{p3}}\",\"p5\":\"{{p4}}{{p4}}\","
                                 "\"p6\":\"{{p5}}{{p5}}\",\"p7\":\"{{p6}}{{p6}}\","
                                 "\"p8\":\"{{p7}}{{p7}}\",\"p9\":\"{{p8}}{{p8}}\","
                                 "\"p10\":\"{{p9}}{{p9}}\",\"p11\":\"{{p10}}{{p10}}\","
                                 "\"p12\":\"{{p11}}{{p11}}\",\"p13\":\"{{p12}}{{p12}}\"}",
                                 "{{p13}}"),
                      PG_ERULE, "parts.p13", "PG_PARTS_MAX_EXPANSION");
    /* all the parts together over PG_PARTS_MAX_TOTAL (4 MiB): 80 parts of 64 KiB */
    static char many[8192];
    size_t n = (size_t)snprintf(many, sizeof many, "{\"p0\":\"0123456789abcdef\"");
    for (int i = 1; i <= 12; i++)
        n += (size_t)snprintf(many + n, sizeof many - n, ",\"p%d\":\"{{p%d}}{{p%d}}\"", i, i - 1, i - 1);
    for (int i = 0; i < 80; i++)
        n += (size_t)snprintf(many + n, sizeof many - n, ",\"q%d\":\"{{p12}}\"", i);
    snprintf(many + n, sizeof many - n, "}");
    static char pack[9000];
    snprintf(pack, sizeof pack, PARTS_PACK("%s", "{{p0}}"), many);
    expect_load_error(pack, PG_ERULE, NULL, "PG_PARTS_MAX_TOTAL");
    /* a pattern without parts, in a pack without parts, that writes "{{" */
    expect_load_error(PACK_HEAD RULE(",\"match\":{\"pattern\":\"{{pt}}\"}") "]}", PG_ERULE,
                      "match.pattern", "unknown part 'pt'");
    rm_tmpdir();
}
END_TEST

START_TEST(an_escaped_brace_is_not_a_part_reference) {
    make_tmpdir();
    pg_ctx *c;
    pg_error err;
    const char *path = write_file("pack.json", PARTS_PACK("{\"a\":\"x\"}", "\\\\{{a}}"));
    ck_assert_int_eq(pg_ctx_new(&c), PG_OK);
    ck_assert_msg(pg_ctx_load(c, path, &err) == PG_OK, "%s", err.message);
    ck_assert(fires(c, "look: {{a}}", "privacy.x", NULL)); /* \{{a}}: a literal "{", then "{a}}" */
    pg_ctx_free(c);
    rm_tmpdir();
}
END_TEST

/* ---- severity weights: pack.json's "severity_weights" ---- */

static double section_score(pg_ctx *c, const char *text) {
    pg_result *r = pgt_check(c, text);
    ck_assert_uint_eq(r->nsections, 1);
    double score = r->sections[0].score;
    pg_result_free(r);
    return score;
}

START_TEST(severity_weights_come_from_the_pack_with_defaults) {
    make_tmpdir();
    /* high, confidence 0.8 (the default): 0.9 * 0.8 without weights, 0.5 * 0.8 with */
    pg_ctx *c = pgt_load(write_file("pack.json", PACK_HEAD RULE(",\"match\":{\"terms\":[\"patient\"]}") "]}"));
    ck_assert_double_eq_tol(section_score(c, "my patient"), 0.72, 1e-9);
    pg_ctx_free(c);
    c = pgt_load(write_file("pack.json", PACK_START "\"severity_weights\":{\"high\":0.5,\"low\":0},"
                                         "\"rules\":[" RULE(",\"match\":{\"terms\":[\"patient\"]}") "]}"));
    ck_assert_double_eq_tol(section_score(c, "my patient"), 0.4, 1e-9);
    pg_ctx_free(c);
    rm_tmpdir();
}
END_TEST

START_TEST(bad_severity_weights_are_refused_naming_the_field) {
    make_tmpdir();
#define WEIGHTS(w) PACK_START "\"severity_weights\":" w ",\"rules\":[" RULE(",\"match\":{\"terms\":[\"a\"]}") "]}"
    expect_load_error(WEIGHTS("{\"high\":1.5}"), PG_ERULE, "severity_weights.high", "from 0 to 1");
    expect_load_error(WEIGHTS("{\"medium\":-0.1}"), PG_ERULE, "severity_weights.medium", "from 0 to 1");
    expect_load_error(WEIGHTS("{\"low\":\"0.3\"}"), PG_ERULE, "severity_weights.low", "a number");
    expect_load_error(WEIGHTS("{\"severe\":0.3}"), PG_ERULE, "severity_weights.severe", "not a severity");
    expect_load_error(WEIGHTS("[0.3,0.6,0.9]"), PG_ERULE, "severity_weights", "must be an object");
#undef WEIGHTS
    rm_tmpdir();
}
END_TEST

static Suite *engine_suite(void) {
    Suite *s = suite_create("engine");
    TCase *t = tcase_create("utf16");
    tcase_add_checked_fixture(t, load_unit_pack, free_ctx);
    tcase_add_test(t, ascii_offsets_equal_byte_offsets);
    tcase_add_test(t, accented_letters_count_one_unit_each);
    tcase_add_test(t, cjk_counts_one_unit_per_character);
    tcase_add_test(t, emoji_and_astral_characters_count_two_units);
    tcase_add_test(t, combining_marks_count_as_their_own_units);
    tcase_add_test(t, offsets_can_be_asked_in_any_order);
    tcase_add_test(t, invalid_utf8_is_refused_with_its_offset);
    tcase_add_test(t, check_refuses_invalid_utf8_and_names_the_byte);
    suite_add_tcase(s, t);

    t = tcase_create("matching");
    tcase_add_checked_fixture(t, load_unit_pack, free_ctx);
    tcase_add_test(t, finding_offsets_are_utf16_after_emoji_and_accents);
    tcase_add_test(t, case_hashtags_obfuscation_and_emoji_between_words_still_match);
    tcase_add_test(t, words_inside_other_words_do_not_match);
    tcase_add_test(t, an_exception_before_the_term_suppresses_it);
    tcase_add_test(t, a_term_inside_quotation_marks_is_not_flagged);
    tcase_add_test(t, supporting_evidence_must_be_inside_the_window);
    tcase_add_test(t, health_numbers_are_validated);
    tcase_add_test(t, identifiable_patient_severity_rises_with_the_number_of_details);
    tcase_add_test(t, a_findings_spans_are_merged_where_they_overlap_or_touch);
    tcase_add_test(t, advocacy_raises_nothing);
    tcase_add_test(t, french_with_decomposed_accents_matches_folded_terms);
    tcase_add_test(t, empty_and_nul_containing_texts_are_checked);
    tcase_add_test(t, a_text_over_the_cap_is_refused);
    tcase_add_test(t, many_findings_are_capped_and_marked_truncated);
    suite_add_tcase(s, t);

    t = tcase_create("pack");
    tcase_set_timeout(t, 60);
    tcase_add_checked_fixture(t, load_unit_pack, free_ctx);
    tcase_add_test(t, rules_can_be_listed_and_looked_up);
    tcase_add_test(t, checking_without_a_pack_is_an_error);
    tcase_add_test(t, loader_errors_name_file_rule_and_field);
    tcase_add_test(t, a_bad_pack_leaves_the_loaded_one_working);
    tcase_add_test(t, a_missing_pack_says_where_to_look);
    tcase_add_test(t, a_pattern_that_backtracks_forever_is_stopped_and_reported);
    tcase_add_test(t, clinic_config_adds_terms_disables_rules_and_changes_severity);
    tcase_add_test(t, a_broken_clinic_config_is_reported_and_the_base_pack_keeps_working);
    tcase_add_test(t, the_system_config_wins_over_the_user_config);
    tcase_add_test(t, the_overlay_adds_terms_disables_rules_and_changes_severity_at_once);
    tcase_add_test(t, the_overlay_wins_over_the_configuration_files);
    tcase_add_test(t, an_empty_overlay_removes_the_previous_one);
    tcase_add_test(t, a_broken_overlay_is_refused_names_the_fault_and_changes_nothing);
    tcase_add_test(t, an_overlay_set_before_loading_applies_at_the_load);
    tcase_add_test(t, the_packs_sections_can_be_listed);
    suite_add_tcase(s, t);

    t = tcase_create("parts and weights");
    tcase_add_test(t, a_pattern_refers_to_parts_that_refer_to_parts);
    tcase_add_test(t, a_folder_pack_reads_the_parts_file_its_pack_json_names);
    tcase_add_test(t, part_errors_name_the_file_the_field_and_the_part);
    tcase_add_test(t, an_escaped_brace_is_not_a_part_reference);
    tcase_add_test(t, severity_weights_come_from_the_pack_with_defaults);
    tcase_add_test(t, bad_severity_weights_are_refused_naming_the_field);
    suite_add_tcase(s, t);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(engine_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
