/* pattern_start.c - the reader of pattern starts: a conservative walk over a PCRE2 pattern's
 * source that yields the pairs of bytes every match begins with (pg_start_keys, internal.h).
 *
 * The reading may only ever widen what a pattern can match: whatever it does not understand
 * (backreferences, verbs, inline options...) leaves the pattern unfiltered, run by PCRE2 over
 * the whole text as before. A caseless pattern's keys hold both cases of its letters, so one
 * table per text serves caseless and case-sensitive patterns alike. The sets of sequences it
 * builds with are start_seqs.c's. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "start_seqs.h"

/* \x{...}: six hex digits hold every code point (U+10FFFF); a longer one is not read. */
#define HEX_BRACED_MAX_DIGITS 6
#define HEX_SHORT_DIGITS 2 /* \xHH */
/* {n,m}: PCRE2 refuses counts over 65535, so no pattern that compiles has a longer one. */
#define QUANT_MAX_DIGITS 6
/* Non-ASCII characters a class lists one by one that are still read as themselves; a class
 * with more, or with a range of them, may begin with any UTF-8 lead byte. */
#define CLASS_MAX_MEMBERS 16

/* The ASCII bytes of \d, \w, \s (PCRE2 without UCP: ASCII only; \s includes VT). */
static int escape_set(int e, uint8_t raw[PG_ASCII_CLASS_BYTES]) {
    memset(raw, 0, PG_ASCII_CLASS_BYTES);
    switch (e) {
    case 'd': case 'D':
        for (unsigned b = '0'; b <= '9'; b++) bit_set(raw, b);
        return 1;
    case 'w': case 'W':
        for (unsigned b = 0; b < PG_ASCII_END; b++)
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
            if (h < 0 || ++digits > HEX_BRACED_MAX_DIGITS) return -1;
            v = v * 16 + h;
        }
        if (P->i >= P->n || !digits) return -1;
        P->i++;
        return v;
    }
    for (int k = 0; k < HEX_SHORT_DIGITS && P->i < P->n && hexval(P->s[P->i]) >= 0; k++)
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
    case 'e': return '\033'; /* ESC */
    case 'a': return '\a';
    case 'x': return hex_escape(P);
    default: break;
    }
    if (e >= (long)PG_ASCII_END ||
        !((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9')))
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
    if (e <= 0 || e >= (long)PG_ASCII_END || !strchr("pPhHvVNRX", (int)e)) return 0;
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
    uint8_t raw[PG_ASCII_CLASS_BYTES] = {0};
    int negate = 0, nonascii = 0, first = 1;
    uint32_t members[CLASS_MAX_MEMBERS];
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
            uint8_t set[PG_ASCII_CLASS_BYTES];
            if (escape_set(e, set)) {
                if (e >= 'A' && e <= 'Z') { /* \D \W \S: every other ASCII, and beyond */
                    for (int b = 0; b < PG_ASCII_CLASS_BYTES; b++) raw[b] |= (uint8_t)~set[b];
                    nonascii = 1;
                } else {
                    for (int b = 0; b < PG_ASCII_CLASS_BYTES; b++) raw[b] |= set[b];
                }
                continue;
            }
            if (wide_escape(P, e)) {
                /* a property or space class: any character */
                memset(raw, 0xFF, PG_ASCII_CLASS_BYTES);
                nonascii = 1;
                continue;
            }
            if (e == 'b') {
                lo = '\b'; /* \b in a class is backspace */
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
        for (long cp = lo; cp <= hi && cp < (long)PG_ASCII_END; cp++) bit_set(raw, (unsigned)cp);
        if (hi >= (long)PG_ASCII_END) {
            if (lo == hi && nm < CLASS_MAX_MEMBERS) members[nm++] = (uint32_t)lo;
            else nonascii = 1;
        }
    }
    uint8_t c[PG_CLASS_BYTES];
    pg_class_ascii(raw, negate, P->caseless, c);
    int anyascii = 0;
    for (int b = 0; b < PG_CLASS_BYTES; b++) anyascii |= c[b] != 0;
    if (anyascii) pg_sset_one(P, out, c, 1);
    if (negate || nonascii) {
        pg_class_lead_bytes(c);
        pg_sset_one(P, out, c, 0);
    } else {
        for (int k = 0; k < nm; k++) pg_sset_literal(P, members[k], out);
    }
}

static void parse_alt(parser *P, int need, sset *out);

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
            if (need) pg_sset_empty(P, out, 0, 0, 0);
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
        if (look) pg_sset_empty(P, out, 0, look == 2 ? pg_sset_ruled_out_before(&inner) : 0, 0);
        else pg_sset_unite(P, out, &inner);
    }
    pg_sset_free(&inner);
}

/* One item (character, class, escape, group) without its quantifier. */
static void parse_atom(parser *P, int need, sset *out) {
    unsigned char c = P->s[P->i];
    uint8_t cls[PG_CLASS_BYTES];
    if (c == '(') {
        P->i++;
        parse_group(P, need, out);
        return;
    }
    if (c == '[') {
        P->i++;
        sset tmp = {0};
        parse_class(P, need ? out : &tmp);
        pg_sset_free(&tmp);
        return;
    }
    if (c == '.') {
        P->i++;
        uint8_t raw[PG_ASCII_CLASS_BYTES] = {0};
        bit_set(raw, '\n');
        pg_class_ascii(raw, 1, 0, cls);
        if (need) {
            pg_sset_one(P, out, cls, 1);
            pg_class_lead_bytes(cls);
            pg_sset_one(P, out, cls, 0);
        }
        return;
    }
    if (c == '^' || c == '$') {
        P->i++;
        if (need) pg_sset_empty(P, out, 0, 0, c == '^');
        return;
    }
    if (c == '*' || c == '+' || c == '?' || c == ')' || c == '|') {
        P->bad = 1;
        return;
    }
    if (c == '\\') {
        long e = escape_letter(P);
        if (e < 0) return;
        uint8_t raw[PG_ASCII_CLASS_BYTES];
        if (e == 'b' || e == 'B' || e == 'A' || e == 'Z' || e == 'z') {
            if (need) pg_sset_empty(P, out, e == 'b', 0, e == 'A');
            return;
        }
        if (escape_set(e, raw)) {
            int neg = e >= 'A' && e <= 'Z';
            pg_class_ascii(raw, neg, 0, cls);
            if (need) {
                pg_sset_one(P, out, cls, 1);
                if (neg) {
                    pg_class_lead_bytes(cls);
                    pg_sset_one(P, out, cls, 0);
                }
            }
            return;
        }
        if (wide_escape(P, e)) {
            pg_class_any_start(cls);
            if (need) pg_sset_one(P, out, cls, 0);
            return;
        }
        long cp = escape_cp(P, e);
        if (cp < 0) {
            P->bad = 1; /* \G \K \Q backreferences \g \k \c octal... */
            return;
        }
        if (need) pg_sset_literal(P, (uint32_t)cp, out);
        return;
    }
    uint32_t cp = next_cp(P);
    if (need) pg_sset_literal(P, cp, out);
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
        while (j < P->n && P->s[j] >= '0' && P->s[j] <= '9' && da < QUANT_MAX_DIGITS)
            a = a * 10 + (P->s[j++] - '0'), da++;
        if (!da) return 0; /* "{" that is not a quantifier is a literal */
        b = a;
        if (j < P->n && P->s[j] == ',') {
            j++;
            b = -1;
            long v = 0;
            while (j < P->n && P->s[j] >= '0' && P->s[j] <= '9' && db < QUANT_MAX_DIGITS)
                v = v * 10 + (P->s[j++] - '0'), db++;
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

/* A sequence of items up to '|' or ')'. */
static void parse_seq(parser *P, int need, sset *out) {
    sset cur = {0};
    if (need) pg_sset_empty(P, &cur, 0, 0, 0);
    while (!P->bad && P->i < P->n && P->s[P->i] != '|' && P->s[P->i] != ')') {
        int want = need && !pg_sset_closed(&cur);
        sset atom = {0};
        parse_atom(P, want, &atom);
        long min, max;
        if (!P->bad && parse_quant(P, &min, &max) && want) {
            sset rep = {0};
            pg_sset_repeat(P, &atom, min, max, &rep);
            pg_sset_free(&atom);
            atom = rep;
        }
        if (want && !P->bad) {
            sset next = {0};
            pg_sset_concat(P, &cur, &atom, &next);
            pg_sset_free(&cur);
            cur = next;
        }
        pg_sset_free(&atom);
    }
    if (need) pg_sset_unite(P, out, &cur);
    pg_sset_free(&cur);
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
    if (ok) pg_sset_compact(&s);
    pg_startkey *k = ok ? calloc((size_t)s.n, sizeof *k) : NULL;
    if (ok && !k) ok = -1;
    for (int i = 0; ok > 0 && i < s.n; i++) {
        const seq *q = &s.v[i];
        memcpy(k[i].c0, q->c[0], PG_CLASS_BYTES);
        if (q->len > 1) memcpy(k[i].c1, q->c[1], PG_CLASS_BYTES);
        else memset(k[i].c1, 0xFF, PG_CLASS_BYTES); /* any next byte, or the end */
        /* \b before a word character: the byte before is not one */
        int word = q->wb;
        for (unsigned b = 0; b < PG_BYTE_VALUES && word; b++)
            if (bit_has(q->c[0], b) && !is_wordbyte((unsigned char)b)) word = 0;
        k[i].prev = word ? PG_PREV_WORD : q->lb;
        k[i].bol = q->bol;
    }
    int n = s.n;
    pg_sset_free(&s);
    if (ok <= 0) {
        free(k);
        return ok < 0 ? -1 : 0;
    }
    *keys = k;
    *nkeys = n;
    return 1;
}
