/* test_sandbox.c - the real postguard-host, sandboxed after loading its pack, still serves a
 * whole protocol session (including `configure`, which reloads the pack from disk), and from
 * inside the sandbox opening a file for writing, opening sockets and exec are refused, and
 * reading a file outside the pack is refused where Landlock is in force. The host's hidden
 * --sandbox-selftest FILE makes the attempts and reports each errno on stderr. */
#define _GNU_SOURCE /* syscall(2), for the kernel's Landlock ABI */
#include <check.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "child.h"

static const char *const iso_env[] = {"POSTGUARD_USER_CONFIG=/nonexistent/pg-user.json",
                                      "POSTGUARD_CONFIG=/nonexistent/pg-system.json",
                                      "POSTGUARD_RULES", "POSTGUARD_LOG=debug", NULL};

static char *out, *err;
static size_t outlen;

static size_t put_frame(char *buf, const char *body) {
    uint32_t n = (uint32_t)strlen(body);
    memcpy(buf, &n, 4);
    memcpy(buf + 4, body, n);
    return 4 + n;
}

/* The k-th reply body (NUL-terminated copy, caller frees), or NULL. */
static char *reply(int k) {
    size_t pos = 0;
    for (int i = 0; pos + 4 <= outlen; i++) {
        uint32_t n;
        memcpy(&n, out + pos, 4);
        if (pos + 4 + n > outlen) return NULL;
        if (i == k) {
            char *r = malloc(n + 1);
            memcpy(r, out + pos + 4, n);
            r[n] = '\0';
            return r;
        }
        pos += 4 + n;
    }
    return NULL;
}

static void run_session(void) {
    char in[4096];
    size_t n = 0;
    n += put_frame(in + n, "{\"type\":\"hello\",\"id\":1}");
    n += put_frame(in + n, "{\"type\":\"check\",\"id\":2,\"text\":\"DM me your symptoms and my patient in bed 4 from Gimli\"}");
    n += put_frame(in + n, "{\"type\":\"configure\",\"id\":3,\"config\":{\"lexicons\":{\"places\":[\"Zyxwick\"]}}}");
    n += put_frame(in + n, "{\"type\":\"check\",\"id\":4,\"text\":\"my patient from Zyxwick last night\"}");
    n += put_frame(in + n, "{\"type\":\"explain\",\"id\":5,\"rule\":\"privacy.identifiable-patient\"}");
    char *argv[] = {PG_HOST, "--rules", PG_PACK, "--sandbox-selftest", "/etc/passwd", NULL};
    int rc = pg_child_run(argv, iso_env, in, n, &out, &outlen, &err);
    ck_assert_msg(rc == 0, "postguard-host exited %d; stderr:\n%s", rc, err);
}

static void teardown(void) {
    free(out);
    free(err);
    out = err = NULL;
}

static void expect_refused(const char *what, const char *errno_text) {
    char line[256];
    snprintf(line, sizeof line, "sandbox-selftest: %s: refused errno=%s", what, errno_text);
    ck_assert_msg(strstr(err, line), "no \"%s\" in the host's stderr:\n%s", line, err);
}

START_TEST(the_sandboxed_host_refuses_sockets_exec_and_writing_files) {
    run_session();
    ck_assert_msg(strstr(err, "sandbox: seccomp on"), "the host did not enter seccomp:\n%s", err);
    expect_refused("open-write /tmp/postguard-sandbox-selftest", "1 ");
    expect_refused("signal another process", "1 ");
    expect_refused("socket-inet", "1 ");
    expect_refused("socket-unix", "1 ");
    ck_assert_msg(strstr(err, "core dumps off"), "core dumps are not off:\n%s", err);
    expect_refused("exec /bin/true", "1 ");
    ck_assert_msg(!strstr(err, "ALLOWED") || strstr(err, "Landlock off"),
                  "something was allowed:\n%s", err);
}
END_TEST

START_TEST(with_landlock_reading_outside_the_pack_is_refused) {
    run_session();
    if (strstr(err, "Landlock off")) {
        printf("this kernel has no Landlock: reading outside the pack is not refused here (%s)\n",
               strstr(err, "Landlock off"));
        return;
    }
    ck_assert_msg(strstr(err, "Landlock on"), "no Landlock status in the log:\n%s", err);
    /* where the kernel has Landlock ABI 6, signals are scoped to the host's domain too */
    long abi = syscall(SYS_landlock_create_ruleset, NULL, 0, 1u /* ..._VERSION */);
    if (abi >= 6)
        ck_assert_msg(strstr(err, "(signals scoped)"), "ABI %ld but signals not scoped:\n%s", abi, err);
    else
        printf("Landlock ABI %ld: no signal scoping on this kernel\n", abi);
    expect_refused("open-read /etc/passwd", "13 ");
}
END_TEST

START_TEST(the_sandboxed_host_still_serves_a_whole_session) {
    run_session();
    const char *want[] = {"\"type\":\"hello\"", "\"type\":\"result\",\"id\":2",
                          "\"type\":\"configured\",\"id\":3", "\"type\":\"result\",\"id\":4",
                          "\"type\":\"explanation\",\"id\":5"};
    for (int k = 0; k < 5; k++) {
        char *r = reply(k);
        ck_assert_msg(r, "reply %d missing; stderr:\n%s", k, err);
        ck_assert_msg(strstr(r, want[k]), "reply %d is not %s: %.300s", k, want[k], r);
        if (k == 1) ck_assert_msg(strstr(r, "advice."), "no advice finding: %.300s", r);
        if (k == 2) ck_assert_msg(strstr(r, "\"config_problem\":null"), "configure failed: %s", r);
        if (k == 3) /* the reloaded pack (read from disk inside the sandbox) knows the new place */
            ck_assert_msg(strstr(r, "[16,23]"), "Zyxwick (16..23) is not underlined: %.400s", r);
        free(r);
    }
    char *extra = reply(5);
    ck_assert_ptr_null(extra);
}
END_TEST

int main(void) {
    Suite *s = suite_create("sandbox");
    TCase *tc = tcase_create("host");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, the_sandboxed_host_refuses_sockets_exec_and_writing_files);
    tcase_add_test(tc, with_landlock_reading_outside_the_pack_is_refused);
    tcase_add_test(tc, the_sandboxed_host_still_serves_a_whole_session);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_VERBOSE);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
