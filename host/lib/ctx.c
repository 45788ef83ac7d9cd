/* ctx.c - the context a caller owns: where the pack is, loading it with the clinic's
 * configuration, checking a text, and reading rules back for explanations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "internal.h"

struct pg_ctx {
    pg_pack *pack;
    char **configs; /* registered configuration paths, lowest precedence first */
    unsigned char *roles; /* per config: ROLE_* */
    size_t nconfigs;
    pg_error config_problem; /* status PG_OK when there is none */
    char *overlay;           /* the configure overlay (JSON), applied after the files, or NULL */
    size_t overlay_len;
    pg_scratch sc;
    pg_rawvec raw;
    unsigned load_flags; /* PG_LOAD_* for the next pg_ctx_load */
};

pg_status pg_ctx_new(pg_ctx **out) {
    pg_ctx *c = calloc(1, sizeof *c);
    if (!c) return PG_ENOMEM;
    pg_error_clear(&c->config_problem);
    *out = c;
    return PG_OK;
}

void pg_ctx_free(pg_ctx *c) {
    if (!c) return;
    pg_pack_free(c->pack);
    for (size_t i = 0; i < c->nconfigs; i++) free(c->configs[i]);
    free(c->configs);
    free(c->roles);
    free(c->overlay);
    pg_scratch_free(&c->sc);
    free(c->raw.v);
    free(c);
}

/* ---- configuration ---- */

/* Who wrote a configuration file: a file the caller names (the command line's --config) is
 * applied as it is; the user's and the clinic's standard files are under the clinic's policy
 * (policy.c). */
enum { ROLE_GIVEN, ROLE_USER, ROLE_CLINIC };

static pg_status add_config(pg_ctx *c, const char *path, unsigned char role) {
    char **v = realloc(c->configs, (c->nconfigs + 1) * sizeof *v);
    if (!v) return PG_ENOMEM;
    c->configs = v;
    unsigned char *r = realloc(c->roles, c->nconfigs + 1);
    if (!r) return PG_ENOMEM;
    c->roles = r;
    if (!(v[c->nconfigs] = strdup(path))) return PG_ENOMEM;
    r[c->nconfigs] = role;
    c->nconfigs++;
    return PG_OK;
}

pg_status pg_ctx_add_config(pg_ctx *c, const char *path) {
    return add_config(c, path, ROLE_GIVEN);
}

pg_status pg_ctx_add_default_configs(pg_ctx *c) {
    char user[4096], sys[4096];
    pg_default_config_paths(user, sys, sizeof user);
    pg_status st = PG_OK;
    if (user[0]) st = add_config(c, user, ROLE_USER);
    if (st == PG_OK && sys[0]) st = add_config(c, sys, ROLE_CLINIC);
    return st;
}

const pg_error *pg_ctx_config_problem(const pg_ctx *c) {
    return c->config_problem.status == PG_OK ? NULL : &c->config_problem;
}

/* ---- loading ---- */

int pg_scratch_prepare(pg_scratch *sc, const pg_pack *p) {
    for (size_t i = 0; i < sc->nlexhits; i++) free(sc->lexhits[i].v);
    free(sc->lexhits);
    for (size_t i = 0; i < sc->nm; i++) free(sc->mhits[i].v);
    free(sc->mhits);
    free(sc->mdone);
    for (size_t i = 0; i < sc->nm; i++) free(sc->phits[i].v);
    free(sc->phits);
    free(sc->pdone);
    for (int r = 0; r < 2; r++) {
        for (int i = 0; i < sc->ncand[r]; i++) free(sc->cand[r][i].v);
        free(sc->cand[r]);
        sc->ncand[r] = p->nstart[r];
        sc->cand[r] = calloc(sc->ncand[r] ? (size_t)sc->ncand[r] : 1, sizeof *sc->cand[r]);
        if (!sc->cand[r]) sc->ncand[r] = 0;
    }
    sc->nlexhits = p->lex.n;
    sc->nm = p->nmatchers;
    sc->lexhits = calloc(sc->nlexhits ? sc->nlexhits : 1, sizeof *sc->lexhits);
    sc->mhits = calloc(sc->nm ? sc->nm : 1, sizeof *sc->mhits);
    sc->mdone = calloc(sc->nm ? sc->nm : 1, 1);
    sc->phits = calloc(sc->nm ? sc->nm : 1, sizeof *sc->phits);
    sc->pdone = calloc(sc->nm ? sc->nm : 1, 1);
    if (!sc->md) sc->md = pcre2_match_data_create(32, NULL);
    sc->pack = p;
    if (pg_model_scratch(sc, p->model)) return -1;
    if (!sc->lexhits || !sc->mhits || !sc->mdone || !sc->phits || !sc->pdone || !sc->md ||
        !sc->cand[0] || !sc->cand[1]) {
        sc->nlexhits = sc->nm = 0;
        return -1;
    }
    return 0;
}

void pg_scratch_free(pg_scratch *sc) {
    pg_fold_free(&sc->fold);
    free(sc->tok);
    free(sc->lexbuf);
    free(sc->sent);
    free(sc->quote);
    free(sc->raw);
    for (size_t i = 0; i < sc->nlexhits; i++) free(sc->lexhits[i].v);
    free(sc->lexhits);
    for (size_t i = 0; i < sc->nm; i++) free(sc->mhits[i].v);
    free(sc->mhits);
    free(sc->mdone);
    for (size_t i = 0; i < sc->nm; i++) free(sc->phits[i].v);
    free(sc->phits);
    free(sc->pdone);
    for (int r = 0; r < 2; r++) {
        for (int i = 0; i < sc->ncand[r]; i++) free(sc->cand[r][i].v);
        free(sc->cand[r]);
    }
    if (sc->md) pcre2_match_data_free(sc->md);
    free(sc->mstamp);
    free(sc->mf);
    memset(sc, 0, sizeof *sc);
}

/* Load the pack at path and apply the configuration files under the clinic's policy. A pack
 * the clinic's pin refuses fails with PG_ECONFIG (nothing is checked with it: fail closed).
 * The first problem worth reporting goes to *problem: the clinic's own file's, then a pack
 * that $POSTGUARD_RULES chose unpinned, then the other files' in order. */
static pg_status load_base(pg_ctx *c, const char *path, pg_pack **out, pg_error *problem,
                           pg_error *err) {
    pg_error_clear(problem);
    const char *clinic = NULL;
    for (size_t i = 0; i < c->nconfigs; i++)
        if (c->roles[i] == ROLE_CLINIC) clinic = c->configs[i];
    pg_policy pol;
    pg_status st = pg_policy_read(clinic, &pol, err);
    if (st != PG_OK) return st;
    pg_pack *p = NULL;
    st = pg_pack_load(path, c->load_flags, &p, err);
    if (st != PG_OK) return st;
    if ((st = pg_policy_check_pack(&pol, p, err)) != PG_OK) {
        pg_pack_free(p);
        return st;
    }
    if (pol.clinic && !pol.locked) {
        /* a broken file changes nothing, so its "lock": false does not unlock either */
        pg_error e;
        pg_status cs = pg_config_check_file(p, pol.path, &e);
        if (cs == PG_ENOMEM) {
            pg_pack_free(p);
            return pg_fail(err, PG_ENOMEM, pol.path, NULL, NULL, -1, "out of memory");
        }
        if (cs != PG_OK) pol.locked = 1;
    }
    pg_error clinic_problem, rules_problem, other_problem;
    pg_error_clear(&clinic_problem);
    pg_error_clear(&rules_problem);
    pg_error_clear(&other_problem);
    const char *env = getenv("POSTGUARD_RULES");
    if (pol.clinic && !pol.pin_sha256[0] && env && strcmp(env, path) == 0)
        pg_fail(&rules_problem, PG_ECONFIG, pol.path, NULL, "pack", -1,
                "%s: pack: the rule pack comes from POSTGUARD_RULES=%s, not the installed "
                "one, and the clinic's configuration does not pin the pack (\"pack\": "
                "{\"sha256\": ...}), so which pack this is was not checked", pol.path, path);
    for (size_t i = 0; i < c->nconfigs; i++) {
        pg_error cerr, refused;
        pg_error_clear(&cerr);
        pg_error_clear(&refused);
        pg_status cs = c->roles[i] == ROLE_USER && pol.clinic && pol.locked
                           ? pg_config_apply_user(p, c->configs[i], pol.path, &refused, &cerr)
                           : pg_config_apply(p, c->configs[i], &cerr);
        if (cs == PG_ENOMEM) {
            pg_pack_free(p);
            return pg_fail(err, PG_ENOMEM, c->configs[i], NULL, NULL, -1, "out of memory");
        }
        if (cs == PG_OK && refused.status != PG_OK) cerr = refused, cs = refused.status;
        pg_error *slot = c->roles[i] == ROLE_CLINIC ? &clinic_problem : &other_problem;
        if (cs != PG_OK && cs != PG_ENOTFOUND && slot->status == PG_OK) *slot = cerr;
    }
    if (clinic_problem.status != PG_OK) *problem = clinic_problem;
    else if (rules_problem.status != PG_OK) *problem = rules_problem;
    else *problem = other_problem;
    *out = p;
    return PG_OK;
}

/* Load the pack at path with the configuration files and the overlay (ov, ovlen; NULL for
 * none). A fault in the overlay is reported in *ov_problem (status PG_OK when none) and
 * leaves the pack as the files make it. The caller decides whether to keep the result. */
static pg_status load_pack(pg_ctx *c, const char *path, const char *ov, size_t ovlen,
                           pg_pack **out, pg_error *problem, pg_error *ov_problem,
                           pg_error *err) {
    pg_error_clear(ov_problem);
    pg_pack *p = NULL;
    pg_status st = load_base(c, path, &p, problem, err);
    if (st != PG_OK) return st;
    if (ov) {
        pg_status os = pg_config_apply_buf(p, "configure", ov, ovlen, ov_problem);
        if (os == PG_ENOMEM) {
            pg_pack_free(p);
            return pg_fail(err, PG_ENOMEM, path, NULL, NULL, -1, "out of memory");
        }
        if (os != PG_OK) {
            /* a half-applied overlay (a term that failed late) must not stay: load again
             * without it, so the overlay is all-or-nothing like a file */
            pg_pack_free(p);
            p = NULL;
            pg_error ignored;
            st = load_base(c, path, &p, &ignored, err);
            if (st != PG_OK) return st;
        }
    }
    *out = p;
    return PG_OK;
}

/* Make p (with its configuration problem) the context's pack, or fail with ENOMEM keeping the
 * old one. Takes p either way. */
static pg_status install_pack(pg_ctx *c, pg_pack *p, const pg_error *problem, pg_error *err) {
    pg_scratch fresh = {0};
    if (pg_scratch_prepare(&fresh, p)) {
        pg_scratch_free(&fresh);
        pg_pack_free(p);
        return pg_fail(err, PG_ENOMEM, NULL, NULL, NULL, -1, "out of memory");
    }
    pg_scratch_free(&c->sc);
    c->sc = fresh;
    pg_pack_free(c->pack);
    c->pack = p;
    c->config_problem = *problem;
    return PG_OK;
}

pg_status pg_ctx_load(pg_ctx *c, const char *path, pg_error *err) {
    pg_error_clear(err);
    if (!path) return pg_fail(err, PG_EINVAL, NULL, NULL, NULL, -1, "no rule pack path given");
    pg_pack *p = NULL;
    pg_error problem, ov_problem;
    pg_status st = load_pack(c, path, c->overlay, c->overlay_len, &p, &problem, &ov_problem, err);
    if (st != PG_OK) return st;
    /* the files' problem comes first; an overlay that no longer fits this pack is next */
    if (problem.status == PG_OK && ov_problem.status != PG_OK) problem = ov_problem;
    /* the new pack replaces the old only once everything it needs exists */
    return install_pack(c, p, &problem, err);
}

pg_status pg_ctx_set_overlay(pg_ctx *c, const char *json, size_t len, pg_error *err) {
    pg_error_clear(err);
    if (!json && len) return pg_fail(err, PG_EINVAL, NULL, NULL, NULL, -1, "overlay is NULL");
    /* an empty overlay ({} or nothing) removes the previous one */
    int empty = len == 0;
    if (!empty) {
        cJSON *j = NULL;
        pg_status st = pg_config_parse_buf("configure", json, len, &j, err);
        if (st != PG_OK) return st;
        empty = cJSON_IsObject(j) && j->child == NULL;
        cJSON_Delete(j);
    }
    char *copy = NULL;
    if (!empty) {
        if (!(copy = malloc(len + 1))) return pg_fail(err, PG_ENOMEM, NULL, NULL, NULL, -1, "out of memory");
        memcpy(copy, json, len);
        copy[len] = '\0';
    }
    if (c->pack) {
        /* path is borrowed from the old pack, which lives until install_pack replaces it */
        const char *path = c->pack->path;
        pg_pack *p = NULL;
        pg_error problem, ov_problem;
        pg_status st = load_pack(c, path, copy, empty ? 0 : len, &p, &problem, &ov_problem, err);
        if (st == PG_OK && ov_problem.status != PG_OK) {
            pg_pack_free(p);
            *err = ov_problem;
            st = ov_problem.status;
        }
        if (st == PG_OK) st = install_pack(c, p, &problem, err);
        if (st != PG_OK) {
            free(copy);
            return st;
        }
    }
    free(c->overlay);
    c->overlay = copy;
    c->overlay_len = empty ? 0 : len;
    return PG_OK;
}

/* ---- checking ---- */

void pg_ctx_set_load_flags(pg_ctx *c, unsigned flags) {
    c->load_flags = flags;
}

/* What a check does after the rules: score (pg_check) or list the features (pg_features). */
typedef struct after_rules {
    pg_result **out;    /* pg_check */
    pg_feature_fn fn;   /* pg_features */
    void *ud;
    size_t *nwords;
} after_rules;

/* pg_features lists each feature once: a set of the hashes seen in this post. */
typedef struct feature_set {
    uint64_t *v;
    size_t cap, n;
    pg_feature_fn fn;
    void *ud;
    int stop; /* 1: fn asked to stop; -1: out of memory */
} feature_set;

static int emit_feature(void *ud, const char *f, size_t n, pg_hit span) {
    feature_set *fs = ud;
    if (fs->n * 2 >= fs->cap) {
        size_t nc = fs->cap ? fs->cap * 2 : 1024;
        uint64_t *nv = calloc(nc, sizeof *nv);
        if (!nv) return fs->stop = -1;
        for (size_t i = 0; i < fs->cap; i++) {
            if (!fs->v[i]) continue;
            size_t j = (size_t)fs->v[i] & (nc - 1);
            while (nv[j]) j = (j + 1) & (nc - 1);
            nv[j] = fs->v[i];
        }
        free(fs->v);
        fs->v = nv;
        fs->cap = nc;
    }
    uint64_t h = pg_model_hash(f, n);
    size_t j = (size_t)h & (fs->cap - 1);
    while (fs->v[j]) {
        if (fs->v[j] == h) return 0;
        j = (j + 1) & (fs->cap - 1);
    }
    fs->v[j] = h;
    fs->n++;
    if (fs->fn(fs->ud, f, n)) return fs->stop = 1;
    return 0;
}

static pg_status run_check(pg_ctx *c, const char *text, size_t len, after_rules *then,
                           pg_error *err) {
    pg_error_clear(err);
    if (then->out) *then->out = NULL;
    if (!c->pack)
        return pg_fail(err, PG_EINVAL, NULL, NULL, NULL, -1,
                       "no rule pack is loaded (call pg_ctx_load first)");
    if (!text && len) return pg_fail(err, PG_EINVAL, NULL, NULL, NULL, -1, "text is NULL");
    if (len > PG_MAX_TEXT_BYTES)
        return pg_fail(err, PG_ETOOBIG, NULL, NULL, "text", -1,
                       "the text is %zu bytes; at most %u can be checked", len,
                       (unsigned)PG_MAX_TEXT_BYTES);
    size_t bad = 0;
    if (pg_utf8_validate(text ? text : "", len, NULL, &bad))
        return pg_fail(err, PG_EUTF8, NULL, NULL, "text", (long)bad,
                       "the text is not valid UTF-8 at byte %zu", bad);
    pg_scratch *sc = &c->sc;
    sc->src = text ? text : "";
    sc->srclen = len;
    sc->limit_hits = 0;
    sc->truncated = 0;
    c->raw.n = 0;
    pg_status st = PG_ENOMEM;
    if (sc->rawcap < len + 17) {
        char *nr = realloc(sc->raw, len + 17);
        if (!nr) return pg_fail(err, PG_ENOMEM, NULL, NULL, NULL, -1, "out of memory");
        sc->raw = nr;
        sc->rawcap = len + 17;
    }
    if (len) memcpy(sc->raw, sc->src, len);
    memset(sc->raw + len, 0, 17);
    if (pg_fold_text(&sc->fold, sc->src, len) == 0 && pg_normalise(&sc->fold, sc->src, len) == 0 &&
        pg_tokenize(sc) == 0 &&
        pg_lexicon_scan(&c->pack->lex, sc) == 0) {
        st = pg_match_rules(sc, &c->raw);
        if (st == PG_OK && then->out) {
            st = pg_model_apply(sc, &c->raw);
            if (st == PG_OK) st = pg_score(sc, &c->raw, then->out);
        } else if (st == PG_OK) {
            feature_set fs = {NULL, 0, 0, then->fn, then->ud, 0};
            pg_model_walk(sc, &c->raw, PG_FK_ALL, emit_feature, &fs);
            if (then->nwords) *then->nwords = sc->ntok;
            if (fs.stop < 0) st = PG_ENOMEM;
            free(fs.v);
        }
    }
    sc->src = NULL; /* the text is the caller's: keep no pointer to it, nor a copy */
    if (len) memset(sc->raw, 0, len);
    if (sc->fold.len) memset(sc->fold.text, 0, sc->fold.len);
    if (sc->fold.tmpused) memset(sc->fold.tmp, 0, sc->fold.tmpused);
    sc->fold.tmpused = 0;
    if (sc->lexlen) memset(sc->lexbuf, 0, sc->lexlen);
    sc->srclen = 0;
    if (st != PG_OK) return pg_fail(err, st, NULL, NULL, NULL, -1, "out of memory while checking");
    return PG_OK;
}

pg_status pg_check(pg_ctx *c, const char *text, size_t len, pg_result **out, pg_error *err) {
    after_rules then = {out, NULL, NULL, NULL};
    return run_check(c, text, len, &then, err);
}

pg_status pg_features(pg_ctx *c, const char *text, size_t len, pg_feature_fn fn, void *ud,
                      size_t *nwords, pg_error *err) {
    if (!fn) return pg_fail(err, PG_EINVAL, NULL, NULL, NULL, -1, "no feature callback given");
    after_rules then = {NULL, fn, ud, nwords};
    return run_check(c, text, len, &then, err);
}

/* ---- the pack, read back ---- */

pg_status pg_ctx_pack_info(const pg_ctx *c, pg_pack_info *out) {
    memset(out, 0, sizeof *out);
    if (!c->pack) return PG_EINVAL;
    out->id = c->pack->id;
    out->version = c->pack->version;
    out->name = c->pack->name;
    out->path = c->pack->path;
    out->nrules = c->pack->nrules;
    size_t named = 0;
    for (size_t i = 0; i < c->pack->lex.n; i++) named += strchr(c->pack->lex.v[i].name, '#') == NULL;
    out->nlexicons = named;
    return PG_OK;
}

size_t pg_ctx_rule_count(const pg_ctx *c) {
    return c->pack ? c->pack->nrules : 0;
}

static void fill_rule(const pg_rule *r, pg_rule_info *out) {
    out->id = r->id;
    out->category = r->category;
    out->section = r->section;
    out->section_title = r->sec->title;
    out->section_text = r->sec->text;
    out->severity = r->override != PG_SEV_NONE ? r->override : r->severity;
    if (r->nlevels && r->override == PG_SEV_NONE) out->severity = r->levels[r->nlevels - 1].severity;
    out->enabled = r->enabled;
    out->message = r->message;
    out->explanation = r->explanation;
    out->suggestion = r->suggestion;
}

pg_status pg_ctx_rule_at(const pg_ctx *c, size_t i, pg_rule_info *out) {
    if (!c->pack || i >= c->pack->nrules) return PG_EINVAL;
    fill_rule(&c->pack->rules[i], out);
    return PG_OK;
}

pg_status pg_ctx_rule(const pg_ctx *c, const char *id, pg_rule_info *out) {
    if (!c->pack) return PG_EINVAL;
    const pg_rule *r = pg_pack_rule(c->pack, id);
    if (!r) return PG_ENOTFOUND;
    fill_rule(r, out);
    return PG_OK;
}

size_t pg_ctx_section_count(const pg_ctx *c) {
    return c->pack ? c->pack->nsections : 0;
}

pg_status pg_ctx_section_at(const pg_ctx *c, size_t i, pg_section_info *out) {
    memset(out, 0, sizeof *out);
    if (!c->pack || i >= c->pack->nsections) return PG_EINVAL;
    out->section = c->pack->sections[i].number;
    out->title = c->pack->sections[i].title;
    out->text = c->pack->sections[i].text;
    return PG_OK;
}
