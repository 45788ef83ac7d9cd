/* start_seqs.h - the algebra the reader of pattern starts (pattern_start.c) works in, kept in
 * start_seqs.c: sets of the byte sequences a piece of a pattern can begin with, and how they
 * combine when pieces follow one another, alternate or repeat.
 *
 * Ownership: an sset owns its array (pg_sset_free releases it; a zeroed sset is empty and owns
 * nothing); a seq is a plain value, copied in and out. An operation that fails (too many
 * sequences, no memory) sets P->bad rather than returning an error, and every operation does
 * nothing once it is set, so the reader tests P->bad once, at the end. */
#ifndef PG_START_SEQS_H
#define PG_START_SEQS_H

#include <stddef.h>
#include <stdint.h>

#include "pattern_start.h"

#define PG_SEQ_BYTES 2        /* bytes in a key: pg_startkey's c0 and c1 */
#define PG_ASCII_CLASS_BYTES 16 /* a set of ASCII characters: bit b of raw[b / 8] */

/* One way a match may begin: up to PG_SEQ_BYTES byte classes. `exact`: the item read so far
 * matched exactly these bytes, so what follows extends the sequence; otherwise the sequence is
 * a prefix of something longer that is not known. Assertions before the first byte: `wb` a \b,
 * `lb` a negative lookbehind that rules out a letter (PG_PREV_LETTER) or any word character
 * (PG_PREV_WORD) before it, `bol` a ^ (the match can only begin the text). */
typedef struct seq {
    uint8_t c[PG_SEQ_BYTES][PG_CLASS_BYTES];
    uint8_t len, exact, wb, lb, bol;
} seq;

typedef struct sset {
    seq *v;
    int n, cap;
} sset;

/* The reader's place in a pattern's source (borrowed, NUL-terminated, n bytes). The set
 * operations read only `caseless` and set only `bad`. */
typedef struct parser {
    const unsigned char *s;
    size_t i, n;
    int caseless;
    int bad; /* 1: something not understood, or too many sequences */
} parser;

void pg_sset_free(sset *s);
/* Merge sequences without losing or adding any. */
void pg_sset_compact(sset *s);
/* Add the one-class sequence c (exact: nothing more is known to follow inside the item). */
void pg_sset_one(parser *P, sset *out, const uint8_t c[PG_CLASS_BYTES], int exact);
/* Add an item that matches no bytes (an assertion), with what it asserts before the next byte. */
void pg_sset_empty(parser *P, sset *out, int wb, int lb, int bol);
/* 1 when nothing more can be added to any sequence of s. */
int pg_sset_closed(const sset *s);
/* out gets a followed by b. */
void pg_sset_concat(parser *P, const sset *a, const sset *b, sset *out);
/* into gets from's sequences too (an alternative). */
void pg_sset_unite(parser *P, sset *into, const sset *from);
/* out gets x repeated min..max times (max -1: unbounded). */
void pg_sset_repeat(parser *P, const sset *x, long min, long max, sset *out);
/* Add one character (code point cp), caseless as P says. */
void pg_sset_literal(parser *P, uint32_t cp, sset *out);
/* What the negative lookbehind whose inside reads as `in` rules out before the match: a
 * PG_PREV_ value. */
int pg_sset_ruled_out_before(const sset *in);

/* Byte classes of characters, written into c. */
void pg_class_any_start(uint8_t c[PG_CLASS_BYTES]);  /* every byte that can begin a character */
void pg_class_lead_bytes(uint8_t c[PG_CLASS_BYTES]); /* the bytes that begin a non-ASCII one */
/* The ASCII characters of raw, or with negate every other ASCII character; both cases when
 * caseless. */
void pg_class_ascii(const uint8_t raw[PG_ASCII_CLASS_BYTES], int negate, int caseless,
                    uint8_t c[PG_CLASS_BYTES]);

#endif /* PG_START_SEQS_H */
