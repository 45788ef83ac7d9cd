/* fold.c - the folded text rules read, and its words.
 * Folding makes "Bérubé", "BERUBE" and "berube" one word, straightens curly quotes and drops
 * zero-width marks, while a map keeps every folded byte tied to the original text. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Base letters of U+00C0..U+017F (Latin-1 Supplement letters and Latin Extended-A), lower
 * case; '\0' where the character is not a plain letter (e.g. U+00D7 multiplication sign). */
static const char latin_base[] =
    /* C0 */ "aaaaaaaceeeeiiii" /* D0 */ "dnooooo\0ouuuuyts"
    /* E0 */ "aaaaaaaceeeeiiii" /* F0 */ "dnooooo\0ouuuuyty"
    /* 100 */ "aaaaaaccccccccdd" /* 110 */ "ddeeeeeeeeeegggg"
    /* 120 */ "gggghhhhiiiiiiii" /* 130 */ "iiiijjkkklllllll"
    /* 140 */ "lllnnnnnnnnnoooo" /* 150 */ "oooorrrrrrssssss"
    /* 160 */ "ssttttttuuuuuuuu" /* 170 */ "uuuuwwyyyzzzzzzs";

/* Letters styled by Unicode rather than by a font, which posts use to look bold or to get past
 * filters: mathematical alphanumerics (𝐩𝐚𝐭𝐢𝐞𝐧𝐭, 𝘱𝘢𝘵, 𝚙𝚊𝚝), circled and squared letters
 * (ⓟⓐⓣ, 🅿🅰🆃) and small capitals (ᴘᴀᴛɪᴇɴᴛ) fold to plain ones (NFKC does most of this). */
static int fold_styled(uint32_t cp, char *out) {
    if (cp >= 0x1D400 && cp <= 0x1D6A3) { /* 13 alphabets of 52: A-Z then a-z */
        out[0] = (char)('a' + (cp - 0x1D400) % 52 % 26);
        return 1;
    }
    if (cp >= 0x1D7CE && cp <= 0x1D7FF) { /* 5 styles of digits */
        out[0] = (char)('0' + (cp - 0x1D7CE) % 10);
        return 1;
    }
    if (cp >= 0x24B6 && cp <= 0x24E9) { /* circled A-Z, a-z */
        out[0] = (char)('a' + (cp - 0x24B6) % 26);
        return 1;
    }
    if ((cp >= 0x1F130 && cp <= 0x1F149) || (cp >= 0x1F150 && cp <= 0x1F169) ||
        (cp >= 0x1F170 && cp <= 0x1F189)) { /* squared and negative circled/squared A-Z */
        out[0] = (char)('a' + (cp - 0x1F130) % 32 % 26);
        return 1;
    }
    static const struct { uint16_t cp; char c; } caps[] = {
        {0x0262, 'g'}, {0x026A, 'i'}, {0x0274, 'n'}, {0x0280, 'r'}, {0x028F, 'y'}, {0x0299, 'b'},
        {0x029C, 'h'}, {0x029F, 'l'}, {0x1D00, 'a'}, {0x1D04, 'c'}, {0x1D05, 'd'}, {0x1D07, 'e'},
        {0x1D0A, 'j'}, {0x1D0B, 'k'}, {0x1D0D, 'm'}, {0x1D0F, 'o'}, {0x1D18, 'p'}, {0x1D1B, 't'},
        {0x1D1C, 'u'}, {0x1D20, 'v'}, {0x1D21, 'w'}, {0x1D22, 'z'}, {0xA730, 'f'}, {0xA731, 's'},
    };
    for (size_t i = 0; i < sizeof caps / sizeof *caps; i++)
        if (caps[i].cp == cp) {
            out[0] = caps[i].c;
            return 1;
        }
    return -1; /* copy unchanged */
}

/* How one code point folds: into up to 3 bytes of out; returns the count (0 drops it). */
static int fold_cp(uint32_t cp, char *out) {
    if (cp < 0x80) {
        if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
        if (cp == 0) cp = ' '; /* NUL bytes read as spaces */
        out[0] = (char)cp;
        return 1;
    }
    if (cp == 0xDF) { out[0] = 's'; out[1] = 's'; return 2; }  /* ß */
    if (cp == 0xC6 || cp == 0xE6) { out[0] = 'a'; out[1] = 'e'; return 2; }
    if (cp == 0x152 || cp == 0x153) { out[0] = 'o'; out[1] = 'e'; return 2; }
    if (cp >= 0xC0 && cp <= 0x17F && latin_base[cp - 0xC0]) {
        out[0] = latin_base[cp - 0xC0];
        return 1;
    }
    if (cp >= 0x300 && cp <= 0x36F) return 0; /* combining marks (NFD accents) */
    switch (cp) {
    case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032: case 0x02BC:
        out[0] = '\'';
        return 1;
    case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x2033: case 0xAB: case 0xBB:
        out[0] = '"';
        return 1;
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015: case 0x2212:
        out[0] = '-';
        return 1;
    case 0xA0: case 0x202F: case 0x205F: case 0x3000: case 0x2028: case 0x2029:
        out[0] = ' ';
        return 1;
    case 0x200B: case 0x200C: case 0x200D: case 0x2060: case 0xFEFF: case 0xAD:
        return 0; /* zero-width space, joiners, word joiner, BOM, soft hyphen */
    default: break;
    }
    if (cp >= 0x2000 && cp <= 0x200A) { out[0] = ' '; return 1; }
    if (cp >= 0xFE00 && cp <= 0xFE0F) return 0; /* variation selectors (emoji style) */
    if (cp >= 0xFF01 && cp <= 0xFF5E) {         /* full-width ASCII */
        return fold_cp(cp - 0xFF01 + 0x21, out);
    }
    return fold_styled(cp, out);
}

/* pg_utf8_decode with ASCII decoded in line: folding and splitting words call it per byte,
 * and most bytes of posts and terms are ASCII. */
static inline int decode(const unsigned char *s, size_t len, uint32_t *cp) {
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    return pg_utf8_decode(s, len, cp);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
    return pg_grow(p, cap, need, elem, 256);
}

int pg_fold_text(pg_fold *f, const char *src, size_t srclen) {
    /* Folding never grows the text (ß -> ss is the worst: 2 bytes -> 2). The 16 zero bytes
     * after the end are for PCRE2's JIT, which may read a little past the subject. */
    size_t need = srclen + 17;
    if (grow((void **)&f->text, &f->cap, need, 1) || grow((void **)&f->map, &f->mapcap, need, 4) ||
        grow((void **)&f->inv, &f->invcap, srclen + 1, 4))
        return -1;
    const unsigned char *s = (const unsigned char *)src;
    size_t i = 0, o = 0;
    while (i < srclen) {
        uint32_t cp;
        int n = decode(s + i, srclen - i, &cp);
        char buf[4];
        int k = fold_cp(cp, buf);
        for (int j = 0; j < n; j++) f->inv[i + j] = (uint32_t)o;
        if (k < 0) {
            memcpy(f->text + o, s + i, (size_t)n);
            for (int j = 0; j < n; j++) f->map[o + j] = (uint32_t)i;
            o += (size_t)n;
        } else {
            for (int j = 0; j < k; j++) {
                f->text[o] = buf[j];
                f->map[o++] = (uint32_t)i;
            }
        }
        i += (size_t)n;
    }
    f->inv[srclen] = (uint32_t)o;
    f->map[o] = (uint32_t)srclen;
    memset(f->text + o, 0, 16);
    f->len = o;
    return 0;
}

void pg_fold_free(pg_fold *f) {
    free(f->text);
    free(f->map);
    free(f->inv);
    free(f->tmp);
    free(f->tmpmap);
    memset(f, 0, sizeof *f);
}

/* ---- words ---- */

/* Is the code point at s a letter or digit? Non-ASCII: letters of the alphabets people post
 * in (Latin, Greek, Cyrillic, Hebrew, Arabic, CJK, Hangul...); symbols and emoji are not. */
static int is_word_cp(uint32_t cp) {
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
    if (cp == 0xD7 || cp == 0xF7) return 0;
    if (cp >= 0xC0 && cp < 0x2000) return 1;
    if (cp >= 0x3040 && cp < 0xA000) return 1;
    if (cp >= 0xAC00 && cp < 0xD7B0) return 1;
    if (cp >= 0xF900 && cp < 0xFB00) return 1;
    return 0;
}

/* Characters that belong to a word only between two word characters: the apostrophe of
 * "don't" and the obfuscation marks of "dr*g", "h@te", "$ucks". */
static int is_inner(unsigned char c) {
    return c == '\'' || c == '*' || c == '@' || c == '$';
}

char pg_leet(char c) {
    switch (c) {
    case '0': return 'o';
    case '1': return 'i';
    case '3': return 'e';
    case '4': return 'a';
    case '5': return 's';
    case '7': return 't';
    case '$': return 's';
    case '@': return 'a';
    default: return c;
    }
}

/* The lexical form of a word: digits and marks read as letters when the word has letters
 * ("s33kers" -> "seekers"); pure numbers stay numbers. Writes into out (len bytes). */
static void lexical_form(const char *w, size_t len, char *out) {
    int letters = 0, leets = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)w[i];
        if ((c >= 'a' && c <= 'z') || c >= 0x80) letters = 1;
        else if (pg_leet((char)c) != (char)c) leets = 1;
    }
    for (size_t i = 0; i < len; i++) out[i] = (letters && leets) ? pg_leet(w[i]) : w[i];
}

/* Walk a folded string and call fn for each word [s, e). Used for both post text and terms
 * so that a term and a post fold into words the same way. */
typedef int (*word_fn)(void *ud, size_t s, size_t e);

/* The elided words of French: l' d' j' m' n' s' t' c' qu' (folded, so lower case). */
static int elided(const unsigned char *w, size_t n) {
    if (n == 1) return strchr("ldjmnstc", w[0]) != NULL;
    return n == 2 && w[0] == 'q' && w[1] == 'u';
}

static int each_word(const char *t, size_t len, word_fn fn, void *ud) {
    const unsigned char *s = (const unsigned char *)t;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        int n = decode(s + i, len - i, &cp);
        if (!is_word_cp(cp)) {
            i += (size_t)n;
            continue;
        }
        size_t start = i;
        i += (size_t)n;
        for (;;) {
            if (i >= len) break;
            int m = decode(s + i, len - i, &cp);
            if (is_word_cp(cp)) {
                i += (size_t)m;
                continue;
            }
            if (s[i] == '\'' && elided(s + start, i - start) && i + 1 < len && s[i + 1] < 0x80 &&
                is_word_cp(s[i + 1])) {
                break; /* French elision: "l'hopital" is the words "l" and "hopital" */
            }
            if (m == 1 && is_inner(s[i]) && i + 1 < len) {
                /* keep an inner mark only when a word character follows it */
                size_t j = i + 1;
                while (j < len && is_inner(s[j])) j++;
                if (j < len) {
                    uint32_t c2;
                    decode(s + j, len - j, &c2);
                    if (is_word_cp(c2)) {
                        i = j;
                        continue;
                    }
                }
            }
            break;
        }
        if (fn(ud, start, i)) return -1;
    }
    return 0;
}

typedef struct {
    char *out;
    size_t cap, len;
    int words;
    const char *src;
    int overflow;
} term_acc;

static int term_word(void *ud, size_t s, size_t e) {
    term_acc *a = ud;
    size_t need = (e - s) + (a->words ? 1 : 0);
    if (a->len + need + 1 > a->cap) {
        a->overflow = 1;
        return -1;
    }
    if (a->words) a->out[a->len++] = ' ';
    lexical_form(a->src + s, e - s, a->out + a->len);
    a->len += e - s;
    a->words++;
    return 0;
}

int pg_fold_term(const char *term, char *out, size_t cap, int *nwords) {
    /* A pack folds tens of thousands of terms: a term of a lexicon line (under 1 KB) folds
     * in buffers on the stack, not in three fresh allocations. */
    enum { STACK = 1040 };
    char text[STACK];
    uint32_t map[STACK], inv[STACK];
    pg_fold f = {0};
    size_t tlen = strlen(term);
    int heap = tlen + 17 > STACK;
    if (!heap) {
        f.text = text, f.cap = STACK;
        f.map = map, f.mapcap = STACK;
        f.inv = inv, f.invcap = STACK;
    }
    size_t ascii = 0;
    while (ascii < tlen && !(term[ascii] & 0x80)) ascii++;
    if (!heap && ascii == tlen) {
        /* ASCII folds to lower case, byte for byte (fold_cp); the term needs no offset map */
        for (size_t i = 0; i < tlen; i++)
            text[i] = (char)(term[i] >= 'A' && term[i] <= 'Z' ? term[i] + ('a' - 'A') : term[i]);
        text[tlen] = '\0';
        f.len = tlen;
    } else if (pg_fold_text(&f, term, tlen)) {
        if (heap) pg_fold_free(&f);
        return -1;
    }
    term_acc a = {out, cap, 0, 0, f.text, 0};
    each_word(f.text, f.len, term_word, &a);
    if (heap) pg_fold_free(&f);
    if (a.overflow) return -1;
    out[a.len] = '\0';
    *nwords = a.words;
    return (int)a.len;
}

/* ---- tokenising a post ---- */

static int push_u32(uint32_t **v, size_t *n, size_t *cap, uint32_t x) {
    if (grow((void **)v, cap, *n + 1, sizeof **v)) return -1;
    (*v)[(*n)++] = x;
    return 0;
}

static int post_word(void *ud, size_t s, size_t e) {
    pg_scratch *sc = ud;
    if (grow((void **)&sc->tok, &sc->tokcap, sc->ntok + 1, sizeof *sc->tok)) return -1;
    if (grow((void **)&sc->lexbuf, &sc->lexcap, sc->lexlen + (e - s) + 1, 1)) return -1;
    pg_token *t = &sc->tok[sc->ntok++];
    t->s = (uint32_t)s;
    t->e = (uint32_t)e;
    t->lex = (uint32_t)sc->lexlen;
    t->lexn = (uint32_t)(e - s);
    t->has_star = memchr(sc->fold.text + s, '*', e - s) != NULL;
    lexical_form(sc->fold.text + s, e - s, sc->lexbuf + sc->lexlen);
    sc->lexlen += e - s;
    return 0;
}

int pg_tokenize(pg_scratch *sc) {
    sc->ntok = sc->lexlen = sc->nsent = sc->nquote = 0;
    const char *t = sc->fold.text;
    size_t len = sc->fold.len;
    if (each_word(t, len, post_word, sc)) return -1;
    /* Sentences start at 0 and after . ! ? or a line break followed by space; quotation
     * marks are double quotes, and single quotes that are not an apostrophe in a word. */
    if (push_u32(&sc->sent, &sc->nsent, &sc->sentcap, 0)) return -1;
    for (size_t i = 0; i < len; i++) {
        char c = t[i];
        if (c == '\n' || ((c == '.' || c == '!' || c == '?') && (i + 1 == len || t[i + 1] == ' ' ||
                                                                  t[i + 1] == '\n'))) {
            if (push_u32(&sc->sent, &sc->nsent, &sc->sentcap, (uint32_t)(i + 1))) return -1;
        } else if (c == '"') {
            if (push_u32(&sc->quote, &sc->nquote, &sc->quotecap, (uint32_t)i)) return -1;
        } else if (c == '\'') {
            int wl = i > 0 && ((unsigned char)t[i - 1] >= 0x80 || (t[i - 1] >= 'a' && t[i - 1] <= 'z') ||
                               (t[i - 1] >= '0' && t[i - 1] <= '9'));
            int wr = i + 1 < len && ((unsigned char)t[i + 1] >= 0x80 ||
                                     (t[i + 1] >= 'a' && t[i + 1] <= 'z') ||
                                     (t[i + 1] >= '0' && t[i + 1] <= '9'));
            if (!(wl && wr) && !(wl && !wr && i > 0 && t[i - 1] == 's'))
                if (push_u32(&sc->quote, &sc->nquote, &sc->quotecap, (uint32_t)i)) return -1;
        }
    }
    return 0;
}

size_t pg_sentence_of(const pg_scratch *sc, uint32_t off) {
    size_t lo = 0, hi = sc->nsent; /* last sentence start <= off */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (sc->sent[mid] <= off) lo = mid;
        else hi = mid;
    }
    return lo;
}
