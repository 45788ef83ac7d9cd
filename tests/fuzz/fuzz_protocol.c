/* fuzz_protocol.c - one request body of arbitrary bytes through the protocol handler (the pure
 * function the host runs for every frame): there is always a reply, within the 1 MiB cap,
 * that is a JSON object with a type. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

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
    size_t outlen = 0;
    pg_proto_log lg;
    char *reply = pg_proto_handle(proto, (const char *)data, size, &outlen, &lg);
    if (!reply) return 0; /* out of memory: the host sends its fixed reply */
    if (outlen > PG_FRAME_MAX_OUT || outlen != strlen(reply)) abort();
    cJSON *j = cJSON_ParseWithLength(reply, outlen);
    if (!cJSON_IsObject(j) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "type"))) abort();
    cJSON_Delete(j);
    free(reply);
    return 0;
}
