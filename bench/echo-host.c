/* echo-host.c - the baseline for the benchmark's round trip: a bare native-messaging host that
 * reads each frame (4-byte native-order length + body) and writes the same frame back. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Read exactly n bytes; 1 on success, 0 on end of input or error. */
static int read_all(int fd, void *buf, size_t n) {
    char *p = buf;
    while (n) {
        ssize_t k = read(fd, p, n);
        if (k <= 0) return 0;
        p += k;
        n -= (size_t)k;
    }
    return 1;
}

static int write_all(int fd, const void *buf, size_t n) {
    const char *p = buf;
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k <= 0) return 0;
        p += k;
        n -= (size_t)k;
    }
    return 1;
}

int main(void) {
    char *buf = NULL;
    size_t cap = 0;
    uint32_t len;
    /* the same cap as the real host, so a broken length cannot make us allocate 4 GiB */
    while (read_all(0, &len, 4) && len <= 8u * 1024 * 1024) {
        if (len + 4 > cap) {
            char *nb = realloc(buf, len + 4);
            if (!nb) break;
            buf = nb;
            cap = len + 4;
        }
        memcpy(buf, &len, 4);
        if (!read_all(0, buf + 4, len) || !write_all(1, buf, len + 4)) break;
    }
    free(buf);
    return 0;
}
