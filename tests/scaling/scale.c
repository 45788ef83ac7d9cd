/* scale.c - pg-scale PACK KIND BYTES...: check one text of each size once, for the scaling
 * suite (tests/suites/scaling.sh), which counts the instructions of each pg_check call under
 * callgrind. Prints one line per text: kind, bytes, findings, rules at the match limit. */
#include <stdio.h>
#include <stdlib.h>

#include "postguard.h"
#include "texts.h"

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: pg-scale PACK KIND BYTES...\n");
        return 2;
    }
    pg_ctx *ctx = NULL;
    pg_error err;
    if (pg_ctx_new(&ctx) != PG_OK || pg_ctx_load(ctx, argv[1], &err) != PG_OK) {
        fprintf(stderr, "pg-scale: cannot load %s\n", argv[1]);
        pg_ctx_free(ctx);
        return 1;
    }
    int rc = 0;
    for (int i = 3; i < argc && rc == 0; i++) {
        size_t bytes = (size_t)strtoul(argv[i], NULL, 10);
        char *text = malloc(bytes + 1);
        size_t len = text ? pg_make_text(argv[2], text, bytes) : 0;
        pg_result *r = NULL;
        if (!len || pg_check(ctx, text, len, &r, &err) != PG_OK) {
            fprintf(stderr, "pg-scale: cannot check %s of %zu bytes\n", argv[2], bytes);
            rc = 1;
        } else {
            printf("%s %zu %zu %zu\n", argv[2], len, r->nfindings, r->limit_hits);
        }
        pg_result_free(r);
        free(text);
    }
    pg_ctx_free(ctx);
    return rc;
}
