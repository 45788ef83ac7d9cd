/* match.c - evaluating rules against a folded, tokenised post.
 * A rule's primary evidence gives candidates; supporting evidence ("near"), exceptions
 * ("unless") and quasi-identifier factors decide which stand and how severe they are.
 * Each matcher's hits are computed at most once per check and only when a rule needs them. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- validators for identifiers ---- */

static size_t digits_of(const char *s, uint32_t a, uint32_t b, int *d, size_t cap) {
    size_t n = 0;
    for (uint32_t i = a; i < b; i++)
        if (s[i] >= '0' && s[i] <= '9') {
            if (n == cap) return cap + 1;
            d[n++] = s[i] - '0';
        }
    return n;
}

static int luhn_ok(const int *d, size_t n) {
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int x = d[n - 1 - i];
        if (i % 2 == 1) {
            x *= 2;
            if (x > 9) x -= 9;
        }
        sum += x;
    }
    return n >= 2 && sum % 10 == 0;
}

/* British Columbia PHN: 10 digits starting with 9; digits 2..9 weighted 2 4 8 5 10 9 7 3,
 * each product mod 11; the tenth digit is 11 minus the sum mod 11. */
static int bc_phn_ok(const int *d, size_t n) {
    static const int w[8] = {2, 4, 8, 5, 10, 9, 7, 3};
    if (n != 10 || d[0] != 9) return 0;
    int sum = 0;
    for (int i = 0; i < 8; i++) sum += (d[i + 1] * w[i]) % 11;
    int check = 11 - sum % 11;
    return check < 10 && check == d[9];
}

static int valid(pg_validator v, const char *text, pg_hit h) {
    int d[32];
    size_t n = digits_of(text, h.s, h.e, d, 32);
    if (n > 32) return 0;
    switch (v) {
    case PG_VAL_LUHN: return luhn_ok(d, n);
    case PG_VAL_BC_PHN: return bc_phn_ok(d, n);
    case PG_VAL_DIGITS9: return n == 9;
    default: return 1;
    }
}

/* ---- hits, cached per matcher ---- */

static void note_limit(pg_scratch *sc, const pg_rule *r) {
    for (size_t i = 0; i < sc->limit_hits && i < PG_MAX_LIMIT_RULES; i++)
        if (sc->limit_rules[i] == r->id) return;
    if (sc->limit_hits < PG_MAX_LIMIT_RULES) sc->limit_rules[sc->limit_hits] = r->id;
    sc->limit_hits++;
}

/* The hits of matcher m (NULL on ENOMEM). r is the rule asking, named if a limit is hit. */
static const pg_hitvec *hits_of(pg_scratch *sc, const pg_matcher *m, const pg_rule *r) {
    pg_hitvec *hv = &sc->mhits[m->id];
    const pg_pattern *p = m->pat.code ? &m->pat : NULL;
    if (sc->mdone[m->id]) return p && !m->validate ? &sc->phits[p->slot] : hv;
    hv->n = 0;
    if (p) {
        /* the pattern's hits are shared by every matcher with the same pattern; the
         * filter skips the PCRE2 pass when the text lacks a byte every match needs */
        pg_hitvec *ph = &sc->phits[p->slot];
        if (!sc->pdone[p->slot]) {
            ph->n = 0;
            int rc = 0;
            if (pg_pattern_may_match(p, sc->present[p->raw], p->raw ? sc->srclen : sc->fold.len))
                rc = pg_pattern_scan(p, sc, ph);
            if (rc < 0) return NULL;
            sc->pdone[p->slot] = rc > 0 ? 2 : 1;
        }
        if (sc->pdone[p->slot] == 2) note_limit(sc, r); /* once per matcher, as each ran it */
        if (!m->validate) {
            sc->mdone[m->id] = 1;
            return ph;
        }
        for (size_t i = 0; i < ph->n; i++)
            if (pg_hitvec_push(hv, ph->v[i].s, ph->v[i].e)) return NULL;
    } else {
        for (int k = 0; k < m->nlex; k++) {
            const pg_hitvec *lh = &sc->lexhits[m->lex[k]];
            for (size_t i = 0; i < lh->n; i++)
                if (pg_hitvec_push(hv, lh->v[i].s, lh->v[i].e)) return NULL;
        }
        if (m->nlex > 1 && hv->n > 1) qsort(hv->v, hv->n, sizeof *hv->v, pg_hit_cmp);
    }
    if (m->validate) {
        size_t o = 0;
        for (size_t i = 0; i < hv->n; i++)
            if (valid(m->validate, sc->fold.text, hv->v[i])) hv->v[o++] = hv->v[i];
        hv->n = o;
    }
    sc->mdone[m->id] = 1;
    return hv;
}

/* ---- windows ---- */

/* The folded byte range [lo, hi) a window around candidate c covers. */
static void window_of(const pg_scratch *sc, pg_window w, pg_hit c, uint32_t *lo, uint32_t *hi) {
    uint32_t len = (uint32_t)sc->fold.len;
    if (w.kind == PG_WIN_POST) {
        *lo = 0;
        *hi = len;
        return;
    }
    if (w.kind == PG_WIN_SENTENCE) {
        size_t a = pg_sentence_of(sc, c.s);
        size_t b = pg_sentence_of(sc, c.e > c.s ? c.e - 1 : c.s);
        *lo = sc->sent[a];
        *hi = b + 1 < sc->nsent ? sc->sent[b + 1] : len;
        return;
    }
    /* ti: first word ending after c.s; tj + 1: number of words starting before c.e */
    size_t l = 0, h = sc->ntok;
    while (l < h) {
        size_t mid = (l + h) / 2;
        if (sc->tok[mid].e <= c.s) l = mid + 1;
        else h = mid;
    }
    size_t ti = l;
    l = 0, h = sc->ntok;
    while (l < h) {
        size_t mid = (l + h) / 2;
        if (sc->tok[mid].s < c.e) l = mid + 1;
        else h = mid;
    }
    size_t after_first = l; /* index of the first word at or after c.e */
    *lo = c.s;
    *hi = c.e;
    if (w.before > 0) {
        if (ti < w.before) *lo = 0;
        else if (sc->tok[ti - w.before].s < *lo) *lo = sc->tok[ti - w.before].s;
    }
    if (w.after > 0) {
        size_t k = after_first + w.after - 1;
        if (k >= sc->ntok) *hi = len;
        else if (sc->tok[k].e > *hi) *hi = sc->tok[k].e;
    }
}

static int inside(pg_hit h, uint32_t lo, uint32_t hi) {
    return h.s >= lo && h.e <= hi;
}

/* Inside quotation marks: an odd number of quote marks before it and one after it. */
static int quoted(const pg_scratch *sc, pg_hit c) {
    size_t l = 0, h = sc->nquote;
    while (l < h) {
        size_t mid = (l + h) / 2;
        if (sc->quote[mid] < c.s) l = mid + 1;
        else h = mid;
    }
    size_t before = l;
    if (before % 2 == 0) return 0;
    for (size_t i = before; i < sc->nquote; i++)
        if (sc->quote[i] >= c.e) return 1;
    return 0;
}

/* Index of the first hit of hv starting at or after off (hits are sorted by start). */
static size_t first_at(const pg_hitvec *hv, uint32_t off) {
    size_t l = 0, h = hv->n;
    while (l < h) {
        size_t mid = (l + h) / 2;
        if (hv->v[mid].s < off) l = mid + 1;
        else h = mid;
    }
    return l;
}

/* The hit of hv inside [lo, hi), other than the candidate itself, closest to c. Searches
 * outwards from c, so a long post with many hits costs O(log n) per candidate. */
static const pg_hit *closest(const pg_hitvec *hv, uint32_t lo, uint32_t hi, pg_hit c) {
    size_t p = first_at(hv, c.s);
    const pg_hit *right = NULL, *left = NULL;
    for (size_t i = p; i < hv->n && hv->v[i].s < hi; i++) {
        pg_hit h = hv->v[i];
        if (inside(h, lo, hi) && !(h.s == c.s && h.e == c.e)) {
            right = &hv->v[i];
            break;
        }
    }
    for (size_t i = p; i > 0 && hv->v[i - 1].s >= lo; i--) {
        pg_hit h = hv->v[i - 1];
        if (inside(h, lo, hi) && !(h.s == c.s && h.e == c.e)) {
            left = &hv->v[i - 1];
            break;
        }
        if (c.s - h.s > 4096) break; /* words that far back are not "closest"; bound the walk */
    }
    if (!left) return right;
    if (!right) return left;
    uint32_t dl = left->e <= c.s ? c.s - left->e : 0;
    uint32_t dr = right->s >= c.e ? right->s - c.e : 0;
    return dl <= dr ? left : right;
}

static void add_span(pg_raw_finding *f, pg_hit h) {
    for (size_t i = 0; i < f->nspans; i++)
        if (f->spans[i].s == h.s && f->spans[i].e == h.e) return;
    if (f->nspans < PG_MAX_SPANS) f->spans[f->nspans++] = h;
}

/* ---- one rule ---- */

typedef enum { NO, YES, FAIL } tri;

static tri supported(pg_scratch *sc, const pg_rule *r, pg_hit c, pg_raw_finding *f) {
    if (!r->nnear) return YES;
    uint32_t lo, hi;
    window_of(sc, r->near_window, c, &lo, &hi);
    pg_hit seen[16];
    int nseen = 0;
    for (int k = 0; k < r->nnear && nseen < r->near_min; k++) {
        const pg_hitvec *hv = hits_of(sc, r->near[k], r);
        if (!hv) return FAIL;
        for (size_t i = first_at(hv, lo); i < hv->n && nseen < r->near_min; i++) {
            pg_hit h = hv->v[i];
            if (h.s >= hi) break;
            if (!inside(h, lo, hi) || (h.s == c.s && h.e == c.e)) continue;
            int dup = 0;
            for (int q = 0; q < nseen; q++) dup |= seen[q].s == h.s && seen[q].e == h.e;
            if (!dup) seen[nseen++] = h;
        }
    }
    if (nseen < r->near_min) return NO;
    for (int q = 0; q < nseen; q++) add_span(f, seen[q]);
    return YES;
}

static tri excepted(pg_scratch *sc, const pg_rule *r, pg_hit c) {
    for (int k = 0; k < r->nunless; k++) {
        const pg_matcher *m = r->unless[k];
        if (m->quoted) {
            if (quoted(sc, c)) return YES;
            continue;
        }
        const pg_hitvec *hv = hits_of(sc, m, r);
        if (!hv) return FAIL;
        uint32_t lo, hi;
        window_of(sc, m->window, c, &lo, &hi);
        for (size_t i = first_at(hv, lo); i < hv->n; i++) {
            if (hv->v[i].s >= hi) break;
            if (inside(hv->v[i], lo, hi)) return YES;
        }
    }
    return NO;
}

/* Count the kinds of quasi-identifier around c; returns the count or -1 on ENOMEM. */
static int factor_count(pg_scratch *sc, const pg_rule *r, pg_hit c, pg_raw_finding *f) {
    uint32_t lo, hi;
    window_of(sc, r->factor_window, c, &lo, &hi);
    int kinds = 0;
    for (int k = 0; k < r->nfactors; k++) {
        const pg_factor *fa = &r->factors[k];
        const pg_hit *best = NULL;
        for (int q = 0; q < fa->nm; q++) {
            const pg_hitvec *hv = hits_of(sc, fa->m[q], r);
            if (!hv) return -1;
            const pg_hit *h = closest(hv, lo, hi, c);
            if (h && (!best || h->s < best->s)) best = h;
        }
        if (best) {
            kinds++;
            add_span(f, *best);
        }
    }
    /* underline every identifying detail in the window, not only the closest of each kind */
    for (int k = 0; k < r->nfactors && f->nspans < PG_MAX_SPANS; k++)
        for (int q = 0; q < r->factors[k].nm; q++) {
            const pg_hitvec *hv = hits_of(sc, r->factors[k].m[q], r);
            if (!hv) return -1;
            for (size_t i = first_at(hv, lo); i < hv->n && hv->v[i].s < hi && f->nspans < PG_MAX_SPANS; i++)
                if (inside(hv->v[i], lo, hi)) add_span(f, hv->v[i]);
        }
    return kinds;
}

int pg_rawvec_push(pg_rawvec *out, const pg_raw_finding *f) {
    if (pg_grow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v, 16)) return -1;
    out->v[out->n++] = *f;
    return 0;
}

/* YES when no candidate of r can stand because its supporting evidence is lexicons (found
 * already, in the one pass over the words) with fewer hits in the whole post than the rule
 * needs: then its primary patterns need not run at all. */
static tri support_missing(pg_scratch *sc, const pg_rule *r) {
    if (!r->nnear) return NO;
    size_t total = 0;
    for (int k = 0; k < r->nnear; k++)
        if (r->near[k]->pat.code) return NO; /* a pattern: finding out would cost a scan */
    for (int k = 0; k < r->nnear && total < (size_t)r->near_min; k++) {
        const pg_hitvec *hv = hits_of(sc, r->near[k], r);
        if (!hv) return FAIL;
        total += hv->n;
    }
    return total < (size_t)r->near_min ? YES : NO;
}

/* Evaluate one rule; findings it makes go to out. */
static pg_status eval_rule(pg_scratch *sc, const pg_rule *r, pg_rawvec *out) {
    size_t first = out->n;
    tri missing = support_missing(sc, r);
    if (missing == FAIL) return PG_ENOMEM;
    if (missing == YES) return PG_OK;
    /* region already reported by this rule (combination rules report once per window) */
    uint32_t done_lo = 1, done_hi = 0;
    for (int k = 0; k < r->nmatch; k++) {
        const pg_hitvec *hv = hits_of(sc, r->match[k], r);
        if (!hv) return PG_ENOMEM;
        for (size_t i = 0; i < hv->n; i++) {
            pg_hit c = hv->v[i];
            if (r->nfactors && r->factor_window.kind != PG_WIN_WORDS && c.s >= done_lo &&
                c.e <= done_hi)
                continue;
            /* the same words already made a finding of this rule (hits come sorted, so the
             * last finding is the only one that can overlap; score.c merges across matchers) */
            if (out->n > first && out->v[out->n - 1].spans[0].s < c.e &&
                c.s < out->v[out->n - 1].spans[0].e)
                continue;
            if (out->n - first >= PG_MAX_FINDINGS) { /* a pathological post: stop early */
                sc->truncated = 1;
                return PG_OK;
            }
            pg_raw_finding f;
            f.rule = r;
            f.prob = 0;
            f.severity = r->severity;
            f.nspans = 1;
            f.spans[0] = c;
            tri t = supported(sc, r, c, &f);
            if (t == FAIL) return PG_ENOMEM;
            if (t == NO) continue;
            t = excepted(sc, r, c);
            if (t == FAIL) return PG_ENOMEM;
            if (t == YES) continue;
            if (r->nfactors) {
                int kinds = factor_count(sc, r, c, &f);
                if (kinds < 0) return PG_ENOMEM;
                f.severity = PG_SEV_NONE;
                for (int l = 0; l < r->nlevels; l++)
                    if (kinds >= r->levels[l].min) f.severity = r->levels[l].severity;
                if (f.severity == PG_SEV_NONE) continue;
                if (r->factor_window.kind != PG_WIN_WORDS) {
                    /* one finding per sentence or post: keep the strongest */
                    window_of(sc, r->factor_window, c, &done_lo, &done_hi);
                }
            }
            if (r->override != PG_SEV_NONE) f.severity = r->override;
            if (pg_rawvec_push(out, &f)) return PG_ENOMEM;
        }
    }
    return PG_OK;
}

pg_status pg_match_rules(pg_scratch *sc, pg_rawvec *out) {
    const pg_pack *p = sc->pack;
    memset(sc->mdone, 0, sc->nm);
    memset(sc->pdone, 0, sc->nm);
    sc->candstate[0] = sc->candstate[1] = 0;
    pg_bytes_present(sc->fold.text, sc->fold.len, sc->present[0]);
    pg_bytes_present(sc->raw, sc->raw ? sc->srclen : 0, sc->present[1]);
    for (size_t i = 0; i < p->nrules; i++) {
        if (!p->rules[i].enabled || p->rules[i].learned) continue;
        pg_status st = eval_rule(sc, &p->rules[i], out);
        if (st != PG_OK) return st;
    }
    return PG_OK;
}
