/* score.c - from raw findings to a result: merge duplicates, order, cap, convert offsets to
 * UTF-16, and score each section of the standard that fired. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int cmp_rule_start(const void *a, const void *b) {
    const pg_raw_finding *x = a, *y = b;
    if (x->rule != y->rule) return x->rule < y->rule ? -1 : 1;
    if (x->spans[0].s != y->spans[0].s) return x->spans[0].s < y->spans[0].s ? -1 : 1;
    return 0;
}

static int cmp_start(const void *a, const void *b) {
    const pg_finding *x = a, *y = b;
    if (x->span.start != y->span.start) return x->span.start < y->span.start ? -1 : 1;
    if (x->severity != y->severity) return x->severity > y->severity ? -1 : 1;
    return strcmp(x->rule, y->rule);
}

static int cmp_severity(const void *a, const void *b) {
    const pg_finding *x = a, *y = b;
    if (x->severity != y->severity) return x->severity > y->severity ? -1 : 1;
    return (x->span.start > y->span.start) - (x->span.start < y->span.start);
}

static int cmp_section(const void *a, const void *b) {
    const pg_section_score *x = a, *y = b;
    if (x->level != y->level) return x->level > y->level ? -1 : 1;
    if (x->score != y->score) return x->score > y->score ? -1 : 1;
    return strcmp(x->section, y->section);
}

/* How much one finding adds to its section's score: pack.json's "severity_weights". */
static double weight(const pg_pack *p, pg_severity s) {
    return p->weight[s == PG_SEV_HIGH ? PG_SEV_HIGH : s == PG_SEV_MEDIUM ? PG_SEV_MEDIUM : PG_SEV_LOW];
}

/* One underline per stretch of text: spans of a finding that overlap or touch ("67M", "67"
 * and "M") become one, so the page never draws a word twice. The merged span that holds the
 * primary evidence goes first, the others follow in order of position. */
static void merge_spans(pg_raw_finding *f) {
    pg_hit primary = f->spans[0];
    if (f->nspans > 1) qsort(f->spans, f->nspans, sizeof *f->spans, pg_hit_cmp);
    size_t n = 0;
    for (size_t i = 0; i < f->nspans; i++) {
        if (n > 0 && f->spans[i].s <= f->spans[n - 1].e) {
            if (f->spans[i].e > f->spans[n - 1].e) f->spans[n - 1].e = f->spans[i].e;
            continue;
        }
        f->spans[n++] = f->spans[i];
    }
    f->nspans = n;
    size_t p = 0;
    while (p < n && !(f->spans[p].s <= primary.s && primary.e <= f->spans[p].e)) p++;
    if (p == n) return; /* cannot happen: the primary span was among those merged */
    pg_hit first = f->spans[p];
    memmove(&f->spans[1], &f->spans[0], p * sizeof *f->spans);
    f->spans[0] = first;
}

pg_status pg_score(pg_scratch *sc, pg_rawvec *raw, pg_result **out) {
    /* one finding per rule and place: merge overlaps that different matchers produced */
    if (raw->n > 1) qsort(raw->v, raw->n, sizeof *raw->v, cmp_rule_start);
    size_t n = 0;
    for (size_t i = 0; i < raw->n; i++) {
        pg_raw_finding *f = &raw->v[i];
        if (n > 0) {
            pg_raw_finding *prev = &raw->v[n - 1];
            if (prev->rule == f->rule && f->spans[0].s < prev->spans[0].e) {
                if (f->severity > prev->severity) prev->severity = f->severity;
                continue;
            }
        }
        raw->v[n++] = *f;
    }
    raw->n = n;

    pg_result *r = calloc(1, sizeof *r);
    if (!r) return PG_ENOMEM;
    size_t keep = n;
    if (keep > PG_MAX_FINDINGS) {
        keep = PG_MAX_FINDINGS; /* which ones survive is decided after sorting, below */
    }
    r->findings = calloc(n ? n : 1, sizeof *r->findings);
    /* offsets to convert, per finding: the primary span, then the merged spans */
    pg_hit *primary = malloc((n ? n : 1) * sizeof *primary);
    size_t noff = 0;
    for (size_t i = 0; i < n; i++) {
        if (primary) primary[i] = raw->v[i].spans[0];
        merge_spans(&raw->v[i]);
        noff += 2 + 2 * raw->v[i].nspans;
    }
    size_t *bytes = malloc((noff ? noff : 1) * sizeof *bytes);
    size_t *units = malloc((noff ? noff : 1) * sizeof *units);
    if (!r->findings || !bytes || !units || !primary) {
        free(primary);
        free(bytes);
        free(units);
        pg_result_free(r);
        return PG_ENOMEM;
    }
    const uint32_t *map = sc->fold.map;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        bytes[k++] = map[primary[i].s];
        bytes[k++] = map[primary[i].e];
        for (size_t j = 0; j < raw->v[i].nspans; j++) {
            bytes[k++] = map[raw->v[i].spans[j].s];
            bytes[k++] = map[raw->v[i].spans[j].e];
        }
    }
    free(primary);
    pg_utf16_offsets(sc->src, sc->srclen, bytes, units, noff);
    k = 0;
    for (size_t i = 0; i < n; i++) {
        const pg_raw_finding *f = &raw->v[i];
        pg_finding *o = &r->findings[i];
        const pg_rule *rule = f->rule;
        o->rule = rule->id;
        o->category = rule->category;
        o->section = rule->section;
        o->severity = f->severity;
        o->confidence = f->prob > 0 ? (double)(long)(f->prob * 1000 + 0.5) / 1000 : rule->confidence;
        o->message = rule->message;
        o->explanation = rule->explanation;
        o->suggestion = rule->suggestion;
        o->span.byte_start = bytes[k];
        o->span.byte_end = bytes[k + 1];
        o->span.start = units[k];
        o->span.end = units[k + 1];
        k += 2;
        o->nspans = f->nspans;
        for (size_t j = 0; j < f->nspans; j++, k += 2) {
            o->spans[j].byte_start = bytes[k];
            o->spans[j].byte_end = bytes[k + 1];
            o->spans[j].start = units[k];
            o->spans[j].end = units[k + 1];
        }
    }
    free(bytes);
    free(units);
    r->nfindings = n;

    /* the cap keeps the most severe findings, then the earliest */
    if (n > keep) {
        qsort(r->findings, n, sizeof *r->findings, cmp_severity);
        r->nfindings = keep;
        r->truncated = 1;
    }
    if (sc->truncated) r->truncated = 1;
    qsort(r->findings, r->nfindings, sizeof *r->findings, cmp_start);

    /* sections */
    r->sections = calloc(r->nfindings ? r->nfindings : 1, sizeof *r->sections);
    if (!r->sections) {
        pg_result_free(r);
        return PG_ENOMEM;
    }
    for (size_t i = 0; i < r->nfindings; i++) {
        const pg_finding *f = &r->findings[i];
        if (f->severity > r->max_severity) r->max_severity = f->severity;
        pg_section_score *s = NULL;
        for (size_t j = 0; j < r->nsections && !s; j++)
            if (strcmp(r->sections[j].section, f->section) == 0) s = &r->sections[j];
        if (!s) {
            s = &r->sections[r->nsections++];
            s->section = f->section;
            const pg_section *sec = pg_pack_section(sc->pack, f->section);
            s->title = sec ? sec->title : f->section;
            s->level = PG_SEV_NONE;
            s->score = 1.0; /* holds prod(1 - w) until the end, then 1 - that */
        }
        s->score *= 1.0 - weight(sc->pack, f->severity) * f->confidence;
        if (f->severity > s->level) s->level = f->severity;
        s->findings++;
    }
    for (size_t j = 0; j < r->nsections; j++) {
        double v = 1.0 - r->sections[j].score;
        r->sections[j].score = (double)(long)(v * 1000 + 0.5) / 1000; /* 3 decimals */
    }
    qsort(r->sections, r->nsections, sizeof *r->sections, cmp_section);
    r->limit_hits = sc->limit_hits;
    for (size_t i = 0; i < sc->limit_hits && i < PG_MAX_LIMIT_RULES; i++) r->limit_rules[i] = sc->limit_rules[i];
    *out = r;
    return PG_OK;
}

void pg_result_free(pg_result *r) {
    if (!r) return;
    free(r->findings);
    free(r->sections);
    free(r);
}
