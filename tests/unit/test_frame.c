/* test_frame.c - Check suite for native-messaging framing (host/nmh/frame.c): whole frames,
 * native byte order, the cap, zero lengths, and input that ends inside a header or a body. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

/* A stream holding exactly these bytes (a temporary file: works for any size). */
static FILE *stream_of(const void *data, size_t n) {
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    if (n) ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    rewind(f);
    return f;
}

/* Append a header with length n (native order) to buf at *at. */
static void put_len(unsigned char *buf, size_t *at, uint32_t n) {
    memcpy(buf + *at, &n, 4);
    *at += 4;
}

static void put(unsigned char *buf, size_t *at, const char *s) {
    memcpy(buf + *at, s, strlen(s));
    *at += strlen(s);
}

START_TEST(a_frame_is_read_whole_with_its_length_in_native_order) {
    unsigned char buf[64];
    size_t n = 0;
    put_len(buf, &n, 23);
    put(buf, &n, "{\"type\":\"hello\",\"id\":1}");
    FILE *f = stream_of(buf, n);
    char *body;
    size_t len;
    uint32_t declared;
    ck_assert_int_eq(pg_frame_read(f, PG_FRAME_MAX_IN, &body, &len, &declared), PG_FRAME_OK);
    ck_assert_uint_eq(len, 23);
    ck_assert_uint_eq(declared, 23);
    ck_assert_str_eq(body, "{\"type\":\"hello\",\"id\":1}"); /* NUL-terminated after the body */
    free(body);
    ck_assert_int_eq(pg_frame_read(f, PG_FRAME_MAX_IN, &body, &len, &declared), PG_FRAME_EOF);
    ck_assert_ptr_null(body);
    fclose(f);
}
END_TEST

START_TEST(frames_in_a_row_are_read_in_step) {
    unsigned char buf[64];
    size_t n = 0;
    put_len(buf, &n, 3);
    put(buf, &n, "abc");
    put_len(buf, &n, 1);
    put(buf, &n, "d");
    put_len(buf, &n, 2);
    put(buf, &n, "ef");
    FILE *f = stream_of(buf, n);
    const char *want[] = {"abc", "d", "ef"};
    for (int i = 0; i < 3; i++) {
        char *body;
        size_t len;
        uint32_t declared;
        ck_assert_int_eq(pg_frame_read(f, PG_FRAME_MAX_IN, &body, &len, &declared), PG_FRAME_OK);
        ck_assert_uint_eq(len, strlen(want[i]));
        ck_assert_int_eq(memcmp(body, want[i], len), 0);
        free(body);
    }
    fclose(f);
}
END_TEST

START_TEST(end_of_input_between_frames_is_a_clean_eof) {
    FILE *f = stream_of("", 0);
    char *body;
    size_t len;
    uint32_t declared;
    ck_assert_int_eq(pg_frame_read(f, PG_FRAME_MAX_IN, &body, &len, &declared), PG_FRAME_EOF);
    ck_assert_ptr_null(body);
    fclose(f);
}
END_TEST

START_TEST(end_of_input_inside_the_header_is_a_truncated_frame) {
    unsigned char hdr[4] = {5, 0, 0, 0};
    for (size_t cut = 1; cut < 4; cut++) {
        FILE *f = stream_of(hdr, cut);
        char *body;
        size_t len;
        uint32_t declared;
        ck_assert_int_eq(pg_frame_read(f, PG_FRAME_MAX_IN, &body, &len, &declared),
                         PG_FRAME_TRUNCATED);
        ck_assert_ptr_null(body);
        fclose(f);
    }
}
END_TEST

START_TEST(end_of_input_inside_the_body_is_a_truncated_frame) {
    unsigned char buf[64];
    size_t n = 0;
    put_len(buf, &n, 100);
    put(buf, &n, "{\"type\":");
    FILE *f = stream_of(buf, n);
    char *body;
    size_t len;
    uint32_t declared;
    ck_assert_int_eq(pg_frame_read(f, PG_FRAME_MAX_IN, &body, &len, &declared),
                     PG_FRAME_TRUNCATED);
    ck_assert_ptr_null(body);
    ck_assert_uint_eq(declared, 100);
    fclose(f);
}
END_TEST

START_TEST(a_zero_length_is_an_empty_frame_and_the_next_frame_still_reads) {
    unsigned char buf[64];
    size_t n = 0;
    put_len(buf, &n, 0);
    put_len(buf, &n, 2);
    put(buf, &n, "{}");
    FILE *f = stream_of(buf, n);
    char *body;
    size_t len;
    uint32_t declared;
    ck_assert_int_eq(pg_frame_read(f, PG_FRAME_MAX_IN, &body, &len, &declared), PG_FRAME_EMPTY);
    ck_assert_ptr_null(body);
    ck_assert_int_eq(pg_frame_read(f, PG_FRAME_MAX_IN, &body, &len, &declared), PG_FRAME_OK);
    ck_assert_str_eq(body, "{}");
    free(body);
    fclose(f);
}
END_TEST

START_TEST(a_length_over_the_cap_is_refused_its_body_dropped_and_the_stream_kept_in_step) {
    /* the real cap: 8 MiB + 1 bytes of body, then a good frame */
    size_t big = PG_FRAME_MAX_IN + 1u;
    unsigned char *buf = malloc(big + 64);
    ck_assert_ptr_nonnull(buf);
    size_t n = 0;
    put_len(buf, &n, (uint32_t)big);
    memset(buf + n, 'x', big);
    n += big;
    put_len(buf, &n, 2);
    put(buf, &n, "ok");
    FILE *f = stream_of(buf, n);
    free(buf);
    char *body;
    size_t len;
    uint32_t declared;
    ck_assert_int_eq(pg_frame_read(f, PG_FRAME_MAX_IN, &body, &len, &declared),
                     PG_FRAME_TOO_LARGE);
    ck_assert_ptr_null(body);
    ck_assert_uint_eq(declared, big);
    ck_assert_int_eq(pg_frame_read(f, PG_FRAME_MAX_IN, &body, &len, &declared), PG_FRAME_OK);
    ck_assert_str_eq(body, "ok");
    free(body);
    fclose(f);
}
END_TEST

START_TEST(a_huge_length_with_a_short_body_is_a_truncated_frame_with_no_body) {
    /* 4 GiB - 1 declared, 10 bytes sent: the reader drops what comes in chunks (no body is
     * handed out) and reports the end of input inside the frame. */
    unsigned char buf[32];
    size_t n = 0;
    put_len(buf, &n, UINT32_MAX);
    put(buf, &n, "0123456789");
    FILE *f = stream_of(buf, n);
    char *body;
    size_t len;
    uint32_t declared;
    ck_assert_int_eq(pg_frame_read(f, PG_FRAME_MAX_IN, &body, &len, &declared),
                     PG_FRAME_TRUNCATED);
    ck_assert_ptr_null(body);
    ck_assert_uint_eq(declared, UINT32_MAX);
    fclose(f);
}
END_TEST

START_TEST(a_frame_exactly_at_the_cap_is_accepted) {
    unsigned char buf[64];
    size_t n = 0;
    put_len(buf, &n, 8);
    put(buf, &n, "12345678");
    put_len(buf, &n, 9);
    put(buf, &n, "123456789");
    FILE *f = stream_of(buf, n);
    char *body;
    size_t len;
    uint32_t declared;
    ck_assert_int_eq(pg_frame_read(f, 8, &body, &len, &declared), PG_FRAME_OK);
    free(body);
    ck_assert_int_eq(pg_frame_read(f, 8, &body, &len, &declared), PG_FRAME_TOO_LARGE);
    ck_assert_int_eq(pg_frame_read(f, 8, &body, &len, &declared), PG_FRAME_EOF);
    fclose(f);
}
END_TEST

START_TEST(a_written_frame_is_the_native_order_length_then_the_body) {
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(pg_frame_write(f, "{\"a\":1}", 7), 0);
    rewind(f);
    unsigned char got[16];
    ck_assert_uint_eq(fread(got, 1, sizeof got, f), 11);
    uint32_t n;
    memcpy(&n, got, 4);
    ck_assert_uint_eq(n, 7);
    ck_assert_int_eq(memcmp(got + 4, "{\"a\":1}", 7), 0);
    /* and what is written reads back */
    rewind(f);
    char *body;
    size_t len;
    uint32_t declared;
    ck_assert_int_eq(pg_frame_read(f, PG_FRAME_MAX_IN, &body, &len, &declared), PG_FRAME_OK);
    ck_assert_str_eq(body, "{\"a\":1}");
    free(body);
    fclose(f);
}
END_TEST

START_TEST(a_reply_over_the_browsers_limit_is_never_written) {
    size_t big = PG_FRAME_MAX_OUT + 1u;
    char *body = malloc(big);
    ck_assert_ptr_nonnull(body);
    memset(body, 'x', big);
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    errno = 0;
    ck_assert_int_eq(pg_frame_write(f, body, big), -1);
    ck_assert_int_eq(errno, EMSGSIZE);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    ck_assert_int_eq(ftell(f), 0); /* not even the header */
    ck_assert_int_eq(pg_frame_write(f, body, PG_FRAME_MAX_OUT), 0);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    ck_assert_int_eq(ftell(f), 4 + PG_FRAME_MAX_OUT);
    free(body);
    fclose(f);
}
END_TEST

static Suite *frame_suite(void) {
    Suite *s = suite_create("frame");
    TCase *t = tcase_create("framing");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, a_frame_is_read_whole_with_its_length_in_native_order);
    tcase_add_test(t, frames_in_a_row_are_read_in_step);
    tcase_add_test(t, end_of_input_between_frames_is_a_clean_eof);
    tcase_add_test(t, end_of_input_inside_the_header_is_a_truncated_frame);
    tcase_add_test(t, end_of_input_inside_the_body_is_a_truncated_frame);
    tcase_add_test(t, a_zero_length_is_an_empty_frame_and_the_next_frame_still_reads);
    tcase_add_test(t, a_length_over_the_cap_is_refused_its_body_dropped_and_the_stream_kept_in_step);
    tcase_add_test(t, a_huge_length_with_a_short_body_is_a_truncated_frame_with_no_body);
    tcase_add_test(t, a_frame_exactly_at_the_cap_is_accepted);
    tcase_add_test(t, a_written_frame_is_the_native_order_length_then_the_body);
    tcase_add_test(t, a_reply_over_the_browsers_limit_is_never_written);
    suite_add_tcase(s, t);
    return s;
}

int main(void) {
    SRunner *sr = srunner_create(frame_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
