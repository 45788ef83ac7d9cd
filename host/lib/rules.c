/* rules.c - loading a rule pack: pack.json, rule files and lexicons into one immutable pg_pack.
 * Everything is validated here, so a check never meets a malformed rule; every error names
 * the file, the rule id and the field at fault, and a bad pack is refused whole. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "parts.h"

/* What the loader is looking at, for error messages. */
typedef struct loader {
    pg_pack *p;
    const char *file;
    const char *rule;
    pg_error *err;
    const char *model; /* pack.json's "model": the weights file, relative to the pack */
    const char *parts_file; /* pack.json's "parts" when it names a file, relative to the pack */
    pg_parts *parts;        /* the named parts rule patterns refer to as {{name}}, or NULL */
} loader;

static pg_status fail(loader *L, const char *field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(PG_PRINTF_ARCHETYPE, 3, 4)))
#endif
    ;

static pg_status fail(loader *L, const char *field, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pg_status st = pg_vfail_in(L->err, PG_ERULE, L->file, L->rule, field, -1, fmt, ap);
    va_end(ap);
    return st;
}

static pg_status nomem(loader *L) {
    return pg_fail(L->err, PG_ENOMEM, L->file, L->rule, NULL, -1, "out of memory");
}

/* Read a whole file; the caller frees *buf. */
static pg_status read_file(const char *path, char **buf, size_t *len, pg_error *err) {
    FILE *f;
    int e = pg_open_regular(path, &f);
    if (e)
        return pg_fail(err, e == ENOENT ? PG_ENOTFOUND : PG_EIO, path, NULL, NULL, -1,
                       "cannot read %s: %s", path, pg_open_strerror(e));
    size_t cap = 65536, n = 0;
    char *b = malloc(cap);
    while (b) {
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (n < cap) break;
        if (cap >= (size_t)64 << 20) { /* a rule file is never this big */
            free(b);
            fclose(f);
            return pg_fail(err, PG_ERULE, path, NULL, NULL, -1, "%s is larger than 64 MiB", path);
        }
        char *nb = realloc(b, cap * 2);
        if (!nb) {
            free(b);
            b = NULL;
            break;
        }
        b = nb;
        cap *= 2;
    }
    int ioerr = ferror(f);
    fclose(f);
    if (!b) return pg_fail(err, PG_ENOMEM, path, NULL, NULL, -1, "out of memory reading %s", path);
    if (ioerr) {
        free(b);
        return pg_fail(err, PG_EIO, path, NULL, NULL, -1, "error reading %s", path);
    }
    *buf = b;
    *len = n;
    return PG_OK;
}

/* Parse a JSON file; on a syntax error, name the line and byte. Shared with config.c. */
pg_status pg_json_load(const char *path, cJSON **out, pg_status bad, pg_error *err);
pg_status pg_json_load(const char *path, cJSON **out, pg_status bad, pg_error *err) {
    char *buf = NULL;
    size_t len = 0;
    pg_status st = read_file(path, &buf, &len, err);
    if (st != PG_OK) return st;
    if (pg_json_count_values(buf, len, PG_JSON_MAX_VALUES) > PG_JSON_MAX_VALUES) {
        free(buf);
        return pg_fail(err, bad, path, NULL, NULL, -1,
                       "%s holds more than %u JSON values: too big to be a rule or configuration file",
                       path, PG_JSON_MAX_VALUES);
    }
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
    if (!j) {
        size_t off = end && end >= buf && end <= buf + len ? (size_t)(end - buf) : 0;
        long line = 1;
        for (size_t i = 0; i < off; i++) line += buf[i] == '\n';
        free(buf);
        return pg_fail(err, bad, path, NULL, NULL, (long)off,
                       "%s: invalid JSON at line %ld (byte %zu)", path, line, off);
    }
    free(buf);
    *out = j;
    return PG_OK;
}

static const char *get_string(loader *L, const cJSON *obj, const char *key, int required,
                              pg_status *st) {
    if (*st != PG_OK) return NULL; /* report the first fault, not the last */
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!v) {
        if (required) *st = fail(L, key, "is required");
        return NULL;
    }
    if (!cJSON_IsString(v) || !v->valuestring[0]) {
        *st = fail(L, key, "must be a non-empty string");
        return NULL;
    }
    char *s = pg_arena_strdup(L->p->arena, v->valuestring);
    if (!s) *st = nomem(L);
    return s;
}

/* ---- matchers ---- */

static pg_status parse_window(loader *L, const cJSON *w, const char *field, pg_window *out) {
    if (cJSON_IsNumber(w)) {
        if (w->valuedouble < 0 || w->valuedouble > 1000 || w->valuedouble != (int)w->valuedouble)
            return fail(L, field, "a number of words from 0 to 1000");
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
            return fail(L, field, "{\"before\": n, \"after\": n} with word counts from 0 to 1000");
        out->kind = PG_WIN_WORDS;
        out->before = b ? (uint32_t)b->valueint : 0;
        out->after = a ? (uint32_t)a->valueint : 0;
        return PG_OK;
    }
    return fail(L, field, "must be a number of words, {\"before\": n, \"after\": n}, "
                          "\"sentence\" or \"post\"");
}

static pg_status add_matcher(loader *L, pg_matcher *m) {
    pg_pack *p = L->p;
    if (p->nmatchers == p->matchercap) {
        size_t cap = p->matchercap ? p->matchercap * 2 : 64;
        pg_matcher **v = realloc(p->matchers, cap * sizeof *v);
        if (!v) return nomem(L);
        p->matchers = v;
        p->matchercap = cap;
    }
    m->id = (int)p->nmatchers;
    p->matchers[p->nmatchers++] = m;
    return PG_OK;
}

/* Resolve lexicon names (a string or an array of strings). */
static pg_status parse_lexref(loader *L, const cJSON *v, const char *field, pg_matcher *m) {
    int n = cJSON_IsString(v) ? 1 : cJSON_IsArray(v) ? cJSON_GetArraySize(v) : -1;
    if (n <= 0) return fail(L, field, "must be a lexicon name or a non-empty list of names");
    m->lex = pg_arena_alloc(L->p->arena, (size_t)n * sizeof *m->lex);
    if (!m->lex) return nomem(L);
    for (int i = 0; i < n; i++) {
        const cJSON *s = cJSON_IsString(v) ? v : cJSON_GetArrayItem(v, i);
        if (!cJSON_IsString(s)) return fail(L, field, "item %d must be a lexicon name", i);
        int li = pg_lexicon_find(&L->p->lex, s->valuestring);
        if (li < 0)
            return fail(L, field, "no lexicon named '%s' (add lexicons/%s.txt to the pack)",
                        s->valuestring, s->valuestring);
        L->p->lex.v[li].used = 1;
        m->lex[m->nlex++] = li;
    }
    return PG_OK;
}

static pg_status parse_terms(loader *L, const cJSON *v, const char *field, pg_matcher *m) {
    int n = cJSON_IsArray(v) ? cJSON_GetArraySize(v) : -1;
    if (n <= 0) return fail(L, field, "must be a non-empty list of terms");
    char name[256];
    snprintf(name, sizeof name, "%s#%s", L->rule, field);
    int li = pg_lexicon_add(&L->p->lex, L->p->arena, name, L->file);
    if (li < 0) return nomem(L);
    L->p->lex.v[li].used = 1;
    for (int i = 0; i < n; i++) {
        const cJSON *s = cJSON_GetArrayItem(v, i);
        if (!cJSON_IsString(s) || !s->valuestring[0])
            return fail(L, field, "item %d must be a non-empty string", i);
        pg_status st = pg_lexicon_add_term(&L->p->lex, L->p->arena, li, s->valuestring, L->err);
        if (st != PG_OK) return fail(L, field, "item %d: %s", i, L->err->message);
    }
    m->lex = pg_arena_alloc(L->p->arena, sizeof *m->lex);
    if (!m->lex) return nomem(L);
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
        return fail(L, field, "\"on\" must be \"raw\" or \"folded\"");
    if (cs && !cJSON_IsBool(cs)) return fail(L, field, "\"case\" must be true or false");
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
            return nomem(L);
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
        return fail(L, field, "must be a matcher object ({\"lexicon\": ...}, {\"terms\": [...]}, "
                              "{\"pattern\": ...})");
    for (const cJSON *k = j->child; k; k = k->next) {
        int known = 0;
        for (int i = 0; keys[i]; i++) known |= strcmp(k->string, keys[i]) == 0;
        if (!known) return fail(L, field, "unknown key '%s'", k->string);
    }
    const cJSON *lex = cJSON_GetObjectItemCaseSensitive(j, "lexicon");
    const cJSON *terms = cJSON_GetObjectItemCaseSensitive(j, "terms");
    const cJSON *pat = cJSON_GetObjectItemCaseSensitive(j, "pattern");
    const cJSON *quoted = cJSON_GetObjectItemCaseSensitive(j, "quoted");
    if ((lex != NULL) + (terms != NULL) + (pat != NULL) + (quoted != NULL) != 1)
        return fail(L, field, "needs exactly one of \"lexicon\", \"terms\", \"pattern\"%s",
                    allow & ALLOW_QUOTED ? ", \"quoted\"" : "");
    pg_matcher *m = pg_arena_alloc(L->p->arena, sizeof *m);
    if (!m) return nomem(L);
    m->window.kind = PG_WIN_SENTENCE;
    pg_status st = PG_OK;
    if (lex) {
        snprintf(sub, sizeof sub, "%s.lexicon", field);
        st = parse_lexref(L, lex, sub, m);
    } else if (terms) {
        snprintf(sub, sizeof sub, "%s.terms", field);
        st = parse_terms(L, terms, sub, m);
    } else if (quoted) {
        if (!(allow & ALLOW_QUOTED)) return fail(L, field, "\"quoted\" is only allowed in \"unless\"");
        if (!cJSON_IsTrue(quoted)) return fail(L, field, "\"quoted\" must be true");
        m->quoted = 1;
    } else {
        snprintf(sub, sizeof sub, "%s.pattern", field);
        if (!cJSON_IsString(pat) || !pat->valuestring[0]) return fail(L, sub, "must be a non-empty string");
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
        if (!cJSON_IsString(val)) return fail(L, field, "\"validate\" must be a string");
        if (strcmp(val->valuestring, "luhn") == 0) m->validate = PG_VAL_LUHN;
        else if (strcmp(val->valuestring, "bc-phn") == 0) m->validate = PG_VAL_BC_PHN;
        else if (strcmp(val->valuestring, "digits9") == 0) m->validate = PG_VAL_DIGITS9;
        else return fail(L, field, "\"validate\" must be \"luhn\", \"bc-phn\" or \"digits9\"");
    }
    const cJSON *win = cJSON_GetObjectItemCaseSensitive(j, "window");
    if (win) {
        if (!(allow & ALLOW_WINDOW)) return fail(L, field, "\"window\" is only allowed in \"unless\" (for \"near\", set near.window)");
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
    if (cJSON_IsArray(j) && count == 0) return fail(L, field, "must not be an empty list");
    *out = pg_arena_alloc(L->p->arena, (size_t)count * sizeof **out);
    if (!*out) return nomem(L);
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
    if (!ex) return fail(L, "examples", "is required: {\"match\": [...], \"nomatch\": [...]}");
    if (!cJSON_IsObject(ex)) return fail(L, "examples", "must be an object");
    const char *names[] = {"match", "nomatch"};
    for (int k = 0; k < 2; k++) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(ex, names[k]);
        char field[32];
        snprintf(field, sizeof field, "examples.%s", names[k]);
        if (!cJSON_IsArray(a)) return fail(L, field, "must be a list of sentences");
        if (k == 0 && cJSON_GetArraySize(a) == 0)
            return fail(L, field, "needs at least one sentence the rule fires on");
        int i = 0;
        for (const cJSON *s = a->child; s; s = s->next, i++)
            if (!cJSON_IsString(s)) return fail(L, field, "item %d must be a string", i);
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
    if (!cJSON_IsObject(j)) return fail(L, NULL, "each rule must be a JSON object");
    const cJSON *idj = cJSON_GetObjectItemCaseSensitive(j, "id");
    if (!cJSON_IsString(idj) || !idj->valuestring[0]) return fail(L, "id", "every rule needs a non-empty string id");
    r->id = pg_arena_strdup(L->p->arena, idj->valuestring);
    if (!r->id) return nomem(L);
    L->rule = r->id;
    for (const cJSON *k = j->child; k; k = k->next) {
        int known = k->string[0] == '_';
        for (int i = 0; keys[i]; i++) known |= strcmp(k->string, keys[i]) == 0;
        if (!known) return fail(L, k->string, "unknown field (a typo?)");
    }
    r->file = L->file;
    r->category = get_string(L, j, "category", 1, &st);
    r->section = get_string(L, j, "section", 1, &st);
    const char *sev = get_string(L, j, "severity", 1, &st);
    r->message = get_string(L, j, "message", 1, &st);
    r->explanation = get_string(L, j, "explanation", 1, &st);
    r->suggestion = get_string(L, j, "suggestion", 1, &st);
    if (st != PG_OK) return st;
    if (!is_category(r->category))
        return fail(L, "category", "'%s' is not one of DESIGN.md's categories", r->category);
    r->sec = pg_pack_section(L->p, r->section);
    if (!r->sec) return fail(L, "section", "'%s' is not a section in pack.json", r->section);
    r->severity = pg_severity_parse(sev);
    if (r->severity == PG_SEV_NONE) return fail(L, "severity", "must be \"low\", \"medium\" or \"high\"");
    r->enabled = 1;
    r->confidence = 0.8;
    const cJSON *conf = cJSON_GetObjectItemCaseSensitive(j, "confidence");
    if (conf) {
        if (!cJSON_IsNumber(conf) || conf->valuedouble < 0 || conf->valuedouble > 1)
            return fail(L, "confidence", "must be a number from 0 to 1");
        r->confidence = conf->valuedouble;
    }
    r->model_cat = -1;
    const cJSON *learned = cJSON_GetObjectItemCaseSensitive(j, "learned");
    if (learned) {
        /* a learned rule holds the prose of the learned scorer's findings for its category;
         * the evidence is the model's (model.c), so it has no matchers of its own */
        if (!cJSON_IsBool(learned)) return fail(L, "learned", "must be true or false");
        r->learned = cJSON_IsTrue(learned);
    }
    if (r->learned) {
        static const char *const no[] = {"match", "near", "unless", "factors", "levels", NULL};
        for (int i = 0; no[i]; i++)
            if (cJSON_GetObjectItemCaseSensitive(j, no[i]))
                return fail(L, no[i], "a learned rule takes its evidence from the model: it has no \"%s\"", no[i]);
        return parse_examples(L, cJSON_GetObjectItemCaseSensitive(j, "examples"));
    }
    const cJSON *match = cJSON_GetObjectItemCaseSensitive(j, "match");
    if (!match) return fail(L, "match", "is required");
    if ((st = parse_matchers(L, match, "match", 0, &r->match, &r->nmatch)) != PG_OK) return st;

    const cJSON *near = cJSON_GetObjectItemCaseSensitive(j, "near");
    if (near) {
        if (!cJSON_IsObject(near)) return fail(L, "near", "must be {\"any\": [...], \"window\": n, \"min\": n}");
        for (const cJSON *k = near->child; k; k = k->next)
            if (strcmp(k->string, "any") && strcmp(k->string, "window") && strcmp(k->string, "min"))
                return fail(L, "near", "unknown key '%s'", k->string);
        const cJSON *any = cJSON_GetObjectItemCaseSensitive(near, "any");
        if (!any) return fail(L, "near.any", "is required");
        if ((st = parse_matchers(L, any, "near.any", 0, &r->near, &r->nnear)) != PG_OK) return st;
        r->near_window.kind = PG_WIN_SENTENCE;
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(near, "window");
        if (w && (st = parse_window(L, w, "near.window", &r->near_window)) != PG_OK) return st;
        r->near_min = 1;
        const cJSON *mn = cJSON_GetObjectItemCaseSensitive(near, "min");
        if (mn) {
            if (!cJSON_IsNumber(mn) || mn->valueint < 1 || mn->valueint > 16)
                return fail(L, "near.min", "must be a whole number from 1 to 16");
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
        if (!cJSON_IsObject(factors)) return fail(L, "factors", "must be an object of kind -> matcher(s)");
        int n = 0;
        for (const cJSON *k = factors->child; k; k = k->next) n += strcmp(k->string, "window") != 0;
        if (n == 0 || n > 16) return fail(L, "factors", "needs 1 to 16 kinds");
        r->factors = pg_arena_alloc(L->p->arena, (size_t)n * sizeof *r->factors);
        if (!r->factors) return nomem(L);
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
            if (!f->kind) return nomem(L);
            if ((st = parse_matchers(L, k, field, 0, &f->m, &f->nm)) != PG_OK) return st;
        }
        int nl = cJSON_IsArray(levels) ? cJSON_GetArraySize(levels) : 0;
        if (nl == 0) return fail(L, "levels", "a rule with factors needs levels: [{\"min\": 1, \"severity\": \"low\"}, ...]");
        r->levels = pg_arena_alloc(L->p->arena, (size_t)nl * sizeof *r->levels);
        if (!r->levels) return nomem(L);
        for (int i = 0; i < nl; i++) {
            const cJSON *lv = cJSON_GetArrayItem(levels, i);
            const cJSON *mn = cJSON_GetObjectItemCaseSensitive(lv, "min");
            const cJSON *sv = cJSON_GetObjectItemCaseSensitive(lv, "severity");
            char field[32];
            snprintf(field, sizeof field, "levels[%d]", i);
            if (!cJSON_IsNumber(mn) || mn->valueint < 0 || mn->valueint > r->nfactors)
                return fail(L, field, "\"min\" must be a whole number from 0 to the number of factor kinds (%d)", r->nfactors);
            pg_severity s = cJSON_IsString(sv) ? pg_severity_parse(sv->valuestring) : PG_SEV_NONE;
            if (s == PG_SEV_NONE) return fail(L, field, "\"severity\" must be \"low\", \"medium\" or \"high\"");
            if (i > 0 && mn->valueint <= r->levels[i - 1].min)
                return fail(L, field, "levels must be in increasing order of \"min\"");
            r->levels[i].min = mn->valueint;
            r->levels[i].severity = s;
            r->nlevels++;
        }
    } else if (levels) {
        return fail(L, "levels", "only a rule with \"factors\" has levels");
    }
    return parse_examples(L, cJSON_GetObjectItemCaseSensitive(j, "examples"));
}

static pg_status parse_rules_array(loader *L, const cJSON *arr, size_t *cap) {
    pg_pack *p = L->p;
    if (!cJSON_IsArray(arr)) return fail(L, "rules", "must be a list of rules");
    for (const cJSON *j = arr->child; j; j = j->next) {
        if (p->nrules == *cap) {
            size_t nc = *cap ? *cap * 2 : 64;
            pg_rule *v = realloc(p->rules, nc * sizeof *v);
            if (!v) return nomem(L);
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
                return fail(L, "id", "the id is used twice (also in %s)", p->rules[i].file);
        p->nrules++;
    }
    L->rule = NULL;
    return PG_OK;
}

/* ---- the pack ---- */

/* pack.json's "severity_weights": how much a finding of each severity adds to its section's
 * score. A severity it leaves out keeps the default (PG_WEIGHT_LOW/MEDIUM/HIGH). */
static pg_status parse_weights(loader *L, const cJSON *w) {
    double *weight = L->p->weight;
    weight[PG_SEV_NONE] = weight[PG_SEV_LOW] = PG_WEIGHT_LOW;
    weight[PG_SEV_MEDIUM] = PG_WEIGHT_MEDIUM;
    weight[PG_SEV_HIGH] = PG_WEIGHT_HIGH;
    if (!w) return PG_OK;
    if (!cJSON_IsObject(w))
        return fail(L, "severity_weights", "must be an object: {\"low\": 0.3, \"medium\": 0.6, \"high\": 0.9}");
    for (const cJSON *k = w->child; k; k = k->next) {
        char field[96];
        snprintf(field, sizeof field, "severity_weights.%.60s", k->string);
        pg_severity s = pg_severity_parse(k->string);
        if (s == PG_SEV_NONE) return fail(L, field, "not a severity: the keys are \"low\", \"medium\" and \"high\"");
        if (!cJSON_IsNumber(k) || !(k->valuedouble >= 0 && k->valuedouble <= 1))
            return fail(L, field, "must be a number from 0 to 1");
        weight[s] = k->valuedouble;
    }
    weight[PG_SEV_NONE] = weight[PG_SEV_LOW];
    return PG_OK;
}

/* pack.json's "parts": the name of a parts file (loaded by load_parts_file), or the parts. */
static pg_status parse_parts(loader *L, const cJSON *parts) {
    if (cJSON_IsString(parts) && parts->valuestring[0]) {
        L->parts_file = pg_arena_strdup(L->p->arena, parts->valuestring);
        return L->parts_file ? PG_OK : nomem(L);
    }
    return pg_parts_new(parts, L->file, &L->parts, L->err);
}

static pg_status parse_meta(loader *L, const cJSON *j) {
    pg_pack *p = L->p;
    pg_status st = PG_OK;
    if (!cJSON_IsObject(j)) return fail(L, NULL, "the pack must be a JSON object");
    p->id = get_string(L, j, "id", 1, &st);
    p->version = get_string(L, j, "version", 1, &st);
    p->name = get_string(L, j, "name", 0, &st);
    L->model = get_string(L, j, "model", 0, &st);
    if (st != PG_OK) return st;
    if ((st = parse_weights(L, cJSON_GetObjectItemCaseSensitive(j, "severity_weights"))) != PG_OK ||
        (st = parse_parts(L, cJSON_GetObjectItemCaseSensitive(j, "parts"))) != PG_OK)
        return st;
    if (!p->name) p->name = p->id;
    const cJSON *secs = cJSON_GetObjectItemCaseSensitive(j, "sections");
    if (!cJSON_IsObject(secs) || !secs->child)
        return fail(L, "sections", "is required: {\"3.1\": {\"title\": ..., \"text\": ...}, ...}");
    int n = cJSON_GetArraySize(secs);
    p->sections = pg_arena_alloc(p->arena, (size_t)n * sizeof *p->sections);
    if (!p->sections) return nomem(L);
    for (const cJSON *s = secs->child; s; s = s->next) {
        char field[128];
        snprintf(field, sizeof field, "sections.%s", s->string);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(s, "title");
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(s, "text");
        if (!cJSON_IsString(t) || !cJSON_IsString(x) || !t->valuestring[0] || !x->valuestring[0])
            return fail(L, field, "needs a non-empty \"title\" and \"text\"");
        pg_section *sec = &p->sections[p->nsections++];
        sec->number = pg_arena_strdup(p->arena, s->string);
        sec->title = pg_arena_strdup(p->arena, t->valuestring);
        sec->text = pg_arena_strdup(p->arena, x->valuestring);
        if (!sec->number || !sec->title || !sec->text) return nomem(L);
    }
    return PG_OK;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir ending in suffix, sorted so that load order (and duplicate-id messages)
 * do not depend on the file system. The caller frees the list and its strings. */
static int list_dir(const char *dir, const char *suffix, char ***out, size_t *n) {
    DIR *d = opendir(dir);
    *out = NULL;
    *n = 0;
    if (!d) return errno == ENOENT ? 0 : -1;
    size_t cap = 0, sl = strlen(suffix);
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l <= sl || strcmp(e->d_name + l - sl, suffix)) continue;
        if (*n >= PG_MAX_NESTED_FILES) break;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            char **v = realloc(*out, cap * sizeof *v);
            if (!v) { rc = -1; break; }
            *out = v;
        }
        if (!((*out)[*n] = strdup(e->d_name))) { rc = -1; break; }
        (*n)++;
    }
    closedir(d);
    if (*n) qsort(*out, *n, sizeof **out, cmp_str);
    return rc;
}

static void free_list(char **v, size_t n) {
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

static pg_status load_lexicon_dir(loader *L, const char *dir) {
    char **names;
    size_t n;
    if (list_dir(dir, ".txt", &names, &n)) return nomem(L);
    pg_status st = PG_OK;
    /* size the key tables for all the files at once, so they are not grown while loading */
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) bytes += (size_t)sb.st_size;
    }
    if (pg_lexicons_reserve(&L->p->lex, bytes)) st = nomem(L);
    for (size_t i = 0; i < n && st == PG_OK; i++) {
        char path[1024], name[256];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        snprintf(name, sizeof name, "%.*s", (int)(strlen(names[i]) - 4), names[i]);
        int li = pg_lexicon_add(&L->p->lex, L->p->arena, name, path);
        if (li < 0) st = nomem(L);
        else st = pg_lexicon_load_file(&L->p->lex, L->p->arena, li, L->p->lex.v[li].file, L->err);
    }
    free_list(names, n);
    return st;
}

static pg_status load_inline_lexicons(loader *L, const cJSON *lex) {
    if (!lex) return PG_OK;
    if (!cJSON_IsObject(lex)) return fail(L, "lexicons", "must be an object of name -> [terms]");
    for (const cJSON *k = lex->child; k; k = k->next) {
        char field[300];
        snprintf(field, sizeof field, "lexicons.%s", k->string);
        if (!cJSON_IsArray(k)) return fail(L, field, "must be a list of terms");
        if (pg_lexicon_find(&L->p->lex, k->string) >= 0) return fail(L, field, "a lexicon of this name exists already");
        int li = pg_lexicon_add(&L->p->lex, L->p->arena, k->string, L->file);
        if (li < 0) return nomem(L);
        int i = 0;
        for (const cJSON *t = k->child; t; t = t->next, i++) {
            if (!cJSON_IsString(t)) return fail(L, field, "item %d must be a string", i);
            pg_status st = pg_lexicon_add_term(&L->p->lex, L->p->arena, li, t->valuestring, L->err);
            if (st != PG_OK) return fail(L, field, "item %d: %s", i, L->err->message);
        }
    }
    return PG_OK;
}

/* A file pack.json names (the model, the parts): relative to the pack's folder, or to the
 * folder of a one-file pack; an absolute path as it is. */
static void pack_relative(char *out, size_t cap, const char *packpath, int isdir,
                          const char *name) {
    if (name[0] == '/') snprintf(out, cap, "%s", name);
    else if (isdir) snprintf(out, cap, "%s/%s", packpath, name);
    else {
        const char *slash = strrchr(packpath, '/');
        int dl = slash ? (int)(slash - packpath) : 1;
        snprintf(out, cap, "%.*s/%s", dl, slash ? packpath : ".", name);
    }
}

/* The parts file pack.json names: {"parts": {"name": "pattern text", ...}}. */
static pg_status load_parts_file(loader *L, const char *packpath, int isdir) {
    if (!L->parts_file) return PG_OK;
    char path[4096];
    pack_relative(path, sizeof path, packpath, isdir, L->parts_file);
    if (!(L->file = pg_arena_strdup(L->p->arena, path))) return nomem(L);
    cJSON *j = NULL;
    pg_status st = pg_json_load(path, &j, PG_ERULE, L->err);
    if (st != PG_OK) return st;
    const cJSON *parts = cJSON_GetObjectItemCaseSensitive(j, "parts");
    if (!cJSON_IsObject(j) || !parts)
        st = fail(L, "parts", "a parts file is {\"parts\": {\"name\": \"pattern text\", ...}}");
    else st = pg_parts_new(parts, L->file, &L->parts, L->err);
    cJSON_Delete(j);
    return st;
}

static pg_status load_dir(loader *L, const char *dir, size_t *cap) {
    char path[1024];
    cJSON *meta = NULL;
    snprintf(path, sizeof path, "%s/pack.json", dir);
    L->file = pg_arena_strdup(L->p->arena, path);
    if (!L->file) return nomem(L);
    pg_status st = pg_json_load(path, &meta, PG_ERULE, L->err);
    if (st == PG_ENOTFOUND)
        return pg_fail(L->err, PG_ENOTFOUND, path, NULL, NULL, -1,
                       "%s is not a rule pack: it has no pack.json", dir);
    if (st != PG_OK) return st;
    st = parse_meta(L, meta);
    cJSON_Delete(meta);
    if (st != PG_OK) return st;

    if ((st = load_parts_file(L, dir, 1)) != PG_OK) return st;
    snprintf(path, sizeof path, "%s/lexicons", dir);
    if ((st = load_lexicon_dir(L, path)) != PG_OK) return st;

    char **names;
    size_t n;
    if (list_dir(dir, ".json", &names, &n)) return nomem(L);
    for (size_t i = 0; i < n && st == PG_OK; i++) {
        if (strcmp(names[i], "pack.json") == 0) continue;
        if (L->parts_file && strcmp(names[i], L->parts_file) == 0) continue; /* not rules */
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        L->file = pg_arena_strdup(L->p->arena, path);
        if (!L->file) { st = nomem(L); break; }
        cJSON *j = NULL;
        if ((st = pg_json_load(path, &j, PG_ERULE, L->err)) != PG_OK) break;
        const cJSON *rules = cJSON_IsArray(j) ? j : cJSON_GetObjectItemCaseSensitive(j, "rules");
        if (!rules) st = fail(L, "rules", "a rule file is {\"rules\": [...]}");
        else st = parse_rules_array(L, rules, cap);
        cJSON_Delete(j);
    }
    free_list(names, n);
    return st;
}

static pg_status load_file(loader *L, const char *path, size_t *cap) {
    cJSON *j = NULL;
    L->file = pg_arena_strdup(L->p->arena, path);
    if (!L->file) return nomem(L);
    pg_status st = pg_json_load(path, &j, PG_ERULE, L->err);
    if (st != PG_OK) return st;
    st = parse_meta(L, j);
    if (st == PG_OK) st = load_parts_file(L, path, 0);
    if (st == PG_OK) L->file = pg_arena_strdup(L->p->arena, path);
    if (st == PG_OK && !L->file) st = nomem(L);
    if (st == PG_OK) st = load_inline_lexicons(L, cJSON_GetObjectItemCaseSensitive(j, "lexicons"));
    if (st == PG_OK) {
        const cJSON *rules = cJSON_GetObjectItemCaseSensitive(j, "rules");
        st = rules ? parse_rules_array(L, rules, cap) : fail(L, "rules", "is required in a one-file pack");
    }
    cJSON_Delete(j);
    return st;
}

/* The learned scorer: read the weights pack.json names and tie each learned rule to its
 * category's column. Without PG_LOAD_NO_MODEL a pack with learned rules needs its weights. */
static pg_status load_model(loader *L, const char *packpath, int isdir, unsigned flags) {
    pg_pack *p = L->p;
    if (flags & PG_LOAD_NO_MODEL) return PG_OK;
    if (!L->model) {
        for (size_t i = 0; i < p->nrules; i++)
            if (p->rules[i].learned) {
                L->rule = p->rules[i].id;
                L->file = p->rules[i].file;
                return fail(L, "learned", "the pack has learned rules but pack.json names no \"model\" (its weights file)");
            }
        return PG_OK;
    }
    char path[4096];
    pack_relative(path, sizeof path, packpath, isdir, L->model);
    pg_status st = pg_model_load(path, &p->model, L->err);
    if (st != PG_OK) return st;
    for (size_t i = 0; i < p->nrules; i++) {
        pg_rule *r = &p->rules[i];
        if (!r->learned) continue;
        r->model_cat = pg_model_category(p->model, r->category);
        if (r->model_cat < 0) {
            L->rule = r->id;
            L->file = r->file;
            return fail(L, "category", "the learned scorer %s has no model for '%s' (train it with rules/tools/train.sh)", path, r->category);
        }
    }
    return PG_OK;
}

pg_status pg_pack_load(const char *path, unsigned flags, char *const *configs, size_t nconfigs,
                       pg_pack **out, pg_error *config_problem, pg_error *err) {
    struct stat sb;
    if (stat(path, &sb) != 0)
        return pg_fail(err, PG_ENOTFOUND, path, NULL, NULL, -1,
                       "no rule pack at %s: %s (give --rules PATH or set POSTGUARD_RULES)", path,
                       strerror(errno));
    pg_pack *p = calloc(1, sizeof *p);
    if (!p || !(p->arena = pg_arena_new())) {
        free(p);
        return pg_fail(err, PG_ENOMEM, path, NULL, NULL, -1, "out of memory");
    }
    loader L = {p, path, NULL, err, NULL, NULL, NULL};
    size_t cap = 0;
    pg_status st = PG_OK;
    if (!(p->path = pg_arena_strdup(p->arena, path))) st = nomem(&L);
    if (st == PG_OK) st = S_ISDIR(sb.st_mode) ? load_dir(&L, path, &cap) : load_file(&L, path, &cap);
    pg_parts_free(L.parts); /* the patterns hold their parts expanded: the parts are done */
    L.parts = NULL;
    if (st == PG_OK && p->nrules == 0)
        st = pg_fail(err, PG_ERULE, path, NULL, "rules", -1, "%s: the pack has no rules", path);
    if (st == PG_OK) st = load_model(&L, path, S_ISDIR(sb.st_mode), flags);
    if (st == PG_OK && !(p->mctx = pcre2_match_context_create(NULL))) st = nomem(&L);
    if (st == PG_OK) {
        pcre2_set_match_limit(p->mctx, PG_PCRE2_MATCH_LIMIT);
        pcre2_set_depth_limit(p->mctx, PG_PCRE2_DEPTH_LIMIT);
        pcre2_set_heap_limit(p->mctx, PG_PCRE2_HEAP_LIMIT_KIB);
        st = pg_start_build(p, err);
    }
    if (st != PG_OK) {
        pg_pack_free(p);
        return st;
    }
    /* Clinic configuration: each file is all-or-nothing; the first fault is kept to report. */
    for (size_t i = 0; i < nconfigs; i++) {
        pg_error cerr;
        pg_error_clear(&cerr);
        pg_status cs = pg_config_apply(p, configs[i], &cerr);
        if (cs == PG_ENOMEM) {
            pg_pack_free(p);
            return pg_fail(err, PG_ENOMEM, configs[i], NULL, NULL, -1, "out of memory");
        }
        if (cs != PG_OK && cs != PG_ENOTFOUND && config_problem &&
            config_problem->status == PG_OK)
            *config_problem = cerr;
    }
    *out = p;
    return PG_OK;
}

void pg_pack_free(pg_pack *p) {
    if (!p) return;
    for (size_t i = 0; i < p->nmatchers; i++) pg_pattern_free(&p->matchers[i]->pat);
    free(p->matchers);
    free(p->rules);
    pg_lexicons_free(&p->lex);
    pg_model_free(p->model);
    pg_starttab_free(p->start[0]);
    pg_starttab_free(p->start[1]);
    if (p->mctx) pcre2_match_context_free(p->mctx);
    pg_arena_free(p->arena);
    free(p);
}

const pg_rule *pg_pack_rule(const pg_pack *p, const char *id) {
    for (size_t i = 0; i < p->nrules; i++)
        if (strcmp(p->rules[i].id, id) == 0) return &p->rules[i];
    return NULL;
}

const pg_section *pg_pack_section(const pg_pack *p, const char *number) {
    for (size_t i = 0; i < p->nsections; i++)
        if (strcmp(p->sections[i].number, number) == 0) return &p->sections[i];
    return NULL;
}
