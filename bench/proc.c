/* proc.c - the benchmark's measurements on real processes: the host's time to answer a first
 * hello, its resident memory, and the round trip of check requests through it against the
 * echo host, over the same native-messaging framing the browser uses. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "gen.h"

#define IO_TIMEOUT_MS 20000 /* a host that says nothing for this long has hung */
#define RT_VARIANTS 8

typedef struct child {
    pid_t pid;
    int in, out; /* our ends: we write to in, read from out */
    char *buf;   /* the last reply's body */
    size_t cap, len;
} child;

static int spawn(const char *path, const char *rules, child *c) {
    int to[2], from[2];
    memset(c, 0, sizeof *c);
    if (pipe(to) || pipe(from)) return -1;
    /* our ends must not leak into a later child: it would hold this host's stdin open */
    fcntl(to[1], F_SETFD, FD_CLOEXEC);
    fcntl(from[0], F_SETFD, FD_CLOEXEC);
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        dup2(to[0], 0);
        dup2(from[1], 1);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) dup2(null, 2);
        close(to[0]), close(to[1]), close(from[0]), close(from[1]);
        /* the same pack as the in-process numbers, and no clinic file of this machine */
        setenv("POSTGUARD_RULES", rules, 1);
        setenv("POSTGUARD_CONFIG", "/nonexistent/postguard.json", 1);
        setenv("POSTGUARD_USER_CONFIG", "/nonexistent/postguard-user.json", 1);
        /* as Chrome starts it: the caller's origin as the argument */
        execl(path, path, "chrome-extension://gkfbpcjpnomknlhmihjkfgokmbldcppa/", (char *)NULL);
        _exit(127);
    }
    close(to[0]);
    close(from[1]);
    c->pid = pid;
    c->in = to[1];
    c->out = from[0];
    return 0;
}

/* Close the host's input (end of stream: it exits) and collect its status: 0 when it exited 0. */
static int finish(child *c) {
    int status = 0;
    if (c->pid <= 0) return -1;
    if (c->in >= 0) close(c->in);
    if (c->out >= 0) close(c->out);
    free(c->buf);
    c->buf = NULL;
    if (waitpid(c->pid, &status, 0) < 0) return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int write_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static int read_all(int fd, char *p, size_t n) {
    while (n) {
        struct pollfd pfd = {fd, POLLIN, 0};
        if (poll(&pfd, 1, IO_TIMEOUT_MS) <= 0) return -1;
        ssize_t k = read(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* A frame: the 4-byte native-order length, then the body. Caller frees. */
static char *frame(const char *body, size_t *n) {
    size_t len = strlen(body);
    char *f = malloc(len + 4);
    if (!f) return NULL;
    uint32_t l = (uint32_t)len;
    memcpy(f, &l, 4);
    memcpy(f + 4, body, len);
    *n = len + 4;
    return f;
}

/* Send one frame and read the whole reply into c->buf; returns microseconds or -1. */
static double round_trip(child *c, const char *f, size_t n) {
    uint32_t len;
    uint64_t t0 = pg_bench_now_ns();
    if (write_all(c->in, f, n) || read_all(c->out, (char *)&len, 4)) return -1;
    if (len + 1 > c->cap) {
        char *nb = realloc(c->buf, len + 1);
        if (!nb) return -1;
        c->buf = nb;
        c->cap = len + 1;
    }
    if (read_all(c->out, c->buf, len)) return -1;
    uint64_t t1 = pg_bench_now_ns();
    c->buf[len] = '\0';
    c->len = len;
    return (double)(t1 - t0) / 1e3;
}

/* The reply is the expected message type for request id (or, from the echo host, the
 * request itself). */
static int reply_ok(const child *c, const char *type, int id) {
    cJSON *j = cJSON_ParseWithLength(c->buf, c->len);
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "type");
    const cJSON *i = cJSON_GetObjectItemCaseSensitive(j, "id");
    int ok = cJSON_IsString(t) && strcmp(t->valuestring, type) == 0 && cJSON_IsNumber(i) &&
             (int)i->valuedouble == id;
    cJSON_Delete(j);
    return ok;
}

/* Say what came back instead of a result: its type and error code, never its text. */
static void describe(const child *c, size_t chars, char *buf, size_t n) {
    cJSON *j = c->buf ? cJSON_ParseWithLength(c->buf, c->len) : NULL;
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "type");
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(j, "code");
    snprintf(buf, n, "the host did not answer a %zu-character check with a result (got %s%s%s)",
             chars, cJSON_IsString(t) ? t->valuestring : "no reply",
             cJSON_IsString(code) ? " " : "", cJSON_IsString(code) ? code->valuestring : "");
    cJSON_Delete(j);
}

static char *request(const char *type, int id, const char *text) {
    cJSON *j = cJSON_CreateObject();
    char *s = NULL;
    if (j && cJSON_AddStringToObject(j, "type", type) && cJSON_AddNumberToObject(j, "id", id) &&
        (!text || (cJSON_AddStringToObject(j, "text", text) &&
                   cJSON_AddStringToObject(j, "site", "x"))))
        s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    return s;
}

static long vm_hwm_kib(pid_t pid) {
    char path[64], line[256];
    long kib = -1;
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1) break;
    fclose(f);
    return kib;
}

/* Start path, time its answer to a first hello, leave it running in c. */
static double hello(const char *path, const char *rules, child *c, const char *expect) {
    size_t n;
    char *body = request("hello", 1, NULL);
    char *f = body ? frame(body, &n) : NULL;
    free(body);
    if (!f) return -1;
    uint64_t t0 = pg_bench_now_ns();
    double us = -1;
    if (spawn(path, rules, c) == 0 && round_trip(c, f, n) >= 0 && reply_ok(c, expect, 1))
        us = (double)(pg_bench_now_ns() - t0) / 1e3;
    free(f);
    return us;
}

int pg_bench_host(const pg_bench_opts *o, pg_hostrun *out) {
    memset(out, 0, sizeof *out);
    if (!o->host || access(o->host, X_OK) != 0) return 0;
    out->ran = 1;
    child h = {0}, e = {0};
    enum { HELLO_RUNS = 31 }; /* a busy 2-core machine needs 30 or more for a stable median */
    size_t runs = o->quick ? 1 : HELLO_RUNS;
    double th[HELLO_RUNS], te[HELLO_RUNS], tc[HELLO_RUNS];
    for (size_t i = 0; i < runs; i++) {
        struct rusage r0, r1;
        h.pid = e.pid = 0;
        getrusage(RUSAGE_CHILDREN, &r0);
        th[i] = hello(o->host, o->rules, &h, "hello") / 1e3;
        if (h.pid && finish(&h) != 0) th[i] = -1;
        getrusage(RUSAGE_CHILDREN, &r1); /* the host's user + system time, exec to exit */
        tc[i] = ((double)(r1.ru_utime.tv_sec - r0.ru_utime.tv_sec) * 1e3 +
                 (double)(r1.ru_utime.tv_usec - r0.ru_utime.tv_usec) / 1e3) +
                ((double)(r1.ru_stime.tv_sec - r0.ru_stime.tv_sec) * 1e3 +
                 (double)(r1.ru_stime.tv_usec - r0.ru_stime.tv_usec) / 1e3);
        te[i] = hello(o->echo, o->rules, &e, "hello") / 1e3;
        if (e.pid && finish(&e) != 0) te[i] = -1;
        if (th[i] < 0 || te[i] < 0) {
            snprintf(out->problem, sizeof out->problem,
                     "%s did not answer hello (or did not exit 0 at end of input)",
                     th[i] < 0 ? o->host : o->echo);
            return -1;
        }
    }
    out->hello_runs = runs;
    out->hello_median_ms = pg_bench_median(th, runs);
    out->hello_min_ms = th[0];
    out->hello_max_ms = th[runs - 1];
    out->echo_hello_median_ms = pg_bench_median(te, runs);
    out->hello_cpu_median_ms = pg_bench_median(tc, runs);

    /* One session on each: hello, then checks of every size, interleaved host / echo so that
     * both see the same machine at the same moment. */
    if (hello(o->host, o->rules, &h, "hello") < 0 || hello(o->echo, o->rules, &e, "hello") < 0) {
        snprintf(out->problem, sizeof out->problem, "a host did not answer hello");
        return -1;
    }
    out->rss_idle_kib = vm_hwm_kib(h.pid);
    const size_t min_rounds = o->quick ? 2 : 100, max_rounds = o->quick ? 2 : 5000;
    const uint64_t budget_ns = o->quick ? 0 : 600000000u;
    double *ht = malloc(max_rounds * sizeof *ht), *et = malloc(max_rounds * sizeof *et);
    char *texts[RT_VARIANTS] = {0};
    int rc = -1, id = 100;
    if (!ht || !et) goto done;
    for (size_t si = 0; si < PG_BENCH_NSIZES; si++) {
        size_t chars = pg_bench_sizes[si];
        pg_gen g;
        pg_gen_init(&g, o->seed + si, 25);
        for (size_t v = 0; v < RT_VARIANTS; v++) {
            free(texts[v]);
            if (!(texts[v] = malloc(4 * chars + 1))) goto done;
            pg_gen_post_chars(&g, texts[v], 4 * chars + 1, chars);
        }
        size_t n = 0;
        uint64_t start = pg_bench_now_ns();
        while (n < max_rounds && (n < min_rounds || pg_bench_now_ns() - start < budget_ns)) {
            /* every request has its own id, as the extension's do; the frame is built
             * before the clock starts */
            size_t flen;
            char *body = request("check", ++id, texts[n % RT_VARIANTS]);
            char *f = body ? frame(body, &flen) : NULL;
            free(body);
            if (!f) goto done;
            ht[n] = round_trip(&h, f, flen);
            int hok = ht[n] >= 0 && reply_ok(&h, "result", id);
            et[n] = hok ? round_trip(&e, f, flen) : -1;
            int eok = et[n] >= 0 && reply_ok(&e, "check", id);
            free(f);
            if (!hok) {
                describe(&h, chars, out->problem, sizeof out->problem);
                goto done;
            }
            if (!eok) {
                snprintf(out->problem, sizeof out->problem, "the echo host did not echo");
                goto done;
            }
            n++;
        }
        pg_roundtrip *r = &out->rt[si];
        r->chars = chars;
        r->rounds = n;
        r->host_us = pg_bench_median(ht, n);
        r->echo_us = pg_bench_median(et, n);
        r->ratio = r->host_us / r->echo_us;
    }
    rc = 0;
done:
    for (size_t v = 0; v < RT_VARIANTS; v++) free(texts[v]);
    free(ht);
    free(et);
    /* the high-water mark of the host's own memory, read while it still runs: ru_maxrss from
     * wait4 would include the benchmark's pages the child had before exec */
    out->rss_peak_kib = vm_hwm_kib(h.pid);
    out->echo_rss_peak_kib = vm_hwm_kib(e.pid);
    if (finish(&h) != 0 && rc == 0) {
        snprintf(out->problem, sizeof out->problem, "the host did not exit 0 at end of input");
        rc = -1;
    }
    finish(&e);
    return rc;
}

/* Run argv to its end; 0 when it exited 0. */
static int run(char *const argv[]) {
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        execvp(argv[0], argv);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0) return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int pg_bench_pack_without_model(const char *rules, char *dir, size_t n) {
    char tmpl[] = "/tmp/postguard-bench-XXXXXX", src[4200], path[4200];
    if (!mkdtemp(tmpl) || strlen(tmpl) + 1 > n) return -1;
    snprintf(dir, n, "%s", tmpl);
    snprintf(src, sizeof src, "%s/.", rules);
    char *cp[] = {"cp", "-R", src, dir, NULL};
    if (run(cp)) return -1;
    snprintf(path, sizeof path, "%s/learned.json", dir);
    unlink(path);
    /* pack.json without its "model" line: the rules alone, as PG_LOAD_NO_MODEL loads them */
    snprintf(path, sizeof path, "%s/pack.json", dir);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char *text = NULL, line[8192];
    size_t len = 0;
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, "\"model\":")) continue;
        size_t k = strlen(line);
        char *t = realloc(text, len + k + 1);
        if (!t) break;
        text = t;
        memcpy(text + len, line, k + 1);
        len += k;
    }
    fclose(f);
    f = text ? fopen(path, "w") : NULL;
    int rc = f && fwrite(text, 1, len, f) == len ? 0 : -1;
    if (f && fclose(f)) rc = -1;
    free(text);
    return rc;
}
