/* fuzz_rules.c - loading a rule pack from arbitrary JSON bytes (rule data, written to a
 * temporary file because packs are loaded from paths), then checking a post with it when it
 * loads: every fault must be a clean PG_ERULE with a message, never a crash or a leak. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "postguard.h"

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/pg-fuzz-rules-XXXXXX.json");
        int fd = mkstemps(path, 5);
        if (fd < 0) abort();
        close(fd);
    }
    FILE *f = fopen(path, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);
    pg_ctx *ctx = NULL;
    pg_error err;
    if (pg_ctx_new(&ctx) != PG_OK) abort();
    pg_status st = pg_ctx_load(ctx, path, &err);
    if (st == PG_OK) {
        static const char post[] = "67M from Gimli in bed 4, DM me your symptoms 😀 pt frequent flyer 9734 281 656";
        pg_result *r = NULL;
        pg_check(ctx, post, sizeof post - 1, &r, &err);
        pg_result_free(r);
        for (size_t i = 0; i < pg_ctx_rule_count(ctx); i++) {
            pg_rule_info ri;
            if (pg_ctx_rule_at(ctx, i, &ri) != PG_OK || !ri.id) abort();
        }
    } else if (!err.message[0]) {
        abort(); /* a failure must say why */
    }
    pg_ctx_free(ctx);
    return 0;
}
