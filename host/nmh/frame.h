/* frame.h - native-messaging framing: a 4-byte length in native byte order, then the body.
 * Reads are bounded (the cap is checked before anything is allocated); writes are whole frames.
 *
 * Reading works on stdio streams so the host (stdin, binary mode on Windows), the tests
 * (fmemopen, pipes) and the fuzzers (fmemopen) run exactly the same code. The host sends each
 * reply with pg_frame_send: the protocol lays out header and body in one buffer, and one
 * write(2) on the descriptor carries both (no stdio buffer that could split them). */
#ifndef PG_NMH_FRAME_H
#define PG_NMH_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The largest frame the host accepts from the browser (docs/protocol.md: 8 MiB), and the
 * largest it sends (the browser's limit for a message to an extension: 1 MiB). */
#define PG_FRAME_MAX_IN (8u * 1024u * 1024u)
#define PG_FRAME_MAX_OUT (1024u * 1024u)

typedef enum pg_frame_status {
    PG_FRAME_OK = 0,    /* *body holds *len bytes (NUL-terminated after them) */
    PG_FRAME_EOF,       /* the input ended cleanly, between two frames */
    PG_FRAME_TRUNCATED, /* the input ended inside a header or a body */
    PG_FRAME_TOO_LARGE, /* the length was over the cap: the body was read and dropped */
    PG_FRAME_EMPTY,     /* the length was 0 */
    PG_FRAME_NOMEM,     /* no memory for the body: it was read and dropped */
    PG_FRAME_IO         /* a read error (errno says which) */
} pg_frame_status;

/* Read one frame from in. The length is checked against cap before any allocation; a body
 * over the cap is read in fixed-size chunks and dropped so the stream stays in step.
 * On PG_FRAME_OK *body is malloc'd (the caller frees it) with a NUL after the last byte;
 * otherwise *body is NULL. *declared receives the length from the header (0 when none). */
pg_frame_status pg_frame_read(FILE *in, size_t cap, char **body, size_t *len,
                              uint32_t *declared);

/* Write one frame (header and body) and flush. Refuses (returns -1, errno EMSGSIZE) a body
 * over PG_FRAME_MAX_OUT. Returns 0, or -1 when the write failed (errno set). */
int pg_frame_write(FILE *out, const char *body, size_t len);

/* Send a whole frame already laid out (4-byte native-order length, then the body, frame_len
 * bytes in all) on the file descriptor fd with one write(2), looping only on a partial write
 * or EINTR: the reader wakes once per reply, not once for the header and once for the body.
 * Refuses (-1, errno EMSGSIZE) a body over PG_FRAME_MAX_OUT or a length that does not match
 * the header. Returns 0, or -1 when the write failed (errno set). */
int pg_frame_send(int fd, const char *frame, size_t frame_len);

/* A short name for a status, for logs ("eof", "truncated", ...). */
const char *pg_frame_status_name(pg_frame_status st);

#endif /* PG_NMH_FRAME_H */
