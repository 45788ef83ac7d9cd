/* fuzz_frame.c - an arbitrary byte stream as the host's stdin: frames read with the host's
 * framing code and each body answered by the protocol handler, replies framed back, until the
 * stream ends. Framing faults must be reported, never crash, and never allocate over the cap. */
#include <stdio.h>
#include <stdlib.h>

#include "frame.h"
#include "fuzz.h"
#include "postguard.h"
#include "protocol.h"

static pg_ctx *ctx;
static pg_proto *proto;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!proto) {
        pg_error err;
        if (pg_ctx_new(&ctx) != PG_OK || pg_ctx_load(ctx, PG_FUZZ_SMALL_PACK, &err) != PG_OK ||
            pg_proto_new(ctx, NULL, &proto) != PG_OK)
            abort();
    }
    if (!size) return 0; /* fmemopen refuses an empty buffer */
    FILE *in = fmemopen((void *)data, size, "rb");
    FILE *out = fopen("/dev/null", "wb");
    if (!in || !out) abort();
    for (int frames = 0; frames < 64; frames++) {
        char *body = NULL;
        size_t len = 0;
        uint32_t declared = 0;
        pg_frame_status st = pg_frame_read(in, PG_FRAME_MAX_IN, &body, &len, &declared);
        if (st == PG_FRAME_EOF || st == PG_FRAME_TRUNCATED || st == PG_FRAME_IO) break;
        if (st != PG_FRAME_OK) {
            if (body) abort(); /* nothing is handed out on a fault */
            continue;
        }
        if (!body || len != declared) abort();
        size_t outlen = 0;
        char *reply = pg_proto_handle(proto, body, len, &outlen, NULL);
        if (reply && pg_frame_write(out, reply, outlen) != 0) abort();
        free(reply);
        free(body);
    }
    fclose(in);
    fclose(out);
    return 0;
}
