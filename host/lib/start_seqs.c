/* start_seqs.c - the sets of byte sequences a piece of a pattern can begin with (start_seqs.h),
 * and the byte classes of characters they are made of, for the reader in pattern_start.c.
 *
 * Every operation may only widen what a set admits, never narrow it: a set that says a match
 * can begin with these bytes must hold every way the piece can really begin. */
#include <stdlib.h>
#include <string.h>

#include "start_seqs.h"

#define MAXSEQ 2048  /* a pattern whose reading needs more sequences stays unfiltered */
#define MAXREP 16    /* copies of a repeated item followed before giving up on exactness */

/* ---- sets of sequences ---- */

void pg_sset_free(sset *s) {
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

static int same_seq(const seq *a, const seq *b) {
    return a->len == b->len && a->exact == b->exact && a->wb == b->wb && a->lb == b->lb &&
           a->bol == b->bol &&
           memcmp(a->c, b->c, (size_t)a->len * 32) == 0;
}

static void push(parser *P, sset *s, const seq *q) {
    if (P->bad) return;
    for (int i = 0; i < s->n && i < 8; i++) /* cheap duplicate check; pg_sset_compact() does the rest */
        if (same_seq(&s->v[s->n - 1 - i], q)) return;
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 8;
        if (cap > MAXSEQ) {
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
            if (memcmp(t->c, q->c, (size_t)last * 32) != 0) continue;
            for (int b = 0; b < 32; b++) t->c[last][b] |= q->c[last][b];
            merged = 1;
        }
        if (!merged) s->v[o++] = *q;
    }
    s->n = o;
}

void pg_sset_one(parser *P, sset *out, const uint8_t c[32], int exact) {
    seq q;
    memset(&q, 0, sizeof q);
    memcpy(q.c[0], c, 32);
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
            for (k = 0; k < y->len && q.len < PG_SEQ_BYTES; k++) memcpy(q.c[q.len++], y->c[k], 32);
            q.exact = (uint8_t)(y->exact && k == y->len);
            if (x->len == 0) { /* assertions at the same place all hold */
                q.wb |= y->wb;
                q.lb = x->lb > y->lb ? x->lb : y->lb;
                q.bol |= y->bol;
            }
            push(P, out, &q);
        }
    }
    if (out->n > 32) pg_sset_compact(out);
}

void pg_sset_unite(parser *P, sset *into, const sset *from) {
    for (int i = 0; i < from->n && !P->bad; i++) push(P, into, &from->v[i]);
    if (into->n > 32) pg_sset_compact(into);
}

/* ---- byte classes of characters ---- */

/* Every byte that can begin a character: ASCII and UTF-8 lead bytes. */
void pg_class_any_start(uint8_t c[32]) {
    memset(c, 0, 32);
    for (unsigned b = 0; b < 0x80; b++) bit_set(c, b);
    for (unsigned b = 0xC2; b <= 0xF4; b++) bit_set(c, b);
}

void pg_class_lead_bytes(uint8_t c[32]) {
    memset(c, 0, 32);
    for (unsigned b = 0xC2; b <= 0xF4; b++) bit_set(c, b);
}

/* A set of ASCII characters (raw bytes, before case) as a class; negated: every other ASCII
 * character. Caseless patterns match the other case too. */
void pg_class_ascii(const uint8_t raw[16], int negate, int caseless, uint8_t c[32]) {
    uint8_t m[16];
    memcpy(m, raw, 16);
    if (caseless)
        for (unsigned b = 'a'; b <= 'z'; b++)
            if (bit_has(m, b) || bit_has(m, b - 32)) {
                bit_set(m, b);
                bit_set(m, b - 32);
            }
    memset(c, 0, 32);
    for (unsigned b = 0; b < 0x80; b++)
        if (bit_has(m, b) != negate) bit_set(c, b);
}

static size_t utf8_encode(uint32_t cp, unsigned char *o) {
    if (cp < 0x80) { o[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) { o[0] = (unsigned char)(0xC0 | cp >> 6); o[1] = (unsigned char)(0x80 | (cp & 63)); return 2; }
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

/* Blocks with no letters, so no other case: punctuation, arrows, symbols, emoji. */
static int caseless_safe(uint32_t cp) {
    return (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x2190 && cp <= 0x23FF) ||
           (cp >= 0x2500 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
           (cp >= 0x1F000 && cp <= 0x1FAFF);
}

/* One character (code point cp) as a set: its bytes, or, when case may change them, any
 * character start. */
void pg_sset_literal(parser *P, uint32_t cp, sset *out) {
    uint8_t c[32];
    if (cp < 0x80) {
        memset(c, 0, 32);
        bit_set(c, cp);
        if (P->caseless && ((cp | 32) >= 'a' && (cp | 32) <= 'z')) bit_set(c, cp ^ 32);
        pg_sset_one(P, out, c, 1);
        return;
    }
    if ((P->caseless && !caseless_safe(cp)) || cp > 0x10FFFF) {
        /* other cases of non-ASCII letters are not worked out here */
        pg_class_any_start(c);
        pg_sset_one(P, out, c, 0);
        return;
    }
    unsigned char u[4];
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
    uint8_t c[32] = {0};
    for (int i = 0; i < in->n; i++) {
        if (in->v[i].len != 1 || !in->v[i].exact || in->v[i].wb || in->v[i].lb || in->v[i].bol)
            return PG_PREV_ANY;
        for (int b = 0; b < 32; b++) c[b] |= in->v[i].c[0][b];
    }
    int letters = in->n > 0, word;
    for (unsigned b = 'a'; b <= 'z'; b++) letters &= bit_has(c, b) && bit_has(c, b - 32);
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
        if (k >= MAXREP) { /* so many copies: keep what is known and stop being exact */
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
