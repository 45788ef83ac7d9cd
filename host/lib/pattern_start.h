/* pattern_start.h - what a start key (pg_startkey, internal.h) means, shared by the reader of
 * pattern starts (pattern_start.c, start_seqs.c) and the pack's start table (start_table.c).
 *
 * The reader is pg_start_keys, declared in internal.h beside pg_pattern, which holds its keys:
 * the pattern owns them (pg_pattern_free frees them, as pattern.c does when the pattern does
 * not compile) until pg_start_build (start_table.c) has filed them in the table and frees
 * them. Nothing declared here allocates. */
#ifndef PG_PATTERN_START_H
#define PG_PATTERN_START_H

#include <stdint.h>

#define PG_BYTE_VALUES 256     /* a table indexed by a byte has this many entries */
#define PG_CLASS_BYTES 32      /* a set of bytes: bit b of c[b / 8], as pg_startkey's c0, c1 */
#define PG_ASCII_END 0x80u     /* the first byte that is not ASCII */
#define PG_ASCII_CASE_BIT 32u  /* the one bit in which an ASCII letter's two cases differ */

/* What the byte before a match may not be (pg_startkey.prev). Ordered: start_table.c files a
 * key under every kind of preceding byte from its prev upwards (a letter, a digit or '_',
 * anything else), so each value rules out more than the one before. */
enum { PG_PREV_ANY = 0, PG_PREV_LETTER = 1, PG_PREV_WORD = 2 };

/* \w without UCP, and what \b looks at: PCRE2's word characters are ASCII only. */
static inline int is_wordbyte(unsigned char b) {
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') ||
           b == '_';
}

static inline void bit_set(uint8_t *c, unsigned b) {
    c[b >> 3] |= (uint8_t)(1u << (b & 7));
}

static inline int bit_has(const uint8_t *c, unsigned b) {
    return (c[b >> 3] >> (b & 7)) & 1;
}

#endif /* PG_PATTERN_START_H */
