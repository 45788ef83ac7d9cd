/* normalise.c - undoing the ways posts disguise words, after folding and before the rules read
 * the text; every byte still maps back to the original, so underlines stay exact.
 *
 * Folding (fold.c) makes characters plain: case, accents, quotes, fullwidth and styled
 * letters. Some disguises span characters, and are undone here on the folded text:
 *
 *  - separator symbols: the same emoji or symbol between words three times or more
 *    ("my 👏 patient 👏 in 👏 bed 4", "p•a•t•i•e•n•t") reads as a space;
 *  - leetspeak: a word with two or more digits or marks inside its letters ("p4t13nt",
 *    "h0sp1tal") is read with letters; one alone ("hba1c", "h1n1") is left as written;
 *  - hashtags: "#BedFour", "#ICUNurse" read as "#bed four", "#icu nurse" (the case of the
 *    original tells where the words meet; "#72F" and "#bed4" stay whole, as rules read them);
 *  - spaced letters: four or more single letters apart ("p a t i e n t", "p.a.t.i.e.n.t",
 *    "p  a  t  i  e  n  t") read as one word; a wider gap between them reads as a word break.
 *
 * A post that uses none of these passes through untouched (each pass first looks for its
 * trigger), so the rules read exactly what they read before normalisation existed. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The output being written: text and map (folded byte -> original byte). */
typedef struct out {
    char *t;
    uint32_t *m;
    size_t n;
} out;

static void put(out *o, char c, uint32_t map) {
    o->t[o->n] = c;
    o->m[o->n++] = map;
}

static int is_alnum(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int is_wordish(unsigned char c) {
    return is_alnum(c) || c >= 0x80;
}

static int is_leet(unsigned char c) {
    return pg_leet((char)c) != (char)c;
}

/* Make room for the passes' output: at most twice the folded text (hashtag splits). */
static int reserve(pg_fold *f, size_t need) {
    if (need > f->tmpcap) {
        size_t c = f->tmpcap ? f->tmpcap : 256;
        while (c < need) c *= 2;
        char *t = realloc(f->tmp, c);
        if (!t) return -1;
        f->tmp = t;
        uint32_t *m = realloc(f->tmpmap, c * sizeof *m);
        if (!m) return -1;
        f->tmpmap = m;
        f->tmpcap = c;
    }
    if (need > f->cap) {
        char *t = realloc(f->text, need);
        if (!t) return -1;
        f->text = t;
        f->cap = need;
    }
    if (need > f->mapcap) {
        uint32_t *m = realloc(f->map, need * sizeof *m);
        if (!m) return -1;
        f->map = m;
        f->mapcap = need;
    }
    return 0;
}

/* The pass wrote o (in f->tmp): make it the folded text. */
static void adopt(pg_fold *f, out *o, size_t srclen) {
    if (o->n > f->tmpused) f->tmpused = o->n; /* what the check must wipe afterwards */
    memcpy(f->text, o->t, o->n);
    memcpy(f->map, o->m, o->n * sizeof *o->m);
    f->len = o->n;
    f->map[f->len] = (uint32_t)srclen;
}

/* ---- separator symbols ---- */

/* The code point at t[i] (folded text: valid UTF-8) and its length. */
static int cp_at(const char *t, size_t len, size_t i, uint32_t *cp) {
    return pg_utf8_decode((const unsigned char *)t + i, len - i, cp);
}

/* A symbol that may stand between words: not a letter, digit or ASCII. */
static int is_symbol(uint32_t cp) {
    if (cp < 0x80) return 0;
    if (cp == 0xB7 || cp == 0x2022 || cp == 0x2219 || cp == 0x22C5) return 1; /* dots, bullets */
    if (cp >= 0x2100 && cp < 0x3000) return 1; /* arrows, dingbats, misc symbols, stars */
    return cp >= 0x1F000 && cp < 0x1FB00;      /* emoji */
}

/* Is the character ending just before a (starting at b) a letter or digit, not a symbol? */
static int word_cp_before(const char *t, size_t a) {
    size_t s = a - 1;
    while (s > 0 && ((unsigned char)t[s] & 0xC0) == 0x80) s--;
    uint32_t cp;
    cp_at(t, a, s, &cp);
    return cp < 0x80 ? is_alnum((unsigned char)cp) : !is_symbol(cp) && cp >= 0xC0;
}

static int word_cp_at(const char *t, size_t len, size_t b) {
    uint32_t cp;
    cp_at(t, len, b, &cp);
    return cp < 0x80 ? is_alnum((unsigned char)cp) : !is_symbol(cp) && cp >= 0xC0;
}

/* Is there a word character just before i (over at most two spaces) and just after j? */
static int between_words(const char *t, size_t len, size_t i, size_t j) {
    size_t a = i, sp = 0;
    while (a > 0 && t[a - 1] == ' ' && sp < 2) a--, sp++;
    if (a == 0 || !word_cp_before(t, a)) return 0;
    size_t b = j;
    sp = 0;
    while (b < len && t[b] == ' ' && sp < 2) b++, sp++;
    return b < len && word_cp_at(t, len, b);
}

#define MAX_SEPS 16

static int separators(pg_fold *f, size_t srclen) {
    const char *t = f->text;
    size_t len = f->len;
    uint32_t cps[MAX_SEPS];
    int counts[MAX_SEPS], ncps = 0, any = 0;
    for (size_t i = 0; i < len;) {
        if ((unsigned char)t[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        int n = cp_at(t, len, i, &cp);
        if (is_symbol(cp) && between_words(t, len, i, i + (size_t)n)) {
            int k = 0;
            while (k < ncps && cps[k] != cp) k++;
            if (k == ncps && ncps < MAX_SEPS) cps[ncps] = cp, counts[ncps++] = 0;
            if (k < ncps && ++counts[k] >= 3) any = 1;
        }
        i += (size_t)n;
    }
    if (!any) return 0;
    if (reserve(f, len + 17)) return -1;
    t = f->text;
    out o = {f->tmp, f->tmpmap, 0};
    for (size_t i = 0; i < len;) {
        uint32_t cp = (unsigned char)t[i];
        int n = 1;
        if (cp >= 0x80) n = cp_at(t, len, i, &cp);
        int k = 0;
        while (k < ncps && (cps[k] != cp || counts[k] < 3)) k++;
        if (k < ncps && between_words(t, len, i, i + (size_t)n)) {
            /* the symbol and the spaces around it become one space */
            uint32_t at = f->map[i]; /* the space stands where the first of the gap's spaces did */
            while (o.n > 0 && o.t[o.n - 1] == ' ') at = o.m[--o.n];
            put(&o, ' ', at);
            i += (size_t)n;
            while (i < len && t[i] == ' ') i++;
            continue;
        }
        for (int q = 0; q < n; q++) put(&o, t[i + (size_t)q], f->map[i + (size_t)q]);
        i += (size_t)n;
    }
    adopt(f, &o, srclen);
    return 1;
}

/* ---- leetspeak and hashtags ---- */

/* The words of ASCII letters, digits and marks: how many leet characters sit inside letters. */
static int inner_leets(const char *t, size_t s, size_t e) {
    size_t first = e, last = s;
    for (size_t k = s; k < e; k++)
        if (t[k] >= 'a' && t[k] <= 'z') {
            if (first == e) first = k;
            last = k;
        }
    if (first == e) return 0;
    int n = 0;
    for (size_t k = first + 1; k < last; k++) n += is_leet((unsigned char)t[k]);
    return n;
}

static int is_upper(unsigned char c) {
    return c >= 'A' && c <= 'Z';
}

static int is_lower(unsigned char c) {
    return c >= 'a' && c <= 'z';
}

/* Inside a hashtag, does a new word start at folded byte k (k > start of the tag's word)? */
static int tag_break(const pg_fold *f, const char *src, size_t k, size_t e) {
    unsigned char oa = (unsigned char)src[f->map[k - 1]], ob = (unsigned char)src[f->map[k]];
    if (!is_upper(ob)) return 0;
    if (is_lower(oa)) return 1; /* bedFour */
    /* ICUNurse: the last capital of a run starts the next word when a small letter follows */
    return is_upper(oa) && k + 1 < e && is_lower((unsigned char)src[f->map[k + 1]]);
}

static int words_and_tags(pg_fold *f, const char *src, size_t srclen) {
    const char *t = f->text;
    size_t len = f->len;
    int any = 0;
    for (size_t i = 0; i < len && !any;) {
        if (!is_alnum((unsigned char)t[i]) && t[i] != '@' && t[i] != '$') {
            i++;
            continue;
        }
        size_t e = i;
        while (e < len && (is_alnum((unsigned char)t[e]) || t[e] == '@' || t[e] == '$')) e++;
        if (inner_leets(t, i, e) >= 2) any = 1;
        if (i > 0 && t[i - 1] == '#')
            for (size_t k = i + 1; k < e && !any; k++) any = tag_break(f, src, k, e);
        i = e;
    }
    if (!any) return 0;
    if (reserve(f, 2 * len + 17)) return -1;
    t = f->text;
    out o = {f->tmp, f->tmpmap, 0};
    for (size_t i = 0; i < len;) {
        if (!is_alnum((unsigned char)t[i]) && t[i] != '@' && t[i] != '$') {
            put(&o, t[i], f->map[i]);
            i++;
            continue;
        }
        size_t e = i;
        while (e < len && (is_alnum((unsigned char)t[e]) || t[e] == '@' || t[e] == '$')) e++;
        int leet = inner_leets(t, i, e) >= 2;
        int tag = i > 0 && t[i - 1] == '#';
        size_t first = e, last = i;
        for (size_t k = i; k < e; k++)
            if (t[k] >= 'a' && t[k] <= 'z') {
                if (first == e) first = k;
                last = k;
            }
        for (size_t k = i; k < e; k++) {
            char c = t[k];
            if (leet && k > first && k < last) c = pg_leet(c);
            else if (tag && k > i && (!leet || k <= first || k >= last) && tag_break(f, src, k, e))
                put(&o, ' ', f->map[k]);
            put(&o, c, f->map[k]);
        }
        i = e;
    }
    adopt(f, &o, srclen);
    return 1;
}

/* ---- spaced letters ---- */

static int is_gap(char c) {
    return c == ' ' || c == '.' || c == '-' || c == '_' || c == '*' || c == '/' || c == '|' || c == '+';
}

/* A single-character token at i: a letter or digit with no word character on either side. */
static int single_at(const char *t, size_t len, size_t i) {
    return i < len && is_alnum((unsigned char)t[i]) && (i == 0 || !is_wordish((unsigned char)t[i - 1])) &&
           (i + 1 == len || !is_wordish((unsigned char)t[i + 1]));
}

/* From single token at i, the run of single tokens with gaps of 1 to 3 between: returns the
 * number of tokens; *end is one past the last token; *letters counts the letters. */
static int run_of(const char *t, size_t len, size_t i, size_t *end, int *letters) {
    int n = 1;
    *letters = t[i] >= 'a' && t[i] <= 'z';
    size_t k = i + 1;
    *end = k;
    char gap = t[k < len ? k : i]; /* one kind of gap throughout: "a 9 y/o" is not a word */
    for (;;) {
        size_t g = k;
        while (g < len && g - k < 3 && is_gap(t[g]) && t[g] == gap) g++;
        if (g == k || !single_at(t, len, g)) break;
        n++;
        *letters += t[g] >= 'a' && t[g] <= 'z';
        k = g + 1;
        *end = k;
    }
    return n;
}

static int spaced_letters(pg_fold *f, size_t srclen) {
    const char *t = f->text;
    size_t len = f->len;
    int any = 0;
    for (size_t i = 0; i < len && !any; i++) {
        if (!single_at(t, len, i)) continue;
        size_t end;
        int letters, n = run_of(t, len, i, &end, &letters);
        if (n >= 4 && letters >= 4) any = 1;
        i = end - 1;
    }
    if (!any) return 0;
    if (reserve(f, len + 17)) return -1;
    t = f->text;
    out o = {f->tmp, f->tmpmap, 0};
    for (size_t i = 0; i < len;) {
        size_t end;
        int letters, n = single_at(t, len, i) ? run_of(t, len, i, &end, &letters) : 0;
        if (n < 4 || letters < 4) {
            put(&o, t[i], f->map[i]);
            i++;
            continue;
        }
        /* the narrowest gap joins letters; a wider one is a word break */
        size_t narrow = 4;
        for (size_t k = i + 1; k < end;) {
            size_t g = k;
            while (g < end && is_gap(t[g])) g++;
            if (g - k < narrow) narrow = g - k;
            k = g + 1;
        }
        for (size_t k = i; k < end;) {
            if (!is_gap(t[k])) {
                put(&o, t[k], f->map[k]);
                k++;
                continue;
            }
            size_t g = k;
            while (g < end && is_gap(t[g])) g++;
            if (g - k > narrow) put(&o, ' ', f->map[k]);
            k = g;
        }
        i = end;
    }
    adopt(f, &o, srclen);
    return 1;
}

/* ---- all of it ---- */

int pg_normalise(pg_fold *f, const char *src, size_t srclen) {
    int a = separators(f, srclen);
    int b = a < 0 ? -1 : words_and_tags(f, src, srclen);
    int c = b < 0 ? -1 : spaced_letters(f, srclen);
    if (a < 0 || b < 0 || c < 0) return -1;
    if (!(a || b || c)) return 0; /* untouched: fold.c's maps stand */
    /* original byte -> folded byte: the first folded byte at or after it, the same for every
     * byte of one character (raw patterns' hits start and end on characters) */
    size_t k = 0;
    for (size_t i = 0; i <= srclen; i++) {
        if (i > 0 && i < srclen && ((unsigned char)src[i] & 0xC0) == 0x80) {
            f->inv[i] = f->inv[i - 1];
            continue;
        }
        while (k < f->len && f->map[k] < i) k++;
        f->inv[i] = (uint32_t)k;
    }
    memset(f->text + f->len, 0, 16);
    return 0;
}
