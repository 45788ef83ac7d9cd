/* prefilter.c - where a pattern can start: a conservative reading of a pattern's source into
 * the pairs of bytes every match begins with, and one pass over a post that finds, for every
 * pattern at once, the positions worth trying. PCRE2 then runs anchored at those alone.
 *
 * The reading may only ever widen what a pattern can match: whatever it does not understand
 * (backreferences, verbs, inline options...) leaves the pattern unfiltered, run by PCRE2 over
 * the whole text as before. A caseless pattern's keys hold both cases of its letters, so one
 * table per text serves caseless and case-sensitive patterns alike. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define PK 2         /* bytes in a key */
#define MAXSEQ 2048  /* a pattern whose reading needs more sequences stays unfiltered */
#define MAXREP 16    /* copies of a repeated item followed before giving up on exactness */

/* One way a match may begin: up to PK byte classes. `exact`: the item read so far matched
 * exactly these bytes, so what follows extends the sequence; otherwise the sequence is a
 * prefix of something longer that is not known. Assertions before the first byte: `wb` a \b,
 * `lb` a negative lookbehind that rules out a letter (PG_PREV_LETTER) or any word character
 * (PG_PREV_WORD) before it, `bol` a ^ (the match can only begin the text). */
typedef struct seq {
    uint8_t c[PK][32];
    uint8_t len, exact, wb, lb, bol;
} seq;

typedef struct sset {
    seq *v;
    int n, cap;
} sset;

typedef struct parser {
    const unsigned char *s;
    size_t i, n;
    int caseless;
    int bad; /* 1: something not understood, or too many sequences */
} parser;

static int is_wordbyte(unsigned char b) {
    return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') ||
           b == '_';
}

static void bit_set(uint8_t *c, unsigned b) {
    c[b >> 3] |= (uint8_t)(1u << (b & 7));
}

static int bit_has(const uint8_t *c, unsigned b) {
    return (c[b >> 3] >> (b & 7)) & 1;
}

/* ---- sets of sequences ---- */

static void sset_free(sset *s) {
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
    for (int i = 0; i < s->n && i < 8; i++) /* cheap duplicate check; compact() does the rest */
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
static void compact(sset *s) {
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

static void one(parser *P, sset *out, const uint8_t c[32], int exact) {
    seq q;
    memset(&q, 0, sizeof q);
    memcpy(q.c[0], c, 32);
    q.len = 1;
    q.exact = (uint8_t)exact;
    push(P, out, &q);
}

/* An item that matches no bytes (an assertion), with what it asserts before the next byte. */
static void empty(parser *P, sset *out, int wb, int lb, int bol) {
    seq q;
    memset(&q, 0, sizeof q);
    q.exact = 1;
    q.wb = (uint8_t)wb;
    q.lb = (uint8_t)lb;
    q.bol = (uint8_t)bol;
    push(P, out, &q);
}

/* 1 when nothing more can be added to any sequence of s. */
static int closed(const sset *s) {
    for (int i = 0; i < s->n; i++)
        if (s->v[i].exact && s->v[i].len < PK) return 0;
    return 1;
}

/* a followed by b. */
static void concat(parser *P, const sset *a, const sset *b, sset *out) {
    for (int i = 0; i < a->n && !P->bad; i++) {
        const seq *x = &a->v[i];
        if (!x->exact || x->len == PK) {
            push(P, out, x);
            continue;
        }
        for (int j = 0; j < b->n && !P->bad; j++) {
            const seq *y = &b->v[j];
            seq q = *x;
            int k;
            for (k = 0; k < y->len && q.len < PK; k++) memcpy(q.c[q.len++], y->c[k], 32);
            q.exact = (uint8_t)(y->exact && k == y->len);
            if (x->len == 0) { /* assertions at the same place all hold */
                q.wb |= y->wb;
                q.lb = x->lb > y->lb ? x->lb : y->lb;
                q.bol |= y->bol;
            }
            push(P, out, &q);
        }
    }
    if (out->n > 32) compact(out);
}

static void unite(parser *P, sset *into, const sset *from) {
    for (int i = 0; i < from->n && !P->bad; i++) push(P, into, &from->v[i]);
    if (into->n > 32) compact(into);
}

/* ---- byte classes of characters ---- */

/* Every byte that can begin a character: ASCII and UTF-8 lead bytes. */
static void any_start(uint8_t c[32]) {
    memset(c, 0, 32);
    for (unsigned b = 0; b < 0x80; b++) bit_set(c, b);
    for (unsigned b = 0xC2; b <= 0xF4; b++) bit_set(c, b);
}

static void lead_bytes(uint8_t c[32]) {
    memset(c, 0, 32);
    for (unsigned b = 0xC2; b <= 0xF4; b++) bit_set(c, b);
}

/* A set of ASCII characters (raw bytes, before case) as a class; negated: every other ASCII
 * character. Caseless patterns match the other case too. */
static void ascii_class(const uint8_t raw[16], int negate, int caseless, uint8_t c[32]) {
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
static void literal(parser *P, uint32_t cp, sset *out) {
    uint8_t c[32];
    if (cp < 0x80) {
        memset(c, 0, 32);
        bit_set(c, cp);
        if (P->caseless && ((cp | 32) >= 'a' && (cp | 32) <= 'z')) bit_set(c, cp ^ 32);
        one(P, out, c, 1);
        return;
    }
    if ((P->caseless && !caseless_safe(cp)) || cp > 0x10FFFF) {
        /* other cases of non-ASCII letters are not worked out here */
        any_start(c);
        one(P, out, c, 0);
        return;
    }
    unsigned char u[4];
    size_t n = utf8_encode(cp, u);
    seq q;
    memset(&q, 0, sizeof q);
    for (size_t k = 0; k < n && q.len < PK; k++) bit_set(q.c[q.len++], u[k]);
    q.exact = n <= PK;
    push(P, out, &q);
}

/* The ASCII bytes of \d, \w, \s (PCRE2 without UCP: ASCII only; \s includes VT). */
static int escape_set(int e, uint8_t raw[16]) {
    memset(raw, 0, 16);
    switch (e) {
    case 'd': case 'D':
        for (unsigned b = '0'; b <= '9'; b++) bit_set(raw, b);
        return 1;
    case 'w': case 'W':
        for (unsigned b = 0; b < 0x80; b++)
            if (is_wordbyte((unsigned char)b)) bit_set(raw, b);
        return 1;
    case 's': case 'S':
        bit_set(raw, ' '); bit_set(raw, '\t'); bit_set(raw, '\n');
        bit_set(raw, '\v'); bit_set(raw, '\f'); bit_set(raw, '\r');
        return 1;
    default: return 0;
    }
}

static int hexval(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decode one UTF-8 character of the pattern at P->i (validated by PCRE2 already). */
static uint32_t next_cp(parser *P) {
    uint32_t cp;
    int n = pg_utf8_decode(P->s + P->i, P->n - P->i, &cp);
    P->i += (size_t)(n > 0 ? n : 1);
    return cp;
}

/* \x{...} or \xHH after the 'x' was read; returns the code point or -1. */
static long hex_escape(parser *P) {
    long v = 0;
    if (P->i < P->n && P->s[P->i] == '{') {
        P->i++;
        int digits = 0;
        while (P->i < P->n && P->s[P->i] != '}') {
            int h = hexval(P->s[P->i++]);
            if (h < 0 || ++digits > 6) return -1;
            v = v * 16 + h;
        }
        if (P->i >= P->n || !digits) return -1;
        P->i++;
        return v;
    }
    for (int k = 0; k < 2 && P->i < P->n && hexval(P->s[P->i]) >= 0; k++)
        v = v * 16 + hexval(P->s[P->i++]);
    return v;
}

/* A single-character escape (\n, \., \x{..}, ...) as a code point, or -1 for anything else. */
static long escape_cp(parser *P, long e) {
    switch (e) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case 'f': return '\f';
    case 'e': return 27;
    case 'a': return 7;
    case 'x': return hex_escape(P);
    default: break;
    }
    if (e >= 0x80 || !((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')))
        return e; /* an escaped punctuation character stands for itself */
    return -1;
}

/* The character (a code point: it may be any UTF-8 character) after a backslash at P->i, both
 * consumed; -1 (and bad) at the pattern's end. */
static long escape_letter(parser *P) {
    if (P->i + 1 >= P->n) {
        P->bad = 1;
        return -1;
    }
    P->i++;
    return (long)next_cp(P);
}

/* 1 when e escapes a class not spelled out here (\p{..}, \h, \v, \N, \R, \X): its
 * argument is consumed and it stands for any character. */
static int wide_escape(parser *P, long e) {
    if (e <= 0 || e >= 0x80 || !strchr("pPhHvVNRX", (int)e)) return 0;
    if ((e == 'p' || e == 'P') && P->i < P->n && P->s[P->i] == '{') {
        while (P->i < P->n && P->s[P->i] != '}') P->i++;
        P->i++;
    } else if (e == 'p' || e == 'P') {
        P->i++;
    }
    return 1;
}

/* [...] after the '['. */
static void parse_class(parser *P, sset *out) {
    uint8_t raw[16] = {0};
    int negate = 0, nonascii = 0, first = 1;
    uint32_t members[16];
    int nm = 0;
    if (P->i < P->n && P->s[P->i] == '^') {
        negate = 1;
        P->i++;
    }
    for (;;) {
        if (P->i >= P->n) {
            P->bad = 1;
            return;
        }
        unsigned char c = P->s[P->i];
        if (c == ']' && !first) {
            P->i++;
            break;
        }
        first = 0;
        long lo;
        if (c == '[' && P->i + 1 < P->n && P->s[P->i + 1] == ':') {
            P->bad = 1; /* POSIX classes: not needed by the pack */
            return;
        }
        if (c == '\\') {
            long e = escape_letter(P);
            if (e < 0) return;
            uint8_t set[16];
            if (escape_set(e, set)) {
                if (e >= 'A' && e <= 'Z') { /* \D \W \S: every other ASCII, and beyond */
                    for (int b = 0; b < 16; b++) raw[b] |= (uint8_t)~set[b];
                    nonascii = 1;
                } else {
                    for (int b = 0; b < 16; b++) raw[b] |= set[b];
                }
                continue;
            }
            if (wide_escape(P, e)) {
                memset(raw, 0xFF, 16); /* a property or space class: any character */
                nonascii = 1;
                continue;
            }
            if (e == 'b') {
                lo = 8; /* \b in a class is backspace */
            } else {
                lo = escape_cp(P, e);
                if (lo < 0) {
                    P->bad = 1;
                    return;
                }
            }
        } else {
            lo = (long)next_cp(P);
        }
        long hi = lo;
        if (P->i + 1 < P->n && P->s[P->i] == '-' && P->s[P->i + 1] != ']') {
            P->i++;
            unsigned char d = P->s[P->i];
            if (d == '\\') {
                long e = escape_letter(P);
                if (e < 0) return;
                hi = escape_cp(P, e);
            } else if (d == '[') {
                P->bad = 1;
                return;
            } else {
                hi = (long)next_cp(P);
            }
            if (hi < lo) {
                P->bad = 1;
                return;
            }
        }
        for (long cp = lo; cp <= hi && cp < 0x80; cp++) bit_set(raw, (unsigned)cp);
        if (hi >= 0x80) {
            if (lo == hi && nm < 16) members[nm++] = (uint32_t)lo;
            else nonascii = 1;
        }
    }
    uint8_t c[32];
    ascii_class(raw, negate, P->caseless, c);
    int anyascii = 0;
    for (int b = 0; b < 32; b++) anyascii |= c[b] != 0;
    if (anyascii) one(P, out, c, 1);
    if (negate || nonascii) {
        lead_bytes(c);
        one(P, out, c, 0);
    } else {
        for (int k = 0; k < nm; k++) literal(P, members[k], out);
    }
}

static void parse_alt(parser *P, int need, sset *out);

enum { PG_PREV_ANY = 0, PG_PREV_LETTER = 1, PG_PREV_WORD = 2 };

/* What a negative lookbehind of single characters, such as (?<![a-z]) or (?<![\w@.]), rules
 * out before the match: every word character, every letter, or nothing we use. */
static int ruled_out_before(const sset *in) {
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

/* A group after its '('; lookarounds read as empty (they consume nothing). */
static void parse_group(parser *P, int need, sset *out) {
    int look = 0;
    if (P->i < P->n && P->s[P->i] == '*') {
        P->bad = 1; /* (*VERB) and (*pla:...) */
        return;
    }
    if (P->i < P->n && P->s[P->i] == '?') {
        P->i++;
        unsigned char c = P->i < P->n ? P->s[P->i] : 0;
        unsigned char d = P->i + 1 < P->n ? P->s[P->i + 1] : 0;
        if (c == ':' || c == '>' || c == '|') {
            P->i++;
        } else if (c == '=' || c == '!') {
            P->i++;
            look = 1;
        } else if (c == '<' && (d == '=' || d == '!')) {
            P->i += 2;
            look = d == '!' ? 2 : 1;
        } else if (c == '#') {
            while (P->i < P->n && P->s[P->i] != ')') P->i++;
            if (P->i >= P->n) {
                P->bad = 1;
                return;
            }
            P->i++;
            if (need) empty(P, out, 0, 0, 0);
            return;
        } else if (c == '<' || c == '\'' || (c == 'P' && d == '<')) {
            unsigned char close = c == '\'' ? '\'' : '>';
            while (P->i < P->n && P->s[P->i] != close) P->i++;
            if (P->i >= P->n) {
                P->bad = 1;
                return;
            }
            P->i++;
        } else {
            P->bad = 1; /* inline options, conditions, recursion, callouts */
            return;
        }
    }
    sset inner = {0};
    parse_alt(P, need && look != 1, &inner);
    if (P->i >= P->n || P->s[P->i] != ')') P->bad = 1;
    else P->i++;
    if (need) {
        if (look) empty(P, out, 0, look == 2 ? ruled_out_before(&inner) : 0, 0);
        else unite(P, out, &inner);
    }
    sset_free(&inner);
}

/* One item (character, class, escape, group) without its quantifier. */
static void parse_atom(parser *P, int need, sset *out) {
    unsigned char c = P->s[P->i];
    uint8_t cls[32];
    if (c == '(') {
        P->i++;
        parse_group(P, need, out);
        return;
    }
    if (c == '[') {
        P->i++;
        sset tmp = {0};
        parse_class(P, need ? out : &tmp);
        sset_free(&tmp);
        return;
    }
    if (c == '.') {
        P->i++;
        uint8_t raw[16] = {0};
        bit_set(raw, '\n');
        ascii_class(raw, 1, 0, cls);
        if (need) {
            one(P, out, cls, 1);
            lead_bytes(cls);
            one(P, out, cls, 0);
        }
        return;
    }
    if (c == '^' || c == '$') {
        P->i++;
        if (need) empty(P, out, 0, 0, c == '^');
        return;
    }
    if (c == '*' || c == '+' || c == '?' || c == ')' || c == '|') {
        P->bad = 1;
        return;
    }
    if (c == '\\') {
        long e = escape_letter(P);
        if (e < 0) return;
        uint8_t raw[16];
        if (e == 'b' || e == 'B' || e == 'A' || e == 'Z' || e == 'z') {
            if (need) empty(P, out, e == 'b', 0, e == 'A');
            return;
        }
        if (escape_set(e, raw)) {
            int neg = e >= 'A' && e <= 'Z';
            ascii_class(raw, neg, 0, cls);
            if (need) {
                one(P, out, cls, 1);
                if (neg) {
                    lead_bytes(cls);
                    one(P, out, cls, 0);
                }
            }
            return;
        }
        if (wide_escape(P, e)) {
            any_start(cls);
            if (need) one(P, out, cls, 0);
            return;
        }
        long cp = escape_cp(P, e);
        if (cp < 0) {
            P->bad = 1; /* \G \K \Q backreferences \g \k \c octal... */
            return;
        }
        if (need) literal(P, (uint32_t)cp, out);
        return;
    }
    uint32_t cp = next_cp(P);
    if (need) literal(P, cp, out);
}

/* A quantifier at P->i: sets *min, *max (-1: unbounded); 0 when there is none. */
static int parse_quant(parser *P, long *min, long *max) {
    if (P->i >= P->n) return 0;
    unsigned char c = P->s[P->i];
    if (c == '?' || c == '*' || c == '+') {
        P->i++;
        *min = c == '+';
        *max = c == '?' ? 1 : -1;
    } else if (c == '{') {
        size_t j = P->i + 1;
        long a = 0, b;
        int da = 0, db = 0;
        while (j < P->n && P->s[j] >= '0' && P->s[j] <= '9' && da < 6) a = a * 10 + (P->s[j++] - '0'), da++;
        if (!da) return 0; /* "{" that is not a quantifier is a literal */
        b = a;
        if (j < P->n && P->s[j] == ',') {
            j++;
            b = -1;
            long v = 0;
            while (j < P->n && P->s[j] >= '0' && P->s[j] <= '9' && db < 6) v = v * 10 + (P->s[j++] - '0'), db++;
            if (db) b = v;
        }
        if (j >= P->n || P->s[j] != '}') return 0;
        P->i = j + 1;
        *min = a;
        *max = b;
    } else {
        return 0;
    }
    if (P->i < P->n && (P->s[P->i] == '?' || P->s[P->i] == '+')) P->i++;
    return 1;
}

/* x repeated min..max times (max -1: unbounded). */
static void repeat(parser *P, const sset *x, long min, long max, sset *out) {
    if (min == 0) empty(P, out, 0, 0, 0);
    sset r = {0};
    unite(P, &r, x); /* r: exactly k copies */
    long top = max < 0 || max > min + PK ? min + PK : max;
    long k = 1;
    for (;;) {
        if (k >= min) unite(P, out, &r);
        if (k >= top || P->bad) break;
        if (k >= MAXREP) { /* so many copies: keep what is known and stop being exact */
            unite(P, out, &r);
            for (int i = 0; i < out->n; i++) out->v[i].exact = 0;
            break;
        }
        if (k >= min && closed(&r)) break; /* more copies change nothing */
        sset next = {0};
        concat(P, &r, x, &next);
        sset_free(&r);
        r = next;
        k++;
    }
    sset_free(&r);
}

/* A sequence of items up to '|' or ')'. */
static void parse_seq(parser *P, int need, sset *out) {
    sset cur = {0};
    if (need) empty(P, &cur, 0, 0, 0);
    while (!P->bad && P->i < P->n && P->s[P->i] != '|' && P->s[P->i] != ')') {
        int want = need && !closed(&cur);
        sset atom = {0};
        parse_atom(P, want, &atom);
        long min, max;
        if (!P->bad && parse_quant(P, &min, &max) && want) {
            sset rep = {0};
            repeat(P, &atom, min, max, &rep);
            sset_free(&atom);
            atom = rep;
        }
        if (want && !P->bad) {
            sset next = {0};
            concat(P, &cur, &atom, &next);
            sset_free(&cur);
            cur = next;
        }
        sset_free(&atom);
    }
    if (need) unite(P, out, &cur);
    sset_free(&cur);
}

static void parse_alt(parser *P, int need, sset *out) {
    parse_seq(P, need, out);
    while (!P->bad && P->i < P->n && P->s[P->i] == '|') {
        P->i++;
        parse_seq(P, need, out);
    }
}

/* ---- a pattern's keys ---- */

int pg_start_keys(const char *src, int caseless, pg_startkey **keys, int *nkeys) {
    parser P = {(const unsigned char *)src, 0, strlen(src), caseless, 0};
    sset s = {0};
    *keys = NULL;
    *nkeys = 0;
    parse_alt(&P, 1, &s);
    if (P.i != P.n) P.bad = 1; /* an unbalanced ')' */
    int ok = !P.bad && s.n > 0;
    for (int i = 0; ok && i < s.n; i++)
        if (s.v[i].len == 0) ok = 0; /* may match empty, or begin with anything */
    if (ok) compact(&s);
    pg_startkey *k = ok ? calloc((size_t)s.n, sizeof *k) : NULL;
    if (ok && !k) ok = -1;
    for (int i = 0; ok > 0 && i < s.n; i++) {
        const seq *q = &s.v[i];
        memcpy(k[i].c0, q->c[0], 32);
        if (q->len > 1) memcpy(k[i].c1, q->c[1], 32);
        else memset(k[i].c1, 0xFF, 32); /* any next byte, or the end */
        /* \b before a word character: the byte before is not one */
        int word = q->wb;
        for (unsigned b = 0; b < 256 && word; b++)
            if (bit_has(q->c[0], b) && !is_wordbyte((unsigned char)b)) word = 0;
        k[i].prev = word ? PG_PREV_WORD : q->lb;
        k[i].bol = q->bol;
    }
    int n = s.n;
    sset_free(&s);
    if (ok <= 0) {
        free(k);
        return ok < 0 ? -1 : 0;
    }
    *keys = k;
    *nkeys = n;
    return 1;
}

/* ---- the pack's start tables: first byte -> row, second byte -> a set of patterns ---- */

/* What the byte before a position is: the three cases the keys' `prev` tells apart. */
enum { CTX_LETTER = 0, CTX_DIGIT = 1, CTX_OTHER = 2 }; /* DIGIT: also '_'; OTHER: or none */

struct pg_starttab {
    uint16_t first[3][256]; /* by the byte before and the first byte: 1 + a row; 0: none */
    uint8_t ctxof[256];     /* the CTX_ kind of every byte, so the scan does not branch on it */
    uint16_t *cells;        /* nrows * 256 set ids, by the second byte (0: the empty set) */
    size_t nrows;
    uint32_t *setoff;       /* nsets + 1 offsets into pool */
    uint16_t *pool;         /* pattern indexes */
    size_t nsets;
    uint16_t *at0;       /* patterns that may match only at the start of the text (a ^) */
    size_t nat0;
};

#define PG_START_INDEX 0xFFFEu

void pg_starttab_free(pg_starttab *t) {
    if (!t) return;
    free(t->cells);
    free(t->setoff);
    free(t->pool);
    free(t->at0);
    free(t);
}

static uint64_t hash_words(const uint64_t *w, size_t n) {
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++) h = (h ^ w[i]) * 1099511628211u;
    return h ^ (h >> 29);
}

/* The distinct sets of patterns while a table is built: set id -> bits, found by hash. */
typedef struct setdict {
    uint64_t *bits; /* nsets * W words; set 0 is the empty set */
    size_t nsets, cap, W;
    uint32_t *slot; /* 1 + a set id, open addressing */
    size_t hcap;
} setdict;

/* The id of set w, added if new; 0 for the empty set, -1 on ENOMEM. */
static long setdict_id(setdict *d, const uint64_t *w) {
    int nonempty = 0;
    for (size_t i = 0; i < d->W; i++) nonempty |= w[i] != 0;
    if (!nonempty) return 0;
    if ((d->nsets + 1) * 2 > d->hcap) {
        size_t hcap = d->hcap ? d->hcap * 2 : 1024;
        uint32_t *slot = calloc(hcap, sizeof *slot);
        if (!slot) return -1;
        for (size_t id = 1; id < d->nsets; id++) {
            size_t h = (size_t)hash_words(d->bits + id * d->W, d->W) & (hcap - 1);
            while (slot[h]) h = (h + 1) & (hcap - 1);
            slot[h] = (uint32_t)id + 1;
        }
        free(d->slot);
        d->slot = slot;
        d->hcap = hcap;
    }
    size_t h = (size_t)hash_words(w, d->W) & (d->hcap - 1);
    for (; d->slot[h]; h = (h + 1) & (d->hcap - 1))
        if (memcmp(d->bits + (size_t)(d->slot[h] - 1) * d->W, w, d->W * 8) == 0)
            return (long)d->slot[h] - 1;
    if (d->nsets >= 65535) return -2;
    if (d->nsets == d->cap) {
        size_t cap = d->cap * 2;
        uint64_t *nb = realloc(d->bits, cap * d->W * sizeof *nb);
        if (!nb) return -1;
        d->bits = nb;
        d->cap = cap;
    }
    memcpy(d->bits + d->nsets * d->W, w, d->W * 8);
    d->slot[h] = (uint32_t)d->nsets + 1;
    return (long)d->nsets++;
}

static pg_status starttab_build(pg_pattern *const *pat, int npat, pg_starttab **out, pg_error *err) {
    *out = NULL;
    if (npat <= 0) return PG_OK;
    if (npat > (int)PG_START_INDEX)
        return pg_fail(err, PG_ERULE, NULL, NULL, NULL, -1, "more than %u patterns", PG_START_INDEX);
    size_t W = ((size_t)npat + 63) / 64;
    setdict d = {calloc(64 * W, sizeof(uint64_t)), 1, 64, W, NULL, 0};
    uint64_t *row = calloc(256 * W, sizeof *row); /* one row's cells while it is built */
    pg_starttab *t = calloc(1, sizeof *t);
    if (!d.bits || !row || !t || !(t->at0 = calloc((size_t)npat, sizeof *t->at0))) goto nomem;
    for (unsigned b = 0; b < 256; b++)
        t->ctxof[b] = ((b | 32) >= 'a' && (b | 32) <= 'z')       ? CTX_LETTER
                      : ((b >= '0' && b <= '9') || b == '_') ? CTX_DIGIT
                                                             : CTX_OTHER;
    /* a key with prev = PG_PREV_LETTER does not apply after a letter, PG_PREV_WORD only
     * after a byte that is no word character */
    for (int j = 0; j < npat; j++)
        for (int k = 0; k < pat[j]->nkeys; k++) {
            const pg_startkey *key = &pat[j]->keys[k];
            if (key->bol) { /* only at the start of the text */
                if (!t->nat0 || t->at0[t->nat0 - 1] != j) t->at0[t->nat0++] = (uint16_t)j;
                continue;
            }
            for (int ctx = key->prev; ctx < 3; ctx++)
                for (unsigned b = 0; b < 256; b++)
                    if (bit_has(key->c0, b) && !t->first[ctx][b])
                        t->first[ctx][b] = (uint16_t)++t->nrows;
        }
    if (!(t->cells = calloc(t->nrows ? t->nrows * 256 : 1, sizeof *t->cells))) goto nomem;
    /* row by row: OR in every key that starts there, then name each cell's set */
    for (int ctx = 0; ctx < 3; ctx++)
        for (unsigned b0 = 0; b0 < 256; b0++) {
            uint16_t r = t->first[ctx][b0];
            if (!r) continue;
            memset(row, 0, 256 * W * sizeof *row);
            for (int j = 0; j < npat; j++)
                for (int k = 0; k < pat[j]->nkeys; k++) {
                    const pg_startkey *key = &pat[j]->keys[k];
                    if (key->bol || key->prev > ctx || !bit_has(key->c0, b0)) continue;
                    for (unsigned b1 = 0; b1 < 256; b1++)
                        if (bit_has(key->c1, b1)) row[b1 * W + (size_t)j / 64] |= 1ull << (j % 64);
                }
            for (unsigned b1 = 0; b1 < 256; b1++) {
                long id = setdict_id(&d, row + b1 * W);
                if (id == -1) goto nomem;
                if (id < 0) {
                    free(d.bits), free(d.slot), free(row);
                    pg_starttab_free(t);
                    return pg_fail(err, PG_ERULE, NULL, NULL, NULL, -1, "too many pattern start sets");
                }
                t->cells[(size_t)(r - 1) * 256 + b1] = (uint16_t)id;
            }
        }
    /* the sets as lists of pattern indexes */
    t->nsets = d.nsets;
    size_t pooln = 0;
    for (size_t id = 1; id < d.nsets; id++)
        for (int j = 0; j < npat; j++) pooln += (d.bits[id * W + (size_t)j / 64] >> (j % 64)) & 1;
    t->setoff = calloc(d.nsets + 1, sizeof *t->setoff);
    t->pool = malloc((pooln ? pooln : 1) * sizeof *t->pool);
    if (!t->setoff || !t->pool) goto nomem;
    pooln = 0;
    for (size_t id = 1; id < d.nsets; id++) {
        t->setoff[id] = (uint32_t)pooln;
        for (int j = 0; j < npat; j++)
            if ((d.bits[id * W + (size_t)j / 64] >> (j % 64)) & 1) t->pool[pooln++] = (uint16_t)j;
    }
    t->setoff[d.nsets] = (uint32_t)pooln;
    free(d.bits), free(d.slot), free(row);
    *out = t;
    return PG_OK;
nomem:
    free(d.bits), free(d.slot), free(row);
    pg_starttab_free(t);
    return pg_fail(err, PG_ENOMEM, NULL, NULL, NULL, -1, "out of memory");
}

/* Characters that PCRE2's caseless matching equates with an ASCII letter although their bytes
 * differ: the Kelvin sign (k) and the long s (s). A text holding one is scanned everywhere. */
static int has_odd_case(const char *s, size_t len) {
    for (const char *p = memchr(s, 0xE2, len); p; p = memchr(p + 1, 0xE2, len - (size_t)(p + 1 - s)))
        if ((size_t)(p - s) + 2 < len && (unsigned char)p[1] == 0x84 && (unsigned char)p[2] == 0xAA)
            return 1;
    for (const char *p = memchr(s, 0xC5, len); p; p = memchr(p + 1, 0xC5, len - (size_t)(p + 1 - s)))
        if ((size_t)(p - s) + 1 < len && (unsigned char)p[1] == 0xBF) return 1;
    return 0;
}

static int push_u32(pg_u32vec *v, uint32_t x) {
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 64;
        uint32_t *nv = realloc(v->v, cap * sizeof *nv);
        if (!nv) return -1;
        v->v = nv;
        v->cap = cap;
    }
    v->v[v->n++] = x;
    return 0;
}

static int starttab_scan(const pg_starttab *t, const char *text, size_t len, pg_u32vec *cand,
                         int npat, int *everywhere) {
    const unsigned char *s = (const unsigned char *)text;
    for (int j = 0; j < npat; j++) cand[j].n = 0;
    *everywhere = has_odd_case(text, len);
    if (*everywhere || !t) return 0;
    if (len)
        for (size_t k = 0; k < t->nat0; k++)
            if (push_u32(&cand[t->at0[k]], 0)) return -1;
    int ctx = CTX_OTHER;
    for (size_t i = 0; i < len; i++) {
        unsigned char b0 = s[i];
        uint16_t r = t->first[ctx][b0];
        ctx = t->ctxof[b0];
        if (!r) continue;
        unsigned char b1 = i + 1 < len ? s[i + 1] : 0;
        uint16_t set = t->cells[(size_t)(r - 1) * 256 + b1];
        if (!set) continue;
        for (uint32_t k = t->setoff[set]; k < t->setoff[set + 1]; k++) {
            pg_u32vec *v = &cand[t->pool[k]];
            if (v->n && v->v[v->n - 1] == i) continue; /* 0, already there */
            if (v->n < v->cap) v->v[v->n++] = (uint32_t)i;
            else if (push_u32(v, (uint32_t)i)) return -1;
        }
    }
    return 0;
}

pg_status pg_start_build(pg_pack *p, pg_error *err) {
    pg_pattern **pat = malloc((p->nmatchers ? p->nmatchers : 1) * sizeof *pat);
    if (!pat) return pg_fail(err, PG_ENOMEM, NULL, NULL, NULL, -1, "out of memory");
    for (int raw = 0; raw < 2; raw++) {
        int n = 0;
        for (size_t i = 0; i < p->nmatchers; i++) {
            pg_pattern *q = &p->matchers[i]->pat;
            if (q->code && q->owned && q->anchored && q->raw == raw) {
                q->fidx = n;
                pat[n++] = q;
            }
        }
        pg_status st = starttab_build(pat, n, &p->start[raw], err);
        if (st != PG_OK) {
            free(pat);
            return st;
        }
        p->nstart[raw] = n;
    }
    free(pat);
    /* copies of a shared pattern take its owner's index: the owner sits in the copy's slot */
    for (size_t i = 0; i < p->nmatchers; i++) {
        pg_pattern *q = &p->matchers[i]->pat;
        if (q->code && !q->owned) q->fidx = p->matchers[q->slot]->pat.fidx;
    }
    for (size_t i = 0; i < p->nmatchers; i++) {
        pg_pattern *q = &p->matchers[i]->pat;
        if (q->owned) free(q->keys);
        q->keys = NULL;
    }
    return PG_OK;
}

int pg_start_positions(pg_scratch *sc, const pg_pattern *p, const pg_u32vec **out) {
    int raw = p->raw != 0;
    *out = NULL;
    if (p->fidx < 0 || p->fidx >= sc->ncand[raw]) return 0;
    if (!sc->candstate[raw]) {
        int everywhere = 0;
        const char *text = raw ? sc->raw : sc->fold.text;
        size_t len = raw ? sc->srclen : sc->fold.len;
        if (starttab_scan(sc->pack->start[raw], text, len, sc->cand[raw], sc->ncand[raw],
                          &everywhere))
            return -1;
        sc->candstate[raw] = everywhere ? 2 : 1;
    }
    if (sc->candstate[raw] == 1) *out = &sc->cand[raw][p->fidx];
    return 0;
}
