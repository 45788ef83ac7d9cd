/* protocol.h - protocol version 1 (docs/protocol.md): one request body in, one reply body out.
 * A pure function over bytes (no I/O, no logging), so the host loop, the tests and the
 * fuzzers all drive the same code; what the host logs comes back in a pg_proto_log. */
#ifndef PG_NMH_PROTOCOL_H
#define PG_NMH_PROTOCOL_H

#include <stddef.h>

#include "postguard.h"

/* The longest id (a string id's bytes) echoed back; a longer one is refused (bad_field). */
#define PG_PROTO_MAX_ID 256

typedef struct pg_proto pg_proto;

/* What happened to one request, for the host's stderr log: sizes, ids, counts and timings,
 * never the text. Strings are NUL-terminated and sanitised (printable ASCII only). */
typedef struct pg_proto_log {
    char type[24];       /* the request type, "?" when unreadable, "(other)" when unknown */
    char id[40];         /* the id, as JSON ("7", "\"a1\"", "null") */
    char site[40];       /* check's site when it is a plain host name, else "" */
    const char *code;    /* the error code sent, or NULL when the reply is not an error */
    size_t in_len;       /* request bytes */
    size_t out_len;      /* reply bytes */
    size_t text_len;     /* check: text bytes */
    size_t findings;     /* check: findings sent */
    int truncated;       /* check: the findings were cut (engine cap or reply cap) */
    int refused;         /* configure: the overlay was refused (config_problem says why) */
    double elapsed_ms;   /* check: the engine's time */
} pg_proto_log;

/* A protocol handler on ctx (borrowed: it must outlive the handler). load_error, when not
 * NULL, says the rule pack could not be loaded: every request is then answered with the
 * error `no_rule_pack` carrying that message (the host keeps running so the extension can
 * show why). Returns PG_OK or PG_ENOMEM. Free with pg_proto_free. */
pg_status pg_proto_new(pg_ctx *ctx, const pg_error *load_error, pg_proto **out);
void pg_proto_free(pg_proto *p);

/* Handle one request body (len bytes, need not be NUL-terminated) and return the whole reply
 * frame: the 4-byte native-order length, then the body (at most PG_FRAME_MAX_OUT bytes), so
 * the host sends it with one write. Always answers (with the `internal` error when memory ran
 * out). The frame is borrowed from p and stays valid until the next call on p or
 * pg_proto_free; the buffer behind it is reused, so a message costs no allocation for its
 * reply. *framelen gets header + body bytes. log may be NULL. */
const char *pg_proto_handle_frame(pg_proto *p, const char *in, size_t len, size_t *framelen,
                                  pg_proto_log *log);

/* The same answer as a malloc'd body (for tests and fuzzers). Always answers: returns a
 * malloc'd reply body (the caller frees it) of at most PG_FRAME_MAX_OUT bytes and sets
 * *outlen. Returns NULL only when even an error reply could not be built (out of memory);
 * the caller then sends pg_proto_oom_reply(). log may be NULL. */
char *pg_proto_handle(pg_proto *p, const char *in, size_t len, size_t *outlen,
                      pg_proto_log *log);

/* The reply to a frame that never reached the handler (framing faults: `frame_too_large`,
 * `frame_empty`, `internal`): an error with id null. Malloc'd, caller frees; NULL on ENOMEM. */
char *pg_proto_error_reply(const char *code, const char *message, size_t *outlen);

/* A fixed `internal` error for when memory has run out (static; not to be freed). */
const char *pg_proto_oom_reply(void);

#endif /* PG_NMH_PROTOCOL_H */
