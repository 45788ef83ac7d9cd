/* bigpack.h - a rule pack whose one rule has an 18,000-byte explanation, and a check request
 * that makes it fire 100 times: together a reply of ~1.8 MB, for the 1 MiB reply-cap tests. */
#ifndef PG_TEST_BIGPACK_H
#define PG_TEST_BIGPACK_H

#include <stddef.h>

/* Write the pack to a new temporary file; its path goes into path (at least 32 bytes).
 * Returns 0, or -1. The caller unlinks the file. */
int pg_test_write_big_pack(char *path, size_t cap);

/* Fill req (cap bytes, at least 1 KiB) with a `check` request, id 1, whose text holds the
 * pack's one term 100 times. Returns its length. */
size_t pg_test_big_check(char *req, size_t cap);

#endif
