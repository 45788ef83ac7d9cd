/* test_reply.c - Check suites for the host's direct reply writing (host/json/jwrite.c, json.c's
 * pg_json_write_result, protocol.c's pg_proto_handle_frame, frame.c's pg_frame_send): every
 * reply must be the very bytes the cJSON tree + cJSON_PrintUnformatted path wrote before.
 *
 * The oracle below is that former path (a cJSON tree per result, pg_json_print_capped to cut
 * it to the cap), kept here so the fast writer is compared byte for byte, not just parsed. */
#include <check.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bigpack.h"
#include "frame.h"
#include "json.h"
#include "jwrite.h"
#include "postguard.h"
#include "protocol.h"

#ifndef PG_UNIT_PACK
#error "PG_UNIT_PACK must name tests/unit/pack.json"
#endif

/* ---- the oracle: the result as a cJSON tree, in the protocol's order ---- */

static void add_milli(cJSON *o, const char *key, double v) {
    cJSON_AddNumberToObject(o, key, round(v * 1000.0) / 1000.0);
}

static cJSON *oracle_finding(const pg_ctx *ctx, const pg_finding *f) {
    cJSON *o = cJSON_CreateObject();
    pg_rule_info ri;
    const char *title = pg_ctx_rule(ctx, f->rule, &ri) == PG_OK ? ri.section_title : NULL;
    cJSON_AddStringToObject(o, "rule", f->rule ? f->rule : "");
    cJSON_AddStringToObject(o, "category", f->category ? f->category : "");
    cJSON_AddStringToObject(o, "section", f->section ? f->section : "");
    cJSON_AddStringToObject(o, "section_title", title ? title : "");
    cJSON_AddStringToObject(o, "severity", pg_severity_name(f->severity));
    add_milli(o, "confidence", f->confidence);
    cJSON_AddNumberToObject(o, "start", (double)f->span.start);
    cJSON_AddNumberToObject(o, "end", (double)f->span.end);
    cJSON *spans = cJSON_AddArrayToObject(o, "spans");
    for (size_t i = 0; i < f->nspans; i++) {
        cJSON *p = cJSON_CreateArray();
        cJSON_AddItemToArray(p, cJSON_CreateNumber((double)f->spans[i].start));
        cJSON_AddItemToArray(p, cJSON_CreateNumber((double)f->spans[i].end));
        cJSON_AddItemToArray(spans, p);
    }
    cJSON_AddStringToObject(o, "message", f->message ? f->message : "");
    cJSON_AddStringToObject(o, "explanation", f->explanation ? f->explanation : "");
    cJSON_AddStringToObject(o, "suggestion", f->suggestion ? f->suggestion : "");
    return o;
}

/* The whole reply; type and id are left out when id is NULL (the command line's shape). */
static cJSON *oracle_result(const pg_ctx *ctx, const pg_result *r, double elapsed,
                            const cJSON *id) {
    cJSON *o = cJSON_CreateObject();
    if (id) {
        cJSON_AddStringToObject(o, "type", "result");
        cJSON_AddItemToObject(o, "id", cJSON_Duplicate(id, 0));
    }
    cJSON *fs = cJSON_AddArrayToObject(o, "findings");
    for (size_t i = 0; i < r->nfindings; i++)
        cJSON_AddItemToArray(fs, oracle_finding(ctx, &r->findings[i]));
    cJSON *ss = cJSON_AddArrayToObject(o, "sections");
    for (size_t i = 0; i < r->nsections; i++) {
        const pg_section_score *s = &r->sections[i];
        cJSON *so = cJSON_CreateObject();
        cJSON_AddStringToObject(so, "section", s->section ? s->section : "");
        cJSON_AddStringToObject(so, "title", s->title ? s->title : "");
        add_milli(so, "score", s->score);
        cJSON_AddStringToObject(so, "level", pg_severity_name(s->level));
        cJSON_AddNumberToObject(so, "findings", (double)s->findings);
        cJSON_AddItemToArray(ss, so);
    }
    cJSON *lr = cJSON_AddArrayToObject(o, "limit_rules");
    cJSON_AddNumberToObject(o, "limit_hits", (double)r->limit_hits);
    for (size_t i = 0; i < r->limit_hits && i < 8; i++)
        cJSON_AddItemToArray(lr, cJSON_CreateString(r->limit_rules[i]));
    cJSON_AddStringToObject(o, "max_severity", pg_severity_name(r->max_severity));
    cJSON_AddBoolToObject(o, "truncated", r->truncated != 0);
    add_milli(o, "elapsed", elapsed);
    return o;
}

/* ---- the writer's pieces against cJSON's printer ---- */

static void expect_same_as_cjson(cJSON *item, void (*write)(pg_jw *, const cJSON *)) {
    char *want = cJSON_PrintUnformatted(item);
    pg_jw w = {0};
    pg_jw_reset(&w, 0);
    write(&w, item);
    ck_assert(!w.oom);
    ck_assert_msg(w.len == strlen(want) && memcmp(w.buf, want, w.len) == 0,
                  "writer '%.*s' != cJSON '%s'", (int)w.len, w.buf, want);
    free(want);
    pg_jw_free(&w);
    cJSON_Delete(item);
}

static void write_value(pg_jw *w, const cJSON *v) {
    pg_jw_value(w, v);
}

static void write_milli(pg_jw *w, const cJSON *v) {
    pg_jw_milli(w, v->valuedouble);
}

START_TEST(strings_are_escaped_exactly_as_cjson_does) {
    /* every byte value, alone and inside text, and UTF-8 left as it is */
    char s[8];
    for (int c = 1; c < 256; c++) {
        snprintf(s, sizeof s, "a%cb", c);
        expect_same_as_cjson(cJSON_CreateString(s), write_value);
        s[0] = (char)c, s[1] = '\0';
        expect_same_as_cjson(cJSON_CreateString(s), write_value);
    }
    /* in longer text, at every position of the eight-byte steps, next to UTF-8 bytes */
    const unsigned char specials[] = {'"', '\\', '\n', 1, 0x1f, 0x20, 0x7f, 0x80, 0xff, 0xdf};
    const char base[] = "\xc3\xa9" "abcdefgh ijklmnopqr " "\xf0\x9f\xa7\xa7" "stuvwxyz";
    char t[sizeof base];
    for (size_t k = 0; k < sizeof specials; k++) {
        for (size_t at = 0; at + 1 < sizeof base; at++) {
            memcpy(t, base, sizeof base);
            t[at] = (char)specials[k];
            if (at + 4 < sizeof base) t[at + 3] = (char)specials[(k + 1) % sizeof specials];
            expect_same_as_cjson(cJSON_CreateString(t), write_value);
        }
    }
    expect_same_as_cjson(cJSON_CreateString(""), write_value);
    expect_same_as_cjson(cJSON_CreateString("\"\\/\b\f\n\r\t\x01\x1f\x7f é 🧧 \xe2\x80\xa8"),
                         write_value);
}
END_TEST

START_TEST(ids_are_printed_exactly_as_cjson_does) {
    const double ids[] = {0, 1, 7, -1, -0.0, 42, 2147483647.0, -2147483648.0, 2147483648.0,
                          -2147483649.0, 1.5, 1500, 0.1, 1e21, 12345678901234567890.0, 1e300,
                          -1e-300, 3.14159265358979, 9007199254740993.0, 1.0 / 3.0};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++)
        expect_same_as_cjson(cJSON_CreateNumber(ids[i]), write_value);
    /* ids as the parser makes them (valueint set from the text) */
    const char *texts[] = {"7", "-0", "1.5e3", "12345678901234567890", "1e999", "-1e999",
                           "\"a1\"", "\"q\\\"\\n\\u2028\\/\"", "2147483647", "2147483648"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
        expect_same_as_cjson(cJSON_Parse(texts[i]), write_value);
    /* where cJSON rounds (integers from 10^15 to 2^53-1), the writer keeps every digit */
    const char *exact[] = {"1000000000000001", "9007199254740991", "-9007199254740991"};
    for (size_t i = 0; i < sizeof exact / sizeof *exact; i++) {
        cJSON *n = cJSON_Parse(exact[i]);
        pg_jw w = {0};
        pg_jw_reset(&w, 0);
        write_value(&w, n);
        ck_assert_msg(w.len == strlen(exact[i]) && memcmp(w.buf, exact[i], w.len) == 0,
                      "writer '%.*s' != '%s'", (int)w.len, w.buf, exact[i]);
        pg_jw_free(&w);
        cJSON_Delete(n);
    }
}
END_TEST

START_TEST(three_decimal_numbers_are_printed_exactly_as_cjson_does) {
    const double v[] = {0, 1, 0.9, 0.8, 0.041, 0.0004, 0.0005, 0.9995, 12.5, 171.7277, 3,
                        0.001, 0.01, 0.1, 0.123456, 999999.9999, 123456789.123, 1e9 + 0.5,
                        4e12, -0.5, -0.0, -12.001, NAN, INFINITY};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        expect_same_as_cjson(cJSON_CreateNumber(round(v[i] * 1000.0) / 1000.0), write_milli);
    /* and a spread of ordinary values (confidences, scores, milliseconds) */
    uint64_t x = 88172645463325252u;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double d = (double)(x % 100000000u) / (double)(1u << (x >> 59));
        cJSON *n = cJSON_CreateNumber(round(d * 1000.0) / 1000.0);
        expect_same_as_cjson(n, write_milli);
    }
}
END_TEST

START_TEST(the_buffer_grows_keeps_its_memory_and_keeps_the_header_room) {
    pg_jw w = {0};
    pg_jw_reset(&w, 4);
    ck_assert_uint_eq(w.len, 4);
    char big[100000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    pg_jw_str(&w, big);
    ck_assert(!w.oom);
    ck_assert_uint_eq(w.len, 4 + sizeof big + 1);
    ck_assert(w.buf[4] == '"' && w.buf[w.len - 1] == '"');
    char *kept = w.buf;
    size_t cap = w.cap;
    pg_jw_reset(&w, 4);
    pg_jw_lit(&w, "{}");
    ck_assert_ptr_eq(w.buf, kept); /* the next message reuses the memory */
    ck_assert_uint_eq(w.cap, cap);
    ck_assert_uint_eq(w.len, 6);
    ck_assert(memcmp(w.buf + 4, "{}", 2) == 0);
    pg_jw_free(&w);
    ck_assert_ptr_null(w.buf);
}
END_TEST

/* ---- whole results ---- */

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

static const char *const texts[] = {
    "PHN 9734 281 656, DM me your symptoms",
    "Get your flu shot this fall.",
    "🧧🐍 sick of the drug seekers",
    "Équipe épuisée: sick of the drug seekers, DM me your symptoms, PHN 9734 281 656",
    "a\tb \"quoted\" drug seekers \\ back",
    "",
};

/* Write r as the command line does ({ + members), with or without a file, and compare. */
static void expect_cli_shape(const pg_ctx *c, const pg_result *r, double elapsed,
                             const char *file) {
    cJSON *o = oracle_result(c, r, elapsed, NULL);
    if (file) cJSON_AddStringToObject(o, "file", file);
    char *want = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    pg_jw w = {0};
    pg_jw_reset(&w, 0);
    pg_jw_raw(&w, "{", 1);
    size_t kept = 99;
    int trunc = 9;
    ck_assert_int_eq(pg_json_write_result(&w, 0, SIZE_MAX, c, r, elapsed, file, &kept, &trunc), 0);
    ck_assert_msg(w.len == strlen(want) && memcmp(w.buf, want, w.len) == 0,
                  "writer:\n%.*s\ncJSON:\n%s", (int)w.len, w.buf, want);
    ck_assert_uint_eq(kept, r->nfindings);
    ck_assert_int_eq(trunc, r->truncated != 0);
    free(want);
    pg_jw_free(&w);
}

START_TEST(a_result_is_written_byte_for_byte_as_the_cjson_tree_printed) {
    const double elapsed[] = {0, 0.0414, 1.5, 171.72777};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        pg_result *r;
        pg_error err;
        ck_assert_int_eq(pg_check(ctx, texts[i], strlen(texts[i]), &r, &err), PG_OK);
        expect_cli_shape(ctx, r, elapsed[i % 4], NULL);
        expect_cli_shape(ctx, r, elapsed[i % 4], "posts/a \"b\".txt");
        pg_result_free(r);
    }
}
END_TEST

/* Ask the handler, check the frame (header = body length), and return the body, copied. */
static char *ask_frame(pg_proto *p, const char *req, size_t *len) {
    size_t flen = 0;
    pg_proto_log log;
    const char *f = pg_proto_handle_frame(p, req, strlen(req), &flen, &log);
    ck_assert_uint_ge(flen, 4);
    uint32_t n;
    memcpy(&n, f, 4);
    ck_assert_uint_eq(n, flen - 4);
    ck_assert_uint_eq(log.out_len, n);
    ck_assert_uint_le(n, PG_FRAME_MAX_OUT);
    char *body = malloc(n + 1);
    memcpy(body, f + 4, n);
    body[n] = '\0';
    *len = n;
    return body;
}

START_TEST(a_check_reply_is_the_cjson_envelope_and_result_byte_for_byte) {
    /* ids past 2^53 are refused (test_host); between 10^15 and 2^53 the writer prints the
     * digits where cJSON would round, so the byte-for-byte ids stay under 10^15 */
    const char *ids[] = {"7", "-3", "1.5e3", "0.1", "123456789012345", "-0", "\"a-1\"",
                         "\"q\\\"\\n\\u2028/\\t\""};
    for (size_t k = 0; k < sizeof ids / sizeof *ids; k++) {
        for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
            cJSON *req = cJSON_CreateObject();
            cJSON *id = cJSON_Parse(ids[k]);
            cJSON_AddItemToObject(req, "id", id);
            cJSON_AddStringToObject(req, "type", "check");
            cJSON_AddStringToObject(req, "text", texts[i]);
            char *rq = cJSON_PrintUnformatted(req);
            size_t len;
            char *body = ask_frame(proto, rq, &len);
            /* the engine's time differs per run: take the reply's own and build the rest */
            cJSON *got = cJSON_Parse(body);
            ck_assert_ptr_nonnull(got);
            double elapsed = cJSON_GetObjectItemCaseSensitive(got, "elapsed")->valuedouble;
            pg_result *r;
            pg_error err;
            ck_assert_int_eq(pg_check(ctx, texts[i], strlen(texts[i]), &r, &err), PG_OK);
            cJSON *o = oracle_result(ctx, r, elapsed, id);
            char *want = cJSON_PrintUnformatted(o);
            ck_assert_msg(strcmp(body, want) == 0, "reply:\n%s\ncJSON:\n%s", body, want);
            /* the malloc'd form is the same body */
            size_t n2 = 0;
            char *again = pg_proto_handle(proto, rq, strlen(rq), &n2, NULL);
            ck_assert_ptr_nonnull(again);
            ck_assert_uint_eq(n2, strlen(again));
            free(again);
            free(want);
            cJSON_Delete(o);
            pg_result_free(r);
            cJSON_Delete(got);
            free(body);
            free(rq);
            cJSON_Delete(req);
        }
    }
}
END_TEST

START_TEST(an_error_reply_is_the_cjson_object_byte_for_byte) {
    size_t len;
    char *body = ask_frame(proto, "{\"type\":\"zz\",\"id\":\"x\\\"y\"}", &len);
    ck_assert_str_eq(body, "{\"type\":\"error\",\"id\":\"x\\\"y\",\"code\":\"unknown_type\","
                           "\"message\":\"unknown type 'zz' (this host speaks protocol 1: hello, "
                           "check, explain, configure)\"}");
    free(body);
    body = ask_frame(proto, "{", &len);
    ck_assert_str_eq(body, "{\"type\":\"error\",\"id\":null,\"code\":\"bad_json\",\"message\":"
                           "\"invalid JSON at byte 0\"}");
    free(body);
    char *s = pg_proto_error_reply("frame_too_large", "the frame is \"9\" bytes", &len);
    ck_assert_str_eq(s, "{\"type\":\"error\",\"id\":null,\"code\":\"frame_too_large\","
                        "\"message\":\"the frame is \\\"9\\\" bytes\"}");
    ck_assert_uint_eq(len, strlen(s));
    free(s);
}
END_TEST

START_TEST(hello_explain_and_configure_still_answer_in_the_same_buffer) {
    size_t len;
    char *body = ask_frame(proto, "{\"type\":\"hello\",\"id\":1}", &len);
    cJSON *j = cJSON_Parse(body);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j, "type")->valuestring, "hello");
    cJSON_Delete(j);
    free(body);
    body = ask_frame(proto, "{\"type\":\"explain\",\"id\":2,\"rule\":\"privacy.health-number.bc\"}",
                     &len);
    j = cJSON_Parse(body);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j, "type")->valuestring, "explanation");
    cJSON_Delete(j);
    free(body);
    body = ask_frame(proto, "{\"type\":\"configure\",\"id\":3,\"config\":{}}", &len);
    j = cJSON_Parse(body);
    ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j, "type")->valuestring, "configured");
    cJSON_Delete(j);
    free(body);
}
END_TEST

/* The reply cap: the writer keeps exactly as many findings as the former bisection did. */
START_TEST(a_result_over_the_cap_keeps_the_same_findings_as_the_bisection) {
    char path[64];
    ck_assert_int_eq(pg_test_write_big_pack(path, sizeof path), 0);
    pg_ctx *c;
    pg_error err;
    ck_assert_int_eq(pg_ctx_new(&c), PG_OK);
    ck_assert_msg(pg_ctx_load(c, path, &err) == PG_OK, "%s", err.message);
    unlink(path);
    char req[2048];
    pg_test_big_check(req, sizeof req);
    cJSON *rq = cJSON_Parse(req);
    const char *text = cJSON_GetObjectItemCaseSensitive(rq, "text")->valuestring;
    pg_result *r;
    ck_assert_int_eq(pg_check(c, text, strlen(text), &r, &err), PG_OK);
    ck_assert_uint_gt(r->nfindings, 50);
    cJSON *id = cJSON_CreateNumber(1);
    const size_t caps[] = {PG_FRAME_MAX_OUT, 500000, 100000, 40000, 20000, 1000, 200};
    for (size_t k = 0; k < sizeof caps / sizeof *caps; k++) {
        cJSON *o = oracle_result(c, r, 0.5, id);
        size_t wantlen = 0;
        char *want = pg_json_print_capped(o, caps[k], &wantlen);
        cJSON *fs = cJSON_GetObjectItemCaseSensitive(o, "findings");
        size_t want_kept = (size_t)cJSON_GetArraySize(fs);
        pg_jw w = {0};
        pg_jw_reset(&w, 4);
        pg_jw_lit(&w, "{\"type\":\"result\",\"id\":1,");
        size_t kept = 0;
        int trunc = 0;
        int rc = pg_json_write_result(&w, 4, caps[k], c, r, 0.5, NULL, &kept, &trunc);
        if (!want) {
            ck_assert_int_eq(rc, -1); /* not even the empty list fits */
        } else {
            ck_assert_int_eq(rc, 0);
            ck_assert_uint_eq(w.len - 4, wantlen);
            ck_assert(memcmp(w.buf + 4, want, wantlen) == 0);
            ck_assert_uint_eq(kept, want_kept);
            ck_assert_int_eq(trunc, 1);
            ck_assert_uint_le(wantlen, caps[k]);
        }
        free(want);
        pg_jw_free(&w);
        cJSON_Delete(o);
    }
    cJSON_Delete(id);
    cJSON_Delete(rq);
    pg_result_free(r);
    pg_ctx_free(c);
}
END_TEST

/* ---- sending ---- */

START_TEST(a_frame_is_sent_whole_with_one_write) {
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    char frame[4 + 5000];
    uint32_t n = 5000;
    memcpy(frame, &n, 4);
    for (size_t i = 0; i < n; i++) frame[4 + i] = (char)('a' + i % 26);
    ck_assert_int_eq(pg_frame_send(fds[1], frame, sizeof frame), 0);
    /* one write: the whole frame is in the pipe for one read */
    char got[sizeof frame + 16];
    ck_assert_int_eq((int)read(fds[0], got, sizeof got), (int)sizeof frame);
    ck_assert(memcmp(got, frame, sizeof frame) == 0);
    /* a header that does not match the length, or a body over the cap, is refused */
    n = 4999;
    memcpy(frame, &n, 4);
    errno = 0;
    ck_assert_int_eq(pg_frame_send(fds[1], frame, sizeof frame), -1);
    ck_assert_int_eq(errno, EMSGSIZE);
    close(fds[0]);
    close(fds[1]);
    size_t big = 4 + PG_FRAME_MAX_OUT + 1;
    char *b = calloc(1, big);
    n = PG_FRAME_MAX_OUT + 1;
    memcpy(b, &n, 4);
    errno = 0;
    ck_assert_int_eq(pg_frame_send(1, b, big), -1);
    ck_assert_int_eq(errno, EMSGSIZE);
    free(b);
    /* a closed pipe is an error, not a hang */
    ck_assert_int_eq(pipe(fds), 0);
    close(fds[0]);
    n = 1;
    memcpy(frame, &n, 4);
    signal(SIGPIPE, SIG_IGN);
    ck_assert_int_eq(pg_frame_send(fds[1], frame, 5), -1);
    close(fds[1]);
}
END_TEST

static Suite *reply_suite(void) {
    Suite *s = suite_create("reply");
    TCase *t = tcase_create("writer");
    tcase_add_test(t, strings_are_escaped_exactly_as_cjson_does);
    tcase_add_test(t, ids_are_printed_exactly_as_cjson_does);
    tcase_add_test(t, three_decimal_numbers_are_printed_exactly_as_cjson_does);
    tcase_add_test(t, the_buffer_grows_keeps_its_memory_and_keeps_the_header_room);
    tcase_add_test(t, a_frame_is_sent_whole_with_one_write);
    suite_add_tcase(s, t);
    t = tcase_create("results");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 120);
    tcase_add_test(t, a_result_is_written_byte_for_byte_as_the_cjson_tree_printed);
    tcase_add_test(t, a_check_reply_is_the_cjson_envelope_and_result_byte_for_byte);
    tcase_add_test(t, an_error_reply_is_the_cjson_object_byte_for_byte);
    tcase_add_test(t, hello_explain_and_configure_still_answer_in_the_same_buffer);
    tcase_add_test(t, a_result_over_the_cap_keeps_the_same_findings_as_the_bisection);
    suite_add_tcase(s, t);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(reply_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
