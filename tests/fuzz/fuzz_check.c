/* fuzz_check.c - checking arbitrary bytes against the real rule pack: as given (mostly
 * refused as invalid UTF-8, which must be clean), and with invalid bytes replaced so that the
 * folding, tokenising, matching and offset code see every shape of text. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "postguard.h"

static pg_ctx *ctx; /* loaded once: the pack is immutable across inputs */

static void check(const char *text, size_t len) {
    pg_result *r = NULL;
    pg_error err;
    if (pg_check(ctx, text, len, &r, &err) == PG_OK) {
        for (size_t i = 0; i < r->nfindings; i++) { /* offsets stay inside the text */
            const pg_finding *f = &r->findings[i];
            if (f->span.byte_end > len || f->span.byte_start > f->span.byte_end ||
                f->span.start > f->span.end || f->nspans > PG_MAX_SPANS)
                abort();
        }
        if (r->nfindings > PG_MAX_FINDINGS) abort();
    }
    pg_result_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!ctx) {
        pg_error err;
        if (pg_ctx_new(&ctx) != PG_OK || pg_ctx_load(ctx, PG_FUZZ_PACK, &err) != PG_OK) abort();
    }
    check((const char *)data, size);
    char *fixed = malloc(size + 1);
    if (!fixed) return 0;
    memcpy(fixed, data, size);
    size_t units, bad;
    for (int guard = 0; size && pg_utf8_validate(fixed, size, &units, &bad) != 0 && guard < 4096; guard++)
        fixed[bad] = '?';
    if (pg_utf8_validate(fixed, size, &units, &bad) == 0) check(fixed, size);
    free(fixed);
    return 0;
}
