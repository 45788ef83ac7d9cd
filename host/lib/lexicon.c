/* lexicon.c - named term lists and the one hash table that finds all of them in a post.
 * Every term of every lexicon is folded into a key ("drug seekers"); a check walks the words
 * once and looks up runs of 1..maxwords words, so cost is linear in the text whatever the
 * number of lexicons or terms. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define KEY_MAX 256

static uint32_t fnv_step(uint32_t h, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}
#define FNV_INIT 2166136261u

static pg_keyentry *keyset_find(const pg_keyset *ks, const char *key, size_t len, uint32_t h) {
    if (!ks->cap) return NULL;
    size_t mask = ks->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        pg_keyentry *e = &ks->slots[i];
        if (!e->key) return NULL;
        if (e->hash == h && strncmp(e->key, key, len) == 0 && e->key[len] == '\0') return e;
    }
}

static int keyset_grow(pg_keyset *ks) {
    size_t cap = ks->cap ? ks->cap * 2 : 1024;
    pg_keyentry *slots = calloc(cap, sizeof *slots);
    if (!slots) return -1;
    for (size_t i = 0; i < ks->cap; i++) {
        pg_keyentry *e = &ks->slots[i];
        if (!e->key) continue;
        size_t j = e->hash & (cap - 1);
        while (slots[j].key) j = (j + 1) & (cap - 1);
        slots[j] = *e;
    }
    free(ks->slots);
    ks->slots = slots;
    ks->cap = cap;
    return 0;
}

/* Add key -> lexicon li (li < 0: only mark the key as the prefix of a longer term). */
static int keyset_add(pg_keyset *ks, pg_arena *a, const char *key, int li) {
    size_t len = strlen(key);
    uint32_t h = fnv_step(FNV_INIT, key, len);
    pg_keyentry *e = keyset_find(ks, key, len, h);
    if (!e) {
        if ((ks->count + 1) * 2 > ks->cap && keyset_grow(ks)) return -1;
        size_t mask = ks->cap - 1, i = h & mask;
        while (ks->slots[i].key) i = (i + 1) & mask;
        e = &ks->slots[i];
        e->key = pg_arena_strdup(a, key);
        if (!e->key) return -1;
        e->hash = h;
        ks->count++;
    }
    if (li < 0) return 0;
    for (int k = 0; k < e->nlex; k++)
        if (e->lex[k] == (uint16_t)li) return 0;
    uint16_t *nl = pg_arena_alloc(a, (size_t)(e->nlex + 1) * sizeof *nl);
    if (!nl) return -1;
    if (e->nlex) memcpy(nl, e->lex, e->nlex * sizeof *nl);
    nl[e->nlex++] = (uint16_t)li;
    e->lex = nl;
    return 0;
}

int pg_lexicon_find(const pg_lexicons *lx, const char *name) {
    for (size_t i = 0; i < lx->n; i++)
        if (strcmp(lx->v[i].name, name) == 0) return (int)i;
    return -1;
}

int pg_lexicon_add(pg_lexicons *lx, pg_arena *a, const char *name, const char *file) {
    if (lx->n >= 65535) return -1;
    if (lx->n == lx->cap) {
        size_t cap = lx->cap ? lx->cap * 2 : 32;
        pg_lexicon *v = realloc(lx->v, cap * sizeof *v);
        if (!v) return -1;
        lx->v = v;
        lx->cap = cap;
    }
    pg_lexicon *l = &lx->v[lx->n];
    memset(l, 0, sizeof *l);
    l->name = pg_arena_strdup(a, name);
    l->file = pg_arena_strdup(a, file ? file : "");
    if (!l->name || !l->file) return -1;
    return (int)lx->n++;
}

static void mask_vowels(char *s) {
    for (; *s; s++)
        if (*s == 'a' || *s == 'e' || *s == 'i' || *s == 'o' || *s == 'u') *s = '*';
}

/* One folded key and its variants: the words run together (hashtags), every word prefix
 * (so a scan stops early), and the same with vowels hidden (for "dr*g"). */
static int add_key(pg_lexicons *lx, pg_arena *a, int li, const char *key, int nwords) {
    char buf[KEY_MAX];
    /* key came from pg_fold_term with a KEY_MAX buffer, so it fits; memcpy, not snprintf:
     * this runs for every lexicon term and snprintf was a fifth of the pack's load time */
    size_t klen = strnlen(key, KEY_MAX - 1);
    if (keyset_add(&lx->keys, a, key, li)) return -1;
    memcpy(buf, key, klen);
    buf[klen] = '\0';
    mask_vowels(buf);
    if (keyset_add(&lx->masked, a, buf, li)) return -1;
    if (nwords > 1) {
        size_t o = 0;
        for (const char *p = key; *p; p++)
            if (*p != ' ') buf[o++] = *p;
        buf[o] = '\0';
        if (keyset_add(&lx->keys, a, buf, li)) return -1;
        mask_vowels(buf);
        if (keyset_add(&lx->masked, a, buf, li)) return -1;
        /* prefixes: "johnson", "johnson memorial" of "johnson memorial hospital" */
        memcpy(buf, key, klen);
        buf[klen] = '\0';
        for (size_t i = strlen(buf); i > 0; i--) {
            if (buf[i - 1] != ' ') continue;
            buf[i - 1] = '\0';
            if (keyset_add(&lx->keys, a, buf, -1)) return -1;
        }
    }
    if (nwords > lx->maxwords) lx->maxwords = nwords;
    return 0;
}

/* Expand "seeker(s)" into "seeker" and "seekers"; up to 4 bracketed parts per term. */
static pg_status add_expanded(pg_lexicons *lx, pg_arena *a, int li, const char *term, int depth,
                              pg_error *err) {
    const char *open = strchr(term, '(');
    if (!open) {
        char key[KEY_MAX];
        int nwords = 0;
        int n = pg_fold_term(term, key, sizeof key, &nwords);
        if (n < 0)
            return pg_fail(err, PG_ERULE, lx->v[li].file, NULL, lx->v[li].name, -1,
                           "lexicon '%s': the term \"%.60s...\" is longer than %d bytes",
                           lx->v[li].name, term, KEY_MAX - 1);
        if (n == 0) return PG_OK; /* only punctuation or emoji: nothing a word can match */
        if (nwords > PG_MAX_TERM_WORDS)
            return pg_fail(err, PG_ERULE, lx->v[li].file, NULL, lx->v[li].name, -1,
                           "lexicon '%s': the term \"%s\" has %d words; at most %d",
                           lx->v[li].name, term, nwords, PG_MAX_TERM_WORDS);
        if (add_key(lx, a, li, key, nwords)) return pg_fail(err, PG_ENOMEM, NULL, NULL, NULL, -1, "out of memory");
        return PG_OK;
    }
    const char *close = strchr(open, ')');
    if (!close || depth >= 4)
        return pg_fail(err, PG_ERULE, lx->v[li].file, NULL, lx->v[li].name, -1,
                       "lexicon '%s': the term \"%s\" has an unclosed '(' or more than 4 "
                       "optional parts", lx->v[li].name, term);
    size_t tl = strlen(term);
    char *without = malloc(tl + 1), *with = malloc(tl + 1);
    if (!without || !with) {
        free(without);
        free(with);
        return pg_fail(err, PG_ENOMEM, NULL, NULL, NULL, -1, "out of memory");
    }
    size_t pre = (size_t)(open - term), in = (size_t)(close - open - 1);
    size_t post = tl - (size_t)(close + 1 - term); /* the bytes after ')' */
    memcpy(without, term, pre);
    memcpy(without + pre, close + 1, post + 1);
    memcpy(with, term, pre);
    memcpy(with + pre, open + 1, in);
    memcpy(with + pre + in, close + 1, post + 1);
    pg_status st = add_expanded(lx, a, li, without, depth + 1, err);
    if (st == PG_OK) st = add_expanded(lx, a, li, with, depth + 1, err);
    free(without);
    free(with);
    return st;
}

pg_status pg_lexicon_add_term(pg_lexicons *lx, pg_arena *a, int li, const char *term,
                              pg_error *err) {
    pg_status st = add_expanded(lx, a, li, term, 0, err);
    if (st == PG_OK) lx->v[li].nterms++;
    return st;
}

pg_status pg_lexicon_load_file(pg_lexicons *lx, pg_arena *a, int li, const char *path,
                               pg_error *err) {
    FILE *f = fopen(path, "r");
    if (!f)
        return pg_fail(err, PG_EIO, path, NULL, NULL, -1, "cannot read lexicon '%s': %s",
                       lx->v[li].name, strerror(errno));
    char line[1024];
    long lineno = 0;
    pg_status st = PG_OK;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        size_t n = strlen(line);
        if (n == sizeof line - 1 && line[n - 1] != '\n') {
            st = pg_fail(err, PG_ERULE, path, NULL, NULL, lineno,
                         "line %ld is longer than %zu bytes", lineno, sizeof line - 2);
            break;
        }
        char *hash = strchr(line, '#');
        if (hash) *hash = '\0';
        n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
                     line[n - 1] == '\t'))
            line[--n] = '\0';
        char *p = line;
        while (*p == ' ' || *p == '\t') p++;
        if (!*p) continue;
        size_t bad;
        if (pg_utf8_validate(p, strlen(p), NULL, &bad)) {
            st = pg_fail(err, PG_ERULE, path, NULL, NULL, lineno,
                         "line %ld is not valid UTF-8 (byte %zu)", lineno, bad + 1);
            break;
        }
        st = pg_lexicon_add_term(lx, a, li, p, err);
        if (st != PG_OK) {
            err->offset = lineno;
            break;
        }
    }
    fclose(f);
    return st;
}

void pg_lexicons_free(pg_lexicons *lx) {
    free(lx->v);
    free(lx->keys.slots);
    free(lx->masked.slots);
    memset(lx, 0, sizeof *lx);
}

static int push_hits(pg_scratch *sc, const pg_keyentry *e, uint32_t s, uint32_t end) {
    for (int k = 0; k < e->nlex; k++)
        if (pg_hitvec_push(&sc->lexhits[e->lex[k]], s, end)) return -1;
    return 0;
}

int pg_lexicon_scan(const pg_lexicons *lx, pg_scratch *sc) {
    char key[KEY_MAX];
    for (size_t i = 0; i < sc->nlexhits; i++) sc->lexhits[i].n = 0;
    if (!lx->keys.count) return 0;
    for (size_t i = 0; i < sc->ntok; i++) {
        size_t len = 0;
        uint32_t h = FNV_INIT;
        int star = 0;
        for (int w = 0; w < lx->maxwords && i + (size_t)w < sc->ntok; w++) {
            const pg_token *t = &sc->tok[i + (size_t)w];
            if (len + t->lexn + 2 > sizeof key) break;
            if (w) {
                key[len++] = ' ';
                h = fnv_step(h, " ", 1);
            }
            memcpy(key + len, sc->lexbuf + t->lex, t->lexn);
            h = fnv_step(h, key + len, t->lexn);
            len += t->lexn;
            star |= t->has_star;
            const pg_keyentry *e = keyset_find(&lx->keys, key, len, h);
            if (e && e->nlex && push_hits(sc, e, sc->tok[i].s, t->e)) return -1;
            if (star) { /* "dr*g": compare with the vowels of both sides hidden */
                char mk[KEY_MAX];
                memcpy(mk, key, len);
                mk[len] = '\0';
                mask_vowels(mk);
                const pg_keyentry *m = keyset_find(&lx->masked, mk, len, fnv_step(FNV_INIT, mk, len));
                if (m && m->nlex && (!e || !e->nlex) && push_hits(sc, m, sc->tok[i].s, t->e))
                    return -1;
            } else if (!e) {
                /* no term starts with these words: a longer run cannot match either, unless a
                 * later word hides its vowels */
                int later_star = 0;
                for (int k = w + 1; k < lx->maxwords && i + (size_t)k < sc->ntok; k++)
                    later_star |= sc->tok[i + (size_t)k].has_star;
                if (!later_star) break;
            }
        }
    }
    return 0;
}
