/* gen.h - realistic post text for the benchmark and the scaling tests: sentences of fine and
 * flagged content (English and French, accents, emoji) assembled by a seeded generator. */
#ifndef PG_BENCH_GEN_H
#define PG_BENCH_GEN_H

#include <stddef.h>
#include <stdint.h>

/* A small deterministic generator (xorshift64*): the same seed gives the same posts on every
 * machine, so runs compare. */
typedef struct pg_gen {
    uint64_t state;
    int flagged_percent; /* share of sentences taken from the flagged pool, 0..100 */
} pg_gen;

void pg_gen_init(pg_gen *g, uint64_t seed, int flagged_percent);

/* Fill out with a post of exactly `chars` Unicode characters (code points), cut at the
 * nearest character boundary; returns the byte length, or 0 when cap is too small (cap must
 * be at least 4 * chars + 1). out is NUL-terminated. */
size_t pg_gen_post_chars(pg_gen *g, char *out, size_t cap, size_t chars);

/* Fill out with at most `bytes` bytes of post text, ending on a character boundary; returns
 * the byte length (>= bytes - 3). out must hold bytes + 1. */
size_t pg_gen_post_bytes(pg_gen *g, char *out, size_t bytes);

/* Code points in len bytes of valid UTF-8. */
size_t pg_gen_count_chars(const char *s, size_t len);

#endif
