/* start_table.c - the pack's start tables: built once from every anchored pattern's start keys
 * (pattern_start.c); one pass over a post then finds where each pattern may match.
 *
 * PCRE2 runs each pattern anchored at those positions alone. The table is keyed by the
 * kind of the byte before, the first byte and the second byte, and holds sets of patterns. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "pattern_start.h"
#include "start_table.h"

/* Pattern indexes (pool, at0) and set ids (cells) are 16 bits, so that a row of cells and the
 * scan's working set stay small; a pack needing more is refused at load, not truncated. */
#define TABLE_MAX_PATTERNS 0xFFFEu
#define TABLE_MAX_SETS UINT16_MAX
#define START_TABLES 2 /* pg_pack.start: the folded text [0], the raw text [1] */
#define WORD_BITS 64   /* a set of patterns is W words of this many bits */

#define SETDICT_MIN_SETS 64    /* the dictionary's first allocation, in sets */
#define SETDICT_MIN_SLOTS 1024 /* its first hash table (a power of two; kept at most half full) */
#define SETDICT_ENOMEM (-1)
#define SETDICT_FULL (-2)      /* more than TABLE_MAX_SETS distinct sets */

/* FNV-1a over 64-bit words, then the high bits folded down: slots are found by the low bits. */
#define FNV_OFFSET_BASIS 1469598103934665603u
#define FNV_PRIME 1099511628211u
#define HASH_FOLD_SHIFT 29

#define CAND_MIN_CAP 64 /* a candidate vector's first allocation, in positions */

/* Characters that PCRE2's caseless matching equates with an ASCII letter although their bytes
 * differ, so no key of the letter holds them. */
static const char KELVIN_SIGN[] = "\xE2\x84\xAA"; /* U+212A, a k */
static const char LONG_S[] = "\xC5\xBF";          /* U+017F, an s */

/* ---- the tables: first byte -> row, second byte -> a set of patterns ---- */

/* What the byte before a position is: the three cases the keys' `prev` tells apart. Their
 * order is PG_PREV_'s, so a key with prev p applies after every kind from p on. */
enum {
    CTX_LETTER = 0,
    CTX_DIGIT = 1, /* or '_' */
    CTX_OTHER = 2, /* or none: the start of the text */
    CTX_KINDS
};

struct pg_starttab {
    /* by the kind of the byte before and the first byte: 1 + a row; 0: none */
    uint16_t first[CTX_KINDS][PG_BYTE_VALUES];
    uint8_t ctxof[PG_BYTE_VALUES]; /* the CTX_ kind of every byte, so the scan need not branch */
    uint16_t *cells;        /* nrows rows of set ids, by the second byte (0: the empty set) */
    size_t nrows;
    uint32_t *setoff;       /* nsets + 1 offsets into pool */
    uint16_t *pool;         /* pattern indexes */
    size_t nsets;
    uint16_t *at0;       /* patterns that may match only at the start of the text (a ^) */
    size_t nat0;
};

void pg_starttab_free(pg_starttab *t) {
    if (!t) return;
    free(t->cells);
    free(t->setoff);
    free(t->pool);
    free(t->at0);
    free(t);
}

static uint64_t hash_words(const uint64_t *w, size_t n) {
    uint64_t h = FNV_OFFSET_BASIS;
    for (size_t i = 0; i < n; i++) h = (h ^ w[i]) * FNV_PRIME;
    return h ^ (h >> HASH_FOLD_SHIFT);
}

/* The distinct sets of patterns while a table is built: set id -> bits, found by hash. */
typedef struct setdict {
    uint64_t *bits; /* nsets * W words; set 0 is the empty set */
    size_t nsets, cap, W;
    uint32_t *slot; /* 1 + a set id, open addressing */
    size_t hcap;
} setdict;

/* The id of set w, added if new; 0 for the empty set, SETDICT_ENOMEM or SETDICT_FULL. */
static long setdict_id(setdict *d, const uint64_t *w) {
    int nonempty = 0;
    for (size_t i = 0; i < d->W; i++) nonempty |= w[i] != 0;
    if (!nonempty) return 0;
    if ((d->nsets + 1) * 2 > d->hcap) {
        size_t hcap = d->hcap ? d->hcap * 2 : SETDICT_MIN_SLOTS;
        uint32_t *slot = calloc(hcap, sizeof *slot);
        if (!slot) return SETDICT_ENOMEM;
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
        if (memcmp(d->bits + (size_t)(d->slot[h] - 1) * d->W, w, d->W * sizeof *w) == 0)
            return (long)d->slot[h] - 1;
    if (d->nsets >= TABLE_MAX_SETS) return SETDICT_FULL;
    if (d->nsets == d->cap) {
        size_t cap = d->cap * 2;
        uint64_t *nb = realloc(d->bits, cap * d->W * sizeof *nb);
        if (!nb) return SETDICT_ENOMEM;
        d->bits = nb;
        d->cap = cap;
    }
    memcpy(d->bits + d->nsets * d->W, w, d->W * sizeof *w);
    d->slot[h] = (uint32_t)d->nsets + 1;
    return (long)d->nsets++;
}

static pg_status starttab_build(pg_pattern *const *pat, int npat, pg_starttab **out,
                                pg_error *err) {
    *out = NULL;
    if (npat <= 0) return PG_OK;
    if (npat > (int)TABLE_MAX_PATTERNS)
        return pg_fail(err, PG_ERULE, NULL, NULL, NULL, -1, "more than %u patterns",
                       TABLE_MAX_PATTERNS);
    size_t W = ((size_t)npat + WORD_BITS - 1) / WORD_BITS;
    setdict d = {calloc(SETDICT_MIN_SETS * W, sizeof(uint64_t)), 1, SETDICT_MIN_SETS, W, NULL, 0};
    uint64_t *row = calloc(PG_BYTE_VALUES * W, sizeof *row); /* one row's cells while it is built */
    pg_starttab *t = calloc(1, sizeof *t);
    if (!d.bits || !row || !t || !(t->at0 = calloc((size_t)npat, sizeof *t->at0))) goto nomem;
    for (unsigned b = 0; b < PG_BYTE_VALUES; b++) {
        int letter = (b | PG_ASCII_CASE_BIT) >= 'a' && (b | PG_ASCII_CASE_BIT) <= 'z';
        int digit = (b >= '0' && b <= '9') || b == '_';
        t->ctxof[b] = letter ? CTX_LETTER : digit ? CTX_DIGIT : CTX_OTHER;
    }
    /* a key with prev = PG_PREV_LETTER does not apply after a letter, PG_PREV_WORD only
     * after a byte that is no word character */
    for (int j = 0; j < npat; j++)
        for (int k = 0; k < pat[j]->nkeys; k++) {
            const pg_startkey *key = &pat[j]->keys[k];
            if (key->bol) { /* only at the start of the text */
                if (!t->nat0 || t->at0[t->nat0 - 1] != j) t->at0[t->nat0++] = (uint16_t)j;
                continue;
            }
            for (int ctx = key->prev; ctx < CTX_KINDS; ctx++)
                for (unsigned b = 0; b < PG_BYTE_VALUES; b++)
                    if (bit_has(key->c0, b) && !t->first[ctx][b])
                        t->first[ctx][b] = (uint16_t)++t->nrows;
        }
    t->cells = calloc(t->nrows ? t->nrows * PG_BYTE_VALUES : 1, sizeof *t->cells);
    if (!t->cells) goto nomem;
    /* row by row: OR in every key that starts there, then name each cell's set */
    for (int ctx = 0; ctx < CTX_KINDS; ctx++)
        for (unsigned b0 = 0; b0 < PG_BYTE_VALUES; b0++) {
            uint16_t r = t->first[ctx][b0];
            if (!r) continue;
            memset(row, 0, PG_BYTE_VALUES * W * sizeof *row);
            for (int j = 0; j < npat; j++)
                for (int k = 0; k < pat[j]->nkeys; k++) {
                    const pg_startkey *key = &pat[j]->keys[k];
                    if (key->bol || key->prev > ctx || !bit_has(key->c0, b0)) continue;
                    for (unsigned b1 = 0; b1 < PG_BYTE_VALUES; b1++)
                        if (bit_has(key->c1, b1))
                            row[b1 * W + (size_t)j / WORD_BITS] |= 1ull << (j % WORD_BITS);
                }
            for (unsigned b1 = 0; b1 < PG_BYTE_VALUES; b1++) {
                long id = setdict_id(&d, row + b1 * W);
                if (id == SETDICT_ENOMEM) goto nomem;
                if (id < 0) {
                    free(d.bits), free(d.slot), free(row);
                    pg_starttab_free(t);
                    return pg_fail(err, PG_ERULE, NULL, NULL, NULL, -1,
                                   "too many pattern start sets");
                }
                t->cells[(size_t)(r - 1) * PG_BYTE_VALUES + b1] = (uint16_t)id;
            }
        }
    /* the sets as lists of pattern indexes */
    t->nsets = d.nsets;
    size_t pooln = 0;
    for (size_t id = 1; id < d.nsets; id++)
        for (int j = 0; j < npat; j++)
            pooln += (d.bits[id * W + (size_t)j / WORD_BITS] >> (j % WORD_BITS)) & 1;
    t->setoff = calloc(d.nsets + 1, sizeof *t->setoff);
    t->pool = malloc((pooln ? pooln : 1) * sizeof *t->pool);
    if (!t->setoff || !t->pool) goto nomem;
    pooln = 0;
    for (size_t id = 1; id < d.nsets; id++) {
        t->setoff[id] = (uint32_t)pooln;
        for (int j = 0; j < npat; j++)
            if ((d.bits[id * W + (size_t)j / WORD_BITS] >> (j % WORD_BITS)) & 1)
                t->pool[pooln++] = (uint16_t)j;
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

static int contains(const char *s, size_t len, const char *needle, size_t n) {
    for (const char *p = memchr(s, needle[0], len); p;
         p = memchr(p + 1, needle[0], len - (size_t)(p + 1 - s)))
        if ((size_t)(p - s) + n <= len && memcmp(p, needle, n) == 0) return 1;
    return 0;
}

/* A text holding the Kelvin sign or the long s is scanned everywhere: no key knows them. */
static int has_odd_case(const char *s, size_t len) {
    return contains(s, len, KELVIN_SIGN, sizeof KELVIN_SIGN - 1) ||
           contains(s, len, LONG_S, sizeof LONG_S - 1);
}

static int push_u32(pg_u32vec *v, uint32_t x) {
    /* on the scan's path: the call only when full */
    if (v->n == v->cap && pg_grow((void **)&v->v, &v->cap, v->n + 1, sizeof *v->v, CAND_MIN_CAP)) return -1;
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
        uint16_t set = t->cells[(size_t)(r - 1) * PG_BYTE_VALUES + b1];
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
    for (int raw = 0; raw < START_TABLES; raw++) {
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
    if (sc->candstate[raw] == PG_CAND_UNKNOWN) {
        int everywhere = 0;
        const char *text = raw ? sc->raw : sc->fold.text;
        size_t len = raw ? sc->srclen : sc->fold.len;
        if (starttab_scan(sc->pack->start[raw], text, len, sc->cand[raw], sc->ncand[raw],
                          &everywhere))
            return -1;
        sc->candstate[raw] = everywhere ? PG_CAND_EVERYWHERE : PG_CAND_FOUND;
    }
    if (sc->candstate[raw] == PG_CAND_FOUND) *out = &sc->cand[raw][p->fidx];
    return 0;
}
