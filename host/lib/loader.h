/* loader.h - what the pack loader (rules.c) and the rule schema (rule_schema.c) share while one
 * pack is read: the loader's place (file, rule) for error messages, and the schema's entry point.
 * Private to those two files; nothing here outlives pg_pack_load. */
#ifndef PG_LOADER_H
#define PG_LOADER_H

#include <cjson/cJSON.h>

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

/* Fail with PG_ERULE naming the loader's file, rule and `field`; returns the status. */
pg_status pg_load_fail(loader *L, const char *field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(PG_PRINTF_ARCHETYPE, 3, 4)))
#endif
    ;
pg_status pg_load_nomem(loader *L);

/* obj[key] as a string copied into the pack's arena: NULL when absent (PG_ERULE in *st when
 * required) or on an error; does nothing once *st is not PG_OK, so the first fault is reported. */
const char *pg_load_string(loader *L, const cJSON *obj, const char *key, int required, pg_status *st);

/* Parse a rule file's "rules" array into L->p->rules (growing it; *cap is its capacity). */
pg_status pg_load_rules(loader *L, const cJSON *arr, size_t *cap);

#endif
