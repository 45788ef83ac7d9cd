/* rule_schema.c - the rule schema: one rule file's "rules" array, each rule's fields, its
 * matchers (lexicon references, term lists, patterns with their {{parts}}, windows) and examples,
 * read into the pack being loaded. Every error names the file, the rule id and the field. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"

const char *pg_load_string(loader *L, const cJSON *obj, const char *key, int required, pg_status *st) {
    if (*st != PG_OK) return NULL; /* report the first fault, not the last */
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        if (required) *st = pg_load_fail(L, key, "is required");
        return NULL;
    }
    if (!cJSON_IsString(v) || !v->valuestring[0]) {
        *st = pg_load_fail(L, key, "must be a non-empty string");
        return NULL;
    }
    char *s = pg_arena_strdup(L->p->arena, v->valuestring);
    if (!s) *st = pg_load_nomem(L);
    return s;
}

/* ---- matchers ---- */

static pg_status parse_window(loader *L, const cJSON *w, const char *field, pg_window *out) {
    if (cJSON_IsNumber(w)) {
        if (w->valuedouble < 0 || w->valuedouble > 1000 || w->valuedouble != (int)w->valuedouble)
            return pg_load_fail(L, field, "a number of words from 0 to 1000");
        out->kind = PG_WIN_WORDS;
        out->before = out->after = (uint32_t)w->valueint;
        return PG_OK;
    }
    if (cJSON_IsString(w)) {
        if (strcmp(w->valuestring, "sentence") == 0) { out->kind = PG_WIN_SENTENCE; return PG_OK; }
        if (strcmp(w->valuestring, "post") == 0) { out->kind = PG_WIN_POST; return PG_OK; }
    }
    if (cJSON_IsObject(w)) {
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(w, "before");
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(w, "after");
        if ((b && !cJSON_IsNumber(b)) || (a && !cJSON_IsNumber(a)) || (!a && !b) ||
            (b && (b->valueint < 0 || b->valueint > 1000)) ||
            (a && (a->valueint < 0 || a->valueint > 1000)))
            return pg_load_fail(L, field, "{\"before\": n, \"after\": n} with word counts from 0 to 1000");
        out->kind = PG_WIN_WORDS;
        out->before = b ? (uint32_t)b->valueint : 0;
        out->after = a ? (uint32_t)a->valueint : 0;
        return PG_OK;
    }
    return pg_load_fail(L, field, "must be a number of words, {\"before\": n, \"after\": n}, "
                          "\"sentence\" or \"post\"");
}

static pg_status add_matcher(loader *L, pg_matcher *m) {
    pg_pack *p = L->p;
    if (pg_grow((void **)&p->matchers, &p->matchercap, p->nmatchers + 1, sizeof *p->matchers, 64))
        return pg_load_nomem(L);
    m->id = (int)p->nmatchers;
    p->matchers[p->nmatchers++] = m;
    return PG_OK;
}

/* Resolve lexicon names (a string or an array of strings). */
static pg_status parse_lexref(loader *L, const cJSON *v, const char *field, pg_matcher *m) {
    int n = cJSON_IsString(v) ? 1 : cJSON_IsArray(v) ? cJSON_GetArraySize(v) : -1;
    if (n <= 0) return pg_load_fail(L, field, "must be a lexicon name or a non-empty list of names");
    m->lex = pg_arena_alloc(L->p->arena, (size_t)n * sizeof *m->lex);
    if (!m->lex) return pg_load_nomem(L);
    for (int i = 0; i < n; i++) {
        const cJSON *s = cJSON_IsString(v) ? v : cJSON_GetArrayItem(v, i);
        if (!cJSON_IsString(s)) return pg_load_fail(L, field, "item %d must be a lexicon name", i);
        int li = pg_lexicon_find(&L->p->lex, s->valuestring);
        if (li < 0)
            return pg_load_fail(L, field, "no lexicon named '%s' (add lexicons/%s.txt to the pack)",
                        s->valuestring, s->valuestring);
        L->p->lex.v[li].used = 1;
        m->lex[m->nlex++] = li;
    }
    return PG_OK;
}

static pg_status parse_terms(loader *L, const cJSON *v, const char *field, pg_matcher *m) {
    int n = cJSON_IsArray(v) ? cJSON_GetArraySize(v) : -1;
    if (n <= 0) return pg_load_fail(L, field, "must be a non-empty list of terms");
    char name[256];
    snprintf(name, sizeof name, "%s#%s", L->rule, field);
    int li = pg_lexicon_add(&L->p->lex, L->p->arena, name, L->file);
    if (li < 0) return pg_load_nomem(L);
    L->p->lex.v[li].used = 1;
    for (int i = 0; i < n; i++) {
        const cJSON *s = cJSON_GetArrayItem(v, i);
        if (!cJSON_IsString(s) || !s->valuestring[0])
            return pg_load_fail(L, field, "item %d must be a non-empty string", i);
        pg_status st = pg_lexicon_add_term(&L->p->lex, L->p->arena, li, s->valuestring, L->err);
        if (st != PG_OK) return pg_load_fail(L, field, "item %d: %s", i, L->err->message);
    }
    m->lex = pg_arena_alloc(L->p->arena, sizeof *m->lex);
    if (!m->lex) return pg_load_nomem(L);
    m->lex[0] = li;
    m->nlex = 1;
    return PG_OK;
}

/* Compile a pattern matcher's text (src: with its parts expanded) with the "on" and "case"
 * of its matcher object j; a pattern several rules use is compiled once. */
static pg_status compile_pattern(loader *L, const cJSON *j, const char *field, const char *sub,
                                 const char *src, pg_matcher *m) {
    const cJSON *on = cJSON_GetObjectItemCaseSensitive(j, "on");
    const cJSON *cs = cJSON_GetObjectItemCaseSensitive(j, "case");
    if (on && !(cJSON_IsString(on) && (strcmp(on->valuestring, "raw") == 0 ||
                                       strcmp(on->valuestring, "folded") == 0)))
        return pg_load_fail(L, field, "\"on\" must be \"raw\" or \"folded\"");
    if (cs && !cJSON_IsBool(cs)) return pg_load_fail(L, field, "\"case\" must be true or false");
    int casesens = cs && cJSON_IsTrue(cs);
    int raw = casesens || (on && strcmp(on->valuestring, "raw") == 0);
    /* a pattern several rules use is compiled once and run once per check */
    const pg_pattern *same = NULL;
    for (size_t i = 0; i < L->p->nmatchers && !same; i++) {
        const pg_pattern *q = &L->p->matchers[i]->pat;
        if (q->code && q->owned && q->caseless == !casesens && q->raw == raw &&
            strcmp(q->src, src) == 0)
            same = q;
    }
    if (same) {
        m->pat = *same;
        m->pat.owned = 0;
    } else {
        pg_error perr;
        pg_error_clear(&perr);
        if (pg_pattern_compile(&m->pat, src, !casesens, raw, &perr) != PG_OK)
            return pg_fail(L->err, PG_ERULE, L->file, L->rule, sub, perr.offset,
                           "%s: rule '%s': %s: %s", L->file, L->rule, sub, perr.message);
        m->pat.src = pg_arena_strdup(L->p->arena, src);
        if (!m->pat.src) {
            pg_pattern_free(&m->pat);
            return pg_load_nomem(L);
        }
    }
    return PG_OK;
}

enum { ALLOW_WINDOW = 1, ALLOW_QUOTED = 2 };

static pg_status parse_matcher(loader *L, const cJSON *j, const char *field, int allow,
                               pg_matcher **out) {
    static const char *const keys[] = {"lexicon", "terms", "pattern", "quoted", "on", "case",
                                       "validate", "window", NULL};
    char sub[128];
    if (!cJSON_IsObject(j))
        return pg_load_fail(L, field, "must be a matcher object ({\"lexicon\": ...}, {\"terms\": [...]}, "
                              "{\"pattern\": ...})");
    for (const cJSON *k = j->child; k; k = k->next) {
        int known = 0;
        for (int i = 0; keys[i]; i++) known |= strcmp(k->string, keys[i]) == 0;
        if (!known) return pg_load_fail(L, field, "unknown key '%s'", k->string);
    }
    const cJSON *lex = cJSON_GetObjectItemCaseSensitive(j, "lexicon");
    const cJSON *terms = cJSON_GetObjectItemCaseSensitive(j, "terms");
    const cJSON *pat = cJSON_GetObjectItemCaseSensitive(j, "pattern");
    const cJSON *quoted = cJSON_GetObjectItemCaseSensitive(j, "quoted");
    if ((lex != NULL) + (terms != NULL) + (pat != NULL) + (quoted != NULL) != 1)
        return pg_load_fail(L, field, "needs exactly one of \"lexicon\", \"terms\", \"pattern\"%s",
                    allow & ALLOW_QUOTED ? ", \"quoted\"" : "");
    pg_matcher *m = pg_arena_alloc(L->p->arena, sizeof *m);
    if (!m) return pg_load_nomem(L);
    m->window.kind = PG_WIN_SENTENCE;
    pg_status st = PG_OK;
    if (lex) {
        snprintf(sub, sizeof sub, "%s.lexicon", field);
        st = parse_lexref(L, lex, sub, m);
    } else if (terms) {
        snprintf(sub, sizeof sub, "%s.terms", field);
        st = parse_terms(L, terms, sub, m);
    } else if (quoted) {
        if (!(allow & ALLOW_QUOTED)) return pg_load_fail(L, field, "\"quoted\" is only allowed in \"unless\"");
        if (!cJSON_IsTrue(quoted)) return pg_load_fail(L, field, "\"quoted\" must be true");
        m->quoted = 1;
    } else {
        snprintf(sub, sizeof sub, "%s.pattern", field);
        if (!cJSON_IsString(pat) || !pat->valuestring[0]) return pg_load_fail(L, sub, "must be a non-empty string");
        char *expanded = NULL; /* the pattern with its {{parts}} expanded, if it has any */
        if ((st = pg_parts_expand(L->parts, pat->valuestring, L->file, L->rule, sub, &expanded,
                                  L->err)) != PG_OK)
            return st;
        st = compile_pattern(L, j, field, sub, expanded ? expanded : pat->valuestring, m);
        free(expanded);
    }
    if (st != PG_OK) return st;
    /* register now so the pattern is freed with the pack even if a later field fails */
    if ((st = add_matcher(L, m)) != PG_OK) {
        pg_pattern_free(&m->pat);
        return st;
    }
    if (m->pat.code && m->pat.owned) m->pat.slot = m->id;
    const cJSON *val = cJSON_GetObjectItemCaseSensitive(j, "validate");
    if (val) {
        if (!cJSON_IsString(val)) return pg_load_fail(L, field, "\"validate\" must be a string");
        if (strcmp(val->valuestring, "luhn") == 0) m->validate = PG_VAL_LUHN;
        else if (strcmp(val->valuestring, "bc-phn") == 0) m->validate = PG_VAL_BC_PHN;
        else if (strcmp(val->valuestring, "digits9") == 0) m->validate = PG_VAL_DIGITS9;
        else return pg_load_fail(L, field, "\"validate\" must be \"luhn\", \"bc-phn\" or \"digits9\"");
    }
    const cJSON *win = cJSON_GetObjectItemCaseSensitive(j, "window");
    if (win) {
        if (!(allow & ALLOW_WINDOW)) return pg_load_fail(L, field, "\"window\" is only allowed in \"unless\" (for \"near\", set near.window)");
        snprintf(sub, sizeof sub, "%s.window", field);
        if ((st = parse_window(L, win, sub, &m->window)) != PG_OK) return st;
    }
    *out = m;
    return PG_OK;
}

/* A matcher or a list of matchers. */
static pg_status parse_matchers(loader *L, const cJSON *j, const char *field, int allow,
                                pg_matcher ***out, int *n) {
    char sub[128];
    int count = cJSON_IsArray(j) ? cJSON_GetArraySize(j) : 1;
    if (cJSON_IsArray(j) && count == 0) return pg_load_fail(L, field, "must not be an empty list");
    *out = pg_arena_alloc(L->p->arena, (size_t)count * sizeof **out);
    if (!*out) return pg_load_nomem(L);
    for (int i = 0; i < count; i++) {
        const cJSON *item = cJSON_IsArray(j) ? cJSON_GetArrayItem(j, i) : j;
        if (cJSON_IsArray(j)) snprintf(sub, sizeof sub, "%s[%d]", field, i);
        else snprintf(sub, sizeof sub, "%s", field);
        pg_status st = parse_matcher(L, item, sub, allow, &(*out)[i]);
        if (st != PG_OK) return st;
    }
    *n = count;
    return PG_OK;
}

/* ---- rules ---- */

static pg_status parse_examples(loader *L, const cJSON *ex) {
    if (!ex) return pg_load_fail(L, "examples", "is required: {\"match\": [...], \"nomatch\": [...]}");
    if (!cJSON_IsObject(ex)) return pg_load_fail(L, "examples", "must be an object");
    const char *names[] = {"match", "nomatch"};
    for (int k = 0; k < 2; k++) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(ex, names[k]);
        char field[32];
        snprintf(field, sizeof field, "examples.%s", names[k]);
        if (!cJSON_IsArray(a)) return pg_load_fail(L, field, "must be a list of sentences");
        if (k == 0 && cJSON_GetArraySize(a) == 0)
            return pg_load_fail(L, field, "needs at least one sentence the rule fires on");
        int i = 0;
        for (const cJSON *s = a->child; s; s = s->next, i++)
            if (!cJSON_IsString(s)) return pg_load_fail(L, field, "item %d must be a string", i);
    }
    return PG_OK;
}

static int is_category(const char *c) {
    for (const char *const *p = pg_categories(); *p; p++)
        if (strcmp(*p, c) == 0) return 1;
    return 0;
}

static pg_status parse_rule(loader *L, const cJSON *j, pg_rule *r) {
    static const char *const keys[] = {"id", "category", "section", "severity", "confidence",
                                       "message", "explanation", "suggestion", "match", "near",
                                       "unless", "factors", "levels", "examples", "note", "learned",
                                       NULL};
    pg_status st = PG_OK;
    if (!cJSON_IsObject(j)) return pg_load_fail(L, NULL, "each rule must be a JSON object");
    const cJSON *idj = cJSON_GetObjectItemCaseSensitive(j, "id");
    if (!cJSON_IsString(idj) || !idj->valuestring[0]) return pg_load_fail(L, "id", "every rule needs a non-empty string id");
    r->id = pg_arena_strdup(L->p->arena, idj->valuestring);
    if (!r->id) return pg_load_nomem(L);
    L->rule = r->id;
    for (const cJSON *k = j->child; k; k = k->next) {
        int known = k->string[0] == '_';
        for (int i = 0; keys[i]; i++) known |= strcmp(k->string, keys[i]) == 0;
        if (!known) return pg_load_fail(L, k->string, "unknown field (a typo?)");
    }
    r->file = L->file;
    r->category = pg_load_string(L, j, "category", 1, &st);
    r->section = pg_load_string(L, j, "section", 1, &st);
    const char *sev = pg_load_string(L, j, "severity", 1, &st);
    r->message = pg_load_string(L, j, "message", 1, &st);
    r->explanation = pg_load_string(L, j, "explanation", 1, &st);
    r->suggestion = pg_load_string(L, j, "suggestion", 1, &st);
    if (st != PG_OK) return st;
    if (!is_category(r->category))
        return pg_load_fail(L, "category", "'%s' is not one of DESIGN.md's categories", r->category);
    r->sec = pg_pack_section(L->p, r->section);
    if (!r->sec) return pg_load_fail(L, "section", "'%s' is not a section in pack.json", r->section);
    r->severity = pg_severity_parse(sev);
    if (r->severity == PG_SEV_NONE) return pg_load_fail(L, "severity", "must be \"low\", \"medium\" or \"high\"");
    r->enabled = 1;
    r->confidence = 0.8;
    const cJSON *conf = cJSON_GetObjectItemCaseSensitive(j, "confidence");
    if (conf) {
        if (!cJSON_IsNumber(conf) || conf->valuedouble < 0 || conf->valuedouble > 1)
            return pg_load_fail(L, "confidence", "must be a number from 0 to 1");
        r->confidence = conf->valuedouble;
    }
    r->model_cat = -1;
    const cJSON *learned = cJSON_GetObjectItemCaseSensitive(j, "learned");
    if (learned) {
        /* a learned rule holds the prose of the learned scorer's findings for its category;
         * the evidence is the model's (model.c), so it has no matchers of its own */
        if (!cJSON_IsBool(learned)) return pg_load_fail(L, "learned", "must be true or false");
        r->learned = cJSON_IsTrue(learned);
    }
    if (r->learned) {
        static const char *const no[] = {"match", "near", "unless", "factors", "levels", NULL};
        for (int i = 0; no[i]; i++)
            if (cJSON_GetObjectItemCaseSensitive(j, no[i]))
                return pg_load_fail(L, no[i], "a learned rule takes its evidence from the model: it has no \"%s\"", no[i]);
        return parse_examples(L, cJSON_GetObjectItemCaseSensitive(j, "examples"));
    }
    const cJSON *match = cJSON_GetObjectItemCaseSensitive(j, "match");
    if (!match) return pg_load_fail(L, "match", "is required");
    if ((st = parse_matchers(L, match, "match", 0, &r->match, &r->nmatch)) != PG_OK) return st;

    const cJSON *near = cJSON_GetObjectItemCaseSensitive(j, "near");
    if (near) {
        if (!cJSON_IsObject(near)) return pg_load_fail(L, "near", "must be {\"any\": [...], \"window\": n, \"min\": n}");
        for (const cJSON *k = near->child; k; k = k->next)
            if (strcmp(k->string, "any") && strcmp(k->string, "window") && strcmp(k->string, "min"))
                return pg_load_fail(L, "near", "unknown key '%s'", k->string);
        const cJSON *any = cJSON_GetObjectItemCaseSensitive(near, "any");
        if (!any) return pg_load_fail(L, "near.any", "is required");
        if ((st = parse_matchers(L, any, "near.any", 0, &r->near, &r->nnear)) != PG_OK) return st;
        r->near_window.kind = PG_WIN_SENTENCE;
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(near, "window");
        if (w && (st = parse_window(L, w, "near.window", &r->near_window)) != PG_OK) return st;
        r->near_min = 1;
        const cJSON *mn = cJSON_GetObjectItemCaseSensitive(near, "min");
        if (mn) {
            if (!cJSON_IsNumber(mn) || mn->valueint < 1 || mn->valueint > 16)
                return pg_load_fail(L, "near.min", "must be a whole number from 1 to 16");
            r->near_min = mn->valueint;
        }
    }
    const cJSON *unless = cJSON_GetObjectItemCaseSensitive(j, "unless");
    if (unless && (st = parse_matchers(L, unless, "unless", ALLOW_WINDOW | ALLOW_QUOTED,
                                       &r->unless, &r->nunless)) != PG_OK)
        return st;

    const cJSON *factors = cJSON_GetObjectItemCaseSensitive(j, "factors");
    const cJSON *levels = cJSON_GetObjectItemCaseSensitive(j, "levels");
    if (factors) {
        if (!cJSON_IsObject(factors)) return pg_load_fail(L, "factors", "must be an object of kind -> matcher(s)");
        int n = 0;
        for (const cJSON *k = factors->child; k; k = k->next) n += strcmp(k->string, "window") != 0;
        if (n == 0 || n > 16) return pg_load_fail(L, "factors", "needs 1 to 16 kinds");
        r->factors = pg_arena_alloc(L->p->arena, (size_t)n * sizeof *r->factors);
        if (!r->factors) return pg_load_nomem(L);
        r->factor_window.kind = PG_WIN_POST;
        for (const cJSON *k = factors->child; k; k = k->next) {
            char field[128];
            snprintf(field, sizeof field, "factors.%s", k->string);
            if (strcmp(k->string, "window") == 0) {
                if ((st = parse_window(L, k, field, &r->factor_window)) != PG_OK) return st;
                continue;
            }
            pg_factor *f = &r->factors[r->nfactors++];
            f->kind = pg_arena_strdup(L->p->arena, k->string);
            if (!f->kind) return pg_load_nomem(L);
            if ((st = parse_matchers(L, k, field, 0, &f->m, &f->nm)) != PG_OK) return st;
        }
        int nl = cJSON_IsArray(levels) ? cJSON_GetArraySize(levels) : 0;
        if (nl == 0) return pg_load_fail(L, "levels", "a rule with factors needs levels: [{\"min\": 1, \"severity\": \"low\"}, ...]");
        r->levels = pg_arena_alloc(L->p->arena, (size_t)nl * sizeof *r->levels);
        if (!r->levels) return pg_load_nomem(L);
        for (int i = 0; i < nl; i++) {
            const cJSON *lv = cJSON_GetArrayItem(levels, i);
            const cJSON *mn = cJSON_GetObjectItemCaseSensitive(lv, "min");
            const cJSON *sv = cJSON_GetObjectItemCaseSensitive(lv, "severity");
            char field[32];
            snprintf(field, sizeof field, "levels[%d]", i);
            if (!cJSON_IsNumber(mn) || mn->valueint < 0 || mn->valueint > r->nfactors)
                return pg_load_fail(L, field, "\"min\" must be a whole number from 0 to the number of factor kinds (%d)", r->nfactors);
            pg_severity s = cJSON_IsString(sv) ? pg_severity_parse(sv->valuestring) : PG_SEV_NONE;
            if (s == PG_SEV_NONE) return pg_load_fail(L, field, "\"severity\" must be \"low\", \"medium\" or \"high\"");
            if (i > 0 && mn->valueint <= r->levels[i - 1].min)
                return pg_load_fail(L, field, "levels must be in increasing order of \"min\"");
            r->levels[i].min = mn->valueint;
            r->levels[i].severity = s;
            r->nlevels++;
        }
    } else if (levels) {
        return pg_load_fail(L, "levels", "only a rule with \"factors\" has levels");
    }
    return parse_examples(L, cJSON_GetObjectItemCaseSensitive(j, "examples"));
}

pg_status pg_load_rules(loader *L, const cJSON *arr, size_t *cap) {
    pg_pack *p = L->p;
    if (!cJSON_IsArray(arr)) return pg_load_fail(L, "rules", "must be a list of rules");
    for (const cJSON *j = arr->child; j; j = j->next) {
        if (p->nrules == *cap) {
            size_t nc = *cap ? *cap * 2 : 64;
            pg_rule *v = realloc(p->rules, nc * sizeof *v);
            if (!v) return pg_load_nomem(L);
            p->rules = v;
            *cap = nc;
        }
        pg_rule *r = &p->rules[p->nrules];
        memset(r, 0, sizeof *r);
        L->rule = NULL;
        pg_status st = parse_rule(L, j, r);
        if (st != PG_OK) return st;
        for (size_t i = 0; i < p->nrules; i++)
            if (strcmp(p->rules[i].id, r->id) == 0)
                return pg_load_fail(L, "id", "the id is used twice (also in %s)", p->rules[i].file);
        p->nrules++;
    }
    L->rule = NULL;
    return PG_OK;
}
