/* bigpack.c - the oversized pack and request behind the reply-cap tests (unit and over pipes),
 * written once so both test the same thing. */
#include "bigpack.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int pg_test_write_big_pack(char *path, size_t cap) {
    snprintf(path, cap, "/tmp/pg-bigpack-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) return -1;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return -1;
    }
    fputs("{\"id\":\"big\",\"version\":\"1\",\"name\":\"big\",\"sections\":{\"3.1\":{\"title\":\"P\","
          "\"text\":\"t\"}},\"lexicons\":{\"zz\":[\"zorblax\"]},\"rules\":[{\"id\":\"privacy.big\","
          "\"category\":\"privacy\",\"section\":\"3.1\",\"severity\":\"high\",\"message\":\"m\","
          "\"suggestion\":\"s\",\"match\":{\"lexicon\":\"zz\"},\"examples\":{\"match\":[\"zorblax\"],"
          "\"nomatch\":[\"ok\"]},\"explanation\":\"", f);
    for (int i = 0; i < 2000; i++) fputs("why why..", f);
    fputs("\"}]}", f);
    return fclose(f) == 0 ? 0 : -1;
}

size_t pg_test_big_check(char *req, size_t cap) {
    size_t n = (size_t)snprintf(req, cap, "{\"type\":\"check\",\"id\":1,\"text\":\"");
    for (int i = 0; i < 100; i++) n += (size_t)snprintf(req + n, cap - n, "zorblax ");
    n += (size_t)snprintf(req + n, cap - n, "\"}");
    return n;
}
