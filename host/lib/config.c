/* config.c - a clinic's configuration on top of the base pack: extra lexicon terms (its
 * hospitals, wards, towns, colleagues), disabled rules and changed severities.
 * A file is checked whole before any of it is applied, so a broken file changes nothing. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

pg_status pg_json_load(const char *path, cJSON **out, pg_status bad, pg_error *err);

static pg_status bad(pg_error *err, const char *path, const char *field, const char *fmt,
                     const char *a) {
    char msg[300];
    snprintf(msg, sizeof msg, fmt, a);
    return pg_fail(err, PG_ECONFIG, path, NULL, field, -1, "%s: %s: %s", path, field, msg);
}

static pg_status check(pg_pack *p, const char *path, const cJSON *j, pg_error *err) {
    if (!cJSON_IsObject(j)) return bad(err, path, "(top level)", "must be a JSON object%s", "");
    for (const cJSON *k = j->child; k; k = k->next)
        if (strcmp(k->string, "lexicons") && strcmp(k->string, "disable") &&
            strcmp(k->string, "severity") && k->string[0] != '_')
            return bad(err, path, k->string,
                       "unknown setting '%s' (known: lexicons, disable, severity)", k->string);
    char field[300];
    const cJSON *lex = cJSON_GetObjectItemCaseSensitive(j, "lexicons");
    if (lex) {
        if (!cJSON_IsObject(lex)) return bad(err, path, "lexicons", "must be an object of lexicon name -> [terms]%s", "");
        for (const cJSON *k = lex->child; k; k = k->next) {
            snprintf(field, sizeof field, "lexicons.%s", k->string);
            int li = pg_lexicon_find(&p->lex, k->string);
            if (li < 0 || strchr(k->string, '#'))
                return bad(err, path, field, "the rule pack has no lexicon named '%s'", k->string);
            if (!cJSON_IsArray(k)) return bad(err, path, field, "must be a list of terms%s", "");
            for (const cJSON *t = k->child; t; t = t->next) {
                if (!cJSON_IsString(t) || !t->valuestring[0])
                    return bad(err, path, field, "every term must be a non-empty string%s", "");
                size_t off;
                if (pg_utf8_validate(t->valuestring, strlen(t->valuestring), NULL, &off))
                    return bad(err, path, field, "a term is not valid UTF-8%s", "");
            }
        }
    }
    const cJSON *dis = cJSON_GetObjectItemCaseSensitive(j, "disable");
    if (dis) {
        if (!cJSON_IsArray(dis)) return bad(err, path, "disable", "must be a list of rule ids%s", "");
        for (const cJSON *t = dis->child; t; t = t->next) {
            if (!cJSON_IsString(t)) return bad(err, path, "disable", "every item must be a rule id%s", "");
            if (!pg_pack_rule(p, t->valuestring))
                return bad(err, path, "disable", "no rule has the id '%s' (see `postguard rules`)", t->valuestring);
        }
    }
    const cJSON *sev = cJSON_GetObjectItemCaseSensitive(j, "severity");
    if (sev) {
        if (!cJSON_IsObject(sev)) return bad(err, path, "severity", "must be an object of rule id -> low|medium|high%s", "");
        for (const cJSON *k = sev->child; k; k = k->next) {
            snprintf(field, sizeof field, "severity.%s", k->string);
            if (!pg_pack_rule(p, k->string))
                return bad(err, path, field, "no rule has the id '%s' (see `postguard rules`)", k->string);
            if (!cJSON_IsString(k) || pg_severity_parse(k->valuestring) == PG_SEV_NONE)
                return bad(err, path, field, "must be \"low\", \"medium\" or \"high\"%s", "");
        }
    }
    return PG_OK;
}

/* Apply a parsed configuration j (named `path` in messages): check it whole, then apply it. */
static pg_status apply(pg_pack *p, const char *path, const cJSON *j, pg_error *err) {
    pg_status st = check(p, path, j, err);
    if (st == PG_OK) {
        const cJSON *lex = cJSON_GetObjectItemCaseSensitive(j, "lexicons");
        for (const cJSON *k = lex ? lex->child : NULL; k && st == PG_OK; k = k->next) {
            int li = pg_lexicon_find(&p->lex, k->string);
            for (const cJSON *t = k->child; t && st == PG_OK; t = t->next)
                st = pg_lexicon_add_term(&p->lex, p->arena, li, t->valuestring, err);
        }
        if (st != PG_OK && st != PG_ENOMEM) {
            /* a term too long for a key: say which file it came from */
            char msg[sizeof err->message];
            snprintf(msg, sizeof msg, "%s: %s", path, err->message);
            pg_fail(err, PG_ECONFIG, path, NULL, "lexicons", -1, "%s", msg);
            st = PG_ECONFIG;
        }
        const cJSON *dis = cJSON_GetObjectItemCaseSensitive(j, "disable");
        for (const cJSON *t = dis ? dis->child : NULL; t && st == PG_OK; t = t->next)
            ((pg_rule *)pg_pack_rule(p, t->valuestring))->enabled = 0;
        const cJSON *sev = cJSON_GetObjectItemCaseSensitive(j, "severity");
        for (const cJSON *k = sev ? sev->child : NULL; k && st == PG_OK; k = k->next)
            ((pg_rule *)pg_pack_rule(p, k->string))->override = pg_severity_parse(k->valuestring);
    }
    return st;
}

pg_status pg_config_apply(pg_pack *p, const char *path, pg_error *err) {
    cJSON *j = NULL;
    pg_status st = pg_json_load(path, &j, PG_ECONFIG, err);
    if (st == PG_ERULE || st == PG_EIO) st = PG_ECONFIG, err->status = PG_ECONFIG;
    if (st != PG_OK) return st;
    st = apply(p, path, j, err);
    cJSON_Delete(j);
    return st;
}

pg_status pg_config_parse_buf(const char *name, const char *buf, size_t len, cJSON **out,
                              pg_error *err) {
    *out = NULL;
    size_t bad_at;
    if (pg_utf8_validate(buf, len, NULL, &bad_at))
        return pg_fail(err, PG_ECONFIG, name, NULL, NULL, (long)bad_at,
                       "%s: not valid UTF-8 at byte %zu", name, bad_at);
    if (pg_json_count_values(buf, len, PG_JSON_MAX_VALUES) > PG_JSON_MAX_VALUES)
        return pg_fail(err, PG_ECONFIG, name, NULL, NULL, -1,
                       "%s: more than %u JSON values: too big for a configuration", name,
                       PG_JSON_MAX_VALUES);
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
    if (!j) {
        size_t off = end && end >= buf && end <= buf + len ? (size_t)(end - buf) : 0;
        return pg_fail(err, PG_ECONFIG, name, NULL, NULL, (long)off,
                       "%s: invalid JSON at byte %zu", name, off);
    }
    *out = j;
    return PG_OK;
}

pg_status pg_config_apply_buf(pg_pack *p, const char *name, const char *buf, size_t len,
                              pg_error *err) {
    cJSON *j = NULL;
    pg_status st = pg_config_parse_buf(name, buf, len, &j, err);
    if (st != PG_OK) return st;
    st = apply(p, name, j, err);
    cJSON_Delete(j);
    return st;
}
