/* test_host.c - Check suite that starts the real postguard-host and talks to it over pipes, as
 * a browser does: a good session, then every bad input of docs/protocol.md, checking each reply,
 * that the host is still alive, that it exits 0 at end of input, and that stdout holds frames only. */
#include <check.h>
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bigpack.h"
#include "child.h"

#ifndef PG_HOST
#error "PG_HOST must name the built postguard-host binary"
#endif
#ifndef PG_UNIT_PACK
#error "PG_UNIT_PACK must name tests/unit/pack.json"
#endif
#ifndef PG_REAL_PACK
#error "PG_REAL_PACK must name rules/"
#endif

#define MAX_REPLY (1024u * 1024u)
#define MAX_FRAME (8u * 1024u * 1024u)

/* A word that appears only in the posts sent: the log must never contain it. */
#define SECRET "Quokkazebra"

static pg_child host;

static void start_with(const char *pack, const char *const *env) {
    /* the arguments a browser adds: the caller's origin, and on Windows --parent-window */
    char *argv[] = {PG_HOST, "chrome-extension://gkfbpcjpnomknlhmihjkfgokmbldcppa/",
                    "--parent-window=0", "--rules", (char *)pack, NULL};
    if (!pack) argv[3] = NULL;
    ck_assert_int_eq(pg_child_start(&host, argv, env), 0);
}

static const char *const iso_env[] = {"POSTGUARD_USER_CONFIG=/nonexistent/pg-user.json",
                                      "POSTGUARD_CONFIG=/nonexistent/pg-system.json",
                                      "POSTGUARD_RULES", "POSTGUARD_LOG=debug", NULL};

static void start(void) {
    start_with(PG_UNIT_PACK, iso_env);
}

static void send_raw(const void *buf, size_t n) {
    ck_assert_msg(pg_child_write(&host, buf, n) == 0, "the host stopped reading its input");
}

static void send_len(uint32_t n) {
    send_raw(&n, sizeof n); /* native byte order, as the browsers write it */
}

static void send_frame_n(const char *body, size_t n) {
    send_len((uint32_t)n);
    send_raw(body, n);
}

static void send_frame(const char *body) {
    send_frame_n(body, strlen(body));
}

/* Is s[0..n) valid UTF-8 (RFC 3629: shortest forms, no surrogates, at most U+10FFFF)? Written
 * here, apart from the engine's own validator, so the two are checked against each other. */
static int valid_utf8(const unsigned char *s, size_t n) {
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t k; /* continuation bytes */
        if (c < 0x80) k = 0;
        else if (c >= 0xC2 && c <= 0xDF) k = 1;
        else if (c >= 0xE0 && c <= 0xEF) k = 2;
        else if (c >= 0xF0 && c <= 0xF4) k = 3;
        else return 0;
        unsigned lo = 0x80, hi = 0xBF; /* the second byte's range */
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
        for (size_t j = 1; j <= k; j++) {
            if (i + j >= n) return 0;
            unsigned b = s[i + j];
            if (b < (j == 1 ? lo : 0x80u) || b > (j == 1 ? hi : 0xBFu)) return 0;
        }
        i += k + 1;
    }
    return 1;
}

/* Read one reply frame: it must come (no hang), be at most 1 MiB, be valid UTF-8 (the browser
 * drops the port otherwise) and be one JSON object. */
static cJSON *read_reply(void) {
    uint32_t n;
    long got = pg_child_read(&host, &n, sizeof n);
    ck_assert_msg(got >= 0, "no reply within %d ms: the host hangs", PG_CHILD_TIMEOUT_MS);
    ck_assert_msg(got == sizeof n, "stdout ended instead of a reply (the host died?)");
    ck_assert_uint_gt(n, 0);
    ck_assert_uint_le(n, MAX_REPLY);
    char *body = malloc(n + 1);
    ck_assert_ptr_nonnull(body);
    ck_assert_int_eq(pg_child_read(&host, body, n), (long)n);
    body[n] = '\0';
    ck_assert_msg(valid_utf8((const unsigned char *)body, n), "a reply that is not UTF-8: %.300s", body);
    cJSON *j = cJSON_ParseWithLength(body, n);
    ck_assert_msg(cJSON_IsObject(j), "a reply that is not one JSON object: %.200s", body);
    free(body);
    return j;
}

static cJSON *ask(const char *req) {
    send_frame(req);
    return read_reply();
}

static const char *str(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    ck_assert_msg(cJSON_IsString(v), "%s is not a string", key);
    return v->valuestring;
}

static int num(const cJSON *o, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", key);
    return (int)v->valuedouble;
}

/* Read a reply and check it is the error code, with id (JSON text: "null", "3"). */
static void expect_error(const char *code, const char *words, const char *id) {
    cJSON *r = read_reply();
    ck_assert_str_eq(str(r, "type"), "error");
    ck_assert_str_eq(str(r, "code"), code);
    ck_assert_msg(strstr(str(r, "message"), words), "message \"%s\" lacks \"%s\"",
                  str(r, "message"), words);
    char *idtext = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(r, "id"));
    ck_assert_str_eq(idtext, id);
    free(idtext);
    cJSON_Delete(r);
}

/* The host is alive and in step: it answers a hello with that hello. */
static void expect_alive(void) {
    ck_assert_msg(waitpid(host.pid, NULL, WNOHANG) == 0, "the host has exited");
    cJSON *r = ask("{\"type\":\"hello\",\"id\":\"alive\"}");
    ck_assert_str_eq(str(r, "type"), "hello");
    ck_assert_str_eq(str(r, "id"), "alive");
    cJSON_Delete(r);
}

/* End the session: close stdin; nothing more may come out of stdout (frames only, all read);
 * the host exits 0; its log holds no post text. */
static const char *log_must; /* a line the log must hold, checked at exit (then reset) */

static void expect_clean_exit(void) {
    pg_child_close_stdin(&host);
    char extra[64];
    long got = pg_child_read(&host, extra, sizeof extra);
    ck_assert_msg(got >= 0, "the host did not exit at end of input (hang)");
    ck_assert_msg(got == 0, "%ld bytes on stdout that are not a reply frame", got);
    int status = pg_child_wait(&host);
    char *log = pg_child_stderr(&host);
    ck_assert_msg(status >= 0, "the host did not exit");
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the host ended with status %d; its log:\n%s", status, log);
    ck_assert_msg(!strstr(log, SECRET), "the log holds post text:\n%s", log);
    if (log_must) ck_assert_msg(strstr(log, log_must), "the log lacks \"%s\":\n%s", log_must, log);
    log_must = NULL;
    ck_assert_msg(strstr(log, "end of input") || strstr(log, "inside a frame"),
                  "the log does not say why the host stopped:\n%s", log);
    free(log);
}

static void teardown(void) {
    pg_child_free(&host);
}

/* ---- a good session ---- */

START_TEST(a_good_session_says_hello_checks_explains_and_configures) {
    start();
    cJSON *r = ask("{\"type\":\"hello\",\"id\":1}");
    ck_assert_str_eq(str(r, "type"), "hello");
    ck_assert_int_eq(num(r, "id"), 1);
    ck_assert_int_eq(num(r, "protocol"), 1);
    ck_assert_str_eq(str(cJSON_GetObjectItemCaseSensitive(r, "pack"), "id"), "unit-test-pack");
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "categories")), 11);
    ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "sections"), "4.2"));
    ck_assert_int_eq(num(cJSON_GetObjectItemCaseSensitive(r, "limits"), "max_frame"), (int)MAX_FRAME);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "config_problem")));
    cJSON_Delete(r);

    /* after an emoji (2 units) and an accent (1 unit): JavaScript's indexOf("DM me") is 30,
     * indexOf("symptoms") 41 (the UTF-8 byte offsets are 32 and 43) */
    r = ask("{\"type\":\"check\",\"id\":2,\"site\":\"x\",\"text\":\"🧧 Félicitations " SECRET
            "! DM me your symptoms\"}");
    ck_assert_str_eq(str(r, "type"), "result");
    ck_assert_int_eq(num(r, "id"), 2);
    const cJSON *fs = cJSON_GetObjectItemCaseSensitive(r, "findings");
    ck_assert_int_eq(cJSON_GetArraySize(fs), 1);
    const cJSON *f = cJSON_GetArrayItem(fs, 0);
    ck_assert_str_eq(str(f, "rule"), "advice.invite-symptoms");
    ck_assert_int_eq(num(f, "start"), 30);
    ck_assert_int_eq(num(f, "end"), 35);
    const cJSON *spans = cJSON_GetObjectItemCaseSensitive(f, "spans");
    ck_assert_int_eq(cJSON_GetArraySize(spans), 2);
    ck_assert_int_eq((int)cJSON_GetArrayItem(cJSON_GetArrayItem(spans, 1), 0)->valuedouble, 41);
    ck_assert_int_eq((int)cJSON_GetArrayItem(cJSON_GetArrayItem(spans, 1), 1)->valuedouble, 49);
    ck_assert_str_eq(str(r, "max_severity"), "medium");
    cJSON_Delete(r);

    r = ask("{\"type\":\"explain\",\"id\":\"e-3\",\"rule\":\"privacy.health-number.bc\"}");
    ck_assert_str_eq(str(r, "type"), "explanation");
    ck_assert_str_eq(str(r, "id"), "e-3");
    ck_assert_str_eq(str(r, "section"), "3.1");
    ck_assert_ptr_nonnull(strstr(str(r, "section_text"), "avoid posting patient information"));
    cJSON_Delete(r);

    const char *post = "{\"type\":\"check\",\"id\":4,\"text\":\"" SECRET " shift: the crackheads again\"}";
    r = ask(post);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "findings")), 0);
    cJSON_Delete(r);
    r = ask("{\"type\":\"configure\",\"id\":5,\"config\":{\"lexicons\":{\"demeaning\":[\"crackhead(s)\"]}}}");
    ck_assert_str_eq(str(r, "type"), "configured");
    ck_assert_int_eq(num(r, "id"), 5);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "config_problem")));
    cJSON_Delete(r);
    r = ask(post);
    f = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "findings"), 0);
    ck_assert_ptr_nonnull(f);
    ck_assert_str_eq(str(f, "rule"), "respect.demeaning-label");
    ck_assert_int_eq(num(f, "start"), (int)strlen(SECRET " shift: the "));
    ck_assert_int_eq(num(f, "end"), (int)strlen(SECRET " shift: the crackheads"));
    cJSON_Delete(r);
    /* the log is read (so the absence of post text in it means something): sizes and counts */
    log_must = "check id=2 site=x in=";
    expect_clean_exit();
}
END_TEST

START_TEST(a_firefox_style_launch_is_tolerated) {
    /* Firefox passes the manifest's path and the add-on id */
    char *argv[] = {PG_HOST, "/home/u/.mozilla/native-messaging-hosts/ca.postguard.host.json",
                    "postguard@postguard.ca", "--rules", PG_UNIT_PACK, NULL};
    ck_assert_int_eq(pg_child_start(&host, argv, iso_env), 0);
    expect_alive();
    expect_clean_exit();
}
END_TEST

/* ---- every bad input ---- */

START_TEST(a_length_over_the_cap_is_refused_and_the_host_stays_in_step) {
    start();
    size_t n = MAX_FRAME + 1;
    char *body = malloc(n);
    ck_assert_ptr_nonnull(body);
    memset(body, ' ', n);
    send_frame_n(body, n);
    free(body);
    expect_error("frame_too_large", "8388608", "null");
    expect_alive();
    expect_clean_exit();
}
END_TEST

START_TEST(a_zero_length_is_frame_empty) {
    start();
    send_len(0);
    expect_error("frame_empty", "empty", "null");
    expect_alive();
    expect_clean_exit();
}
END_TEST

START_TEST(invalid_json_is_bad_json) {
    start();
    send_frame("{\"type\":\"check\",\"id\":1,\"text\":\"" SECRET);
    expect_error("bad_json", "byte", "null");
    expect_alive();
    send_frame("{\"type\":\"hello\",\"id\":1} {}");
    expect_error("bad_json", "after the object", "null");
    expect_alive();
    expect_clean_exit();
}
END_TEST

START_TEST(json_that_is_not_an_object_is_not_object) {
    start();
    const char *bad[] = {"[]", "\"hello\"", "12", "null", "false"};
    for (size_t i = 0; i < 5; i++) {
        send_frame(bad[i]);
        expect_error("not_object", "must be a JSON object", "null");
        expect_alive();
    }
    expect_clean_exit();
}
END_TEST

START_TEST(missing_or_mistyped_fields_are_bad_field) {
    start();
    struct {
        const char *req, *words, *id;
    } cases[] = {
        {"{\"type\":\"hello\"}", "id is missing", "null"},
        {"{\"type\":\"hello\",\"id\":false}", "id must be a number or a string", "null"},
        {"{\"id\":3}", "type is missing", "3"},
        {"{\"id\":3,\"type\":[\"check\"]}", "type must be a string", "3"},
        {"{\"type\":\"check\",\"id\":3}", "text is missing", "3"},
        {"{\"type\":\"check\",\"id\":3,\"text\":{\"t\":\"" SECRET "\"}}", "text must be a string", "3"},
        {"{\"type\":\"check\",\"id\":3,\"text\":\"a\",\"site\":[]}", "site must be a string", "3"},
        {"{\"type\":\"explain\",\"id\":3}", "rule is missing", "3"},
        {"{\"type\":\"explain\",\"id\":3,\"rule\":1}", "rule must be a string", "3"},
        {"{\"type\":\"configure\",\"id\":3}", "config is missing", "3"},
        {"{\"type\":\"configure\",\"id\":3,\"config\":7}", "config must be an object", "3"},
        {"{\"type\":\"hello\",\"id\":9007199254740993}", "2^53", "null"},
        {"{\"type\":\"hello\",\"id\":-1e300}", "2^53", "null"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        send_frame(cases[i].req);
        expect_error("bad_field", cases[i].words, cases[i].id);
        expect_alive();
    }
    /* the largest safe integer comes back as itself (strtod reads it exactly; cJSON would
     * print it back rounded, so the parsed value is compared, not a reprint) */
    cJSON *r = ask("{\"type\":\"explain\",\"id\":9007199254740991,\"rule\":\"no.such-rule\"}");
    const cJSON *rid = cJSON_GetObjectItemCaseSensitive(r, "id");
    ck_assert(cJSON_IsNumber(rid));
    ck_assert_msg(rid->valuedouble == 9007199254740991.0, "id came back as %.17g", rid->valuedouble);
    cJSON_Delete(r);
    send_frame("{\"type\":\"explain\",\"id\":3,\"rule\":\"no.such-rule\"}");
    expect_error("no_such_rule", "no.such-rule", "3");
    expect_alive();
    expect_clean_exit();
}
END_TEST

START_TEST(invalid_utf8_is_bad_utf8) {
    start();
    send_frame("{\"type\":\"check\",\"id\":1,\"text\":\"" SECRET " caf\xe9\"}");
    expect_error("bad_utf8", "byte 46", "null");
    expect_alive();
    send_frame("{\"type\":\"check\",\"id\":1,\"text\":\"\xf0\x9f\x90\"}"); /* a cut emoji */
    expect_error("bad_utf8", "byte 31", "null");
    expect_alive();
    expect_clean_exit();
}
END_TEST

START_TEST(nul_bytes_are_bad_json_and_escaped_nuls_are_spaces) {
    start();
    const char req[] = "{\"type\":\"check\",\"id\":1,\"text\":\"a\0b\"}";
    send_frame_n(req, sizeof req - 1);
    expect_error("bad_json", "NUL byte at byte 32", "null");
    expect_alive();
    cJSON *r = ask("{\"type\":\"check\",\"id\":2,\"text\":\"a\\u0000b DM me your symptoms\"}");
    ck_assert_str_eq(str(r, "type"), "result");
    const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "findings"), 0);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(num(f, "start"), 4);
    cJSON_Delete(r);
    expect_clean_exit();
}
END_TEST

START_TEST(an_unknown_type_is_unknown_type) {
    start();
    send_frame("{\"type\":\"result\",\"id\":11}");
    expect_error("unknown_type", "'result'", "11");
    expect_alive();
    send_frame("{\"type\":\"check2\",\"id\":\"z\",\"text\":\"" SECRET "\"}");
    expect_error("unknown_type", "'check2'", "\"z\"");
    expect_alive();
    expect_clean_exit();
}
END_TEST

START_TEST(a_text_over_the_cap_is_text_too_large) {
    start();
    size_t n = 1024 * 1024 + 1;
    const char *head = "{\"type\":\"check\",\"id\":12,\"text\":\"";
    size_t hl = strlen(head);
    char *req = malloc(hl + n + 3);
    ck_assert_ptr_nonnull(req);
    memcpy(req, head, hl);
    memset(req + hl, 'a', n);
    memcpy(req + hl + n, "\"}", 3);
    send_frame(req);
    free(req);
    expect_error("text_too_large", "1048577 bytes", "12");
    expect_alive();
    expect_clean_exit();
}
END_TEST

/* ---- broken streams end the host cleanly ---- */

START_TEST(end_of_input_between_frames_exits_0) {
    start();
    expect_clean_exit();
}
END_TEST

START_TEST(end_of_input_inside_a_header_exits_0_without_a_reply) {
    start();
    expect_alive();
    send_raw("\x05\x00", 2);
    expect_clean_exit();
}
END_TEST

START_TEST(end_of_input_inside_a_body_exits_0_without_a_reply) {
    start();
    send_len(100);
    send_raw("{\"type\":\"check\",\"id\":1,\"text\":\"" SECRET, 31 + strlen(SECRET));
    expect_clean_exit();
}
END_TEST

START_TEST(end_of_input_inside_an_oversized_body_exits_0) {
    start();
    send_len(UINT32_MAX);
    send_raw("{\"type\":", 8);
    expect_clean_exit();
}
END_TEST

/* ---- limits and start-up faults ---- */

START_TEST(a_reply_never_exceeds_1_mib) {
    /* a pack whose rule has an 18,000-byte explanation: 100 findings would make 1.8 MB */
    char pack[64];
    ck_assert_int_eq(pg_test_write_big_pack(pack, sizeof pack), 0);
    start_with(pack, iso_env);
    expect_alive(); /* loaded */
    unlink(pack);
    char req[2048];
    pg_test_big_check(req, sizeof req);
    cJSON *r = ask(req); /* read_reply checks the 1 MiB limit */
    ck_assert_str_eq(str(r, "type"), "result");
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "truncated")));
    int kept = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "findings"));
    ck_assert_int_gt(kept, 10);
    ck_assert_int_lt(kept, 100);
    cJSON_Delete(r);
    expect_alive();
    expect_clean_exit();
}
END_TEST

START_TEST(without_a_rule_pack_the_host_answers_no_rule_pack) {
    const char *const env[] = {"POSTGUARD_USER_CONFIG=/nonexistent/pg-user.json",
                               "POSTGUARD_CONFIG=/nonexistent/pg-system.json",
                               "POSTGUARD_RULES=/nonexistent/pg-rules", NULL};
    start_with(NULL, env);
    send_frame("{\"type\":\"hello\",\"id\":1}");
    expect_error("no_rule_pack", "POSTGUARD_RULES", "1");
    send_frame("{\"type\":\"check\",\"id\":2,\"text\":\"" SECRET "\"}");
    expect_error("no_rule_pack", "/nonexistent/pg-rules", "2");
    expect_clean_exit();
}
END_TEST

/* A clinic configuration file holding body[0..n), at a new temporary path (64 bytes). */
static void write_config(char *path, const char *body, size_t n) {
    snprintf(path, 64, "/tmp/pg-host-cfg-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, body, n), (long)n);
    close(fd);
}

/* Start the host on the unit pack with cfg as the clinic configuration (and no user file). */
static void start_with_config(const char *cfg) {
    char cfgenv[300];
    snprintf(cfgenv, sizeof cfgenv, "POSTGUARD_CONFIG=%s", cfg);
    const char *const env[] = {"POSTGUARD_USER_CONFIG=/nonexistent/pg-user.json", cfgenv,
                               "POSTGUARD_RULES", NULL};
    start_with(PG_UNIT_PACK, env);
}

START_TEST(a_broken_clinic_config_is_reported_in_hello_and_checking_works) {
    char cfg[64];
    write_config(cfg, "{\"disable\": [\"no.such-rule\"]}", 29);
    start_with_config(cfg);
    cJSON *r = ask("{\"type\":\"hello\",\"id\":1}");
    unlink(cfg);
    const cJSON *cp = cJSON_GetObjectItemCaseSensitive(r, "config_problem");
    ck_assert_str_eq(str(cp, "file"), cfg);
    ck_assert_str_eq(str(cp, "field"), "disable");
    cJSON_Delete(r);
    r = ask("{\"type\":\"check\",\"id\":2,\"text\":\"DM me your symptoms\"}");
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "findings")), 1);
    cJSON_Delete(r);
    expect_clean_exit();
}
END_TEST

/* A clinic config naming a long rule id of 3-byte characters: the problem message is cut at
 * its buffer's end, at one of three offsets, one of which splits a character. read_reply
 * checks that every reply is valid UTF-8. */
START_TEST(a_config_problem_cut_mid_character_is_still_utf8) {
    for (int pad = 0; pad < 3; pad++) {
        char body[4096], cfg[64];
        int n = snprintf(body, sizeof body, "{\"disable\": [\"%.*s", pad, "xx");
        for (int k = 0; k < 300; k++) n += snprintf(body + n, sizeof body - (size_t)n, "\xe2\x82\xac");
        n += snprintf(body + n, sizeof body - (size_t)n, "\"]}");
        write_config(cfg, body, (size_t)n);
        start_with_config(cfg);
        cJSON *r = ask("{\"type\":\"hello\",\"id\":1}");
        unlink(cfg);
        ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(r, "config_problem"));
        cJSON_Delete(r);
        expect_clean_exit();
        pg_child_free(&host);
    }
}
END_TEST

/* ---- clinic policy: what a user's file may do under a clinic's file, and the pinned pack ---- */

/* Start the host with cfg as the clinic's file and user as the user's (either may be a path
 * that does not exist), on pack (--rules) or, when pack is NULL, on $POSTGUARD_RULES=rules. */
static void start_with_policy(const char *cfg, const char *user, const char *pack,
                              const char *rules) {
    char cfgenv[300], userenv[300], rulesenv[4200];
    snprintf(cfgenv, sizeof cfgenv, "POSTGUARD_CONFIG=%s", cfg);
    snprintf(userenv, sizeof userenv, "POSTGUARD_USER_CONFIG=%s", user);
    snprintf(rulesenv, sizeof rulesenv, rules ? "POSTGUARD_RULES=%s" : "POSTGUARD_RULES", rules);
    const char *const env[] = {userenv, cfgenv, rulesenv, NULL};
    start_with(pack, env);
}

/* The rule's severity in a check of text, or NULL when it does not fire (static storage). */
static const char *severity_of(const char *text, const char *rule) {
    static char sev[16];
    char req[512];
    snprintf(req, sizeof req, "{\"type\":\"check\",\"id\":9,\"text\":\"%s\"}", text);
    cJSON *r = ask(req);
    const char *found = NULL;
    const cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(r, "findings"))
        if (strcmp(str(f, "rule"), rule) == 0) {
            snprintf(sev, sizeof sev, "%s", str(f, "severity"));
            found = sev;
        }
    cJSON_Delete(r);
    return found;
}

/* The unit pack, parsed; the caller frees it with cJSON_Delete. */
static cJSON *unit_pack(void) {
    FILE *f = fopen(PG_UNIT_PACK, "rb");
    ck_assert_ptr_nonnull(f);
    static char pack[1 << 16];
    size_t n = fread(pack, 1, sizeof pack - 1, f);
    fclose(f);
    pack[n] = '\0';
    cJSON *p = cJSON_Parse(pack);
    ck_assert_ptr_nonnull(p);
    return p;
}

/* A user's file that disables every rule of the unit pack, lowers one severity, raises
 * another and adds a lexicon term (JSON, static storage). */
static const char *greedy_user_config(void) {
    static char body[2048];
    cJSON *p = unit_pack();
    int k = snprintf(body, sizeof body, "{\"lexicons\":{\"demeaning\":[\"crackhead(s)\"]},\"disable\":[");
    const cJSON *r;
    int first = 1;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(p, "rules")) {
        k += snprintf(body + k, sizeof body - (size_t)k, "%s\"%s\"", first ? "" : ",", str(r, "id"));
        first = 0;
    }
    snprintf(body + k, sizeof body - (size_t)k,
             "],\"severity\":{\"respect.demeaning-label\":\"high\",\"advice.invite-symptoms\":\"low\"}}");
    cJSON_Delete(p);
    return body;
}

/* Start the host on the unit pack with the clinic's file holding clinic (NULL: no clinic file)
 * and greedy_user_config as the user's, at new paths in cfg and user (64 bytes each); the
 * hello reply, which the caller frees. */
static cJSON *hello_with_greedy_user(const char *clinic, char *cfg, char *user) {
    if (clinic) write_config(cfg, clinic, strlen(clinic));
    else snprintf(cfg, 64, "/nonexistent/pg-system.json");
    const char *u = greedy_user_config();
    write_config(user, u, strlen(u));
    start_with_policy(cfg, user, PG_UNIT_PACK, NULL);
    return ask("{\"type\":\"hello\",\"id\":1}");
}

/* Remove the files of hello_with_greedy_user and see the host end cleanly. */
static void end_greedy(const char *cfg, const char *user) {
    unlink(cfg);
    unlink(user);
    expect_clean_exit();
}

START_TEST(under_a_clinic_config_a_user_config_cannot_disable_rules_or_lower_severities) {
    char cfg[64], user[64];
    cJSON *r = hello_with_greedy_user("{\"_comment\": \"Example Clinic\"}", cfg, user);
    const cJSON *cp = cJSON_GetObjectItemCaseSensitive(r, "config_problem");
    ck_assert_msg(cJSON_IsObject(cp), "no config_problem for a refused user file");
    ck_assert_str_eq(str(cp, "file"), user);
    ck_assert_str_eq(str(cp, "field"), "disable");
    ck_assert_ptr_nonnull(strstr(str(cp, "message"), "advice.invite-symptoms"));
    ck_assert_ptr_nonnull(strstr(str(cp, "message"), "severity.advice.invite-symptoms"));
    ck_assert_ptr_nonnull(strstr(str(cp, "message"), cfg));
    cJSON_Delete(r);
    /* every rule still runs, at its own severity */
    ck_assert_str_eq(severity_of("DM me your symptoms", "advice.invite-symptoms"), "medium");
    /* what the user's file may do still applies: a term added, a severity raised */
    ck_assert_str_eq(severity_of("sick of the crackheads", "respect.demeaning-label"), "high");
    end_greedy(cfg, user);
}
END_TEST

/* A clinic's file that does not fit the pack is ignored, but it still locks: the user's file
 * cannot escape the lock by the clinic's mistake. The clinic's fault is the one reported. */
START_TEST(a_broken_clinic_config_still_locks_the_user_config) {
    char cfg[64], user[64];
    cJSON *r = hello_with_greedy_user("{\"disable\": [\"no.such-rule\"], \"lock\": false}", cfg, user);
    const cJSON *cp = cJSON_GetObjectItemCaseSensitive(r, "config_problem");
    ck_assert_str_eq(str(cp, "file"), cfg);
    ck_assert_str_eq(str(cp, "field"), "disable");
    cJSON_Delete(r);
    ck_assert_str_eq(severity_of("DM me your symptoms", "advice.invite-symptoms"), "medium");
    end_greedy(cfg, user);
}
END_TEST

START_TEST(a_clinic_config_that_unlocks_lets_the_user_config_disable_rules) {
    char cfg[64], user[64];
    cJSON *r = hello_with_greedy_user("{\"lock\": false}", cfg, user);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "config_problem")));
    cJSON_Delete(r);
    ck_assert_ptr_null(severity_of("DM me your symptoms", "advice.invite-symptoms"));
    end_greedy(cfg, user);
}
END_TEST

START_TEST(without_a_clinic_config_the_user_config_keeps_full_control) {
    char cfg[64], user[64];
    cJSON *r = hello_with_greedy_user(NULL, cfg, user);
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "config_problem")));
    cJSON_Delete(r);
    ck_assert_ptr_null(severity_of("DM me your symptoms", "advice.invite-symptoms"));
    ck_assert_ptr_null(severity_of("sick of the crackheads", "respect.demeaning-label"));
    end_greedy(cfg, user);
}
END_TEST

/* The pack's sha256 as docs/deployment.md tells a clinic to compute it, with sha256sum:
 * the SHA-256 of sha256sum's listing of the pack's files, sorted by name. */
static void documented_digest(const char *cmd, char hex[65]) {
    FILE *f = popen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fscanf(f, "%64s", hex), 1);
    pclose(f);
    ck_assert_uint_eq(strlen(hex), 64);
}

/* A one-rule pack that claims the unit pack's id and version, at a new path (64 bytes). */
static void write_impostor_pack(char *path) {
    cJSON *p = unit_pack();
    cJSON *rules = cJSON_GetObjectItemCaseSensitive(p, "rules");
    while (cJSON_GetArraySize(rules) > 1) cJSON_DeleteItemFromArray(rules, 1);
    char *body = cJSON_PrintUnformatted(p);
    write_config(path, body, strlen(body));
    free(body);
    cJSON_Delete(p);
}

START_TEST(a_pack_that_does_not_match_the_clinic_pin_is_refused) {
    char hex[65], body[300], cfg[64], fake[64];
    documented_digest("cd \"$(dirname " PG_UNIT_PACK ")\" && sha256sum pack.json | sha256sum", hex);
    int n = snprintf(body, sizeof body,
                     "{\"pack\": {\"id\": \"unit-test-pack\", \"sha256\": \"%s\"}}", hex);
    write_config(cfg, body, (size_t)n);
    write_impostor_pack(fake);
    start_with_policy(cfg, "/nonexistent/pg-user.json", NULL, fake);
    send_frame("{\"type\":\"hello\",\"id\":1}");
    expect_error("no_rule_pack", "pack.sha256", "1");
    send_frame("{\"type\":\"check\",\"id\":2,\"text\":\"DM me your symptoms\"}");
    expect_error("no_rule_pack", cfg, "2");
    expect_clean_exit();
    pg_child_free(&host);

    /* the pinned pack itself is accepted, with nothing to report */
    start_with_policy(cfg, "/nonexistent/pg-user.json", NULL, PG_UNIT_PACK);
    cJSON *r = ask("{\"type\":\"hello\",\"id\":1}");
    ck_assert_str_eq(str(r, "type"), "hello");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "config_problem")));
    cJSON_Delete(r);
    ck_assert_str_eq(severity_of("DM me your symptoms", "advice.invite-symptoms"), "medium");
    unlink(cfg);
    unlink(fake);
    expect_clean_exit();
}
END_TEST

START_TEST(the_real_pack_matches_the_digest_the_deployment_guide_computes) {
    char hex[65], body[300], cfg[64];
    documented_digest("cd " PG_REAL_PACK " && sha256sum $(printf '%s\\n' *.json lexicons/*.txt "
                      "model/weights.tsv | LC_ALL=C sort) | sha256sum", hex);
    int n = snprintf(body, sizeof body, "{\"pack\": {\"sha256\": \"%s\"}}", hex);
    write_config(cfg, body, (size_t)n);
    start_with_policy(cfg, "/nonexistent/pg-user.json", PG_REAL_PACK, NULL);
    cJSON *r = ask("{\"type\":\"hello\",\"id\":1}");
    ck_assert_str_eq(str(r, "type"), "hello");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r, "config_problem")));
    cJSON_Delete(r);
    expect_clean_exit();
    pg_child_free(&host);
    /* one hex digit off: refused */
    body[n - 4] = body[n - 4] == '0' ? '1' : '0';
    unlink(cfg);
    write_config(cfg, body, (size_t)n);
    start_with_policy(cfg, "/nonexistent/pg-user.json", PG_REAL_PACK, NULL);
    send_frame("{\"type\":\"hello\",\"id\":1}");
    expect_error("no_rule_pack", "pack.sha256", "1");
    unlink(cfg);
    expect_clean_exit();
}
END_TEST

START_TEST(under_a_clinic_config_a_pack_from_postguard_rules_is_reported) {
    char cfg[64];
    write_config(cfg, "{}", 2);
    start_with_policy(cfg, "/nonexistent/pg-user.json", NULL, PG_UNIT_PACK);
    cJSON *r = ask("{\"type\":\"hello\",\"id\":1}");
    const cJSON *cp = cJSON_GetObjectItemCaseSensitive(r, "config_problem");
    ck_assert_msg(cJSON_IsObject(cp), "no config_problem for a pack from POSTGUARD_RULES");
    ck_assert_str_eq(str(cp, "file"), cfg);
    ck_assert_str_eq(str(cp, "field"), "pack");
    ck_assert_ptr_nonnull(strstr(str(cp, "message"), "POSTGUARD_RULES"));
    cJSON_Delete(r);
    unlink(cfg);
    expect_clean_exit();
}
END_TEST

/* The host's peak resident memory so far, in KiB, from /proc (VmHWM). */
static long host_peak_kib(void) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)host.pid);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0) kib = atol(line + 6);
    fclose(f);
    ck_assert_int_gt(kib, 0);
    return kib;
}

/* Small in bytes, huge in values: 3 million zeros in a 6 MiB hello, then in a configure. Each
 * is refused before it is parsed (a cJSON node per value was 340 MB), and the host stays
 * small. The bound is memory, not time: 64 MiB is ten times what the host needs. */
START_TEST(a_frame_of_millions_of_values_is_refused_before_parsing) {
    start();
    const size_t zeros = 3u << 20;
    char *req = malloc(2 * zeros + 128);
    ck_assert_ptr_nonnull(req);
    for (int k = 0; k < 2; k++) {
        size_t n = (size_t)sprintf(req, k == 0 ? "{\"type\":\"hello\",\"id\":1,\"ignored\":["
                                               : "{\"type\":\"configure\",\"id\":2,\"config\":{\"lexicons\":{\"places\":[");
        for (size_t i = 0; i < zeros; i++) req[n++] = '0', req[n++] = ',';
        n--; /* the last comma */
        n += (size_t)sprintf(req + n, k == 0 ? "]}" : "]}}}");
        send_frame_n(req, n);
        expect_error("too_many_values", "100000", "null");
        expect_alive();
    }
    free(req);
    long kib = host_peak_kib();
    ck_assert_msg(kib < 64 * 1024, "the host's peak memory is %ld KiB", kib);
    expect_clean_exit();
}
END_TEST

/* The same limit for a clinic configuration file (a 28 MB one took 800 MB and 12 s). */
START_TEST(a_config_file_of_too_many_values_is_a_config_problem) {
    const int values = 200000;
    char *body = malloc(4 * (size_t)values + 64), cfg[64];
    ck_assert_ptr_nonnull(body);
    size_t n = (size_t)sprintf(body, "{\"lexicons\": {\"places\": [");
    for (int i = 0; i < values; i++) n += (size_t)sprintf(body + n, i ? ",\"x\"" : "\"x\"");
    n += (size_t)sprintf(body + n, "]}}");
    write_config(cfg, body, n);
    free(body);
    start_with_config(cfg);
    cJSON *r = ask("{\"type\":\"hello\",\"id\":1}");
    unlink(cfg);
    const cJSON *cp = cJSON_GetObjectItemCaseSensitive(r, "config_problem");
    ck_assert_msg(cJSON_IsObject(cp), "no config problem for a config of 200000 values");
    ck_assert_ptr_nonnull(strstr(str(cp, "message"), "JSON values"));
    cJSON_Delete(r);
    expect_clean_exit();
}
END_TEST

/* Seen from outside, as the kernel reports it: a crash of the host writes no core file (the
 * heap holds the post). */
START_TEST(the_host_writes_no_core_dump) {
    start();
    cJSON *r = ask("{\"type\":\"hello\",\"id\":1}");
    cJSON_Delete(r);
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/limits", (int)host.pid);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    int found = 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "Max core file size", 18) == 0) {
            found = 1;
            char soft[32] = "", hard[32] = ""; /* "0", or a size, or "unlimited" */
            ck_assert_int_eq(sscanf(line + 18, " %31s %31s", soft, hard), 2);
            ck_assert_msg(!strcmp(soft, "0") && !strcmp(hard, "0"), "core dumps allowed: %s", line);
        }
    fclose(f);
    ck_assert_msg(found, "no core limit in %s", path);
    expect_clean_exit();
}
END_TEST

/* A FIFO where a file should be: open() would wait for a writer forever, and the host with it. */
static void make_fifo(char *path, size_t cap) {
    snprintf(path, cap, "/tmp/pg-host-fifo-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(path));
    strncat(path, "/config.json", cap - strlen(path) - 1);
    ck_assert_int_eq(mkfifo(path, 0600), 0);
}

static void remove_fifo(const char *path) {
    unlink(path);
    char dir[256];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = '\0';
    rmdir(dir);
}

START_TEST(a_fifo_as_the_clinic_config_is_refused_not_waited_on) {
    char fifo[256];
    make_fifo(fifo, sizeof fifo);
    start_with_config(fifo);
    cJSON *r = ask("{\"type\":\"hello\",\"id\":1}");
    const cJSON *cp = cJSON_GetObjectItemCaseSensitive(r, "config_problem");
    ck_assert_msg(cp != NULL, "hello reports no config problem for a FIFO config");
    ck_assert_str_eq(str(cp, "file"), fifo);
    ck_assert_ptr_nonnull(strstr(str(cp, "message"), "not a regular file"));
    cJSON_Delete(r);
    r = ask("{\"type\":\"check\",\"id\":2,\"text\":\"DM me your symptoms\"}");
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "findings")), 1);
    cJSON_Delete(r);
    expect_clean_exit();
    remove_fifo(fifo);
}
END_TEST

START_TEST(a_fifo_as_the_rule_pack_is_no_rule_pack_not_a_hang) {
    char fifo[256];
    make_fifo(fifo, sizeof fifo);
    start_with(fifo, iso_env);
    send_frame("{\"type\":\"hello\",\"id\":1}");
    expect_error("no_rule_pack", "not a regular file", "1");
    expect_clean_exit();
    remove_fifo(fifo);
}
END_TEST

static Suite *host_suite(void) {
    Suite *s = suite_create("postguard-host");
    TCase *t = tcase_create("session");
    tcase_add_checked_fixture(t, NULL, teardown);
    tcase_set_timeout(t, 300);
    tcase_add_test(t, a_good_session_says_hello_checks_explains_and_configures);
    tcase_add_test(t, a_firefox_style_launch_is_tolerated);
    tcase_add_test(t, the_host_writes_no_core_dump);
    suite_add_tcase(s, t);

    t = tcase_create("bad input");
    tcase_add_checked_fixture(t, NULL, teardown);
    tcase_set_timeout(t, 300);
    tcase_add_test(t, a_length_over_the_cap_is_refused_and_the_host_stays_in_step);
    tcase_add_test(t, a_zero_length_is_frame_empty);
    tcase_add_test(t, invalid_json_is_bad_json);
    tcase_add_test(t, json_that_is_not_an_object_is_not_object);
    tcase_add_test(t, missing_or_mistyped_fields_are_bad_field);
    tcase_add_test(t, invalid_utf8_is_bad_utf8);
    tcase_add_test(t, nul_bytes_are_bad_json_and_escaped_nuls_are_spaces);
    tcase_add_test(t, an_unknown_type_is_unknown_type);
    tcase_add_test(t, a_text_over_the_cap_is_text_too_large);
    suite_add_tcase(s, t);

    t = tcase_create("broken streams");
    tcase_add_checked_fixture(t, NULL, teardown);
    tcase_set_timeout(t, 300);
    tcase_add_test(t, end_of_input_between_frames_exits_0);
    tcase_add_test(t, end_of_input_inside_a_header_exits_0_without_a_reply);
    tcase_add_test(t, end_of_input_inside_a_body_exits_0_without_a_reply);
    tcase_add_test(t, end_of_input_inside_an_oversized_body_exits_0);
    suite_add_tcase(s, t);

    t = tcase_create("limits");
    tcase_add_checked_fixture(t, NULL, teardown);
    tcase_set_timeout(t, 300);
    tcase_add_test(t, a_reply_never_exceeds_1_mib);
    tcase_add_test(t, a_frame_of_millions_of_values_is_refused_before_parsing);
    tcase_add_test(t, a_config_file_of_too_many_values_is_a_config_problem);
    tcase_add_test(t, without_a_rule_pack_the_host_answers_no_rule_pack);
    tcase_add_test(t, a_broken_clinic_config_is_reported_in_hello_and_checking_works);
    tcase_add_test(t, a_config_problem_cut_mid_character_is_still_utf8);
    suite_add_tcase(s, t);

    t = tcase_create("clinic policy");
    tcase_add_checked_fixture(t, NULL, teardown);
    tcase_set_timeout(t, 300);
    tcase_add_test(t, under_a_clinic_config_a_user_config_cannot_disable_rules_or_lower_severities);
    tcase_add_test(t, a_clinic_config_that_unlocks_lets_the_user_config_disable_rules);
    tcase_add_test(t, a_broken_clinic_config_still_locks_the_user_config);
    tcase_add_test(t, without_a_clinic_config_the_user_config_keeps_full_control);
    tcase_add_test(t, a_pack_that_does_not_match_the_clinic_pin_is_refused);
    tcase_add_test(t, the_real_pack_matches_the_digest_the_deployment_guide_computes);
    tcase_add_test(t, under_a_clinic_config_a_pack_from_postguard_rules_is_reported);
    suite_add_tcase(s, t);

    /* a hang is the failure here: the timeout is the test's verdict, not a speed budget */
    t = tcase_create("files that are not files");
    tcase_add_checked_fixture(t, NULL, teardown);
    tcase_set_timeout(t, 60);
    tcase_add_test(t, a_fifo_as_the_clinic_config_is_refused_not_waited_on);
    tcase_add_test(t, a_fifo_as_the_rule_pack_is_no_rule_pack_not_a_hang);
    suite_add_tcase(s, t);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(host_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
