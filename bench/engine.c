/* engine.c - the benchmark's in-process measurements on the library: start-up (load, compile
 * and JIT the pack), per-post latency and throughput, and time per character up to 1 MiB. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "gen.h"

const size_t pg_bench_sizes[PG_BENCH_NSIZES] = {280, 2000, 10000, 63206};

#define VARIANTS 32 /* distinct posts per size, so no one post's luck decides the numbers */

uint64_t pg_bench_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double pg_bench_quantile(double *v, size_t n, double q) {
    if (!n) return 0;
    size_t k = (size_t)(q * (double)(n - 1) + 0.5);
    return v[k < n ? k : n - 1];
}

double pg_bench_median(double *v, size_t n) {
    if (n > 1) qsort(v, n, sizeof *v, cmp_double);
    return pg_bench_quantile(v, n, 0.5);
}

static uint64_t cpu_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int pg_bench_startup(const pg_bench_opts *o, pg_startup *out, unsigned flags) {
    size_t runs = o->quick ? 2 : 30;
    double t[30];
    memset(out, 0, sizeof *out);
    double c[30];
    for (size_t i = 0; i < runs; i++) {
        pg_ctx *ctx = NULL;
        pg_error err;
        uint64_t c0 = cpu_now_ns();
        uint64_t t0 = pg_bench_now_ns();
        if (pg_ctx_new(&ctx) != PG_OK) return -1;
        pg_ctx_set_load_flags(ctx, flags);
        if (pg_ctx_load(ctx, o->rules, &err) != PG_OK) {
            fprintf(stderr, "postguard-bench: cannot load %s: %s\n", o->rules, err.message);
            pg_ctx_free(ctx);
            return -1;
        }
        t[i] = (double)(pg_bench_now_ns() - t0) / 1e6;
        c[i] = (double)(cpu_now_ns() - c0) / 1e6;
        out->nrules = pg_ctx_rule_count(ctx);
        pg_ctx_free(ctx);
    }
    out->runs = runs;
    out->median_ms = pg_bench_median(t, runs);
    out->min_ms = t[0];
    out->max_ms = t[runs - 1];
    out->cpu_median_ms = pg_bench_median(c, runs);
    return 0;
}

/* One check, timed on the wall clock (and, when cpu_us is given, on this thread's CPU clock,
 * which other processes on a busy machine do not disturb); returns microseconds, or a
 * negative number on failure. */
static double timed_check(pg_ctx *ctx, const char *text, size_t len, size_t *nfindings,
                          double *cpu_us) {
    pg_result *r = NULL;
    pg_error err;
    uint64_t c0 = cpu_us ? cpu_now_ns() : 0;
    uint64_t t0 = pg_bench_now_ns();
    pg_status st = pg_check(ctx, text, len, &r, &err);
    uint64_t t1 = pg_bench_now_ns();
    if (cpu_us) *cpu_us = (double)(cpu_now_ns() - c0) / 1e3;
    if (st != PG_OK) {
        fprintf(stderr, "postguard-bench: check failed: %s\n", err.message);
        return -1;
    }
    if (nfindings) *nfindings = r->nfindings;
    pg_result_free(r);
    return (double)(t1 - t0) / 1e3;
}

/* The fixed work of the noise floor; volatile so the compiler keeps every step. */
static double busy(size_t steps) {
    volatile uint64_t x = 1;
    uint64_t t0 = pg_bench_now_ns();
    for (size_t i = 0; i < steps; i++) x = x * 6364136223846793005u + 1442695040888963407u;
    return (double)(pg_bench_now_ns() - t0) / 1e3;
}

/* Time n runs of a loop as long as target_us; fills the median and p99 of those runs. */
static void noise_floor(double target_us, size_t n, double *t, pg_latency *l) {
    size_t steps = 1000;
    double best = 1e30;
    for (int k = 0; k < 20; k++) { /* calibrate on the fastest of a few runs */
        double u = busy(steps);
        if (u < best) best = u;
    }
    steps = (size_t)((double)steps * target_us / (best > 0.001 ? best : 0.001));
    if (!steps) steps = 1;
    for (size_t i = 0; i < n; i++) t[i] = busy(steps);
    l->floor_median_us = pg_bench_median(t, n);
    l->floor_p99_us = pg_bench_quantile(t, n, 0.99);
}

int pg_bench_latency(const pg_bench_opts *o, pg_ctx *ctx, pg_latency out[PG_BENCH_NSIZES]) {
    /* Run each size for about half a second (at least 200 checks, at most 20,000), so the
     * p99 rests on enough samples; a quick run does a handful. */
    const size_t min_iters = o->quick ? 3 : 200, max_iters = o->quick ? 3 : 20000;
    const uint64_t budget_ns = o->quick ? 0 : 500000000u;
    double *t = malloc(max_iters * sizeof *t), *c = malloc(max_iters * sizeof *c);
    char *posts[VARIANTS] = {0};
    size_t lens[VARIANTS];
    int rc = -1;
    if (!t || !c) goto done;
    for (size_t si = 0; si < PG_BENCH_NSIZES; si++) {
        size_t chars = pg_bench_sizes[si], total = 0;
        pg_gen g;
        pg_gen_init(&g, o->seed + si, 25);
        for (size_t v = 0; v < VARIANTS; v++) {
            free(posts[v]);
            if (!(posts[v] = malloc(4 * chars + 1))) goto done;
            lens[v] = pg_gen_post_chars(&g, posts[v], 4 * chars + 1, chars);
            total += lens[v];
        }
        size_t nf = 0, fsum = 0, n = 0;
        for (size_t v = 0; v < VARIANTS && v < (o->quick ? 1u : VARIANTS); v++) /* warm up */
            if (timed_check(ctx, posts[v], lens[v], NULL, NULL) < 0) goto done;
        double bytes = 0, sum = 0;
        uint64_t start = pg_bench_now_ns();
        while (n < max_iters && (n < min_iters || pg_bench_now_ns() - start < budget_ns)) {
            size_t v = n % VARIANTS;
            if ((t[n] = timed_check(ctx, posts[v], lens[v], &nf, &c[n])) < 0) goto done;
            sum += t[n];
            bytes += (double)lens[v];
            fsum += nf;
            n++;
        }
        pg_latency *l = &out[si];
        l->chars = chars;
        l->bytes = total / VARIANTS;
        l->iters = n;
        l->mean_us = sum / (double)n;
        l->median_us = pg_bench_median(t, n);
        l->p99_us = pg_bench_quantile(t, n, 0.99);
        l->mb_per_s = bytes / sum; /* bytes per microsecond = 10^6 bytes per second */
        l->findings = (double)fsum / (double)n;
        l->cpu_median_us = pg_bench_median(c, n);
        l->cpu_p99_us = pg_bench_quantile(c, n, 0.99);
        noise_floor(l->median_us, n, t, l);
    }
    rc = 0;
done:
    for (size_t v = 0; v < VARIANTS; v++) free(posts[v]);
    free(t);
    free(c);
    return rc;
}

int pg_bench_scale(const pg_bench_opts *o, pg_ctx *ctx, pg_scale_point *out, size_t *n) {
    size_t top = o->quick ? 64u * 1024 : PG_MAX_TEXT_BYTES;
    char *text = malloc(top + 1);
    if (!text) return -1;
    pg_gen g;
    pg_gen_init(&g, o->seed + 100, 25);
    size_t len = pg_gen_post_bytes(&g, text, top); /* one text; each size is a prefix of it */
    *n = 0;
    for (size_t bytes = 1024; bytes <= top && *n < PG_BENCH_MAX_SCALE; bytes *= 2) {
        size_t b = bytes < len ? bytes : len;
        while (b > 0 && ((unsigned char)text[b] & 0xC0) == 0x80) b--; /* a character boundary */
        size_t runs = o->quick ? 1 : (bytes <= 65536 ? 15 : 5);
        double t[15];
        for (size_t r = 0; r < runs; r++)
            if ((t[r] = timed_check(ctx, text, b, NULL, NULL)) < 0) {
                free(text);
                return -1;
            }
        pg_scale_point *p = &out[(*n)++];
        p->bytes = b;
        p->chars = pg_gen_count_chars(text, b);
        pg_bench_median(t, runs);
        p->us = t[0]; /* the fastest run: the one least disturbed by the rest of the machine */
        p->ns_per_char = p->us * 1e3 / (double)p->chars;
    }
    free(text);
    return 0;
}
