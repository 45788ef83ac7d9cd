/* frame.c - reading and writing native-messaging frames (4-byte native-order length + body).
 * Nothing here looks inside a body; the protocol (protocol.c) does that. */
#include "frame.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <io.h>
#define write(fd, buf, n) _write((fd), (buf), (unsigned)(n))
#else
#include <unistd.h>
#endif

/* Read exactly n bytes unless the input ends or fails first; returns the count read. */
static size_t read_full(FILE *in, void *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        size_t k = fread((char *)buf + got, 1, n - got, in);
        got += k;
        if (k == 0) {
            if (ferror(in) && errno == EINTR) {
                clearerr(in);
                continue;
            }
            break;
        }
    }
    return got;
}

/* What a short read means: the stream failed, or it ended. */
static pg_frame_status short_read(FILE *in) {
    return ferror(in) ? PG_FRAME_IO : PG_FRAME_TRUNCATED;
}

/* Read and drop n bytes in chunks, so an oversized frame costs no memory. */
static pg_frame_status discard(FILE *in, size_t n) {
    char chunk[65536];
    while (n > 0) {
        size_t want = n < sizeof chunk ? n : sizeof chunk;
        if (read_full(in, chunk, want) != want) return short_read(in);
        n -= want;
    }
    return PG_FRAME_OK;
}

pg_frame_status pg_frame_read(FILE *in, size_t cap, char **body, size_t *len,
                              uint32_t *declared) {
    *body = NULL;
    *len = 0;
    *declared = 0;
    unsigned char hdr[4];
    size_t got = read_full(in, hdr, sizeof hdr);
    if (got == 0) return ferror(in) ? PG_FRAME_IO : PG_FRAME_EOF;
    if (got < sizeof hdr) return short_read(in);
    uint32_t n;
    memcpy(&n, hdr, sizeof n); /* native byte order, as the browsers write it */
    *declared = n;
    if (n == 0) return PG_FRAME_EMPTY;
    if (n > cap) {
        pg_frame_status st = discard(in, n);
        return st == PG_FRAME_OK ? PG_FRAME_TOO_LARGE : st;
    }
    char *b = malloc((size_t)n + 1);
    if (!b) {
        pg_frame_status st = discard(in, n);
        return st == PG_FRAME_OK ? PG_FRAME_NOMEM : st;
    }
    if (read_full(in, b, n) != n) {
        free(b);
        return short_read(in);
    }
    b[n] = '\0';
    *body = b;
    *len = n;
    return PG_FRAME_OK;
}

int pg_frame_write(FILE *out, const char *body, size_t len) {
    if (len > PG_FRAME_MAX_OUT) {
        errno = EMSGSIZE;
        return -1;
    }
    uint32_t n = (uint32_t)len;
    unsigned char hdr[4];
    memcpy(hdr, &n, sizeof hdr);
    if (fwrite(hdr, 1, sizeof hdr, out) != sizeof hdr) return -1;
    if (len && fwrite(body, 1, len, out) != len) return -1;
    return fflush(out) == 0 ? 0 : -1;
}

int pg_frame_send(int fd, const char *frame, size_t frame_len) {
    uint32_t n;
    if (frame_len < sizeof n) {
        errno = EINVAL;
        return -1;
    }
    memcpy(&n, frame, sizeof n);
    if (n > PG_FRAME_MAX_OUT || (size_t)n != frame_len - sizeof n) {
        errno = EMSGSIZE;
        return -1;
    }
    while (frame_len > 0) {
        long k = (long)write(fd, frame, frame_len);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) {
            if (k == 0) errno = EIO;
            return -1;
        }
        frame += k;
        frame_len -= (size_t)k;
    }
    return 0;
}

const char *pg_frame_status_name(pg_frame_status st) {
    switch (st) {
    case PG_FRAME_OK: return "ok";
    case PG_FRAME_EOF: return "eof";
    case PG_FRAME_TRUNCATED: return "truncated";
    case PG_FRAME_TOO_LARGE: return "too_large";
    case PG_FRAME_EMPTY: return "empty";
    case PG_FRAME_NOMEM: return "no_memory";
    case PG_FRAME_IO: return "read_error";
    }
    return "unknown";
}
