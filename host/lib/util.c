/* util.c - the small things every engine file uses: the arena a pack lives in, error
 * reporting, span vectors, and the names of statuses, severities and categories. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- arena ---- */

/* Packs are built once and freed at once, so their strings and tables come from a chunked
 * arena: no per-string free, and a constructor that fails halfway frees everything. */
typedef struct pg_chunk {
    struct pg_chunk *next;
    size_t used, size;
    max_align_t data[]; /* flexible array, aligned for any type */
} pg_chunk;

struct pg_arena {
    pg_chunk *head;
};

pg_arena *pg_arena_new(void) {
    return calloc(1, sizeof(pg_arena));
}

void pg_arena_free(pg_arena *a) {
    if (!a) return;
    pg_chunk *c = a->head;
    while (c) {
        pg_chunk *next = c->next;
        free(c);
        c = next;
    }
    free(a);
}

void *pg_arena_alloc(pg_arena *a, size_t n) {
    const size_t align = sizeof(max_align_t);
    n = (n + align - 1) / align * align;
    if (n == 0) n = align;
    pg_chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        size_t size = n > 32768 ? n : 32768;
        c = malloc(sizeof(pg_chunk) + size);
        if (!c) return NULL;
        c->next = a->head;
        c->used = 0;
        c->size = size;
        a->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    memset(p, 0, n);
    return p;
}

char *pg_arena_strdup(pg_arena *a, const char *s) {
    size_t n = strlen(s) + 1;
    char *p = pg_arena_alloc(a, n);
    if (p) memcpy(p, s, n);
    return p;
}

/* ---- spans ---- */

int pg_hit_cmp(const void *a, const void *b) {
    const pg_hit *x = a, *y = b;
    if (x->s != y->s) return x->s < y->s ? -1 : 1;
    return (x->e > y->e) - (x->e < y->e);
}

/* ---- errors ---- */

static void copy_field(char *dst, size_t cap, const char *src) {
    if (!src) src = "";
    snprintf(dst, cap, "%s", src);
}

void pg_error_clear(pg_error *err) {
    if (!err) return;
    memset(err, 0, sizeof *err);
    err->offset = -1;
}

pg_status pg_fail(pg_error *err, pg_status status, const char *file, const char *rule,
                  const char *field, long offset, const char *fmt, ...) {
    if (!err) return status;
    err->status = status;
    copy_field(err->file, sizeof err->file, file);
    copy_field(err->rule, sizeof err->rule, rule);
    copy_field(err->field, sizeof err->field, field);
    err->offset = offset;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    /* replies carry these strings to the browser, which needs valid UTF-8 */
    pg_utf8_scrub(err->message);
    pg_utf8_scrub(err->file);
    pg_utf8_scrub(err->rule);
    pg_utf8_scrub(err->field);
    return status;
}

pg_status pg_vfail_in(pg_error *err, pg_status status, const char *file, const char *rule,
                      const char *field, long offset, const char *fmt, va_list ap) {
    char msg[400];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (rule)
        return pg_fail(err, status, file, rule, field, offset, "%s: rule '%s': %s%s%s", file,
                       rule, field ? field : "", field ? ": " : "", msg);
    return pg_fail(err, status, file, NULL, field, offset, "%s: %s%s%s", file,
                   field ? field : "", field ? ": " : "", msg);
}

/* ---- span vectors ---- */

/* The one growth rule of the engine's vectors: double from `first` until `need` elements fit,
 * so pushing n elements costs O(n) copies in all. */
int pg_grow(void **p, size_t *cap, size_t need, size_t elem, size_t first) {
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : first;
    while (c < need) c *= 2;
    void *np = realloc(*p, c * elem);
    if (!np) return -1;
    *p = np;
    *cap = c;
    return 0;
}

int pg_hitvec_push(pg_hitvec *hv, uint32_t s, uint32_t e) {
    if (pg_grow((void **)&hv->v, &hv->cap, hv->n + 1, sizeof *hv->v, 16)) return -1;
    hv->v[hv->n].s = s;
    hv->v[hv->n].e = e;
    hv->n++;
    return 0;
}

/* ---- names ---- */

const char *pg_severity_name(pg_severity s) {
    switch (s) {
    case PG_SEV_LOW: return "low";
    case PG_SEV_MEDIUM: return "medium";
    case PG_SEV_HIGH: return "high";
    default: return "none";
    }
}

pg_severity pg_severity_parse(const char *s) {
    if (!s) return PG_SEV_NONE;
    if (strcmp(s, "low") == 0) return PG_SEV_LOW;
    if (strcmp(s, "medium") == 0) return PG_SEV_MEDIUM;
    if (strcmp(s, "high") == 0) return PG_SEV_HIGH;
    return PG_SEV_NONE;
}

/* The one table from status to wire error code (docs/protocol.md lists them). */
const char *pg_status_name(pg_status s) {
    switch (s) {
    case PG_OK: return "ok";
    case PG_ENOMEM: return "internal";
    case PG_EIO: return "io_error";
    case PG_ENOTFOUND: return "not_found";
    case PG_ERULE: return "rule_invalid";
    case PG_ECONFIG: return "config_invalid";
    case PG_EUTF8: return "invalid_utf8";
    case PG_ETOOBIG: return "text_too_large";
    case PG_EINVAL: return "invalid_argument";
    case PG_ELIMIT: return "match_limit";
    }
    return "internal";
}

static const char *const categories[] = {
    "privacy", "advice", "claims", "qualifications", "respect", "boundaries",
    "promotion", "patient-search", "closed-group", "distraction", "tone", NULL,
};

const char *const *pg_categories(void) {
    return categories;
}
