/* model_load.c - reading the learned scorer's weights file (rules/model/weights.tsv) into a
 * pg_model: the categories, their bias, threshold and veto, and one row of weights per feature
 * hash, in an open-addressing table. The format and the model itself are described in model.c. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

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
