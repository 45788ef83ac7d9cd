/* file.c - opening the files a pack and a clinic name (rules, lexicons, weights, configs):
 * regular files only, and never a wait.
 *
 * open() of a FIFO blocks until a writer comes, and a read from a device may never end; the
 * host would hang at start-up and outlive the browser that started it. So the file is opened
 * without blocking, checked with fstat, and refused unless it is a regular file. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* Open path for reading into *out, refusing anything but a regular file: 0, or an errno value
 * or PG_ENOTREG. */
static int open_regular_fd(const char *path, struct stat *sb, int *out) {
#ifdef _WIN32
    /* Windows has no FIFOs in the file system and no O_NONBLOCK; binary, or CRLF is changed */
    int fd = open(path, O_RDONLY | O_BINARY);
#else
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
#endif
    if (fd < 0) return errno ? errno : EIO;
    if (fstat(fd, sb) != 0 || !S_ISREG(sb->st_mode)) {
        int e = S_ISDIR(sb->st_mode) ? EISDIR : PG_ENOTREG;
        close(fd);
        return e;
    }
    *out = fd;
    return 0;
}

int pg_open_regular(const char *path, FILE **out) {
    *out = NULL;
    struct stat sb = {0};
    int fd = -1, oe = open_regular_fd(path, &sb, &fd);
    if (oe) return oe;
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

int pg_read_regular(const char *path, size_t max, char **buf, size_t *len) {
    *buf = NULL;
    *len = 0;
    struct stat sb = {0};
    int fd = -1, oe = open_regular_fd(path, &sb, &fd);
    if (oe) return oe;
    /* one read of the size fstat gives; a file that grew since is read to its end */
    size_t cap = sb.st_size > 0 ? (size_t)sb.st_size + 1 : 4096, n = 0;
    char *b = malloc(cap);
    int e = b ? 0 : ENOMEM;
    while (!e) {
        if (n + 1 >= cap) {
            char *nb = cap > max ? NULL : realloc(b, cap * 2);
            if (!nb) {
                e = cap > max ? EFBIG : ENOMEM;
                break;
            }
            b = nb;
            cap *= 2;
        }
        ssize_t k = read(fd, b + n, cap - 1 - n);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) e = errno ? errno : EIO;
        else if (k == 0) break;
        else n += (size_t)k;
    }
    close(fd);
    if (!e && n > max) e = EFBIG;
    if (e) {
        free(b);
        return e;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}

const char *pg_open_strerror(int e) {
    if (e == PG_ENOTREG) return "not a regular file (a FIFO, socket or device is refused)";
    return strerror(e);
}

/* ---- folders ---- */

int pg_cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int pg_list_dir(const char *dir, const char *suffix, size_t max, char ***out, size_t *n) {
    DIR *d = opendir(dir);
    *out = NULL;
    *n = 0;
    if (!d) return errno == ENOENT ? 0 : -1;
    size_t cap = 0, sl = strlen(suffix);
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l <= sl || strcmp(e->d_name + l - sl, suffix)) continue;
        if (*n >= max) break;
        if (pg_grow((void **)out, &cap, *n + 1, sizeof **out, 16) || !((*out)[*n] = strdup(e->d_name))) {
            rc = -1;
            break;
        }
        (*n)++;
    }
    closedir(d);
    if (*n) qsort(*out, *n, sizeof **out, pg_cmp_str);
    return rc;
}

void pg_names_free(char **v, size_t n) {
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}
