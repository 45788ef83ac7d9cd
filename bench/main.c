/* main.c - postguard-bench: how fast the engine and the host are, against DESIGN.md's budgets.
 * Prints a table on stdout and, with --json FILE, the same numbers as JSON. Not a test. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

static const char usage[] =
    "usage: postguard-bench [--quick] [--json FILE] [--rules PATH] [--host PATH] [--echo PATH]\n"
    "  --quick      a tiny run that only proves the benchmark works (numbers meaningless)\n"
    "  --json FILE  also write the numbers as JSON to FILE\n"
    "  --rules PATH the rule pack (default: as the host finds it)\n"
    "  --host PATH  the native-messaging host (default: postguard-host beside this program)\n"
    "  --echo PATH  the echo host (default: postguard-echo-host beside this program)\n";

typedef struct machine {
    char cpu[128];
    long cores;
    char os[160];
} machine;

static void machine_info(machine *m) {
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[256];
    snprintf(m->cpu, sizeof m->cpu, "unknown CPU");
    while (f && fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon) {
            snprintf(m->cpu, sizeof m->cpu, "%s", colon + 2);
            m->cpu[strcspn(m->cpu, "\n")] = '\0';
            break;
        }
    }
    if (f) fclose(f);
    m->cores = sysconf(_SC_NPROCESSORS_ONLN);
    struct utsname u;
    if (uname(&u) == 0) snprintf(m->os, sizeof m->os, "%s %s %s", u.sysname, u.release, u.machine);
    else snprintf(m->os, sizeof m->os, "unknown");
}

/* A path beside this program (argv[0]'s directory). */
static void beside(const char *argv0, const char *name, char *buf, size_t n) {
    const char *slash = strrchr(argv0, '/');
    if (slash) snprintf(buf, n, "%.*s/%s", (int)(slash - argv0), argv0, name);
    else snprintf(buf, n, "./%s", name);
}

static const char *mark(int ok) {
    return ok ? "ok" : "OVER";
}

static void print_table(const machine *m, const pg_bench_opts *o, const pg_startup *st,
                        const pg_startup *st0, const pg_latency *lat, const pg_scale_point *sc,
                        size_t nsc, const pg_hostrun *h, const pg_hostrun *h0) {
    printf("PostGuard benchmark%s: %s, %ld cores, %s\n", o->quick ? " (--quick: numbers meaningless)" : "",
           m->cpu, m->cores, m->os);
    printf("rule pack: %s (%zu rules)\n\n", o->rules, st->nrules);
    if (h->ran && !h->problem[0]) {
        /* the figures a user feels, first; the keystroke -> underline one is the browser's
         * (tests/browser/latency.test.mjs) and bench/run.sh --browser prints it after these */
        printf("| what a user feels | measured | budget |\n|---|---|---|\n");
        printf("| host exec -> first `hello` reply (median) | %.2f ms (echo host %.2f ms) | 20 ms %s |\n",
               h->hello_median_ms, h->echo_hello_median_ms, mark(h->hello_median_ms <= 20));
        printf("| round trip of a 280-character post (median) | %.1f µs = %.2f× the echo host's %.1f µs | 1.5× %s |\n\n",
               h->rt[0].host_us, h->rt[0].ratio, h->rt[0].echo_us, mark(h->rt[0].ratio <= 1.5));
    }
    printf("| measure | value | budget |\n|---|---|---|\n");
    printf("| start-up in-process (load + compile; JIT at a pattern's first scan), median of %zu | %.2f ms (CPU %.2f ms) | 20 ms %s |\n",
           st->runs, st->median_ms, st->cpu_median_ms, mark(st->cpu_median_ms <= 20));
    if (h->ran && !h->problem[0]) {
        printf("| host start-up: exec to first `hello` reply, median of %zu | %.2f ms (echo host %.2f ms; host CPU exec to exit %.2f ms) | 20 ms %s |\n",
               h->hello_runs, h->hello_median_ms, h->echo_hello_median_ms, h->hello_cpu_median_ms,
               mark(h->hello_median_ms <= 20));
        printf("| host resident memory after hello (VmHWM) | %.1f MB | 10 MB %s |\n",
               h->rss_idle_kib / 1024.0, mark(h->rss_idle_kib <= 10240));
        printf("| host peak resident memory, whole session (VmHWM) | %.1f MB (echo host %.1f MB) | 10 MB %s |\n",
               h->rss_peak_kib / 1024.0, h->echo_rss_peak_kib / 1024.0, mark(h->rss_peak_kib <= 10240));
    }
    /* the learned scorer's share: the same measures on the pack without it */
    printf("| without the learned scorer: start-up in-process, median of %zu | %.2f ms (CPU %.2f ms): the model's share %.2f ms | - |\n",
           st0->runs, st0->median_ms, st0->cpu_median_ms, st->cpu_median_ms - st0->cpu_median_ms);
    if (h0->ran && !h0->problem[0])
        printf("| without the learned scorer: host exec -> `hello`; resident after hello; peak | %.2f ms; %.1f MB; %.1f MB | - |\n",
               h0->hello_median_ms, h0->rss_idle_kib / 1024.0, h0->rss_peak_kib / 1024.0);
    else if (h0->ran)
        printf("| without the learned scorer: host | FAILED: %s | - |\n", h0->problem);
    printf("\n| post | bytes | checks | median | p99 | CPU median | CPU p99 | throughput | findings/post | busy loop of the median: p99 | budget (p99) |\n");
    printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < PG_BENCH_NSIZES; i++) {
        const pg_latency *l = &lat[i];
        char budget[48] = "-";
        if (l->chars == 280) snprintf(budget, sizeof budget, "50 µs %s", mark(l->p99_us <= 50));
        if (l->chars == 10000) snprintf(budget, sizeof budget, "1 ms %s", mark(l->p99_us <= 1000));
        printf("| %zu chars | %zu | %zu | %.1f µs | %.1f µs | %.1f µs | %.1f µs | %.1f MB/s | %.1f | %.1f µs | %s |\n",
               l->chars, l->bytes, l->iters, l->median_us, l->p99_us, l->cpu_median_us,
               l->cpu_p99_us, l->mb_per_s, l->findings, l->floor_p99_us, budget);
    }
    if (h->ran && !h->problem[0]) {
        printf("\n| round trip (post) | rounds | postguard-host | echo host | ratio | budget |\n");
        printf("|---|---|---|---|---|---|\n");
        for (size_t i = 0; i < PG_BENCH_NSIZES; i++) {
            const pg_roundtrip *r = &h->rt[i];
            printf("| %zu chars | %zu | %.1f µs | %.1f µs | %.2f× | 1.5× %s |\n", r->chars, r->rounds,
                   r->host_us, r->echo_us, r->ratio, mark(r->ratio <= 1.5));
        }
    } else if (h->ran) {
        printf("\nhost: FAILED: %s\n", h->problem);
    } else {
        printf("\nhost: %s is not built; no host start-up, memory or round-trip numbers\n",
               o->host ? o->host : "postguard-host");
    }
    printf("\n| text (fastest of 5-15 runs) | chars | check | ns/char |\n|---|---|---|---|\n");
    for (size_t i = 0; i < nsc; i++)
        printf("| %zu KiB | %zu | %.1f µs | %.1f |\n", (sc[i].bytes + 1023) / 1024, sc[i].chars,
               sc[i].us, sc[i].ns_per_char);
}

static void json_string(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20) fprintf(f, "\\u%04x", *s);
        else fputc(*s, f);
    }
    fputc('"', f);
}

static int write_json(const char *path, const machine *m, const pg_bench_opts *o,
                      const pg_startup *st, const pg_startup *st0, const pg_latency *lat,
                      const pg_scale_point *sc, size_t nsc, const pg_hostrun *h,
                      const pg_hostrun *h0) {
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fprintf(f, "{\n  \"quick\": %s,\n  \"machine\": {\"cpu\": ", o->quick ? "true" : "false");
    json_string(f, m->cpu);
    fprintf(f, ", \"cores\": %ld, \"os\": ", m->cores);
    json_string(f, m->os);
    fprintf(f, "},\n  \"rules\": ");
    json_string(f, o->rules);
    fprintf(f, ",\n  \"nrules\": %zu,\n", st->nrules);
    fprintf(f, "  \"startup_ms\": {\"runs\": %zu, \"median\": %.4f, \"min\": %.4f, \"max\": %.4f, "
               "\"cpu_median\": %.4f},\n",
            st->runs, st->median_ms, st->min_ms, st->max_ms, st->cpu_median_ms);
    fprintf(f, "  \"no_model\": {\"startup_median_ms\": %.4f, \"startup_cpu_median_ms\": %.4f, "
               "\"host_hello_median_ms\": %.4f, \"host_rss_after_hello_kib\": %ld, \"host_rss_peak_kib\": %ld},\n",
            st0->median_ms, st0->cpu_median_ms, h0->hello_median_ms, h0->rss_idle_kib, h0->rss_peak_kib);
    fprintf(f, "  \"latency\": [");
    for (size_t i = 0; i < PG_BENCH_NSIZES; i++) {
        const pg_latency *l = &lat[i];
        fprintf(f, "%s\n    {\"chars\": %zu, \"bytes\": %zu, \"checks\": %zu, \"median_us\": %.3f, "
                   "\"p99_us\": %.3f, \"mean_us\": %.3f, \"cpu_median_us\": %.3f, \"cpu_p99_us\": %.3f, \"mb_per_s\": %.3f, "
                   "\"findings\": %.2f, \"floor_median_us\": %.3f, \"floor_p99_us\": %.3f}",
                i ? "," : "", l->chars, l->bytes, l->iters, l->median_us, l->p99_us, l->mean_us,
                l->cpu_median_us, l->cpu_p99_us, l->mb_per_s, l->findings, l->floor_median_us,
                l->floor_p99_us);
    }
    fprintf(f, "\n  ],\n  \"scaling\": [");
    for (size_t i = 0; i < nsc; i++)
        fprintf(f, "%s\n    {\"bytes\": %zu, \"chars\": %zu, \"us\": %.3f, \"ns_per_char\": %.3f}",
                i ? "," : "", sc[i].bytes, sc[i].chars, sc[i].us, sc[i].ns_per_char);
    fprintf(f, "\n  ],\n  \"host\": ");
    if (!h->ran) {
        fprintf(f, "null\n}\n");
    } else {
        fprintf(f, "{\n    \"problem\": ");
        if (h->problem[0]) json_string(f, h->problem);
        else fprintf(f, "null");
        fprintf(f, ",\n    \"hello_ms\": {\"runs\": %zu, \"median\": %.4f, \"min\": %.4f, \"max\": %.4f, "
                   "\"echo_median\": %.4f, \"host_cpu_median\": %.4f},\n",
                h->hello_runs, h->hello_median_ms, h->hello_min_ms, h->hello_max_ms,
                h->echo_hello_median_ms, h->hello_cpu_median_ms);
        fprintf(f, "    \"rss_kib\": {\"after_hello\": %ld, \"peak\": %ld, \"echo_peak\": %ld},\n",
                h->rss_idle_kib, h->rss_peak_kib, h->echo_rss_peak_kib);
        fprintf(f, "    \"round_trip\": [");
        for (size_t i = 0; i < PG_BENCH_NSIZES; i++) {
            const pg_roundtrip *r = &h->rt[i];
            fprintf(f, "%s\n      {\"chars\": %zu, \"rounds\": %zu, \"host_us\": %.3f, \"echo_us\": %.3f, "
                       "\"ratio\": %.4f}",
                    i ? "," : "", r->chars, r->rounds, r->host_us, r->echo_us, r->ratio);
        }
        fprintf(f, "\n    ]\n  }\n}\n");
    }
    return fclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv) {
    pg_bench_opts o = {0};
    const char *json = NULL;
    char rules[4096], host[4096], echo[4096];
    o.seed = 20231101;
    beside(argv[0], "postguard-host", host, sizeof host);
    beside(argv[0], "postguard-echo-host", echo, sizeof echo);
    o.host = host;
    o.echo = echo;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--quick") == 0) o.quick = 1;
        else if (strcmp(a, "--json") == 0 && v) json = argv[++i];
        else if (strcmp(a, "--rules") == 0 && v) o.rules = argv[++i];
        else if (strcmp(a, "--host") == 0 && v) o.host = argv[++i];
        else if (strcmp(a, "--echo") == 0 && v) o.echo = argv[++i];
        else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else {
            fprintf(stderr, "postguard-bench: unknown argument %s\n%s", a, usage);
            return 2;
        }
    }
    if (!o.rules) {
        pg_error err;
        if (pg_find_rules(argv[0], rules, sizeof rules, &err) != PG_OK) {
            fprintf(stderr, "postguard-bench: %s\n", err.message);
            return 2;
        }
        o.rules = rules;
    }
    signal(SIGPIPE, SIG_IGN); /* a host that dies is reported, not fatal to us */

    machine m;
    machine_info(&m);
    pg_startup st;
    pg_latency lat[PG_BENCH_NSIZES];
    pg_scale_point sc[PG_BENCH_MAX_SCALE];
    size_t nsc = 0;
    pg_hostrun h, h0;
    pg_startup st0;
    pg_ctx *ctx = NULL;
    pg_error err;
    if (pg_bench_startup(&o, &st, 0) != 0 || pg_bench_startup(&o, &st0, PG_LOAD_NO_MODEL) != 0) return 1;
    if (pg_ctx_new(&ctx) != PG_OK || pg_ctx_load(ctx, o.rules, &err) != PG_OK) {
        fprintf(stderr, "postguard-bench: cannot load %s\n", o.rules);
        pg_ctx_free(ctx);
        return 1;
    }
    int rc = pg_bench_latency(&o, ctx, lat) || pg_bench_scale(&o, ctx, sc, &nsc);
    pg_ctx_free(ctx);
    if (rc) return 1;
    int hrc = pg_bench_host(&o, &h);
    /* the host again on a copy of the pack without the model: its memory and start-up share */
    char nomodel[256];
    memset(&h0, 0, sizeof h0);
    if (pg_bench_pack_without_model(o.rules, nomodel, sizeof nomodel) == 0) {
        pg_bench_opts o0 = o;
        o0.rules = nomodel;
        pg_bench_host(&o0, &h0);
        char *rm[] = {"rm", "-rf", nomodel, NULL};
        pid_t pid = fork();
        if (pid == 0) {
            execvp(rm[0], rm);
            _exit(127);
        }
        if (pid > 0) waitpid(pid, NULL, 0);
    } else {
        h0.ran = 1;
        snprintf(h0.problem, sizeof h0.problem, "cannot copy the pack without its model");
    }
    print_table(&m, &o, &st, &st0, lat, sc, nsc, &h, &h0);
    if (json && write_json(json, &m, &o, &st, &st0, lat, sc, nsc, &h, &h0) != 0) {
        fprintf(stderr, "postguard-bench: cannot write %s\n", json);
        return 1;
    }
    return hrc ? 1 : 0;
}
