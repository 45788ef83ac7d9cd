/* policy.c - what a clinic's file decides for everyone else on the workstation.
 *
 * A clinic (its /etc/postguard/config.json, or %ProgramData%\PostGuard\config.json) sets the
 * rules for every physician; a user's own file (~/.config/postguard/config.json) and the
 * environment the browser starts the host in ($POSTGUARD_RULES) are the physician's. So when
 * the clinic's file exists:
 *   - it is locked unless it says "lock": false: a user's file may add lexicon terms and raise
 *     severities, and what else it asks for is refused and reported (config.c);
 *   - it may pin the pack, "pack": {"id", "version", "sha256"}: a pack that is not the pinned
 *     one is refused, and the host answers no_rule_pack (fail closed) rather than checking
 *     with it. Only the sha256 proves which pack it is; id and version are what a pack says
 *     of itself.
 * The lock and the pin are read from the JSON alone, before the pack is loaded: a pack that
 * does not fit the clinic's file (a one-rule pack, say) must not make the file "broken" and
 * so hide the pin. "lock": false counts only in a file that fits the pack (ctx.c checks it):
 * a broken file changes nothing. A clinic's file that cannot be read as JSON at all leaves the
 * policy locked with no pin, and its fault is what config_problem reports.
 *
 * The digest is hashed only when a pin has a sha256 (2.9 MB for the shipped pack: about 2 ms
 * with the processor's SHA extensions, sha256.c), so a workstation without a pin pays nothing. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"


pg_status pg_policy_read(const char *path, pg_policy *out, pg_error *err) {
    memset(out, 0, sizeof *out);
    if (!path) return PG_OK;
    cJSON *j = NULL;
    pg_error e;
    pg_error_clear(&e);
    pg_status st = pg_json_load(path, &j, PG_ECONFIG, &e);
    if (st == PG_ENOTFOUND) return PG_OK;
    if (st == PG_ENOMEM) return pg_fail(err, PG_ENOMEM, path, NULL, NULL, -1, "out of memory");
    out->clinic = 1;
    out->locked = 1;
    out->path = path;
    if (st != PG_OK) return PG_OK; /* reported when it is applied */
    const cJSON *lock = cJSON_GetObjectItemCaseSensitive(j, "lock");
    if (cJSON_IsFalse(lock)) out->locked = 0;
    const cJSON *pin = cJSON_GetObjectItemCaseSensitive(j, "pack");
    const cJSON *v;
    /* a malformed pin is the file's fault (config.c reports it); what can be read still holds */
    if ((v = cJSON_GetObjectItemCaseSensitive(pin, "id")) && cJSON_IsString(v))
        snprintf(out->pin_id, sizeof out->pin_id, "%s", v->valuestring);
    if ((v = cJSON_GetObjectItemCaseSensitive(pin, "version")) && cJSON_IsString(v))
        snprintf(out->pin_version, sizeof out->pin_version, "%s", v->valuestring);
    if ((v = cJSON_GetObjectItemCaseSensitive(pin, "sha256")) && cJSON_IsString(v)) {
        snprintf(out->pin_sha256, sizeof out->pin_sha256, "%s", v->valuestring);
        for (char *c = out->pin_sha256; *c; c++)
            if (*c >= 'A' && *c <= 'F') *c = (char)(*c - 'A' + 'a');
    }
    if (pin && !out->pin_id[0] && !out->pin_version[0] && !out->pin_sha256[0])
        snprintf(out->pin_sha256, sizeof out->pin_sha256, "(unreadable)"); /* refuse every pack */
    cJSON_Delete(j);
    return PG_OK;
}

/* ---- the pack's digest ---- */

typedef struct file_list {
    char **v;
    size_t n, cap;
} file_list;

static int list_add(file_list *l, const char *rel) {
    if (pg_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v, 64)) return -1;
    if (!(l->v[l->n] = strdup(rel))) return -1;
    l->n++;
    return 0;
}

/* Add dir/sub's regular files ending in suffix (not starting with '.') as "sub/name": the
 * files the loader reads from that folder (pg_list_dir), of which a loaded pack has no other. */
static int list_dir(file_list *l, const char *dir, const char *sub, const char *suffix) {
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", dir, sub[0] ? "/" : "", sub);
    char **names;
    size_t n;
    int rc = pg_list_dir(path, suffix, SIZE_MAX, &names, &n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        char rel[1024], full[4096];
        snprintf(rel, sizeof rel, "%s%s%s", sub, sub[0] ? "/" : "", names[i]);
        snprintf(full, sizeof full, "%s/%s", dir, rel);
        struct stat sb;
        if (stat(full, &sb) == 0 && S_ISREG(sb.st_mode)) rc = list_add(l, rel);
    }
    pg_names_free(names, n);
    return rc;
}

/* Hash the file at full into hex, starting from fresh (an initialised state: pg_sha256_init
 * asks the processor for its SHA extensions, which costs a trap in a virtual machine, so it
 * is asked once per digest); the caller's buffer buf (cap bytes) is reused. */
static pg_status hash_file(const char *full, const pg_sha256 *fresh, char *buf, size_t cap,
                           char hex[65], pg_error *err) {
    FILE *f;
    int e = pg_open_regular(full, &f);
    if (e)
        return pg_fail(err, e == ENOENT ? PG_ENOTFOUND : PG_EIO, full, NULL, NULL, -1,
                       "cannot read %s: %s", full, pg_open_strerror(e));
    pg_sha256 s = *fresh;
    size_t got;
    while ((got = fread(buf, 1, cap, f)) > 0) pg_sha256_update(&s, buf, got);
    int bad = ferror(f);
    fclose(f);
    if (bad) return pg_fail(err, PG_EIO, full, NULL, NULL, -1, "error reading %s", full);
    pg_sha256_final(&s, hex);
    return PG_OK;
}

/* The model file pack.json (or the one-file pack at meta) names, or "" for none. */
static void model_name(const char *meta, char *out, size_t cap) {
    out[0] = '\0';
    cJSON *j = NULL;
    pg_error e;
    if (pg_json_load(meta, &j, PG_ERULE, &e) != PG_OK) return;
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "model");
    if (cJSON_IsString(m)) snprintf(out, cap, "%s", m->valuestring);
    cJSON_Delete(j);
}

pg_status pg_pack_digest(const char *path, char hex[65], pg_error *err) {
    struct stat sb;
    if (stat(path, &sb) != 0)
        return pg_fail(err, PG_ENOTFOUND, path, NULL, NULL, -1, "no rule pack at %s", path);
    int isdir = S_ISDIR(sb.st_mode);
    char dir[4096], meta[4096], model[1024];
    file_list l = {0};
    int rc = 0;
    if (isdir) {
        snprintf(dir, sizeof dir, "%s", path);
        snprintf(meta, sizeof meta, "%s/pack.json", path);
        rc = list_dir(&l, dir, "", ".json");
        if (rc == 0) rc = list_dir(&l, dir, "lexicons", ".txt");
    } else {
        const char *slash = strrchr(path, '/');
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
        snprintf(meta, sizeof meta, "%s", path);
        rc = list_add(&l, slash ? slash + 1 : path);
    }
    model_name(meta, model, sizeof model);
    if (rc == 0 && model[0]) rc = list_add(&l, model);
    pg_status st = PG_OK;
    size_t cap = 1 << 16;
    char *buf = rc == 0 ? malloc(cap) : NULL;
    if (!buf) st = pg_fail(err, PG_ENOMEM, path, NULL, NULL, -1, "out of memory");
    if (l.n) qsort(l.v, l.n, sizeof *l.v, pg_cmp_str);
    pg_sha256 fresh, all;
    pg_sha256_init(&fresh, 0);
    all = fresh;
    for (size_t i = 0; i < l.n && st == PG_OK; i++) {
        char full[4096], one[65];
        if (l.v[i][0] == '/') snprintf(full, sizeof full, "%s", l.v[i]);
        else snprintf(full, sizeof full, "%s/%s", dir, l.v[i]);
        st = hash_file(full, &fresh, buf, cap, one, err);
        if (st != PG_OK) break;
        /* one line of sha256sum's output: the hex, two spaces, the name */
        pg_sha256_update(&all, one, 64);
        pg_sha256_update(&all, "  ", 2);
        pg_sha256_update(&all, l.v[i], strlen(l.v[i]));
        pg_sha256_update(&all, "\n", 1);
    }
    if (st == PG_OK) pg_sha256_final(&all, hex);
    free(buf);
    for (size_t i = 0; i < l.n; i++) free(l.v[i]);
    free(l.v);
    return st;
}

/* ---- the pin ---- */

pg_status pg_policy_check_pack(const pg_policy *pol, const pg_pack *p, pg_error *err) {
    if (!pol->clinic) return PG_OK;
    const char *what = NULL, *want = NULL, *have = NULL;
    if (pol->pin_id[0] && strcmp(pol->pin_id, p->id ? p->id : ""))
        what = "pack.id", want = pol->pin_id, have = p->id ? p->id : "(none)";
    else if (pol->pin_version[0] && strcmp(pol->pin_version, p->version ? p->version : ""))
        what = "pack.version", want = pol->pin_version, have = p->version ? p->version : "(none)";
    char hex[65] = "";
    if (!what && pol->pin_sha256[0]) {
        pg_error e;
        pg_error_clear(&e);
        pg_status st = pg_pack_digest(p->path, hex, &e);
        if (st == PG_ENOMEM) {
            *err = e;
            return st;
        }
        if (st != PG_OK) snprintf(hex, sizeof hex, "(unreadable)");
        if (strcmp(hex, pol->pin_sha256)) what = "pack.sha256", want = pol->pin_sha256, have = hex;
    }
    if (!what) return PG_OK;
    return pg_fail(err, PG_ECONFIG, pol->path, NULL, what, -1,
                   "%s: %s: the rule pack at %s is not the one the clinic's configuration "
                   "pins (%s is %s, the clinic's file wants %s), so nothing is checked; "
                   "reinstall PostGuard, or unset POSTGUARD_RULES, or update the pin",
                   pol->path, what, p->path, what + 5, have, want);
}
