/* postguard-train - makes the learned scorer's weights (rules/model/weights.tsv) from labelled
 * posts; a thin program on the engine, which spells the features (pg_features).
 *
 *   postguard-train [--rules DIR] [--out FILE] [--test FILE]... [--curve] TRAIN.jsonl...
 *
 * For each category, a logistic regression over the post's distinct features, fitted by
 * FTRL-proximal (L1 keeps the weights sparse, L2 keeps them small) in a fixed order, so the
 * same posts and pack always give the same file. Each category's threshold is calibrated on
 * posts the model did not see: the posts are grouped by author, each group is scored by a
 * model trained on the others, and the thresholds are the lowest that keep the share of fine
 * posts the model flags beyond the rules at or under --fine-rate (1%). --test files are only
 * scored, never trained or calibrated on, beside the rules alone; --curve repeats training on
 * the first 1, 2, 3, 4, 6, ... authors and scores each on the --test files (the learning curve
 * by source). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "postguard.h"

#define MAXCAT 16

static const char *const *cats; /* pg_categories() */
static int ncat;

typedef struct post {
    char *id, *author, *text;
    int expect[MAXCAT], allow[MAXCAT]; /* 0/1 per category */
    int risky;                          /* expect not empty */
    int rule_flag[MAXCAT];              /* a rule finding of the category at medium or high */
    int rule_high[MAXCAT];              /* ... at high (never vetoed by the model) */
    int *feat;                          /* feature indexes (distinct) */
    int nfeat, ntok;
} post;

typedef struct vocab {
    char **name;
    int *df;      /* posts having the feature */
    int n, cap;
    uint64_t *hash; /* open addressing over names */
    int *slot;
    size_t hcap;
} vocab;

static uint64_t fnv(const char *s, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
    return h ? h : 1;
}

static void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "postguard-train: out of memory\n");
        exit(2);
    }
    return q;
}

static int vocab_id(vocab *v, const char *s, size_t n) {
    if ((size_t)v->n * 2 >= v->hcap) {
        size_t nc = v->hcap ? v->hcap * 2 : 65536;
        uint64_t *nh = calloc(nc, sizeof *nh);
        int *ns = xrealloc(NULL, nc * sizeof *ns);
        if (!nh) exit(2);
        for (size_t i = 0; i < v->hcap; i++) {
            if (!v->hash[i]) continue;
            size_t j = v->hash[i] & (nc - 1);
            while (nh[j]) j = (j + 1) & (nc - 1);
            nh[j] = v->hash[i];
            ns[j] = v->slot[i];
        }
        free(v->hash);
        free(v->slot);
        v->hash = nh;
        v->slot = ns;
        v->hcap = nc;
    }
    uint64_t h = fnv(s, n);
    size_t j = h & (v->hcap - 1);
    while (v->hash[j]) {
        if (v->hash[j] == h && strlen(v->name[v->slot[j]]) == n && memcmp(v->name[v->slot[j]], s, n) == 0)
            return v->slot[j];
        j = (j + 1) & (v->hcap - 1);
    }
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 65536;
        v->name = xrealloc(v->name, (size_t)v->cap * sizeof *v->name);
        v->df = xrealloc(v->df, (size_t)v->cap * sizeof *v->df);
    }
    char *copy = xrealloc(NULL, n + 1);
    memcpy(copy, s, n);
    copy[n] = '\0';
    v->name[v->n] = copy;
    v->df[v->n] = 0;
    v->hash[j] = h;
    v->slot[j] = v->n;
    return v->n++;
}

/* ---- reading posts ---- */

typedef struct posts {
    post *v;
    int n, cap;
} posts;

static int cat_index(const char *name) {
    for (int c = 0; c < ncat; c++)
        if (strcmp(cats[c], name) == 0) return c;
    return -1;
}

static int read_cats(const cJSON *arr, int *out, const char *file, long line, const char *key) {
    memset(out, 0, MAXCAT * sizeof *out);
    if (!arr) return 0;
    if (!cJSON_IsArray(arr)) {
        fprintf(stderr, "postguard-train: %s:%ld: \"%s\" must be a list of categories\n", file, line, key);
        return -1;
    }
    for (const cJSON *e = arr->child; e; e = e->next) {
        int c = cJSON_IsString(e) ? cat_index(e->valuestring) : -1;
        if (c < 0) {
            fprintf(stderr, "postguard-train: %s:%ld: \"%s\" holds %s, not one of DESIGN.md's categories\n",
                    file, line, key, cJSON_IsString(e) ? e->valuestring : "a non-string");
            return -1;
        }
        out[c] = 1;
    }
    return 0;
}

static const char *base_name(const char *path) {
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int read_posts(const char *file, posts *ps) {
    FILE *fp = fopen(file, "r");
    if (!fp) {
        fprintf(stderr, "postguard-train: cannot read %s: %s\n", file, strerror(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    long ln = 0;
    ssize_t n;
    int rc = 0;
    while ((n = getline(&line, &cap, fp)) >= 0) {
        ln++;
        if (n <= 1) continue;
        cJSON *j = cJSON_ParseWithLength(line, (size_t)n);
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(j, "text");
        if (!j || !cJSON_IsString(text)) {
            fprintf(stderr, "postguard-train: %s:%ld: not a JSON object with a \"text\" string\n", file, ln);
            cJSON_Delete(j);
            rc = -1;
            break;
        }
        if (ps->n == ps->cap) {
            ps->cap = ps->cap ? ps->cap * 2 : 1024;
            ps->v = xrealloc(ps->v, (size_t)ps->cap * sizeof *ps->v);
        }
        post *p = &ps->v[ps->n];
        memset(p, 0, sizeof *p);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
        const cJSON *au = cJSON_GetObjectItemCaseSensitive(j, "author");
        char fallback[64];
        snprintf(fallback, sizeof fallback, "%s:%ld", base_name(file), ln);
        p->id = strdup(cJSON_IsString(id) ? id->valuestring : fallback);
        /* posts without an author are grouped by their file: one file, one author */
        p->author = strdup(cJSON_IsString(au) && au->valuestring[0] ? au->valuestring : base_name(file));
        p->text = strdup(text->valuestring);
        if (!p->id || !p->author || !p->text ||
            read_cats(cJSON_GetObjectItemCaseSensitive(j, "expect"), p->expect, file, ln, "expect") ||
            read_cats(cJSON_GetObjectItemCaseSensitive(j, "allow"), p->allow, file, ln, "allow")) {
            cJSON_Delete(j);
            rc = -1;
            break;
        }
        for (int c = 0; c < ncat; c++) p->risky |= p->expect[c];
        ps->n++;
        cJSON_Delete(j);
    }
    free(line);
    fclose(fp);
    return rc;
}

/* ---- features, through the engine ---- */

static char kinds[64] = "w b c4 l r g"; /* --features: the kinds trained on */

/* Is feature f (e.g. "c:pati") of a kind in the --features list? */
static int kind_on(const char *f, size_t n) {
    size_t k = 0;
    while (k < n && f[k] != ':') k++;
    char name[8];
    if (k >= sizeof name - 1) return 0;
    memcpy(name, f, k);
    name[k] = '\0';
    if (strcmp(name, "c") == 0) strcpy(name, "c4");
    for (const char *p = kinds; *p;) {
        size_t l = strcspn(p, " ");
        if (l == strlen(name) && memcmp(p, name, l) == 0) return 1;
        p += l;
        while (*p == ' ') p++;
    }
    return 0;
}

typedef struct featbuf {
    vocab *voc;
    int *v;
    int n, cap;
} featbuf;

static int take_feature(void *ud, const char *f, size_t n) {
    featbuf *fb = ud;
    if (!kind_on(f, n)) return 0;
    if (fb->n == fb->cap) {
        fb->cap = fb->cap ? fb->cap * 2 : 512;
        fb->v = xrealloc(fb->v, (size_t)fb->cap * sizeof *fb->v);
    }
    fb->v[fb->n++] = vocab_id(fb->voc, f, n);
    return 0;
}

static int featurise(pg_ctx *ctx, posts *ps, vocab *voc) {
    for (int i = 0; i < ps->n; i++) {
        post *p = &ps->v[i];
        pg_error err;
        featbuf fb = {voc, NULL, 0, 0};
        size_t words = 0;
        if (pg_features(ctx, p->text, strlen(p->text), take_feature, &fb, &words, &err) != PG_OK) {
            fprintf(stderr, "postguard-train: post %s: %s\n", p->id, err.message);
            return -1;
        }
        p->feat = fb.v;
        p->nfeat = fb.n;
        p->ntok = (int)words;
        pg_result *res = NULL;
        if (pg_check(ctx, p->text, strlen(p->text), &res, &err) != PG_OK) {
            fprintf(stderr, "postguard-train: post %s: %s\n", p->id, err.message);
            return -1;
        }
        for (size_t k = 0; k < res->nfindings; k++)
            if (res->findings[k].severity >= PG_SEV_MEDIUM) {
                int c = cat_index(res->findings[k].category);
                if (c >= 0) p->rule_flag[c] = 1;
                if (c >= 0 && res->findings[k].severity == PG_SEV_HIGH) p->rule_high[c] = 1;
            }
        pg_result_free(res);
    }
    return 0;
}

/* ---- the model ---- */

typedef struct params {
    double alpha, beta, l1, l2;
    int epochs;
    int min_df;
    double fine_rate;
    double veto_cap, veto_loss; /* the highest veto, and the share of right findings it may drop */
} params;

typedef struct model {
    int nf;
    float *w; /* nf * ncat */
    double bias[MAXCAT];
    double thr[MAXCAT];
    double veto[MAXCAT]; /* a medium rule finding stands only where p reaches this */
} model;

static double norm_of(int ntok) {
    double q = ntok / 20.0; /* PG_MODEL_NORM_WORDS in host/lib/internal.h */
    return q > 1 ? 1.0 / sqrt(q) : 1.0;
}

static uint64_t rng_next(uint64_t *s) {
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* FTRL-proximal per category over the posts idx[0..n) (features with df >= min_df). */
static void train(const posts *ps, const int *idx, int n, const vocab *voc, const params *pr,
                  const int *keep, model *m) {
    int nf = voc->n;
    m->nf = nf;
    m->w = calloc((size_t)nf * ncat, sizeof *m->w);
    double *z = calloc((size_t)nf * ncat, sizeof *z), *q = calloc((size_t)nf * ncat, sizeof *q);
    double zb[MAXCAT] = {0}, qb[MAXCAT] = {0};
    int *order = xrealloc(NULL, (size_t)(n ? n : 1) * sizeof *order);
    if (!m->w || !z || !q) exit(2);
    memcpy(order, idx, (size_t)n * sizeof *order);
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    for (int ep = 0; ep < pr->epochs; ep++) {
        for (int i = n - 1; i > 0; i--) { /* Fisher-Yates with a fixed seed */
            int j = (int)(rng_next(&seed) % (uint64_t)(i + 1));
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        for (int k = 0; k < n; k++) {
            const post *p = &ps->v[order[k]];
            double v = norm_of(p->ntok);
            for (int c = 0; c < ncat; c++) {
                if (p->allow[c] && !p->expect[c]) continue; /* borderline: no label */
                double y = p->expect[c];
                double s = 0;
                /* the weights of this post's features, from z and q (FTRL's closed form) */
                for (int f = 0; f < p->nfeat; f++) {
                    int j = p->feat[f];
                    if (!keep[j]) continue;
                    size_t o = (size_t)j * ncat + c;
                    double zz = z[o];
                    double w = 0;
                    if (fabs(zz) > pr->l1)
                        w = -(zz - (zz > 0 ? pr->l1 : -pr->l1)) / ((pr->beta + sqrt(q[o])) / pr->alpha + pr->l2);
                    m->w[o] = (float)w;
                    s += w * v;
                }
                double wb = -zb[c] / ((pr->beta + sqrt(qb[c])) / pr->alpha);
                s += wb;
                double pz = 1.0 / (1.0 + exp(-s));
                double g = pz - y;
                for (int f = 0; f < p->nfeat; f++) {
                    int j = p->feat[f];
                    if (!keep[j]) continue;
                    size_t o = (size_t)j * ncat + c;
                    double gi = g * v;
                    double sigma = (sqrt(q[o] + gi * gi) - sqrt(q[o])) / pr->alpha;
                    z[o] += gi - sigma * m->w[o];
                    q[o] += gi * gi;
                }
                double sb = (sqrt(qb[c] + g * g) - sqrt(qb[c])) / pr->alpha;
                zb[c] += g - sb * wb;
                qb[c] += g * g;
            }
        }
    }
    /* the final weights, from the final state */
    for (size_t o = 0; o < (size_t)nf * ncat; o++) {
        double zz = z[o], w = 0;
        if (fabs(zz) > pr->l1)
            w = -(zz - (zz > 0 ? pr->l1 : -pr->l1)) / ((pr->beta + sqrt(q[o])) / pr->alpha + pr->l2);
        m->w[o] = (float)w;
    }
    for (int c = 0; c < ncat; c++) m->bias[c] = -zb[c] / ((pr->beta + sqrt(qb[c])) / pr->alpha);
    free(z);
    free(q);
    free(order);
}

/* The weights as the engine will read them: printed with 4 significant digits. */
static void round_weights(model *m) {
    char buf[32];
    for (size_t o = 0; o < (size_t)m->nf * ncat; o++) {
        if (m->w[o] == 0) continue;
        snprintf(buf, sizeof buf, "%.4g", m->w[o]);
        m->w[o] = strtof(buf, NULL);
    }
    for (int c = 0; c < ncat; c++) {
        snprintf(buf, sizeof buf, "%.4g", m->bias[c]);
        m->bias[c] = strtod(buf, NULL);
    }
}

static void predict(const model *m, const post *p, const int *keep, double *prob) {
    double v = norm_of(p->ntok);
    double z[MAXCAT] = {0};
    for (int f = 0; f < p->nfeat; f++) {
        int j = p->feat[f];
        if (!keep[j] || j >= m->nf) continue;
        for (int c = 0; c < ncat; c++) z[c] += m->w[(size_t)j * ncat + c];
    }
    for (int c = 0; c < ncat; c++) prob[c] = 1.0 / (1.0 + exp(-(m->bias[c] + v * z[c])));
}

/* ---- calibration ---- */

/* Does a rule's finding of category c stand: high, or medium where the model does not veto it? */
static int rule_stands(const post *p, int c, const double *prob, const double *veto) {
    return p->rule_high[c] || (p->rule_flag[c] && prob[c] >= veto[c]);
}

/* Is post p flagged outside what it allows, by rules or by the model at thresholds thr? */
static int fine_flagged(const post *p, const double *prob, const double *thr, const double *veto) {
    for (int c = 0; c < ncat; c++) {
        if (p->allow[c]) continue;
        if (rule_stands(p, c, prob, veto) || prob[c] >= thr[c]) return 1;
    }
    return 0;
}

/* The veto of each category: the probability under which a medium rule finding is dropped.
 * Among the held-out posts a medium (not high) rule finding flags, it is the value that drops
 * the most wrong findings for the right ones it costs (each counted twice), losing at most
 * --veto-loss (3%) of the right ones and never above --veto-cap (0.02); 0 (no veto) where that
 * drops none. The fine posts the vetoes spare are budget the model can spend on recall. */
static void calibrate_veto(const posts *ps, const int *idx, int n, const double *oof, const params *pr,
                           double *veto) {
    for (int c = 0; c < ncat; c++) {
        veto[c] = 0;
        int good = 0;
        for (int k = 0; k < n; k++) {
            const post *p = &ps->v[idx[k]];
            good += p->rule_flag[c] && !p->rule_high[c] && p->expect[c];
        }
        double best = 0;
        int best_gain = 0;
        for (int a = 0; a < n; a++) { /* every held-out probability is a candidate veto */
            const post *pa = &ps->v[idx[a]];
            if (!pa->rule_flag[c] || pa->rule_high[c]) continue;
            double v = oof[(size_t)a * ncat + c] + 1e-9;
            int lost = 0, dropped = 0;
            for (int k = 0; k < n; k++) {
                const post *p = &ps->v[idx[k]];
                if (!p->rule_flag[c] || p->rule_high[c] || oof[(size_t)k * ncat + c] >= v) continue;
                if (p->expect[c]) lost++;
                else if (!p->allow[c]) dropped++;
            }
            int gain = dropped - 2 * lost;
            if (lost <= pr->veto_loss * good && gain > best_gain) best_gain = gain, best = v;
        }
        if (best > pr->veto_cap) best = pr->veto_cap; /* a veto only where the model is all but sure */
        char buf[32];
        snprintf(buf, sizeof buf, "%.4g", best);
        veto[c] = strtod(buf, NULL);
    }
}

/* Thresholds from out-of-fold probabilities oof (n posts x ncat), shared out greedily: every
 * threshold starts above every score, and at each step the category whose next run of held-out
 * positives brings the most macro recall per newly flagged fine post lowers its threshold to
 * the end of that run, while the fine posts the model flags beyond those the rules flag stay
 * at or under the target rate. Looking past the next positive matters: a category whose first
 * unflagged positive sits just under one fine post would otherwise never be reached. No category
 * takes more than twice its even share of the budget, so that no threshold rests on two or three
 * fine posts. */
typedef struct scored {
    double p;
    int k;
} scored;

static int cmp_scored_desc(const void *a, const void *b) {
    double x = ((const scored *)a)->p, y = ((const scored *)b)->p;
    return (x < y) - (x > y);
}

static void calibrate(const posts *ps, const int *idx, int n, const double *oof, double target,
                      const double *veto, double *thr) {
    scored *order[MAXCAT];
    int at[MAXCAT], npos[MAXCAT];
    int fine = 0;
    int *open = calloc((size_t)(n ? n : 1), sizeof *open); /* a fine post rules leave unflagged */
    int *hits = calloc((size_t)(n ? n : 1), sizeof *hits); /* ... and how many categories flag it now */
    if (!open || !hits) exit(2);
    for (int k = 0; k < n; k++) {
        const post *p = &ps->v[idx[k]];
        if (p->risky) continue;
        fine++;
        open[k] = 1;
        for (int c = 0; c < ncat; c++)
            if (!p->allow[c] && rule_stands(p, c, &oof[(size_t)k * ncat], veto)) open[k] = 0;
    }
    int budget = (int)floor(target * fine + 1e-9), used = 0;
    /* no category may take more than twice its even share: the budget is a few dozen posts,
     * and one category spending it all on a run of cheap held-out positives would leave a
     * threshold set by two or three fine posts, which the next retraining moves far */
    int cap = (int)ceil(2.0 * budget / (ncat ? ncat : 1)), spent[MAXCAT] = {0};
    for (int c = 0; c < ncat; c++) {
        order[c] = xrealloc(NULL, (size_t)(n ? n : 1) * sizeof(scored));
        npos[c] = 0;
        for (int k = 0; k < n; k++) {
            order[c][k].p = oof[(size_t)k * ncat + c];
            order[c][k].k = k;
            npos[c] += ps->v[idx[k]].expect[c];
        }
        qsort(order[c], (size_t)n, sizeof(scored), cmp_scored_desc);
        at[c] = 0; /* order[c][0 .. at) are flagged */
    }
    for (;;) {
        int bc = -1, bend = 0, bcost = 0;
        double bscore = -1;
        for (int c = 0; c < ncat; c++) {
            if (!npos[c]) continue;
            /* look ahead over every later positive of c not yet flagged, counting the fine posts
             * crossed, and keep the end point with the most recall per fine post: a step that
             * crosses one fine post to reach twenty positives beats twenty that each cost one */
            int cost = 0, gain = 0;
            for (int end = at[c]; end < n && order[c][end].p >= 0.1;) {
                int k = order[c][end].k;
                const post *p = &ps->v[idx[k]];
                end++;
                if (open[k] && !p->allow[c] && hits[k] == 0) cost++;
                if (used + cost > budget || spent[c] + cost > cap) break;
                if (p->expect[c] && !rule_stands(p, c, &oof[(size_t)k * ncat], veto)) {
                    gain++;
                    double score = ((double)gain / npos[c]) / (cost + 0.5);
                    if (score > bscore) bscore = score, bc = c, bend = end, bcost = cost;
                }
            }
        }
        if (bc < 0) break;
        for (int e = at[bc]; e < bend; e++) {
            int k = order[bc][e].k;
            if (open[k] && !ps->v[idx[k]].allow[bc]) hits[k]++;
        }
        at[bc] = bend;
        used += bcost;
        spent[bc] += bcost;
    }
    for (int c = 0; c < ncat; c++) {
        double t = at[c] > 0 ? order[c][at[c] - 1].p : 0.999;
        if (t > 0.999) t = 0.999;
        char buf[32]; /* as the file will hold them: rounded down, so what was flagged stays so */
        snprintf(buf, sizeof buf, "%.4g", t);
        double r = strtod(buf, NULL);
        if (r > t) r = nextafter(r, 0), snprintf(buf, sizeof buf, "%.4g", r - 0.00005 * r), r = strtod(buf, NULL);
        thr[c] = r;
        free(order[c]);
    }
    free(open);
    free(hits);
}

/* Which features take part: those in at least min_df of the training posts idx. */
static int *keep_of(const posts *ps, const int *idx, int n, const vocab *voc, int min_df) {
    int *df = calloc((size_t)voc->n + 1, sizeof *df);
    if (!df) exit(2);
    for (int k = 0; k < n; k++) {
        const post *p = &ps->v[idx[k]];
        for (int f = 0; f < p->nfeat; f++) df[p->feat[f]]++;
    }
    for (int j = 0; j < voc->n; j++) df[j] = df[j] >= min_df;
    return df;
}

/* The area under the ROC curve of category c's held-out probabilities: how well the model
 * alone ranks its positives above its negatives (0.5 is chance). */
static double auc(const posts *ps, const int *idx, int n, const double *oof, int c) {
    double wins = 0;
    long pairs = 0;
    for (int a = 0; a < n; a++) {
        if (!ps->v[idx[a]].expect[c]) continue;
        for (int b = 0; b < n; b++) {
            const post *q = &ps->v[idx[b]];
            if (q->expect[c] || q->allow[c]) continue;
            double x = oof[(size_t)a * ncat + c], y = oof[(size_t)b * ncat + c];
            wins += x > y ? 1 : x == y ? 0.5 : 0;
            pairs++;
        }
    }
    return pairs ? wins / (double)pairs : 0;
}

static int cmp_double_desc(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

/* The share of category c's positives the model alone ranks above all but rate of the fine
 * posts: its recall where it would flag that share of fine posts. Unlike the recall at the
 * calibrated thresholds, it does not depend on how the fine-post budget was shared out, so it
 * compares two feature sets on one category fairly. */
static double recall_at_fine(const posts *ps, const int *idx, int n, const double *oof, int c,
                             double rate) {
    double *neg = xrealloc(NULL, (size_t)(n ? n : 1) * sizeof *neg);
    int nn = 0, pos = 0, hit = 0;
    for (int k = 0; k < n; k++) {
        const post *p = &ps->v[idx[k]];
        if (!p->risky && !p->allow[c]) neg[nn++] = oof[(size_t)k * ncat + c];
    }
    qsort(neg, (size_t)nn, sizeof *neg, cmp_double_desc);
    int at = (int)floor(rate * nn);
    double thr = nn ? neg[at < nn ? at : nn - 1] : 1;
    for (int k = 0; k < n; k++)
        if (ps->v[idx[k]].expect[c]) {
            pos++;
            hit += oof[(size_t)k * ncat + c] > thr;
        }
    free(neg);
    return pos ? (double)hit / pos : 0;
}

/* Train on idx with thresholds from author-held-out folds; the result is what the file holds. */
static void fit(const posts *ps, const int *idx, int n, const vocab *voc, const params *pr,
                model *out, int **keep_out, int verbose) {
    /* the authors of these posts, in order of first appearance */
    const char *authors[256];
    int na = 0;
    int *group = xrealloc(NULL, (size_t)(n ? n : 1) * sizeof *group);
    for (int k = 0; k < n; k++) {
        const char *a = ps->v[idx[k]].author;
        int g = 0;
        while (g < na && strcmp(authors[g], a)) g++;
        if (g == na && na < 256) authors[na++] = a;
        group[k] = g < 256 ? g : 255;
    }
    int folds = na >= 2 ? na : 5; /* one author only: five folds of its posts */
    if (na < 2)
        for (int k = 0; k < n; k++) group[k] = k % 5;
    double *oof = xrealloc(NULL, (size_t)(n ? n : 1) * ncat * sizeof *oof);
    int *tr = xrealloc(NULL, (size_t)(n ? n : 1) * sizeof *tr);
    for (int g = 0; g < folds; g++) {
        int nt = 0;
        for (int k = 0; k < n; k++)
            if (group[k] != g) tr[nt++] = idx[k];
        int *keep = keep_of(ps, tr, nt, voc, pr->min_df);
        model m = {0};
        train(ps, tr, nt, voc, pr, keep, &m);
        round_weights(&m);
        for (int k = 0; k < n; k++)
            if (group[k] == g) predict(&m, &ps->v[idx[k]], keep, &oof[(size_t)k * ncat]);
        free(m.w);
        free(keep);
    }
    int *keep = keep_of(ps, idx, n, voc, pr->min_df);
    train(ps, idx, n, voc, pr, keep, out);
    round_weights(out);
    calibrate_veto(ps, idx, n, oof, pr, out->veto);
    calibrate(ps, idx, n, oof, pr->fine_rate, out->veto, out->thr);
    if (verbose) {
        /* how the thresholds do on the held-out folds: the estimate of new authors' posts */
        int pos[MAXCAT] = {0}, hit[MAXCAT] = {0}, rhit[MAXCAT] = {0}, fine = 0, ff = 0, rff = 0;
        for (int k = 0; k < n; k++) {
            const post *p = &ps->v[idx[k]];
            const double *pb = &oof[(size_t)k * ncat];
            if (!p->risky) {
                fine++;
                ff += fine_flagged(p, pb, out->thr, out->veto);
                double never[MAXCAT], none[MAXCAT];
                for (int c = 0; c < ncat; c++) never[c] = 2, none[c] = 0;
                rff += fine_flagged(p, pb, never, none);
            }
            for (int c = 0; c < ncat; c++)
                if (p->expect[c]) {
                    pos[c]++;
                    rhit[c] += p->rule_flag[c];
                    hit[c] += rule_stands(p, c, pb, out->veto) || pb[c] >= out->thr[c];
                }
        }
        printf("held-out by author (%d groups), %d posts: recall rules alone -> rules + model; the model "
               "alone: AUC, recall at 1%% of fine posts\n", folds, n);
        double mauc = 0, mr1 = 0, mrules = 0, mboth = 0;
        for (int c = 0; c < ncat; c++) {
            double a = auc(ps, idx, n, oof, c), r1 = recall_at_fine(ps, idx, n, oof, c, 0.01);
            double rr = pos[c] ? (double)rhit[c] / pos[c] : 0, rb = pos[c] ? (double)hit[c] / pos[c] : 0;
            printf("  %-15s %4d  %.2f -> %.2f   threshold %.3f  veto %.3f  AUC %.3f  R@1%% %.2f\n", cats[c],
                   pos[c], rr, rb, out->thr[c], out->veto[c], a, r1);
            mauc += a / ncat, mr1 += r1 / ncat, mrules += rr / ncat, mboth += rb / ncat;
        }
        printf("  macro           %.2f -> %.2f   AUC %.3f  R@1%% %.3f\n", mrules, mboth, mauc, mr1);
        printf("  fine posts flagged: %d of %d (%.1f%%) rules alone; %d (%.1f%%) with the model\n", rff,
               fine, fine ? 100.0 * rff / fine : 0, ff, fine ? 100.0 * ff / fine : 0);
    }
    free(oof);
    free(tr);
    free(group);
    *keep_out = keep;
}

/* ---- scoring a test set, as the engine would ---- */

typedef struct score {
    double recall[MAXCAT], macro, micro, warned, fine_rate;
    int pos[MAXCAT], risky, fine;
} score;

static void evaluate(const posts *ts, const model *m, const int *keep, score *s) {
    memset(s, 0, sizeof *s);
    int hit[MAXCAT] = {0}, warned = 0, ff = 0, tp = 0, tpos = 0;
    for (int k = 0; k < ts->n; k++) {
        const post *p = &ts->v[k];
        double pb[MAXCAT];
        predict(m, p, keep, pb);
        int flag[MAXCAT], any = 0;
        for (int c = 0; c < ncat; c++) {
            flag[c] = rule_stands(p, c, pb, m->veto) || pb[c] >= m->thr[c];
            any |= flag[c];
        }
        if (p->risky) {
            s->risky++;
            warned += any;
        } else {
            s->fine++;
            ff += fine_flagged(p, pb, m->thr, m->veto);
        }
        for (int c = 0; c < ncat; c++)
            if (p->expect[c]) {
                s->pos[c]++;
                hit[c] += flag[c];
                tpos++;
                tp += flag[c];
            }
    }
    int used = 0;
    for (int c = 0; c < ncat; c++) {
        s->recall[c] = s->pos[c] ? (double)hit[c] / s->pos[c] : 0;
        if (s->pos[c]) {
            s->macro += s->recall[c];
            used++;
        }
    }
    s->macro = used ? s->macro / used : 0;
    s->micro = tpos ? (double)tp / tpos : 0;
    s->warned = s->risky ? (double)warned / s->risky : 0;
    s->fine_rate = s->fine ? (double)ff / s->fine : 0;
}

/* ---- writing the file ---- */

static const vocab *sort_voc;
static int cmp_idx(const void *a, const void *b) {
    return strcmp(sort_voc->name[*(const int *)a], sort_voc->name[*(const int *)b]);
}

static int write_model(const char *path, const model *m, const int *keep, const vocab *voc,
                       int nposts, int nfiles, char **files, const params *pr) {
    FILE *fp = fopen(path, "w");
    if (!fp) {
        fprintf(stderr, "postguard-train: cannot write %s: %s\n", path, strerror(errno));
        return -1;
    }
    fprintf(fp, "# PostGuard's learned scorer: one logistic model per category over features of the post\n");
    fprintf(fp, "# (host/lib/model.c). Made by rules/tools/train.sh from %d posts in", nposts);
    for (int i = 0; i < nfiles; i++) fprintf(fp, " %s", base_name(files[i]));
    fprintf(fp, ";\n# alpha %g beta %g l1 %g l2 %g epochs %d min_df %d fine_rate %g. Do not edit: train again.\n",
            pr->alpha, pr->beta, pr->l1, pr->l2, pr->epochs, pr->min_df, pr->fine_rate);
    fprintf(fp, "postguard-model\t1\n");
    fprintf(fp, "categories");
    for (int c = 0; c < ncat; c++) fprintf(fp, "\t%s", cats[c]);
    fprintf(fp, "\nfeatures\t%s\nbias", kinds);
    for (int c = 0; c < ncat; c++) fprintf(fp, "\t%.4g", m->bias[c]);
    fprintf(fp, "\nthreshold");
    for (int c = 0; c < ncat; c++) fprintf(fp, "\t%.4g", m->thr[c]);
    fprintf(fp, "\nveto");
    for (int c = 0; c < ncat; c++) fprintf(fp, "\t%.4g", m->veto[c]);
    fprintf(fp, "\n");
    int *order = xrealloc(NULL, (size_t)voc->n * sizeof *order);
    int n = 0;
    for (int j = 0; j < voc->n; j++) {
        if (!keep[j]) continue;
        int nz = 0;
        for (int c = 0; c < ncat; c++) nz |= m->w[(size_t)j * ncat + c] != 0;
        if (nz) order[n++] = j;
    }
    sort_voc = voc;
    qsort(order, (size_t)n, sizeof *order, cmp_idx);
    for (int k = 0; k < n; k++) {
        int j = order[k];
        fprintf(fp, "%s", voc->name[j]);
        for (int c = 0; c < ncat; c++) {
            float w = m->w[(size_t)j * ncat + c];
            if (w == 0) fprintf(fp, "\t0");
            else fprintf(fp, "\t%.4g", w);
        }
        fprintf(fp, "\n");
    }
    free(order);
    if (fclose(fp) != 0) {
        fprintf(stderr, "postguard-train: writing %s failed: %s\n", path, strerror(errno));
        return -1;
    }
    return n;
}

static void usage(FILE *to) {
    fprintf(to,
            "usage: postguard-train [--rules DIR] [--out FILE] [--test FILE]... [--curve]\n"
            "                       [--fine-rate R] [--veto-cap P] [--veto-loss R] [--l1 X] [--l2 X]\n"
            "                       [--alpha X] [--epochs N] [--min-df N] [--features KINDS] TRAIN.jsonl...\n"
            "Makes the learned scorer's weights from labelled posts (one JSON object a line: text,\n"
            "expect, allow, author). --test files are only scored. See rules/README.md.\n");
}

int main(int argc, char **argv) {
    const char *rules = NULL, *out = NULL;
    char *train_files[64], *test_files[64];
    int ntrain = 0, ntest = 0, curve = 0;
    params pr = {0.2, 1.0, 0.3, 1.0, 8, 2, 0.01, 0.02, 0.03};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int more = i + 1 < argc;
        if (!strcmp(a, "--rules") && more) rules = argv[++i];
        else if (!strcmp(a, "--out") && more) out = argv[++i];
        else if (!strcmp(a, "--test") && more && ntest < 64) test_files[ntest++] = argv[++i];
        else if (!strcmp(a, "--curve")) curve = 1;
        else if (!strcmp(a, "--fine-rate") && more) pr.fine_rate = atof(argv[++i]);
        else if (!strcmp(a, "--veto-cap") && more) pr.veto_cap = atof(argv[++i]);
        else if (!strcmp(a, "--veto-loss") && more) pr.veto_loss = atof(argv[++i]);
        else if (!strcmp(a, "--l1") && more) pr.l1 = atof(argv[++i]);
        else if (!strcmp(a, "--l2") && more) pr.l2 = atof(argv[++i]);
        else if (!strcmp(a, "--alpha") && more) pr.alpha = atof(argv[++i]);
        else if (!strcmp(a, "--epochs") && more) pr.epochs = atoi(argv[++i]);
        else if (!strcmp(a, "--min-df") && more) pr.min_df = atoi(argv[++i]);
        else if (!strcmp(a, "--features") && more) snprintf(kinds, sizeof kinds, "%s", argv[++i]);
        else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (a[0] == '-') {
            fprintf(stderr, "postguard-train: unknown option %s\n", a);
            usage(stderr);
            return 2;
        } else if (ntrain < 64) train_files[ntrain++] = argv[i];
    }
    if (!ntrain || !rules) {
        usage(stderr);
        return 2;
    }
    cats = pg_categories();
    while (cats[ncat] && ncat < MAXCAT) ncat++;
    pg_ctx *ctx;
    pg_error err;
    if (pg_ctx_new(&ctx) != PG_OK) return 2;
    pg_ctx_set_load_flags(ctx, PG_LOAD_NO_MODEL);
    if (pg_ctx_load(ctx, rules, &err) != PG_OK) {
        fprintf(stderr, "postguard-train: %s\n", err.message);
        return 2;
    }
    posts tr = {0}, ts = {0};
    for (int i = 0; i < ntrain; i++)
        if (read_posts(train_files[i], &tr)) return 2;
    for (int i = 0; i < ntest; i++)
        if (read_posts(test_files[i], &ts)) return 2;
    vocab voc = {0};
    if (featurise(ctx, &tr, &voc) || featurise(ctx, &ts, &voc)) return 2;
    int *idx = xrealloc(NULL, (size_t)tr.n * sizeof *idx);
    for (int k = 0; k < tr.n; k++) idx[k] = k;
    model m = {0};
    int *keep = NULL;
    fit(&tr, idx, tr.n, &voc, &pr, &m, &keep, 1);
    if (out) {
        int rows = write_model(out, &m, keep, &voc, tr.n, ntrain, train_files, &pr);
        if (rows < 0) return 2;
        printf("wrote %s: %d features with a weight\n", out, rows);
    }
    if (ntest) {
        score s;
        evaluate(&ts, &m, keep, &s);
        printf("test posts (%d; only scored): macro recall %.2f, micro %.2f, risky warned %.2f, fine flagged %.1f%%\n",
               ts.n, s.macro, s.micro, s.warned, 100 * s.fine_rate);
        for (int c = 0; c < ncat; c++) printf("  %-15s %4d  %.2f\n", cats[c], s.pos[c], s.recall[c]);
    }
    if (ntest) { /* the rules alone: no model, so every medium or high rule finding stands */
        model rm = {0};
        for (int c = 0; c < ncat; c++) rm.thr[c] = 2;
        score s;
        evaluate(&ts, &rm, keep, &s);
        printf("the rules alone on the test posts: macro recall %.2f, micro %.2f, risky warned %.2f, fine flagged %.1f%%\n",
               s.macro, s.micro, s.warned, 100 * s.fine_rate);
        for (int c = 0; c < ncat; c++) printf("  %-15s %4d  %.2f\n", cats[c], s.pos[c], s.recall[c]);
    }
    if (curve && ntest) {
        /* By source: train on the first k authors only (in the order of the files), so every
         * point is scored on voices it never read, as a new physician's posts will be. */
        const char *authors[256];
        int na = 0;
        for (int k = 0; k < tr.n; k++) {
            int g = 0;
            while (g < na && strcmp(authors[g], tr.v[k].author)) g++;
            if (g == na && na < 256) authors[na++] = tr.v[k].author;
        }
        printf("learning curve by source (authors, training posts -> test macro recall, micro, risky warned, fine flagged)\n");
        for (int ka = 1; ka <= na; ka = ka < 4 ? ka + 1 : ka + 2 > na && ka < na ? na : ka + 2) {
            int n = 0;
            for (int k = 0; k < tr.n; k++) {
                int g = 0;
                while (strcmp(authors[g], tr.v[k].author)) g++;
                if (g < ka) idx[n++] = k;
            }
            model cm = {0};
            int *ck = NULL;
            fit(&tr, idx, n, &voc, &pr, &cm, &ck, 0);
            score s;
            evaluate(&ts, &cm, ck, &s);
            printf("  %2d %5d  macro %.2f  micro %.2f  warned %.2f  fine %.1f%%\n", ka, n, s.macro, s.micro,
                   s.warned, 100 * s.fine_rate);
            free(cm.w);
            free(ck);
        }
    }
    free(m.w);
    free(keep);
    pg_ctx_free(ctx);
    return 0;
}
