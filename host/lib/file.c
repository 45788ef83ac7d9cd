/* file.c - opening the files a pack and a clinic name (rules, lexicons, weights, configs):
 * regular files only, and never a wait.
 *
 * open() of a FIFO blocks until a writer comes, and a read from a device may never end; the
 * host would hang at start-up and outlive the browser that started it. So the file is opened
 * without blocking, checked with fstat, and refused unless it is a regular file. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

int pg_open_regular(const char *path, FILE **out) {
    *out = NULL;
#ifdef _WIN32
    /* Windows has no FIFOs in the file system and no O_NONBLOCK; binary, or CRLF is changed */
    int fd = open(path, O_RDONLY | O_BINARY);
#else
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
#endif
    if (fd < 0) return errno ? errno : EIO;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        int e = S_ISDIR(sb.st_mode) ? EISDIR : PG_ENOTREG;
        close(fd);
        return e;
    }
    /* a regular file never blocks, but stdio should see an ordinary descriptor */
#ifndef _WIN32
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0) (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
#endif
    FILE *f = fdopen(fd, "rb");
    if (!f) {
        int e = errno;
        close(fd);
        return e ? e : ENOMEM;
    }
    *out = f;
    return 0;
}

const char *pg_open_strerror(int e) {
    if (e == PG_ENOTREG) return "not a regular file (a FIFO, socket or device is refused)";
    return strerror(e);
}
