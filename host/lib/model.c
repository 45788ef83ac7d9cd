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
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
