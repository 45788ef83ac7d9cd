/* child.c - fork/exec a real binary with pipes, and poll()-guarded reads and waits for it,
 * shared by the CLI's exit-status tests and the protocol tests that drive postguard-host. */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int pg_child_start(pg_child *c, char *const argv[], const char *const env[]) {
    int in[2], out[2];
    c->pid = -1;
    c->in = c->out = c->err = -1;
    signal(SIGPIPE, SIG_IGN); /* a dead child is a write error in the test, not its death */
    FILE *tf = tmpfile();
    if (!tf) return -1;
    c->err = dup(fileno(tf));
    fclose(tf);
    if (c->err < 0 || pipe(in) || pipe(out)) return -1;
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(c->err, 2);
        close(in[0]), close(in[1]), close(out[0]), close(out[1]), close(c->err);
        for (size_t i = 0; env && env[i]; i++) {
            const char *eq = strchr(env[i], '=');
            if (!eq) {
                unsetenv(env[i]);
            } else {
                char name[256];
                snprintf(name, sizeof name, "%.*s", (int)(eq - env[i]), env[i]);
                setenv(name, eq + 1, 1);
            }
        }
        execv(argv[0], argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    c->pid = pid;
    c->in = in[1];
    c->out = out[0];
    return 0;
}

int pg_child_write(pg_child *c, const void *buf, size_t n) {
    const char *p = buf;
    while (n > 0) {
        struct pollfd pfd = {c->in, POLLOUT, 0};
        int r = poll(&pfd, 1, PG_CHILD_TIMEOUT_MS);
        if (r == 0) return -1; /* the child stopped reading: hung */
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        ssize_t k = write(c->in, p, n);
        if (k < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return -1;
        }
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

void pg_child_close_stdin(pg_child *c) {
    if (c->in >= 0) close(c->in);
    c->in = -1;
}

long pg_child_read(pg_child *c, void *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        struct pollfd pfd = {c->out, POLLIN, 0};
        int r = poll(&pfd, 1, PG_CHILD_TIMEOUT_MS);
        if (r == 0) return -1;
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        ssize_t k = read(c->out, (char *)buf + got, n - got);
        if (k < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (k == 0) break;
        got += (size_t)k;
    }
    return (long)got;
}

int pg_child_wait(pg_child *c) {
    if (c->pid < 0) return -1;
    int status = 0;
    for (int waited = 0; waited <= PG_CHILD_TIMEOUT_MS; waited += 10) {
        pid_t r = waitpid(c->pid, &status, WNOHANG);
        if (r == c->pid) {
            c->pid = -1;
            return status;
        }
        if (r < 0 && errno != EINTR) return -1;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    kill(c->pid, SIGKILL);
    waitpid(c->pid, &status, 0);
    c->pid = -1;
    return -1;
}

char *pg_child_stderr(pg_child *c) {
    off_t size = lseek(c->err, 0, SEEK_END);
    if (size < 0) size = 0;
    char *s = malloc((size_t)size + 1);
    if (!s) return NULL;
    ssize_t k = pread(c->err, s, (size_t)size, 0);
    s[k > 0 ? k : 0] = '\0';
    return s;
}

void pg_child_free(pg_child *c) {
    pg_child_close_stdin(c);
    if (c->pid > 0) {
        kill(c->pid, SIGKILL);
        waitpid(c->pid, NULL, 0);
        c->pid = -1;
    }
    if (c->out >= 0) close(c->out);
    if (c->err >= 0) close(c->err);
    c->out = c->err = -1;
}

int pg_child_run(char *const argv[], const char *const env[], const char *in, size_t inlen,
                 char **out, size_t *outlen, char **err) {
    pg_child c;
    *out = NULL;
    *err = NULL;
    *outlen = 0;
    if (pg_child_start(&c, argv, env)) {
        pg_child_free(&c);
        return -1;
    }
    /* feed stdin and drain stdout together, so neither pipe can fill and block both sides */
    fcntl(c.in, F_SETFL, O_NONBLOCK);
    size_t cap = 4096, len = 0, sent = 0;
    char *buf = malloc(cap);
    int rc = 0;
    if (!in || inlen == 0) pg_child_close_stdin(&c);
    while (buf) {
        struct pollfd pfd[2] = {{c.out, POLLIN, 0}, {c.in, POLLOUT, 0}};
        int r = poll(pfd, c.in >= 0 ? 2 : 1, PG_CHILD_TIMEOUT_MS);
        if (r == 0) {
            rc = -1;
            break;
        }
        if (r < 0) {
            if (errno == EINTR) continue;
            rc = -1;
            break;
        }
        if (c.in >= 0 && (pfd[1].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t k = write(c.in, in + sent, inlen - sent);
            if (k > 0) sent += (size_t)k;
            if (k < 0 && errno != EAGAIN && errno != EINTR) sent = inlen; /* the child closed it */
            if (sent == inlen) pg_child_close_stdin(&c);
        }
        if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            if (len + 1 >= cap) {
                char *nb = realloc(buf, cap * 2);
                if (!nb) break;
                buf = nb;
                cap *= 2;
            }
            ssize_t k = read(c.out, buf + len, cap - len - 1);
            if (k == 0) break;
            if (k > 0) len += (size_t)k;
            else if (errno != EINTR) break;
        }
    }
    if (!buf) rc = -1;
    int status = pg_child_wait(&c);
    if (rc == 0) {
        if (status < 0) rc = -1;
        else if (WIFEXITED(status)) rc = WEXITSTATUS(status);
        else rc = 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    }
    if (buf) buf[len] = '\0';
    *out = buf;
    *outlen = len;
    *err = pg_child_stderr(&c);
    pg_child_free(&c);
    return rc;
}
