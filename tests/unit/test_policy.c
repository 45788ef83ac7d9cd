/* test_policy.c - Check suite for the clinic policy's parts that the host tests cannot reach
 * directly (host/lib/sha256.c, policy.c): SHA-256 against the standard's vectors in both the
 * portable and the SHA-extension code, and the pack's digest. The host's behaviour under a
 * clinic's file is in tests/protocol. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static void hash(int portable, const void *data, size_t len, size_t step, char hex[65]) {
    pg_sha256 s;
    pg_sha256_init(&s, portable);
    const unsigned char *p = data;
    for (size_t off = 0; off < len; off += step)
        pg_sha256_update(&s, p + off, len - off < step ? len - off : step);
    pg_sha256_final(&s, hex);
}

START_TEST(sha256_gives_the_fips_180_vectors_in_both_implementations) {
    static const struct {
        const char *in, *out;
    } v[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    char hex[65];
    for (int portable = 0; portable < 2; portable++)
        for (size_t i = 0; i < sizeof v / sizeof *v; i++)
            for (size_t step = 1; step <= 64; step += 63) {
                hash(portable, v[i].in, strlen(v[i].in), step, hex);
                ck_assert_str_eq(hex, v[i].out);
            }
    char *a = malloc(1000000);
    ck_assert_ptr_nonnull(a);
    memset(a, 'a', 1000000);
    for (int portable = 0; portable < 2; portable++) {
        hash(portable, a, 1000000, 4093, hex);
        ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }
    free(a);
}
END_TEST

START_TEST(both_implementations_agree_on_every_length_around_the_block_edges) {
    unsigned char buf[300];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)(i * 131 + 7);
    for (size_t n = 0; n <= sizeof buf; n++) {
        char a[65], b[65];
        hash(0, buf, n, 1000, a);
        hash(1, buf, n, 7, b);
        ck_assert_str_eq(a, b);
    }
}
END_TEST

/* Write body to dir/name. */
static void put(const char *dir, const char *name, const char *body) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(body, f);
    fclose(f);
}

START_TEST(a_pack_digest_changes_with_any_byte_of_its_files) {
    char dir[] = "/tmp/pg-digest-XXXXXX", path[128], hex1[65], hex2[65], hex3[65];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    put(dir, "pack.json", "{\"id\":\"x\"}");
    pg_error err;
    ck_assert_int_eq(pg_pack_digest(dir, hex1, &err), PG_OK);
    /* a README beside it is not part of the pack */
    put(dir, "README.md", "notes");
    ck_assert_int_eq(pg_pack_digest(dir, hex2, &err), PG_OK);
    ck_assert_str_eq(hex1, hex2);
    /* a rule file is */
    put(dir, "more.json", "{\"rules\":[]}");
    ck_assert_int_eq(pg_pack_digest(dir, hex3, &err), PG_OK);
    ck_assert_str_ne(hex1, hex3);
    static const char *const names[] = {"pack.json", "README.md", "more.json"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}
END_TEST

int main(void) {
    Suite *s = suite_create("policy");
    TCase *t = tcase_create("sha256");
    tcase_add_test(t, sha256_gives_the_fips_180_vectors_in_both_implementations);
    tcase_add_test(t, both_implementations_agree_on_every_length_around_the_block_edges);
    tcase_add_test(t, a_pack_digest_changes_with_any_byte_of_its_files);
    suite_add_tcase(s, t);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
