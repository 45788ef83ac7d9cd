/* start_seqs.c - the sets of byte sequences a piece of a pattern can begin with (start_seqs.h),
 * and the byte classes of characters they are made of, for the reader in pattern_start.c.
 *
 * Every operation may only widen what a set admits, never narrow it: a set that says a match
 * can begin with these bytes must hold every way the piece can really begin. */
#include <stdlib.h>
#include <string.h>

#include "start_seqs.h"

/* A pattern whose reading needs more sequences stays unfiltered, so that reading one pattern
 * stays cheap at load. */
#define SSET_MAX_SEQS 2048
#define SSET_MIN_CAP 8      /* a set's first allocation, in sequences */
/* push() compares a new sequence only with the last few added, to stay cheap;
 * pg_sset_compact() removes the duplicates it misses. */
#define SSET_DEDUP_WINDOW 8
/* A set that grows past this after a concatenation or a union is compacted, so that long
 * alternations do not multiply their sequences at every following item. */
#define SSET_COMPACT_AT 32
#define REPEAT_MAX_COPIES 16 /* copies of a repeated item followed before giving up on exactness */

#define UTF8_LEAD_MIN 0xC2u /* the bytes that begin a multi-byte UTF-8 character */
#define UTF8_LEAD_MAX 0xF4u
#define UTF8_MAX_BYTES 4
#define UNICODE_MAX 0x10FFFFu

/* Unicode blocks with no letters, so no other case: a caseless pattern still matches exactly
 * their bytes. */
static const struct { uint32_t lo, hi; } caseless_blocks[] = {
    {0x2000, 0x206F},   /* General Punctuation */
    {0x2190, 0x23FF},   /* Arrows, Mathematical Operators, Miscellaneous Technical */
    {0x2500, 0x2BFF},   /* Box Drawing ... Miscellaneous Symbols and Arrows */
    {0x3000, 0x303F},   /* CJK Symbols and Punctuation */
    {0x1F000, 0x1FAFF}, /* Mahjong Tiles ... Symbols and Pictographs Extended-A (emoji) */
};

/* ---- sets of sequences ---- */

void pg_sset_free(sset *s) {
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

static int same_seq(const seq *a, const seq *b) {
    return a->len == b->len && a->exact == b->exact && a->wb == b->wb && a->lb == b->lb &&
           a->bol == b->bol &&
           memcmp(a->c, b->c, (size_t)a->len * PG_CLASS_BYTES) == 0;
}

static void push(parser *P, sset *s, const seq *q) {
    if (P->bad) return;
    for (int i = 0; i < s->n && i < SSET_DEDUP_WINDOW; i++)
        if (same_seq(&s->v[s->n - 1 - i], q)) return;
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : SSET_MIN_CAP;
        if (cap > SSET_MAX_SEQS) {
            P->bad = 1;
            return;
        }
        seq *v = realloc(s->v, (size_t)cap * sizeof *v);
        if (!v) {
            P->bad = 1;
            return;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = *q;
}

/* Merge sequences without losing or adding any: duplicates go, and sequences equal but for
 * their last class become one with the union of those classes. */
void pg_sset_compact(sset *s) {
    int o = 0;
    for (int i = 0; i < s->n; i++) {
        seq *q = &s->v[i];
        int merged = 0;
        for (int k = 0; k < o && !merged; k++) {
            seq *t = &s->v[k];
            if (t->len != q->len || t->exact != q->exact || t->wb != q->wb || t->lb != q->lb ||
                t->bol != q->bol || !q->len)
                continue;
            int last = q->len - 1;
            if (memcmp(t->c, q->c, (size_t)last * PG_CLASS_BYTES) != 0) continue;
            for (int b = 0; b < PG_CLASS_BYTES; b++) t->c[last][b] |= q->c[last][b];
            merged = 1;
        }
        if (!merged) s->v[o++] = *q;
    }
    s->n = o;
}

void pg_sset_one(parser *P, sset *out, const uint8_t c[PG_CLASS_BYTES], int exact) {
    seq q;
    memset(&q, 0, sizeof q);
    memcpy(q.c[0], c, PG_CLASS_BYTES);
    q.len = 1;
    q.exact = (uint8_t)exact;
    push(P, out, &q);
}

/* An item that matches no bytes (an assertion), with what it asserts before the next byte. */
void pg_sset_empty(parser *P, sset *out, int wb, int lb, int bol) {
    seq q;
    memset(&q, 0, sizeof q);
    q.exact = 1;
    q.wb = (uint8_t)wb;
    q.lb = (uint8_t)lb;
    q.bol = (uint8_t)bol;
    push(P, out, &q);
}

/* 1 when nothing more can be added to any sequence of s. */
int pg_sset_closed(const sset *s) {
    for (int i = 0; i < s->n; i++)
        if (s->v[i].exact && s->v[i].len < PG_SEQ_BYTES) return 0;
    return 1;
}

/* a followed by b. */
void pg_sset_concat(parser *P, const sset *a, const sset *b, sset *out) {
    for (int i = 0; i < a->n && !P->bad; i++) {
        const seq *x = &a->v[i];
        if (!x->exact || x->len == PG_SEQ_BYTES) {
            push(P, out, x);
            continue;
        }
        for (int j = 0; j < b->n && !P->bad; j++) {
            const seq *y = &b->v[j];
            seq q = *x;
            int k;
            for (k = 0; k < y->len && q.len < PG_SEQ_BYTES; k++)
                memcpy(q.c[q.len++], y->c[k], PG_CLASS_BYTES);
            q.exact = (uint8_t)(y->exact && k == y->len);
            if (x->len == 0) { /* assertions at the same place all hold */
                q.wb |= y->wb;
                q.lb = x->lb > y->lb ? x->lb : y->lb;
                q.bol |= y->bol;
            }
            push(P, out, &q);
        }
    }
    if (out->n > SSET_COMPACT_AT) pg_sset_compact(out);
}

void pg_sset_unite(parser *P, sset *into, const sset *from) {
    for (int i = 0; i < from->n && !P->bad; i++) push(P, into, &from->v[i]);
    if (into->n > SSET_COMPACT_AT) pg_sset_compact(into);
}

/* ---- byte classes of characters ---- */

/* Every byte that can begin a character: ASCII and UTF-8 lead bytes. */
void pg_class_any_start(uint8_t c[PG_CLASS_BYTES]) {
    memset(c, 0, PG_CLASS_BYTES);
    for (unsigned b = 0; b < PG_ASCII_END; b++) bit_set(c, b);
    for (unsigned b = UTF8_LEAD_MIN; b <= UTF8_LEAD_MAX; b++) bit_set(c, b);
}

void pg_class_lead_bytes(uint8_t c[PG_CLASS_BYTES]) {
    memset(c, 0, PG_CLASS_BYTES);
    for (unsigned b = UTF8_LEAD_MIN; b <= UTF8_LEAD_MAX; b++) bit_set(c, b);
}

/* A set of ASCII characters (raw bytes, before case) as a class; negated: every other ASCII
 * character. Caseless patterns match the other case too. */
void pg_class_ascii(const uint8_t raw[PG_ASCII_CLASS_BYTES], int negate, int caseless,
                    uint8_t c[PG_CLASS_BYTES]) {
    uint8_t m[PG_ASCII_CLASS_BYTES];
    memcpy(m, raw, PG_ASCII_CLASS_BYTES);
    if (caseless)
        for (unsigned b = 'a'; b <= 'z'; b++)
            if (bit_has(m, b) || bit_has(m, b - PG_ASCII_CASE_BIT)) {
                bit_set(m, b);
                bit_set(m, b - PG_ASCII_CASE_BIT);
            }
    memset(c, 0, PG_CLASS_BYTES);
    for (unsigned b = 0; b < PG_ASCII_END; b++)
        if (bit_has(m, b) != negate) bit_set(c, b);
}

/* The numbers below are UTF-8 itself (RFC 3629): where each length starts, the lead bytes'
 * markers, 6 bits in each continuation byte. */
static size_t utf8_encode(uint32_t cp, unsigned char *o) {
    if (cp < PG_ASCII_END) { o[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | cp >> 6);
        o[1] = (unsigned char)(0x80 | (cp & 63));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 63));
        o[2] = (unsigned char)(0x80 | (cp & 63));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | cp >> 18);
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 63));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 63));
    o[3] = (unsigned char)(0x80 | (cp & 63));
    return 4;
}

static int caseless_safe(uint32_t cp) {
    for (size_t k = 0; k < sizeof caseless_blocks / sizeof caseless_blocks[0]; k++)
        if (cp >= caseless_blocks[k].lo && cp <= caseless_blocks[k].hi) return 1;
    return 0;
}

/* One character (code point cp) as a set: its bytes, or, when case may change them, any
 * character start. */
void pg_sset_literal(parser *P, uint32_t cp, sset *out) {
    uint8_t c[PG_CLASS_BYTES];
    if (cp < PG_ASCII_END) {
        memset(c, 0, PG_CLASS_BYTES);
        bit_set(c, cp);
        if (P->caseless && ((cp | PG_ASCII_CASE_BIT) >= 'a' && (cp | PG_ASCII_CASE_BIT) <= 'z'))
            bit_set(c, cp ^ PG_ASCII_CASE_BIT);
        pg_sset_one(P, out, c, 1);
        return;
    }
    if ((P->caseless && !caseless_safe(cp)) || cp > UNICODE_MAX) {
        /* other cases of non-ASCII letters are not worked out here */
        pg_class_any_start(c);
        pg_sset_one(P, out, c, 0);
        return;
    }
    unsigned char u[UTF8_MAX_BYTES];
    size_t n = utf8_encode(cp, u);
    seq q;
    memset(&q, 0, sizeof q);
    for (size_t k = 0; k < n && q.len < PG_SEQ_BYTES; k++) bit_set(q.c[q.len++], u[k]);
    q.exact = n <= PG_SEQ_BYTES;
    push(P, out, &q);
}

/* What a negative lookbehind of single characters, such as (?<![a-z]) or (?<![\w@.]), rules
 * out before the match: every word character, every letter, or nothing we use. */
int pg_sset_ruled_out_before(const sset *in) {
    uint8_t c[PG_CLASS_BYTES] = {0};
    for (int i = 0; i < in->n; i++) {
        if (in->v[i].len != 1 || !in->v[i].exact || in->v[i].wb || in->v[i].lb || in->v[i].bol)
            return PG_PREV_ANY;
        for (int b = 0; b < PG_CLASS_BYTES; b++) c[b] |= in->v[i].c[0][b];
    }
    int letters = in->n > 0, word;
    for (unsigned b = 'a'; b <= 'z'; b++)
        letters &= bit_has(c, b) && bit_has(c, b - PG_ASCII_CASE_BIT);
    word = letters && bit_has(c, '_');
    for (unsigned b = '0'; b <= '9'; b++) word &= bit_has(c, b);
    return word ? PG_PREV_WORD : letters ? PG_PREV_LETTER : PG_PREV_ANY;
}

/* x repeated min..max times (max -1: unbounded). */
void pg_sset_repeat(parser *P, const sset *x, long min, long max, sset *out) {
    if (min == 0) pg_sset_empty(P, out, 0, 0, 0);
    sset r = {0};
    pg_sset_unite(P, &r, x); /* r: exactly k copies */
    long top = max < 0 || max > min + PG_SEQ_BYTES ? min + PG_SEQ_BYTES : max;
    long k = 1;
    for (;;) {
        if (k >= min) pg_sset_unite(P, out, &r);
        if (k >= top || P->bad) break;
        if (k >= REPEAT_MAX_COPIES) { /* so many copies: keep what is known and stop being exact */
            pg_sset_unite(P, out, &r);
            for (int i = 0; i < out->n; i++) out->v[i].exact = 0;
            break;
        }
        if (k >= min && pg_sset_closed(&r)) break; /* more copies change nothing */
        sset next = {0};
        pg_sset_concat(P, &r, x, &next);
        pg_sset_free(&r);
        r = next;
        k++;
    }
    pg_sset_free(&r);
}
