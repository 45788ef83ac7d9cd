/* lexicon.c - named term lists and the one hash table that finds all of them in a post.
 * Every term of every lexicon is folded into a key ("drug seekers"); a check walks the words
 * once and looks up runs of 1..maxwords words, so cost is linear in the text whatever the
 * number of lexicons or terms. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MADV_HUGEPAGE */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "internal.h"

#define KEY_MAX 256 /* a key is at most 255 bytes: its length fits the low byte of a tag */
#define LEXICON_FILE_MAX ((size_t)256 << 20) /* a lexicon file is never this big */

/* ---- the key tables ----
 * Open addressing with linear probing over 12-byte slots (internal.h). Every key's bytes are
 * stored once, in lx->blob; a slot holds the offset, the hash's high 24 bits and the length
 * (the "tag", compared before any byte), and its lexicon list. A word prefix of a term
 * ("johnson memorial" of "johnson memorial hospital") points at the term's own bytes with a
 * shorter length, and a slot of the vowel-hidden table points at the unhidden bytes and hides
 * their vowels while comparing. The tables are sized for the pack before it loads
 * (pg_lexicons_reserve), so they rarely grow; when they do, a slot moves without its key
 * being read, since its home depends only on its tag. */

#define LOAD_NUM 5 /* at most 5/8 of the slots are used */
#define LOAD_DEN 8

static uint32_t fnv_step(uint32_t h, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}
#define FNV_INIT 2166136261u

static uint32_t tag_of(uint32_t h, size_t len) {
    return (h & 0xFFFFFF00u) | (uint32_t)len;
}

/* The first slot to probe: the tag's hash bits, mixed, scaled to the table (any size). */
static size_t home(const pg_keyset *ks, uint32_t tag) {
    uint32_t x = (tag >> 8) * 0x9E3779B1u;
    return (size_t)(((uint64_t)x * ks->cap) >> 32);
}

static int is_vowel(char c) {
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

static void mask_vowels(char *s) {
    for (; *s; s++)
        if (is_vowel(*s)) *s = '*';
}

/* Do the stored bytes k, with their vowels hidden, equal the hidden key q? */
static int masked_eq(const char *k, const char *q, size_t len) {
    for (size_t i = 0; i < len; i++)
        if ((is_vowel(k[i]) ? '*' : k[i]) != q[i]) return 0;
    return 1;
}

/* The slot of key[0, len) (h: its hash), or NULL. masked: ks holds vowel-hidden keys. */
static pg_keyslot *keyset_find(const pg_keyset *ks, const char *blob, const char *key,
                               size_t len, uint32_t h, int masked) {
    if (!ks->cap) return NULL;
    uint32_t tag = tag_of(h, len);
    for (size_t i = home(ks, tag);;) {
        pg_keyslot *e = &ks->slots[i];
        if (!e->tag) return NULL;
        if (e->tag == tag && (masked ? masked_eq(blob + e->off, key, len)
                                     : memcmp(blob + e->off, key, len) == 0))
            return e;
        if (++i == ks->cap) i = 0;
    }
}

/* Move ks into cap slots: mem (zeroed, in the slab) or, when NULL, fresh memory. */
static int keyset_resize(pg_keyset *ks, size_t cap, pg_keyslot *mem) {
    pg_keyslot *slots = mem ? mem : calloc(cap, sizeof *slots);
    if (!slots) return -1;
    pg_keyset n = {slots, cap, ks->count, mem != NULL};
    for (size_t i = 0; i < ks->cap; i++) {
        if (!ks->slots[i].tag) continue;
        size_t j = home(&n, ks->slots[i].tag);
        while (slots[j].tag)
            if (++j == cap) j = 0;
        slots[j] = ks->slots[i];
    }
    if (!ks->in_slab) free(ks->slots);
    *ks = n;
    return 0;
}

/* Make room for `more` keys beyond those in ks. */
static int keyset_reserve(pg_keyset *ks, size_t more) {
    size_t want = ks->count + more;
    if (want * LOAD_DEN <= ks->cap * LOAD_NUM) return 0;
    size_t cap = want * LOAD_DEN / LOAD_NUM + 1;
    if (cap < ks->cap * 2) cap = ks->cap * 2; /* growing one key at a time: double */
    if (cap < 64) cap = 64;
    return keyset_resize(ks, cap, NULL);
}

/* A new slot for a key that is not in ks (tag: its tag); the caller fills off and lex. */
static pg_keyslot *keyset_insert(pg_keyset *ks, uint32_t tag) {
    if (keyset_reserve(ks, 1)) return NULL;
    size_t i = home(ks, tag);
    while (ks->slots[i].tag)
        if (++i == ks->cap) i = 0;
    ks->count++;
    ks->slots[i].tag = tag;
    ks->slots[i].lex = PG_LEX_NONE;
    return &ks->slots[i];
}

/* Append key[0, len) to the blob; its offset, or -1 on ENOMEM (or a blob past 4 GiB). */
static long blob_add(pg_lexicons *lx, const char *key, size_t len) {
    if (lx->bloblen + len > lx->blobcap) {
        size_t cap = lx->blobcap ? lx->blobcap * 2 : 16384;
        while (cap < lx->bloblen + len) cap *= 2;
        if (cap > UINT32_MAX) return -1;
        char *b = lx->blob_in_slab ? malloc(cap) : realloc(lx->blob, cap);
        if (!b) return -1;
        if (lx->blob_in_slab) memcpy(b, lx->blob, lx->bloblen); /* the slab keeps its copy */
        lx->blob_in_slab = 0;
        lx->blob = b;
        lx->blobcap = cap;
    }
    memcpy(lx->blob + lx->bloblen, key, len);
    lx->bloblen += len;
    return (long)(lx->bloblen - len);
}

/* Add lexicon li to the slot's list (li < 0: nothing, the key only marks a word prefix). A
 * list of one is the index itself; a longer one is copied, one longer, to the end of
 * lx->lists (keys in several lexicons are few, so the copies left behind are too). */
static int lex_add(pg_lexicons *lx, pg_keyslot *e, int li) {
    if (li < 0) return 0;
    uint16_t one[2] = {1, 0};
    const uint16_t *old = one;
    if (e->lex == PG_LEX_NONE) {
        e->lex = (uint32_t)li;
        return 0;
    }
    if (e->lex & PG_LEX_LIST) old = lx->lists + (e->lex & ~PG_LEX_LIST);
    else one[1] = (uint16_t)e->lex;
    for (uint16_t k = 1; k <= old[0]; k++)
        if (old[k] == (uint16_t)li) return 0;
    size_t n = old[0], need = lx->nlists + n + 2;
    if (n >= 65534 || need >= PG_LEX_LIST) return -1;
    if (need > lx->listcap) {
        size_t cap = lx->listcap ? lx->listcap * 2 : 1024;
        while (cap < need) cap *= 2;
        size_t at = old == one ? 0 : (size_t)(old - lx->lists);
        uint16_t *v = realloc(lx->lists, cap * sizeof *v);
        if (!v) return -1;
        lx->lists = v;
        lx->listcap = cap;
        if (old != one) old = v + at;
    }
    uint16_t *nl = lx->lists + lx->nlists;
    memcpy(nl, old, (n + 1) * sizeof *nl);
    nl[0] = (uint16_t)(n + 1);
    nl[n + 1] = (uint16_t)li;
    e->lex = PG_LEX_LIST | (uint32_t)lx->nlists;
    lx->nlists = need;
    return 0;
}

/* key[0, len) (h: its hash) -> lexicon li in the exact table; *off is set to where its bytes
 * are. When bytes is not NULL, they already hold the key at offset *off and are not copied. */
static int add_exact(pg_lexicons *lx, const char *key, size_t len, uint32_t h, int li, long *off,
                     const char *bytes) {
    if (len == 0) return 0; /* folded keys never are: an empty tag would read as a free slot */
    pg_keyslot *e = keyset_find(&lx->keys, lx->blob, key, len, h, 0);
    if (!e) {
        long o = bytes ? *off : blob_add(lx, key, len);
        if (o < 0 || !(e = keyset_insert(&lx->keys, tag_of(h, len)))) return -1;
        e->off = (uint32_t)o;
    }
    *off = (long)e->off;
    return lex_add(lx, e, li);
}

/* The vowel-hidden form mk[0, len) (h: its hash) of the key stored at off -> lexicon li. */
static int add_masked(pg_lexicons *lx, long off, const char *mk, size_t len, uint32_t h, int li) {
    pg_keyslot *e = keyset_find(&lx->masked, lx->blob, mk, len, h, 1);
    if (!e) {
        if (!(e = keyset_insert(&lx->masked, tag_of(h, len)))) return -1;
        e->off = (uint32_t)off;
    }
    return lex_add(lx, e, li);
}

/* Ask the cache for the slot a lookup of hash h will read first. */
static void prefetch_slot(const pg_keyset *ks, uint32_t h, size_t len) {
#if defined(__GNUC__)
    if (ks->cap) __builtin_prefetch(&ks->slots[home(ks, tag_of(h, len))]);
#else
    (void)ks, (void)h, (void)len;
#endif
}

/* Page faults are a large part of a load (a fresh process touches every slot of both
 * tables once, at random, and every byte of the blob): on Linux the two tables and the blob
 * of a pack share one slab of whole 2 MiB pages, advised as huge pages, which the kernel
 * fills with one fault each instead of 512. */
#define SLAB_MIN ((size_t)1 << 20)
#define SLAB_PAGE ((size_t)2 << 20)

static void *slab_map(size_t bytes, size_t *len) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    size_t n = (bytes + SLAB_PAGE - 1) / SLAB_PAGE * SLAB_PAGE;
    char *p = mmap(NULL, n + SLAB_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return NULL;
    size_t head = (SLAB_PAGE - (uintptr_t)p % SLAB_PAGE) % SLAB_PAGE; /* align to a huge page */
    if (head) munmap(p, head);
    munmap(p + head + n, SLAB_PAGE - head);
    p += head;
    madvise(p, n, MADV_HUGEPAGE); /* a hint: without huge pages it is ordinary memory */
    *len = n;
    return p;
#else
    (void)bytes;
    *len = 0;
    return NULL;
#endif
}

static void slab_unmap(void *p, size_t len) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (p) munmap(p, len);
#else
    (void)p;
    (void)len;
#endif
}

int pg_lexicons_reserve(pg_lexicons *lx, size_t bytes) {
    /* Measured on the CPSM pack (290 KB of lexicons): a key per 6.6 bytes of file, a
     * vowel-hidden key per 8.6 and 1.4 bytes of key per byte of file. */
    size_t nk = lx->keys.count + bytes / 6 + 1, nm = lx->masked.count + bytes / 8 + 1;
    size_t ck = nk * LOAD_DEN / LOAD_NUM + 1, cm = nm * LOAD_DEN / LOAD_NUM + 1;
    size_t tables = (ck + cm) * sizeof(pg_keyslot), len = 0;
    size_t want = lx->bloblen + bytes + bytes / 2; /* the blob */
    char *slab = NULL;
    if (!lx->slab && tables >= SLAB_MIN && ck > lx->keys.cap && cm > lx->masked.cap &&
        want <= UINT32_MAX) {
        /* The blob and both tables in whole huge pages: as few as hold the blob and the
         * tables at most 7/10 full, the tables spread over what the blob leaves. */
        size_t least = want + (nk + nm) * 10 / 7 * sizeof(pg_keyslot);
        size_t pages = (tables + want) / SLAB_PAGE;
        if (pages * SLAB_PAGE < least) pages = (least + SLAB_PAGE - 1) / SLAB_PAGE;
        slab = slab_map(pages * SLAB_PAGE, &len);
    }
    if (slab) {
        size_t nslots = (len - want) / sizeof(pg_keyslot);
        ck = ck * nslots / (ck + cm);
        cm = nslots - ck;
        if (keyset_resize(&lx->keys, ck, (pg_keyslot *)slab) ||
            keyset_resize(&lx->masked, cm, (pg_keyslot *)slab + ck)) {
            /* cannot happen (no allocation), but leave nothing half done */
            slab_unmap(slab, len);
            return -1;
        }
        char *blob = slab + nslots * sizeof(pg_keyslot);
        if (lx->bloblen) memcpy(blob, lx->blob, lx->bloblen);
        if (!lx->blob_in_slab) free(lx->blob);
        lx->blob = blob;
        lx->blobcap = len - nslots * sizeof(pg_keyslot);
        lx->blob_in_slab = 1;
        lx->slab = slab;
        lx->slablen = len;
        return 0;
    }
    if (keyset_reserve(&lx->keys, nk - lx->keys.count) ||
        keyset_reserve(&lx->masked, nm - lx->masked.count))
        return -1;
    if (want > lx->blobcap && want <= UINT32_MAX) {
        char *b = lx->blob_in_slab ? malloc(want) : realloc(lx->blob, want);
        if (!b) return -1;
        if (lx->blob_in_slab) memcpy(b, lx->blob, lx->bloblen);
        lx->blob_in_slab = 0;
        lx->blob = b;
        lx->blobcap = want;
    }
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

/* One folded key and its variants: the words run together (hashtags), every word prefix
 * (so a scan stops early), and the same with vowels hidden (for "dr*g"). A hidden form
 * without '*' is not stored: the hidden table is only asked about runs of words holding a
 * '*' (pg_lexicon_scan), which no such key can equal. */
static int add_key(pg_lexicons *lx, int li, const char *key, int nwords) {
    /* key came from pg_fold_term with a KEY_MAX buffer, so it fits */
    size_t klen = strnlen(key, KEY_MAX - 1), jlen = 0, np = 0;
    char mk[KEY_MAX], jk[KEY_MAX], jm[KEY_MAX];
    size_t plen[PG_MAX_TERM_WORDS];
    uint32_t ph[PG_MAX_TERM_WORDS], h = FNV_INIT, hm = FNV_INIT, hj = FNV_INIT, hjm = FNV_INIT;
    /* Every form's hash first, and the slots they start at fetched together: the tables are
     * larger than the L2 cache, and a load waited mostly on these misses, one at a time. The
     * forms are made and hashed in one pass over the key. */
    int star = 0;
    for (size_t i = 0; i < klen; i++) {
        char c = key[i], v = is_vowel(c) ? '*' : c;
        if (c == ' ' && np < PG_MAX_TERM_WORDS) { /* "johnson", "johnson memorial" */
            plen[np] = i;
            ph[np++] = h;
        }
        h = fnv_step(h, &c, 1);
        hm = fnv_step(hm, &v, 1);
        mk[i] = v;
        star |= v == '*';
        if (c != ' ') { /* the words run together */
            jm[jlen] = v;
            jk[jlen++] = c;
            hj = fnv_step(hj, &c, 1);
            hjm = fnv_step(hjm, &v, 1);
        }
    }
    mk[klen] = '\0';
    prefetch_slot(&lx->keys, h, klen);
    if (star) prefetch_slot(&lx->masked, hm, klen);
    if (nwords > 1) {
        prefetch_slot(&lx->keys, hj, jlen);
        if (star) prefetch_slot(&lx->masked, hjm, jlen);
        for (size_t k = 0; k < np; k++) prefetch_slot(&lx->keys, ph[k], plen[k]);
    }
    long off = 0, joff = 0;
    if (add_exact(lx, key, klen, h, li, &off, NULL) ||
        (star && add_masked(lx, off, mk, klen, hm, li)))
        return -1;
    if (nwords > 1) {
        if (add_exact(lx, jk, jlen, hj, li, &joff, NULL) ||
            (star && add_masked(lx, joff, jm, jlen, hjm, li)))
            return -1;
        /* the prefixes point at the whole key's bytes */
        for (size_t k = 0; k < np; k++) {
            long poff = off;
            if (add_exact(lx, key, plen[k], ph[k], -1, &poff, lx->blob)) return -1;
        }
    }
    if (nwords > lx->maxwords) lx->maxwords = nwords;
    return 0;
}

/* Expand "seeker(s)" into "seeker" and "seekers"; up to 4 bracketed parts per term. */
static pg_status add_expanded(pg_lexicons *lx, int li, const char *term, int depth,
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
        if (add_key(lx, li, key, nwords)) return pg_fail(err, PG_ENOMEM, NULL, NULL, NULL, -1, "out of memory");
        return PG_OK;
    }
    const char *close = strchr(open, ')');
    if (!close || depth >= 4)
        return pg_fail(err, PG_ERULE, lx->v[li].file, NULL, lx->v[li].name, -1,
                       "lexicon '%s': the term \"%s\" has an unclosed '(' or more than 4 "
                       "optional parts", lx->v[li].name, term);
    size_t tl = strlen(term);
    char sw[512], sv[512]; /* most terms: no allocation */
    char *without = tl < sizeof sw ? sw : malloc(tl + 1), *with = tl < sizeof sv ? sv : malloc(tl + 1);
    if (!without || !with) {
        if (without != sw) free(without);
        if (with != sv) free(with);
        return pg_fail(err, PG_ENOMEM, NULL, NULL, NULL, -1, "out of memory");
    }
    size_t pre = (size_t)(open - term), in = (size_t)(close - open - 1);
    size_t post = tl - (size_t)(close + 1 - term); /* the bytes after ')' */
    memcpy(without, term, pre);
    memcpy(without + pre, close + 1, post + 1);
    memcpy(with, term, pre);
    memcpy(with + pre, open + 1, in);
    memcpy(with + pre + in, close + 1, post + 1);
    pg_status st = add_expanded(lx, li, without, depth + 1, err);
    if (st == PG_OK) st = add_expanded(lx, li, with, depth + 1, err);
    if (without != sw) free(without);
    if (with != sv) free(with);
    return st;
}

pg_status pg_lexicon_add_term(pg_lexicons *lx, pg_arena *a, int li, const char *term,
                              pg_error *err) {
    pg_status st = add_expanded(lx, li, term, 0, err);
    if (st == PG_OK) lx->v[li].nterms++;
    return st;
}

pg_status pg_lexicon_load_file(pg_lexicons *lx, pg_arena *a, int li, const char *path,
                               pg_error *err) {
    char *buf;
    size_t size;
    int e = pg_read_regular(path, LEXICON_FILE_MAX, &buf, &size);
    if (e)
        return pg_fail(err, PG_EIO, path, NULL, NULL, -1, "cannot read lexicon '%s': %s",
                       lx->v[li].name, pg_open_strerror(e));
    char line[1024];
    long lineno = 0;
    pg_status st = PG_OK;
    /* the file in one read, then each line exactly as fgets(line, sizeof line) gave it (a
     * stdio call per line was a tenth of a lexicon's load) */
    for (size_t at = 0, k; at < size; at += k) {
        const char *nl = memchr(buf + at, '\n', size - at);
        k = nl ? (size_t)(nl - (buf + at)) + 1 : size - at;
        if (k > sizeof line - 1) k = sizeof line - 1;
        memcpy(line, buf + at, k);
        line[k] = '\0';
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
    free(buf);
    return st;
}

void pg_lexicons_free(pg_lexicons *lx) {
    free(lx->v);
    if (!lx->keys.in_slab) free(lx->keys.slots);
    if (!lx->masked.in_slab) free(lx->masked.slots);
    slab_unmap(lx->slab, lx->slablen);
    if (!lx->blob_in_slab) free(lx->blob);
    free(lx->lists);
    memset(lx, 0, sizeof *lx);
}

static int push_hits(pg_scratch *sc, const pg_lexicons *lx, const pg_keyslot *e, uint32_t s,
                     uint32_t end) {
    if (!(e->lex & PG_LEX_LIST)) return pg_hitvec_push(&sc->lexhits[e->lex], s, end);
    const uint16_t *l = lx->lists + (e->lex & ~PG_LEX_LIST);
    for (uint16_t k = 1; k <= l[0]; k++)
        if (pg_hitvec_push(&sc->lexhits[l[k]], s, end)) return -1;
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
            const pg_keyslot *e = keyset_find(&lx->keys, lx->blob, key, len, h, 0);
            int ehit = e && e->lex != PG_LEX_NONE;
            if (ehit && push_hits(sc, lx, e, sc->tok[i].s, t->e)) return -1;
            if (star) { /* "dr*g": compare with the vowels of both sides hidden */
                char mk[KEY_MAX];
                memcpy(mk, key, len);
                mk[len] = '\0';
                mask_vowels(mk);
                const pg_keyslot *m =
                    keyset_find(&lx->masked, lx->blob, mk, len, fnv_step(FNV_INIT, mk, len), 1);
                if (m && m->lex != PG_LEX_NONE && !ehit &&
                    push_hits(sc, lx, m, sc->tok[i].s, t->e))
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
