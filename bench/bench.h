/* bench.h - the benchmark's parts: measurements on the library in-process (engine.c) and on
 * the real host process over native-messaging framing (proc.c); main.c prints them. */
#ifndef PG_BENCH_H
#define PG_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "postguard.h"

#define PG_BENCH_NSIZES 4      /* the post sizes: 280, 2,000, 10,000, 63,206 characters */
#define PG_BENCH_MAX_SCALE 12  /* 1 KiB .. 1 MiB, doubling */

extern const size_t pg_bench_sizes[PG_BENCH_NSIZES];

typedef struct pg_bench_opts {
    int quick;            /* a tiny run that only proves the benchmark works */
    const char *rules;    /* the rule pack */
    const char *host;     /* build/postguard-host, or NULL when there is none */
    const char *echo;     /* build/postguard-echo-host */
    uint64_t seed;
} pg_bench_opts;

typedef struct pg_latency {
    size_t chars, bytes; /* of one post (bytes: the mean over the variants) */
    size_t iters;
    double median_us, p99_us, mean_us;
    double mb_per_s;      /* bytes checked per second, in 10^6 bytes */
    double findings;      /* mean findings per post: proof the rules fire */
    double cpu_median_us, cpu_p99_us; /* the same on the thread's CPU clock */
    /* The machine's own noise: a fixed loop of arithmetic that takes the checks' median,
     * timed as many times the same way. Its p99 is the best p99 any code of that length gets
     * here; a check's p99 near it is the machine's, not the engine's. */
    double floor_median_us, floor_p99_us;
} pg_latency;

typedef struct pg_startup {
    size_t runs;
    double median_ms, min_ms, max_ms; /* pg_ctx_new + pg_ctx_load: read, compile, JIT */
    double cpu_median_ms;             /* the same on the thread's CPU clock */
    size_t nrules;
} pg_startup;

typedef struct pg_scale_point {
    size_t bytes, chars;
    double us;          /* the fastest of the runs */
    double ns_per_char;
} pg_scale_point;

typedef struct pg_roundtrip {
    size_t chars;
    size_t rounds;
    double host_us, echo_us; /* medians: write the request, read the whole reply */
    double ratio;
} pg_roundtrip;

typedef struct pg_hostrun {
    int ran;                  /* 0 when there is no host binary */
    char problem[256];        /* why a host measurement failed, or "" */
    size_t hello_runs;
    double hello_median_ms, hello_min_ms, hello_max_ms; /* exec to the first hello reply */
    double echo_hello_median_ms;                        /* the same for the echo host */
    double hello_cpu_median_ms; /* the host's CPU time, exec to exit after one hello */
    long rss_idle_kib;        /* VmHWM after hello */
    long rss_peak_kib;        /* VmHWM after the whole session */
    long echo_rss_peak_kib;
    pg_roundtrip rt[PG_BENCH_NSIZES];
} pg_hostrun;

/* Monotonic clock, nanoseconds. */
uint64_t pg_bench_now_ns(void);
double pg_bench_median(double *v, size_t n); /* sorts v */
double pg_bench_quantile(double *v, size_t n, double q); /* v sorted */

/* engine.c */
/* flags: pg_ctx_set_load_flags (PG_LOAD_NO_MODEL: the rules alone, for the model's share) */
int pg_bench_startup(const pg_bench_opts *o, pg_startup *out, unsigned flags);
int pg_bench_latency(const pg_bench_opts *o, pg_ctx *ctx, pg_latency out[PG_BENCH_NSIZES]);
int pg_bench_scale(const pg_bench_opts *o, pg_ctx *ctx, pg_scale_point *out, size_t *n);

/* proc.c */
int pg_bench_host(const pg_bench_opts *o, pg_hostrun *out);
/* A copy of the pack at rules without the learned scorer (pack.json's "model" and learned.json
 * left out) in a fresh directory under /tmp, written to dir; 0 on success. */
int pg_bench_pack_without_model(const char *rules, char *dir, size_t n);

#endif
