/* parts.c - named parts of patterns, expanded when a pack is loaded (see parts.h).
 *
 * A pack names a piece of pattern text once, in "parts", and its rules refer to it as
 * {{name}}: the greeting that starts an addressed reply, an age, an honorific, the gap an
 * obfuscated word puts between its letters. pg_parts_new reads the parts and expands each
 * one right away, depth first: a part is TODO, BUSY while its own references are being
 * expanded (meeting a BUSY part again is a cycle; the stack of BUSY parts spells it), then
 * DONE with its text expanded, so each part is expanded once however many refer to it, and
 * the work is bounded by the parts' total expanded size, which PG_PARTS_MAX_EXPANSION caps
 * per part and PG_PARTS_MAX_TOTAL for all of them. Rule patterns are then expanded against DONE parts only: pg_parts_expand writes
 * nothing in the table. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "parts.h"

enum { TODO, BUSY, DONE };

typedef struct part {
    const char *name; /* the key in the parts object (owned by the table) */
    char *text;       /* the text as written */
    char *expanded;   /* the text with its references expanded, once DONE */
    size_t len;       /* strlen(expanded) */
    int state;        /* TODO, BUSY or DONE */
} part;

struct pg_parts {
    part *v;
    size_t n;
    char *file;    /* where the parts are written, for messages */
    size_t *stack; /* the BUSY parts, outermost first: the cycle's path */
    size_t depth;
    size_t total;  /* bytes of the parts expanded so far, at most PG_PARTS_MAX_TOTAL */
};

/* Where the text being expanded is written, for messages. */
typedef struct where {
    const char *file, *rule, *field;
    pg_error *err;
} where;

static pg_status bad(const where *w, long offset, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(PG_PRINTF_ARCHETYPE, 3, 4)))
#endif
    ;

static pg_status bad(const where *w, long offset, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    pg_status st = pg_vfail_in(w->err, PG_ERULE, w->file, w->rule, w->field, offset, fmt, ap);
    va_end(ap);
    return st;
}

static pg_status nomem(const where *w) {
    return pg_fail(w->err, PG_ENOMEM, w->file, w->rule, w->field, -1, "out of memory");
}

/* A name is [a-z][a-z0-9._-]*, at most PG_PARTS_MAX_NAME bytes. */
static int valid_name(const char *s, size_t n) {
    if (n == 0 || n > PG_PARTS_MAX_NAME || !(s[0] >= 'a' && s[0] <= 'z')) return 0;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
              s[i] == '_' || s[i] == '.'))
            return 0;
    return 1;
}

#define NAME_RULE "a part name is 1 to 64 lower-case letters, digits, '-', '_' or '.', starting with a letter"

static part *find(pg_parts *pp, const char *name, size_t n) {
    for (size_t i = 0; pp && i < pp->n; i++)
        if (strlen(pp->v[i].name) == n && memcmp(pp->v[i].name, name, n) == 0) return &pp->v[i];
    return NULL;
}

/* A growing string; on ENOMEM s is freed and NULL. */
typedef struct buf {
    char *s;
    size_t n, cap;
} buf;

static int put(buf *b, const char *s, size_t n) {
    if (pg_grow((void **)&b->s, &b->cap, b->n + n + 1, 1, 256)) {
        free(b->s);
        b->s = NULL;
        return -1;
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
    b->s[b->n] = '\0';
    return 0;
}

static pg_status expand_part(pg_parts *pp, part *p, pg_error *err);

/* "a -> b -> a": the BUSY parts from p to the innermost, then p again. */
static void cycle_path(const pg_parts *pp, const part *p, char *out, size_t cap) {
    size_t from = 0, len = 0;
    while (from < pp->depth && &pp->v[pp->stack[from]] != p) from++;
    out[0] = '\0';
    for (size_t i = from; i < pp->depth && len < cap; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s -> ", pp->v[pp->stack[i]].name);
    if (len < cap) snprintf(out + len, cap - len, "%s", p->name);
}

/* Expand the references in src. *out is NULL when there are none, else malloc'd. */
static pg_status expand(pg_parts *pp, const char *src, const where *w, char **out,
                        size_t *outlen) {
    buf b = {0};
    const char *s = src, *lit = src; /* lit: the start of the text not copied yet */
    *out = NULL;
    while (*s) {
        if (*s == '\\') { /* an escaped character, "\{" among them, is never a reference */
            s += s[1] ? 2 : 1;
            continue;
        }
        if (s[0] != '{' || s[1] != '{') {
            s++;
            continue;
        }
        long at = (long)(s - src);
        const char *name = s + 2;
        size_t n = 0;
        while (name[n] && name[n] != '}' && name[n] != '{') n++;
        pg_status st = PG_OK;
        part *p = NULL;
        char path[300];
        if (name[n] != '}' || name[n + 1] != '}')
            st = bad(w, at, "'{{' at byte %ld starts a part reference but no '}}' closes it "
                     "(write a literal brace as \\{)", at);
        else if (!valid_name(name, n))
            st = bad(w, at, "'{{%.*s}}' at byte %ld is not a part reference: " NAME_RULE,
                     (int)(n > 80 ? 80 : n), name, at);
        else if (!(p = find(pp, name, n)))
            st = bad(w, at, "refers to the unknown part '%.*s' (at byte %ld): the pack's "
                     "\"parts\" define no such name", (int)n, name, at);
        else if (p->state == BUSY) {
            cycle_path(pp, p, path, sizeof path);
            st = bad(w, at, "the parts refer to each other in a cycle: %s", path);
        } else if (p->state == TODO)
            st = expand_part(pp, p, w->err);
        if (st == PG_OK && b.n + (size_t)(s - lit) + p->len > PG_PARTS_MAX_EXPANSION)
            st = bad(w, at, "expands to more than %u bytes (PG_PARTS_MAX_EXPANSION) at the "
                     "part '%s'", PG_PARTS_MAX_EXPANSION, p->name);
        if (st == PG_OK && (put(&b, lit, (size_t)(s - lit)) || put(&b, p->expanded, p->len)))
            st = nomem(w);
        if (st != PG_OK) {
            free(b.s);
            return st;
        }
        s = lit = name + n + 2;
    }
    if (!b.s) return PG_OK; /* no reference: nothing to copy */
    if (b.n + (size_t)(s - lit) > PG_PARTS_MAX_EXPANSION) {
        free(b.s);
        return bad(w, -1, "expands to more than %u bytes (PG_PARTS_MAX_EXPANSION)",
                   PG_PARTS_MAX_EXPANSION);
    }
    if (put(&b, lit, (size_t)(s - lit))) return nomem(w);
    *out = b.s;
    *outlen = b.n;
    return PG_OK;
}

static pg_status expand_part(pg_parts *pp, part *p, pg_error *err) {
    char field[96];
    snprintf(field, sizeof field, "parts.%s", p->name);
    where w = {pp->file, NULL, field, err};
    p->state = BUSY;
    pp->stack[pp->depth++] = (size_t)(p - pp->v);
    char *e = NULL;
    size_t len = 0;
    pg_status st = expand(pp, p->text, &w, &e, &len);
    pp->depth--;
    if (st != PG_OK) return st;
    if (!e) {
        len = strlen(p->text);
        if (len > PG_PARTS_MAX_EXPANSION)
            return bad(&w, -1, "is longer than %u bytes (PG_PARTS_MAX_EXPANSION)",
                       PG_PARTS_MAX_EXPANSION);
        if (!(e = strdup(p->text))) return nomem(&w);
    }
    if (len > PG_PARTS_MAX_TOTAL - pp->total) {
        free(e);
        return bad(&w, -1, "the parts expand to more than %u bytes in all (PG_PARTS_MAX_TOTAL)",
                   PG_PARTS_MAX_TOTAL);
    }
    pp->total += len;
    p->expanded = e;
    p->len = len;
    p->state = DONE;
    return PG_OK;
}

pg_status pg_parts_new(const cJSON *obj, const char *file, pg_parts **out, pg_error *err) {
    *out = NULL;
    if (!obj) return PG_OK;
    where w = {file, NULL, "parts", err};
    if (!cJSON_IsObject(obj))
        return bad(&w, -1, "must be an object of part name -> pattern text, or the name of a "
                           "parts file");
    int n = cJSON_GetArraySize(obj);
    if (n > PG_PARTS_MAX) return bad(&w, -1, "more than %d parts (PG_PARTS_MAX)", PG_PARTS_MAX);
    pg_parts *pp = calloc(1, sizeof *pp);
    if (!pp || !(pp->file = strdup(file)) ||
        !(pp->v = calloc((size_t)(n ? n : 1), sizeof *pp->v)) ||
        !(pp->stack = calloc((size_t)(n ? n : 1), sizeof *pp->stack))) {
        pg_parts_free(pp);
        return nomem(&w);
    }
    pg_status st = PG_OK;
    char field[96];
    for (const cJSON *k = obj->child; k && st == PG_OK; k = k->next) {
        snprintf(field, sizeof field, "parts.%s", k->string);
        where kw = {file, NULL, field, err};
        if (!valid_name(k->string, strlen(k->string)))
            st = bad(&kw, -1, "'%.80s' is not a part name: " NAME_RULE, k->string);
        else if (!cJSON_IsString(k) || !k->valuestring[0])
            st = bad(&kw, -1, "the part '%s' must be a non-empty string (a piece of a pattern)",
                     k->string);
        else if (find(pp, k->string, strlen(k->string)))
            st = bad(&kw, -1, "the part '%s' is defined twice", k->string);
        else {
            part *p = &pp->v[pp->n];
            p->name = strdup(k->string);
            p->text = strdup(k->valuestring);
            pp->n++;
            if (!p->name || !p->text) st = nomem(&kw);
        }
    }
    for (size_t i = 0; i < pp->n && st == PG_OK; i++)
        if (pp->v[i].state == TODO) st = expand_part(pp, &pp->v[i], err);
    if (st != PG_OK) {
        pg_parts_free(pp);
        return st;
    }
    *out = pp;
    return PG_OK;
}

pg_status pg_parts_expand(const pg_parts *pp, const char *src, const char *file,
                          const char *rule, const char *field, char **out, pg_error *err) {
    where w = {file, rule, field, err};
    size_t len;
    /* every part is DONE after pg_parts_new, so expanding writes nothing in the table */
    return expand((pg_parts *)pp, src, &w, out, &len);
}

void pg_parts_free(pg_parts *pp) {
    if (!pp) return;
    for (size_t i = 0; pp->v && i < pp->n; i++) {
        free((char *)pp->v[i].name);
        free(pp->v[i].text);
        free(pp->v[i].expanded);
    }
    free(pp->v);
    free(pp->stack);
    free(pp->file);
    free(pp);
}
