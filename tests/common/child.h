/* child.h - start a real PostGuard binary with pipes for the tests, and talk to it with a
 * liveness guard: every wait is a poll() with a generous timeout, so a hung program fails the
 * test (with a message) instead of hanging it. Not a speed threshold. */
#ifndef PG_TEST_CHILD_H
#define PG_TEST_CHILD_H

#include <stddef.h>
#include <sys/types.h>

/* How long any one wait may take before the program counts as hung (sanitizer builds and
 * loaded CI machines are slow; a hang is forever). */
#define PG_CHILD_TIMEOUT_MS 60000

typedef struct pg_child {
    pid_t pid;
    int in;  /* write end of the child's stdin, -1 once closed */
    int out; /* read end of the child's stdout */
    int err; /* a temporary file holding the child's stderr (read with pg_child_stderr) */
} pg_child;

/* Start argv[0] with argv. env lists "NAME=VALUE" to set and "NAME" to unset in the child,
 * NULL-terminated (may be NULL). Returns 0, or -1. */
int pg_child_start(pg_child *c, char *const argv[], const char *const env[]);

/* Write all of buf to the child's stdin. Returns 0, or -1 (e.g. the child has gone). */
int pg_child_write(pg_child *c, const void *buf, size_t n);
void pg_child_close_stdin(pg_child *c);

/* Read exactly n bytes of the child's stdout. Returns n; fewer when stdout ended first;
 * -1 on a timeout (the child is hung) or an error. */
long pg_child_read(pg_child *c, void *buf, size_t n);

/* Wait for the child to exit; returns its wait status, or -1 after killing it on a timeout. */
int pg_child_wait(pg_child *c);

/* The child's stderr so far, malloc'd and NUL-terminated (the caller frees). */
char *pg_child_stderr(pg_child *c);

/* Free what is left (closes fds; kills the child if it still runs). */
void pg_child_free(pg_child *c);

/* Run a program to the end: feed it in (may be NULL), collect stdout and stderr (malloc'd,
 * NUL-terminated; the caller frees). Returns the exit status (0..255), 128+signal when a
 * signal killed it, or -1 on a timeout or a failure to start. */
int pg_child_run(char *const argv[], const char *const env[], const char *in, size_t inlen,
                 char **out, size_t *outlen, char **err);

#endif /* PG_TEST_CHILD_H */
