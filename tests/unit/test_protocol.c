/* test_protocol.c - Check suites for the protocol handler (host/nmh/protocol.c), called as the
 * pure function it is: dispatch of hello/check/explain/configure, every error code, UTF-16
 * offsets in replies, and the 1 MiB reply cap. */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bigpack.h"
#include "frame.h"
#include "postguard.h"
#include "protocol.h"

#ifndef PG_UNIT_PACK
#error "PG_UNIT_PACK must name tests/unit/pack.json"
#endif

static pg_ctx *ctx;
static pg_proto *proto;

static void setup(void) {
    pg_error err;
    ck_assert_int_eq(pg_ctx_new(&ctx), PG_OK);
    ck_assert_msg(pg_ctx_load(ctx, PG_UNIT_PACK, &err) == PG_OK, "%s", err.message);
    ck_assert_int_eq(pg_proto_new(ctx, NULL, &proto), PG_OK);
}

static void teardown(void) {
    pg_proto_free(proto);
    pg_ctx_free(ctx);
    proto = NULL;
    ctx = NULL;
}

/* Send len bytes, return the reply parsed (the caller frees it). Every reply must be one JSON
 * object within the browser's limit. */
static cJSON *ask_n(const char *req, size_t len, pg_proto_log *log) {
    size_t outlen = 0;
    char *out = pg_proto_handle(proto, req, len, &outlen, log);
    ck_assert_ptr_nonnull(out);
    ck_assert_uint_le(outlen, PG_FRAME_MAX_OUT);
    ck_assert_uint_eq(strlen(out), outlen);
    cJSON *j = cJSON_ParseWithLength(out, outlen);
    ck_assert_msg(cJSON_IsObject(j), "reply is not a JSON object: %.200s", out);
    free(out);
    return j;
}

static cJSON *ask(const char *req) {
    return ask_n(req, strlen(req), NULL);
}

static const char *str(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    ck_assert_msg(cJSON_IsString(v), "%s is not a string", key);
    return v->valuestring;
}

static double num(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", key);
    return v->valuedouble;
}

/* Expect an error reply with this code, a message containing words, and id (JSON text of the
 * id expected: "null", "7", "\"a\""). */
static void expect_error_n(const char *req, size_t len, const char *code, const char *words,
                           const char *id) {
    pg_proto_log log;
    cJSON *r = ask_n(req, len, &log);
    ck_assert_str_eq(str(r, "type"), "error");
    ck_assert_str_eq(str(r, "code"), code);
    ck_assert_msg(strstr(str(r, "message"), words), "message \"%s\" lacks \"%s\"",
                  str(r, "message"), words);
    char *idtext = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(r, "id"));
    ck_assert_str_eq(idtext, id);
    free(idtext);
    ck_assert_ptr_nonnull(log.code);
    ck_assert_str_eq(log.code, code);
    cJSON_Delete(r);
}

static void expect_error(const char *req, const char *code, const char *words, const char *id) {
    expect_error_n(req, strlen(req), code, words, id);
}

/* ---- dispatch ---- */

START_TEST(hello_reports_the_version_pack_categories_sections_and_limits) {
    cJSON *r = ask("{\"type\":\"hello\",\"id\":1}");
    ck_assert_str_eq(str(r, "type"), "hello");
    ck_assert_int_eq((int)num(r, "id"), 1);
    ck_assert_int_eq((int)num(r, "protocol"), 1);
    ck_assert_str_eq(str(r, "version"), PG_VERSION);
    const cJSON *pack = cJSON_GetObjectItemCaseSensitive(r, "pack");
    ck_assert_str_eq(str(pack, "id"), "unit-test-pack");
    ck_assert_str_eq(str(pack, "version"), "1.0.0");
    ck_assert_int_eq((int)num(pack, "rules"), 6);
    const cJSON *cats = cJSON_GetObjectItemCaseSensitive(r, "categories");
    ck_assert_int_eq(cJSON_GetArraySize(cats), 11);
    ck_assert_str_eq(cJSON_GetArrayItem(cats, 0)->valuestring, "privacy");
    const cJSON *secs = cJSON_GetObjectItemCaseSensitive(r, "sections");
    ck_assert_int_eq(cJSON_GetArraySize(secs), 3);
    const cJSON *s31 = cJSON_GetObjectItemCaseSensitive(secs, "3.1");
    ck_assert_str_eq(str(s31, "title"), "Privacy and Confidentiality");
    ck_assert_ptr_nonnull(strstr(str(s31, "text"), "avoid posting patient information"));
    const cJSON *lim = cJSON_GetObjectItemCaseSensitive(r, "limits");
    ck_assert_int_eq((int)num(lim, "max_frame"), 8 * 1024 * 1024);
    ck_assert_int_eq((int)num(lim, "max_text"), 1024 * 1024);
    ck_assert_int_eq((int)num(lim, "max_reply"), 1024 * 1024);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "config_problem")));
    cJSON_Delete(r);
}
END_TEST

START_TEST(check_returns_findings_sections_and_the_highest_severity) {
    pg_proto_log log;
    const char *req = "{\"type\":\"check\",\"id\":7,\"site\":\"x\","
                      "\"text\":\"PHN 9734 281 656, DM me your symptoms\"}";
    cJSON *r = ask_n(req, strlen(req), &log);
    ck_assert_str_eq(str(r, "type"), "result");
    ck_assert_int_eq((int)num(r, "id"), 7);
    const cJSON *fs = cJSON_GetObjectItemCaseSensitive(r, "findings");
    ck_assert_int_eq(cJSON_GetArraySize(fs), 2);
    const cJSON *f = cJSON_GetArrayItem(fs, 0);
    ck_assert_str_eq(str(f, "rule"), "privacy.health-number.bc");
    ck_assert_str_eq(str(f, "category"), "privacy");
    ck_assert_str_eq(str(f, "section"), "3.1");
    ck_assert_str_eq(str(f, "section_title"), "Privacy and Confidentiality");
    ck_assert_str_eq(str(f, "severity"), "high");
    ck_assert_int_eq((int)num(f, "start"), 4);
    ck_assert_int_eq((int)num(f, "end"), 16);
    ck_assert(str(f, "message")[0] && str(f, "explanation")[0] && str(f, "suggestion")[0]);
    ck_assert(num(f, "confidence") > 0 && num(f, "confidence") <= 1);
    const cJSON *sp = cJSON_GetObjectItemCaseSensitive(f, "spans");
    ck_assert_int_eq((int)cJSON_GetArrayItem(cJSON_GetArrayItem(sp, 0), 0)->valuedouble, 4);
    ck_assert_int_eq((int)cJSON_GetArrayItem(cJSON_GetArrayItem(sp, 0), 1)->valuedouble, 16);
    ck_assert_str_eq(str(cJSON_GetArrayItem(fs, 1), "rule"), "advice.invite-symptoms");
    const cJSON *secs = cJSON_GetObjectItemCaseSensitive(r, "sections");
    ck_assert_int_eq(cJSON_GetArraySize(secs), 2);
    ck_assert_str_eq(str(cJSON_GetArrayItem(secs, 0), "section"), "3.1");
    ck_assert_str_eq(str(cJSON_GetArrayItem(secs, 0), "level"), "high");
    ck_assert_str_eq(str(r, "max_severity"), "high");
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(r, "truncated")));
    ck_assert(num(r, "elapsed") >= 0);
    /* the log carries sizes and counts */
    ck_assert_ptr_null(log.code);
    ck_assert_str_eq(log.type, "check");
    ck_assert_str_eq(log.id, "7");
    ck_assert_str_eq(log.site, "x");
    ck_assert_uint_eq(log.findings, 2);
    ck_assert_uint_eq(log.text_len, strlen("PHN 9734 281 656, DM me your symptoms"));
    cJSON_Delete(r);
}
END_TEST

START_TEST(a_clean_text_gets_an_empty_result) {
    cJSON *r = ask("{\"type\":\"check\",\"id\":\"a-1\",\"text\":\"Get your flu shot this fall.\"}");
    ck_assert_str_eq(str(r, "type"), "result");
    ck_assert_str_eq(str(r, "id"), "a-1");
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "findings")), 0);
    ck_assert_str_eq(str(r, "max_severity"), "none");
    cJSON_Delete(r);
    r = ask("{\"type\":\"check\",\"id\":2,\"text\":\"\"}");
    ck_assert_str_eq(str(r, "type"), "result");
    cJSON_Delete(r);
}
END_TEST

START_TEST(explain_returns_the_rule_and_its_sections_text) {
    cJSON *r = ask("{\"type\":\"explain\",\"id\":3,\"rule\":\"advice.invite-symptoms\"}");
    ck_assert_str_eq(str(r, "type"), "explanation");
    ck_assert_int_eq((int)num(r, "id"), 3);
    ck_assert_str_eq(str(r, "rule"), "advice.invite-symptoms");
    ck_assert_str_eq(str(r, "category"), "advice");
    ck_assert_str_eq(str(r, "section"), "4.2");
    ck_assert_str_eq(str(r, "section_title"), "Communicating Medical Information");
    ck_assert_ptr_nonnull(strstr(str(r, "section_text"), "must not provide specific medical advice"));
    ck_assert_str_eq(str(r, "severity"), "medium");
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "enabled")));
    ck_assert_str_eq(str(r, "message"), "Inviting people to send you their symptoms.");
    ck_assert(str(r, "explanation")[0] && str(r, "suggestion")[0]);
    cJSON_Delete(r);
}
END_TEST

START_TEST(configure_adds_a_lexicon_term_that_then_flags) {
    const char *check = "{\"type\":\"check\",\"id\":1,\"text\":\"so tired of crackheads\"}";
    cJSON *r = ask(check);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "findings")), 0);
    cJSON_Delete(r);
    r = ask("{\"type\":\"configure\",\"id\":4,\"config\":{\"lexicons\":{\"demeaning\":"
            "[\"crackhead(s)\"]},\"disable\":[\"advice.invite-symptoms\"]}}");
    ck_assert_str_eq(str(r, "type"), "configured");
    ck_assert_int_eq((int)num(r, "id"), 4);
    ck_assert_str_eq(str(cJSON_GetObjectItemCaseSensitive(r, "pack"), "id"), "unit-test-pack");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "config_problem")));
    cJSON_Delete(r);
    r = ask(check);
    const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "findings"), 0);
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(str(f, "rule"), "respect.demeaning-label");
    ck_assert_int_eq((int)num(f, "start"), 12);
    ck_assert_int_eq((int)num(f, "end"), 22);
    cJSON_Delete(r);
    r = ask("{\"type\":\"explain\",\"id\":5,\"rule\":\"advice.invite-symptoms\"}");
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(r, "enabled")));
    cJSON_Delete(r);
    /* {} removes the overlay */
    r = ask("{\"type\":\"configure\",\"id\":6,\"config\":{}}");
    ck_assert_str_eq(str(r, "type"), "configured");
    cJSON_Delete(r);
    r = ask(check);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "findings")), 0);
    cJSON_Delete(r);
}
END_TEST

START_TEST(a_refused_overlay_is_reported_and_the_previous_one_stays) {
    cJSON *r = ask("{\"type\":\"configure\",\"id\":1,\"config\":{\"disable\":[\"advice.invite-symptoms\"]}}");
    cJSON_Delete(r);
    r = ask("{\"type\":\"configure\",\"id\":2,\"config\":{\"disable\":[\"no.such-rule\"]}}");
    ck_assert_str_eq(str(r, "type"), "configured");
    const cJSON *cp = cJSON_GetObjectItemCaseSensitive(r, "config_problem");
    ck_assert_str_eq(str(cp, "file"), "configure");
    ck_assert_str_eq(str(cp, "field"), "disable");
    ck_assert_ptr_nonnull(strstr(str(cp, "message"), "no.such-rule"));
    cJSON_Delete(r);
    r = ask("{\"type\":\"check\",\"id\":3,\"text\":\"DM me your symptoms\"}");
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "findings")), 0);
    cJSON_Delete(r);
    /* hello reports it until a configure succeeds */
    r = ask("{\"type\":\"hello\",\"id\":4}");
    ck_assert_str_eq(str(cJSON_GetObjectItemCaseSensitive(r, "config_problem"), "file"), "configure");
    cJSON_Delete(r);
    cJSON_Delete(ask("{\"type\":\"configure\",\"id\":5,\"config\":{}}"));
    r = ask("{\"type\":\"hello\",\"id\":6}");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "config_problem")));
    cJSON_Delete(r);
}
END_TEST

/* ---- UTF-16 offsets in replies ---- */

/* Where needle starts in text, in UTF-16 code units, as JavaScript's text.indexOf(needle):
 * counted here from the code points, independently of the engine. */
static int js_index(const char *text, const char *needle) {
    const char *at = strstr(text, needle);
    ck_assert_ptr_nonnull(at);
    int units = 0;
    for (const unsigned char *p = (const unsigned char *)text; p < (const unsigned char *)at; p++) {
        if ((*p & 0xC0) == 0x80) continue; /* continuation byte */
        units += *p >= 0xF0 ? 2 : 1;         /* 4-byte sequences are surrogate pairs */
    }
    return units;
}

static void expect_span(const char *text, const char *needle, int want_start, int want_len) {
    char req[512];
    snprintf(req, sizeof req, "{\"type\":\"check\",\"id\":1,\"text\":\"%s\"}", text);
    cJSON *r = ask(req);
    const cJSON *fs = cJSON_GetObjectItemCaseSensitive(r, "findings");
    ck_assert_msg(cJSON_GetArraySize(fs) == 1, "%s: %d findings", text, cJSON_GetArraySize(fs));
    const cJSON *f = cJSON_GetArrayItem(fs, 0);
    ck_assert_int_eq(js_index(text, needle), want_start);
    ck_assert_msg((int)num(f, "start") == want_start, "%s: start %d, want %d", text,
                  (int)num(f, "start"), want_start);
    ck_assert_msg((int)num(f, "end") == want_start + want_len, "%s: end %d, want %d", text,
                  (int)num(f, "end"), want_start + want_len);
    const cJSON *sp0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(f, "spans"), 0);
    ck_assert_int_eq((int)cJSON_GetArrayItem(sp0, 0)->valuedouble, want_start);
    ck_assert_int_eq((int)cJSON_GetArrayItem(sp0, 1)->valuedouble, want_start + want_len);
    cJSON_Delete(r);
}

START_TEST(offsets_are_utf16_after_ascii) {
    expect_span("sick of the drug seekers", "drug seekers", 12, 12);
}
END_TEST

START_TEST(offsets_are_utf16_after_accented_letters) {
    expect_span("Équipe épuisée: sick of the drug seekers", "drug seekers", 28, 12);
}
END_TEST

START_TEST(offsets_are_utf16_after_cjk) {
    expect_span("新年快乐 sick of the drug seekers", "drug seekers", 17, 12);
}
END_TEST

START_TEST(offsets_are_utf16_after_emoji_and_other_astral_characters) {
    expect_span("🧧🐍 sick of the drug seekers", "drug seekers", 17, 12);
    expect_span("𝔘𝔫𝔦 sick of the drug seekers", "drug seekers", 19, 12); /* math letters */
}
END_TEST

START_TEST(offsets_are_utf16_after_zwj_sequences_flags_and_variation_selectors) {
    /* 👨‍👩‍👧 is 5 code points (8 units); 🇨🇦 two regional indicators (4); ❤️ U+2764 U+FE0F (2) */
    expect_span("👨‍👩‍👧 sick of the drug seekers", "drug seekers", 21, 12);
    expect_span("🇨🇦❤️ sick of the drug seekers", "drug seekers", 19, 12);
}
END_TEST

START_TEST(offsets_are_utf16_after_combining_marks) {
    /* e + U+0301 is two code units, as JavaScript counts it */
    expect_span("Be\xcc\x81rube\xcc\x81 sick of the drug seekers", "drug seekers", 21, 12);
}
END_TEST

START_TEST(a_span_over_accented_letters_counts_them_once) {
    /* "seekérs" folds to "seekers": the span covers 12 units but 13 bytes */
    expect_span("🎉 sick of the drug seekérs", "drug seekérs", 15, 12);
}
END_TEST

START_TEST(offsets_are_utf16_when_json_escapes_write_the_text) {
    /* \ud83e\udde7 is 🧧 written as a JSON surrogate pair: still 2 units */
    cJSON *r = ask("{\"type\":\"check\",\"id\":1,\"text\":\"\\ud83e\\udde7 drug seekers\"}");
    const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "findings"), 0);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq((int)num(f, "start"), 3);
    ck_assert_int_eq((int)num(f, "end"), 15);
    cJSON_Delete(r);
}
END_TEST

START_TEST(an_escaped_nul_in_the_text_keeps_every_offset) {
    /* JSON.stringify("a\0b drug seekers"): the NUL counts as one unit, like a space */
    cJSON *r = ask("{\"type\":\"check\",\"id\":1,\"text\":\"a\\u0000b drug seekers\"}");
    const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "findings"), 0);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq((int)num(f, "start"), 4);
    ck_assert_int_eq((int)num(f, "end"), 16);
    cJSON_Delete(r);
    /* and it separates words, as a space does */
    r = ask("{\"type\":\"check\",\"id\":3,\"text\":\"sick of drug\\u0000seekers\"}");
    f = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "findings"), 0);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq((int)num(f, "start"), 8);
    ck_assert_int_eq((int)num(f, "end"), 20);
    cJSON_Delete(r);
    /* an escaped backslash before u0000 is not a NUL escape */
    r = ask("{\"type\":\"check\",\"id\":2,\"text\":\"\\\\u0000 drug seekers\"}");
    f = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "findings"), 0);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq((int)num(f, "start"), 7);
    cJSON_Delete(r);
}
END_TEST

/* ---- every bad input gets a clear error ---- */

START_TEST(an_empty_message_is_frame_empty) {
    expect_error_n("", 0, "frame_empty", "empty", "null");
}
END_TEST

START_TEST(invalid_utf8_is_bad_utf8_naming_the_byte) {
    expect_error("{\"type\":\"check\",\"id\":1,\"text\":\"caf\xe9\"}", "bad_utf8", "byte 34",
                 "null");
    expect_error("\xff", "bad_utf8", "byte 0", "null");
    expect_error("{\"type\":\"hello\",\"id\":1,\"x\":\"\xed\xa0\x80\"}", "bad_utf8", "byte 28",
                 "null"); /* an encoded surrogate */
}
END_TEST

START_TEST(a_nul_byte_is_bad_json_naming_the_byte) {
    const char req[] = "{\"type\":\"check\",\"id\":1,\"text\":\"a\0b\"}";
    expect_error_n(req, sizeof req - 1, "bad_json", "NUL byte at byte 32", "null");
    expect_error_n("\0", 1, "bad_json", "NUL", "null");
}
END_TEST

START_TEST(invalid_json_is_bad_json_naming_the_byte) {
    expect_error("{\"type\":\"hello\",\"id\":1", "bad_json", "invalid JSON", "null");
    expect_error("{\"type\": hello}", "bad_json", "byte 9", "null");
    expect_error("{\"type\":\"hello\",\"id\":1} trailing", "bad_json", "after the object", "null");
    expect_error("{\"type\":\"hello\",\"id\":1}{}", "bad_json", "byte 23", "null");
    expect_error("{\"type\":\"check\",\"id\":1,\"text\":\"\\ud800 lone\"}", "bad_json",
                 "invalid JSON", "null");
    expect_error("   ", "bad_json", "invalid JSON", "null");
    /* nesting far past any sane depth is refused, not followed */
    size_t depth = 50000; /* under PG_JSON_MAX_VALUES, so cJSON's own nesting limit answers */
    char *deep = malloc(2 * depth + 1);
    ck_assert_ptr_nonnull(deep);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    deep[2 * depth] = '\0';
    expect_error(deep, "bad_json", "invalid JSON", "null");
    free(deep);
}
END_TEST

START_TEST(whitespace_around_the_object_is_fine) {
    cJSON *r = ask(" \r\n\t{\"type\":\"hello\",\"id\":1}\n ");
    ck_assert_str_eq(str(r, "type"), "hello");
    cJSON_Delete(r);
}
END_TEST

START_TEST(json_that_is_not_an_object_is_not_object) {
    expect_error("[1,2]", "not_object", "an array", "null");
    expect_error("\"hello\"", "not_object", "a string", "null");
    expect_error("42", "not_object", "a number", "null");
    expect_error("null", "not_object", "null", "null");
    expect_error("true", "not_object", "a boolean", "null");
}
END_TEST

START_TEST(a_missing_or_mistyped_id_is_bad_field_with_a_null_id) {
    expect_error("{\"type\":\"hello\"}", "bad_field", "id is missing", "null");
    expect_error("{\"type\":\"hello\",\"id\":true}", "bad_field", "id must be", "null");
    expect_error("{\"type\":\"hello\",\"id\":null}", "bad_field", "not null", "null");
    expect_error("{\"type\":\"hello\",\"id\":{\"a\":1}}", "bad_field", "an object", "null");
    expect_error("{\"type\":\"hello\",\"id\":[1]}", "bad_field", "an array", "null");
    char req[600];
    char longid[300];
    memset(longid, 'a', 257);
    longid[257] = '\0';
    snprintf(req, sizeof req, "{\"type\":\"hello\",\"id\":\"%s\"}", longid);
    expect_error(req, "bad_field", "longer than 256", "null");
    longid[256] = '\0'; /* exactly 256 is fine, and echoed */
    snprintf(req, sizeof req, "{\"type\":\"hello\",\"id\":\"%s\"}", longid);
    cJSON *r = ask(req);
    ck_assert_str_eq(str(r, "id"), longid);
    cJSON_Delete(r);
}
END_TEST

START_TEST(a_missing_or_mistyped_type_is_bad_field_with_the_id) {
    expect_error("{\"id\":9}", "bad_field", "type is missing", "9");
    expect_error("{\"id\":9,\"type\":3}", "bad_field", "type must be a string, not a number", "9");
    expect_error("{\"id\":\"q\",\"type\":null}", "bad_field", "type must be a string", "\"q\"");
}
END_TEST

START_TEST(an_unknown_type_is_unknown_type_with_the_id) {
    expect_error("{\"type\":\"result\",\"id\":5}", "unknown_type", "'result'", "5");
    expect_error("{\"type\":\"HELLO\",\"id\":5}", "unknown_type", "hello, check, explain, configure", "5");
    expect_error("{\"type\":\"\",\"id\":5}", "unknown_type", "''", "5");
}
END_TEST

START_TEST(check_with_a_missing_or_mistyped_text_or_site_is_bad_field) {
    expect_error("{\"type\":\"check\",\"id\":1}", "bad_field", "text is missing", "1");
    expect_error("{\"type\":\"check\",\"id\":1,\"text\":42}", "bad_field",
                 "text must be a string, not a number", "1");
    expect_error("{\"type\":\"check\",\"id\":1,\"text\":[\"a\"]}", "bad_field", "text must be a string", "1");
    expect_error("{\"type\":\"check\",\"id\":1,\"text\":null}", "bad_field", "text must be a string", "1");
    expect_error("{\"type\":\"check\",\"id\":1,\"text\":\"a\",\"site\":7}", "bad_field",
                 "site must be a string", "1");
}
END_TEST

START_TEST(a_text_over_the_cap_is_text_too_large) {
    size_t n = PG_MAX_TEXT_BYTES + 1;
    const char *head = "{\"type\":\"check\",\"id\":8,\"text\":\"";
    size_t hl = strlen(head);
    char *req = malloc(hl + n + 3);
    ck_assert_ptr_nonnull(req);
    memcpy(req, head, hl);
    memset(req + hl, 'a', n);
    memcpy(req + hl + n, "\"}", 3);
    expect_error(req, "text_too_large", "1048577 bytes", "8");
    /* exactly at the cap is checked */
    memcpy(req + hl + n - 1, "\"}", 3);
    cJSON *r = ask(req);
    ck_assert_str_eq(str(r, "type"), "result");
    cJSON_Delete(r);
    free(req);
}
END_TEST

START_TEST(explain_with_a_missing_or_unknown_rule_is_an_error) {
    expect_error("{\"type\":\"explain\",\"id\":1}", "bad_field", "rule is missing", "1");
    expect_error("{\"type\":\"explain\",\"id\":1,\"rule\":5}", "bad_field", "rule must be a string", "1");
    expect_error("{\"type\":\"explain\",\"id\":1,\"rule\":\"no.such-rule\"}", "no_such_rule",
                 "'no.such-rule'", "1");
}
END_TEST

START_TEST(configure_with_a_missing_or_mistyped_config_is_bad_field) {
    expect_error("{\"type\":\"configure\",\"id\":1}", "bad_field", "config is missing", "1");
    expect_error("{\"type\":\"configure\",\"id\":1,\"config\":[]}", "bad_field",
                 "config must be an object, not an array", "1");
    expect_error("{\"type\":\"configure\",\"id\":1,\"config\":\"{}\"}", "bad_field",
                 "config must be an object", "1");
}
END_TEST

START_TEST(the_handler_keeps_answering_after_every_bad_input) {
    const char *bad[] = {"", "\xff", "{", "[]", "{\"id\":1}", "{\"type\":\"x\",\"id\":1}",
                         "{\"type\":\"check\",\"id\":1}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cJSON *r = ask(bad[i]);
        ck_assert_str_eq(str(r, "type"), "error");
        cJSON_Delete(r);
        r = ask("{\"type\":\"check\",\"id\":2,\"text\":\"DM me your symptoms\"}");
        ck_assert_str_eq(str(r, "type"), "result");
        ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "findings")), 1);
        cJSON_Delete(r);
    }
}
END_TEST

START_TEST(framing_faults_have_their_own_error_replies) {
    size_t len = 0;
    char *s = pg_proto_error_reply("frame_too_large", "the frame is 9 bytes", &len);
    ck_assert_ptr_nonnull(s);
    cJSON *r = cJSON_ParseWithLength(s, len);
    ck_assert_str_eq(str(r, "type"), "error");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "id")));
    ck_assert_str_eq(str(r, "code"), "frame_too_large");
    ck_assert_str_eq(str(r, "message"), "the frame is 9 bytes");
    cJSON_Delete(r);
    free(s);
    r = cJSON_Parse(pg_proto_oom_reply());
    ck_assert_str_eq(str(r, "code"), "internal");
    cJSON_Delete(r);
}
END_TEST

START_TEST(without_a_rule_pack_every_request_is_no_rule_pack) {
    pg_ctx *empty;
    pg_proto *p;
    pg_error err;
    memset(&err, 0, sizeof err);
    snprintf(err.message, sizeof err.message, "no rule pack found (looked in /x); reinstall");
    ck_assert_int_eq(pg_ctx_new(&empty), PG_OK);
    ck_assert_int_eq(pg_proto_new(empty, &err, &p), PG_OK);
    const char *reqs[] = {"{\"type\":\"hello\",\"id\":1}",
                          "{\"type\":\"check\",\"id\":1,\"text\":\"DM me your symptoms\"}",
                          "{\"type\":\"explain\",\"id\":1,\"rule\":\"x\"}"};
    for (size_t i = 0; i < 3; i++) {
        size_t len;
        char *out = pg_proto_handle(p, reqs[i], strlen(reqs[i]), &len, NULL);
        cJSON *r = cJSON_ParseWithLength(out, len);
        ck_assert_str_eq(str(r, "code"), "no_rule_pack");
        ck_assert_int_eq((int)num(r, "id"), 1);
        ck_assert_ptr_nonnull(strstr(str(r, "message"), "reinstall"));
        cJSON_Delete(r);
        free(out);
    }
    size_t len;
    char *out = pg_proto_handle(p, "{", 1, &len, NULL); /* faults before the envelope still come first */
    cJSON *r = cJSON_ParseWithLength(out, len);
    ck_assert_str_eq(str(r, "code"), "bad_json");
    cJSON_Delete(r);
    free(out);
    pg_proto_free(p);
    pg_ctx_free(empty);
}
END_TEST

/* ---- the reply cap ---- */

/* A pack whose one rule has a 20,000-byte explanation: 100 findings make a 2 MB reply. */
static char big_pack[64];

START_TEST(a_reply_over_1_mib_is_cut_and_marked_truncated) {
    ck_assert_int_eq(pg_test_write_big_pack(big_pack, sizeof big_pack), 0);
    pg_ctx *c;
    pg_proto *p;
    pg_error err;
    ck_assert_int_eq(pg_ctx_new(&c), PG_OK);
    ck_assert_msg(pg_ctx_load(c, big_pack, &err) == PG_OK, "%s", err.message);
    unlink(big_pack);
    ck_assert_int_eq(pg_proto_new(c, NULL, &p), PG_OK);
    char req[2048];
    pg_test_big_check(req, sizeof req);
    size_t len = 0;
    pg_proto_log log;
    char *out = pg_proto_handle(p, req, strlen(req), &len, &log);
    ck_assert_ptr_nonnull(out);
    ck_assert_uint_le(len, PG_FRAME_MAX_OUT);
    ck_assert_uint_gt(len, PG_FRAME_MAX_OUT - 25000); /* as many as fit, not a handful */
    cJSON *r = cJSON_ParseWithLength(out, len);
    ck_assert_str_eq(str(r, "type"), "result");
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "truncated")));
    const cJSON *fs = cJSON_GetObjectItemCaseSensitive(r, "findings");
    int kept = cJSON_GetArraySize(fs);
    ck_assert_int_gt(kept, 10);
    ck_assert_int_lt(kept, 100);
    /* the first findings are kept, in text order */
    for (int i = 0; i < kept; i++)
        ck_assert_int_eq((int)num(cJSON_GetArrayItem(fs, i), "start"), 8 * i);
    ck_assert_uint_eq(log.findings, (size_t)kept);
    ck_assert_int_eq(log.truncated, 1);
    cJSON_Delete(r);
    free(out);
    pg_proto_free(p);
    pg_ctx_free(c);
}
END_TEST

static Suite *protocol_suite(void) {
    Suite *s = suite_create("protocol");
    TCase *t = tcase_create("dispatch");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 120);
    tcase_add_test(t, hello_reports_the_version_pack_categories_sections_and_limits);
    tcase_add_test(t, check_returns_findings_sections_and_the_highest_severity);
    tcase_add_test(t, a_clean_text_gets_an_empty_result);
    tcase_add_test(t, explain_returns_the_rule_and_its_sections_text);
    tcase_add_test(t, configure_adds_a_lexicon_term_that_then_flags);
    tcase_add_test(t, a_refused_overlay_is_reported_and_the_previous_one_stays);
    suite_add_tcase(s, t);

    t = tcase_create("utf16");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, offsets_are_utf16_after_ascii);
    tcase_add_test(t, offsets_are_utf16_after_accented_letters);
    tcase_add_test(t, offsets_are_utf16_after_cjk);
    tcase_add_test(t, offsets_are_utf16_after_emoji_and_other_astral_characters);
    tcase_add_test(t, offsets_are_utf16_after_zwj_sequences_flags_and_variation_selectors);
    tcase_add_test(t, offsets_are_utf16_after_combining_marks);
    tcase_add_test(t, a_span_over_accented_letters_counts_them_once);
    tcase_add_test(t, offsets_are_utf16_when_json_escapes_write_the_text);
    tcase_add_test(t, an_escaped_nul_in_the_text_keeps_every_offset);
    suite_add_tcase(s, t);

    t = tcase_create("errors");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 120);
    tcase_add_test(t, an_empty_message_is_frame_empty);
    tcase_add_test(t, invalid_utf8_is_bad_utf8_naming_the_byte);
    tcase_add_test(t, a_nul_byte_is_bad_json_naming_the_byte);
    tcase_add_test(t, invalid_json_is_bad_json_naming_the_byte);
    tcase_add_test(t, whitespace_around_the_object_is_fine);
    tcase_add_test(t, json_that_is_not_an_object_is_not_object);
    tcase_add_test(t, a_missing_or_mistyped_id_is_bad_field_with_a_null_id);
    tcase_add_test(t, a_missing_or_mistyped_type_is_bad_field_with_the_id);
    tcase_add_test(t, an_unknown_type_is_unknown_type_with_the_id);
    tcase_add_test(t, check_with_a_missing_or_mistyped_text_or_site_is_bad_field);
    tcase_add_test(t, a_text_over_the_cap_is_text_too_large);
    tcase_add_test(t, explain_with_a_missing_or_unknown_rule_is_an_error);
    tcase_add_test(t, configure_with_a_missing_or_mistyped_config_is_bad_field);
    tcase_add_test(t, the_handler_keeps_answering_after_every_bad_input);
    tcase_add_test(t, framing_faults_have_their_own_error_replies);
    tcase_add_test(t, without_a_rule_pack_every_request_is_no_rule_pack);
    tcase_add_test(t, a_reply_over_1_mib_is_cut_and_marked_truncated);
    suite_add_tcase(s, t);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(protocol_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
