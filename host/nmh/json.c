/* json.c - pg_result, rule and pack -> cJSON, in the shapes docs/protocol.md fixes.
 * The host and the CLI both print through here, so a finding looks the same on both. */
#include "json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Add a string member, or an empty string for a NULL; returns 0 or -1 on ENOMEM. */
static int add_str(cJSON *o, const char *key, const char *v) {
    return cJSON_AddStringToObject(o, key, v ? v : "") ? 0 : -1;
}

static int add_num(cJSON *o, const char *key, double v) {
    return cJSON_AddNumberToObject(o, key, v) ? 0 : -1;
}

static cJSON *span_pair(const pg_span *s) {
    cJSON *a = cJSON_CreateArray();
    cJSON *x = cJSON_CreateNumber((double)s->start);
    cJSON *y = cJSON_CreateNumber((double)s->end);
    if (!a || !x || !y) {
        cJSON_Delete(a);
        cJSON_Delete(x);
        cJSON_Delete(y);
        return NULL;
    }
    cJSON_AddItemToArray(a, x);
    cJSON_AddItemToArray(a, y);
    return a;
}

cJSON *pg_json_finding(const pg_ctx *ctx, const pg_finding *f) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    pg_rule_info ri;
    const char *title = NULL;
    if (ctx && pg_ctx_rule(ctx, f->rule, &ri) == PG_OK) title = ri.section_title;
    int bad = add_str(o, "rule", f->rule) || add_str(o, "category", f->category) ||
              add_str(o, "section", f->section) || add_str(o, "section_title", title) ||
              add_str(o, "severity", pg_severity_name(f->severity)) ||
              add_num(o, "confidence", round(f->confidence * 1000.0) / 1000.0) ||
              add_num(o, "start", (double)f->span.start) || add_num(o, "end", (double)f->span.end);
    cJSON *spans = bad ? NULL : cJSON_AddArrayToObject(o, "spans");
    if (!spans) bad = 1;
    for (size_t i = 0; !bad && i < f->nspans; i++) {
        cJSON *p = span_pair(&f->spans[i]);
        if (!p) bad = 1;
        else cJSON_AddItemToArray(spans, p);
    }
    if (!bad)
        bad = add_str(o, "message", f->message) || add_str(o, "explanation", f->explanation) ||
              add_str(o, "suggestion", f->suggestion);
    if (bad) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *section_score(const pg_section_score *s) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    if (add_str(o, "section", s->section) || add_str(o, "title", s->title) ||
        add_num(o, "score", round(s->score * 1000.0) / 1000.0) ||
        add_str(o, "level", pg_severity_name(s->level)) ||
        add_num(o, "findings", (double)s->findings)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

cJSON *pg_json_result(const pg_ctx *ctx, const pg_result *r, double elapsed_ms) {
    cJSON *o = cJSON_CreateObject();
    cJSON *fs = o ? cJSON_AddArrayToObject(o, "findings") : NULL;
    if (!fs) goto fail;
    for (size_t i = 0; i < r->nfindings; i++) {
        cJSON *f = pg_json_finding(ctx, &r->findings[i]);
        if (!f) goto fail;
        cJSON_AddItemToArray(fs, f);
    }
    cJSON *ss = cJSON_AddArrayToObject(o, "sections");
    if (!ss) goto fail;
    for (size_t i = 0; i < r->nsections; i++) {
        cJSON *s = section_score(&r->sections[i]);
        if (!s) goto fail;
        cJSON_AddItemToArray(ss, s);
    }
    if (add_str(o, "max_severity", pg_severity_name(r->max_severity)) ||
        !cJSON_AddBoolToObject(o, "truncated", r->truncated != 0) ||
        add_num(o, "elapsed", round(elapsed_ms * 1000.0) / 1000.0))
        goto fail;
    return o;
fail:
    cJSON_Delete(o);
    return NULL;
}

cJSON *pg_json_rule(const pg_rule_info *ri) {
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    if (add_str(o, "rule", ri->id) || add_str(o, "category", ri->category) ||
        add_str(o, "section", ri->section) || add_str(o, "section_title", ri->section_title) ||
        add_str(o, "section_text", ri->section_text) ||
        add_str(o, "severity", pg_severity_name(ri->severity)) ||
        !cJSON_AddBoolToObject(o, "enabled", ri->enabled != 0) ||
        add_str(o, "message", ri->message) || add_str(o, "explanation", ri->explanation) ||
        add_str(o, "suggestion", ri->suggestion)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

cJSON *pg_json_pack(const pg_ctx *ctx) {
    pg_pack_info pi;
    if (pg_ctx_pack_info(ctx, &pi) != PG_OK) return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    if (add_str(o, "id", pi.id) || add_str(o, "version", pi.version) ||
        add_str(o, "name", pi.name) || add_num(o, "rules", (double)pi.nrules)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

cJSON *pg_json_config_problem(const pg_error *p) {
    if (!p) return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    if ((p->file[0] && add_str(o, "file", p->file)) ||
        (p->field[0] && add_str(o, "field", p->field)) || add_str(o, "message", p->message)) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* Keep the first `keep` findings of arr, moving the rest into `spare` (so they can be put back). */
static void cut_findings(cJSON *arr, cJSON *spare, int keep) {
    while (cJSON_GetArraySize(arr) > keep) {
        cJSON *last = cJSON_DetachItemFromArray(arr, cJSON_GetArraySize(arr) - 1);
        /* prepend so spare keeps the original order */
        if (spare->child) cJSON_InsertItemInArray(spare, 0, last);
        else cJSON_AddItemToArray(spare, last);
    }
}

static void restore_findings(cJSON *arr, cJSON *spare, int want) {
    while (cJSON_GetArraySize(arr) < want && spare->child)
        cJSON_AddItemToArray(arr, cJSON_DetachItemFromArray(spare, 0));
}

char *pg_json_print_capped(cJSON *obj, size_t max, size_t *len) {
    char *s = cJSON_PrintUnformatted(obj);
    if (!s) return NULL;
    size_t n = strlen(s);
    cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, "findings");
    if (n <= max || !cJSON_IsArray(arr)) {
        if (n > max) {
            free(s);
            return NULL;
        }
        *len = n;
        return s;
    }
    free(s);
    s = NULL;
    cJSON *spare = cJSON_CreateArray();
    if (!spare) return NULL;
    cJSON *yes = cJSON_CreateTrue();
    if (!yes) {
        cJSON_Delete(spare);
        return NULL;
    }
    if (cJSON_GetObjectItemCaseSensitive(obj, "truncated"))
        cJSON_ReplaceItemInObjectCaseSensitive(obj, "truncated", yes);
    else
        cJSON_AddItemToObject(obj, "truncated", yes);
    /* bisect the largest prefix of findings that fits: lo fits (0 is tested last), hi does not */
    int lo = 0, hi = cJSON_GetArraySize(arr);
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        restore_findings(arr, spare, mid);
        cut_findings(arr, spare, mid);
        char *t = cJSON_PrintUnformatted(obj);
        if (!t) {
            cJSON_Delete(spare);
            return NULL;
        }
        if (strlen(t) <= max) lo = mid;
        else hi = mid;
        free(t);
    }
    restore_findings(arr, spare, lo);
    cut_findings(arr, spare, lo);
    cJSON_Delete(spare);
    s = cJSON_PrintUnformatted(obj);
    if (!s) return NULL;
    n = strlen(s);
    if (n > max) {
        free(s);
        return NULL;
    }
    *len = n;
    return s;
}
