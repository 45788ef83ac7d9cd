/* model.c - the learned scorer: one logistic model per category over features of the folded
 * post, read from the pack's weights file, and the findings it adds where the rules are silent.
 *
 * Rules catch what someone wrote a pattern for; posts nobody here has read say the same thing
 * in other words. So beside the rules sits a linear model per category, trained from labelled
 * posts by rules/tools/train.sh (host/train/main.c), whose weights are data in rules/model/.
 * A post is read as a set of features, each a short string:
 *
 *   w:WORD      a word as folded and normalised, each run of digits as one 0 ("67m" -> "0m")
 *   b:W1 W2     two adjacent words
 *   c:GRAM      a character 4-gram of a word with its edges ("<pat", "pati", ..., "ent>")
 *   l:LEXICON   a lexicon with a hit anywhere in the post
 *   r:RULE      a rule that made a finding (at any severity)
 *   g:NAME      a few facts of the whole post: a mention, a hashtag, a link, "!!", capitals,
 *               a question, its length in words
 *
 * The score of category c is  z = bias[c] + v * sum of w[f][c] over the distinct features f,
 * with v = 1 / sqrt(max(1, words / PG_MODEL_NORM_WORDS)) so that a long post is not flagged only
 * for having many words; p = 1 / (1 + e^-z). Two numbers per category, calibrated by the
 * trainer on posts of authors it did not train on, fuse the model with the rules: below the
 * veto, a medium finding of the category's rules is dropped (high ones always stand); at the
 * threshold, the learned rule fires where no rule of the category stands at medium or high. Being linear, the model explains itself
 * exactly: every feature's share of z is its weight, so the finding underlines the words whose
 * features weighed most.
 *
 * The trainer reads features through pg_features (ctx.c), which calls the same walker as
 * inference: a feature is spelled in one place, here. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

#define FEAT_MAX 96 /* longest feature string; longer words are cut (consistently) */

/* ---- hashing ---- */

uint64_t pg_model_hash(const char *s, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a, 64 bits */
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    return h ? h : 1; /* 0 marks an empty slot */
}

/* ---- the walker: every feature of a checked post ---- */

/* The word's form in features: its lexical form with each run of digits read as one 0. */
static size_t shape(const char *lex, size_t n, char *out, size_t cap) {
    size_t o = 0;
    for (size_t i = 0; i < n && o < cap; i++) {
        char ch = lex[i];
        if (ch >= '0' && ch <= '9') {
            if (o > 0 && out[o - 1] == '0' && i > 0 && lex[i - 1] >= '0' && lex[i - 1] <= '9') continue;
            ch = '0';
        }
        out[o++] = ch;
    }
    return o;
}

static int emit_str(pg_feat_emit emit, void *ud, const char *prefix, const char *s, size_t n,
                    pg_hit span) {
    char buf[FEAT_MAX];
    size_t pl = strlen(prefix);
    if (n > FEAT_MAX - pl) n = FEAT_MAX - pl;
    memcpy(buf, prefix, pl);
    memcpy(buf + pl, s, n);
    return emit(ud, buf, pl + n, span);
}

/* The few facts of the whole post, from the folded text (and the original, for capitals). */
static int walk_global(const pg_scratch *sc, pg_feat_emit emit, void *ud) {
    const char *t = sc->fold.text;
    size_t len = sc->fold.len;
    pg_hit all = {0, (uint32_t)len};
    int mention = 0, hashtag = 0, url = 0, bang = 0, question = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        char a = t[i], b = t[i + 1];
        int bw = (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '_';
        int lead = i == 0 || t[i - 1] == ' ' || t[i - 1] == '\n' || t[i - 1] == '(';
        if (a == '@' && bw && lead) mention = 1;
        if (a == '#' && bw && lead) hashtag = 1;
        if (a == '!' && b == '!') bang = 1;
        if (a == 'h' && b == 't' && i + 4 < len && memcmp(t + i, "http", 4) == 0) url = 1;
    }
    if (memchr(t, '?', len)) question = 1;
    size_t upper = 0, letters = 0;
    for (size_t i = 0; i < sc->srclen; i++) {
        unsigned char ch = (unsigned char)sc->src[i];
        if (ch >= 'A' && ch <= 'Z') upper++, letters++;
        else if (ch >= 'a' && ch <= 'z') letters++;
    }
    struct { int on; const char *name; } g[] = {
        {mention, "g:mention"}, {hashtag, "g:hashtag"}, {url, "g:url"}, {bang, "g:bang"},
        {question, "g:question"}, {letters >= 12 && upper * 10 >= letters * 6, "g:caps"},
    };
    for (size_t i = 0; i < sizeof g / sizeof *g; i++)
        if (g[i].on && emit(ud, g[i].name, strlen(g[i].name), all)) return -1;
    const char *lenf = sc->ntok < 15 ? "g:len0" : sc->ntok < 40 ? "g:len1" : sc->ntok < 100 ? "g:len2" : "g:len3";
    return emit(ud, lenf, strlen(lenf), all);
}

int pg_model_walk(const pg_scratch *sc, const pg_rawvec *raw, unsigned kinds, pg_feat_emit emit,
                  void *ud) {
    if ((kinds & PG_FK_GLOBAL) && walk_global(sc, emit, ud)) return -1;
    char cur[FEAT_MAX], prev[FEAT_MAX];
    size_t curn = 0, prevn = 0;
    for (size_t i = 0; i < sc->ntok; i++) {
        const pg_token *tk = &sc->tok[i];
        pg_hit span = {tk->s, tk->e};
        /* the folded word, not its leet-folded lexical form: "67m" is an age and sex, and real
         * leetspeak ("p4t13nt") was read as letters by normalise.c already */
        curn = shape(sc->fold.text + tk->s, tk->e - tk->s, cur, 40);
        if ((kinds & PG_FK_WORD) && emit_str(emit, ud, "w:", cur, curn, span)) return -1;
        if ((kinds & PG_FK_BIGRAM) && i > 0) {
            char pair[FEAT_MAX];
            memcpy(pair, prev, prevn);
            pair[prevn] = ' ';
            memcpy(pair + prevn + 1, cur, curn);
            pg_hit both = {sc->tok[i - 1].s, tk->e};
            if (emit_str(emit, ud, "b:", pair, prevn + 1 + curn, both)) return -1;
        }
        if ((kinds & PG_FK_CHAR4) && curn >= 3) {
            char edged[FEAT_MAX];
            edged[0] = '<';
            memcpy(edged + 1, cur, curn);
            edged[curn + 1] = '>';
            for (size_t k = 0; k + 4 <= curn + 2; k++)
                if (emit_str(emit, ud, "c:", edged + k, 4, span)) return -1;
        }
        memcpy(prev, cur, curn);
        prevn = curn;
    }
    if (kinds & PG_FK_LEX) {
        const pg_lexicons *lx = &sc->pack->lex;
        for (size_t li = 0; li < lx->n && li < sc->nlexhits; li++) {
            const pg_hitvec *hv = &sc->lexhits[li];
            if (!hv->n) continue;
            const char *name = lx->v[li].name;
            if (emit_str(emit, ud, "l:", name, strlen(name), hv->v[0])) return -1;
        }
    }
    if ((kinds & PG_FK_RULE) && raw) {
        for (size_t i = 0; i < raw->n; i++) {
            const pg_rule *r = raw->v[i].rule;
            if (r->learned) continue;
            if (emit_str(emit, ud, "r:", r->id, strlen(r->id), raw->v[i].spans[0])) return -1;
        }
    }
    return 0;
}

/* ---- loading the weights file ---- */

static const struct { const char *name; unsigned bit; } kind_names[] = {
    {"w", PG_FK_WORD}, {"b", PG_FK_BIGRAM}, {"c4", PG_FK_CHAR4},
    {"l", PG_FK_LEX},  {"r", PG_FK_RULE},   {"g", PG_FK_GLOBAL},
};

unsigned pg_model_kind_bit(const char *name, size_t n) {
    for (size_t i = 0; i < sizeof kind_names / sizeof *kind_names; i++)
        if (strlen(kind_names[i].name) == n && memcmp(kind_names[i].name, name, n) == 0)
            return kind_names[i].bit;
    return 0;
}

void pg_model_free(pg_model *m) {
    if (!m) return;
    free(m->slot_hash);
    free(m->slot_row);
    free(m->row_first);
    free(m->row_n);
    free(m->pair_cat);
    free(m->pair_w);
    free(m);
}

typedef struct mloader {
    pg_model *m;
    const char *file;
    long line;
    pg_error *err;
    size_t paircap, rowcap;
} mloader;

static pg_status mfail(mloader *L, const char *fmt, const char *what) {
    char msg[400];
    snprintf(msg, sizeof msg, fmt, what);
    return pg_fail(L->err, PG_ERULE, L->file, NULL, "model", L->line,
                   "%s:%ld: %s (the file is made by rules/tools/train.sh: run it again)",
                   L->file, L->line, msg);
}

/* Split line at tabs into at most max fields; returns the count. One pass over the bytes: the
 * fields are a few characters each, so a strchr call per field cost more than the scan. */
static int fields(char *line, char **f, int max) {
    int n = 0;
    char *p = line;
    f[n++] = p;
    for (; *p && n < max; p++)
        if (*p == '\t') {
            *p = '\0';
            f[n++] = p + 1;
        }
    return n;
}

/* The weights file is ~33,000 rows of short decimals ("0.07527", "-0.1381", "0"), and strtod
 * was a sixth of the host's start-up. A decimal of at most 15 digits and no exponent is
 * M / 10^k with M and 10^k (k <= 22) both exact doubles, so one IEEE division rounds it
 * exactly as strtod does (both are the correctly rounded nearest double): the same float.
 * Anything else goes to strtod. Returns 1 when it parsed, 0 to fall back. */
static int parse_short_decimal(const char *s, double *out, const char **end) {
    static const double pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *p = s;
    int neg = *p == '-';
    if (neg) p++;
    uint64_t mant = 0;
    int digits = 0, frac = 0, dot = 0;
    for (;; p++) {
        if (*p >= '0' && *p <= '9') {
            if (++digits > 15) return 0;
            mant = mant * 10 + (uint64_t)(*p - '0');
            frac += dot;
        } else if (*p == '.' && !dot) {
            dot = 1;
        } else {
            break;
        }
    }
    if (digits == 0 || frac > 22) return 0;
    double v = (double)mant / pow10[frac];
    *out = neg ? -v : v;
    *end = p; /* the caller decides what may follow */
    return 1;
}

static int parse_float(const char *s, float *out) {
    double q;
    const char *e;
    if (s[0] == '0' && s[1] == '\0') { /* most weights: a category the feature says nothing of */
        *out = 0.0f;
        return 0;
    }
    if (parse_short_decimal(s, &q, &e) && *e == '\0') {
        if (fabs(q) > 1e6) return -1;
        *out = (float)q;
        return 0;
    }
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || errno || !isfinite(v) || fabs(v) > 1e6) return -1;
    *out = (float)v;
    return 0;
}

/* One weight of a row, at v and ending at a tab or the line's end: 0 and *w, or -1. The
 * common forms ("0", a short decimal) are read in place; anything else is cut out at its tab
 * (*cut: where, to put the tab back) and read by parse_float. */
static int row_weight(char *v, float *w, char **next, char **cut) {
    double q;
    const char *e;
    *cut = NULL;
    if (v[0] == '0' && (v[1] == '\t' || v[1] == '\0')) { /* most weights */
        *w = 0.0f;
        *next = v + 1;
        return 0;
    }
    if (parse_short_decimal(v, &q, &e) && (*e == '\t' || *e == '\0') && fabs(q) <= 1e6) {
        *w = (float)q;
        *next = (char *)e;
        return 0;
    }
    char *t = strchr(v, '\t');
    if (t) *t = '\0', *cut = t;
    *next = t ? t : v + strlen(v);
    return parse_float(v, w);
}

/* A weight row, "feature<TAB>w1<TAB>...<TAB>wN" with one weight per category, read in one
 * pass over its bytes (splitting it into fields first, then reading each, was most of the
 * load): the zero weights, most of them, are stored as nothing. */
static pg_status add_row(mloader *L, char *line) {
    pg_model *m = L->m;
    if (m->nrows == L->rowcap) {
        size_t nc = L->rowcap ? L->rowcap * 2 : 4096;
        uint32_t *f = realloc(m->row_first, nc * sizeof *f);
        if (!f) return PG_ENOMEM;
        m->row_first = f;
        uint8_t *c = realloc(m->row_n, nc);
        if (!c) return PG_ENOMEM;
        m->row_n = c;
        L->rowcap = nc;
    }
    m->row_first[m->nrows] = (uint32_t)m->npairs;
    m->row_n[m->nrows] = 0;
    char *p = strchr(line, '\t'), *bad = NULL;
    size_t flen = p ? (size_t)(p - line) : strlen(line);
    int nvals = 0;
    while (p && *p == '\t') { /* p: the tab before a weight */
        *p++ = '\0';
        char *next, *cut;
        float w;
        int c = nvals++;
        if (row_weight(p, &w, &next, &cut)) {
            bad = p; /* reported once the fields are counted, as before */
            if (cut) { /* the bad field keeps its end for the message; count those after it */
                for (char *q = cut + 1; *q; q++) nvals += *q == '\t';
                nvals++;
            }
            break;
        }
        if (cut) *cut = '\t';
        if (w != 0.0f && c < m->ncat) {
            if (m->npairs == L->paircap) {
                size_t nc = L->paircap ? L->paircap * 2 : 8192;
                uint8_t *pc = realloc(m->pair_cat, nc);
                if (!pc) return PG_ENOMEM;
                m->pair_cat = pc;
                float *pw = realloc(m->pair_w, nc * sizeof *pw);
                if (!pw) return PG_ENOMEM;
                m->pair_w = pw;
                L->paircap = nc;
            }
            m->pair_cat[m->npairs] = (uint8_t)c;
            m->pair_w[m->npairs++] = w;
            m->row_n[m->nrows]++;
        }
        p = next;
    }
    if (nvals != m->ncat) return mfail(L, "a weight row needs one number per category%s", "");
    if (bad) return mfail(L, "'%s' is not a number", bad);
    /* the row's hash goes in the table once every row is read; keep it in the slot array */
    uint64_t h = pg_model_hash(line, flen);
    if (m->nrows == m->cap) { /* slot_hash doubles as the rows' hash list while loading */
        size_t nc = m->cap ? m->cap * 2 : 4096;
        uint64_t *v = realloc(m->slot_hash, nc * sizeof *v);
        if (!v) return PG_ENOMEM;
        m->slot_hash = v;
        m->cap = nc;
    }
    m->slot_hash[m->nrows++] = h;
    return PG_OK;
}

/* Size the row and pair arrays once, from the file's length: a row is at least 4 bytes and a
 * nonzero weight at least 2, so these bounds are never passed. Doubling as the rows came in
 * copied ~2 MB several times (a tenth of the load); the bounds only reserve address space,
 * since pages no row reaches are never touched, and shrink() gives the rest back. Past
 * PG_MODEL_PRESIZE_MAX bytes the arrays grow by doubling as before. */
#define PG_MODEL_PRESIZE_MAX ((long)64 << 20)
#define PG_MODEL_FILE_MAX ((size_t)1 << 30) /* a weights file is never this big */

static void presize(mloader *L, size_t size) {
    pg_model *m = L->m;
    if (size == 0 || size > (size_t)PG_MODEL_PRESIZE_MAX) return;
    size_t rows = size / 4 + 1, pairs = size / 2 + 1;
    m->row_first = malloc(rows * sizeof *m->row_first);
    m->row_n = malloc(rows);
    m->slot_hash = malloc(rows * sizeof *m->slot_hash);
    m->pair_cat = malloc(pairs);
    m->pair_w = malloc(pairs * sizeof *m->pair_w);
    if (m->row_first && m->row_n && m->slot_hash) L->rowcap = m->cap = rows;
    if (m->pair_cat && m->pair_w) L->paircap = pairs;
    /* a failed malloc leaves its capacity 0: add_row's realloc then grows from scratch */
    if (!L->rowcap) m->cap = 0;
}

/* Give back what presize reserved past the last row and pair (no copy: shrinking in place). */
static void shrink(pg_model *m) {
    size_t rows = m->nrows ? m->nrows : 1, pairs = m->npairs ? m->npairs : 1;
    void *p;
    if ((p = realloc(m->row_first, rows * sizeof *m->row_first))) m->row_first = p;
    if ((p = realloc(m->row_n, rows))) m->row_n = p;
    if ((p = realloc(m->slot_hash, rows * sizeof *m->slot_hash))) m->slot_hash = p, m->cap = rows;
    if ((p = realloc(m->pair_cat, pairs))) m->pair_cat = p;
    if ((p = realloc(m->pair_w, pairs * sizeof *m->pair_w))) m->pair_w = p;
}

/* Turn the list of row hashes into an open-addressing table (hash -> row). */
static pg_status build_table(mloader *L) {
    pg_model *m = L->m;
    size_t cap = 16; /* load factor at most 3/4: the table is most of the model's memory */
    while (cap * 3 < m->nrows * 4) cap *= 2;
    uint64_t *hashes = calloc(cap, sizeof *hashes);
    uint32_t *rows = malloc(cap * sizeof *rows);
    if (!hashes || !rows) {
        free(hashes);
        free(rows);
        return PG_ENOMEM;
    }
    for (size_t r = 0; r < m->nrows; r++) {
        uint64_t h = m->slot_hash[r];
        size_t i = (size_t)h & (cap - 1);
        while (hashes[i] && hashes[i] != h) i = (i + 1) & (cap - 1);
        if (hashes[i] == h) {
            free(hashes);
            free(rows);
            L->line = -1;
            return mfail(L, "two weight rows name the same feature%s", "");
        }
        hashes[i] = h;
        rows[i] = (uint32_t)r;
    }
    free(m->slot_hash);
    m->slot_hash = hashes;
    m->slot_row = rows;
    m->cap = cap;
    return PG_OK;
}

pg_status pg_model_load(const char *path, pg_model **out, pg_error *err) {
    *out = NULL;
    /* the whole file in one read, its lines split in place: getline's copy of each of the
     * ~35,000 lines was a tenth of the load */
    char *buf;
    size_t size;
    int e = pg_read_regular(path, PG_MODEL_FILE_MAX, &buf, &size);
    if (e)
        return pg_fail(err, e == ENOENT ? PG_ENOTFOUND : PG_EIO, path, NULL, "model", -1,
                       "cannot read the learned scorer's weights %s: %s (reinstall PostGuard, or "
                       "make them with rules/tools/train.sh)", path, pg_open_strerror(e));
    pg_model *m = calloc(1, sizeof *m);
    if (!m) {
        free(buf);
        return pg_fail(err, PG_ENOMEM, path, NULL, NULL, -1, "out of memory");
    }
    mloader L = {m, path, 0, err, 0, 0};
    presize(&L, size);
    pg_status st = PG_OK;
    int have_cats = 0, have_bias = 0, have_thr = 0, have_magic = 0;
    for (char *line = buf, *end = buf + size, *nl; st == PG_OK && line < end; line = nl + 1) {
        L.line++;
        if (!(nl = memchr(line, '\n', (size_t)(end - line)))) nl = end; /* the last line */
        *nl = '\0';
        if (nl == line || line[0] == '#') continue;
        if (have_cats && line[0] && line[0] != '\t' && line[1] == ':') { /* nearly every line */
            st = add_row(&L, line);
            continue;
        }
        char *f[PG_MODEL_MAX_CATS + 2];
        int nf = fields(line, f, PG_MODEL_MAX_CATS + 2);
        if (!have_magic) {
            if (strcmp(f[0], "postguard-model") || nf != 2 || strcmp(f[1], "1"))
                st = mfail(&L, "the first line must be 'postguard-model<TAB>1'%s", "");
            have_magic = 1;
        } else if (strcmp(f[0], "categories") == 0) {
            if (nf < 2 || nf - 1 > PG_MODEL_MAX_CATS) { st = mfail(&L, "1 to 16 categories%s", ""); break; }
            m->ncat = nf - 1;
            for (int c = 0; c < m->ncat && st == PG_OK; c++) {
                const char *const *k = pg_categories();
                while (*k && strcmp(*k, f[c + 1])) k++;
                if (!*k) st = mfail(&L, "'%s' is not one of DESIGN.md's categories", f[c + 1]);
                else m->cats[c] = *k;
            }
            have_cats = 1;
        } else if (!have_cats) {
            st = mfail(&L, "'categories' must come before '%s'", f[0]);
        } else if (strcmp(f[0], "features") == 0) {
            for (int i = 1; i < nf && st == PG_OK; i++) {
                char *tok = f[i], *save = NULL;
                for (char *w = strtok_r(tok, " ", &save); w && st == PG_OK; w = strtok_r(NULL, " ", &save)) {
                    unsigned b = pg_model_kind_bit(w, strlen(w));
                    if (!b) st = mfail(&L, "unknown feature kind '%s'", w);
                    m->kinds |= b;
                }
            }
        } else if (strcmp(f[0], "bias") == 0 || strcmp(f[0], "threshold") == 0 ||
                   strcmp(f[0], "veto") == 0) {
            int thr = f[0][0] == 't', veto = f[0][0] == 'v';
            if (nf - 1 != m->ncat) { st = mfail(&L, "'%s' needs one number per category", f[0]); break; }
            for (int c = 0; c < m->ncat && st == PG_OK; c++) {
                float v;
                if (parse_float(f[c + 1], &v) || (thr && (v <= 0 || v >= 1)) || (veto && (v < 0 || v >= 1)))
                    st = mfail(&L, thr || veto ? "'%s' is not a probability from 0 to 1" : "'%s' is not a number", f[c + 1]);
                else if (thr) m->threshold[c] = v;
                else if (veto) m->veto[c] = v;
                else m->bias[c] = v;
            }
            if (thr) have_thr = 1;
            else if (!veto) have_bias = 1;
        } else {
            st = mfail(&L, "unknown line '%s'", f[0]);
        }
    }
    free(buf);
    if (st == PG_ENOMEM) {
        pg_model_free(m);
        return pg_fail(err, PG_ENOMEM, path, NULL, NULL, -1, "out of memory");
    }
    if (st == PG_OK && (!have_magic || !have_cats || !have_bias || !have_thr || !m->kinds)) {
        L.line = -1;
        st = mfail(&L, "the file needs the lines postguard-model, categories, features, bias and threshold%s", "");
    }
    if (st == PG_OK) shrink(m);
    if (st == PG_OK) st = build_table(&L);
    if (st == PG_ENOMEM) st = pg_fail(err, PG_ENOMEM, path, NULL, NULL, -1, "out of memory");
    if (st != PG_OK) {
        pg_model_free(m);
        return st;
    }
    *out = m;
    return PG_OK;
}

int pg_model_category(const pg_model *m, const char *category) {
    for (int c = 0; c < m->ncat; c++)
        if (strcmp(m->cats[c], category) == 0) return c;
    return -1;
}

static long find_row(const pg_model *m, uint64_t h) {
    size_t i = (size_t)h & (m->cap - 1);
    while (m->slot_hash[i]) {
        if (m->slot_hash[i] == h) return (long)m->slot_row[i];
        i = (i + 1) & (m->cap - 1);
    }
    return -1;
}

/* ---- inference ---- */

typedef struct infer {
    pg_scratch *sc;
    const pg_model *m;
    int fail;
} infer;

static int emit_infer(void *ud, const char *f, size_t n, pg_hit span) {
    infer *in = ud;
    pg_scratch *sc = in->sc;
    long row = find_row(in->m, pg_model_hash(f, n));
    if (row < 0 || sc->mstamp[row] == sc->mgen) return 0; /* unknown, or counted already */
    sc->mstamp[row] = sc->mgen;
    if (sc->nmf == sc->mfcap) {
        size_t nc = sc->mfcap ? sc->mfcap * 2 : 256;
        pg_mfeat *v = realloc(sc->mf, nc * sizeof *v);
        if (!v) return in->fail = -1;
        sc->mf = v;
        sc->mfcap = nc;
    }
    sc->mf[sc->nmf].row = (uint32_t)row;
    sc->mf[sc->nmf++].span = span;
    return 0;
}

double pg_model_norm(size_t ntok) {
    double q = (double)ntok / PG_MODEL_NORM_WORDS;
    return q > 1 ? 1.0 / sqrt(q) : 1.0;
}

int pg_model_scratch(pg_scratch *sc, const pg_model *m) {
    free(sc->mstamp);
    sc->mstamp = NULL;
    sc->mgen = 0;
    if (!m) return 0;
    sc->mstamp = calloc(m->nrows ? m->nrows : 1, sizeof *sc->mstamp);
    return sc->mstamp ? 0 : -1;
}

/* Does a rule (not a learned one) of category cat already stand at medium or high? */
static int rules_flagged(const pg_rawvec *raw, size_t nrule_findings, const char *cat) {
    for (size_t i = 0; i < nrule_findings; i++)
        if (raw->v[i].severity >= PG_SEV_MEDIUM && strcmp(raw->v[i].rule->category, cat) == 0)
            return 1;
    return 0;
}

pg_status pg_model_apply(pg_scratch *sc, pg_rawvec *raw) {
    const pg_pack *p = sc->pack;
    const pg_model *m = p->model;
    if (!m || !sc->mstamp) return PG_OK;
    int any = 0;
    for (size_t i = 0; i < p->nrules && !any; i++) any = p->rules[i].learned && p->rules[i].enabled;
    if (!any) return PG_OK;
    if (++sc->mgen == 0) { /* the stamp wrapped: clear it once every 4 billion checks */
        memset(sc->mstamp, 0, m->nrows * sizeof *sc->mstamp);
        sc->mgen = 1;
    }
    sc->nmf = 0;
    infer in = {sc, m, 0};
    if (pg_model_walk(sc, raw, m->kinds, emit_infer, &in) || in.fail) return PG_ENOMEM;
    double v = pg_model_norm(sc->ntok);
    double z[PG_MODEL_MAX_CATS], prob[PG_MODEL_MAX_CATS];
    for (int c = 0; c < m->ncat; c++) z[c] = 0;
    for (size_t i = 0; i < sc->nmf; i++) {
        uint32_t r = sc->mf[i].row;
        for (uint32_t k = m->row_first[r]; k < m->row_first[r] + m->row_n[r]; k++)
            z[m->pair_cat[k]] += m->pair_w[k];
    }
    for (int c = 0; c < m->ncat; c++) prob[c] = 1.0 / (1.0 + exp(-(m->bias[c] + v * z[c])));
    /* The veto: where the model finds a category very unlikely, a medium finding of a rule of
     * that category (one the trainer found often wrong on new authors' posts) is dropped; high
     * findings always stand. Only while the category's learned rule is enabled. */
    for (size_t i = 0; i < p->nrules; i++) {
        const pg_rule *r = &p->rules[i];
        if (!r->learned || !r->enabled || r->model_cat < 0) continue;
        int c = r->model_cat;
        if (m->veto[c] <= 0 || prob[c] >= m->veto[c]) continue;
        size_t o = 0;
        for (size_t k = 0; k < raw->n; k++)
            if (!(raw->v[k].severity == PG_SEV_MEDIUM && strcmp(raw->v[k].rule->category, r->category) == 0))
                raw->v[o++] = raw->v[k];
        raw->n = o;
    }
    size_t nrule_findings = raw->n;
    for (size_t i = 0; i < p->nrules; i++) {
        const pg_rule *r = &p->rules[i];
        if (!r->learned || !r->enabled || r->model_cat < 0) continue;
        int c = r->model_cat;
        if (prob[c] < m->threshold[c] || rules_flagged(raw, nrule_findings, r->category)) continue;
        /* the features that weighed most for c, heaviest first: the words to underline */
        enum { TOP = 6 };
        size_t top[TOP];
        float topw[TOP];
        int ntop = 0;
        for (size_t j = 0; j < sc->nmf; j++) {
            uint32_t row = sc->mf[j].row;
            float w = 0;
            for (uint32_t k = m->row_first[row]; k < m->row_first[row] + m->row_n[row]; k++)
                if (m->pair_cat[k] == c) w = m->pair_w[k];
            if (w <= 0 || sc->mf[j].span.e <= sc->mf[j].span.s) continue;
            if (sc->mf[j].span.s == 0 && sc->mf[j].span.e == sc->fold.len && sc->ntok > 1) continue; /* a fact of the whole post */
            int at = ntop < TOP ? ntop : TOP;
            while (at > 0 && topw[at - 1] < w) at--;
            if (at >= TOP) continue;
            int last = ntop < TOP ? ntop : TOP - 1;
            for (int q = last; q > at; q--) top[q] = top[q - 1], topw[q] = topw[q - 1];
            top[at] = j;
            topw[at] = w;
            if (ntop < TOP) ntop++;
        }
        if (ntop == 0) continue; /* nothing in the text to point at: no finding */
        pg_raw_finding f;
        memset(&f, 0, sizeof f);
        f.rule = r;
        f.severity = r->override != PG_SEV_NONE ? r->override : r->severity;
        f.prob = prob[c];
        for (int q = 0; q < ntop; q++) {
            pg_hit h = sc->mf[top[q]].span;
            int dup = 0;
            for (size_t s = 0; s < f.nspans; s++) dup |= f.spans[s].s == h.s && f.spans[s].e == h.e;
            if (!dup) f.spans[f.nspans++] = h;
        }
        if (pg_rawvec_push(raw, &f)) return PG_ENOMEM;
    }
    return PG_OK;
}
