/* json.c - pg_result (written straight to a buffer), rule and pack (cJSON) in the shapes
 * docs/protocol.md fixes. The host and the CLI both print through here, so a finding looks the same on both. */
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

/* Section titles of the rules met so far in one result: a long post has hundreds of findings
 * from a few rules, and pg_ctx_rule looks a rule up by walking the pack. A finding's rule id is
 * borrowed from the pack, so the same rule gives the same pointer: a hit needs no strcmp. */
typedef struct title_cache {
    const char *rule[16];
    const char *title[16];
    size_t n;
} title_cache;

static const char *section_title(const pg_ctx *ctx, title_cache *tc, const char *rule) {
    for (size_t i = 0; i < tc->n; i++)
        if (tc->rule[i] == rule) return tc->title[i];
    pg_rule_info ri;
    const char *title = ctx && pg_ctx_rule(ctx, rule, &ri) == PG_OK ? ri.section_title : NULL;
    if (tc->n < sizeof tc->rule / sizeof *tc->rule) {
        tc->rule[tc->n] = rule;
        tc->title[tc->n++] = title;
    }
    return title;
}

/* One finding, as in the protocol's `findings` list (ctx gives the section title). */
static void write_finding(pg_jw *w, const pg_ctx *ctx, title_cache *tc, const pg_finding *f) {
    const char *title = section_title(ctx, tc, f->rule);
    pg_jw_lit(w, "{\"rule\":");
    pg_jw_str(w, f->rule);
    pg_jw_lit(w, ",\"category\":");
    pg_jw_str(w, f->category);
    pg_jw_lit(w, ",\"section\":");
    pg_jw_str(w, f->section);
    pg_jw_lit(w, ",\"section_title\":");
    pg_jw_str(w, title);
    pg_jw_lit(w, ",\"severity\":");
    pg_jw_str(w, pg_severity_name(f->severity));
    pg_jw_lit(w, ",\"confidence\":");
    pg_jw_milli(w, f->confidence);
    pg_jw_lit(w, ",\"start\":");
    pg_jw_uint(w, f->span.start);
    pg_jw_lit(w, ",\"end\":");
    pg_jw_uint(w, f->span.end);
    pg_jw_lit(w, ",\"spans\":[");
    for (size_t i = 0; i < f->nspans; i++) {
        pg_jw_lit(w, i ? ",[" : "[");
        pg_jw_uint(w, f->spans[i].start);
        pg_jw_raw(w, ",", 1);
        pg_jw_uint(w, f->spans[i].end);
        pg_jw_raw(w, "]", 1);
    }
    pg_jw_lit(w, "],\"message\":");
    pg_jw_str(w, f->message);
    pg_jw_lit(w, ",\"explanation\":");
    pg_jw_str(w, f->explanation);
    pg_jw_lit(w, ",\"suggestion\":");
    pg_jw_str(w, f->suggestion);
    pg_jw_raw(w, "}", 1);
}

/* Everything after the findings: `],"sections":[...],...,"elapsed":E[,"file":F]}`. */
static void write_tail(pg_jw *w, const pg_result *r, double elapsed_ms, int truncated,
                       const char *file) {
    pg_jw_lit(w, "],\"sections\":[");
    for (size_t i = 0; i < r->nsections; i++) {
        const pg_section_score *s = &r->sections[i];
        pg_jw_lit(w, i ? ",{\"section\":" : "{\"section\":");
        pg_jw_str(w, s->section);
        pg_jw_lit(w, ",\"title\":");
        pg_jw_str(w, s->title);
        pg_jw_lit(w, ",\"score\":");
        pg_jw_milli(w, s->score);
        pg_jw_lit(w, ",\"level\":");
        pg_jw_str(w, pg_severity_name(s->level));
        pg_jw_lit(w, ",\"findings\":");
        pg_jw_uint(w, s->findings);
        pg_jw_raw(w, "}", 1);
    }
    /* rules whose pattern stopped at the PCRE2 match/depth limit: they may have missed
     * something in this text, and the caller should know rather than trust the silence */
    pg_jw_lit(w, "],\"limit_rules\":[");
    for (size_t i = 0; i < r->limit_hits && i < sizeof r->limit_rules / sizeof *r->limit_rules; i++) {
        if (i) pg_jw_raw(w, ",", 1);
        pg_jw_str(w, r->limit_rules[i]);
    }
    pg_jw_lit(w, "],\"limit_hits\":");
    pg_jw_uint(w, r->limit_hits);
    pg_jw_lit(w, ",\"max_severity\":");
    pg_jw_str(w, pg_severity_name(r->max_severity));
    pg_jw_lit(w, truncated ? ",\"truncated\":true,\"elapsed\":" : ",\"truncated\":false,\"elapsed\":");
    pg_jw_milli(w, elapsed_ms);
    if (file) {
        pg_jw_lit(w, ",\"file\":");
        pg_jw_str(w, file);
    }
    pg_jw_raw(w, "}", 1);
}

int pg_json_write_result(pg_jw *w, size_t start, size_t max, const pg_ctx *ctx,
                         const pg_result *r, double elapsed_ms, const char *file,
                         size_t *kept, int *truncated) {
    /* where the reply would end with only the first k findings: ends[k] (ends[0] is just
     * after the '['); a result holds at most PG_MAX_FINDINGS, so this stays on the stack */
    size_t stack_ends[PG_MAX_FINDINGS + 1];
    size_t *ends = stack_ends;
    if (r->nfindings > PG_MAX_FINDINGS && !(ends = malloc((r->nfindings + 1) * sizeof *ends))) {
        w->oom = 1;
        return -1;
    }
    title_cache tc = {.n = 0};
    pg_jw_lit(w, "\"findings\":[");
    ends[0] = w->len;
    for (size_t i = 0; i < r->nfindings; i++) {
        if (i) pg_jw_raw(w, ",", 1);
        write_finding(w, ctx, &tc, &r->findings[i]);
        ends[i + 1] = w->len;
    }
    size_t keep = r->nfindings;
    int cut = 0;
    write_tail(w, r, elapsed_ms, r->truncated != 0, file);
    if (!w->oom && w->len - start > max) {
        /* over the cap: keep the most findings that fit in front of a tail saying truncated */
        size_t tail_at = w->len;
        write_tail(w, r, elapsed_ms, 1, file);
        size_t tail_len = w->len - tail_at;
        keep = 0;
        while (keep < r->nfindings && ends[keep + 1] - start + tail_len <= max) keep++;
        if (!w->oom) {
            memmove(w->buf + ends[keep], w->buf + tail_at, tail_len);
            w->len = ends[keep] + tail_len;
        }
        cut = 1;
    }
    if (ends != stack_ends) free(ends);
    if (w->oom || w->len - start > max) return -1;
    if (kept) *kept = keep;
    if (truncated) *truncated = cut || r->truncated != 0;
    return 0;
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
