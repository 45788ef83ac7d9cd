/* config.c - a clinic's configuration on top of the base pack: extra lexicon terms (its
 * hospitals, wards, towns, colleagues), disabled rules and changed severities.
 * A file is checked whole before any of it is applied, so a broken file changes nothing.
 * Under a clinic's file a user's file may only add (pg_config_apply_user); "lock" and "pack"
 * are read from the clinic's file by policy.c and only checked here. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"


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
            strcmp(k->string, "severity") && strcmp(k->string, "lock") &&
            strcmp(k->string, "pack") && k->string[0] != '_')
            return bad(err, path, k->string,
                       "unknown setting '%s' (known: lexicons, disable, severity, lock, pack)",
                       k->string);
    char field[300];
    const cJSON *lock = cJSON_GetObjectItemCaseSensitive(j, "lock");
    if (lock && !cJSON_IsBool(lock)) return bad(err, path, "lock", "must be true or false%s", "");
    const cJSON *pin = cJSON_GetObjectItemCaseSensitive(j, "pack");
    if (pin) {
        if (!cJSON_IsObject(pin) || !pin->child)
            return bad(err, path, "pack", "must be an object with \"sha256\" (and \"id\", \"version\")%s", "");
        for (const cJSON *k = pin->child; k; k = k->next) {
            snprintf(field, sizeof field, "pack.%s", k->string);
            if (strcmp(k->string, "id") && strcmp(k->string, "version") && strcmp(k->string, "sha256"))
                return bad(err, path, field, "unknown setting '%s' (known: id, version, sha256)", k->string);
            if (!cJSON_IsString(k) || !k->valuestring[0] || strlen(k->valuestring) > 100)
                return bad(err, path, field, "must be a non-empty string of at most 100 bytes%s", "");
            if (strcmp(k->string, "sha256") == 0 &&
                (strlen(k->valuestring) != 64 ||
                 strspn(k->valuestring, "0123456789abcdefABCDEF") != 64))
                return bad(err, path, field, "must be 64 hexadecimal digits (see docs/deployment.md)%s", "");
        }
    }
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

/* The severity a rule has before any file changes it: the highest of its levels, if any. */
static pg_severity base_severity(const pg_rule *r) {
    pg_severity s = r->override != PG_SEV_NONE ? r->override : r->severity;
    for (int i = 0; r->override == PG_SEV_NONE && i < r->nlevels; i++)
        if (r->levels[i].severity > s) s = r->levels[i].severity;
    return s;
}

/* Under a locked policy (clinic: the clinic's file), take out of j what a user's file may not
 * do: every "disable", and each "severity" below the rule's own. What was taken out is named
 * in *refused. j was checked whole before. */
static void limit(pg_pack *p, const char *path, const char *clinic, cJSON *j, pg_error *refused) {
    char list[400] = "";
    size_t ll = 0, nref = 0, shown = 0;
    const char *first_field = NULL;
    char sevfield[120] = "";
    cJSON *dis = cJSON_GetObjectItemCaseSensitive(j, "disable");
    for (const cJSON *t = dis ? dis->child : NULL; t; t = t->next, nref++) {
        if (!first_field) first_field = "disable";
        if (ll + strlen(t->valuestring) + 16 < sizeof list) {
            ll += (size_t)snprintf(list + ll, sizeof list - ll, "%s%s", shown ? ", " : "disable ", t->valuestring);
            shown++;
        }
    }
    cJSON *sev = cJSON_GetObjectItemCaseSensitive(j, "severity");
    for (cJSON *k = sev ? sev->child : NULL; k;) {
        cJSON *next = k->next;
        const pg_rule *r = pg_pack_rule(p, k->string);
        pg_severity base = base_severity(r);
        if (pg_severity_parse(k->valuestring) < base) {
            if (!first_field) {
                snprintf(sevfield, sizeof sevfield, "severity.%s", k->string);
                first_field = sevfield;
            }
            if (ll + strlen(k->string) + 40 < sizeof list) {
                ll += (size_t)snprintf(list + ll, sizeof list - ll, "%sseverity.%s %s (below %s)",
                                       shown ? ", " : "", k->string, k->valuestring,
                                       pg_severity_name(base));
                shown++;
            }
            nref++;
            cJSON_Delete(cJSON_DetachItemViaPointer(sev, k));
        }
        k = next;
    }
    if (dis) cJSON_DeleteItemFromObjectCaseSensitive(j, "disable");
    if (!nref) return;
    char more[40] = "";
    if (nref > shown) snprintf(more, sizeof more, " and %zu more", nref - shown);
    pg_fail(refused, PG_ECONFIG, path, NULL, first_field, -1,
            "%s: %s: the clinic's configuration %s lets a user's file only add terms and raise "
            "severities; refused: %s%s (the rest of this file applies)",
            path, first_field, clinic, list, more);
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

pg_status pg_config_check_file(pg_pack *p, const char *path, pg_error *err) {
    cJSON *j = NULL;
    pg_status st = pg_json_load(path, &j, PG_ECONFIG, err);
    if (st == PG_ERULE || st == PG_EIO) st = PG_ECONFIG, err->status = PG_ECONFIG;
    if (st == PG_OK) st = check(p, path, j, err);
    cJSON_Delete(j);
    return st;
}

pg_status pg_config_apply_user(pg_pack *p, const char *path, const char *clinic,
                               pg_error *refused, pg_error *err) {
    pg_error_clear(refused);
    cJSON *j = NULL;
    pg_status st = pg_json_load(path, &j, PG_ECONFIG, err);
    if (st == PG_ERULE || st == PG_EIO) st = PG_ECONFIG, err->status = PG_ECONFIG;
    if (st != PG_OK) return st;
    st = check(p, path, j, err); /* whole, before anything is taken out or applied */
    if (st == PG_OK) {
        limit(p, path, clinic, j, refused);
        st = apply(p, path, j, err);
        if (st != PG_OK) pg_error_clear(refused);
    }
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
