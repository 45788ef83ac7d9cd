/* rules.c - loading a rule pack: pack.json, the rule files, lexicon folders, parts and model it
 * names, into one immutable pg_pack (one rule's schema is rule_schema.c; reading files, file.c).
 * Every error names the file, the rule id and the field at fault, and a bad pack is refused whole. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "loader.h"

pg_status pg_load_fail(loader *L, const char *field, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pg_status st = pg_vfail_in(L->err, PG_ERULE, L->file, L->rule, field, -1, fmt, ap);
    va_end(ap);
    return st;
}

pg_status pg_load_nomem(loader *L) {
    return pg_fail(L->err, PG_ENOMEM, L->file, L->rule, NULL, -1, "out of memory");
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
        return pg_load_fail(L, "severity_weights", "must be an object: {\"low\": 0.3, \"medium\": 0.6, \"high\": 0.9}");
    for (const cJSON *k = w->child; k; k = k->next) {
        char field[96];
        snprintf(field, sizeof field, "severity_weights.%.60s", k->string);
        pg_severity s = pg_severity_parse(k->string);
        if (s == PG_SEV_NONE) return pg_load_fail(L, field, "not a severity: the keys are \"low\", \"medium\" and \"high\"");
        if (!cJSON_IsNumber(k) || !(k->valuedouble >= 0 && k->valuedouble <= 1))
            return pg_load_fail(L, field, "must be a number from 0 to 1");
        weight[s] = k->valuedouble;
    }
    weight[PG_SEV_NONE] = weight[PG_SEV_LOW];
    return PG_OK;
}

/* pack.json's "parts": the name of a parts file (loaded by load_parts_file), or the parts. */
static pg_status parse_parts(loader *L, const cJSON *parts) {
    if (cJSON_IsString(parts) && parts->valuestring[0]) {
        L->parts_file = pg_arena_strdup(L->p->arena, parts->valuestring);
        return L->parts_file ? PG_OK : pg_load_nomem(L);
    }
    return pg_parts_new(parts, L->file, &L->parts, L->err);
}

static pg_status parse_meta(loader *L, const cJSON *j) {
    pg_pack *p = L->p;
    pg_status st = PG_OK;
    if (!cJSON_IsObject(j)) return pg_load_fail(L, NULL, "the pack must be a JSON object");
    p->id = pg_load_string(L, j, "id", 1, &st);
    p->version = pg_load_string(L, j, "version", 1, &st);
    p->name = pg_load_string(L, j, "name", 0, &st);
    L->model = pg_load_string(L, j, "model", 0, &st);
    if (st != PG_OK) return st;
    if ((st = parse_weights(L, cJSON_GetObjectItemCaseSensitive(j, "severity_weights"))) != PG_OK ||
        (st = parse_parts(L, cJSON_GetObjectItemCaseSensitive(j, "parts"))) != PG_OK)
        return st;
    if (!p->name) p->name = p->id;
    const cJSON *secs = cJSON_GetObjectItemCaseSensitive(j, "sections");
    if (!cJSON_IsObject(secs) || !secs->child)
        return pg_load_fail(L, "sections", "is required: {\"3.1\": {\"title\": ..., \"text\": ...}, ...}");
    int n = cJSON_GetArraySize(secs);
    p->sections = pg_arena_alloc(p->arena, (size_t)n * sizeof *p->sections);
    if (!p->sections) return pg_load_nomem(L);
    for (const cJSON *s = secs->child; s; s = s->next) {
        char field[128];
        snprintf(field, sizeof field, "sections.%s", s->string);
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(s, "title");
        const cJSON *x = cJSON_GetObjectItemCaseSensitive(s, "text");
        if (!cJSON_IsString(t) || !cJSON_IsString(x) || !t->valuestring[0] || !x->valuestring[0])
            return pg_load_fail(L, field, "needs a non-empty \"title\" and \"text\"");
        pg_section *sec = &p->sections[p->nsections++];
        sec->number = pg_arena_strdup(p->arena, s->string);
        sec->title = pg_arena_strdup(p->arena, t->valuestring);
        sec->text = pg_arena_strdup(p->arena, x->valuestring);
        if (!sec->number || !sec->title || !sec->text) return pg_load_nomem(L);
    }
    return PG_OK;
}

static pg_status load_lexicon_dir(loader *L, const char *dir) {
    char **names;
    size_t n;
    if (pg_list_dir(dir, ".txt", PG_MAX_NESTED_FILES, &names, &n)) return pg_load_nomem(L);
    pg_status st = PG_OK;
    /* size the key tables for all the files at once, so they are not grown while loading */
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) {
        char path[1024];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) bytes += (size_t)sb.st_size;
    }
    if (pg_lexicons_reserve(&L->p->lex, bytes)) st = pg_load_nomem(L);
    for (size_t i = 0; i < n && st == PG_OK; i++) {
        char path[1024], name[256];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        snprintf(name, sizeof name, "%.*s", (int)(strlen(names[i]) - 4), names[i]);
        int li = pg_lexicon_add(&L->p->lex, L->p->arena, name, path);
        if (li < 0) st = pg_load_nomem(L);
        else st = pg_lexicon_load_file(&L->p->lex, L->p->arena, li, L->p->lex.v[li].file, L->err);
    }
    pg_names_free(names, n);
    return st;
}

static pg_status load_inline_lexicons(loader *L, const cJSON *lex) {
    if (!lex) return PG_OK;
    if (!cJSON_IsObject(lex)) return pg_load_fail(L, "lexicons", "must be an object of name -> [terms]");
    for (const cJSON *k = lex->child; k; k = k->next) {
        char field[300];
        snprintf(field, sizeof field, "lexicons.%s", k->string);
        if (!cJSON_IsArray(k)) return pg_load_fail(L, field, "must be a list of terms");
        if (pg_lexicon_find(&L->p->lex, k->string) >= 0) return pg_load_fail(L, field, "a lexicon of this name exists already");
        int li = pg_lexicon_add(&L->p->lex, L->p->arena, k->string, L->file);
        if (li < 0) return pg_load_nomem(L);
        int i = 0;
        for (const cJSON *t = k->child; t; t = t->next, i++) {
            if (!cJSON_IsString(t)) return pg_load_fail(L, field, "item %d must be a string", i);
            pg_status st = pg_lexicon_add_term(&L->p->lex, L->p->arena, li, t->valuestring, L->err);
            if (st != PG_OK) return pg_load_fail(L, field, "item %d: %s", i, L->err->message);
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
    if (!(L->file = pg_arena_strdup(L->p->arena, path))) return pg_load_nomem(L);
    cJSON *j = NULL;
    pg_status st = pg_json_load(path, &j, PG_ERULE, L->err);
    if (st != PG_OK) return st;
    const cJSON *parts = cJSON_GetObjectItemCaseSensitive(j, "parts");
    if (!cJSON_IsObject(j) || !parts)
        st = pg_load_fail(L, "parts", "a parts file is {\"parts\": {\"name\": \"pattern text\", ...}}");
    else st = pg_parts_new(parts, L->file, &L->parts, L->err);
    cJSON_Delete(j);
    return st;
}

static pg_status load_dir(loader *L, const char *dir, size_t *cap) {
    char path[1024];
    cJSON *meta = NULL;
    snprintf(path, sizeof path, "%s/pack.json", dir);
    L->file = pg_arena_strdup(L->p->arena, path);
    if (!L->file) return pg_load_nomem(L);
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
    if (pg_list_dir(dir, ".json", PG_MAX_NESTED_FILES, &names, &n)) return pg_load_nomem(L);
    for (size_t i = 0; i < n && st == PG_OK; i++) {
        if (strcmp(names[i], "pack.json") == 0) continue;
        if (L->parts_file && strcmp(names[i], L->parts_file) == 0) continue; /* not rules */
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        L->file = pg_arena_strdup(L->p->arena, path);
        if (!L->file) { st = pg_load_nomem(L); break; }
        cJSON *j = NULL;
        if ((st = pg_json_load(path, &j, PG_ERULE, L->err)) != PG_OK) break;
        const cJSON *rules = cJSON_IsArray(j) ? j : cJSON_GetObjectItemCaseSensitive(j, "rules");
        if (!rules) st = pg_load_fail(L, "rules", "a rule file is {\"rules\": [...]}");
        else st = pg_load_rules(L, rules, cap);
        cJSON_Delete(j);
    }
    pg_names_free(names, n);
    return st;
}

static pg_status load_file(loader *L, const char *path, size_t *cap) {
    cJSON *j = NULL;
    L->file = pg_arena_strdup(L->p->arena, path);
    if (!L->file) return pg_load_nomem(L);
    pg_status st = pg_json_load(path, &j, PG_ERULE, L->err);
    if (st != PG_OK) return st;
    st = parse_meta(L, j);
    if (st == PG_OK) st = load_parts_file(L, path, 0);
    if (st == PG_OK) L->file = pg_arena_strdup(L->p->arena, path);
    if (st == PG_OK && !L->file) st = pg_load_nomem(L);
    if (st == PG_OK) st = load_inline_lexicons(L, cJSON_GetObjectItemCaseSensitive(j, "lexicons"));
    if (st == PG_OK) {
        const cJSON *rules = cJSON_GetObjectItemCaseSensitive(j, "rules");
        st = rules ? pg_load_rules(L, rules, cap) : pg_load_fail(L, "rules", "is required in a one-file pack");
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
                return pg_load_fail(L, "learned", "the pack has learned rules but pack.json names no \"model\" (its weights file)");
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
            return pg_load_fail(L, "category", "the learned scorer %s has no model for '%s' (train it with rules/tools/train.sh)", path, r->category);
        }
    }
    return PG_OK;
}

pg_status pg_pack_load(const char *path, unsigned flags, pg_pack **out, pg_error *err) {
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
    if (!(p->path = pg_arena_strdup(p->arena, path))) st = pg_load_nomem(&L);
    if (st == PG_OK) st = S_ISDIR(sb.st_mode) ? load_dir(&L, path, &cap) : load_file(&L, path, &cap);
    pg_parts_free(L.parts); /* the patterns hold their parts expanded: the parts are done */
    L.parts = NULL;
    if (st == PG_OK && p->nrules == 0)
        st = pg_fail(err, PG_ERULE, path, NULL, "rules", -1, "%s: the pack has no rules", path);
    if (st == PG_OK) st = load_model(&L, path, S_ISDIR(sb.st_mode), flags);
    if (st == PG_OK && !(p->mctx = pcre2_match_context_create(NULL))) st = pg_load_nomem(&L);
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
